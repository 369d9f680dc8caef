"""The speed-ups of graph building keep what they replaced: links, errors, scopes, shapes.

`Graph.create_op` links a new op to its input tensors directly, shape functions get Const
values lazily, and the per-op-type schema facts are cached; each test here compares the fast
path with the general one it stands in for, or checks an error that the general path gives.
"""

from __future__ import annotations

import numpy as np
import pytest
from ortflow.errors import GraphError
from ortflow.formats import dtypes
from ortflow.formats.tensors import make_tensor_proto
from ortflow.graph import Graph, TensorShape
from ortflow.graph.attrs import make_attr_value
from ortflow.graph.ops import registry, schema
from ortflow.graph.ops.build import make_node_def
from ortflow.proto import AttrValue, NodeDef, TensorProto


def _placeholder(g, name, shape=None):
    attrs = {"dtype": dtypes.float32}
    if shape is not None:
        attrs["shape"] = TensorShape(shape)
    return g.create_op("Placeholder", [], attrs=attrs, name=name).outputs[0]


def _const(g, value, name="Const", dtype=np.float32):
    proto = make_tensor_proto(np.asarray(value, dtype=dtype))
    return g.create_op("Const", [], attrs={"dtype": dtypes.as_dtype(proto.dtype), "value": proto},
                       name=name).outputs[0]


def _links(g: Graph) -> list[tuple]:
    return [(op.name, [t.name for t in op.inputs], [c.name for c in op.control_inputs],
             sorted(c.name for t in op.outputs for c in t.consumers()),
             [c.name for c in op._control_outputs]) for op in g.get_operations()]


def test_created_links_equal_the_links_parsed_from_the_graph_def():
    g = Graph()
    a = _placeholder(g, "a", [2, 2])
    split = g.create_op("Split", [_const(g, 0, "axis", np.int32), a], attrs={"T": dtypes.float32,
                                                                            "num_split": 2})
    with g.control_dependencies([a.op]):
        g.create_op("Add", [split.outputs[1], split.outputs[0]], attrs={"T": dtypes.float32}, name="sum")
    g.create_op("NoOp", [], name="after", control_inputs=[split.outputs[0]])
    imported = Graph()
    for node in g.as_graph_def().node:
        imported._add_node_def(NodeDef.FromString(node.SerializeToString()))
    assert _links(g) == _links(imported)
    assert g.get_operation_by_name("sum").node_def.input[:] == ["Split:1", "Split", "^a"]


def test_an_input_whose_op_was_removed_fails_as_before():
    g = Graph()
    a = _placeholder(g, "a")
    dead = g.create_op("Identity", [a], attrs={"T": dtypes.float32}, name="dead").outputs[0]
    g._remove_operation(dead.op)
    with pytest.raises(GraphError, match="no node named 'dead'"):
        g.create_op("Identity", [dead], attrs={"T": dtypes.float32}, name="user")


def test_a_taken_exact_name_is_refused():
    g = Graph()
    _placeholder(g, "a")
    with pytest.raises(GraphError, match="already in the graph"):
        g.create_op("Placeholder", [], attrs={"dtype": dtypes.float32}, name="a/")


def test_attrs_written_in_place_equal_make_attr_value():
    g = Graph()
    attrs = {"dtype": dtypes.int64, "shape": TensorShape([None, 3]), "container": "c",
             "shared_name": b"s"}
    op = g.create_op("VariableV2", [], attrs=attrs, name="v")
    want = make_node_def("VariableV2", "v", dtype=dtypes.int64, shape=[None, 3], container="c",
                         shared_name=b"s")
    assert op.node_def == want
    flag = g.create_op("Assign", [op.outputs[0], op.outputs[0]],
                       attrs={"T": dtypes.int64, "use_locking": False, "validate_shape": True}, name="as")
    assert flag.get_attr("use_locking") is False and flag.get_attr("validate_shape") is True
    counted = g.create_op("Unpack", [_const(g, [[1.0], [2.0]])], attrs={"T": dtypes.float32, "num": 2,
                                                                         "axis": 0})
    assert counted.node_def.attr["num"].i == 2 and len(counted.outputs) == 2


@pytest.mark.parametrize("op_type", ["MatMul", "Conv2D", "VariableV2", "Unpack", "StridedSlice"])
def test_cached_defaults_fill_what_the_opdef_gives(op_type):
    node = NodeDef(name="n", op=op_type)
    node.attr["T"].type = dtypes.float32.as_datatype_enum
    schema.fill_defaults(node)
    want = NodeDef(name="n", op=op_type)
    want.attr["T"].type = dtypes.float32.as_datatype_enum
    for attr in schema.get_op_def(op_type).attr:  # the uncached rule, read off the OpDef
        if attr.name not in want.attr and attr.HasField("default_value"):
            want.attr[attr.name].CopyFrom(attr.default_value)
    assert node == want
    assert node.SerializeToString(deterministic=True) == want.SerializeToString(deterministic=True)


