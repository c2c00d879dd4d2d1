"""Models with dynamic dims for dynamic-shapes.test, with inputs and NumPy
references at several sizes.

usage: dynamic_models.py OUT_DIR

Writes into OUT_DIR:
  block.onnx  x ["batch", 6, 16] -> LayerNorm -> MatMul 16x32 -> Add -> GELU
              (erf) -> MatMul 32x16 -> Add -> residual Add -> Reshape to
              [batch*6, 16], the Reshape target built from the batch dim at
              run time (Shape -> Gather -> Mul -> Unsqueeze -> Concat), as
              exporters write it.
  pair.onnx   a ["n", 4] + b ["n", 4] (same dim name) -> Mul.
  reshape.onnx  x [?, ?] reshaped to the target read from the int64 input
              "shape" [2] at run time (0 copies a dim, -1 is inferred).
and, for batch sizes 1, 3 and 8, block.x<N>.npy / block.y<N>.npy (input,
expected output in float64 arithmetic), plus the inputs and expectations of
pair and reshape.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
F = TensorProto.FLOAT


def save(name, nodes, inputs, outputs, inits):
    g = helper.make_graph(nodes, name, inputs, outputs,
                          [numpy_helper.from_array(v, k) for k, v in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(out, name + ".onnx"))


# --- block ---------------------------------------------------------------
D, H, T = 16, 32, 6
w = {
    "gamma": rng.normal(1, 0.1, D).astype(np.float32),
    "beta": rng.normal(0, 0.1, D).astype(np.float32),
    "w1": rng.normal(0, 0.3, (D, H)).astype(np.float32),
    "b1": rng.normal(0, 0.1, H).astype(np.float32),
    "w2": rng.normal(0, 0.3, (H, D)).astype(np.float32),
    "b2": rng.normal(0, 0.1, D).astype(np.float32),
    "idx0": np.array(0, np.int64),
    "seq": np.array([T], np.int64),
    "minus1": np.array([D], np.int64),
    "sqrt2": np.array(np.sqrt(2), np.float32),
    "one": np.array(1, np.float32),
    "half": np.array(0.5, np.float32),
}
nodes = [
    helper.make_node("LayerNormalization", ["x", "gamma", "beta"], ["ln"], axis=-1),
    helper.make_node("MatMul", ["ln", "w1"], ["h0"]),
    helper.make_node("Add", ["h0", "b1"], ["h1"]),
    helper.make_node("Div", ["h1", "sqrt2"], ["g0"]),
    helper.make_node("Erf", ["g0"], ["g1"]),
    helper.make_node("Add", ["g1", "one"], ["g2"]),
    helper.make_node("Mul", ["h1", "g2"], ["g3"]),
    helper.make_node("Mul", ["g3", "half"], ["g4"]),
    helper.make_node("MatMul", ["g4", "w2"], ["o0"]),
    helper.make_node("Add", ["o0", "b2"], ["o1"]),
    helper.make_node("Add", ["o1", "x"], ["r"]),
    helper.make_node("Shape", ["x"], ["xs"]),
    helper.make_node("Gather", ["xs", "idx0"], ["b"], axis=0),
    helper.make_node("Unsqueeze", ["b", "axes0"], ["b1d"]),
    helper.make_node("Mul", ["b1d", "seq"], ["rows"]),
    helper.make_node("Concat", ["rows", "minus1"], ["target"], axis=0),
    helper.make_node("Reshape", ["r", "target"], ["y"]),
]
w["axes0"] = np.array([0], np.int64)
save("block", nodes, [helper.make_tensor_value_info("x", F, ["batch", T, D])],
     [helper.make_tensor_value_info("y", F, ["rows", D])], w)


def erf(v):
    from math import erf as e
    return np.vectorize(e)(v)


def block_ref(x):
    x = x.astype(np.float64)
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    ln = (x - mu) / np.sqrt(var + 1e-5) * w["gamma"] + w["beta"]
    h = ln @ w["w1"] + w["b1"]
    g = h * 0.5 * (1 + erf(h / np.sqrt(2)))
    r = g @ w["w2"] + w["b2"] + x
    return r.reshape(-1, D).astype(np.float32)


for n in (1, 3, 8):
    x = rng.normal(0, 1, (n, T, D)).astype(np.float32)
    np.save(os.path.join(out, f"block.x{n}.npy"), x)
    np.save(os.path.join(out, f"block.y{n}.npy"), block_ref(x))
# The first 3 samples of the batch of 8, for row-for-row comparisons.
np.save(os.path.join(out, "block.x8_3.npy"), np.load(os.path.join(out, "block.x8.npy"))[:3])

# --- pair ----------------------------------------------------------------
save("pair", [helper.make_node("Mul", ["a", "b"], ["c"])],
     [helper.make_tensor_value_info("a", F, ["n", 4]), helper.make_tensor_value_info("b", F, ["n", 4])],
     [helper.make_tensor_value_info("c", F, ["n", 4])], {})
for n in (2, 5):
    a = rng.normal(size=(n, 4)).astype(np.float32)
    b = rng.normal(size=(n, 4)).astype(np.float32)
    np.save(os.path.join(out, f"pair.a{n}.npy"), a)
    np.save(os.path.join(out, f"pair.b{n}.npy"), b)
    np.save(os.path.join(out, f"pair.c{n}.npy"), a * b)

# --- reshape -------------------------------------------------------------
save("reshape", [helper.make_node("Reshape", ["x", "shape"], ["y"])],
     [helper.make_tensor_value_info("x", F, [None, None]),
      helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
     [helper.make_tensor_value_info("y", F, [None, None])], {})
x = np.arange(24, dtype=np.float32).reshape(4, 6)
np.save(os.path.join(out, "reshape.x.npy"), x)
# A target whose element count is not x's (invalid data) gives an empty
# result, never an out-of-bounds read.
np.save(os.path.join(out, "reshape.sbad.npy"), np.array([5, 5], np.int64))
for tag, shape in (("a", [3, -1]), ("b", [0, 6]), ("c", [-1, 2])):
    np.save(os.path.join(out, f"reshape.s{tag}.npy"), np.array(shape, np.int64))
    np.save(os.path.join(out, f"reshape.y{tag}.npy"),
            x.reshape([x.shape[i] if v == 0 else v for i, v in enumerate(shape)]))
