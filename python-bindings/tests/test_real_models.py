"""Round trips on real models: lutmlir.compile + CompiledModel.run give
exactly what lutc + lut-run give, dense and with LUT FFNs; dense outputs
match PyTorch's (rtol 1e-4, atol 1e-5, as test/models/run_model_tests.py)."""
import glob
import os
import subprocess

import numpy as np
import pytest

import lutmlir
from conftest import VIT
from lutmlir._ext import tool


def lut_run(so, inputs, out):
    """lut-run's outputs for `inputs` (a list of .npy paths)."""
    cmd = [tool("lut-run"), str(so), "--output-dir", str(out)]
    for i in inputs:
        cmd += ["--input", str(i)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return [np.load(p) for p in sorted(glob.glob(os.path.join(out, "output_*.npy")),
                                       key=lambda p: int(p.rsplit("_", 1)[1][:-4]))]


def lutc(model, so, *flags):
    r = subprocess.run([tool("lutc"), str(model), "-o", str(so), *flags],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("name", ["vit", "bert", "gpt"])
@pytest.mark.parametrize("lut", [None, "lsh:tables=8,bits=4"])
def test_exported_models(exported, tmp_path, name, lut):
    model = exported / f"{name}.onnx"
    inputs = sorted(glob.glob(str(exported / f"{name}.input_*.npy")))
    arrays = [np.load(p) for p in inputs]
    m = lutmlir.compile(model, lut=lut, progress=False)
    got = m.run(*arrays)
    lutc(model, tmp_path / "m.so", *([f"--lut={lut}"] if lut else []))
    want = lut_run(tmp_path / "m.so", inputs, tmp_path / "out")
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_array_equal(g, w)
    if lut is None:
        for i, g in enumerate(got):
            np.testing.assert_allclose(g, np.load(exported / f"{name}.expected_{i}.npy"),
                                       rtol=1e-4, atol=1e-5)
    else:
        assert m.report["model"]["multiplications_removed_share"] > 0


def test_example_vit_calibrated_on_fashion_mnist(fmnist, tmp_path):
    """The main job's model, i8 tables calibrated on 1,000 training images,
    on 100 test images: the Python and shell paths agree bit for bit."""
    (xtr, _), (xte, yte) = fmnist
    cal = xtr[:1000]
    spec = "lsh:tables=16,bits=8"
    m = lutmlir.compile(VIT, lut=spec, lut_tables="i8", calibration=cal, progress=False)
    x = xte[:100]
    (got,) = m.run(x)
    np.save(tmp_path / "cal.npy", cal)
    np.save(tmp_path / "x.npy", x)
    lutc(VIT, tmp_path / "m.so", f"--lut={spec}", "--lut-tables=i8",
         f"--calibration={tmp_path / 'cal.npy'}")
    (want,) = lut_run(tmp_path / "m.so", [tmp_path / "x.npy"], tmp_path / "out")
    np.testing.assert_array_equal(got, want)
    assert (got.argmax(1) == yte[:100]).mean() > 0.7


def test_shipped_weightless_vit(fmnist, tmp_path):
    """examples/vit-fashion-mnist/vit_weightless.onnx (every FFN fine-tuned
    as a weightless network by finetune.py --method weightless --ffn-epochs
    0.2 --epochs 1), compiled natively: the accuracy the README reports
    (87.59%) on all 10,000 test images, within 5 images (other ISA paths may
    round the dense parts differently), with the ukernel path (LutKernels'
    weightless kernels) and the reference loops agreeing."""
    (_, _), (xte, yte) = fmnist
    path = os.path.join(os.path.dirname(VIT), "vit_weightless.onnx")
    m = lutmlir.compile(path, progress=False)
    correct = 0
    for i in range(0, len(xte), 100):
        (logits,) = m.run(xte[i:i + 100])
        correct += int((logits.argmax(1) == yte[i:i + 100]).sum())
    assert abs(correct - 8759) <= 5, correct
    text = lutmlir.ir.import_onnx(path)
    assert text.count("= lut.lut ") == 4 and text.count("= lut.thermometer ") == 4
    # The reference loops (lutc --ukernels=false) give the kernels' logits.
    np.save(tmp_path / "x.npy", xte[:100])
    lutc(path, tmp_path / "ref.so", "--ukernels=false")
    (want,) = lut_run(tmp_path / "ref.so", [tmp_path / "x.npy"], tmp_path / "out")
    np.testing.assert_array_equal(m.run(xte[:100])[0], want)
