//===- Dims.cpp - Dynamic dims in the importer ----------------------------===//
//
// A dynamic dim is an `index` Value. The importer keeps dims canonical: a
// graph-input dim is one tensor.dim at the top of the function (shared by
// every input dim with the same ONNX dim_param), and the dim of a value a
// handler produced is the Value its producer was sized with (a tensor.empty
// operand, an expand_shape output size, ...). Two dims derived from the same
// input dim therefore compare equal as Values, which is what broadcasting,
// MatMul and Concat need to emit the same IR as for static shapes.
//
//===----------------------------------------------------------------------===//
#include "ImporterImpl.h"

#include "mlir/Interfaces/DestinationStyleOpInterface.h"

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

Shape Importer::shapeOfDims(ArrayRef<OpFoldResult> d) {
  Shape s;
  for (OpFoldResult f : d) {
    std::optional<int64_t> c = getConstantIntValue(f);
    s.push_back(c ? *c : ShapedType::kDynamic);
  }
  return s;
}

Dims Importer::staticDims(Location loc, ArrayRef<int64_t> s) {
  Dims d;
  for (int64_t v : s) {
    if (ShapedType::isDynamic(v)) {
      emitError(loc) << "unsupported: this operator does not support dynamic "
                        "dimensions yet; fix them with --shape-info";
      throw ImportAbort{OnnxImportStatus::Unsupported};
    }
    d.push_back(builder.getIndexAttr(v));
  }
  return d;
}

Value Importer::indexValue(Location loc, OpFoldResult f) {
  if (auto v = dyn_cast<Value>(f))
    return v;
  return arith::ConstantIndexOp::create(builder, loc, *getConstantIntValue(f));
}

OpFoldResult Importer::mulDims(Location loc, OpFoldResult a, OpFoldResult b) {
  auto ca = getConstantIntValue(a), cb = getConstantIntValue(b);
  if (ca && cb)
    return builder.getIndexAttr(*ca * *cb);
  if (ca == 1)
    return b;
  if (cb == 1)
    return a;
  return arith::MulIOp::create(builder, loc, indexValue(loc, a), indexValue(loc, b))
      .getResult();
}

OpFoldResult Importer::addDims(Location loc, OpFoldResult a, OpFoldResult b) {
  auto ca = getConstantIntValue(a), cb = getConstantIntValue(b);
  if (ca && cb)
    return builder.getIndexAttr(*ca + *cb);
  if (ca == 0)
    return b;
  if (cb == 0)
    return a;
  return arith::AddIOp::create(builder, loc, indexValue(loc, a), indexValue(loc, b))
      .getResult();
}

OpFoldResult Importer::maxDims(Location loc, OpFoldResult a, OpFoldResult b) {
  auto ca = getConstantIntValue(a), cb = getConstantIntValue(b);
  if (ca && cb)
    return builder.getIndexAttr(std::max(*ca, *cb));
  if (sameDim(a, b))
    return a;
  return arith::MaxSIOp::create(builder, loc, indexValue(loc, a), indexValue(loc, b))
      .getResult();
}

OpFoldResult Importer::minDims(Location loc, OpFoldResult a, OpFoldResult b) {
  auto ca = getConstantIntValue(a), cb = getConstantIntValue(b);
  if (ca && cb)
    return builder.getIndexAttr(std::min(*ca, *cb));
  if (sameDim(a, b))
    return a;
  Value r = arith::MinSIOp::create(builder, loc, indexValue(loc, a), indexValue(loc, b));
  dimValues.insert(r);
  return r;
}

Value Importer::sliceTo(Location loc, Value x, ArrayRef<OpFoldResult> sizes) {
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> offs(t.getRank(), builder.getIndexAttr(0)),
      strides(t.getRank(), builder.getIndexAttr(1));
  auto type = RankedTensorType::get(shapeOfDims(sizes), t.getElementType());
  return tensor::ExtractSliceOp::create(builder, loc, type, x, offs, sizes, strides);
}

