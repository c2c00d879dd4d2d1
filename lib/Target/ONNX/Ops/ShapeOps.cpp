//===- ShapeOps.cpp - Shape, data-movement and constant ONNX operators ----===//
//
// Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice,
// Gather, Expand, Trilu, Range, and the ops whose results are known from
// static shapes or attributes: Shape, Size, Constant, ConstantOfShape.
// Operands that give shapes (Reshape's shape, Slice's starts, axes, ...)
// must be constants; when a node's inputs are all constants its IR is
// folded at import time (ConstantFolder), so that shape computations such
// as Shape -> Gather -> Concat -> Reshape give static shapes.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

#include <cmath>

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

namespace {

/// Defines output 0 as input 0 (`x`) reshaped to `shape`.
void reshapeOutput(NodeCtx &n, TValue &x, ArrayRef<int64_t> shape) {
  int64_t numel = 1;
  for (int64_t d : shape)
    numel *= d;
  int64_t have = 1;
  for (int64_t d : x.shape)
    have *= d;
  if (numel != have)
    n.fail("cannot reshape " + Twine(have) + " elements into " + Twine(numel));
  n.setOutput(0, n.imp.reshape(n.loc, n.val(0), shape), x.dtype);
}

void gather(NodeCtx &n) {
  TValue &xt = n.in(0);
  Value x = n.val(0), ind = n.val(1);
  Shape xs = xt.shape, is = shapeOf(ind);
  int64_t r = xs.size(), ir = is.size();
  int64_t axis = n.normAxis(n.attrInt("axis", 0), r);
  Shape os(xs.begin(), xs.begin() + axis);
  os.append(is.begin(), is.end());
  os.append(xs.begin() + axis + 1, xs.end());
  int64_t orank = os.size();
  SmallVector<AffineExpr> ie;
  for (int64_t i = 0; i < ir; ++i)
    ie.push_back(n.b.getAffineDimExpr(axis + i));
  MLIRContext *ctx = n.b.getContext();
  Value init = n.imp.emptyTensor(n.loc, os, elemOf(x));
  int64_t axisSize = xs[axis];
  // Constant indices are checked here; others are clamped by the IR.
  if (DenseElementsAttr c = n.constantInput(1))
    for (const APInt &v : c.getValues<APInt>()) {
      int64_t k = v.getSExtValue();
      if (k < 0)
        k += axisSize;
      if (k < 0 || k >= axisSize)
        n.fail("Gather index " + Twine(k) + " is out of range for axis size " +
               Twine(axisSize));
    }
  Value y = linalg::GenericOp::create(
                n.b, n.loc, TypeRange{init.getType()}, ValueRange{ind}, ValueRange{init},
                SmallVector<AffineMap>{AffineMap::get(orank, 0, ie, ctx),
                                       AffineMap::getMultiDimIdentityMap(orank, ctx)},
                SmallVector<utils::IteratorType>(orank, utils::IteratorType::parallel),
                [&](OpBuilder &b, Location l, ValueRange a) {
                  Value k = arith::IndexCastOp::create(b, l, b.getIndexType(), a[0]);
                  Value zero = arith::ConstantIndexOp::create(b, l, 0);
                  Value size = arith::ConstantIndexOp::create(b, l, axisSize);
                  Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, k, zero);
                  k = arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, k, size), k);
                  // Clamp so that a bad index cannot read out of bounds.
                  Value maxI = arith::ConstantIndexOp::create(b, l, std::max<int64_t>(axisSize - 1, 0));
                  k = arith::MaxSIOp::create(b, l, arith::MinSIOp::create(b, l, k, maxI), zero);
                  SmallVector<Value> idx;
                  for (int64_t i = 0; i < axis; ++i)
                    idx.push_back(linalg::IndexOp::create(b, l, i));
                  idx.push_back(k);
                  for (int64_t i = axis + 1; i < r; ++i)
                    idx.push_back(linalg::IndexOp::create(b, l, i - 1 + ir));
                  linalg::YieldOp::create(b, l, ValueRange{tensor::ExtractOp::create(b, l, x, idx)});
                })
                .getResult(0);
  n.setOutput(0, y, xt.dtype);
}

