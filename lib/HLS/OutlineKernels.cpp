//===- OutlineKernels.cpp - one function per LUT FFN, for HLS tops ---------===//
//
// lut-hls-outline-kernels (documented in include/lut/HLS/Passes.td).
//
//===----------------------------------------------------------------------===//
#include "lut/HLS/Passes.h"

#include "lut/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringSet.h"

#include <cstring>

namespace lut {
#define GEN_PASS_DEF_LUTHLSOUTLINEKERNELS
#include "lut/HLS/Passes.h.inc"
} // namespace lut

using namespace mlir;

namespace {

/// Sets lut.hls_arg_names / lut.hls_results on a public function on
/// tensors from its lut.name attributes.
void nameArguments(func::FuncOp f) {
  llvm::StringSet<> used;
  SmallVector<Attribute> names;
  auto add = [&](StringAttr given, StringRef fallback) {
    std::string n = lut::hls::cIdentifier(given ? given.getValue() : "", fallback);
    std::string unique = n;
    for (int k = 1; !used.insert(unique).second; ++k)
      unique = n + "_" + std::to_string(k);
    names.push_back(StringAttr::get(f.getContext(), unique));
  };
  for (unsigned i = 0; i < f.getNumArguments(); ++i)
    add(f.getArgAttrOfType<StringAttr>(i, "lut.name"), ("in" + Twine(i)).str());
  for (unsigned i = 0; i < f.getNumResults(); ++i)
    add(f.getResultAttrOfType<StringAttr>(i, "lut.name"), ("out" + Twine(i)).str());
  if (!f->hasAttr("lut.hls_arg_names"))
    f->setAttr("lut.hls_arg_names", ArrayAttr::get(f.getContext(), names));
  if (!f->hasAttr("lut.hls_results"))
    f->setAttr("lut.hls_results",
               IntegerAttr::get(IntegerType::get(f.getContext(), 64), f.getNumResults()));
}

/// The bytes of a constant's elements, or nullopt (splats included).
std::optional<ArrayRef<char>> constantBytes(Attribute attr) {
  if (auto d = dyn_cast<DenseElementsAttr>(attr); d && !d.isSplat())
    return d.getRawData();
  if (auto r = dyn_cast<DenseResourceElementsAttr>(attr))
    if (AsmResourceBlob *blob = r.getRawHandle().getBlob())
      return blob->getData();
  return std::nullopt;
}

/// Folds `tensor.extract_slice` (static, unit strides) of a constant into a
/// constant of the slice; returns the new value, or `v` unchanged.
FailureOr<Value> foldConstantSlice(OpBuilder &b, Value v) {
  auto slice = v.getDefiningOp<tensor::ExtractSliceOp>();
  if (!slice)
    return v;
  auto cst = slice.getSource().getDefiningOp<arith::ConstantOp>();
  auto srcType = dyn_cast<RankedTensorType>(slice.getSourceType());
  RankedTensorType dstType = slice.getResultType();
  if (!cst || !srcType || !srcType.hasStaticShape() || !dstType.hasStaticShape() ||
      dstType.getRank() != srcType.getRank() || ShapedType::isDynamicShape(slice.getStaticOffsets()) ||
      !llvm::all_of(slice.getStaticStrides(), [](int64_t s) { return s == 1; }) ||
      srcType.getElementTypeBitWidth() % 8)
    return v;
  std::optional<ArrayRef<char>> bytes = constantBytes(cst.getValue());
  int64_t esz = srcType.getElementTypeBitWidth() / 8;
  if (!bytes || (int64_t)bytes->size() != srcType.getNumElements() * esz) {
    slice.emitError("lut-hls-outline-kernels: the sliced constant has no data of ")
        << srcType.getNumElements() << " elements";
    return failure();
  }
  ArrayRef<int64_t> off = slice.getStaticOffsets(), srcShape = srcType.getShape(),
                    dstShape = dstType.getShape();
  int64_t rank = dstType.getRank(), run = dstShape.back();
  std::vector<char> out(dstType.getNumElements() * esz);
  SmallVector<int64_t> idx(rank, 0);
  for (int64_t o = 0; o < dstType.getNumElements(); o += run) {
    int64_t src = 0;
    for (int64_t d = 0; d < rank; ++d)
      src = src * srcShape[d] + off[d] + idx[d];
    std::memcpy(out.data() + o * esz, bytes->data() + src * esz, run * esz);
    for (int64_t d = rank - 2; d >= 0; --d) {
      if (++idx[d] < dstShape[d])
        break;
      idx[d] = 0;
    }
  }
  b.setInsertionPoint(slice);
  auto r = dyn_cast<DenseResourceElementsAttr>(cst.getValue());
  if (!r)
    return arith::ConstantOp::create(b, slice.getLoc(),
                                     DenseElementsAttr::getFromRawBuffer(dstType, out))
        .getResult();
  auto attr = DenseResourceElementsAttr::get(
      dstType, (r.getRawHandle().getKey() + ".hls").str(),
      HeapAsmResourceBlob::allocateAndCopyWithAlign(out, alignof(int64_t)));
  return arith::ConstantOp::create(b, slice.getLoc(), attr).getResult();
}

/// Builds `name(args...) -> result` around a clone of `op`: its constant
/// operands are cloned in, the others become arguments named `argNames`,
/// and its destination is a fresh tensor.empty. Returns the function and
/// the values passed at the call site.
func::FuncOp outlineOp(OpBuilder &mb, Operation *op, Value init, StringRef name,
                       ArrayRef<std::pair<Value, StringRef>> operands, StringRef kernel,
                       SmallVectorImpl<Value> &callArgs) {
  MLIRContext *ctx = op->getContext();
  SmallVector<Type> argTypes;
  SmallVector<Attribute> argNames;
  for (auto [v, n] : operands)
    if (v && !v.getDefiningOp<arith::ConstantOp>()) {
      argTypes.push_back(v.getType());
      argNames.push_back(StringAttr::get(ctx, n));
      callArgs.push_back(v);
    }
  Type resultType = op->getResult(0).getType();
  argNames.push_back(StringAttr::get(ctx, kernel == "lsh_encode" ? "codes" : "y"));
  auto f = func::FuncOp::create(mb, op->getLoc(), name,
                                FunctionType::get(ctx, argTypes, resultType));
  f->setAttr("lut.hls_kernel", StringAttr::get(ctx, kernel));
  f->setAttr("lut.hls_arg_names", ArrayAttr::get(ctx, argNames));
  f->setAttr("lut.hls_results", IntegerAttr::get(IntegerType::get(ctx, 64), 1));
  OpBuilder b = OpBuilder::atBlockBegin(f.addEntryBlock());
  IRMapping map;
  unsigned k = 0;
  for (auto [v, n] : operands) {
    if (!v || map.contains(v))
      continue;
    if (auto c = v.getDefiningOp<arith::ConstantOp>())
      map.map(v, b.clone(*c)->getResult(0));
    else
      map.map(v, f.getArgument(k++));
  }
  auto type = cast<RankedTensorType>(init.getType());
  map.map(init, tensor::EmptyOp::create(b, op->getLoc(), type.getShape(),
                                        type.getElementType()).getResult());
  Operation *clone = b.clone(*op, map);
  func::ReturnOp::create(b, op->getLoc(), clone->getResult(0));
  return f;
}

struct OutlineKernels : lut::impl::LutHlsOutlineKernelsBase<OutlineKernels> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    SmallVector<lut::GatherSumOp> gathers;
    for (func::FuncOp f : funcs) {
      if (f.isExternal())
        continue;
      if (!f.isPrivate())
        nameArguments(f);
      f.walk([&](lut::GatherSumOp g) { gathers.push_back(g); });
    }
    OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
    int idx = 0;
    for (lut::GatherSumOp g : gathers) {
      if (!g.hasPureTensorSemantics()) {
        g.emitError("lut-hls-outline-kernels runs on tensors, before bufferization");
        return signalPassFailure();
      }
      OpBuilder b(g);
      FailureOr<Value> tables = foldConstantSlice(b, g.getTables());
      if (failed(tables))
        return signalPassFailure();
      g.getTablesMutable().assign(*tables);
      std::string base = "ffn" + std::to_string(idx++);
      auto enc = g.getCodes().getDefiningOp<lut::LshEncodeOp>();
      if (enc && !enc->hasOneUse())
        enc = nullptr;
      // The gather: codes in, y out.
      SmallVector<Value> gatherArgs;
      func::FuncOp gf = outlineOp(mb, g, g.getInit(), base + "_gather_sum",
                                  {{g.getCodes(), "codes"}, {g.getTables(), "tables"},
                                   {g.getWeights(), "weights"}, {g.getBias(), "bias"},
                                   {g.getScales(), "scales"}},
                                  "gather_sum", gatherArgs);
      b.setInsertionPoint(g);
      if (!enc) {
        auto call = func::CallOp::create(b, g.getLoc(), gf, gatherArgs);
        g->getResult(0).replaceAllUsesWith(call.getResult(0));
        g.erase();
        continue;
      }
      SmallVector<Value> encodeArgs;
      func::FuncOp ef = outlineOp(mb, enc, enc.getInit(), base + "_encode",
                                  {{enc.getX(), "x"}, {enc.getProjection(), "projection"},
                                   {enc.getBias(), "bias"}},
                                  "lsh_encode", encodeArgs);
      // The FFN: the encode's arguments, then the gather's beyond codes.
      SmallVector<Value> ffnArgs(encodeArgs);
      ffnArgs.append(gatherArgs.begin() + 1, gatherArgs.end());
      SmallVector<Type> types;
      SmallVector<Attribute> names;
      for (auto [i, v] : llvm::enumerate(ffnArgs)) {
        types.push_back(v.getType());
        auto src = i < encodeArgs.size() ? ef : gf;
        unsigned pos = i < encodeArgs.size() ? i : i - encodeArgs.size() + 1;
        names.push_back(cast<ArrayAttr>(src->getAttr("lut.hls_arg_names"))[pos]);
      }
      names.push_back(StringAttr::get(&getContext(), "y"));
      auto ff = func::FuncOp::create(mb, g.getLoc(), base,
                                     FunctionType::get(&getContext(), types, g->getResult(0).getType()));
      ff->setAttr("lut.hls_kernel", StringAttr::get(&getContext(), "ffn"));
      ff->setAttr("lut.hls_arg_names", ArrayAttr::get(&getContext(), names));
      ff->setAttr("lut.hls_results", mb.getI64IntegerAttr(1));
      OpBuilder fb = OpBuilder::atBlockBegin(ff.addEntryBlock());
      ValueRange fargs = ff.getArguments();
      auto codes = func::CallOp::create(fb, g.getLoc(), ef, fargs.take_front(encodeArgs.size()));
      SmallVector<Value> gArgs{codes.getResult(0)};
      gArgs.append(fargs.begin() + encodeArgs.size(), fargs.end());
      auto y = func::CallOp::create(fb, g.getLoc(), gf, gArgs);
      func::ReturnOp::create(fb, g.getLoc(), y.getResult(0));
      auto call = func::CallOp::create(b, g.getLoc(), ff, ffnArgs);
      g->getResult(0).replaceAllUsesWith(call.getResult(0));
      g.erase();
      enc.erase();
    }
  }
};

} // namespace
