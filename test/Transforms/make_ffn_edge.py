"""FFNs with unusual biases, for convert-mlp-edge.test.
Usage: /usr/bin/python3 make_ffn_edge.py OUT_DIR"""
import os, sys
import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh
out = sys.argv[1]
rng = np.random.default_rng(0)
W = lambda *s: nh.from_array((rng.standard_normal(s) * 0.3).astype(np.float32))
def ffn(name, xshape, b1shape, b2shape, outshape):
    inits = [W(16, 64), W(*b1shape), W(64, 16), W(*b2shape)]
    for t, n in zip(inits, ["w1", "b1", "w2", "b2"]):
        t.name = n
    nodes = [h.make_node("MatMul", ["x", "w1"], ["h"], name="/mlp/fc1/MatMul"),
             h.make_node("Add", ["h", "b1"], ["hb"], name="/mlp/fc1/Add"),
             h.make_node("Relu", ["hb"], ["a"], name="/mlp/act/Relu"),
             h.make_node("MatMul", ["a", "w2"], ["o"], name="/mlp/fc2/MatMul"),
             h.make_node("Add", ["o", "b2"], ["y"], name="/mlp/fc2/Add")]
    g = h.make_graph(nodes, name, [h.make_tensor_value_info("x", T.FLOAT, xshape)],
                     [h.make_tensor_value_info("y", T.FLOAT, outshape)], inits)
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 13)]), os.path.join(out, name + ".onnx"))
# x [1, 8, 16] with b1 of shape [1, 1, 64].
ffn("bias3d", [1, 8, 16], [1, 1, 64], [16], [1, 8, 16])
# b2 broadcasts the output up to rank 4: not an FFN output of the input's shape.
ffn("bias_up", [8, 16], [64], [1, 1, 1, 16], [1, 1, 8, 16])
np.save(os.path.join(out, "x.npy"), rng.standard_normal((8, 16)).astype(np.float32))
