//===- ImportOps.cpp - ONNX node handlers ---------------------------------===//
//
// One handler per ONNX operator (ONNX Operators spec, opsets 7-17). Each
// lowers the node to linalg/tensor/arith/math on static tensors.
//
//===----------------------------------------------------------------------===//
#include "ImporterImpl.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

#include <cstring>

#include <cmath>
#include <limits>

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

namespace {

using DTy = onnx::TensorProto;
using ScalarFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

Shape shapeOf(Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  return Shape(t.getShape().begin(), t.getShape().end());
}

Type elemOf(Value v) { return cast<RankedTensorType>(v.getType()).getElementType(); }

Value cst(OpBuilder &b, Location l, Type t, double v) {
  if (isa<FloatType>(t))
    return arith::ConstantOp::create(b, l, FloatAttr::get(t, v));
  return arith::ConstantOp::create(b, l, IntegerAttr::get(t, (int64_t)v));
}

TypedAttr scalarAttr(Type t, double v) {
  if (isa<FloatType>(t))
    return FloatAttr::get(t, v);
  return IntegerAttr::get(t, APInt(t.getIntOrFloatBitWidth(), (uint64_t)(int64_t)v,
                                   true, true));
}

/// Defines output `i` as `x` reshaped to `shape`, on the host when `x` is.
void reshapeOutput(NodeCtx &n, TValue &x, ArrayRef<int64_t> shape) {
  int64_t numel = 1;
  for (int64_t d : shape)
    numel *= d;
  int64_t have = 1;
  for (int64_t d : x.shape)
    have *= d;
  if (numel != have)
    n.fail("cannot reshape " + Twine(have) + " elements into " + Twine(numel));
  if (x.host) {
    HostTensor h = *x.host;
    h.shape.assign(shape.begin(), shape.end());
    n.setHostOutput(0, std::move(h));
    return;
  }
  n.setOutput(0, n.imp.reshape(n.loc, n.val(0), shape), x.dtype);
}

// --- elementwise -----------------------------------------------------------

/// Numpy-broadcasting elementwise op over all present inputs.
void ewiseN(NodeCtx &n, int32_t outDT, ScalarFn fn, size_t count = ~0ul) {
  SmallVector<Value> vals;
  Shape out;
  size_t e = std::min(count, n.numInputs());
  for (size_t i = 0; i < e; ++i) {
    if (!n.has(i))
      continue;
    Value v = n.val(i);
    Shape tmp;
    if (!broadcastShapes(out, shapeOf(v), tmp))
      n.fail("input shapes do not broadcast");
    out = tmp;
    vals.push_back(v);
  }
  Type et = n.imp.elemType(outDT, n.loc);
  n.setOutput(0, n.imp.elementwise(n.loc, vals, out, et, fn), outDT);
}

bool requireFloat(NodeCtx &n, size_t i = 0) {
  if (!isFloatDT(n.in(i).dtype))
    n.unsupported("element type '" + Twine(dtypeName(n.in(i).dtype)) +
                  "' (only floating point is supported for " + n.node.op_type() + ")");
  return true;
}

Value cmp(OpBuilder &b, Location l, Value x, Value y, arith::CmpFPredicate fp,
          arith::CmpIPredicate sp, arith::CmpIPredicate up, bool uns) {
  if (isa<FloatType>(x.getType()))
    return arith::CmpFOp::create(b, l, fp, x, y);
  return arith::CmpIOp::create(b, l, uns ? up : sp, x, y);
}

/// Converts scalar `v` of ONNX type `from` to ONNX type `to` (Cast semantics).
Value convert(OpBuilder &b, Location l, Value v, int32_t from, Type toT, int32_t to) {
  Type fromT = v.getType();
  if (fromT == toT && isUnsignedDT(from) == isUnsignedDT(to))
    return v;
  bool fF = isa<FloatType>(fromT), tF = isa<FloatType>(toT);
  if (to == DTy::BOOL) {
    Value z = cst(b, l, fromT, 0);
    return fF ? (Value)arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, v, z)
              : (Value)arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, v, z);
  }
  bool srcUns = isUnsignedDT(from) || from == DTy::BOOL;
  if (fF && tF) {
    unsigned fw = fromT.getIntOrFloatBitWidth(), tw = toT.getIntOrFloatBitWidth();
    if (fw < tw)
      return arith::ExtFOp::create(b, l, toT, v);
    if (fw > tw)
      return arith::TruncFOp::create(b, l, toT, v);
    // f16 <-> bf16: through f32.
    Value f = arith::ExtFOp::create(b, l, b.getF32Type(), v);
    return arith::TruncFOp::create(b, l, toT, f);
  }
  if (!fF && tF)
    return srcUns ? (Value)arith::UIToFPOp::create(b, l, toT, v)
                  : (Value)arith::SIToFPOp::create(b, l, toT, v);
  if (fF && !tF)
    return isUnsignedDT(to) ? (Value)arith::FPToUIOp::create(b, l, toT, v)
                            : (Value)arith::FPToSIOp::create(b, l, toT, v);
  unsigned fw = fromT.getIntOrFloatBitWidth(), tw = toT.getIntOrFloatBitWidth();
  if (fw < tw)
    return srcUns ? (Value)arith::ExtUIOp::create(b, l, toT, v)
                  : (Value)arith::ExtSIOp::create(b, l, toT, v);
  if (fw > tw)
    return arith::TruncIOp::create(b, l, toT, v);
  return v;
}

