"""lutmlir.compile and CompiledModel: the compiler and a compiled model."""
import json
import os
import shutil
import tempfile

import numpy as np

import lut_mlir as _ext

from ._errors import CompileError, UnsupportedError


def _call_driver(model_path, output, **kw):
    """Runs the driver library (the one under lutc); maps its errors."""
    try:
        return _ext.compile(model_path, output, **kw)
    except TypeError as e:  # the extension's "unsupported model"
        msg = str(e)
        if msg.startswith("unsupported model"):
            raise UnsupportedError(msg, msg.split("\n", 1)[-1]) from None
        raise
    except RuntimeError as e:
        msg = str(e)
        raise CompileError(msg, msg.split("\n", 1)[-1]) from None


def _model_file(model, work):
    """A path to the model as a file: a path as is; bytes or an
    onnx.ModelProto written into `work`."""
    if isinstance(model, (str, os.PathLike)):
        return os.fspath(model)
    if isinstance(model, (bytes, bytearray, memoryview)):
        data = bytes(model)
    elif hasattr(model, "SerializeToString"):
        data = model.SerializeToString()
    else:
        raise TypeError("model must be a path, bytes or an onnx.ModelProto, not "
                        f"{type(model).__name__}")
    path = os.path.join(work, "model.onnx")
    with open(path, "wb") as f:
        f.write(data)
    return path


def _lut_spec(lut, options):
    """The --lut spec from a string, or from keyword options."""
    if lut is not None and options:
        raise TypeError("give the LUT options either as the lut string or as keywords, not both")
    if lut is None and not options:
        return None
    if isinstance(lut, str):
        return lut
    opts = dict(options)
    method = opts.pop("method", "lsh")
    parts = []
    for k, v in opts.items():
        if isinstance(v, (list, tuple)):
            v = "+".join(str(x) for x in v)
        elif isinstance(v, bool):
            v = "true" if v else "false"
        parts.append(f"{k.replace('_', '-')}={v}")
    return method + (":" + ",".join(parts) if parts else "")


def _input_names(model_path):
    """The graph inputs that are not initializers, in order (ONNX models)."""
    import onnx

    m = onnx.load(model_path, load_external_data=False)
    inits = {i.name for i in m.graph.initializer}
    return [i.name for i in m.graph.input if i.name not in inits]


def _calibration_files(calibration, model_path, work):
    """Writes the calibration samples as .npy files, one per graph input,
    for the driver. Accepts one array (one input), a dict by input name, a
    list/tuple of arrays (graph-input order), or an iterable of batches of
    either (concatenated along axis 0)."""
    if calibration is None:
        return []
    if isinstance(calibration, np.ndarray):
        per_input = [calibration]
    elif isinstance(calibration, dict):
        names = _input_names(model_path)
        missing = [n for n in names if n not in calibration]
        extra = [n for n in calibration if n not in names]
        if missing or extra:
            raise ValueError(f"calibration names {sorted(calibration)} do not match the graph "
                             f"inputs {names}")
        per_input = [np.asarray(calibration[n]) for n in names]
    elif isinstance(calibration, (list, tuple)) and calibration and all(
            isinstance(a, np.ndarray) for a in calibration):
        per_input = list(calibration)
    else:
        batches = [b for b in calibration]
        if not batches:
            raise ValueError("calibration is an empty iterable")
        conv = [_calibration_arrays(b, model_path) for b in batches]
        per_input = [np.concatenate([c[i] for c in conv], axis=0) for i in range(len(conv[0]))]
    files = []
    for i, a in enumerate(per_input):
        path = os.path.join(work, f"calibration_{i}.npy")
        np.save(path, np.ascontiguousarray(a))
        files.append(path)
    return files


def _calibration_arrays(batch, model_path):
    if isinstance(batch, np.ndarray):
        return [batch]
    if isinstance(batch, dict):
        return [np.asarray(batch[n]) for n in _input_names(model_path)]
    return [np.asarray(a) for a in batch]


