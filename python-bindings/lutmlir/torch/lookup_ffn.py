"""LookupFFN (Zeng et al., ICML 2024, arXiv:2403.07221) in PyTorch.

    u      = LayerNorm(x)                         [N, d_in]
    z      = P(u) (+ c)                           [N, H*k]   dense or BH4
    code_h = sum_j (z[h*k+j] > 0) << j            [N, H]     in [0, 2^k)
    s_h    = sum_j |z_hj| / prod_j (1 + exp(-2|z_hj|))   [N, H]
    y      = sum_h s_h * T[h, code_h, :] + b      [N, d_out]

The codes are the compiler's ``lut.lsh_encode`` (bit j of table h is
projected dimension h*k+j; c its bias), the sum is ``lut.gather_sum``
with weights s. Unscored (``scored=False``, the compiler's post-training
LSH): ``y = sum_h T[h, code_h, :] + b``; there the projection's gradient is
the tables' finite difference in each bit (``lsh_lookup``).
"""
import math

import torch
from torch import nn


def lsh_codes(z, bits):
    """Sign-bit codes of a projection: ``z`` [N, H*k] (float) -> [N, H]
    int64, bit j of code h set when z[:, h*k+j] > 0 (lut.lsh_encode's
    convention). Raises ValueError when the last dim is not a multiple of
    ``bits``."""
    if z.shape[-1] % bits:
        raise ValueError(f"projection width {z.shape[-1]} is not a multiple of bits={bits}")
    zb = z.reshape(*z.shape[:-1], -1, bits)
    weights = (1 << torch.arange(bits, device=z.device)).to(torch.int64)
    return ((zb > 0).to(torch.int64) * weights).sum(-1)


def lsh_scores(z, bits):
    """LookupFFN's score of each table: ``s_h = sum_j |z_hj| / prod_j (1 +
    exp(-2 |z_hj|))`` over its ``bits`` projected values; z [N, H*bits] ->
    [N, H]."""
    a = z.reshape(*z.shape[:-1], -1, bits).abs()
    return a.sum(-1) / torch.prod(1 + torch.exp(-2 * a), -1)


def _gather_rows(tables, codes, scores=None):
    """sum_h (scores[:, h] *) tables[h, codes[:, h]]: [N, M], one row
    gather per table, never an [N, H, M] tensor."""
    y = tables.new_zeros(codes.shape[0], tables.shape[2])
    for h in range(tables.shape[0]):
        rows = tables[h].index_select(0, codes[:, h])
        if scores is None:
            y.add_(rows)
        else:
            y.addcmul_(scores[:, h:h + 1], rows)
    return y


def _scatter_rows(tables, codes, dy, scores=None):
    """The tables' gradient of _gather_rows: dy (times each table's score)
    added into the rows each token read."""
    dt = torch.zeros_like(tables)
    for h in range(tables.shape[0]):
        dt[h].index_add_(0, codes[:, h], dy if scores is None else dy * scores[:, h:h + 1])
    return dt


class _GatherWeightedSum(torch.autograd.Function):
    """y[n] = sum_h s[n, h] * T[h, c[n, h]] without an [N, H, M] tensor."""

    @staticmethod
    def forward(ctx, scores, tables, codes):
        ctx.save_for_backward(scores, tables, codes)
        return _gather_rows(tables, codes, scores)

    @staticmethod
    def backward(ctx, dy):
        scores, tables, codes = ctx.saved_tensors
        H = tables.shape[0]
        ds = dt = None
        if ctx.needs_input_grad[0]:
            ds = torch.stack([(dy * tables[h].index_select(0, codes[:, h])).sum(1)
                              for h in range(H)], 1)
        if ctx.needs_input_grad[1]:
            dt = _scatter_rows(tables, codes, dy, scores)
        return ds, dt, None


