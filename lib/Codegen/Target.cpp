//===- Target.cpp - How lut-mlir resolves a compilation target -----------===//
//
// Implements lut/Codegen/Target.h.
//
//===----------------------------------------------------------------------===//
#include "lut/Codegen/Target.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <memory>

std::string lut::hostFeatures() {
  std::string features;
  for (auto &kv : llvm::sys::getHostCPUFeatures())
    features += (features.empty() ? "" : ",") + std::string(kv.second ? "+" : "-") +
                kv.getKey().str();
  return features;
}

/// The features `cpu` implies on `triple`, as `+a,+b,...`; empty if LLVM
/// does not know the triple.
static std::string impliedFeatures(const std::string &tripleStr, const std::string &cpu) {
  static bool init = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargetMCs();
    return true;
  }();
  (void)init;
  llvm::Triple triple(tripleStr);
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return "";
  std::unique_ptr<llvm::MCSubtargetInfo> sti(target->createMCSubtargetInfo(triple, cpu, ""));
  if (!sti || !sti->isCPUStringValid(cpu))
    return "";
  std::string features;
  for (const llvm::SubtargetFeatureKV &kv : sti->getAllProcessorFeatures())
    if (sti->getFeatureBits().test(kv.Value))
      features += (features.empty() ? "+" : ",+") + std::string(kv.Key);
  return features;
}

void lut::resolveTarget(std::string &triple, std::string &cpu, std::string &features) {
  std::string host = llvm::sys::getDefaultTargetTriple();
  if (triple.empty())
    triple = host;
  bool hostArch = llvm::Triple(triple).getArch() == llvm::Triple(host).getArch();
  if ((cpu.empty() && hostArch) || cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    if (features.empty())
      features = hostFeatures();
    return;
  }
  if (!cpu.empty() && cpu != "generic" && features.empty())
    features = impliedFeatures(triple, cpu);
}
