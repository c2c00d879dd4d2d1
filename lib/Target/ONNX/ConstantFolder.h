//===- ConstantFolder.h - Import-time evaluation of IR ----------*- C++ -*-===//
//
// Evaluates the IR a node handler emitted when its operands are constants,
// so that each ONNX op's semantics live in one place (its handler) and
// still fold at import time. Nothing ONNX-specific happens here: it is an
// interpreter of the upstream ops the handlers emit, on small tensors held
// as one Attribute per element:
//
//  * linalg structured ops (generic, fill, matmul, transpose, ...): the
//    iteration space is walked in order, operands are read through the
//    indexing maps, and the scalar body is evaluated op by op with each op's
//    own MLIR folder (`Operation::fold`); `linalg.index` and
//    `tensor.extract` are evaluated directly;
//  * tensor.empty (zeros: its contents are never read by the handlers' IR),
//    tensor.expand_shape / collapse_shape, extract_slice, insert_slice and
//    pad with static sizes;
//  * scalar ops outside bodies, by their folders.
//
// Anything else, a folder that declines (e.g. integer division by zero, an
// out-of-range float-to-int cast, math functions on f16), a dynamic size or
// more work than the limit makes the evaluation fail; the caller then keeps
// the IR, which computes the same thing at run time.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_LIB_TARGET_ONNX_CONSTANTFOLDER_H
#define LUT_LIB_TARGET_ONNX_CONSTANTFOLDER_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

#include <memory>

namespace lut::onnximport {

class ConstantFolder {
public:
  /// `workLimit` bounds the elements of every evaluated tensor and the
  /// iteration points of every structured op.
  explicit ConstantFolder(int64_t workLimit);
  ~ConstantFolder();

  /// Evaluates `ops`, in order. Fails at the first op it cannot evaluate.
  mlir::LogicalResult evaluate(llvm::ArrayRef<mlir::Operation *> ops);

  /// The contents of tensor `v` (a result evaluated above, or a constant op)
  /// if it has at most `maxElements` elements, else null.
  mlir::DenseElementsAttr valueOf(mlir::Value v, int64_t maxElements);

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace lut::onnximport

#endif
