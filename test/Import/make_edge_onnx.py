"""Edge-case ONNX models (found in review) for edge-cases.test.

Usage: /usr/bin/python3 make_edge_onnx.py OUT_DIR
"""
import os, sys
import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh

out = sys.argv[1]
vi = h.make_tensor_value_info
I = lambda n, a: nh.from_array(np.array(a), n)


def save(name, nodes, inputs, outputs, inits=(), opset=13, check=True):
    g = h.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)])
    m.ir_version = 8
    if check:
        onnx.checker.check_model(m)
    onnx.save(m, os.path.join(out, name + ".onnx"))


# Slice with extreme steps; the start is hidden from ONNX's shape inference.
for name, st, start, end in [("slice_bigstep", 2**63 - 1, 0, 10), ("slice_minstep", -2**63, -1, -2**63)]:
    save(name, [h.make_node("Shape", ["x"], ["sh"]), h.make_node("Mul", ["sh", "zero"], ["z"]),
                h.make_node("Add", ["z", "st0"], ["starts"]),
                h.make_node("Slice", ["x", "starts", "ends", "ax", "st"], ["y"])],
         [vi("x", T.FLOAT, [10])], [vi("y", T.FLOAT, ["n"])],
         [I("zero", np.array([0], np.int64)), I("st0", np.array([start], np.int64)),
          I("ends", np.array([end], np.int64)), I("ax", np.array([0], np.int64)),
          I("st", np.array([st], np.int64))])
np.save(os.path.join(out, "x10.npy"), np.arange(10, dtype=np.float32))
# Cast of a constant float to bool (folded at import time).
save("cast_bool", [h.make_node("Constant", [], ["c"], value=I("v", np.array([0.5, -0.25, 0.0, 2.0], np.float32))),
                   h.make_node("Cast", ["c"], ["y"], to=T.BOOL)], [], [vi("y", T.BOOL, [4])])
# int64 Div of INT64_MIN by -1 on constants: must not crash the folder.
save("div_min", [h.make_node("Div", ["a", "b"], ["y"])], [], [vi("y", T.INT64, [1])],
     [I("a", np.array([-2**63], np.int64)), I("b", np.array([-1], np.int64))])
# ConstantOfShape whose element count overflows int64.
save("cos_overflow", [h.make_node("ConstantOfShape", ["s"], ["y"])], [], [vi("y", T.FLOAT, None)],
     [I("s", np.array([3037000500, 3037000500], np.int64))], check=False)
# Conv with a zero stride (ONNX's own shape inference would divide by 0).
save("conv_stride0", [h.make_node("Conv", ["x", "w"], ["y"], strides=[0, 0])],
     [vi("x", T.FLOAT, [1, 1, 4, 4])], [vi("y", T.FLOAT, None)],
     [I("w", np.ones((1, 1, 2, 2), np.float32))], check=False)
# External data with a non-numeric offset.
t = nh.from_array(np.ones((2, 2), np.float32), "w")
onnx.external_data_helper.set_external_data(t, location="w.bin", offset=0)
for kv in t.external_data:
    if kv.key == "offset":
        kv.value = "abc"
t.ClearField("raw_data")
open(os.path.join(out, "w.bin"), "wb").write(np.ones((2, 2), np.float32).tobytes())
save("ext_bad_offset", [h.make_node("Add", ["x", "w"], ["y"])], [vi("x", T.FLOAT, [2, 2])],
     [vi("y", T.FLOAT, [2, 2])], [t], check=False)
# Range larger than the import-time folding limit: computed natively.
save("range_big", [h.make_node("Range", ["a", "b", "c"], ["y"])], [], [vi("y", T.FLOAT, [5000])],
     [I("a", np.array(1.0, np.float32)), I("b", np.array(5001.0, np.float32)), I("c", np.array(1.0, np.float32))],
     opset=13)
# An output name with a newline (must not break the model signature).
save("odd_name", [h.make_node("Relu", ["x"], ["out\nput"])], [vi("x", T.FLOAT, [3])],
     [vi("out\nput", T.FLOAT, [3])])
np.save(os.path.join(out, "x3.npy"), np.array([-1, 0, 2], np.float32))
