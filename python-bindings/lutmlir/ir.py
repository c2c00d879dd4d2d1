"""lutmlir.ir: the model as MLIR text, and translations out of it."""
import os
import shutil
import tempfile

from ._compile import _call_driver, _model_file


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
