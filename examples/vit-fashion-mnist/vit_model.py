"""The ViT of this example, as PyTorch modules: pre-norm blocks (LayerNorm,
multi-head attention, LayerNorm, Linear-GELU-Linear MLP), a class token,
learned positions, and a patch embedding by a Conv whose stride equals its
kernel. The defaults are the shipped Fashion-MNIST model (train.py); the
benchmark builds a ViT-B/16-sized one from the same classes
(bench/models.py).
"""
import torch
import torch.nn as nn


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
    """Input [batch, channels, image, image]; output [batch, classes] logits."""

    def __init__(self, d=96, depth=4, heads=4, d_ff=384, patch=7, classes=10, image=28, channels=1):
        super().__init__()
        n = (image // patch) ** 2
        self.patch = nn.Conv2d(channels, d, patch, patch)
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
