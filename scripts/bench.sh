#!/usr/bin/env bash
# lut-mlir's benchmark against ONNX Runtime (bench/run.py): sets up and
# builds lut-mlir, installs onnxruntime-node into bench/ort (npm ci
# --ignore-scripts: the package's prebuilt CPU binaries, no install
# scripts), then times every case. Arguments go to bench/run.py
# (e.g. --only ffn768-t1,vit-b100 --threads 1 --quick).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/setup.sh"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "bench: installing nodejs and npm"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get install -y --no-install-recommends nodejs npm
fi
"$ROOT/scripts/build.sh" "$ROOT/build"
(cd "$ROOT/bench/ort" && npm ci --ignore-scripts --no-audit --no-fund)
/usr/bin/python3 "$ROOT/bench/run.py" --build "$ROOT/build" "$@"
