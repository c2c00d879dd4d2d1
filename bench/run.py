"""lut-mlir's benchmark: ONNX Runtime's dense model, our dense compile and
our LUT compile, timed in one run on the same machine with equal thread
counts, printed as a table of medians and ratios.

  /usr/bin/python3 bench/run.py --build build [--threads 1,2] [--only NAME,...]
                                [--work DIR] [--json FILE] [--quick]

ONNX Runtime is the npm package onnxruntime-node (bench/ort, installed by
scripts/bench.sh with `npm ci --ignore-scripts`), timed by bench/ort/time_ort.mjs:
sequential execution, intra-op threads = the row's thread count. Our models
are compiled by lutc (-O2, host CPU, LutDense for the dense products) and
timed by `lut-run --bench N` with LUT_NUM_THREADS set to the row's thread
count. Every time is the median of N runs after a warm-up run (N per model
below). LUT compiles replace every FFN with LSH tables (--lut; default
32 tables x 8 hash bits), fitted data-free: the timing does not depend on
the tables' values. The tables are stored as --lut-tables (default i8: one
f32 scale per output column, lut-pack-tables).

Our dense compile's outputs are checked against ONNX Runtime's (first values
of every output, within 1e-3) before its time is reported.

Columns: ORT, dense and LUT are median milliseconds per inference;
"ORT/dense" and "ORT/LUT" are speedups over ONNX Runtime (above 1: we are
faster).

Dynamic shapes: each case is also exported with its batch or token dim
dynamic, compiled once (dense and LUT) and timed on the same input; the
second table gives those medians and the ratios dynamic / static (1.00: no
cost for compiling once; the target is at most 1.15). --no-dynamic skips it.
"""
import argparse, json, os, re, subprocess, sys, time
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import models  # noqa: E402

# name: (builder, args, runs, description)
CASES = {
    "ffn768-t1": (models.ffn, (768, 3072, 1), 300, "FFN 768/3072, 1 token"),
    "ffn768-t128": (models.ffn, (768, 3072, 128), 50, "FFN 768/3072, 128 tokens"),
    "ffn512-t1": (models.ffn, (512, 2048, 1), 300, "FFN 512/2048, 1 token"),
    "ffn512-t128": (models.ffn, (512, 2048, 128), 50, "FFN 512/2048, 128 tokens"),
    "swiglu4096-t1": (models.swiglu, (4096, 11008, 1), 30, "SwiGLU 4096/11008, 1 token"),
    "swiglu4096-t128": (models.swiglu, (4096, 11008, 128), 10, "SwiGLU 4096/11008, 128 tokens"),
    "vit-b1": (models.example_vit, (1,), 300, "example ViT, batch 1"),
    "vit-b100": (models.example_vit, (100,), 50, "example ViT, batch 100"),
    "vitb16-b1": (models.vit_b16, (), 10, "ViT-B/16-sized, batch 1"),
}
# Calibration rows for data-free fitting, per case (fitting cost only).
SAMPLES = {"swiglu4096-t1": 4096, "swiglu4096-t128": 4096, "vitb16-b1": 8192}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed (exit {p.returncode}):\n{p.stderr}")
    return p


def time_ours(lut_run, so, inputs, runs, threads, work):
    env = dict(os.environ, LUT_NUM_THREADS=str(threads))
    cmd = [lut_run, so, "--output-dir", os.path.join(work, "out"), "--bench", str(runs)]
    for i in inputs:
        cmd += ["--input", i]
    out = run(cmd, env).stdout
    m = re.search(r"median ([0-9.]+) ms", out)
    if not m:
        sys.exit(f"bench: no median in lut-run's output: {out}")
    return float(m.group(1))


