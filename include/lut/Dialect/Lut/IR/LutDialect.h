//===- LutDialect.h - the lut dialect ---------------------------*- C++ -*-===//
//
// The `lut` dialect: lookup-table operations that replace transformer FFNs.
// See docs/Dialects/LutDialect.md (generated from LutDialect.td).
//
//===----------------------------------------------------------------------===//
#ifndef LUT_DIALECT_LUT_IR_LUTDIALECT_H
#define LUT_DIALECT_LUT_IR_LUTDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include "lut/Dialect/Lut/IR/LutOpsDialect.h.inc"

namespace lut {

/// The values of `lut.mlp`'s `activation` attribute, in documentation order:
/// gelu, gelu_tanh, geglu, geglu_tanh, relu, reglu, silu, swiglu, sigmoid,
/// tanh, other.
llvm::ArrayRef<llvm::StringLiteral> activationNames();
bool isKnownActivation(llvm::StringRef name);

/// True when `name` is an ONNX element type name a `lut.dtype` attribute may
/// hold: a name of the dtype table (lut/Support/DTypes.def), such as float,
/// bfloat16, bool, int64 or uint8.
bool isKnownDType(llvm::StringRef name);

} // namespace lut

#endif
