//===- Passes.h - lut-mlir HLS passes ---------------------------*- C++ -*-===//
//
// The passes to the HLS-ready level of IR; each is documented in Passes.td
// and docs/Passes/LutHlsPasses.md.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_HLS_PASSES_H
#define LUT_HLS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include "lut/HLS/EmitHLSCpp.h"

#include <string>

namespace lut {

#define GEN_PASS_DECL
#include "lut/HLS/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lut/HLS/Passes.h.inc"


} // namespace lut

#endif
