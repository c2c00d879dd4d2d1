//===- LutmlirOps.cpp - the lutmlir domain: trained LUT layers ------------===//
//
// The operators of the `lutmlir` domain (version 1; their ONNX schemas are
// in LutmlirSchemas.cpp, their definitions in python-bindings/lutmlir/torch/
// onnx_ops.py), imported to lut ops so that lutc compiles a fine-tuned model
// without refitting:
//
//   lutmlir.LookupFFN(X, P, T, B[, Offset]){bits, scored}:
//     scored = 1 -> z = X P (linalg.matmul, the only contraction), then one
//       linalg pass over z (+ Offset) for the sign-bit codes (lut.lsh_encode's
//       convention) and the scores s_h = sum|z| / prod(1 + exp(-2|z|)), and
//       lut.gather_sum(codes, T, weights = s, bias = B);
//     scored = 0 -> lut.lsh_encode(X, P, bias = Offset) and
//       lut.gather_sum(codes, T, bias = B): the ops of lutc's post-training
//       LSH, so a model fine-tuned from that fit compiles to the same IR;
//   lutmlir.Thermometer(X, Thresholds)  -> lut.thermometer (i1 bits);
//   lutmlir.WeightlessLUT(Bits, Mapping, Tables) -> lut.lut.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

#include "lut/Dialect/Lut/IR/LutOps.h"

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

