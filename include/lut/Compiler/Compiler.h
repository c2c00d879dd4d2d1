//===- Compiler.h - lowering and native code generation ---------*- C++ -*-===//
//
// The back half of the compiler: from a module on tensors (func +
// linalg/tensor/arith/math + lut) to the LLVM dialect (lut-to-llvm-pipeline),
// LLVM IR, an object file and a shared library that exports the lut-mlir
// model ABI (docs/Runtime.md):
//
//   int32_t lut_model_run(void *const *inputs, void *const *outputs);
//   const char *lut_model_signature(void);
//
//===----------------------------------------------------------------------===//
#ifndef LUT_COMPILER_COMPILER_H
#define LUT_COMPILER_COMPILER_H

#include "lut/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <memory>
#include <string>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace lut {

/// Code generation options (lutc's --mtriple, --mcpu, -O, --entry).
struct CodegenOptions {
  /// LLVM target triple; empty means the one recorded on the module
  /// (`llvm.target_triple`, from lut-set-target), else the host's.
  std::string triple;
  /// CPU name for the target (e.g. `x86-64-v3`, `neoverse-n1`); empty means
  /// the one recorded on the module (`lut.target_cpu`), else generic;
  /// `native` means the host's CPU and features (see resolveTarget).
  std::string cpu;
  /// LLVM target features (`+avx2,+fma,-avx512f`); empty means the one
  /// recorded on the module (`lut.target_features`), else the CPU's own.
  std::string features;
  /// Optimization level 0..3: the MLIR passes of lut-to-llvm-pipeline's
  /// `opt-level`, LLVM's O0..O3 pipelines and its codegen level.
  unsigned optLevel = 2;
  /// Name of the model's entry function (the importer's `funcName`).
  std::string entry = "main_graph";
  /// Lower the lut ops to LutKernels calls (lut-to-llvm-pipeline's
  /// `ukernels`); compileToSharedLibrary then links libLutKernels.a.
  bool ukernels = true;
  /// Lower f32 products to LutDense calls (`dense-library`);
  /// compileToSharedLibrary then links libLutDense.a and its backend.
  bool denseLibrary = false;
  /// At optLevel >= 1, run the outermost loops worth it on the kernels'
  /// threads (`parallel-loops`, lut-outline-parallel-loops); the model then
  /// links libLutKernels.a.
  bool parallelLoops = true;
  /// Tile the lut ops to the target's cache sizes first (`tile`, lut-tile).
  bool tile = false;
  /// Called on each pass manager that runs on the user's module, before it
  /// runs (lutc applies --mlir-print-ir-*, --mlir-timing and friends here).
  /// Returning failure aborts the compilation.
  std::function<mlir::LogicalResult(mlir::PassManager &)> configurePassManager;
};

/// Fills in the target for a build: an empty triple becomes the host's; for
/// the host's architecture an empty CPU (or `native`) becomes the host's CPU
/// with the host's features (unless `features` is given); other targets
/// keep their generic CPU. Drivers call this once; the compiled model
/// records the result and its runtime checks the features before running.
void resolveTarget(CodegenOptions &opts);

/// Registers every dialect, interface and translation the compiler uses
/// (all upstream dialects and extensions, the LLVM IR translations, lut).
void registerCompilerDialects(mlir::DialectRegistry &registry);

/// Runs lut-to-llvm-pipeline on `module` in place, with the options of
/// `opts` (entry, opt level, target), configured by
/// `opts.configurePassManager`. Fails with diagnostics on the module.
llvm::LogicalResult lowerToLLVMDialect(mlir::ModuleOp module,
                                       const CodegenOptions &opts);

/// Translates an LLVM-dialect module (from lutToLLVMPipeline) to LLVM IR,
/// sets the target triple and data layout, and runs LLVM's optimization
/// pipeline for `opts.optLevel`. Returns null with `error` set on failure
/// (translation, unknown triple or CPU, invalid IR).
std::unique_ptr<llvm::Module>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &llvmContext,
                  const CodegenOptions &opts, std::string &error);

/// Emits `module` as a relocatable object file for its target triple and
/// `opts.cpu` through LLVM's TargetMachine. Returns false with `error` set on
/// failure (unknown triple or CPU, or a codegen failure).
bool emitObjectFile(llvm::Module &module, const CodegenOptions &opts,
                    llvm::raw_pwrite_stream &os, std::string &error);

/// What `emitLLVMArtifact` writes.
enum class LLVMArtifact { IR, Object };

/// Translates an LLVM-dialect module and writes LLVM IR text or an object
/// file to `os` (the shared step of lutc and lut-translate).
bool emitLLVMArtifact(mlir::ModuleOp module, LLVMArtifact kind,
                      const CodegenOptions &opts, llvm::raw_pwrite_stream &os,
                      std::string &error);

/// The whole back end from a module on tensors to the shared library
/// `soPath`: lowering, LLVM IR, an object (in a temporary file) and the
/// link (LinkerTool). `module` is lowered in place. Returns false with
/// `error` set (lowering diagnostics go to the context's handler).
bool compileToSharedLibrary(mlir::ModuleOp module, const CodegenOptions &opts,
                            llvm::StringRef soPath, std::string &error);

} // namespace lut

#endif
