"""Packages a lut-mlir build as the `lutmlir` wheel (see pyproject.toml).

Nothing is compiled: the extension, the tools and the runtime libraries
come from the CMake build directory, LUTMLIR_BUILD_DIR (default: ../build
next to this folder, which scripts/build.sh makes), and the C headers from
the source tree, LUTMLIR_SOURCE_DIR (default: ..). The layout keeps every
relative path the binaries use ($ORIGIN/../lib and the tools' ../lib):

    lutmlir/*.py                  the Python layer (from ./lutmlir)
    lutmlir/_native/lut_mlir*.so  the pybind11 extension
    lutmlir/bin/                  lutc, lut-opt, lut-translate, lut-run
    lutmlir/lib/                  libLutRuntime.so, libLutTensorIO.so and the
                                  archives compiled models link
                                  (libLutKernels*.a, libLutDense.a)
    lutmlir/include/lut-c/        the C runtime API (Runtime.h, Kernels.h)
"""
import glob
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(os.environ.get("LUTMLIR_BUILD_DIR", os.path.join(HERE, "..", "build")))
SOURCE = os.path.abspath(os.environ.get("LUTMLIR_SOURCE_DIR", os.path.join(HERE, "..")))
TOOLS = ["lutc", "lut-opt", "lut-translate", "lut-run"]
LIBS = ["libLutRuntime.so", "libLutTensorIO.so", "libLutKernels.a", "libLutKernels_aarch64.a",
        "libLutDense.a"]


def _need(path, what):
    if not os.path.exists(path):
        raise SystemExit(f"lutmlir: {what} not found at {path}: build lut-mlir first "
                         "(scripts/build.sh build), or set LUTMLIR_BUILD_DIR to its build folder")
    return path


class BuildPy(build_py):
    """build_py plus the binaries of the lut-mlir build."""

    def run(self):
        super().run()
        pkg = os.path.join(self.build_lib, "lutmlir")
        exts = glob.glob(os.path.join(BUILD, "python", "lut_mlir*.so"))
        if not exts:
            _need(os.path.join(BUILD, "python", "lut_mlir.<abi>.so"), "the extension")
        native = os.path.join(pkg, "_native")
        os.makedirs(native, exist_ok=True)
        open(os.path.join(native, "__init__.py"), "w").close()
        for e in exts:
            shutil.copy2(e, native)
        for sub, names in (("bin", TOOLS), ("lib", LIBS)):
            os.makedirs(os.path.join(pkg, sub), exist_ok=True)
            for n in names:
                src = os.path.join(BUILD, sub, n)
                if n.endswith("_aarch64.a") and not os.path.exists(src):
                    continue  # built only when the AArch64 cross toolchain is present
                shutil.copy2(_need(src, n), os.path.join(pkg, sub, n))
        inc = os.path.join(pkg, "include", "lut-c")
        os.makedirs(inc, exist_ok=True)
        for h in glob.glob(os.path.join(SOURCE, "include", "lut-c", "*.h")):
            shutil.copy2(h, inc)


class BinaryDistribution(Distribution):
    """A platform wheel: the package holds native code."""

    def has_ext_modules(self):
        return True


setup(packages=["lutmlir", "lutmlir.torch"], package_dir={"lutmlir": "lutmlir"},
      cmdclass={"build_py": BuildPy}, distclass=BinaryDistribution, zip_safe=False)
