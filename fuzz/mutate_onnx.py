#!/usr/bin/python3
"""Structured mutator for ONNX models: writes mutants of real seed models.

Usage: mutate_onnx.py --out DIR [--count N] [--seed S] [--max-mutations K] SEED...

Each SEED is an .onnx file or a directory searched for *.onnx. Each mutant
is a seed with 1 to K mutations applied through the onnx API (so that it
still parses, and the importer's logic is reached rather than only the
protobuf parser), written as DIR/mut-<seed>-<n>.onnx. The mutations cover:

  dims        change, add or drop a dim of a graph input, output, value_info
              or initializer (0, 1, -1, symbolic, 2^31, 2^40, ...)
  dtypes      change the elem_type of an input, output or initializer to any
              value 0..25 (including undefined and unsupported types)
  attributes  change an int/float/ints value (0, -1, huge, INT64_MIN), its
              type, drop it, add an unknown one, shrink or grow a list
  edges       rename a node input to a dangling name, feed a node its own
              output or a later node's (cycles), duplicate a node's output
              name in another node, list a graph output twice, drop a graph
              output, leave a graph input unused
  nodes       swap the op type for another of the same arity, delete,
              duplicate or reorder nodes, clear a node's name
  external    turn an initializer into external data with a hostile or
              broken location ('../x', '/etc/passwd', '', a directory, NUL,
              huge offset or length)
  opsets      change the default opset (1..25), add an unknown domain, drop
              the default domain, give a node a foreign domain
  data        truncate or extend an initializer's raw_data, move it to the
              wrong typed field

The output is deterministic for a given --seed. It is used by
run_campaign.py to seed libFuzzer and can also be run alone.
"""

import argparse
import os
import random
import sys

import onnx
from onnx import AttributeProto, TensorProto, helper

HUGE_DIMS = [0, 1, 2, 3, 7, 64, -1, -7, 2**31 - 1, 2**31, 2**32, 2**40, 2**62, 2**63 - 1]
INT_VALUES = [0, 1, -1, 2, -2, 3, 7, 64, 2**31, -(2**31), 2**62, 2**63 - 1, -(2**63)]
FLOAT_VALUES = [0.0, -0.0, 1.0, -1.0, 1e-38, 1e38, float("inf"), float("-inf"), float("nan")]
OP_SWAPS = {
    1: ["Relu", "Neg", "Abs", "Exp", "Log", "Sqrt", "Identity", "Softmax", "Transpose", "Flatten",
        "Sigmoid", "Tanh", "Erf", "Not", "Cast", "Shape", "Size", "Floor", "ReduceSum", "ReduceMean",
        "Squeeze", "Unsqueeze", "LayerNormalization", "Reciprocal", "Softplus", "Dropout"],
    2: ["Add", "Sub", "Mul", "Div", "MatMul", "Pow", "Max", "Min", "Equal", "Less", "Greater",
        "And", "Or", "Xor", "Reshape", "Expand", "Gather", "Concat", "Tile", "Where", "Mod",
        "ReduceSum", "Unsqueeze", "Squeeze", "Split"],
    3: ["Gemm", "Conv", "Where", "Clip", "Slice", "Range", "LayerNormalization", "Concat", "Sum"],
}
LOCATIONS = ["../x.bin", "../../../../etc/passwd", "/etc/passwd", "", ".", "..", "data.bin",
             "sub/../../x", "a\0b", "nonexistent.bin", "/", "/dev/zero", "/proc/self/mem"]


def value_infos(g):
    return list(g.input) + list(g.output) + list(g.value_info)


def names(g):
    out = [i.name for i in g.input] + [t.name for t in g.initializer]
    for n in g.node:
        out += [o for o in n.output if o]
    return out or ["x"]


def mut_dims(g, r):
    targets = [("vi", v) for v in value_infos(g) if v.type.HasField("tensor_type")]
    targets += [("init", t) for t in g.initializer]
    if not targets:
        return False
    kind, t = r.choice(targets)
    if kind == "vi":
        shape = t.type.tensor_type.shape
        op = r.randrange(4)
        if op == 0 or len(shape.dim) == 0:
            d = shape.dim.add()
            d.dim_value = r.choice(HUGE_DIMS) if r.random() < 0.8 else 0
        elif op == 1:
            del shape.dim[r.randrange(len(shape.dim))]
        elif op == 2:
            d = shape.dim[r.randrange(len(shape.dim))]
            d.dim_param = r.choice(["N", "batch", "", "seq"])
        else:
            v = r.choice(HUGE_DIMS)
            shape.dim[r.randrange(len(shape.dim))].dim_value = v
    else:
        if t.dims and r.random() < 0.5:
            t.dims[r.randrange(len(t.dims))] = r.choice(HUGE_DIMS)
        elif t.dims and r.random() < 0.5:
            del t.dims[r.randrange(len(t.dims))]
        else:
            t.dims.append(r.choice(HUGE_DIMS))
    return True


