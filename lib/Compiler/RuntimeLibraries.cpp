//===- RuntimeLibraries.cpp - what a compiled model links with ------------===//
#include "lut/Compiler/RuntimeLibraries.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <dlfcn.h>

using namespace llvm;

static std::vector<std::string> searchDirectories() {
  std::vector<std::string> dirs;
  if (auto env = sys::Process::GetEnv("LUT_LIBRARY_PATH")) {
    SmallVector<StringRef> parts;
    StringRef(*env).split(parts, ':', -1, false);
    for (StringRef p : parts)
      dirs.push_back(p.str());
  }
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&lut::findRuntimeArchive), &info) && info.dli_fname) {
    SmallString<256> self(info.dli_fname);
    sys::fs::make_absolute(self);
    StringRef dir = sys::path::parent_path(self);
    SmallString<256> lib(sys::path::parent_path(dir));
    sys::path::append(lib, "lib");
    dirs.push_back(lib.str().str());
    dirs.push_back(dir.str());
  }
  dirs.push_back(LUT_BUILD_LIBRARY_DIR);
  dirs.push_back(LUT_INSTALL_LIBRARY_DIR);
  return dirs;
}

std::string lut::findRuntimeArchive(StringRef name, std::string &error) {
  std::string file = ("lib" + name + ".a").str();
  std::vector<std::string> dirs = searchDirectories();
  for (const std::string &d : dirs) {
    SmallString<256> path(d);
    sys::path::append(path, file);
    if (sys::fs::is_regular_file(path))
      return path.str().str();
  }
  error = "cannot find " + file + " (needed by the compiled model's library calls); searched " +
          join(dirs, ", ") + " (set LUT_LIBRARY_PATH to its directory)";
  return "";
}

bool lut::collectRuntimeLinkInputs(const Module &module, StringRef tripleStr,
                                   std::vector<std::string> &inputs, std::string &error,
                                   StringRef crossGompDirectory) {
  bool kernels = false, dense = false;
  for (const Function &f : module.functions()) {
    if (!f.isDeclaration())
      continue;
    kernels |= f.getName().starts_with("lutk_") ||
               f.getName().starts_with("_mlir_memref_to_llvm_");
    dense |= f.getName().starts_with("lutd_");
  }
  // LutKernels_aarch64 is the AArch64 archive built on another host.
  bool aarch64 = Triple(tripleStr).isAArch64() &&
                 !Triple(sys::getDefaultTargetTriple()).isAArch64();
  if (dense && aarch64) {
    error = "the model calls the LutDense library, which lut-mlir builds for "
            "the host only; compile for AArch64 without --dense-library";
    return false;
  }
  if (dense) {
#ifdef LUT_DENSE_LINK_ARGS
    std::string archive = findRuntimeArchive("LutDense", error);
    if (archive.empty())
      return false;
    inputs.push_back(archive);
    SmallVector<StringRef> args;
    StringRef(LUT_DENSE_LINK_ARGS).split(args, '|', -1, false);
    for (StringRef a : args)
      inputs.push_back(a.str());
#else
    error = "the model calls the LutDense library, which this lut-mlir was built without";
    return false;
#endif
  }
  // LutDense takes its thread count from the kernels (lutk_thread_count), so
  // a model that calls either links both.
  if (kernels || dense) {
    std::string archive = findRuntimeArchive(aarch64 ? "LutKernels_aarch64" : "LutKernels", error);
    if (archive.empty())
      return false;
    // Every such model exports lut_model_set_num_threads (the runtime's
    // lutModelSetNumThreads), even when nothing else pulls in its member.
    inputs.push_back("--undefined=lut_model_set_num_threads");
    inputs.push_back(archive);
    // The kernels' threads (lib/Kernels/Threads.h); linked twice when the
    // dense library also needs it, which the linker accepts.
    if (!crossGompDirectory.empty()) {
      inputs.push_back(("-L" + crossGompDirectory).str());
      inputs.push_back("-lgomp");
    }
#ifdef LUT_KERNELS_LINK_ARGS
    else if (!aarch64)
      inputs.push_back(LUT_KERNELS_LINK_ARGS);
#endif
  }
  return true;
}
