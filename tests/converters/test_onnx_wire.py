"""converters.onnx_wire: the hand-encoded weight-less ModelProto equals onnx.helper's, byte for byte.

The CLI writes `onnx_wire.encode_model` bytes (no onnx import); `OGraph.to_model` builds the
same model with onnx.helper. Both are compared on every frozen fixture and on a graph with
every attribute kind the encoder takes; what it does not take must come back as None.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from ortflow.converters import convert_with_report, driver, onnx_wire, passes_onnx, passes_tf
from ortflow.converters.context import ONode
from ortflow.formats import dtypes
from ortflow.formats.graphs import read_graph

FIXTURES = ["cnn", "mlp", "mobilenet_v2", "transformer"]


def _ograph(graph_def, inputs, outputs, opset):
    """The driver's OGraph of a graph, after the ONNX passes (as convert_graph_def makes it)."""
    graph_def, facts = passes_tf.run_tf_passes(graph_def, inputs, outputs)
    ctx = driver._lower_graph(graph_def, inputs, outputs, opset, set(), facts)
    infos = [driver._boundary_info(o, facts.dtypes.get(o), facts.shapes.get(o)) for o in outputs]
    graph = passes_onnx.OGraph.from_context(ctx, ctx.graph_inputs_info, infos)
    passes_onnx.run_onnx_passes(graph)
    return graph, ctx


@pytest.mark.parametrize("opset", [13, 17, 21])
@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_bytes_equal_onnx_helper_model(data_dir, name, opset):
    d = data_dir / name
    manifest = json.loads((d / "manifest.json").read_text())
    graph, ctx = _ograph(read_graph(d / "frozen.pb"), manifest["inputs"], manifest["outputs"], opset)
    encoded = onnx_wire.encode_model(graph, opset, ctx.opset_imports, passes_onnx._version())
    assert encoded == graph.to_model(opset, ctx.opset_imports, weights=False).SerializeToString()


def test_cli_result_runs_like_the_checked_model(data_dir):
    d = data_dir / "mobilenet_v2"
    manifest = json.loads((d / "manifest.json").read_text())
    kw = {"inputs": manifest["inputs"], "outputs": manifest["outputs"], "weights": False}
    fast = convert_with_report(str(d / "frozen.pb"), check=False, **kw)
    checked = convert_with_report(str(d / "frozen.pb"), **kw)
    assert fast.model is None and fast.model_bytes is not None
    model = onnx.ModelProto.FromString(fast.model_bytes)
    passes_onnx.add_initializers(model.graph, fast.initializers)
    onnx.checker.check_model(model, full_check=True)
    del checked.model.graph.value_info[:]
    assert onnx.ModelProto.FromString(fast.model_bytes) == checked.model
    assert (fast.onnx_nodes, fast.transposes) == (checked.onnx_nodes, checked.transposes)


def _graph_of(nodes, outputs, extra_inputs=()):
    f32 = dtypes.float32
    return passes_onnx.OGraph(nodes, {}, [("x", f32, ["batch", 3, None]), *extra_inputs], outputs,
                              namespace=None, opset=17)


ALL_KINDS = {
    "i": 7, "neg": -3, "big": (1 << 63) - 1, "flag": True, "f": 0.1, "zero": 0.0, "s": "SAME_UPPER",
    "b": b"\x00raw", "ints": [1, -2, 3], "floats": [1.5, -2.0], "mixed": [1, 2.5], "strs": ["a", b"b"],
    "t": np.array([1.0, 2.0], np.float32), "t0": np.array(3, np.int64), "tb": np.array([True, False]),
    "th": np.ones((2, 2), np.float16),
}


def test_every_attribute_kind_equals_onnx_helper():
    nodes = [ONode("Custom", ["x", ""], ["y"], dict(ALL_KINDS), name="n0", domain="com.example"),
             ONode("Relu", ["y"], ["z"], {}, name=""),
             ONode("Identity", ["z"], ["w"], {"unused": None}, name="id")]
    graph = _graph_of(nodes, [("w", dtypes.float32, (None, 3, 5)), ("y", dtypes.int64, None),
                              ("z", dtypes.bool, ())])
    extra = {"com.example": 1}
    encoded = onnx_wire.encode_model(graph, 17, extra, passes_onnx._version())
    assert encoded == graph.to_model(17, extra, weights=False).SerializeToString()


@pytest.mark.parametrize("value", [[], np.array(["a"], dtype=object), 1 << 63, [1 << 64], 1e39,
                                   np.ones(2, dtypes.bfloat16.as_numpy_dtype)],
                         ids=["empty-list", "string-tensor", "int-overflow", "ints-overflow",
                              "float-overflow", "bfloat16-tensor"])
def test_values_only_onnx_encodes_give_none(value):
    graph = _graph_of([ONode("Custom", ["x"], ["y"], {"a": value}, name="n")],
                      [("y", dtypes.float32, None)])
    assert onnx_wire.encode_model(graph, 17, {}, "0") is None


def test_subgraph_attribute_gives_none():
    body = onnx.helper.make_graph([], "body", [], [])
    graph = _graph_of([ONode("If", ["x"], ["y"], {"then_branch": body}, name="n")],
                      [("y", dtypes.float32, None)])
    assert onnx_wire.encode_model(graph, 17, {}, "0") is None


def test_unknown_opset_gives_none():
    graph = _graph_of([ONode("Relu", ["x"], ["y"], {}, name="n")], [("y", dtypes.float32, None)])
    assert onnx_wire.encode_model(graph, 99, {}, "0") is None


def test_cli_writes_without_onnx_and_check_adds_value_info(cli, data_dir, tmp_path):
    import subprocess
    import sys

    pb = data_dir / "mobilenet_v2" / "frozen.pb"
    fast, checked = tmp_path / "fast.onnx", tmp_path / "checked.onnx"
    code = ("import sys; from ortflow.cli import main; rc = main(sys.argv[1:]); "
            "print('onnx loaded' if 'onnx' in sys.modules else 'no onnx'); sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code, "convert", str(pb), "-o", str(fast)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "no onnx" in proc.stdout
    proc = cli("convert", pb, "-o", checked, "--check")
    assert proc.returncode == 0, proc.stderr
    fast_model, checked_model = onnx.load(str(fast)), onnx.load(str(checked))
    assert not fast_model.graph.value_info and checked_model.graph.value_info
    del checked_model.graph.value_info[:]
    assert fast_model == checked_model
