"""The op registry's schema facts: arity, dtypes, defaults, attrs, errors (no TensorFlow needed)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from ortflow.errors import GraphError
from ortflow.formats import dtypes
from ortflow.graph import ops
from ortflow.proto import NodeDef


def node(op: str, name: str = "n", **attrs) -> NodeDef:
    """A NodeDef with attrs given as Python: DType -> type, int, float, bool, bytes, list[DType]."""
    nd = NodeDef(name=name, op=op)
    for key, value in attrs.items():
        av = nd.attr[key]
        if isinstance(value, dtypes.DType):
            av.type = value.as_datatype_enum
        elif isinstance(value, bool):
            av.b = value
        elif isinstance(value, int):
            av.i = value
        elif isinstance(value, float):
            av.f = value
        elif isinstance(value, bytes):
            av.s = value
        elif isinstance(value, list) and all(isinstance(v, dtypes.DType) for v in value):
            av.list.type.extend(v.as_datatype_enum for v in value)
            if not value:
                av.list.SetInParent()
        elif isinstance(value, list):
            av.list.i.extend(value)
        else:
            raise TypeError(value)
    return nd


def test_import_does_not_load_registry_or_tensorflow():
    code = ("import sys, ortflow, ortflow.graph.ops as o; "
            "assert 'tensorflow' not in sys.modules; assert o.schema._op_defs is None; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


def test_registry_holds_all_tensorflow_ops_without_prose():
    names = ops.op_types()
    assert len(names) > 1500
    for name in ["Conv2D", "MatMul", "VariableV2", "ApplyAdam", "SaveV2", "Einsum", "TensorListReserve"]:
        assert ops.is_known(name)
    assert not ops.is_known("FooBar")
    assert ops.get_op_def("FooBar") is None
    assert all(not ops.get_op_def(n).summary and not ops.get_op_def(n).description for n in names)


@pytest.mark.parametrize("op_type, stateful", [
    ("VariableV2", True), ("VarHandleOp", True), ("RandomUniform", True), ("SaveV2", True),
    ("AssignVariableOp", True), ("Add", False), ("Const", False), ("Placeholder", False),
    ("Identity", False), ("FooBar", True)])
def test_is_stateful(op_type, stateful):
    assert ops.is_stateful(op_type) is stateful


@pytest.mark.parametrize("nd, expected", [
    (node("VariableV2", dtype=dtypes.float32), [dtypes.as_dtype("float32_ref")]),
    (node("VarHandleOp", dtype=dtypes.float32), [dtypes.resource]),
    (node("ReadVariableOp", dtype=dtypes.int64), [dtypes.int64]),
    (node("Shape", T=dtypes.float32), [dtypes.int32]),  # out_type default
    (node("Shape", T=dtypes.float32, out_type=dtypes.int64), [dtypes.int64]),
    (node("Split", T=dtypes.float16, num_split=3), [dtypes.float16] * 3),
    (node("Unpack", T=dtypes.int32, num=2), [dtypes.int32] * 2),
    (node("IdentityN", T=[dtypes.float32, dtypes.int64, dtypes.string]),
     [dtypes.float32, dtypes.int64, dtypes.string]),
    (node("Switch", T=dtypes.bool), [dtypes.bool, dtypes.bool]),
    (node("Merge", T=dtypes.float32, N=2), [dtypes.float32, dtypes.int32]),
    (node("FusedBatchNormV3", T=dtypes.float32, U=dtypes.float32), [dtypes.float32] * 6),
    (node("TopKV2", T=dtypes.float32), [dtypes.float32, dtypes.int32]),
    (node("Unique", T=dtypes.int64), [dtypes.int64, dtypes.int32]),
    (node("ArgMax", T=dtypes.float32), [dtypes.int64]),
    (node("NoOp"), []),
    (node("SaveV2", dtypes=[dtypes.float32]), []),
    (node("RestoreV2", dtypes=[dtypes.float32, dtypes.int64]), [dtypes.float32, dtypes.int64]),
    (node("ScalarSummary", T=dtypes.float32), [dtypes.string]),
    (node("Assign", T=dtypes.float32), [dtypes.as_dtype("float32_ref")]),
    (node("ApplyAdam", T=dtypes.float32), [dtypes.as_dtype("float32_ref")]),
    (node("BroadcastGradientArgs", T=dtypes.int32), [dtypes.int32, dtypes.int32]),
])
def test_output_dtypes_and_counts(nd, expected):
    assert ops.output_dtypes(nd) == expected
    assert ops.num_outputs(nd) == len(expected)


@pytest.mark.parametrize("nd, layout", [
    (node("ConcatV2", N=3, T=dtypes.float32), [("values", 3), ("axis", 1)]),
    (node("AddN", N=4, T=dtypes.float32), [("inputs", 4)]),
    (node("IdentityN", T=[dtypes.float32, dtypes.int32]), [("input", 2)]),
    (node("MatMul", T=dtypes.float32), [("a", 1), ("b", 1)]),
    (node("SaveV2", dtypes=[dtypes.float32, dtypes.int32]),
     [("prefix", 1), ("tensor_names", 1), ("shape_and_slices", 1), ("tensors", 2)]),
    (node("Const", dtype=dtypes.float32), []),
])
def test_input_arg_layout(nd, layout):
    assert ops.input_arg_layout(nd) == layout
    assert ops.num_inputs(nd) == sum(n for _, n in layout)


def test_fill_defaults_adds_only_missing_attrs():
    nd = node("Conv2D", T=dtypes.float32, strides=[1, 2, 2, 1], padding=b"SAME")
    nd.attr["data_format"].s = b"NCHW"
    ops.fill_defaults(nd)
    assert nd.attr["data_format"].s == b"NCHW"  # kept
    assert list(nd.attr["dilations"].list.i) == [1, 1, 1, 1]
    assert nd.attr["use_cudnn_on_gpu"].b is True
    assert list(nd.attr["explicit_paddings"].list.i) == []
    assert nd.attr["explicit_paddings"].HasField("list")
    assert "T" in nd.attr and "padding" in nd.attr
    unknown = node("FooBar", x=1)
    ops.fill_defaults(unknown)  # unknown ops are left alone
    assert list(unknown.attr) == ["x"]


def test_get_attr_decodes_and_falls_back_to_op_def_defaults():
    nd = node("Conv2D", T=dtypes.float32, strides=[1, 2, 2, 1], padding=b"SAME")
    assert ops.get_attr(nd, "T") is dtypes.float32
    assert ops.get_attr(nd, "strides") == [1, 2, 2, 1]
    assert ops.get_attr(nd, "padding") == b"SAME"
    assert ops.get_attr(nd, "data_format") == b"NHWC"  # OpDef default
    assert ops.get_attr(nd, "dilations") == [1, 1, 1, 1]
    assert ops.get_attr(nd, "use_cudnn_on_gpu") is True
    assert ops.get_attr(nd, "nope", default=7) == 7
    with pytest.raises(GraphError, match="'nope'"):
        ops.get_attr(nd, "nope")
    ph = NodeDef(name="p", op="Placeholder")
    ph.attr["shape"].shape.dim.add().size = -1
    ph.attr["shape"].shape.dim.add().size = 3
    assert ops.get_attr(ph, "shape") == (None, 3)
    ph.attr["shape"].shape.unknown_rank = True
    assert ops.get_attr(ph, "shape") is None
    f = node("LeakyRelu", T=dtypes.float32)
    assert ops.get_attr(f, "alpha") == pytest.approx(0.2)


def test_unknown_op_errors_name_the_op_type_and_node():
    nd = node("FooBar", name="x")
    with pytest.raises(GraphError, match=r"op type 'FooBar' of node 'x' is not in ortflow's op registry"):
        ops.output_dtypes(nd)
    with pytest.raises(GraphError, match="FooBar"):
        ops.num_outputs(nd)
    with pytest.raises(GraphError, match="FooBar"):
        ops.input_arg_layout(nd)


def test_missing_required_attr_is_a_clear_error():
    with pytest.raises(GraphError, match=r"node 'n' \(op 'Add'\) lacks attr 'T'"):
        ops.output_dtypes(node("Add"))
    with pytest.raises(GraphError, match="'num'"):
        ops.num_outputs(node("Unpack", T=dtypes.float32))
