"""Builds the shipped example: a small pre-norm transformer FFN block
(LayerNorm -> Linear -> GELU -> Linear, with a residual) exported from
PyTorch to ONNX (opset 17), plus one input and PyTorch's output for it.

Usage: /usr/bin/python3 make_model.py [OUT_DIR]   (default: this folder)
"""
import os, sys
import numpy as np
import torch
import torch.nn as nn

out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)

class Block(nn.Module):
    def __init__(self, d=32, d_ff=128):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, d_ff), nn.GELU(), nn.Linear(d_ff, d))
    def forward(self, x):
        return x + self.mlp(self.norm(x))

m = Block().eval()
x = torch.randn(2, 4, 32)
with torch.no_grad():
    y = m(x)
torch.onnx.export(m, (x,), os.path.join(out, "model.onnx"), opset_version=17,
                  input_names=["x"], output_names=["y"], do_constant_folding=True)
np.save(os.path.join(out, "input.npy"), x.numpy())
np.save(os.path.join(out, "expected.npy"), y.numpy())
print("wrote model.onnx, input.npy, expected.npy to", out)