// --- handlers --------------------------------------------------------------

void unaryFloat(NodeCtx &n,
                std::function<Value(OpBuilder &, Location, Value)> fn) {
  requireFloat(n);
  int32_t dt = n.in(0).dtype;
  ewiseN(n, dt, [&](OpBuilder &b, Location l, ValueRange a) { return fn(b, l, a[0]); });
}

void binaryArith(NodeCtx &n) {
  const std::string &op = n.node.op_type();
  int32_t dt = n.in(0).dtype;
  if (n.in(1).dtype != dt)
    n.fail(Twine("input types differ: ") + dtypeName(dt) + " and " +
           dtypeName(n.in(1).dtype));
  bool uns = isUnsignedDT(dt);
  if (dt == DTy::BOOL)
    n.unsupported("bool operands for " + op);
  ewiseN(n, dt, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    Value x = a[0], y = a[1];
    bool f = isa<FloatType>(x.getType());
    if (op == "Add")
      return f ? (Value)arith::AddFOp::create(b, l, x, y) : (Value)arith::AddIOp::create(b, l, x, y);
    if (op == "Sub")
      return f ? (Value)arith::SubFOp::create(b, l, x, y) : (Value)arith::SubIOp::create(b, l, x, y);
    if (op == "Mul")
      return f ? (Value)arith::MulFOp::create(b, l, x, y) : (Value)arith::MulIOp::create(b, l, x, y);
    // Div: integer division truncates toward zero (as C and numpy's
    // np.trunc-based reference in ONNX's tests).
    if (f)
      return arith::DivFOp::create(b, l, x, y);
    return uns ? (Value)arith::DivUIOp::create(b, l, x, y) : (Value)arith::DivSIOp::create(b, l, x, y);
  });
}

void variadicMinMax(NodeCtx &n, bool isMax) {
  int32_t dt = n.in(0).dtype;
  bool uns = isUnsignedDT(dt);
  if (dt == DTy::BOOL)
    n.unsupported("bool operands for " + n.node.op_type());
  ewiseN(n, dt, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    Value r = a[0];
    for (Value y : a.drop_front()) {
      if (isa<FloatType>(r.getType()))
        r = isMax ? (Value)arith::MaximumFOp::create(b, l, r, y)
                  : (Value)arith::MinimumFOp::create(b, l, r, y);
      else if (uns)
        r = isMax ? (Value)arith::MaxUIOp::create(b, l, r, y)
                  : (Value)arith::MinUIOp::create(b, l, r, y);
      else
        r = isMax ? (Value)arith::MaxSIOp::create(b, l, r, y)
                  : (Value)arith::MinSIOp::create(b, l, r, y);
    }
    return r;
  });
}

void compare(NodeCtx &n, arith::CmpFPredicate fp, arith::CmpIPredicate sp,
             arith::CmpIPredicate up) {
  bool uns = isUnsignedDT(n.in(0).dtype) || n.in(0).dtype == DTy::BOOL;
  ewiseN(n, DTy::BOOL, [&](OpBuilder &b, Location l, ValueRange a) {
    return cmp(b, l, a[0], a[1], fp, sp, up, uns);
  });
}

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
Value keepDims(NodeCtx &n, Value r, ArrayRef<int64_t> inShape,
               ArrayRef<int64_t> axes) {
  Shape s(inShape.begin(), inShape.end());
  for (int64_t a : axes)
    s[a] = 1;
  return n.imp.reshape(n.loc, r, s);
}

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
  bool uns = isUnsignedDT(x.dtype);
  if (x.dtype == DTy::BOOL)
    n.unsupported("bool input to " + op);
  int64_t count = 1;
  for (int64_t a : axes)
    count *= x.shape[a];
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
      r = imp.elementwise(loc, {r}, shapeOf(r), et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
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
      r = imp.elementwise(loc, {r}, shapeOf(r), et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
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
      Value mxk = keepDims(n, mx, x.shape, axes);
      v = imp.elementwise(loc, {v, mxk}, x.shape, et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value d = arith::SubFOp::create(b, l, a[0], a[1]);
        return math::ExpOp::create(b, l, d);
      });
    }
    r = imp.reduce(loc, v, axes, scalarAttr(et, 0), add);
    SmallVector<Value> ins{r};
    if (lse)
      ins.push_back(mx);
    r = imp.elementwise(loc, ins, shapeOf(r), et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
      Value lg = math::LogOp::create(b, l, a[0]);
      return lse ? (Value)arith::AddFOp::create(b, l, lg, a[1]) : lg;
    });
  } else {
    n.unsupported("reduction " + op);
  }
  if (keep)
    r = keepDims(n, r, x.shape, axes);
  n.setOutput(0, r, x.dtype);
}

