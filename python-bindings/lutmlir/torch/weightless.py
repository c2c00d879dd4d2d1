"""Weightless FFNs after DWN (Bacellar et al., "Differentiable Weightless
Neural Networks", ICML 2024) and QuWeiT (arXiv:2411.01818), in PyTorch.

    u    = LayerNorm(x)                                   [N, d_in]
    bits = thermometer(u; thresholds [d_in, B])           [N, d_in*B]  in {0, 1}
    addr = sum_j bits[:, mapping[l, j]] << j              [N, L]       in [0, 2^n)
    o    = tables[l, addr[:, l]]                          [N, L]
    y    = scale * (sum over each group of L/d_out LUTs of o) + b      [N, d_out]

Bit i*B + b of the thermometer code is x[:, i] > thresholds[i, b], the
compiler's ``lut.thermometer``; the lookup is ``lut.lut``.

Gradients. Into the tables: one per addressed entry. Into the bits: the
Extended Finite Difference of DWN,

    dO_l/dbit_j = sum_{k in {0,1}^n, k_j = 0} alpha * beta^{H_j(k, a)}
                  * (T[l, k | 1<<j] - T[l, k])

where a is the address of the sample and H_j the Hamming distance between
k and a ignoring bit j: every entry contributes, nearer addresses more
(DWN's exponential decay; alpha = 0.5 * 0.75^(n-1), beta = 0.25 / 0.75 by
default). Into x through the thermometer: a straight-through surrogate, the
derivative of a sigmoid of width ``surrogate_width`` around each threshold,
so that the layers before the FFN keep learning.

Mapping. Fixed and random (each input bit used about equally), or
learnable (DWN's learnable mapping): a weight matrix W [Din, L*n] whose
column argmax picks each LUT input; backward, dW = (2 bits - 1)^T dsel and
dbits = dsel softmax(W / tau, over Din)^T, with dsel the EFD gradient of
each LUT input (``learnable_select``).
"""
import math

import torch
from torch import nn

EFD_BETA = 0.25 / 0.75


def _efd_weights(n, alpha, beta, dtype):
    """W[j, a, k'] = alpha * beta^popcount((k' ^ a) & ~(1<<j)) for the 2^(n-1)
    addresses k' with bit j clear, as [n, 2^n, 2^(n-1)], and those k'."""
    R = 1 << n
    addrs = torch.arange(R)
    ks, ws = [], []
    for j in range(n):
        k = addrs[(addrs >> j) & 1 == 0]
        x = (k[None, :] ^ addrs[:, None]) & ~(1 << j)
        pop = torch.zeros_like(x)
        for b in range(n):
            pop += (x >> b) & 1
        ks.append(k)
        ws.append(alpha * beta ** pop.to(dtype))
    return torch.stack(ws), torch.stack(ks)


def _addresses(bits, mapping):
    """addr[N, L] int64: bit j of LUT l's address is bits[:, mapping[l, j]]
    (> 0.5 reads as 1). Computed as one matrix product, bits [N, Din] @
    A [Din, L] with A[mapping[l, j], l] += 2^j: the sum of distinct powers
    of two is their OR, and it is exact in f32 for fan-ins up to 16."""
    L, n = mapping.shape
    b = (bits > 0.5).to(torch.float32)
    if bits.shape[1] == L * n and torch.equal(mapping.reshape(-1), torch.arange(L * n)):
        # The inputs already in LUT order (learnable_select's output).
        weights = 2.0 ** torch.arange(n, dtype=torch.float32)
        return (b.reshape(-1, L, n) * weights).sum(-1).round_().to(torch.int64)
    A = torch.zeros(bits.shape[1], L, dtype=torch.float32)
    cols = torch.arange(L).repeat_interleave(n)
    weights = (2.0 ** torch.arange(n, dtype=torch.float32)).repeat(L)
    A.index_put_((mapping.reshape(-1), cols), weights, accumulate=True)
    return torch.mm(b, A).round_().to(torch.int64)


