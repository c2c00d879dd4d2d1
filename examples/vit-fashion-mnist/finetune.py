#!/usr/bin/env python3
"""Fine-tunes the example ViT with trained LUT FFNs, on the CPU, and compiles
the result with lut-mlir.

For each method (LookupFFN, and a weightless network after DWN/QuWeiT):
1. the PyTorch ViT is rebuilt from vit.onnx's weights (export_dynamic.py);
2. every FFN is replaced (lutmlir.torch.convert);
3. lutmlir.torch.distill fine-tunes it: per-FFN output matching against the
   dense FFNs, then end to end on the task loss (cross-entropy), with a
   cosine learning rate; LookupFFN starts from lutc's post-training fit
   (lutmlir.fit_tables; --lookup-init random for random tables);
4. the model is exported to ONNX (lutmlir.torch.export; the LUT layers are
   ops of the lutmlir domain), compiled with lut-mlir and run natively on
   all 10,000 test images.

It also compiles and runs the dense model and the post-training LUT model
(lutc's LSH fit, calibrated on 12,000 training images, with the same
number of tables and bits as the fine-tuned LookupFFN), and prints one
table: test accuracy and the whole model's multiplications (MACs, counted on
the compiled module by lutmlir.ir.count_macs, as the LUT report counts
them) for each.

    PYTHONPATH=build/python:python-bindings /usr/bin/python3 \\
        examples/vit-fashion-mnist/finetune.py [--method lookup|weightless|both]

Runs on 2 threads (--threads); each method's fine-tuning stops after its
epochs or at --minutes, whichever comes first.
"""
import argparse
import copy
import json
import os
import sys
import tempfile
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F

import lutmlir
import lutmlir.torch as lt

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fmnist  # noqa: E402
from export_dynamic import hyperparameters, state_dict_from_onnx  # noqa: E402
from vit_model import ViT  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                             formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--method", choices=["lookup", "weightless", "both", "none"], default="both",
                help="the LUT methods to fine-tune (none: only the baselines and --control)")
ap.add_argument("--control", action="store_true",
                help="also train the dense ViT end to end for --epochs with the same learning "
                     "rate, schedule and batches, and report it: how much of a fine-tuned LUT "
                     "model's accuracy comes from the extra training of the rest of the model")
ap.add_argument("--onnx", default=os.path.join(HERE, "vit.onnx"))
ap.add_argument("--threads", type=int, default=2, help="PyTorch and native threads")
ap.add_argument("--tables", type=int, default=16, help="LookupFFN: tables H")
ap.add_argument("--bits", type=int, default=8, help="LookupFFN: hash bits k per table")
ap.add_argument("--lookup-init", choices=["fit", "random"], default="fit",
                help="LookupFFN: start from lutc's post-training fit (lutmlir.fit_tables; "
                     "unscored, with the fit's projection, offset, tables and bias: the "
                     "post-training model exactly) or from random tables (scored LookupFFN)")
ap.add_argument("--thermometer-bits", type=int, default=8,
                help="weightless: thresholds per feature")
ap.add_argument("--luts-per-output", type=int, default=16, help="weightless: LUTs per output")
ap.add_argument("--fan-in", type=int, default=6, help="weightless: LUT fan-in n")
ap.add_argument("--ffn-epochs", type=float, default=1.0,
                help="per-FFN matching passes over the training images (may be a fraction)")
ap.add_argument("--epochs", type=int, default=4, help="end-to-end passes")
ap.add_argument("--lr", type=float, default=5e-4, help="end-to-end learning rate")
ap.add_argument("--ffn-lr", type=float, default=None,
                help="per-FFN matching learning rate (default: 3e-3 lookup, 1e-2 weightless)")
ap.add_argument("--batch", type=int, default=128)
ap.add_argument("--minutes", type=float, default=18.0,
                help="time limit of each method's fine-tuning (stops the epoch loop)")
ap.add_argument("--out", default=None, help="folder for the exported models and results.json")
ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()

