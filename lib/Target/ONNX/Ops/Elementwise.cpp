//===- Elementwise.cpp - Elementwise ONNX operators -----------------------===//
//
// Arithmetic, comparisons, logic, math functions, activations, Cast, Clip,
// Pow, Where, Identity and Dropout (inference): each a broadcasting
// linalg.generic over a scalar body.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

#include <limits>

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

namespace {

using CF = arith::CmpFPredicate;
using CI = arith::CmpIPredicate;

Value cmp(OpBuilder &b, Location l, Value x, Value y, arith::CmpFPredicate fp,
          arith::CmpIPredicate sp, arith::CmpIPredicate up, bool uns) {
  if (isa<FloatType>(x.getType()))
    return arith::CmpFOp::create(b, l, fp, x, y);
  return arith::CmpIOp::create(b, l, uns ? up : sp, x, y);
}

/// Converts scalar `v` of ONNX type `from` to ONNX type `to` (Cast semantics).
Value convert(OpBuilder &b, Location l, Value v, int32_t from, Type toT, int32_t to) {
  Type fromT = v.getType();
  if (fromT == toT && isUnsignedDType(from) == isUnsignedDType(to))
    return v;
  bool fF = isa<FloatType>(fromT), tF = isa<FloatType>(toT);
  if (to == DTy::BOOL) {
    Value z = cst(b, l, fromT, 0);
    return fF ? (Value)arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, v, z)
              : (Value)arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, v, z);
  }
  bool srcUns = isUnsignedDType(from) || from == DTy::BOOL;
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
    return isUnsignedDType(to) ? (Value)arith::FPToUIOp::create(b, l, toT, v)
                            : (Value)arith::FPToSIOp::create(b, l, toT, v);
  unsigned fw = fromT.getIntOrFloatBitWidth(), tw = toT.getIntOrFloatBitWidth();
  if (fw < tw)
    return srcUns ? (Value)arith::ExtUIOp::create(b, l, toT, v)
                  : (Value)arith::ExtSIOp::create(b, l, toT, v);
  if (fw > tw)
    return arith::TruncIOp::create(b, l, toT, v);
  return v;
}


void unaryFloat(NodeCtx &n,
                function_ref<Value(OpBuilder &, Location, Value)> fn) {
  requireFloat(n);
  int32_t dt = n.in(0).dtype;
  ewiseN(n, dt, [&](OpBuilder &b, Location l, ValueRange a) { return fn(b, l, a[0]); });
}

void binaryArith(NodeCtx &n) {
  const std::string &op = n.node.op_type();
  int32_t dt = n.in(0).dtype;
  if (n.in(1).dtype != dt)
    n.fail(Twine("input types differ: ") + onnxDTypeName(dt) + " and " +
           onnxDTypeName(n.in(1).dtype));
  bool uns = isUnsignedDType(dt);
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
  bool uns = isUnsignedDType(dt);
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
  bool uns = isUnsignedDType(n.in(0).dtype) || n.in(0).dtype == DTy::BOOL;
  ewiseN(n, DTy::BOOL, [&](OpBuilder &b, Location l, ValueRange a) {
    return cmp(b, l, a[0], a[1], fp, sp, up, uns);
  });
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
  bool uns = isUnsignedDType(dt);
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
    ins.push_back(n.imp.filled(n.loc, ArrayRef<int64_t>{}, et, scalarAttr(et, lo)));
    ins.push_back(n.imp.filled(n.loc, ArrayRef<int64_t>{}, et, scalarAttr(et, hi)));
    hasMin = hasMax = true;
  }
  bool f = isa<FloatType>(et);
  n.setOutput(0, n.imp.elementwise(n.loc, ins, ArrayRef<OpFoldResult>(n.imp.dimsOf(x)), et, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
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

/// Pow (opset 12 and up also takes int32/int64 bases and any numeric
/// exponent). Float base: powf with the exponent converted to the base's
/// type. Integer base, integer exponent: math.ipowi (exact; a negative
/// exponent gives 0 except for bases 1 and -1). Integer base, float
/// exponent: computed in f64 and truncated toward zero, as ONNX's reference
/// (`np.power(x, y).astype(x.dtype)`).
void powOp(NodeCtx &n) {
  int32_t dt = n.in(0).dtype;
  int32_t edt = n.in(1).dtype;
  Type et = n.imp.elemType(dt, n.loc);
  Type eet = n.imp.elemType(edt, n.loc);
  if (isa<FloatType>(et)) {
    ewiseN(n, dt, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
      Value e = convert(b, l, a[1], edt, et, dt);
      return math::PowFOp::create(b, l, a[0], e);
    });
    return;
  }
  if (!isa<IntegerType>(et) || isUnsignedDType(dt) || dt == DTy::BOOL)
    requireFloat(n); // reports the unsupported element type
  if (isa<FloatType>(eet)) {
    ewiseN(n, dt, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
      Type f64 = b.getF64Type();
      Value x = convert(b, l, a[0], dt, f64, DTy::DOUBLE);
      Value e = convert(b, l, a[1], edt, f64, DTy::DOUBLE);
      return convert(b, l, math::PowFOp::create(b, l, x, e), DTy::DOUBLE, et, dt);
    });
    return;
  }
  ewiseN(n, dt, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    Value e = convert(b, l, a[1], edt, et, dt);
    return math::IPowIOp::create(b, l, a[0], e);
  });
}

