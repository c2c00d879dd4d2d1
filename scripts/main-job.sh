#!/usr/bin/env bash
# The main job: compile the shipped Fashion-MNIST ViT (examples/vit-fashion-mnist)
# dense and with every FFN replaced by fitted LUT ops (calibrated on training
# images), run both natively on all 10,000 test images, and print dense and
# LUT accuracy, the share of multiplications removed and the median batch
# latency of both.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh" "$ROOT/build"
/usr/bin/python3 "$ROOT/examples/vit-fashion-mnist/evaluate.py" --build "$ROOT/build" \
  --dynamic-batches 1,7,100,256 "$@"
