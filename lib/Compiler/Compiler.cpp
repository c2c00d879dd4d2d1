//===- Compiler.cpp - lowering and native code generation -----------------===//
#include "lut/Compiler/Compiler.h"
#include "lut/Compiler/RuntimeLibraries.h"
#include "lut/Codegen/Target.h"

#include "lut/Codegen/Passes.h"
#include "lut/Compiler/Linker.h"
#include "lut/Dialect/Lut/IR/LutDialect.h"
#include "lut/Dialect/Lut/Transforms/BufferizableOpInterfaceImpl.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;

void lut::registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<lut::LutDialect>();
  lut::registerBufferizableOpInterfaceExternalModels(registry);
}

LogicalResult lut::lowerToLLVMDialect(ModuleOp module, const CodegenOptions &opts) {
  LutToLLVMPipelineOptions o;
  o.entry = opts.entry;
  o.optLevel = opts.optLevel;
  o.ukernels = opts.ukernels;
  o.denseLibrary = opts.denseLibrary;
  o.parallelLoops = opts.parallelLoops;
  o.tile = opts.tile;
  o.targetTriple = opts.triple;
  o.targetCpu = opts.cpu;
  o.targetFeatures = opts.features;
  PassManager pm(module.getContext());
  buildLutToLLVMPipeline(pm, o);
  if (opts.configurePassManager && failed(opts.configurePassManager(pm)))
    return failure();
  return pm.run(module);
}

namespace {

/// The target machine for the module's (or the options') triple, CPU and
/// features.
std::unique_ptr<llvm::TargetMachine> makeTargetMachine(StringRef tripleStr, StringRef cpuName,
                                                       StringRef featureStr, unsigned optLevel,
                                                       std::string &error) {
  static bool init = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    llvm::InitializeAllAsmParsers();
    return true;
  }();
  (void)init;
  llvm::Triple triple(tripleStr.empty() ? llvm::sys::getDefaultTargetTriple() : tripleStr.str());
  std::string err;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, err);
  if (!target) {
    error = "unknown target triple '" + triple.str() + "': " + err;
    return nullptr;
  }
  std::string cpu = cpuName.str(), features = featureStr.str();
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    if (features.empty())
      features = lut::hostFeatures();
  }
  if (cpu.empty())
    cpu = "generic";
  llvm::CodeGenOptLevel ol = optLevel == 0   ? llvm::CodeGenOptLevel::None
                             : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                             : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                             : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_, std::nullopt, ol));
  if (!tm) {
    error = "cannot create a target machine for '" + triple.str() + "'";
    return nullptr;
  }
  if (cpu != "generic" && !tm->getMCSubtargetInfo()->isCPUStringValid(cpu)) {
    error = "unknown CPU '" + cpu + "' for target '" + triple.str() + "'";
    return nullptr;
  }
  return tm;
}

} // namespace

void lut::resolveTarget(CodegenOptions &opts) {
  lut::resolveTarget(opts.triple, opts.cpu, opts.features);
}