void matmul(NodeCtx &n) {
  TValue &at = n.in(0), &bt = n.in(1);
  if (at.dtype != bt.dtype)
    n.fail(Twine("input types differ: ") + dtypeName(at.dtype) + " and " + dtypeName(bt.dtype));
  Value a = n.val(0), b = n.val(1);
  Shape as = shapeOf(a), bs = shapeOf(b);
  if (as.empty() || bs.empty())
    n.fail("MatMul inputs must have rank >= 1");
  bool aVec = as.size() == 1, bVec = bs.size() == 1;
  if (aVec) {
    as.insert(as.begin(), 1);
    a = n.imp.reshape(n.loc, a, as);
  }
  if (bVec) {
    bs.push_back(1);
    b = n.imp.reshape(n.loc, b, bs);
  }
  int64_t M = as[as.size() - 2], K = as.back(), K2 = bs[bs.size() - 2], N = bs.back();
  if (K != K2)
    n.fail("MatMul inner dimensions differ: " + Twine(K) + " and " + Twine(K2));
  Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2), batch;
  if (!broadcastShapes(ab, bb, batch))
    n.fail("MatMul batch dimensions do not broadcast");
  int64_t nb = batch.size();
  int64_t nd = nb + 3; // batch..., m, n, k
  MLIRContext *ctx = n.b.getContext();
  auto dim = [&](int64_t i) { return n.b.getAffineDimExpr(i); };
  auto batchExprs = [&](ArrayRef<int64_t> s) {
    SmallVector<AffineExpr> e;
    int64_t off = nb - (int64_t)s.size();
    for (size_t i = 0; i < s.size(); ++i)
      e.push_back(s[i] == 1 && batch[off + i] != 1 ? n.b.getAffineConstantExpr(0) : dim(off + i));
    return e;
  };
  auto ea = batchExprs(ab);
  ea.push_back(dim(nb));
  ea.push_back(dim(nb + 2));
  auto eb = batchExprs(bb);
  eb.push_back(dim(nb + 2));
  eb.push_back(dim(nb + 1));
  SmallVector<AffineExpr> eo;
  for (int64_t i = 0; i < nb + 2; ++i)
    eo.push_back(dim(i));
  Shape outShape = batch;
  outShape.push_back(M);
  outShape.push_back(N);
  Type et = elemOf(a);
  Value init = n.imp.filled(n.loc, outShape, et, scalarAttr(et, 0));
  SmallVector<utils::IteratorType> iters(nb + 2, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  bool f = isa<FloatType>(et);
  auto g = linalg::GenericOp::create(
      n.b, n.loc, TypeRange{init.getType()}, ValueRange{a, b}, ValueRange{init},
      SmallVector<AffineMap>{AffineMap::get(nd, 0, ea, ctx), AffineMap::get(nd, 0, eb, ctx),
                             AffineMap::get(nd, 0, eo, ctx)},
      iters, [&](OpBuilder &bb2, Location l, ValueRange args) {
        Value p = f ? (Value)arith::MulFOp::create(bb2, l, args[0], args[1])
                    : (Value)arith::MulIOp::create(bb2, l, args[0], args[1]);
        Value s = f ? (Value)arith::AddFOp::create(bb2, l, args[2], p)
                    : (Value)arith::AddIOp::create(bb2, l, args[2], p);
        linalg::YieldOp::create(bb2, l, s);
      });
  Value r = g.getResult(0);
  Shape finalShape = batch;
  if (!aVec)
    finalShape.push_back(M);
  if (!bVec)
    finalShape.push_back(N);
  n.setOutput(0, n.imp.reshape(n.loc, r, finalShape), at.dtype);
}

void transposeTo(NodeCtx &n, Value x, ArrayRef<int64_t> perm, Value &out) {
  Shape s = shapeOf(x), os;
  for (int64_t p : perm)
    os.push_back(s[p]);
  Value init = n.imp.emptyTensor(n.loc, os, elemOf(x));
  out = linalg::TransposeOp::create(n.b, n.loc, x, init, perm).getResult()[0];
}

/// The raw little-endian bytes of a constant (dense or dense_resource).
std::optional<ArrayRef<char>> constantBytes(ElementsAttr attr) {
  if (auto d = dyn_cast<DenseElementsAttr>(attr)) {
    if (d.isSplat() || d.getElementType().isInteger(1))
      return std::nullopt;
    return d.getRawData();
  }
  if (auto r = dyn_cast<DenseResourceElementsAttr>(attr))
    if (AsmResourceBlob *blob = r.getRawHandle().getBlob())
      return blob->getData();
  return std::nullopt;
}

/// Input `i` (a 2-D constant) transposed at import time, so that weights
/// stay constants (as `lut-detect-mlp` expects); null if not possible.
Value transposedConstant(NodeCtx &n, size_t i) {
  TValue &tv = n.in(i);
  if (!tv.constant || tv.shape.size() != 2)
    return nullptr;
  auto bytes = constantBytes(tv.constant);
  auto type = cast<RankedTensorType>(tv.constant.getType());
  unsigned eb = type.getElementTypeBitWidth() / 8;
  if (!bytes || eb == 0 || (int64_t)bytes->size() != type.getNumElements() * eb)
    return nullptr;
  int64_t r = tv.shape[0], c = tv.shape[1];
  std::vector<char> out(bytes->size());
  for (int64_t x = 0; x < r; ++x)
    for (int64_t y = 0; y < c; ++y)
      std::memcpy(&out[(y * r + x) * eb], &(*bytes)[(x * c + y) * eb], eb);
  auto tt = RankedTensorType::get({c, r}, type.getElementType());
  std::string key = n.node.input(i) + ".T";
  for (char &ch : key)
    if (!llvm::isAlnum(ch) && ch != '_' && ch != '.')
      ch = '_';
  TypedAttr attr;
  if (isa<DenseResourceElementsAttr>(tv.constant))
    attr = DenseResourceElementsAttr::get(
        tt, key, HeapAsmResourceBlob::allocateAndCopyWithAlign(ArrayRef<char>(out), alignof(uint64_t)));
  else
    attr = DenseElementsAttr::getFromRawBuffer(tt, ArrayRef<char>(out));
  return arith::ConstantOp::create(n.b, n.loc, attr);
}

