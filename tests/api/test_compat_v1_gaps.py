"""compat.v1 names ortflow lacked: sparse softmax/max/min/split/expand_dims/eye, stateless random,
linalg matrix functions, nextafter, manip.roll. Expected values were recorded from TF 2.21 (graph
mode, `tf.compat.v1.disable_v2_behavior()`)."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest


@pytest.fixture(autouse=True)
def _fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict=feed)


def _op_types() -> list[str]:
    return [n.op for n in tf.get_default_graph().as_graph_def().node]


def _sp_a():
    return tf.SparseTensor([[0, 0], [0, 2], [1, 1], [2, 0], [2, 1]],
                           np.array([1.0, 2.0, 3.0, 0.5, -1.0], np.float32), [3, 3])


def _sp_b():
    return tf.SparseTensor([[0, 1], [1, 1], [2, 2]], np.array([5.0, -3.0, 4.0], np.float32), [3, 3])


# --------------------------------------------------------------------------- sparse


def test_sparse_softmax_matches_tf():
    out = tf.sparse_softmax(_sp_a())
    assert out.values.op.name == "SparseSoftmax/SparseSoftmax"
    got = _run(out)
    np.testing.assert_allclose(got.values, [0.26894143, 0.7310586, 1.0, 0.81757444, 0.18242551], rtol=1e-6)
    np.testing.assert_array_equal(got.indices, [[0, 0], [0, 2], [1, 1], [2, 0], [2, 1]])
    assert tf.sparse.softmax is tf.sparse_softmax


@pytest.mark.parametrize("fn, op_type, values", [
    (lambda a, b: tf.sparse_maximum(a, b), "SparseSparseMaximum", [1.0, 5.0, 2.0, 3.0, 0.5, 0.0, 4.0]),
    (lambda a, b: tf.sparse.minimum(a, b), "SparseSparseMinimum", [0.0, 0.0, 0.0, -3.0, 0.0, -1.0, 0.0]),
])
def test_sparse_maximum_minimum_match_tf(fn, op_type, values):
    out = fn(_sp_a(), _sp_b())
    assert out.indices.op.type == op_type and out.indices.op.name == op_type
    got = _run(out)
    np.testing.assert_array_equal(got.indices, [[0, 0], [0, 1], [0, 2], [1, 1], [2, 0], [2, 1], [2, 2]])
    np.testing.assert_array_equal(got.values, np.array(values, np.float32))
    np.testing.assert_array_equal(got.dense_shape, [3, 3])


def test_sparse_split_matches_tf():
    parts = tf.sparse_split(sp_input=_sp_a(), num_split=2, axis=1)
    assert _op_types()[-2:] == ["Const", "SparseSplit"]
    assert parts[0].indices.op.name == "SparseSplit"
    got = _run(parts)
    np.testing.assert_array_equal(got[0].indices, [[0, 0], [1, 1], [2, 0], [2, 1]])
    np.testing.assert_array_equal(got[0].values, np.array([1.0, 3.0, 0.5, -1.0], np.float32))
    np.testing.assert_array_equal(got[0].dense_shape, [3, 2])
    np.testing.assert_array_equal(got[1].indices, [[0, 0]])
    np.testing.assert_array_equal(got[1].values, [2.0])
    np.testing.assert_array_equal(got[1].dense_shape, [3, 1])


def test_sparse_split_by_rows_and_keywords_only():
    parts = tf.sparse.split(sp_input=_sp_a(), num_split=3, axis=0, name="sp")
    assert tf.get_default_graph().get_operation_by_name("sp/split_dim").type == "Const"
    got = _run(parts)
    np.testing.assert_array_equal(got[1].indices, [[0, 1]])
    np.testing.assert_array_equal(got[2].values, np.array([0.5, -1.0], np.float32))
    assert [list(p.dense_shape) for p in got] == [[1, 3]] * 3
    with pytest.raises(ValueError, match="Keyword arguments"):
        tf.sparse.split(_sp_a(), 2, 1)


@pytest.mark.parametrize("axis, indices, shape", [
    (1, [[0, 0, 0], [0, 0, 2], [1, 0, 1], [2, 0, 0], [2, 0, 1]], [3, 1, 3]),
    (None, [[0, 0, 0], [0, 2, 0], [1, 1, 0], [2, 0, 0], [2, 1, 0]], [3, 3, 1]),
])
def test_sparse_expand_dims_matches_tf(axis, indices, shape):
    out = tf.sparse.expand_dims(_sp_a(), axis)
    assert _op_types()[-3:] == ["Const", "Const", "ConcatV2"]
    assert "SelectV2" in _op_types() and "Fill" in _op_types()
    got = _run(out)
    np.testing.assert_array_equal(got.indices, indices)
    np.testing.assert_array_equal(got.dense_shape, shape)


def test_sparse_eye_matches_tf():
    out = tf.sparse.eye(3, 4)
    assert _op_types() == ["Const", "Const", "Minimum", "Const", "Const", "Range", "Pack", "Const", "Reshape",
                           "Const", "Fill", "Pack"]
    got = _run(out)
    np.testing.assert_array_equal(got.indices, [[0, 0], [1, 1], [2, 2]])
    np.testing.assert_array_equal(got.values, np.ones(3, np.float32))
    np.testing.assert_array_equal(got.dense_shape, [3, 4])
