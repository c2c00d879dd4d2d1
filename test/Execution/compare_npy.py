"""Compares the .npy outputs of two runs of a model: prints
"<name>: max abs err E ok" per output, or fails with the largest difference.

usage: compare_npy.py DIR_A DIR_B [--atol A] [--rtol R] [--exact]
Each output_<i>.npy of DIR_A must exist in DIR_B with the same dtype and
shape; float outputs must agree within atol + rtol * |a| (NumPy isclose),
integer and bool outputs exactly (and everything exactly with --exact)."""
import argparse, glob, os, sys
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("a")
ap.add_argument("b")
ap.add_argument("--atol", type=float, default=1e-4)
ap.add_argument("--rtol", type=float, default=1e-4)
ap.add_argument("--exact", action="store_true")
args = ap.parse_args()

files = sorted(glob.glob(os.path.join(args.a, "output_*.npy")))
if not files:
    sys.exit(f"compare_npy: no output_*.npy in {args.a}")
for fa in files:
    name = os.path.basename(fa)
    fb = os.path.join(args.b, name)
    if not os.path.exists(fb):
        sys.exit(f"compare_npy: {fb} is missing")
    x, y = np.load(fa), np.load(fb)
    if x.dtype != y.dtype or x.shape != y.shape:
        sys.exit(f"compare_npy: {name}: {x.dtype}{x.shape} vs {y.dtype}{y.shape}")
    exact = args.exact or not np.issubdtype(x.dtype, np.floating)
    if exact:
        bad = x != y
    else:
        bad = ~np.isclose(y, x, atol=args.atol, rtol=args.rtol)
    err = float(np.abs(x.astype(np.float64) - y.astype(np.float64)).max()) if x.size else 0.0
    if bad.any():
        i = np.unravel_index(np.argmax(bad), x.shape)
        sys.exit(f"compare_npy: {name}: {int(bad.sum())} of {x.size} differ, first at {i}: "
                 f"{x[i]} vs {y[i]} (max abs err {err:g})")
    print(f"{name}: max abs err {err:g} ok")
