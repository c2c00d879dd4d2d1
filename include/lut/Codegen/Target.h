//===- Target.h - How lut-mlir resolves a compilation target -----*- C++ -*-===//
//
// The one rule every tool and pass uses to fill in a target: `lutc`,
// `lut-translate`, `lut-set-target` (and so `lut-opt`'s pipelines), the
// Python module and the C++ compiler library.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_CODEGEN_TARGET_H
#define LUT_CODEGEN_TARGET_H

#include <string>

namespace lut {

/// Completes an LLVM target (triple, CPU name, feature string such as
/// `+avx2,-avx512f`) in place:
///  - an empty `triple` becomes the host's (LLVM's default target triple);
///  - for the host's architecture, an empty `cpu` or `native` becomes the
///    host's CPU (llvm::sys::getHostCPUName) and, when `features` is empty,
///    the host's features; `generic` stays generic;
///  - a cross triple with an empty `cpu` stays generic (empty);
///  - a named CPU with empty `features` gets the features that CPU implies
///    in LLVM's target description, so that the compiled library can record
///    and the runtime can check them.
/// Errors: none; an unknown triple or CPU is left as is and reported when
/// the target machine is created (lut::translateToLLVMIR).
void resolveTarget(std::string &triple, std::string &cpu, std::string &features);

/// The host's CPU features as an LLVM feature string (`+avx2,-avx512f,...`).
std::string hostFeatures();

} // namespace lut

#endif // LUT_CODEGEN_TARGET_H
