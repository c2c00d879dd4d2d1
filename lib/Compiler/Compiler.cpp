//===- Compiler.cpp - lowering and native code generation -----------------===//
#include "lut/Compiler/Compiler.h"

#include "lut/Dialect/Lut/IR/LutDialect.h"
#include "lut/Conversion/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotModuleBufferize.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

void lut::registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<lut::LutDialect>();
}

std::string lut::buildModelSignature(ModuleOp module, StringRef funcName) {
  auto func = module.lookupSymbol<func::FuncOp>(funcName);
  if (!func) {
    module.emitError() << "no function '" << funcName << "' in the module";
    return "";
  }
  std::string sig = "lut-model v1\n";
  auto one = [&](StringRef kind, unsigned i, Type t, DictionaryAttr attrs) {
    auto tt = dyn_cast<RankedTensorType>(t);
    if (!tt || !tt.hasStaticShape()) {
      func.emitError() << kind << " #" << i << " of '" << funcName
                       << "' must be a statically shaped tensor, got " << t;
      return false;
    }
    if (tt.getNumElements() == 0) {
      func.emitError() << "unsupported: " << kind << " #" << i << " of '" << funcName
                       << "' has no elements (" << t
                       << "); compiled models need non-empty inputs and outputs";
      return false;
    }
    auto name = attrs ? attrs.getAs<StringAttr>("lut.name") : nullptr;
    auto dtype = attrs ? attrs.getAs<StringAttr>("lut.dtype") : nullptr;
    std::string dt;
    if (dtype) {
      dt = dtype.str();
    } else {
      Type et = tt.getElementType();
      if (et.isF32()) dt = "float";
      else if (et.isF64()) dt = "double";
      else if (et.isF16()) dt = "float16";
      else if (et.isBF16()) dt = "bfloat16";
      else if (et.isInteger(1)) dt = "bool";
      else if (et.isInteger(8)) dt = "int8";
      else if (et.isInteger(16)) dt = "int16";
      else if (et.isInteger(32)) dt = "int32";
      else if (et.isInteger(64)) dt = "int64";
      else {
        func.emitError() << kind << " #" << i << " has an element type with no ONNX equivalent: " << et;
        return false;
      }
    }
    std::string shape;
    for (int64_t d : tt.getShape())
      shape += (shape.empty() ? "" : ",") + std::to_string(d);
    if (shape.empty())
      shape = "scalar";
    // The name ends the line: control characters would break the format.
    std::string nm = name ? name.str() : "";
    for (char &c : nm)
      if ((unsigned char)c < 0x20 || c == 0x7f)
        c = '?';
    sig += (kind + " " + Twine(i) + " " + dt + " " + shape + " " + nm + "\n").str();
    return true;
  };
  auto fty = func.getFunctionType();
  for (unsigned i = 0; i < fty.getNumInputs(); ++i)
    if (!one("input", i, fty.getInput(i), func.getArgAttrDict(i)))
      return "";
  for (unsigned i = 0; i < fty.getNumResults(); ++i)
    if (!one("output", i, fty.getResult(i), func.getResultAttrDict(i)))
      return "";
  return sig;
}