torch.set_num_threads(a.threads)
out_dir = a.out or tempfile.mkdtemp(prefix="lutmlir-finetune-")
os.makedirs(out_dir, exist_ok=True)
xtr, ytr = fmnist.load("train")
xte, yte = fmnist.load("test")
cal = xtr[np.random.default_rng(0).permutation(len(xtr))[:12000]]


def native_accuracy(m):
    """Test accuracy of a compiled model over all 10,000 images, in its
    batch (the static batch of the export)."""
    batch = m.inputs[0].shape[0]
    correct = 0
    for i in range(0, len(xte), batch):
        (logits,) = m.run(xte[i:i + batch])
        correct += int((logits.argmax(1) == yte[i:i + batch]).sum())
    return correct / len(xte)


def macs(path):
    return lutmlir.ir.count_macs(lutmlir.ir.import_onnx(path))


rows = []
t0 = time.time()
dense = lutmlir.compile(a.onnx, threads=a.threads, progress=False)
dense_macs = macs(a.onnx)
rows.append(("dense", native_accuracy(dense), dense_macs, 0.0))
print(f"dense: {100 * rows[-1][1]:.2f}%, {dense_macs / 1e6:.1f} M MACs per batch of "
      f"{dense.inputs[0].shape[0]} ({time.time() - t0:.0f} s)", flush=True)
t0 = time.time()
spec = f"lsh:tables={a.tables},bits={a.bits},projection=hidden"
post = lutmlir.compile(a.onnx, lut=spec, calibration=cal, threads=a.threads, progress=False)
post_macs = post.report["model"]["macs_after"]
# The same fit as arrays, to start the LookupFFN fine-tuning from.
fit = lutmlir.fit_tables(a.onnx, lut=spec, calibration=cal, progress=False)
rows.append((f"post-training LSH ({spec}, f32)", native_accuracy(post), post_macs, 0.0))
print(f"post-training: {100 * rows[-1][1]:.2f}% ({time.time() - t0:.0f} s)", flush=True)

sd = state_dict_from_onnx(onnx.load(a.onnx))
teacher = ViT(**hyperparameters(sd))
teacher.load_state_dict(sd, strict=True)
teacher.eval()
for p in teacher.parameters():
    p.requires_grad_(False)

xtr_t, ytr_t = torch.from_numpy(xtr), torch.from_numpy(ytr)


def batches(seed, count=None):
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(xtr_t), generator=g)
    n = len(xtr_t) // a.batch if count is None else count
    return [(xtr_t[perm[i * a.batch:(i + 1) * a.batch]], ytr_t[perm[i * a.batch:(i + 1) * a.batch]])
            for i in range(n)]


def fit_thresholds(student, names):
    """Each weightless layer's thermometer from its FFN's inputs on the
    calibration images."""
    mods = dict(student.named_modules())
    seen = {n: [] for n in names}
    hooks = [mods[n].register_forward_pre_hook(lambda m, args, n=n: seen[n].append(args[0]))
             for n in names]
    with torch.no_grad():
        for i in range(0, 2000, 500):
            student(torch.from_numpy(cal[i:i + 500]))
    for h in hooks:
        h.remove()
    for n in names:
        mods[n].fit_thresholds(torch.cat(seen[n]).reshape(-1, mods[n].d_in))


class Deadline(Exception):
    pass