def gather_weighted_sum(scores, tables, codes):
    """``y[n, m] = sum_h scores[n, h] * tables[h, codes[n, h], m]``.

    scores: [N, H] float; tables: [H, R, M] float (same dtype); codes:
    [N, H] int64 in [0, R). Returns [N, M]. Backward: to the scores (the
    gathered rows' dot products with dy) and a scatter-add into the tables;
    memory O(N*M + H*R*M), never O(N*H*M). This is lut.gather_sum with
    weights."""
    if codes.dtype != torch.int64:
        raise TypeError(f"codes must be int64, not {codes.dtype}")
    if scores.shape != codes.shape or tables.dim() != 3 or tables.shape[0] != codes.shape[1]:
        raise ValueError(f"shapes do not agree: scores {tuple(scores.shape)}, tables "
                         f"{tuple(tables.shape)} (H, R, M), codes {tuple(codes.shape)}")
    return _GatherWeightedSum.apply(scores, tables, codes)


class _LshLookup(torch.autograd.Function):
    """y[n] = sum_h T[h, code(z)[n, h]]; see lsh_lookup."""

    @staticmethod
    def forward(ctx, z, tables, bits):
        codes = lsh_codes(z, bits)
        ctx.save_for_backward(z, tables, codes)
        ctx.bits = bits
        return _gather_rows(tables, codes)

    @staticmethod
    def backward(ctx, dy):
        z, tables, codes = ctx.saved_tensors
        bits = ctx.bits
        dz = dt = None
        if ctx.needs_input_grad[1]:
            dt = _scatter_rows(tables, codes, dy)
        if ctx.needs_input_grad[0]:
            # dL/d bit_j: <dy, T[code with bit j set] - T[code with bit j clear]>.
            dbit = z.new_empty(z.shape[0], tables.shape[0], bits)
            for h in range(tables.shape[0]):
                c = codes[:, h]
                here = tables[h].index_select(0, c)
                for j in range(bits):
                    other = tables[h].index_select(0, c ^ (1 << j))
                    sign = 1 - 2 * ((c >> j) & 1).to(z.dtype)  # +1 when bit j is clear
                    dbit[:, h, j] = sign * (dy * (other - here)).sum(1)
            # d bit / dz: the softsign surrogate of the step, 0.5 / (1 + |z|)^2.
            dz = dbit.reshape(z.shape) * (0.5 / (1 + z.abs()) ** 2)
        return dz, dt, None


def lsh_lookup(z, tables, bits):
    """``y[n, m] = sum_h tables[h, code_h(z[n]), m]``, code_h = lsh_codes(z,
    bits): lut.lsh_encode's codes and an unweighted lut.gather_sum, the
    compiler's post-training LSH.

    z: [N, H*bits] float (the projection plus its offset); tables:
    [H, 2^bits, M] (same dtype). Returns [N, M]. Backward: a scatter-add of
    dy into the tables; to z, the finite difference of the table in each
    bit, <dy, T[h, code | 1<<j] - T[h, code & ~(1<<j)]> (DWN's EFD for a
    table addressed by sign bits), times the softsign surrogate of the
    step's derivative, 0.5 / (1 + |z|)^2 (a straight-through estimator)."""
    if tables.dim() != 3 or z.shape[-1] != tables.shape[0] * bits or \
            tables.shape[1] != 1 << bits:
        raise ValueError(f"shapes do not agree: z {tuple(z.shape)}, tables "
                         f"{tuple(tables.shape)} (H, 2^bits, M), bits {bits}")
    return _LshLookup.apply(z, tables, bits)


def lookup_from_projection(z, tables, bias, bits, scored=True):
    """The table part of LookupFFN from its projection z [N, H*bits]
    (offset included): ``sum_h s_h T[h, code_h] + bias`` when scored, else
    ``sum_h T[h, code_h] + bias`` (lsh_lookup). tables [H, 2^bits, M], bias
    [M]; returns [N, M]. What both the layer and the lutmlir.LookupFFN op
    compute."""
    if not scored:
        return lsh_lookup(z, tables, bits) + bias
    return gather_weighted_sum(lsh_scores(z, bits), tables, lsh_codes(z, bits)) + bias


