"""Shared fixtures of the lutmlir pytest suite.

    PYTHONPATH=build/python:python-bindings /usr/bin/python3 -m pytest python-bindings/tests
(ctest runs it as python.pytest; scripts/test-all.sh prints its summary line.)
"""
import os
import subprocess
import sys

import numpy as np
import pytest

import lutmlir

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MLP = os.path.join(ROOT, "examples", "mlp", "model.onnx")
VIT = os.path.join(ROOT, "examples", "vit-fashion-mnist", "vit.onnx")
FMNIST = "/usr/share/datasets/fashion-mnist"


def sample(m, seed=0):
    """Random inputs of a compiled model's first input's dtype and shape."""
    t = m.inputs[0]
    return np.random.default_rng(seed).standard_normal(t.shape).astype(t.dtype)


@pytest.fixture(scope="session")
def dense():
    return lutmlir.compile(MLP)


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """The small ViT, BERT and GPT of test/models, exported from PyTorch with
    their inputs and PyTorch's outputs (export_models.py, 2 s)."""
    out = tmp_path_factory.mktemp("models")
    subprocess.run([sys.executable, os.path.join(ROOT, "test", "models", "export_models.py"),
                    "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    return out


@pytest.fixture(scope="session")
def fmnist():
    """Fashion-MNIST (Debian's dataset-fashion-mnist) as the example reads it."""
    sys.path.insert(0, os.path.join(ROOT, "examples", "vit-fashion-mnist"))
    import fmnist as f
    return f.load("train"), f.load("test")
