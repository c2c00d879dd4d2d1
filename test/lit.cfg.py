# -*- Python -*-
import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "LUT"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.lut_obj_root, "test")
# Directories with their own (ctest) drivers, not lit tests.
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "conformance", "models", "Inputs",
                   "CAPI", "install"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", config.python3))
config.substitutions.append(("%lut_src", config.lut_src_root))
# Upstream mlir-opt (Debian's mlir-opt-22) and the lut plugin it can load.
config.substitutions.append(("%mlir_opt", os.path.join(config.llvm_tools_dir, "mlir-opt")))
# The host C++ compiler of the HLS backend's C simulation tests (test/HLS).
config.substitutions.append(("%host_cxx", shutil.which("g++") or shutil.which("c++") or "c++"))
config.substitutions.append(("%lut_plugin", os.path.join(config.lut_libs_dir, "LutPlugin.so")))

llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.lut_tools_dir, config.llvm_tools_dir]
tools = ["lut-opt", "lut-translate", "lutc", "lut-run", "lut-run-lite", "FileCheck", "not", "count", "llvm-readelf", "llvm-nm"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
llvm_config.with_environment("PATH", config.lut_tools_dir, append_path=True)

# Host CPU features, for tests of the runtime's CPU check.
import platform
if platform.machine() in ("x86_64", "AMD64"):
    config.available_features.add("x86_64-host")
try:
    with open("/proc/cpuinfo") as f:
        flags = next((l.split(":", 1)[1].split() for l in f if l.startswith("flags")), [])
    if "avx512_fp16" not in flags:
        config.available_features.add("no-avx512fp16")
except OSError:
    pass

# AArch64 execution tests: models compiled with --mtriple=aarch64-linux-gnu
# run under qemu-aarch64 by the AArch64 build of lut-run-lite, when the build
# found the cross tools (lib/Kernels/CMakeLists.txt).
if config.aarch64_run_lite and os.path.exists(config.aarch64_run_lite):
    config.available_features.add("aarch64-qemu")
    config.substitutions.append(("%aarch64_run", "%s -L %s %s" % (
        config.qemu_aarch64, config.aarch64_sysroot, config.aarch64_run_lite)))

# lit runs several tests at once: each model runs on one thread unless a
# test sets LUT_NUM_THREADS itself (the default is every CPU of the process).
config.environment["LUT_NUM_THREADS"] = "1"
