#!/usr/bin/python3
"""Run ONNX's node conformance tests (Debian's libonnx-testdata) through lutc and lut-run.

For every test directory under --tests-dir (default
/usr/share/libonnx-testdata/data/node) that matches --filter:

  1. compile model.onnx with `lutc model.onnx -o model.so`;
     exit code 3 + "error: unsupported ..." on stderr  -> SKIPPED (reason = that line),
     any other non-zero exit (or a crash / timeout)    -> FAILED;
  2. run `lut-run model.so --input input_0.pb ... --output-dir DIR` on every
     test_data_set_* directory (inputs in graph-input order);
  3. compare every DIR/output_<i>.npy with the reference output_<i>.pb:
     same number of outputs, exact dtype, exact shape, NaN positions (and
     +/-inf positions) identical, other elements |got - ref| <= atol + rtol * |ref|
     for floating point types, exact equality for everything else.  Because the
     inputs are .pb files lut-run must also write DIR/output_<i>.pb; it is checked
     to hold exactly the same tensor as the .npy.

Output: a progress line every 100 tests (every test with -v), then the skipped
tests grouped by reason (a few names per reason; all with --list-skipped; the
model's own value/node names in a reason are replaced by '<name>' so that equal
reasons group), expected failures, every failure with its details (max abs/rel
error, first mismatching element), and the failures grouped by kind.

With --mode both (the default) every test runs twice, in the manner of
onnx-mlir: once static, as the test's model.onnx declares its shapes, and once
dynamic ("<test> [dynamic]"): every dim of every graph input made dynamic
(a dim_param of its own), the output dims and value_info cleared, so that the
shapes come from the test data at run time. The length of a 1-D int64 input
(a Reshape shape, Slice starts, axes, ...) stays static, since it fixes the
rank of a result. --mode static or dynamic runs one.

Tests listed in xfail.txt (next to this script, or --xfail FILE) that fail are
reported as "xfail"; a listed test that passes is a failure (XPASS), so that the
list only ever holds tests that really fail. An entry `test_x` covers the
static run, `test_x:dynamic` the dynamic one.

The last line of the output is always `N passed, M failed, K skipped`; the exit
code is 1 if M > 0 (2 on usage errors).
"""

import argparse
import concurrent.futures
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import onnx
from onnx import numpy_helper

DEFAULT_TESTS_DIR = "/usr/share/libonnx-testdata/data/node"
HERE = os.path.dirname(os.path.abspath(__file__))

DEFAULT_RTOL = 1e-4
DEFAULT_ATOL = 1e-5

# Per-test tolerances that are looser than the default above.
#
# ONNX's own backend test runner compares node tests with rtol=1e-3, atol=1e-7
# (onnx 1.12: onnx/backend/test/loader/__init__.py lines 31-32, the values
# used for every directory under data/node, and
# onnx/backend/test/case/node/__init__.py lines 228-229 / 260-261, the values
# recorded when the node tests are generated; the comparison itself is
# np.testing.assert_allclose in onnx/backend/test/runner/__init__.py:184).
# ONNX has no per-test overrides for node tests, so the only looser value we
# may borrow from it is rtol=1e-3.  We keep our default (rtol 1e-4, atol 1e-5)
# for everything else and list here only the tests that need ONNX's rtol, each
# with the reason.  Keep it small: an entry hides a precision problem.
#
# Currently empty: every node test that lutc compiles passes at the default
# tolerance.  Entry format:
#   "test_name": (ONNX_RUNNER_RTOL, DEFAULT_ATOL, "why the default is too tight"),
ONNX_RUNNER_RTOL = 1e-3
LOOSER_TOLERANCES = {
}


def tolerance_for(test):
    rtol, atol, _ = LOOSER_TOLERANCES.get(test, (DEFAULT_RTOL, DEFAULT_ATOL, ""))
    return rtol, atol


# --------------------------------------------------------------------------
# Results


