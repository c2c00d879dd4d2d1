//===- Contractions.cpp - MatMul, Gemm and Conv ---------------------------===//
//
// Contractions as linalg.generic / linalg.matmul with zero-filled
// accumulators (lut-detect-mlp matches these). Gemm transposes constant
// weights at import time so that they stay constants.
//
//===----------------------------------------------------------------------===//
#include "OpHelpers.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"

#include <cstring>

using namespace mlir;
using namespace lut;
using namespace lut::onnximport;

namespace {

void matmul(NodeCtx &n) {
  TValue &at = n.in(0), &bt = n.in(1);
  if (at.dtype != bt.dtype)
    n.fail(Twine("input types differ: ") + onnxDTypeName(at.dtype) + " and " + onnxDTypeName(bt.dtype));
  Importer &imp = n.imp;
  Value a = n.val(0), b = n.val(1);
  Dims as = imp.dimsOf(a), bs = imp.dimsOf(b);
  if (as.empty() || bs.empty())
    n.fail("MatMul inputs must have rank >= 1");
  bool aVec = as.size() == 1, bVec = bs.size() == 1;
  OpFoldResult one = n.b.getIndexAttr(1);
  if (aVec) {
    as.insert(as.begin(), one);
    a = imp.reshape(n.loc, a, ArrayRef<OpFoldResult>(as));
  }
  if (bVec) {
    bs.push_back(one);
    b = imp.reshape(n.loc, b, ArrayRef<OpFoldResult>(bs));
  }
  OpFoldResult M = as[as.size() - 2], K = as.back(), K2 = bs[bs.size() - 2], N = bs.back();
  if (!imp.sameDim(K, K2)) {
    auto k1 = getConstantIntValue(K), k2 = getConstantIntValue(K2);
    if (k1 && k2)
      n.fail("MatMul inner dimensions differ: " + Twine(*k1) + " and " + Twine(*k2));
    // Inner dims that are equal for valid inputs but not provably so: both
    // operands are read up to the smaller one, so that inconsistent inputs
    // cannot read out of bounds.
    OpFoldResult k = imp.minDims(n.loc, K, K2);
    as.back() = k;
    bs[bs.size() - 2] = k;
    a = imp.sliceTo(n.loc, a, as);
    b = imp.sliceTo(n.loc, b, bs);
    K = K2 = k;
  }
  Dims ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2), batch;
  if (!imp.broadcastDims(ab, bb, batch, n.loc))
    n.fail("MatMul batch dimensions do not broadcast");
  // An operand whose batch dims may or may not broadcast at run time (not
  // known equal to the result's, not a static 1) is first broadcast to the
  // result's batch dims (a copy with clamped reads).
  auto settle = [&](Value &v, Dims &vb, OpFoldResult r0, OpFoldResult r1) {
    int64_t off = (int64_t)batch.size() - (int64_t)vb.size();
    bool ambiguous = false;
    for (size_t i = 0; i < vb.size(); ++i)
      ambiguous |= !(getConstantIntValue(vb[i]) == 1 && getConstantIntValue(batch[off + i]) != 1) &&
                   !imp.sameDim(vb[i], batch[off + i]);
    if (!ambiguous)
      return;
    Dims full = batch;
    full.push_back(r0);
    full.push_back(r1);
    v = imp.elementwise(n.loc, {v}, ArrayRef<OpFoldResult>(full), elemOf(v),
                        [](OpBuilder &, Location, ValueRange x) { return x[0]; });
    vb = batch;
  };
  settle(a, ab, M, K);
  settle(b, bb, K2, N);
  int64_t nb = batch.size();
  int64_t nd = nb + 3; // batch..., m, n, k
  MLIRContext *ctx = n.b.getContext();
  auto dim = [&](int64_t i) { return n.b.getAffineDimExpr(i); };
  auto batchExprs = [&](ArrayRef<OpFoldResult> s) {
    SmallVector<AffineExpr> e;
    int64_t off = nb - (int64_t)s.size();
    for (size_t i = 0; i < s.size(); ++i) {
      if (getConstantIntValue(s[i]) == 1 && getConstantIntValue(batch[off + i]) != 1)
        e.push_back(n.b.getAffineConstantExpr(0));
      else if (imp.sameDim(s[i], batch[off + i]))
        e.push_back(dim(off + i));
      else
        n.unsupported("MatMul batch dimensions that may or may not broadcast at "
                      "run time (dynamic); fix them with --shape-info");
    }
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
  Dims outShape = batch;
  outShape.push_back(M);
  outShape.push_back(N);
  Type et = elemOf(a);
  Value init = imp.filled(n.loc, ArrayRef<OpFoldResult>(outShape), et, scalarAttr(et, 0));
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
  Dims finalShape = batch;
  if (!aVec)
    finalShape.push_back(M);
  if (!bVec)
    finalShape.push_back(N);
  n.setOutput(0, imp.reshape(n.loc, r, ArrayRef<OpFoldResult>(finalShape)), at.dtype);
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
  for (size_t i = 0; i < 2; ++i)
    if (n.in(i).shape.size() != 2)
      n.fail("Gemm's input " + Twine(i == 0 ? "A" : "B") + " must be 2-D, got rank " +
             Twine(n.in(i).shape.size()));
  Value a, b;
  if (n.attrInt("transA", 0)) {
    a = transposedConstant(n, 0);
    if (!a)
      a = transposeValue(n, n.val(0), {1, 0});
  } else {
    a = n.val(0);
  }
  if (n.attrInt("transB", 0)) {
    b = transposedConstant(n, 1);
    if (!b)
      b = transposeValue(n, n.val(1), {1, 0});
  } else {
    b = n.val(1);
  }
  Dims as = n.imp.dimsOf(a), bs = n.imp.dimsOf(b);
  if (as.size() != 2 || bs.size() != 2)
    n.fail("Gemm inputs must be 2-D");
  if (!n.imp.sameDim(as[1], bs[0])) {
    auto k1 = getConstantIntValue(as[1]), k2 = getConstantIntValue(bs[0]);
    if (k1 && k2)
      n.fail("Gemm inner dimensions differ: " + Twine(*k1) + " and " + Twine(*k2));
    // As MatMul: read both up to the smaller inner dim.
    OpFoldResult k = n.imp.minDims(n.loc, as[1], bs[0]);
    as[1] = bs[0] = k;
    a = n.imp.sliceTo(n.loc, a, as);
    b = n.imp.sliceTo(n.loc, b, bs);
  }
  Type et = elemOf(a);
  Dims os{as[0], bs[1]};
  Value init = n.imp.filled(n.loc, ArrayRef<OpFoldResult>(os), et, scalarAttr(et, 0));
  Value y = linalg::MatmulOp::create(n.b, n.loc, ValueRange{a, b}, ValueRange{init}).getResult(0);
  float alpha = n.attrFloat("alpha", 1.0f), beta = n.attrFloat("beta", 1.0f);
  SmallVector<Value> ins{y};
  bool hasC = n.has(2);
  if (hasC)
    ins.push_back(n.val(2));
  y = n.imp.elementwise(n.loc, ins, ArrayRef<OpFoldResult>(os), et, [&](OpBuilder &b2, Location l, ValueRange v) -> Value {
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

/// Conv's bias (input 2), if any, added to `y` of shape [N, M, O...].
Value addConvBias(NodeCtx &n, Value y) {
  if (!n.has(2))
    return y;
  Dims os = n.imp.dimsOf(y), bs{os[1]};
  bs.append(os.size() - 2, n.b.getIndexAttr(1));
  Value bias = n.imp.reshape(n.loc, n.val(2), ArrayRef<OpFoldResult>(bs));
  return n.imp.elementwise(n.loc, {y, bias}, ArrayRef<OpFoldResult>(os), elemOf(y), [](OpBuilder &b2, Location l, ValueRange a) -> Value {
    return arith::AddFOp::create(b2, l, a[0], a[1]);
  });
}

/// sum over the reduction loops of lhs * rhs, into a zero-filled tensor of
/// shape `os`: a linalg.generic over `nd` loops, the last `nred` of them
/// reductions, with the given operand maps (Conv's two forms).
Value convContraction(NodeCtx &n, Value lhs, Value rhs, ArrayRef<OpFoldResult> os, int64_t nd, int64_t nred,
                      ArrayRef<AffineExpr> le, ArrayRef<AffineExpr> re, ArrayRef<AffineExpr> oe) {
  SmallVector<utils::IteratorType> iters(nd - nred, utils::IteratorType::parallel);
  iters.append(nred, utils::IteratorType::reduction);
  Type et = elemOf(lhs);
  Value init = n.imp.filled(n.loc, os, et, scalarAttr(et, 0));
  MLIRContext *ctx = n.b.getContext();
  return linalg::GenericOp::create(
             n.b, n.loc, TypeRange{init.getType()}, ValueRange{lhs, rhs}, ValueRange{init},
             SmallVector<AffineMap>{AffineMap::get(nd, 0, le, ctx), AffineMap::get(nd, 0, re, ctx),
                                    AffineMap::get(nd, 0, oe, ctx)},
             iters,
             [&](OpBuilder &b2, Location l, ValueRange a) {
               Value p = arith::MulFOp::create(b2, l, a[0], a[1]);
               linalg::YieldOp::create(b2, l, ValueRange{arith::AddFOp::create(b2, l, a[2], p)});
             })
      .getResult(0);
}

/// A Conv whose kernel tiles its input exactly (strides equal to the
/// kernel, no padding, no dilation, one group, every spatial size a
/// multiple of the kernel's) is a matrix product over non-overlapping
/// patches: ViT's patch embedding. X [N, C, O1*k1, ...] is rearranged into
/// patches [N, O1, ..., C, k1, ...] and contracted with W [M, C, k1, ...]
/// into [N, O1, ..., M], then transposed to [N, M, O1, ...]. Both products
/// lower to one GEMM (lut-dense-calls) instead of a 2+2*sp-deep loop nest.
/// Returns null when the Conv is not of this form.
Value patchConv(NodeCtx &n, Value x, Value w, ArrayRef<int64_t> strides, ArrayRef<int64_t> dil,
                int64_t group, bool anyPad) {
  Shape xs = shapeOf(x), ws = shapeOf(w);
  int64_t sp = xs.size() - 2;
  if (group != 1 || anyPad)
    return nullptr;
  for (int64_t i = 0; i < sp; ++i)
    if (dil[i] != 1 || strides[i] != ws[i + 2] || ws[i + 2] < 1 || xs[i + 2] % ws[i + 2] != 0)
      return nullptr;
  OpFoldResult N = n.imp.dimOf(x, 0);
  int64_t M = ws[0];
  auto idx = [&](int64_t v) -> OpFoldResult { return n.b.getIndexAttr(v); };
  // [N, C, O1, k1, O2, k2, ...] -> [N, O1, O2, ..., C, k1, k2, ...].
  Dims split{N, idx(xs[1])};
  Shape perm{0};
  for (int64_t i = 0; i < sp; ++i) {
    split.push_back(idx(xs[i + 2] / ws[i + 2]));
    split.push_back(idx(ws[i + 2]));
    perm.push_back(2 + 2 * i);
  }
  perm.push_back(1);
  for (int64_t i = 0; i < sp; ++i)
    perm.push_back(3 + 2 * i);
  Value patches = transposeValue(n, n.imp.reshape(n.loc, x, ArrayRef<OpFoldResult>(split)), perm);
  // Loops: n, o_1..o_sp, m, c, r_1..r_sp.
  int64_t nd = 1 + sp + 1 + 1 + sp;
  auto d = [&](int64_t i) { return n.b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> pe{d(0)}, we{d(1 + sp), d(2 + sp)}, oe{d(0)};
  Dims os{N};
  for (int64_t i = 0; i < sp; ++i) {
    pe.push_back(d(1 + i));
    oe.push_back(d(1 + i));
    os.push_back(split[2 + 2 * i]);
  }
  pe.push_back(d(2 + sp));
  oe.push_back(d(1 + sp));
  os.push_back(idx(M));
  for (int64_t i = 0; i < sp; ++i) {
    pe.push_back(d(3 + sp + i));
    we.push_back(d(3 + sp + i));
  }
  Value y = convContraction(n, patches, w, os, nd, 1 + sp, pe, we, oe);
  Shape back{0, 1 + sp};
  for (int64_t i = 0; i < sp; ++i)
    back.push_back(1 + i);
  return addConvBias(n, transposeValue(n, y, back));
}

/// Conv with dynamic dims (other than a dynamic batch alone): one group,
/// pads and output sizes computed at run time. X's channels and W's are
/// read up to the smaller of the two, so inconsistent inputs cannot read
/// out of bounds.
void dynamicConv(NodeCtx &n, Value x, Value w, ArrayRef<int64_t> strides, ArrayRef<int64_t> dil,
                 ArrayRef<int64_t> pads, StringRef autoPad) {
  Importer &imp = n.imp;
  OpBuilder &b = n.b;
  Location l = n.loc;
  int64_t sp = cast<RankedTensorType>(x.getType()).getRank() - 2;
  Type et = elemOf(x);
  Dims xd = imp.dimsOf(x), wd = imp.dimsOf(w);
  if (!imp.sameDim(xd[1], wd[1])) {
    OpFoldResult c = imp.minDims(l, xd[1], wd[1]);
    xd[1] = wd[1] = c;
    x = imp.sliceTo(l, x, xd);
    w = imp.sliceTo(l, w, wd);
  }
  Value zero = arith::ConstantIndexOp::create(b, l, 0);
  Value one = arith::ConstantIndexOp::create(b, l, 1);
  Value two = arith::ConstantIndexOp::create(b, l, 2);
  // The dilated kernel's extent along spatial dim i: (k - 1) * dil + 1.
  auto kernelSpan = [&](int64_t i) -> Value {
    Value k = imp.indexValue(l, wd[i + 2]);
    Value d = arith::ConstantIndexOp::create(b, l, dil[i]);
    return arith::AddIOp::create(
        b, l, arith::MulIOp::create(b, l, arith::SubIOp::create(b, l, k, one), d), one);
  };
  SmallVector<OpFoldResult> lo(2, b.getIndexAttr(0)), hi(2, b.getIndexAttr(0));
  bool anyPad = false;
  for (int64_t i = 0; i < sp; ++i) {
    Value in = imp.indexValue(l, xd[i + 2]);
    Value st = arith::ConstantIndexOp::create(b, l, strides[i]);
    Value span = kernelSpan(i);
    OpFoldResult pl = b.getIndexAttr(pads[i]), ph = b.getIndexAttr(pads[i + sp]);
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      // out = ceil(in / stride); total = max((out-1)*stride + span - in, 0).
      Value out = arith::CeilDivSIOp::create(b, l, in, st);
      Value total = arith::SubIOp::create(
          b, l, arith::AddIOp::create(b, l, arith::MulIOp::create(b, l, arith::SubIOp::create(b, l, out, one), st), span),
          in);
      total = arith::MaxSIOp::create(b, l, total, zero);
      Value small = arith::DivSIOp::create(b, l, total, two);
      Value big = arith::SubIOp::create(b, l, total, small);
      pl = autoPad == "SAME_UPPER" ? small : big;
      ph = autoPad == "SAME_UPPER" ? big : small;
    }
    anyPad |= getConstantIntValue(pl) != 0 || getConstantIntValue(ph) != 0;
    lo.push_back(pl);
    hi.push_back(ph);
  }
  if (anyPad) {
    Dims ps = xd;
    for (int64_t i = 0; i < sp; ++i)
      ps[i + 2] = imp.addDims(l, imp.addDims(l, xd[i + 2], lo[i + 2]), hi[i + 2]);
    Value zeroF = cst(b, l, et, 0);
    x = tensor::PadOp::create(b, l, RankedTensorType::get(Importer::shapeOfDims(ps), et), x, lo, hi,
                              zeroF);
    xd = imp.dimsOf(x);
  }
  // Output sizes: (in - span) / stride + 1, or 0 when the kernel is larger.
  Dims os{xd[0], wd[0]};
  for (int64_t i = 0; i < sp; ++i) {
    Value in = imp.indexValue(l, xd[i + 2]);
    Value span = kernelSpan(i);
    Value fits = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, in, span);
    Value o = arith::AddIOp::create(
        b, l, arith::DivSIOp::create(b, l, arith::SubIOp::create(b, l, in, span),
                                     arith::ConstantIndexOp::create(b, l, strides[i])),
        one);
    os.push_back(arith::SelectOp::create(b, l, fits, o, zero).getResult());
  }
  // Loops: n, m, o_1..o_sp, c, r_1..r_sp.
  int64_t nd = 2 + sp + 1 + sp;
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> xe{d(0), d(2 + sp)}, we{d(1), d(2 + sp)}, oe{d(0), d(1)};
  for (int64_t i = 0; i < sp; ++i) {
    xe.push_back(d(2 + i) * strides[i] + d(3 + sp + i) * dil[i]);
    we.push_back(d(3 + sp + i));
    oe.push_back(d(2 + i));
  }
  Value y = convContraction(n, x, w, os, nd, 1 + sp, xe, we, oe);
  n.setOutput(0, addConvBias(n, y), n.in(0).dtype);
}

void conv(NodeCtx &n) {
  requireFloat(n);
  Value x = n.val(0), w = n.val(1);
  Shape xs = shapeOf(x), ws = shapeOf(w);
  int64_t sp = xs.size() - 2;
  if (sp < 1 || ws.size() != xs.size())
    n.fail("Conv needs X of rank >= 3 and W of the same rank");
  int64_t group = n.attrInt("group", 1);
  auto vec = [&](StringRef name, int64_t dflt, int64_t len) {
    std::vector<int64_t> v = n.attrInts(name).value_or(std::vector<int64_t>(len, dflt));
    if ((int64_t)v.size() != len)
      n.fail(name + " has " + Twine((int64_t)v.size()) + " values, expected " + Twine(len));
    return v;
  };
  auto strides = vec("strides", 1, sp), dil = vec("dilations", 1, sp);
  auto pads = vec("pads", 0, 2 * sp);
  std::string autoPad = n.attrString("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    n.fail("unknown auto_pad '" + autoPad + "'");
  for (int64_t i = 0; i < sp; ++i)
    if (strides[i] < 1 || dil[i] < 1)
      n.fail("Conv strides and dilations must be >= 1");
  // A dynamic batch alone keeps the static path; other dynamic dims take
  // the general one (one group).
  bool dynamic = ShapedType::isDynamic(ws[0]);
  for (size_t i = 1; i < xs.size(); ++i)
    dynamic |= ShapedType::isDynamic(xs[i]) || ShapedType::isDynamic(ws[i]);
  if (dynamic) {
    if (group != 1)
      n.unsupported("grouped Conv with dynamic channel, spatial or kernel dimensions; "
                    "fix them with --shape-info");
    if (autoPad == "VALID")
      std::fill(pads.begin(), pads.end(), 0);
    return dynamicConv(n, x, w, strides, dil, pads, autoPad);
  }
  int64_t C = xs[1], M = ws[0], Cg = ws[1];
  if (group < 1 || C != Cg * group || M % group != 0)
    n.fail("Conv channels do not match: X has " + Twine(C) + ", W expects " +
           Twine(Cg) + " x group " + Twine(group));
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
  if (Value y = patchConv(n, x, w, strides, dil, group, anyPad)) {
    n.setOutput(0, y, n.in(0).dtype);
    return;
  }
  Dims os{n.imp.dimOf(x, 0), n.b.getIndexAttr(M)};
  for (int64_t i = 0; i < sp; ++i) {
    int64_t span = (kernel[i] - 1) * dil[i] + 1;
    if (xs[i + 2] < span)
      n.fail("Conv kernel is larger than the (padded) input");
    os.push_back(n.b.getIndexAttr((xs[i + 2] - span) / strides[i] + 1));
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
  Value y = convContraction(n, x, w, os, nd, 1 + sp, xe, we, oe);
  n.setOutput(0, addConvBias(n, y), n.in(0).dtype);
}

} // namespace

void lut::onnximport::registerContractionOps(OpRegistry &r) {
  r.add({
      // op type, handler, opsets
      {"MatMul", matmul, 7, 17},
      {"Gemm", gemm, 7, 17},
      {"Conv", conv, 7, 17},
  });
}
