"""A small character-level GPT: token and position embeddings, pre-norm
blocks (causal multi-head self-attention written as matmul/softmax, then a
Linear-GELU-Linear MLP), a final LayerNorm and a head tied to the token
embedding (GPT-2's layout, at a small size).

Input: ids [batch, T] int64 in [0, vocab); output: logits [batch, T, vocab],
position t predicting character t+1.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads, self.hd = heads, d // heads
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)

    def forward(self, x, hidden):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.heads, self.hd).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(self.hd)
        att = F.softmax(att.masked_fill(hidden, float("-inf")), dim=-1)
        return self.proj((att @ v).transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    def __init__(self, d, heads, d_ff):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = Attention(d, heads)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, d_ff), nn.GELU(), nn.Linear(d_ff, d))

    def forward(self, x, hidden):
        x = x + self.attn(self.ln1(x), hidden)
        return x + self.mlp(self.ln2(x))


class CharGPT(nn.Module):
    def __init__(self, vocab=128, context=64, d=128, heads=4, layers=4, d_ff=512):
        super().__init__()
        self.context = context
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(context, d)
        self.blocks = nn.ModuleList([Block(d, heads, d_ff) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        self.head.weight = self.wte.weight
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
                if getattr(m, "bias", None) is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, ids):
        B, T = ids.shape
        x = self.wte(ids) + self.wpe(torch.arange(T, device=ids.device))
        # key j is hidden from query i when j > i (exported as Trilu)
        hidden = torch.triu(torch.ones(T, T, dtype=torch.bool, device=ids.device), 1)
        hidden = hidden.view(1, 1, T, T)
        for b in self.blocks:
            x = b(x, hidden)
        return self.head(self.ln_f(x))
