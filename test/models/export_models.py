#!/usr/bin/python3
"""Build three small transformers in PyTorch and export them to ONNX.

  vit   a small ViT: Conv2d patch embedding, cls token, position embedding,
        pre-norm blocks (LayerNorm), multi-head attention written out with
        matmul/softmax, erf-GELU MLP, classification head.      opset 17
  bert  a post-norm BERT-style encoder: token embedding (Gather on int64
        input_ids), position embedding, a padding attention_mask input applied
        with masked_fill (Where), ReLU FFN, 2 layers.            opset 14
  gpt   a GPT-style decoder: causal mask built inside the graph with
        torch.triu + masked_fill, tanh-GELU MLP, 2 pre-norm blocks, tied LM
        head.
                                                                 opset 17

All weights come from a fixed seed; models are exported in eval mode with static
shapes and do_constant_folding=True.  For each model NAME this writes
NAME.onnx, NAME.input_<i>.npy (in graph-input order) and NAME.expected_<i>.npy
(the PyTorch outputs), and prints the ONNX op types the model contains.

Must run with Debian's /usr/bin/python3 (torch 1.13, onnx 1.12).
"""

import argparse
import collections
import math
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 1234


# --------------------------------------------------------------------------
# Shared pieces


class MultiHeadAttention(nn.Module):
    """Self-attention written out with matmul/softmax (no nn.MultiheadAttention)."""

    def __init__(self, dim, heads):
        super().__init__()
        assert dim % heads == 0
        self.heads = heads
        self.head_dim = dim // heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, mask=None):
        # x: [B, T, C]; mask: bool, True where attention is NOT allowed,
        # broadcastable to [B, heads, T, T].
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q = q.view(B, T, self.heads, self.head_dim).transpose(1, 2)
        k = k.view(B, T, self.heads, self.head_dim).transpose(1, 2)
        v = v.view(B, T, self.heads, self.head_dim).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim)
        if mask is not None:
            att = att.masked_fill(mask, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = att @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.proj(y)


# --------------------------------------------------------------------------
# (a) ViT


class ViTBlock(nn.Module):
    def __init__(self, dim, heads, mlp_dim):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = MultiHeadAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Linear(mlp_dim, dim))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        x = x + self.mlp(self.norm2(x))
        return x


class ViT(nn.Module):
    def __init__(self, image=28, patch=7, channels=1, dim=64, depth=2, heads=4, mlp_dim=128, classes=10):
        super().__init__()
        n = (image // patch) ** 2
        self.patch_embed = nn.Conv2d(channels, dim, kernel_size=patch, stride=patch)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, n + 1, dim) * 0.02)
        self.blocks = nn.ModuleList([ViTBlock(dim, heads, mlp_dim) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, img):
        x = self.patch_embed(img)             # [B, dim, 4, 4]
        x = x.flatten(2).transpose(1, 2)      # [B, 16, dim]
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        x = self.norm(x)
        return self.head(x[:, 0])


# --------------------------------------------------------------------------
# (b) BERT-style encoder (post-norm)


class BertLayer(nn.Module):
    def __init__(self, dim, heads, ffn_dim):
        super().__init__()
        self.attn = MultiHeadAttention(dim, heads)
        self.norm1 = nn.LayerNorm(dim, eps=1e-12)
        self.ffn = nn.Sequential(nn.Linear(dim, ffn_dim), nn.ReLU(), nn.Linear(ffn_dim, dim))
        self.norm2 = nn.LayerNorm(dim, eps=1e-12)

    def forward(self, x, mask):
        x = self.norm1(x + self.attn(x, mask))
        x = self.norm2(x + self.ffn(x))
        return x


class BertEncoder(nn.Module):
    def __init__(self, vocab=100, max_len=32, dim=64, heads=4, ffn_dim=128, layers=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Embedding(max_len, dim)
        self.norm = nn.LayerNorm(dim, eps=1e-12)
        self.layers = nn.ModuleList([BertLayer(dim, heads, ffn_dim) for _ in range(layers)])
        self.pooler = nn.Linear(dim, dim)

    def forward(self, input_ids, attention_mask):
        # input_ids, attention_mask: int64 [B, T]; attention_mask is 1 for real
        # tokens, 0 for padding (keys that must not be attended to).
        T = input_ids.shape[1]
        positions = torch.arange(T, device=input_ids.device).unsqueeze(0)
        x = self.norm(self.tok(input_ids) + self.pos(positions))
        mask = (attention_mask == 0)[:, None, None, :]   # [B, 1, 1, T]
        for layer in self.layers:
            x = layer(x, mask)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        return x, pooled


# --------------------------------------------------------------------------
# (c) GPT-style decoder


class GPTBlock(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = MultiHeadAttention(dim, heads)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(approximate="tanh"), nn.Linear(4 * dim, dim))

    def forward(self, x, causal):
        x = x + self.attn(self.ln1(x), causal)
        x = x + self.mlp(self.ln2(x))
        return x


class GPT(nn.Module):
    def __init__(self, vocab=128, block_size=32, dim=64, heads=4, layers=2):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.wpe = nn.Embedding(block_size, dim)
        self.blocks = nn.ModuleList([GPTBlock(dim, heads) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying, as in GPT-2
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module):
        # GPT-2 / nanoGPT initialisation (std 0.02); biases keep PyTorch's
        # default non-zero init so that the test exercises them.
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx):
        B, T = idx.shape
        pos = torch.arange(0, T, dtype=torch.long, device=idx.device)
        x = self.wte(idx) + self.wpe(pos)
        # Causal mask: key j is hidden from query i when j > i.  (With static
        # shapes torch 1.13 folds arange/comparisons at trace time; torch.triu
        # stays in the graph as Trilu.)
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool, device=idx.device), diagonal=1)
        causal = causal.view(1, 1, T, T)
        for blk in self.blocks:
            x = blk(x, causal)
        return self.lm_head(self.ln_f(x))


