//===- LutOps.h - lut dialect operations ------------------------*- C++ -*-===//
//
// Operations of the `lut` dialect. Their semantics, shapes, element types and
// verifier errors are documented in LutOps.td and docs/Dialects/LutOps.md.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_DIALECT_LUT_IR_LUTOPS_H
#define LUT_DIALECT_LUT_IR_LUTOPS_H

#include "lut/Dialect/Lut/IR/LutDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"

#define GET_OP_CLASSES
#include "lut/Dialect/Lut/IR/LutOps.h.inc"

#endif