void concat(NodeCtx &n) {
  TValue &x0 = n.in(0);
  int64_t r = x0.shape.size();
  int64_t axis = n.normAxis(n.attrInt("axis", 0), r);
  Shape os = x0.shape;
  os[axis] = 0;
  SmallVector<Value> parts;
  for (size_t i = 0; i < n.numInputs(); ++i) {
    if (!n.has(i))
      continue;
    TValue &t = n.in(i);
    if ((int64_t)t.shape.size() != r)
      n.fail("Concat inputs have different ranks");
    for (int64_t d = 0; d < r; ++d)
      if (d != axis && t.shape[d] != x0.shape[d])
        n.fail("Concat input #" + Twine((int64_t)i) + " differs in dimension " + Twine(d));
    os[axis] += t.shape[axis];
    parts.push_back(n.val(i));
  }
  Value out = n.imp.emptyTensor(n.loc, os, elemOf(parts[0]));
  int64_t off = 0;
  for (Value p : parts) {
    Shape ps = shapeOf(p);
    if (ps[axis] == 0)
      continue;
    SmallVector<OpFoldResult> offs(r, n.b.getIndexAttr(0)), sizes, strides(r, n.b.getIndexAttr(1));
    offs[axis] = n.b.getIndexAttr(off);
    for (int64_t d : ps)
      sizes.push_back(n.b.getIndexAttr(d));
    out = tensor::InsertSliceOp::create(n.b, n.loc, p, out, offs, sizes, strides);
    off += ps[axis];
  }
  n.setOutput(0, out, x0.dtype);
}

Value extractSlice(NodeCtx &n, Value x, ArrayRef<int64_t> offs, ArrayRef<int64_t> sizes,
                   ArrayRef<int64_t> steps) {
  SmallVector<OpFoldResult> o, s, st;
  for (size_t i = 0; i < offs.size(); ++i) {
    o.push_back(n.b.getIndexAttr(offs[i]));
    s.push_back(n.b.getIndexAttr(sizes[i]));
    st.push_back(n.b.getIndexAttr(steps[i]));
  }
  auto type = RankedTensorType::get(sizes, elemOf(x));
  return tensor::ExtractSliceOp::create(n.b, n.loc, type, x, o, s, st);
}

void split(NodeCtx &n) {
  TValue &xt = n.in(0);
  int64_t r = xt.shape.size();
  int64_t axis = n.normAxis(n.attrInt("axis", 0), r);
  std::vector<int64_t> sizes;
  if (n.opset >= 13 && n.has(1))
    sizes = n.constInts(1, "the split sizes");
  else if (auto a = n.attrInts("split"))
    sizes = *a;
  int64_t outs = n.numOutputs();
  if (sizes.empty()) {
    if (xt.shape[axis] % outs != 0)
      n.fail("cannot split dimension " + Twine(xt.shape[axis]) + " evenly into " + Twine(outs));
    sizes.assign(outs, xt.shape[axis] / outs);
  }
  if ((int64_t)sizes.size() != outs)
    n.fail("split has " + Twine((int64_t)sizes.size()) + " sizes for " + Twine(outs) + " outputs");
  int64_t total = 0;
  for (int64_t s : sizes)
    total += s;
  if (total != xt.shape[axis])
    n.fail("split sizes sum to " + Twine(total) + " but the axis has " + Twine(xt.shape[axis]));
  Value x = n.val(0);
  int64_t off = 0;
  for (int64_t i = 0; i < outs; ++i) {
    Shape o(r, 0), sz = xt.shape, st(r, 1);
    o[axis] = off;
    sz[axis] = sizes[i];
    n.setOutput(i, extractSlice(n, x, o, sz, st), xt.dtype);
    off += sizes[i];
  }
}

