"""pytest for the lutmlir package (work in progress on wip/python-package).

    PYTHONPATH=build/python:python-bindings /usr/bin/python3 -m pytest python-bindings/tests
"""
import os
import threading

import numpy as np
import onnx
import pytest

import lutmlir

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MLP = os.path.join(ROOT, "examples", "mlp", "model.onnx")


@pytest.fixture(scope="module")
def dense():
    return lutmlir.compile(MLP)


def sample(m, seed=0):
    t = m.inputs[0]
    return np.random.default_rng(seed).standard_normal(t.shape).astype(t.dtype)


def test_compile_path_bytes_and_proto(dense):
    x = sample(dense)
    (y,) = dense.run(x)
    with open(MLP, "rb") as f:
        (y2,) = lutmlir.compile(f.read()).run(x)
    (y3,) = lutmlir.compile(onnx.load(MLP)).run({dense.input_names[0]: x})
    np.testing.assert_array_equal(y, y2)
    np.testing.assert_array_equal(y, y3)


def test_lut_keywords_calibration_and_report(dense):
    x = sample(dense)
    cal = [sample(dense, s) for s in range(4)]
    m = lutmlir.compile(MLP, tables=8, bits=8, calibration=iter(cal))
    assert m.report is not None
    (z,) = m.run(x)
    (y,) = dense.run(x)
    assert float(np.mean((y - z) ** 2) / np.var(y)) < 0.5


def test_save_and_load(dense, tmp_path):
    m = lutmlir.compile(MLP, lut="lsh:tables=8,bits=8")
    p = tmp_path / "m.so"
    m.save(p)
    n = lutmlir.load(p)
    x = sample(dense)
    np.testing.assert_array_equal(m.run(x)[0], n.run(x)[0])
    assert n.report == m.report


def test_errors():
    with pytest.raises(lutmlir.CompileError) as e:
        lutmlir.compile(b"not an onnx model")
    assert "error" in e.value.diagnostics
    node = onnx.helper.make_node("Hardmax", ["x"], ["y"])
    g = onnx.helper.make_graph([node], "g", [onnx.helper.make_tensor_value_info("x", 1, [2, 3])],
                               [onnx.helper.make_tensor_value_info("y", 1, [2, 3])])
    with pytest.raises(lutmlir.UnsupportedError, match="Hardmax"):
        lutmlir.compile(onnx.helper.make_model(g, opset_imports=[onnx.helper.make_opsetid("", 13)]))
    with pytest.raises(ValueError):
        lutmlir.compile(MLP, opt_level=7)


def test_wrong_shape_and_dtype(dense):
    x = sample(dense)
    with pytest.raises((ValueError, TypeError)):
        dense.run(x[..., :1])
    with pytest.raises((ValueError, TypeError)):
        dense.run(x.astype(np.float64))
    with pytest.raises(ValueError):
        dense.run({"nope": x})


def test_threads(dense):
    x = sample(dense)
    (want,) = dense.run(x)
    bad = []

    def work():
        for _ in range(20):
            if not np.array_equal(dense.run(x)[0], want):
                bad.append(1)

    ts = [threading.Thread(target=work) for _ in range(4)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    assert not bad


def test_ir_import_and_emit(tmp_path):
    text = lutmlir.ir.import_onnx(MLP)
    assert "func.func @main_graph" in text
    assert "target triple" in lutmlir.ir.emit(text, "llvm")
    out = lutmlir.ir.emit(text, "hls", output=tmp_path / "hls")
    assert os.path.exists(os.path.join(out, "kernel.cpp"))
    with pytest.raises(ValueError):
        lutmlir.ir.emit(text, "wasm")
