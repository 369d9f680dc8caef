"""SparseTensor in graphs and Sessions, and the sparse ops, against numpy references (no TensorFlow).

Where a case pins TensorFlow's exact behaviour (thresholds, empty rows, slices), the expected
values are what TensorFlow 2.21 returned for the same inputs (noted per case); the interop
twin `test_sparse_interop.py` checks the same against a live TensorFlow.
"""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest
from ortflow.api import embedding_sparse
from ortflow.errors import InvalidArgumentError

RNG = np.random.default_rng(7)


def _run(fetches, feed=None, build=None):
    g = tf.Graph()
    with g.as_default():
        out = build() if build else fetches
        with tf.Session(graph=g) as sess:
            return sess.run(out, feed or {})


def _dense(value) -> np.ndarray:
    out = np.zeros(tuple(value.dense_shape), dtype=np.asarray(value.values).dtype)
    for idx, v in zip(value.indices, value.values):
        out[tuple(idx)] += v
    return out


# --------------------------------------------------------------------------- SparseTensor


def test_sparse_tensor_holds_three_tensors_named_as_tf():
    g = tf.Graph()
    with g.as_default():
        st = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[3, 4])
        st2 = tf.SparseTensor([[0]], [1], [5])
    assert (st.indices.name, st.values.name, st.dense_shape.name) == (
        "SparseTensor/indices:0", "SparseTensor/values:0", "SparseTensor/dense_shape:0")
    assert st2.indices.name == "SparseTensor_1/indices:0"
    assert st.indices.dtype == tf.int64 and st.dense_shape.dtype == tf.int64
    assert st.dtype == tf.float32 and st2.dtype == tf.int32
    assert st.shape.as_list() == [3, 4] and st.get_shape().as_list() == [3, 4]
    assert st.graph is g


def test_sparse_tensor_rejects_mismatched_parts():
    with tf.Graph().as_default():
        with pytest.raises(ValueError):
            tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0, 3.0], dense_shape=[3, 4])
        with pytest.raises(ValueError):
            tf.SparseTensor(indices=[[0, 0]], values=[1.0], dense_shape=[3, 4, 5])


def test_session_fetches_a_sparse_tensor_as_a_value_in_any_structure():
    g = tf.Graph()
    with g.as_default():
        st = tf.SparseTensor([[0, 1], [2, 0]], [5, 6], [3, 2])
        with tf.Session() as sess:
            value = sess.run(st)
            nested = sess.run({"st": st, "both": [st, st.values]})
            evaluated = st.eval()
    assert isinstance(value, tf.SparseTensorValue)
    assert value.indices.tolist() == [[0, 1], [2, 0]] and value.values.tolist() == [5, 6]
    assert value.dense_shape.tolist() == [3, 2] and value.indices.dtype == np.int64
    assert isinstance(nested["st"], tf.SparseTensorValue)
    assert nested["both"][1].tolist() == [5, 6]
    assert evaluated.values.tolist() == [5, 6]


def test_sparse_placeholder_nodes_and_feeds():
    g = tf.Graph()
    with g.as_default():
        sp = tf.sparse_placeholder(tf.float32, name="sp")
        sp2 = tf.sparse_placeholder(tf.float32, shape=[3, None])
        d = tf.sparse.to_dense(sp)
        d2 = tf.sparse.to_dense(sp2)
        with tf.Session() as sess:
            from_value = sess.run(d, {sp: tf.SparseTensorValue([[0, 1], [1, 1]], [3.0, 4.0], [2, 2])})
            from_tuple = sess.run(d, {sp: ([[1, 0]], np.array([7.0], np.float32), [2, 3])})
            echoed = sess.run(sp, {sp: ([[0, 0]], [1.5], [1, 1])})
            with_shape = sess.run(d2, {sp2: ([[2, 1]], [9.0], [3, 2])})
    names = [(op.name, op.type) for op in g.get_operations()][:7]
    assert names == [("sp/shape", "Placeholder"), ("sp/values", "Placeholder"), ("sp/indices", "Placeholder"),
                     ("Const", "Const"), ("PlaceholderWithDefault", "PlaceholderWithDefault"),
                     ("Placeholder", "Placeholder"), ("Placeholder_1", "Placeholder")]
    assert sp.shape.rank is None and sp2.shape.as_list() == [3, None]
    np.testing.assert_array_equal(from_value, [[0, 3], [0, 4]])
    np.testing.assert_array_equal(from_tuple, [[0, 0, 0], [7, 0, 0]])
    assert isinstance(echoed, tf.SparseTensorValue) and echoed.values.tolist() == [1.5]
    np.testing.assert_array_equal(with_shape, [[0, 0], [0, 0], [0, 9]])


