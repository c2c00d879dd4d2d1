"""Exports small PyTorch models whose FFNs lut-detect-mlp must find (and
nothing else): a pre-norm ViT (GELU-erf), a post-norm BERT encoder (ReLU), a
GPT block stack (tanh-GELU), a LLaMA-style stack (RMSNorm, SwiGLU, no
biases), a GEGLU block with biases, and a SiLU FFN on 2-D input (Gemm).

Usage: /usr/bin/python3 export_ffn_models.py MODEL OUT.onnx
"""
import sys
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
name, out = sys.argv[1], sys.argv[2]
D, FF, T, B = 32, 64, 8, 2


class Attn(nn.Module):
    def __init__(self, d, heads=4, bias=True, causal=False):
        super().__init__()
        self.h, self.causal = heads, causal
        self.qkv = nn.Linear(d, 3 * d, bias=bias)
        self.proj = nn.Linear(d, d, bias=bias)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).split(c, 2)
        q, k, v = (z.view(b, t, self.h, c // self.h).transpose(1, 2) for z in (q, k, v))
        a = q @ k.transpose(-1, -2) / (c // self.h) ** 0.5
        if self.causal:
            a = a.masked_fill(torch.triu(torch.ones(t, t, dtype=torch.bool), 1), float("-inf"))
        y = (a.softmax(-1) @ v).transpose(1, 2).reshape(b, t, c)
        return self.proj(y)


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.w, self.eps = nn.Parameter(torch.ones(d) + 0.1 * torch.randn(d)), eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.w


class Mlp(nn.Module):
    def __init__(self, act, bias=True):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(D, FF, bias=bias), act, nn.Linear(FF, D, bias=bias)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Gated(nn.Module):
    def __init__(self, act, bias):
        super().__init__()
        self.gate, self.up, self.down = (nn.Linear(D, FF, bias=bias), nn.Linear(D, FF, bias=bias),
                                         nn.Linear(FF, D, bias=bias))
        self.act = act

    def forward(self, x):
        return self.down(self.act(self.gate(x)) * self.up(x))


class PreNorm(nn.Module):
    def __init__(self, norm, mlp, causal=False, bias=True):
        super().__init__()
        self.norm1, self.attn, self.norm2, self.mlp = norm(), Attn(D, bias=bias, causal=causal), norm(), mlp

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PostNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn, self.norm1, self.mlp, self.norm2 = Attn(D), nn.LayerNorm(D), Mlp(nn.ReLU()), nn.LayerNorm(D)

    def forward(self, x):
        x = self.norm1(x + self.attn(x))
        return self.norm2(x + self.mlp(x))


class Stack(nn.Module):
    def __init__(self, blocks, head_norm):
        super().__init__()
        self.blocks, self.norm, self.head = nn.ModuleList(blocks), head_norm, nn.Linear(D, 10)

    def forward(self, x):
        for b in self.blocks:
            x = b(x)
        return self.head(self.norm(x))


ln = lambda: nn.LayerNorm(D)
models = {
    "vit": lambda: Stack([PreNorm(ln, Mlp(nn.GELU())) for _ in range(2)], nn.LayerNorm(D)),
    "bert": lambda: Stack([PostNorm() for _ in range(2)], nn.Identity()),
    "gpt": lambda: Stack([PreNorm(ln, Mlp(nn.GELU(approximate="tanh")), causal=True) for _ in range(2)],
                         nn.LayerNorm(D)),
    "llama": lambda: Stack([PreNorm(lambda: RMSNorm(D), Gated(nn.SiLU(), bias=False), causal=True, bias=False)
                            for _ in range(2)], RMSNorm(D)),
    "geglu": lambda: Gated(nn.GELU(), bias=True),
}
if name == "rms_swiglu":
    # A lone pre-norm SwiGLU block on the graph input: RMSNorm's chain of
    # generics (with a rank-0 exponent constant) is all data-free fitting
    # has to find the normalization's gain in; d = 96, so that the gain is
    # a dense_resource (over the importer's 64-element threshold).
    D, FF = 96, 192

    class RmsSwiGlu(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm, self.mlp = RMSNorm(D), Gated(nn.SiLU(), bias=False)

        def forward(self, x):
            return x + self.mlp(self.norm(x))
    models["rms_swiglu"] = RmsSwiGlu
if name == "silu_gemm":
    m, x = Mlp(nn.SiLU()), torch.randn(B * T, D)
else:
    m, x = models[name](), torch.randn(B, T, D)
torch.onnx.export(m.eval(), (x,), out, opset_version=17, do_constant_folding=True)
