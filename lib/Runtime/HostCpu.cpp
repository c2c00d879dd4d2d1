//===- HostCpu.cpp - Can this CPU run the compiled model? ------------------===//
//
// A model library records the target it was compiled for (the `target`
// record of its signature: LLVM triple, CPU and enabled features). Loading
// it on a CPU without one of those features would end in SIGILL at the first
// vector instruction; checkHostSupports() turns that into
// LUT_ERROR_UNSUPPORTED_CPU, with the list of missing features.
//
// x86-64 features are tested with `__builtin_cpu_supports` (compiler-rt /
// libgcc's cpu model, which reads CPUID and XGETBV), AArch64 features with
// the Linux HWCAP bits of getauxval(). Feature names are LLVM's
// (llvm/TargetParser/X86TargetParser.def, AArch64 target features).
//
//===----------------------------------------------------------------------===//

#include "RuntimeImpl.h"

#include <string>

#if defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace lut::runtime::impl {
namespace {

/// The architecture of an LLVM triple, normalized ("x86_64", "aarch64", ...).
std::string tripleArch(const std::string &triple) {
  std::string arch = triple.substr(0, triple.find('-'));
  if (arch == "amd64")
    return "x86_64";
  if (arch == "arm64")
    return "aarch64";
  return arch;
}

const char *hostArch() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "";
#endif
}

/// 1: present, 0: absent, -1: this runtime cannot test the feature.
int hostHas(const std::string &f) {
#if defined(__x86_64__)
  __builtin_cpu_init();
#define LUT_X86(llvmName, cpuName)                                             \
  if (f == llvmName)                                                           \
    return __builtin_cpu_supports(cpuName) ? 1 : 0;
  LUT_X86("sse3", "sse3")
  LUT_X86("ssse3", "ssse3")
  LUT_X86("sse4.1", "sse4.1")
  LUT_X86("sse4.2", "sse4.2")
  LUT_X86("popcnt", "popcnt")
  LUT_X86("avx", "avx")
  LUT_X86("avx2", "avx2")
  LUT_X86("fma", "fma")
  LUT_X86("bmi", "bmi")
  LUT_X86("bmi2", "bmi2")
  LUT_X86("f16c", "f16c")
  LUT_X86("avx512f", "avx512f")
  LUT_X86("avx512bw", "avx512bw")
  LUT_X86("avx512dq", "avx512dq")
  LUT_X86("avx512vl", "avx512vl")
  LUT_X86("avx512cd", "avx512cd")
  LUT_X86("avx512vnni", "avx512vnni")
  LUT_X86("avx512vbmi", "avx512vbmi")
  LUT_X86("avx512vbmi2", "avx512vbmi2")
  LUT_X86("avx512bf16", "avx512bf16")
  LUT_X86("avx512bitalg", "avx512bitalg")
  LUT_X86("avx512vpopcntdq", "avx512vpopcntdq")
  LUT_X86("avx512ifma", "avx512ifma")
  LUT_X86("avx512fp16", "avx512fp16")
  LUT_X86("avxvnni", "avxvnni")
  LUT_X86("gfni", "gfni")
  LUT_X86("vpclmulqdq", "vpclmulqdq")
  LUT_X86("vaes", "vaes")
#undef LUT_X86
  return -1;
#elif defined(__aarch64__) && defined(__linux__)
  unsigned long hw = getauxval(AT_HWCAP);
  if (f == "neon" || f == "fp-armv8")
    return (hw & HWCAP_ASIMD) ? 1 : 0;
  if (f == "fullfp16")
    return (hw & HWCAP_ASIMDHP) ? 1 : 0;
  if (f == "dotprod")
    return (hw & HWCAP_ASIMDDP) ? 1 : 0;
  if (f == "sve")
    return (hw & HWCAP_SVE) ? 1 : 0;
  if (f == "lse")
    return (hw & HWCAP_ATOMICS) ? 1 : 0;
  return -1;
#else
  (void)f;
  return -1;
#endif
}

} // namespace

LutStatus checkHostSupports(const TargetInfo &target) {
  if (target.triple.empty())
    return LUT_OK; // no target record: nothing to check
  std::string arch = tripleArch(target.triple);
  if (*hostArch() && arch != "unknown" && arch != hostArch())
    return fail(LUT_ERROR_UNSUPPORTED_CPU,
                "the model was compiled for " + target.triple +
                    " (CPU '" + target.cpu + "') and cannot run on this " +
                    hostArch() + " host");
  std::string missing;
  for (const std::string &f : target.features)
    if (hostHas(f) == 0)
      missing += (missing.empty() ? "" : ",") + f;
  if (!missing.empty())
    return fail(LUT_ERROR_UNSUPPORTED_CPU,
                "the model was compiled for CPU '" + target.cpu +
                    "' and needs CPU features this machine lacks: " + missing +
                    " (recompile with --mcpu/--mattr for this machine, e.g. "
                    "lutc --mcpu=native)");
  return LUT_OK;
}

} // namespace lut::runtime::impl
