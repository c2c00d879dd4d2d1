"""Calibration samples from Python to the driver's .npy files, streamed.

The driver reads one .npy per graph input. Batches are appended to those
files as the iterable yields them, so a dataset never has to be in memory
at once; the .npy header is written last, when the sample count is known.
"""
import os

import numpy as np

_HEADER_BYTES = 256  # room for any shape: the header is rewritten in place


def input_names(model_path):
    """The graph inputs that are not initializers, in order (ONNX files);
    None for an .mlir file."""
    if model_path.endswith(".mlir"):
        return None
    import onnx

    m = onnx.load(model_path, load_external_data=False)
    inits = {i.name for i in m.graph.initializer}
    return [i.name for i in m.graph.input if i.name not in inits]


def _npy_header(dtype, shape):
    d = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False,
         "shape": tuple(shape)}
    text = repr(d)
    pad = _HEADER_BYTES - 10 - len(text) - 1
    if pad < 0:
        raise ValueError(f"calibration shape {tuple(shape)} is too long for the .npy header")
    body = (text + " " * pad + "\n").encode("latin1")
    return b"\x93NUMPY\x01\x00" + len(body).to_bytes(2, "little") + body


class _Writer:
    """Appends batches of one input to an .npy file."""

    def __init__(self, path, label):
        self.path, self.label = path, label
        self.f = open(path, "wb")
        self.f.write(b"\0" * _HEADER_BYTES)
        self.dtype = self.tail = None
        self.rows = 0

    def append(self, a, where):
        a = np.asarray(a)
        if a.ndim == 0:
            raise ValueError(f"calibration {where}, {self.label}: a scalar; give arrays whose "
                             "first dim counts samples")
        if self.dtype is None:
            self.dtype, self.tail = a.dtype, a.shape[1:]
        elif a.dtype != self.dtype or a.shape[1:] != self.tail:
            raise ValueError(f"calibration {where}, {self.label}: dtype {a.dtype} and trailing "
                             f"dims {a.shape[1:]} differ from the first batch's "
                             f"{self.dtype} and {self.tail}")
        self.f.write(np.ascontiguousarray(a).astype(a.dtype.newbyteorder("="), copy=False)
                     .tobytes())
        self.rows += a.shape[0]

    def close(self):
        self.f.seek(0)
        self.f.write(_npy_header(self.dtype.newbyteorder("="), (self.rows,) + self.tail))
        self.f.close()


def _per_input(batch, names, where):
    """One batch as a list of arrays in graph-input order."""
    if isinstance(batch, np.ndarray):
        return [batch]
    if isinstance(batch, dict):
        if names is None:
            raise TypeError("calibration by input name needs an ONNX model")
        missing = [n for n in names if n not in batch]
        extra = [n for n in batch if n not in names]
        if missing or extra:
            raise ValueError(f"calibration {where}: names {sorted(batch)} do not match the "
                             f"graph inputs {names}")
        return [batch[n] for n in names]
    if isinstance(batch, (list, tuple)):
        return list(batch)
    raise TypeError(f"calibration {where}: expected an array, a dict by input name or a list "
                    f"of arrays, not {type(batch).__name__}")


def write_files(calibration, model_path, work, progress=None):
    """Writes `calibration` as one .npy per graph input into `work` and
    returns their paths. `calibration`: one array (a single-input model), a
    dict by input name, a list/tuple of arrays in graph-input order, or any
    other iterable of such batches (joined along axis 0, streamed to disk).
    `progress(stage, done, total)` is told of each batch read ("calibration
    input"; total 0 when the iterable has no len). Raises TypeError or
    ValueError naming the batch and input at fault."""
    names = input_names(model_path)
    # A list of arrays is one batch, an array per input, when its length is
    # the model's input count; otherwise a list of batches.
    single = isinstance(calibration, (np.ndarray, dict)) or (
        isinstance(calibration, (list, tuple)) and calibration
        and all(isinstance(a, np.ndarray) for a in calibration)
        and (len(calibration) == len(names) if names is not None else len(calibration) > 1))
    if single:
        batches, total = [calibration], 1
    else:
        batches = calibration
        try:
            total = len(calibration)
        except TypeError:
            total = 0
    writers = []
    count = 0
    try:
        for count, batch in enumerate(iter(batches), 1):
            where = "batch %d" % count
            arrays = _per_input(batch, names, where)
            if names is not None and len(arrays) != len(names):
                raise ValueError(f"calibration {where}: {len(arrays)} arrays for the "
                                 f"{len(names)} graph inputs {names}")
            if not writers:
                writers = [_Writer(os.path.join(work, f"calibration_{i}.npy"),
                                   f"input {i}" + (f" ('{names[i]}')" if names else ""))
                           for i in range(len(arrays))]
            elif len(arrays) != len(writers):
                raise ValueError(f"calibration {where}: {len(arrays)} arrays, the first "
                                 f"batch had {len(writers)}")
            for w, a in zip(writers, arrays):
                w.append(a, where)
            if progress:
                progress("calibration input", count, total)
        if not writers:
            raise ValueError("calibration is an empty iterable")
    finally:
        for w in writers:
            if w.dtype is not None:
                w.close()
            else:
                w.f.close()
    return [w.path for w in writers]