namespace {

/// Input `i` as a rank-`rank` f32 tensor, or a failure naming it.
Value f32Input(NodeCtx &n, size_t i, int64_t rank, StringRef what) {
  TValue &t = n.in(i);
  if (t.dtype != onnx::TensorProto::FLOAT)
    n.unsupported(what + Twine(" must be float (f32), got ") + onnxDTypeName(t.dtype));
  if ((int64_t)t.shape.size() != rank)
    n.fail(what + Twine(" must have rank ") + Twine(rank) + ", got " + Twine(t.shape.size()));
  return n.val(i);
}

/// Fails unless dim `d` of `v` is static.
int64_t staticDim(NodeCtx &n, Value v, int64_t d, StringRef what) {
  int64_t s = cast<RankedTensorType>(v.getType()).getDimSize(d);
  if (ShapedType::isDynamic(s))
    n.unsupported(what + Twine(" must have a static dim ") + Twine(d));
  return s;
}

/// scored = 0: lut.lsh_encode (offset as its bias) and an unweighted
/// lut.gather_sum, exactly the ops lut-convert-mlp builds.
void lookupUnscored(NodeCtx &n, Value x, Value p, Value t, Value bias, Value offset,
                    int64_t bits) {
  OpBuilder &b = n.b;
  auto tt = cast<RankedTensorType>(t.getType());
  OpFoldResult rows = n.imp.dimsOf(x)[0];
  Value codesInit = n.imp.emptyTensor(n.loc, {rows, b.getIndexAttr(tt.getDimSize(0))},
                                      b.getIntegerType(bits <= 8 ? 8 : 16));
  Value codes = LshEncodeOp::create(b, n.loc, x, p, offset, codesInit, bits).getResult()[0];
  Value y = GatherSumOp::create(b, n.loc, codes, t, /*weights=*/Value(), bias,
                                /*scales=*/Value(),
                                n.imp.emptyTensor(n.loc, {rows, b.getIndexAttr(tt.getDimSize(2))},
                                                  b.getF32Type()))
                ->getResult(0);
  n.setOutput(0, y, onnx::TensorProto::FLOAT);
}

void lookupFFN(NodeCtx &n) {
  Value x = f32Input(n, 0, 2, "X"), p = f32Input(n, 1, 2, "P");
  Value t = f32Input(n, 2, 3, "Tables"), bias = f32Input(n, 3, 1, "B");
  int64_t bits = n.attrInt("bits", 0);
  if (bits < 1 || bits > 16)
    n.fail("attribute 'bits' must be in [1, 16], got " + Twine(bits));
  int64_t scored = n.attrInt("scored", 1);
  if (scored != 0 && scored != 1)
    n.fail("attribute 'scored' must be 0 or 1, got " + Twine(scored));
  int64_t d = staticDim(n, x, 1, "X"), hk = staticDim(n, p, 1, "P");
  int64_t h = staticDim(n, t, 0, "Tables"), r = staticDim(n, t, 1, "Tables");
  int64_t m = staticDim(n, t, 2, "Tables");
  if (staticDim(n, p, 0, "P") != d)
    n.fail("P has " + Twine(staticDim(n, p, 0, "P")) + " rows but X has D = " + Twine(d));
  if (hk != h * bits || r != (int64_t(1) << bits))
    n.fail("Tables must be [H, 2^bits, M] = [" + Twine(hk / bits) + ", " +
           Twine(int64_t(1) << bits) + ", M] for P [D, " + Twine(hk) + "] and bits = " +
           Twine(bits) + ", got [" + Twine(h) + ", " + Twine(r) + ", " + Twine(m) + "]");
  if (staticDim(n, bias, 0, "B") != m)
    n.fail("B must have M = " + Twine(m) + " elements, got " + Twine(staticDim(n, bias, 0, "B")));
  Value offset;
  if (n.has(4)) {
    offset = f32Input(n, 4, 1, "Offset");
    if (staticDim(n, offset, 0, "Offset") != hk)
      n.fail("Offset must have H*bits = " + Twine(hk) + " elements, got " +
             Twine(staticDim(n, offset, 0, "Offset")));
  }
  if (!scored)
    return lookupUnscored(n, x, p, t, bias, offset, bits);
  Location loc = n.loc;
  OpBuilder &b = n.b;
  Importer &imp = n.imp;
  OpFoldResult rows = imp.dimsOf(x)[0];
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  // z = X P once, viewed as N x H x k; one pass over it gives the codes
  // (bit j of code h set when z[h*k+j] > 0, lut.lsh_encode's convention)
  // and the two halves of the scores.
  Value z = linalg::MatmulOp::create(
                b, loc, ValueRange{x, p},
                ValueRange{imp.filled(loc, {rows, b.getIndexAttr(hk)}, f32, b.getF32FloatAttr(0))})
                .getResult(0);
  SmallVector<OpFoldResult> z3Sizes{rows, b.getIndexAttr(h), b.getIndexAttr(bits)};
  auto z3Ty = RankedTensorType::get(
      {cast<RankedTensorType>(z.getType()).getDimSize(0), h, bits}, f32);
  Value z3 = tensor::ExpandShapeOp::create(b, loc, z3Ty, z,
                                           SmallVector<ReassociationIndices>{{0}, {1, 2}}, z3Sizes);
  SmallVector<Value> accIns{z3};
  SmallVector<AffineMap> accMaps;
  MLIRContext *ctx = b.getContext();
  AffineExpr dn, dh, dj;
  bindDims(ctx, dn, dh, dj);
  accMaps.push_back(AffineMap::get(3, 0, {dn, dh, dj}, ctx));
  if (offset) {
    accIns.push_back(tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({h, bits}, f32), offset,
        SmallVector<ReassociationIndices>{{0, 1}}));
    accMaps.push_back(AffineMap::get(3, 0, {dh, dj}, ctx));
  }
  size_t nIns = accIns.size();
  for (int i = 0; i < 3; ++i)
    accMaps.push_back(AffineMap::get(3, 0, {dn, dh}, ctx));
  SmallVector<OpFoldResult> nh{rows, b.getIndexAttr(h)};
  Value sum0 = imp.filled(loc, nh, f32, b.getF32FloatAttr(0));
  Value prod0 = imp.filled(loc, nh, f32, b.getF32FloatAttr(1));
  Value code0 = imp.filled(loc, nh, i32, b.getI32IntegerAttr(0));
  auto acc = linalg::GenericOp::create(
      b, loc, TypeRange{sum0.getType(), prod0.getType(), code0.getType()}, accIns,
      ValueRange{sum0, prod0, code0}, accMaps,
      SmallVector<utils::IteratorType>{utils::IteratorType::parallel,
                                       utils::IteratorType::parallel,
                                       utils::IteratorType::reduction},
      [&](OpBuilder &bb, Location l, ValueRange in) {
        // a: z, then the three accumulators (the offset already added).
        SmallVector<Value> a{nIns == 2 ? arith::AddFOp::create(bb, l, in[0], in[1]) : in[0]};
        a.append(in.begin() + nIns, in.end());
        Value abs = math::AbsFOp::create(bb, l, a[0]);
        Value e = math::ExpOp::create(bb, l, arith::MulFOp::create(bb, l, abs, cst(bb, l, f32, -2.0)));
        Value onePlus = arith::AddFOp::create(bb, l, e, cst(bb, l, f32, 1.0));
        Value j = arith::IndexCastOp::create(bb, l, i32, linalg::IndexOp::create(bb, l, 2));
        Value bit = arith::ShLIOp::create(bb, l, cst(bb, l, i32, 1.0), j);
        Value positive =
            arith::CmpFOp::create(bb, l, arith::CmpFPredicate::OGT, a[0], cst(bb, l, f32, 0.0));
        Value code = arith::OrIOp::create(
            bb, l, a[3], arith::SelectOp::create(bb, l, positive, bit, cst(bb, l, i32, 0.0)));
        linalg::YieldOp::create(bb, l, ValueRange{arith::AddFOp::create(bb, l, a[1], abs),
                                                  arith::MulFOp::create(bb, l, a[2], onePlus),
                                                  code});
      });
  Value scores = imp.elementwise(loc, {acc.getResult(0), acc.getResult(1)},
                                 ArrayRef<OpFoldResult>(nh), f32,
                                 [](OpBuilder &bb, Location l, ValueRange a) -> Value {
                                   return arith::DivFOp::create(bb, l, a[0], a[1]);
                                 });
  Value codes = acc.getResult(2);
  Value y = GatherSumOp::create(b, loc, codes, t, scores, bias, Value(),
                                imp.emptyTensor(loc, {rows, b.getIndexAttr(m)}, f32))
                ->getResult(0);
  n.setOutput(0, y, onnx::TensorProto::FLOAT);
}