def test_unknown_op_types_get_no_defaults():
    unknown = NodeDef(name="u", op="NotAnOpAnywhere")
    schema.fill_defaults(unknown)
    assert not unknown.attr


def test_fixed_num_outputs():
    assert schema.fixed_num_outputs("MatMul") == 1
    assert schema.fixed_num_outputs("NoOp") == 0
    assert schema.fixed_num_outputs("Unpack") is None  # depends on the `num` attr
    assert schema.fixed_num_outputs("NotAnOpAnywhere") is None


def test_lazy_input_values_compute_once_and_index_like_a_list():
    calls = []

    def compute(i):
        calls.append(i)
        return np.array(i * 10)

    values = registry.LazyInputValues(3, compute)
    assert len(values) == 3 and calls == []
    assert values[1] == 10 and values[-1] == 20 and values[1] == 10
    assert calls == [1, 2]
    assert [int(v) for v in values[0:2]] == [0, 10]
    assert [int(v) for v in values] == [0, 10, 20]
    assert calls == [1, 2, 0]
    with pytest.raises(IndexError):
        values[3]
    with pytest.raises(IndexError):
        values[-4]


def test_shape_functions_still_read_const_values():
    g = Graph()
    x = _placeholder(g, "x", [2, 3])
    shape = _const(g, [3, 2], "shape", np.int32)
    reshaped = g.create_op("Reshape", [x, shape], attrs={"T": dtypes.float32, "Tshape": dtypes.int32})
    assert reshaped.outputs[0].shape.as_list() == [3, 2]
    dims = _const(g, [4, 5], "dims", np.int32)
    filled = g.create_op("Fill", [dims, _const(g, 1.0, "one")], attrs={"T": dtypes.float32,
                                                                      "index_type": dtypes.int32})
    assert filled.outputs[0].shape.as_list() == [4, 5]


def test_name_scope_checks_on_entering_and_restores_after_errors():
    g = Graph()
    scope = g.name_scope("bad name!")  # nothing happens before entering, as with TensorFlow
    with pytest.raises(ValueError, match="not a valid scope name"):
        scope.__enter__()
    assert g.get_name_scope() == ""
    with pytest.raises(RuntimeError), g.name_scope("outer") as s:
        assert s == "outer/"
        raise RuntimeError("boom")
    assert g.get_name_scope() == ""
    with g.name_scope("outer") as s:
        assert s == "outer_1/"
        with g.name_scope(None) as top:
            assert top == "" and g.get_name_scope() == ""
        with g.name_scope("outer/") as again:
            assert again == "outer/"
        assert g.get_name_scope() == "outer_1"


def test_control_and_colocation_scopes_restore_after_errors():
    g = Graph()
    a = _placeholder(g, "a")
    b = _placeholder(g, "b")
    with pytest.raises(RuntimeError), g.control_dependencies([a]), g.colocate_with(b.op):
        raise RuntimeError("boom")
    assert g._current_control_dependencies() == [] and g._colocation_stack == []
    with g.colocate_with(b.op):
        with g.colocate_with(None, ignore_existing=True):
            plain = g.create_op("Identity", [a], attrs={"T": dtypes.float32}, name="plain")
        placed = g.create_op("Identity", [a], attrs={"T": dtypes.float32}, name="placed")
    assert "_class" not in plain.node_def.attr
    assert list(placed.node_def.attr["_class"].list.s) == [b"loc:@b"]
    with pytest.raises(KeyError, match="no_such_op"), g.control_dependencies([a, "no_such_op:0"]):
        pass
    assert g._control_dependencies_stack == []


def test_as_default_nests_and_pops():
    from ortflow.graph import get_default_graph

    g1, g2 = Graph(), Graph()
    with g1.as_default() as entered:
        assert entered is g1 and get_default_graph() is g1
        with g2.as_default():
            assert get_default_graph() is g2
        assert get_default_graph() is g1
    assert get_default_graph() is not g1


@pytest.mark.parametrize("value", [dtypes.float32, True, False, 0, -3, "s", b"b", TensorShape([]),
                                   TensorShape(None), TensorShape([None, 2]), make_tensor_proto(np.zeros(3)),
                                   TensorProto(), AttrValue(), AttrValue(i=4), [1, 2], [dtypes.int32], 1.5])
def test_each_attr_kind_is_written_as_make_attr_value_encodes_it(value):
    g = Graph()
    op = g.create_op("NoOp", [], attrs={"a": value}, name="n")
    got = op.node_def.attr["a"]
    want = make_attr_value(value)
    assert got == want and got.SerializeToString() == want.SerializeToString()
