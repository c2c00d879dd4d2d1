//===- WeightlessToLinalg.cpp - lut.thermometer and lut.lut to linalg -----===//
//
// The reference lowering of the weightless ops (see LutToLinalg.h and the
// ops' descriptions in LutOps.td) on tensors.
//
//===----------------------------------------------------------------------===//
#include "lut/Conversion/LutToLinalg/LutToLinalg.h"

#include "ConstantIndices.h"

#include "lut/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace lut;

namespace {

/// lut.thermometer: one elementwise linalg.generic over (n, d, b).
struct ThermometerOpLowering : OpConversionPattern<ThermometerOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ThermometerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "the reference lowering is on tensors");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value x = adaptor.getX(), init = adaptor.getInit();
    auto bitsTy = cast<RankedTensorType>(init.getType());
    int64_t d = cast<ShapedType>(x.getType()).getDimSize(1);
    int64_t b = cast<ShapedType>(op.getThresholds().getType()).getDimSize(1);
    Type bt = bitsTy.getElementType();
    auto b3Ty = RankedTensorType::get({bitsTy.getDimSize(0), d, b}, bt);
    SmallVector<OpFoldResult> sizes{tensor::getMixedSize(rewriter, loc, init, 0),
                                    rewriter.getIndexAttr(d), rewriter.getIndexAttr(b)};
    SmallVector<ReassociationIndices> assoc{{0}, {1, 2}};
    Value init3 = tensor::ExpandShapeOp::create(rewriter, loc, b3Ty, init, assoc, sizes);
    AffineExpr dn, dd, db;
    bindDims(ctx, dn, dd, db);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{b3Ty}, ValueRange{x, adaptor.getThresholds()},
        ValueRange{init3},
        SmallVector<AffineMap>{AffineMap::get(3, 0, {dn, dd}, ctx),
                               AffineMap::get(3, 0, {dd, db}, ctx),
                               AffineMap::get(3, 0, {dn, dd, db}, ctx)},
        SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
        [&](OpBuilder &bb, Location l, ValueRange args) {
          Value gt = arith::CmpFOp::create(bb, l, arith::CmpFPredicate::OGT, args[0], args[1]);
          Value bit = bt.isInteger(1) ? gt : arith::ExtUIOp::create(bb, l, bt, gt).getResult();
          linalg::YieldOp::create(bb, l, ValueRange{bit});
        });
    Value out = tensor::CollapseShapeOp::create(rewriter, loc, bitsTy, generic.getResult(0), assoc);
    rewriter.replaceOp(op, out);
    return success();
  }
};

/// When `mapping` is a constant, emits an error on `op` for its first index
/// outside [0, inputs) and fails.
LogicalResult checkConstantMapping(LutOp op, Value mapping) {
  int64_t n = cast<ShapedType>(op.getMapping().getType()).getDimSize(1);
  int64_t inputs = cast<ShapedType>(op.getBits().getType()).getDimSize(1);
  if (auto bad = firstIndexOutside(mapping, inputs, /*isUnsigned=*/false))
    return op.emitOpError() << "mapping index " << bad->second << " at [" << bad->first / n
                            << ", " << bad->first % n << "] is outside [0, " << inputs << ")";
  return success();
}

/// lut.lut: the addresses by a reduction over the fan-in, then a gather.
struct LutOpLowering : OpConversionPattern<LutOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "the reference lowering is on tensors");
    if (failed(checkConstantMapping(op, adaptor.getMapping())))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value bits = adaptor.getBits(), init = adaptor.getInit(), tables = adaptor.getTables();
    auto outTy = cast<RankedTensorType>(init.getType());
    Type i32 = rewriter.getI32Type();
    auto addrTy = RankedTensorType::get(outTy.getShape(), i32);
    SmallVector<OpFoldResult> sizes{tensor::getMixedSize(rewriter, loc, init, 0),
                                    rewriter.getIndexAttr(outTy.getDimSize(1))};
    Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getI32IntegerAttr(0));
    Value addrInit = linalg::FillOp::create(
                         rewriter, loc, zero,
                         ValueRange{tensor::EmptyOp::create(rewriter, loc, sizes, i32)})
                         .getResult(0);
    AffineExpr dn, dl, dj;
    bindDims(ctx, dn, dl, dj);
    auto addr = linalg::GenericOp::create(
        rewriter, loc, TypeRange{addrTy}, ValueRange{adaptor.getMapping()}, ValueRange{addrInit},
        SmallVector<AffineMap>{AffineMap::get(3, 0, {dl, dj}, ctx),
                               AffineMap::get(3, 0, {dn, dl}, ctx)},
        SmallVector<utils::IteratorType>{utils::IteratorType::parallel,
                                         utils::IteratorType::parallel,
                                         utils::IteratorType::reduction},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value n = linalg::IndexOp::create(b, l, 0);
          Value j = linalg::IndexOp::create(b, l, 2);
          Value in = arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          Value bit = tensor::ExtractOp::create(b, l, bits, ValueRange{n, in});
          Value zeroBit = arith::ConstantOp::create(b, l, b.getIntegerAttr(bit.getType(), 0));
          Value set = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, bit, zeroBit);
          Value one = arith::ExtUIOp::create(b, l, i32, set);
          Value shift = arith::IndexCastOp::create(b, l, i32, j);
          Value v = arith::ShLIOp::create(b, l, one, shift);
          linalg::YieldOp::create(b, l, ValueRange{arith::OrIOp::create(b, l, args[1], v)});
        });
    auto out = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outTy}, ValueRange{addr.getResult(0)}, ValueRange{init},
        SmallVector<AffineMap>(2, AffineMap::getMultiDimIdentityMap(2, ctx)),
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value lIdx = linalg::IndexOp::create(b, l, 1);
          Value a = arith::IndexCastUIOp::create(b, l, b.getIndexType(), args[0]);
          Value t = tensor::ExtractOp::create(b, l, tables, ValueRange{lIdx, a});
          linalg::YieldOp::create(b, l, ValueRange{t});
        });
    rewriter.replaceOp(op, out.getResults());
    return success();
  }
};

} // namespace

void lut::populateWeightlessToLinalgConversionPatterns(RewritePatternSet &patterns) {
  patterns.add<ThermometerOpLowering, LutOpLowering>(patterns.getContext());
}
