#!/usr/bin/python3
"""A GPT-style block with a dynamic sequence length, compiled once.

  1. make_gpt_block.py --out-dir WORK: the block exported from PyTorch with
     x [1, "seq", 64], and PyTorch's outputs for seq 1, 17 and 128;
  2. lutc gpt_block.onnx (dense) and lutc gpt_block.onnx --lut=lsh:... (LUT
     FFN, data-free calibration), each compiled once with seq dynamic;
  3. dense: lut-run at each seq must match PyTorch within rtol 1e-4, atol
     1e-5;
  4. LUT: lut-run at each seq must match a compile of the same model with
     the seq fixed by --shape-info, row for row (atol 1e-5), so that
     compiling once changes nothing.

Prints the errors and `N passed, M failed`; exit 1 on any failure.

usage: run_gpt_block.py --lutc LUTC --lut-run LUT_RUN --work-dir DIR
"""
import argparse
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SEQS = (1, 17, 128)
LUT = "lsh:tables=16,bits=6"


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("failed (exit %d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr))
    return p


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lutc", required=True)
    ap.add_argument("--lut-run", required=True)
    ap.add_argument("--work-dir", required=True)
    a = ap.parse_args()
    w = os.path.abspath(a.work_dir)
    os.makedirs(w, exist_ok=True)
    run([sys.executable, os.path.join(HERE, "make_gpt_block.py"), "--out-dir", w])
    model = os.path.join(w, "gpt_block.onnx")
    dense, lut = os.path.join(w, "dense.so"), os.path.join(w, "lut.so")
    run([a.lutc, model, "-o", dense])
    sig = run([a.lut_run, dense, "--signature"]).stdout
    print(sig.strip().splitlines()[-2])
    print(sig.strip().splitlines()[-1])
    if "?seq" not in sig:
        sys.exit("the dense compile's signature has no dynamic 'seq' dim:\n" + sig)
    rep = run([a.lutc, model, "--lut=" + LUT, "-o", lut]).stderr
    if "converted" not in rep:
        sys.exit("lutc --lut converted no FFN:\n" + rep)
    passed = failed = 0
    for s in SEQS:
        x = os.path.join(w, "gpt_block.seq%d.input.npy" % s)
        expected = np.load(os.path.join(w, "gpt_block.seq%d.expected.npy" % s))
        out = os.path.join(w, "dense-seq%d" % s)
        run([a.lut_run, dense, "--input", x, "--output-dir", out])
        got = np.load(os.path.join(out, "output_0.npy"))
        ok = got.shape == expected.shape and np.allclose(got, expected, rtol=1e-4, atol=1e-5)
        print("dense seq %3d: shape %s, max abs err %.3g vs PyTorch: %s" % (
            s, got.shape, np.abs(got - expected).max() if got.shape == expected.shape else -1,
            "ok" if ok else "FAILED"))
        passed, failed = passed + ok, failed + (not ok)
        # LUT: the dynamic compile against a static compile at this length.
        static = os.path.join(w, "lut-seq%d.so" % s)
        run([a.lutc, model, "--lut=" + LUT, "--shape-info=x:1x%dx64" % s, "-o", static])
        outs = []
        for so, tag in ((lut, "dyn"), (static, "static")):
            o = os.path.join(w, "lut-%s-seq%d" % (tag, s))
            run([a.lut_run, so, "--input", x, "--output-dir", o])
            outs.append(np.load(os.path.join(o, "output_0.npy")))
        ok = outs[0].shape == outs[1].shape and np.allclose(outs[0], outs[1], rtol=0, atol=1e-5)
        print("LUT   seq %3d: dynamic vs static compile max abs diff %.3g, vs PyTorch %.3g: %s" % (
            s, np.abs(outs[0] - outs[1]).max(), np.abs(outs[0] - expected).max(),
            "ok" if ok else "FAILED"))
        passed, failed = passed + ok, failed + (not ok)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