void gemm(NodeCtx &n) {
  requireFloat(n);
  Value a, b;
  if (n.attrInt("transA", 0)) {
    a = transposedConstant(n, 0);
    if (!a)
      transposeTo(n, n.val(0), {1, 0}, a);
  } else {
    a = n.val(0);
  }
  if (n.attrInt("transB", 0)) {
    b = transposedConstant(n, 1);
    if (!b)
      transposeTo(n, n.val(1), {1, 0}, b);
  } else {
    b = n.val(1);
  }
  Shape as = shapeOf(a), bs = shapeOf(b);
  if (as.size() != 2 || bs.size() != 2)
    n.fail("Gemm inputs must be 2-D");
  if (as[1] != bs[0])
    n.fail("Gemm inner dimensions differ: " + Twine(as[1]) + " and " + Twine(bs[0]));
  Type et = elemOf(a);
  Shape os{as[0], bs[1]};
  Value init = n.imp.filled(n.loc, os, et, scalarAttr(et, 0));
  Value y = linalg::MatmulOp::create(n.b, n.loc, ValueRange{a, b}, ValueRange{init}).getResult(0);
  float alpha = n.attrFloat("alpha", 1.0f), beta = n.attrFloat("beta", 1.0f);
  SmallVector<Value> ins{y};
  bool hasC = n.has(2);
  if (hasC)
    ins.push_back(n.val(2));
  y = n.imp.elementwise(n.loc, ins, os, et, [&](OpBuilder &b2, Location l, ValueRange v) -> Value {
    Value r = v[0];
    if (alpha != 1.0f)
      r = arith::MulFOp::create(b2, l, r, cst(b2, l, et, alpha));
    if (hasC) {
      Value c = v[1];
      if (beta != 1.0f)
        c = arith::MulFOp::create(b2, l, c, cst(b2, l, et, beta));
      r = arith::AddFOp::create(b2, l, r, c);
    }
    return r;
  });
  n.setOutput(0, y, n.in(0).dtype);
}

void conv(NodeCtx &n) {
  requireFloat(n);
  Value x = n.val(0), w = n.val(1);
  Shape xs = shapeOf(x), ws = shapeOf(w);
  int64_t sp = xs.size() - 2;
  if (sp < 1 || ws.size() != xs.size())
    n.fail("Conv needs X of rank >= 3 and W of the same rank");
  int64_t group = n.attrInt("group", 1);
  int64_t C = xs[1], M = ws[0], Cg = ws[1];
  if (group < 1 || C != Cg * group || M % group != 0)
    n.fail("Conv channels do not match: X has " + Twine(C) + ", W expects " +
           Twine(Cg) + " x group " + Twine(group));
  auto vec = [&](StringRef name, int64_t dflt, int64_t len) {
    std::vector<int64_t> v = n.attrInts(name).value_or(std::vector<int64_t>(len, dflt));
    if ((int64_t)v.size() != len)
      n.fail(name + " has " + Twine((int64_t)v.size()) + " values, expected " + Twine(len));
    return v;
  };
  auto strides = vec("strides", 1, sp), dil = vec("dilations", 1, sp);
  auto pads = vec("pads", 0, 2 * sp);
  std::string autoPad = n.attrString("auto_pad", "NOTSET");
  Shape kernel(ws.begin() + 2, ws.end());
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int64_t i = 0; i < sp; ++i) {
      int64_t out = (xs[i + 2] + strides[i] - 1) / strides[i];
      int64_t total = std::max<int64_t>((out - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - xs[i + 2], 0);
      int64_t small = total / 2, big = total - small;
      pads[i] = autoPad == "SAME_UPPER" ? small : big;
      pads[i + sp] = autoPad == "SAME_UPPER" ? big : small;
    }
  } else if (autoPad == "VALID") {
    std::fill(pads.begin(), pads.end(), 0);
  } else if (autoPad != "NOTSET") {
    n.fail("unknown auto_pad '" + autoPad + "'");
  }
  Type et = elemOf(x);
  bool anyPad = llvm::any_of(pads, [](int64_t p) { return p != 0; });
  if (anyPad) {
    SmallVector<OpFoldResult> lo(2, n.b.getIndexAttr(0)), hi(2, n.b.getIndexAttr(0));
    Shape ps = xs;
    for (int64_t i = 0; i < sp; ++i) {
      lo.push_back(n.b.getIndexAttr(pads[i]));
      hi.push_back(n.b.getIndexAttr(pads[i + sp]));
      ps[i + 2] += pads[i] + pads[i + sp];
    }
    Value zero = cst(n.b, n.loc, et, 0);
    x = tensor::PadOp::create(n.b, n.loc, RankedTensorType::get(ps, et), x, lo, hi, zero);
    xs = ps;
  }
  Shape os{xs[0], M};
  for (int64_t i = 0; i < sp; ++i) {
    int64_t span = (kernel[i] - 1) * dil[i] + 1;
    if (xs[i + 2] < span)
      n.fail("Conv kernel is larger than the (padded) input");
    os.push_back((xs[i + 2] - span) / strides[i] + 1);
  }
  // Loops: n, m, o_1..o_sp, c, r_1..r_sp.
  int64_t nd = 2 + sp + 1 + sp;
  auto d = [&](int64_t i) { return n.b.getAffineDimExpr(i); };
  int64_t Mg = M / group;
  SmallVector<AffineExpr> xe{d(0), group == 1 ? d(2 + sp) : d(1).floorDiv(Mg) * Cg + d(2 + sp)};
  SmallVector<AffineExpr> we{d(1), d(2 + sp)};
  SmallVector<AffineExpr> oe{d(0), d(1)};
  for (int64_t i = 0; i < sp; ++i) {
    xe.push_back(d(2 + i) * strides[i] + d(3 + sp + i) * dil[i]);
    we.push_back(d(3 + sp + i));
    oe.push_back(d(2 + i));
  }
  SmallVector<utils::IteratorType> iters(2 + sp, utils::IteratorType::parallel);
  iters.append(1 + sp, utils::IteratorType::reduction);
  Value init = n.imp.filled(n.loc, os, et, scalarAttr(et, 0));
  MLIRContext *ctx = n.b.getContext();
  Value y = linalg::GenericOp::create(
                n.b, n.loc, TypeRange{init.getType()}, ValueRange{x, w}, ValueRange{init},
                SmallVector<AffineMap>{AffineMap::get(nd, 0, xe, ctx), AffineMap::get(nd, 0, we, ctx),
                                       AffineMap::get(nd, 0, oe, ctx)},
                iters,
                [&](OpBuilder &b2, Location l, ValueRange a) {
                  Value p = arith::MulFOp::create(b2, l, a[0], a[1]);
                  linalg::YieldOp::create(b2, l, ValueRange{arith::AddFOp::create(b2, l, a[2], p)});
                })
                .getResult(0);
  if (n.has(2)) {
    Value bias = n.imp.reshape(n.loc, n.val(2), Shape{M, 1});
    Shape bs{M};
    bs.append(sp, 1);
    bias = n.imp.reshape(n.loc, n.val(2), bs);
    y = n.imp.elementwise(n.loc, {y, bias}, os, et, [](OpBuilder &b2, Location l, ValueRange a) -> Value {
      return arith::AddFOp::create(b2, l, a[0], a[1]);
    });
  }
  n.setOutput(0, y, n.in(0).dtype);
}

