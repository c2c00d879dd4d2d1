#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test lut-mlir.
# Idempotent: when every package is present it only checks and returns (~1 s).
set -euo pipefail
PKGS=(
  cmake ninja-build ccache
  clang-22 lld-22 libclang-rt-22-dev llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  libprotobuf-dev protobuf-compiler libonnx-dev libonnx-testdata
  zlib1g-dev libgtest-dev libgmock-dev libbenchmark-dev libopenblas-dev libdnnl-dev
  python3-dev python3-numpy python3-onnx python3-torch pybind11-dev
  # the lutmlir package: its pytest suite, pip install into a venv, tqdm bars
  python3-pytest python3-pip python3-setuptools python3-wheel python3-venv python3-tqdm
  dataset-fashion-mnist
  # examples/char-gpt: the English text of the fortune cookie files
  fortunes
  # lib/Kernels: the AArch64 archive and its test under qemu-aarch64
  qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  # the HLS backend's C simulation (test/HLS) compiles the emitted C++ with g++
  g++
)
missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#PKGS[@]} packages present"
fi
