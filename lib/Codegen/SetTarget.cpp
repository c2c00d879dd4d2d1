//===- SetTarget.cpp - record the target on the module --------------------===//
//
// Implements `lut-set-target` (Passes.td).
//
//===----------------------------------------------------------------------===//
#include "lut/Codegen/Passes.h"

#include "llvm/TargetParser/Host.h"

namespace lut {
#define GEN_PASS_DEF_LUTSETTARGET
#include "lut/Codegen/Passes.h.inc"
} // namespace lut

using namespace mlir;

namespace {

struct LutSetTargetPass : public lut::impl::LutSetTargetBase<LutSetTargetPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp m = getOperation();
    std::string t = triple.empty() ? llvm::sys::getDefaultTargetTriple() : std::string(triple);
    m->setAttr(LLVM::LLVMDialect::getTargetTripleAttrName(), StringAttr::get(&getContext(), t));
    if (!cpu.empty())
      m->setAttr(lut::kTargetCpuAttrName, StringAttr::get(&getContext(), cpu));
    else
      m->removeAttr(lut::kTargetCpuAttrName);
  }
};

} // namespace
