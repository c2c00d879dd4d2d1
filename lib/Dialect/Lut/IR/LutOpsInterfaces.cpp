//===- LutOpsInterfaces.cpp - memory effects and tiling of lut ops --------===//
//
// MemoryEffectsOpInterface and TilingInterface of the destination-style lut
// ops (lut.lsh_encode, lut.gather_sum, lut.thermometer, lut.lut); see
// LutOps.td.
//
//===----------------------------------------------------------------------===//
#include "lut/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace lut;

namespace {

/// Reads every input and, on memrefs, writes the destination (the value is
/// overwritten, not read).
void dpsEffects(DestinationStyleOpInterface op,
                SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  if (op.hasPureTensorSemantics())
    return;
  for (OpOperand *in : op.getDpsInputOperands())
    if (isa<MemRefType>(in->get().getType()))
      effects.emplace_back(MemoryEffects::Read::get(), in, SideEffects::DefaultResource::get());
  for (OpOperand &init : op.getDpsInitsMutable())
    effects.emplace_back(MemoryEffects::Write::get(), &init, SideEffects::DefaultResource::get());
}

/// A slice of a tensor or memref: offsets/sizes per dim, unit strides.
Value slice(OpBuilder &b, Location loc, Value v, ArrayRef<OpFoldResult> offsets,
            ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
  if (isa<RankedTensorType>(v.getType()))
    return tensor::ExtractSliceOp::create(b, loc, v, offsets, sizes, strides);
  return memref::SubViewOp::create(b, loc, v, offsets, sizes, strides);
}

/// The whole extent of dim `d` of `v`.
OpFoldResult fullDim(OpBuilder &b, Location loc, Value v, int64_t d) {
  int64_t s = cast<ShapedType>(v.getType()).getDimSize(d);
  if (!ShapedType::isDynamic(s))
    return b.getIndexAttr(s);
  return linalg::createOrFoldDimOp(b, loc, v, d);
}

/// The (n, x) domain of a DPS op whose destination is `init` [N, X].
SmallVector<Range> domainOf(OpBuilder &b, Location loc, Value init) {
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  return {Range{zero, fullDim(b, loc, init, 0), one},
          Range{zero, fullDim(b, loc, init, 1), one}};
}

/// The tiled op's results (none on memrefs).
TilingResult tilingResult(Operation *tiled, SmallVector<Operation *> slices) {
  return TilingResult{{tiled}, SmallVector<Value>(tiled->getResults()), std::move(slices)};
}

} // namespace

/// The interface methods that every destination-style lut op shares: its
/// loops are the two dims of its destination, both parallel, and a tile of
/// the result sits where the tile of the loops does.
#define LUT_DPS_2D_PARALLEL_OP_METHODS(Op)                                       \
  void Op::getEffects(                                                           \
      SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &e) {  \
    dpsEffects(*this, e);                                                        \
  }                                                                              \
  SmallVector<utils::IteratorType> Op::getLoopIteratorTypes() {                 \
    return {utils::IteratorType::parallel, utils::IteratorType::parallel};       \
  }                                                                              \
  SmallVector<Range> Op::getIterationDomain(OpBuilder &b) {                     \
    return domainOf(b, getLoc(), getInit());                                     \
  }                                                                              \
  LogicalResult Op::getResultTilePosition(                                       \
      OpBuilder &, unsigned, ArrayRef<OpFoldResult> offsets,                     \
      ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,    \
      SmallVector<OpFoldResult> &resultSizes) {                                  \
    resultOffsets.assign(offsets.begin(), offsets.end());                        \
    resultSizes.assign(sizes.begin(), sizes.end());                              \
    return success();                                                            \
  }

//===----------------------------------------------------------------------===//
// LshEncodeOp
//===----------------------------------------------------------------------===//

LUT_DPS_2D_PARALLEL_OP_METHODS(LshEncodeOp)

FailureOr<TilingResult> LshEncodeOp::getTiledImplementation(OpBuilder &b,
                                                            ArrayRef<OpFoldResult> offsets,
                                                            ArrayRef<OpFoldResult> sizes) {
  // Tile (n, h) reads x[n, :], projection[:, h*k : (h+size)*k], bias[h*k ...].
  Location loc = getLoc();
  int64_t k = getBits();
  AffineExpr d0;
  bindDims(b.getContext(), d0);
  auto timesK = [&](OpFoldResult v) {
    return affine::makeComposedFoldedAffineApply(b, loc, d0 * k, {v});
  };
  SmallVector<Operation *> slices;
  auto take = [&](Value v, ArrayRef<OpFoldResult> off, ArrayRef<OpFoldResult> sz) {
    Value s = slice(b, loc, v, off, sz);
    slices.push_back(s.getDefiningOp());
    return s;
  };
  Value x = take(getX(), {offsets[0], b.getIndexAttr(0)},
                 {sizes[0], fullDim(b, loc, getX(), 1)});
  Value p = take(getProjection(), {b.getIndexAttr(0), timesK(offsets[1])},
                 {fullDim(b, loc, getProjection(), 0), timesK(sizes[1])});
  Value bias = getBias() ? take(getBias(), {timesK(offsets[1])}, {timesK(sizes[1])}) : Value();
  Value init = take(getInit(), offsets, sizes);
  auto tiled = LshEncodeOp::create(b, loc, x, p, bias, init, k);
  return tilingResult(tiled, std::move(slices));
}


