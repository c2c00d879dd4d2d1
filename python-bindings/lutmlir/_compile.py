"""lutmlir.compile and CompiledModel: the compiler and a compiled model."""
import json
import os
import shutil
import tempfile

from . import _calibration, _progress
from ._errors import CompileError, UnsupportedError
from ._ext import ext as _ext


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


def compile(model, *, lut=None, calibration=None, target=None, opt_level=2, threads=None,
            output=None, lut_tables="f32", shape_info=None, progress=None, **lut_options):
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
        (joined along axis 0 and streamed to disk batch by batch, so a
        dataset need not fit in memory). dtypes and trailing dims as the
        inputs'; the driver splits the samples into the model's batches.
    target: an LLVM triple (default: the host). opt_level: 0-3.
    threads: threads of this model's runs (CompiledModel.set_num_threads;
        default: LUT_NUM_THREADS, else the CPUs).
    output: where the shared library goes (default: a temporary file that
        lives as long as the CompiledModel; ``save`` keeps a copy).
    lut_tables: element type of the compiled tables: f32, f16, bf16, i8.
    shape_info: ``NAME:d0xd1...`` fixing dynamic input dims.
    progress: a callable ``progress(stage, done, total)`` told of each
        calibration batch read ("calibration input"; total 0 if unknown) and
        run ("calibration"), each FFN body run ("calibration targets") and
        each FFN fitted ("fitting"); None: a tqdm bar per stage when tqdm is
        installed; False: nothing.

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
        out = os.fspath(output) if output is not None else os.path.join(work, "model.so")
        report = os.path.join(work, "report.json") if spec else ""
        if calibration is not None and not spec:
            raise ValueError("calibration needs lut= (or LUT keyword options)")
        callback, close_bars = _progress.make(progress)
        try:
            files = (_calibration.write_files(calibration, path, work, callback)
                     if calibration is not None else [])
            log = _call_driver(path, out, lut=spec, calibration=files, opt_level=opt_level,
                               target=target or "", shape_info=shape_info or "",
                               lut_report=report, lut_tables=lut_tables, progress=callback)
        finally:
            close_bars()
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

    ``inputs``/``outputs``: TensorInfo (name, numpy dtype, shape with -1
    for a dynamic dim, dim_names); ``input_names``/``output_names``;
    ``signature``: the model's signature text; ``report``: the LUT report
    (per FFN and totals, as ``lutc --lut-report`` writes it) or None;
    ``log``: the compiler's progress text.
    """

    def __init__(self, path, *, report=None, log="", threads=None, _owned_dir=None):
        self.path = os.fspath(path)
        self.report = report
        self.log = log
        self._owned_dir = _owned_dir
        self._model = _ext.Model(self.path)
        self.threads = None
        if threads is not None:
            self.set_num_threads(threads)

    def set_num_threads(self, threads):
        """Sets the threads of this model's parallel loops, LUT kernels and
        dense GEMMs (1 to 1024; 0: the default, LUT_NUM_THREADS or the
        CPUs). Models loaded from the same file share the setting; other
        models keep theirs. Raises ValueError outside [0, 1024]."""
        if isinstance(threads, bool) or not isinstance(threads, int):
            raise TypeError(f"threads must be an int, not {type(threads).__name__}")
        self._model.set_num_threads(threads)
        self.threads = threads or None

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
