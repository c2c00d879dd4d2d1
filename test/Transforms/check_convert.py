"""Compares a LUT-converted examples/mlp model with PyTorch's dense output."""
import json, sys
import numpy as np
ex, out, report = sys.argv[1:4]
r = json.load(open(report))
conv = [f for f in r["ffns"] if f["status"] == "converted"]
print(f"report: method {r['method']}, calibration {r['calibration']}, {len(conv)} FFN converted")
x, want, got = np.load(f"{ex}/input.npy"), np.load(f"{ex}/expected.npy"), np.load(out)
# y = x + FFN(...): the residual x is exact; measure the error of the FFN part.
ffn_want, ffn_got = want - x, got - x
err = float(np.linalg.norm(ffn_got - ffn_want) / np.linalg.norm(ffn_want))
ok = err <= 0.6 and np.isfinite(got).all()
print(f"FFN output relative error {err:.3f} (<= 0.6)" if ok else f"FFN output relative error {err:.3f} TOO LARGE")
sys.exit(0 if ok else 1)
