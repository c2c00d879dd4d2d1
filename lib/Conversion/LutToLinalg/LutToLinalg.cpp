//===- LutToLinalg.cpp - lut ops to linalg/tensor/arith -------------------===//
//
// The conversion patterns of LutToLinalg.h and the `convert-lut-to-linalg`
// pass (lut/Conversion/Passes.td): the semantic reference lowering of every
// lut op to linalg/tensor/arith on tensors.
//
//===----------------------------------------------------------------------===//
#include "lut/Conversion/LutToLinalg/LutToLinalg.h"

#include "ConstantIndices.h"

#include "lut/Conversion/Passes.h"
#include "lut/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

namespace lut {
#define GEN_PASS_DEF_CONVERTLUTTOLINALGPASS
#include "lut/Conversion/Passes.h.inc"
} // namespace lut

using namespace mlir;
using namespace lut;

namespace {

/// `dest` filled with `value`.
Value fill(OpBuilder &b, Location loc, Value dest, TypedAttr value) {
  Value v = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, v, dest).getResult(0);
}

/// A new tensor of `sizes` (static or dynamic) and `elem` filled with zeros.
Value zeroFilled(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes, Type elem) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, elem);
  return fill(b, loc, empty, b.getZeroAttr(elem));
}

/// lut.mlp: inlines the body in place of the op.
struct MlpOpLowering : OpConversionPattern<MlpOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MlpOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Block &body = op.getBody().front();
    auto yield = cast<YieldOp>(body.getTerminator());
    ValueRange inputs = adaptor.getInputs();
    // A yielded block argument stands for the matching operand: map it now,
    // since the block arguments go away with the block.
    SmallVector<Value> results;
    for (Value v : yield.getValues()) {
      auto arg = dyn_cast<BlockArgument>(v);
      results.push_back(arg && arg.getOwner() == &body
                            ? inputs[arg.getArgNumber()]
                            : v);
    }
    rewriter.inlineBlockBefore(&body, op, inputs);
    rewriter.eraseOp(yield);
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// lut.lsh_encode: linalg.matmul, then a bit-packing linalg.generic over
/// (n, h, j) into the destination.
struct LshEncodeOpLowering : OpConversionPattern<LshEncodeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LshEncodeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "the reference lowering is on tensors");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value x = adaptor.getX();
    int64_t cols = cast<ShapedType>(op.getProjection().getType()).getDimSize(1);
    int64_t k = op.getBits(), h = cols / k;
    SmallVector<OpFoldResult> zSizes{tensor::getMixedSize(rewriter, loc, x, 0),
                                     rewriter.getIndexAttr(cols)};
    Value z = linalg::MatmulOp::create(
                  rewriter, loc, ValueRange{x, adaptor.getProjection()},
                  ValueRange{zeroFilled(rewriter, loc, zSizes, rewriter.getF32Type())})
                  .getResult(0);
    Value codesInit = adaptor.getInit();
    auto codesTy = cast<RankedTensorType>(codesInit.getType());
    Type ct = codesTy.getElementType();
    Value init = fill(rewriter, loc, codesInit, rewriter.getIntegerAttr(ct, 0));
    // View z as N x H x k (and the bias as H x k) so that every loop is a
    // plain dimension of some operand.
    auto zTy = cast<RankedTensorType>(z.getType());
    auto z3Ty = RankedTensorType::get({zTy.getDimSize(0), h, k}, rewriter.getF32Type());
    SmallVector<OpFoldResult> z3Sizes{zSizes[0], rewriter.getIndexAttr(h),
                                      rewriter.getIndexAttr(k)};
    Value z3 = tensor::ExpandShapeOp::create(rewriter, loc, z3Ty, z,
                                             SmallVector<ReassociationIndices>{{0}, {1, 2}},
                                             z3Sizes);
    AffineExpr dn, dh, dj;
    bindDims(ctx, dn, dh, dj);
    SmallVector<AffineMap> maps{AffineMap::get(3, 0, {dn, dh, dj}, ctx)};
    SmallVector<Value> ins{z3};
    Value bias = adaptor.getBias();
    if (bias) {
      auto b2Ty = RankedTensorType::get({h, k}, rewriter.getF32Type());
      maps.push_back(AffineMap::get(3, 0, {dh, dj}, ctx));
      ins.push_back(tensor::ExpandShapeOp::create(
          rewriter, loc, b2Ty, bias, SmallVector<ReassociationIndices>{{0, 1}}));
    }
    maps.push_back(AffineMap::get(3, 0, {dn, dh}, ctx));
    bool hasBias = static_cast<bool>(bias);
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
          Value jc = arith::IndexCastOp::create(b, l, ct, j);
          Value one = arith::ConstantOp::create(b, l, b.getIntegerAttr(ct, 1));
          Value none = arith::ConstantOp::create(b, l, b.getIntegerAttr(ct, 0));
          Value bit = arith::ShLIOp::create(b, l, one, jc);
          Value sel = arith::SelectOp::create(b, l, pos, bit, none);
          linalg::YieldOp::create(b, l, ValueRange{arith::OrIOp::create(b, l, acc, sel)});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// When `codes` is a constant, emits an error on `op` for its first code
