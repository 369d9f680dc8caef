"""converters.loader: big frozen GraphDefs read with their weights mapped, not parsed.

The fast reader must give the same graph and values as `read_graph` + `make_ndarray`, the same
converted model, and step aside (None) for anything it does not fully understand, so that
`read_graph` reports bad files as before.
"""

from __future__ import annotations

import numpy as np
import pytest
from ortflow.converters import loader, passes_tf
from ortflow.errors import FormatError
from ortflow.formats.graphs import read_graph
from ortflow.formats.table import encode_varint
from ortflow.formats.tensors import make_ndarray, make_tensor_proto
from ortflow.proto import GraphDef

BIG = (256, 1024)  # 1 MiB of float32


def _graph(n_big: int = 2, extra=None) -> GraphDef:
    """x -> Add(x, w0) -> Add(., w1) ... with big float32 weights, a small const and a string."""
    rng = np.random.default_rng(0)
    g = GraphDef()
    x = g.node.add(name="x", op="Placeholder")
    x.attr["dtype"].type = 1
    prev = "x"
    for k in range(n_big):
        w = g.node.add(name=f"w{k}", op="Const")
        value = rng.standard_normal(BIG).astype(np.float32)
        w.attr["value"].tensor.CopyFrom(make_tensor_proto(value))
        w.attr["dtype"].type = 1
        add = g.node.add(name=f"add{k}", op="AddV2", input=[prev, w.name])
        add.attr["T"].type = 1
        prev = add.name
    small = g.node.add(name="small", op="Const")
    small.attr["value"].tensor.CopyFrom(make_tensor_proto(np.float32(2.0)))
    small.attr["dtype"].type = 1
    s = g.node.add(name="names", op="Const")
    s.attr["value"].tensor.CopyFrom(make_tensor_proto(np.array([b"a" * 5000, b"b"], dtype=object)))
    s.attr["dtype"].type = 7
    out = g.node.add(name="out", op="Mul", input=[prev, "small"])
    out.attr["T"].type = 1
    if extra is not None:
        extra(g)
    return g


def _write(tmp_path, data: bytes, name: str = "g.pb"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_values_and_graph_match_the_ordinary_reader(tmp_path):
    path = _write(tmp_path, _graph().SerializeToString())
    graph_def, values = loader.read_frozen_graph(path)
    ordinary = read_graph(path)
    assert sorted(values) == ["w0", "w1"]
    for name, value in values.items():
        node = next(n for n in ordinary.node if n.name == name)
        np.testing.assert_array_equal(value, make_ndarray(node.attr["value"].tensor))
        assert not value.flags.writeable
    # everything but the left-out contents is the same message
    stripped = {n.name: n for n in graph_def.node}
    for node in ordinary.node:
        if node.name in values:
            node.attr["value"].tensor.tensor_content = loader.PLACEHOLDER_CONTENT
        assert stripped[node.name] == node


def test_placeholder_content_fails_loudly_without_the_table(tmp_path):
    graph_def, _ = loader.read_frozen_graph(_write(tmp_path, _graph().SerializeToString()))
    node = next(n for n in graph_def.node if n.name == "w0")
    with pytest.raises(FormatError, match="tensor_content"):
        make_ndarray(node.attr["value"].tensor)


def test_const_value_prefers_own_content_of_a_same_named_node(tmp_path):
    graph_def, values = loader.read_frozen_graph(_write(tmp_path, _graph().SerializeToString()))
    own = type(graph_def.node[0])(name="w0", op="Const")
    own.attr["value"].tensor.CopyFrom(make_tensor_proto(np.arange(3, dtype=np.float32)))
    passes_tf._LOADED_VALUES.update(values)
    try:
        np.testing.assert_array_equal(passes_tf.const_value(own), np.arange(3, dtype=np.float32))
        stripped = next(n for n in graph_def.node if n.name == "w0")
        assert passes_tf.const_value(stripped) is values["w0"]
    finally:
        passes_tf._LOADED_VALUES.clear()
        passes_tf._CONST_CACHE.clear()


def test_conversion_through_the_loader_equals_conversion_of_the_parsed_graph(tmp_path):
    pytest.importorskip("onnx")
    from ortflow.converters import convert_with_report

    path = _write(tmp_path, _graph().SerializeToString())
    kw = {"inputs": ["x:0"], "outputs": ["out:0"], "opset": 17}
    fast = convert_with_report(str(path), **kw)
    slow = convert_with_report(read_graph(path), **kw)
    assert fast.model.SerializeToString() == slow.model.SerializeToString()


def test_mobilenet_fixture_converts_to_the_same_model(data_dir):
    pytest.importorskip("onnx")
    from ortflow.converters import convert_with_report

    path = data_dir / "mobilenet_v2" / "frozen.pb"
    got = loader.read_frozen_graph(path)
    assert got is not None and len(got[1]) > 10
    kw = {"inputs": ["input:0"], "outputs": ["Identity:0"], "opset": 17, "weights": False}
    fast = convert_with_report(str(path), **kw)
    slow = convert_with_report(read_graph(path), **kw)
    assert fast.model.SerializeToString() == slow.model.SerializeToString()
    assert fast.initializers.keys() == slow.initializers.keys()
    for name, value in fast.initializers.items():
        np.testing.assert_array_equal(value, slow.initializers[name])


def test_small_files_and_text_are_left_to_read_graph(tmp_path):
    assert loader.read_frozen_graph(_write(tmp_path, _graph(0).SerializeToString())) is None
    text = b"node {\n  name: \"x\"\n  op: \"Placeholder\"\n}\n" * 40000
    assert len(text) > loader.MIN_FILE_BYTES
    assert loader.read_frozen_graph(_write(tmp_path, text, "g.pbtxt")) is None


def test_truncated_file_is_left_to_read_graph(tmp_path):
    data = _graph().SerializeToString()
    path = _write(tmp_path, data[: len(data) - 1000])
    assert loader.read_frozen_graph(path) is None
    with pytest.raises(FormatError, match="truncated"):
        read_graph(path)


def test_content_that_does_not_match_its_shape_is_left_to_read_graph(tmp_path):
    def bad(g):
        w = g.node.add(name="bad", op="Const")
        w.attr["dtype"].type = 1
        w.attr["value"].tensor.dtype = 1
        w.attr["value"].tensor.tensor_shape.dim.add(size=10)
        w.attr["value"].tensor.tensor_content = b"\0" * 8000
    path = _write(tmp_path, _graph(extra=bad).SerializeToString())
    assert loader.read_frozen_graph(path) is None


def test_two_value_entries_leave_the_node_in_the_proto(tmp_path):
    # protobuf keeps the last of two map entries with one key; such a node is not rewritten
    one = GraphDef()
    w = one.node.add(name="dup", op="Const")
    w.attr["value"].tensor.CopyFrom(make_tensor_proto(np.zeros(BIG, np.float32)))
    node = one.node[0].SerializeToString()
    attrs = node[node.index(b"Const") + len(b"Const"):]  # the attr entries follow the op field
    assert attrs[0] == 5 << 3 | 2
    doubled = node + attrs
    data = _graph().SerializeToString() + b"\x0a" + encode_varint(len(doubled)) + doubled
    graph_def, values = loader.read_frozen_graph(_write(tmp_path, data))
    assert sorted(values) == ["w0", "w1"]
    assert graph_def.node[-1] == GraphDef.FromString(data).node[-1]
