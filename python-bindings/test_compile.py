#!/usr/bin/env python3
"""Tests of lut_mlir.compile (the driver library from Python).

    PYTHONPATH=build/python /usr/bin/python3 python-bindings/test_compile.py examples/mlp/model.onnx
"""

import os
import sys
import tempfile
import unittest

import numpy as np

import lut_mlir

MODEL = sys.argv.pop(1) if len(sys.argv) > 1 else "examples/mlp/model.onnx"


class CompileTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def test_dense_and_lut(self):
        dense = self.path("dense.so")
        lut_mlir.compile(MODEL, dense)
        m = lut_mlir.Model(dense)
        x = np.random.default_rng(0).standard_normal(m.inputs[0].shape).astype(np.float32)
        (y,) = m.run([x])
        self.assertEqual(y.shape, m.outputs[0].shape)
        # The same model with its FFN replaced: the report comes back, and
        # the outputs stay close to the dense ones (data-free fit).
        lut = self.path("lut.so")
        log = lut_mlir.compile(MODEL, lut, lut="lsh:tables=8,bits=8", lut_report=self.path("r.json"))
        self.assertIn("converted", log)
        (z,) = lut_mlir.Model(lut).run([x])
        rel = float(np.mean((y - z) ** 2) / np.var(y))
        self.assertLess(rel, 0.5)
        # i8 tables (lut-pack-tables): outputs within the quantization error
        # of the f32 tables' outputs.
        q = self.path("lut-i8.so")
        lut_mlir.compile(MODEL, q, lut="lsh:tables=8,bits=8", lut_tables="i8")
        (w,) = lut_mlir.Model(q).run([x])
        self.assertFalse(np.array_equal(w, z))
        self.assertLess(float(np.mean((w - z) ** 2) / np.var(z)), 1e-3)
        with self.assertRaisesRegex(RuntimeError, "--lut-tables must be"):
            lut_mlir.compile(MODEL, q, lut="lsh", lut_tables="i4")

    def test_emit_mlir(self):
        out = self.path("m.mlir")
        lut_mlir.compile(MODEL, out, emit="mlir")
        with open(out) as f:
            self.assertIn("func.func @main_graph", f.read())

    def test_errors_carry_diagnostics(self):
        with self.assertRaises(RuntimeError) as e:
            lut_mlir.compile(self.path("missing.onnx"), self.path("x.so"))
        self.assertIn("cannot open ONNX file", str(e.exception))
        with self.assertRaises(RuntimeError) as e:
            lut_mlir.compile(MODEL, self.path("x.so"), lut="lsh:tablez=3")
        self.assertIn("no such option tablez", str(e.exception))
        with self.assertRaises(ValueError):
            lut_mlir.compile(MODEL, self.path("x.so"), emit="wasm")
        with self.assertRaises(ValueError):
            lut_mlir.compile(MODEL, self.path("x.so"), lut="")


if __name__ == "__main__":
    unittest.main()