void slice(NodeCtx &n) {
  TValue &xt = n.in(0);
  int64_t r = xt.shape.size();
  std::vector<int64_t> starts, ends, axes, steps;
  if (n.opset >= 10) {
    starts = n.constInts(1, "Slice starts");
    ends = n.constInts(2, "Slice ends");
    if (n.has(3))
      axes = n.constInts(3, "Slice axes");
    if (n.has(4))
      steps = n.constInts(4, "Slice steps");
  } else {
    starts = n.attrInts("starts").value_or(std::vector<int64_t>{});
    ends = n.attrInts("ends").value_or(std::vector<int64_t>{});
    axes = n.attrInts("axes").value_or(std::vector<int64_t>{});
  }
  if (starts.size() != ends.size())
    n.fail("Slice starts and ends differ in length");
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || steps.size() != starts.size())
    n.fail("Slice starts, ends, axes and steps differ in length");
  Shape off(r, 0), size = xt.shape, stride(r, 1);
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t a = n.normAxis(axes[i], r);
    int64_t dim = xt.shape[a], st = steps[i];
    if (st == 0)
      n.fail("Slice step is 0");
    // ONNX Slice semantics, in 128-bit arithmetic: starts/ends/steps may be
    // anywhere in int64 (INT64_MAX and INT64_MIN mean "to the end").
    __int128 s = starts[i], e = ends[i], stp = st;
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (st > 0) {
      s = std::clamp<__int128>(s, 0, dim);
      e = std::clamp<__int128>(e, 0, dim);
    } else {
      s = std::clamp<__int128>(s, 0, dim - 1);
      e = std::clamp<__int128>(e, -1, dim - 1);
    }
    __int128 span = st > 0 ? e - s : s - e, step = st > 0 ? stp : -stp;
    int64_t cnt = span <= 0 ? 0 : (int64_t)((span + step - 1) / step);
    if (dim == 0)
      cnt = 0, s = 0;
    off[a] = (int64_t)s;
    size[a] = cnt;
    // A single element needs no stride (and a huge one could overflow).
    stride[a] = cnt <= 1 ? (st > 0 ? 1 : -1) : st;
  }
  Value x = n.val(0);
  bool negative = llvm::any_of(stride, [](int64_t s) { return s < 0; });
  if (!negative) {
    n.setOutput(0, extractSlice(n, x, off, size, stride), xt.dtype);
    return;
  }
  // Negative steps: a gather with computed indices.
  MLIRContext *ctx = n.b.getContext();
  Value init = n.imp.emptyTensor(n.loc, size, elemOf(x));
  Value y = linalg::GenericOp::create(
                n.b, n.loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
                SmallVector<AffineMap>{AffineMap::getMultiDimIdentityMap(r, ctx)},
                SmallVector<utils::IteratorType>(r, utils::IteratorType::parallel),
                [&](OpBuilder &b, Location l, ValueRange) {
                  SmallVector<Value> idx;
                  for (int64_t d = 0; d < r; ++d) {
                    Value i = linalg::IndexOp::create(b, l, d);
                    Value s = arith::ConstantIndexOp::create(b, l, stride[d]);
                    Value o = arith::ConstantIndexOp::create(b, l, off[d]);
                    idx.push_back(arith::AddIOp::create(b, l, o, arith::MulIOp::create(b, l, i, s)));
                  }
                  linalg::YieldOp::create(b, l, ValueRange{tensor::ExtractOp::create(b, l, x, idx)});
                })
                .getResult(0);
  n.setOutput(0, y, xt.dtype);
}

void reshapeOp(NodeCtx &n) {
  TValue &xt = n.in(0);
  std::vector<int64_t> target;
  if (n.opset >= 5)
    target = n.constInts(1, "the target shape of Reshape");
  else
    target = n.attrInts("shape").value_or(std::vector<int64_t>{});
  bool allowZero = n.attrInt("allowzero", 0) != 0;
  int64_t numel = 1, known = 1, inferAt = -1;
  for (int64_t d : xt.shape)
    numel *= d;
  Shape s;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == 0 && !allowZero) {
      if (i >= xt.shape.size())
        n.fail("Reshape copies dimension " + Twine((int64_t)i) + " that the input lacks");
      d = xt.shape[i];
    }
    if (d == -1) {
      if (inferAt >= 0)
        n.fail("Reshape target has more than one -1");
      inferAt = i;
      s.push_back(1);
      continue;
    }
    if (d < 0)
      n.fail("Reshape target has a negative dimension " + Twine(d));
    s.push_back(d);
    known *= d;
  }
  if (inferAt >= 0) {
    if (known == 0 || numel % known != 0)
      n.fail("Reshape cannot infer the -1 dimension");
    s[inferAt] = numel / known;
  }
  reshapeOutput(n, xt, s);
}

