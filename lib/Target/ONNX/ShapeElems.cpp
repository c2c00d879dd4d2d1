//===- ShapeElems.cpp - Shapes computed from dynamic dims ------------------===//
//
// Exported models compute shapes at run time: `Shape -> Gather -> Unsqueeze
// -> Concat -> Reshape` builds a Reshape target from the batch dim, and
// `Shape -> Slice -> Mul` a flattened size. With static shapes the constant
// folder turns these chains into constants. With dynamic dims they stay IR,
// and the importer tracks their contents element by element alongside
// (TValue::elems): each element a constant, or the `index` Value of a dim.
// The consumer (Reshape, Expand, ConstantOfShape, Slice, Range, ...) then
// sees which target dims are static and which equal an input dim, and emits
// the same IR as for static shapes where it can.
//
// Elements are propagated through the integer ops such chains use: Shape
// (in its handler), Gather with constant indices, Concat, Unsqueeze,
// Squeeze, Reshape, Identity, integer Cast, Slice with constant bounds, and
// Add, Sub, Mul and Div. Anything else leaves the value untracked; its
// consumers then read its elements at run time (NodeCtx::intElems).
//
//===----------------------------------------------------------------------===//
#include "ImporterImpl.h"

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

namespace lut::onnximport {
void propagateElems(NodeCtx &n);
std::optional<Dims> elemsOf(NodeCtx &n, size_t i);
} // namespace lut::onnximport

/// The longest shape-like tensor whose elements are tracked.
static constexpr int64_t kMaxElems = 64;

std::optional<Dims> lut::onnximport::elemsOf(NodeCtx &n, size_t i) {
  if (!n.has(i))
    return std::nullopt;
  TValue &tv = n.in(i);
  if (tv.elems)
    return tv.elems;
  if (tv.shape.size() > 1 || !(isIntDType(tv.dtype) || isBoolDType(tv.dtype)))
    return std::nullopt;
  DenseElementsAttr c = n.constantInput(i);
  if (!c || c.getNumElements() > kMaxElems)
    return std::nullopt;
  Dims r;
  bool zext = isUnsignedDType(tv.dtype) || isBoolDType(tv.dtype);
  for (const APInt &v : c.getValues<APInt>())
    r.push_back(n.b.getIndexAttr(zext ? (int64_t)v.getZExtValue() : v.getSExtValue()));
  return r;
}

Dims NodeCtx::intElems(size_t i, StringRef what, bool *fromData) {
  if (fromData)
    *fromData = false;
  if (auto e = elemsOf(*this, i))
    return *e;
  if (fromData)
    *fromData = true;
  TValue &tv = in(i);
  if (!isIntDType(tv.dtype))
    fail(what + " (input '" + node.input(i) + "') must be an integer tensor, got " +
         onnxDTypeName(tv.dtype));
  if (tv.shape.size() > 1)
    fail(what + " (input '" + node.input(i) + "') must be a scalar or 1-D tensor");
  if (tv.shape.size() == 1 && ShapedType::isDynamic(tv.shape[0]))
    unsupported(what + " (input '" + node.input(i) +
                "') has a length known only at run time, so the result's rank "
                "would depend on data");
  int64_t len = tv.shape.empty() ? 1 : tv.shape[0];
  if (len > kMaxElems)
    fail(what + " (input '" + node.input(i) + "') has " + Twine(len) +
         " elements, more than the maximum rank");
  // Read at run time, element by element.
  Value v = val(i);
  Dims r;
  for (int64_t k = 0; k < len; ++k) {
    SmallVector<Value> idx;
    if (!tv.shape.empty())
      idx.push_back(arith::ConstantIndexOp::create(b, loc, k));
    Value e = tensor::ExtractOp::create(b, loc, v, idx);
    r.push_back(arith::IndexCastOp::create(b, loc, b.getIndexType(), e).getResult());
  }
  return r;
}

