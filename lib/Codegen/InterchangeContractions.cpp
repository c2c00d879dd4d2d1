//===- InterchangeContractions.cpp - contraction loop order ---------------===//
//
// Implements `lut-interchange-contractions` (Passes.td).
//
//===----------------------------------------------------------------------===//
#include "lut/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace lut {
#define GEN_PASS_DEF_LUTINTERCHANGECONTRACTIONS
#include "lut/Codegen/Passes.h.inc"
} // namespace lut

using namespace mlir;

namespace {

/// True for `out[.., m, n] += a[.., m, k] * b[k, n]`-shaped generics whose
/// last loop is the only reduction and whose last parallel loop indexes the
/// output's last dimension.
bool isContractionWithInnerReduction(linalg::GenericOp g) {
  unsigned n = g.getNumLoops();
  if (n < 2 || g.getNumReductionLoops() != 1 || g.getNumDpsInputs() != 2)
    return false;
  auto iters = g.getIteratorTypesArray();
  if (iters[n - 1] != utils::IteratorType::reduction ||
      iters[n - 2] != utils::IteratorType::parallel)
    return false;
  AffineMap out = g.getIndexingMapsArray().back();
  return out.getNumResults() > 0 &&
         out.getResults().back() == getAffineDimExpr(n - 2, g.getContext());
}

struct LutInterchangeContractionsPass
    : public lut::impl::LutInterchangeContractionsBase<LutInterchangeContractionsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> contractions;
    getOperation().walk([&](linalg::GenericOp g) {
      if (isContractionWithInnerReduction(g))
        contractions.push_back(g);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp g : contractions) {
      unsigned n = g.getNumLoops();
      SmallVector<unsigned> perm;
      for (unsigned i = 0; i + 2 < n; ++i)
        perm.push_back(i);
      perm.push_back(n - 1);
      perm.push_back(n - 2);
      rewriter.setInsertionPoint(g);
      (void)linalg::interchangeGenericOp(rewriter, g, perm);
    }
  }
};

} // namespace
