"""lutmlir.fit_tables: the compiler's post-training LSH fit as arrays."""
import json
import os
import re
import shutil
import tempfile
from collections import namedtuple

import numpy as np

from . import _calibration, _progress
from ._compile import _call_driver, _lut_spec, _model_file
from ._errors import CompileError

LshTables = namedtuple("LshTables", "projection offset tables bias bits report")
LshTables.__doc__ = """One FFN's fitted LSH tables (lut-convert-mlp, method lsh), in
the semantics of lut.lsh_encode and lut.gather_sum:

    z      = x @ projection + offset          x [N, D] the FFN's input
    code_h = sum_j (z[:, h*bits + j] > 0) << j
    y      = sum_h tables[h, code_h] + bias   y [N, M] the FFN's output

projection: [D, H*bits] float32; offset: [H*bits] float32; tables:
[H, 2^bits, M] float32; bias: [M] float32; bits: k, an int; report: the
FFN's entry of the --lut report (a dict: fit errors, MACs, ...)."""

# One resource of the fitted module: `<ffn>.lsh.<what>: "0x<hex>"`.
_RESOURCE = re.compile(r'^\s*"?([^":\s]+)\.lsh\.(projection|offset|tables|bias)"?\s*:\s*"0x([0-9A-Fa-f]*)"',
                       re.M)


def _resource_key(name):
    """The resource-key spelling of an FFN name (lut-convert-mlp's
    resourceKey: every character other than [A-Za-z0-9_.] becomes '_')."""
    return re.sub(r"[^A-Za-z0-9_.]", "_", name)


def _blobs(text):
    """{(key prefix, what): float32 array} of the module's LSH resources.
    The hex blob starts with its 4-byte alignment (MLIR's resource format)."""
    out = {}
    for m in _RESOURCE.finditer(text):
        raw = bytes.fromhex(m.group(3))[4:]
        if len(raw) % 4:
            raise CompileError(f"resource {m.group(1)}.lsh.{m.group(2)} is not float32 data",
                               "")
        out[(m.group(1), m.group(2))] = np.frombuffer(raw, dtype=np.float32).copy()
    return out


def fit_tables(model, *, lut=None, calibration=None, shape_info=None, progress=None,
               **lut_options):
    """Fits LSH tables to a model's FFNs as ``lutc --lut=lsh:...`` does, and
    returns them as arrays instead of compiling: the starting point for
    fine-tuning (``lutmlir.torch.convert(model, "lookup", fit=...)``).

    model, lut, calibration, shape_info, progress: as lutmlir.compile's
        (the method must be "lsh"; tables are fitted in f32).
    Returns {FFN name: LshTables} in model order, for the FFNs the fit
    converted (the report's status "converted"); the names are those of
    the --lut report (the ONNX nodes' common scope, e.g. "blocks.0.mlp").
    Raises ValueError for another method, CompileError when no FFN was
    converted (naming the FFNs found and their status), and CompileError /
    UnsupportedError as lutmlir.compile does (a bad model, bad options)."""
    spec = _lut_spec(lut, lut_options) or "lsh"
    if spec.split(":", 1)[0] != "lsh":
        raise ValueError(f"fit_tables fits the lsh method only, not {spec.split(':', 1)[0]!r}")
    work = tempfile.mkdtemp(prefix="lutmlir-fit-")
    try:
        path = _model_file(model, work)
        out = os.path.join(work, "model.mlir")
        report = os.path.join(work, "report.json")
        callback, close_bars = _progress.make(progress)
        try:
            files = (_calibration.write_files(calibration, path, work, callback)
                     if calibration is not None else [])
            _call_driver(path, out, emit="mlir", lut=spec, calibration=files,
                         shape_info=shape_info or "", lut_report=report, lut_tables="f32",
                         progress=callback)
        finally:
            close_bars()
        with open(report) as f:
            rep = json.load(f)
        with open(out) as f:
            blobs = _blobs(f.read())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    fitted = {}
    for ffn in rep.get("ffns", []):
        if ffn.get("status") != "converted":
            continue
        key, h, k = _resource_key(ffn["name"]), ffn["tables"], ffn["bits"]
        d, m = ffn["d_model"], ffn["d_out"]
        try:
            arrays = {w: blobs[(key, w)] for w in ("projection", "offset", "tables", "bias")}
        except KeyError as e:
            raise CompileError(f"the fitted module has no resource {key}.lsh.{e.args[0][1]} "
                               f"for FFN '{ffn['name']}'", "") from None
        shapes = dict(projection=(d, h * k), offset=(h * k,), tables=(h, 1 << k, m), bias=(m,))
        for w, shape in shapes.items():
            if arrays[w].size != int(np.prod(shape)):
                raise CompileError(f"FFN '{ffn['name']}': {w} has {arrays[w].size} values, "
                                   f"expected {shape}", "")
            arrays[w] = arrays[w].reshape(shape)
        fitted[ffn["name"]] = LshTables(bits=k, report=ffn, **arrays)
    if not fitted:
        found = ", ".join(f"'{f['name']}' ({f.get('status')})" for f in rep.get("ffns", []))
        raise CompileError("fit_tables: no FFN was converted; the FFNs found: " +
                           (found or "none (lut-detect-mlp found no FFN in the model)"), "")
    return fitted
