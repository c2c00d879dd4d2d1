"""lutmlir: the lut-mlir compiler and runtime from Python.

    import lutmlir
    m = lutmlir.compile("model.onnx", lut="lsh:tables=48,bits=8", calibration=x)
    (y,) = m.run(x)

fit_tables() returns the compiler's post-training LSH fit as arrays (the
start of lutmlir.torch's fine-tuning). compile() and CompiledModel are the compiler (the driver library under
lutc) and a loaded model; load() reloads a saved one; lutmlir.ir reaches
the IR (import_onnx, run_pipeline, emit). Errors: CompileError,
UnsupportedError. ``python3 -m lutmlir --help``: the lutc driver.
"""
from ._compile import CompiledModel, compile, load  # noqa: F401
from ._errors import CompileError, UnsupportedError  # noqa: F401
from ._fit import LshTables, fit_tables  # noqa: F401
from . import ir  # noqa: F401,E402

__all__ = ["compile", "load", "fit_tables", "LshTables", "CompiledModel", "CompileError", "UnsupportedError", "ir"]