//===----------------------------------------------------------------------===//
// GatherSumOp
//===----------------------------------------------------------------------===//

LUT_DPS_2D_PARALLEL_OP_METHODS(GatherSumOp)

FailureOr<TilingResult> GatherSumOp::getTiledImplementation(OpBuilder &b,
                                                            ArrayRef<OpFoldResult> offsets,
                                                            ArrayRef<OpFoldResult> sizes) {
  // Tile (n, m) reads codes[n, :], weights[n, :], tables[:, :, m],
  // bias[m] and scales[(:,) m].
  Location loc = getLoc();
  OpFoldResult zero = b.getIndexAttr(0);
  SmallVector<Operation *> slices;
  auto take = [&](Value v, ArrayRef<OpFoldResult> off, ArrayRef<OpFoldResult> sz) {
    Value s = slice(b, loc, v, off, sz);
    slices.push_back(s.getDefiningOp());
    return s;
  };
  Value codes = take(getCodes(), {offsets[0], zero}, {sizes[0], fullDim(b, loc, getCodes(), 1)});
  Value tables = take(getTables(), {zero, zero, offsets[1]},
                      {fullDim(b, loc, getTables(), 0), fullDim(b, loc, getTables(), 1), sizes[1]});
  Value weights;
  if (getWeights())
    weights = take(getWeights(), {offsets[0], zero}, {sizes[0], fullDim(b, loc, getWeights(), 1)});
  Value bias = getBias() ? take(getBias(), {offsets[1]}, {sizes[1]}) : Value();
  Value scales;
  if (Value s = getScales()) {
    if (cast<ShapedType>(s.getType()).getRank() == 1)
      scales = take(s, {offsets[1]}, {sizes[1]});
    else
      scales = take(s, {zero, offsets[1]}, {fullDim(b, loc, s, 0), sizes[1]});
  }
  Value init = take(getInit(), offsets, sizes);
  auto tiled = GatherSumOp::create(b, loc, codes, tables, weights, bias, scales, init);
  return tilingResult(tiled, std::move(slices));
}



//===----------------------------------------------------------------------===//
// ThermometerOp
//===----------------------------------------------------------------------===//

LUT_DPS_2D_PARALLEL_OP_METHODS(ThermometerOp)

FailureOr<TilingResult> ThermometerOp::getTiledImplementation(OpBuilder &b,
                                                              ArrayRef<OpFoldResult> offsets,
                                                              ArrayRef<OpFoldResult> sizes) {
  // Tile (n, c), c = d*B + b: columns [c0, c0 + s) are the bits of features
  // c0/B .. (c0 + s)/B, so the tile slices x and thresholds by feature and
  // must start and end on feature boundaries (constant multiples of B).
  Location loc = getLoc();
  int64_t B = cast<ShapedType>(getThresholds().getType()).getDimSize(1);
  std::optional<int64_t> off = getConstantIntValue(offsets[1]);
  std::optional<int64_t> sz = getConstantIntValue(sizes[1]);
  if (!off || !sz || *off % B || *sz % B)
    return emitOpError() << "tiles the bit columns only on feature boundaries (multiples of "
                         << B << ")";
  OpFoldResult zero = b.getIndexAttr(0);
  SmallVector<Operation *> slices;
  auto take = [&](Value v, ArrayRef<OpFoldResult> o, ArrayRef<OpFoldResult> s) {
    Value t = slice(b, loc, v, o, s);
    slices.push_back(t.getDefiningOp());
    return t;
  };
  Value x = take(getX(), {offsets[0], b.getIndexAttr(*off / B)}, {sizes[0], b.getIndexAttr(*sz / B)});
  Value t = take(getThresholds(), {b.getIndexAttr(*off / B), zero},
                 {b.getIndexAttr(*sz / B), b.getIndexAttr(B)});
  Value init = take(getInit(), offsets, sizes);
  auto tiled = ThermometerOp::create(b, loc, x, t, init);
  return tilingResult(tiled, std::move(slices));
}


//===----------------------------------------------------------------------===//
// LutOp
//===----------------------------------------------------------------------===//

LUT_DPS_2D_PARALLEL_OP_METHODS(LutOp)

FailureOr<TilingResult> LutOp::getTiledImplementation(OpBuilder &b,
                                                      ArrayRef<OpFoldResult> offsets,
                                                      ArrayRef<OpFoldResult> sizes) {
  // Tile (n, l) reads bits[n, :] (any input may be mapped), mapping[l, :]
  // and tables[l, :].
  Location loc = getLoc();
  OpFoldResult zero = b.getIndexAttr(0);
  SmallVector<Operation *> slices;
  auto take = [&](Value v, ArrayRef<OpFoldResult> o, ArrayRef<OpFoldResult> s) {
    Value t = slice(b, loc, v, o, s);
    slices.push_back(t.getDefiningOp());
    return t;
  };
  Value bits = take(getBits(), {offsets[0], zero}, {sizes[0], fullDim(b, loc, getBits(), 1)});
  Value mapping = take(getMapping(), {offsets[1], zero},
                       {sizes[1], fullDim(b, loc, getMapping(), 1)});
  Value tables = take(getTables(), {offsets[1], zero}, {sizes[1], fullDim(b, loc, getTables(), 1)});
  Value init = take(getInit(), offsets, sizes);
  auto tiled = LutOp::create(b, loc, bits, mapping, tables, init);
  return tilingResult(tiled, std::move(slices));
}

