"""lutmlir.torch.export: the LUT layers as lutmlir-domain ONNX ops. A small
NumPy evaluator of the exported graph, with the custom ops as their
documented definitions (lutmlir/torch/onnx_ops.py), must give PyTorch's
outputs."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
from onnx import numpy_helper  # noqa: E402

from lutmlir.torch import LookupFFN, WeightlessFFN, export  # noqa: E402


def lookup_ffn(x, p, t, b, offset=None, *, bits, scored=1):
    z = x @ p + (0 if offset is None else offset)
    zb = z.reshape(z.shape[0], -1, bits)
    codes = ((zb > 0).astype(np.int64) << np.arange(bits)).sum(-1)
    a = np.abs(zb)
    s = a.sum(-1) / np.prod(1 + np.exp(-2 * a), -1) if scored else np.ones(a.shape[:2])
    return (s[:, :, None] * t[np.arange(t.shape[0])[None], codes]).sum(1) + b


def evaluate(path, feeds):
    """Runs the few ONNX ops our exports use, and the lutmlir ops."""
    m = onnx.load(path)
    env = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    env.update(feeds)
    for n in m.graph.node:
        a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
        ins = [env[i] if i else None for i in n.input]
        if n.op_type == "Constant":
            out = numpy_helper.to_array(a["value"])
        elif n.op_type == "Identity":
            out = ins[0]
        elif n.op_type == "Reshape":
            shape = [d if d != 0 else ins[0].shape[i] for i, d in enumerate(ins[1])]
            out = ins[0].reshape(shape)
        elif n.op_type == "Gemm":
            out = ins[0] @ (ins[1].T if a.get("transB") else ins[1]) + ins[2]
        elif n.op_type == "LayerNormalization":
            x = ins[0]
            mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
            out = (x - mu) / np.sqrt(var + a.get("epsilon", 1e-5)) * ins[1] + ins[2]
        elif n.op_type == "ReduceSum":
            out = ins[0].sum(tuple(ins[1]), keepdims=bool(a.get("keepdims", 1)))
        elif n.op_type == "MatMul":
            out = ins[0] @ ins[1]
        elif n.op_type == "Transpose":
            out = np.transpose(ins[0], a.get("perm"))
        elif n.op_type == "Mul":
            out = ins[0] * ins[1]
        elif n.op_type == "Add":
            out = ins[0] + ins[1]
        elif (n.domain, n.op_type) == ("lutmlir", "LookupFFN"):
            out = lookup_ffn(*ins, bits=a["bits"], scored=a.get("scored", 1))
        elif (n.domain, n.op_type) == ("lutmlir", "Thermometer"):
            out = (ins[0][:, :, None] > ins[1][None]).reshape(ins[0].shape[0], -1)
        elif (n.domain, n.op_type) == ("lutmlir", "WeightlessLUT"):
            bits, mapping, tables = ins
            addr = (bits[:, mapping].astype(np.int64) << np.arange(mapping.shape[1])).sum(-1)
            out = tables[np.arange(tables.shape[0])[None], addr]
        else:
            raise NotImplementedError(f"{n.domain}::{n.op_type}")
        env[n.output[0]] = out
    return [env[o.name] for o in m.graph.output]


@pytest.mark.parametrize("projection", ["dense", "bh4"])
def test_lookup_ffn_export(tmp_path, projection):
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Linear(6, 8),
                            LookupFFN(8, 5, tables=4, bits=3, projection=projection))
    with torch.no_grad():
        m[1].norm.weight.uniform_(0.5, 1.5)
        m[1].bias.normal_()
    x = torch.randn(2, 7, 6)
    path = export(m, x, tmp_path / "m.onnx", input_names=["x"])
    g = onnx.load(path)
    nodes = [n for n in g.graph.node if n.domain == "lutmlir"]
    assert [n.op_type for n in nodes] == ["LookupFFN"]
    assert {(o.domain, o.version) for o in g.opset_import} >= {("lutmlir", 1)}
    (got,) = evaluate(path, {"x": x.numpy()})
    np.testing.assert_allclose(got, m(x).detach().numpy(), rtol=1e-4, atol=1e-5)


def test_weightless_ffn_export(tmp_path):
    torch.manual_seed(1)
    m = WeightlessFFN(8, 4, bits=3, luts_per_output=4, fan_in=3)
    x = torch.randn(10, 8)
    m.fit_thresholds(x)
    path = export(m, x, tmp_path / "w.onnx", input_names=["x"])
    ops = [(n.domain, n.op_type) for n in onnx.load(path).graph.node if n.domain]
    assert ops == [("lutmlir", "Thermometer"), ("lutmlir", "WeightlessLUT")]
    (got,) = evaluate(path, {"x": x.numpy()})
    np.testing.assert_allclose(got, m(x).detach().numpy(), rtol=1e-4, atol=1e-5)


def _bits_sensitive_inputs(shape, seed):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("make", [
    lambda: LookupFFN(8, 5, tables=4, bits=3),
    lambda: LookupFFN(8, 5, tables=4, bits=3, projection="bh4"),
    lambda: LookupFFN(8, 5, tables=4, bits=3, offset=True),
    lambda: LookupFFN(8, 5, tables=4, bits=3, scored=False, offset=True),
    lambda: WeightlessFFN(8, 5, bits=3, luts_per_output=4, fan_in=3),
    lambda: WeightlessFFN(8, 5, bits=3, luts_per_output=4, fan_in=3, depth=2),
    lambda: WeightlessFFN(8, 5, bits=3, luts_per_output=4, fan_in=3, mapping="learnable"),
])
def test_export_import_compile_run_matches_pytorch(tmp_path, make):
    """Export -> lutc's import of the lutmlir domain -> native code: the
    outputs of PyTorch's forward, rtol 1e-4."""
    import lutmlir

    torch.manual_seed(2)
    layer = make()
    if getattr(layer, "offset", None) is not None:
        with torch.no_grad():
            layer.offset.normal_()
    model = torch.nn.Sequential(torch.nn.Linear(6, 8), layer)
    x = _bits_sensitive_inputs((16, 6), 3)
    if isinstance(layer, WeightlessFFN):
        layer.fit_thresholds(model[0](x).detach())
        if layer.lut.mapping_weights is not None:
            with torch.no_grad():  # move the argmax of a few LUT inputs
                layer.lut.mapping_weights[:, ::3] = torch.randn(24, 20)
    with torch.no_grad():
        want = model(x).numpy()
    path = export(model, x, tmp_path / "m.onnx", input_names=["x"])
    m = lutmlir.compile(path, progress=False)
    (got,) = m.run(x.numpy())
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    # The compiled multiplications per token: the Linear (6 x 8), the
    # layer's LayerNorm (its variance: 8 squares), and for LookupFFN the
    # projection computed once (8 x 12) and, when scored, the scores'
    # products over each table's 3 bits (12) and one score per table and
    # column (4 x 5). The weightless layer has none of its own.
    text = lutmlir.ir.import_onnx(path)
    macs = lutmlir.ir.count_macs(text)
    own = 8
    if isinstance(layer, LookupFFN):
        own += 8 * 12 + (12 + 4 * 5 if layer.scored else 0)
        # Unscored: the very ops of lutc's post-training LSH.
        assert ("lut.lsh_encode" in text) == (not layer.scored)
    assert macs == 16 * (6 * 8 + own)


