//===- Passes.h - lut-mlir code generation passes ---------------*- C++ -*-===//
//
// lut-mlir's own passes between the lut ops' lowering and LLVM; each is
// documented in Passes.td and docs/Passes/LutCodegenPasses.md.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_CODEGEN_PASSES_H
#define LUT_CODEGEN_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <string>

namespace lut {

#define GEN_PASS_DECL
#include "lut/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lut/Codegen/Passes.h.inc"

/// Name of the module attribute that records the target CPU (lut-set-target).
inline constexpr llvm::StringLiteral kTargetCpuAttrName = "lut.target_cpu";
/// Name of the module attribute that records the target features.
inline constexpr llvm::StringLiteral kTargetFeaturesAttrName = "lut.target_features";
/// Name of the entry-function attribute holding the signature text
/// (lut-model-signature, consumed by lut-model-abi).
inline constexpr llvm::StringLiteral kSignatureAttrName = "lut.signature";

/// Suffix of the output-shape function that `lut-output-shapes` adds next to
/// an entry function with dynamic dims (`main_graph_output_shapes`).
inline constexpr llvm::StringLiteral kOutputShapesSuffix = "_output_shapes";

/// Marks an entry function that lut-entry-to-llvm lowered with memref
/// descriptors (dynamic dims, or a tensor with no elements).
inline constexpr llvm::StringLiteral kDescriptorAbiAttrName = "lut_descriptor_abi";

/// True when an argument or result of `func` is a shaped type with a
/// dynamic dim: such a model gets the dynamic model ABI (docs/Runtime.md).
bool hasDynamicSignature(mlir::func::FuncOp func);

/// Builds the signature text (format in docs/Runtime.md) of `func`, which
/// must be on tensors: from its `lut.name`/`lut.dtype`/`lut.dim_names`
/// argument and result attributes and its types. Returns failure after
/// emitting an error on `func` for a function without results, a non-tensor
/// or unranked argument or result, a static tensor with no elements, or an
/// element type with no ONNX equivalent.
llvm::FailureOr<std::string> buildModelSignature(mlir::func::FuncOp func);

} // namespace lut

#endif