def compile(model, *, lut=None, calibration=None, target=None, opt_level=2, threads=None,
            output=None, lut_tables="f32", shape_info=None, **lut_options):
    """Compiles an ONNX model (or an .mlir file on tensors) to a native
    shared library and loads it, as ``lutc`` does.

    model: a path (.onnx or .mlir), the bytes of an ONNX file, or an
        ``onnx.ModelProto``.
    lut: lutc's ``--lut`` spec (``"lsh:tables=48,bits=8"``), or give the
        options as keywords (``tables=48, bits=8``; lists as Python lists;
        ``method`` defaults to ``"lsh"``). None and no keywords: dense.
    calibration: samples of the graph inputs to fit the tables on: one
        array (a model with one input), a dict by input name, a list of
        arrays in graph-input order, or an iterable of batches of those
        (joined along axis 0). dtypes and trailing dims as the inputs'.
    target: an LLVM triple (default: the host). opt_level: 0-3.
    threads: LUT_NUM_THREADS for runs of this model (default: the CPUs).
    output: where the shared library goes (default: a temporary file that
        lives as long as the CompiledModel; ``save`` keeps a copy).
    lut_tables: element type of the compiled tables: f32, f16, bf16, i8.
    shape_info: ``NAME:d0xd1...`` fixing dynamic input dims.

    Returns a CompiledModel. Raises UnsupportedError for a valid model that
    uses something unsupported, CompileError for a bad model or a failed
    compilation (both with the compiler's diagnostics), TypeError and
    ValueError for bad arguments.
    """
    if opt_level not in (0, 1, 2, 3):
        raise ValueError(f"opt_level must be 0, 1, 2 or 3, not {opt_level!r}")
    work = tempfile.mkdtemp(prefix="lutmlir-")
    try:
        path = _model_file(model, work)
        spec = _lut_spec(lut, lut_options)
        files = _calibration_files(calibration, path, work) if spec else []
        if calibration is not None and not spec:
            raise ValueError("calibration needs lut= (or LUT keyword options)")
        out = os.fspath(output) if output is not None else os.path.join(work, "model.so")
        report = os.path.join(work, "report.json") if spec else ""
        log = _call_driver(path, out, lut=spec, calibration=files, opt_level=opt_level,
                           target=target or "", shape_info=shape_info or "",
                           lut_report=report, lut_tables=lut_tables)
        rep = None
        if report and os.path.exists(report):
            with open(report) as f:
                rep = json.load(f)
        return CompiledModel(out, report=rep, log=log, threads=threads,
                             _owned_dir=None if output is not None else work)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        if output is not None:
            shutil.rmtree(work, ignore_errors=True)


class CompiledModel:
    """A compiled model, loaded and ready to run.

    ``inputs``/``outputs``: TensorInfo (name, numpy dtype, shape with None
    for a dynamic dim, dim_names); ``input_names``/``output_names``;
    ``signature``: the model's signature text; ``report``: the LUT report
    (per FFN and totals, as ``lutc --lut-report`` writes it) or None;
    ``log``: the compiler's progress text.
    """

    def __init__(self, path, *, report=None, log="", threads=None, _owned_dir=None):
        self.path = os.fspath(path)
        self.report = report
        self.log = log
        self.threads = threads
        self._owned_dir = _owned_dir
        if threads is not None:
            if int(threads) < 1:
                raise ValueError("threads must be at least 1")
            os.environ["LUT_NUM_THREADS"] = str(int(threads))
        self._model = _ext.Model(self.path)

    def __del__(self):
        if getattr(self, "_owned_dir", None):
            shutil.rmtree(self._owned_dir, ignore_errors=True)

    inputs = property(lambda self: self._model.inputs)
    outputs = property(lambda self: self._model.outputs)
    signature = property(lambda self: self._model.signature)
    input_names = property(lambda self: [t.name for t in self._model.inputs])
    output_names = property(lambda self: [t.name for t in self._model.outputs])

    def run(self, *arrays):
        """Runs the model: ``run(x, y)`` in graph-input order, or
        ``run({"x": x, "y": y})``. Arrays must have the inputs' dtypes and
        shapes (dynamic dims: any size); nothing is cast. Returns a list of
        new arrays, one per output. Raises ValueError or TypeError naming
        the input at fault. Runs without the GIL; threads may call it at
        once."""
        if len(arrays) == 1 and isinstance(arrays[0], dict):
            given = arrays[0]
            names = self.input_names
            unknown = [n for n in given if n not in names]
            missing = [n for n in names if n not in given]
            if unknown or missing:
                raise ValueError(f"run() got inputs {sorted(given)}; the model's are {names}")
            arrays = tuple(given[n] for n in names)
        return self._model.run(list(arrays))

    def save(self, path):
        """Copies the shared library to `path` (and the report beside it,
        as `path` + ".report.json"); ``lutmlir.load(path)`` loads it."""
        path = os.fspath(path)
        shutil.copyfile(self.path, path)
        if self.report is not None:
            with open(path + ".report.json", "w") as f:
                json.dump(self.report, f, indent=2)

    def __repr__(self):
        return f"CompiledModel({self.path!r}, inputs={self.input_names}, outputs={self.output_names})"


def load(path, *, threads=None):
    """Loads a model saved by CompiledModel.save, or any library lutc built.
    Raises OSError when it cannot be loaded or lacks the model ABI."""
    path = os.fspath(path)
    rep = None
    if os.path.exists(path + ".report.json"):
        with open(path + ".report.json") as f:
            rep = json.load(f)
    return CompiledModel(path, report=rep, threads=threads)
