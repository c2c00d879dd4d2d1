#!/usr/bin/python3
"""Export one GPT-2-style pre-norm decoder block with a dynamic sequence length.

The block is export_models.GPTBlock (LayerNorm, causal self-attention with 4
heads written out with matmul/softmax, LayerNorm, tanh-GELU MLP), d=64,
d_ff=256, LayerNorm affines randomised. The causal mask is built inside the
graph from the input's length (torch.triu on a [seq, seq] boolean matrix), so
nothing depends on the traced length. Input "x" [1, seq, 64] float32, output
"y" [1, seq, 64]; "seq" is a dim_param. Opset 17, TorchScript exporter,
do_constant_folding=True, traced at seq 17.

Writes into --out-dir: gpt_block.onnx, and for seq in 1, 17, 128
gpt_block.seq<N>.input.npy (fixed seed) and gpt_block.seq<N>.expected.npy
(the PyTorch output). Prints the op types of the exported graph.

Must run with Debian's /usr/bin/python3 (torch 1.13, onnx 1.12).
"""

import argparse
import collections
import inspect
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_models import GPTBlock  # noqa: E402

SEED = 4321
DIM, HEADS = 64, 4
SEQS = (1, 17, 128)


class CausalBlock(nn.Module):
    """GPTBlock with its causal mask derived from the input length."""

    def __init__(self):
        super().__init__()
        self.block = GPTBlock(DIM, HEADS)
        # Non-trivial LayerNorm affines, so the test exercises them (with the
        # default ones/zeros the exporter also merges ln1/ln2 into Identity).
        for ln in (self.block.ln1, self.block.ln2):
            nn.init.normal_(ln.weight, 1.0, 0.1)
            nn.init.normal_(ln.bias, 0.0, 0.1)

    def forward(self, x):
        T = x.shape[1]
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool, device=x.device), diagonal=1)
        return self.block(x, causal.view(1, 1, T, T))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", required=True)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    torch.set_num_threads(1)

    torch.manual_seed(SEED)
    model = CausalBlock().eval()
    for i, seq in enumerate(SEQS):
        x = torch.randn(1, seq, DIM, generator=torch.Generator().manual_seed(SEED + 1 + i))
        with torch.no_grad():
            y = model(x)
        base = os.path.join(args.out_dir, "gpt_block.seq%d" % seq)
        np.save(base + ".input.npy", x.numpy())
        np.save(base + ".expected.npy", y.numpy())
        print("seq %d: wrote %s.{input,expected}.npy" % (seq, base))

    path = os.path.join(args.out_dir, "gpt_block.onnx")
    kw = dict(opset_version=17, input_names=["x"], output_names=["y"], do_constant_folding=True,
              dynamic_axes={"x": {1: "seq"}, "y": {1: "seq"}})
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kw["dynamo"] = False  # the TorchScript exporter
    torch.onnx.export(model, (torch.randn(1, 17, DIM),), path, **kw)
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
    print("exported %s: %d nodes, x%s -> y%s" % (path, len(m.graph.node), dims(m.graph.input[0]),
                                                 dims(m.graph.output[0])))
    counts = collections.Counter(n.op_type for n in m.graph.node)
    print("  op types: " + ", ".join("%s x%d" % kv for kv in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
