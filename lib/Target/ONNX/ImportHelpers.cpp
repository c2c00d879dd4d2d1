//===- ImportHelpers.cpp - tensor emission helpers and host evaluation ----===//
#include "ImporterImpl.h"

#include <cmath>
#include <limits>
#include <numeric>
#include <set>

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
  int64_t numel = t.getNumElements();
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
  (void)numel;
  return tensor::ExpandShapeOp::create(builder, loc,
                                       RankedTensorType::get(shape, et), flat,
                                       all(shape.size()));
}

//===----------------------------------------------------------------------===//
// Host evaluation of shape computations
//===----------------------------------------------------------------------===//

namespace {

Shape unravel(int64_t flat, ArrayRef<int64_t> shape) {
  Shape idx(shape.size());
  for (int64_t i = (int64_t)shape.size() - 1; i >= 0; --i) {
    idx[i] = shape[i] ? flat % shape[i] : 0;
    flat = shape[i] ? flat / shape[i] : 0;
  }
  return idx;
}

/// Flat index into `shape` of the out-index `idx` under numpy broadcasting.
int64_t bcastFlat(ArrayRef<int64_t> idx, ArrayRef<int64_t> shape) {
  int64_t off = idx.size() - shape.size(), flat = 0;
  for (size_t i = 0; i < shape.size(); ++i)
    flat = flat * shape[i] + (shape[i] == 1 ? 0 : idx[off + i]);
  return flat;
}

double roundTo(int32_t dt, double v) {
  if (dt == onnx::TensorProto::FLOAT)
    return (double)(float)v;
  return v;
}

int64_t wrapInt(int32_t dt, int64_t v) {
  switch (dt) {
  case onnx::TensorProto::INT8: return (int8_t)v;
  case onnx::TensorProto::UINT8: return (uint8_t)v;
  case onnx::TensorProto::INT16: return (int16_t)v;
  case onnx::TensorProto::UINT16: return (uint16_t)v;
  case onnx::TensorProto::INT32: return (int32_t)v;
  case onnx::TensorProto::UINT32: return (uint32_t)v;
  case onnx::TensorProto::BOOL: return v != 0;
  default: return v;
  }
}

HostTensor makeHost(Shape shape, int32_t dt) {
  HostTensor h;
  h.shape = std::move(shape);
  h.dtype = dt;
  int64_t n = h.numel();
  if (h.isFloat())
    h.floats.assign(n, 0.0);
  else
    h.ints.assign(n, 0);
  return h;
}

void setVal(HostTensor &h, int64_t i, double fv, int64_t iv) {
  if (h.isFloat())
    h.floats[i] = roundTo(h.dtype, fv);
  else
    h.ints[i] = wrapInt(h.dtype, iv);
}

/// Copies element `j` of `src` into element `i` of `dst` (same dtype).
void copyElem(HostTensor &dst, int64_t i, const HostTensor &src, int64_t j) {
  if (dst.isFloat())
    dst.floats[i] = src.floats[j];
  else
    dst.ints[i] = src.ints[j];
}

constexpr int64_t kHostLimit = 4096;

} // namespace

