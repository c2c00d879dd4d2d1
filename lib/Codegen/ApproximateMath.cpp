//===- ApproximateMath.cpp - math functions as polynomials ----------------===//
//
// Implements `lut-approximate-math` (Passes.td) with upstream MLIR's
// polynomial approximation patterns.
//
//===----------------------------------------------------------------------===//
#include "lut/Codegen/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace lut {
#define GEN_PASS_DEF_LUTAPPROXIMATEMATH
#include "lut/Codegen/Passes.h.inc"
} // namespace lut

using namespace mlir;

namespace {

struct LutApproximateMathPass : public lut::impl::LutApproximateMathBase<LutApproximateMathPass> {
  using Base::Base;
  void runOnOperation() override {
    std::vector<std::string> names(ops.begin(), ops.end());
    // The predicate gets the op's full name ("math.erf").
    auto wanted = [&](StringRef name) {
      name.consume_front("math.");
      return names.empty() || llvm::is_contained(names, name.str());
    };
    RewritePatternSet patterns(&getContext());
    populateMathF32ExpansionPatterns(patterns, wanted);
    populateMathPolynomialApproximationPatterns(patterns, wanted);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
