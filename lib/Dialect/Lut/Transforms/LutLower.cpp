//===- LutLower.cpp - reference lowering of lut ops -----------------------===//
//
// Implements the `lut-lower` pass (see Passes.td): the semantic reference
// lowering of every lut op to linalg/tensor/arith on tensors.
//
//===----------------------------------------------------------------------===//
#include "lut/Dialect/Lut/IR/LutOps.h"
#include "lut/Dialect/Lut/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace lut {
#define GEN_PASS_DEF_LUTLOWER
#include "lut/Dialect/Lut/Transforms/Passes.h.inc"
} // namespace lut

using namespace mlir;
using namespace lut;

namespace {

/// Inlines the body of a `lut.mlp` in place of the op.
void lowerMlp(IRRewriter &rewriter, MlpOp op) {
  Block &body = op.getBody().front();
  auto yield = cast<YieldOp>(body.getTerminator());
  SmallVector<Value> results(yield.getValues());
  rewriter.inlineBlockBefore(&body, op, op.getInputs());
  rewriter.replaceOp(op, results);
  rewriter.eraseOp(yield);
}

Value zeroFilled(OpBuilder &b, Location loc, RankedTensorType type) {
  Value empty = tensor::EmptyOp::create(b, loc, type.getShape(),
                                        type.getElementType());
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(type.getElementType()));
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

void lowerLshEncode(IRRewriter &rewriter, LshEncodeOp op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  auto xTy = op.getX().getType();
  auto pTy = op.getProjection().getType();
  int64_t n = xTy.getDimSize(0), cols = pTy.getDimSize(1);
  int64_t k = op.getBits();
  auto zTy = RankedTensorType::get({n, cols}, rewriter.getF32Type());
  Value z = linalg::MatmulOp::create(rewriter, loc, ValueRange{op.getX(), op.getProjection()},
                                     ValueRange{zeroFilled(rewriter, loc, zTy)})
                .getResult(0);
  auto codesTy = op.getCodes().getType();
  Value init = zeroFilled(rewriter, loc, codesTy);
  // View z as N x H x k (and the bias as H x k) so that every loop is a
  // plain dimension of some operand.
  int64_t h = cols / k;
  auto z3Ty = RankedTensorType::get({n, h, k}, rewriter.getF32Type());
  Value z3 = tensor::ExpandShapeOp::create(
      rewriter, loc, z3Ty, z, SmallVector<ReassociationIndices>{{0}, {1, 2}});
  AffineExpr dn, dh, dj;
  bindDims(ctx, dn, dh, dj);
  SmallVector<AffineMap> maps{AffineMap::get(3, 0, {dn, dh, dj}, ctx)};
  SmallVector<Value> ins{z3};
  if (Value b = op.getBias()) {
    auto b2Ty = RankedTensorType::get({h, k}, rewriter.getF32Type());
    maps.push_back(AffineMap::get(3, 0, {dh, dj}, ctx));
    ins.push_back(tensor::ExpandShapeOp::create(
        rewriter, loc, b2Ty, b, SmallVector<ReassociationIndices>{{0, 1}}));
  }
  maps.push_back(AffineMap::get(3, 0, {dn, dh}, ctx));
  bool hasBias = static_cast<bool>(op.getBias());
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{codesTy}, ins, ValueRange{init}, maps,
      SmallVector<utils::IteratorType>{utils::IteratorType::parallel,
                                       utils::IteratorType::parallel,
                                       utils::IteratorType::reduction},
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value v = args[0];
        if (hasBias)
          v = arith::AddFOp::create(b, l, v, args[1]);
        Value acc = args.back();
        Value zero = arith::ConstantOp::create(b, l, b.getF32FloatAttr(0.0f));
        Value pos = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, zero);
        Value j = linalg::IndexOp::create(b, l, 2);
        Value j32 = arith::IndexCastOp::create(b, l, b.getI32Type(), j);
        Value one = arith::ConstantOp::create(b, l, b.getI32IntegerAttr(1));
        Value zero32 = arith::ConstantOp::create(b, l, b.getI32IntegerAttr(0));
        Value bit = arith::ShLIOp::create(b, l, one, j32);
        Value sel = arith::SelectOp::create(b, l, pos, bit, zero32);
        linalg::YieldOp::create(b, l, ValueRange{arith::OrIOp::create(b, l, acc, sel)});
      });
  rewriter.replaceOp(op, generic.getResults());
}

void lowerGatherSum(IRRewriter &rewriter, GatherSumOp op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  auto yTy = op.getResult().getType();
  Value init;
  // Loops (n, h, m): the reduction over tables sits outside the output
  // column loop, so the inner loop reads one table row and updates one
  // output row contiguously (and vectorizes).
  AffineExpr dn, dh, dm;
  bindDims(ctx, dn, dh, dm);
  if (Value bias = op.getBias()) {
    Value empty = tensor::EmptyOp::create(rewriter, loc, yTy.getShape(),
                                          yTy.getElementType());
    auto bcast = linalg::GenericOp::create(
        rewriter, loc, TypeRange{yTy}, ValueRange{bias}, ValueRange{empty},
        SmallVector<AffineMap>{AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx),
                               AffineMap::getMultiDimIdentityMap(2, ctx)},
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, ValueRange{args[0]});
        });
    init = bcast.getResult(0);
  } else {
    init = zeroFilled(rewriter, loc, yTy);
  }
  SmallVector<AffineMap> maps{AffineMap::get(3, 0, {dn, dh}, ctx)};
  SmallVector<Value> ins{op.getCodes()};
  if (Value w = op.getWeights()) {
    maps.push_back(AffineMap::get(3, 0, {dn, dh}, ctx));
    ins.push_back(w);
  }
  maps.push_back(AffineMap::get(3, 0, {dn, dm}, ctx));
  Value tables = op.getTables(), scales = op.getScales();
  bool hasWeights = static_cast<bool>(op.getWeights());
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{yTy}, ins, ValueRange{init}, maps,
      SmallVector<utils::IteratorType>{utils::IteratorType::parallel,
                                       utils::IteratorType::reduction,
                                       utils::IteratorType::parallel},
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value h = linalg::IndexOp::create(b, l, 1);
        Value m = linalg::IndexOp::create(b, l, 2);
        Value code = arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
        Value t = tensor::ExtractOp::create(b, l, tables, ValueRange{h, code, m});
        Type f32 = b.getF32Type();
        if (t.getType().isInteger(8))
          t = arith::SIToFPOp::create(b, l, f32, t);
        else if (t.getType() != f32)
          t = arith::ExtFOp::create(b, l, f32, t);
        if (scales) {
          Value s = tensor::ExtractOp::create(b, l, scales, ValueRange{h, m});
          t = arith::MulFOp::create(b, l, t, s);
        }
        if (hasWeights)
          t = arith::MulFOp::create(b, l, t, args[1]);
        linalg::YieldOp::create(b, l, ValueRange{arith::AddFOp::create(b, l, args.back(), t)});
      });
  rewriter.replaceOp(op, generic.getResults());
}

struct LutLowerPass : public lut::impl::LutLowerBase<LutLowerPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Inline FFN bodies first (post-order walk handles nesting).
    SmallVector<MlpOp> mlps;
    getOperation().walk([&](MlpOp op) { mlps.push_back(op); });
    for (MlpOp op : mlps)
      lowerMlp(rewriter, op);
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<LshEncodeOp, GatherSumOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (auto e = dyn_cast<LshEncodeOp>(op))
        lowerLshEncode(rewriter, e);
      else
        lowerGatherSum(rewriter, cast<GatherSumOp>(op));
    }
  }
};

} // namespace
