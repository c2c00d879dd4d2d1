#!/usr/bin/python3
"""Graphs whose outputs are not plain fresh values compile and run correctly.

Usage: graph_outputs.py LUTC LUT_RUN WORKDIR

Builds ONNX models whose graph outputs repeat a value, return a graph input
or a constant unchanged, are also consumed by another node, or come from an
empty graph, and one with an unused input; compiles each with lutc, runs it
with lut-run and compares every output with NumPy. Any failure (a non-zero
exit, a crash or a wrong number) fails the test and names the model.
"""

import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

LUTC, LUT_RUN, WORK = sys.argv[1:4]
X = np.array([[-1.0, 2.0, -3.0, 4.0]], np.float32)
U = np.array([5.0, 6.0], np.float32)
C = np.array([1.5, -2.5, 3.5], np.float32)


def vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def model(nodes, inputs, outputs, inits=()):
    g = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(m)
    return m


relu = helper.make_node("Relu", ["x"], ["y"], name="relu")
const = helper.make_node("Constant", [], ["c"], name="const",
                         value=numpy_helper.from_array(C, "c"))
y = np.maximum(X, 0)
CASES = {
    "duplicate_outputs": (model([relu], [vi("x", [1, 4])], [vi("y", [1, 4]), vi("y", [1, 4])]),
                          [X], [y, y]),
    "input_as_output": (model([relu], [vi("x", [1, 4])], [vi("y", [1, 4]), vi("x", [1, 4])]),
                        [X], [y, X]),
    "constant_output": (model([relu, const], [vi("x", [1, 4])], [vi("y", [1, 4]), vi("c", [3])]),
                        [X], [y, C]),
    "initializer_output": (model([relu], [vi("x", [1, 4])], [vi("y", [1, 4]), vi("w", [3])],
                                 [numpy_helper.from_array(C, "w")]),
                           [X], [y, C]),
    "consumed_output": (model([relu, helper.make_node("Neg", ["y"], ["z"], name="neg")],
                              [vi("x", [1, 4])], [vi("y", [1, 4]), vi("z", [1, 4])]),
                        [X], [y, -y]),
    "empty_graph": (model([], [vi("x", [1, 4])], [vi("x", [1, 4])]), [X], [X]),
    "unused_input": (model([relu], [vi("x", [1, 4]), vi("u", [2])], [vi("y", [1, 4])]),
                     [X, U], [y]),
}

# A graph without outputs computes nothing: a clear error, not a crash.
m = model([relu], [vi("x", [1, 4])], [])
path = os.path.join(WORK, "no_outputs.onnx")
onnx.save(m, path)
p = subprocess.run([LUTC, path, "-o", os.path.join(WORK, "no_outputs.so")],
                   capture_output=True, text=True)
print(f"no_outputs: exit {p.returncode}: {p.stderr.strip()}")

failed = []
for name, (m, inputs, expected) in CASES.items():
    d = os.path.join(WORK, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "model.onnx")
    onnx.save(m, path)
    so = os.path.join(d, "model.so")
    p = subprocess.run([LUTC, path, "-o", so], capture_output=True, text=True)
    if p.returncode != 0:
        failed.append(f"{name}: lutc exited {p.returncode}: {p.stderr.strip()[:300]}")
        continue
    args = [LUT_RUN, so, "--output-dir", d]
    for i, a in enumerate(inputs):
        f = os.path.join(d, f"in{i}.npy")
        np.save(f, a)
        args += ["--input", f]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        failed.append(f"{name}: lut-run exited {p.returncode}: {p.stderr.strip()[:300]}")
        continue
    for i, e in enumerate(expected):
        got = np.load(os.path.join(d, f"output_{i}.npy"))
        if got.shape != e.shape or not np.array_equal(got, e):
            failed.append(f"{name}: output {i} is {got.tolist()}, expected {e.tolist()}")
    print(f"{name}: ok")

if failed:
    sys.exit("FAILED:\n" + "\n".join(failed))
