"""The main job: compile the Fashion-MNIST ViT dense and with LUT FFNs,
run both natively on all 10,000 test images, and print accuracy, the share
of multiplications removed and the median batch latency of both.

Usage: /usr/bin/python3 evaluate.py --build BUILD_DIR [--lut SPEC]
         [--calibration-images N] [--work DIR] [--json OUT.json]
         [--dynamic-batches 1,7,100,256]

With --dynamic-batches, the ViT is also re-exported with a dynamic batch
dim (export_dynamic.py), compiled once dense and once with LUT FFNs, and
run on all test images in batches of each given size; the accuracies are
printed next to the static (batch 100) compile's.
Needs the lut_mlir Python module (BUILD_DIR/python) and lutc/lut-run
(BUILD_DIR/bin).
"""
import argparse, json, os, re, subprocess, sys, tempfile, time
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fmnist  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--build", required=True)
ap.add_argument("--model", default=os.path.join(HERE, "vit.onnx"))
ap.add_argument("--lut", default="lsh:tables=48,bits=8,projection=hidden")
ap.add_argument("--lut-tables", default="i8", choices=["f32", "f16", "bf16", "i8"],
                help="element type of the compiled tables (lutc --lut-tables)")
ap.add_argument("--calibration-images", type=int, default=12000)
ap.add_argument("--work", default=None)
ap.add_argument("--json", default=None)
ap.add_argument("--bench-runs", type=int, default=20)
ap.add_argument("--threads", type=int, default=1,
                help="LUT_NUM_THREADS for the latency runs (default 1)")
ap.add_argument("--test-images", type=int, default=10000)
ap.add_argument("--dynamic-batches", default=None,
                help="comma-separated batch sizes: also compile a dynamic-batch export "
                     "and measure its accuracy at each")
ap.add_argument("--max-loss", type=float, default=None,
                help="exit 1 if dense minus LUT accuracy exceeds this many points")
a = ap.parse_args()
sys.path.insert(0, os.path.join(a.build, "python"))
import lut_mlir  # noqa: E402

work = a.work or tempfile.mkdtemp(prefix="vit-main-job-")
os.makedirs(work, exist_ok=True)
lutc, lut_run = os.path.join(a.build, "bin", "lutc"), os.path.join(a.build, "bin", "lut-run")

# Calibration: a fixed, seeded subset of the training images (never test).
xtr, _ = fmnist.load("train")
rng = np.random.default_rng(0)
cal = xtr[rng.permutation(len(xtr))[:a.calibration_images]]
cal_path = os.path.join(work, "calibration.npy")
np.save(cal_path, cal)
xte, yte = fmnist.load("test")
xte, yte = xte[:a.test_images], yte[:a.test_images]

def run(cmd, env=None):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{p.stderr}")
    return p, time.perf_counter() - t0

dense_so, lut_so = os.path.join(work, "dense.so"), os.path.join(work, "lut.so")
report = os.path.join(work, "lut-report.json")
_, t_dense = run([lutc, a.model, "-O2", "-o", dense_so])
p, t_lut = run([lutc, a.model, "-O2", f"--lut={a.lut}", f"--calibration={cal_path}",
                f"--lut-report={report}", f"--lut-tables={a.lut_tables}", "-o", lut_so])
print(p.stderr, end="")
print(f"compile: dense {t_dense:.1f} s, lut (with calibration and fitting) {t_lut:.1f} s")