class _EFDLut(torch.autograd.Function):
    @staticmethod
    def forward(ctx, bits, tables, mapping, alpha, beta):
        L, R = tables.shape
        addr = _addresses(bits, mapping)  # [N, L]
        # flat[n, l] = l * R + addr[n, l]: one gather from the flattened tables
        flat = addr + torch.arange(L, dtype=torch.int64) * R
        out = torch.take(tables, flat)
        ctx.save_for_backward(tables, mapping, flat)
        ctx.alpha, ctx.beta, ctx.num_bits = alpha, beta, bits.shape[1]
        return out

    @staticmethod
    def backward(ctx, dout):
        tables, mapping, flat = ctx.saved_tensors
        L, n = mapping.shape
        R = tables.shape[1]
        N = dout.shape[0]
        dbits = dtables = None
        dout = dout.contiguous()
        if ctx.needs_input_grad[1]:
            dtables = torch.zeros(L * R, dtype=dout.dtype)
            dtables.index_add_(0, flat.reshape(-1), dout.reshape(-1))
            dtables = dtables.reshape(L, R)
        if ctx.needs_input_grad[0]:
            W, K = _efd_weights(n, ctx.alpha, ctx.beta, tables.dtype)
            # diff[l, j, k'] = T[l, k' | 1<<j] - T[l, k']
            hi = tables[:, K | (1 << torch.arange(n))[:, None]]
            diff = hi - tables[:, K]  # [L, n, 2^(n-1)]
            # G[j, l*R + a]: the EFD derivative of LUT l at address a by its
            # input j; per input j, one flat gather at the samples' addresses
            # and one scatter-add into the bits it reads.
            G = torch.einsum("ljk,jak->jla", diff, W).reshape(n, L * R)
            dbits = torch.zeros(N, ctx.num_bits, dtype=dout.dtype)
            for j in range(n):
                g = torch.take(G[j], flat).mul_(dout)  # [N, L]
                dbits.index_add_(1, mapping[:, j], g)
        return dbits, dtables, None, None, None


def efd_lut(bits, tables, mapping, alpha=None, beta=EFD_BETA):
    """One layer of n-input LUTs with EFD gradients.

    bits: [N, Din] float with values 0 or 1 (a value > 0.5 reads as 1);
    tables: [L, 2^n] float; mapping: [L, n] int64 indices into Din (bit j of
    LUT l's address is bits[:, mapping[l, j]]). Returns [N, L]:
    tables[l, address]. alpha defaults to 0.5 * 0.75^(n-1). Raises
    ValueError on shapes that do not agree."""
    L, n = mapping.shape
    if tables.shape != (L, 1 << n):
        raise ValueError(f"tables {tuple(tables.shape)} must be [L, 2^n] = [{L}, {1 << n}] "
                         f"for mapping {tuple(mapping.shape)}")
    if mapping.dtype != torch.int64 or bits.dim() != 2:
        raise ValueError("mapping must be int64 [L, n] and bits [N, Din]")
    if mapping.numel() and (int(mapping.min()) < 0 or int(mapping.max()) >= bits.shape[1]):
        raise ValueError(f"mapping indexes bits outside [0, {bits.shape[1]})")
    if alpha is None:
        alpha = 0.5 * 0.75 ** (n - 1)
    return _EFDLut.apply(bits, tables, mapping, alpha, beta)


class _LearnableSelect(torch.autograd.Function):
    @staticmethod
    def forward(ctx, bits, weights, tau, index):
        ctx.save_for_backward(bits, weights)
        ctx.tau = tau
        return bits.index_select(1, index)

    @staticmethod
    def backward(ctx, dsel):
        bits, weights = ctx.saved_tensors
        dbits = dweights = None
        if ctx.needs_input_grad[1]:
            dweights = (2 * bits - 1).t().mm(dsel)
        if ctx.needs_input_grad[0]:
            dbits = dsel.mm(torch.softmax(weights / ctx.tau, 0).t())
        return dbits, dweights, None, None


def learnable_select(bits, weights, tau=1e-3, index=None):
    """DWN's learnable mapping: ``sel[:, s] = bits[:, argmax_i weights[i, s]]``.

    bits: [N, Din] float, 0 or 1; weights: [Din, S] float (S = L*n LUT
    inputs, LUT l's input j at column l*n + j). Returns [N, S]. Backward:
    dweights = (2 bits - 1)^T dsel (a weight grows where its bit agrees
    with the gradient's sign), dbits = dsel softmax(weights / tau, dim 0)^T
    (tau -> 0 routes each input's gradient to the bit it reads). index:
    the argmax, [S] int64, when the caller has it already. Raises
    ValueError when the dims disagree."""
    if bits.dim() != 2 or weights.dim() != 2 or bits.shape[1] != weights.shape[0]:
        raise ValueError(f"bits {tuple(bits.shape)} must be [N, Din] and weights "
                         f"{tuple(weights.shape)} [Din, S]")
    if index is None:
        index = weights.argmax(0)
    return _LearnableSelect.apply(bits, weights, tau, index)


class _ThermometerFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, thresholds, width):
        d = x[:, :, None] - thresholds[None]  # [N, D, B]
        ctx.save_for_backward(d)
        ctx.width = width
        return (d > 0).to(x.dtype).reshape(x.shape[0], -1)

    @staticmethod
    def backward(ctx, dbits):
        (d,) = ctx.saved_tensors
        s = torch.sigmoid(d / ctx.width)
        surrogate = s * (1 - s) / ctx.width
        dx = (dbits.reshape(d.shape) * surrogate).sum(-1)
        return dx, None, None


