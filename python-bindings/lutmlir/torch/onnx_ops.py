"""The ``lutmlir`` ONNX domain (version 1): how LookupFFN and WeightlessFFN
export, so that ``lutc`` can compile a fine-tuned model without refitting.

``lutmlir.LookupFFN(X, P, T, B[, Offset]) -> Y``, attributes ``bits`` (int,
1..16) and ``scored`` (int, 0 or 1, default 1):
    X [N, D] float, P [D, H*bits] float, T [H, 2^bits, M] float, B [M] float,
    Offset [H*bits] float (default 0);
    z = X P + Offset; code_h = sum_j (z[:, h*bits + j] > 0) << j;
    scored = 1: s_h = sum_j |z_hj| / prod_j (1 + exp(-2 |z_hj|)),
                Y [N, M] = sum_h s_h T[h, code_h] + B;
    scored = 0: Y [N, M] = sum_h T[h, code_h] + B (lutc's post-training LSH).
``lutmlir.Thermometer(X, Thresholds) -> Bits``:
    X [N, D] float, Thresholds [D, K] float; Bits [N, D*K] bool,
    Bits[n, d*K + k] = X[n, d] > Thresholds[d, k].
``lutmlir.WeightlessLUT(Bits, Mapping, Tables) -> Y``:
    Bits [N, I] bool, Mapping [L, n] int64 (values in [0, I), n in 1..16),
    Tables [L, 2^n] float; Y[n, l] = Tables[l, sum_j Bits[n, Mapping[l, j]] << j].

The LayerNorm before each layer and the group sum after a WeightlessLUT
are standard ONNX (LayerNormalization; Reshape, ReduceSum, Mul, Add).
"""
import torch

DOMAIN = "lutmlir"
VERSION = 1


def _typed(g, value, like, sizes, dtype=None):
    t = like.type().with_sizes(sizes)
    if dtype is not None:
        t = t.with_dtype(dtype)
    value.setType(t)
    return value


class LookupFFNOp(torch.autograd.Function):
    """Forward of lutmlir.LookupFFN (for tracing), and its ONNX node."""

    @staticmethod
    def forward(ctx, x, projection, tables, bias, bits, offset=None, scored=True):
        from .lookup_ffn import lookup_from_projection

        z = x @ projection
        if offset is not None:
            z = z + offset
        return lookup_from_projection(z, tables, bias, bits, scored)

    @staticmethod
    def symbolic(g, x, projection, tables, bias, bits, offset=None, scored=True):
        ins = [x, projection, tables, bias] + ([offset] if offset is not None else [])
        attrs = {} if scored else {"scored_i": 0}
        y = g.op(f"{DOMAIN}::LookupFFN", *ins, bits_i=bits, **attrs)
        sizes = x.type().sizes() if x.type().sizes() is not None else None
        m = tables.type().sizes()[2] if tables.type().sizes() else None
        if sizes is not None and m is not None:
            _typed(g, y, x, [sizes[0], m])
        return y


class ThermometerOp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, thresholds):
        return (x[:, :, None] > thresholds[None]).reshape(x.shape[0], -1)

    @staticmethod
    def symbolic(g, x, thresholds):
        y = g.op(f"{DOMAIN}::Thermometer", x, thresholds)
        xs, ts = x.type().sizes(), thresholds.type().sizes()
        if xs is not None and ts is not None:
            _typed(g, y, x, [xs[0], ts[0] * ts[1]], torch.bool)
        return y


class WeightlessLUTOp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, bits, mapping, tables):
        n = mapping.shape[1]
        shifts = (1 << torch.arange(n)).to(torch.int64)
        addr = (bits[:, mapping].to(torch.int64) * shifts).sum(-1)
        return tables.gather(1, addr.t()).t()

    @staticmethod
    def symbolic(g, bits, mapping, tables):
        y = g.op(f"{DOMAIN}::WeightlessLUT", bits, mapping, tables)
        bs, ms = bits.type().sizes(), mapping.type().sizes()
        if bs is not None and ms is not None:
            _typed(g, y, tables, [bs[0], ms[0]])
        return y


def export(model, args, path, *, opset=17, input_names=None, output_names=None,
           dynamic_axes=None):
    """torch.onnx.export with the lutmlir domain declared (``custom_opsets``)
    and LUT layers exported as its ops (see the module docstring), then
    onnx.checker on the file. Tables, projections, thresholds and mappings
    become initializers. Returns the path."""
    import warnings

    model.eval()
    from .distill import LUT_LAYERS
    from .weightless import LUTLayer

    for m in model.modules():
        if isinstance(m, LUTLayer):
            m.refresh_mapping()  # learnable mappings: their argmax, as a constant

    # The domain is declared only when used (the exporter warns otherwise).
    used = any(isinstance(m, LUT_LAYERS) for m in model.modules())
    opsets = {DOMAIN: VERSION} if used else None
    # Not under no_grad: there, nn.MultiheadAttention takes its fused fast
    # path (aten::_native_multi_head_attention), which has no ONNX export.
    with warnings.catch_warnings():
        # The exporter warns that it has no shape inference for custom ops
        # (the symbolics set the output types) and about traced shape checks.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        torch.onnx.export(model, args, str(path), opset_version=opset,
                          input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic_axes, custom_opsets=opsets,
                          do_constant_folding=True)
    import onnx

    onnx.checker.check_model(onnx.load(str(path)))
    return path