def accuracy(so, batch=None):
    """Accuracy over the test images in batches of the model's batch size,
    or of `batch` for a dynamic model (the last batch then smaller)."""
    m = lut_mlir.Model(so)
    if batch is None:
        batch = m.inputs[0].shape[0]
        n = (len(xte) // batch) * batch
    else:
        n = len(xte)
    correct = 0
    for i in range(0, n, batch):
        logits = m.run([xte[i:min(i + batch, n)]])[0]
        correct += int((logits.argmax(1) == yte[i:min(i + batch, n)]).sum())
    return correct / n, n

def bench(so):
    p, _ = run([lut_run, so, "--input", os.path.join(work, "batch.npy"), "--output-dir",
                os.path.join(work, "bench-out"), "--bench", str(a.bench_runs)],
               env=dict(os.environ, LUT_NUM_THREADS=str(a.threads)))
    m = re.search(r"median ([0-9.]+) ms, min ([0-9.]+) ms", p.stdout + p.stderr)
    return float(m.group(1)), float(m.group(2))

batch = lut_mlir.Model(dense_so).inputs[0].shape[0]
np.save(os.path.join(work, "batch.npy"), xte[:batch])
acc_dense, n = accuracy(dense_so)
acc_lut, _ = accuracy(lut_so)
lat_dense, lat_lut = bench(dense_so), bench(lut_so)
rep = json.load(open(report))
removed = rep["model"]["multiplications_removed_share"]
result = {
    "test_images": n, "dense_accuracy": acc_dense, "lut_accuracy": acc_lut,
    "accuracy_loss_points": 100 * (acc_dense - acc_lut),
    "multiplications_removed_share": removed,
    "dense_median_batch_ms": lat_dense[0], "lut_median_batch_ms": lat_lut[0],
    "batch": batch, "lut": a.lut, "lut_tables": a.lut_tables,
    "calibration_images": a.calibration_images,
    "heldout_rel_mse": {f["name"]: f["heldout_rel_mse"] for f in rep["ffns"]},
    "heldout_rel_mse_stored": {f["name"]: f["heldout_rel_mse_stored"] for f in rep["ffns"]},
}
def mean(d):
    v = [x for x in d.values() if x is not None]
    return sum(v) / len(v) if v else float("nan")
print(f"test images:              {n}")
print(f"dense accuracy:           {100 * acc_dense:.2f}%")
print(f"LUT accuracy:             {100 * acc_lut:.2f}%  ({result['accuracy_loss_points']:+.2f} points lost; --lut={a.lut}, --lut-tables={a.lut_tables})")
print(f"multiplications removed:  {100 * removed:.1f}% of the model's MACs")
print(f"held-out relative MSE:    {mean(result['heldout_rel_mse']):.4f} (f32 tables, mean over FFNs), "
      f"{mean(result['heldout_rel_mse_stored']):.4f} ({a.lut_tables} tables)")
print(f"median batch latency:     dense {lat_dense[0]:.2f} ms, LUT {lat_lut[0]:.2f} ms "
      f"(batch {batch}, lut-run --bench {a.bench_runs}, {a.threads} thread(s)); ratio {lat_dense[0] / lat_lut[0]:.2f}x")
if a.dynamic_batches:
    batches = [int(b) for b in a.dynamic_batches.split(",")]
    dyn_model = os.path.join(work, "vit_dynamic.onnx")
    run([sys.executable, os.path.join(HERE, "export_dynamic.py"), "--onnx", a.model,
         "--out", dyn_model])
    dyn_dense, dyn_lut = os.path.join(work, "dense_dyn.so"), os.path.join(work, "lut_dyn.so")
    run([lutc, dyn_model, "-O2", "-o", dyn_dense])
    run([lutc, dyn_model, "-O2", f"--lut={a.lut}", f"--calibration={cal_path}",
         f"--lut-tables={a.lut_tables}", "-o", dyn_lut])
    sig = lut_mlir.Model(dyn_dense).inputs[0]
    print(f"dynamic batch:            input {sig.name} shape {sig.shape} dim names {sig.dim_names}")
    result["dynamic"] = []
    for b in batches:
        ad, nd = accuracy(dyn_dense, b)
        al, _ = accuracy(dyn_lut, b)
        result["dynamic"].append({"batch": b, "test_images": nd, "dense_accuracy": ad,
                                  "lut_accuracy": al})
        print(f"  batch {b:4d}: {nd} images, dense {100 * ad:.2f}%, LUT {100 * al:.2f}%")
if a.json:
    json.dump(result, open(a.json, "w"), indent=2)
if a.max_loss is not None:
    ok = (n == a.test_images and 0.5 < acc_dense <= 1 and 0 < removed < 1 and lat_dense[0] > 0
          and lat_lut[0] > 0 and result["accuracy_loss_points"] <= a.max_loss)
    # The dynamic-batch compiles give the static accuracy at every batch size
    # (dense: the same arithmetic; LUT: tables fitted on the same samples).
    for d in result.get("dynamic", []):
        same = (d["test_images"] == a.test_images and abs(d["dense_accuracy"] - acc_dense) <= 1e-4
                and abs(d["lut_accuracy"] - acc_lut) <= 1e-3)
        print(f"check: dynamic batch {d['batch']}: accuracy as the static compile: "
              f"{'ok' if same else 'FAILED'}")
        ok = ok and same
    print(f"check: accuracy loss {result['accuracy_loss_points']:.2f} <= {a.max_loss} points: "
          f"{'ok' if ok else 'FAILED'}")
    sys.exit(0 if ok else 1)
