//===- RuntimeLibraries.h - what a compiled model links with ----*- C++ -*-===//
//
// Compiled models call lut-mlir's kernel libraries (LutKernels for the LUT
// ops, LutDense for dense products) when the pipeline lowered ops to library
// calls. This finds those static archives and the link inputs they need.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_COMPILER_RUNTIMELIBRARIES_H
#define LUT_COMPILER_RUNTIMELIBRARIES_H

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace lut {

/// Finds the static archive `lib<name>.a` of lut-mlir. Searched, in order:
/// each directory of the environment variable `LUT_LIBRARY_PATH`
/// (colon-separated), the `lib` directory next to the binary that contains
/// lut-mlir's compiler (`<dir>/../lib`, and `<dir>` itself), the build tree's
/// `lib` and the install prefix's `lib`. Returns the path, or an empty string
/// with `error` naming the archive and the directories searched.
std::string findRuntimeArchive(llvm::StringRef name, std::string &error);

/// The extra link inputs of `module` (archives and `-l`/`--undefined`
/// options, in link order) for a model built for `triple`: libLutKernels.a
/// (or libLutKernels_aarch64.a) when it declares a `lutk_` or `lutd_`
/// function, with `--undefined=lut_model_set_num_threads` so that the model
/// exports its thread setter, and LutDense with its backend when it declares
/// a `lutd_` function. The
/// kernels' threads (libgomp) are linked for the host, and for a cross
/// target when `crossGompDirectory` names the directory of its libgomp.so
/// (LinkerTool::crossGompDirectory); without it the cross kernels run on the
/// calling thread. Returns false with `error` when an archive is missing.
bool collectRuntimeLinkInputs(const llvm::Module &module, llvm::StringRef triple,
                              std::vector<std::string> &inputs, std::string &error,
                              llvm::StringRef crossGompDirectory = "");

} // namespace lut

#endif
