//===- OpHelpers.h - Helpers shared by the node handlers --------*- C++ -*-===//
//
// Private to lib/Target/ONNX/Ops: small IR helpers that more than one op
// family uses. Family-specific helpers stay in their family's file.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_LIB_TARGET_ONNX_OPS_OPHELPERS_H
#define LUT_LIB_TARGET_ONNX_OPS_OPHELPERS_H

#include "../ImporterImpl.h"

namespace lut::onnximport {

using ScalarFn =
    llvm::function_ref<Value(OpBuilder &, Location, mlir::ValueRange)>;

/// The static shape / element type of a ranked tensor value.
Shape shapeOf(Value v);
Type elemOf(Value v);

/// A scalar constant of int or float type `t`.
Value cst(OpBuilder &b, Location l, Type t, double v);
mlir::TypedAttr scalarAttr(Type t, double v);

/// Output 0 as the numpy-broadcasting elementwise map `fn` over the first
/// `count` present inputs, of ONNX type `outDT`.
void ewiseN(NodeCtx &n, int32_t outDT, ScalarFn fn, size_t count = ~0ul);

/// Reports "unsupported" unless input `i` is floating point.
void requireFloat(NodeCtx &n, size_t i = 0);

/// Expands the reduced value `r` (reduced over `axes`) back to the rank of
/// `inShape`, with 1s.
Value keepDims(NodeCtx &n, Value r, llvm::ArrayRef<mlir::OpFoldResult> inShape,
               llvm::ArrayRef<int64_t> axes);

/// The dims of `dims` whose i1 flag in `dropped` is false, in order, as
/// run-time values: result dim q is the q-th kept dim (Squeeze and
/// ReduceSum with axes read at run time). `outRank` is the number kept.
Dims keptDimsAtRunTime(NodeCtx &n, llvm::ArrayRef<mlir::OpFoldResult> dims,
                       llvm::ArrayRef<Value> dropped, int64_t outRank);

/// `x` transposed by `perm` (linalg.transpose).
Value transposeValue(NodeCtx &n, Value x, llvm::ArrayRef<int64_t> perm);

} // namespace lut::onnximport

#endif
