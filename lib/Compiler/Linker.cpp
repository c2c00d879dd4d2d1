//===- Linker.cpp - linking objects into shared libraries -----------------===//
#include "lut/Compiler/Linker.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
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
  LldElfLinker(std::string path, std::vector<std::string> libDirs, std::string gompDir = "")
      : path(std::move(path)), libDirs(std::move(libDirs)), gompDir(std::move(gompDir)) {}

  std::string crossGompDirectory() const override { return gompDir; }

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
    std::vector<std::string> dirFlags;
    for (const std::string &d : libDirs)
      dirFlags.push_back("-L" + d);
    for (const std::string &d : dirFlags)
      args.push_back(d);
    for (StringRef a : {"--as-needed", "-lm", "-lc", "--no-undefined-version"})
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
  std::vector<std::string> libDirs;
  std::string gompDir;
};

/// Debian's AArch64 cross C library (libc6-dev-arm64-cross).
constexpr const char *kAArch64Sysroot = "/usr/aarch64-linux-gnu";

/// gcc-aarch64-linux-gnu's library directory holding libgomp.so, or "".
std::string findAArch64GompDirectory() {
  std::error_code ec;
  std::string best;
  for (sys::fs::directory_iterator it("/usr/lib/gcc-cross/aarch64-linux-gnu", ec), end;
       !ec && it != end; it.increment(ec)) {
    SmallString<128> lib(it->path());
    sys::path::append(lib, "libgomp.so");
    if (sys::fs::exists(lib) && it->path() > best)
      best = it->path();
  }
  return best;
}

} // namespace

std::unique_ptr<lut::LinkerTool> lut::LinkerTool::getForTarget(StringRef tripleStr,
                                                               std::string &error) {
  std::string host = sys::getDefaultTargetTriple();
  std::string triple = tripleStr.empty() ? host : tripleStr.str();
  std::vector<std::string> libDirs;
  std::string gompDir;
  if (Triple(triple).getArch() == Triple(host).getArch()) {
    libDirs = {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64",
               "/usr/lib64"};
  } else if (Triple t(Triple::normalize(triple)); t.isAArch64() && t.isOSLinux()) {
    SmallString<128> libc(kAArch64Sysroot);
    sys::path::append(libc, "lib", "libc.so");
    if (!sys::fs::exists(libc)) {
      error = "linking a shared library for '" + triple + "' needs that target's C library at " +
              std::string(kAArch64Sysroot) +
              " (Debian: apt-get install libc6-dev-arm64-cross); or emit an object "
              "(--emit=obj) and link it with the target's toolchain";
      return nullptr;
    }
    libDirs = {std::string(kAArch64Sysroot) + "/lib"};
    gompDir = findAArch64GompDirectory();
  } else {
    error = "linking a shared library for '" + triple +
            "' needs that target's C library; lut-mlir links for the host's "
            "architecture and for aarch64-linux-gnu; emit an object (--emit=obj) "
            "and link it with the target's toolchain";
    return nullptr;
  }
  // Prefer the LLVM 22 toolchain's lld, then any ld.lld.
  for (const char *cand : {"/usr/lib/llvm-22/bin/ld.lld", "ld.lld-22", "ld.lld"}) {
    if (sys::fs::can_execute(cand))
      return std::make_unique<LldElfLinker>(cand, libDirs, gompDir);
    if (auto p = sys::findProgramByName(cand))
      return std::make_unique<LldElfLinker>(*p, libDirs, gompDir);
  }
  error = "cannot find ld.lld (install lld-22)";
  return nullptr;
}
