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

/// The ONNX element type names a `lut.dtype` attribute may hold: float,
/// double, float16, bfloat16, bool, int8, int16, int32, int64, uint8,
/// uint16, uint32, uint64.
llvm::ArrayRef<llvm::StringLiteral> dtypeNames();
bool isKnownDType(llvm::StringRef name);

} // namespace lut

#endif
