"""import_graph_def: prefixes, input_map, return_elements, colocation, order and errors."""

from __future__ import annotations

import re

import numpy as np
import pytest
from ortflow.formats import dtypes
from ortflow.formats.tensors import make_tensor_proto
from ortflow.graph import Graph
from ortflow.graph.importer import import_graph_def
from ortflow.proto import GraphDef, MetaGraphDef


def _small_graph_def(reverse: bool = True) -> GraphDef:
    """x, c, y/y (control-depends on c), y = x + y/y, z = identity(y); nodes in reverse order."""
    g = Graph()
    x = g.create_op("Placeholder", [], attrs={"dtype": dtypes.float32}, name="x").outputs[0]
    c = g.create_op("Const", [], attrs={"dtype": dtypes.float32, "value": make_tensor_proto(1.0)}, name="c")
    with g.control_dependencies([c]):
        yy = g.create_op("Const", [], attrs={"dtype": dtypes.float32, "value": make_tensor_proto(2.0)},
                         name="y/y").outputs[0]
    y = g.create_op("AddV2", [x, yy], attrs={"T": dtypes.float32}, name="y").outputs[0]
    g.create_op("Identity", [y], attrs={"T": dtypes.float32}, name="z")
    gd = g.as_graph_def()
    if reverse:
        nodes = list(gd.node)[::-1]
        del gd.node[:]
        gd.node.extend(nodes)
    return gd


def _nodes(g: Graph):
    return [(n.name, n.op, list(n.input)) for n in g.as_graph_def().node]


def test_prefixes_input_map_and_order_match_tensorflow():
    # Expected lists were printed by TensorFlow 2.21 for the same calls (tests/graph/README note
    # in test_importer_interop.py re-checks them against TensorFlow itself).
    gd = _small_graph_def()
    h = Graph()
    with h.as_default():
        a = h.create_op("Placeholder", [], attrs={"dtype": dtypes.float32}, name="a").outputs[0]
        d = h.create_op("Const", [], attrs={"dtype": dtypes.float32, "value": make_tensor_proto(0.0)},
                        name="d").outputs[0]
        import_graph_def(gd, input_map={"x:0": a, "^c": d}, name="m")
        import_graph_def(gd, name="")
        import_graph_def(gd, name="")
        import_graph_def(gd, input_map={"x": a}, name="pfx")
        import_graph_def(gd, name="pfx")
    got = _nodes(h)
    assert got[2:7] == [
        ("m/y/y", "Const", ["^d"]), ("m/y", "AddV2", ["a", "m/y/y"]), ("m/z", "Identity", ["m/y"]),
        ("m/c", "Const", []), ("m/x", "Placeholder", [])]
    assert got[7:12] == [
        ("c", "Const", []), ("y/y", "Const", ["^c"]), ("x", "Placeholder", []),
        ("y", "AddV2", ["x", "y/y"]), ("z", "Identity", ["y"])]
    assert [n[0] for n in got[12:17]] == ["c_1", "y/y_1", "x_1", "y_1", "z_1"]
    assert got[15] == ("y_1", "AddV2", ["x_1", "y/y_1"])
    assert got[19] == ("pfx/y", "AddV2", ["a", "pfx/y/y"])
    assert got[22:27][3] == ("pfx_1/y", "AddV2", ["pfx_1/x", "pfx_1/y/y"])


def test_default_prefix_nested_scope_and_return_elements():
    gd = _small_graph_def()
    h = Graph()
    with h.as_default():
        z, y = import_graph_def(gd, return_elements=["z:0", "y"])
        with h.name_scope("outer"):
            z2, = import_graph_def(gd, return_elements=["z:0"])
        again = import_graph_def(gd)
    assert z.name == "import/z:0" and y.name == "import/y" and y.type == "AddV2"
    assert z2.name == "outer/import/z:0"
    assert again is None
    assert h.get_operation_by_name("import_1/z").inputs[0].name == "import_1/y:0"
    assert z.consumers() == [] and y.outputs[0].consumers() == [z.op]