class Thermometer(nn.Module):
    """Thermometer encoding: x [N, D] -> bits [N, D*B] (x's dtype, 0 or 1),
    bit i*B + b = x[:, i] > thresholds[i, b]; thresholds ascend per feature.

    method: "uniform" (B evenly spaced thresholds over [lo, hi] per feature),
    "gaussian" (the B quantiles (b+1)/(B+1) of N(mean, std^2) per feature),
    or "distributive" (the same quantiles of the data). ``fit(x)`` sets them
    from samples [N, D]; before it, uniform over [-2, 2] and gaussian with
    N(0, 1). Backward: a sigmoid surrogate of width ``surrogate_width``
    (units of x; default: half the median threshold spacing)."""

    def __init__(self, features, bits, method="uniform", surrogate_width=None):
        super().__init__()
        if method not in ("uniform", "gaussian", "distributive"):
            raise ValueError(f"method must be uniform, gaussian or distributive, not {method!r}")
        if features < 1 or bits < 1:
            raise ValueError("features and bits must be positive")
        self.features, self.bits, self.method = features, bits, method
        q = torch.arange(1, bits + 1, dtype=torch.float64) / (bits + 1)
        if method == "uniform":
            t = -2 + 4 * q
        else:
            t = math.sqrt(2) * torch.erfinv(2 * q - 1)
        self.register_buffer("thresholds", t.to(torch.float32).repeat(features, 1))
        self.surrogate_width = surrogate_width

    @torch.no_grad()
    def fit(self, x):
        """Sets the thresholds from samples x [N, D] (method as constructed)."""
        x = x.reshape(-1, self.features).to(torch.float64)
        q = torch.arange(1, self.bits + 1, dtype=torch.float64) / (self.bits + 1)
        if self.method == "uniform":
            lo, hi = x.min(0).values, x.max(0).values
            t = lo[:, None] + (hi - lo)[:, None] * q[None]
        elif self.method == "gaussian":
            t = x.mean(0)[:, None] + x.std(0)[:, None] * math.sqrt(2) * torch.erfinv(2 * q - 1)[None]
        else:
            t = torch.quantile(x, q, dim=0).t()
        self.thresholds.copy_(t.to(self.thresholds.dtype))
        return self

    def forward(self, x):
        if x.shape[-1] != self.features:
            raise ValueError(f"Thermometer expects [..., {self.features}], got {tuple(x.shape)}")
        width = self.surrogate_width
        if width is None:
            spacing = (self.thresholds[:, 1:] - self.thresholds[:, :-1]).abs()
            width = 0.5 * float(spacing.median()) if spacing.numel() else 0.5
            width = max(width, 1e-3)
        t = self.thresholds.to(x.dtype)
        return _ThermometerFn.apply(x.reshape(-1, self.features), t, width)


