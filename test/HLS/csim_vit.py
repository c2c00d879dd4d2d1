#!/usr/bin/env python3
"""C simulation of the HLS C++ that lutc emits for the example LUT ViT,
checked against the native CPU path (ctest hls-csim-vit; docs/HLS.md).

1. lutc converts every FFN of examples/vit-fashion-mnist/vit.onnx to LSH
   tables (i8, calibrated on training images) and writes the MLIR, dumping
   each FFN's real input rows (--dump-calibration).
2. From that one MLIR: the native shared library (lutc -o lut.so) and the HLS
   project (lutc --emit=hls -o hls/).
3. The emitted folder passes test/HLS/lint_hls.py; kernel.cpp and every
   testbench are compiled with the host g++ (-std=c++17 -Wall -Werror,
   unknown pragmas aside).
4. For each FFN k, the native encoder (ffn<k>_encode, compiled from the same
   MLIR by lutc --entry) turns real FFN inputs into codes; those same codes
   go to the native gather (ffn<k>_gather_sum) and to the C simulation of
   the emitted ffn<k>_gather_sum, whose testbench must match bit for bit
   (--tolerance 0).
5. The whole model: Fashion-MNIST test images through the native library
   and through the C simulation of main_graph; the predicted class must be
   the same on every image.
Exit status 0 when both hold; prints the numbers either way.

With --lut=none, the model is compiled as it is, without a conversion: a
model whose FFNs were fine-tuned as LUT layers (examples/vit-fashion-mnist/
finetune.py exports them as lutmlir-domain ops), e.g. the weightless ViT
vit_weightless.onnx (ctest hls-csim-vit-weightless). Step 4 then covers
the model's lut.gather_sum ops only if it has any.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "examples", "vit-fashion-mnist"))
import fmnist  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--build", required=True, help="lut-mlir build directory")
ap.add_argument("--work", help="working directory (default: a fresh temporary one)")
ap.add_argument("--model", default=os.path.join(ROOT, "examples", "vit-fashion-mnist", "vit.onnx"),
                help="the ONNX model (a Fashion-MNIST classifier of batch 100)")
ap.add_argument("--lut", default="lsh:tables=48,bits=8,projection=hidden",
                help="lutc's --lut conversion, or 'none' for a model that already has LUT ops")
ap.add_argument("--calibration-images", type=int, default=1000)
ap.add_argument("--test-images", type=int, default=300,
                help="Fashion-MNIST test images through the whole model (a multiple of 100)")
ap.add_argument("--cxx", default=shutil.which("g++") or "g++", help="host C++ compiler")
a = ap.parse_args()

work = a.work or tempfile.mkdtemp(prefix="hls-csim-")
os.makedirs(work, exist_ok=True)
lutc = os.path.join(a.build, "bin", "lutc")
lut_opt = os.path.join(a.build, "bin", "lut-opt")
lut_run = os.path.join(a.build, "bin", "lut-run")
model = a.model


def run(cmd, **kw):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"FAILED ({p.returncode}): {' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
    return p, time.perf_counter() - t0


def native(so, inputs, out_dir):
    """Runs a compiled model on .npy inputs; returns its outputs."""
    os.makedirs(out_dir, exist_ok=True)
    cmd = [lut_run, so, "--output-dir", out_dir]
    for path in inputs:
        cmd += ["--input", path]
    run(cmd)
    outs, i = [], 0
    while os.path.exists(os.path.join(out_dir, f"output_{i}.npy")):
        outs.append(np.load(os.path.join(out_dir, f"output_{i}.npy")))
        i += 1
    return outs


# 1-2. The LUT model, natively and as HLS C++.
xtr, _ = fmnist.load("train")
cal = xtr[np.random.default_rng(0).permutation(len(xtr))[:a.calibration_images]]
np.save(os.path.join(work, "calibration.npy"), cal)
lut_mlir = os.path.join(work, "lut.mlir")
dump = os.path.join(work, "ffn-inputs")
os.makedirs(dump, exist_ok=True)
if a.lut == "none":
    _, t = run([lutc, model, "--emit=mlir", "-o", lut_mlir])
    print(f"import (lutc --emit=mlir, no conversion): {t:.1f} s")
else:
    _, t = run([lutc, model, f"--lut={a.lut}", "--lut-tables=i8",
                f"--calibration={os.path.join(work, 'calibration.npy')}",
                f"--dump-calibration={dump}", "--emit=mlir", "-o", lut_mlir])
    print(f"LUT conversion (lutc --lut ... --emit=mlir): {t:.1f} s")
lut_so = os.path.join(work, "lut.so")
run([lutc, lut_mlir, "-o", lut_so])
hls = os.path.join(work, "hls")
_, t = run([lutc, lut_mlir, "--emit=hls", "-o", hls])
print(f"HLS emission (lutc --emit=hls): {t:.1f} s, kernel.cpp {os.path.getsize(os.path.join(hls, 'kernel.cpp')) / 1e6:.1f} MB")

# The lint: nothing Vitis HLS refuses.
p = subprocess.run([sys.executable, os.path.join(ROOT, "test", "HLS", "lint_hls.py"), hls],
                   capture_output=True, text=True)
print(p.stdout.strip().splitlines()[-1])
if p.returncode != 0:
    sys.exit("FAIL: the emitted C++ has constructs Vitis HLS refuses:\n" + p.stdout)

# 3. C simulation binaries.
flags = ["-std=c++17", "-O2", "-Wall", "-Werror", "-Wno-unknown-pragmas", f"-I{hls}"]
kernel_o = os.path.join(work, "kernel.o")
_, t = run([a.cxx, *flags, "-c", os.path.join(hls, "kernel.cpp"), "-o", kernel_o])
print(f"g++ kernel.cpp: {t:.1f} s")


def testbench(top):
    exe = os.path.join(work, f"tb_{top}")
    run([a.cxx, *flags, os.path.join(hls, f"tb_{top}.cpp"), kernel_o, "-o", exe])
    return exe


failures = []
# 4. Each FFN's gather, fed the native encoder's codes of real FFN inputs.
names = sorted(f[:-len(".x.npy")] for f in os.listdir(dump) if f.endswith(".x.npy"))
for k, name in enumerate(names):
    x_all = np.load(os.path.join(dump, f"{name}.x.npy"))
    sos = {}
    for kind in ("encode", "gather_sum"):
        fn = f"ffn{k}_{kind}"
        mlir = os.path.join(work, f"{fn}.mlir")
        run([lut_opt, lut_mlir, "--lut-hls-outline-kernels", f"--symbol-privatize=exclude={fn}",
             "--symbol-dce", "-o", mlir])
        sos[kind] = os.path.join(work, f"{fn}.so")
        run([lutc, mlir, f"--entry={fn}", "-o", sos[kind]])
    tokens = 1700
    x = np.ascontiguousarray(x_all[:tokens].reshape(tokens, -1), dtype=np.float32)
    np.save(os.path.join(work, f"ffn{k}.x.npy"), x)
    codes, = native(sos["encode"], [os.path.join(work, f"ffn{k}.x.npy")], os.path.join(work, f"ffn{k}-enc"))
    np.save(os.path.join(work, f"ffn{k}.codes.npy"), codes)
    y, = native(sos["gather_sum"], [os.path.join(work, f"ffn{k}.codes.npy")], os.path.join(work, f"ffn{k}-gs"))
    data = os.path.join(work, "data", f"ffn{k}_gather_sum")
    os.makedirs(data, exist_ok=True)
    codes.tofile(os.path.join(data, "codes.bin"))
    y.astype(np.float32).tofile(os.path.join(data, "y.expected.bin"))
    p = subprocess.run([testbench(f"ffn{k}_gather_sum"), data, "--tolerance", "0"],
                       capture_output=True, text=True)
    print(f"ffn{k}_gather_sum ({name}, {tokens} real tokens, codes from the native encoder):",
          p.stdout.strip().splitlines()[-1] if p.stdout.strip() else p.stderr.strip())
    if p.returncode != 0:
        failures.append(f"ffn{k}_gather_sum is not bit-exact with the native kernel")

# 5. The whole model on test images.
xte, yte = fmnist.load("test")
n = a.test_images - a.test_images % 100
xte, yte = np.ascontiguousarray(xte[:n], dtype=np.float32), yte[:n]
logits = []
for b in range(0, n, 100):
    np.save(os.path.join(work, "batch.npy"), xte[b:b + 100])
    logits.append(native(lut_so, [os.path.join(work, "batch.npy")], os.path.join(work, "native"))[0])
logits = np.concatenate(logits)
data = os.path.join(work, "data", "main_graph")
out = os.path.join(work, "csim-out")
os.makedirs(data, exist_ok=True)
os.makedirs(out, exist_ok=True)
xte.tofile(os.path.join(data, "pixels.bin"))
logits.astype(np.float32).tofile(os.path.join(data, "logits.expected.bin"))
tb = testbench("main_graph")
t0 = time.perf_counter()
p = subprocess.run([tb, data, "--write", out], capture_output=True, text=True)
t = time.perf_counter() - t0
print(p.stdout.strip())
if p.returncode not in (0, 1):
    sys.exit(f"the main_graph testbench failed:\n{p.stderr}")
csim = np.fromfile(os.path.join(out, "logits.bin"), dtype=np.float32).reshape(logits.shape)
same = int((csim.argmax(1) == logits.argmax(1)).sum())
print(f"main_graph C simulation: {n} test images in {t:.1f} s; same class as the native LUT model "
      f"on {same}/{n}; max |logit difference| {np.abs(csim - logits).max():.3g}; "
      f"accuracy native {100 * (logits.argmax(1) == yte).mean():.2f}%, "
      f"C simulation {100 * (csim.argmax(1) == yte).mean():.2f}%")
if same != n:
    failures.append(f"the C simulation predicts another class than the native model on {n - same} images")
if failures:
    sys.exit("FAIL: " + "; ".join(failures))
print("PASS")