def finetune(method):
    torch.manual_seed(a.seed)
    student = copy.deepcopy(teacher)
    for p in student.parameters():
        p.requires_grad_(True)
    if method == "lookup" and a.lookup_init == "fit":
        replaced = lt.convert(student, method, fit=fit)
    elif method == "lookup":
        replaced = lt.convert(student, method, tables=a.tables, bits=a.bits)
    else:
        replaced = lt.convert(student, method, bits=a.thermometer_bits,
                              luts_per_output=a.luts_per_output, fan_in=a.fan_in)
    if method == "weightless":
        fit_thresholds(student, list(replaced))
    ffn_lr = a.ffn_lr or (3e-3 if method == "lookup" else 1e-2)
    full = len(xtr) // a.batch
    ffn_batches = batches(a.seed + 1, max(1, int(a.ffn_epochs * full)))
    start = time.time()
    last = {"stage": None}

    def progress(stage, step, loss):
        if time.time() - start > 60 * a.minutes:
            raise Deadline()
        if stage != last["stage"] or step % 100 == 0:
            last["stage"] = stage
            print(f"  {method} {stage} step {step}: loss {loss:.4f} "
                  f"({time.time() - start:.0f} s)", flush=True)

    try:
        # The end-to-end stage is one pass over `epochs` reshuffled copies
        # of the training set, so that one cosine schedule spans them all.
        train = [b for e in range(a.epochs) for b in batches(a.seed + 2 + e)]
        lt.distill(student, teacher, train, ffn_batches=ffn_batches, ffn_epochs=1, epochs=1,
                   lr=a.lr, ffn_lr=ffn_lr, schedule="cosine", progress=progress,
                   task_loss=lambda out, y: F.cross_entropy(out, y, label_smoothing=0.1))
        stopped = ""
    except Deadline:
        stopped = f" (stopped at the {a.minutes:g}-minute limit)"
    student.eval()
    minutes = (time.time() - start) / 60
    print(f"  {method}: fine-tuned in {minutes:.1f} min{stopped}", flush=True)
    path = os.path.join(out_dir, f"vit_{method}.onnx")
    lt.export(student, torch.from_numpy(xte[:100]), path, input_names=["pixels"],
              output_names=["logits"])
    m = lutmlir.compile(path, threads=a.threads, progress=False)
    init = "from lutc's fit, unscored" if a.lookup_init == "fit" else "scored, random init"
    desc = (f"fine-tuned LookupFFN (H={a.tables}, k={a.bits}, dense projection, {init})"
            if method == "lookup" else
            f"fine-tuned weightless (B={a.thermometer_bits}, {a.luts_per_output} LUTs per "
            f"output, n={a.fan_in})")
    return desc, native_accuracy(m), macs(path), minutes


def dense_control():
    torch.manual_seed(a.seed)
    model = copy.deepcopy(teacher)
    for p in model.parameters():
        p.requires_grad_(True)
    train = [b for e in range(a.epochs) for b in batches(a.seed + 2 + e)]
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, len(train))
    start = time.time()
    model.train()
    for step, (x, y) in enumerate(train, 1):
        loss = F.cross_entropy(model(x), y, label_smoothing=0.1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 500 == 0:
            print(f"  dense control step {step}: loss {loss.item():.4f} "
                  f"({time.time() - start:.0f} s)", flush=True)
    minutes = (time.time() - start) / 60
    path = os.path.join(out_dir, "vit_dense_control.onnx")
    lt.export(model, torch.from_numpy(xte[:100]), path, input_names=["pixels"],
              output_names=["logits"])
    m = lutmlir.compile(path, threads=a.threads, progress=False)
    return (f"control: dense, trained {a.epochs} more epochs", native_accuracy(m), macs(path),
            minutes)


if a.control:
    rows.append(dense_control())
    print(f"{rows[-1][0]}: {100 * rows[-1][1]:.2f}%", flush=True)

methods = {"both": ["lookup", "weightless"], "none": []}.get(a.method, [a.method])
for method in methods:
    rows.append(finetune(method))
    print(f"{rows[-1][0]}: {100 * rows[-1][1]:.2f}%", flush=True)

print()
print(f"| model | test accuracy (native) | vs dense | MACs per batch of 100 | "
      f"multiplications removed | fine-tuning |")
print("|---|---|---|---|---|---|")
for name, acc, m, minutes in rows:
    print(f"| {name} | {100 * acc:.2f}% | {100 * (acc - rows[0][1]):+.2f} | {m / 1e6:.1f} M | "
          f"{100 * (1 - m / dense_macs):.1f}% | {f'{minutes:.1f} min' if minutes else '-'} |")
with open(os.path.join(out_dir, "results.json"), "w") as f:
    json.dump([dict(model=r[0], accuracy=r[1], macs=r[2], minutes=r[3]) for r in rows], f,
              indent=1)
print(f"\nexported models and results.json in {out_dir}")
