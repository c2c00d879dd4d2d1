//===- MaterializeResults.cpp - one fresh tensor per function result ------===//
//
// Implements `lut-materialize-results` (Passes.td).
//
//===----------------------------------------------------------------------===//
#include "lut/Codegen/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

namespace lut {
#define GEN_PASS_DEF_LUTMATERIALIZERESULTS
#include "lut/Codegen/Passes.h.inc"
} // namespace lut

using namespace mlir;

namespace {

/// True when `v`, returned at this position, cannot own its out-param.
bool needsCopy(Value v, const llvm::SmallPtrSetImpl<Value> &returnedBefore) {
  return returnedBefore.contains(v) || isa<BlockArgument>(v) || matchPattern(v, m_Constant());
}

/// A copy of the ranked tensor `v` into a new tensor.
Value copyOf(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  Value empty = tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, v),
                                        type.getElementType());
  return linalg::CopyOp::create(b, loc, v, empty).getResult(0);
}

struct LutMaterializeResultsPass
    : public lut::impl::LutMaterializeResultsBase<LutMaterializeResultsPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      OpBuilder b(ret);
      llvm::SmallPtrSet<Value, 8> returned;
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        if (isa<RankedTensorType>(v.getType()) && needsCopy(v, returned))
          operand.set(copyOf(b, ret.getLoc(), v));
        returned.insert(v);
      }
    });
  }
};

} // namespace
