"""lutmlir.torch: gradient checks (finite differences, EFD against its
definition), the layers' forward against their formulas, and short training
runs whose loss must fall."""
import itertools
import math

import pytest

torch = pytest.importorskip("torch")

from lutmlir.torch import (BH4Projection, GroupSum, LUTLayer, LookupFFN, Thermometer,  # noqa: E402
                           WeightlessFFN, efd_lut, gather_weighted_sum, lsh_codes,
                           learnable_select, lsh_lookup)

torch.set_num_threads(1)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_lsh_codes_bit_order():
    z = torch.tensor([[1.0, -1.0, 1.0, 0.5, -2.0, -0.1]])  # H=2, k=3
    assert lsh_codes(z, 3).tolist() == [[0b101, 0b001]]
    with pytest.raises(ValueError, match="multiple of bits"):
        lsh_codes(z, 4)


def test_gather_weighted_sum_gradcheck():
    g = gen()
    s = torch.randn(5, 3, dtype=torch.float64, generator=g, requires_grad=True)
    t = torch.randn(3, 4, 2, dtype=torch.float64, generator=g, requires_grad=True)
    c = torch.randint(0, 4, (5, 3), generator=g)
    assert torch.autograd.gradcheck(lambda s, t: gather_weighted_sum(s, t, c), (s, t))
    want = sum(s[:, h:h + 1] * t[h][c[:, h]] for h in range(3))
    torch.testing.assert_close(gather_weighted_sum(s, t, c), want)
    with pytest.raises(TypeError):
        gather_weighted_sum(s, t, c.int())
    with pytest.raises(ValueError, match="shapes"):
        gather_weighted_sum(s[:, :2], t, c)


@pytest.mark.parametrize("projection", ["dense", "bh4"])
def test_lookup_ffn_forward_is_the_formula(projection):
    m = LookupFFN(12, 5, tables=4, bits=3, projection=projection, generator=gen(1))
    with torch.no_grad():
        m.bias.normal_()
    x = torch.randn(2, 3, 12, generator=gen(2))
    u = torch.nn.functional.layer_norm(x.reshape(-1, 12), (12,), m.norm.weight, m.norm.bias)
    z = m.projection(u).reshape(-1, 4, 3)
    y = torch.zeros(6, 5)
    for n, h in itertools.product(range(6), range(4)):
        code = sum(int(z[n, h, j] > 0) << j for j in range(3))
        a = z[n, h].abs()
        score = a.sum() / torch.prod(1 + torch.exp(-2 * a))
        y[n] += score * m.tables[h, code]
    torch.testing.assert_close(m(x), (y + m.bias).reshape(2, 3, 5))


@pytest.mark.parametrize("projection", ["dense", "bh4"])
def test_lookup_ffn_gradcheck(projection):
    """Finite differences through the score into the projection, the norm
    and x, and into the tables (codes do not flip at eps 1e-6 here)."""
    m = LookupFFN(8, 3, tables=3, bits=2, projection=projection, generator=gen(3)).double()
    x = torch.randn(4, 8, dtype=torch.float64, generator=gen(4), requires_grad=True)
    params = list(m.parameters())
    # x by gradcheck; every parameter by central differences.
    assert torch.autograd.gradcheck(m, (x,), eps=1e-6, atol=1e-5)
    y = m(x).sum()
    grads = torch.autograd.grad(y, params)
    for p, g in zip(params, grads):
        num = torch.zeros_like(p)
        flat = p.data.view(-1)
        for i in range(flat.numel()):
            old = flat[i].item()
            flat[i] = old + 1e-6
            hi = m(x).sum().item()
            flat[i] = old - 1e-6
            lo = m(x).sum().item()
            flat[i] = old
            num.view(-1)[i] = (hi - lo) / 2e-6
        torch.testing.assert_close(g, num, atol=1e-5, rtol=1e-4)


