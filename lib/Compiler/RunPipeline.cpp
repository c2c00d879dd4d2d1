//===- RunPipeline.cpp - a textual pass pipeline on MLIR text -------------===//
#include "lut/Compiler/RunPipeline.h"

#include "lut/Compiler/Compiler.h"
#include "lut/Dialect/Lut/Transforms/ConvertMlp.h"
#include "lut/InitAll.h"
#include "lut/Target/ONNX/Import.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <mutex>
#include <optional>

using namespace mlir;

namespace {
/// A module parsed from text in its own context, with every dialect the
/// compiler and the importer use; diagnostics go to `diag` with locations
/// in `bufferName`. `module` is null when the text does not parse.
struct TextModule {
  DialectRegistry registry;
  MLIRContext context;
  llvm::SourceMgr sourceMgr;
  std::optional<SourceMgrDiagnosticHandler> handler;
  OwningOpRef<ModuleOp> module;

  TextModule(const std::string &text, const std::string &bufferName, llvm::raw_ostream &diag)
      : context(makeRegistry()) {
    context.printOpOnDiagnostic(false);
    sourceMgr.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, bufferName),
                                 llvm::SMLoc());
    handler.emplace(sourceMgr, &context, diag);
    module = parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  }

  static DialectRegistry makeRegistry() {
    DialectRegistry r;
    lut::registerCompilerDialects(r);
    lut::registerOnnxImportDialects(r);
    return r;
  }
};
} // namespace

lut::DriverStatus lut::runPassPipeline(const std::string &mlirText, const std::string &pipeline,
                                       std::string &output, std::string &diagnostics,
                                       const std::string &bufferName, bool debugInfo) {
  static std::once_flag registered;
  std::call_once(registered, [] {
    mlir::registerAllPasses();
    lut::registerAllPasses();
  });
  llvm::raw_string_ostream diag(diagnostics);
  // Parsed as a whole, anchor included: the result replaces the passes of
  // the PassManager (parsing into a module PassManager would nest the
  // pipeline's builtin.module(...) under the module, where it never runs).
  std::string err;
  llvm::raw_string_ostream es(err);
  FailureOr<OpPassManager> parsed = parsePassPipeline(pipeline, es);
  if (failed(parsed)) {
    diag << "error: invalid pass pipeline '" << pipeline << "': " << err;
    if (err.empty() || err.back() != '\n')
      diag << "\n";
    return DriverStatus::Failure;
  }
  StringRef anchor = parsed->getOpAnchorName();
  if (anchor != "builtin.module" && anchor != OpPassManager::getAnyOpAnchorName()) {
    diag << "error: the pass pipeline must be anchored on the module, as in "
            "'builtin.module("
         << anchor << "(...))', not on '" << anchor << "'\n";
    return DriverStatus::Failure;
  }
  TextModule parsed_(mlirText, bufferName, diag);
  OwningOpRef<ModuleOp> &module = parsed_.module;
  if (!module)
    return DriverStatus::Failure;
  MLIRContext &context = parsed_.context;
  PassManager pm(&context, anchor);
  static_cast<OpPassManager &>(pm) = std::move(*parsed);
  if (failed(pm.run(*module)))
    return DriverStatus::Failure;
  llvm::raw_string_ostream os(output);
  OpPrintingFlags flags;
  if (debugInfo)
    flags.enableDebugInfo();
  module->print(os, flags);
  return DriverStatus::Success;
}

lut::DriverStatus lut::countModelMacs(const std::string &mlirText, int64_t &macs,
                                      std::string &diagnostics, const std::string &bufferName) {
  llvm::raw_string_ostream diag(diagnostics);
  TextModule parsed(mlirText, bufferName, diag);
  if (!parsed.module)
    return DriverStatus::Failure;
  macs = countMacs(*parsed.module);
  return DriverStatus::Success;
}
