#!/usr/bin/python3
"""Generate hostile ONNX models: external data that escapes the model's folder,
huge declared sizes, and nodes that do not match their schema.

Usage: make_hostile_models.py OUTDIR

Unlike make_bad_models.py, these need symbolic links, a FIFO and a sparse
file, so they are generated into the test's temporary directory each run.

  OUTDIR/outside/secret            a FIFO standing for a file outside the model's
                                   folder: opening it for reading would block, so a
                                   test that finishes proves nothing opened it
  OUTDIR/outside/dir/secret        the same, one folder down
  OUTDIR/model/traversal.onnx      initializer 'w', location '../outside/secret'
  OUTDIR/model/deep_traversal.onnx location 'sub/../../outside/secret'
  OUTDIR/model/absolute.onnx       location '<OUTDIR>/outside/secret' (absolute)
  OUTDIR/model/symlink.onnx        location 'link.bin', a symlink to ../outside/secret
  OUTDIR/model/parent_symlink.onnx location 'linkdir/secret', linkdir -> ../outside/dir
  OUTDIR/model/directory.onnx      location 'adir', a directory
  OUTDIR/model/nul.onnx            location 'w.bin\\0x' (a NUL byte)
  OUTDIR/model/inside.onnx         location 'sub/../w.bin': stays inside, accepted
  OUTDIR/model/inside_link.onnx    location 'wlink.bin', a symlink to w.bin: accepted
  OUTDIR/huge_raw.onnx             float initializer of [100 Gi/4] elements (100 GiB)
                                   with 1 byte of raw_data; the whole file is ~100 bytes
  OUTDIR/huge_sparse/model.onnx    the same size as external data in a sparse 100 GiB
                                   file whose size matches: only the memory limit stops it
  OUTDIR/huge_sum/model.onnx       8 initializers of 4 GiB each, as external data
                                   in sparse files, 32 GiB in all
  OUTDIR/scan_noattrs.onnx         Scan without its required attributes
  OUTDIR/cast_noto.onnx            Cast without its required 'to' (node 'cast0')
  OUTDIR/softmax_float_axis.onnx   Softmax whose 'axis' is a FLOAT attribute
  OUTDIR/relu_two_inputs.onnx      Relu with two inputs
  OUTDIR/unnamed_matmul.onnx       unnamed MatMul [2,3] x [4,5]
  OUTDIR/expand_huge.onnx          Expand of a scalar to [2^20, 2^20, 2^10]
  OUTDIR/ln_axis.onnx              LayerNormalization with axis 2^31 after a Relu (its
                                   input's rank is only known from inference; this
                                   crashed libonnx's shape inference)
  OUTDIR/transpose_perm.onnx       Transpose of a rank-3 tensor with perm [0, 0, 1]
  OUTDIR/unsqueeze_axes.onnx       Unsqueeze (opset 11) of rank 2 with axes [5]
  OUTDIR/conv_kernel.onnx          Conv of rank 4 with kernel_shape [3]
"""

import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

IR_VERSION = 8


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def save(m, path):
    m.ir_version = IR_VERSION
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


def model(nodes, inputs, outputs, inits=(), opset=17):
    g = helper.make_graph(nodes, "hostile", inputs, outputs, initializer=list(inits))
    return helper.make_model(g, producer_name="lut-mlir make_hostile_models.py",
                             opset_imports=[helper.make_opsetid("", opset)])


def external(location, dims=(4,), offset=None, length=None):
    t = TensorProto()
    t.name = "w"
    t.data_type = TensorProto.FLOAT
    t.dims.extend(dims)
    t.data_location = TensorProto.EXTERNAL
    for k, v in (("location", location), ("offset", offset), ("length", length)):
        if v is not None:
            e = t.external_data.add()
            e.key, e.value = k, str(v)
    return t


def add_model(tensor):
    shape = list(tensor.dims)
    return model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                 [vi("x", TensorProto.FLOAT, shape)], [vi("y", TensorProto.FLOAT, shape)],
                 [tensor])


