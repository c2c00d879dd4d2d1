//===- EntryToLLVM.cpp - a dynamic entry with memref descriptors -----------===//
//
// Implements `lut-entry-to-llvm` (Passes.td).
//
//===----------------------------------------------------------------------===//
#include "lut/Codegen/Passes.h"

#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/StringSet.h"

namespace lut {
#define GEN_PASS_DEF_LUTENTRYTOLLVM
#include "lut/Codegen/Passes.h.inc"
} // namespace lut

using namespace mlir;

namespace {

struct LutEntryToLLVMPass : public lut::impl::LutEntryToLLVMBase<LutEntryToLLVMPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp m = getOperation();
    MLIRContext *ctx = &getContext();
    auto func = m.lookupSymbol<func::FuncOp>(entry);
    if (!func)
      return; // Already lowered, or not a model: lut-model-abi reports it.
    // Dynamic dims, or no elements (no bare pointer form either).
    auto needsDescriptor = [](Type t) {
      auto s = dyn_cast<ShapedType>(t);
      return s && (!s.hasStaticShape() || s.getNumElements() == 0);
    };
    if (!llvm::any_of(func.getArgumentTypes(), needsDescriptor))
      return;
    llvm::StringSet<> names;
    names.insert(entry);
    names.insert(entry + lut::kOutputShapesSuffix.str());
    // The functions, and (during the conversion, under an llvm.func of the
    // same name) their returns.
    auto mine = [&](Operation *op) {
      Operation *f = isa<func::FuncOp>(op) ? op : op->getParentOp();
      auto sym = f ? dyn_cast<SymbolOpInterface>(f) : nullptr;
      return sym && names.contains(sym.getName());
    };
    LLVMTypeConverter converter(ctx);
    RewritePatternSet patterns(ctx);
    populateFuncToLLVMConversionPatterns(converter, patterns);
    ConversionTarget target(*ctx);
    target.addLegalDialect<LLVM::LLVMDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp f) { return !mine(f); });
    target.addDynamicallyLegalOp<func::ReturnOp>([&](func::ReturnOp r) { return !mine(r); });
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(m, target, std::move(patterns))))
      return signalPassFailure();
    if (auto f = m.lookupSymbol<LLVM::LLVMFuncOp>(entry))
      f->setAttr(lut::kDescriptorAbiAttrName, UnitAttr::get(ctx));
  }
};

} // namespace