void flatten(NodeCtx &n) {
  TValue &xt = n.in(0);
  int64_t r = xt.shape.size();
  int64_t axis = n.attrInt("axis", 1);
  if (axis < 0)
    axis += r;
  if (axis < 0 || axis > r)
    n.fail("Flatten axis out of range");
  int64_t a = 1, b = 1;
  for (int64_t i = 0; i < r; ++i)
    (i < axis ? a : b) *= xt.shape[i];
  reshapeOutput(n, xt, {a, b});
}

void squeeze(NodeCtx &n, bool un) {
  TValue &xt = n.in(0);
  int64_t r = xt.shape.size();
  std::vector<int64_t> axes;
  if (n.opset >= 13) {
    if (n.has(1))
      axes = n.constInts(1, "axes");
  } else {
    axes = n.attrInts("axes").value_or(std::vector<int64_t>{});
  }
  Shape s;
  if (un) {
    int64_t outRank = r + axes.size();
    for (int64_t &a : axes)
      a = n.normAxis(a, outRank);
    llvm::sort(axes);
    size_t k = 0;
    for (int64_t i = 0, j = 0; i < outRank; ++i) {
      if (k < axes.size() && axes[k] == i) {
        s.push_back(1);
        ++k;
      } else {
        s.push_back(xt.shape[j++]);
      }
    }
  } else {
    for (int64_t &a : axes)
      a = n.normAxis(a, r);
    for (int64_t i = 0; i < r; ++i) {
      bool drop = axes.empty() ? xt.shape[i] == 1 : llvm::is_contained(axes, i);
      if (drop && xt.shape[i] != 1)
        n.fail("cannot squeeze dimension " + Twine(i) + " of size " + Twine(xt.shape[i]));
      if (!drop)
        s.push_back(xt.shape[i]);
    }
  }
  reshapeOutput(n, xt, s);
}

void transpose(NodeCtx &n) {
  TValue &xt = n.in(0);
  int64_t r = xt.shape.size();
  std::vector<int64_t> perm = n.attrInts("perm").value_or(std::vector<int64_t>{});
  if (perm.empty())
    for (int64_t i = r - 1; i >= 0; --i)
      perm.push_back(i);
  if ((int64_t)perm.size() != r)
    n.fail("perm has " + Twine((int64_t)perm.size()) + " entries for rank " + Twine(r));
  n.setOutput(0, transposeValue(n, n.val(0), perm), xt.dtype);
}

void expand(NodeCtx &n) {
  TValue &xt = n.in(0);
  std::vector<int64_t> shape = n.constInts(1, "the shape of Expand");
  Shape out;
  if (!broadcastShapes(xt.shape, Shape(shape.begin(), shape.end()), out))
    n.fail("Expand shape does not broadcast with the input");
  Type et = n.imp.elemType(xt.dtype, n.loc);
  n.setOutput(0, n.imp.elementwise(n.loc, {n.val(0)}, out, et,
                                   [](OpBuilder &, Location, ValueRange a) { return a[0]; }),
              xt.dtype);
}