def link(target, name):
    if os.path.lexists(name):
        os.remove(name)
    os.symlink(target, name)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = os.path.abspath(sys.argv[1])
    md = os.path.join(out, "model")
    for d in ("outside/dir", "model/sub", "model/adir", "huge_sparse"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    for fifo in ("outside/secret", "outside/dir/secret"):
        p = os.path.join(out, fifo)
        if not os.path.exists(p):
            os.mkfifo(p)
    np.arange(4, dtype=np.float32).tofile(os.path.join(md, "w.bin"))
    link("../outside/secret", os.path.join(md, "link.bin"))
    link("../outside/dir", os.path.join(md, "linkdir"))
    link("w.bin", os.path.join(md, "wlink.bin"))

    cases = {
        "traversal": "../outside/secret",
        "deep_traversal": "sub/../../outside/secret",
        "absolute": os.path.join(out, "outside/secret"),
        "symlink": "link.bin",
        "parent_symlink": "linkdir/secret",
        "directory": "adir",
        "nul": "w.bin\0x",
        "inside": "sub/../w.bin",
        "inside_link": "wlink.bin",
    }
    for name, loc in cases.items():
        save(add_model(external(loc)), os.path.join(md, name + ".onnx"))

    n = 100 * 2**30 // 4  # 100 GiB of float
    t = TensorProto()
    t.name, t.data_type, t.raw_data = "big", TensorProto.FLOAT, b"\0"
    t.dims.append(n)
    save(model([helper.make_node("Identity", ["big"], ["y"])], [],
               [vi("y", TensorProto.FLOAT, [n])], [t]), os.path.join(out, "huge_raw.onnx"))

    with open(os.path.join(out, "huge_sparse", "big.bin"), "wb") as f:
        f.truncate(n * 4)  # sparse: takes no disk space
    big = external("big.bin", dims=(n,))
    big.name = "big"
    save(model([helper.make_node("Identity", ["big"], ["y"])], [],
               [vi("y", TensorProto.FLOAT, [n])], [big]),
         os.path.join(out, "huge_sparse", "model.onnx"))

    inits = []
    os.makedirs(os.path.join(out, "huge_sum"), exist_ok=True)
    for i in range(8):
        with open(os.path.join(out, "huge_sum", "w%d.bin" % i), "wb") as f:
            f.truncate(2**32)  # 4 GiB, sparse
        t = external("w%d.bin" % i, dims=(2**30,))
        t.name = "w%d" % i
        inits.append(t)
    save(model([helper.make_node("Identity", ["w0"], ["y"])], [],
               [vi("y", TensorProto.FLOAT, [2**30])], inits),
         os.path.join(out, "huge_sum", "model.onnx"))

    f4 = [vi("x", TensorProto.FLOAT, [4])]
    y4 = [vi("y", TensorProto.FLOAT, [4])]
    save(model([helper.make_node("Scan", ["x"], ["y"])], f4, y4),
         os.path.join(out, "scan_noattrs.onnx"))
    save(model([helper.make_node("Cast", ["x"], ["y"], name="cast0")], f4, y4),
         os.path.join(out, "cast_noto.onnx"))
    sm = helper.make_node("Softmax", ["x"], ["y"], name="sm")
    sm.attribute.append(helper.make_attribute("axis", 1.0))
    save(model([sm], f4, y4), os.path.join(out, "softmax_float_axis.onnx"))
    save(model([helper.make_node("Relu", ["x", "x"], ["y"], name="relu2")], f4, y4),
         os.path.join(out, "relu_two_inputs.onnx"))
    save(model([helper.make_node("MatMul", ["a", "b"], ["y"])],
               [vi("a", TensorProto.FLOAT, [2, 3]), vi("b", TensorProto.FLOAT, [4, 5])],
               [vi("y", TensorProto.FLOAT, [2, 5])]),
         os.path.join(out, "unnamed_matmul.onnx"))
    shape = numpy_helper.from_array(np.array([2**20, 2**20, 2**10], np.int64), "shape")
    save(model([helper.make_node("Expand", ["x", "shape"], ["y"], name="expand")],
               [vi("x", TensorProto.FLOAT, [1])],
               [vi("y", TensorProto.FLOAT, [2**20, 2**20, 2**10])], [shape]),
         os.path.join(out, "expand_huge.onnx"))
    x234 = [vi("x", TensorProto.FLOAT, [2, 3, 4])]
    ln = helper.make_node("LayerNormalization", ["r", "s", "b"], ["y"], name="ln", axis=2**31)
    save(model([helper.make_node("Relu", ["x"], ["r"], name="relu"), ln], x234,
               [vi("y", TensorProto.FLOAT, [2, 3, 4])],
               [numpy_helper.from_array(np.ones(4, np.float32), "s"),
                numpy_helper.from_array(np.zeros(4, np.float32), "b")]),
         os.path.join(out, "ln_axis.onnx"))
    save(model([helper.make_node("Transpose", ["x"], ["y"], name="tr", perm=[0, 0, 1])], x234,
               [vi("y", TensorProto.FLOAT, [2, 2, 3])]), os.path.join(out, "transpose_perm.onnx"))
    save(model([helper.make_node("Unsqueeze", ["x"], ["y"], name="unsq", axes=[5])],
               [vi("x", TensorProto.FLOAT, [2, 3])], [vi("y", TensorProto.FLOAT, [2, 3, 1])],
               opset=11), os.path.join(out, "unsqueeze_axes.onnx"))
    save(model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[3])],
               [vi("x", TensorProto.FLOAT, [1, 1, 5, 5])], [vi("y", TensorProto.FLOAT, [1, 1, 3, 3])],
               [numpy_helper.from_array(np.ones((1, 1, 3, 3), np.float32), "w")]),
         os.path.join(out, "conv_kernel.onnx"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