class Result:
    PASS, FAIL, SKIP, XFAIL = "PASS", "FAIL", "SKIP", "XFAIL"

    def __init__(self, name, status, reason="", details=None, kind=""):
        self.name = name
        self.status = status
        self.reason = reason
        self.details = details or []
        self.kind = kind  # failures: the reason without test-specific names, for the summary


class TestFailure(Exception):
    def __init__(self, reason, details=None):
        super().__init__(reason)
        self.reason = reason
        self.details = details or []


# --------------------------------------------------------------------------
# Running tools


def describe_exit(rc):
    if rc is None:
        return "timed out"
    if rc < 0:
        try:
            return "crashed with signal %s" % signal.Signals(-rc).name
        except ValueError:
            return "crashed with signal %d" % -rc
    if rc >= 128:
        return "exit code %d (crash?)" % rc
    return "exit code %d" % rc


def run_tool(cmd, timeout):
    """Returns (returncode or None on timeout, stdout, stderr)."""
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        err = (e.stderr or b"").decode("utf-8", "replace")
        return None, out, err
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def first_error_line(stderr):
    lines = [l.strip() for l in stderr.splitlines() if l.strip()]
    for l in lines:
        if "error:" in l:
            return l
    return lines[0] if lines else "(no message on stderr)"


def error_message(line):
    """'loc: error: unsupported op Foo' -> 'unsupported op Foo'."""
    i = line.find("error:")
    return line[i + len("error:"):].strip() if i >= 0 else line


def model_names(model):
    """Names that belong to the model (values, nodes, graph), not to ONNX."""
    names = set()
    g = model.graph
    names.update(v.name for v in list(g.input) + list(g.output) + list(g.value_info))
    names.update(i.name for i in g.initializer)
    for n in g.node:
        names.update(n.input)
        names.update(n.output)
        names.add(n.name)
    names.discard("")
    return names - {n.op_type for n in g.node}


def group_key(message, model_path, names):
    """A skip reason with the model's own names replaced, so that equal reasons group together."""
    key = message.replace(model_path, "<model>")
    return re.sub(r"'([^']*)'", lambda m: "'<name>'" if m.group(1) in names else m.group(0), key)


def stderr_details(err):
    """stderr lines worth showing besides the first error line (none if that was all)."""
    lines = [l for l in err.splitlines() if l.strip()]
    return tail(err) if len(lines) > 1 else []


def tail(text, n=15):
    lines = text.rstrip().splitlines()
    if len(lines) > n:
        lines = ["... (%d lines omitted)" % (len(lines) - n)] + lines[-n:]
    return lines


# --------------------------------------------------------------------------
# Loading and comparing tensors


def load_reference(path, value_type):
    """Reads one reference output; returns (kind, payload).

    kind is 'tensor' (payload: (array, onnx elem type)) or a string naming a
    non-tensor type (sequence/optional/map) that lut-run cannot produce."""
    kind = value_type.WhichOneof("value")
    with open(path, "rb") as f:
        data = f.read()
    if kind != "tensor_type":
        return kind, None
    tp = onnx.TensorProto()
    tp.ParseFromString(data)
    elem = value_type.tensor_type.elem_type or tp.data_type
    arr = numpy_helper.to_array(tp)
    if elem == onnx.TensorProto.BFLOAT16:
        arr = to_bf16_bits(arr, tp.data_type)
    return "tensor", (arr, elem)


def to_bf16_bits(arr, data_type):
    """bfloat16 tensors as uint16 bit patterns (numpy has no bfloat16).

    ONNX's own test data stores some bfloat16 outputs with data_type UINT16
    (raw bits); numpy_helper decodes real BFLOAT16 tensors to float32."""
    if data_type == onnx.TensorProto.BFLOAT16 or arr.dtype == np.float32:
        return (np.ascontiguousarray(arr, dtype=np.float32).view(np.uint32) >> 16).astype(np.uint16)
    return arr.astype(np.uint16)


def expected_np_dtype(elem):
    if elem == onnx.TensorProto.BFLOAT16:
        return np.dtype(np.uint16)  # bit patterns, see to_bf16_bits
    return np.dtype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[elem])


