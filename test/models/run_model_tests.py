#!/usr/bin/python3
"""End-to-end model tests: PyTorch -> ONNX -> lutc -> lut-run, compared with PyTorch.

Steps:
  1. export_models.py --out WORK/models  (vit, bert, gpt; fixed seed), unless
     --models-dir points at an existing export;
  2. lutc WORK/models/NAME.onnx -o WORK/NAME/NAME.so   (any non-zero exit,
     including 3 = unsupported, fails the model: these models must compile);
  3. lut-run WORK/NAME/NAME.so --input NAME.input_0.npy ... --output-dir WORK/NAME/out;
  4. every out/output_<i>.npy must have the dtype and shape of
     NAME.expected_<i>.npy and match it within rtol 1e-4, atol 1e-5
     (|got - expected| <= atol + rtol * |expected|), NaN positions equal.

Prints per-model max abs/rel errors and finally `N passed, M failed`; exit 1 on
any failure.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(HERE, "..", "conformance"))
from run_node_tests import compare_arrays, describe_exit, first_error_line, run_tool, stderr_details  # noqa: E402

RTOL = 1e-4
ATOL = 1e-5
MODELS = ["vit", "bert", "gpt"]


def numbered(paths):
    return sorted(paths, key=lambda p: int(re.search(r"_(\d+)\.npy$", p).group(1)))


def error_stats(got, ref):
    g = got.astype(np.float64)
    r = ref.astype(np.float64)
    fin = np.isfinite(g) & np.isfinite(r)
    if not fin.any():
        return 0.0, 0.0
    d = np.abs(g - r)[fin]
    rr = np.abs(r)[fin]
    rel = d / np.where(rr > 0, rr, np.inf)
    return float(d.max()), float(rel.max())


def test_model(name, args):
    """Returns (ok, lines)."""
    lines = []
    onnx_path = os.path.join(args.models_dir, name + ".onnx")
    inputs = numbered(glob.glob(os.path.join(args.models_dir, name + ".input_*.npy")))
    expected = numbered(glob.glob(os.path.join(args.models_dir, name + ".expected_*.npy")))
    if not os.path.isfile(onnx_path) or not expected:
        return False, ["missing %s or its expected outputs in %s" % (onnx_path, args.models_dir)]
    work = os.path.join(args.work_dir, name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    so = os.path.join(work, name + ".so")

    cmd = [args.lutc, onnx_path, "-o", so] + args.lutc_arg
    t0 = time.time()
    rc, _, err = run_tool(cmd, args.compile_timeout)
    if rc != 0:
        what = "unsupported (exit 3)" if rc == 3 else describe_exit(rc)
        return False, ["lutc %s: %s" % (what, first_error_line(err)), "  command: " + " ".join(cmd)] + \
            ["    " + l for l in stderr_details(err)]
    if not os.path.isfile(so):
        return False, ["lutc exited 0 but wrote no %s" % so]
    t_compile = time.time() - t0

    out_dir = os.path.join(work, "out")
    os.makedirs(out_dir)
    cmd = [args.lut_run, so]
    for i in inputs:
        cmd += ["--input", i]
    cmd += ["--output-dir", out_dir]
    t0 = time.time()
    rc, _, err = run_tool(cmd, args.run_timeout)
    if rc != 0:
        return False, ["lut-run %s: %s" % (describe_exit(rc), first_error_line(err)), "  command: " + " ".join(cmd)] + \
            ["    " + l for l in stderr_details(err)]
    t_run = time.time() - t0
    lines.append("compiled in %.1f s, ran in %.2f s" % (t_compile, t_run))

    produced = glob.glob(os.path.join(out_dir, "output_*.npy"))
    ok = True
    if len(produced) != len(expected):
        ok = False
        lines.append("lut-run wrote %d output(s), expected %d" % (len(produced), len(expected)))
    for i, exp_path in enumerate(expected):
        got_path = os.path.join(out_dir, "output_%d.npy" % i)
        if not os.path.isfile(got_path):
            ok = False
            lines.append("output %d: missing %s" % (i, got_path))
            continue
        ref = np.load(exp_path, allow_pickle=False)
        try:
            got = np.load(got_path, allow_pickle=False)
        except Exception as e:  # noqa: BLE001
            ok = False
            lines.append("output %d: cannot read %s: %s" % (i, got_path, e))
            continue
        problems = compare_arrays(got, ref, RTOL, ATOL)
        if got.shape == ref.shape and got.dtype == ref.dtype and ref.dtype.kind == "f":
            max_abs, max_rel = error_stats(got, ref)
            stats = "max abs err %.3g, max rel err %.3g (max |expected| %.3g)" % (
                max_abs, max_rel, float(np.nanmax(np.abs(ref))) if ref.size else 0.0)
        else:
            stats = ""
        lines.append("output %d %s %s: %s %s" % (i, list(ref.shape), ref.dtype,
                                                  "MISMATCH" if problems else "ok", stats))
        if problems:
            ok = False
            lines.extend("    " + p for p in problems)
    return ok, lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lutc", required=True)
    ap.add_argument("--lut-run", required=True)
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--models-dir", default=None,
                    help="use models already exported here instead of running export_models.py")
    ap.add_argument("--only", action="append", choices=MODELS, help="test only this model (repeatable)")
    ap.add_argument("--lutc-arg", action="append", default=[],
                    help="extra argument for lutc, e.g. --lutc-arg=-O3 (repeatable)")
    ap.add_argument("--compile-timeout", type=float, default=900)
    ap.add_argument("--run-timeout", type=float, default=300)
    args = ap.parse_args()

    for tool in (args.lutc, args.lut_run):
        if not (os.path.isfile(tool) and os.access(tool, os.X_OK)):
            print("error: %s is not an executable file" % tool, file=sys.stderr)
            return 2
    args.lutc = os.path.abspath(args.lutc)
    args.lut_run = os.path.abspath(args.lut_run)
    args.work_dir = os.path.abspath(args.work_dir)
    os.makedirs(args.work_dir, exist_ok=True)
    names = args.only or MODELS

    if args.models_dir is None:
        args.models_dir = os.path.join(args.work_dir, "models")
        shutil.rmtree(args.models_dir, ignore_errors=True)
        cmd = [sys.executable, os.path.join(HERE, "export_models.py"), "--out", args.models_dir]
        for n in names:
            cmd += ["--only", n]
        print("$ " + " ".join(cmd))
        sys.stdout.flush()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = p.stdout.decode("utf-8", "replace")
        # torch.onnx prints its own warnings; show them only if the export failed.
        for l in out.splitlines():
            if p.returncode != 0 or not re.search(r"[Ww]arning|^\s*(warnings\.warn|_C\._jit)", l):
                print("  " + l)
        if p.returncode != 0:
            print("export_models.py failed (%s)" % describe_exit(p.returncode))
            print("0 passed, %d failed" % len(names))
            return 1
    args.models_dir = os.path.abspath(args.models_dir)

    passed = failed = 0
    for name in names:
        ok, lines = test_model(name, args)
        print("%s %s" % ("PASS" if ok else "FAIL", name))
        for l in lines:
            print("    " + l)
        sys.stdout.flush()
        passed += ok
        failed += not ok
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
