"""One test or more per lutmlir API function and error class (fixtures:
conftest.py)."""
import json
import os
import subprocess
import sys
import threading

import numpy as np
import onnx
import pytest

import lutmlir
from conftest import MLP, sample


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


def test_errors_bad_model_files(tmp_path):
    with pytest.raises(lutmlir.CompileError, match="nope.onnx"):
        lutmlir.compile(tmp_path / "nope.onnx")
    with pytest.raises(TypeError, match="path, bytes or an onnx.ModelProto"):
        lutmlir.compile(3.5)
    with pytest.raises(TypeError, match="either as the lut string or as keywords"):
        lutmlir.compile(MLP, lut="lsh", tables=8)
    with pytest.raises(lutmlir.CompileError, match="tabels"):
        lutmlir.compile(MLP, lut="lsh:tabels=8")
    with pytest.raises(ValueError, match="calibration needs lut"):
        lutmlir.compile(MLP, calibration=np.zeros((2, 4, 16), np.float32))


def test_unsupported_is_a_compile_error():
    assert issubclass(lutmlir.UnsupportedError, lutmlir.CompileError)
    assert issubclass(lutmlir.CompileError, RuntimeError)


def test_calibration_errors(dense):
    x = sample(dense)
    with pytest.raises(ValueError, match="batch 2.*trailing dims"):
        lutmlir.compile(MLP, lut="lsh:tables=8,bits=4", calibration=iter([x, x[..., :3]]))
    with pytest.raises(ValueError, match="names"):
        lutmlir.compile(MLP, lut="lsh:tables=8,bits=4", calibration={"nope": x})
    with pytest.raises(ValueError, match="empty"):
        lutmlir.compile(MLP, lut="lsh:tables=8,bits=4", calibration=iter([]))
    with pytest.raises(TypeError, match="batch 1"):
        lutmlir.compile(MLP, lut="lsh:tables=8,bits=4", calibration=iter(["text"]))
    # Wrong trailing dims for the model: the driver names the file and dim.
    with pytest.raises(lutmlir.CompileError, match="calibration"):
        lutmlir.compile(MLP, lut="lsh:tables=8,bits=4", calibration=x[..., :3])


def test_streamed_calibration_equals_one_array(dense):
    """A generator of batches, streamed to disk, fits the same tables as the
    same samples given as one array (and as a dict by name, and a list)."""
    xs = [sample(dense, s) for s in range(6)]
    one = lutmlir.compile(MLP, lut="lsh:tables=8,bits=8", calibration=np.concatenate(xs))
    streamed = lutmlir.compile(MLP, lut="lsh:tables=8,bits=8", calibration=(x for x in xs))
    named = lutmlir.compile(MLP, lut="lsh:tables=8,bits=8",
                            calibration=[{"x": x} for x in xs])
    listed = lutmlir.compile(MLP, lut="lsh:tables=8,bits=8", calibration=xs)
    x = sample(dense, 99)
    want = one.run(x)[0]
    for m in (streamed, named, listed):
        np.testing.assert_array_equal(m.run(x)[0], want)


def test_progress_callback(dense):
    events = []
    xs = [sample(dense, s) for s in range(3)]
    lutmlir.compile(MLP, lut="lsh:tables=8,bits=4", calibration=iter(xs),
                    progress=lambda *e: events.append(e))
    stages = [e[0] for e in events]
    assert stages[:3] == ["calibration input"] * 3
    assert events[2] == ("calibration input", 3, 0)  # a generator has no len
    assert ("calibration", 3, 3) in events  # 3 batches of the model's batch
    assert ("calibration targets", 1, 1) in events and ("fitting", 1, 1) in events
    with pytest.raises(TypeError, match="progress must be"):
        lutmlir.compile(MLP, lut="lsh", progress="yes")

    def boom(stage, done, total):
        raise KeyError("stop " + stage)

    with pytest.raises(KeyError, match="stop"):
        lutmlir.compile(MLP, lut="lsh:tables=8,bits=4", progress=boom)


def test_tqdm_bar(dense, capsys):
    pytest.importorskip("tqdm")
    lutmlir.compile(MLP, lut="lsh:tables=8,bits=4", calibration=iter([sample(dense)]))
    err = capsys.readouterr().err
    assert "fitting" in err and "1/1" in err


def test_signature_and_names(dense):
    assert dense.input_names == ["x"] and dense.output_names == ["y"]
    assert "input 0 float 2,4,32 x" in dense.signature
    assert dense.inputs[0].shape == (2, 4, 32)
    assert "CompiledModel(" in repr(dense)


def test_report_is_the_lut_report(tmp_path):
    m = lutmlir.compile(MLP, lut="lsh:tables=8,bits=4", output=tmp_path / "m.so")
    assert os.path.exists(tmp_path / "m.so")
    r = m.report
    assert r["model"]["macs_before"] > r["model"]["macs_after"] and len(r["ffns"]) == 1
    assert r["ffns"][0]["status"] == "converted"
    assert lutmlir.compile(MLP).report is None


def test_load_errors(tmp_path):
    with pytest.raises(OSError, match="missing.so"):
        lutmlir.load(tmp_path / "missing.so")
    (tmp_path / "bad.so").write_bytes(b"not a library")
    with pytest.raises(OSError, match="bad.so"):
        lutmlir.load(tmp_path / "bad.so")


def test_run_errors_name_the_input(dense):
    x = sample(dense)
    with pytest.raises(ValueError, match=r"input 0 \('x'\): expected shape"):
        dense.run(x[:1])
    with pytest.raises(ValueError, match="expected dtype float, got double"):
        dense.run(x.astype(np.float64))
    with pytest.raises(ValueError, match="expects 1"):
        dense.run(x, x)
    with pytest.raises(ValueError, match="the model's are"):
        dense.run({"x": x, "z": x})


def test_module_main_is_lutc(tmp_path):
    env = dict(os.environ)
    r = subprocess.run([sys.executable, "-m", "lutmlir", "--help"], capture_output=True,
                       text=True, env=env)
    assert r.returncode == 0 and "lutc: the lut-mlir compiler driver" in r.stdout
    r = subprocess.run([sys.executable, "-m", "lutmlir", str(tmp_path / "none.onnx")],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 1 and "none.onnx" in r.stderr
    out = tmp_path / "m.so"
    r = subprocess.run([sys.executable, "-m", "lutmlir", MLP, "-o", str(out)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert lutmlir.load(out).run(np.zeros((2, 4, 32), np.float32))[0].shape == (2, 4, 32)
