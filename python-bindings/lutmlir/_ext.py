"""The native extension and the tools beside it.

Installed (pip), the extension is ``lutmlir/_native/lut_mlir*.so`` with the
tools in ``lutmlir/bin`` and the libraries in ``lutmlir/lib``; in a build
tree it is ``build/python/lut_mlir*.so`` with ``build/bin`` and
``build/lib``. Either way the tools are in ``../bin`` from the extension.
"""
import os

try:
    from ._native import lut_mlir as ext  # installed package
except ImportError:  # a build tree: PYTHONPATH=build/python:python-bindings
    import lut_mlir as ext  # noqa: F401


def tool(name):
    """The path of a lut-mlir tool (``lutc``, ``lut-opt``, ``lut-translate``,
    ``lut-run``) installed with this extension. Raises FileNotFoundError
    naming the path looked at."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(ext.__file__))),
                        "bin", name)
    if not os.access(path, os.X_OK):
        raise FileNotFoundError(f"lut-mlir tool '{name}' not found at {path}")
    return path