def time_ort(model, inputs, runs, threads):
    script = os.path.join(HERE, "ort", "time_ort.mjs")
    out = run(["node", script, model, str(threads), str(runs)] + inputs).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True, help="lut-mlir build directory (bin/lutc, bin/lut-run)")
    ap.add_argument("--work", default="/tmp/lut-bench", help="models, libraries and inputs (kept between runs)")
    ap.add_argument("--threads", default="1,2", help="thread counts, comma separated (default 1,2)")
    ap.add_argument("--only", default="", help="cases, comma separated: " + ", ".join(CASES))
    ap.add_argument("--lut", default="lsh:tables=32,bits=8", help="--lut for the FFNs (default %(default)s)")
    ap.add_argument("--lut-tables", default="i8", choices=["f32", "f16", "bf16", "i8"],
                    help="lutc --lut-tables: element type of the compiled tables (default %(default)s)")
    ap.add_argument("--json", default="", help="also write the results as JSON here")
    ap.add_argument("--quick", action="store_true", help="a fifth of the runs")
    ap.add_argument("--no-dynamic", action="store_true",
                    help="skip the dynamic-shape compiles and their table")
    a = ap.parse_args()

    lutc, lut_run = (os.path.join(a.build, "bin", t) for t in ("lutc", "lut-run"))
    for t in (lutc, lut_run):
        if not os.access(t, os.X_OK):
            sys.exit(f"bench: {t} not found: build lut-mlir first (scripts/build.sh)")
    if not os.path.isdir(os.path.join(HERE, "ort", "node_modules", "onnxruntime-node")):
        sys.exit("bench: onnxruntime-node is not installed: run scripts/bench.sh, or "
                 "`npm ci --ignore-scripts` in bench/ort")
    names = [n for n in a.only.split(",") if n] or list(CASES)
    for n in names:
        if n not in CASES:
            sys.exit(f"bench: unknown case '{n}' (cases: {', '.join(CASES)})")
    threads = [int(t) for t in a.threads.split(",")]
    os.makedirs(a.work, exist_ok=True)

    rows = []
    for name in names:
        build, args, runs, desc = CASES[name]
        runs = max(5, runs // 5) if a.quick else runs
        log(f"== {name}: {desc}")
        t0 = time.time()
        model, arrays = build(a.work, *args)
        inputs = []
        for i, x in enumerate(arrays):
            p = os.path.join(a.work, f"{name}.input{i}.npy")
            np.save(p, x)
            inputs.append(p)
        log(f"   model {model} ({time.time() - t0:.1f} s)")
        dense_so = os.path.join(a.work, f"{name}.dense.so")
        lut_so = os.path.join(a.work, f"{name}.lut.so")
        t0 = time.time()
        run([lutc, model, "-O2", "-o", dense_so])
        log(f"   lutc dense: {time.time() - t0:.1f} s")
        t0 = time.time()
        lut_cmd = [lutc, model, "-O2", f"--lut={a.lut}", f"--lut-tables={a.lut_tables}", "-o", lut_so]
        if name in SAMPLES:
            lut_cmd.append(f"--data-free-samples={SAMPLES[name]}")
        report = run(lut_cmd).stderr
        removed = re.search(r"([0-9.]+)% of the multiplications removed", report)
        log(f"   lutc --lut={a.lut} --lut-tables={a.lut_tables}: {time.time() - t0:.1f} s"
            + (f", {removed.group(1)}% of the multiplications removed" if removed else ""))
        dyn = None
        if not a.no_dynamic:
            t0 = time.time()
            dyn_model, _ = build(a.work, *args, dynamic=True)
            dyn = (os.path.join(a.work, f"{name}.dense-dyn.so"), os.path.join(a.work, f"{name}.lut-dyn.so"))
            run([lutc, dyn_model, "-O2", "-o", dyn[0]])
            run([dyn_model if c == model else (dyn[1] if c == lut_so else c) for c in lut_cmd])
            log(f"   dynamic model {dyn_model}, lutc dense and LUT: {time.time() - t0:.1f} s")
        for t in threads:
            ort = time_ort(model, inputs, runs, t)
            dense = time_ours(lut_run, dense_so, inputs, runs, t, a.work)
            # Our dense compile must give ONNX Runtime's numbers (first values
            # of each output), or its time means nothing.
            for i, (oname, *ref) in enumerate(ort["outputs"]):
                ours = np.load(os.path.join(a.work, "out", f"output_{i}.npy")).ravel()[:len(ref)]
                if not np.allclose(ours, ref, rtol=1e-3, atol=1e-3):
                    sys.exit(f"bench: {name}: our dense output '{oname}' starts {ours.tolist()}, "
                             f"ONNX Runtime's {ref}")
            lut = time_ours(lut_run, lut_so, inputs, runs, t, a.work)
            row = dict(case=name, description=desc, threads=t, runs=runs, ort_ms=ort["median_ms"],
                       dense_ms=dense, lut_ms=lut, ort_version=ort["ort_version"],
                       removed_pct=float(removed.group(1)) if removed else None)
            msg = f"   {t} thread(s): ORT {ort['median_ms']:.3f} ms, dense {dense:.3f} ms, LUT {lut:.3f} ms"
            if dyn:
                row["dense_dyn_ms"] = time_ours(lut_run, dyn[0], inputs, runs, t, a.work)
                row["lut_dyn_ms"] = time_ours(lut_run, dyn[1], inputs, runs, t, a.work)
                msg += f"; dynamic: dense {row['dense_dyn_ms']:.3f} ms, LUT {row['lut_dyn_ms']:.3f} ms"
            rows.append(row)
            log(msg)

    cpu = "unknown CPU"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    ort_version = rows[0]["ort_version"] if rows else "?"
    print(f"\nlut-mlir benchmark: {cpu}, {os.cpu_count()} cores; ONNX Runtime {ort_version} "
          f"(onnxruntime-node); LUT: --lut={a.lut} --lut-tables={a.lut_tables}; medians in ms\n")
    print("| case | threads | runs | ORT | dense | LUT | ORT/dense | ORT/LUT |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['description']} | {r['threads']} | {r['runs']} | {r['ort_ms']:.3f} | {r['dense_ms']:.3f} | "
              f"{r['lut_ms']:.3f} | {r['ort_ms'] / r['dense_ms']:.2f}x | {r['ort_ms'] / r['lut_ms']:.2f}x |")
    dyn_rows = [r for r in rows if "dense_dyn_ms" in r]
    if dyn_rows:
        print("\nDynamic shapes: the same cases compiled once with a dynamic batch or token dim, "
              "run at the size above (target: dynamic/static <= 1.15)\n")
        print("| case | threads | dense | dense dyn | dyn/static | LUT | LUT dyn | dyn/static |")
        print("|---|---|---|---|---|---|---|---|")
        for r in dyn_rows:
            print(f"| {r['description']} | {r['threads']} | {r['dense_ms']:.3f} | {r['dense_dyn_ms']:.3f} | "
                  f"{r['dense_dyn_ms'] / r['dense_ms']:.2f}x | {r['lut_ms']:.3f} | {r['lut_dyn_ms']:.3f} | "
                  f"{r['lut_dyn_ms'] / r['lut_ms']:.2f}x |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(cpu=cpu, lut=a.lut, lut_tables=a.lut_tables, rows=rows), f, indent=1)


if __name__ == "__main__":
    main()