LogicalResult lut::lowerToLLVMDialect(ModuleOp module, unsigned optLevel) {
  MLIRContext *ctx = module.getContext();
  static bool registered = [] {
    registerAllPasses();
    return true;
  }();
  (void)registered;
  // The lut.name/lut.dtype argument attributes have served the signature;
  // the LLVM translation has no use for them.
  module.walk([](func::FuncOp f) {
    for (unsigned i = 0; i < f.getNumArguments(); ++i) {
      f.removeArgAttr(i, "lut.name");
      f.removeArgAttr(i, "lut.dtype");
    }
    for (unsigned i = 0; i < f.getNumResults(); ++i) {
      f.removeResultAttr(i, StringAttr::get(f.getContext(), "lut.name"));
      f.removeResultAttr(i, StringAttr::get(f.getContext(), "lut.dtype"));
    }
  });
  {
    PassManager pm(ctx);
    pm.addPass(lut::createConvertLutToLinalgPass());
    pm.addNestedPass<func::FuncOp>(createLinalgGeneralizeNamedOpsPass());
    pm.addPass(createCSEPass());
    if (failed(pm.run(module)))
      return failure();
  }
  // Contractions `out[.., m, n] += a[.., m, k] * b[k, n]` come with k
  // innermost; move the last parallel loop (n) inside k so that the inner
  // loop walks b and out contiguously and LLVM can vectorize it.
  {
    IRRewriter rewriter(ctx);
    SmallVector<linalg::GenericOp> contractions;
    module.walk([&](linalg::GenericOp g) {
      unsigned n = g.getNumLoops();
      auto iters = g.getIteratorTypesArray();
      if (n >= 2 && g.getNumReductionLoops() == 1 &&
          iters[n - 1] == utils::IteratorType::reduction &&
          iters[n - 2] == utils::IteratorType::parallel && g.getNumDpsInputs() == 2 &&
          g.getIndexingMapsArray().back().getNumResults() > 0 &&
          g.getIndexingMapsArray().back().getResults().back() ==
              getAffineDimExpr(n - 2, ctx))
        contractions.push_back(g);
    });
    for (linalg::GenericOp g : contractions) {
      SmallVector<unsigned> perm;
      unsigned n = g.getNumLoops();
      for (unsigned i = 0; i + 2 < n; ++i)
        perm.push_back(i);
      perm.push_back(n - 1);
      perm.push_back(n - 2);
      rewriter.setInsertionPoint(g);
      (void)linalg::interchangeGenericOp(rewriter, g, perm);
    }
  }
  // Bufferize: tensors to memrefs, function boundaries included; copies as
  // linalg.copy so that they lower to loops like everything else.
  bufferization::OneShotBufferizationOptions bopts;
  bopts.bufferizeFunctionBoundaries = true;
  bopts.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  bopts.memCpyFn = [](OpBuilder &b, Location loc, Value from,
                      Value to) -> LogicalResult {
    linalg::CopyOp::create(b, loc, from, to);
    return success();
  };
  bufferization::BufferizationState state;
  if (failed(bufferization::runOneShotModuleBufferize(module, bopts, state)))
    return failure();

  // Results become caller-provided out-params; copies (returning a view of an
  // input or a constant) are linalg.copy, lowered to loops like the rest, so
  // no runtime library is needed.
  bufferization::BufferResultsToOutParamsOpts outOpts;
  outOpts.hoistStaticAllocs = true;
  outOpts.modifyPublicFunctions = true;
  outOpts.memCpyFn = [](OpBuilder &b, Location loc, Value from, Value to) -> LogicalResult {
    linalg::CopyOp::create(b, loc, from, to);
    return success();
  };
  if (failed(bufferization::promoteBufferResultsToOutParams(module, outOpts)))
    return failure();
  PassManager pm(ctx);
  bufferization::buildBufferDeallocationPipeline(pm);
  std::string rest =
      "convert-bufferization-to-memref,"
      "func.func(convert-linalg-to-loops),"
      "lower-affine,convert-scf-to-cf,canonicalize,cse,"
      "expand-strided-metadata,lower-affine,"
      "finalize-memref-to-llvm,"
      "convert-math-to-llvm,convert-math-to-libm,"
      "arith-expand{include-bf16=1},"
      "convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,"
      "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
      "reconcile-unrealized-casts";
  (void)optLevel;
  if (failed(parsePassPipeline(rest, pm, llvm::errs())))
    return module.emitError() << "internal error: bad lowering pipeline";
  return pm.run(module);
}

