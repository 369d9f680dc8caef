"""TF 1.x control flow converted to ONNX If/Loop, checked in onnxruntime against TensorFlow's outputs.

The cases under tests/data/control_flow were made by `make_cases.py` there (TensorFlow 2.21,
tf.compat.v1 with v1 control flow): Keras LSTM/GRU layers (while frames over TensorArrays),
a hand-written masked RNN, nested while loops, a cond inside a loop, a cond with two
outputs, and a loop whose trip count is only known at run time.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
from ortflow.converters import convert
from ortflow.errors import ConversionError

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "control_flow"
CASES = sorted(p.name for p in DATA.iterdir() if (p / "frozen.pb").exists())


def _run(folder: pathlib.Path, opset):
    import onnxruntime as ort

    manifest = json.loads((folder / "manifest.json").read_text())
    model = convert(str(folder / "frozen.pb"), inputs=manifest["inputs"], outputs=manifest["outputs"],
                    opset=opset)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    inputs = dict(np.load(folder / "inputs.npz"))
    results = session.run(manifest["outputs"], inputs)
    return model, dict(zip(manifest["outputs"], results)), dict(np.load(folder / "expected.npz"))


def test_cases_were_found():
    assert len(CASES) >= 7


@pytest.mark.parametrize("opset", [None, 13], ids=["default", "opset13"])
@pytest.mark.parametrize("case", CASES)
def test_control_flow_case(case, opset):
    model, got, want = _run(DATA / case, opset)
    for name, expected in want.items():
        assert got[name].shape == expected.shape, name
        np.testing.assert_allclose(got[name], expected, rtol=1e-4, atol=1e-4, err_msg=f"{case} {name}")
    ops = {n.op_type for n in _all_nodes(model.graph)}
    manifest = json.loads((DATA / case / "manifest.json").read_text())
    if "LoopCond" in manifest["ops"]:
        assert "Loop" in ops, f"{case}: the while frame did not become an ONNX Loop"
    elif "Switch" in manifest["ops"]:
        assert "If" in ops, f"{case}: the cond did not become an ONNX If"


def test_lstm_keeps_one_loop_and_no_tf_control_ops():
    model, _, _ = _run(DATA / "keras_lstm_sequences", None)
    assert [n.op_type for n in model.graph.node].count("Loop") == 1
    body = next(n for n in model.graph.node if n.op_type == "Loop").attribute[0].g
    assert any(n.op_type == "SequenceAt" for n in _all_nodes(body))
    assert any(n.op_type == "SequenceInsert" for n in _all_nodes(body))


def _all_nodes(graph):
    for n in graph.node:
        yield n
        for a in n.attribute:
            if a.g is not None and a.g.node:
                yield from _all_nodes(a.g)


def test_loop_switch_reached_alone_is_an_error():
    # A while frame's Switch converted without its Enter (a graph cut inside the loop) must
    # fail with a sentence naming the node, not build a wrong If.
    from ortflow.proto import GraphDef

    graph = GraphDef()
    graph.ParseFromString((DATA.parent / "ops" / "while_v1_counter" / "frozen.pb").read_bytes())
    with pytest.raises(ConversionError, match="while/Switch_1|Merge_1"):
        convert(graph, inputs=["while/Merge_1:0", "while/LoopCond:0"], outputs=["while/Exit_1:0"])


@pytest.mark.parametrize("sign", [1.0, -1.0], ids=["true_branch", "false_branch"])
def test_constant_branch_cond_takes_each_branch(sign):
    import onnxruntime as ort

    folder = DATA / "cond_constant_branch"
    model = convert(str(folder / "frozen.pb"), inputs=["a:0"], outputs=["output:0"])
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    x = np.abs(np.random.RandomState(5).randn(2, 3).astype(np.float32)) * sign
    got = session.run(None, {"a:0": x})[0]
    want = (-1.0 if x.sum() > 0 else x.max()) + x.min()
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_scalar_loop_counter_as_output():
    # The counter is a rank-0 loop variable: its Exit must still reach the graph outputs with
    # a declared (scalar) shape, as TF computes it.
    import onnxruntime as ort

    folder = DATA.parent / "ops" / "while_v1_counter"
    model = convert(str(folder / "frozen.pb"), inputs=["a:0"], outputs=["output:0", "while/Exit:0"])
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    x = np.load(folder / "inputs.npz")["a:0"]
    result, counter = session.run(["output:0", "while/Exit:0"], {"a:0": x})
    np.testing.assert_allclose(result, np.load(folder / "expected.npz")["output:0"], rtol=1e-5)
    assert counter.shape == () and counter.dtype == np.int32
    from ortflow.formats.tensors import make_ndarray
    from ortflow.proto import GraphDef

    graph = GraphDef()
    graph.ParseFromString((folder / "frozen.pb").read_bytes())
    limit = next(make_ndarray(n.attr["value"].tensor) for n in graph.node if n.name == "while/Less/y")
    assert counter == limit  # the loop runs while counter < limit, from 0 in steps of 1