namespace {

/// The tracked elements of inputs 0 and 1, paired under numpy's broadcast
/// of their lengths; nothing when one is untracked or the lengths do not
/// broadcast.
std::optional<SmallVector<std::pair<OpFoldResult, OpFoldResult>>> pairedElems(NodeCtx &n) {
  auto a = elemsOf(n, 0), b = elemsOf(n, 1);
  if (!a || !b)
    return std::nullopt;
  size_t len = std::max(a->size(), b->size());
  if ((a->size() != len && a->size() != 1) || (b->size() != len && b->size() != 1))
    return std::nullopt;
  SmallVector<std::pair<OpFoldResult, OpFoldResult>> r;
  for (size_t k = 0; k < len; ++k)
    r.push_back({(*a)[a->size() == 1 ? 0 : k], (*b)[b->size() == 1 ? 0 : k]});
  return r;
}

/// Elementwise integer arithmetic on tracked elements (numpy broadcast of
/// lengths); null when an operand is untracked or lengths do not broadcast.
std::optional<Dims> arithElems(NodeCtx &n, StringRef op) {
  auto pairs = pairedElems(n);
  if (!pairs)
    return std::nullopt;
  Importer &imp = n.imp;
  Dims r;
  for (auto [x, y] : *pairs) {
    auto cx = getConstantIntValue(x), cy = getConstantIntValue(y);
    if (op == "Add") {
      r.push_back(imp.addDims(n.loc, x, y));
    } else if (op == "Mul") {
      r.push_back(imp.mulDims(n.loc, x, y));
    } else if (op == "Sub") {
      if (cx && cy)
        r.push_back(n.b.getIndexAttr(*cx - *cy));
      else if (cy == 0)
        r.push_back(x);
      else
        r.push_back(arith::SubIOp::create(n.b, n.loc, imp.indexValue(n.loc, x),
                                          imp.indexValue(n.loc, y))
                        .getResult());
    } else { // Div: truncates toward zero, as the handler's IR.
      if (cy == 0)
        return std::nullopt;
      if (cx && cy)
        r.push_back(n.b.getIndexAttr(*cx / *cy));
      else if (cy == 1)
        r.push_back(x);
      else
        r.push_back(arith::DivSIOp::create(n.b, n.loc, imp.indexValue(n.loc, x),
                                           imp.indexValue(n.loc, y))
                        .getResult());
    }
  }
  return r;
}

std::optional<Dims> gatherElems(NodeCtx &n) {
  auto data = elemsOf(n, 0);
  DenseElementsAttr idx = n.has(1) ? n.constantInput(1) : nullptr;
  if (!data || !idx || n.in(0).shape.size() != 1 || n.attrInt("axis", 0) != 0)
    return std::nullopt;
  Dims r;
  int64_t len = data->size();
  for (const APInt &v : idx.getValues<APInt>()) {
    int64_t k = v.getSExtValue();
    if (k < 0)
      k += len;
    if (k < 0 || k >= len)
      return std::nullopt;
    r.push_back((*data)[k]);
  }
  return r;
}

std::optional<Dims> concatElems(NodeCtx &n) {
  Dims r;
  for (size_t i = 0; i < n.numInputs(); ++i) {
    if (!n.has(i))
      continue;
    auto e = elemsOf(n, i);
    if (!e || n.in(i).shape.size() != 1)
      return std::nullopt;
    r.append(e->begin(), e->end());
  }
  return r;
}

std::optional<Dims> sliceElems(NodeCtx &n) {
  auto data = elemsOf(n, 0);
  if (!data || n.in(0).shape.size() != 1 || n.opset < 10)
    return std::nullopt;
  auto bound = [&](size_t i, int64_t dflt) -> std::optional<int64_t> {
    if (!n.has(i))
      return dflt;
    DenseElementsAttr c = n.constantInput(i);
    if (!c || c.getNumElements() != 1)
      return std::nullopt;
    return c.getValues<APInt>()[0].getSExtValue();
  };
  auto s = bound(1, 0), e = bound(2, 0), ax = bound(3, 0), st = bound(4, 1);
  if (!s || !e || !ax || !st || (*ax != 0 && *ax != -1) || *st != 1)
    return std::nullopt;
  int64_t len = data->size();
  int64_t b = *s < 0 ? *s + len : *s, f = *e < 0 ? *e + len : *e;
  b = std::clamp<int64_t>(b, 0, len);
  f = std::clamp<int64_t>(f, 0, len);
  return Dims(data->begin() + b, data->begin() + std::max(b, f));
}

/// Equal, where it is known: equal constants, or a dim (never negative)
/// against a negative constant (as `shape == -1` in exported Expands).
std::optional<Dims> equalElems(NodeCtx &n) {
  auto pairs = pairedElems(n);
  if (!pairs)
    return std::nullopt;
  Dims r;
  for (auto [x, y] : *pairs) {
    auto cx = getConstantIntValue(x), cy = getConstantIntValue(y);
    if (cx && cy)
      r.push_back(n.b.getIndexAttr(*cx == *cy));
    else if (n.imp.sameDim(x, y))
      r.push_back(n.b.getIndexAttr(1));
    else if ((cx && *cx < 0 && n.imp.isDimValue(y)) || (cy && *cy < 0 && n.imp.isDimValue(x)))
      r.push_back(n.b.getIndexAttr(0));
    else
      return std::nullopt;
  }
  return r;
}

std::optional<Dims> whereElems(NodeCtx &n) {
  auto c = elemsOf(n, 0), a = elemsOf(n, 1), b = elemsOf(n, 2);
  if (!c || !a || !b)
    return std::nullopt;
  size_t len = std::max({c->size(), a->size(), b->size()});
  Dims r;
  for (size_t k = 0; k < len; ++k) {
    auto pick = [&](const Dims &d) -> std::optional<OpFoldResult> {
      if (d.size() == len)
        return d[k];
      if (d.size() == 1)
        return d[0];
      return std::nullopt;
    };
    auto ck = pick(*c), ak = pick(*a), bk = pick(*b);
    if (!ck || !ak || !bk)
      return std::nullopt;
    auto cv = getConstantIntValue(*ck);
    if (!cv)
      return std::nullopt;
    r.push_back(*cv ? *ak : *bk);
  }
  return r;
}

} // namespace