def test_a_pair_feed_keeps_the_default_shape_whose_unknown_size_is_refused():
    # A pair feeds indices and values only; the default dense shape [3, -1] cannot size a tensor.
    g = tf.Graph()
    with g.as_default():
        sp = tf.sparse_placeholder(tf.float32, shape=[3, None])
        d = tf.sparse.to_dense(sp)
        with tf.Session() as sess, pytest.raises(InvalidArgumentError, match="non-negative"):
            sess.run(d, {sp: ([[0, 0]], [2.0])})


def test_feeding_a_sparse_tensor_needs_a_value_or_tuple():
    g = tf.Graph()
    with g.as_default():
        sp = tf.sparse_placeholder(tf.float32)
        with tf.Session() as sess:
            with pytest.raises(TypeError, match="SparseTensorValue"):
                sess.run(sp.values, {sp: np.zeros(3, np.float32)})
            with pytest.raises(TypeError, match="SparseTensor object"):
                sess.run(sp.values, {sp: sp})


# --------------------------------------------------------------------------- ops vs numpy


def test_to_dense_and_sparse_to_dense():
    def build():
        st = tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4])
        return [tf.sparse.to_dense(st), tf.sparse_tensor_to_dense(st, default_value=-1.0),
                tf.sparse_to_dense([[0, 1], [2, 3]], [3, 4], [5.0, 6.0]),
                tf.sparse_to_dense([1, 3], [5], 7),  # 1-D indices, scalar value
                tf.sparse_to_dense(2, [4], 1.5, default_value=0.5)]
    a, b, c, d, e = _run(None, build=build)
    np.testing.assert_array_equal(a, [[1, 0, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(b, [[1, -1, -1, -1], [-1, -1, 2, -1], [-1, -1, -1, -1]])
    np.testing.assert_array_equal(c, [[0, 5, 0, 0], [0, 0, 0, 0], [0, 0, 0, 6]])
    np.testing.assert_array_equal(d, [0, 7, 0, 7, 0])
    np.testing.assert_array_equal(e, [0.5, 0.5, 1.5, 0.5])
    assert a.dtype == np.float32 and d.dtype == np.int32


@pytest.mark.parametrize("indices, message", [([[0, 0], [3, 1]], "out of bounds"),
                                              ([[1, 0], [1, 0]], "repeated"),
                                              ([[1, 0], [0, 1]], "out of order")])
def test_to_dense_validates_indices(indices, message):
    def build():
        return tf.sparse.to_dense(tf.SparseTensor(indices, [1.0, 2.0], [3, 2]))
    with pytest.raises(InvalidArgumentError, match=message):
        _run(None, build=build)


def test_to_dense_without_validation_takes_unordered_indices():
    def build():
        return tf.sparse.to_dense(tf.SparseTensor([[1, 0], [0, 1]], [1.0, 2.0], [2, 2]), validate_indices=False)
    np.testing.assert_array_equal(_run(None, build=build), [[0, 2], [1, 0]])


def test_reduce_sum_over_axes():
    idx = [[0, 1, 0], [1, 2, 1], [1, 0, 1], [3, 3, 0]]
    vals = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    dense = np.zeros((4, 4, 2), np.float32)
    for i, v in zip(idx, vals):
        dense[tuple(i)] = v

    def build():
        st = tf.SparseTensor(idx, vals, [4, 4, 2])
        return [tf.sparse.reduce_sum(st), tf.sparse.reduce_sum(st, 1), tf.sparse_reduce_sum(st, [0, 2]),
                tf.sparse.reduce_sum(st, -1, keepdims=True), tf.sparse_reduce_sum(st, axis=[1], keep_dims=True)]
    total, ax1, ax02, last, keep1 = _run(None, build=build)
    assert total == dense.sum()
    np.testing.assert_array_equal(ax1, dense.sum(1))
    np.testing.assert_array_equal(ax02, dense.sum((0, 2)))
    np.testing.assert_array_equal(last, dense.sum(-1, keepdims=True))
    np.testing.assert_array_equal(keep1, dense.sum(1, keepdims=True))


@pytest.mark.parametrize("adjoint_a", [False, True])
@pytest.mark.parametrize("adjoint_b", [False, True])
def test_sparse_dense_matmul(adjoint_a, adjoint_b):
    a = np.zeros((3, 4), np.float32)
    a[0, 1], a[2, 3], a[2, 0] = 2.0, -1.0, 0.5
    idx = np.argwhere(a)
    b = RNG.normal(size=(4, 5) if not adjoint_a else (3, 5)).astype(np.float32)
    b = b.T.copy() if adjoint_b else b

    def build():
        return tf.sparse.sparse_dense_matmul(tf.SparseTensor(idx, a[tuple(idx.T)], [3, 4]), b,
                                             adjoint_a=adjoint_a, adjoint_b=adjoint_b)
    got = _run(None, build=build)
    want = (a.T if adjoint_a else a) @ (b.T if adjoint_b else b)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_sparse_dense_matmul_with_a_sparse_right_operand():
    a = RNG.normal(size=(2, 3)).astype(np.float32)

    def build():
        st = tf.SparseTensor([[0, 1], [2, 0]], [3.0, -2.0], [3, 2])
        return tf.sparse_tensor_dense_matmul(a, st)
    np.testing.assert_allclose(_run(None, build=build), a @ np.array([[0, 3], [0, 0], [-2, 0]], np.float32),
                               rtol=1e-6)


def test_add_sparse_and_dense():
    def build():
        a = tf.SparseTensor([[0, 0], [1, 1], [2, 0]], [0.05, 1.0, -0.3], [3, 2])
        b = tf.SparseTensor([[0, 1], [1, 1], [2, 0]], [0.02, -0.95, 0.1], [3, 2])
        return [tf.sparse.add(a, b, threshold=0.1), tf.sparse_add(a, b), tf.sparse.add(a, tf.ones([3, 2])),
                tf.sparse.add(tf.ones([3, 2]), b)]
    thresholded, plain, a_dense, dense_b = _run(None, build=build)
    # TF 2.21: only sums are thresholded; 1.0 - 0.95 drops, the lone 0.05 and 0.02 stay.
    assert thresholded.indices.tolist() == [[0, 0], [0, 1], [2, 0]]
    np.testing.assert_allclose(thresholded.values, [0.05, 0.02, -0.2], rtol=1e-6)
    assert plain.indices.tolist() == [[0, 0], [0, 1], [1, 1], [2, 0]]
    np.testing.assert_allclose(plain.values, [0.05, 0.02, 0.05, -0.2], rtol=1e-5)
    np.testing.assert_allclose(a_dense, [[1.05, 1], [1, 2], [0.7, 1]], rtol=1e-6)
    np.testing.assert_allclose(dense_b, [[1, 1.02], [1, 0.05], [1.1, 1]], rtol=1e-5)


def test_add_refuses_two_dense_tensors():
    with tf.Graph().as_default(), pytest.raises(TypeError, match="tf.add"):
        tf.sparse.add(tf.ones([2]), tf.ones([2]))


def test_reshape_reorder_retain_slice_fill_empty_rows():
    def build():
        st = tf.SparseTensor([[3, 1], [0, 2], [3, 0]], [1.0, 2.0, 3.0], [5, 3])
        return [tf.sparse.reshape(st, [3, -1]), tf.sparse_reorder(st), tf.sparse.retain(st, [True, False, True]),
                tf.sparse.slice(tf.SparseTensor([[0, 1], [1, 2], [3, 3]], [1, 2, 3], [4, 4]), [1, 1], [5, 2]),
                tf.sparse.fill_empty_rows(st, -1.0)]
    reshaped, reordered, retained, sliced, (filled, empty) = _run(None, build=build)
    assert reshaped.dense_shape.tolist() == [3, 5]
    original = np.zeros((5, 3), np.float32)
    original[3, 1], original[0, 2], original[3, 0] = 1, 2, 3
    np.testing.assert_array_equal(_dense(reshaped), original.reshape(3, 5))
    assert reshaped.values.tolist() == [1, 2, 3]  # the entries keep their order
    assert reordered.indices.tolist() == [[0, 2], [3, 0], [3, 1]] and reordered.values.tolist() == [2, 3, 1]
    assert retained.indices.tolist() == [[3, 1], [3, 0]] and retained.values.tolist() == [1, 3]
    # TF 2.21's answers for the slice and the filled rows:
    assert sliced.indices.tolist() == [[0, 1]] and sliced.values.tolist() == [2]
    assert sliced.dense_shape.tolist() == [3, 2]
    assert filled.indices.tolist() == [[0, 2], [1, 0], [2, 0], [3, 1], [3, 0], [4, 0]]
    assert filled.values.tolist() == [2, -1, -1, 1, 3, -1] and filled.dense_shape.tolist() == [5, 3]
    assert empty.tolist() == [False, True, True, False, True]


def test_reshape_checks_sizes_statically_and_at_run_time():
    with tf.Graph().as_default(), pytest.raises(ValueError, match="Cannot reshape"):
        tf.sparse.reshape(tf.SparseTensor([[0, 0]], [1.0], [2, 3]), [4, 2])
    g = tf.Graph()
    with g.as_default():
        sp = tf.sparse_placeholder(tf.float32)
        r = tf.sparse.reshape(sp, [4, -1])
        with tf.Session() as sess, pytest.raises(InvalidArgumentError, match="multiple of 4"):
            sess.run(r, {sp: ([[0, 0]], [1.0], [2, 3])})


def test_sparse_segment_reductions():
    data = RNG.normal(size=(5, 3)).astype(np.float32)
    ids, seg = np.array([0, 2, 2, 4]), np.array([0, 0, 2, 2])

    def build():
        return [tf.sparse_segment_sum(data, ids, seg), tf.sparse_segment_mean(data, ids, seg),
                tf.sparse_segment_sqrt_n(data, ids, seg),
                tf.sparse.segment_sum(data, ids, seg, num_segments=4)]
    s, m, q, s4 = _run(None, build=build)
    want = np.stack([data[[0, 2]].sum(0), np.zeros(3), data[[2, 4]].sum(0)])
    np.testing.assert_allclose(s, want, rtol=1e-6)
    np.testing.assert_allclose(m, want / np.array([[2], [1], [2]]), rtol=1e-6)
    np.testing.assert_allclose(q, want / np.sqrt([[2], [1], [2]]), rtol=1e-6)
    np.testing.assert_allclose(s4, np.vstack([want, np.zeros((1, 3))]), rtol=1e-6)


def test_concat_transpose_and_dense_operators():
    def build():
        a = tf.SparseTensor([[0, 2], [1, 0], [1, 1]], [1.0, 2.0, 3.0], [2, 3])
        b = tf.SparseTensor([[0, 1], [0, 2]], [4.0, 5.0], [2, 4])
        c3 = tf.SparseTensor([[0, 1, 2], [1, 0, 1]], [1, 2], [2, 3, 4])
        i = tf.SparseTensor([[0, 1], [1, 1]], [7, 9], [2, 2])
        return [tf.sparse.concat(1, [a, b]), tf.sparse_concat(0, [a, a]), tf.sparse.transpose(a),
                tf.sparse_transpose(c3, [1, 0, 2]), a * tf.constant([10.0, 100.0, 1000.0]), a / 2.0, i / 2,
                a * [[2.0], [3.0]]]
    joined, stacked, t, t3, scaled, halved, int_halved, by_row = _run(None, build=build)
    a = np.array([[0, 0, 1], [2, 3, 0]], np.float32)
    b = np.array([[0, 4, 5, 0], [0, 0, 0, 0]], np.float32)
    np.testing.assert_array_equal(_dense(joined), np.concatenate([a, b], 1))
    assert joined.indices.tolist() == [[0, 2], [0, 4], [0, 5], [1, 0], [1, 1]]  # row-major order
    np.testing.assert_array_equal(_dense(stacked), np.concatenate([a, a], 0))
    np.testing.assert_array_equal(_dense(t), a.T)
    assert t.indices.tolist() == [[0, 1], [1, 1], [2, 0]]
    c3 = np.zeros((2, 3, 4), np.int32)
    c3[0, 1, 2], c3[1, 0, 1] = 1, 2
    np.testing.assert_array_equal(_dense(t3), c3.transpose(1, 0, 2))
    np.testing.assert_array_equal(_dense(scaled), a * [10, 100, 1000])
    np.testing.assert_array_equal(_dense(halved), a / 2)
    assert int_halved.values.tolist() == [3.5, 4.5] and int_halved.values.dtype == np.float64
    np.testing.assert_array_equal(_dense(by_row), a * [[2], [3]])


def test_concat_refuses_mismatched_shapes():
    def build():
        a = tf.sparse_placeholder(tf.float32, name="a")
        b = tf.sparse_placeholder(tf.float32, name="b")
        return tf.sparse.concat(1, [a, b]), a, b
    g = tf.Graph()
    with g.as_default():
        out, a, b = build()
        with tf.Session() as sess, pytest.raises(InvalidArgumentError, match="Input shapes must match"):
            sess.run(out, {a: ([[0, 0]], [1.0], [2, 2]), b: ([[0, 0]], [1.0], [3, 2])})


# --------------------------------------------------------------------------- embeddings

TABLE = np.arange(30, dtype=np.float32).reshape(10, 3)


def _lookup_reference(rows, weights, combiner):
    out = []
    for ids, ws in zip(rows, weights):
        if not ids:
            out.append(np.zeros(3, np.float32))
            continue
        vecs = TABLE[ids] * np.asarray(ws, np.float32)[:, None]
        total = vecs.sum(0)
        scale = {"sum": 1.0, "mean": np.sum(ws), "sqrtn": np.sqrt(np.sum(np.square(ws)))}[combiner]
        out.append(total / scale)
    return np.stack(out)


@pytest.mark.parametrize("combiner", ["sum", "mean", "sqrtn"])
def test_embedding_lookup_sparse(combiner):
    def build():
        ids = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], tf.constant([1, 3, 4], tf.int64), [3, 2])
        w = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], [2.0, 0.5, 1.0], [3, 2])
        return [embedding_sparse.embedding_lookup_sparse(TABLE, ids, None, combiner=combiner),
                embedding_sparse.embedding_lookup_sparse([TABLE], ids, w, combiner=combiner)]
    plain, weighted = _run(None, build=build)
    # Row 1 holds no ids: the segment ops give rows up to the last id's row (row 1 is zeros).
    np.testing.assert_allclose(plain, _lookup_reference([[1, 3], [], [4]], [[1, 1], [], [1]], combiner), rtol=1e-6)
    np.testing.assert_allclose(weighted, _lookup_reference([[1, 3], [], [4]], [[2, 0.5], [], [1]], combiner),
                               rtol=1e-6)


