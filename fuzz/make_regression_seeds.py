#!/usr/bin/python3
"""Write the hand-made members of the regression corpus (fuzz/corpus/regression).

Usage: make_regression_seeds.py OUTDIR

These are the crashes and holes found by the adversarial review behind the
hardening work, rebuilt as small deterministic files; fuzzer findings are
added next to them as they are fixed. expected.txt lists the outcome of
every file in the corpus.

  dup_outputs.onnx          Relu x->y with graph outputs [y, y] (crashed in
                            buffer-results-to-out-params)
  scan_no_attrs.onnx        Scan with no attributes (crashed ONNX's shape
                            inference with the checker off)
  ext_traversal.onnx        external data at '../../../../etc/passwd'
  ext_absolute.onnx         external data at '/etc/passwd'
  huge_double.onnx          [2^34] doubles with 1 byte of raw_data (allocated
                            and zeroed 128 GiB before comparing sizes)
  huge_float.onnx           [2^32] floats with 1 byte of raw_data
  input_as_output.onnx      a graph input returned as an output
  empty_graph.onnx          no nodes; the input is the output
  cos_huge.onnx             ConstantOfShape to [2^20, 2^20]
  unnamed_bad_gather.onnx   an unnamed Gather with an out-of-range constant index
"""

import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def model(nodes, inputs, outputs, inits=(), opset=17):
    g = helper.make_graph(nodes, "regression", inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, producer_name="lut-mlir make_regression_seeds.py",
                          opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def external(location):
    t = TensorProto()
    t.name, t.data_type = "w", TensorProto.FLOAT
    t.dims.append(4)
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", location
    return model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                 [vi("x", TensorProto.FLOAT, [4])], [vi("y", TensorProto.FLOAT, [4])], [t])


def huge(dtype, n):
    t = TensorProto()
    t.name, t.data_type, t.raw_data = "big", dtype, b"\0"
    t.dims.append(n)
    return model([helper.make_node("Identity", ["big"], ["y"])], [], [vi("y", dtype, [n])], [t])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    x4 = [vi("x", TensorProto.FLOAT, [4])]
    y4 = vi("y", TensorProto.FLOAT, [4])
    models = {
        "dup_outputs": model([helper.make_node("Relu", ["x"], ["y"])], x4, [y4, y4]),
        "scan_no_attrs": model([helper.make_node("Scan", ["x"], ["y"])], x4, [y4]),
        "ext_traversal": external("../../../../etc/passwd"),
        "ext_absolute": external("/etc/passwd"),
        "huge_double": huge(TensorProto.DOUBLE, 2**34),
        "huge_float": huge(TensorProto.FLOAT, 2**32),
        "input_as_output": model([helper.make_node("Relu", ["x"], ["y"])], x4,
                                 [y4, vi("x", TensorProto.FLOAT, [4])]),
        "empty_graph": model([], x4, [vi("x", TensorProto.FLOAT, [4])]),
        "cos_huge": model([helper.make_node("ConstantOfShape", ["s"], ["y"], name="cos")], [],
                          [vi("y", TensorProto.FLOAT, [2**20, 2**20])],
                          [numpy_helper.from_array(np.array([2**20, 2**20], np.int64), "s")]),
        "unnamed_bad_gather": model(
            [helper.make_node("Gather", ["x", "i"], ["y"])], x4,
            [vi("y", TensorProto.FLOAT, [1])],
            [numpy_helper.from_array(np.array([9], np.int64), "i")]),
    }
    for name, m in models.items():
        with open(os.path.join(out, name + ".onnx"), "wb") as f:
            f.write(m.SerializeToString())
    return 0


if __name__ == "__main__":
    sys.exit(main())
