#!/usr/bin/env python3
"""End-to-end tests of the lut-run command line.

Runs lut-run on the fixture models of unittests/fixtures with inputs made by
NumPy (.npy) and onnx.numpy_helper (.pb), and checks the files it writes with
NumPy and ONNX, its printed output, its --bench line, and its errors.

    /usr/bin/python3 lut_run_test.py --lut-run build/bin/lut-run \
        --fixtures build/unittests/fixtures
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import unittest

import numpy as np
from onnx import numpy_helper, TensorProto

ARGS = None


def fixture(name):
    return os.path.join(ARGS.fixtures, name + ".so")


class LutRunTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="lut-run-test-")
        self.dir = self._tmp.name
        rng = np.random.default_rng(42)
        self.a = rng.uniform(-4, 4, size=(2, 3)).astype(np.float32)
        self.b = rng.uniform(-4, 4, size=(2, 3)).astype(np.float32)

    def tearDown(self):
        self._tmp.cleanup()

    # Helpers ---------------------------------------------------------------

    def path(self, name):
        return os.path.join(self.dir, name)

    def save_npy(self, name, array):
        np.save(self.path(name), array)
        return self.path(name)

    def save_pb(self, name, array, tensor_name):
        with open(self.path(name), "wb") as f:
            f.write(numpy_helper.from_array(array, tensor_name).SerializeToString())
        return self.path(name)

    def lut_run(self, *args, cwd=None):
        return subprocess.run([ARGS.lut_run, *args], cwd=cwd or self.dir,
                              capture_output=True, text=True, timeout=60)

    def expect_error(self, result, message):
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("lut-run: error: ", result.stderr)
        self.assertIn(message, result.stderr)

    # Successful runs -------------------------------------------------------

    def test_npy_inputs_to_output_dir(self):
        out = self.path("out/nested")
        r = self.lut_run(fixture("add_model"), "--input", self.save_npy("a.npy", self.a),
                         "--input", self.save_npy("b.npy", self.b), "--output-dir", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "")  # nothing printed with --output-dir
        total = np.load(os.path.join(out, "output_0.npy"))
        self.assertEqual(total.dtype, np.float32)
        self.assertEqual(total.shape, (2, 3))
        np.testing.assert_array_equal(total, self.a + self.b)
        count = np.load(os.path.join(out, "output_1.npy"))
        self.assertEqual(count.dtype, np.int64)
        self.assertEqual(count.shape, ())
        self.assertEqual(int(count), int(np.sum(self.a + self.b > 0)))
        self.assertFalse(os.path.exists(os.path.join(out, "output_0.pb")))

    def test_pb_inputs_write_pb_outputs(self):
        r = self.lut_run(fixture("add_model"), "--input=" + self.save_pb("a.pb", self.a, "a"),
                         "-i", self.save_pb("b.pb", self.b, "b"), "-o", self.path("out"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        for i, (name, expected) in enumerate(
                [("sum", self.a + self.b), ("num_positive", np.sum(self.a + self.b > 0))]):
            proto = TensorProto()
            with open(self.path(f"out/output_{i}.pb"), "rb") as f:
                proto.ParseFromString(f.read())
            self.assertEqual(proto.name, name)
            np.testing.assert_array_equal(numpy_helper.to_array(proto), expected)
            np.testing.assert_array_equal(np.load(self.path(f"out/output_{i}.npy")), expected)

    def test_prints_small_outputs_and_writes_to_cwd(self):
        a = np.array([[1, -2, 3], [4, 5, -6]], dtype=np.float32)
        b = np.full((2, 3), 0.5, dtype=np.float32)
        r = self.lut_run(fixture("add_model"), "--input", self.save_npy("a.npy", a),
                         "--input", self.save_npy("b.npy", b))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("output 0 'sum': float [2,3]", r.stdout)
        self.assertIn("[[1.5, -1.5, 3.5],", r.stdout)
        self.assertIn("[4.5, 5.5, -5.5]]", r.stdout)
        self.assertIn("output 1 'num_positive': int64 []", r.stdout)
        self.assertRegex(r.stdout, r"num_positive': int64 \[\]\n\s+4\n")
        np.testing.assert_array_equal(np.load(self.path("output_0.npy")), a + b)

    def test_prints_summary_of_large_outputs(self):
        x = np.arange(256, dtype=np.float32).reshape(16, 16) - 100
        r = self.lut_run(fixture("scale_model"), "--input", self.save_npy("x.npy", x))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("output 0 'y': float [16,16]", r.stdout)
        self.assertIn("first 8: [-200, -198, -196, -194, -192, -190, -188, -186, ...]",
                      r.stdout)
        y = 2 * x
        self.assertIn(f"256 elements: min {y.min():.6g}, max {y.max():.6g}, "
                      f"mean {y.mean():.6g}", r.stdout)

    def test_bench(self):
        r = self.lut_run(fixture("add_model"), "--input", self.save_npy("a.npy", self.a),
                         "--input", self.save_npy("b.npy", self.b), "--bench", "7",
                         "--output-dir", self.path("out"))
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.fullmatch(r"median ([0-9.]+) ms, min ([0-9.]+) ms over 7 runs\n", r.stdout)
        self.assertIsNotNone(m, r.stdout)
        self.assertLessEqual(float(m.group(2)), float(m.group(1)))
        np.testing.assert_array_equal(np.load(self.path("out/output_0.npy")), self.a + self.b)

    def test_signature_and_help(self):
        r = self.lut_run(fixture("add_model"), "--signature")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("lut-model v1\ninput 0 float 2,3 a\n"))
        r = self.lut_run("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("USAGE: lut-run MODEL.so", r.stdout)
        self.assertIn("--bench N", r.stdout)

    def test_pb_name_mismatch_warns(self):
        r = self.lut_run(fixture("add_model"), "--input", self.save_pb("b.pb", self.b, "b"),
                         "--input", self.save_pb("a.pb", self.a, "a"), "-o", self.path("o"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("lut-run: warning: ", r.stderr)
        self.assertIn("holds tensor 'b' but the model's input 0 ('a')", r.stderr)

    # Errors ----------------------------------------------------------------

    def test_wrong_input_count(self):
        r = self.lut_run(fixture("add_model"), "--input", self.save_npy("a.npy", self.a))
        self.expect_error(r, "the model has 2 inputs but 1 --input file was given")
        self.assertIn("input 1 ('b'): float [2,3]", r.stderr)

    def test_wrong_dtype(self):
        r = self.lut_run(fixture("add_model"), "--input", self.save_npy("a.npy", self.a),
                         "--input", self.save_npy("b.npy", self.b.astype(np.float64)))
        self.expect_error(r, "input 1 ('b'): expected dtype float, got double")

    def test_wrong_shape(self):
        r = self.lut_run(fixture("add_model"), "--input", self.save_npy("a.npy", self.a.T),
                         "--input", self.save_npy("b.npy", self.b))
        # np.save writes a transposed view as Fortran order.
        self.expect_error(r, "input 0 ('a'): ")
        self.assertIn("Fortran-order arrays are not supported", r.stderr)
        r = self.lut_run(fixture("add_model"),
                         "--input", self.save_npy("a.npy", np.ascontiguousarray(self.a.T)),
                         "--input", self.save_npy("b.npy", self.b))
        self.expect_error(r, "input 0 ('a'): expected shape [2,3], got [3,2]")

    def test_bad_files(self):
        a = self.save_npy("a.npy", self.a)
        r = self.lut_run(fixture("add_model"), "--input", a, "--input", self.path("nope.npy"))
        self.expect_error(r, "input 1 ('b'): " + self.path("nope.npy") + ": cannot open")
        with open(self.path("junk.npy"), "wb") as f:
            f.write(b"not numpy")
        r = self.lut_run(fixture("add_model"), "--input", a, "--input", self.path("junk.npy"))
        self.expect_error(r, "not a .npy file (bad magic")
        with open(self.path("cut.npy"), "wb") as f:
            with open(a, "rb") as src:
                f.write(src.read()[:-4])
        r = self.lut_run(fixture("add_model"), "--input", a, "--input", self.path("cut.npy"))
        self.expect_error(r, "truncated .npy data")
        with open(self.path("junk.pb"), "wb") as f:
            f.write(b"\xff\xff\xff\xff\xff")
        r = self.lut_run(fixture("add_model"), "--input", a, "--input", self.path("junk.pb"))
        self.expect_error(r, "not a valid serialized ONNX TensorProto")
        r = self.lut_run(fixture("add_model"), "--input", a, "--input", self.path("b.txt"))
        self.expect_error(r, "unknown tensor file extension")

    def test_model_errors(self):
        r = self.lut_run(self.path("missing.so"))
        self.expect_error(r, "model '" + self.path("missing.so") + "' does not exist")
        r = self.lut_run(fixture("bad_signature_model"))
        self.expect_error(r, "line 2: unknown or unsupported dtype 'flaot'")
        r = self.lut_run(fixture("no_signature_model"))
        self.expect_error(r, "symbol 'lut_model_signature' not found")
        r = self.lut_run(fixture("failing_model"), "--input",
                         self.save_npy("x.npy", np.array(-3, dtype=np.int32)))
        self.expect_error(r, "returned error code 7")
        r = self.lut_run(fixture("failing_model"), "--input",
                         self.save_npy("x.npy", np.array(21, dtype=np.int32)), "-o", "o")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(int(np.load(self.path("o/output_0.npy"))), 42)

    def test_bad_command_lines(self):
        self.expect_error(self.lut_run(), "no model given")
        self.expect_error(self.lut_run(fixture("add_model"), "--bench", "0"),
                          "--bench expects a positive integer")
        self.expect_error(self.lut_run(fixture("add_model"), "--bench", "x"),
                          "--bench expects a positive integer")
        self.expect_error(self.lut_run(fixture("add_model"), "--frobnicate"),
                          "unknown option '--frobnicate'")
        self.expect_error(self.lut_run(fixture("add_model"), "--input"),
                          "option '--input' needs a value")
        self.expect_error(self.lut_run(fixture("add_model"), "extra.npy"),
                          "unexpected argument 'extra.npy'")


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lut-run", required=True, help="path of the lut-run binary")
    parser.add_argument("--fixtures", required=True, help="directory of the fixture models")
    ARGS, rest = parser.parse_known_args()
    ARGS.lut_run = os.path.abspath(ARGS.lut_run)
    ARGS.fixtures = os.path.abspath(ARGS.fixtures)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
