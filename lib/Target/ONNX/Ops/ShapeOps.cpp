//===- ShapeOps.cpp - Shape, data-movement and constant ONNX operators ----===//
//
// Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Gather, Expand,
// Trilu, Range, and the ops whose results are known from
// static shapes or attributes: Shape, Size, Constant, ConstantOfShape.
// Operands that give shapes (Reshape's shape, Slice's starts, Expand's
// shape, ...) may be computed at run time as long as their length is
// static: their elements are read through NodeCtx::intElems, constants
// where known at import time (ShapeElems.cpp) and run-time values
// otherwise. When a node's inputs are all constants its IR is folded at
// import time (ConstantFolder), so that shape computations on static shapes
// give static shapes.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

#include <array>
#include <cmath>

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

namespace {

/// Defines output 0 as input 0 (`x`) reshaped to `shape`. Element counts
/// are checked when both are static.
void reshapeOutput(NodeCtx &n, TValue &x, ArrayRef<OpFoldResult> shape) {
  Shape st = Importer::shapeOfDims(shape);
  bool known = llvm::none_of(st, ShapedType::isDynamic) &&
               llvm::none_of(x.shape, ShapedType::isDynamic);
  if (known) {
    int64_t numel = 1, have = 1;
    for (int64_t d : st)
      numel *= d;
    for (int64_t d : x.shape)
      have *= d;
    if (numel != have)
      n.fail("cannot reshape " + Twine(have) + " elements into " + Twine(numel));
  }
  n.setOutput(0, n.imp.reshape(n.loc, n.val(0), shape), x.dtype);
}

void gather(NodeCtx &n) {
  TValue &xt = n.in(0);
  Value x = n.val(0), ind = n.val(1);
  Dims xs = n.imp.dimsOf(x), is = n.imp.dimsOf(ind);
  int64_t r = xs.size(), ir = is.size();
  int64_t axis = n.normAxis(n.attrInt("axis", 0), r);
  Dims os(xs.begin(), xs.begin() + axis);
  os.append(is.begin(), is.end());
  os.append(xs.begin() + axis + 1, xs.end());
  int64_t orank = os.size();
  SmallVector<AffineExpr> ie;
  for (int64_t i = 0; i < ir; ++i)
    ie.push_back(n.b.getAffineDimExpr(axis + i));
  MLIRContext *ctx = n.b.getContext();
  Value init = n.imp.emptyTensor(n.loc, ArrayRef<OpFoldResult>(os), elemOf(x));
  int64_t axisSize = xt.shape[axis];
  Value axisSizeV = n.imp.indexValue(n.loc, xs[axis]);
  // Constant indices are checked here (static axis); others are clamped by
  // the IR.
  if (DenseElementsAttr c = n.constantInput(1); c && !ShapedType::isDynamic(axisSize))
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
                  Value size = axisSizeV;
                  Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, k, zero);
                  k = arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, k, size), k);
                  // Clamp so that a bad index cannot read out of bounds.
                  Value one = arith::ConstantIndexOp::create(b, l, 1);
                  Value maxI = arith::MaxSIOp::create(b, l, arith::SubIOp::create(b, l, size, one), zero);
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
  Importer &imp = n.imp;
  Dims os = imp.dimsOf(n.val(0));
  os[axis] = n.b.getIndexAttr(0);
  SmallVector<Value> parts;
  for (size_t i = 0; i < n.numInputs(); ++i) {
    if (!n.has(i))
      continue;
    TValue &t = n.in(i);
    if ((int64_t)t.shape.size() != r)
      n.fail("Concat inputs have different ranks");
    Value p = n.val(i);
    Dims ps = imp.dimsOf(p);
    bool clip = false;
    for (int64_t d = 0; d < r; ++d) {
      if (d == axis || imp.sameDim(ps[d], os[d]))
        continue;
      if (!ShapedType::isDynamic(t.shape[d]) && !ShapedType::isDynamic(x0.shape[d]))
        n.fail("Concat input #" + Twine((int64_t)i) + " differs in dimension " + Twine(d));
      // Equal for valid inputs but not provably so: never write past the
      // result (a smaller input leaves the rest unwritten).
      ps[d] = imp.minDims(n.loc, ps[d], os[d]);
      clip = true;
    }
    if (clip)
      p = imp.sliceTo(n.loc, p, ps);
    os[axis] = imp.addDims(n.loc, os[axis], ps[axis]);
    parts.push_back(p);
  }
  Value out = imp.emptyTensor(n.loc, ArrayRef<OpFoldResult>(os), elemOf(parts[0]));
  OpFoldResult off = n.b.getIndexAttr(0);
  for (Value p : parts) {
    Dims ps = imp.dimsOf(p);
    if (getConstantIntValue(ps[axis]) == 0)
      continue;
    SmallVector<OpFoldResult> offs(r, n.b.getIndexAttr(0)), strides(r, n.b.getIndexAttr(1));
    offs[axis] = off;
    out = tensor::InsertSliceOp::create(n.b, n.loc, p, out, offs, ps, strides);
    off = imp.addDims(n.loc, off, ps[axis]);
  }
  n.setOutput(0, out, x0.dtype);
}