def test_errors_are_value_errors_and_leave_the_graph_unchanged():
    gd = _small_graph_def()
    h = Graph()
    with h.as_default():
        a = h.create_op("Placeholder", [], attrs={"dtype": dtypes.float32}, name="a").outputs[0]
        with pytest.raises(ValueError, match=r"Attempted to map inputs that were not found in graph_def: \[nope:0\]"):
            import_graph_def(gd, input_map={"nope:0": a})
        with pytest.raises(ValueError, match="Requested return tensor 'nope:0' not found"):
            import_graph_def(gd, return_elements=["nope:0"])
        broken = GraphDef()
        broken.node.add(name="y", op="Identity", input=["ghost"]).attr["T"].type = 1
        with pytest.raises(ValueError, match="ghost"):
            import_graph_def(broken)
    assert [op.name for op in h.get_operations()] == ["a"]


def test_colocation_and_control_inputs_are_prefixed_and_defaults_filled(data_dir):
    meta = MetaGraphDef()
    meta.ParseFromString((data_dir / "mlp/ckpt/model.ckpt-30.meta").read_bytes())
    gd = meta.graph_def
    mm = next(n for n in gd.node if n.name == "layer0/MatMul")
    del mm.attr["transpose_a"]
    h = Graph()
    with h.as_default():
        import_graph_def(gd, name="p")
    read = h.get_operation_by_name("p/layer0/weights/read")
    assert read.get_attr("_class") == [b"loc:@p/layer0/weights"]
    assert h.get_operation_by_name("p/layer0/MatMul").get_attr("transpose_a") is False
    assert all("_output_shapes" not in op.node_def.attr for op in h.get_operations())
    init = h.get_operation_by_name("p/init")
    assert all(c.name.startswith("p/") for c in init.control_inputs) and init.control_inputs


def test_import_keeps_library_and_unknown_ops(data_dir):
    meta = MetaGraphDef()
    meta.ParseFromString((data_dir / "cnn/ckpt/cnn.meta").read_bytes())
    gd = meta.graph_def
    gd.node.add(name="custom", op="SomeCustomOp", input=["probs"], device="/gpu:7")
    h = Graph()
    with h.as_default():
        import_graph_def(gd, name="")
    out = h.as_graph_def()
    assert {f.signature.name for f in out.library.function} == {"cond_true_388", "cond_false_389"}
    custom = h.get_operation_by_name("custom")
    assert custom.inputs[0].name == "probs:0" and custom.device == "/gpu:7"
    assert out.versions.producer == gd.versions.producer


def test_while_loop_back_edges_import():
    gd = GraphDef()
    gd.node.add(name="x", op="Const").attr["dtype"].type = 1
    gd.node[-1].attr["value"].tensor.CopyFrom(make_tensor_proto(np.float32(0)))
    for name, op, inputs in [("next", "NextIteration", ["merge"]), ("merge", "Merge", ["enter", "next"]),
                             ("enter", "Enter", ["x"])]:
        n = gd.node.add(name=name, op=op, input=inputs)
        n.attr["T"].type = 1
        if op == "Merge":
            n.attr["N"].i = 2
        if op == "Enter":
            n.attr["frame_name"].s = b"loop"
    h = Graph()
    with h.as_default():
        import_graph_def(gd)
    assert [op.name for op in h.get_operations()] == ["import/x", "import/enter", "import/merge", "import/next"]
    assert h.get_operation_by_name("import/merge").inputs[1].op.type == "NextIteration"


def test_unconsumed_input_map_keys_fail_only_when_missing_from_graph_def():
    # TensorFlow 2.21 accepts keys for nodes that exist but feed nothing ("^c" here, "x:0" when
    # unused) and rejects keys naming absent nodes or absent outputs.
    gd = _small_graph_def()
    h = Graph()
    with h.as_default():
        t = h.create_op("Placeholder", [], attrs={"dtype": dtypes.float32}, name="t").outputs[0]
        import_graph_def(gd, input_map={"^z": t, "z:0": t}, name="p")
        for key in ("x:5", "nope:0", "^nope"):
            with pytest.raises(ValueError, match=rf"not found in graph_def: \[{re.escape(key)}\]"):
                import_graph_def(gd, input_map={key: t}, name="p")