def _fwht(x):
    """Normalized Walsh-Hadamard transform over the last dim (a power of 2)."""
    n = x.shape[-1]
    h = 1
    y = x
    while h < n:
        y = y.reshape(*x.shape[:-1], n // (2 * h), 2, h)
        a, b = y[..., 0, :], y[..., 1, :]
        y = torch.stack((a + b, a - b), -2)
        h *= 2
    return y.reshape(x.shape) / math.sqrt(n)


class BH4Projection(nn.Module):
    """A structured projection d_in -> d_out: the input, zero-padded to
    D = the next power of 2 >= max(d_in, d_out), goes through 4 rounds of a
    learnable block-diagonal matrix (blocks of ``block`` x ``block``)
    followed by a normalized Walsh-Hadamard transform; the first d_out
    values are the output. O(D*(block + log D)) per row instead of
    d_in*d_out, after LookupFFN's block-Hadamard "BH4" projection.
    ``dense_matrix()`` gives the equivalent [d_in, d_out] matrix (what the
    ONNX export stores)."""

    def __init__(self, d_in, d_out, block=16, rounds=4, generator=None):
        super().__init__()
        D = 1 << (max(d_in, d_out, block, 2) - 1).bit_length()
        if D % block:
            raise ValueError(f"block {block} must divide the padded width {D}")
        self.d_in, self.d_out, self.D, self.block = d_in, d_out, D, block
        init = torch.randn(rounds, D // block, block, block, generator=generator) / math.sqrt(block)
        self.blocks = nn.Parameter(init)

    def forward(self, u):
        x = nn.functional.pad(u, (0, self.D - self.d_in))
        lead = x.shape[:-1]
        for r in range(self.blocks.shape[0]):
            xb = x.reshape(*lead, self.D // self.block, self.block)
            x = _fwht(torch.einsum("...gi,gij->...gj", xb, self.blocks[r]).reshape(*lead, self.D))
        return x[..., :self.d_out]

    def dense_matrix(self):
        """The projection as a [d_in, d_out] matrix P with forward(u) = u @ P."""
        with torch.no_grad():
            eye = torch.eye(self.d_in, dtype=self.blocks.dtype)
            return self.forward(eye)


class LookupFFN(nn.Module):
    """LookupFFN: ``y = sum_h s_h(z) * T[h, code_h(z)] + b`` with
    ``z = P(LayerNorm(x))`` (see the module docstring).

    d_in, d_out: widths of x [..., d_in] and y [..., d_out] (float32 or
        float64; any leading dims).
    tables (H) and bits (k): H tables of 2^k rows of d_out values; the
        projection has H*k outputs.
    projection: "dense" (a [d_in, H*k] matrix, no bias) or "bh4"
        (BH4Projection).
    norm: apply LayerNorm(d_in) first (LookupFFN's LN; the FFN's own
        pre-norm usually precedes it in a transformer block).
    scored: weight each table's row by its score s_h (LookupFFN); False:
        a plain sum (lutc's post-training LSH; see lsh_lookup for its
        gradient).
    offset: add a learnable [H*k] offset c to the projection (lut.lsh_encode's
        bias; the post-training fit centres the hyperplanes with it).

    Parameters: ``norm`` (LayerNorm), ``projection`` (nn.Linear or
    BH4Projection), ``offset`` [H*k] or None, ``tables`` [H, 2^k, d_out],
    ``bias`` [d_out]. ``LookupFFN.from_fit`` builds one from lutc's fit.
    Raises ValueError for non-positive sizes or bits outside [1, 16].
    """

    def __init__(self, d_in, d_out, tables, bits, projection="dense", norm=True,
                 scored=True, offset=False, generator=None):
        super().__init__()
        if min(d_in, d_out, tables) < 1 or not 1 <= bits <= 16:
            raise ValueError(f"need positive widths and tables and bits in [1, 16], got "
                             f"d_in={d_in}, d_out={d_out}, tables={tables}, bits={bits}")
        self.d_in, self.d_out, self.num_tables, self.bits = d_in, d_out, tables, bits
        self.norm = nn.LayerNorm(d_in) if norm else nn.Identity()
        if projection == "dense":
            self.projection = nn.Linear(d_in, tables * bits, bias=False)
        elif projection == "bh4":
            self.projection = BH4Projection(d_in, tables * bits, generator=generator)
        else:
            raise ValueError(f"projection must be 'dense' or 'bh4', not {projection!r}")
        self.projection_kind = projection
        scale = 1.0 / (tables * math.sqrt(d_out))
        self.tables = nn.Parameter(torch.randn(tables, 1 << bits, d_out, generator=generator)
                                   * scale)
        self.bias = nn.Parameter(torch.zeros(d_out))
        self.scored = bool(scored)
        self.offset = nn.Parameter(torch.zeros(tables * bits)) if offset else None

    @classmethod
    def from_fit(cls, fit, norm=False):
        """An unscored LookupFFN holding lutc's post-training fit
        (lutmlir.fit_tables' LshTables: projection [D, H*k], offset, tables
        [H, 2^k, M], bias), so that it computes what the compiled
        post-training model computes for the FFN's input. norm: add a
        LayerNorm (identity at first) before the projection."""
        d, hk = fit.projection.shape
        h, r, m = fit.tables.shape
        layer = cls(d, m, tables=h, bits=fit.bits, norm=norm, scored=False, offset=True)
        if hk != h * fit.bits or r != 1 << fit.bits:
            raise ValueError(f"fit shapes disagree: projection {fit.projection.shape}, tables "
                             f"{fit.tables.shape}, bits {fit.bits}")
        with torch.no_grad():
            layer.projection.weight.copy_(torch.as_tensor(fit.projection).t())
            layer.offset.copy_(torch.as_tensor(fit.offset))
            layer.tables.copy_(torch.as_tensor(fit.tables))
            layer.bias.copy_(torch.as_tensor(fit.bias))
        return layer

    def project(self, x):
        """z = P(LayerNorm(x)) + c, [N, H*k], for x [N, d_in]."""
        z = self.projection(self.norm(x))
        return z if self.offset is None else z + self.offset

    def encode(self, x):
        """(codes [N, H] int64, scores [N, H]) for x [N, d_in]."""
        z = self.project(x)
        return lsh_codes(z, self.bits), lsh_scores(z, self.bits)

    def forward(self, x):
        if x.shape[-1] != self.d_in:
            raise ValueError(f"LookupFFN expects [..., {self.d_in}], got {tuple(x.shape)}")
        lead = x.shape[:-1]
        flat = x.reshape(-1, self.d_in)
        if torch.onnx.is_in_onnx_export():
            from .onnx_ops import LookupFFNOp

            y = LookupFFNOp.apply(self.norm(flat), self.projection_matrix(), self.tables,
                                  self.bias, self.bits, self.offset, self.scored)
            return y.reshape(*lead, self.d_out)
        y = lookup_from_projection(self.project(flat), self.tables, self.bias, self.bits,
                                   self.scored)
        return y.reshape(*lead, self.d_out)

    def projection_matrix(self):
        """The projection as a [d_in, H*k] matrix P (z = u @ P): the dense
        weight transposed, or BH4's dense_matrix()."""
        if self.projection_kind == "dense":
            return self.projection.weight.t()
        # A constant (through NumPy, so that tracing does not record the
        # BH4 factors' products): ONNX stores the dense matrix.
        return torch.from_numpy(self.projection.dense_matrix().detach().numpy().copy())

    def multiplications_per_token(self):
        """Multiplications of one token: the projection (d_in*H*k dense; the
        block products for BH4), and when scored the scores' products (H*k)
        and one per table and output column for the score-weighted rows
        (the LayerNorm not counted)."""
        if self.projection_kind == "dense":
            proj = self.d_in * self.num_tables * self.bits
        else:
            p = self.projection
            proj = p.blocks.shape[0] * p.D * p.block
        if not self.scored:
            return proj
        return proj + self.num_tables * self.bits + self.num_tables * self.d_out