/// The constant product and the dynamic factors of `dims`.
std::pair<int64_t, SmallVector<Value>> factor(ArrayRef<OpFoldResult> dims) {
  int64_t c = 1;
  SmallVector<Value> vals;
  for (OpFoldResult d : dims) {
    if (auto k = getConstantIntValue(d))
      c *= *k;
    else
      vals.push_back(cast<Value>(d));
  }
  return {c, vals};
}

void reshapeOp(NodeCtx &n) {
  TValue &xt = n.in(0);
  Importer &imp = n.imp;
  OpBuilder &b = n.b;
  Dims target;
  bool fromData = false;
  if (n.opset >= 5) {
    target = n.intElems(1, "the target shape of Reshape", &fromData);
  } else {
    for (int64_t v : n.attrInts("shape").value_or(std::vector<int64_t>{}))
      target.push_back(b.getIndexAttr(v));
  }
  bool allowZero = n.attrInt("allowzero", 0) != 0;
  Value x = n.val(0);
  Dims xd = imp.dimsOf(x);
  int64_t rank = xd.size();
  if (fromData) {
    // Elements read at run time may be 0 (copy a dim) or -1 (infer).
    Location l = n.loc;
    Value zero = arith::ConstantIndexOp::create(b, l, 0);
    Value one = arith::ConstantIndexOp::create(b, l, 1);
    Value minus1 = arith::ConstantIndexOp::create(b, l, -1);
    SmallVector<Value> t;
    Value known = one;
    for (size_t i = 0; i < target.size(); ++i) {
      Value d = imp.indexValue(l, target[i]);
      if (!allowZero && (int64_t)i < rank) {
        Value isZero = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, d, zero);
        d = arith::SelectOp::create(b, l, isZero, imp.indexValue(l, xd[i]), d);
      }
      t.push_back(d);
      Value isInfer = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, d, minus1);
      known = arith::MulIOp::create(b, l, known, arith::SelectOp::create(b, l, isInfer, one, d));
    }
    Value numel = one;
    for (OpFoldResult d : xd)
      numel = arith::MulIOp::create(b, l, numel, imp.indexValue(l, d));
    Value safe = arith::MaxSIOp::create(b, l, known, one);
    Value inferred = arith::DivSIOp::create(b, l, numel, safe);
    SmallVector<Value> dims;
    Value product = one;
    for (Value d : t) {
      Value isInfer = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, d, minus1);
      // Negative dims other than -1 are invalid; clamp them to 0 rather than
      // build a negative size.
      Value v = arith::SelectOp::create(b, l, isInfer, inferred, d);
      dims.push_back(arith::MaxSIOp::create(b, l, v, zero));
      product = arith::MulIOp::create(b, l, product, dims.back());
    }
    // A target whose element count is not the input's (invalid data) gives
    // an empty result instead of reading out of bounds.
    if (!dims.empty()) {
      Value ok = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, product, numel);
      dims[0] = arith::SelectOp::create(b, l, ok, dims[0], zero);
    }
    Dims s(dims.begin(), dims.end());
    return reshapeOutput(n, xt, s);
  }
  Dims s;
  int64_t inferAt = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    OpFoldResult d = target[i];
    auto c = getConstantIntValue(d);
    if (c == 0 && !allowZero) {
      if ((int64_t)i >= rank)
        n.fail("Reshape copies dimension " + Twine((int64_t)i) + " that the input lacks");
      d = xd[i];
    } else if (c == -1) {
      if (inferAt >= 0)
        n.fail("Reshape target has more than one -1");
      inferAt = i;
      s.push_back(b.getIndexAttr(1));
      continue;
    } else if (c && *c < 0) {
      n.fail("Reshape target has a negative dimension " + Twine(*c));
    }
    s.push_back(d);
  }
  if (inferAt >= 0) {
    // numel(x) / prod(the other target dims), cancelling shared dims.
    Dims others(s);
    others.erase(others.begin() + inferAt);
    auto [cx, vx] = factor(xd);
    auto [ct, vt] = factor(others);
    for (auto it = vt.begin(); it != vt.end();) {
      auto jt = llvm::find(vx, *it);
      if (jt != vx.end()) {
        vx.erase(jt);
        it = vt.erase(it);
      } else {
        ++it;
      }
    }
    if (vx.empty() && vt.empty()) {
      if (ct == 0 || cx % ct != 0)
        n.fail("Reshape cannot infer the -1 dimension");
      s[inferAt] = b.getIndexAttr(cx / ct);
    } else {
      OpFoldResult num = b.getIndexAttr(cx), den = b.getIndexAttr(ct);
      for (Value v : vx)
        num = imp.mulDims(n.loc, num, v);
      for (Value v : vt)
        den = imp.mulDims(n.loc, den, v);
      Value dn = arith::MaxSIOp::create(b, n.loc, imp.indexValue(n.loc, den),
                                        arith::ConstantIndexOp::create(b, n.loc, 1));
      s[inferAt] = arith::DivUIOp::create(b, n.loc, imp.indexValue(n.loc, num), dn).getResult();
    }
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
  Dims xd = n.imp.dimsOf(n.val(0));
  OpFoldResult a = n.b.getIndexAttr(1), b = n.b.getIndexAttr(1);
  for (int64_t i = 0; i < r; ++i)
    (i < axis ? a : b) = n.imp.mulDims(n.loc, i < axis ? a : b, xd[i]);
  reshapeOutput(n, xt, {a, b});
}

