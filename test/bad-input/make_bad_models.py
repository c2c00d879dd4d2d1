#!/usr/bin/python3
"""Generate the malformed ONNX models used by the lit tests in this directory.

Usage: make_bad_models.py OUTDIR     (the committed copies live in Inputs/)

Every model is tiny and deterministic, so re-running this reproduces the files
in Inputs/ byte for byte.  For each file it prints what ONNX itself thinks of it
(protobuf parse error or onnx.checker / strict shape-inference verdict), as a
check that the model really is broken in the intended way.

  truncated.onnx                  a valid model cut off in the middle of an initializer
  garbage.onnx                    a text file, not a protobuf
  empty.onnx                      zero bytes (parses as an empty ModelProto: no graph)
  add_type_mismatch.onnx          Add of a float and an int64 tensor (node "add_mixed")
  undefined_elem_type.onnx        graph input "x" with elem_type UNDEFINED
  missing_value.onnx              node "add0" reads "hidden_state", which nothing defines
  missing_initializer.onnx        node "/fc1/MatMul" reads "encoder.fc1.weight": no initializer
  dangling_output.onnx            graph output "y_extra" that no node produces
  matmul_shape_mismatch.onnx      MatMul [2,3] x [4,5] (node "mm")
  initializer_rank_mismatch.onnx  graph input "W" declared [2,3], its initializer is [6]
  unknown_op.onnx                 op "FooBar" in the default domain (node "foo0")
  opset99.onnx                    default-domain opset 99
  opset6.onnx                     default-domain opset 6 (valid: ONNX's version converter upgrades it; test/Import/old-opsets.test)
(nonexistent.onnx is deliberately not generated.)
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

IR_VERSION = 8  # onnx 1.12's IR version; fixed so the bytes do not depend on the onnx version


def model(nodes, inputs, outputs, initializers=(), opset=17, name="bad"):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    m = helper.make_model(graph, producer_name="lut-mlir make_bad_models.py",
                          opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = IR_VERSION
    return m


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def valid_mlp():
    rng = np.random.RandomState(0)
    w = numpy_helper.from_array(rng.standard_normal((16, 16)).astype(np.float32), "fc.weight")
    b = numpy_helper.from_array(rng.standard_normal((16,)).astype(np.float32), "fc.bias")
    return model([helper.make_node("MatMul", ["x", "fc.weight"], ["h"], name="fc/MatMul"),
                  helper.make_node("Add", ["h", "fc.bias"], ["y"], name="fc/Add")],
                 [vi("x", TensorProto.FLOAT, [1, 16])], [vi("y", TensorProto.FLOAT, [1, 16])],
                 [w, b])


def bad_models():
    """name -> bytes"""
    out = {}
    f23 = [2, 3]

    full = valid_mlp().SerializeToString()
    out["truncated.onnx"] = full[: len(full) * 6 // 10]
    # The first byte, "O" (0x4f), is field 9 with wire type 7, which does not exist.
    out["garbage.onnx"] = b"Oops, this is a text file and not an ONNX model\n"
    out["empty.onnx"] = b""

    out["add_type_mismatch.onnx"] = model(
        [helper.make_node("Add", ["x", "n"], ["y"], name="add_mixed")],
        [vi("x", TensorProto.FLOAT, f23), vi("n", TensorProto.INT64, f23)],
        [vi("y", TensorProto.FLOAT, f23)])

    out["undefined_elem_type.onnx"] = model(
        [helper.make_node("Relu", ["x"], ["y"], name="relu0")],
        [vi("x", TensorProto.UNDEFINED, f23)], [vi("y", TensorProto.FLOAT, f23)])

    out["missing_value.onnx"] = model(
        [helper.make_node("Add", ["x", "hidden_state"], ["y"], name="add0")],
        [vi("x", TensorProto.FLOAT, f23)], [vi("y", TensorProto.FLOAT, f23)])

    rng = np.random.RandomState(1)
    bias = numpy_helper.from_array(rng.standard_normal((4,)).astype(np.float32), "encoder.fc1.bias")
    out["missing_initializer.onnx"] = model(
        [helper.make_node("MatMul", ["x", "encoder.fc1.weight"], ["h"], name="/fc1/MatMul"),
         helper.make_node("Add", ["h", "encoder.fc1.bias"], ["y"], name="/fc1/Add")],
        [vi("x", TensorProto.FLOAT, [1, 8])], [vi("y", TensorProto.FLOAT, [1, 4])], [bias])

    out["dangling_output.onnx"] = model(
        [helper.make_node("Relu", ["x"], ["y"], name="relu0")],
        [vi("x", TensorProto.FLOAT, f23)],
        [vi("y", TensorProto.FLOAT, f23), vi("y_extra", TensorProto.FLOAT, f23)])

    out["matmul_shape_mismatch.onnx"] = model(
        [helper.make_node("MatMul", ["a", "b"], ["y"], name="mm")],
        [vi("a", TensorProto.FLOAT, [2, 3]), vi("b", TensorProto.FLOAT, [4, 5])],
        [vi("y", TensorProto.FLOAT, [2, 5])])

    w = numpy_helper.from_array(np.arange(6, dtype=np.float32), "W")
    out["initializer_rank_mismatch.onnx"] = model(
        [helper.make_node("Add", ["x", "W"], ["y"], name="add_w")],
        [vi("x", TensorProto.FLOAT, f23), vi("W", TensorProto.FLOAT, f23)],
        [vi("y", TensorProto.FLOAT, f23)], [w])

    out["unknown_op.onnx"] = model(
        [helper.make_node("FooBar", ["x"], ["y"], name="foo0")],
        [vi("x", TensorProto.FLOAT, f23)], [vi("y", TensorProto.FLOAT, f23)])

    # The rank of the Reshape's result would depend on data: the length of
    # its shape input is dynamic.
    out["reshape_dynamic_rank.onnx"] = model(
        [helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape_rt")],
        [vi("x", TensorProto.FLOAT, ["n", 6]), vi("shape", TensorProto.INT64, ["k"])],
        [vi("y", TensorProto.FLOAT, [None, None])])

    relu = lambda opset: model(  # noqa: E731
        [helper.make_node("Relu", ["x"], ["y"], name="relu0")],
        [vi("x", TensorProto.FLOAT, f23)], [vi("y", TensorProto.FLOAT, f23)], opset=opset)
    out["opset99.onnx"] = relu(99)
    out["opset6.onnx"] = relu(6)

    return {k: (v if isinstance(v, bytes) else v.SerializeToString()) for k, v in out.items()}


def onnx_verdict(data):
    m = onnx.ModelProto()
    try:
        m.ParseFromString(data)
    except Exception as e:  # noqa: BLE001
        return "protobuf parse error: %s" % str(e).splitlines()[0]
    try:
        onnx.checker.check_model(m)
    except Exception as e:  # noqa: BLE001
        return "checker: %s" % " ".join(str(e).split())[:150]
    try:
        onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
    except Exception as e:  # noqa: BLE001
        return "strict shape inference: %s" % " ".join(str(e).split())[:150]
    return "accepted by onnx.checker and strict shape inference"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for name, data in sorted(bad_models().items()):
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
        print("%-32s %5d bytes  %s" % (name, len(data), onnx_verdict(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
