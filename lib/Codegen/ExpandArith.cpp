//===- ExpandArith.cpp - the arith expansions arith-to-llvm needs ---------===//
//
// Implements `lut-expand-arith` (Passes.td): upstream arith-expand's
// patterns, less the float min/max expansions.
//
//===----------------------------------------------------------------------===//
#include "lut/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lut {
#define GEN_PASS_DEF_LUTEXPANDARITH
#include "lut/Codegen/Passes.h.inc"
} // namespace lut

using namespace mlir;

namespace {

struct LutExpandArithPass : public lut::impl::LutExpandArithBase<LutExpandArithPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    arith::populateCeilFloorDivExpandOpsPatterns(patterns);
    arith::populateExpandBFloat16Patterns(patterns);
    arith::populateExpandF4E2M1Patterns(patterns);
    arith::populateExpandF8E8M0Patterns(patterns);
    arith::populateExpandScalingExtTruncPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