# --------------------------------------------------------------------------


def make_models():
    """Returns [(name, module, inputs tuple, input names, output names, opset)]."""
    torch.manual_seed(SEED)
    vit = ViT()
    img = torch.randn(1, 1, 28, 28)

    torch.manual_seed(SEED + 1)
    bert = BertEncoder()
    input_ids = torch.randint(0, 100, (2, 16), dtype=torch.int64)
    attention_mask = torch.ones(2, 16, dtype=torch.int64)
    attention_mask[1, 11:] = 0  # second sequence has 5 padding tokens
    input_ids[1, 11:] = 0

    torch.manual_seed(SEED + 2)
    gpt = GPT()
    idx = torch.randint(0, 128, (1, 24), dtype=torch.int64)

    return [
        ("vit", vit, (img,), ["image"], ["logits"], 17),
        ("bert", bert, (input_ids, attention_mask), ["input_ids", "attention_mask"],
         ["last_hidden_state", "pooled"], 14),
        ("gpt", gpt, (idx,), ["input_ids"], ["logits"], 17),
    ]


def op_types(model):
    """Op types in the graph and in any subgraphs, with counts."""
    counts = collections.Counter()

    def walk(graph):
        for n in graph.node:
            counts[(n.domain + "." if n.domain else "") + n.op_type] += 1
            for a in n.attribute:
                if a.type == onnx.AttributeProto.GRAPH:
                    walk(a.g)
                for g in a.graphs:
                    walk(g)
    walk(model.graph)
    return counts


def export(name, module, inputs, input_names, output_names, opset, out_dir):
    module.eval()
    with torch.no_grad():
        expected = module(*inputs)
    if isinstance(expected, torch.Tensor):
        expected = (expected,)
    path = os.path.join(out_dir, name + ".onnx")
    torch.onnx.export(module, inputs, path, opset_version=opset, do_constant_folding=True,
                      input_names=input_names, output_names=output_names, dynamic_axes=None)
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    graph_inputs = [i.name for i in model.graph.input
                    if i.name not in {t.name for t in model.graph.initializer}]
    if graph_inputs != input_names:
        sys.exit("%s: exported graph inputs %s, expected %s" % (name, graph_inputs, input_names))
    for i, t in enumerate(inputs):
        np.save(os.path.join(out_dir, "%s.input_%d.npy" % (name, i)), t.numpy())
    for i, t in enumerate(expected):
        np.save(os.path.join(out_dir, "%s.expected_%d.npy" % (name, i)), t.numpy())
    counts = op_types(model)
    print("%s: opset %d, %d nodes, inputs %s, outputs %s" % (
        name, opset, sum(counts.values()),
        ", ".join("%s%s:%s" % (n, list(t.shape), t.dtype) for n, t in zip(input_names, inputs)),
        ", ".join("%s%s" % (n, list(t.shape)) for n, t in zip(output_names, expected))))
    print("  op types: " + ", ".join("%s x%d" % (k, v) for k, v in sorted(counts.items())))
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--only", action="append", help="export only this model (repeatable)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    for name, module, inputs, in_names, out_names, opset in make_models():
        if args.only and name not in args.only:
            continue
        export(name, module, inputs, in_names, out_names, opset, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
