//===- Reductions.cpp - ONNX Reduce* operators ----------------------------===//
//
// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceSumSquare,
// ReduceL1, ReduceL2, ReduceLogSum and ReduceLogSumExp over sorted,
// normalized axes, with keepdims and noop_with_empty_axes.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

#include <limits>

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

namespace {

std::vector<int64_t> axesOf(NodeCtx &n, size_t inputIdx, int64_t rank,
                            bool fromInput) {
  std::vector<int64_t> axes;
  if (fromInput) {
    if (n.has(inputIdx))
      axes = n.constInts(inputIdx, "axes");
  } else if (auto a = n.attrInts("axes")) {
    axes = *a;
  }
  for (int64_t &a : axes)
    a = n.normAxis(a, rank);
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

/// Expands the reduced value `r` (reduced over `axes`) back to rank with 1s.

void reduceOp(NodeCtx &n) {
  const std::string &op = n.node.op_type();
  TValue &x = n.in(0);
  int64_t rank = x.shape.size();
  // Axes became an input in opset 13 for ReduceSum, and in 18 for the rest.
  bool axesInput = op == "ReduceSum" && n.opset >= 13;
  std::vector<int64_t> axes = axesOf(n, 1, rank, axesInput);
  bool keep = n.attrInt("keepdims", 1) != 0;
  if (axes.empty()) {
    if (n.attrInt("noop_with_empty_axes", 0)) {
      n.setOutput(0, n.val(0), x.dtype);
      return;
    }
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  Value v = n.val(0);
  Type et = elemOf(v);
  bool f = isa<FloatType>(et);
  bool uns = isUnsignedDType(x.dtype);
  if (x.dtype == DTy::BOOL)
    n.unsupported("bool input to " + op);
  int64_t count = 1;
  for (int64_t a : axes) {
    if (ShapedType::isDynamic(x.shape[a]) && op == "ReduceMean")
      n.unsupported("ReduceMean over a dynamic dimension; fix it with --shape-info");
    count *= ShapedType::isDynamic(x.shape[a]) ? 1 : x.shape[a];
  }
  Dims xd = n.imp.dimsOf(v);
  auto add = [&](OpBuilder &b, Location l, Value a, Value acc) -> Value {
    return f ? (Value)arith::AddFOp::create(b, l, a, acc) : (Value)arith::AddIOp::create(b, l, a, acc);
  };
  auto mul = [&](OpBuilder &b, Location l, Value a, Value c) -> Value {
    return f ? (Value)arith::MulFOp::create(b, l, a, c) : (Value)arith::MulIOp::create(b, l, a, c);
  };
  Value r;
  Location loc = n.loc;
  Importer &imp = n.imp;
  if (op == "ReduceSum" || op == "ReduceMean") {
    r = imp.reduce(loc, v, axes, scalarAttr(et, 0), add);
    if (op == "ReduceMean") {
      r = imp.elementwise(loc, {r}, ArrayRef<OpFoldResult>(imp.dimsOf(r)), et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value c = cst(b, l, et, (double)count);
        return f ? (Value)arith::DivFOp::create(b, l, a[0], c)
                 : (uns ? (Value)arith::DivUIOp::create(b, l, a[0], c)
                        : (Value)arith::DivSIOp::create(b, l, a[0], c));
      });
    }
  } else if (op == "ReduceProd") {
    r = imp.reduce(loc, v, axes, scalarAttr(et, 1), mul);
  } else if (op == "ReduceMax" || op == "ReduceMin") {
    bool mx = op == "ReduceMax";
    TypedAttr init;
    if (f)
      init = FloatAttr::get(et, mx ? -std::numeric_limits<double>::infinity()
                                   : std::numeric_limits<double>::infinity());
    else {
      unsigned w = et.getIntOrFloatBitWidth();
      init = IntegerAttr::get(et, mx ? (uns ? APInt::getMinValue(w) : APInt::getSignedMinValue(w))
                                     : (uns ? APInt::getMaxValue(w) : APInt::getSignedMaxValue(w)));
    }
    r = imp.reduce(loc, v, axes, init, [&](OpBuilder &b, Location l, Value a, Value acc) -> Value {
      if (f)
        return mx ? (Value)arith::MaximumFOp::create(b, l, a, acc) : (Value)arith::MinimumFOp::create(b, l, a, acc);
      if (uns)
        return mx ? (Value)arith::MaxUIOp::create(b, l, a, acc) : (Value)arith::MinUIOp::create(b, l, a, acc);
      return mx ? (Value)arith::MaxSIOp::create(b, l, a, acc) : (Value)arith::MinSIOp::create(b, l, a, acc);
    });
  } else if (op == "ReduceSumSquare" || op == "ReduceL2") {
    r = imp.reduce(loc, v, axes, scalarAttr(et, 0), [&](OpBuilder &b, Location l, Value a, Value acc) {
      return add(b, l, mul(b, l, a, a), acc);
    });
    if (op == "ReduceL2") {
      requireFloat(n);
      r = imp.elementwise(loc, {r}, ArrayRef<OpFoldResult>(imp.dimsOf(r)), et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        return math::SqrtOp::create(b, l, a[0]);
      });
    }
  } else if (op == "ReduceL1") {
    r = imp.reduce(loc, v, axes, scalarAttr(et, 0), [&](OpBuilder &b, Location l, Value a, Value acc) -> Value {
      Value ab = f ? (Value)math::AbsFOp::create(b, l, a) : (uns ? a : (Value)math::AbsIOp::create(b, l, a));
      return add(b, l, ab, acc);
    });
  } else if (op == "ReduceLogSum" || op == "ReduceLogSumExp") {
    requireFloat(n);
    bool lse = op == "ReduceLogSumExp";
    Value mx;
    if (lse) {
      // Stable: log(sum(exp(x - max))) + max.
      mx = imp.reduce(loc, v, axes, FloatAttr::get(et, -std::numeric_limits<double>::infinity()),
                      [&](OpBuilder &b, Location l, Value a, Value acc) -> Value {
                        return arith::MaximumFOp::create(b, l, a, acc);
                      });
      Value mxk = keepDims(n, mx, xd, axes);
      v = imp.elementwise(loc, {v, mxk}, ArrayRef<OpFoldResult>(xd), et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value d = arith::SubFOp::create(b, l, a[0], a[1]);
        return math::ExpOp::create(b, l, d);
      });
    }
    r = imp.reduce(loc, v, axes, scalarAttr(et, 0), add);
    SmallVector<Value> ins{r};
    if (lse)
      ins.push_back(mx);
    r = imp.elementwise(loc, ins, ArrayRef<OpFoldResult>(imp.dimsOf(r)), et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
      Value lg = math::LogOp::create(b, l, a[0]);
      return lse ? (Value)arith::AddFOp::create(b, l, lg, a[1]) : lg;
    });
  } else {
    n.unsupported("reduction " + op);
  }
  if (keep)
    r = keepDims(n, r, xd, axes);
  n.setOutput(0, r, x.dtype);
}

} // namespace

void lut::onnximport::registerReductionOps(OpRegistry &r) {
  // Opset 18 moves `axes` from an attribute to an input for every Reduce*
  // but ReduceSum (opset 13); the handler reads both up to opset 17.
  r.add({
      // op type, handler, opsets
      {"ReduceSum", reduceOp, 7, 17},
      {"ReduceMean", reduceOp, 7, 17},
      {"ReduceMax", reduceOp, 7, 17},
      {"ReduceMin", reduceOp, 7, 17},
      {"ReduceProd", reduceOp, 7, 17},
      {"ReduceSumSquare", reduceOp, 7, 17},
      {"ReduceL1", reduceOp, 7, 17},
      {"ReduceL2", reduceOp, 7, 17},
      {"ReduceLogSum", reduceOp, 7, 17},
      {"ReduceLogSumExp", reduceOp, 7, 17},
  });
}
