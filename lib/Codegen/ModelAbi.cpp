//===- ModelAbi.cpp - the model ABI's C entry points ----------------------===//
//
// Implements `lut-model-abi` (Passes.td): `lut_model_run` and
// `lut_model_signature` around the entry function, in the LLVM dialect.
//
//===----------------------------------------------------------------------===//
#include "lut/Codegen/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

namespace lut {
#define GEN_PASS_DEF_LUTMODELABI
#include "lut/Codegen/Passes.h.inc"
} // namespace lut

using namespace mlir;

namespace {

/// One input or output of the signature: its dims, kDynamic for `?...`.
struct SigTensor {
  bool input;
  SmallVector<int64_t> dims;
};

SmallVector<SigTensor> parseSignatureTensors(StringRef sig) {
  SmallVector<SigTensor> r;
  SmallVector<StringRef> lines;
  sig.split(lines, '\n', -1, false);
  for (StringRef l : lines) {
    bool in = l.starts_with("input "), out = l.starts_with("output ");
    if (!in && !out)
      continue;
    SmallVector<StringRef> f;
    l.split(f, ' ', 4, false);
    SigTensor t{in, {}};
    if (f.size() >= 4 && f[3] != "scalar") {
      SmallVector<StringRef> ds;
      f[3].split(ds, ',');
      for (StringRef d : ds) {
        int64_t v = ShapedType::kDynamic;
        if (!d.starts_with("?") && d.getAsInteger(10, v))
          v = ShapedType::kDynamic;
        t.dims.push_back(v);
      }
    }
    r.push_back(t);
  }
  return r;
}

/// Builds the dynamic model ABI (docs/Runtime.md) around an entry lowered
/// with memref descriptors (lut-entry-to-llvm):
///   int32_t lut_model_run_dynamic(void *const *inputs,
///       const int64_t *const *inputShapes, void *const *outputs,
///       const int64_t *const *outputShapes);
///   int32_t lut_model_output_shapes(void *const *inputs,
///       const int64_t *const *inputShapes, int64_t *const *outputShapes);
LogicalResult buildDynamicAbi(ModuleOp m, LLVM::LLVMFuncOp entryFn, LLVM::LLVMFuncOp shapesFn,
                              ArrayRef<SigTensor> tensors) {
  MLIRContext *ctx = m.getContext();
  auto ptrTy = LLVM::LLVMPointerType::get(ctx);
  auto i32 = IntegerType::get(ctx, 32), i64 = IntegerType::get(ctx, 64);
  unsigned nIn = 0, nParams = 0, nInParams = 0, nOutDims = 0;
  for (const SigTensor &t : tensors) {
    nIn += t.input;
    nParams += 3 + 2 * t.dims.size();
    nInParams += t.input ? 3 + 2 * t.dims.size() : 0;
    nOutDims += t.input ? 0 : t.dims.size();
  }
  if (entryFn.getFunctionType().getNumParams() != nParams)
    return entryFn.emitError() << "lut-model-abi: the dynamic entry takes "
                               << entryFn.getFunctionType().getNumParams()
                               << " parameters, expected " << nParams
                               << " (a memref descriptor per input and output)";
  if (!shapesFn)
    return entryFn.emitError() << "lut-model-abi: the dynamic entry has no '"
                               << entryFn.getName() << lut::kOutputShapesSuffix
                               << "' (run lut-output-shapes on tensors)";
  if (shapesFn.getFunctionType().getNumParams() != nInParams)
    return shapesFn.emitError() << "lut-model-abi: '" << shapesFn.getName() << "' takes "
                                << shapesFn.getFunctionType().getNumParams()
                                << " parameters, expected " << nInParams;
  Location loc = entryFn.getLoc();
  OpBuilder b = OpBuilder::atBlockEnd(m.getBody());
  auto cst = [&](int64_t v) {
    return LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(v)).getResult();
  };
  auto load = [&](Value arr, int64_t k, Type t) -> Value {
    Value slot = LLVM::GEPOp::create(b, loc, ptrTy, t, arr, ArrayRef<LLVM::GEPArg>{(int32_t)k},
                                     LLVM::GEPNoWrapFlags::inbounds);
    return LLVM::LoadOp::create(b, loc, t, slot);
  };
  // The expanded descriptor of tensor k (index `k` within its array), from
  // its data pointer and its row of dims.
  auto descriptor = [&](const SigTensor &t, Value data, Value shapeRow,
                        SmallVectorImpl<Value> &args) {
    SmallVector<Value> sizes;
    for (size_t d = 0; d < t.dims.size(); ++d)
      sizes.push_back(ShapedType::isDynamic(t.dims[d]) ? load(shapeRow, d, i64) : cst(t.dims[d]));
    SmallVector<Value> strides(t.dims.size());
    Value stride = cst(1);
    for (int64_t d = (int64_t)t.dims.size() - 1; d >= 0; --d) {
      strides[d] = stride;
      stride = LLVM::MulOp::create(b, loc, stride, sizes[d]);
    }
    args.push_back(data);
    args.push_back(data);
    args.push_back(cst(0));
    args.append(sizes);
    args.append(strides);
  };

