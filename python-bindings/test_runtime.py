#!/usr/bin/env python3
"""Tests of the lut_mlir Python module with the fixture models.

    PYTHONPATH=build/python /usr/bin/python3 python-bindings/test_runtime.py \
        build/unittests/fixtures/add_model.so

The add model (unittests/fixtures/add_model.c) may also be given as
$LUT_TEST_ADD_MODEL. $LUT_TEST_FAILING_MODEL and $LUT_TEST_BAD_SIGNATURE_MODEL
enable the tests that need those fixtures; they are skipped otherwise.
"""

import os
import sys
import threading
import unittest

import numpy as np

import lut_mlir

ADD_MODEL = os.environ.get("LUT_TEST_ADD_MODEL")
FAILING_MODEL = os.environ.get("LUT_TEST_FAILING_MODEL")
BAD_SIGNATURE_MODEL = os.environ.get("LUT_TEST_BAD_SIGNATURE_MODEL")


class AddModelTest(unittest.TestCase):
    def setUp(self):
        self.model = lut_mlir.Model(ADD_MODEL)
        rng = np.random.default_rng(7)
        self.a = rng.uniform(-4, 4, size=(2, 3)).astype(np.float32)
        self.b = rng.uniform(-4, 4, size=(2, 3)).astype(np.float32)

    def test_introspection(self):
        m = self.model
        self.assertEqual([i.name for i in m.inputs], ["a", "b"])
        self.assertEqual([o.name for o in m.outputs], ["sum", "num_positive"])
        self.assertEqual(m.inputs[0].dtype, np.dtype(np.float32))
        self.assertEqual(m.inputs[1].shape, (2, 3))
        self.assertEqual(m.outputs[1].dtype, np.dtype(np.int64))
        self.assertEqual(m.outputs[1].shape, ())
        self.assertIn("name='a'", repr(m.inputs[0]))
        self.assertTrue(m.signature.startswith("lut-model v1\n"))
        self.assertIn("2 inputs, 2 outputs", repr(m))

    def test_run(self):
        total, count = self.model.run([self.a, self.b])
        self.assertIsInstance(total, np.ndarray)
        self.assertEqual(total.dtype, np.float32)
        self.assertEqual(total.shape, (2, 3))
        np.testing.assert_array_equal(total, self.a + self.b)
        self.assertEqual(count.shape, ())
        self.assertEqual(count.dtype, np.int64)
        self.assertEqual(int(count), int(np.sum(self.a + self.b > 0)))

    def test_results_are_fresh_arrays(self):
        first, _ = self.model.run((self.a, self.b))
        kept = first.copy()
        second, _ = self.model.run((self.b, self.b))
        np.testing.assert_array_equal(first, kept)
        np.testing.assert_array_equal(second, 2 * self.b)
        self.assertFalse(np.shares_memory(first, second))

    def test_non_contiguous_and_lists(self):
        a_t = np.ascontiguousarray(self.a.T).T  # Fortran-ordered view
        self.assertFalse(a_t.flags.c_contiguous)
        total, _ = self.model.run([a_t, self.b.tolist()])
        np.testing.assert_array_equal(total, self.a + self.b)
        big_endian = self.b.astype(">f4")
        total, _ = self.model.run([self.a, big_endian])
        np.testing.assert_array_equal(total, self.a + self.b)

    def test_wrong_count(self):
        with self.assertRaises(ValueError) as cm:
            self.model.run([self.a])
        self.assertEqual(str(cm.exception), "model expects 2 inputs, got 1")
        with self.assertRaises(TypeError) as cm:
            self.model.run(self.a)  # an array, not a list of arrays
        self.assertIn("takes a list or tuple of inputs", str(cm.exception))

    def test_wrong_dtype(self):
        with self.assertRaises(ValueError) as cm:
            self.model.run([self.a, self.b.astype(np.float64)])
        self.assertEqual(str(cm.exception), "input 1 ('b'): expected dtype float, got double")
        with self.assertRaises(ValueError) as cm:
            self.model.run([self.a.astype(np.complex64), self.b])
        self.assertIn("input 0 ('a'): unsupported NumPy dtype complex64", str(cm.exception))

    def test_wrong_shape(self):
        with self.assertRaises(ValueError) as cm:
            self.model.run([self.a, np.ascontiguousarray(self.b.T)])
        self.assertEqual(str(cm.exception), "input 1 ('b'): expected shape [2,3], got [3,2]")
        with self.assertRaises(ValueError) as cm:
            self.model.run([self.a, np.float32(1.0)])
        self.assertIn("got [] (scalar)", str(cm.exception))

    def test_threads(self):
        results = []

        def work():
            results.append(self.model.run([self.a, self.b])[0])

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(results), 4)
        for r in results:
            np.testing.assert_array_equal(r, self.a + self.b)


class LoadErrorTest(unittest.TestCase):
    def test_missing_library(self):
        with self.assertRaises(OSError) as cm:
            lut_mlir.Model("/nonexistent/model.so")
        self.assertIn("cannot load model '/nonexistent/model.so'", str(cm.exception))

    @unittest.skipUnless(BAD_SIGNATURE_MODEL, "LUT_TEST_BAD_SIGNATURE_MODEL not set")
    def test_bad_signature(self):
        with self.assertRaises(ValueError) as cm:
            lut_mlir.Model(BAD_SIGNATURE_MODEL)
        self.assertIn("unknown or unsupported dtype 'flaot'", str(cm.exception))


@unittest.skipUnless(FAILING_MODEL, "LUT_TEST_FAILING_MODEL not set")
class ModelFailureTest(unittest.TestCase):
    def test_scalar_io_and_error_code(self):
        model = lut_mlir.Model(FAILING_MODEL)
        self.assertEqual(model.inputs[0].shape, ())
        [y] = model.run([np.array(21, dtype=np.int32)])
        self.assertEqual(y.shape, ())
        self.assertEqual(int(y), 42)
        [y] = model.run([5])  # a Python int takes the input's dtype
        self.assertEqual(int(y), 10)
        with self.assertRaises(RuntimeError) as cm:
            model.run([np.array(-1, dtype=np.int32)])
        self.assertIn("returned error code 7", str(cm.exception))


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        ADD_MODEL = sys.argv.pop(1)
    if not ADD_MODEL:
        sys.exit("usage: test_runtime.py ADD_MODEL.so (or set LUT_TEST_ADD_MODEL)")
    unittest.main(verbosity=2)