def test_lsh_lookup_gradients_are_their_definitions():
    """Tables: exact (gradcheck). z: the finite difference of the table in
    each bit times 0.5 / (1 + |z|)^2, written out per element."""
    h, k, m, n = 3, 2, 4, 5
    t = torch.randn(h, 1 << k, m, dtype=torch.float64, generator=gen(7), requires_grad=True)
    z = torch.randn(n, h * k, dtype=torch.float64, generator=gen(8), requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: lsh_lookup(z.detach(), t, k), (t,))
    dy = torch.randn(n, m, dtype=torch.float64, generator=gen(9))
    y = lsh_lookup(z, t, k)
    codes = lsh_codes(z.detach(), k)
    torch.testing.assert_close(y, sum(t[i][codes[:, i]] for i in range(h)))
    (dz,) = torch.autograd.grad(y, z, dy)
    want = torch.zeros_like(z)
    for r, i, j in itertools.product(range(n), range(h), range(k)):
        c = int(codes[r, i])
        diff = t[i, c | (1 << j)] - t[i, c & ~(1 << j)]
        want[r, i * k + j] = (dy[r] * diff).sum() * 0.5 / (1 + abs(z[r, i * k + j])) ** 2
    torch.testing.assert_close(dz, want.detach())
    with pytest.raises(ValueError, match="shapes"):
        lsh_lookup(z, t[:, :3], k)


def test_unscored_lookup_ffn_is_the_fit_formula():
    """from_fit: z = x P + offset, y = sum_h T[h, code_h] + b, no norm; its
    parameters are the fit's arrays, and all of them get gradients."""
    from lutmlir import LshTables

    g = gen(10)
    fit = LshTables(projection=torch.randn(6, 8, generator=g).numpy(),
                    offset=torch.randn(8, generator=g).numpy(),
                    tables=torch.randn(2, 16, 3, generator=g).numpy(),
                    bias=torch.randn(3, generator=g).numpy(), bits=4, report={})
    m = LookupFFN.from_fit(fit)
    assert not m.scored and isinstance(m.norm, torch.nn.Identity)
    x = torch.randn(7, 6, generator=g)
    z = x @ torch.from_numpy(fit.projection) + torch.from_numpy(fit.offset)
    codes = lsh_codes(z, 4)
    want = sum(torch.from_numpy(fit.tables)[i][codes[:, i]] for i in range(2)) + \
        torch.from_numpy(fit.bias)
    torch.testing.assert_close(m(x), want)
    m(x).square().sum().backward()
    for name, p in m.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    assert m.multiplications_per_token() == 6 * 8
    bad = fit._replace(tables=fit.tables[:, :8])
    with pytest.raises(ValueError, match="fit shapes"):
        LookupFFN.from_fit(bad)


def test_bh4_dense_matrix_and_errors():
    p = BH4Projection(10, 6, block=4, generator=gen(5))
    u = torch.randn(3, 10, generator=gen(6))
    torch.testing.assert_close(p(u), u @ p.dense_matrix(), atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="projection"):
        LookupFFN(4, 4, 2, 2, projection="sparse")
    with pytest.raises(ValueError, match="bits"):
        LookupFFN(4, 4, 2, 17)


def efd_by_definition(bits, tables, mapping, alpha, beta):
    """d sum(out) / d bits straight from DWN's EFD formula, one sample and
    LUT at a time."""
    N, L, n = bits.shape[0], mapping.shape[0], mapping.shape[1]
    d = torch.zeros_like(bits)
    for s, l in itertools.product(range(N), range(L)):
        a = sum(int(bits[s, mapping[l, j]] > 0.5) << j for j in range(n))
        for j in range(n):
            total = 0.0
            for k in range(1 << n):
                if (k >> j) & 1:
                    continue
                ham = bin((k ^ a) & ~(1 << j)).count("1")
                total += alpha * beta ** ham * (tables[l, k | (1 << j)] - tables[l, k]).item()
            d[s, mapping[l, j]] += total
    return d


