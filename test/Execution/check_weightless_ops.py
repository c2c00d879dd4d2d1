"""Runs weightless_ops.mlir natively and compares with NumPy evaluations of
the definitions of lut.thermometer and lut.lut in LutOps.td."""
import argparse, os, subprocess, sys
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--mlir", required=True)
ap.add_argument("--lutc", required=True)
ap.add_argument("--lut-run", required=True)
ap.add_argument("--work-dir", required=True)
ap.add_argument("--lutc-arg", action="append", default=[], help="extra lutc option")
a = ap.parse_args()

rng = np.random.default_rng(11)
N, D, B, L, n = 7, 5, 4, 12, 6
x = rng.standard_normal((N, D)).astype(np.float32)
t = np.sort(rng.standard_normal((D, B)), axis=1).astype(np.float32)
x[0, 0] = t[0, 1]  # equal to a threshold: not greater, bit 0
m = rng.integers(0, D * B, (L, n)).astype(np.int32)
tab = rng.standard_normal((L, 1 << n)).astype(np.float32)
files = []
for i, arr in enumerate([x, t, m, tab]):
    f = os.path.join(a.work_dir, f"in{i}.npy")
    np.save(f, arr)
    files += ["--input", f]
so = os.path.join(a.work_dir, "weightless.so")
subprocess.run([a.lutc, a.mlir, "-o", so, *a.lutc_arg], check=True)
subprocess.run([a.lut_run, so, *files, "--output-dir", a.work_dir], check=True)
out = [np.load(os.path.join(a.work_dir, f"output_{i}.npy")) for i in range(3)]

bits = (x[:, :, None] > t[None]).reshape(N, D * B).astype(np.int8)
addr = (bits[:, m].astype(np.int64) << np.arange(n)).sum(-1)  # N x L
o = tab[np.arange(L)[None, :], addr]
y = o.reshape(N, 3, 4).sum(-1)
ok = True
for name, got, want in [("thermometer bits", out[0], bits), ("lut outputs", out[1], o)]:
    good = got.dtype == want.dtype and np.array_equal(got, want)
    print(f"{name}: {'exact match' if good else 'MISMATCH'}")
    ok &= good
err = float(np.abs(out[2] - y).max())
good = np.allclose(out[2], y, rtol=1e-5, atol=1e-5)
print(f"group sum: max abs err {err:.3g} {'ok' if good else 'MISMATCH'}")
sys.exit(0 if ok and good else 1)
