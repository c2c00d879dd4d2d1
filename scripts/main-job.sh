#!/usr/bin/env bash
# The main job on the shipped example: compile examples/mlp/model.onnx with
# lutc to a native shared library, run it with lut-run, print what it
# computed and compare it with PyTorch's output for the same input.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh" "$ROOT/build" >/dev/null
BIN="$ROOT/build/bin"
EX="$ROOT/examples/mlp"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "== lutc $EX/model.onnx -o model.so"
"$BIN/lutc" "$EX/model.onnx" -o "$WORK/model.so"
echo "== lut-run model.so --input input.npy"
"$BIN/lut-run" "$WORK/model.so" --input "$EX/input.npy"
"$BIN/lut-run" "$WORK/model.so" --input "$EX/input.npy" --output-dir "$WORK/out"
/usr/bin/python3 - "$WORK/out/output_0.npy" "$EX/expected.npy" <<'PY'
import sys, numpy as np
got, want = np.load(sys.argv[1]), np.load(sys.argv[2])
err = float(np.abs(got - want).max())
ok = np.allclose(got, want, rtol=1e-4, atol=1e-5)
print(f"== versus PyTorch: max abs error {err:.3g} ({'match' if ok else 'MISMATCH'}, rtol 1e-4)")
sys.exit(0 if ok else 1)
PY
echo "== lut-run --bench 100"
"$BIN/lut-run" "$WORK/model.so" --input "$EX/input.npy" --output-dir "$WORK/out" --bench 100
