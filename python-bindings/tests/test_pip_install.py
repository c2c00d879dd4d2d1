"""`pip install --no-build-isolation` of python-bindings into a venv, offline
(--no-index), as the README shows; then the installed package compiles and
runs a model from another folder, and `python -m lutmlir` is lutc."""
import os
import shutil
import subprocess
import sys

import lutmlir
from conftest import MLP, ROOT


def test_pip_install_offline(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(os.path.join(ROOT, "python-bindings"), src,
                    ignore=shutil.ignore_patterns("tests", "build", "*.egg-info", "__pycache__"))
    build = os.path.dirname(os.path.dirname(os.path.abspath(lutmlir._ext.ext.__file__)))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(LUTMLIR_BUILD_DIR=build, LUTMLIR_SOURCE_DIR=ROOT)
    r = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-build-isolation", "--no-index",
                        str(src)], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    py = str(venv / "bin" / "python3")
    code = f"""
import numpy as np, lutmlir
assert lutmlir.__file__.startswith({str(venv)!r}), lutmlir.__file__
m = lutmlir.compile({MLP!r}, lut="lsh:tables=8,bits=4", progress=False)
print(m.run(np.zeros(m.inputs[0].shape, np.float32))[0].shape)
"""
    r = subprocess.run([py, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0 and "(2, 4, 32)" in r.stdout, r.stderr
    r = subprocess.run([py, "-m", "lutmlir", "--help"], capture_output=True, text=True, env=env,
                       cwd=tmp_path)
    assert r.returncode == 0 and "lutc: the lut-mlir compiler driver" in r.stdout
    assert os.access(venv / "bin" / "lutmlir-lutc", os.X_OK)
