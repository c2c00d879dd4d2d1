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
    unsigned nIn = 0, nOut = 0;
    SmallVector<StringRef> lines;
    sig.split(lines, '\n', -1, false);
    for (StringRef l : lines) {
      nIn += l.starts_with("input ");
      nOut += l.starts_with("output ");
    }
    auto ptrTy = LLVM::LLVMPointerType::get(ctx);
    LLVM::LLVMFunctionType fty = entryFn.getFunctionType();
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

    b.setInsertionPointToEnd(m.getBody());
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