bool lut::onnximport::tryHostEval(NodeCtx &n) {
  const std::string &op = n.node.op_type();
  // Shape and Size only need the (static) shape.
  if (op == "Shape") {
    TValue &x = n.in(0);
    int64_t r = x.shape.size();
    int64_t start = n.attrInt("start", 0), end = n.attrInt("end", r);
    if (start < 0) start += r;
    if (end < 0) end += r;
    start = std::clamp<int64_t>(start, 0, r);
    end = std::clamp<int64_t>(end, 0, r);
    HostTensor h = makeHost({std::max<int64_t>(end - start, 0)}, onnx::TensorProto::INT64);
    for (int64_t i = start; i < end; ++i)
      h.ints[i - start] = x.shape[i];
    n.setHostOutput(0, std::move(h));
    return true;
  }
  if (op == "Size") {
    TValue &x = n.in(0);
    HostTensor h = makeHost({}, onnx::TensorProto::INT64);
    int64_t numel = 1;
    for (int64_t d : x.shape)
      numel *= d;
    h.ints[0] = numel;
    n.setHostOutput(0, std::move(h));
    return true;
  }
  if (op == "Constant") {
    const onnx::AttributeProto *a = nullptr;
    for (const auto &at : n.node.attribute())
      a = &at;
    if (!a || n.node.attribute_size() != 1)
      n.fail("Constant needs exactly one value attribute");
    if (a->name() == "value") {
      TValue tv = n.imp.decodeTensor(a->t(), n.loc, /*keepOnHost=*/true);
      n.imp.define(n.node.output(0), std::move(tv));
      return true;
    }
    HostTensor h;
    if (a->name() == "value_float") {
      h = makeHost({}, onnx::TensorProto::FLOAT);
      h.floats[0] = a->f();
    } else if (a->name() == "value_floats") {
      h = makeHost({(int64_t)a->floats_size()}, onnx::TensorProto::FLOAT);
      for (int i = 0; i < a->floats_size(); ++i)
        h.floats[i] = a->floats(i);
    } else if (a->name() == "value_int") {
      h = makeHost({}, onnx::TensorProto::INT64);
      h.ints[0] = a->i();
    } else if (a->name() == "value_ints") {
      h = makeHost({(int64_t)a->ints_size()}, onnx::TensorProto::INT64);
      for (int i = 0; i < a->ints_size(); ++i)
        h.ints[i] = a->ints(i);
    } else {
      n.unsupported("Constant with attribute '" + a->name() + "'");
    }
    n.setHostOutput(0, std::move(h));
    return true;
  }
  if (op == "ConstantOfShape") {
    std::vector<int64_t> shape = n.constInts(0, "the shape of ConstantOfShape");
    int32_t dt = onnx::TensorProto::FLOAT;
    double fv = 0;
    int64_t iv = 0;
    if (const auto *a = n.attr("value")) {
      TValue v = n.imp.decodeTensor(a->t(), n.loc, true);
      if (!v.host || v.host->numel() != 1)
        n.fail("ConstantOfShape 'value' must be a one-element tensor");
      dt = v.dtype;
      fv = v.host->get(0);
      iv = v.host->getInt(0);
    }
    Shape s(shape.begin(), shape.end());
    int64_t numel = 1;
    for (int64_t d : s) {
      if (d < 0)
        n.fail("ConstantOfShape has a negative dimension " + Twine(d));
      if (__builtin_mul_overflow(numel, d, &numel) || numel > (int64_t(1) << 34))
        n.fail("ConstantOfShape's result is too large (more than 2^34 elements)");
    }
    if (numel <= kHostLimit) {
      HostTensor h = makeHost(s, dt);
      for (int64_t i = 0; i < numel; ++i)
        setVal(h, i, fv, iv);
      n.setHostOutput(0, std::move(h));
    } else {
      auto type = n.imp.tensorType(s, dt, n.loc);
      Type et = type.getElementType();
      TypedAttr scalar = isa<FloatType>(et)
                             ? (TypedAttr)FloatAttr::get(et, fv)
                             : (TypedAttr)IntegerAttr::get(et, iv);
      Value c = arith::ConstantOp::create(
          n.b, n.loc, DenseElementsAttr::get(type, cast<Attribute>(scalar)));
      n.setOutput(0, c, dt);
    }
    return true;
  }

  // Everything else folds only when every input is known.
  static const std::set<std::string> foldable = {
      "Identity", "Cast", "Reshape", "Flatten", "Squeeze", "Unsqueeze",
      "Concat", "Gather", "Slice", "Range", "Add", "Sub", "Mul", "Div",
      "Neg", "Equal", "Less", "Greater", "Not", "Where", "Expand", "Min",
      "Max", "Abs", "And", "Or", "LessOrEqual", "GreaterOrEqual", "Dropout"};
  if (!foldable.count(op))
    return false;
  for (size_t i = 0; i < n.numInputs(); ++i)
    if (n.has(i) && !n.in(i).host)
      return false;
  auto H = [&](size_t i) -> const HostTensor & { return *n.in(i).host; };

  if (op == "Identity" || (op == "Dropout" && n.numOutputs() == 1)) {
    n.setHostOutput(0, H(0));
    return true;
  }
  if (op == "Cast") {
    int32_t to = n.attrInt("to", 0);
    if (to == onnx::TensorProto::STRING || to == 0 ||
        to == onnx::TensorProto::FLOAT16 || to == onnx::TensorProto::BFLOAT16)
      return false;
    const HostTensor &x = H(0);
    HostTensor h = makeHost(x.shape, to);
    for (int64_t i = 0; i < x.numel(); ++i) {
      double v = x.get(i);
      if (to == onnx::TensorProto::BOOL) {
        setVal(h, i, 0, v != 0);
        continue;
      }
      if (!h.isFloat() && x.isFloat() && !(std::fabs(v) < 9.2e18))
        return false; // out-of-range conversions are left to the target code
      setVal(h, i, v, x.isFloat() ? (int64_t)v : x.ints[i]);
    }
    n.setHostOutput(0, std::move(h));
    return true;
  }
  if (op == "Range") {
    const HostTensor &s = H(0), &l = H(1), &d = H(2);
    double start = s.get(0), limit = l.get(0), delta = d.get(0);
    if (delta == 0)
      n.fail("Range has delta 0");
    int64_t count = std::max<int64_t>(
        (int64_t)std::ceil((limit - start) / delta), 0);
    if (count > kHostLimit)
      return false;
    HostTensor h = makeHost({count}, s.dtype);
    for (int64_t i = 0; i < count; ++i)
      setVal(h, i, start + i * delta,
             s.isFloat() ? 0 : s.ints[0] + i * d.ints[0]);
    n.setHostOutput(0, std::move(h));
    return true;
  }
  // Reshape-like ops: handled by the shape logic of the IR handlers, which
  // call back here through `hostReshape` semantics: compute the shape the same
  // way, then keep the data.
  if (op == "Reshape" || op == "Flatten" || op == "Squeeze" ||
      op == "Unsqueeze") {
    // Let the IR handler compute the output shape; then replace its value by
    // a host tensor. Simpler: import through IR and recover the shape.
    return false;
  }
  if (op == "Concat") {
    int64_t r = H(0).shape.size();
    int64_t axis = n.normAxis(n.attrInt("axis", 0), r);
    Shape out = H(0).shape;
    out[axis] = 0;
    for (size_t i = 0; i < n.numInputs(); ++i)
      out[axis] += H(i).shape[axis];
    HostTensor h = makeHost(out, H(0).dtype);
    if (h.numel() > kHostLimit)
      return false;
    for (int64_t f = 0; f < h.numel(); ++f) {
      Shape idx = unravel(f, out);
      int64_t k = idx[axis];
      size_t i = 0;
      while (k >= H(i).shape[axis]) {
        k -= H(i).shape[axis];
        ++i;
      }
      idx[axis] = k;
      copyElem(h, f, H(i), bcastFlat(idx, H(i).shape));
    }
    n.setHostOutput(0, std::move(h));
    return true;
  }
  if (op == "Gather") {
    const HostTensor &x = H(0), &ind = H(1);
    int64_t r = x.shape.size();
    int64_t axis = n.normAxis(n.attrInt("axis", 0), r);
    Shape out(x.shape.begin(), x.shape.begin() + axis);
    out.append(ind.shape.begin(), ind.shape.end());
    out.append(x.shape.begin() + axis + 1, x.shape.end());
    HostTensor h = makeHost(out, x.dtype);
    if (h.numel() > kHostLimit)
      return false;
    int64_t ir = ind.shape.size();
    for (int64_t f = 0; f < h.numel(); ++f) {
      Shape idx = unravel(f, out);
      Shape iidx(idx.begin() + axis, idx.begin() + axis + ir);
      int64_t k = ind.ints[bcastFlat(iidx, ind.shape)];
      if (k < 0)
        k += x.shape[axis];
      if (k < 0 || k >= x.shape[axis])
        n.fail("Gather index " + Twine(k) + " is out of range for axis size " +
               Twine(x.shape[axis]));
      Shape xi(idx.begin(), idx.begin() + axis);
      xi.push_back(k);
      xi.append(idx.begin() + axis + ir, idx.end());
      copyElem(h, f, x, bcastFlat(xi, x.shape));
    }
    n.setHostOutput(0, std::move(h));
    return true;
  }
  if (op == "Slice" || op == "Expand")
    return false; // the IR handlers fold these through shape logic below
  // Elementwise with broadcasting.
  Shape out;
  std::vector<const HostTensor *> ins;
  for (size_t i = 0; i < n.numInputs(); ++i) {
    ins.push_back(&H(i));
    Shape tmp;
    if (!broadcastShapes(out, H(i).shape, tmp))
      n.fail("inputs of shapes that do not broadcast");
    out = tmp;
  }
  int32_t dt = H(0).dtype;
  bool cmp = op == "Equal" || op == "Less" || op == "Greater" ||
             op == "LessOrEqual" || op == "GreaterOrEqual";
  int32_t odt = cmp ? onnx::TensorProto::BOOL : (op == "Where" ? H(1).dtype : dt);
  HostTensor h = makeHost(out, odt);
  if (h.numel() > kHostLimit)
    return false;
  bool fl = H(0).isFloat();
  bool uns = isUnsignedDT(dt);
  for (int64_t f = 0; f < h.numel(); ++f) {
    Shape idx = unravel(f, out);
    auto fv = [&](int k) { return ins[k]->get(bcastFlat(idx, ins[k]->shape)); };
    auto iv = [&](int k) {
      return ins[k]->isFloat() ? 0 : ins[k]->ints[bcastFlat(idx, ins[k]->shape)];
    };
    double a = fv(0), b = ins.size() > 1 ? fv(1) : 0;
    int64_t ia = iv(0), ib = ins.size() > 1 ? iv(1) : 0;
    double rf = 0;
    int64_t ri = 0;
    if (op == "Add") { rf = a + b; ri = ia + ib; }
    else if (op == "Sub") { rf = a - b; ri = ia - ib; }
    else if (op == "Mul") { rf = a * b; ri = ia * ib; }
    else if (op == "Div") {
      rf = a / b;
      if (!fl) {
        if (ib == 0 || (ib == -1 && ia == std::numeric_limits<int64_t>::min()))
          return false;
        ri = uns ? (int64_t)((uint64_t)ia / (uint64_t)ib) : ia / ib;
      }
    }
    else if (op == "Neg") { rf = -a; ri = -ia; }
    else if (op == "Abs") { rf = std::fabs(a); ri = ia < 0 ? -ia : ia; }
    else if (op == "Min") { rf = std::fmin(a, b); ri = std::min(ia, ib); if (ins.size() != 2) return false; }
    else if (op == "Max") { rf = std::fmax(a, b); ri = std::max(ia, ib); if (ins.size() != 2) return false; }
    else if (op == "Not") { ri = !ia; }
    else if (op == "And") { ri = ia && ib; }
    else if (op == "Or") { ri = ia || ib; }
    else if (op == "Equal") ri = fl ? a == b : ia == ib;
    else if (op == "Less") ri = fl ? a < b : (uns ? (uint64_t)ia < (uint64_t)ib : ia < ib);
    else if (op == "Greater") ri = fl ? a > b : (uns ? (uint64_t)ia > (uint64_t)ib : ia > ib);
    else if (op == "LessOrEqual") ri = fl ? a <= b : (uns ? (uint64_t)ia <= (uint64_t)ib : ia <= ib);
    else if (op == "GreaterOrEqual") ri = fl ? a >= b : (uns ? (uint64_t)ia >= (uint64_t)ib : ia >= ib);
    else if (op == "Where") {
      bool c = ia != 0;
      rf = c ? b : fv(2);
      ri = c ? ib : iv(2);
    } else
      return false;
    setVal(h, f, rf, ri);
  }
  n.setHostOutput(0, std::move(h));
  return true;
}
