//===- Passes.h - lut dialect passes ----------------------------*- C++ -*-===//
//
// Passes of the `lut` dialect; each is documented in Passes.td and
// docs/Passes/LutPasses.md.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_DIALECT_LUT_TRANSFORMS_PASSES_H
#define LUT_DIALECT_LUT_TRANSFORMS_PASSES_H

#include "lut/Dialect/Lut/IR/LutDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace lut {

#define GEN_PASS_DECL
#include "lut/Dialect/Lut/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lut/Dialect/Lut/Transforms/Passes.h.inc"

} // namespace lut

#endif