void softmax(NodeCtx &n, bool logSoftmax) {
  requireFloat(n);
  TValue &xt = n.in(0);
  Value x = n.val(0);
  Shape s = xt.shape;
  int64_t rank = s.size();
  int64_t axis = n.normAxis(n.attrInt("axis", n.opset >= 13 ? -1 : 1), rank);
  Shape work = s;
  std::vector<int64_t> axes;
  if (n.opset < 13) {
    // Coerced to 2-D [prod(d < axis), prod(d >= axis)].
    int64_t a = 1, b = 1;
    for (int64_t i = 0; i < rank; ++i)
      (i < axis ? a : b) *= s[i];
    work = {a, b};
    x = n.imp.reshape(n.loc, x, work);
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
  Value e = imp.elementwise(loc, {x, mx}, work, et, [](OpBuilder &b, Location l, ValueRange a) -> Value {
    return math::ExpOp::create(b, l, arith::SubFOp::create(b, l, a[0], a[1]));
  });
  Value sum = imp.reduce(loc, e, axes, FloatAttr::get(et, 0.0),
                         [](OpBuilder &b, Location l, Value a, Value acc) -> Value {
                           return arith::AddFOp::create(b, l, a, acc);
                         });
  sum = keepDims(n, sum, work, axes);
  Value y;
  if (logSoftmax)
    y = imp.elementwise(loc, {x, mx, sum}, work, et, [](OpBuilder &b, Location l, ValueRange a) -> Value {
      Value d = arith::SubFOp::create(b, l, a[0], a[1]);
      return arith::SubFOp::create(b, l, d, math::LogOp::create(b, l, a[2]));
    });
  else
    y = imp.elementwise(loc, {e, sum}, work, et, [](OpBuilder &b, Location l, ValueRange a) -> Value {
      return arith::DivFOp::create(b, l, a[0], a[1]);
    });
  n.setOutput(0, imp.reshape(loc, y, s), xt.dtype);
}

void layerNorm(NodeCtx &n) {
  requireFloat(n);
  TValue &xt = n.in(0);
  Value x = n.val(0);
  Shape s = xt.shape;
  int64_t rank = s.size();
  int64_t axis = n.normAxis(n.attrInt("axis", -1), rank);
  float eps = n.attrFloat("epsilon", 1e-5f);
  std::vector<int64_t> axes;
  int64_t count = 1;
  for (int64_t i = axis; i < rank; ++i) {
    axes.push_back(i);
    count *= s[i];
  }
  Type et = elemOf(x);
  Location loc = n.loc;
  Importer &imp = n.imp;
  auto addF = [](OpBuilder &b, Location l, Value a, Value acc) -> Value {
    return arith::AddFOp::create(b, l, a, acc);
  };
  Value sum = keepDims(n, imp.reduce(loc, x, axes, FloatAttr::get(et, 0.0), addF), s, axes);
  Shape rs = shapeOf(sum);
  Value mean = imp.elementwise(loc, {sum}, rs, et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    return arith::DivFOp::create(b, l, a[0], cst(b, l, et, (double)count));
  });
  Value d = imp.elementwise(loc, {x, mean}, s, et, [](OpBuilder &b, Location l, ValueRange a) -> Value {
    return arith::SubFOp::create(b, l, a[0], a[1]);
  });
  Value sq = imp.reduce(loc, d, axes, FloatAttr::get(et, 0.0),
                        [](OpBuilder &b, Location l, Value a, Value acc) -> Value {
                          return arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, a, a), acc);
                        });
  sq = keepDims(n, sq, s, axes);
  Value inv = imp.elementwise(loc, {sq}, rs, et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    Value var = arith::DivFOp::create(b, l, a[0], cst(b, l, et, (double)count));
    Value ve = arith::AddFOp::create(b, l, var, cst(b, l, et, eps));
    return math::RsqrtOp::create(b, l, ve);
  });
  SmallVector<Value> ins{d, inv, n.val(1)};
  bool hasB = n.has(2);
  if (hasB)
    ins.push_back(n.val(2));
  Value y = imp.elementwise(loc, ins, s, et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    Value r = arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, a[0], a[1]), a[2]);
    return hasB ? (Value)arith::AddFOp::create(b, l, r, a[3]) : r;
  });
  n.setOutput(0, y, xt.dtype);
  n.setOutput(1, mean, xt.dtype);
  n.setOutput(2, inv, xt.dtype);
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
  if (xt.host) {
    HostTensor h;
    h.shape = size;
    h.dtype = xt.dtype;
    int64_t numel = h.numel();
    for (int64_t f = 0; f < numel; ++f) {
      int64_t rem = f, src = 0, mul = 1;
      Shape idx(r);
      for (int64_t d = r - 1; d >= 0; --d) {
        idx[d] = size[d] ? rem % size[d] : 0;
        rem = size[d] ? rem / size[d] : 0;
      }
      for (int64_t d = r - 1; d >= 0; --d) {
        src += (off[d] + idx[d] * stride[d]) * mul;
        mul *= xt.shape[d];
      }
      if (h.isFloat())
        h.floats.push_back(xt.host->floats[src]);
      else
        h.ints.push_back(xt.host->ints[src]);
    }
    n.setHostOutput(0, std::move(h));
    return;
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
  Value y;
  transposeTo(n, n.val(0), perm, y);
  n.setOutput(0, y, xt.dtype);
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

void where(NodeCtx &n) {
  int32_t dt = n.in(1).dtype;
  ewiseN(n, dt, [](OpBuilder &b, Location l, ValueRange a) -> Value {
    return arith::SelectOp::create(b, l, a[0], a[1], a[2]);
  });
}

void castOp(NodeCtx &n) {
  int32_t from = n.in(0).dtype;
  int32_t to = n.attrInt("to", 0);
  if (to == DTy::STRING || from == DTy::STRING)
    n.unsupported("Cast to or from string");
  Type toT = n.imp.elemType(to, n.loc);
  ewiseN(n, to, [&](OpBuilder &b, Location l, ValueRange a) {
    return convert(b, l, a[0], from, toT, to);
  });
}

void clip(NodeCtx &n) {
  int32_t dt = n.in(0).dtype;
  bool uns = isUnsignedDT(dt);
  Value x = n.val(0);
  Type et = elemOf(x);
  SmallVector<Value> ins{x};
  bool hasMin = false, hasMax = false;
  if (n.opset >= 11) {
    if (n.has(1)) { ins.push_back(n.val(1)); hasMin = true; }
    if (n.has(2)) { ins.push_back(n.val(2)); hasMax = true; }
  } else {
    float lo = n.attrFloat("min", -std::numeric_limits<float>::max());
    float hi = n.attrFloat("max", std::numeric_limits<float>::max());
    ins.push_back(n.imp.filled(n.loc, {}, et, scalarAttr(et, lo)));
    ins.push_back(n.imp.filled(n.loc, {}, et, scalarAttr(et, hi)));
    hasMin = hasMax = true;
  }
  bool f = isa<FloatType>(et);
  n.setOutput(0, n.imp.elementwise(n.loc, ins, shapeOf(x), et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    Value r = a[0];
    size_t k = 1;
    if (hasMin) {
      Value lo = a[k++];
      Value lt = cmp(b, l, r, lo, arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt, arith::CmpIPredicate::ult, uns);
      r = arith::SelectOp::create(b, l, lt, lo, r);
    }
    if (hasMax) {
      Value hi = a[k++];
      Value gt = cmp(b, l, r, hi, arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt, arith::CmpIPredicate::ugt, uns);
      r = arith::SelectOp::create(b, l, gt, hi, r);
    }
    (void)f;
    return r;
  }), dt);
}

