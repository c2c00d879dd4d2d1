#!/usr/bin/env python3
"""C simulation of one MLIR model (on tensors) through the HLS backend,
against the native CPU path: lutc compiles it natively (-o model.so) and
as an HLS project (--emit=hls); random inputs go to both (lut-run, and the
emitted main_graph testbench built with the host C++ compiler), and each
output is compared. Prints, per output, "outK: exact" or "outK: max abs
err E (rel R)"; exit status 1 when an output listed in --exact differs or
another exceeds --rtol relative to its largest magnitude.
"""
import argparse
import os
import shutil
import subprocess
import sys

import numpy as np

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("--mlir", required=True)
ap.add_argument("--lutc", default="lutc")
ap.add_argument("--lut-run", default="lut-run")
ap.add_argument("--work-dir", required=True)
ap.add_argument("--cxx", default=shutil.which("g++") or shutil.which("c++") or "g++")
ap.add_argument("--exact", default="", help="comma-separated output indices that must match bit for bit")
ap.add_argument("--rtol", type=float, default=1e-5)
ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()
os.makedirs(a.work_dir, exist_ok=True)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"FAILED ({p.returncode}): {' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
    return p.stdout


so = os.path.join(a.work_dir, "model.so")
hls = os.path.join(a.work_dir, "hls")
run([a.lutc, a.mlir, "-o", so])
run([a.lutc, a.mlir, "--emit=hls", "-o", hls])
DTYPES = {"float": np.float32, "int8": np.int8, "uint8": np.uint8, "int16": np.int16,
          "int32": np.int32, "int64": np.int64, "double": np.float64}
rng = np.random.default_rng(a.seed)
inputs, outputs = [], []
for line in run([a.lut_run, so, "--signature"]).splitlines():
    f = line.split()
    if f and f[0] in ("input", "output"):
        shape = [int(d) for d in f[3].split(",")] if f[3] else []
        (inputs if f[0] == "input" else outputs).append((DTYPES[f[2]], shape))
arrays = []
for i, (dt, shape) in enumerate(inputs):
    if np.issubdtype(dt, np.integer):
        x = rng.integers(-100, 100, size=shape).astype(dt)
    else:
        x = rng.standard_normal(shape).astype(dt)
    arrays.append(x)
    np.save(os.path.join(a.work_dir, f"in{i}.npy"), x)
native_dir = os.path.join(a.work_dir, "native")
cmd = [a.lut_run, so, "--output-dir", native_dir]
for i in range(len(inputs)):
    cmd += ["--input", os.path.join(a.work_dir, f"in{i}.npy")]
run(cmd)
# The testbench's files are named after the top's arguments: inputs, then
# outputs, in order (kernel.h).
header = open(os.path.join(hls, "kernel.h")).read()
decl = header[header.index("void main_graph("):]
names = [p.split("[")[0].split()[-1] for p in decl[decl.index("(") + 1:decl.index(")")].split(",")]
data = os.path.join(a.work_dir, "data")
out = os.path.join(a.work_dir, "csim")
os.makedirs(data, exist_ok=True)
os.makedirs(out, exist_ok=True)
for name, x in zip(names, arrays):
    x.tofile(os.path.join(data, name + ".bin"))
tb = os.path.join(a.work_dir, "tb")
run([a.cxx, "-std=c++17", "-O1", "-Wall", "-Werror", "-Wno-unknown-pragmas", f"-I{hls}",
     os.path.join(hls, "kernel.cpp"), os.path.join(hls, "tb_main_graph.cpp"), "-o", tb])
run([tb, data, "--write", out])
exact = {int(i) for i in a.exact.split(",") if i}
status = 0
for k, (dt, shape) in enumerate(outputs):
    want = np.load(os.path.join(native_dir, f"output_{k}.npy"))
    got = np.fromfile(os.path.join(out, names[len(inputs) + k] + ".bin"), dtype=dt).reshape(shape)
    if np.array_equal(got, want):
        print(f"out{k}: exact")
        continue
    err = float(np.abs(got.astype(np.float64) - want.astype(np.float64)).max())
    rel = err / max(1e-30, float(np.abs(want).max()))
    ok = k not in exact and rel <= a.rtol
    print(f"out{k}: max abs err {err:.3g} (rel {rel:.3g}) {'ok' if ok else 'FAIL'}")
    status |= not ok
sys.exit(status)