def mut_dtype(g, r):
    targets = [v for v in value_infos(g) if v.type.HasField("tensor_type")] + list(g.initializer)
    if not targets:
        return False
    t = r.choice(targets)
    v = r.randrange(26)
    if isinstance(t, TensorProto):
        t.data_type = v
    else:
        t.type.tensor_type.elem_type = v
    return True


def mut_attr(g, r):
    nodes = list(g.node)
    if not nodes:
        return False
    n = r.choice(nodes)
    op = r.randrange(6)
    if op == 0 or not n.attribute:
        name = r.choice(["axis", "axes", "perm", "to", "keepdims", "alpha", "beta", "transA",
                         "group", "pads", "strides", "epsilon", "bogus", "value", "kernel_shape"])
        kind = r.randrange(4)
        if kind == 0:
            a = helper.make_attribute(name, r.choice(INT_VALUES))
        elif kind == 1:
            a = helper.make_attribute(name, r.choice(FLOAT_VALUES))
        elif kind == 2:
            a = helper.make_attribute(name, [r.choice(INT_VALUES) for _ in range(r.randrange(6))])
        else:
            a = helper.make_attribute(name, "s")
        n.attribute.append(a)
        return True
    a = r.choice(list(n.attribute))
    if op == 1:
        n.attribute.remove(a)
    elif op == 2:
        a.type = r.choice([AttributeProto.INT, AttributeProto.FLOAT, AttributeProto.INTS,
                           AttributeProto.STRING, AttributeProto.TENSOR, AttributeProto.GRAPH,
                           AttributeProto.FLOATS, AttributeProto.UNDEFINED])
    elif op == 3:
        if a.type == AttributeProto.INT:
            a.i = r.choice(INT_VALUES)
        elif a.type == AttributeProto.FLOAT:
            a.f = r.choice(FLOAT_VALUES)
        elif a.type == AttributeProto.INTS and a.ints:
            a.ints[r.randrange(len(a.ints))] = r.choice(INT_VALUES)
        elif a.type == AttributeProto.TENSOR:
            mut_tensor_data(a.t, r)
        else:
            a.ints.append(r.choice(INT_VALUES))
    elif op == 4:
        if a.ints:
            del a.ints[r.randrange(len(a.ints)):]
        else:
            a.ints.extend(r.choice(INT_VALUES) for _ in range(r.randrange(1, 8)))
    else:
        a.name = r.choice(["", "axis", "to", a.name + "_x"])
    return True


def mut_edges(g, r):
    nodes = list(g.node)
    op = r.randrange(7)
    if op == 0 and nodes:
        n = r.choice(nodes)
        if n.input:
            n.input[r.randrange(len(n.input))] = r.choice(["dangling", "", n.output[0] if n.output else "y"])
            return True
    if op == 1 and nodes:  # cycle: feed a node from a later (or its own) output
        i = r.randrange(len(nodes))
        later = [o for n in nodes[i:] for o in n.output if o]
        if later and nodes[i].input:
            nodes[i].input[r.randrange(len(nodes[i].input))] = r.choice(later)
            return True
    if op == 2 and len(nodes) >= 2 and nodes[0].output:  # duplicate output name
        b = r.choice(nodes[1:])
        if b.output:
            b.output[0] = nodes[0].output[0]
            return True
    if op == 3 and g.output:
        o = g.output.add()
        o.CopyFrom(r.choice(list(g.output)))
        return True
    if op == 4 and g.output:
        del g.output[r.randrange(len(g.output))]
        return True
    if op == 5:
        v = g.input.add()
        v.CopyFrom(helper.make_tensor_value_info(r.choice(["unused", names(g)[0]]),
                                                 TensorProto.FLOAT, [2]))
        return True
    if op == 6 and nodes:
        n = r.choice(nodes)
        n.input.append(r.choice(names(g) + [""]))
        return True
    return False


