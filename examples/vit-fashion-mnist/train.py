"""Trains a small ViT with GELU MLPs on Fashion-MNIST and exports it to ONNX.

Fixed seed; about 10 minutes on 2 cores with Debian's python3-torch.
Usage: /usr/bin/python3 train.py [--epochs 10] [--out vit.onnx]
"""
import argparse, os, time
import numpy as np
import torch
import torch.nn.functional as F
import fmnist
from vit_model import ViT

ap = argparse.ArgumentParser()
ap.add_argument("--epochs", type=int, default=10)
ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "vit.onnx"))
ap.add_argument("--batch", type=int, default=128)
ap.add_argument("--export-batch", type=int, default=100)
a = ap.parse_args()
torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(2)


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