/// Squeeze / Unsqueeze with axes read at run time (their number is
/// static, so the result's rank is): every result dim is computed.
void squeezeDynamicAxes(NodeCtx &n, bool un) {
  TValue &xt = n.in(0);
  OpBuilder &b = n.b;
  Location l = n.loc;
  Importer &imp = n.imp;
  int64_t r = xt.shape.size();
  Dims axesD = n.intElems(1, "axes");
  int64_t k = axesD.size();
  int64_t outRank = un ? r + k : r - k;
  if (outRank < 0)
    n.fail("Squeeze has " + Twine(k) + " axes for rank " + Twine(r));
  Dims xd = imp.dimsOf(n.val(0));
  Value zero = arith::ConstantIndexOp::create(b, l, 0);
  Value one = arith::ConstantIndexOp::create(b, l, 1);
  // The axes, normalized against the rank they index.
  Value axisRank = arith::ConstantIndexOp::create(b, l, un ? outRank : r);
  SmallVector<Value> axes;
  for (OpFoldResult f : axesD) {
    Value a = imp.indexValue(l, f);
    Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, a, zero);
    axes.push_back(arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, a, axisRank), a));
  }
  auto isAxis = [&](int64_t p) -> Value {
    Value pc = arith::ConstantIndexOp::create(b, l, p);
    Value hit = arith::ConstantIntOp::create(b, l, 0, 1);
    for (Value a : axes)
      hit = arith::OrIOp::create(b, l, hit, arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, a, pc));
    return hit;
  };
  Dims s;
  if (un) {
    // Result dim p: 1 at an axis, else input dim (p - #axes before p).
    for (int64_t p = 0; p < outRank; ++p) {
      Value pc = arith::ConstantIndexOp::create(b, l, p);
      Value before = zero;
      for (Value a : axes)
        before = arith::AddIOp::create(
            b, l, before,
            arith::SelectOp::create(b, l, arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, a, pc),
                                    one, zero));
      Value j = arith::SubIOp::create(b, l, pc, before);
      Value dim = one;
      for (int64_t i = 0; i < r; ++i)
        dim = arith::SelectOp::create(
            b, l, arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, j, arith::ConstantIndexOp::create(b, l, i)),
            imp.indexValue(l, xd[i]), dim);
      s.push_back(arith::SelectOp::create(b, l, isAxis(p), one, dim).getResult());
    }
  } else {
    // Result dim q: the q-th input dim that is not an axis.
    SmallVector<Value> dropped;
    for (int64_t i = 0; i < r; ++i)
      dropped.push_back(isAxis(i));
    s = keptDimsAtRunTime(n, xd, dropped, outRank);
  }
  reshapeOutput(n, xt, s);
}

