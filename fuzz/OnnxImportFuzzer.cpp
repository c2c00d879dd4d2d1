//===- OnnxImportFuzzer.cpp - libFuzzer target: ONNX bytes to LLVM IR -----===//
//
// Feeds each input, as the bytes of an ONNX file, to the importer
// (lut::importOnnxBuffer, with ONNX's checker on for even-length inputs and
// off for odd ones, so that both paths are covered), and every model that
// imports to lut-detect-mlp, then to the HLS backend (lut-hls-pipeline and
// the HLS C++ emitter, on a copy) and to the whole native lowering
// (lut-to-llvm-pipeline) and the translation to LLVM IR. Any crash, sanitizer report, hang or
// runaway allocation is a finding; a diagnostic is the expected outcome
// for a bad model.
//
// External data resolves against the folder named by LUT_FUZZ_DATA_DIR
// (default: the current directory), so a corpus may hold data files. The
// memory limit is 16 MiB per model, so that a fuzzed shape never asks for
// more memory than libFuzzer allows (-rss_limit_mb). Diagnostics are
// dropped unless LUT_FUZZ_VERBOSE=1.
//
// Built in sanitizer builds (LUT_ENABLE_SANITIZERS=ON) as bin/lut-onnx-fuzzer;
// fuzz/README.md has the commands.
//
//===----------------------------------------------------------------------===//
#include "lut/Compiler/Compiler.h"
#include "lut/Dialect/Lut/Transforms/Passes.h"
#include "lut/HLS/EmitHLSCpp.h"
#include "lut/Pipelines/Pipelines.h"
#include "lut/InitAll.h"
#include "lut/Target/ONNX/Import.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

const mlir::DialectRegistry &registry() {
  static mlir::DialectRegistry *r = [] {
    auto *reg = new mlir::DialectRegistry();
    lut::registerCompilerDialects(*reg);
    return reg;
  }();
  return *r;
}

bool verbose() {
  static bool v = [] {
    const char *e = std::getenv("LUT_FUZZ_VERBOSE");
    return e && *e == '1';
  }();
  return v;
}

std::string dataDir() {
  const char *e = std::getenv("LUT_FUZZ_DATA_DIR");
  return e && *e ? e : ".";
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  lut::registerAllPasses();
  (void)registry();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext context(registry(), mlir::MLIRContext::Threading::DISABLED);
  context.printOpOnDiagnostic(false);
  mlir::ScopedDiagnosticHandler handler(
      &context, [](mlir::Diagnostic &d) -> llvm::LogicalResult {
        if (verbose())
          llvm::errs() << d.getLocation() << ": " << d << "\n";
        return llvm::success();
      });

  lut::OnnxImportOptions options;
  options.runChecker = size % 2 == 0;
  options.memoryLimit = 16u << 20;
  lut::OnnxImportStatus status;
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module = lut::importOnnxBuffer(
      bytes, "fuzz.onnx", dataDir(), &context, options, status);
  if (!module)
    return 0;

  mlir::PassManager detect(&context);
  detect.addNestedPass<mlir::func::FuncOp>(lut::createLutDetectMlp());
  if (mlir::failed(detect.run(*module)))
    return 0;

  // The HLS backend, on a copy (it outlines and bufferizes in place).
  {
    mlir::OwningOpRef<mlir::ModuleOp> copy = module->clone();
    mlir::PassManager hls(&context);
    lut::buildLutHlsPipeline(hls, lut::LutHlsPipelineOptions());
    if (mlir::succeeded(hls.run(*copy))) {
      std::string cpp;
      llvm::raw_string_ostream os(cpp);
      (void)lut::hls::emitHLSCpp(*copy, os);
    }
  }

  lut::CodegenOptions cg;
  cg.triple = "x86_64-unknown-linux-gnu";
  cg.cpu = "x86-64";
  cg.optLevel = 1;
  if (mlir::failed(lut::lowerToLLVMDialect(*module, cg)))
    return 0;
  llvm::LLVMContext llvmContext;
  std::string error;
  std::unique_ptr<llvm::Module> ir =
      lut::translateToLLVMIR(*module, llvmContext, cg, error);
  if (!ir && verbose())
    llvm::errs() << "translation failed: " << error << "\n";
  return 0;
}
