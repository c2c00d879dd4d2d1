#!/usr/bin/env python3
"""A character-level GPT on Debian's `fortunes`, dense and with LUT FFNs,
every model compiled by lut-mlir and evaluated natively.

1. Trains the dense CharGPT (model.py: 4 blocks, d=128, d_ff=512, context
   64) on the training fortunes (data.py: a fixed split, every 10th
   fortune held out), with a fixed seed, AdamW and a one-cycle learning
   rate, for --steps batches of 32 random 64-character windows
   (--minutes-train caps it). The checkpoint is kept in --out and reused
   by later runs (--retrain trains again).
2. Exports it to ONNX (batch 32 x 64 characters) and compiles:
   - dense;
   - post-training LSH (lutc --lut=lsh, calibrated on 1,000 training
     windows of 64 characters);
   - fine-tuned LookupFFN (lutmlir.torch.convert + distill: per-FFN
     matching, then end to end on the next-character loss), exported with
     the lutmlir ONNX ops; from random tables, or with --lookup-init fit
     from the post-training fit (lutmlir.fit_tables);
   - fine-tuned weightless FFNs, the same way;
   - a control: the dense model trained for as many more end-to-end steps
     as LookupFFN's fine-tuning (fine-tuning also trains attention and the
     embeddings, so this separates the LUT layers' effect from more
     training).
3. Prints, for each, the validation loss in nats per character (the mean
   over every position of non-overlapping 64-character windows of the
   validation text, from the natively computed logits), the multiplications
   per batch (lutmlir.ir.count_macs), and a few lines each model generates
   natively from the same prompt (temperature 0.8, fixed seed).

    PYTHONPATH=build/python:python-bindings /usr/bin/python3 examples/char-gpt/char_gpt.py
"""
import argparse
import copy
import json
import os
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

import lutmlir
import lutmlir.torch as lt

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data  # noqa: E402
from model import CharGPT  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                             formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "lutmlir-char-gpt"),
                help="folder for the checkpoint, the ONNX models and results.json")
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--minutes-train", type=float, default=15.0, help="dense training time limit")
ap.add_argument("--steps", type=int, default=1500, help="dense training steps (batches of 32)")
ap.add_argument("--minutes-finetune", type=float, default=8.0,
                help="time limit of each LUT method's fine-tuning")
ap.add_argument("--lookup-steps", type=int, nargs=2, default=[200, 600], metavar=("FFN", "E2E"),
                help="LookupFFN: per-FFN matching and end-to-end steps")
ap.add_argument("--weightless-steps", type=int, nargs=2, default=[100, 300],
                metavar=("FFN", "E2E"), help="weightless: per-FFN matching and end-to-end steps")
ap.add_argument("--tables", type=int, default=32, help="LookupFFN and post-training LSH: H")
ap.add_argument("--bits", type=int, default=8, help="LookupFFN and post-training LSH: k")
ap.add_argument("--lookup-init", choices=["random", "fit"], default="random",
                help="LookupFFN: random tables (scored LookupFFN), or lutc's post-training fit "
                     "of the same H and k (lutmlir.fit_tables; unscored, starting from the "
                     "post-training model exactly)")
ap.add_argument("--methods", default="lookup,weightless")
ap.add_argument("--no-dense-extra", action="store_true",
                help="skip the control: the dense model trained end to end for as many more "
                     "steps as LookupFFN's fine-tuning (distill's second stage, same schedule)")
ap.add_argument("--retrain", action="store_true")
ap.add_argument("--sample-chars", type=int, default=160)
a = ap.parse_args()

torch.set_num_threads(a.threads)
os.makedirs(a.out, exist_ok=True)
train, val = data.load()
T, B = 64, 32
print(f"fortunes: {len(train)} training and {len(val)} validation characters "
      f"({len(data.files())} files)", flush=True)


def windows(text, count, rng):
    starts = rng.integers(0, len(text) - T - 1, count)
    x = np.stack([text[s:s + T] for s in starts]).astype(np.int64)
    y = np.stack([text[s + 1:s + T + 1] for s in starts]).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def lm_loss(logits, y):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


