#!/usr/bin/env python3
"""ONNX's node conformance tests (Debian's libonnx-testdata) through the HLS
backend: each model is emitted with `lutc --emit=hls`, its main_graph
folder must pass test/HLS/lint_hls.py, its testbench is built with the
host C++ compiler (-Wall -Werror, unknown pragmas aside) and run on the test's inputs (test_data_set_0), and each
output is compared with the test's expected output at ONNX's own node-test
tolerance (rtol 1e-3, atol 1e-7; NaNs equal), as
test/conformance/run_node_tests.py does for the native path.

A test is skipped when lutc cannot compile it at all (exit 3: an operator or
type lut-mlir does not support) or when it is outside the HLS level: a shape
that depends on input values or a dim left dynamic, or an element type with
no plain C++17 type (f16, bf16). Every other test must pass; prints one line
per failure and a summary, exit status 1 on a failure.
"""
import argparse
import collections
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys

import numpy as np
from onnx import TensorProto, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lint_hls  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--lutc", required=True)
ap.add_argument("--work-dir", required=True)
ap.add_argument("--tests-dir", default="/usr/share/libonnx-testdata/data/node")
ap.add_argument("--filter", default="", help="only tests whose name matches this regex")
ap.add_argument("--cxx", default=shutil.which("g++") or shutil.which("c++") or "g++")
ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
a = ap.parse_args()

SKIP_PATTERNS = [
    (re.compile(r"needs static shapes"), "shape known only at run time"),
    (re.compile(r"has no C type for '(f16|bf16)"), "f16/bf16 (no plain C++17 type)"),
]


def load(path):
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def run_test(name):
    d = os.path.join(a.tests_dir, name)
    work = os.path.join(a.work_dir, name)
    os.makedirs(work, exist_ok=True)
    hls = os.path.join(work, "hls")
    p = subprocess.run([a.lutc, os.path.join(d, "model.onnx"), "--emit=hls", "-o", hls],
                       capture_output=True, text=True)
    if p.returncode == 3:
        return name, "skip", "unsupported by lutc"
    if p.returncode != 0:
        for pat, why in SKIP_PATTERNS:
            if pat.search(p.stderr):
                return name, "skip", why
        return name, "fail", "lutc --emit=hls: " + (p.stderr.strip().splitlines() or ["?"])[-1]
    findings = [f for k in ("kernel.cpp", "kernel.h") for f in lint_hls.lint(os.path.join(hls, k))]
    if findings:
        _, line, msg = findings[0]
        return name, "fail", f"lint: {len(findings)} finding(s), first at line {line}: {msg}"
    header = open(os.path.join(hls, "kernel.h")).read()
    decl = header[header.index("void main_graph("):]
    params = [q.strip() for q in decl[decl.index("(") + 1:decl.index(")")].split(",")]
    names = [q.split("[")[0].split()[-1] for q in params]
    data_set = os.path.join(d, "test_data_set_0")
    inputs = [load(os.path.join(data_set, f)) for f in sorted(os.listdir(data_set), key=lambda s: (len(s), s))
              if f.startswith("input_")]
    expected = [load(os.path.join(data_set, f)) for f in sorted(os.listdir(data_set), key=lambda s: (len(s), s))
                if f.startswith("output_")]
    if len(inputs) + len(expected) != len(names):
        return name, "fail", f"main_graph has {len(names)} arguments for {len(inputs)} inputs and {len(expected)} outputs"
    data, out = os.path.join(work, "data"), os.path.join(work, "out")
    os.makedirs(data, exist_ok=True)
    os.makedirs(out, exist_ok=True)
    for n, x in zip(names, inputs):
        np.ascontiguousarray(x).tofile(os.path.join(data, n + ".bin"))
    tb = os.path.join(work, "tb")
    p = subprocess.run([a.cxx, "-std=c++17", "-O1", "-Wall", "-Werror", "-Wno-unknown-pragmas", f"-I{hls}",
                        os.path.join(hls, "kernel.cpp"), os.path.join(hls, "tb_main_graph.cpp"), "-o", tb],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return name, "fail", "C++ compile: " + (p.stderr.strip().splitlines() or ["?"])[0]
    p = subprocess.run([tb, data, "--write", out], capture_output=True, text=True)
    if p.returncode not in (0, 1):
        return name, "fail", f"testbench exit {p.returncode}: {p.stderr.strip()[:200]}"
    for k, want in enumerate(expected):
        n = names[len(inputs) + k]
        got = np.fromfile(os.path.join(out, n + ".bin"), dtype=want.dtype)
        if got.size != want.size:
            return name, "fail", f"output {k} ('{n}') has {got.size} elements, expected {want.size}"
        got = got.reshape(want.shape)
        if want.dtype.kind in "fc":
            ok = np.allclose(got, want, rtol=1e-3, atol=1e-7, equal_nan=True)
        else:
            ok = np.array_equal(got, want)
        if not ok:
            err = np.abs(got.astype(np.float64) - want.astype(np.float64))
            return name, "fail", f"output {k} ('{n}') differs: max abs err {np.nanmax(err):.3g}"
    return name, "pass", ""


tests = sorted(t for t in os.listdir(a.tests_dir)
               if os.path.exists(os.path.join(a.tests_dir, t, "model.onnx")) and re.search(a.filter, t))
results = collections.Counter()
skips = collections.Counter()
failures = []
with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
    for name, status, why in pool.map(run_test, tests):
        results[status] += 1
        if status == "skip":
            skips[why] += 1
        elif status == "fail":
            failures.append((name, why))
            print(f"FAIL {name}: {why}", flush=True)
print(f"HLS node tests: {results['pass']} passed, {results['fail']} failed, {results['skip']} skipped "
      f"of {len(tests)}")
for why, n in skips.most_common():
    print(f"  skipped {n}: {why}")
sys.exit(1 if failures else 0)
