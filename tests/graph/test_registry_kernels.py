"""Numpy kernels of the op registry: TensorFlow's semantics on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest
from ortflow.errors import GraphError
from ortflow.formats.dtypes import as_dtype, float32, int32, int64
from ortflow.formats.dtypes import bool as tf_bool
from ortflow.graph import ops

F = float32


def nd(op, **attrs):
    return ops.make_node_def(op, "n", **attrs)


def ev(node, *inputs):
    return ops.evaluate(node, [np.asarray(x) for x in inputs])


def i32(*v):
    return np.array(v, np.int32)


def test_integer_division_semantics():
    x, y = i32(-7, 7, -7, 7), i32(2, 2, -2, -2)
    np.testing.assert_array_equal(ev(nd("FloorDiv", T=int32), x, y)[0], i32(-4, 3, 3, -4))
    np.testing.assert_array_equal(ev(nd("FloorMod", T=int32), x, y)[0], i32(1, 1, -1, -1))
    np.testing.assert_array_equal(ev(nd("Div", T=int32), x, y)[0], i32(-3, 3, 3, -3))
    np.testing.assert_array_equal(ev(nd("TruncateDiv", T=int32), x, y)[0], i32(-3, 3, 3, -3))
    np.testing.assert_array_equal(ev(nd("TruncateMod", T=int32), x, y)[0], i32(-1, 1, -1, 1))
    out = ev(nd("FloorDiv", T=int32), x, y)[0]
    assert out.dtype == np.int32
    with pytest.raises(GraphError, match="division by zero"):
        ev(nd("FloorDiv", T=int32), x, i32(1, 0, 1, 1))
    f = ev(nd("FloorMod", T=F), np.float32([-7.5, 7.5]), np.float32([2, -2]))[0]
    np.testing.assert_allclose(f, [0.5, -0.5])


def test_dtype_preservation_and_bool_logic():
    a = np.array([1, 2], np.int8)
    assert ev(nd("AddV2", T=as_dtype("int8")), a, a)[0].dtype == np.int8
    h = np.array([1, 2], np.float16)
    assert ev(nd("Mul", T=as_dtype("float16")), h, h)[0].dtype == np.float16
    assert ev(nd("Mean", T=int32), i32(-7, 2), np.int32(0))[0] == -2  # truncates, like TF
    assert ev(nd("Mean", T=int32), i32(-7, 2), np.int32(0))[0].dtype == np.int32
    t, f = np.array([True, False]), np.array([True, True])
    np.testing.assert_array_equal(ev(nd("LogicalAnd"), t, f)[0], [True, False])
    np.testing.assert_array_equal(ev(nd("LogicalNot"), t)[0], [False, True])
    assert ev(nd("Equal", T=int32), i32(1, 2), i32(1, 3))[0].dtype == np.bool_
    cast = ev(nd("Cast", SrcT=F, DstT=int32), np.float32([2.7, -2.7]))[0]
    np.testing.assert_array_equal(cast, i32(2, -2))
    np.testing.assert_array_equal(ev(nd("Cast", SrcT=F, DstT=tf_bool), np.float32([0, 0.5]))[0],
                                  [False, True])
    s = ev(nd("Sum", T=int32), i32(1, 2, 3), np.int32(0))[0]
    assert s == 6 and s.dtype == np.int32


def test_shape_ops_and_reshaping():
    x = np.zeros((2, 3, 4), np.float32)
    np.testing.assert_array_equal(ev(nd("Shape", T=F), x)[0], i32(2, 3, 4))
    assert ev(nd("Shape", T=F, out_type=int64), x)[0].dtype == np.int64
    assert ev(nd("Size", T=F), x)[0] == 24 and ev(nd("Rank", T=F), x)[0] == 3
    assert ev(nd("Reshape", T=F), x, i32(-1, 4))[0].shape == (6, 4)
    assert ev(nd("Squeeze", T=F), np.zeros((1, 2, 1)))[0].shape == (2,)
    assert ev(nd("ExpandDims", T=F), x, np.int32(-1))[0].shape == (2, 3, 4, 1)
    np.testing.assert_array_equal(ev(nd("Fill", T=int32), i32(2, 2), np.int32(7))[0],
                                  np.full((2, 2), 7, np.int32))
    assert ev(nd("Tile", T=F), x, i32(1, 2, 1))[0].shape == (2, 6, 4)
    padded = ev(nd("PadV2", T=int32), i32(1, 2), i32(1, 2).reshape(1, 2), np.int32(9))[0]
    np.testing.assert_array_equal(padded, i32(9, 1, 2, 9, 9))
    mirror = ev(nd("MirrorPad", T=int32, mode="REFLECT"), i32(1, 2, 3), i32(2, 1).reshape(1, 2))[0]
    np.testing.assert_array_equal(mirror, i32(3, 2, 1, 2, 3, 2))


def test_joining_splitting_gathering():
    a, b = i32(1, 2), i32(3, 4)
    np.testing.assert_array_equal(ev(nd("ConcatV2", T=int32, N=2), a, b, np.int32(0))[0], i32(1, 2, 3, 4))
    np.testing.assert_array_equal(ev(nd("Pack", T=int32, N=2, axis=1), a, b)[0], [[1, 3], [2, 4]])
    u = ev(nd("Unpack", T=int32, num=2), np.array([[1, 2], [3, 4]], np.int32))
    np.testing.assert_array_equal(u[1], i32(3, 4))
    parts = ev(nd("SplitV", T=int32, Tlen=int32, num_split=2), i32(1, 2, 3, 4, 5), i32(-1, 2), np.int32(0))
    assert [p.tolist() for p in parts] == [[1, 2, 3], [4, 5]]
    x = np.arange(12, dtype=np.int32).reshape(3, 4)
    np.testing.assert_array_equal(ev(nd("Slice", T=int32, Index=int32), x, i32(1, 1), i32(-1, 2))[0],
                                  x[1:, 1:3])
    np.testing.assert_array_equal(
        ev(nd("GatherV2", Tparams=int32, Tindices=int32, Taxis=int32), x, i32(2, 0), np.int32(1))[0],
        x[:, [2, 0]])
    np.testing.assert_array_equal(ev(nd("GatherNd", Tparams=int32, Tindices=int32), x,
                                     np.array([[1, 2], [0, 0]], np.int32))[0], i32(6, 0))
    np.testing.assert_array_equal(ev(nd("Transpose", T=int32), x, i32(1, 0))[0], x.T)
    np.testing.assert_array_equal(ev(nd("Range", Tidx=int32), np.int32(5), np.int32(0), np.int32(-2))[0],
                                  i32(5, 3, 1))
    hot = ev(nd("OneHot", T=F, axis=0), i32(0, 2), np.int32(3), np.float32(1), np.float32(0))[0]
    np.testing.assert_array_equal(hot, [[1, 0], [0, 0], [0, 1]])
    with pytest.raises(GraphError, match="out of range"):
        ev(nd("GatherV2", Tparams=int32, Tindices=int32, Taxis=int32), x, i32(5), np.int32(0))


def test_broadcast_gradient_args_matches_tensorflow_cases():
    # Expectations are TensorFlow 2.21's outputs for these inputs.
    bga = nd("BroadcastGradientArgs", T=int32)
    cases = [((1, 3), (1, 3), [], []), ((2, 3), (3,), [], [0]), ((1,), (2, 1), [0, 1], [1]),
             ((2, 1, 3), (1, 1, 1), [1], [0, 1, 2]), ((), (2, 3), [0, 1], [])]
    for a, b, ra, rb in cases:
        r0, r1 = ev(bga, np.array(a, np.int32), np.array(b, np.int32))
        assert r0.tolist() == ra and r1.tolist() == rb, (a, b)
    np.testing.assert_array_equal(ev(nd("BroadcastArgs", T=int32), i32(2, 1), i32(3))[0], i32(2, 3))


def test_reductions_selects_matmul_misc():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(ev(nd("Max", T=F, keep_dims=True), x, i32(1))[0], [[2], [5]])
    np.testing.assert_array_equal(ev(nd("Prod", T=F), x, i32())[0], x)
    assert ev(nd("ArgMax", T=F), x, np.int32(1))[0].dtype == np.int64
    np.testing.assert_array_equal(ev(nd("Select", T=F), np.array([True, False]), x, -x)[0],
                                  [[0, 1, 2], [-3, -4, -5]])
    np.testing.assert_array_equal(ev(nd("MatMul", T=F, transpose_b=True), x, x)[0], x @ x.T)
    np.testing.assert_array_equal(ev(nd("Cumsum", T=F, exclusive=True, reverse=True), x, np.int32(1))[0],
                                  [[3, 2, 0], [9, 5, 0]])
    np.testing.assert_array_equal(ev(nd("ClipByValue", T=F), x, np.float32(1), np.float32(4))[0],
                                  np.clip(x, 1, 4))
    np.testing.assert_array_equal(ev(nd("ReverseV2", T=F, Tidx=int32), x, i32(1))[0], x[:, ::-1])
    assert ev(nd("Where", T=F), x)[0].shape == (5, 2)
    assert ev(nd("ZerosLike", T=F), x)[0].dtype == np.float32
    assert ev(nd("Round", T=F), np.float32([0.5, 1.5, 2.5]))[0].tolist() == [0, 2, 2]


def test_evaluate_without_kernel_returns_none():
    assert ops.evaluate(nd("Conv2D", T=F, strides=[1] * 4, padding="SAME"), [None, None]) is None
    assert not ops.has_kernel("VariableV2") and ops.has_kernel("StridedSlice")


MASK_CASES = [
    # (begin, end, strides, masks, numpy index)
    ([1], [3], [1], {}, np.s_[1:3]),
    ([0, 1], [0, 3], [1, -1], dict(begin_mask=1, end_mask=1), np.s_[:, 1:3:-1]),
    ([2], [0], [-1], {}, np.s_[2:0:-1]),
    ([0], [0], [-1], dict(begin_mask=1, end_mask=1), np.s_[::-1]),
    ([1, 0], [2, 0], [1, 1], dict(shrink_axis_mask=1), np.s_[1, 0:0]),
    ([-1], [0], [1], dict(shrink_axis_mask=1), np.s_[-1]),
    ([0, 1], [0, 2], [1, 1], dict(ellipsis_mask=1), np.s_[..., 1:2]),
    ([0, 0, 1], [0, 0, 2], [1, 1, 1], dict(new_axis_mask=2, begin_mask=1, end_mask=1),
     np.s_[:, None, 1:2]),
    ([0, 0, 0], [0, 0, 0], [1, 1, 1], dict(ellipsis_mask=2, new_axis_mask=4, begin_mask=1, end_mask=1),
     np.s_[:, ..., None]),
    ([0, 1], [0, 2], [1, 1], dict(ellipsis_mask=1, shrink_axis_mask=2), np.s_[..., 1]),
    ([-100], [100], [1], {}, np.s_[-100:100]),
]


@pytest.mark.parametrize("begin, end, strides, masks, index", MASK_CASES)
def test_strided_slice_spec_and_kernel_equal_numpy(begin, end, strides, masks, index):
    x = np.arange(60, dtype=np.int32).reshape(3, 4, 5)
    spec = ops.strided_slice_spec(begin, end, strides, **masks)
    np.testing.assert_array_equal(x[spec], x[index])
    node = nd("StridedSlice", T=int32, Index=int32, **masks)
    out = ev(node, x, i32(*begin), i32(*end), i32(*strides))[0]
    np.testing.assert_array_equal(out, x[index])
    shape = ops.infer_shapes(node, [(3, 4, 5)] + [(len(begin),)] * 3,
                             [None, i32(*begin), i32(*end), i32(*strides)])
    assert shape == [x[index].shape]


def test_strided_slice_spec_errors():
    with pytest.raises(GraphError, match="stride 0 is 0"):
        ops.strided_slice_spec([0], [1], [0])
    with pytest.raises(GraphError, match="one ellipsis"):
        ops.strided_slice_spec([0, 0], [1, 1], [1, 1], ellipsis_mask=3)
    with pytest.raises(GraphError, match="one length"):
        ops.strided_slice_spec([0, 0], [1], [1])
    assert ops.sliced_shape((None, 4), ops.strided_slice_spec([0, 1], [0, 3], [1, 1], begin_mask=1,
                                                             end_mask=1)) == (None, 2)
    with pytest.raises(GraphError, match="out of range"):
        ops.sliced_shape((2,), (5,))