/// outside [0, R) and fails.
LogicalResult checkConstantCodes(GatherSumOp op, Value codes) {
  int64_t h = cast<ShapedType>(op.getCodes().getType()).getDimSize(1);
  int64_t r = cast<ShapedType>(op.getTables().getType()).getDimSize(1);
  if (auto bad = firstIndexOutside(codes, r, /*isUnsigned=*/true))
    return op.emitOpError() << "code " << bad->second << " at [" << bad->first / h << ", "
                            << bad->first % h << "] is outside [0, " << r << ")";
  return success();
}

/// lut.gather_sum: one linalg.generic over (n, h, m) that reads the tables
/// with tensor.extract and accumulates in f32 into the destination.
struct GatherSumOpLowering : OpConversionPattern<GatherSumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "the reference lowering is on tensors");
    if (failed(checkConstantCodes(op, adaptor.getCodes())))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value dest = adaptor.getInit();
    auto yTy = cast<RankedTensorType>(dest.getType());
    Value init;
    // Loops (n, h, m): the reduction over tables sits outside the output
    // column loop, so the inner loop reads one table row and updates one
    // output row contiguously (and vectorizes).
    AffineExpr dn, dh, dm;
    bindDims(ctx, dn, dh, dm);
    if (Value bias = adaptor.getBias()) {
      auto bcast = linalg::GenericOp::create(
          rewriter, loc, TypeRange{yTy}, ValueRange{bias}, ValueRange{dest},
          SmallVector<AffineMap>{AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx),
                                 AffineMap::getMultiDimIdentityMap(2, ctx)},
          SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
          [](OpBuilder &b, Location l, ValueRange args) {
            linalg::YieldOp::create(b, l, ValueRange{args[0]});
          });
      init = bcast.getResult(0);
    } else {
      init = fill(rewriter, loc, dest, rewriter.getF32FloatAttr(0.0f));
    }
    SmallVector<AffineMap> maps{AffineMap::get(3, 0, {dn, dh}, ctx)};
    SmallVector<Value> ins{adaptor.getCodes()};
    Value weights = adaptor.getWeights();
    if (weights) {
      maps.push_back(AffineMap::get(3, 0, {dn, dh}, ctx));
      ins.push_back(weights);
    }
    maps.push_back(AffineMap::get(3, 0, {dn, dm}, ctx));
    Value tables = adaptor.getTables(), scales = adaptor.getScales();
    bool perColumnScales = scales && cast<ShapedType>(scales.getType()).getRank() == 1;
    bool hasWeights = static_cast<bool>(weights);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{yTy}, ins, ValueRange{init}, maps,
        SmallVector<utils::IteratorType>{utils::IteratorType::parallel,
                                         utils::IteratorType::reduction,
                                         utils::IteratorType::parallel},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value h = linalg::IndexOp::create(b, l, 1);
          Value m = linalg::IndexOp::create(b, l, 2);
          // Codes are unsigned.
          Value code = arith::IndexCastUIOp::create(b, l, b.getIndexType(), args[0]);
          Value t = tensor::ExtractOp::create(b, l, tables, ValueRange{h, code, m});
          Type f32 = b.getF32Type();
          if (t.getType().isInteger(8))
            t = arith::SIToFPOp::create(b, l, f32, t);
          else if (t.getType() != f32)
            t = arith::ExtFOp::create(b, l, f32, t);
          if (scales) {
            Value s = perColumnScales
                          ? tensor::ExtractOp::create(b, l, scales, ValueRange{m})
                          : tensor::ExtractOp::create(b, l, scales, ValueRange{h, m});
            t = arith::MulFOp::create(b, l, t, s);
          }
          if (hasWeights)
            t = arith::MulFOp::create(b, l, t, args[1]);
          linalg::YieldOp::create(b, l,
                                  ValueRange{arith::AddFOp::create(b, l, args.back(), t)});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct ConvertLutToLinalgPass
    : public lut::impl::ConvertLutToLinalgPassBase<ConvertLutToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<LutDialect>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           arith::ArithDialect, math::MathDialect,
                           func::FuncDialect>();
    RewritePatternSet patterns(ctx);
    if (keepTableOps) {
      target.addLegalOp<LshEncodeOp, GatherSumOp>();
      patterns.add<MlpOpLowering>(ctx);
      if (keepWeightlessOps)
        target.addLegalOp<ThermometerOp, LutOp>();
      else
        populateWeightlessToLinalgConversionPatterns(patterns);
    } else {
      populateLutToLinalgConversionPatterns(patterns);
    }
    // Partial conversion: ops of other dialects stay as they are, and any
    // lut op left over fails the pass with "failed to legalize operation".
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void lut::populateLutToLinalgConversionPatterns(RewritePatternSet &patterns) {
  patterns.add<MlpOpLowering, LshEncodeOpLowering, GatherSumOpLowering>(
      patterns.getContext());
  populateWeightlessToLinalgConversionPatterns(patterns);
}