  // lut_model_run_dynamic
  auto run = LLVM::LLVMFuncOp::create(b, loc, "lut_model_run_dynamic",
                                      LLVM::LLVMFunctionType::get(i32, {ptrTy, ptrTy, ptrTy, ptrTy}));
  Block *body = run.addEntryBlock(b);
  b.setInsertionPointToStart(body);
  SmallVector<Value> args;
  unsigned in = 0, out = 0;
  for (const SigTensor &t : tensors) {
    unsigned k = t.input ? in++ : out++;
    Value data = load(body->getArgument(t.input ? 0 : 2), k, ptrTy);
    Value row = load(body->getArgument(t.input ? 1 : 3), k, ptrTy);
    descriptor(t, data, row, args);
  }
  LLVM::CallOp::create(b, loc, entryFn, args);
  LLVM::ReturnOp::create(b, loc, LLVM::ConstantOp::create(b, loc, i32, b.getI32IntegerAttr(0)));

  // lut_model_output_shapes
  b.setInsertionPointToEnd(m.getBody());
  auto shapes = LLVM::LLVMFuncOp::create(b, loc, "lut_model_output_shapes",
                                         LLVM::LLVMFunctionType::get(i32, {ptrTy, ptrTy, ptrTy}));
  body = shapes.addEntryBlock(b);
  b.setInsertionPointToStart(body);
  args.clear();
  in = 0;
  for (const SigTensor &t : tensors)
    if (t.input) {
      unsigned k = in++;
      descriptor(t, load(body->getArgument(0), k, ptrTy), load(body->getArgument(1), k, ptrTy), args);
    }
  auto call = LLVM::CallOp::create(b, loc, shapesFn, args);
  SmallVector<Value> dims;
  if (nOutDims == 1) {
    dims.push_back(call.getResult());
  } else if (nOutDims > 1) {
    for (unsigned i = 0; i < nOutDims; ++i)
      dims.push_back(LLVM::ExtractValueOp::create(b, loc, call.getResult(), ArrayRef<int64_t>{i}));
  }
  unsigned next = 0;
  out = 0;
  for (const SigTensor &t : tensors) {
    if (t.input)
      continue;
    Value row = load(body->getArgument(2), out++, ptrTy);
    for (size_t d = 0; d < t.dims.size(); ++d) {
      Value slot = LLVM::GEPOp::create(b, loc, ptrTy, i64, row, ArrayRef<LLVM::GEPArg>{(int32_t)d},
                                       LLVM::GEPNoWrapFlags::inbounds);
      LLVM::StoreOp::create(b, loc, dims[next++], slot);
    }
  }
  LLVM::ReturnOp::create(b, loc, LLVM::ConstantOp::create(b, loc, i32, b.getI32IntegerAttr(0)));
  entryFn.setLinkage(LLVM::Linkage::Internal);
  shapesFn.setLinkage(LLVM::Linkage::Internal);
  (void)nIn;
  return success();
}

