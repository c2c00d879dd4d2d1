"""The models of lut-mlir's benchmark (bench/run.py), written as ONNX files.

Every model has static shapes (one file per token count or batch) and
random weights (seeded), except the example ViT, which is the shipped
Fashion-MNIST model. Each function returns (path, inputs), where inputs is a
list of float32 arrays in graph-input order.

  ffn(d, h, tokens)     LayerNorm -> Linear(d, h) -> GELU -> Linear(h, d),
                        plus the residual: the transformer FFN block; input
                        [1, tokens, d]
  swiglu(d, h, tokens)  LLaMA's FFN: RMSNorm -> W2(SiLU(W1 x) * W3 x), plus
                        the residual; input [1, tokens, d]
  vit_b16()             a ViT-B/16-sized encoder (12 blocks, d=768, 12 heads,
                        MLP 3072, 224x224x3 images, 197 tokens); batch 1
  example_vit(batch)    examples/vit-fashion-mnist/vit.onnx, its batch
                        changed from 100 when batch != 100
"""
import os
import subprocess
import sys
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _torch():
    import torch
    torch.manual_seed(0)
    return torch


def _export(module, example, path, dynamic_dim=None):
    """Exports with the TorchScript exporter; `dynamic_dim` = (dim, name)
    makes that dim of x and y dynamic."""
    torch = _torch()
    module.eval()
    axes = None
    if dynamic_dim is not None:
        axes = {"x": {dynamic_dim[0]: dynamic_dim[1]}, "y": {dynamic_dim[0]: dynamic_dim[1]}}
    # With gradients on, nn.MultiheadAttention takes its exportable path
    # (under no_grad it calls aten::_native_multi_head_attention).
    torch.onnx.export(module, (example,), path, opset_version=17,
                      input_names=["x"], output_names=["y"], do_constant_folding=True,
                      dynamic_axes=axes)


def ffn(work, d, h, tokens, dynamic=False):
    path = os.path.join(work, f"ffn{d}x{h}_t{tokens}{'_dyn' if dynamic else ''}.onnx")
    torch = _torch()
    nn = torch.nn

    class Ffn(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.LayerNorm(d)
            self.mlp = nn.Sequential(nn.Linear(d, h), nn.GELU(), nn.Linear(h, d))
            with torch.no_grad():  # LayerNorm parameters that are not all ones/zeros
                self.norm.weight.uniform_(0.5, 1.5)
                self.norm.bias.uniform_(-0.1, 0.1)

        def forward(self, x):
            return x + self.mlp(self.norm(x))

    x = np.random.default_rng(1).standard_normal((1, tokens, d)).astype(np.float32)
    if not os.path.exists(path):
        _export(Ffn(), torch.from_numpy(x), path, (1, "tokens") if dynamic else None)
    return path, [x]


def swiglu(work, d, h, tokens, dynamic=False):
    path = os.path.join(work, f"swiglu{d}x{h}_t{tokens}{'_dyn' if dynamic else ''}.onnx")
    torch = _torch()
    nn = torch.nn

    class SwiGlu(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.rand(d) + 0.5)
            self.w1 = nn.Linear(d, h, bias=False)
            self.w3 = nn.Linear(d, h, bias=False)
            self.w2 = nn.Linear(h, d, bias=False)

        def forward(self, x):
            n = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * self.weight
            return x + self.w2(nn.functional.silu(self.w1(n)) * self.w3(n))

    x = np.random.default_rng(1).standard_normal((1, tokens, d)).astype(np.float32)
    if not os.path.exists(path):
        _export(SwiGlu(), torch.from_numpy(x), path, (1, "tokens") if dynamic else None)
    return path, [x]


def vit_b16(work, batch=1, dynamic=False):
    """The example's ViT (examples/vit-fashion-mnist/vit_model.py) at
    ViT-B/16's sizes: 224x224x3 images, 16x16 patches, 12 blocks, d=768, 12
    heads, MLP 3072, 1000 classes; random weights."""
    path = os.path.join(work, f"vit_b16_b{batch}{'_dyn' if dynamic else ''}.onnx")
    torch = _torch()
    sys.path.insert(0, os.path.join(ROOT, "examples", "vit-fashion-mnist"))
    from vit_model import ViT
    image = 224
    x = np.random.default_rng(1).standard_normal((batch, 3, image, image)).astype(np.float32)
    if not os.path.exists(path):
        vit = ViT(d=768, depth=12, heads=12, d_ff=3072, patch=16, classes=1000, image=image,
                  channels=3)
        _export(vit, torch.from_numpy(x), path, (0, "batch") if dynamic else None)
    return path, [x]


def _rebatch(src, dst, old, new, factors):
    """Rewrites the batch of a model exported with a fixed batch `old`: the
    graph input and output, and every small int64 constant that feeds a
    shape input (Reshape, Expand, ConstantOfShape, Equal/Where of
    shapes) and holds old * f for f in `factors` (PyTorch folds batch x heads
    and batch x tokens into such constants)."""
    import onnx
    from onnx import numpy_helper as nh
    m = onnx.load(src)
    for vi in list(m.graph.input) + list(m.graph.output):
        dim = vi.type.tensor_type.shape.dim[0]
        if dim.dim_value == old:
            dim.dim_value = new
    shape_users = {"Reshape": 1, "Expand": 1, "ConstantOfShape": 0, "Equal": None, "Where": None}
    feeds = set()
    for n in m.graph.node:
        if n.op_type in shape_users:
            i = shape_users[n.op_type]
            feeds.update(n.input if i is None else n.input[i:i + 1])
    for n in m.graph.node:
        if n.op_type != "Constant" or n.output[0] not in feeds:
            continue
        a = nh.to_array(n.attribute[0].t)
        if a.dtype != np.int64 or a.size > 8:
            continue
        b = a.copy()
        for f in factors:
            b[a == old * f] = new * f
        n.attribute[0].t.CopyFrom(nh.from_array(b, n.attribute[0].t.name))
    del m.graph.value_info[:]
    onnx.save(m, dst)


def example_vit(work, batch, dynamic=False):
    src = os.path.join(ROOT, "examples", "vit-fashion-mnist", "vit.onnx")
    x = np.random.default_rng(1).random((batch, 1, 28, 28), dtype=np.float32)
    if dynamic:
        path = os.path.join(work, "vit_fmnist_dyn.onnx")
        if not os.path.exists(path):
            subprocess.run([sys.executable, os.path.join(ROOT, "examples", "vit-fashion-mnist",
                                                         "export_dynamic.py"),
                            "--onnx", src, "--out", path], check=True, stdout=subprocess.DEVNULL)
        return path, [x]
    if batch == 100:
        return src, [x]
    path = os.path.join(work, f"vit_fmnist_b{batch}.onnx")
    if not os.path.exists(path):
        # 4 heads and 17 tokens per image (examples/vit-fashion-mnist/train.py).
        _rebatch(src, path, 100, batch, factors=(1, 4, 17))
    return path, [x]