void dropout(NodeCtx &n) {
  if (n.has(2)) {
    DenseElementsAttr tm = n.constantInput(2);
    if (!tm || tm.getNumElements() != 1 || !tm.getValues<APInt>()[0].isZero())
      n.unsupported("Dropout in training mode");
  }
  TValue &x = n.in(0);
  n.setOutput(0, n.val(0), x.dtype);
  if (n.wantsOutput(1)) {
    Type i1 = n.b.getI1Type();
    n.setOutput(1, n.imp.filled(n.loc, ArrayRef<OpFoldResult>(n.imp.dimsOf(n.val(0))), i1, n.b.getBoolAttr(true)), DTy::BOOL);
  }
}

/// Trilu (opset 14): keeps the upper (j - i >= k) or lower (j - i <= k)

/// Sum and Mean: a left fold of the inputs with Add.
void sumOrMean(NodeCtx &n, bool mean) {
  if (mean)
    requireFloat(n);
  ewiseN(n, n.in(0).dtype, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    Value r = a[0];
    for (Value y : a.drop_front())
      r = isa<FloatType>(r.getType()) ? (Value)arith::AddFOp::create(b, l, r, y)
                                      : (Value)arith::AddIOp::create(b, l, r, y);
    if (!mean)
      return r;
    return arith::DivFOp::create(b, l, r, cst(b, l, r.getType(), (double)a.size()));
  });
}

void logic(NodeCtx &n, StringRef op) {
  ewiseN(n, DTy::BOOL, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    if (op == "And")
      return arith::AndIOp::create(b, l, a[0], a[1]);
    if (op == "Or")
      return arith::OrIOp::create(b, l, a[0], a[1]);
    return arith::XOrIOp::create(b, l, a[0], a[1]);
  });
}

void notOp(NodeCtx &n) {
  ewiseN(n, DTy::BOOL, [](OpBuilder &b, Location l, ValueRange a) -> Value {
    return arith::XOrIOp::create(b, l, a[0], cst(b, l, b.getI1Type(), 1));
  });
}

void neg(NodeCtx &n) {
  ewiseN(n, n.in(0).dtype, [](OpBuilder &b, Location l, ValueRange a) -> Value {
    if (isa<FloatType>(a[0].getType()))
      return arith::NegFOp::create(b, l, a[0]);
    return arith::SubIOp::create(b, l, cst(b, l, a[0].getType(), 0), a[0]);
  });
}

void absOp(NodeCtx &n) {
  bool uns = isUnsignedDType(n.in(0).dtype);
  ewiseN(n, n.in(0).dtype, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    if (isa<FloatType>(a[0].getType()))
      return math::AbsFOp::create(b, l, a[0]);
    return uns ? a[0] : (Value)math::AbsIOp::create(b, l, a[0]);
  });
}

void relu(NodeCtx &n) {
  ewiseN(n, n.in(0).dtype, [](OpBuilder &b, Location l, ValueRange a) -> Value {
    Value z = cst(b, l, a[0].getType(), 0);
    if (isa<FloatType>(a[0].getType()))
      return arith::MaximumFOp::create(b, l, a[0], z);
    return arith::MaxSIOp::create(b, l, a[0], z);
  });
}

/// LeakyRelu (alpha * x) and Elu (alpha * (exp(x) - 1)) for x < 0.
void leakyReluOrElu(NodeCtx &n, bool elu) {
  float alpha = n.attrFloat("alpha", elu ? 1.0f : 0.01f);
  unaryFloat(n, [&](OpBuilder &b, Location l, Value x) -> Value {
    Value z = cst(b, l, x.getType(), 0);
    Value neg = arith::CmpFOp::create(b, l, CF::OLT, x, z);
    Value v = elu ? (Value)math::ExpM1Op::create(b, l, x) : x;
    Value ax = arith::MulFOp::create(b, l, v, cst(b, l, x.getType(), alpha));
    return arith::SelectOp::create(b, l, neg, ax, x);
  });
}

void hardSigmoid(NodeCtx &n) {
  float alpha = n.attrFloat("alpha", 0.2f), beta = n.attrFloat("beta", 0.5f);
  unaryFloat(n, [&](OpBuilder &b, Location l, Value x) -> Value {
    Type t = x.getType();
    Value v = arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, x, cst(b, l, t, alpha)),
                                    cst(b, l, t, beta));
    v = arith::MaximumFOp::create(b, l, v, cst(b, l, t, 0));
    return arith::MinimumFOp::create(b, l, v, cst(b, l, t, 1));
  });
}

