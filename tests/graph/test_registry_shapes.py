"""Shape functions and whole-graph inference of the op registry, with hand-computed expectations."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from ortflow.errors import GraphError
from ortflow.formats.dtypes import as_dtype, float32, int32, int64, resource, string
from ortflow.formats.dtypes import bool as tf_bool
from ortflow.graph import ops
from ortflow.proto import GraphDef, NodeDef

DATA = pathlib.Path(__file__).resolve().parent.parent / "data"
F = float32


def nd(op, **attrs):
    return ops.make_node_def(op, "n", **attrs)


def i32(*v):
    return np.array(v, np.int32)


def infer(node, shapes, values=None):
    return ops.infer_shapes(node, shapes, values or [None] * len(shapes))


CONV_CASES = [
    # (attrs, input, filter, expected)
    (dict(strides=[1, 1, 1, 1], padding="SAME"), (1, 8, 8, 3), (3, 3, 3, 5), (1, 8, 8, 5)),
    (dict(strides=[1, 2, 2, 1], padding="SAME"), (1, 7, 8, 3), (3, 3, 3, 5), (1, 4, 4, 5)),
    (dict(strides=[1, 1, 1, 1], padding="VALID"), (1, 8, 8, 3), (3, 3, 3, 5), (1, 6, 6, 5)),
    (dict(strides=[1, 2, 2, 1], padding="VALID"), (1, 8, 7, 3), (3, 3, 3, 5), (1, 3, 3, 5)),
    (dict(strides=[1, 1, 1, 1], padding="VALID", dilations=[1, 2, 2, 1]), (1, 9, 9, 3),
     (3, 3, 3, 5), (1, 5, 5, 5)),
    (dict(strides=[1, 1, 1, 1], padding="EXPLICIT", explicit_paddings=[0, 0, 1, 2, 3, 0, 0, 0]),
     (2, 8, 8, 3), (3, 3, 3, 4), (2, 9, 9, 4)),
    (dict(strides=[1, 1, 2, 2], padding="SAME", data_format="NCHW"), (None, 3, 9, 10),
     (3, 3, 3, 6), (None, 6, 5, 5)),
    (dict(strides=[1, 1, 1, 1], padding="VALID"), (None, None, 8, 3), (3, 3, 3, 5),
     (None, None, 6, 5)),
    (dict(strides=[1, 1, 1, 1], padding="SAME"), None, (3, 3, 3, 5), (None, None, None, 5)),
]


@pytest.mark.parametrize("attrs, x, w, expected", CONV_CASES)
def test_conv2d(attrs, x, w, expected):
    assert infer(nd("Conv2D", T=F, **attrs), [x, w]) == [expected]


def test_conv_variants():
    assert infer(nd("Conv3D", T=F, strides=[1, 2, 2, 2, 1], padding="SAME"),
                 [(1, 5, 6, 7, 2), (3, 3, 3, 2, 4)]) == [(1, 3, 3, 4, 4)]
    assert infer(nd("DepthwiseConv2dNative", T=F, strides=[1, 1, 1, 1], padding="VALID"),
                 [(1, 5, 5, 3), (3, 3, 3, 2)]) == [(1, 3, 3, 6)]
    bp = nd("Conv2DBackpropInput", T=F, strides=[1, 2, 2, 1], padding="SAME")
    # TF's shape function takes the batch dim from out_backprop, not from the sizes: (?, 8, 8, 4)
    assert infer(bp, [(4,), (3, 3, 4, 6), (None, 4, 4, 6)], [i32(2, 8, 8, 4), None, None]) == \
        [(None, 8, 8, 4)]
    assert infer(bp, [(4,), (3, 3, 4, 6), (2, 4, 4, 6)], [i32(2, 8, 8, 4), None, None]) == \
        [(2, 8, 8, 4)]
    assert infer(bp, [(4,), (3, 3, 4, 6), (None, 4, 4, 6)]) == [(None,) * 4]
    with pytest.raises(GraphError, match="does not fit"):
        infer(nd("Conv2D", T=F, strides=[1, 1, 1, 1], padding="VALID"), [(1, 2, 2, 3), (3, 3, 3, 1)])


@pytest.mark.parametrize("op, attrs, x, expected", [
    ("MaxPool", dict(ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID"), (1, 7, 7, 3), (1, 3, 3, 3)),
    ("MaxPool", dict(ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME"), (1, 7, 7, 3), (1, 4, 4, 3)),
    ("AvgPool", dict(ksize=[1, 1, 2, 2], strides=[1, 1, 2, 2], padding="VALID", data_format="NCHW"),
     (None, 3, 8, 6), (None, 3, 4, 3)),
    ("MaxPool3D", dict(ksize=[1, 2, 2, 2, 1], strides=[1, 2, 2, 2, 1], padding="VALID"),
     (1, 4, 4, 4, 2), (1, 2, 2, 2, 2)),
])
def test_pools(op, attrs, x, expected):
    assert infer(nd(op, T=F, **attrs), [x]) == [expected]


def test_fused_batch_norm():
    out = infer(nd("FusedBatchNormV3", T=F, U=F, is_training=False, data_format="NCHW"),
                [(None, 8, 4, 4), (8,), (8,), (8,), (8,)])
    assert out[:5] == [(None, 8, 4, 4), (8,), (8,), (8,), (8,)]
    # Training mode: mean and variance inputs are empty and must not clash with C.
    out = infer(nd("FusedBatchNorm", T=F, is_training=True), [(2, 4, 4, 3), (3,), (3,), (0,), (0,)])
    assert out == [(2, 4, 4, 3), (3,), (3,), (3,), (3,)]


@pytest.mark.parametrize("op, attrs, shapes, expected", [
    ("MatMul", {}, [(2, 3), (3, 4)], (2, 4)),
    ("MatMul", dict(transpose_a=True, transpose_b=True), [(3, 2), (4, 3)], (2, 4)),
    ("MatMul", {}, [(None, 3), None], (None, None)),
    ("BatchMatMulV2", {}, [(5, 1, 2, 3), (4, 3, 6)], (5, 4, 2, 6)),
    ("BatchMatMulV2", dict(adj_x=True, adj_y=True), [(7, 3, 2), (7, 6, 3)], (7, 2, 6)),
    ("BatchMatMul", {}, [(7, 2, 3), (None, 3, 6)], (7, 2, 6)),
])
def test_matmuls(op, attrs, shapes, expected):
    assert infer(nd(op, T=F, **attrs), shapes) == [expected]
    with pytest.raises(GraphError, match="inner dimensions"):
        infer(nd("MatMul", T=F), [(2, 3), (4, 5)])


@pytest.mark.parametrize("equation, shapes, expected", [
    ("bqhd,bkhd->bhqk", [(None, 5, 4, 8), (None, 7, 4, 8)], (None, 4, 5, 7)),
    ("i,j->ij", [(3,), (4,)], (3, 4)),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 6)], (2, 5, 3, 6)),
    ("ij->", [(3, 4)], ()),
    ("ab,bc->ac", [None, (4, 5)], (None, 5)),
])
def test_einsum(equation, shapes, expected):
    assert infer(nd("Einsum", T=F, N=len(shapes), equation=equation), shapes) == [expected]


def test_broadcasting_binary_ops():
    add = nd("AddV2", T=F)
    assert infer(add, [(2, 1, 3), (4, 1)]) == [(2, 4, 3)]
    assert infer(add, [(None, 3), (3,)]) == [(None, 3)]
    assert infer(add, [(None, 1), (1, 5)]) == [(None, 5)]
    assert infer(add, [(None,), (None,)]) == [(None,)]
    assert infer(add, [(1,), None]) == [None]
    with pytest.raises(GraphError, match="broadcast"):
        infer(add, [(2, 3), (4, 3)])
    assert infer(nd("SelectV2", T=F), [(2, 1), (1, 3), ()]) == [(2, 3)]
    assert infer(nd("Select", T=F), [(4,), (4, 5), (None, 5)]) == [(4, 5)]
    assert infer(nd("Equal", T=F), [(3,), ()]) == [(3,)]


@pytest.mark.parametrize("keep, axes, expected", [
    (False, i32(1), (2, 4)), (True, i32(1), (2, 1, 4)), (False, i32(-1, 0), (3,)),
    (True, i32(), (2, 3, 4)), (False, np.int32(0), (3, 4)), (False, None, None),
    (True, None, (None, None, None)),
])
def test_reductions(keep, axes, expected):
    node = nd("Sum", T=F, keep_dims=keep)
    assert infer(node, [(2, 3, 4), (1,)], [None, axes]) == [expected]


def test_reshape_resolves_minus_one_like_tensorflow():
    r = nd("Reshape", T=F)
    assert infer(r, [(2, 3, 4), (2,)], [None, i32(-1, 4)]) == [(6, 4)]
    assert infer(r, [(None, 3, 4), (2,)], [None, i32(-1, 12)]) == [(None, 12)]
    assert infer(r, [(None, 3, 4), (3,)], [None, i32(-1, 2, 6)]) == [(None, 2, 6)]
    assert infer(r, [(2, 3), (3,)], [None, None]) == [(None, None, None)]
    assert infer(r, [(None, 12), (3,)], [None, np.ma.MaskedArray(i32(0, 3, 4), [True, False, False])]) \
        == [(None, 3, 4)]
    with pytest.raises(GraphError, match="cannot reshape"):
        infer(r, [(2, 3), (1,)], [None, i32(7)])


def test_array_shape_functions():
    assert infer(nd("Squeeze", T=F, squeeze_dims=[1]), [(2, 1, 3)]) == [(2, 3)]
    assert infer(nd("Squeeze", T=F), [(1, 2, 1, 3)]) == [(2, 3)]
    assert infer(nd("Squeeze", T=F), [(None, 2)]) == [None]
    assert infer(nd("ExpandDims", T=F), [(2, 3), ()], [None, np.int32(-1)]) == [(2, 3, 1)]
    assert infer(nd("Shape", T=F), [(None, 3)]) == [(2,)]
    assert infer(nd("Size", T=F), [(None, 3)]) == [()]
    assert infer(nd("Fill", T=F), [(2,), ()], [i32(2, 5), None]) == [(2, 5)]
    assert infer(nd("Tile", T=F), [(2, None), (2,)], [None, i32(3, 2)]) == [(6, None)]
    assert infer(nd("Pad", T=F), [(2, 3), (2, 2)], [None, i32(1, 1, 0, 2)]) == [(4, 5)]
    assert infer(nd("ConcatV2", T=F, N=3), [(2, 3), (None, 3), (4, None), ()],
                 [None, None, None, np.int32(0)]) == [(None, 3)]
    assert infer(nd("ConcatV2", T=F, N=2), [(2, 3), (2, 5), ()], [None, None, np.int32(-1)]) == [(2, 8)]
    assert infer(nd("Pack", T=F, N=3, axis=1), [(2,), (2,), (None,)]) == [(2, 3)]
    assert infer(nd("Unpack", T=F, num=3, axis=1), [(2, 3, 4)]) == [(2, 4)] * 3
    assert infer(nd("Split", T=F, num_split=2), [(), (4, 6)], [np.int32(1), None]) == [(4, 3)] * 2
    assert infer(nd("SplitV", T=F, Tlen=int32, num_split=3), [(10, 2), (3,), ()],
                 [None, i32(2, -1, 3), np.int32(0)]) == [(2, 2), (5, 2), (3, 2)]
    assert infer(nd("Slice", T=F, Index=int32), [(5, 6), (2,), (2,)],
                 [None, i32(1, 2), i32(-1, 3)]) == [(4, 3)]
    assert infer(nd("GatherV2", Tparams=F, Tindices=int32, Taxis=int32), [(5, 6, 7), (2, 3), ()],
                 [None, None, np.int32(1)]) == [(5, 2, 3, 7)]
    assert infer(nd("GatherNd", Tparams=F, Tindices=int32), [(5, 6, 7), (4, 2)]) == [(4, 7)]
    assert infer(nd("Transpose", T=F), [(2, 3, 4), (3,)], [None, i32(2, 0, 1)]) == [(4, 2, 3)]
    assert infer(nd("OneHot", T=F, axis=-1), [(2, 3), (), (), ()], [None, np.int32(5), None, None]) == \
        [(2, 3, 5)]
    assert infer(nd("Range", Tidx=int32), [(), (), ()], [np.int32(1), np.int32(10), np.int32(3)]) == [(3,)]
    assert infer(nd("Range", Tidx=F), [(), (), ()],
                 [np.float32(0), np.float32(1), np.float32(0.3)]) == [(4,)]
    assert infer(nd("Where", T=tf_bool), [(2, None, 3)]) == [(None, 3)]
    assert infer(nd("TopKV2", T=F), [(4, 10), ()], [None, np.int32(3)]) == [(4, 3), (4, 3)]
    assert infer(nd("ResizeBilinear", T=F), [(1, 4, 4, 3), (2,)], [None, i32(8, 6)]) == [(1, 8, 6, 3)]
    assert infer(nd("SpaceToDepth", T=F, block_size=2), [(1, 4, 6, 3)]) == [(1, 2, 3, 12)]
    assert infer(nd("DepthToSpace", T=F, block_size=2, data_format="NCHW"), [(1, 12, 2, 3)]) == \
        [(1, 3, 4, 6)]
    assert infer(nd("ArgMax", T=F), [(4, 5), ()], [None, np.int32(1)]) == [(4,)]
    assert infer(nd("BroadcastTo", T=F), [(3,), (2,)], [None, i32(2, 3)]) == [(2, 3)]


@pytest.mark.parametrize("masks, expected", [
    (dict(), (1, 1, 4)),
    (dict(shrink_axis_mask=1), (1, 4)),
    (dict(begin_mask=1, end_mask=1), (2, 1, 4)),
    (dict(new_axis_mask=2), (1, 1, 3, 4)),
    (dict(ellipsis_mask=1), (2, 3, 1)),
])
def test_strided_slice_shapes(masks, expected):
    node = nd("StridedSlice", T=F, Index=int32, **masks)
    begin, end, strides = i32(1, 0), i32(2, 1), i32(1, 1)
    out = infer(node, [(2, 3, 4), (2,), (2,), (2,)], [None, begin, end, strides])
    x = np.zeros((2, 3, 4))
    spec = ops.strided_slice_spec([1, 0], [2, 1], [1, 1], **masks)
    assert out == [expected] == [x[spec].shape]


def test_control_flow_variables_and_stateful_ops():
    assert infer(nd("VariableV2", dtype=F, shape=(3, 4)), []) == [(3, 4)]
    assert infer(nd("VarHandleOp", dtype=F, shape=(3, 4)), []) == [()]
    assert infer(nd("Switch", T=F), [(2, 3), ()]) == [(2, 3), (2, 3)]
    assert infer(nd("Merge", T=F, N=2), [(2, 3), (2, None)]) == [(2, None), ()]
    assert infer(nd("Merge", T=F, N=2), [(2, 3), None]) == [None, ()]
    assert infer(nd("Assign", T=F), [(3,), (3,)]) == [(3,)]
    assert infer(nd("ApplyAdam", T=F), [(3, 4)] + [()] * 9) == [(3, 4)]
    assert infer(nd("ScalarSummary", T=F), [(), ()]) == [()]
    assert infer(nd("SaveV2", dtypes=[F]), [(), (1,), (1,), (3,)]) == []
    assert infer(nd("NoOp"), []) == []
    # Known ops without a shape function get unknown shapes, never an error.
    assert infer(nd("TensorListGetItem", element_dtype=F), [(), (), (None,)]) == [None]
    assert infer(nd("RestoreV2", dtypes=[F, F]), [(), (2,), (2,)],
                 [None, None, np.array([b"", b"4 6 0,4:0,6"], object)]) == [None, (4, 6)]


def _graph(*nodes) -> GraphDef:
    gd = GraphDef()
    gd.node.extend(nodes)
    return gd


def mk(op, name, inputs=(), **attrs):
    return ops.make_node_def(op, name, inputs, **attrs)


def test_infer_graph_def_resolves_shape_chains_and_folds_values():
    gd = _graph(
        mk("Placeholder", "x", dtype=F, shape=(None, 28, 28)),
        mk("Shape", "s", ["x"], T=F),
        mk("Const", "b", dtype=int32, value=i32(0)),
        mk("Const", "e", dtype=int32, value=i32(1)),
        mk("Const", "st", dtype=int32, value=i32(1)),
        mk("StridedSlice", "batch", ["s", "b", "e", "st"], T=int32, Index=int32, shrink_axis_mask=1),
        mk("Const", "k", dtype=int32, value=np.int32(784)),
        mk("Pack", "target", ["batch", "k"], T=int32, N=2),
        mk("Reshape", "flat", ["x", "target"], T=F),
        mk("StridedSlice", "hw", ["s", "e", "b", "st"], T=int32, Index=int32, end_mask=1),
        mk("Prod", "n", ["hw", "b"], T=int32),
    )
    metas = ops.infer_graph_def(gd)
    assert metas["flat:0"] == ops.TensorMeta(F, (None, 784), None)
    assert metas["batch:0"].value is None and metas["batch:0"].shape == ()
    np.testing.assert_array_equal(metas["hw:0"].value, i32(28, 28))
    assert metas["n:0"].value == 784 and metas["n:0"].value.dtype == np.int32
    fed = ops.infer_graph_def(gd, feed_shapes={"x:0": (8, 28, 28)})
    np.testing.assert_array_equal(fed["target:0"].value, i32(8, 784))
    assert fed["flat:0"].shape == (8, 784)
    small = ops.infer_graph_def(gd, fold_limit=1)
    assert small["hw:0"].value is None and small["hw:0"].shape == (2,)


def test_infer_graph_def_variables_loops_and_unknown_ops():
    gd = _graph(
        mk("VarHandleOp", "v", dtype=F, shape=(3, 4)),
        mk("ReadVariableOp", "read", ["v"], dtype=F),
        mk("VariableV2", "ref", dtype=int64, shape=(5,)),
        mk("Identity", "ref_read", ["ref"], T=as_dtype("int64_ref")),
        mk("FooBar", "mystery", ["read"], T=string),
        mk("Identity", "after", ["mystery:1"], T=string),
        mk("Const", "zero", dtype=int32, value=np.int32(0)),
        mk("Enter", "enter", ["zero"], T=int32, frame_name="loop"),
        mk("Merge", "merge", ["enter", "next"], T=int32, N=2),
        mk("Const", "one", dtype=int32, value=np.int32(1)),
        mk("AddV2", "inc", ["merge", "one"], T=int32),
        mk("NextIteration", "next", ["inc"], T=int32),
    )
    metas = ops.infer_graph_def(gd)
    assert metas["v:0"] == ops.TensorMeta(resource, (), None)
    assert metas["read:0"] == ops.TensorMeta(F, (3, 4), None)
    assert metas["ref:0"].dtype == as_dtype("int64_ref") and metas["ref:0"].shape == (5,)
    assert metas["ref_read:0"].shape == (5,)
    assert metas["mystery:0"] == metas["mystery:1"] == ops.TensorMeta(string, None, None)
    assert metas["after:0"] == ops.TensorMeta(string, None, None)
    # Loop tensors are never constants, whatever flows in.
    assert metas["enter:0"].value is None and metas["merge:0"] == ops.TensorMeta(int32, None, None)
    assert metas["inc:0"].value is None and metas["merge:1"].shape == ()


@pytest.mark.parametrize("fixture, tensor, shape", [
    ("mobilenet_v2", None, None),
    ("cnn", None, None),
    ("transformer", None, None),
    ("mlp", None, None),
])
def test_infer_graph_def_on_fixtures_reaches_outputs(fixture, tensor, shape):
    import json

    manifest = json.loads((DATA / fixture / "manifest.json").read_text())
    gd = GraphDef.FromString((DATA / fixture / "frozen.pb").read_bytes())
    metas = ops.infer_graph_def(gd)
    assert len(metas) >= len(gd.node) - sum(1 for n in gd.node if n.op == "NoOp")
    for name in manifest["outputs"]:
        meta = metas[name]
        assert meta.dtype is not None and meta.shape is not None, name
        assert len(meta.shape) >= 1


def test_mobilenet_output_and_sample_shapes():
    gd = GraphDef.FromString((DATA / "mobilenet_v2" / "frozen.pb").read_bytes())
    metas = ops.infer_graph_def(gd)
    # MobileNetV2 0.35 at 96x96: stride-2 stem conv, 1000 classes.
    assert metas["input:0"].shape == (None, 96, 96, 3)
    assert metas["mobilenetv2_0.35_96_1/Conv1_1/convolution:0"].shape == (None, 48, 48, 16)
    assert metas["Identity:0"] == ops.TensorMeta(F, (None, 1000), None)
    fed = ops.infer_graph_def(gd, feed_shapes={"input": (2, 96, 96, 3)})
    assert fed["Identity:0"].shape == (2, 1000)
    assert all(m.shape is not None and None not in m.shape for m in fed.values())


def test_feeds_override_any_tensor_and_unfold_it():
    gd = _graph(
        mk("Const", "c", dtype=int32, value=i32(2, 3)),
        mk("PlaceholderWithDefault", "p", ["c"], dtype=int32, shape=(2,)),
        mk("Identity", "ci", ["c"], T=int32),
        mk("Fill", "f", ["ci", "one"], T=F),
        mk("Const", "one", dtype=F, value=np.float32(1)),
    )
    metas = ops.infer_graph_def(gd)
    assert metas["p:0"] == ops.TensorMeta(int32, (2,), None)  # feedable: never a constant
    assert metas["f:0"].shape == (2, 3) and metas["f:0"].value is not None
    fed = ops.infer_graph_def(gd, feed_shapes={"ci": [-1], "p:0": None})
    assert fed["ci:0"] == ops.TensorMeta(int32, (None,), None)
    assert fed["p:0"].shape is None
    assert fed["f:0"] == ops.TensorMeta(F, None, None)


def test_infer_graph_def_survives_broken_graphs():
    gd = _graph(
        mk("Identity", "dangling", ["nowhere:3"], T=F),
        mk("AddV2", "a", ["b", "dangling"], T=F),  # a cycle not through NextIteration
        mk("AddV2", "b", ["a", "a"], T=F),
        mk("MatMul", "bad", ["m1", "m2"], T=F),  # inner dims disagree: TF would reject it
        mk("Const", "m1", dtype=F, value=np.zeros((2, 3), np.float32)),
        mk("Const", "m2", dtype=F, value=np.zeros((4, 5), np.float32)),
        ops.make_node_def("AddV2", "no_attrs", ["m1", "m1"]),
    )
    assert "T" not in gd.node[-1].attr  # a required attr is missing
    metas = ops.infer_graph_def(gd)
    assert metas["dangling:0"] == ops.TensorMeta(F, None, None)
    assert metas["a:0"].dtype == F and metas["b:0"].dtype == F
    assert metas["bad:0"] == ops.TensorMeta(F, None, None)
    assert metas["no_attrs:0"] == ops.TensorMeta(None, (2, 3), None)
    with pytest.raises(GraphError, match="'bad'.*MatMul inner dimensions 3 and 4"):
        ops.infer_shapes(gd.node[3], [(2, 3), (4, 5)], [None, None])


def test_pack_and_concat_of_unknown_scalars_keep_the_known_dims():
    gd = _graph(
        mk("Placeholder", "x", dtype=F, shape=None),
        mk("Placeholder", "n", dtype=int32, shape=()),
        mk("Const", "k", dtype=int32, value=np.int32(784)),
        mk("Pack", "target", ["n", "k"], T=int32, N=2),
        mk("Reshape", "r", ["x", "target"], T=F),
        mk("Placeholder", "tail", dtype=int32, shape=(2,)),
        mk("Const", "head", dtype=int32, value=i32(3)),
        mk("Const", "axis", dtype=int32, value=np.int32(0)),
        mk("ConcatV2", "target2", ["head", "tail", "axis"], T=int32, N=2),
        mk("Reshape", "r2", ["x", "target2"], T=F),
    )
    metas = ops.infer_graph_def(gd)
    assert metas["r:0"].shape == (None, 784)
    assert metas["r2:0"].shape == (3, None, None)
    assert metas["target:0"].value is None and metas["target2:0"].value is None


def test_output_shapes_annotations_fill_unknown_dims_but_never_override():
    from ortflow.graph.ops.build import make_attr_value

    gd = _graph(
        mk("Const", "zero", dtype=int32, value=np.int32(0)),
        mk("Enter", "enter", ["zero"], T=int32, frame_name="loop"),
        mk("Merge", "merge", ["enter", "next"], T=int32, N=2),
        mk("Const", "one", dtype=int32, value=np.int32(1)),
        mk("AddV2", "inc", ["merge", "one"], T=int32),
        mk("NextIteration", "next", ["inc"], T=int32),
        mk("Placeholder", "x", dtype=F, shape=(None, 3)),
        mk("Relu", "relu", ["x"], T=F),
    )
    gd.node[2].attr["_output_shapes"].CopyFrom(make_attr_value([(), ()], "list(shape)"))
    gd.node[7].attr["_output_shapes"].CopyFrom(make_attr_value([(5, 4)], "list(shape)"))
    metas = ops.infer_graph_def(gd)
    assert metas["merge:0"].shape == () and metas["inc:0"].shape == ()
    assert metas["relu:0"].shape == (None, 3)  # a contradicting annotation is stale: ignored
    fed = ops.infer_graph_def(gd, feed_shapes={"merge:0": None})
    assert fed["merge:0"].shape is None


def test_tensor_array_and_tensor_list_element_shapes():
    gd = _graph(
        mk("Const", "size", dtype=int32, value=np.int32(6)),
        mk("TensorArrayV3", "ta", ["size"], dtype=F, element_shape=(None, 4)),
        mk("Enter", "enter", ["ta"], T=resource, frame_name="f", is_constant=True),
        mk("Const", "i", dtype=int32, value=np.int32(0)),
        mk("TensorArrayReadV3", "read", ["enter", "i", "ta:1"], dtype=F),
        mk("Range", "idx", ["i", "size", "one"], Tidx=int32),
        mk("Const", "one", dtype=int32, value=np.int32(1)),
        mk("TensorArrayGatherV3", "gather", ["ta", "idx", "ta:1"], dtype=F, element_shape=(2, None)),
        mk("Const", "eshape", dtype=int32, value=i32(-1, 3)),
        mk("TensorListReserve", "tl", ["eshape", "size"], element_dtype=F, shape_type=int32),
        mk("TensorListStack", "stack", ["tl", "eshape"], element_dtype=F, num_elements=6),
    )
    metas = ops.infer_graph_def(gd)
    assert metas["ta:0"].shape == (2,) and metas["ta:1"].shape == ()
    assert metas["read:0"].shape == (None, 4)
    assert metas["gather:0"].shape == (6, 2, 4)
    assert metas["tl:0"] == ops.TensorMeta(as_dtype("variant"), (), None)
    assert metas["stack:0"].shape == (6, None, 3)


def test_inference_never_adds_attrs_to_the_callers_nodes():
    const = NodeDef(name="c", op="Const")
    const.attr["dtype"].type = F.as_datatype_enum
    gd = _graph(const, mk("EnsureShape", "e", ["c"], T=F), mk("If", "if", ["c"], Tin=[F], Tout=[F]))
    assert "shape" not in gd.node[1].attr
    before = gd.SerializeToString(deterministic=True)
    metas = ops.infer_graph_def(gd)
    assert gd.SerializeToString(deterministic=True) == before
    assert metas["c:0"] == ops.TensorMeta(F, None, None) and metas["if:0"].shape is None


def test_function_calls_get_dtypes_from_the_library_signature():
    gd = _graph(mk("Placeholder", "x", dtype=F, shape=(2,)),
                ops.make_node_def("my_fn", "call", ["x"], T=int64))
    sig = gd.library.function.add().signature
    sig.name = "my_fn"
    sig.input_arg.add(name="a", type=F.as_datatype_enum)
    sig.output_arg.add(name="y", type=F.as_datatype_enum)
    sig.output_arg.add(name="z", type_attr="T")
    sig.attr.add(name="T", type="type")
    metas = ops.infer_graph_def(gd)
    assert metas["call:0"] == ops.TensorMeta(F, None, None)
    assert metas["call:1"] == ops.TensorMeta(int64, None, None)
    assert ops.signature_output_dtypes(gd.node[1], sig) == [F, int64]
