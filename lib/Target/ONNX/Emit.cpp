//===- Emit.cpp - IR emission helpers shared by the node handlers ---------===//
//
// Empty and filled tensors, broadcasting elementwise maps, reductions and
// reshapes, as linalg/tensor IR on static shapes.
//
//===----------------------------------------------------------------------===//
#include "ImporterImpl.h"

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

bool lut::onnximport::broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b,
                                      Shape &out) {
  size_t r = std::max(a.size(), b.size());
  out.assign(r, 1);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1)
      return false;
    out[i] = da == 1 ? db : da;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Emission helpers
//===----------------------------------------------------------------------===//

Value Importer::emptyTensor(Location loc, ArrayRef<OpFoldResult> shape, Type elem) {
  return tensor::EmptyOp::create(builder, loc, shape, elem);
}

Value Importer::emptyTensor(Location loc, ArrayRef<int64_t> shape, Type elem) {
  return emptyTensor(loc, ArrayRef<OpFoldResult>(staticDims(loc, shape)), elem);
}

Value Importer::filled(Location loc, ArrayRef<OpFoldResult> shape, Type elem,
                       TypedAttr value) {
  Value c = arith::ConstantOp::create(builder, loc, value);
  return linalg::FillOp::create(builder, loc, c, emptyTensor(loc, shape, elem))
      .getResult(0);
}

Value Importer::filled(Location loc, ArrayRef<int64_t> shape, Type elem,
                       TypedAttr value) {
  return filled(loc, ArrayRef<OpFoldResult>(staticDims(loc, shape)), elem, value);
}

Value Importer::elementwise(
    Location loc, ArrayRef<Value> operands, ArrayRef<int64_t> outShape,
    Type outElem,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  return elementwise(loc, operands, ArrayRef<OpFoldResult>(staticDims(loc, outShape)),
                     outElem, body);
}

Value Importer::elementwise(
    Location loc, ArrayRef<Value> operands, ArrayRef<OpFoldResult> outShape,
    Type outElem,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  int64_t r = outShape.size();
  // Each operand is read through an indexing map (dims equal to the
  // result's, or static 1s broadcast with a constant 0), or, when a dim may
  // or may not be broadcast at run time, inside the body with clamped
  // indices (min(i, size - 1): 0 for a size-1 dim, i otherwise).
  SmallVector<AffineMap> maps;
  SmallVector<Value> mapped;
  SmallVector<int> slot; // operand -> index in `mapped`, or -1 if read in the body
  for (Value v : operands) {
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<AffineExpr> exprs;
    int64_t vr = t.getRank();
    bool direct = true;
    for (int64_t i = 0; i < vr; ++i) {
      int64_t od = r - vr + i;
      OpFoldResult dv = dimOf(v, i);
      if (getConstantIntValue(dv) == 1 && getConstantIntValue(outShape[od]) != 1)
        exprs.push_back(builder.getAffineConstantExpr(0));
      else if (sameDim(dv, outShape[od]))
        exprs.push_back(builder.getAffineDimExpr(od));
      else
        direct = false;
    }
    if (direct) {
      slot.push_back(mapped.size());
      mapped.push_back(v);
      maps.push_back(AffineMap::get(r, 0, exprs, ctx));
    } else {
      slot.push_back(-1);
    }
  }
  // The clamp bounds (size - 1) of the operands read in the body.
  SmallVector<SmallVector<Value>> lastIndex(operands.size());
  for (size_t k = 0; k < operands.size(); ++k) {
    if (slot[k] >= 0)
      continue;
    Value one = arith::ConstantIndexOp::create(builder, loc, 1);
    for (OpFoldResult d : dimsOf(operands[k]))
      lastIndex[k].push_back(
          arith::SubIOp::create(builder, loc, indexValue(loc, d), one).getResult());
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(r, ctx));
  Value init = emptyTensor(loc, outShape, outElem);
  auto op = linalg::GenericOp::create(
      builder, loc, TypeRange{init.getType()}, mapped, ValueRange{init}, maps,
      SmallVector<utils::IteratorType>(r, utils::IteratorType::parallel),
      [&](OpBuilder &b, Location l, ValueRange args) {
        SmallVector<Value> vals;
        for (size_t k = 0; k < operands.size(); ++k) {
          if (slot[k] >= 0) {
            vals.push_back(args[slot[k]]);
            continue;
          }
          int64_t vr = lastIndex[k].size();
          SmallVector<Value> idx;
          for (int64_t i = 0; i < vr; ++i) {
            Value iv = linalg::IndexOp::create(b, l, r - vr + i);
            idx.push_back(arith::MinSIOp::create(b, l, iv, lastIndex[k][i]));
          }
          vals.push_back(tensor::ExtractOp::create(b, l, operands[k], idx));
        }
        Value res = body(b, l, vals);
        linalg::YieldOp::create(b, l, res);
      });
  return op.getResult(0);
}

