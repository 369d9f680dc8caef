"""Every frozen model fixture converted and run in a real onnxruntime session against TF's outputs."""

from __future__ import annotations

import json

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from ortflow.converters import convert_with_report

# fixture -> the most Transpose nodes its model may keep (CNNs: 2 per input/output pair)
FIXTURES = {
    "mobilenet_v2": 2,
    "cnn": 2,
    "mlp": 0,
    "transformer": 2,
}


def _load(data_dir, name):
    d = data_dir / name
    manifest = json.loads((d / "manifest.json").read_text())
    return d, manifest, np.load(d / "inputs.npz"), np.load(d / "expected.npz")


def _run(model, feeds: dict) -> dict:
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(None, feeds)))


def assert_close(actual: np.ndarray, expected: np.ndarray, what: str, tol: float = 1e-4) -> None:
    """|a - e| <= tol, relative for values above 1 (the brief's 1e-4 abs-or-relative rule)."""
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    a = actual.astype(np.float64)
    e = expected.astype(np.float64)
    bound = tol * np.maximum(1.0, np.abs(e))
    worst = np.max(np.abs(a - e) - bound) if a.size else -1
    assert worst <= 0, f"{what}: max |diff| {np.max(np.abs(a - e)):.3g} exceeds {tol} (abs/rel)"


@pytest.mark.parametrize("opset", [13, None], ids=["opset13", "default"])
@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture_converts_and_matches_tensorflow(data_dir, name, opset):
    d, manifest, inputs, expected = _load(data_dir, name)
    result = convert_with_report(str(d / "frozen.pb"), inputs=manifest["inputs"],
                                 outputs=manifest["outputs"], opset=opset)
    model = result.model
    onnx.checker.check_model(model, full_check=True)
    assert [i.name for i in model.graph.input] == manifest["inputs"]
    assert [o.name for o in model.graph.output] == manifest["outputs"]
    got = _run(model, {k: inputs[k] for k in manifest["inputs"]})
    for out in manifest["outputs"]:
        assert_close(got[out], expected[out], f"{name} {out}")
    limit = FIXTURES[name]
    if limit is not None:
        assert result.transposes <= limit, f"{name}: {result.transposes} Transpose nodes left"


def test_mobilenet_inner_tensors_match_tensorflow(data_dir):
    # The fixture's softmax is flat (untrained weights), so inner tensors carry the check;
    # tests/data/mobilenet_v2/make_features.py wrote them with TensorFlow.
    d, manifest, inputs, _ = _load(data_dir, "mobilenet_v2")
    features = np.load(d / "features.npz")
    model = convert_with_report(str(d / "frozen.pb"), inputs=manifest["inputs"],
                                outputs=list(features.keys())).model
    got = _run(model, {"input:0": inputs["input:0"]})
    for name in features.keys():
        expected = features[name]
        scale = float(np.abs(expected).max())
        assert scale > 0, name
        # compared relative to the tensor's own scale: these activations are small
        assert_close(got[name] / scale, expected / scale, name, tol=1e-4)


def test_mobilenet_is_compact(data_dir):
    result = convert_with_report(str(data_dir / "mobilenet_v2" / "frozen.pb"))
    ops = {}
    for n in result.model.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    # batch norms folded into the 52 convolutions; one transpose at the input
    assert ops["Conv"] == 52
    assert "Mul" not in ops and "Sub" not in ops and "Sqrt" not in ops, ops
    assert ops.get("Transpose", 0) == 1, ops


def test_dynamic_batch_stays_dynamic(data_dir):
    d, manifest, inputs, expected = _load(data_dir, "mobilenet_v2")
    model = convert_with_report(str(d / "frozen.pb")).model
    dim0 = model.graph.input[0].type.tensor_type.shape.dim[0]
    assert dim0.dim_param and not dim0.dim_value
    one = inputs["input:0"][:1]
    got = _run(model, {"input:0": one})
    assert_close(got["Identity:0"], expected["Identity:0"][:1], "batch of one")


def test_inputs_as_nchw_leaves_no_transpose(data_dir):
    d, manifest, inputs, expected = _load(data_dir, "mobilenet_v2")
    result = convert_with_report(str(d / "frozen.pb"), inputs_as_nchw=["input:0"])
    assert result.transposes == 0
    dims = [x.dim_value for x in result.model.graph.input[0].type.tensor_type.shape.dim[1:]]
    assert dims == [3, 96, 96]
    got = _run(result.model, {"input:0": np.ascontiguousarray(inputs["input:0"].transpose(0, 3, 1, 2))})
    assert_close(got["Identity:0"], expected["Identity:0"], "nchw input")
