//===- Slicing.cpp - Slice and Split ---------------------------------------===//
//
// Slice (static bounds as tensor.extract_slice; negative steps as a
// gather; bounds, steps, axes or dims known only at run time with ONNX's
// clamping rules as index arithmetic) and Split (sizes from the attribute,
// a constant or a run-time input, or an even split).
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

#include <array>

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

namespace {

Value extractSlice(NodeCtx &n, Value x, ArrayRef<OpFoldResult> o, ArrayRef<OpFoldResult> s,
                   ArrayRef<OpFoldResult> st) {
  // An empty slice reads nothing (and its offset may be past the end); a
  // slice of an empty dim is empty.
  auto xt = cast<RankedTensorType>(x.getType());
  if (llvm::any_of(s, [](OpFoldResult f) { return getConstantIntValue(f) == 0; }) ||
      llvm::is_contained(xt.getShape(), 0)) {
    Dims sizes(s.begin(), s.end());
    for (int64_t d = 0; d < xt.getRank(); ++d)
      if (xt.getDimSize(d) == 0)
        sizes[d] = n.b.getIndexAttr(0);
    return n.imp.emptyTensor(n.loc, sizes, elemOf(x));
  }
  auto type = RankedTensorType::get(Importer::shapeOfDims(s), elemOf(x));
  return tensor::ExtractSliceOp::create(n.b, n.loc, type, x, o, s, st);
}

void split(NodeCtx &n) {
  TValue &xt = n.in(0);
  int64_t r = xt.shape.size();
  int64_t axis = n.normAxis(n.attrInt("axis", 0), r);
  Importer &imp = n.imp;
  Value x = n.val(0);
  Dims xd = imp.dimsOf(x);
  Dims sizes;
  if (n.opset >= 13 && n.has(1)) {
    sizes = n.intElems(1, "the split sizes");
  } else if (auto a = n.attrInts("split")) {
    for (int64_t v : *a)
      sizes.push_back(n.b.getIndexAttr(v));
  }
  int64_t outs = n.numOutputs();
  auto axisSize = getConstantIntValue(xd[axis]);
  if (sizes.empty()) {
    if (axisSize) {
      if (*axisSize % outs != 0)
        n.fail("cannot split dimension " + Twine(*axisSize) + " evenly into " + Twine(outs));
      sizes.assign(outs, n.b.getIndexAttr(*axisSize / outs));
    } else {
      Value each = arith::DivUIOp::create(n.b, n.loc, imp.indexValue(n.loc, xd[axis]),
                                          arith::ConstantIndexOp::create(n.b, n.loc, outs));
      sizes.assign(outs, each);
    }
  }
  if ((int64_t)sizes.size() != outs)
    n.fail("split has " + Twine((int64_t)sizes.size()) + " sizes for " + Twine(outs) + " outputs");
  Shape st = Importer::shapeOfDims(sizes);
  if (axisSize && llvm::none_of(st, ShapedType::isDynamic)) {
    int64_t total = 0;
    for (int64_t v : st) {
      if (v < 0)
        n.fail("split size " + Twine(v) + " is negative");
      total += v;
    }
    if (total != *axisSize)
      n.fail("split sizes sum to " + Twine(total) + " but the axis has " + Twine(*axisSize));
  } else {
    // Sizes read at run time are clamped into the axis.
    Value dim = imp.indexValue(n.loc, xd[axis]), zero = arith::ConstantIndexOp::create(n.b, n.loc, 0);
    for (OpFoldResult &v : sizes)
      if (auto val = dyn_cast<Value>(v))
        v = arith::MinSIOp::create(n.b, n.loc, arith::MaxSIOp::create(n.b, n.loc, val, zero), dim)
                .getResult();
  }
  OpFoldResult off = n.b.getIndexAttr(0);
  for (int64_t i = 0; i < outs; ++i) {
    Dims o(r, n.b.getIndexAttr(0)), sz = xd, str(r, n.b.getIndexAttr(1));
    o[axis] = off;
    sz[axis] = sizes[i];
    n.setOutput(i, extractSlice(n, x, o, sz, str), xt.dtype);
    off = imp.addDims(n.loc, off, sizes[i]);
  }
}

/// Slice with dims, bounds, steps or axes known only at run time: ONNX's
/// clamping rules as index arithmetic, per dim of x. `bounds[d]` holds the
/// (start, end, step) of dim d, or nothing for a dim that is not sliced.
/// Constant positive steps give a tensor.extract_slice; other steps a
/// gather (x[start + i * step]).
void dynamicSlice(NodeCtx &n,
                  ArrayRef<std::optional<std::array<OpFoldResult, 3>>> bounds) {
  TValue &xt = n.in(0);
  Importer &imp = n.imp;
  OpBuilder &b = n.b;
  Location l = n.loc;
  Value x = n.val(0);
  int64_t r = xt.shape.size();
  Dims off(r, b.getIndexAttr(0)), size = imp.dimsOf(x), stride(r, b.getIndexAttr(1));
  Value zero = arith::ConstantIndexOp::create(b, l, 0);
  Value one = arith::ConstantIndexOp::create(b, l, 1);
  Value minus1 = arith::ConstantIndexOp::create(b, l, -1);
  bool gather = false;
  for (int64_t d = 0; d < r; ++d) {
    if (!bounds[d])
      continue;
    auto [startF, endF, stepF] = *bounds[d];
    auto stepC = getConstantIntValue(stepF);
    if (stepC == 0)
      n.fail("Slice step is 0");
    Value dim = imp.indexValue(l, size[d]);
    Value step = imp.indexValue(l, stepF);
    Value pos = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, step, zero);
    Value dimM1 = arith::SubIOp::create(b, l, dim, one);
    auto clamp = [&](Value v, Value lo, Value hi) -> Value {
      return arith::MinSIOp::create(b, l, arith::MaxSIOp::create(b, l, v, lo), hi);
    };
    auto wrap = [&](OpFoldResult f) -> Value {
      Value v = imp.indexValue(l, f);
      Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, v, zero);
      return arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, v, dim), v);
    };
    Value s = wrap(startF), e = wrap(endF);
    // Positive steps clamp into [0, dim], negative ones into [0, dim-1] and
    // [-1, dim-1].
    s = arith::SelectOp::create(b, l, pos, clamp(s, zero, dim), clamp(s, zero, dimM1));
    e = arith::SelectOp::create(b, l, pos, clamp(e, zero, dim), clamp(e, minus1, dimM1));
    Value span = arith::SelectOp::create(b, l, pos, arith::SubIOp::create(b, l, e, s),
                                         arith::SubIOp::create(b, l, s, e));
    Value absStep = arith::SelectOp::create(b, l, pos, step, arith::SubIOp::create(b, l, zero, step));
    Value safeStep = arith::MaxSIOp::create(b, l, absStep, one);
    Value cnt = arith::DivSIOp::create(
        b, l, arith::AddIOp::create(b, l, span, arith::SubIOp::create(b, l, safeStep, one)), safeStep);
    cnt = arith::MaxSIOp::create(b, l, cnt, zero);
    // An empty dim slices nothing (and has no valid start).
    Value empty = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, dim, zero);
    cnt = arith::SelectOp::create(b, l, empty, zero, cnt);
    s = arith::SelectOp::create(b, l, empty, zero, s);
    off[d] = s;
    size[d] = cnt;
    stride[d] = stepF;
    gather |= !stepC || *stepC < 0;
  }
  if (!gather) {
    n.setOutput(0, extractSlice(n, x, off, size, stride), xt.dtype);
    return;
  }
  SmallVector<Value> offV, strideV;
  for (int64_t d = 0; d < r; ++d) {
    offV.push_back(imp.indexValue(l, off[d]));
    strideV.push_back(imp.indexValue(l, stride[d]));
  }
  MLIRContext *ctx = b.getContext();
  Value init = imp.emptyTensor(l, size, elemOf(x));
  Value y = linalg::GenericOp::create(
                b, l, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
                SmallVector<AffineMap>{AffineMap::getMultiDimIdentityMap(r, ctx)},
                SmallVector<utils::IteratorType>(r, utils::IteratorType::parallel),
                [&](OpBuilder &bb, Location ll, ValueRange) {
                  SmallVector<Value> idx;
                  for (int64_t d = 0; d < r; ++d) {
                    Value i = linalg::IndexOp::create(bb, ll, d);
                    idx.push_back(arith::AddIOp::create(bb, ll, offV[d],
                                                        arith::MulIOp::create(bb, ll, i, strideV[d])));
                  }
                  linalg::YieldOp::create(bb, ll, ValueRange{tensor::ExtractOp::create(bb, ll, x, idx)});
                })
                .getResult(0);
  n.setOutput(0, y, xt.dtype);
}

