//===- DetectMlp.cpp - wrap feed-forward blocks in lut.mlp ----------------===//
//
// Implements `lut-detect-mlp` (Passes.td). The matcher is in FfnMatch.cpp.
//
//===----------------------------------------------------------------------===//
#include "lut/Dialect/Lut/IR/LutOps.h"
#include "lut/Dialect/Lut/Transforms/FfnMatch.h"
#include "lut/Dialect/Lut/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

#include <set>

namespace lut {
#define GEN_PASS_DEF_LUTDETECTMLP
#include "lut/Dialect/Lut/Transforms/Passes.h.inc"
} // namespace lut

using namespace mlir;
using namespace lut;

namespace {

/// Clones into the body what the block needs from outside: constants and
/// the pure, operand-free (or constant-fed) ops that build init tensors.
/// `input` is the body's argument (the block's input [..., d_model]): an
/// init tensor whose dynamic leading dim comes from outside takes that dim
/// of `input` instead (the matcher checked that the block keeps the leading
/// dims).
Value cloneDep(OpBuilder &b, IRMapping &map, Value v, Value input) {
  if (Value m = map.lookupOrNull(v))
    return m;
  Operation *def = v.getDefiningOp();
  if (!def)
    return nullptr;
  if (auto empty = dyn_cast<tensor::EmptyOp>(def)) {
    auto type = empty.getType();
    auto inType = cast<RankedTensorType>(input.getType());
    SmallVector<Value> sizes;
    unsigned k = 0;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d))
        continue;
      Value s = empty.getDynamicSizes()[k++];
      if (Value m = cloneDep(b, map, s, input)) {
        sizes.push_back(m);
      } else if (type.getRank() == inType.getRank() && d + 1 < type.getRank() &&
                 inType.isDynamicDim(d)) {
        sizes.push_back(tensor::DimOp::create(b, empty.getLoc(), input, d));
      } else {
        return nullptr;
      }
    }
    auto clone = tensor::EmptyOp::create(b, empty.getLoc(), type, sizes);
    map.map(v, clone.getResult());
    return clone.getResult();
  }
  bool cloneable = matchPattern(v, m_Constant()) || isa<linalg::FillOp>(def);
  if (!cloneable)
    return nullptr;
  for (Value operand : def->getOperands())
    if (!cloneDep(b, map, operand, input))
      return nullptr;
  b.clone(*def, map);
  return map.lookup(v);
}

struct LutDetectMlpPass : public lut::impl::LutDetectMlpBase<LutDetectMlpPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Candidates in block order; each down projection starts one match.
    std::vector<FfnMatch> matches;
    std::set<Operation *> taken;
    func.walk([&](Operation *op) {
      if (!isa<linalg::GenericOp, linalg::MatmulOp>(op) || taken.count(op))
        return;
      auto m = matchFfn(op);
      if (!m)
        return;
      for (Operation *o : m->ops)
        if (taken.count(o))
          return;
      taken.insert(m->ops.begin(), m->ops.end());
      matches.push_back(std::move(*m));
    });
    std::set<std::string> used;
    int unnamed = 0;
    for (FfnMatch &m : matches) {
      std::string name = ffnSourceName(m);
      if (name.empty())
        name = "mlp." + std::to_string(unnamed++);
      std::string unique = name;
      for (int k = 1; used.count(unique); ++k)
        unique = name + "#" + std::to_string(k);
      used.insert(unique);
      (void)wrap(m, unique);
    }
  }

  LogicalResult wrap(FfnMatch &m, StringRef name) {
    Operation *last = m.ops.back();
    OpBuilder b(last);
    Location loc = m.down.contraction->getLoc();
    auto mlp = MlpOp::create(b, loc, name, ValueRange{m.input},
                             TypeRange{m.output.getType()});
    mlp.setActivation(StringRef(m.activation));
    mlp.setDModel(m.dModel);
    mlp.setDFf(m.dFF);
    mlp.setDOut(m.dOut);
    Block &body = mlp.getBody().front();
    OpBuilder bb = OpBuilder::atBlockBegin(&body);
    IRMapping map;
    map.map(m.input, body.getArgument(0));
    for (Operation *op : m.ops) {
      for (Value operand : op->getOperands())
        if (!cloneDep(bb, map, operand, body.getArgument(0))) {
          // Leave this block dense; the matcher should have rejected it.
          mlp.erase();
          op->emitWarning("lut-detect-mlp: cannot move an operand of FFN '")
              << name << "' into its region; left dense";
          return failure();
        }
      for (Region &r : op->getRegions())
        r.walk([&](Operation *inner) {
          for (Value operand : inner->getOperands())
            if (!operand.getParentRegion()->isAncestor(&r) && !map.contains(operand))
              (void)cloneDep(bb, map, operand, body.getArgument(0));
        });
      bb.clone(*op, map);
    }
    YieldOp::create(bb, loc, ValueRange{map.lookup(m.output)});
    m.output.replaceAllUsesWith(mlp.getResult(0));
    for (Operation *op : llvm::reverse(m.ops))
      op->erase();
    mlp.emitRemark() << "FFN '" << name << "': d_model " << m.dModel
                     << ", d_ff " << m.dFF << ", activation " << m.activation
                     << ", " << m.macsPerToken() << " MACs per token";
    return success();
  }
};

} // namespace
