//===- ReassociateReductions.cpp - reassoc on reduction combiners ---------===//
//
// Implements `lut-reassociate-reductions` (Passes.td).
//
//===----------------------------------------------------------------------===//
#include "lut/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

namespace lut {
#define GEN_PASS_DEF_LUTREASSOCIATEREDUCTIONS
#include "lut/Codegen/Passes.h.inc"
} // namespace lut

using namespace mlir;

namespace {

/// Adds `reassoc` to the fast-math flags of every float arith op in `op`'s
/// body that reads one of its output block arguments.
void markCombiners(linalg::GenericOp op) {
  if (op.getNumReductionLoops() == 0)
    return;
  for (BlockArgument acc : op.getRegionOutputArgs()) {
    if (!isa<FloatType>(acc.getType()))
      continue;
    for (Operation *user : acc.getUsers()) {
      auto fm = dyn_cast<arith::ArithFastMathInterface>(user);
      if (!fm)
        continue;
      arith::FastMathFlags flags = fm.getFastMathFlagsAttr()
                                       ? fm.getFastMathFlagsAttr().getValue()
                                       : arith::FastMathFlags::none;
      user->setAttr(fm.getFastMathAttrName(),
                    arith::FastMathFlagsAttr::get(user->getContext(),
                                                  flags | arith::FastMathFlags::reassoc));
    }
  }
}

struct LutReassociateReductionsPass
    : public lut::impl::LutReassociateReductionsBase<LutReassociateReductionsPass> {
  void runOnOperation() override { getOperation()->walk(markCombiners); }
};

} // namespace
