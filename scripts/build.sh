#!/usr/bin/env bash
# Configures (once) and builds lut-mlir with Ninja, clang-22, lld and ccache.
# Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
#   LUT_SANITIZE=1 scripts/build.sh build-asan   # ASan+UBSan build
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$ROOT/build}"; shift || true
EXTRA=("$@")
if [ "${LUT_SANITIZE:-0}" = 1 ]; then EXTRA+=(-DLUT_ENABLE_SANITIZERS=ON); fi
if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -G Ninja -S "$ROOT" -B "$BUILD" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    -DPython3_EXECUTABLE=/usr/bin/python3 -DPython_EXECUTABLE=/usr/bin/python3 \
    "${EXTRA[@]}"
fi
cmake --build "$BUILD"