/// Trilu (opset 14): keeps the upper (j - i >= k) or lower (j - i <= k)
/// triangle of the last two dims and zeroes the rest.
void trilu(NodeCtx &n) {
  TValue &xt = n.in(0);
  int64_t r = xt.shape.size();
  if (r < 2)
    n.fail("Trilu needs rank >= 2");
  int64_t k = 0;
  if (n.has(1)) {
    std::vector<int64_t> kv = n.constInts(1, "the diagonal offset k of Trilu");
    if (kv.size() != 1)
      n.fail("Trilu k must be a scalar");
    k = kv[0];
  }
  bool upper = n.attrInt("upper", 1) != 0;
  Value x = n.val(0);
  Type et = elemOf(x);
  n.setOutput(0, n.imp.elementwise(n.loc, {x}, xt.shape, et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    Value i = linalg::IndexOp::create(b, l, r - 2);
    Value j = linalg::IndexOp::create(b, l, r - 1);
    Value d = arith::SubIOp::create(b, l, j, i);
    Value kc = arith::ConstantIndexOp::create(b, l, k);
    Value keep = arith::CmpIOp::create(b, l, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle, d, kc);
    return arith::SelectOp::create(b, l, keep, a[0], cst(b, l, et, 0));
  }), xt.dtype);
}

/// Range: its length depends on the values of its (constant) inputs; the
/// elements are start + i * delta.
void range(NodeCtx &n) {
  DenseElementsAttr in[3];
  double v[3];
  for (size_t i = 0; i < 3; ++i) {
    in[i] = n.constantInput(i);
    if (!in[i])
      n.unsupported("Range with inputs computed at run time (input '" +
                    n.node.input(i) + "'); lut-mlir needs static shapes");
    if (in[i].getNumElements() != 1)
      n.fail("Range input '" + n.node.input(i) + "' is not a scalar");
    v[i] = isa<FloatType>(in[i].getElementType())
               ? in[i].getValues<APFloat>()[0].convertToDouble()
               : (double)in[i].getValues<APInt>()[0].getSExtValue();
  }
  double start = v[0], limit = v[1], delta = v[2];
  if (delta == 0)
    n.fail("Range has delta 0");
  double c = std::ceil((limit - start) / delta);
  if (!(c < 1e10))
    n.fail("Range would have " + Twine(std::to_string(c)) + " elements");
  int64_t count = std::max<int64_t>((int64_t)c, 0);
  int32_t dt = n.in(0).dtype;
  auto scalar = [&](OpBuilder &b, Location l, int i) -> Value {
    return arith::ConstantOp::create(b, l, cast<TypedAttr>(in[i].getValues<Attribute>()[0]));
  };
  Type et = n.imp.elemType(dt, n.loc);
  MLIRContext *ctx = n.b.getContext();
  Value init = n.imp.emptyTensor(n.loc, {count}, et);
  Value y = linalg::GenericOp::create(
                n.b, n.loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
                SmallVector<AffineMap>{AffineMap::getMultiDimIdentityMap(1, ctx)},
                SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
                [&](OpBuilder &b, Location l, ValueRange) {
                  Value i = linalg::IndexOp::create(b, l, 0);
                  Value v;
                  if (isa<FloatType>(et)) {
                    Value fi = arith::UIToFPOp::create(b, l, et, arith::IndexCastUIOp::create(b, l, b.getI64Type(), i));
                    v = arith::AddFOp::create(b, l, scalar(b, l, 0),
                                              arith::MulFOp::create(b, l, fi, scalar(b, l, 2)));
                  } else {
                    Value ii = arith::IndexCastOp::create(b, l, et, i);
                    v = arith::AddIOp::create(b, l, scalar(b, l, 0),
                                              arith::MulIOp::create(b, l, ii, scalar(b, l, 2)));
                  }
                  linalg::YieldOp::create(b, l, v);
                })
                .getResult(0);
  n.setOutput(0, y, dt);
}

/// Shape (opset 15: with start and end): known from the static shape.
void shapeOp(NodeCtx &n) {
  TValue &x = n.in(0);
  int64_t r = x.shape.size();
  int64_t start = n.attrInt("start", 0), end = n.attrInt("end", r);
  if (start < 0)
    start += r;
  if (end < 0)
    end += r;
  start = std::clamp<int64_t>(start, 0, r);
  end = std::clamp<int64_t>(end, start, r);
  SmallVector<int64_t> dims(x.shape.begin() + start, x.shape.begin() + end);
  auto type = RankedTensorType::get({(int64_t)dims.size()}, n.b.getI64Type());
  n.setConstOutput(0, DenseElementsAttr::get(type, ArrayRef<int64_t>(dims)),
                   DTy::INT64);
}

