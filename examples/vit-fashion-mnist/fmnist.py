"""Reads Fashion-MNIST from the Debian package dataset-fashion-mnist
(/usr/share/datasets/fashion-mnist, IDX files, gzip)."""
import gzip, os
import numpy as np

ROOT = "/usr/share/datasets/fashion-mnist"


def _read(name):
    path = os.path.join(ROOT, name)
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[:4], "big")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(split):
    """Returns (images float32 [N,1,28,28] normalized, labels int64 [N])."""
    prefix = "train" if split == "train" else "t10k"
    x = _read(f"{prefix}-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    y = _read(f"{prefix}-labels-idx1-ubyte.gz").astype(np.int64)
    x = (x - 0.2860) / 0.3530  # the training set's mean and std
    return x[:, None, :, :], y
