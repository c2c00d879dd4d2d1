"""Re-exports the shipped Fashion-MNIST ViT (vit.onnx, static batch 100) with
a dynamic batch dimension ("batch" on pixels and logits).

No PyTorch checkpoint is shipped, so the vit_model.ViT module is rebuilt from
the ONNX initializers. Constant folding renamed and transposed some weights
(in_proj and MLP weights appear as anonymous "onnx::MatMul_N" initializers
feeding MatMul nodes); each of those is mapped back by following the graph:
the MatMul's output feeds an Add whose other input is the named bias
"X.bias", so the [in, out] initializer is the transpose of "X.weight". Gemm
weights keep their names (transposed back if transB is 0). The state dict is
loaded with strict=True, the rebuilt model is checked against vit.onnx on 100
random inputs (onnx.reference.ReferenceEvaluator when this onnx has it, else
the small NumPy interpreter below), exported with the TorchScript exporter
(opset 17) and the export is checked again at batch sizes 1 and 7.

Usage: /usr/bin/python3 export_dynamic.py --out vit_dyn.onnx [--onnx vit.onnx]
"""
import argparse, collections, inspect, math, os, sys
import numpy as np
import onnx
from onnx import numpy_helper
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from vit_model import ViT  # noqa: E402


def state_dict_from_onnx(model):
    g = model.graph
    inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    consumers = collections.defaultdict(list)
    for n in g.node:
        for i in n.input:
            consumers[i].append(n)
    sd = {k: v for k, v in inits.items() if not k.startswith("onnx::")}
    for n in g.node:
        if n.op_type == "Gemm" and n.input[1] in sd:
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
            assert attrs.get("transA", 0) == 0 and attrs.get("alpha", 1.0) == 1.0, n.name
            if not attrs.get("transB", 0):
                sd[n.input[1]] = inits[n.input[1]].T
        if n.op_type == "MatMul" and n.input[1].startswith("onnx::") and n.input[1] in inits:
            (add,) = consumers[n.output[0]]
            (bias,) = [i for i in add.input if i in sd]
            assert add.op_type == "Add" and bias.endswith("bias"), (n.name, add.name, bias)
            sd[bias[:-4] + "weight"] = inits[n.input[1]].T
            print(f"  {n.input[1]} {list(inits[n.input[1]].shape)} (via {n.name}, {bias}) "
                  f"-> {bias[:-4]}weight, transposed")
    return {k: torch.from_numpy(np.array(v)) for k, v in sd.items()}


def hyperparameters(sd):
    d_out, channels, patch, _ = sd["patch.weight"].shape
    n = sd["pos"].shape[1] - 1
    return dict(d=d_out, depth=len([k for k in sd if k.endswith(".norm1.weight")]),
                d_ff=sd["blocks.0.mlp.0.bias"].shape[0], patch=patch,
                classes=sd["head.bias"].shape[0], image=math.isqrt(n) * patch, channels=channels)


def _conv(x, w, b, a):
    """2-D Conv, group 1, no dilation, via im2col."""
    p = a.get("pads", [0, 0, 0, 0])
    s = a.get("strides", [1, 1])
    assert a.get("group", 1) == 1 and a.get("dilations", [1, 1]) == [1, 1]
    x = np.pad(x, ((0, 0), (0, 0), (p[0], p[2]), (p[1], p[3])))
    win = np.lib.stride_tricks.sliding_window_view(x, w.shape[2:], axis=(2, 3))[:, :, ::s[0], ::s[1]]
    y = np.einsum("nchwij,ocij->nohw", win, w)
    return y + (0 if b is None else b[None, :, None, None])


def _layernorm(x, w, b, a):
    axes = tuple(range(a.get("axis", -1) % x.ndim, x.ndim))
    m = x.mean(axes, keepdims=True)
    v = ((x - m) ** 2).mean(axes, keepdims=True)
    return (x - m) / np.sqrt(v + np.float32(a.get("epsilon", 1e-5))) * w + b


def _slice(x, starts, ends, axes=None, steps=None):
    idx = [slice(None)] * x.ndim
    axes = range(len(starts)) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    for s, e, ax, st in zip(starts, ends, axes, steps):
        idx[ax] = slice(int(s), int(e), int(st))
    return x[tuple(idx)]


def _reshape(x, shape):
    shape = [x.shape[i] if d == 0 else int(d) for i, d in enumerate(shape)]
    return x.reshape(shape)


def _softmax(x, a):
    e = np.exp(x - x.max(a.get("axis", -1), keepdims=True))
    return e / e.sum(a.get("axis", -1), keepdims=True)