def _custom_model(op_type, attrs, version=1, inputs=None, offset=4):
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 5])
    init = [numpy_helper.from_array(np.zeros((3, 4), np.float32), "p"),
            numpy_helper.from_array(np.zeros((2, 4, 5), np.float32), "t"),
            numpy_helper.from_array(np.zeros(5, np.float32), "b"),
            numpy_helper.from_array(np.zeros(offset, np.float32), "c")]
    node = helper.make_node(op_type, inputs or ["x", "p", "t", "b"], ["y"], domain="lutmlir",
                            **attrs)
    g = helper.make_graph([node], "g", [x], [y], init)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17),
                                               helper.make_opsetid("lutmlir", version)])


def test_bad_custom_ops_are_clear_errors():
    import lutmlir

    ok = lutmlir.compile(_custom_model("LookupFFN", {"bits": 2}), progress=False)
    assert ok.run(np.ones((4, 3), np.float32))[0].shape == (4, 5)
    with pytest.raises(lutmlir.CompileError, match="'bits' must be in \\[1, 16\\], got 0"):
        lutmlir.compile(_custom_model("LookupFFN", {"bits": 0}))
    with pytest.raises(lutmlir.CompileError, match="Tables must be"):
        lutmlir.compile(_custom_model("LookupFFN", {"bits": 3}))
    with pytest.raises(lutmlir.CompileError, match="no operator 'LookupFNN'.*LookupFFN, "
                       "Thermometer and WeightlessLUT"):
        lutmlir.compile(_custom_model("LookupFNN", {"bits": 2}))
    with pytest.raises(lutmlir.CompileError, match="bits"):
        lutmlir.compile(_custom_model("LookupFFN", {}))  # required attribute missing
    with pytest.raises(lutmlir.UnsupportedError, match="version 2 of the 'lutmlir' domain"):
        lutmlir.compile(_custom_model("LookupFFN", {"bits": 2}, version=2))
    # The optional Offset and the scored attribute.
    five = ["x", "p", "t", "b", "c"]
    for scored in (0, 1):
        ok = lutmlir.compile(_custom_model("LookupFFN", {"bits": 2, "scored": scored},
                                           inputs=five), progress=False)
        assert ok.run(np.ones((4, 3), np.float32))[0].shape == (4, 5)
    with pytest.raises(lutmlir.CompileError, match="'scored' must be 0 or 1, got 2"):
        lutmlir.compile(_custom_model("LookupFFN", {"bits": 2, "scored": 2}))
    with pytest.raises(lutmlir.CompileError, match="Offset must have H\\*bits = 4 elements, "
                       "got 3"):
        lutmlir.compile(_custom_model("LookupFFN", {"bits": 2}, inputs=five, offset=3))