/// `lut_model_run(inputs, outputs)` around an entry lowered with memref
/// descriptors although its signature is static (lut-entry-to-llvm does so
/// for tensors with no elements, which have no bare pointer form): the
/// descriptors are built from the static dims.
LogicalResult buildStaticDescriptorRun(ModuleOp m, LLVM::LLVMFuncOp entryFn,
                                       ArrayRef<SigTensor> tensors) {
  MLIRContext *ctx = m.getContext();
  auto ptrTy = LLVM::LLVMPointerType::get(ctx);
  auto i32 = IntegerType::get(ctx, 32), i64 = IntegerType::get(ctx, 64);
  Location loc = entryFn.getLoc();
  OpBuilder b = OpBuilder::atBlockEnd(m.getBody());
  auto run = LLVM::LLVMFuncOp::create(b, loc, "lut_model_run",
                                      LLVM::LLVMFunctionType::get(i32, {ptrTy, ptrTy}));
  Block *body = run.addEntryBlock(b);
  b.setInsertionPointToStart(body);
  auto cst = [&](int64_t v) {
    return LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(v)).getResult();
  };
  SmallVector<Value> args;
  unsigned in = 0, out = 0;
  for (const SigTensor &t : tensors) {
    unsigned k = t.input ? in++ : out++;
    Value slot = LLVM::GEPOp::create(b, loc, ptrTy, ptrTy, body->getArgument(t.input ? 0 : 1),
                                     ArrayRef<LLVM::GEPArg>{(int32_t)k},
                                     LLVM::GEPNoWrapFlags::inbounds);
    Value data = LLVM::LoadOp::create(b, loc, ptrTy, slot);
    args.push_back(data);
    args.push_back(data);
    args.push_back(cst(0));
    SmallVector<int64_t> strides(t.dims.size());
    int64_t stride = 1;
    for (int64_t d = (int64_t)t.dims.size() - 1; d >= 0; --d) {
      strides[d] = stride;
      stride *= t.dims[d];
    }
    for (int64_t d : t.dims)
      args.push_back(cst(d));
    for (int64_t st : strides)
      args.push_back(cst(st));
  }
  if (entryFn.getFunctionType().getNumParams() != args.size())
    return entryFn.emitError() << "lut-model-abi: '" << entryFn.getName() << "' takes "
                               << entryFn.getFunctionType().getNumParams()
                               << " parameters, expected " << args.size()
                               << " (a memref descriptor per input and output)";
  LLVM::CallOp::create(b, loc, entryFn, args);
  LLVM::ReturnOp::create(b, loc, LLVM::ConstantOp::create(b, loc, i32, b.getI32IntegerAttr(0)));
  entryFn.setLinkage(LLVM::Linkage::Internal);
  return success();
}

