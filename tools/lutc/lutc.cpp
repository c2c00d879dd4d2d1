//===- lutc.cpp - the lut-mlir compiler driver ----------------------------===//
//
// ONNX in; MLIR, LLVM IR, an object or a shared library out. In the manner of
// onnx-mlir's driver and iree-compile:
//
//   lutc model.onnx -o model.so                 # shared library (default)
//   lutc model.onnx --emit=mlir -o model.mlir   # imported MLIR (tensors)
//   lutc model.onnx --emit=llvm -o model.ll     # LLVM IR with the model ABI
//   lutc model.onnx --emit=obj --mtriple=aarch64-linux-gnu -o model.o
//
// Exit codes: 0 success; 1 invalid input or a compilation failure; 3 the
// model is valid but uses something lut-mlir does not support.
//
//===----------------------------------------------------------------------===//
#include "lut/Compiler/Compiler.h"
#include "lut/Target/ONNX/Import.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace llvm;

namespace {
cl::OptionCategory lutcCat("lutc options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx | model.mlir>"),
                               cl::Required, cl::cat(lutcCat));
cl::opt<std::string> outputFile("o", cl::desc("Output file (default: the input's name with the "
                                              "extension of --emit)"),
                                cl::value_desc("file"), cl::cat(lutcCat));
enum class Emit { MLIR, LLVM, Obj, Lib };
cl::opt<Emit> emit("emit", cl::desc("What to produce:"), cl::init(Emit::Lib),
                   cl::values(clEnumValN(Emit::MLIR, "mlir", "the imported MLIR, on tensors"),
                              clEnumValN(Emit::LLVM, "llvm", "LLVM IR (.ll) with the model ABI"),
                              clEnumValN(Emit::Obj, "obj", "a relocatable object (.o)"),
                              clEnumValN(Emit::Lib, "lib", "a shared library (.so) [default]")),
                   cl::cat(lutcCat));
cl::opt<std::string> mtriple("mtriple",
                             cl::desc("Target triple, e.g. x86_64-linux-gnu or "
                                      "aarch64-linux-gnu (default: the host)"),
                             cl::cat(lutcCat));
cl::opt<std::string> mcpu("mcpu", cl::desc("Target CPU, e.g. x86-64-v3, neoverse-n1, or "
                                           "'native' (default: generic)"),
                          cl::cat(lutcCat));
cl::opt<unsigned> optLevel("O", cl::desc("Optimization level 0-3 (default 2)"), cl::Prefix,
                           cl::init(2), cl::cat(lutcCat));
cl::opt<std::string> shapeInfo(
    "shape-info",
    cl::desc("Fix the shapes of graph inputs with dynamic dims: NAME:d0xd1x...[,NAME:...] "
             "(as onnx-mlir's --shapeInformation); -1 keeps the model's dim"),
    cl::cat(lutcCat));
cl::opt<bool> noChecker("no-onnx-checker", cl::desc("Skip ONNX's model checker"),
                        cl::cat(lutcCat));
} // namespace

static int fail(const Twine &msg, int code = 1) {
  errs() << "lutc: error: " << msg << "\n";
  return code;
}

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  cl::HideUnrelatedOptions(lutcCat);
  cl::ParseCommandLineOptions(
      argc, argv,
      "lutc: the lut-mlir compiler driver.\n\n"
      "Compiles an ONNX model (opsets 7-17, static shapes) to MLIR, LLVM IR, an\n"
      "object file or a shared library that exports the lut-mlir model ABI\n"
      "(lut_model_run, lut_model_signature; see docs/Runtime.md). Run the\n"
      "library with lut-run. Exit codes: 0 ok, 1 error, 3 unsupported model.\n");
  if (optLevel > 3)
    return fail("-O" + Twine(optLevel) + " is not a valid level (use -O0 to -O3)");

  mlir::DialectRegistry registry;
  lut::registerCompilerDialects(registry);
  lut::registerOnnxImportDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);

  mlir::OwningOpRef<mlir::ModuleOp> module;
  StringRef ext = sys::path::extension(inputFile);
  if (ext == ".mlir") {
    module = mlir::parseSourceFile<mlir::ModuleOp>(inputFile, sourceMgr,
                                                   mlir::ParserConfig(&context));
    if (!module)
      return 1;
  } else {
    lut::OnnxImportOptions opts;
    opts.runChecker = !noChecker;
    std::string err;
    if (!shapeInfo.empty() && !lut::parseShapeInfo(shapeInfo, opts, err))
      return fail(err);
    lut::OnnxImportStatus status;
    module = lut::importOnnxFile(inputFile, &context, opts, status);
    if (!module)
      return status == lut::OnnxImportStatus::Unsupported ? 3 : 1;
  }

  std::string out = outputFile;
  if (out.empty()) {
    SmallString<256> p(sys::path::filename(inputFile));
    sys::path::replace_extension(p, emit == Emit::MLIR   ? ".mlir"
                                    : emit == Emit::LLVM ? ".ll"
                                    : emit == Emit::Obj  ? ".o"
                                                         : ".so");
    out = p.str().str();
  }
  if (emit == Emit::MLIR) {
    std::string err;
    auto file = mlir::openOutputFile(out, &err);
    if (!file)
      return fail(err);
    module->print(file->os());
    file->keep();
    return 0;
  }

  const std::string funcName = "main_graph";
  std::string signature = lut::buildModelSignature(*module, funcName);
  if (signature.empty())
    return 1;
  if (failed(lut::lowerToLLVMDialect(*module, optLevel)))
    return fail("lowering to the LLVM dialect failed");
  lut::CodegenOptions cg;
  cg.triple = mtriple;
  cg.cpu = mcpu;
  cg.optLevel = optLevel;
  llvm::LLVMContext llvmContext;
  std::string err;
  auto llvmModule =
      lut::translateToLLVMIR(*module, llvmContext, funcName, signature, cg, err);
  if (!llvmModule)
    return fail(err);
  if (emit == Emit::LLVM) {
    auto file = mlir::openOutputFile(out, &err);
    if (!file)
      return fail(err);
    llvmModule->print(file->os(), nullptr);
    file->keep();
    return 0;
  }
  std::string objPath = out;
  SmallString<128> tmpObj;
  if (emit == Emit::Lib) {
    if (auto ec = sys::fs::createTemporaryFile("lutc", "o", tmpObj))
      return fail("cannot create a temporary file: " + ec.message());
    objPath = tmpObj.str().str();
  }
  {
    auto file = mlir::openOutputFile(objPath, &err);
    if (!file)
      return fail(err);
    if (!lut::emitObjectFile(*llvmModule, cg, file->os(), err))
      return fail(err);
    file->keep();
  }
  if (emit == Emit::Lib) {
    bool ok = lut::linkSharedLibrary(objPath, out, cg, err);
    sys::fs::remove(objPath);
    if (!ok)
      return fail(err);
  }
  return 0;
}
