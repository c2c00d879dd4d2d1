"""Writes small ONNX models for the importer's lit tests.

Usage: /usr/bin/python3 make_onnx.py CASE OUT.onnx
"""
import os, sys
import numpy as np
import onnx
from onnx import TensorProto as TP, helper as h, numpy_helper as nh

case, out = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(0)
f32 = lambda *s: rng.standard_normal(s).astype(np.float32)
vi = h.make_tensor_value_info


def save(nodes, inputs, outputs, inits=(), opset=17):
    g = h.make_graph(nodes, case, inputs, outputs, list(inits))
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)])
    onnx.save(m, out)


if case == "broadcast":
    save([h.make_node("Add", ["a", "b"], ["s"], name="add0"),
          h.make_node("Mul", ["s", "c"], ["y"], name="mul0")],
         [vi("a", TP.FLOAT, [2, 3, 4]), vi("b", TP.FLOAT, [3, 1]), vi("c", TP.FLOAT, [])],
         [vi("y", TP.FLOAT, [2, 3, 4])])
elif case == "matmul":
    save([h.make_node("MatMul", ["a", "fc1.weight"], ["y"], name="blocks.0.mlp.fc1/MatMul")],
         [vi("a", TP.FLOAT, [2, 5, 8])], [vi("y", TP.FLOAT, [2, 5, 16])],
         [nh.from_array(f32(8, 16), "fc1.weight")])
elif case == "shape_fold":
    # PyTorch-style dynamic reshape: Shape -> Gather -> Unsqueeze -> Concat -> Reshape.
    save([h.make_node("Shape", ["x"], ["s"], name="shape"),
          h.make_node("Gather", ["s", "zero"], ["b"], name="gather", axis=0),
          h.make_node("Unsqueeze", ["b", "axes"], ["bu"], name="unsq"),
          h.make_node("Concat", ["bu", "minus1"], ["shp"], name="concat", axis=0),
          h.make_node("Reshape", ["x", "shp"], ["y"], name="reshape")],
         [vi("x", TP.FLOAT, [3, 4, 5])], [vi("y", TP.FLOAT, [3, 20])],
         [nh.from_array(np.array(0, np.int64), "zero"),
          nh.from_array(np.array([0], np.int64), "axes"),
          nh.from_array(np.array([-1], np.int64), "minus1")])
elif case == "dynamic":
    save([h.make_node("Relu", ["x"], ["y"], name="relu")],
         [vi("x", TP.FLOAT, ["batch", 8])], [vi("y", TP.FLOAT, ["batch", 8])])
elif case == "external":
    w = f32(32, 32)
    t = nh.from_array(w, "big.weight")
    onnx.external_data_helper.set_external_data(t, location=os.path.basename(out) + ".data")
    with open(out + ".data", "wb") as fh:
        fh.write(w.tobytes())
    t.ClearField("raw_data")
    save([h.make_node("MatMul", ["x", "big.weight"], ["y"], name="mm")],
         [vi("x", TP.FLOAT, [1, 32])], [vi("y", TP.FLOAT, [1, 32])], [t])
elif case == "layernorm_softmax":
    save([h.make_node("LayerNormalization", ["x", "g", "b"], ["n"], name="ln", axis=-1, epsilon=1e-5),
          h.make_node("Softmax", ["n"], ["y"], name="sm", axis=-1)],
         [vi("x", TP.FLOAT, [2, 8])], [vi("y", TP.FLOAT, [2, 8])],
         [nh.from_array(f32(8), "g"), nh.from_array(f32(8), "b")])
elif case == "conv":
    save([h.make_node("Conv", ["x", "w", "b"], ["y"], name="patch_embed", strides=[4, 4], kernel_shape=[4, 4])],
         [vi("x", TP.FLOAT, [1, 1, 8, 8])], [vi("y", TP.FLOAT, [1, 6, 2, 2])],
         [nh.from_array(f32(6, 1, 4, 4), "w"), nh.from_array(f32(6), "b")])
elif case == "conv_overlap":
    # Strides smaller than the kernel: patches overlap, so the Conv stays a loop nest.
    save([h.make_node("Conv", ["x", "w"], ["y"], name="conv", strides=[2, 2], kernel_shape=[4, 4])],
         [vi("x", TP.FLOAT, [1, 1, 8, 8])], [vi("y", TP.FLOAT, [1, 6, 3, 3])],
         [nh.from_array(f32(6, 1, 4, 4), "w")])
elif case == "fold_reduce":
    # Shape arithmetic through ReduceProd, folded like any op (its IR is evaluated):
    # Reshape(x, Concat(Slice(Shape(x)), ReduceProd(Slice(Shape(x))))).
    i64 = lambda n, v: nh.from_array(np.array(v, np.int64), n)
    save([h.make_node("Shape", ["x"], ["s"]),
          h.make_node("Slice", ["s", "one", "three"], ["tail"]),
          h.make_node("ReduceProd", ["tail"], ["prod"], axes=[0], keepdims=1),
          h.make_node("Slice", ["s", "zero", "one"], ["head"]),
          h.make_node("Concat", ["head", "prod"], ["shp"], axis=0),
          h.make_node("Reshape", ["x", "shp"], ["y"]),
          h.make_node("Trilu", ["ones"], ["mask"], upper=0)],
         [vi("x", TP.FLOAT, [2, 3, 4])],
         [vi("y", TP.FLOAT, [2, 12]), vi("mask", TP.FLOAT, [3, 3])],
         [i64("zero", [0]), i64("one", [1]), i64("three", [3]),
          nh.from_array(np.ones((3, 3), np.float32), "ones")], opset=14)
elif case == "trilu_opset13":
    # Trilu exists from opset 14 on (ONNX's checker rejects this model).
    save([h.make_node("Trilu", ["x"], ["y"], name="tri")],
         [vi("x", TP.FLOAT, [3, 3])], [vi("y", TP.FLOAT, [3, 3])], opset=13)
elif case == "layernorm_opset16":
    # LayerNormalization exists from opset 17 on.
    save([h.make_node("LayerNormalization", ["x", "g"], ["y"])],
         [vi("x", TP.FLOAT, [2, 8])], [vi("y", TP.FLOAT, [2, 8])],
         [nh.from_array(f32(8), "g")], opset=16)
else:
    sys.exit(f"unknown case {case}")
