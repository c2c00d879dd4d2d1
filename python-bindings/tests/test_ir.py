"""lutmlir.ir: import_onnx, run_pipeline, emit."""
import os

import pytest

import lutmlir
from conftest import MLP


def test_import_onnx_has_locations():
    text = lutmlir.ir.import_onnx(MLP)
    assert "func.func @main_graph" in text and "loc(" in text
    with pytest.raises(lutmlir.CompileError):
        lutmlir.ir.import_onnx(b"garbage")


def test_run_pipeline_lowers_the_imported_model():
    text = lutmlir.ir.import_onnx(MLP)
    detected = lutmlir.ir.run_pipeline(text, "builtin.module(func.func(lut-detect-mlp))")
    assert "lut.mlp" in detected
    llvm = lutmlir.ir.run_pipeline(text, "builtin.module(lut-to-llvm-pipeline)")
    assert "llvm.func @lut_model_run" in llvm and "linalg." not in llvm
    assert "loc(" in lutmlir.ir.run_pipeline(text, "builtin.module(canonicalize)",
                                            debug_info=True)


@pytest.mark.parametrize("pipeline, message", [
    ("builtin.module(no-such-pass)", "'no-such-pass' does not refer to a registered pass"),
    ("builtin.module(canonicalize{bogus=1})", "bogus"),
    ("func.func(cse)", "anchored on the module"),
    ("builtin.module(cse", "invalid pass pipeline"),
])
def test_run_pipeline_bad_pipeline(pipeline, message):
    with pytest.raises(lutmlir.CompileError) as e:
        lutmlir.ir.run_pipeline("module {}", pipeline)
    assert message in str(e.value) and message in e.value.diagnostics


def test_run_pipeline_bad_text_and_failing_pass():
    with pytest.raises(lutmlir.CompileError, match=r"in\.mlir:1:\d+: error"):
        lutmlir.ir.run_pipeline("func.func @f( {", "builtin.module(cse)", name="in.mlir")
    with pytest.raises(lutmlir.CompileError, match="unknown device 'nope'"):
        lutmlir.ir.run_pipeline("module {}", "builtin.module(lut-hls-directives{device=nope})")
    with pytest.raises(TypeError):
        lutmlir.ir.run_pipeline(b"module {}", "builtin.module(cse)")


def test_emit(tmp_path):
    text = lutmlir.ir.import_onnx(MLP)
    assert "target triple" in lutmlir.ir.emit(text, "llvm")
    assert lutmlir.ir.emit(text, "obj")[:4] == b"\x7fELF"
    out = lutmlir.ir.emit(text, "hls", output=tmp_path / "hls")
    assert os.path.exists(os.path.join(out, "kernel.cpp"))
    with pytest.raises(ValueError, match="wasm"):
        lutmlir.ir.emit(text, "wasm")
    with pytest.raises(ValueError, match="output=DIR"):
        lutmlir.ir.emit(text, "hls")
    with pytest.raises(lutmlir.CompileError):
        lutmlir.ir.emit("func.func @f( {", "llvm")


def test_count_macs_matches_the_lut_report():
    lut = lutmlir.compile(MLP, lut="lsh:tables=8,bits=4")
    text = lutmlir.ir.import_onnx(MLP)
    assert lutmlir.ir.count_macs(text) == lut.report["model"]["macs_before"] > 0
    converted = lutmlir.ir.run_pipeline(text, "builtin.module(func.func(lut-detect-mlp))")
    assert lutmlir.ir.count_macs(converted) == lutmlir.ir.count_macs(text)
    with pytest.raises(lutmlir.CompileError, match=r"m\.mlir:1:\d+: error"):
        lutmlir.ir.count_macs("func.func @f( {", name="m.mlir")
    with pytest.raises(TypeError, match="import_onnx"):
        lutmlir.ir.count_macs(MLP.encode())
