"""lutmlir.ir: the model as MLIR text, and translations out of it."""
import os
import shutil
import tempfile

from ._compile import _call_driver, _model_file
from ._errors import CompileError
from ._ext import ext as _ext


def run_pipeline(mlir_text, pipeline, *, debug_info=False, name="<string>"):
    """Runs a textual pass pipeline on MLIR text and returns the result as
    text, as ``lut-opt --pass-pipeline=PIPELINE`` does.

    mlir_text: a module in MLIR's textual form (``name`` in diagnostics).
    pipeline: anchored on the module, e.g.
        ``"builtin.module(lut-ffn-pipeline)"`` or
        ``"builtin.module(canonicalize,func.func(cse))"``; every upstream and
        lut-mlir pass and registered pipeline is available (docs/Passes).
    debug_info: print ``loc(...)`` locations.

    Raises CompileError whose ``diagnostics`` are MLIR's
    (``name:line:col: error: ...``) for text that does not parse, an unknown
    pass or option, a pipeline not anchored on the module, or a failed pass.
    Runs without the GIL."""
    if not isinstance(mlir_text, str) or not isinstance(pipeline, str):
        raise TypeError("run_pipeline takes the MLIR text and the pipeline as str")
    try:
        return _ext.run_pipeline(mlir_text, pipeline, debug_info=debug_info, name=name)
    except RuntimeError as e:
        msg = str(e)
        raise CompileError(msg, msg.split("\n", 1)[-1]) from None


def count_macs(mlir_text, *, name="<string>"):
    """Multiply-accumulates (MACs) of one inference of a module in MLIR text
    on tensors (import_onnx's output, or run_pipeline's), counted as the
    ``--lut-report`` counts them: contractions (matmuls, convolutions, the
    linalg generics with a reduction that multiply) and the multiplying lut
    ops (lut.lsh_encode's projection; lut.gather_sum's weights or i8
    scales). Elementwise multiplies are not counted; a dynamic dim counts as
    1. Returns an int. Raises CompileError with located diagnostics when the
    text does not parse."""
    if not isinstance(mlir_text, str):
        raise TypeError("count_macs takes MLIR text (str); use count_macs(import_onnx(path)) "
                        "for an ONNX model")
    try:
        return int(_ext.count_macs(mlir_text, name=name))
    except RuntimeError as e:
        msg = str(e)
        raise CompileError(msg, msg.split("\n", 1)[-1]) from None


def import_onnx(model, *, shape_info=None):
    """The ONNX model (path, bytes or onnx.ModelProto) imported to MLIR on
    tensors (func + linalg/tensor/arith/math), as text with locations.
    Raises UnsupportedError / CompileError with the importer's diagnostics."""
    work = tempfile.mkdtemp(prefix="lutmlir-ir-")
    try:
        out = os.path.join(work, "model.mlir")
        _call_driver(_model_file(model, work), out, emit="mlir", shape_info=shape_info or "")
        with open(out) as f:
            return f.read()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def emit(mlir_text, kind, *, output=None):
    """Translates MLIR on tensors: kind "llvm" (LLVM IR text, returned),
    "obj" (object bytes, returned) or "hls" (an HLS project folder at
    `output`, required; returns its path). Raises CompileError."""
    if kind not in ("llvm", "obj", "hls"):
        raise ValueError(f"kind must be 'llvm', 'obj' or 'hls', not {kind!r}")
    if kind == "hls" and output is None:
        raise ValueError("emit(..., 'hls') needs output=DIR for the project folder")
    work = tempfile.mkdtemp(prefix="lutmlir-ir-")
    try:
        src = os.path.join(work, "in.mlir")
        with open(src, "w") as f:
            f.write(mlir_text)
        out = os.fspath(output) if kind == "hls" else os.path.join(work, "out")
        _call_driver(src, out, emit=kind)
        if kind == "hls":
            return out
        with open(out, "rb" if kind == "obj" else "r") as f:
            return f.read()
    finally:
        shutil.rmtree(work, ignore_errors=True)
