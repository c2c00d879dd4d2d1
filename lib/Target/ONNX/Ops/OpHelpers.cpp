//===- OpHelpers.cpp - Helpers shared by the node handlers ----------------===//
#include "OpHelpers.h"

using namespace mlir;
using namespace lut::onnximport;

Shape lut::onnximport::shapeOf(Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  return Shape(t.getShape().begin(), t.getShape().end());
}

Type lut::onnximport::elemOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

Value lut::onnximport::cst(OpBuilder &b, Location l, Type t, double v) {
  return arith::ConstantOp::create(b, l, scalarAttr(t, v));
}

TypedAttr lut::onnximport::scalarAttr(Type t, double v) {
  if (isa<FloatType>(t))
    return FloatAttr::get(t, v);
  return IntegerAttr::get(
      t, APInt(t.getIntOrFloatBitWidth(), (uint64_t)(int64_t)v, true, true));
}

void lut::onnximport::ewiseN(NodeCtx &n, int32_t outDT, ScalarFn fn,
                             size_t count) {
  SmallVector<Value> vals;
  Dims out;
  size_t e = std::min(count, n.numInputs());
  for (size_t i = 0; i < e; ++i) {
    if (!n.has(i))
      continue;
    Value v = n.val(i);
    Dims tmp;
    if (!n.imp.broadcastDims(out, n.imp.dimsOf(v), tmp, n.loc))
      n.fail("input shapes do not broadcast");
    out = tmp;
    vals.push_back(v);
  }
  Type et = n.imp.elemType(outDT, n.loc);
  n.setOutput(0, n.imp.elementwise(n.loc, vals, out, et, fn), outDT);
}

void lut::onnximport::requireFloat(NodeCtx &n, size_t i) {
  if (!isFloatDType(n.in(i).dtype))
    n.unsupported("element type '" + Twine(onnxDTypeName(n.in(i).dtype)) +
                  "' (only floating point is supported for " +
                  n.node.op_type() + ")");
}

Value lut::onnximport::keepDims(NodeCtx &n, Value r, ArrayRef<OpFoldResult> inShape,
                                ArrayRef<int64_t> axes) {
  Dims s(inShape.begin(), inShape.end());
  for (int64_t a : axes)
    s[a] = n.b.getIndexAttr(1);
  return n.imp.reshape(n.loc, r, ArrayRef<OpFoldResult>(s));
}

Value lut::onnximport::transposeValue(NodeCtx &n, Value x,
                                      ArrayRef<int64_t> perm) {
  Dims s = n.imp.dimsOf(x), os;
  for (int64_t p : perm)
    os.push_back(s[p]);
  Value init = n.imp.emptyTensor(n.loc, ArrayRef<OpFoldResult>(os), elemOf(x));
  return linalg::TransposeOp::create(n.b, n.loc, x, init, perm).getResult()[0];
}

Dims lut::onnximport::keptDimsAtRunTime(NodeCtx &n, ArrayRef<OpFoldResult> dims,
                                        ArrayRef<Value> dropped, int64_t outRank) {
  OpBuilder &b = n.b;
  Location l = n.loc;
  Value zero = arith::ConstantIndexOp::create(b, l, 0);
  Value one = arith::ConstantIndexOp::create(b, l, 1);
  Value yes = arith::ConstantIntOp::create(b, l, 1, 1);
  SmallVector<Value> out(outRank, one);
  Value kept = zero;
  for (size_t i = 0; i < dims.size(); ++i) {
    Value keep = arith::XOrIOp::create(b, l, dropped[i], yes);
    for (int64_t q = 0; q < outRank; ++q) {
      Value at = arith::AndIOp::create(
          b, l, keep,
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, kept,
                                arith::ConstantIndexOp::create(b, l, q)));
      out[q] = arith::SelectOp::create(b, l, at, n.imp.indexValue(l, dims[i]), out[q]);
    }
    kept = arith::AddIOp::create(b, l, kept, arith::SelectOp::create(b, l, keep, one, zero));
  }
  return Dims(out.begin(), out.end());
}