struct LutModelAbiPass : public lut::impl::LutModelAbiBase<LutModelAbiPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp m = getOperation();
    MLIRContext *ctx = &getContext();
    auto entryFn = m.lookupSymbol<LLVM::LLVMFuncOp>(entry);
    if (!entryFn) {
      m.emitError() << "lut-model-abi: no llvm.func '" << entry
                    << "' (run it after the lowering to the LLVM dialect)";
      return signalPassFailure();
    }
    auto sigAttr = entryFn->getAttrOfType<StringAttr>(lut::kSignatureAttrName);
    if (!sigAttr) {
      entryFn.emitError() << "lut-model-abi: '" << entry << "' has no '"
                          << lut::kSignatureAttrName << "' attribute (run lut-model-signature "
                          << "on the tensor-level module first)";
      return signalPassFailure();
    }
    StringRef sig = sigAttr.getValue();
    SmallVector<SigTensor> tensors = parseSignatureTensors(sig);
    bool dynamic = llvm::any_of(tensors, [](const SigTensor &t) {
      return llvm::any_of(t.dims, ShapedType::isDynamic);
    });
    if (dynamic) {
      auto shapesFn = m.lookupSymbol<LLVM::LLVMFuncOp>(entry + lut::kOutputShapesSuffix.str());
      if (failed(buildDynamicAbi(m, entryFn, shapesFn, tensors)))
        return signalPassFailure();
      entryFn->removeAttr(lut::kSignatureAttrName);
      entryFn->removeAttr(lut::kDescriptorAbiAttrName);
      emitSignature(m, entryFn.getLoc(), sig);
      return;
    }
    unsigned nIn = 0, nOut = 0;
    SmallVector<StringRef> lines;
    sig.split(lines, '\n', -1, false);
    for (StringRef l : lines) {
      nIn += l.starts_with("input ");
      nOut += l.starts_with("output ");
    }
    auto ptrTy = LLVM::LLVMPointerType::get(ctx);
    LLVM::LLVMFunctionType fty = entryFn.getFunctionType();
    if (entryFn->hasAttr(lut::kDescriptorAbiAttrName)) {
      if (failed(buildStaticDescriptorRun(m, entryFn, tensors)))
        return signalPassFailure();
      entryFn->removeAttr(lut::kDescriptorAbiAttrName);
      entryFn->removeAttr(lut::kSignatureAttrName);
      emitSignature(m, entryFn.getLoc(), sig);
      return;
    }
    for (Type t : fty.getParams())
      if (t != ptrTy) {
        entryFn.emitError() << "lut-model-abi: '" << entry << "' takes " << t
                            << "; the model ABI needs pointer arguments (bare-pointer "
                               "memref calling convention)";
        return signalPassFailure();
      }
    if (fty.getNumParams() != nIn + nOut) {
      entryFn.emitError() << "lut-model-abi: the signature has " << nIn + nOut
                          << " tensors but '" << entry << "' takes " << fty.getNumParams()
                          << " pointers";
      return signalPassFailure();
    }
    // The model's own function is an implementation detail.
    entryFn.setLinkage(LLVM::Linkage::Internal);
    entryFn->removeAttr(lut::kSignatureAttrName);

    OpBuilder b = OpBuilder::atBlockEnd(m.getBody());
    Location loc = entryFn.getLoc();
    auto i32 = b.getI32Type();
    auto run = LLVM::LLVMFuncOp::create(b, loc, "lut_model_run",
                                        LLVM::LLVMFunctionType::get(i32, {ptrTy, ptrTy}));
    Block *body = run.addEntryBlock(b);
    b.setInsertionPointToStart(body);
    SmallVector<Value> args;
    for (unsigned i = 0; i < nIn + nOut; ++i) {
      Value arr = body->getArgument(i < nIn ? 0 : 1);
      int32_t k = i < nIn ? i : i - nIn;
      Value slot = LLVM::GEPOp::create(b, loc, ptrTy, ptrTy, arr,
                                       ArrayRef<LLVM::GEPArg>{k},
                                       LLVM::GEPNoWrapFlags::inbounds);
      args.push_back(LLVM::LoadOp::create(b, loc, ptrTy, slot));
    }
    LLVM::CallOp::create(b, loc, entryFn, args);
    Value zero = LLVM::ConstantOp::create(b, loc, i32, b.getI32IntegerAttr(0));
    LLVM::ReturnOp::create(b, loc, zero);
    emitSignature(m, loc, sig);
  }

  /// `lut_model_signature()` returning `sig`.
  static void emitSignature(ModuleOp m, Location loc, StringRef sig) {
    auto ptrTy = LLVM::LLVMPointerType::get(m.getContext());
    OpBuilder b = OpBuilder::atBlockEnd(m.getBody());
    std::string text = sig.str();
    text.push_back('\0');
    auto arrTy = LLVM::LLVMArrayType::get(b.getI8Type(), text.size());
    LLVM::GlobalOp::create(b, loc, arrTy, /*isConstant=*/true, LLVM::Linkage::Private,
                           "lut_model_signature_text", b.getStringAttr(text));
    auto sigFn = LLVM::LLVMFuncOp::create(b, loc, "lut_model_signature",
                                          LLVM::LLVMFunctionType::get(ptrTy, {}));
    b.setInsertionPointToStart(sigFn.addEntryBlock(b));
    Value addr = LLVM::AddressOfOp::create(b, loc, ptrTy, "lut_model_signature_text");
    LLVM::ReturnOp::create(b, loc, addr);
  }
};

} // namespace