Value Importer::reduce(
    Location loc, Value x, ArrayRef<int64_t> axes, TypedAttr init,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  auto t = cast<RankedTensorType>(x.getType());
  int64_t r = t.getRank();
  Dims outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < r; ++i) {
    bool red = llvm::is_contained(axes, i);
    iters.push_back(red ? utils::IteratorType::reduction
                        : utils::IteratorType::parallel);
    if (!red) {
      outShape.push_back(dimOf(x, i));
      outExprs.push_back(builder.getAffineDimExpr(i));
    }
  }
  Value out = filled(loc, ArrayRef<OpFoldResult>(outShape), t.getElementType(), init);
  SmallVector<AffineMap> maps{AffineMap::getMultiDimIdentityMap(r, ctx),
                              AffineMap::get(r, 0, outExprs, ctx)};
  auto op = linalg::GenericOp::create(
      builder, loc, TypeRange{out.getType()}, ValueRange{x}, ValueRange{out},
      maps, iters, [&](OpBuilder &b, Location l, ValueRange args) {
        linalg::YieldOp::create(b, l, combine(b, l, args[0], args[1]));
      });
  return op.getResult(0);
}

Value Importer::reshape(Location loc, Value x, ArrayRef<int64_t> shape) {
  return reshape(loc, x, ArrayRef<OpFoldResult>(staticDims(loc, shape)));
}

namespace {

/// A product of dims: a constant times dynamic dims (Values, sorted).
struct DimProduct {
  int64_t c = 1;
  SmallVector<Value> vals;
  void mul(OpFoldResult d) {
    if (auto k = getConstantIntValue(d)) {
      c *= *k;
    } else {
      vals.push_back(cast<Value>(d));
      llvm::sort(vals, [](Value a, Value b) {
        return a.getAsOpaquePointer() < b.getAsOpaquePointer();
      });
    }
  }
  bool operator==(const DimProduct &o) const { return c == o.c && vals == o.vals; }
  /// Whether this product divides `o` (as multisets and constants).
  bool dividesProperly(const DimProduct &o) const {
    if (*this == o || c == 0 || o.c % c != 0)
      return false;
    SmallVector<Value> rest(o.vals);
    for (Value v : vals) {
      auto it = llvm::find(rest, v);
      if (it == rest.end())
        return false;
      rest.erase(it);
    }
    return true;
  }
};

/// Pairs consecutive groups of `src` and `dst` dims with equal products
/// (symbolically: equal constants and the same dynamic dims), e.g.
/// [B, 17, 96] -> [B*17, 96] gives {0,1}->{0}, {2}->{1}. Unit dims at the
/// ends join the neighbouring group. Fails when the products cannot be
/// matched at compile time.
LogicalResult pairGroups(ArrayRef<OpFoldResult> src, ArrayRef<OpFoldResult> dst,
                         SmallVectorImpl<ReassociationIndices> &srcGroups,
                         SmallVectorImpl<ReassociationIndices> &dstGroups) {
  size_t i = 0, j = 0, n = src.size(), m = dst.size();
  while (i < n && j < m) {
    ReassociationIndices gs{(int64_t)i}, gd{(int64_t)j};
    DimProduct ps, pd;
    ps.mul(src[i++]);
    pd.mul(dst[j++]);
    while (!(ps == pd)) {
      if (ps.dividesProperly(pd) && i < n) {
        gs.push_back(i);
        ps.mul(src[i++]);
      } else if (pd.dividesProperly(ps) && j < m) {
        gd.push_back(j);
        pd.mul(dst[j++]);
      } else {
        return failure();
      }
    }
    srcGroups.push_back(gs);
    dstGroups.push_back(gd);
  }
  // Trailing unit dims join the last group.
  for (; i < n; ++i) {
    if (getConstantIntValue(src[i]) != 1 || srcGroups.empty())
      return failure();
    srcGroups.back().push_back(i);
  }
  for (; j < m; ++j) {
    if (getConstantIntValue(dst[j]) != 1 || dstGroups.empty())
      return failure();
    dstGroups.back().push_back(j);
  }
  return success();
}

} // namespace

