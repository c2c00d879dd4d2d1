"""Sign-bit flip rate of the bf16 LSH projection on real activations.

lutk_lsh_encode_packed_bf16_* rounds x and the projection P to bf16 (nearest
even) and accumulates the products in f32. This script measures how often
the resulting sign bit differs from the f32 hash, on the FFN inputs (the
LayerNorm outputs) of the Fashion-MNIST ViT of examples/vit-fashion-mnist,
with the projection lut-convert-mlp uses by default there
(`projection=hidden`: the FFN's own first-layer weights and bias), for all
four blocks. z is computed in float64 from the bf16-rounded operands; the
kernel's f32 accumulation moves only bits with |z| within f32 rounding of 0
(checked by the unit tests), far fewer than bf16 rounding does.

The model classes come from vit_model.py (those train.py trains); the
weights from vit.onnx.

Usage: /usr/bin/python3 bench/kernels/bf16_flip_rate.py [--images 2000]
"""
import argparse, os, sys
import numpy as np
import onnx
import torch
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VIT = os.path.join(ROOT, "examples", "vit-fashion-mnist")
sys.path.insert(0, VIT)
import fmnist  # noqa: E402
from vit_model import ViT  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--images", type=int, default=2000)
a = ap.parse_args()


def load_vit():
    m = onnx.load(os.path.join(VIT, "vit.onnx"))
    init = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    state = {k: torch.from_numpy(v.copy()) for k, v in init.items() if not k.startswith("onnx::")}
    # The matmuls' weights are exported transposed and unnamed: per block, in
    # graph order, in_proj, mlp.0, mlp.2.
    unnamed = [n.input[1] for n in m.graph.node
               if n.op_type == "MatMul" and n.input[1].startswith("onnx::")]
    for b in range(len(unnamed) // 3):
        for j, key in enumerate(["attn.in_proj_weight", "mlp.0.weight", "mlp.2.weight"]):
            state[f"blocks.{b}.{key}"] = torch.from_numpy(init[unnamed[3 * b + j]].T.copy())
    vit = ViT()
    vit.load_state_dict(state)
    return vit.eval()


def bf16(v):
    """Round float32 to bf16 (nearest even), returned as float32."""
    u = np.ascontiguousarray(v, np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16 << 16
    return u.astype(np.uint32).view(np.float32)


vit = load_vit()
xte, yte = fmnist.load("test")
inputs = {}


def keep_input(b):
    def hook(module, inp, out):
        inputs[b] = inp[0]  # returns None: the output is unchanged
    return hook


for b, blk in enumerate(vit.blocks):
    blk.mlp.register_forward_hook(keep_input(b))
with torch.no_grad():
    logits = vit(torch.from_numpy(xte[:a.images]))
accuracy = (logits.argmax(1).numpy() == yte[:a.images]).mean()
print(f"ViT on {a.images} test images: accuracy {100 * accuracy:.2f}% (weights loaded right)")

total_bits = total_flips = 0
for b, blk in enumerate(vit.blocks):
    x = inputs[b].reshape(-1, inputs[b].shape[-1]).numpy().astype(np.float32)
    p = blk.mlp[0].weight.detach().numpy().T.astype(np.float32)  # [D, F]
    c = blk.mlp[0].bias.detach().numpy().astype(np.float32)
    z32 = x.astype(np.float64) @ p.astype(np.float64) + c
    z16 = bf16(x).astype(np.float64) @ bf16(p).astype(np.float64) + c
    flips = int(np.count_nonzero((z32 > 0) != (z16 > 0)))
    total_bits += z32.size
    total_flips += flips
    print(f"block {b}: x {x.shape[0]}x{x.shape[1]}, P {p.shape[0]}x{p.shape[1]}: "
          f"{flips} of {z32.size} bits flip ({100.0 * flips / z32.size:.4f}%)")
print(f"all blocks: {100.0 * total_flips / total_bits:.4f}% of {total_bits} sign bits flip")
