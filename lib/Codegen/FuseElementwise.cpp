//===- FuseElementwise.cpp - elementwise fusion that spares contractions --===//
//
// Implements `lut-fuse-elementwise` (Passes.td) with upstream linalg's
// elementwise fusion patterns and a control function that keeps
// contractions (and so lut-dense-calls' GEMMs) unfused.
//
//===----------------------------------------------------------------------===//
#include "lut/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lut {
#define GEN_PASS_DEF_LUTFUSEELEMENTWISE
#include "lut/Codegen/Passes.h.inc"
} // namespace lut

using namespace mlir;

namespace {

/// Fuse `operand`'s producer into its owner unless the owner is a
/// contraction or the producer has other users.
bool shouldFuse(OpOperand *operand) {
  Operation *producer = operand->get().getDefiningOp();
  auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
  if (!producer || !consumer || !producer->hasOneUse())
    return false;
  return !linalg::isaContractionOpInterface(consumer);
}

struct LutFuseElementwisePass : public lut::impl::LutFuseElementwiseBase<LutFuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(patterns, shouldFuse);
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