Value Importer::reshape(Location loc, Value x, ArrayRef<OpFoldResult> shape) {
  auto t = cast<RankedTensorType>(x.getType());
  Shape target = shapeOfDims(shape);
  Dims cur = dimsOf(x);
  if (cur.size() == shape.size() &&
      llvm::all_of(llvm::zip(cur, shape), [&](auto p) {
        return sameDim(std::get<0>(p), std::get<1>(p));
      }))
    return x;
  Type et = t.getElementType();
  auto all = [](int64_t n) {
    ReassociationIndices g;
    for (int64_t i = 0; i < n; ++i)
      g.push_back(i);
    return SmallVector<ReassociationIndices>{g};
  };
  // With dynamic dims: collapse and expand group by group where the groups'
  // products match, so that no expanded group has two dynamic dims (which
  // memref's strided-metadata expansion cannot handle) and the dims stay
  // the canonical Values.
  if (!t.hasStaticShape() || llvm::any_of(target, ShapedType::isDynamic)) {
    SmallVector<ReassociationIndices> gs, gd;
    bool paired = !cur.empty() && !shape.empty() && succeeded(pairGroups(cur, shape, gs, gd));
    auto oneDynamic = [&](const ReassociationIndices &g) {
      return llvm::count_if(g, [&](int64_t d) { return ShapedType::isDynamic(target[d]); }) <= 1;
    };
    if (paired && llvm::all_of(gd, oneDynamic)) {
      Value mid = x;
      if (gs.size() != cur.size())
        mid = tensor::CollapseShapeOp::create(builder, loc, x, gs);
      if (gd.size() == shape.size()) {
        // Only collapsed: the middle dims are the target's.
        for (size_t d = 0; d < shape.size(); ++d)
          if (ShapedType::isDynamic(target[d]))
            dimCache[{mid, (int64_t)d}] = shape[d];
        auto mt = cast<RankedTensorType>(mid.getType());
        if (mt.getShape() != ArrayRef<int64_t>(target))
          mid = tensor::CastOp::create(builder, loc, RankedTensorType::get(target, et), mid);
        return mid;
      }
      return tensor::ExpandShapeOp::create(builder, loc, RankedTensorType::get(target, et), mid,
                                           gd, shape);
    }
    if (llvm::count_if(target, ShapedType::isDynamic) > 1) {
      // No grouping: tensor.reshape to a shape built at run time.
      SmallVector<Value> dims;
      for (OpFoldResult d : shape)
        dims.push_back(indexValue(loc, d));
      auto st = RankedTensorType::get({(int64_t)dims.size()}, builder.getIndexType());
      Value shapeT = tensor::FromElementsOp::create(builder, loc, st, dims);
      Value r = tensor::ReshapeOp::create(builder, loc, RankedTensorType::get(target, et), x, shapeT);
      for (size_t d = 0; d < shape.size(); ++d)
        if (ShapedType::isDynamic(target[d]))
          dimCache[{r, (int64_t)d}] = shape[d];
      return r;
    }
  }
  // To rank 1.
  Value flat = x;
  if (t.getRank() == 0) {
    flat = tensor::ExpandShapeOp::create(builder, loc,
                                         RankedTensorType::get({1}, et), x,
                                         SmallVector<ReassociationIndices>{});
  } else if (t.getRank() > 1) {
    flat = tensor::CollapseShapeOp::create(builder, loc, x, all(t.getRank()));
  }
  // To the target.
  if (shape.empty())
    return tensor::CollapseShapeOp::create(builder, loc,
                                           RankedTensorType::get({}, et), flat,
                                           SmallVector<ReassociationIndices>{});
  if (shape.size() == 1) {
    if (!t.hasStaticShape() && !ShapedType::isDynamic(target[0]))
      return tensor::CastOp::create(builder, loc, RankedTensorType::get(target, et), flat);
    if (ShapedType::isDynamic(target[0]))
      dimCache[{flat, 0}] = shape[0];
    return flat;
  }
  return tensor::ExpandShapeOp::create(builder, loc,
                                       RankedTensorType::get(target, et), flat,
                                       all(shape.size()), shape);
}
