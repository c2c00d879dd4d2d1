"""Writes a Conv whose kernel tiles its input (ViT's patch embedding: strides
equal to the kernel, no padding), an input, and the output computed directly
in NumPy, for test/Execution/patch-conv.test.

Usage: patch_conv.py OUT_DIR
"""
import os, sys
import numpy as np
import onnx
from onnx import TensorProto as TP, helper as h, numpy_helper as nh

out = sys.argv[1]
rng = np.random.default_rng(3)
N, C, H, W, M, kh, kw = 3, 2, 12, 8, 5, 3, 4
x = rng.standard_normal((N, C, H, W)).astype(np.float32)
w = rng.standard_normal((M, C, kh, kw)).astype(np.float32)
b = rng.standard_normal(M).astype(np.float32)
Ho, Wo = H // kh, W // kw
y = np.zeros((N, M, Ho, Wo), np.float64)
for i in range(Ho):
    for j in range(Wo):
        patch = x[:, :, i * kh:(i + 1) * kh, j * kw:(j + 1) * kw].astype(np.float64)
        y[:, :, i, j] = np.einsum("nckl,mckl->nm", patch, w.astype(np.float64)) + b
g = h.make_graph([h.make_node("Conv", ["x", "w", "b"], ["y"], name="patch_embed",
                              strides=[kh, kw], kernel_shape=[kh, kw])], "patch_conv",
                 [h.make_tensor_value_info("x", TP.FLOAT, list(x.shape))],
                 [h.make_tensor_value_info("y", TP.FLOAT, list(y.shape))],
                 [nh.from_array(w, "w"), nh.from_array(b, "b")])
m = h.make_model(g, opset_imports=[h.make_opsetid("", 17)])
m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, os.path.join(out, "conv.onnx"))
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "expected.npy"), y.astype(np.float32))