def test_efd_matches_its_definition():
    g = gen(7)
    n, L, din = 3, 4, 7
    bits = (torch.rand(5, din, generator=g) > 0.5).double().requires_grad_(True)
    tables = torch.randn(L, 1 << n, dtype=torch.float64, generator=g, requires_grad=True)
    mapping = torch.randint(0, din, (L, n), generator=g)
    out = efd_lut(bits, tables, mapping)
    # forward: the addressed entries
    for s, l in itertools.product(range(5), range(L)):
        a = sum(int(bits[s, mapping[l, j]]) << j for j in range(n))
        assert out[s, l].item() == tables[l, a].item()
    out.sum().backward()
    alpha, beta = 0.5 * 0.75 ** (n - 1), 0.25 / 0.75
    torch.testing.assert_close(bits.grad, efd_by_definition(bits.detach(), tables.detach(),
                                                             mapping, alpha, beta))
    # tables: exact (the output is linear in the addressed entry)
    assert torch.autograd.gradcheck(lambda t: efd_lut(bits.detach(), t, mapping), (tables,))
    with pytest.raises(ValueError, match="2\\^n"):
        efd_lut(bits, tables[:, :4], mapping)
    with pytest.raises(ValueError, match="outside"):
        efd_lut(bits, tables, mapping + din)


def test_learnable_select_is_dwns_definition():
    """Forward: the argmax column's bit. Backward: dW = (2 bits - 1)^T dsel,
    dbits = dsel softmax(W / tau)^T, element by element."""
    g = gen(13)
    bits = (torch.rand(6, 5, generator=g) > 0.5).double().requires_grad_(True)
    w = torch.randn(5, 4, dtype=torch.float64, generator=g, requires_grad=True)
    sel = learnable_select(bits, w, tau=0.5)
    arg = w.argmax(0)
    torch.testing.assert_close(sel, bits[:, arg].detach())
    dsel = torch.randn(6, 4, dtype=torch.float64, generator=g)
    dbits, dw = torch.autograd.grad(sel, (bits, w), dsel)
    soft = torch.softmax(w.detach() / 0.5, 0)
    want_w, want_b = torch.zeros(5, 4, dtype=torch.float64), torch.zeros(6, 5, dtype=torch.float64)
    for n, i, s in itertools.product(range(6), range(5), range(4)):
        want_w[i, s] += (2 * bits[n, i].item() - 1) * dsel[n, s]
        want_b[n, i] += dsel[n, s] * soft[i, s]
    torch.testing.assert_close(dw, want_w)
    torch.testing.assert_close(dbits, want_b)
    with pytest.raises(ValueError, match="Din"):
        learnable_select(bits, w[:4])


def test_learnable_mapping_follows_its_weights():
    layer = LUTLayer(12, 3, fan_in=2, generator=gen(14), mapping="learnable")
    fixed = LUTLayer(12, 3, fan_in=2, generator=gen(14))
    # It starts at the random mapping of the same generator.
    assert torch.equal(layer.mapping, fixed.mapping)
    bits = (torch.rand(9, 12, generator=gen(15)) > 0.5).float()
    torch.testing.assert_close(layer(bits), fixed(bits))
    with torch.no_grad():
        layer.mapping_weights[7, 4] = 10.0  # LUT 2, input 0 now reads bit 7
    layer(bits).sum().backward()
    assert int(layer.mapping[2, 0]) == 7
    assert layer.mapping_weights.grad is not None and layer.mapping_weights.grad.abs().sum() > 0
    addr = bits[:, 7].long() + 2 * bits[:, int(layer.mapping[2, 1])].long()
    torch.testing.assert_close(layer(bits)[:, 2], layer.tables[2, addr])
    with pytest.raises(ValueError, match="mapping"):
        LUTLayer(12, 3, mapping="hashed")


