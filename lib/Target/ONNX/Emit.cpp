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

Value Importer::emptyTensor(Location loc, ArrayRef<int64_t> shape, Type elem) {
  return tensor::EmptyOp::create(builder, loc, shape, elem);
}

Value Importer::filled(Location loc, ArrayRef<int64_t> shape, Type elem,
                       TypedAttr value) {
  Value c = arith::ConstantOp::create(builder, loc, value);
  return linalg::FillOp::create(builder, loc, c, emptyTensor(loc, shape, elem))
      .getResult(0);
}

Value Importer::elementwise(
    Location loc, ArrayRef<Value> operands, ArrayRef<int64_t> outShape,
    Type outElem,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  int64_t r = outShape.size();
  SmallVector<AffineMap> maps;
  for (Value v : operands) {
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<AffineExpr> exprs;
    int64_t vr = t.getRank();
    for (int64_t i = 0; i < vr; ++i) {
      int64_t od = r - vr + i;
      if (t.getDimSize(i) == 1 && outShape[od] != 1)
        exprs.push_back(builder.getAffineConstantExpr(0));
      else
        exprs.push_back(builder.getAffineDimExpr(od));
    }
    maps.push_back(AffineMap::get(r, 0, exprs, ctx));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(r, ctx));
  Value init = emptyTensor(loc, outShape, outElem);
  auto op = linalg::GenericOp::create(
      builder, loc, TypeRange{init.getType()}, operands, ValueRange{init}, maps,
      SmallVector<utils::IteratorType>(r, utils::IteratorType::parallel),
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value res = body(b, l, args.drop_back());
        linalg::YieldOp::create(b, l, res);
      });
  return op.getResult(0);
}

Value Importer::reduce(
    Location loc, Value x, ArrayRef<int64_t> axes, TypedAttr init,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  auto t = cast<RankedTensorType>(x.getType());
  int64_t r = t.getRank();
  Shape outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < r; ++i) {
    bool red = llvm::is_contained(axes, i);
    iters.push_back(red ? utils::IteratorType::reduction
                        : utils::IteratorType::parallel);
    if (!red) {
      outShape.push_back(t.getDimSize(i));
      outExprs.push_back(builder.getAffineDimExpr(i));
    }
  }
  Value out = filled(loc, outShape, t.getElementType(), init);
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
  auto t = cast<RankedTensorType>(x.getType());
  if (t.getShape() == shape)
    return x;
  Type et = t.getElementType();
  auto all = [](int64_t n) {
    ReassociationIndices g;
    for (int64_t i = 0; i < n; ++i)
      g.push_back(i);
    return SmallVector<ReassociationIndices>{g};
  };
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
  if (shape.size() == 1)
    return flat;
  return tensor::ExpandShapeOp::create(builder, loc,
                                       RankedTensorType::get(shape, et), flat,
                                       all(shape.size()));
}