void thermometer(NodeCtx &n) {
  Value x = f32Input(n, 0, 2, "X"), t = f32Input(n, 1, 2, "Thresholds");
  int64_t d = staticDim(n, x, 1, "X"), k = staticDim(n, t, 1, "Thresholds");
  if (staticDim(n, t, 0, "Thresholds") != d)
    n.fail("Thresholds has " + Twine(staticDim(n, t, 0, "Thresholds")) +
           " rows but X has D = " + Twine(d) + " features");
  Value init = n.imp.emptyTensor(n.loc, {n.imp.dimsOf(x)[0], n.b.getIndexAttr(d * k)},
                                 n.b.getI1Type());
  n.setOutput(0, ThermometerOp::create(n.b, n.loc, x, t, init)->getResult(0),
              onnx::TensorProto::BOOL);
}

void weightlessLUT(NodeCtx &n) {
  TValue &bits = n.in(0), &mapping = n.in(1);
  if (bits.dtype != onnx::TensorProto::BOOL || bits.shape.size() != 2)
    n.fail("Bits must be a rank-2 bool tensor");
  if (mapping.dtype != onnx::TensorProto::INT64 || mapping.shape.size() != 2)
    n.fail("Mapping must be a rank-2 int64 tensor");
  Value t = f32Input(n, 2, 2, "Tables");
  Value bv = n.val(0), mv = n.val(1);
  int64_t l = staticDim(n, mv, 0, "Mapping"), fanIn = staticDim(n, mv, 1, "Mapping");
  if (fanIn < 1 || fanIn > 16)
    n.fail("the fan-in (Mapping's second dim) must be in [1, 16], got " + Twine(fanIn));
  if (staticDim(n, t, 0, "Tables") != l || staticDim(n, t, 1, "Tables") != (int64_t(1) << fanIn))
    n.fail("Tables must be [L, 2^n] = [" + Twine(l) + ", " + Twine(int64_t(1) << fanIn) + "]");
  int64_t inputs = staticDim(n, bv, 1, "Bits");
  // An initializer's contents: dense, or (a large one) a dense_resource blob.
  if (DenseElementsAttr values = toDense(mapping.constant, INT64_MAX)) {
    int64_t idx = 0;
    for (const APInt &v : values.getValues<APInt>()) {
      int64_t i = v.getSExtValue();
      if (i < 0 || i >= inputs)
        n.fail("Mapping[" + Twine(idx / fanIn) + ", " + Twine(idx % fanIn) + "] = " + Twine(i) +
               " is outside [0, " + Twine(inputs) + ")");
      ++idx;
    }
  }
  Value init = n.imp.emptyTensor(n.loc, {n.imp.dimsOf(bv)[0], n.b.getIndexAttr(l)},
                                 n.b.getF32Type());
  n.setOutput(0, LutOp::create(n.b, n.loc, bv, mv, t, init)->getResult(0),
              onnx::TensorProto::FLOAT);
}

} // namespace

void lut::onnximport::registerLutmlirOps(OpRegistry &r) {
  r.add({
      // op type, handler, versions of the lutmlir domain
      {"LookupFFN", lookupFFN, 1, 1},
      {"Thermometer", thermometer, 1, 1},
      {"WeightlessLUT", weightlessLUT, 1, 1},
  });
}