void sizeOp(NodeCtx &n) {
  int64_t numel = 1;
  for (int64_t d : n.in(0).shape)
    numel *= d;
  auto type = RankedTensorType::get({}, n.b.getI64Type());
  n.setConstOutput(0, DenseElementsAttr::get(type, ArrayRef<int64_t>(numel)),
                   DTy::INT64);
}

void constantOp(NodeCtx &n) {
  if (n.node.attribute_size() != 1)
    n.fail("Constant needs exactly one value attribute");
  const onnx::AttributeProto &a = n.node.attribute(0);
  if (a.name() == "value") {
    TValue tv = n.imp.decodeTensor(a.t(), n.loc, "tensor");
    n.setConstOutput(0, tv.constant, tv.dtype);
    return;
  }
  auto f32 = [&](ArrayRef<int64_t> shape, ArrayRef<float> v) {
    auto type = RankedTensorType::get(shape, n.b.getF32Type());
    n.setConstOutput(0, DenseElementsAttr::get(type, v), DTy::FLOAT);
  };
  auto i64 = [&](ArrayRef<int64_t> shape, ArrayRef<int64_t> v) {
    auto type = RankedTensorType::get(shape, n.b.getI64Type());
    n.setConstOutput(0, DenseElementsAttr::get(type, v), DTy::INT64);
  };
  float f = a.f();
  int64_t i = a.i();
  if (a.name() == "value_float")
    f32({}, f);
  else if (a.name() == "value_floats")
    f32({(int64_t)a.floats_size()}, ArrayRef<float>(a.floats().data(), a.floats_size()));
  else if (a.name() == "value_int")
    i64({}, i);
  else if (a.name() == "value_ints")
    i64({(int64_t)a.ints_size()}, ArrayRef<int64_t>(a.ints().data(), a.ints_size()));
  else
    n.unsupported("Constant with attribute '" + a.name() + "'");
}

void constantOfShape(NodeCtx &n) {
  std::vector<int64_t> shape = n.constInts(0, "the shape of ConstantOfShape");
  int64_t numel = 1;
  for (int64_t d : shape) {
    if (d < 0)
      n.fail("ConstantOfShape has a negative dimension " + Twine(d));
    if (__builtin_mul_overflow(numel, d, &numel) || numel > (int64_t(1) << 34))
      n.fail("ConstantOfShape's result is too large (more than 2^34 elements)");
  }
  int32_t dt = DTy::FLOAT;
  Attribute value = n.b.getF32FloatAttr(0);
  if (const auto *a = n.attr("value")) {
    TValue v = n.imp.decodeTensor(a->t(), n.loc, "tensor");
    DenseElementsAttr d = toDense(v.constant, 1);
    if (!d || d.getNumElements() != 1)
      n.fail("ConstantOfShape 'value' must be a one-element tensor");
    dt = v.dtype;
    value = d.getValues<Attribute>()[0];
  }
  auto type = n.imp.tensorType(shape, dt, n.loc);
  n.setConstOutput(0, DenseElementsAttr::get(type, value), dt);
}

} // namespace

void lut::onnximport::registerShapeOps(OpRegistry &r) {
  r.add({
      // op type, handler, opsets
      {"Reshape", reshapeOp, 7, 17},
      {"Flatten", flatten, 7, 17},
      {"Squeeze", [](NodeCtx &n) { squeeze(n, false); }, 7, 17},
      {"Unsqueeze", [](NodeCtx &n) { squeeze(n, true); }, 7, 17},
      {"Transpose", transpose, 7, 17},
      {"Concat", concat, 7, 17},
      {"Split", split, 7, 17},
      {"Slice", slice, 7, 17},
      {"Gather", gather, 7, 17},
      {"Expand", expand, 8, 17},
      {"Trilu", trilu, 14, 17},
      {"Range", range, 11, 17},
      {"Shape", shapeOp, 7, 17},
      {"Size", sizeOp, 7, 17},
      {"Constant", constantOp, 7, 17},
      {"ConstantOfShape", constantOfShape, 9, 17},
  });
}