bool Importer::isDimValue(OpFoldResult f) {
  if (auto c = getConstantIntValue(f))
    return *c >= 0;
  return dimValues.contains(cast<Value>(f));
}

bool Importer::sameDim(OpFoldResult a, OpFoldResult b) {
  auto ca = getConstantIntValue(a), cb = getConstantIntValue(b);
  if (ca || cb)
    return ca == cb;
  return cast<Value>(a) == cast<Value>(b);
}

OpFoldResult Importer::dimOf(Value t, int64_t d) {
  auto type = cast<RankedTensorType>(t.getType());
  if (!type.isDynamicDim(d))
    return builder.getIndexAttr(type.getDimSize(d));
  auto it = dimCache.find({t, d});
  if (it != dimCache.end())
    return it->second;
  OpFoldResult r;
  Operation *def = t.getDefiningOp();
  auto res = dyn_cast<OpResult>(t);
  if (auto dps = dyn_cast_or_null<DestinationStyleOpInterface>(def)) {
    r = dimOf(dps.getTiedOpOperand(res)->get(), d);
  } else if (auto empty = dyn_cast_or_null<tensor::EmptyOp>(def)) {
    r = empty.getMixedSizes()[d];
  } else if (auto cast = dyn_cast_or_null<tensor::CastOp>(def)) {
    r = dimOf(cast.getSource(), d);
  } else if (auto exp = dyn_cast_or_null<tensor::ExpandShapeOp>(def)) {
    r = exp.getMixedOutputShape()[d];
  } else if (auto col = dyn_cast_or_null<tensor::CollapseShapeOp>(def)) {
    OpFoldResult p = builder.getIndexAttr(1);
    for (int64_t s : col.getReassociationIndices()[d])
      p = mulDims(t.getLoc(), p, dimOf(col.getSrc(), s));
    r = p;
  } else if (auto pad = dyn_cast_or_null<tensor::PadOp>(def)) {
    r = addDims(t.getLoc(), addDims(t.getLoc(), dimOf(pad.getSource(), d), pad.getMixedLowPad()[d]),
                pad.getMixedHighPad()[d]);
  } else if (auto slice = dyn_cast_or_null<tensor::ExtractSliceOp>(def)) {
    llvm::SmallBitVector dropped = slice.getDroppedDims();
    SmallVector<OpFoldResult> sizes = slice.getMixedSizes();
    int64_t k = -1;
    for (size_t i = 0; i < sizes.size(); ++i)
      if (!dropped.test(i) && ++k == d) {
        r = sizes[i];
        break;
      }
  }
  if (!r)
    r = tensor::DimOp::create(builder, t.getLoc(), t, d).getResult();
  if (auto v = dyn_cast<Value>(r))
    dimValues.insert(v);
  dimCache[{t, d}] = r;
  return r;
}

Dims Importer::dimsOf(Value t) {
  Dims r;
  for (int64_t d = 0; d < cast<RankedTensorType>(t.getType()).getRank(); ++d)
    r.push_back(dimOf(t, d));
  return r;
}

bool Importer::broadcastDims(ArrayRef<OpFoldResult> a, ArrayRef<OpFoldResult> b, Dims &out,
                             Location loc) {
  size_t r = std::max(a.size(), b.size());
  OpFoldResult one = builder.getIndexAttr(1);
  out.assign(r, one);
  for (size_t i = 0; i < r; ++i) {
    OpFoldResult da = i < r - a.size() ? one : a[i - (r - a.size())];
    OpFoldResult db = i < r - b.size() ? one : b[i - (r - b.size())];
    auto ca = getConstantIntValue(da), cb = getConstantIntValue(db);
    if (ca == 1) {
      out[i] = db;
    } else if (cb == 1) {
      out[i] = da;
    } else if (ca && cb) {
      if (*ca != *cb)
        return false;
      out[i] = da;
    } else if (ca || cb) {
      // A dynamic dim against a static one (not 1): the static one, with
      // the dynamic operand read at clamped indices (it may be 1).
      out[i] = ca ? da : db;
    } else {
      out[i] = maxDims(loc, da, db);
    }
  }
  return true;
}