def load_npy(path):
    try:
        return np.load(path, allow_pickle=False)
    except Exception as e:  # noqa: BLE001 - any unreadable file is a failure
        raise TestFailure("cannot read %s: %s" % (path, e))


def load_pb_output(path, elem):
    tp = onnx.TensorProto()
    with open(path, "rb") as f:
        try:
            tp.ParseFromString(f.read())
        except Exception as e:  # noqa: BLE001
            raise TestFailure("cannot parse %s: %s" % (path, e))
    if tp.data_type != elem:
        raise TestFailure("%s has elem_type %s, graph output is %s" % (
            os.path.basename(path), onnx.TensorProto.DataType.Name(tp.data_type),
            onnx.TensorProto.DataType.Name(elem)))
    arr = numpy_helper.to_array(tp)
    if elem == onnx.TensorProto.BFLOAT16:
        arr = to_bf16_bits(arr, tp.data_type)
    return arr


def compare_arrays(got, ref, rtol, atol):
    """Returns None if equal within tolerance, else a list of detail lines."""
    if got.dtype != ref.dtype:
        return ["dtype mismatch: got %s, expected %s" % (got.dtype, ref.dtype)]
    if got.shape != ref.shape:
        return ["shape mismatch: got %s, expected %s" % (list(got.shape), list(ref.shape))]
    if got.size == 0:
        return None
    if ref.dtype.kind in "fc":
        g = got.astype(np.complex128 if ref.dtype.kind == "c" else np.float64)
        r = ref.astype(g.dtype)
        details = []
        gn, rn = np.isnan(g), np.isnan(r)
        if not np.array_equal(gn, rn):
            idx = np.argwhere(gn != rn)
            details.append("NaN positions differ at %d element(s), first at %s (got %s, expected %s)" % (
                len(idx), tuple(idx[0]), g[tuple(idx[0])], r[tuple(idx[0])]))
        gi, ri = np.isinf(g), np.isinf(r)
        infbad = (gi | ri) & ~(gn | rn) & ~((gi & ri) & (g == r))
        if infbad.any():
            idx = np.argwhere(infbad)
            details.append("inf positions differ at %d element(s), first at %s (got %s, expected %s)" % (
                len(idx), tuple(idx[0]), g[tuple(idx[0])], r[tuple(idx[0])]))
        fin = ~(gn | rn | gi | ri)
        absdiff = np.where(fin, np.abs(g - r), 0.0)
        bad = fin & (absdiff > atol + rtol * np.abs(r))
        max_abs = float(absdiff.max())
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(fin & (r != 0), absdiff / np.abs(np.where(r != 0, r, 1)), 0.0)
        max_rel = float(rel.max())
        if bad.any():
            idx = tuple(np.argwhere(bad)[0])
            details.append("%d of %d element(s) outside rtol=%g atol=%g; max abs err %.3g, max rel err %.3g; "
                           "first at %s: got %r, expected %r" % (
                               int(bad.sum()), got.size, rtol, atol, max_abs, max_rel, idx,
                               got[idx].item(), ref[idx].item()))
        return details or None
    if ref.dtype.kind in "OSU":
        eq = np.array([a == b for a, b in zip(got.ravel().tolist(), ref.ravel().tolist())],
                      dtype=bool).reshape(ref.shape)
    else:
        eq = got == ref
    if not eq.all():
        idx = tuple(np.argwhere(~eq)[0])
        diff = ""
        if ref.dtype.kind in "iub":
            d = np.abs(got.astype(np.float64) - ref.astype(np.float64))
            diff = "; max abs err %.6g" % float(d.max())
        return ["%d of %d element(s) differ (exact comparison for %s)%s; first at %s: got %r, expected %r" % (
            int((~eq).sum()), got.size, ref.dtype, diff, idx, got[idx].item(), ref[idx].item())]
    return None


# --------------------------------------------------------------------------
# One test


