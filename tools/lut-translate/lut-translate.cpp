//===- lut-translate.cpp - translations in and out of MLIR ----------------===//
//
//   lut-translate --import-onnx model.onnx          ONNX -> MLIR (tensors)
//   lut-translate --lut-to-llvmir in.mlir           MLIR -> LLVM IR with the
//                                                   model ABI
//   lut-translate --emit-obj in.mlir -o out.o [--mtriple=T] [--mcpu=C]
//
// Exit codes: 0 success; 1 invalid input or failure; 3 unsupported model.
//
//===----------------------------------------------------------------------===//
#include "lut/Compiler/Compiler.h"
#include "lut/Target/ONNX/Import.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
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
enum class Mode { None, ImportOnnx, ToLLVMIR, EmitObj };
cl::opt<Mode> mode(cl::desc("Translation:"), cl::init(Mode::None),
                   cl::values(clEnumValN(Mode::ImportOnnx, "import-onnx",
                                         "ONNX model -> MLIR (func + linalg/tensor/arith/math)"),
                              clEnumValN(Mode::ToLLVMIR, "lut-to-llvmir",
                                         "MLIR on tensors -> LLVM IR exporting the model ABI"),
                              clEnumValN(Mode::EmitObj, "emit-obj",
                                         "MLIR on tensors -> object file (in-process TargetMachine)")),
                   cl::cat(cat));
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input>"), cl::init("-"), cl::cat(cat));
cl::opt<std::string> outputFile("o", cl::desc("Output file"), cl::init("-"), cl::cat(cat));
cl::opt<std::string> mtriple("mtriple", cl::desc("Target triple (default: host)"), cl::cat(cat));
cl::opt<std::string> mcpu("mcpu", cl::desc("Target CPU (default: generic)"), cl::cat(cat));
cl::opt<unsigned> optLevel("O", cl::desc("Optimization level 0-3"), cl::Prefix, cl::init(2),
                           cl::cat(cat));
cl::opt<std::string> shapeInfo("shape-info",
                               cl::desc("Fix dynamic input dims: NAME:d0xd1x...[,NAME:...]"),
                               cl::cat(cat));
cl::opt<std::string> funcName("func", cl::desc("Entry function (default main_graph)"),
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
  mlir::registerPassManagerCLOptions();
  cl::HideUnrelatedOptions(cat);
  cl::ParseCommandLineOptions(argc, argv, "lut-mlir translation tool\n");
  if (mode == Mode::None)
    return fail("choose a translation: --import-onnx, --lut-to-llvmir or --emit-obj");
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

  if (mode == Mode::ImportOnnx) {
    lut::OnnxImportOptions opts;
    if (!shapeInfo.empty() && !lut::parseShapeInfo(shapeInfo, opts, err))
      return fail(err);
    lut::OnnxImportStatus status;
    auto module = lut::importOnnxFile(inputFile, &context, opts, status);
    if (!module)
      return status == lut::OnnxImportStatus::Unsupported ? 3 : 1;
    auto file = mlir::openOutputFile(outputFile, &err);
    if (!file)
      return fail(err);
    module->print(file->os());
    file->keep();
    return 0;
  }

  auto module = mlir::parseSourceFile<mlir::ModuleOp>(inputFile, sourceMgr,
                                                      mlir::ParserConfig(&context));
  if (!module)
    return 1;
  std::string signature = lut::buildModelSignature(*module, funcName);
  if (signature.empty())
    return 1;
  if (failed(lut::lowerToLLVMDialect(*module, optLevel)))
    return fail("lowering to the LLVM dialect failed");
  lut::CodegenOptions cg{mtriple, mcpu, optLevel};
  llvm::LLVMContext llvmContext;
  auto llvmModule = lut::translateToLLVMIR(*module, llvmContext, funcName, signature, cg, err);
  if (!llvmModule)
    return fail(err);
  auto file = mlir::openOutputFile(outputFile, &err);
  if (!file)
    return fail(err);
  if (mode == Mode::ToLLVMIR)
    llvmModule->print(file->os(), nullptr);
  else if (!lut::emitObjectFile(*llvmModule, cg, file->os(), err))
    return fail(err);
  file->keep();
  return 0;
}