def mut_nodes(g, r):
    nodes = list(g.node)
    if not nodes:
        return False
    op = r.randrange(5)
    i = r.randrange(len(nodes))
    if op == 0:
        n = g.node[i]
        n.op_type = r.choice(OP_SWAPS.get(len(n.input), OP_SWAPS[1]) + ["FooBar", "Scan", "If", "Loop"])
    elif op == 1:
        del g.node[i]
    elif op == 2:
        n = g.node.add()
        n.CopyFrom(nodes[i])
    elif op == 3 and len(nodes) >= 2:
        j = r.randrange(len(nodes))
        a, b = onnx.NodeProto(), onnx.NodeProto()
        a.CopyFrom(g.node[i])
        b.CopyFrom(g.node[j])
        g.node[i].CopyFrom(b)
        g.node[j].CopyFrom(a)
    else:
        g.node[i].name = ""
    return True


def mut_tensor_data(t, r):
    op = r.randrange(4)
    if op == 0 and t.raw_data:
        t.raw_data = t.raw_data[: r.randrange(len(t.raw_data) + 1)]
    elif op == 1:
        t.raw_data = t.raw_data + os.urandom(r.randrange(1, 16))
    elif op == 2:
        t.float_data.extend([1.0] * r.randrange(1, 5))
    else:
        t.int64_data.extend([r.choice(INT_VALUES)])


def mut_external(g, r):
    if not g.initializer:
        return False
    t = r.choice(list(g.initializer))
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    del t.external_data[:]
    e = t.external_data.add()
    e.key, e.value = "location", r.choice(LOCATIONS)
    if r.random() < 0.5:
        e = t.external_data.add()
        e.key = r.choice(["offset", "length"])
        e.value = r.choice(["0", "-1", "18446744073709551615", "9223372036854775807", "abc", "4"])
    return True


def mut_opset(m, r):
    op = r.randrange(4)
    if op == 0 and m.opset_import:
        m.opset_import[0].version = r.randrange(1, 26)
    elif op == 1:
        o = m.opset_import.add()
        o.domain, o.version = r.choice(["com.microsoft", "ai.onnx.ml", "ai.onnx", ""]), r.randrange(1, 20)
    elif op == 2 and m.opset_import:
        del m.opset_import[0]
    elif m.graph.node:
        r.choice(list(m.graph.node)).domain = r.choice(["com.microsoft", "ai.onnx", "x"])
    m.ir_version = r.choice([m.ir_version, 0, 3, 7, 8, 9, 99])
    return True


def mut_data(g, r):
    if not g.initializer:
        return False
    mut_tensor_data(r.choice(list(g.initializer)), r)
    return True


MUTATIONS = [mut_dims, mut_dtype, mut_attr, mut_edges, mut_nodes, mut_external, mut_data]


def mutate(model, r, count):
    for _ in range(count):
        if r.random() < 0.1:
            mut_opset(model, r)
            continue
        for _ in range(10):  # retry until a mutation applies
            if r.choice(MUTATIONS)(model.graph, r):
                break
    return model


def find_seeds(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, files in os.walk(p):
                out += [os.path.join(root, f) for f in sorted(files) if f.endswith(".onnx")]
        elif os.path.isfile(p):
            out.append(p)
    return sorted(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-mutations", type=int, default=3)
    ap.add_argument("--max-seed-bytes", type=int, default=1 << 20,
                    help="skip seed models larger than this (default 1 MiB)")
    ap.add_argument("seeds", nargs="+")
    args = ap.parse_args()
    r = random.Random(args.seed)
    seeds = []
    for p in find_seeds(args.seeds):
        if os.path.getsize(p) > args.max_seed_bytes:
            continue
        try:
            seeds.append((p, onnx.load(p, load_external_data=False)))
        except Exception:  # noqa: BLE001 - a seed that does not parse is skipped
            continue
    if not seeds:
        sys.exit("mutate_onnx.py: no seed models found")
    os.makedirs(args.out, exist_ok=True)
    for i in range(args.count):
        path, seed = r.choice(seeds)
        m = onnx.ModelProto()
        m.CopyFrom(seed)
        mutate(m, r, r.randint(1, args.max_mutations))
        tag = os.path.basename(os.path.dirname(path)) or "seed"
        with open(os.path.join(args.out, "mut-%s-%d.onnx" % (tag[:40], i)), "wb") as f:
            f.write(m.SerializeToString())
    print("mutate_onnx.py: %d mutants of %d seeds in %s" % (args.count, len(seeds), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
