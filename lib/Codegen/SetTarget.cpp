//===- SetTarget.cpp - record the target on the module --------------------===//
//
// Implements `lut-set-target` (Passes.td).
//
//===----------------------------------------------------------------------===//
#include "lut/Codegen/Passes.h"
#include "lut/Codegen/Target.h"


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
    std::string t = triple, c = cpu, f = features;
    lut::resolveTarget(t, c, f);
    m->setAttr(LLVM::LLVMDialect::getTargetTripleAttrName(), StringAttr::get(&getContext(), t));
    auto set = [&](StringRef name, const std::string &value) {
      if (!value.empty())
        m->setAttr(name, StringAttr::get(&getContext(), value));
      else
        m->removeAttr(name);
    };
    set(lut::kTargetCpuAttrName, c);
    set(lut::kTargetFeaturesAttrName, f);
  }
};

} // namespace
