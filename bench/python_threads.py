#!/usr/bin/python3
"""Throughput of one lutmlir.CompiledModel run from several Python threads at
once: the GIL is released during runs and nothing serializes them, so T
threads on T cores should give about T times the runs per second of one.

    PYTHONPATH=build/python:python-bindings /usr/bin/python3 bench/python_threads.py

The model is the example ViT (batch 100) with LUT FFNs (H=48, k=8, i8
tables, data-free fit), with 1 kernel thread per run (set_num_threads(1)),
so that the Python threads are the only parallelism. Prints, per thread
count, the median over --repeats of runs per second, and the ratio to one
thread.
"""
import argparse
import os
import statistics
import threading
import time

import numpy as np

import lutmlir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def throughput(m, x, threads, runs):
    barrier = threading.Barrier(threads + 1)

    def work():
        barrier.wait()
        for _ in range(runs):
            m.run(x)

    ts = [threading.Thread(target=work) for _ in range(threads)]
    [t.start() for t in ts]
    barrier.wait()
    t0 = time.perf_counter()
    [t.join() for t in ts]
    return threads * runs / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", default="1,2", help="Python thread counts (default 1,2)")
    ap.add_argument("--runs", type=int, default=20, help="runs per thread per repeat")
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    m = lutmlir.compile(os.path.join(ROOT, "examples", "vit-fashion-mnist", "vit.onnx"),
                        lut="lsh:tables=48,bits=8,projection=hidden", lut_tables="i8",
                        threads=1, progress=False)
    x = np.random.default_rng(0).random(m.inputs[0].shape, np.float32)
    m.run(x)
    base = None
    print("python threads | runs/s (median) | ratio to 1 thread")
    for t in [int(s) for s in a.threads.split(",")]:
        r = statistics.median(throughput(m, x, t, a.runs) for _ in range(a.repeats))
        base = base or r
        print(f"{t:14d} | {r:15.1f} | {r / base:.2f}x")


if __name__ == "__main__":
    main()
