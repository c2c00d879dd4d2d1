"""Runs from several Python threads, and the per-model thread count."""
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import lutmlir
from conftest import VIT


@pytest.fixture(scope="module")
def vit():
    return lutmlir.compile(VIT, lut="lsh:tables=8,bits=8", progress=False)


def test_concurrent_runs_match(vit):
    """Four threads run one model at once (the GIL is released, nothing
    serializes them); every output equals the single-threaded one."""
    xs = [np.random.default_rng(s).random(vit.inputs[0].shape, np.float32) for s in range(4)]
    want = [vit.run(x)[0] for x in xs]
    bad = []
    start = threading.Barrier(4)

    def work(i):
        start.wait()
        for _ in range(5):
            if not np.array_equal(vit.run(xs[i])[0], want[i]):
                bad.append(i)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    assert not bad


def test_set_num_threads_changes_the_team(vit, tmp_path):
    """threads=1 runs on the calling thread only; threads=3 starts libgomp
    workers: counted in /proc/self/task of a fresh process (no timing)."""
    so = tmp_path / "vit.so"
    vit.save(so)
    code = f"""
import os, numpy as np, lutmlir
m = lutmlir.load({str(so)!r}, threads=1)
x = np.zeros(m.inputs[0].shape, np.float32)
m.run(x); one = len(os.listdir('/proc/self/task'))
m.set_num_threads(3); m.run(x); three = len(os.listdir('/proc/self/task'))
print(one, three)
"""
    env = dict(os.environ, LUT_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    one, three = map(int, out.stdout.split())
    assert three >= one + 2, (one, three)
    with pytest.raises(ValueError, match="out of range"):
        vit.set_num_threads(5000)
    with pytest.raises(TypeError):
        vit.set_num_threads(1.5)
