//===- Normalization.cpp - Softmax, LogSoftmax and LayerNormalization -----===//
//
// Numerically stable softmax (max-subtracted; the opset < 13 versions
// coerce the input to 2-D) and LayerNormalization (opset 17) with its
// optional mean and inverse-std-dev outputs.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

#include <limits>

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

namespace {

/// `count` (an element count) as a scalar of float type `et`.
Value countAsFloat(NodeCtx &n, OpFoldResult count, Type et) {
  if (auto c = getConstantIntValue(count))
    return cst(n.b, n.loc, et, (double)*c);
  Value i = arith::IndexCastOp::create(n.b, n.loc, n.b.getI64Type(), n.imp.indexValue(n.loc, count));
  return arith::SIToFPOp::create(n.b, n.loc, et, i);
}

void softmax(NodeCtx &n, bool logSoftmax) {
  requireFloat(n);
  TValue &xt = n.in(0);
  Value x = n.val(0);
  Dims s = n.imp.dimsOf(x);
  int64_t rank = s.size();
  int64_t axis = n.normAxis(n.attrInt("axis", n.opset >= 13 ? -1 : 1), rank);
  Dims work = s;
  std::vector<int64_t> axes;
  if (n.opset < 13) {
    // Coerced to 2-D [prod(d < axis), prod(d >= axis)].
    OpFoldResult a = n.b.getIndexAttr(1), b = n.b.getIndexAttr(1);
    for (int64_t i = 0; i < rank; ++i)
      (i < axis ? a : b) = n.imp.mulDims(n.loc, i < axis ? a : b, s[i]);
    work = {a, b};
    x = n.imp.reshape(n.loc, x, ArrayRef<OpFoldResult>(work));
    axes = {1};
  } else {
    axes = {axis};
  }
  Type et = elemOf(x);
  Location loc = n.loc;
  Importer &imp = n.imp;
  Value mx = imp.reduce(loc, x, axes, FloatAttr::get(et, -std::numeric_limits<double>::infinity()),
                        [](OpBuilder &b, Location l, Value a, Value acc) -> Value {
                          return arith::MaximumFOp::create(b, l, a, acc);
                        });
  mx = keepDims(n, mx, work, axes);
  Value e = imp.elementwise(loc, {x, mx}, ArrayRef<OpFoldResult>(work), et, [](OpBuilder &b, Location l, ValueRange a) -> Value {
    return math::ExpOp::create(b, l, arith::SubFOp::create(b, l, a[0], a[1]));
  });
  Value sum = imp.reduce(loc, e, axes, FloatAttr::get(et, 0.0),
                         [](OpBuilder &b, Location l, Value a, Value acc) -> Value {
                           return arith::AddFOp::create(b, l, a, acc);
                         });
  sum = keepDims(n, sum, work, axes);
  Value y;
  if (logSoftmax)
    y = imp.elementwise(loc, {x, mx, sum}, ArrayRef<OpFoldResult>(work), et, [](OpBuilder &b, Location l, ValueRange a) -> Value {
      Value d = arith::SubFOp::create(b, l, a[0], a[1]);
      return arith::SubFOp::create(b, l, d, math::LogOp::create(b, l, a[2]));
    });
  else
    y = imp.elementwise(loc, {e, sum}, ArrayRef<OpFoldResult>(work), et, [](OpBuilder &b, Location l, ValueRange a) -> Value {
      return arith::DivFOp::create(b, l, a[0], a[1]);
    });
  n.setOutput(0, imp.reshape(loc, y, ArrayRef<OpFoldResult>(s)), xt.dtype);
}

void layerNorm(NodeCtx &n) {
  requireFloat(n);
  TValue &xt = n.in(0);
  Value x = n.val(0);
  Dims s = n.imp.dimsOf(x);
  int64_t rank = s.size();
  int64_t axis = n.normAxis(n.attrInt("axis", -1), rank);
  float eps = n.attrFloat("epsilon", 1e-5f);
  std::vector<int64_t> axes;
  OpFoldResult countD = n.b.getIndexAttr(1);
  for (int64_t i = axis; i < rank; ++i) {
    axes.push_back(i);
    countD = n.imp.mulDims(n.loc, countD, s[i]);
  }
  Type et = elemOf(x);
  Location loc = n.loc;
  Importer &imp = n.imp;
  // The normalized element count, as a float (computed at run time when a
  // normalized dim is dynamic).
  Value countF = countAsFloat(n, countD, et);
  auto addF = [](OpBuilder &b, Location l, Value a, Value acc) -> Value {
    return arith::AddFOp::create(b, l, a, acc);
  };
  Value sum = keepDims(n, imp.reduce(loc, x, axes, FloatAttr::get(et, 0.0), addF), s, axes);
  Dims rs = imp.dimsOf(sum);
  Value mean = imp.elementwise(loc, {sum}, ArrayRef<OpFoldResult>(rs), et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    return arith::DivFOp::create(b, l, a[0], countF);
  });
  Value d = imp.elementwise(loc, {x, mean}, ArrayRef<OpFoldResult>(s), et, [](OpBuilder &b, Location l, ValueRange a) -> Value {
    return arith::SubFOp::create(b, l, a[0], a[1]);
  });
  Value sq = imp.reduce(loc, d, axes, FloatAttr::get(et, 0.0),
                        [](OpBuilder &b, Location l, Value a, Value acc) -> Value {
                          return arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, a, a), acc);
                        });
  sq = keepDims(n, sq, s, axes);
  Value inv = imp.elementwise(loc, {sq}, ArrayRef<OpFoldResult>(rs), et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    Value var = arith::DivFOp::create(b, l, a[0], countF);
    Value ve = arith::AddFOp::create(b, l, var, cst(b, l, et, eps));
    return math::RsqrtOp::create(b, l, ve);
  });
  SmallVector<Value> ins{d, inv, n.val(1)};
  bool hasB = n.has(2);
  if (hasB)
    ins.push_back(n.val(2));
  Value y = imp.elementwise(loc, ins, ArrayRef<OpFoldResult>(s), et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    Value r = arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, a[0], a[1]), a[2]);
    return hasB ? (Value)arith::AddFOp::create(b, l, r, a[3]) : r;
  });
  n.setOutput(0, y, xt.dtype);
  n.setOutput(1, mean, xt.dtype);
  n.setOutput(2, inv, xt.dtype);
}

} // namespace

void lut::onnximport::registerNormalizationOps(OpRegistry &r) {
  r.add({
      // op type, handler, opsets
      {"Softmax", [](NodeCtx &n) { softmax(n, false); }, 7, 17},
      {"LogSoftmax", [](NodeCtx &n) { softmax(n, true); }, 7, 17},
      {"LayerNormalization", layerNorm, 17, 17},
  });
}