@pytest.mark.parametrize("combiner", ["sum", "mean", "sqrtn"])
def test_safe_embedding_lookup_sparse(combiner):
    def build():
        ids = tf.SparseTensor([[0, 0], [0, 1], [2, 0], [3, 0]], tf.constant([1, 3, 4, -1], tf.int64), [4, 2])
        w = tf.SparseTensor([[0, 0], [0, 1], [2, 0], [3, 0]], [2.0, -0.5, 1.0, 3.0], [4, 2])
        return [embedding_sparse.safe_embedding_lookup_sparse(TABLE, ids, None, combiner=combiner),
                embedding_sparse.safe_embedding_lookup_sparse(TABLE, ids, w, combiner=combiner),
                embedding_sparse.safe_embedding_lookup_sparse(TABLE, ids, None, combiner=combiner, default_id=2)]
    plain, weighted, with_default = _run(None, build=build)
    np.testing.assert_allclose(plain, _lookup_reference([[1, 3], [], [4], []], [[1, 1], [], [1], []], combiner),
                               rtol=1e-6)
    if combiner == "sum":  # negative weights are kept when summing
        want = _lookup_reference([[1, 3], [], [4], []], [[2, -0.5], [], [1], []], combiner)
    else:
        want = _lookup_reference([[1], [], [4], []], [[2], [], [1], []], combiner)
    np.testing.assert_allclose(weighted, want, rtol=1e-6)
    # Empty rows hold the default id (weight 1): its row, whatever the combiner.
    np.testing.assert_allclose(with_default[1], TABLE[2], rtol=1e-6)
    np.testing.assert_allclose(with_default[3], TABLE[2], rtol=1e-6)


