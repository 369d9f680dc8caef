"""CUDA execution: fixtures on the GPU and variables kept on the device between runs.

Every test here needs onnxruntime-gpu with a visible CUDA device and is skipped, with the
reason, everywhere else (install onnxruntime-gpu, the `gpu` extra, on a machine with a CUDA device).
"""

from __future__ import annotations

import numpy as np
import pytest
from ortflow.api import ops_builder as b
from ortflow.formats import dtypes
from ortflow.graph import Graph
from ortflow.runtime import Session, load

pytestmark = pytest.mark.gpu


def _cuda_or_skip():
    import onnxruntime as ort

    available = ort.get_available_providers()
    if "CUDAExecutionProvider" not in available:
        pytest.skip(f"GPU tier: this onnxruntime has no CUDAExecutionProvider (it has {available}); "
                    "install onnxruntime-gpu on a machine with a CUDA device")


@pytest.mark.parametrize("fixture, feed, fetch", [("mlp", "input:0", "output:0"),
                                                  ("cnn", "images:0", "probs:0"),
                                                  ("mobilenet_v2", "input:0", "Identity:0")])
def test_frozen_fixture_on_cuda(data_dir, fixture, feed, fetch):
    _cuda_or_skip()
    sess, _, _ = load(data_dir / fixture / "frozen.pb", providers="cuda")
    assert sess.providers[0] == "CUDAExecutionProvider"
    x = np.load(data_dir / fixture / "inputs.npz")[feed]
    want = np.load(data_dir / fixture / "expected.npz")[fetch]
    np.testing.assert_allclose(sess.run(fetch, {feed: x}), want, atol=1e-4, rtol=0)


def test_variables_stay_on_the_device_between_runs():
    _cuda_or_skip()
    g = Graph()
    with g.as_default():
        w = b.apply_op_output("VariableV2", [], {"dtype": dtypes.float32,
                                                 "shape": b.shape_attr([1024])}, name="w")
        b.apply_op_output("Assign", [w, b.constant(np.zeros(1024, np.float32))], name="w/Assign")
        b.apply_op_output("AssignAdd", [w, b.constant(np.ones(1024, np.float32))], name="inc")
    with Session(graph=g, providers="cuda") as sess:
        sess.run("w/Assign")
        for _ in range(3):
            sess.run("inc")
        stored = sess._state.get("w")
        assert not isinstance(stored, np.ndarray) and stored.device_name().lower() == "cuda"
        np.testing.assert_array_equal(sess.variable_values(["w"])["w"], np.full(1024, 3, np.float32))


def test_device_resident_feed(data_dir):
    _cuda_or_skip()
    import onnxruntime as ort

    sess, _, _ = load(data_dir / "mlp" / "frozen.pb", providers="cuda")
    x = np.load(data_dir / "mlp" / "inputs.npz")["input:0"]
    on_gpu = ort.OrtValue.ortvalue_from_numpy(x, "cuda", 0)
    want = np.load(data_dir / "mlp" / "expected.npz")["output:0"]
    for _ in range(2):
        np.testing.assert_allclose(sess.run("output:0", {"input:0": on_gpu}), want, atol=1e-4, rtol=0)


def test_repeated_numpy_feed_is_copied_once(data_dir):
    _cuda_or_skip()
    sess, _, _ = load(data_dir / "cnn" / "frozen.pb", providers="cuda")
    x = np.load(data_dir / "cnn" / "inputs.npz")["images:0"]
    want = np.load(data_dir / "cnn" / "expected.npz")["probs:0"]
    for _ in range(3):
        np.testing.assert_allclose(sess.run("probs:0", {"images:0": x}), want, atol=1e-4, rtol=0)
    caches = [signature.runner.feed_cache for signature in sess._signatures.values()]
    assert caches and all(c is not None for c in caches)
    assert sum(c.copies for c in caches) == 1
    x2 = x.copy()
    x2[0, 0, 0, 0] += 1.0
    sess.run("probs:0", {"images:0": x2})
    assert sum(c.copies for c in caches) == 2