def test_thermometer_encoding_and_fit():
    t = Thermometer(2, 3, "uniform")
    x = torch.tensor([[-3.0, 0.5], [1.5, 3.0]])
    t.fit(torch.tensor([[-2.0, 0.0], [2.0, 4.0]]))  # thresholds -1,0,1 and 1,2,3
    torch.testing.assert_close(t.thresholds, torch.tensor([[-1.0, 0.0, 1.0], [1.0, 2.0, 3.0]]))
    assert t(x).tolist() == [[0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 0]]
    for method in ("gaussian", "distributive"):
        th = Thermometer(3, 7, method).fit(torch.randn(1000, 3, generator=gen(8))).thresholds
        assert bool((th[:, 1:] > th[:, :-1]).all())
    xr = torch.randn(4, 2, requires_grad=True)
    t(xr).sum().backward()
    assert xr.grad.abs().sum() > 0  # the surrogate lets gradients through
    with pytest.raises(ValueError, match="method"):
        Thermometer(2, 3, "log")


def teacher(d=16, seed=9):
    g = gen(seed)
    w1, w2 = torch.randn(d, 4 * d, generator=g) / math.sqrt(d), torch.randn(4 * d, d, generator=g) / math.sqrt(4 * d)
    return lambda x: torch.nn.functional.gelu(x @ w1) @ w2