def test_embedding_lookup_sparse_refuses_bad_arguments():
    with tf.Graph().as_default():
        ids = tf.SparseTensor([[0, 0]], tf.constant([1], tf.int64), [1, 1])
        with pytest.raises(ValueError, match="combiner"):
            embedding_sparse.embedding_lookup_sparse(TABLE, ids, None, combiner="max")
        with pytest.raises(TypeError, match="sp_ids"):
            embedding_sparse.embedding_lookup_sparse(TABLE, [1, 2], None)


# --------------------------------------------------------------------------- runtime placement


def test_sparse_ops_next_to_a_conv_net_run_split():
    # SparseToDense has no ONNX handler and Conv2D no numpy kernel: the sparse part runs in
    # numpy before onnxruntime runs the convolution.
    g = tf.Graph()
    with g.as_default():
        sp = tf.sparse_placeholder(tf.float32, name="sp")
        img = tf.reshape(tf.sparse.to_dense(sp), [1, 4, 4, 1])
        y = tf.nn.conv2d(img, tf.ones([2, 2, 1, 1]), [1, 1, 1, 1], "VALID")
        with tf.Session() as sess:
            got = sess.run(y, {sp: ([[0, 0], [1, 1], [3, 3]], [1.0, 2.0, 4.0], [4, 4])})
            backend = sess.last_run_backend
    dense = np.zeros((4, 4), np.float32)
    dense[0, 0], dense[1, 1], dense[3, 3] = 1, 2, 4
    want = np.array([[dense[i:i + 2, j:j + 2].sum() for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(got[0, :, :, 0], want)
    assert backend == "onnxruntime+numpy"


def test_a_conv_net_feeding_sparse_ops_runs_split():
    # The indices are fed, so SparseToDense must validate them at run time: numpy runs it after
    # onnxruntime ran the convolution.
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [1, 4, 4, 1], name="x")
        idx = tf.placeholder(tf.int64, [None, 2], name="idx")
        y = tf.reshape(tf.nn.conv2d(x, tf.ones([2, 2, 1, 1]), [1, 1, 1, 1], "VALID"), [-1])
        d = tf.sparse.to_dense(tf.SparseTensor(idx, y[:2], [2, 3]))
        with tf.Session() as sess:
            got = sess.run(d, {x: np.ones((1, 4, 4, 1), np.float32), idx: [[0, 0], [1, 2]]})
            backend = sess.last_run_backend
            with pytest.raises(InvalidArgumentError, match="out of order"):
                sess.run(d, {x: np.ones((1, 4, 4, 1), np.float32), idx: [[1, 2], [0, 0]]})
    np.testing.assert_array_equal(got, [[4, 0, 0], [0, 0, 4]])
    assert backend == "onnxruntime+numpy"


def test_embedding_lookups_and_checked_constant_indices_run_on_onnxruntime():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [1, 4, 4, 1], name="x")
        y = tf.reshape(tf.nn.conv2d(x, tf.ones([2, 2, 1, 1]), [1, 1, 1, 1], "VALID"), [-1])
        d = tf.sparse.to_dense(tf.SparseTensor([[0, 0], [1, 2]], y[:2], [2, 3]))
        ids = tf.sparse_placeholder(tf.int64, name="ids")
        e = embedding_sparse.embedding_lookup_sparse(TABLE, ids, None, combiner="sqrtn")
        with tf.Session() as sess:
            got = sess.run(d, {x: np.ones((1, 4, 4, 1), np.float32)})
            dense_backend = sess.last_run_backend
            looked_up = sess.run(e, {ids: ([[0, 0], [0, 1], [1, 0]], [2, 5, 9], [2, 2])})
            lookup_backend = sess.last_run_backend
    np.testing.assert_array_equal(got, [[4, 0, 0], [0, 0, 4]])
    np.testing.assert_allclose(looked_up, [(TABLE[2] + TABLE[5]) / np.sqrt(2), TABLE[9]], rtol=1e-6)
    assert dense_backend == lookup_backend == "onnxruntime"


def test_signature_tensor_info_of_a_sparse_tensor_round_trips():
    from ortflow.graph.sparse_tensor import sparse_from_tensor_info, sparse_tensor_info

    g = tf.Graph()
    with g.as_default():
        sp = tf.sparse_placeholder(tf.float32, shape=[None, 5], name="sp")
        info = sparse_tensor_info(sp)
        back = sparse_from_tensor_info(info, g)
        with pytest.raises(ValueError, match="coo_sparse"):
            sparse_from_tensor_info(tf.saved_model.build_tensor_info(sp.values), g)
    # What tf.saved_model.build_tensor_info writes for it (TensorFlow 2.21):
    assert info.coo_sparse.values_tensor_name == "sp/values:0"
    assert info.coo_sparse.indices_tensor_name == "sp/indices:0"
    assert info.coo_sparse.dense_shape_tensor_name == "sp/shape:0"
    assert info.dtype == tf.float32.as_datatype_enum
    assert [d.size for d in info.tensor_shape.dim] == [-1, 5]
    assert (back.indices, back.values, back.dense_shape) == (sp.indices, sp.values, sp.dense_shape)
