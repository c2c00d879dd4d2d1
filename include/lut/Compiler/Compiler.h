//===- Compiler.h - lowering and native code generation ---------*- C++ -*-===//
//
// The back half of lutc: from the imported module (func + linalg/tensor/
// arith/math + lut on tensors) to an LLVM module, an object file and a shared
// library exporting the lut-mlir model ABI (docs/Runtime.md):
//
//   int32_t lut_model_run(void *const *inputs, void *const *outputs);
//   const char *lut_model_signature(void);
//
//===----------------------------------------------------------------------===//
#ifndef LUT_COMPILER_COMPILER_H
#define LUT_COMPILER_COMPILER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace lut {

/// Code generation options (lutc's --mtriple, --mcpu, -O).
struct CodegenOptions {
  /// LLVM target triple; empty means the host's.
  std::string triple;
  /// CPU name for the target (e.g. `x86-64-v3`, `neoverse-n1`); empty means
  /// generic, `native` means the host's CPU.
  std::string cpu;
  /// Optimization level 0..3 (LLVM's O0..O3 pipelines and codegen levels).
  unsigned optLevel = 2;
};

/// Registers every dialect, interface and translation the compiler uses.
void registerCompilerDialects(mlir::DialectRegistry &registry);

/// Builds the model signature text (format in docs/Runtime.md) from the
/// `lut.name`/`lut.dtype` attributes of `funcName` in `module`, which must
/// still be on tensors. Returns an empty string and emits an error when the
/// function is missing or has non-tensor or dynamically shaped arguments.
std::string buildModelSignature(mlir::ModuleOp module, llvm::StringRef funcName);

/// Lowers `module` in place from tensors to the LLVM dialect:
/// convert-lut-to-linalg, one-shot bufferization (function boundaries
/// included, identity layouts),
/// results to caller-provided out-params, ownership-based deallocation,
/// linalg to loops, and conversion to LLVM with the bare-pointer memref
/// calling convention. Fails with diagnostics on the module.
llvm::LogicalResult lowerToLLVMDialect(mlir::ModuleOp module,
                                       unsigned optLevel = 2);

/// Translates an LLVM-dialect module to LLVM IR, adds the C entry points of
/// the model ABI around `funcName` (whose signature text is `signature`),
/// sets the target triple and data layout, and runs LLVM's optimization
/// pipeline for `opts.optLevel`. Returns null with an error in `error`.
std::unique_ptr<llvm::Module>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &llvmContext,
                  llvm::StringRef funcName, llvm::StringRef signature,
                  const CodegenOptions &opts, std::string &error);

/// Emits `module` as a relocatable object file for `opts.triple`/`opts.cpu`
/// through LLVM's TargetMachine. Returns false with `error` set on failure
/// (unknown triple or CPU, or a codegen failure).
bool emitObjectFile(llvm::Module &module, const CodegenOptions &opts,
                    llvm::raw_pwrite_stream &os, std::string &error);

/// Links the object `objPath` into the shared library `soPath` with LLVM's
/// lld (`ld.lld -shared`, libm and libc), for the host triple. Returns false
/// with `error` (including the linker's output) on failure.
bool linkSharedLibrary(llvm::StringRef objPath, llvm::StringRef soPath,
                       const CodegenOptions &opts, std::string &error);

/// The whole back end: signature, lowering, LLVM IR, object (in a temporary
/// file) and link, from a module on tensors whose entry is `funcName` to the
/// shared library `soPath`. `module` is lowered in place. Returns false with
/// `error` (lowering diagnostics go to the context's handler).
bool compileToSharedLibrary(mlir::ModuleOp module, llvm::StringRef funcName,
                            llvm::StringRef soPath, const CodegenOptions &opts,
                            std::string &error);

} // namespace lut

#endif
