"""Writes small models of old or unsupported default-domain opsets for
old-opsets.test: make_old_opset.py KIND OUT.onnx [INPUTS_DIR]

  add6     Add(a[2,3], b[3], broadcast=1) at opset 6 (opset-6 broadcasting,
           which the version converter rewrites for opset 7), and its inputs
           a.npy, b.npy and expected.npy in INPUTS_DIR
  pow12    Pow(x int32[4], y int64[4]) at opset 12 (an integer Pow), with
           x.npy, y.npy and expected.npy
  relu18   Relu at opset 18 (newer than supported)
  gemm6    Gemm at opset 6 whose C [5] does not broadcast to A*B [2, 4]: ONNX's
           version converter refuses to upgrade it
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper

kind, out = sys.argv[1], sys.argv[2]
inputs = sys.argv[3] if len(sys.argv) > 3 else None


def model(nodes, ins, outs, opset):
    g = helper.make_graph(nodes, kind, ins, outs)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8 if opset >= 7 else 3
    return m


if kind == "add6":
    m = model([helper.make_node("Add", ["a", "b"], ["y"], broadcast=1)],
              [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 3]),
               helper.make_tensor_value_info("b", TensorProto.FLOAT, [3])],
              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])], 6)
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.array([10, 20, 30], dtype=np.float32)
    np.save(os.path.join(inputs, "a.npy"), a)
    np.save(os.path.join(inputs, "b.npy"), b)
    np.save(os.path.join(inputs, "expected.npy"), a + b)
elif kind == "pow12":
    m = model([helper.make_node("Pow", ["x", "y"], ["z"])],
              [helper.make_tensor_value_info("x", TensorProto.INT32, [4]),
               helper.make_tensor_value_info("y", TensorProto.INT64, [4])],
              [helper.make_tensor_value_info("z", TensorProto.INT32, [4])], 12)
    x = np.array([2, -3, 5, 7], dtype=np.int32)
    y = np.array([10, 3, 0, 11], dtype=np.int64)
    np.save(os.path.join(inputs, "x.npy"), x)
    np.save(os.path.join(inputs, "y.npy"), y)
    np.save(os.path.join(inputs, "expected.npy"), np.power(x.astype(np.int64), y).astype(np.int32))
elif kind == "relu18":
    m = model([helper.make_node("Relu", ["x"], ["y"])],
              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])], 18)
elif kind == "gemm6":
    m = model([helper.make_node("Gemm", ["a", "b", "c"], ["y"], broadcast=1)],
              [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 3]),
               helper.make_tensor_value_info("b", TensorProto.FLOAT, [3, 4]),
               helper.make_tensor_value_info("c", TensorProto.FLOAT, [5])],
              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])], 6)
else:
    sys.exit("unknown kind " + kind)
open(out, "wb").write(m.SerializeToString())
