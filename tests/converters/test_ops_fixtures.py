"""Every TF-made op fixture (tests/data/ops/<case>): convert, run in onnxruntime, compare with TF's outputs.

Each case is a tiny tf.compat.v1 graph frozen by TensorFlow 2.21, with the inputs it was run
on (`inputs.npz`) and what TensorFlow computed (`expected.npz`); `manifest.json` names the
graph's input and output tensors. Floats must match within 1e-4 (absolute, or relative for
values above 1); integer and boolean outputs must match exactly. Each case runs at the
default opset and at the lowest supported one (13).
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
from ortflow.converters import convert, default_opset

OPS_DIR = pathlib.Path(__file__).resolve().parents[1] / "data" / "ops"
CASES = sorted(p.name for p in OPS_DIR.iterdir() if (p / "expected.npz").exists())

#: Cases known not to convert or not to match, each with the reason. Empty is the goal.
KNOWN_GAPS: dict[str, str] = {}

ATOL = 1e-4


def _npz_key(tensor: str) -> str:
    return tensor.split(":")[0]


def run_case(case: str, opset: int | None) -> None:
    """Converts one fixture at `opset`, runs it in onnxruntime and compares every output."""
    import onnxruntime as ort

    folder = OPS_DIR / case
    manifest = json.loads((folder / "manifest.json").read_text())
    model = convert(str(folder / "frozen.pb"), inputs=manifest["inputs"], outputs=manifest["outputs"],
                    opset=opset)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    inputs = np.load(folder / "inputs.npz")
    expected = np.load(folder / "expected.npz")
    feeds = {}
    for tensor in manifest["inputs"]:
        feeds[tensor] = inputs[_npz_key(tensor)] if _npz_key(tensor) in inputs else inputs[tensor]
    names = [o.name for o in session.get_outputs()]
    results = dict(zip(names, session.run(None, feeds)))
    for tensor in manifest["outputs"]:
        want = expected[_npz_key(tensor)] if _npz_key(tensor) in expected else expected[tensor]
        got = results[tensor]
        assert_matches(got, want, f"{case} {tensor}")


def assert_matches(got: np.ndarray, want: np.ndarray, what: str) -> None:
    """Shape and dtype kind must agree; floats within ATOL (relative above 1), others exactly."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != expected {want.shape}"
    if want.dtype.kind == "f":
        assert got.dtype.kind == "f", f"{what}: dtype {got.dtype} is not floating like {want.dtype}"
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=ATOL, atol=ATOL,
                                   err_msg=what)
    else:
        assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} != expected {want.dtype}"
        np.testing.assert_array_equal(got, want, err_msg=what)


def test_cases_were_found():
    assert len(CASES) >= 139, f"expected the 139 op fixtures under {OPS_DIR}, found {len(CASES)}"


def _case_params():
    # A known gap must keep failing (strict): once it passes, it has to leave KNOWN_GAPS.
    return [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[c])) if c in KNOWN_GAPS
            else c for c in CASES]


@pytest.mark.parametrize("opset", [None, 13], ids=["default", "opset13"])
@pytest.mark.parametrize("case", _case_params())
def test_op_fixture(case, opset):
    run_case(case, opset)


def test_known_gaps_are_cases():
    assert set(KNOWN_GAPS) <= set(CASES), sorted(set(KNOWN_GAPS) - set(CASES))


def test_default_opset_is_supported():
    assert 13 <= default_opset() <= 23