class LUTLayer(nn.Module):
    """L LUTs of fan-in n over ``in_bits`` input bits, with trained
    real-valued tables [L, 2^n]; EFD gradients (efd_lut).

    mapping: "random" (fixed; every input bit used about equally) or
    "learnable" (DWN: a parameter ``mapping_weights`` [in_bits, L*n] whose
    column argmax is the mapping, trained by learnable_select; it starts at
    the random mapping). ``mapping`` is the current [L, n] int64 mapping
    either way (a buffer, refreshed from the weights at each forward and by
    ``refresh_mapping()``). Raises ValueError for a fan-in outside [1, 16]
    or an unknown mapping kind."""

    def __init__(self, in_bits, luts, fan_in=6, generator=None, mapping="random",
                 tau=1e-3):
        super().__init__()
        if not 1 <= fan_in <= 16:
            raise ValueError(f"fan_in must be in [1, 16], not {fan_in}")
        if mapping not in ("random", "learnable"):
            raise ValueError(f"mapping must be 'random' or 'learnable', not {mapping!r}")
        self.in_bits, self.luts, self.fan_in, self.tau = in_bits, luts, fan_in, tau
        need = luts * fan_in
        perm = torch.cat([torch.randperm(in_bits, generator=generator)
                          for _ in range(-(-need // in_bits))])[:need]
        self.register_buffer("mapping", perm.reshape(luts, fan_in).to(torch.int64))
        self.tables = nn.Parameter(torch.randn(luts, 1 << fan_in, generator=generator) * 0.1)
        self.mapping_weights = None
        if mapping == "learnable":
            w = 0.5 * torch.rand(in_bits, need, generator=generator)
            w[perm, torch.arange(need)] += 0.5  # argmax = the random mapping
            self.mapping_weights = nn.Parameter(w)
            self.register_buffer("_slots", torch.arange(need).reshape(luts, fan_in),
                                 persistent=False)

    @torch.no_grad()
    def refresh_mapping(self):
        """Sets ``mapping`` to the weights' argmax (learnable); returns it."""
        if self.mapping_weights is not None:
            self.mapping.copy_(self.mapping_weights.argmax(0).reshape(self.luts, self.fan_in))
        return self.mapping

    def forward(self, bits):
        if self.mapping_weights is None:
            return efd_lut(bits, self.tables, self.mapping)
        index = self.refresh_mapping().reshape(-1)  # the argmax, computed once
        sel = learnable_select(bits, self.mapping_weights.to(bits.dtype), self.tau, index)
        return efd_lut(sel, self.tables, self._slots)


class GroupSum(nn.Module):
    """[N, L] -> [N, groups]: the sum of each run of L/groups consecutive
    values, times a learnable scale per group, plus a bias: DWN's group sum
    (there divided by a temperature), scaled back to a model width."""

    def __init__(self, inputs, groups):
        super().__init__()
        if inputs % groups:
            raise ValueError(f"{inputs} LUT outputs do not split into {groups} groups")
        self.groups = groups
        self.scale = nn.Parameter(torch.full((groups,), 1.0 / math.sqrt(inputs // groups)))
        self.bias = nn.Parameter(torch.zeros(groups))

    def forward(self, o):
        return o.reshape(o.shape[0], self.groups, -1).sum(-1) * self.scale + self.bias


class _BinarizeSTE(torch.autograd.Function):
    """bits = (o > 0), with the straight-through gradient of a hard tanh
    (passed where |o| <= 1): DWN's binary LUT outputs between layers."""

    @staticmethod
    def forward(ctx, o):
        ctx.save_for_backward(o)
        return (o > 0).to(o.dtype)

    @staticmethod
    def backward(ctx, dbits):
        (o,) = ctx.saved_tensors
        return dbits * (o.abs() <= 1).to(dbits.dtype)


class WeightlessFFN(nn.Module):
    """A weightless stand-in for a transformer MLP: LayerNorm, thermometer
    (``bits`` thresholds per feature), ``depth`` LUTLayers of ``d_out *
    luts_per_output`` LUTs of fan-in ``fan_in`` each, and a GroupSum back to
    d_out. Between layers a LUT's output is a bit, its entry > 0 (trained
    with a straight-through gradient); the last layer's real-valued entries
    go to the group sum. mapping: "random" or "learnable" (LUTLayer).

    x: [..., d_in] float -> [..., d_out]. ``fit_thresholds(x)`` sets the
    thermometer from samples of x (after the LayerNorm). Raises ValueError
    for depth < 1 (and as Thermometer, LUTLayer and GroupSum do)."""

    def __init__(self, d_in, d_out, bits=8, luts_per_output=16, fan_in=6,
                 thermometer="distributive", norm=True, depth=1, mapping="random",
                 generator=None):
        super().__init__()
        if depth < 1:
            raise ValueError(f"depth must be at least 1, not {depth}")
        self.d_in, self.d_out, self.depth = d_in, d_out, depth
        self.norm = nn.LayerNorm(d_in) if norm else nn.Identity()
        self.thermometer = Thermometer(d_in, bits, thermometer)
        luts = d_out * luts_per_output
        self.lut = LUTLayer(d_in * bits, luts, fan_in, generator=generator, mapping=mapping)
        # Layers after the first, fed the bits of the one before.
        self.hidden = nn.ModuleList([LUTLayer(luts, luts, fan_in, generator=generator,
                                              mapping=mapping) for _ in range(depth - 1)])
        self.group_sum = GroupSum(luts, d_out)

    @torch.no_grad()
    def fit_thresholds(self, x):
        self.thermometer.fit(self.norm(x.reshape(-1, self.d_in)))
        return self

    def layers(self):
        """The LUT layers in order (``lut`` first)."""
        return [self.lut, *self.hidden]

    def forward(self, x):
        lead = x.shape[:-1]
        u = self.norm(x.reshape(-1, self.d_in))
        if torch.onnx.is_in_onnx_export():
            from .onnx_ops import ThermometerOp, WeightlessLUTOp

            bits = ThermometerOp.apply(u, self.thermometer.thresholds.to(u.dtype))
            # (export() refreshed learnable mappings before tracing, so
            # that each is a constant initializer here.)
            o = WeightlessLUTOp.apply(bits, self.lut.mapping, self.lut.tables)
            for layer in self.hidden:
                o = WeightlessLUTOp.apply(o > 0, layer.mapping, layer.tables)
            return self.group_sum(o).reshape(*lead, self.d_out)
        o = self.lut(self.thermometer(u))
        for layer in self.hidden:
            o = layer(_BinarizeSTE.apply(o))
        return self.group_sum(o).reshape(*lead, self.d_out)

    def multiplications_per_token(self):
        """The group sum's scale (one per output); LUT reads and the
        thermometer's comparisons are not multiplications. The LayerNorm's
        2*d_in are counted."""
        return self.d_out + 2 * self.d_in