class _TinyBlock(torch.nn.Module):
    """A pre-norm residual block whose FFN lutc detects: x + mlp(norm(x))."""

    def __init__(self):
        super().__init__()
        self.norm = torch.nn.LayerNorm(8)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.GELU(),
                                       torch.nn.Linear(32, 8))

    def forward(self, x):
        return x + self.mlp(self.norm(x))


def test_fine_tuning_starts_from_the_compilers_fit(tmp_path):
    """lutmlir.torch.fit_tables + convert(fit=): the PyTorch model computes
    what the compiled post-training model computes, and its export compiles
    to the same outputs; fit= errors name the FFN at fault."""
    import lutmlir
    import lutmlir.torch as lt

    torch.manual_seed(4)
    model = torch.nn.Sequential(torch.nn.Linear(5, 8), _TinyBlock(), torch.nn.Linear(8, 3))
    x = torch.randn(64, 5)
    cal = torch.randn(512, 5).numpy()
    spec = dict(tables=6, bits=4)
    fit = lt.fit_tables(model, x, cal, input_names=["x"], **spec)
    assert list(fit) == ["1.mlp"]
    t = fit["1.mlp"]
    assert (t.projection.shape, t.offset.shape, t.tables.shape, t.bias.shape, t.bits) == \
        ((8, 24), (24,), (6, 16, 8), (8,), 4)
    assert t.report["status"] == "converted" and t.report["tables"] == 6
    dense = tmp_path / "dense.onnx"
    export(model, x, dense, input_names=["x"])
    post = lutmlir.compile(dense, calibration=cal, progress=False, **spec)
    (want,) = post.run(x.numpy())

    for bad, msg in [(dict(fit={"0.mlp": t}), "the fit has no FFN '1.mlp'; it has: 0.mlp"),
                     (dict(fit={"1.mlp": t._replace(bias=t.bias[:4], tables=t.tables[..., :4])}),
                      "'1.mlp' maps 8 -> 8 features but its fit maps 8 -> 4"),
                     (dict(fit=fit, bits=3), "unexpected options: bits")]:
        with pytest.raises(ValueError, match=msg):
            lt.convert(model, "lookup", **bad)
    with pytest.raises(ValueError, match="method is 'weightless'"):
        lt.convert(model, "weightless", fit=fit)
    assert isinstance(model[1].mlp, torch.nn.Sequential)  # unchanged by the errors

    lt.convert(model, "lookup", fit=fit)
    assert isinstance(model[1].mlp, LookupFFN) and not model[1].mlp.scored
    with torch.no_grad():
        got = model(x).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    path = export(model, x, tmp_path / "fitted.onnx", input_names=["x"])
    (again,) = lutmlir.compile(path, progress=False).run(x.numpy())
    np.testing.assert_allclose(again, want, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="lsh method only"):
        lutmlir.fit_tables(dense, lut="pq:codebooks=4")
    plain = export(torch.nn.Linear(5, 3), x, tmp_path / "plain.onnx", input_names=["x"])
    with pytest.raises(lutmlir.CompileError, match="no FFN was converted; the FFNs found: none"):
        lutmlir.fit_tables(plain, calibration=cal, tables=6, bits=4)
    with pytest.raises(lutmlir.CompileError, match="tables must be >= 1"):
        lutmlir.fit_tables(dense, calibration=cal, tables=0)


@pytest.mark.parametrize("bad", [False, True])
def test_large_mapping_is_checked(bad):
    """A mapping of more than 64 elements is a dense_resource initializer; its
    indices are read and checked as well (a use of the wrong attribute kind
    once read garbage here)."""
    import lutmlir
    from onnx import TensorProto, helper

    L, n, inputs = 40, 3, 12
    rng = np.random.default_rng(0)
    mapping = rng.integers(0, inputs, (L, n)).astype(np.int64)
    if bad:
        mapping[7, 2] = inputs + 5
    tables = rng.standard_normal((L, 1 << n)).astype(np.float32)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, L])
    init = [numpy_helper.from_array(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4), "t"),
            numpy_helper.from_array(mapping, "m"), numpy_helper.from_array(tables, "tab")]
    nodes = [helper.make_node("Thermometer", ["x", "t"], ["bits"], domain="lutmlir"),
             helper.make_node("WeightlessLUT", ["bits", "m", "tab"], ["y"], domain="lutmlir")]
    model = helper.make_model(helper.make_graph(nodes, "g", [x], [y], init),
                              opset_imports=[helper.make_opsetid("", 17),
                                             helper.make_opsetid("lutmlir", 1)])
    if bad:
        with pytest.raises(lutmlir.CompileError, match=r"Mapping\[7, 2\] = 17 is outside \[0, 12\)"):
            lutmlir.compile(model, progress=False)
        return
    xs = rng.standard_normal((4, 3)).astype(np.float32)
    (got,) = lutmlir.compile(model, progress=False).run(xs)
    bits = (xs[:, :, None] > np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)[None]).reshape(4, -1)
    addr = (bits[:, mapping].astype(np.int64) << np.arange(n)).sum(-1)
    np.testing.assert_array_equal(got, tables[np.arange(L)[None], addr])