void slice(NodeCtx &n) {
  TValue &xt = n.in(0);
  int64_t r = xt.shape.size();
  Dims starts, ends, axesD, stepsD;
  std::vector<int64_t> axes, steps;
  auto toDims = [&](const std::vector<int64_t> &v) {
    Dims d;
    for (int64_t e : v)
      d.push_back(n.b.getIndexAttr(e));
    return d;
  };
  if (n.opset >= 10) {
    starts = n.intElems(1, "Slice starts");
    ends = n.intElems(2, "Slice ends");
    if (n.has(3))
      axesD = n.intElems(3, "Slice axes");
    if (n.has(4))
      stepsD = n.intElems(4, "Slice steps");
  } else {
    starts = toDims(n.attrInts("starts").value_or(std::vector<int64_t>{}));
    ends = toDims(n.attrInts("ends").value_or(std::vector<int64_t>{}));
    axesD = toDims(n.attrInts("axes").value_or(std::vector<int64_t>{}));
  }
  if (starts.size() != ends.size())
    n.fail("Slice starts and ends differ in length");
  if (axesD.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axesD.push_back(n.b.getIndexAttr(i));
  if (stepsD.empty())
    stepsD.assign(starts.size(), n.b.getIndexAttr(1));
  if (axesD.size() != starts.size() || stepsD.size() != starts.size())
    n.fail("Slice starts, ends, axes and steps differ in length");
  bool constAxes = llvm::all_of(axesD, [](OpFoldResult f) { return getConstantIntValue(f).has_value(); });
  bool constSteps = llvm::all_of(stepsD, [](OpFoldResult f) { return getConstantIntValue(f).has_value(); });
  if (!constAxes) {
    // Axes read at run time: each dim takes the bounds of the axis that
    // names it (the last one, if several do; ONNX forbids repeats).
    Location l = n.loc;
    OpBuilder &b = n.b;
    Value rank = arith::ConstantIndexOp::create(b, l, r);
    Value zero = arith::ConstantIndexOp::create(b, l, 0);
    SmallVector<std::optional<std::array<OpFoldResult, 3>>> bounds(r);
    Dims xd = n.imp.dimsOf(n.val(0));
    for (int64_t d = 0; d < r; ++d) {
      Value s = zero, e = n.imp.indexValue(l, xd[d]);
      Value st = arith::ConstantIndexOp::create(b, l, 1);
      Value dc = arith::ConstantIndexOp::create(b, l, d);
      for (size_t k = 0; k < axesD.size(); ++k) {
        Value a = n.imp.indexValue(l, axesD[k]);
        Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, a, zero);
        a = arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, a, rank), a);
        Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, a, dc);
        s = arith::SelectOp::create(b, l, hit, n.imp.indexValue(l, starts[k]), s);
        e = arith::SelectOp::create(b, l, hit, n.imp.indexValue(l, ends[k]), e);
        st = arith::SelectOp::create(b, l, hit, n.imp.indexValue(l, stepsD[k]), st);
      }
      bounds[d] = std::array<OpFoldResult, 3>{s, e, st};
    }
    return dynamicSlice(n, bounds);
  }
  for (OpFoldResult f : axesD)
    axes.push_back(n.normAxis(*getConstantIntValue(f), r));
  bool dynamic = !constSteps;
  for (size_t i = 0; i < starts.size(); ++i)
    dynamic |= !getConstantIntValue(starts[i]) || !getConstantIntValue(ends[i]) ||
               ShapedType::isDynamic(xt.shape[axes[i]]);
  if (dynamic) {
    SmallVector<std::optional<std::array<OpFoldResult, 3>>> bounds(r);
    for (size_t i = 0; i < axes.size(); ++i) {
      if (bounds[axes[i]])
        n.fail("Slice axes repeat axis " + Twine(axes[i]));
      bounds[axes[i]] = std::array<OpFoldResult, 3>{starts[i], ends[i], stepsD[i]};
    }
    return dynamicSlice(n, bounds);
  }
  for (OpFoldResult f : stepsD)
    steps.push_back(*getConstantIntValue(f));
  for (int64_t st : steps)
    if (st == 0)
      n.fail("Slice step is 0");
  Shape off(r, 0), size = xt.shape, stride(r, 1);
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t a = axes[i];
    int64_t dim = xt.shape[a], st = steps[i];
    // ONNX Slice semantics, in 128-bit arithmetic: starts/ends/steps may be
    // anywhere in int64 (INT64_MAX and INT64_MIN mean "to the end").
    __int128 s = *getConstantIntValue(starts[i]), e = *getConstantIntValue(ends[i]), stp = st;
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
    Dims o, sz = n.imp.dimsOf(x), st;
    for (int64_t d = 0; d < r; ++d) {
      o.push_back(n.b.getIndexAttr(off[d]));
      if (!ShapedType::isDynamic(size[d]))
        sz[d] = n.b.getIndexAttr(size[d]);
      st.push_back(n.b.getIndexAttr(stride[d]));
    }
    n.setOutput(0, extractSlice(n, x, o, sz, st), xt.dtype);
    return;
  }
  // Negative steps: a gather with computed indices (static dims only).
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

} // namespace

void lut::onnximport::registerSliceOps(OpRegistry &r) {
  r.add({
      // op type, handler, opsets
      {"Split", split, 7, 17},
      {"Slice", slice, 7, 17},
  });
}
