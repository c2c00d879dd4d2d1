#!/usr/bin/env python3
"""The main job in Python with lutmlir: the Fashion-MNIST ViT compiled dense
and with every FFN replaced by LookupFFN tables (i8, calibrated on 12,000
training images), evaluated on all 10,000 test images.

    python3 examples/vit-fashion-mnist/main_job.py   # with lutmlir installed (README)
    PYTHONPATH=build/python:python-bindings /usr/bin/python3 examples/vit-fashion-mnist/main_job.py

Latencies are medians over the test set's batches, on 1 thread per model, as
in the shell main job.
"""
import os
import sys
import time

import numpy as np

import lutmlir

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fmnist  # noqa: E402

xtr, _ = fmnist.load("train")
xte, yte = fmnist.load("test")
cal = xtr[np.random.default_rng(0).permutation(len(xtr))[:12000]]
model = os.path.join(HERE, "vit.onnx")

dense = lutmlir.compile(model, threads=1)
lut = lutmlir.compile(model, lut="lsh:tables=48,bits=8,projection=hidden", lut_tables="i8",
                      calibration=cal, threads=1)


def evaluate(m):
    batch = m.inputs[0].shape[0]
    correct, times = 0, []
    for i in range(0, len(xte) - len(xte) % batch, batch):
        t0 = time.perf_counter()
        (logits,) = m.run(xte[i:i + batch])
        times.append(time.perf_counter() - t0)
        correct += int((logits.argmax(1) == yte[i:i + batch]).sum())
    return correct / (len(xte) - len(xte) % batch), 1000 * float(np.median(times)), batch


acc_d, ms_d, batch = evaluate(dense)
acc_l, ms_l, _ = evaluate(lut)
print(f"dense accuracy:          {100 * acc_d:.2f}%")
print(f"LUT accuracy:            {100 * acc_l:.2f}%  ({100 * (acc_l - acc_d):+.2f} points)")
print(f"multiplications removed: {100 * lut.report['model']['multiplications_removed_share']:.1f}% of the MACs")
print(f"median batch latency:    dense {ms_d:.2f} ms, LUT {ms_l:.2f} ms (batch {batch}, 1 thread)")
