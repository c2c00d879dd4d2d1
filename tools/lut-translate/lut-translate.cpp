//===- lut-translate.cpp - translations in and out of MLIR ----------------===//
//
//   lut-translate --import-onnx model.onnx          ONNX -> MLIR (tensors)
//   lut-translate --lut-to-llvmir in.mlir           LLVM dialect -> LLVM IR
//   lut-translate --emit-obj in.mlir -o out.o       LLVM dialect -> object
//   lut-translate --emit-hls-cpp in.mlir -o k.cpp   HLS level -> HLS C++
//
// The input of --lut-to-llvmir and --emit-obj is the output of
// `lut-opt --lut-to-llvm-pipeline` (the LLVM dialect with the model ABI);
// the target comes from the module (lut-set-target) unless --mtriple/--mcpu
// say otherwise. `lutc --emit=llvm` is the same as lut-opt with that
// pipeline followed by --lut-to-llvmir at the same -O level. The input of
// --emit-hls-cpp is the output of `lut-opt --lut-hls-pipeline`.
//
// Exit codes: 0 success; 1 invalid input or failure; 3 unsupported model.
//
//===----------------------------------------------------------------------===//
#include "lut/Compiler/Compiler.h"
#include "lut/HLS/EmitHLSCpp.h"
#include "lut/Target/ONNX/Import.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace llvm;

namespace {
cl::OptionCategory cat("lut-translate options");
enum class Mode { None, ImportOnnx, ToLLVMIR, EmitObj, EmitHlsCpp };
cl::opt<Mode> mode(cl::desc("Translation:"), cl::init(Mode::None),
                   cl::values(clEnumValN(Mode::ImportOnnx, "import-onnx",
                                         "ONNX model -> MLIR (func + linalg/tensor/arith/math)"),
                              clEnumValN(Mode::ToLLVMIR, "lut-to-llvmir",
                                         "LLVM dialect (lut-to-llvm-pipeline's output) -> LLVM "
                                         "IR, optimized at -O"),
                              clEnumValN(Mode::EmitObj, "emit-obj",
                                         "LLVM dialect -> object file (in-process TargetMachine)"),
                              clEnumValN(Mode::EmitHlsCpp, "emit-hls-cpp",
                                         "HLS level (lut-hls-pipeline's output) -> one C++17 "
                                         "file with Vitis HLS pragmas (docs/HLS.md)")),
                   cl::cat(cat));
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input>"), cl::init("-"), cl::cat(cat));
cl::opt<std::string> outputFile("o", cl::desc("Output file"), cl::init("-"), cl::cat(cat));
cl::opt<std::string> mtriple("mtriple",
                             cl::desc("Target triple (default: the module's, else the host)"),
                             cl::cat(cat));
cl::opt<std::string> mcpu("mcpu", cl::desc("Target CPU (default: the module's, else generic)"),
                          cl::cat(cat));
cl::opt<std::string> mattr("mattr",
                           cl::desc("Target features, e.g. +avx2 (default: the module's)"),
                           cl::cat(cat));
cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimization level 0-3 (default 2)"), cl::Prefix,
                           cl::init(2), cl::cat(cat));
cl::opt<std::string> shapeInfo("shape-info",
                               cl::desc("Fix dynamic input dims: NAME:d0xd1x...[,NAME:...]"),
                               cl::cat(cat));
cl::opt<bool> noChecker("no-onnx-checker",
                        cl::desc("--import-onnx: skip ONNX's model checker (node schemas, "
                                 "tensor sizes and external-data confinement are still "
                                 "checked)"),
                        cl::cat(cat));
cl::opt<bool> allowExternalOutside(
    "allow-external-data-outside",
    cl::desc("--import-onnx: read external data from outside the model's folder"),
    cl::cat(cat));
cl::opt<std::string> memoryLimit(
    "memory-limit",
    cl::desc("--import-onnx: the most memory the model may ask for (SIZE[K|M|G|T]; "
             "default: physical memory)"),
    cl::value_desc("size"), cl::cat(cat));
cl::opt<std::string> entry("entry", cl::desc("Entry function of --import-onnx (main_graph)"),
                           cl::init("main_graph"), cl::cat(cat));
} // namespace

static int fail(const Twine &msg) {
  errs() << "lut-translate: error: " << msg << "\n";
  return 1;
}

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::HideUnrelatedOptions(cat);
  cl::ParseCommandLineOptions(argc, argv, "lut-mlir translation tool\n");
  if (mode == Mode::None)
    return fail("choose a translation: --import-onnx, --lut-to-llvmir, --emit-obj or --emit-hls-cpp");
  if (optLevel > 3)
    return fail("-O" + Twine(optLevel) + " is not a valid level (use -O0 to -O3)");
  mlir::DialectRegistry registry;
  lut::registerCompilerDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // Diagnostics name the node or value at fault; a dump of the whole module
  // would bury them.
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  std::string err;

  mlir::OwningOpRef<mlir::ModuleOp> module;
  if (mode == Mode::ImportOnnx) {
    lut::OnnxImportOptions opts;
    opts.funcName = entry;
    opts.runChecker = !noChecker;
    opts.allowExternalDataOutside = allowExternalOutside;
    if (!shapeInfo.empty() && !lut::parseShapeInfo(shapeInfo, opts, err))
      return fail(err);
    if (!memoryLimit.empty() &&
        !lut::parseByteSize(memoryLimit, opts.memoryLimit, err))
      return fail("--memory-limit: " + err);
    lut::OnnxImportStatus status;
    module = lut::importOnnxFile(inputFile, &context, opts, status);
    if (!module)
      return status == lut::OnnxImportStatus::Unsupported ? 3 : 1;
  } else {
    module = mlir::parseSourceFile<mlir::ModuleOp>(inputFile, sourceMgr,
                                                   mlir::ParserConfig(&context));
    if (!module)
      return 1;
  }
  // The HLS C++ goes to memory first: nothing is written on an error.
  std::string hls;
  if (mode == Mode::EmitHlsCpp) {
    llvm::raw_string_ostream os(hls);
    if (failed(lut::hls::emitHLSCpp(*module, os)))
      return 1;
  }
  auto file = mlir::openOutputFile(outputFile, &err);
  if (!file)
    return fail(err);
  if (mode == Mode::EmitHlsCpp) {
    file->os() << hls;
  } else if (mode == Mode::ImportOnnx) {
    module->print(file->os());
  } else {
    lut::CodegenOptions cg;
    cg.triple = mtriple;
    cg.cpu = mcpu;
    cg.features = mattr;
    cg.optLevel = optLevel;
    if (!lut::emitLLVMArtifact(*module,
                               mode == Mode::ToLLVMIR ? lut::LLVMArtifact::IR
                                                      : lut::LLVMArtifact::Object,
                               cg, file->os(), err))
      return fail(err);
  }
  file->keep();
  return 0;
}