namespace {

/// Adds `lut_model_run` and `lut_model_signature` around `entry`.
bool addModelABI(llvm::Module &m, StringRef funcName, StringRef signature,
                 std::string &error) {
  llvm::Function *entry = m.getFunction(funcName);
  if (!entry) {
    error = ("no function '" + funcName + "' after lowering").str();
    return false;
  }
  llvm::LLVMContext &c = m.getContext();
  auto *ptrTy = llvm::PointerType::get(c, 0);
  for (llvm::Argument &a : entry->args())
    if (a.getType() != ptrTy) {
      error = "internal error: entry function has a non-pointer argument";
      return false;
    }
  // The model's own function is an implementation detail.
  entry->setLinkage(llvm::GlobalValue::InternalLinkage);

  // Number of inputs and outputs, from the signature text.
  unsigned nIn = 0, nOut = 0;
  SmallVector<StringRef> lines;
  signature.split(lines, '\n', -1, false);
  for (StringRef l : lines) {
    nIn += l.starts_with("input ");
    nOut += l.starts_with("output ");
  }
  if (nIn + nOut != entry->arg_size()) {
    error = ("internal error: signature has " + Twine(nIn + nOut) +
             " tensors but the entry takes " + Twine(entry->arg_size()) +
             " pointers")
                .str();
    return false;
  }
  llvm::IRBuilder<> b(c);
  auto *i32 = b.getInt32Ty();
  auto *runTy = llvm::FunctionType::get(i32, {ptrTy, ptrTy}, false);
  auto *run = llvm::Function::Create(runTy, llvm::GlobalValue::ExternalLinkage,
                                     "lut_model_run", m);
  run->setVisibility(llvm::GlobalValue::DefaultVisibility);
  b.SetInsertPoint(llvm::BasicBlock::Create(c, "entry", run));
  SmallVector<llvm::Value *> args;
  for (unsigned i = 0; i < nIn + nOut; ++i) {
    llvm::Value *arr = i < nIn ? run->getArg(0) : run->getArg(1);
    unsigned k = i < nIn ? i : i - nIn;
    llvm::Value *slot = b.CreateConstInBoundsGEP1_64(ptrTy, arr, k);
    args.push_back(b.CreateLoad(ptrTy, slot));
  }
  b.CreateCall(entry, args);
  b.CreateRet(b.getInt32(0));

  auto *sigInit = llvm::ConstantDataArray::getString(c, signature, true);
  auto *sigVar = new llvm::GlobalVariable(m, sigInit->getType(), true,
                                          llvm::GlobalValue::PrivateLinkage,
                                          sigInit, "lut_model_signature_text");
  auto *sigTy = llvm::FunctionType::get(ptrTy, {}, false);
  auto *sigFn = llvm::Function::Create(sigTy, llvm::GlobalValue::ExternalLinkage,
                                       "lut_model_signature", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(c, "entry", sigFn));
  b.CreateRet(sigVar);
  return true;
}

std::unique_ptr<llvm::TargetMachine> makeTargetMachine(const lut::CodegenOptions &opts,
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
  std::string tripleStr = opts.triple.empty() ? llvm::sys::getDefaultTargetTriple()
                                              : opts.triple;
  llvm::Triple triple(tripleStr);
  std::string err;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, err);
  if (!target) {
    error = "unknown target triple '" + tripleStr + "': " + err;
    return nullptr;
  }
  std::string cpu = opts.cpu;
  std::string features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::StringMap<bool> f = llvm::sys::getHostCPUFeatures();
    for (auto &kv : f)
      features += (features.empty() ? "" : ",") + std::string(kv.second ? "+" : "-") + kv.getKey().str();
  }
  if (cpu.empty())
    cpu = "generic";
  llvm::CodeGenOptLevel ol = opts.optLevel == 0   ? llvm::CodeGenOptLevel::None
                             : opts.optLevel == 1 ? llvm::CodeGenOptLevel::Less
                             : opts.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                                  : llvm::CodeGenOptLevel::Aggressive;
  llvm::TargetOptions to;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, to, llvm::Reloc::PIC_, std::nullopt, ol));
  if (!tm) {
    error = "cannot create a target machine for '" + tripleStr + "'";
    return nullptr;
  }
  if (cpu != "generic" && !tm->getMCSubtargetInfo()->isCPUStringValid(cpu)) {
    error = "unknown CPU '" + cpu + "' for target '" + tripleStr + "'";
    return nullptr;
  }
  return std::unique_ptr<llvm::TargetMachine>(std::move(tm));
}

} // namespace