def numbered(files, prefix):
    """Sorts input_0.pb, input_1.pb, ..., input_10.pb numerically."""
    def key(p):
        m = re.match(re.escape(prefix) + r"(\d+)\.", os.path.basename(p))
        return int(m.group(1)) if m else -1
    return sorted(files, key=key)


DYNAMIC_SUFFIX = " [dynamic]"


def make_dynamic(model_path, out_path):
    """model.onnx with every graph-input dim dynamic (dim_param in<i>_d<k>),
    output dims unknown and no value_info. The length of a 1-D int64 input
    (a shape, axes, starts, ...) stays static: it fixes a result's rank."""
    m = onnx.load(model_path)
    inits = {i.name for i in m.graph.initializer}
    k = 0
    for vi in m.graph.input:
        if vi.name in inits or not vi.type.HasField("tensor_type"):
            continue
        tt = vi.type.tensor_type
        if tt.elem_type == onnx.TensorProto.INT64 and len(tt.shape.dim) == 1:
            k += 1
            continue
        if vi.type.tensor_type.HasField("shape"):
            for d, dim in enumerate(vi.type.tensor_type.shape.dim):
                dim.Clear()
                dim.dim_param = "in%d_d%d" % (k, d)
        k += 1
    for vo in m.graph.output:
        if vo.type.HasField("tensor_type") and vo.type.tensor_type.HasField("shape"):
            for dim in vo.type.tensor_type.shape.dim:
                dim.Clear()
    del m.graph.value_info[:]
    onnx.save(m, out_path)


def base_name(name):
    return name[:-len(DYNAMIC_SUFFIX)] if name.endswith(DYNAMIC_SUFFIX) else name


