//===- ForwardResults.cpp - results straight into out-parameters ----------===//
//
// lut-hls-forward-results (documented in include/lut/HLS/Passes.td).
//
//===----------------------------------------------------------------------===//
#include "lut/HLS/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace lut {
#define GEN_PASS_DEF_LUTHLSFORWARDRESULTS
#include "lut/HLS/Passes.h.inc"
} // namespace lut

using namespace mlir;

namespace {
struct ForwardResults : lut::impl::LutHlsForwardResultsBase<ForwardResults> {
  void runOnOperation() override {
    func::FuncOp f = getOperation();
    if (f.isExternal())
      return;
    Block &entry = f.getBody().front();
    SmallVector<memref::CopyOp> copies;
    for (auto copy : entry.getOps<memref::CopyOp>())
      copies.push_back(copy);
    for (memref::CopyOp copy : copies) {
      auto alloc = copy.getSource().getDefiningOp<memref::AllocOp>();
      auto out = dyn_cast<BlockArgument>(copy.getTarget());
      if (!alloc || !out || out.getOwner() != &entry || alloc->getBlock() != &entry ||
          alloc.getType() != out.getType() || !out.hasOneUse())
        continue;
      // Every other use of the buffer comes before the copy.
      bool last = llvm::all_of(alloc->getUsers(), [&](Operation *user) {
        Operation *top = entry.findAncestorOpInBlock(*user);
        return user == copy || (top && top->isBeforeInBlock(copy));
      });
      if (!last)
        continue;
      alloc.getResult().replaceAllUsesWith(out);
      copy.erase();
      alloc.erase();
    }
  }
};
} // namespace
