//===- Linker.h - linking objects into shared libraries ---------*- C++ -*-===//
//
// The one place that knows how to turn object files into a shared library
// for a target, so that the rest of the compiler never spells a linker
// command line.
//
//===----------------------------------------------------------------------===//
#ifndef LUT_COMPILER_LINKER_H
#define LUT_COMPILER_LINKER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <memory>
#include <string>

namespace lut {

/// Links objects into a shared library for one target.
class LinkerTool {
public:
  virtual ~LinkerTool() = default;

  /// The linker for `triple` (empty: the host's). Linking needs the
  /// target's C library: the host's for the host's architecture, and for
  /// AArch64 on another host Debian's cross C library under
  /// `/usr/aarch64-linux-gnu` (libc6-dev-arm64-cross). Returns null with
  /// `error` for another architecture, a missing cross C library, or no
  /// linker installed (lld: `ld.lld-22` or `ld.lld`).
  static std::unique_ptr<LinkerTool> getForTarget(llvm::StringRef triple,
                                                  std::string &error);

  /// Links `objects` (object files, archives, and `-l`/`-L` arguments) with
  /// libm and libc into the shared library `output`.
  /// Returns false with `error` (including the linker's own output).
  virtual bool linkSharedLibrary(llvm::ArrayRef<std::string> objects,
                                 llvm::StringRef output, std::string &error) = 0;

  /// The directory of the target's libgomp.so for linking (OpenMP threads
  /// of the LUT kernels), or empty if it has none. For AArch64 on another
  /// host: gcc-aarch64-linux-gnu's `/usr/lib/gcc-cross/aarch64-linux-gnu/<v>`.
  virtual std::string crossGompDirectory() const { return ""; }
};

} // namespace lut

#endif