void powOp(NodeCtx &n) {
  requireFloat(n);
  int32_t dt = n.in(0).dtype;
  int32_t edt = n.in(1).dtype;
  Type et = n.imp.elemType(dt, n.loc);
  ewiseN(n, dt, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    Value e = convert(b, l, a[1], edt, et, dt);
    return math::PowFOp::create(b, l, a[0], e);
  });
}

void dropout(NodeCtx &n) {
  if (n.has(2)) {
    TValue &tm = n.in(2);
    if (!tm.host || tm.host->getInt(0) != 0)
      n.unsupported("Dropout in training mode");
  }
  TValue &x = n.in(0);
  n.setOutput(0, n.val(0), x.dtype);
  if (n.wantsOutput(1)) {
    Type i1 = n.b.getI1Type();
    n.setOutput(1, n.imp.filled(n.loc, x.shape, i1, n.b.getBoolAttr(true)), DTy::BOOL);
  }
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

/// Range whose result is too large to keep on the host (inputs constant).
void range(NodeCtx &n) {
  for (size_t i = 0; i < 3; ++i)
    if (!n.in(i).host)
      n.unsupported("Range with inputs computed at run time (input '" + n.node.input(i) +
                    "'); lut-mlir needs static shapes");
  const HostTensor &st = *n.in(0).host, &li = *n.in(1).host, &de = *n.in(2).host;
  double start = st.get(0), limit = li.get(0), delta = de.get(0);
  if (delta == 0)
    n.fail("Range has delta 0");
  double c = std::ceil((limit - start) / delta);
  if (!(c < 1e10))
    n.fail("Range would have " + Twine(std::to_string(c)) + " elements");
  int64_t count = std::max<int64_t>((int64_t)c, 0);
  int32_t dt = st.dtype;
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
                    v = arith::AddFOp::create(b, l, cst(b, l, et, start),
                                              arith::MulFOp::create(b, l, fi, cst(b, l, et, delta)));
                  } else {
                    Value ii = arith::IndexCastOp::create(b, l, et, i);
                    v = arith::AddIOp::create(b, l, cst(b, l, et, (double)st.getInt(0)),
                                              arith::MulIOp::create(b, l, ii, cst(b, l, et, (double)de.getInt(0))));
                  }
                  linalg::YieldOp::create(b, l, v);
                })
                .getResult(0);
  n.setOutput(0, y, dt);
}

} // namespace

