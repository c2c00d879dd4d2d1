//===- Reductions.cpp - ONNX Reduce* operators ----------------------------===//
//
// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceSumSquare,
// ReduceL1, ReduceL2, ReduceLogSum and ReduceLogSumExp over sorted,
// normalized axes, with keepdims and noop_with_empty_axes.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

#include <limits>

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

namespace {

std::vector<int64_t> axesOf(NodeCtx &n, size_t inputIdx, int64_t rank,
                            bool fromInput) {
  std::vector<int64_t> axes;
  if (fromInput) {
    // Constant axes (an empty input of static length 0 means none).
    if (n.has(inputIdx))
      for (OpFoldResult a : n.intElems(inputIdx, "axes"))
        axes.push_back(*getConstantIntValue(a));
  } else if (auto a = n.attrInts("axes")) {
    axes = *a;
  }
  for (int64_t &a : axes)
    a = n.normAxis(a, rank);
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

/// ReduceSum with axes read at run time (their number is static): a
/// linalg.generic over the keepdims result whose body loops (scf.for) over
/// the reduced elements, since which dims are reduced is data. keepdims=0
/// then drops the reduced dims by computed sizes.
void reduceSumDynamicAxes(NodeCtx &n, ArrayRef<OpFoldResult> axesD) {
  TValue &xt = n.in(0);
  OpBuilder &b = n.b;
  Location l = n.loc;
  Importer &imp = n.imp;
  Value x = n.val(0);
  Type et = elemOf(x);
  bool f = isa<FloatType>(et);
  int64_t r = xt.shape.size();
  int64_t k = axesD.size();
  bool keep = n.attrInt("keepdims", 1) != 0;
  if (!keep && k > r)
    n.fail("ReduceSum has " + Twine(k) + " axes for rank " + Twine(r));
  Dims xd = imp.dimsOf(x);
  Value zero = arith::ConstantIndexOp::create(b, l, 0);
  Value one = arith::ConstantIndexOp::create(b, l, 1);
  Value rank = arith::ConstantIndexOp::create(b, l, r);
  SmallVector<Value> axes;
  for (OpFoldResult a : axesD) {
    Value v = imp.indexValue(l, a);
    Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, v, zero);
    axes.push_back(arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, v, rank), v));
  }
  // Which dims are reduced; empty axes reduce all dims (or none with
  // noop_with_empty_axes, handled by the caller when the count is 0).
  SmallVector<Value> reduced, extent;
  Dims outD;
  Value total = one;
  for (int64_t d = 0; d < r; ++d) {
    Value dc = arith::ConstantIndexOp::create(b, l, d);
    Value hit = arith::ConstantIntOp::create(b, l, 0, 1);
    for (Value a : axes)
      hit = arith::OrIOp::create(b, l, hit, arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, a, dc));
    reduced.push_back(hit);
    Value dim = imp.indexValue(l, xd[d]);
    extent.push_back(arith::SelectOp::create(b, l, hit, dim, one));
    outD.push_back(arith::SelectOp::create(b, l, hit, one, dim).getResult());
    total = arith::MulIOp::create(b, l, total, extent.back());
  }
  Value init = imp.emptyTensor(l, outD, et);
  MLIRContext *ctx = b.getContext();
  Value y = linalg::GenericOp::create(
                b, l, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
                SmallVector<AffineMap>{AffineMap::getMultiDimIdentityMap(r, ctx)},
                SmallVector<utils::IteratorType>(r, utils::IteratorType::parallel),
                [&](OpBuilder &bb, Location ll, ValueRange) {
                  SmallVector<Value> out;
                  for (int64_t d = 0; d < r; ++d)
                    out.push_back(linalg::IndexOp::create(bb, ll, d));
                  Value acc0 = cst(bb, ll, et, 0);
                  auto loop = scf::ForOp::create(
                      bb, ll, zero, total, one, ValueRange{acc0},
                      [&](OpBuilder &lb, Location lll, Value iv, ValueRange iter) {
                        // Mixed-radix digits of iv over the reduced dims.
                        SmallVector<Value> idx(r);
                        Value rest = iv;
                        for (int64_t d = r - 1; d >= 0; --d) {
                          Value digit = arith::RemUIOp::create(lb, lll, rest, extent[d]);
                          rest = arith::DivUIOp::create(lb, lll, rest, extent[d]);
                          idx[d] = arith::SelectOp::create(lb, lll, reduced[d], digit, out[d]);
                        }
                        Value v = tensor::ExtractOp::create(lb, lll, x, idx);
                        Value sum = f ? (Value)arith::AddFOp::create(lb, lll, iter[0], v)
                                      : (Value)arith::AddIOp::create(lb, lll, iter[0], v);
                        scf::YieldOp::create(lb, lll, sum);
                      });
                  linalg::YieldOp::create(bb, ll, loop.getResult(0));
                })
                .getResult(0);
  if (keep) {
    n.setOutput(0, y, xt.dtype);
    return;
  }
  // Drop the reduced dims: result dim q is the q-th kept dim.
  Dims od = keptDimsAtRunTime(n, xd, reduced, r - k);
  n.setOutput(0, imp.reshape(l, y, ArrayRef<OpFoldResult>(od)), xt.dtype);
}

void reduceOp(NodeCtx &n) {
  const std::string &op = n.node.op_type();
  TValue &x = n.in(0);
  int64_t rank = x.shape.size();
  // Axes became an input in opset 13 for ReduceSum, and in 18 for the rest.
  bool axesInput = op == "ReduceSum" && n.opset >= 13;
  if (axesInput && n.has(1)) {
    Dims ad = n.intElems(1, "axes");
    if (!ad.empty() && llvm::any_of(ad, [](OpFoldResult a) { return !getConstantIntValue(a); })) {
      if (x.dtype == DTy::BOOL)
        n.unsupported("bool input to " + op);
      return reduceSumDynamicAxes(n, ad);
    }
  }
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
  Dims xd = n.imp.dimsOf(v);
  // The reduced element count (ReduceMean), a run-time value over dynamic
  // dims.
  OpFoldResult count = n.b.getIndexAttr(1);
  for (int64_t a : axes)
    count = n.imp.mulDims(n.loc, count, xd[a]);
  Value countV;
  if (op == "ReduceMean") {
    if (auto c = getConstantIntValue(count)) {
      countV = cst(n.b, n.loc, et, (double)*c);
    } else {
      Value i = arith::IndexCastOp::create(n.b, n.loc, n.b.getI64Type(), n.imp.indexValue(n.loc, count));
      if (f)
        countV = arith::SIToFPOp::create(n.b, n.loc, et, i);
      else if (et.getIntOrFloatBitWidth() < 64)
        countV = arith::TruncIOp::create(n.b, n.loc, et, i);
      else
        countV = i;
    }
  }
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
        Value c = countV;
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