void squeeze(NodeCtx &n, bool un) {
  TValue &xt = n.in(0);
  int64_t r = xt.shape.size();
  std::vector<int64_t> axes;
  if (n.opset >= 13) {
    if (n.has(1)) {
      Dims ad = n.intElems(1, "axes");
      if (llvm::any_of(ad, [](OpFoldResult f) { return !getConstantIntValue(f); }))
        return squeezeDynamicAxes(n, un);
    }
    if (n.has(1))
      axes = n.constInts(1, "axes");
  } else {
    axes = n.attrInts("axes").value_or(std::vector<int64_t>{});
  }
  Dims xd = n.imp.dimsOf(n.val(0));
  Dims s;
  if (un) {
    int64_t outRank = r + axes.size();
    for (int64_t &a : axes)
      a = n.normAxis(a, outRank);
    llvm::sort(axes);
    size_t k = 0;
    for (int64_t i = 0, j = 0; i < outRank; ++i) {
      if (k < axes.size() && axes[k] == i) {
        s.push_back(n.b.getIndexAttr(1));
        ++k;
      } else {
        s.push_back(xd[j++]);
      }
    }
  } else {
    for (int64_t &a : axes)
      a = n.normAxis(a, r);
    for (int64_t i = 0; i < r; ++i) {
      if (axes.empty() && ShapedType::isDynamic(xt.shape[i]))
        n.unsupported("Squeeze without axes on a dynamic dimension (whether it is "
                      "removed would depend on data)");
      bool drop = axes.empty() ? xt.shape[i] == 1 : llvm::is_contained(axes, i);
      if (drop && xt.shape[i] != 1 && !ShapedType::isDynamic(xt.shape[i]))
        n.fail("cannot squeeze dimension " + Twine(i) + " of size " + Twine(xt.shape[i]));
      if (!drop)
        s.push_back(xd[i]);
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
  Dims shape = n.intElems(1, "the shape of Expand");
  Value x = n.val(0);
  Dims out;
  if (!n.imp.broadcastDims(n.imp.dimsOf(x), shape, out, n.loc))
    n.fail("Expand shape does not broadcast with the input");
  Type et = n.imp.elemType(xt.dtype, n.loc);
  n.setOutput(0, n.imp.elementwise(n.loc, {x}, ArrayRef<OpFoldResult>(out), et,
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
  // k: a constant, or read at run time.
  OpFoldResult k = n.b.getIndexAttr(0);
  if (n.has(1)) {
    Dims kv = n.intElems(1, "the diagonal offset k of Trilu");
    if (kv.size() != 1)
      n.fail("Trilu k must be a scalar");
    k = kv[0];
  }
  Value kv = n.imp.indexValue(n.loc, k);
  bool upper = n.attrInt("upper", 1) != 0;
  Value x = n.val(0);
  Type et = elemOf(x);
  n.setOutput(0, n.imp.elementwise(n.loc, {x}, ArrayRef<OpFoldResult>(n.imp.dimsOf(x)), et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    Value i = linalg::IndexOp::create(b, l, r - 2);
    Value j = linalg::IndexOp::create(b, l, r - 1);
    Value d = arith::SubIOp::create(b, l, j, i);
    Value kc = kv;
    Value keep = arith::CmpIOp::create(b, l, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle, d, kc);
    return arith::SelectOp::create(b, l, keep, a[0], cst(b, l, et, 0));
  }), xt.dtype);
}

/// Range with inputs known only at run time: the length is
/// max(ceil((limit - start) / delta), 0), computed in f64 as ONNX's
/// reference does; a delta of 0 gives an empty result.
Value dynamicRange(NodeCtx &n, int32_t dt, Type et) {
  OpBuilder &b = n.b;
  Location l = n.loc;
  Type f64 = b.getF64Type();
  Value s[3], f[3];
  for (size_t i = 0; i < 3; ++i) {
    TValue &tv = n.in(i);
    if (!tv.shape.empty() && !(tv.shape.size() == 1 && tv.shape[0] == 1))
      n.fail("Range input '" + n.node.input(i) + "' is not a scalar");
    SmallVector<Value> idx;
    if (!tv.shape.empty())
      idx.push_back(arith::ConstantIndexOp::create(b, l, 0));
    s[i] = tensor::ExtractOp::create(b, l, n.val(i), idx);
    f[i] = isa<FloatType>(et) ? (Value)arith::ExtFOp::create(b, l, f64, s[i])
                              : (Value)arith::SIToFPOp::create(b, l, f64, s[i]);
    if (et.isF64())
      f[i] = s[i];
  }
  Value q = arith::DivFOp::create(b, l, arith::SubFOp::create(b, l, f[1], f[0]), f[2]);
  Value c = math::CeilOp::create(b, l, q);
  Value zero = arith::ConstantOp::create(b, l, b.getF64FloatAttr(0));
  Value lim = arith::ConstantOp::create(b, l, b.getF64FloatAttr(double(int64_t(1) << 40)));
  // NaN (delta 0 with equal bounds) and negative counts give 0.
  Value ok = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, c, zero);
  c = arith::SelectOp::create(b, l, ok, arith::MinimumFOp::create(b, l, c, lim), zero);
  Value count = arith::IndexCastOp::create(b, l, b.getIndexType(),
                                           arith::FPToSIOp::create(b, l, b.getI64Type(), c));
  MLIRContext *ctx = b.getContext();
  Value init = n.imp.emptyTensor(l, ArrayRef<OpFoldResult>{count}, et);
  return linalg::GenericOp::create(
             b, l, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
             SmallVector<AffineMap>{AffineMap::getMultiDimIdentityMap(1, ctx)},
             SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
             [&](OpBuilder &bb, Location ll, ValueRange) {
               Value i = linalg::IndexOp::create(bb, ll, 0);
               Value v;
               if (isa<FloatType>(et)) {
                 Value fi = arith::UIToFPOp::create(bb, ll, et, arith::IndexCastUIOp::create(bb, ll, bb.getI64Type(), i));
                 v = arith::AddFOp::create(bb, ll, s[0], arith::MulFOp::create(bb, ll, fi, s[2]));
               } else {
                 Value ii = arith::IndexCastOp::create(bb, ll, et, i);
                 v = arith::AddIOp::create(bb, ll, s[0], arith::MulIOp::create(bb, ll, ii, s[2]));
               }
               linalg::YieldOp::create(bb, ll, v);
             })
      .getResult(0);
}

/// Range: its length depends on the values of its inputs; the elements are
/// start + i * delta. Constant inputs give a static length.
void range(NodeCtx &n) {
  DenseElementsAttr in[3];
  double v[3];
  for (size_t i = 0; i < 3; ++i)
    if (!n.constantInput(i)) {
      int32_t dt = n.in(0).dtype;
      if (n.in(1).dtype != dt || n.in(2).dtype != dt)
        n.fail("Range inputs have different types");
      Type et = n.imp.elemType(dt, n.loc);
      n.setOutput(0, dynamicRange(n, dt, et), dt);
      return;
    }
  for (size_t i = 0; i < 3; ++i) {
    in[i] = n.constantInput(i);
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

/// Shape (opset 15: with start and end): a constant for static dims;
/// otherwise IR, with its elements tracked (ShapeElems.cpp).
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
  if (llvm::none_of(dims, ShapedType::isDynamic)) {
    n.setConstOutput(0, DenseElementsAttr::get(type, ArrayRef<int64_t>(dims)), DTy::INT64);
    return;
  }
  Dims xd = n.imp.dimsOf(n.val(0));
  Dims elems(xd.begin() + start, xd.begin() + end);
  SmallVector<Value> vals;
  for (OpFoldResult d : elems) {
    if (auto v = dyn_cast<Value>(d))
      n.imp.dimValues.insert(v);
    vals.push_back(arith::IndexCastOp::create(n.b, n.loc, n.b.getI64Type(),
                                              n.imp.indexValue(n.loc, d)));
  }
  n.setOutput(0, tensor::FromElementsOp::create(n.b, n.loc, type, vals), DTy::INT64);
  n.imp.lookup(n.node.output(0))->elems = elems;
}

void sizeOp(NodeCtx &n) {
  TValue &x = n.in(0);
  auto type = RankedTensorType::get({}, n.b.getI64Type());
  if (llvm::none_of(x.shape, ShapedType::isDynamic)) {
    int64_t numel = 1;
    for (int64_t d : x.shape)
      numel *= d;
    n.setConstOutput(0, DenseElementsAttr::get(type, ArrayRef<int64_t>(numel)), DTy::INT64);
    return;
  }
  OpFoldResult numel = n.b.getIndexAttr(1);
  for (OpFoldResult d : n.imp.dimsOf(n.val(0)))
    numel = n.imp.mulDims(n.loc, numel, d);
  Value v = arith::IndexCastOp::create(n.b, n.loc, n.b.getI64Type(), n.imp.indexValue(n.loc, numel));
  n.setOutput(0, tensor::FromElementsOp::create(n.b, n.loc, type, ValueRange{v}), DTy::INT64);
  n.imp.dimValues.insert(n.imp.indexValue(n.loc, numel));
  n.imp.lookup(n.node.output(0))->elems = Dims{numel};
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
  Dims dims = n.intElems(0, "the shape of ConstantOfShape");
  Shape st = Importer::shapeOfDims(dims);
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
  if (llvm::any_of(st, ShapedType::isDynamic)) {
    // Sizes known at run time; negative ones (invalid) are clamped to 0.
    Value zero = arith::ConstantIndexOp::create(n.b, n.loc, 0);
    for (OpFoldResult &d : dims)
      if (auto v = dyn_cast<Value>(d); v && !n.imp.isDimValue(v))
        d = arith::MaxSIOp::create(n.b, n.loc, v, zero).getResult();
    Type et = n.imp.elemType(dt, n.loc);
    n.setOutput(0, n.imp.filled(n.loc, ArrayRef<OpFoldResult>(dims), et, cast<TypedAttr>(value)), dt);
    return;
  }
  std::vector<int64_t> shape(st.begin(), st.end());
  int64_t numel = 1;
  for (int64_t d : shape) {
    if (d < 0)
      n.fail("ConstantOfShape has a negative dimension " + Twine(d));
    if (__builtin_mul_overflow(numel, d, &numel) || numel > (int64_t(1) << 34))
      n.fail("ConstantOfShape's result is too large (more than 2^34 elements)");
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