bool lut::onnximport::importNode(NodeCtx &n) {
  using F = std::function<void(NodeCtx &)>;
  using CF = arith::CmpFPredicate;
  using CI = arith::CmpIPredicate;
  auto uf = [](auto fn) -> F {
    return [fn](NodeCtx &n) { unaryFloat(n, fn); };
  };
  static const llvm::StringMap<F> table = [&] {
    llvm::StringMap<F> t;
    for (const char *op : {"Add", "Sub", "Mul", "Div"})
      t[op] = binaryArith;
    t["Sum"] = [](NodeCtx &n) {
      int32_t dt = n.in(0).dtype;
      ewiseN(n, dt, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value r = a[0];
        for (Value y : a.drop_front())
          r = isa<FloatType>(r.getType()) ? (Value)arith::AddFOp::create(b, l, r, y)
                                          : (Value)arith::AddIOp::create(b, l, r, y);
        return r;
      });
    };
    t["Mean"] = [](NodeCtx &n) {
      requireFloat(n);
      int32_t dt = n.in(0).dtype;
      ewiseN(n, dt, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value r = a[0];
        for (Value y : a.drop_front())
          r = arith::AddFOp::create(b, l, r, y);
        return arith::DivFOp::create(b, l, r, cst(b, l, r.getType(), (double)a.size()));
      });
    };
    t["Max"] = [](NodeCtx &n) { variadicMinMax(n, true); };
    t["Min"] = [](NodeCtx &n) { variadicMinMax(n, false); };
    t["Equal"] = [](NodeCtx &n) { compare(n, CF::OEQ, CI::eq, CI::eq); };
    t["Less"] = [](NodeCtx &n) { compare(n, CF::OLT, CI::slt, CI::ult); };
    t["LessOrEqual"] = [](NodeCtx &n) { compare(n, CF::OLE, CI::sle, CI::ule); };
    t["Greater"] = [](NodeCtx &n) { compare(n, CF::OGT, CI::sgt, CI::ugt); };
    t["GreaterOrEqual"] = [](NodeCtx &n) { compare(n, CF::OGE, CI::sge, CI::uge); };
    t["Not"] = [](NodeCtx &n) {
      ewiseN(n, DTy::BOOL, [](OpBuilder &b, Location l, ValueRange a) -> Value {
        return arith::XOrIOp::create(b, l, a[0], cst(b, l, b.getI1Type(), 1));
      });
    };
    for (const char *op : {"And", "Or", "Xor"}) {
      std::string o = op;
      t[op] = [o](NodeCtx &n) {
        ewiseN(n, DTy::BOOL, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          if (o == "And") return arith::AndIOp::create(b, l, a[0], a[1]);
          if (o == "Or") return arith::OrIOp::create(b, l, a[0], a[1]);
          return arith::XOrIOp::create(b, l, a[0], a[1]);
        });
      };
    }
    t["Neg"] = [](NodeCtx &n) {
      int32_t dt = n.in(0).dtype;
      ewiseN(n, dt, [](OpBuilder &b, Location l, ValueRange a) -> Value {
        if (isa<FloatType>(a[0].getType()))
          return arith::NegFOp::create(b, l, a[0]);
        return arith::SubIOp::create(b, l, cst(b, l, a[0].getType(), 0), a[0]);
      });
    };
    t["Abs"] = [](NodeCtx &n) {
      int32_t dt = n.in(0).dtype;
      bool uns = isUnsignedDT(dt);
      ewiseN(n, dt, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        if (isa<FloatType>(a[0].getType()))
          return math::AbsFOp::create(b, l, a[0]);
        return uns ? a[0] : (Value)math::AbsIOp::create(b, l, a[0]);
      });
    };
    t["Sqrt"] = uf([](OpBuilder &b, Location l, Value x) -> Value { return math::SqrtOp::create(b, l, x); });
    t["Exp"] = uf([](OpBuilder &b, Location l, Value x) -> Value { return math::ExpOp::create(b, l, x); });
    t["Log"] = uf([](OpBuilder &b, Location l, Value x) -> Value { return math::LogOp::create(b, l, x); });
    t["Erf"] = uf([](OpBuilder &b, Location l, Value x) -> Value { return math::ErfOp::create(b, l, x); });
    t["Tanh"] = uf([](OpBuilder &b, Location l, Value x) -> Value { return math::TanhOp::create(b, l, x); });
    t["Sin"] = uf([](OpBuilder &b, Location l, Value x) -> Value { return math::SinOp::create(b, l, x); });
    t["Cos"] = uf([](OpBuilder &b, Location l, Value x) -> Value { return math::CosOp::create(b, l, x); });
    t["Floor"] = uf([](OpBuilder &b, Location l, Value x) -> Value { return math::FloorOp::create(b, l, x); });
    t["Ceil"] = uf([](OpBuilder &b, Location l, Value x) -> Value { return math::CeilOp::create(b, l, x); });
    t["Reciprocal"] = uf([](OpBuilder &b, Location l, Value x) -> Value {
      return arith::DivFOp::create(b, l, cst(b, l, x.getType(), 1.0), x);
    });
    t["Sigmoid"] = uf([](OpBuilder &b, Location l, Value x) -> Value {
      Value one = cst(b, l, x.getType(), 1.0);
      Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
      return arith::DivFOp::create(b, l, one, arith::AddFOp::create(b, l, one, e));
    });
    t["Softplus"] = uf([](OpBuilder &b, Location l, Value x) -> Value {
      return math::Log1pOp::create(b, l, math::ExpOp::create(b, l, x));
    });
    t["Softsign"] = uf([](OpBuilder &b, Location l, Value x) -> Value {
      Value one = cst(b, l, x.getType(), 1.0);
      return arith::DivFOp::create(b, l, x, arith::AddFOp::create(b, l, one, math::AbsFOp::create(b, l, x)));
    });
    t["Relu"] = [](NodeCtx &n) {
      int32_t dt = n.in(0).dtype;
      ewiseN(n, dt, [](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value z = cst(b, l, a[0].getType(), 0);
        if (isa<FloatType>(a[0].getType()))
          return arith::MaximumFOp::create(b, l, a[0], z);
        return arith::MaxSIOp::create(b, l, a[0], z);
      });
    };
    t["LeakyRelu"] = [](NodeCtx &n) {
      float alpha = n.attrFloat("alpha", 0.01f);
      unaryFloat(n, [alpha](OpBuilder &b, Location l, Value x) -> Value {
        Value z = cst(b, l, x.getType(), 0);
        Value neg = arith::CmpFOp::create(b, l, CF::OLT, x, z);
        Value ax = arith::MulFOp::create(b, l, x, cst(b, l, x.getType(), alpha));
        return arith::SelectOp::create(b, l, neg, ax, x);
      });
    };
    t["Elu"] = [](NodeCtx &n) {
      float alpha = n.attrFloat("alpha", 1.0f);
      unaryFloat(n, [alpha](OpBuilder &b, Location l, Value x) -> Value {
        Value z = cst(b, l, x.getType(), 0);
        Value neg = arith::CmpFOp::create(b, l, CF::OLT, x, z);
        Value em1 = math::ExpM1Op::create(b, l, x);
        Value ax = arith::MulFOp::create(b, l, em1, cst(b, l, x.getType(), alpha));
        return arith::SelectOp::create(b, l, neg, ax, x);
      });
    };
    t["HardSigmoid"] = [](NodeCtx &n) {
      float alpha = n.attrFloat("alpha", 0.2f), beta = n.attrFloat("beta", 0.5f);
      unaryFloat(n, [=](OpBuilder &b, Location l, Value x) -> Value {
        Type t = x.getType();
        Value v = arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, x, cst(b, l, t, alpha)), cst(b, l, t, beta));
        v = arith::MaximumFOp::create(b, l, v, cst(b, l, t, 0));
        return arith::MinimumFOp::create(b, l, v, cst(b, l, t, 1));
      });
    };
    t["Pow"] = powOp;
    t["Where"] = where;
    t["Cast"] = castOp;
    t["Clip"] = clip;
    t["Identity"] = [](NodeCtx &n) { n.setOutput(0, n.val(0), n.in(0).dtype); };
    t["Dropout"] = dropout;
    t["MatMul"] = matmul;
    t["Gemm"] = gemm;
    t["Conv"] = conv;
    t["Softmax"] = [](NodeCtx &n) { softmax(n, false); };
    t["LogSoftmax"] = [](NodeCtx &n) { softmax(n, true); };
    t["LayerNormalization"] = layerNorm;
    for (const char *op : {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
                           "ReduceSumSquare", "ReduceL1", "ReduceL2", "ReduceLogSum",
                           "ReduceLogSumExp"})
      t[op] = reduceOp;
    t["Gather"] = gather;
    t["Concat"] = concat;
    t["Split"] = split;
    t["Slice"] = slice;
    t["Reshape"] = reshapeOp;
    t["Flatten"] = flatten;
    t["Squeeze"] = [](NodeCtx &n) { squeeze(n, false); };
    t["Unsqueeze"] = [](NodeCtx &n) { squeeze(n, true); };
    t["Transpose"] = transpose;
    t["Expand"] = expand;
    t["Trilu"] = trilu;
    t["Range"] = range;
    return t;
  }();
  auto it = table.find(n.node.op_type());
  if (it == table.end())
    return false;
  it->second(n);
  return true;
}
