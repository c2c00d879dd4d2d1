"""Trains a small ViT with GELU MLPs on Fashion-MNIST and exports it to ONNX.

Fixed seed; about 10 minutes on 2 cores with Debian's python3-torch.
Usage: /usr/bin/python3 train.py [--epochs 10] [--out vit.onnx]
"""
import argparse, os, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import fmnist

ap = argparse.ArgumentParser()
ap.add_argument("--epochs", type=int, default=10)
ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "vit.onnx"))
ap.add_argument("--batch", type=int, default=128)
ap.add_argument("--export-batch", type=int, default=100)
a = ap.parse_args()
torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(2)


class Block(nn.Module):
    def __init__(self, d, heads, d_ff):
        super().__init__()
        self.norm1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, d_ff), nn.GELU(), nn.Linear(d_ff, d))

    def forward(self, x):
        h = self.norm1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


class ViT(nn.Module):
    def __init__(self, d=96, depth=4, heads=4, d_ff=384, patch=7, classes=10):
        super().__init__()
        n = (28 // patch) ** 2
        self.patch = nn.Conv2d(1, d, patch, patch)
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        self.pos = nn.Parameter(torch.randn(1, n + 1, d) * 0.02)
        self.blocks = nn.ModuleList([Block(d, heads, d_ff) for _ in range(depth)])
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, classes)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1) + self.pos
        for b in self.blocks:
            x = b(x)
        return self.head(self.norm(x[:, 0]))


xtr, ytr = fmnist.load("train")
xte, yte = fmnist.load("test")
xtr, ytr, xte, yte = map(torch.from_numpy, (xtr, ytr, xte, yte))
model = ViT()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.05)
steps = a.epochs * (len(xtr) // a.batch)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps, pct_start=0.1)
t0 = time.time()
for ep in range(a.epochs):
    model.train()
    perm = torch.randperm(len(xtr))
    for i in range(len(xtr) // a.batch):
        idx = perm[i * a.batch:(i + 1) * a.batch]
        xb = xtr[idx]
        # light augmentation: random shifts by up to 2 pixels
        sh = np.random.randint(-2, 3, size=2)
        xb = torch.roll(xb, shifts=(int(sh[0]), int(sh[1])), dims=(2, 3))
        loss = F.cross_entropy(model(xb), ytr[idx], label_smoothing=0.1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        acc = sum((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item()
                  for i in range(0, len(xte), 1000)) / len(xte)
    print(f"epoch {ep + 1}/{a.epochs}: loss {loss.item():.3f}, test accuracy {acc * 100:.2f}%, "
          f"{time.time() - t0:.0f} s", flush=True)

model.eval()
torch.onnx.export(model, (xte[:a.export_batch],), a.out, opset_version=17,
                  input_names=["pixels"], output_names=["logits"], do_constant_folding=True)
print(f"exported {a.out} (batch {a.export_batch}); PyTorch test accuracy {acc * 100:.2f}%")
