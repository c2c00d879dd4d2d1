"""Measures the import-to-object path of lutc on a ~10M-parameter
transformer encoder exported from PyTorch: wall seconds and peak resident
memory (from getrusage of the child), median over --repeat runs.

Usage: /usr/bin/python3 bench/compile_cost.py --lutc build/bin/lutc [--repeat 3]
"""
import argparse, os, resource, statistics, subprocess, tempfile, time
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--lutc", required=True)
ap.add_argument("--repeat", type=int, default=3)
ap.add_argument("--emit", default="obj", choices=["obj", "lib"])
a = ap.parse_args()

torch.manual_seed(0)
d, layers, seq = 384, 6, 64
class Enc(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.TransformerEncoderLayer(d, 6, 4 * d, dropout=0.0, activation="gelu",
                                                               batch_first=True, norm_first=True) for _ in range(layers)])
        self.head = nn.Linear(d, 10)
    def forward(self, x):
        for l in self.layers:
            x = l(x)
        return self.head(x.mean(1))
m = Enc().eval()
params = sum(p.numel() for p in m.parameters())
with tempfile.TemporaryDirectory() as tmp:
    onnx_path = os.path.join(tmp, "enc.onnx")
    torch.onnx.export(m, (torch.randn(1, seq, d),), onnx_path, opset_version=17, do_constant_folding=True)
    times, mems = [], []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        subprocess.run([a.lutc, onnx_path, f"--emit={a.emit}", "-o", os.path.join(tmp, "enc.out")], check=True)
        times.append(time.perf_counter() - t0)
        mems.append(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    print(f"model: {params/1e6:.1f}M parameters, {os.path.getsize(onnx_path)/1e6:.1f} MB ONNX")
    print(f"lutc --emit={a.emit}: median {statistics.median(times):.2f} s over {a.repeat} runs, "
          f"peak RSS {max(mems):.0f} MiB")