def run_one(name, args):
    dynamic = name.endswith(DYNAMIC_SUFFIX)
    name = base_name(name)
    test_dir = os.path.join(args.tests_dir, name)
    work = os.path.join(args.work_dir, name + ("-dynamic" if dynamic else ""))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    model_path = os.path.join(test_dir, "model.onnx")
    so = os.path.join(work, "model.so")
    if dynamic:
        dyn_path = os.path.join(work, "model.onnx")
        make_dynamic(model_path, dyn_path)
        model_path = dyn_path

    # 1. compile
    rc, _, err = run_tool([args.lutc, model_path, "-o", so], args.compile_timeout)
    if rc == 3:
        # Contract: exit code 3 <=> "error: unsupported..." on stderr.
        line = first_error_line(err)
        if not error_message(line).startswith("unsupported") or "error:" not in line:
            raise TestFailure("lutc exited with 3 (unsupported), but its message does not start with "
                              "'error: unsupported' as the exit-code contract says: " + line,
                              stderr_details(err))
        model = onnx.load(model_path)
        return Result(name + (DYNAMIC_SUFFIX if dynamic else ""), Result.SKIP,
                      group_key(error_message(line), model_path, model_names(model)))
    if rc != 0:
        raise TestFailure("lutc %s: %s" % (describe_exit(rc), first_error_line(err)), stderr_details(err))
    if not os.path.isfile(so):
        raise TestFailure("lutc exited 0 but wrote no %s" % so)

    model = onnx.load(model_path)
    # Graph inputs that are also initializers are not fed (none in the node tests).
    inits = {i.name for i in model.graph.initializer}
    graph_inputs = [i for i in model.graph.input if i.name not in inits]
    graph_outputs = list(model.graph.output)
    rtol, atol = tolerance_for(name)

    data_sets = sorted(glob.glob(os.path.join(test_dir, "test_data_set_*")))
    if not data_sets:
        raise TestFailure("no test_data_set_* directories in %s" % test_dir)
    for ds in data_sets:
        ds_name = os.path.basename(ds)
        inputs = numbered(glob.glob(os.path.join(ds, "input_*.pb")), "input_")
        refs = numbered(glob.glob(os.path.join(ds, "output_*.pb")), "output_")
        if len(inputs) != len(graph_inputs):
            raise TestFailure("%s: %d input files for %d graph inputs" % (ds_name, len(inputs), len(graph_inputs)))
        out_dir = os.path.join(work, ds_name)
        os.makedirs(out_dir)
        cmd = [args.lut_run, so]
        for i in inputs:
            cmd += ["--input", i]
        cmd += ["--output-dir", out_dir]

        # 2. run
        rc, _, err = run_tool(cmd, args.run_timeout)
        if rc != 0:
            raise TestFailure("lut-run %s on %s: %s" % (describe_exit(rc), ds_name, first_error_line(err)),
                              stderr_details(err))

        # 3. compare
        produced = glob.glob(os.path.join(out_dir, "output_*.npy"))
        if len(produced) != len(refs):
            raise TestFailure("%s: lut-run wrote %d output_*.npy file(s), expected %d" % (
                ds_name, len(produced), len(refs)))
        for i, ref_path in enumerate(refs):
            kind, payload = load_reference(ref_path, graph_outputs[i].type)
            if kind != "tensor":
                raise TestFailure("output %d (%s) is a %s, which lut-run cannot return; lutc should have "
                                  "rejected this model as unsupported" % (i, graph_outputs[i].name, kind))
            ref, elem = payload
            npy_path = os.path.join(out_dir, "output_%d.npy" % i)
            pb_path = os.path.join(out_dir, "output_%d.pb" % i)
            if not os.path.isfile(npy_path):
                raise TestFailure("%s: lut-run wrote no output_%d.npy" % (ds_name, i))
            want_dtype = expected_np_dtype(elem)
            if elem == onnx.TensorProto.BFLOAT16:
                # .npy cannot say "bfloat16"; the .pb (required below) is authoritative.
                got = load_pb_output(pb_path, elem) if os.path.isfile(pb_path) else load_npy(npy_path)
            else:
                got = load_npy(npy_path)
            if ref.dtype != want_dtype:
                raise TestFailure("reference %s decodes to %s, graph says %s (harness bug?)" % (
                    ref_path, ref.dtype, want_dtype))
            problems = compare_arrays(got, ref, rtol, atol)
            if problems:
                raise TestFailure("%s output %d (%s) mismatch" % (ds_name, i, graph_outputs[i].name), problems)
            # The .pb written next to the .npy must hold the same tensor.
            if inputs or os.path.isfile(pb_path):
                if not os.path.isfile(pb_path):
                    raise TestFailure("%s: inputs were .pb but lut-run wrote no output_%d.pb" % (ds_name, i))
                got_pb = load_pb_output(pb_path, elem)
                problems = compare_arrays(got_pb, got, 0.0, 0.0)
                if problems:
                    raise TestFailure("%s: output_%d.pb differs from output_%d.npy" % (ds_name, i, i), problems)
    return Result(name + (DYNAMIC_SUFFIX if dynamic else ""), Result.PASS)


def failure_kind(name, reason, args):
    """'lutc exit code 1: /x/model.onnx:0:0: error: foo 'v'' -> "lutc exit code 1: foo '<name>'"."""
    work = os.path.join(args.work_dir, base_name(name) + ("-dynamic" if name.endswith(DYNAMIC_SUFFIX) else ""))
    name = base_name(name)
    model_path = os.path.join(args.tests_dir, name, "model.onnx")
    try:
        names = model_names(onnx.load(model_path))
    except Exception:  # noqa: BLE001
        names = set()
    reason = reason.replace(os.path.join(work, "model.onnx"), "<model>")
    reason = reason.replace(model_path, "<model>")
    reason = reason.replace(work, "<work>")
    reason = re.sub(r"test_data_set_\d+", "test_data_set_*", reason)
    if reason.startswith("lutc exited with 3"):
        return "lutc exit code 3, but the message does not start with 'error: unsupported'"
    m = re.match(r"((?:lutc|lut-run) [^:]*): (.*)$", reason)
    if m:
        return m.group(1) + ": " + group_key(error_message(m.group(2)), model_path, names)
    m = re.match(r"(test_data_set_\* output \d+) \((.*)\) mismatch$", reason)
    if m:
        return "output mismatch"
    return group_key(reason, model_path, names)


