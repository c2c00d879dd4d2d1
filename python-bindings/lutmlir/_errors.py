"""Exceptions of the lutmlir package."""


class CompileError(RuntimeError):
    """The compiler refused or failed on a model.

    ``str(e)`` and ``e.diagnostics`` carry the compiler's diagnostics, each
    ``file:line:col: error: ...`` with the location of the node or op at
    fault (MLIR's diagnostics, as ``lutc`` prints them).
    """

    def __init__(self, message, diagnostics=""):
        super().__init__(message)
        self.diagnostics = diagnostics


class UnsupportedError(CompileError):
    """A valid model that uses something lut-mlir does not support (an ONNX
    operator, an element type, an attribute value): lutc's exit code 3."""