/// A float function of one input, given by its scalar body.
template <typename Body> OpHandler unary(Body body) {
  return [body](NodeCtx &n) { unaryFloat(n, body); };
}

/// A float function that is one math-dialect op.
template <typename MathOp> OpHandler mathOp() {
  return unary([](OpBuilder &b, Location l, Value x) -> Value {
    return MathOp::create(b, l, x);
  });
}

Value sigmoid(OpBuilder &b, Location l, Value x) {
  Value one = cst(b, l, x.getType(), 1.0);
  Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
  return arith::DivFOp::create(b, l, one, arith::AddFOp::create(b, l, one, e));
}

Value softplus(OpBuilder &b, Location l, Value x) {
  return math::Log1pOp::create(b, l, math::ExpOp::create(b, l, x));
}

Value softsign(OpBuilder &b, Location l, Value x) {
  Value one = cst(b, l, x.getType(), 1.0);
  return arith::DivFOp::create(
      b, l, x, arith::AddFOp::create(b, l, one, math::AbsFOp::create(b, l, x)));
}

Value reciprocal(OpBuilder &b, Location l, Value x) {
  return arith::DivFOp::create(b, l, cst(b, l, x.getType(), 1.0), x);
}

} // namespace

void lut::onnximport::registerElementwiseOps(OpRegistry &r) {
  r.add({
      // op type, handler, opsets
      {"Add", binaryArith, 7, 17},
      {"Sub", binaryArith, 7, 17},
      {"Mul", binaryArith, 7, 17},
      {"Div", binaryArith, 7, 17},
      {"Sum", [](NodeCtx &n) { sumOrMean(n, false); }, 7, 17},
      {"Mean", [](NodeCtx &n) { sumOrMean(n, true); }, 7, 17},
      {"Max", [](NodeCtx &n) { variadicMinMax(n, true); }, 7, 17},
      {"Min", [](NodeCtx &n) { variadicMinMax(n, false); }, 7, 17},
      {"Equal", [](NodeCtx &n) { compare(n, CF::OEQ, CI::eq, CI::eq); }, 7, 17},
      {"Less", [](NodeCtx &n) { compare(n, CF::OLT, CI::slt, CI::ult); }, 7, 17},
      {"LessOrEqual", [](NodeCtx &n) { compare(n, CF::OLE, CI::sle, CI::ule); }, 12, 17},
      {"Greater", [](NodeCtx &n) { compare(n, CF::OGT, CI::sgt, CI::ugt); }, 7, 17},
      {"GreaterOrEqual", [](NodeCtx &n) { compare(n, CF::OGE, CI::sge, CI::uge); }, 12, 17},
      {"Not", notOp, 7, 17},
      {"And", [](NodeCtx &n) { logic(n, "And"); }, 7, 17},
      {"Or", [](NodeCtx &n) { logic(n, "Or"); }, 7, 17},
      {"Xor", [](NodeCtx &n) { logic(n, "Xor"); }, 7, 17},
      {"Neg", neg, 7, 17},
      {"Abs", absOp, 7, 17},
      {"Sqrt", mathOp<math::SqrtOp>(), 7, 17},
      {"Exp", mathOp<math::ExpOp>(), 7, 17},
      {"Log", mathOp<math::LogOp>(), 7, 17},
      {"Erf", mathOp<math::ErfOp>(), 9, 17},
      {"Tanh", mathOp<math::TanhOp>(), 7, 17},
      {"Sin", mathOp<math::SinOp>(), 7, 17},
      {"Cos", mathOp<math::CosOp>(), 7, 17},
      {"Floor", mathOp<math::FloorOp>(), 7, 17},
      {"Ceil", mathOp<math::CeilOp>(), 7, 17},
      {"Reciprocal", unary(reciprocal), 7, 17},
      {"Sigmoid", unary(sigmoid), 7, 17},
      {"Softplus", unary(softplus), 7, 17},
      {"Softsign", unary(softsign), 7, 17},
      {"Relu", relu, 7, 17},
      {"LeakyRelu", [](NodeCtx &n) { leakyReluOrElu(n, false); }, 7, 17},
      {"Elu", [](NodeCtx &n) { leakyReluOrElu(n, true); }, 7, 17},
      {"HardSigmoid", hardSigmoid, 7, 17},
      {"Pow", powOp, 7, 17},
      {"Where", where, 9, 17},
      {"Cast", castOp, 7, 17},
      {"Clip", clip, 7, 17},
      {"Identity", [](NodeCtx &n) { n.setOutput(0, n.val(0), n.in(0).dtype); }, 7, 17},
      {"Dropout", dropout, 7, 17},
  });
}
