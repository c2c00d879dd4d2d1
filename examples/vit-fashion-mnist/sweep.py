"""Accuracy of the LUT ViT against (H, k, projection, threshold): runs
evaluate.py once per configuration and prints a table.

Usage: /usr/bin/python3 sweep.py --build BUILD_DIR [--configs SPEC ...]
"""
import argparse, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = [
    "lsh:tables=32,bits=8,projection=hidden,threshold=split",
    "lsh:tables=48,bits=8,projection=hidden,threshold=split",
    "lsh:tables=64,bits=6,projection=hidden,threshold=split",
    "lsh:tables=48,bits=8,projection=hidden,threshold=zero",
    "lsh:tables=48,bits=8,projection=random,threshold=zero",
]
ap = argparse.ArgumentParser()
ap.add_argument("--build", required=True)
ap.add_argument("--configs", nargs="*", default=DEFAULT)
ap.add_argument("--calibration-images", type=int, default=12000)
a = ap.parse_args()
rows = []
for spec in a.configs:
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "r.json")
        p = subprocess.run([sys.executable, os.path.join(HERE, "evaluate.py"), "--build", a.build,
                            "--work", work, "--lut", spec, "--json", out,
                            "--calibration-images", str(a.calibration_images), "--bench-runs", "5"],
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(p.stdout + p.stderr)
        r = json.load(open(out))
    mse = sum(r["heldout_rel_mse"].values()) / len(r["heldout_rel_mse"])
    rows.append((spec, r["dense_accuracy"], r["lut_accuracy"], r["accuracy_loss_points"], mse,
                 r["multiplications_removed_share"]))
    print(f"{spec}: {100 * r['lut_accuracy']:.2f}%", file=sys.stderr, flush=True)
print(f"| --lut | dense | LUT | loss (points) | mean held-out rel. MSE | MACs removed |")
print(f"|---|---|---|---|---|---|")
for spec, d, l, loss, mse, rem in rows:
    print(f"| {spec} | {100 * d:.2f}% | {100 * l:.2f}% | {loss:.2f} | {mse:.3f} | {100 * rem:.1f}% |")
