//===- Linker.cpp - linking objects into shared libraries -----------------===//
#include "lut/Compiler/Linker.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <optional>
#include <vector>

using namespace llvm;

namespace {

/// ELF shared libraries with LLVM's lld (`ld.lld -shared`).
class LldElfLinker : public lut::LinkerTool {
public:
  explicit LldElfLinker(std::string path) : path(std::move(path)) {}

  bool linkSharedLibrary(ArrayRef<std::string> objects, StringRef output,
                         std::string &error) override {
    SmallString<128> logPath;
    if (auto ec = sys::fs::createTemporaryFile("lutc-link", "log", logPath)) {
      error = "cannot create a temporary file: " + ec.message();
      return false;
    }
    std::vector<StringRef> args = {path, "-shared", "-o", output};
    for (const std::string &o : objects)
      args.push_back(o);
    for (StringRef a : {"--as-needed", "-lm", "-lc", "-L/usr/lib/x86_64-linux-gnu",
                        "-L/usr/lib/aarch64-linux-gnu", "-L/lib64", "-L/usr/lib64",
                        "--no-undefined-version"})
      args.push_back(a);
    std::optional<StringRef> redirects[] = {std::nullopt, StringRef(logPath), StringRef(logPath)};
    std::string execErr;
    int rc = sys::ExecuteAndWait(path, args, std::nullopt, redirects, 0, 0, &execErr);
    auto log = MemoryBuffer::getFile(logPath);
    std::string logText = log ? (*log)->getBuffer().str() : "";
    sys::fs::remove(logPath);
    if (rc != 0) {
      error = "linking '" + output.str() + "' failed (" + path + "): " +
              (execErr.empty() ? logText : execErr);
      return false;
    }
    return true;
  }

private:
  std::string path;
};

} // namespace

std::unique_ptr<lut::LinkerTool> lut::LinkerTool::getForTarget(StringRef tripleStr,
                                                               std::string &error) {
  std::string host = sys::getDefaultTargetTriple();
  std::string triple = tripleStr.empty() ? host : tripleStr.str();
  if (Triple(triple).getArch() != Triple(host).getArch()) {
    error = "linking a shared library for '" + triple +
            "' needs that target's C library; emit an object (--emit=obj) "
            "and link it with the target's toolchain";
    return nullptr;
  }
  // Prefer the LLVM 22 toolchain's lld, then any ld.lld.
  for (const char *cand : {"/usr/lib/llvm-22/bin/ld.lld", "ld.lld-22", "ld.lld"}) {
    if (sys::fs::can_execute(cand))
      return std::make_unique<LldElfLinker>(cand);
    if (auto p = sys::findProgramByName(cand))
      return std::make_unique<LldElfLinker>(*p);
  }
  error = "cannot find ld.lld (install lld-22)";
  return nullptr;
}