std::unique_ptr<llvm::Module> lut::translateToLLVMIR(ModuleOp module,
                                                     llvm::LLVMContext &llvmContext,
                                                     const CodegenOptions &opts,
                                                     std::string &error) {
  // The target: the options', else the one lut-set-target recorded.
  std::string triple = opts.triple, cpu = opts.cpu, features = opts.features;
  auto recorded = [&](StringRef name, std::string &value) {
    if (auto a = module->getAttrOfType<StringAttr>(name); a && value.empty())
      value = a.str();
  };
  recorded(LLVM::LLVMDialect::getTargetTripleAttrName(), triple);
  recorded(kTargetCpuAttrName, cpu);
  recorded(kTargetFeaturesAttrName, features);
  // lut's own module attributes have served; LLVM IR has no use for them.
  module->removeAttr(kTargetCpuAttrName);
  module->removeAttr(kTargetFeaturesAttrName);
  auto tm = makeTargetMachine(triple, cpu, features, opts.optLevel, error);
  if (!tm)
    return nullptr;
  auto llvmModule = translateModuleToLLVMIR(module, llvmContext, "lut_model");
  if (!llvmModule) {
    error = "translation to LLVM IR failed";
    return nullptr;
  }
  llvmModule->setTargetTriple(tm->getTargetTriple());
  llvmModule->setDataLayout(tm->createDataLayout());
  if (llvm::verifyModule(*llvmModule, &llvm::errs())) {
    error = "internal error: the generated LLVM IR does not verify";
    return nullptr;
  }
  if (opts.optLevel > 0) {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(tm.get());
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::OptimizationLevel ol = opts.optLevel == 1   ? llvm::OptimizationLevel::O1
                                 : opts.optLevel == 2 ? llvm::OptimizationLevel::O2
                                                      : llvm::OptimizationLevel::O3;
    llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(ol);
    mpm.run(*llvmModule, mam);
  }
  return llvmModule;
}

bool lut::emitObjectFile(llvm::Module &module, const CodegenOptions &opts,
                         llvm::raw_pwrite_stream &os, std::string &error) {
  auto tm = makeTargetMachine(module.getTargetTriple().str(), opts.cpu, opts.features,
                              opts.optLevel, error);
  if (!tm)
    return false;
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return false;
  }
  pm.run(module);
  return true;
}

bool lut::emitLLVMArtifact(ModuleOp module, LLVMArtifact kind, const CodegenOptions &opts,
                           llvm::raw_pwrite_stream &os, std::string &error) {
  CodegenOptions o = opts;
  if (auto c = module->getAttrOfType<StringAttr>(kTargetCpuAttrName); c && o.cpu.empty())
    o.cpu = c.str();
  if (auto f = module->getAttrOfType<StringAttr>(kTargetFeaturesAttrName); f && o.features.empty())
    o.features = f.str();
  llvm::LLVMContext llvmContext;
  auto llvmModule = translateToLLVMIR(module, llvmContext, o, error);
  if (!llvmModule)
    return false;
  if (kind == LLVMArtifact::IR) {
    llvmModule->print(os, nullptr);
    return true;
  }
  return emitObjectFile(*llvmModule, o, os, error);
}

bool lut::compileToSharedLibrary(ModuleOp module, const CodegenOptions &opts,
                                 StringRef soPath, std::string &error) {
  // Find the linker first: a cross target fails before any work.
  auto linker = LinkerTool::getForTarget(opts.triple, error);
  if (!linker)
    return false;
  if (failed(lowerToLLVMDialect(module, opts))) {
    error = "lowering to the LLVM dialect failed";
    return false;
  }
  SmallString<128> obj;
  if (auto ec = llvm::sys::fs::createTemporaryFile("lutc", "o", obj)) {
    error = "cannot create a temporary file: " + ec.message();
    return false;
  }
  std::vector<std::string> inputs = {obj.str().str()};
  bool ok;
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(obj, ec);
    if (ec) {
      error = "cannot write '" + obj.str().str() + "': " + ec.message();
      return false;
    }
    CodegenOptions o = opts;
    if (auto c = module->getAttrOfType<StringAttr>(kTargetCpuAttrName); c && o.cpu.empty())
      o.cpu = c.str();
    if (auto f = module->getAttrOfType<StringAttr>(kTargetFeaturesAttrName);
        f && o.features.empty())
      o.features = f.str();
    llvm::LLVMContext llvmContext;
    auto llvmModule = translateToLLVMIR(module, llvmContext, o, error);
    ok = llvmModule &&
         collectRuntimeLinkInputs(*llvmModule, llvmModule->getTargetTriple().str(), inputs,
                                  error, linker->crossGompDirectory()) &&
         emitObjectFile(*llvmModule, o, os, error);
  }
  ok = ok && linker->linkSharedLibrary(inputs, soPath, error);
  llvm::sys::fs::remove(obj);
  return ok;
}