def run_guarded(name, args):
    try:
        return run_one(name, args)
    except TestFailure as e:
        return Result(name, Result.FAIL, e.reason, e.details, failure_kind(name, e.reason, args))
    except Exception as e:  # noqa: BLE001 - a harness bug must not hide other results
        reason = "harness error: %s: %s" % (type(e).__name__, e)
        return Result(name, Result.FAIL, reason, kind="harness error")


# --------------------------------------------------------------------------
# xfail list


def read_xfail(path):
    """Lines 'test_name  # reason'; blank lines and lines starting with # are ignored."""
    entries = {}
    if not path or not os.path.exists(path):
        return entries
    with open(path) as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, reason = line.partition("#")
            name, reason = name.strip(), reason.strip()
            if not sep or not reason or len(name.split()) != 1:
                print("error: %s:%d: expected 'test_name  # reason', got %r" % (path, lineno, raw.rstrip()),
                      file=sys.stderr)
                sys.exit(2)
            if name.endswith(":dynamic"):
                name = name[:-len(":dynamic")] + DYNAMIC_SUFFIX
            entries[name] = reason
    return entries


# --------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lutc", required=True, help="path to lutc")
    ap.add_argument("--lut-run", required=True, help="path to lut-run")
    ap.add_argument("--work-dir", required=True, help="scratch directory (per-test subdirectories)")
    ap.add_argument("--filter", default=None, help="only run tests whose name matches this regex (re.search)")
    ap.add_argument("--jobs", "-j", type=int, default=2, help="parallel tests (default 2)")
    ap.add_argument("--list-skipped", action="store_true",
                    help="list every skipped test under its reason (default: a few names per reason)")
    ap.add_argument("--tests-dir", default=DEFAULT_TESTS_DIR, help="default: %(default)s")
    ap.add_argument("--xfail", default=os.path.join(HERE, "xfail.txt"), help="default: %(default)s")
    ap.add_argument("--compile-timeout", type=float, default=300, help="seconds per lutc run")
    ap.add_argument("--run-timeout", type=float, default=120, help="seconds per lut-run run")
    ap.add_argument("--verbose", "-v", action="store_true", help="print every test's result as it finishes")
    ap.add_argument("--mode", choices=["static", "dynamic", "both"], default="both",
                    help="run each test with its static shapes, with every input dim dynamic, "
                         "or both (default)")
    args = ap.parse_args()

    for tool in (args.lutc, args.lut_run):
        if not (os.path.isfile(tool) and os.access(tool, os.X_OK)):
            print("error: %s is not an executable file" % tool, file=sys.stderr)
            return 2
    if not os.path.isdir(args.tests_dir):
        print("error: no test directory %s (install libonnx-testdata)" % args.tests_dir, file=sys.stderr)
        return 2
    args.lutc = os.path.abspath(args.lutc)
    args.lut_run = os.path.abspath(args.lut_run)
    args.work_dir = os.path.abspath(args.work_dir)
    os.makedirs(args.work_dir, exist_ok=True)

    names = sorted(d for d in os.listdir(args.tests_dir)
                   if os.path.isfile(os.path.join(args.tests_dir, d, "model.onnx")))
    if args.filter:
        rx = re.compile(args.filter)
        names = [n for n in names if rx.search(n)]
    xfail = read_xfail(args.xfail)
    all_names = set(os.listdir(args.tests_dir))
    for n in xfail:
        if base_name(n) not in all_names:
            print("error: %s lists %s, which is not a test in %s" % (args.xfail, n, args.tests_dir),
                  file=sys.stderr)
            return 2
    for n in LOOSER_TOLERANCES:
        if n not in all_names:
            print("error: LOOSER_TOLERANCES names %s, which is not a test" % n, file=sys.stderr)
            return 2

    runs = []
    for n in names:
        if args.mode in ("static", "both"):
            runs.append(n)
        if args.mode in ("dynamic", "both"):
            runs.append(n + DYNAMIC_SUFFIX)
    names = runs
    print("Running %d node test run(s) (%s) from %s with %d job(s)" % (
        len(names), args.mode, args.tests_dir, args.jobs))
    sys.stdout.flush()
    start = time.time()
    results = []
    lock = threading.Lock()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futs = [ex.submit(run_guarded, n, args) for n in names]
        for fut in concurrent.futures.as_completed(futs):
            r = fut.result()
            if r.name in xfail:
                if r.status == Result.FAIL:
                    r.status = Result.XFAIL
                elif r.status == Result.PASS:
                    r = Result(r.name, Result.FAIL, "XPASS: passes but is listed in %s (%s); remove it" % (
                        os.path.basename(args.xfail), xfail[r.name]))
            with lock:
                results.append(r)
                if args.verbose:
                    print("%-5s %s%s" % (r.status, r.name, (": " + r.reason) if r.reason else ""))
                elif len(results) % 100 == 0 or len(results) == len(names):
                    print("  %d/%d done, %d failed so far" % (
                        len(results), len(names), sum(x.status == Result.FAIL for x in results)))
                sys.stdout.flush()

    results.sort(key=lambda r: r.name)
    by = {s: [r for r in results if r.status == s] for s in (Result.PASS, Result.FAIL, Result.SKIP, Result.XFAIL)}

    if by[Result.SKIP]:
        groups = {}
        for r in by[Result.SKIP]:
            groups.setdefault(r.reason, []).append(r.name)
        print("\n==== Skipped (unsupported), %d test(s) in %d group(s) ====" % (len(by[Result.SKIP]), len(groups)))
        for reason, tests in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            shown = tests if args.list_skipped or len(tests) <= 4 else tests[:3] + ["... +%d more" % (len(tests) - 3)]
            print("  [%d] %s" % (len(tests), reason))
            print(textwrap.fill(", ".join(shown), width=110, initial_indent="        ",
                                subsequent_indent="        "))
    if by[Result.XFAIL]:
        print("\n==== Expected failures (%s), %d test(s) ====" % (os.path.basename(args.xfail), len(by[Result.XFAIL])))
        for r in by[Result.XFAIL]:
            print("  %s: %s  [listed because: %s]" % (r.name, r.reason, xfail[r.name]))
    if by[Result.FAIL]:
        print("\n==== Failures, %d test(s) ====" % len(by[Result.FAIL]))
        for r in by[Result.FAIL]:
            print("FAIL %s: %s" % (r.name, r.reason))
            for d in r.details:
                print("    " + d)
    if by[Result.FAIL]:
        kinds = {}
        for r in by[Result.FAIL]:
            kinds.setdefault(r.kind or r.reason, []).append(r.name)
        print("\n==== Failures by kind ====")
        for kind, tests in sorted(kinds.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            shown = tests if len(tests) <= 4 else tests[:3] + ["... +%d more" % (len(tests) - 3)]
            print("  [%d] %s" % (len(tests), kind))
            print(textwrap.fill(", ".join(shown), width=110, initial_indent="        ",
                                subsequent_indent="        "))
    print("\nTime: %.1f s, work directory %s" % (time.time() - start, args.work_dir))
    if by[Result.XFAIL]:
        print("%d expected failure(s) (xfail, not counted below)" % len(by[Result.XFAIL]))
    if args.mode == "both":
        for label, dyn in (("static", False), ("dynamic", True)):
            cnt = {st: sum(r.name.endswith(DYNAMIC_SUFFIX) == dyn for r in by[st]) for st in by}
            print("%s: %d passed, %d failed, %d skipped, %d xfail" % (
                label, cnt[Result.PASS], cnt[Result.FAIL], cnt[Result.SKIP], cnt[Result.XFAIL]))
    print("%d passed, %d failed, %d skipped" % (len(by[Result.PASS]), len(by[Result.FAIL]), len(by[Result.SKIP])))
    return 1 if by[Result.FAIL] else 0


if __name__ == "__main__":
    sys.exit(main())