ckpt = os.path.join(a.out, "char_gpt.pt")
torch.manual_seed(0)
dense = CharGPT()
if os.path.exists(ckpt) and not a.retrain:
    dense.load_state_dict(torch.load(ckpt))
    print(f"dense: loaded {ckpt}", flush=True)
else:
    rng = np.random.default_rng(0)
    opt = torch.optim.AdamW(dense.parameters(), lr=3e-3, weight_decay=0.05, betas=(0.9, 0.95))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=a.steps, pct_start=0.05)
    t0 = time.time()
    for step in range(1, a.steps + 1):
        x, y = windows(train, B, rng)
        loss = lm_loss(dense(x), y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(dense.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 250 == 0 or step == 1:
            print(f"  dense step {step}/{a.steps}: loss {loss.item():.3f} "
                  f"({time.time() - t0:.0f} s)", flush=True)
        if time.time() - t0 > 60 * a.minutes_train:
            print(f"  stopped at the {a.minutes_train:g}-minute limit after {step} steps",
                  flush=True)
            break
    torch.save(dense.state_dict(), ckpt)
    print(f"dense: trained in {(time.time() - t0) / 60:.1f} min, saved {ckpt}", flush=True)
dense.eval()

# The validation windows: non-overlapping, in batches of B (a last partial
# batch is dropped).
nwin = (len(val) - 1) // T // B * B
val_x = np.stack([val[i * T:(i + 1) * T] for i in range(nwin)]).astype(np.int64)
val_y = np.stack([val[i * T + 1:(i + 1) * T + 1] for i in range(nwin)]).astype(np.int64)
example = torch.from_numpy(val_x[:B])


def native_loss(m):
    total = 0.0
    for i in range(0, nwin, B):
        (logits,) = m.run(val_x[i:i + B])
        z = logits - logits.max(-1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
        total += -np.take_along_axis(logp, val_y[i:i + B, :, None], -1).sum()
    return total / (nwin * T)


PROMPT = "A programmer is a "


def generate(m, seed=0):
    """Samples --sample-chars characters natively (temperature 0.8), the
    window sliding over the last 64 characters; row 0 of the batch."""
    rng = np.random.default_rng(seed)
    ids = list(val[:T - len(PROMPT)]) + [ord(c) for c in PROMPT]
    out = []
    for _ in range(a.sample_chars):
        x = np.zeros((B, T), np.int64)
        x[0] = ids[-T:]
        (logits,) = m.run(x)
        z = logits[0, -1] / 0.8
        p = np.exp(z - z.max())
        c = int(rng.choice(len(p), p=p / p.sum()))
        ids.append(c)
        out.append(c)
    return PROMPT + data.decode(out)


def compile_and_measure(name, path, **kw):
    t0 = time.time()
    m = lutmlir.compile(path, threads=a.threads, progress=False, **kw)
    macs = (m.report["model"]["macs_after"] if m.report
            else lutmlir.ir.count_macs(lutmlir.ir.import_onnx(path)))
    loss = native_loss(m)
    text = generate(m)
    print(f"{name}: validation loss {loss:.4f} nats/char, {macs / 1e6:.1f} M MACs per batch "
          f"({time.time() - t0:.0f} s)", flush=True)
    return dict(model=name, val_loss=loss, macs=macs, sample=text)


rows = []
dense_path = os.path.join(a.out, "char_gpt.onnx")
lt.export(dense, example, dense_path, input_names=["ids"], output_names=["logits"])
rows.append(compile_and_measure("dense", dense_path))
rng = np.random.default_rng(1)
cal = windows(train, 1000, rng)[0].numpy()
spec = f"lsh:tables={a.tables},bits={a.bits},projection=hidden"
rows.append(compile_and_measure(f"post-training LSH ({spec})", dense_path, lut=spec,
                                calibration=cal))


class Deadline(Exception):
    pass


if not a.no_dense_extra:
    # The control: fine-tuning also trains attention and embeddings, so the
    # dense model gets the same end-to-end steps, learning rate and schedule.
    extra = copy.deepcopy(dense)
    erng = np.random.default_rng(2)
    [windows(train, B, erng) for _ in range(a.lookup_steps[0])]  # the same draws as LookupFFN
    ebatches = [windows(train, B, erng) for _ in range(a.lookup_steps[1])]
    opt = torch.optim.AdamW(extra.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, len(ebatches))
    t0 = time.time()
    extra.train()
    for x, y in ebatches:
        loss = lm_loss(extra(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    extra.eval()
    print(f"  dense control: {len(ebatches)} more steps in {(time.time() - t0) / 60:.1f} min",
          flush=True)
    path = os.path.join(a.out, "char_gpt_dense_extra.onnx")
    lt.export(extra, example, path, input_names=["ids"], output_names=["logits"])
    rows.append(compile_and_measure(f"dense, {len(ebatches)} more steps (control)", path))


for method in [m for m in a.methods.split(",") if m]:
    torch.manual_seed(0)
    student = copy.deepcopy(dense)
    if method == "lookup" and a.lookup_init == "fit":
        fit = lutmlir.fit_tables(dense_path, lut=spec, calibration=cal, progress=False)
        replaced = lt.convert(student, method, fit=fit)
    elif method == "lookup":
        replaced = lt.convert(student, method, tables=a.tables, bits=a.bits)
    else:
        replaced = lt.convert(student, method, bits=8, luts_per_output=16, fan_in=6)
    if method == "weightless":
        mods = dict(student.named_modules())
        seen = {n: [] for n in replaced}
        hooks = [mods[n].register_forward_pre_hook(lambda mod, args, n=n: seen[n].append(args[0]))
                 for n in replaced]
        with torch.no_grad():
            student(torch.from_numpy(cal[:512]))
        for h in hooks:
            h.remove()
        for n in replaced:
            mods[n].fit_thresholds(torch.cat(seen[n]))
    frng = np.random.default_rng(2)
    ffn_steps, e2e_steps = a.lookup_steps if method == "lookup" else a.weightless_steps
    ffn_batches = [windows(train, B, frng) for _ in range(ffn_steps)]
    batches = [windows(train, B, frng) for _ in range(e2e_steps)]
    start = time.time()

    def progress(stage, step, loss):
        if time.time() - start > 60 * a.minutes_finetune:
            raise Deadline()
        if step % 100 == 0:
            print(f"  {method} {stage} step {step}: loss {loss:.4f} "
                  f"({time.time() - start:.0f} s)", flush=True)

    stopped = ""
    try:
        lt.distill(student, dense, batches, ffn_batches=ffn_batches, lr=1e-3,
                   ffn_lr=3e-3 if method == "lookup" else 1e-2, schedule="cosine",
                   task_loss=lm_loss, progress=progress)
    except Deadline:
        stopped = f", stopped at the {a.minutes_finetune:g}-minute limit"
    student.eval()
    print(f"  {method}: fine-tuned in {(time.time() - start) / 60:.1f} min{stopped}", flush=True)
    path = os.path.join(a.out, f"char_gpt_{method}.onnx")
    lt.export(student, example, path, input_names=["ids"], output_names=["logits"])
    name = (f"fine-tuned LookupFFN (H={a.tables}, k={a.bits}, "
            f"{'from lutc' + chr(39) + 's fit' if a.lookup_init == 'fit' else 'random init'})"
            if method == "lookup"
            else "fine-tuned weightless (B=8, 16 LUTs per output, n=6)")
    rows.append(compile_and_measure(name, path))

print()
print("| model | validation loss (nats/char) | vs dense | MACs per batch of 32 x 64 |")
print("|---|---|---|---|")
for r in rows:
    print(f"| {r['model']} | {r['val_loss']:.4f} | {r['val_loss'] - rows[0]['val_loss']:+.4f} | "
          f"{r['macs'] / 1e6:.1f} M |")
print()
for r in rows:
    print(f"--- {r['model']} ---\n{r['sample']}\n")
with open(os.path.join(a.out, "results.json"), "w") as f:
    json.dump(rows, f, indent=1)
print(f"models and results.json in {a.out}")
