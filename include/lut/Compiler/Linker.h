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

  /// The linker for `triple` (empty: the host's). Returns null with `error`
  /// when lut-mlir cannot link for that target (linking needs the target's
  /// C library, so only the host's architecture is supported) or no linker
  /// is installed (lld: `ld.lld-22` or `ld.lld`).
  static std::unique_ptr<LinkerTool> getForTarget(llvm::StringRef triple,
                                                  std::string &error);

  /// Links `objects` with libm and libc into the shared library `output`.
  /// Returns false with `error` (including the linker's own output).
  virtual bool linkSharedLibrary(llvm::ArrayRef<std::string> objects,
                                 llvm::StringRef output, std::string &error) = 0;
};

} // namespace lut

#endif
