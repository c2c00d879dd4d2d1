"""Finding a model's FFN modules and replacing them with LUT layers."""
from torch import nn

from .lookup_ffn import LookupFFN
from .weightless import WeightlessFFN

#: Activation modules that may sit between an FFN's two projections.
ACTIVATIONS = (nn.GELU, nn.ReLU, nn.SiLU, nn.Tanh, nn.Sigmoid, nn.LeakyReLU, nn.ELU, nn.Mish)
_SKIP = (nn.Dropout, nn.Identity)


def _ffn_shape(module):
    """(d_in, d_out, kind) when `module` is an FFN, else None.

    Recognized: an nn.Sequential of Linear(d, h), an activation, Linear(h, e)
    (dropouts ignored): "linear-act-linear"; any other module whose direct
    children are exactly two Linears chained d -> h -> e and one activation
    (timm's Mlp: fc1, act, fc2): "linear-act-linear"; and a module whose
    children are three Linears, two d -> h and one h -> e (LLaMA's w1, w3,
    w2): "gated"."""
    kids = [c for c in module.children() if not isinstance(c, _SKIP)]
    lins = [c for c in kids if isinstance(c, nn.Linear)]
    acts = [c for c in kids if isinstance(c, ACTIVATIONS)]
    if len(kids) == 3 and len(lins) == 2 and len(acts) == 1:
        a, b = lins
        ordered = not isinstance(module, nn.Sequential) or kids.index(acts[0]) == 1
        if a.out_features == b.in_features and ordered:
            return a.in_features, b.out_features, "linear-act-linear"
    if len(kids) == 3 and len(lins) == 3:
        ups = [l for l in lins if sum(l.out_features == m.in_features for m in lins) == 1]
        downs = [l for l in lins if l not in ups]
        if (len(ups) == 2 and len(downs) == 1 and ups[0].in_features == ups[1].in_features
                and ups[0].out_features == ups[1].out_features == downs[0].in_features):
            return ups[0].in_features, downs[0].out_features, "gated"
    return None


def find_ffns(model):
    """The FFN modules of `model` as a list of (qualified name, module,
    d_in, d_out, kind), outermost first; modules inside a found FFN are not
    searched."""
    found, inside = [], []
    for name, mod in model.named_modules():
        if any(name.startswith(p + ".") for p in inside):
            continue
        shape = _ffn_shape(mod)
        if shape:
            found.append((name, mod, *shape))
            inside.append(name)
    return found


def make_layer(method, d_in, d_out, **opts):
    """A new LUT layer: method "lookup" (LookupFFN; tables=48, bits=8 by
    default) or "weightless" (WeightlessFFN)."""
    if method == "lookup":
        opts.setdefault("tables", 48)
        opts.setdefault("bits", 8)
        return LookupFFN(d_in, d_out, **opts)
    if method == "weightless":
        return WeightlessFFN(d_in, d_out, **opts)
    raise ValueError(f"method must be 'lookup' or 'weightless', not {method!r}")


def _from_fit(fit, name, d_in, d_out, opts):
    """LookupFFN.from_fit for module `name`, checked against its widths."""
    if name not in fit:
        raise ValueError(f"the fit has no FFN '{name}'; it has: {', '.join(fit) or 'none'} "
                         "(rename its keys to the module names, or give names=)")
    t = fit[name]
    d, m = t.projection.shape[0], t.tables.shape[2]
    if (d, m) != (d_in, d_out):
        raise ValueError(f"'{name}' maps {d_in} -> {d_out} features but its fit maps {d} -> {m}")
    unknown = set(opts) - {"norm"}
    if unknown:
        raise ValueError(f"with fit=, the tables and bits come from the fit; unexpected "
                         f"options: {', '.join(sorted(unknown))}")
    return LookupFFN.from_fit(t, **opts)


def fit_tables(model, args, calibration, *, input_names=None, **lut_options):
    """lutc's post-training LSH fit of a PyTorch model's FFNs: exports the
    model (dense, lutmlir.torch.export with example inputs `args`) and runs
    lutmlir.fit_tables on it with `calibration` (arrays of the inputs, as
    lutmlir.compile takes them) and the lsh options (tables=, bits=, ...).
    Returns {module name: LshTables} for convert(..., fit=...). The export
    has the static shapes of `args`; calibration batches are split to it."""
    import os
    import shutil
    import tempfile

    from .. import _fit
    from .onnx_ops import export

    work = tempfile.mkdtemp(prefix="lutmlir-torch-fit-")
    try:
        path = os.path.join(work, "dense.onnx")
        was_training = model.training
        try:
            export(model, args, path, input_names=input_names)
        finally:
            model.train(was_training)
        return _fit.fit_tables(path, calibration=calibration, **lut_options)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def convert(model, method="lookup", names=None, fit=None, **opts):
    """Replaces FFN modules of `model` in place with LUT layers.

    method: "lookup" or "weightless" (make_layer; `opts` go to the layer).
    names: qualified module names to replace (each must exist and have
        Linear layers to take its widths from), or None for every FFN that
        find_ffns recognizes.
    fit: method "lookup" only: lutc's post-training fit, {FFN name:
        LshTables} from lutmlir.fit_tables (or lutmlir.torch.fit_tables).
        Each replaced module gets ``LookupFFN.from_fit(fit[name], **opts)``
        (unscored, with the fit's projection, offset, tables and bias), so
        that fine-tuning starts from the post-training result. The keys are
        the compiler's FFN names, which for a model exported from PyTorch
        are its module names ("blocks.0.mlp"); rename the keys when they
        differ.
    Returns {name: (old module, new module)}, in model order. Raises
    ValueError when nothing is found, for a name that is not a module or
    not an FFN, and for an FFN that `fit` lacks or whose widths differ from
    its fit; the model is then unchanged."""
    modules = dict(model.named_modules())
    if names is None:
        targets = [(n, m, di, do) for n, m, di, do, _ in find_ffns(model)]
        if not targets:
            raise ValueError("no FFN module found (Linear-activation-Linear or gated); "
                             "give names=")
    else:
        targets = []
        for n in names:
            if n not in modules or n == "":
                raise ValueError(f"'{n}' is not a submodule of the model")
            shape = _ffn_shape(modules[n])
            if not shape:
                raise ValueError(f"'{n}' is not an FFN module (Linear-activation-Linear or "
                                 "gated) that lutmlir.torch can take the widths of")
            targets.append((n, modules[n], shape[0], shape[1]))
    if fit is not None and method != "lookup":
        raise ValueError(f"fit= starts LookupFFN layers from lutc's fit; method is {method!r}")
    replaced = {}
    for n, old, d_in, d_out in targets:
        if fit is None:
            new = make_layer(method, d_in, d_out, **opts)
        else:
            new = _from_fit(fit, n, d_in, d_out, opts)
        p = next(old.parameters(), None)
        if p is not None:
            new = new.to(dtype=p.dtype)
        replaced[n] = (old, new)
    for n, (old, new) in replaced.items():
        parent_name, _, attr = n.rpartition(".")
        parent = modules[parent_name] if parent_name else model
        if isinstance(parent, (nn.Sequential, nn.ModuleList)) and attr.isdigit():
            parent[int(attr)] = new
        else:
            setattr(parent, attr, new)
    return replaced