std::unique_ptr<llvm::Module>
lut::translateToLLVMIR(ModuleOp module, llvm::LLVMContext &llvmContext,
                       StringRef funcName, StringRef signature,
                       const CodegenOptions &opts, std::string &error) {
  auto llvmModule = translateModuleToLLVMIR(module, llvmContext, "lut_model");
  if (!llvmModule) {
    error = "translation to LLVM IR failed";
    return nullptr;
  }
  if (!addModelABI(*llvmModule, funcName, signature, error))
    return nullptr;
  auto tm = makeTargetMachine(opts, error);
  if (!tm)
    return nullptr;
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
  auto tm = makeTargetMachine(opts, error);
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

bool lut::linkSharedLibrary(StringRef objPath, StringRef soPath,
                            const CodegenOptions &opts, std::string &error) {
  std::string triple = opts.triple.empty() ? llvm::sys::getDefaultTargetTriple() : opts.triple;
  if (llvm::Triple(triple).getArch() != llvm::Triple(llvm::sys::getDefaultTargetTriple()).getArch()) {
    error = "linking a shared library for '" + triple +
            "' needs that target's C library; emit an object (--emit=obj) "
            "and link it with the target's toolchain";
    return false;
  }
  // Prefer the LLVM 22 toolchain's lld, then any ld.lld, then clang.
  std::string linker;
  for (const char *cand : {"/usr/lib/llvm-22/bin/ld.lld", "ld.lld-22", "ld.lld"}) {
    if (auto p = llvm::sys::findProgramByName(cand)) {
      linker = *p;
      break;
    }
    if (llvm::sys::fs::can_execute(cand)) {
      linker = cand;
      break;
    }
  }
  if (linker.empty()) {
    error = "cannot find ld.lld (install lld-22)";
    return false;
  }
  SmallString<128> logPath;
  llvm::sys::fs::createTemporaryFile("lutc-link", "log", logPath);
  std::vector<StringRef> args = {linker, "-shared", "-o", soPath, objPath,
                                 "--as-needed", "-lm", "-lc",
                                 "-L/usr/lib/x86_64-linux-gnu",
                                 "-L/usr/lib/aarch64-linux-gnu", "-L/lib64",
                                 "-L/usr/lib64", "--no-undefined-version"};
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(logPath), StringRef(logPath)};
  std::string execErr;
  int rc = llvm::sys::ExecuteAndWait(linker, args, std::nullopt, redirects, 0, 0, &execErr);
  auto log = llvm::MemoryBuffer::getFile(logPath);
  std::string logText = log ? (*log)->getBuffer().str() : "";
  llvm::sys::fs::remove(logPath);
  if (rc != 0) {
    error = "linking '" + soPath.str() + "' failed (" + linker + "): " +
            (execErr.empty() ? logText : execErr);
    return false;
  }
  return true;
}

bool lut::compileToSharedLibrary(ModuleOp module, StringRef funcName, StringRef soPath,
                                 const CodegenOptions &opts, std::string &error) {
  std::string signature = buildModelSignature(module, funcName);
  if (signature.empty()) {
    error = "cannot build the model signature";
    return false;
  }
  if (failed(lowerToLLVMDialect(module, opts.optLevel))) {
    error = "lowering to the LLVM dialect failed";
    return false;
  }
  llvm::LLVMContext llvmContext;
  auto llvmModule = translateToLLVMIR(module, llvmContext, funcName, signature, opts, error);
  if (!llvmModule)
    return false;
  SmallString<128> obj;
  if (auto ec = llvm::sys::fs::createTemporaryFile("lutc", "o", obj)) {
    error = "cannot create a temporary file: " + ec.message();
    return false;
  }
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(obj, ec);
    if (ec) {
      error = "cannot write '" + obj.str().str() + "': " + ec.message();
      return false;
    }
    if (!emitObjectFile(*llvmModule, opts, os, error))
      return false;
  }
  bool ok = linkSharedLibrary(obj, soPath, opts, error);
  llvm::sys::fs::remove(obj);
  return ok;
}