void lut::onnximport::propagateElems(NodeCtx &n) {
  if (n.numOutputs() < 1 || !n.wantsOutput(0))
    return;
  TValue *out = n.imp.lookup(n.node.output(0));
  if (!out || out->constant || out->elems || out->shape.size() > 1 ||
      !(isIntDType(out->dtype) || isBoolDType(out->dtype)))
    return;
  const std::string &op = n.node.op_type();
  std::optional<Dims> r;
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div")
    r = arithElems(n, op);
  else if (op == "Gather")
    r = gatherElems(n);
  else if (op == "Concat")
    r = concatElems(n);
  else if (op == "Slice")
    r = sliceElems(n);
  else if (op == "Equal")
    r = equalElems(n);
  else if (op == "Where")
    r = whereElems(n);
  else if (op == "Unsqueeze" || op == "Squeeze" || op == "Reshape" ||
           op == "Identity" || op == "Cast" || op == "Flatten")
    r = elemsOf(n, 0);
  if (!r)
    return;
  int64_t len = out->shape.empty() ? 1 : out->shape[0];
  if ((int64_t)r->size() != len)
    return;
  // All known: the value becomes a constant (its IR is left to DCE).
  if (llvm::all_of(*r, [](OpFoldResult f) { return getConstantIntValue(f).has_value(); })) {
    Type et = n.imp.elemType(out->dtype, n.loc);
    auto type = RankedTensorType::get(out->shape, et);
    SmallVector<APInt> vals;
    for (OpFoldResult f : *r)
      vals.push_back(APInt(et.getIntOrFloatBitWidth(), (uint64_t)*getConstantIntValue(f),
                           /*isSigned=*/true, /*implicitTrunc=*/true));
    out->constant = DenseElementsAttr::get(type, vals);
    out->value = nullptr;
    return;
  }
  out->elems = std::move(*r);
}