@pytest.mark.parametrize("make", [
    lambda: LookupFFN(16, 16, tables=8, bits=4, generator=gen(10)),
    lambda: WeightlessFFN(16, 16, bits=4, luts_per_output=8, fan_in=4, generator=gen(10)),
    lambda: WeightlessFFN(16, 16, bits=4, luts_per_output=8, fan_in=4, depth=2,
                          generator=gen(10)),
    lambda: WeightlessFFN(16, 16, bits=4, luts_per_output=8, fan_in=4, mapping="learnable",
                          generator=gen(10)),
])
def test_short_training_run_loss_falls(make):
    f = teacher()
    x = torch.randn(512, 16, generator=gen(11))
    y = f(x)
    m = make()
    if isinstance(m, WeightlessFFN):
        m.fit_thresholds(x)
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    losses = []
    for _ in range(60):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(m(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.6 * losses[0], losses[::10]


def test_group_sum_and_lut_layer():
    gs = GroupSum(6, 2)
    o = torch.arange(12.0).reshape(2, 6)
    torch.testing.assert_close(gs(o), torch.tensor([[3.0, 12.0], [21.0, 30.0]]) * gs.scale)
    with pytest.raises(ValueError, match="groups"):
        GroupSum(7, 2)
    layer = LUTLayer(10, 5, fan_in=4, generator=gen(12))
    counts = torch.bincount(layer.mapping.reshape(-1), minlength=10)
    assert int(counts.max()) - int(counts.min()) <= 1  # inputs used evenly
    with pytest.raises(ValueError, match="fan_in"):
        LUTLayer(10, 5, fan_in=17)


def test_convert_the_example_vit():
    import os
    import sys
    from conftest import ROOT
    sys.path.insert(0, os.path.join(ROOT, "examples", "vit-fashion-mnist"))
    from vit_model import ViT
    from lutmlir.torch import convert, find_ffns

    m = ViT()
    names = [n for n, *_ in find_ffns(m)]
    assert names == [f"blocks.{i}.mlp" for i in range(4)]
    replaced = convert(m, "lookup", tables=8, bits=4)
    assert list(replaced) == names
    assert isinstance(m.blocks[0].mlp, LookupFFN) and m.blocks[0].mlp.d_in == 96
    assert m(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    m2 = ViT()
    convert(m2, "weightless", names=["blocks.1.mlp"], bits=2, luts_per_output=2)
    assert isinstance(m2.blocks[1].mlp, WeightlessFFN)
    assert isinstance(m2.blocks[0].mlp, torch.nn.Sequential)
    with pytest.raises(ValueError, match="not an FFN"):
        convert(m2, names=["blocks.0.attn"])
    with pytest.raises(ValueError, match="not a submodule"):
        convert(m2, names=["blocks.9.mlp"])
    with pytest.raises(ValueError, match="method"):
        convert(ViT(), "pq")


def test_find_gated_and_timm_style():
    from lutmlir.torch import find_ffns

    class Gated(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w1, self.w3 = torch.nn.Linear(8, 32), torch.nn.Linear(8, 32)
            self.w2 = torch.nn.Linear(32, 8)

    class Mlp(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.act, self.drop = torch.nn.Linear(8, 32), torch.nn.GELU(), torch.nn.Dropout()
            self.fc2 = torch.nn.Linear(32, 6)

    found = find_ffns(torch.nn.ModuleDict({"g": Gated(), "m": Mlp()}))
    assert [(n, di, do, k) for n, _, di, do, k in found] == [
        ("g", 8, 8, "gated"), ("m", 8, 6, "linear-act-linear")]


def test_distill_both_stages_reduce_their_loss():
    import copy
    from lutmlir.torch import convert, distill

    torch.manual_seed(0)
    teacher = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Sequential(
        torch.nn.Linear(16, 64), torch.nn.GELU(), torch.nn.Linear(64, 16)), torch.nn.Linear(16, 3))
    student = copy.deepcopy(teacher)
    convert(student, "lookup", tables=8, bits=4, generator=gen(13))
    x = torch.randn(256, 8, generator=gen(14))
    y = teacher(x).argmax(1).detach()
    batches = [(x[i:i + 64], y[i:i + 64]) for i in range(0, 256, 64)]
    h = distill(student, teacher, batches, ffn_epochs=8, epochs=8, lr=1e-2,
                task_loss=torch.nn.functional.cross_entropy)
    assert h["ffn"][-1] < 0.5 * h["ffn"][0]
    assert h["end-to-end"][-1] < h["end-to-end"][0]
    with pytest.raises(ValueError, match="convert first"):
        distill(teacher, teacher, batches)


def test_distill_cosine_schedule_and_its_errors():
    import copy
    from lutmlir.torch import convert, distill

    torch.manual_seed(1)
    teacher = torch.nn.Sequential(torch.nn.Linear(16, 64), torch.nn.GELU(), torch.nn.Linear(64, 16))
    wrapper = torch.nn.Sequential(teacher)
    student = copy.deepcopy(wrapper)
    convert(student, "weightless", bits=4, luts_per_output=4, fan_in=4, generator=gen(15))
    x = torch.randn(128, 16, generator=gen(16))
    stages = []
    h = distill(student, wrapper, [x[:64], x[64:]], ffn_batches=[x[:64]], ffn_epochs=3,
                epochs=3, lr=1e-2, schedule="cosine", weight_decay=0.01,
                progress=lambda stage, step, loss: stages.append(stage))
    # stage 1 ran on its own (smaller) batches: 3 passes of 1 batch
    assert stages.count("ffn") == 3 and stages.count("end-to-end") == 6
    assert len(h["ffn"]) == 3 and len(h["end-to-end"]) == 3
    with pytest.raises(ValueError, match="schedule must be"):
        distill(student, wrapper, [x], schedule="linear")
    with pytest.raises(ValueError, match="len"):
        distill(student, wrapper, (b for b in [x]), schedule="cosine")


def test_weightless_depth():
    m = WeightlessFFN(8, 4, bits=3, luts_per_output=4, fan_in=3, depth=3, generator=gen(17))
    assert len(m.layers()) == 3 and m.hidden[0].mapping.max() < 16
    x = torch.randn(20, 8, generator=gen(18), requires_grad=True)
    m.fit_thresholds(x.detach())
    m(x).sum().backward()
    # every layer's tables and the input get gradients through the bits
    assert all(l.tables.grad is not None and l.tables.grad.abs().sum() > 0 for l in m.layers())
    assert x.grad is not None and x.grad.abs().sum() > 0
    with pytest.raises(ValueError, match="depth"):
        WeightlessFFN(8, 4, depth=0)