_OPS = {
    "Add": lambda a, x, y: x + y, "Sub": lambda a, x, y: x - y, "Mul": lambda a, x, y: x * y,
    "Div": lambda a, x, y: x / y if x.dtype.kind == "f" else x // y,
    "MatMul": lambda a, x, y: np.matmul(x, y), "Equal": lambda a, x, y: x == y,
    "Where": lambda a, c, x, y: np.where(c, x, y), "Sqrt": lambda a, x: np.sqrt(x),
    "Erf": lambda a, x: torch.erf(torch.from_numpy(x)).numpy(), "Tanh": lambda a, x: np.tanh(x),
    "Pow": lambda a, x, y: np.power(x, y), "Neg": lambda a, x: -x,
    "Transpose": lambda a, x: x.transpose(a.get("perm")),
    "Reshape": lambda a, x, s: _reshape(x, s), "Softmax": lambda a, x: _softmax(x, a),
    "Shape": lambda a, x: np.array(x.shape[a.get("start", 0):a.get("end", x.ndim)], np.int64),
    "Gather": lambda a, x, i: np.take(x, i, axis=a.get("axis", 0)),
    "Concat": lambda a, *xs: np.concatenate(xs, a["axis"]),
    "Unsqueeze": lambda a, x, ax: np.expand_dims(x, tuple(int(i) % (x.ndim + len(ax)) for i in ax)),
    "Squeeze": lambda a, x, ax=None: np.squeeze(x, None if ax is None else tuple(ax)),
    "Expand": lambda a, x, s: np.broadcast_to(x, np.broadcast_shapes(x.shape, tuple(s))),
    "ConstantOfShape": lambda a, s: np.full(s, a["value"][0] if "value" in a else np.float32(0)),
    "Cast": lambda a, x: x.astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]]),
    "Slice": lambda a, x, *r: _slice(x, *r), "Conv": lambda a, x, w, b=None: _conv(x, w, b, a),
    "LayerNormalization": lambda a, x, w, b: _layernorm(x, w, b, a),
    "Gemm": lambda a, x, w, b=0: a.get("alpha", 1.0) * ((x.T if a.get("transA") else x)
                                                        @ (w.T if a.get("transB") else w))
                                 + a.get("beta", 1.0) * b,
}


def run_numpy(model, feeds):
    """A small ONNX interpreter for the ops these ViT graphs use (float32)."""
    env = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    env.update(feeds)
    for n in model.graph.node:
        a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
        if n.op_type == "Constant":
            out = numpy_helper.to_array(a["value"])
        elif n.op_type in _OPS:
            if "value" in a:
                a["value"] = numpy_helper.to_array(a["value"])
            out = _OPS[n.op_type](a, *[env[i] if i else None for i in n.input])
        else:
            raise NotImplementedError(f"{n.op_type} ({n.name})")
        out = np.asarray(out)
        env[n.output[0]] = out.astype(np.float32) if out.dtype == np.float64 else out
    return [env[o.name] for o in model.graph.output]


def run_onnx(model, feeds):
    try:
        from onnx.reference import ReferenceEvaluator
    except ImportError:
        return run_numpy(model, feeds)
    return ReferenceEvaluator(model).run(None, feeds)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnx", default=os.path.join(HERE, "vit.onnx"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--heads", type=int, default=4, help="attention heads (not in the weights)")
    a = ap.parse_args()
    torch.set_num_threads(2)

    static = onnx.load(a.onnx)
    print(f"loaded {a.onnx}: {len(static.graph.node)} nodes, {len(static.graph.initializer)} initializers")
    sd = state_dict_from_onnx(static)
    hp = hyperparameters(sd)
    print(f"ViT({', '.join(f'{k}={v}' for k, v in hp.items())}, heads={a.heads})")
    model = ViT(heads=a.heads, **hp).eval()
    model.load_state_dict(sd, strict=True)
    print("load_state_dict(strict=True): ok")

    dim = static.graph.input[0].type.tensor_type.shape.dim
    shape = [d.dim_value for d in dim]
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        want = model(x).numpy()
    (got,) = run_onnx(static, {static.graph.input[0].name: x.numpy()})
    diff = float(np.abs(got - want).max())
    print(f"rebuilt model vs {os.path.basename(a.onnx)} on {shape[0]} random inputs: max abs diff {diff:.3g}")
    if not diff < 1e-4:
        sys.exit("mismatch: the rebuilt model does not reproduce the ONNX model")

    kw = dict(opset_version=17, input_names=["pixels"], output_names=["logits"],
              dynamic_axes={"pixels": {0: "batch"}, "logits": {0: "batch"}}, do_constant_folding=True)
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kw["dynamo"] = False  # the TorchScript exporter
    torch.onnx.export(model, (x,), a.out, **kw)
    dyn = onnx.load(a.out)
    onnx.checker.check_model(dyn, full_check=True)
    print(f"exported {a.out}: {len(dyn.graph.node)} nodes, input "
          f"{[d.dim_param or d.dim_value for d in dyn.graph.input[0].type.tensor_type.shape.dim]}")
    for b in (1, 7):
        xb = torch.randn(b, *shape[1:], generator=torch.Generator().manual_seed(b))
        with torch.no_grad():
            want = model(xb).numpy()
        (got,) = run_onnx(dyn, {"pixels": xb.numpy()})
        diff = float(np.abs(got - want).max())
        print(f"dynamic export at batch {b}: max abs diff {diff:.3g}")
        if not diff < 1e-4:
            sys.exit("mismatch in the dynamic export")


if __name__ == "__main__":
    main()
