//===- LutDialect.h - the lut dialect ---------------------------*- C++ -*-===//
//
// The `lut` dialect: lookup-table operations that replace transformer FFNs.
// See docs/Dialects/LutDialect.md (generated from LutDialect.td).
//
//===----------------------------------------------------------------------===//
#ifndef LUT_DIALECT_LUT_IR_LUTDIALECT_H
#define LUT_DIALECT_LUT_IR_LUTDIALECT_H

#include "mlir/IR/Dialect.h"

#include "lut/Dialect/Lut/IR/LutOpsDialect.h.inc"

#endif
