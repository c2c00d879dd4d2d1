"""Runs lut_ops.mlir natively and compares with NumPy evaluations of the op
definitions in LutOps.td (LookupFFN hash and table sum)."""
import argparse, os, subprocess, sys
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--mlir", required=True)
ap.add_argument("--lutc", required=True)
ap.add_argument("--lut-run", required=True)
ap.add_argument("--work-dir", required=True)
ap.add_argument("--lutc-arg", action="append", default=[], help="extra lutc option")
ap.add_argument("--run-lite", help="run with this lut-run-lite command instead of lut-run "
                "(e.g. qemu-aarch64 with the AArch64 lut-run-lite)")
a = ap.parse_args()

rng = np.random.default_rng(7)
N, D, H, k, M = 6, 8, 3, 4, 5
R = 2 ** k
x = rng.standard_normal((N, D)).astype(np.float32)
p = rng.standard_normal((D, H * k)).astype(np.float32)
b = rng.standard_normal(H * k).astype(np.float32)
t = rng.standard_normal((H, R, M)).astype(np.float32)
w = rng.standard_normal((N, H)).astype(np.float32)
bias = rng.standard_normal(M).astype(np.float32)
q = rng.integers(-128, 128, (H, R, M)).astype(np.int8)
s = (rng.random((H, M)) * 0.1).astype(np.float32)
h16 = rng.standard_normal((H, R, M)).astype(np.float16)
inputs = [x, p, b, t, w, bias, q, s, h16]
files = []
for i, arr in enumerate(inputs):
    f = os.path.join(a.work_dir, f"in{i}.npy")
    np.save(f, arr)
    files += ["--input", f]
so = os.path.join(a.work_dir, "lut_ops.so")
subprocess.run([a.lutc, a.mlir, "-o", so, *a.lutc_arg], check=True)
if a.run_lite:
    subprocess.run([*a.run_lite.split(), so, *files[1::2], "-o", a.work_dir], check=True)
else:
    subprocess.run([a.lut_run, so, *files, "--output-dir", a.work_dir], check=True)
out = [np.load(os.path.join(a.work_dir, f"output_{i}.npy")) for i in range(4)]

z = x @ p + b
bits = (z > 0).reshape(N, H, k).astype(np.int64)
codes = (bits << np.arange(k)).sum(-1).astype(np.int32)
ok = True
if out[0].dtype == np.int32 and np.array_equal(out[0], codes):
    print("lsh_encode codes: exact match")
else:
    print("lsh_encode codes: MISMATCH", out[0], codes); ok = False

hi = np.arange(H)[None, :]
def ref(tab, weights=None, b=None, scales=None):
    g = tab[hi, codes].astype(np.float64)              # N x H x M
    if scales is not None: g = g * scales[None]
    if weights is not None: g = g * weights[:, :, None]
    y = g.sum(1)
    if b is not None: y = y + b
    return y
for name, got, want in [("f32", out[1], ref(t, w, bias)),
                        ("i8", out[2], ref(q, scales=s)),
                        ("f16", out[3], ref(h16))]:
    err = float(np.abs(got - want).max())
    good = got.dtype == np.float32 and got.shape == want.shape and np.allclose(got, want, rtol=1e-5, atol=1e-5)
    print(f"gather_sum {name}: max abs err {err:.3g} {'ok' if good else 'MISMATCH'}")
    ok &= good
sys.exit(0 if ok else 1)
