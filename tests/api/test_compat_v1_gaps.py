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
    with pytest.raises(ValueError, match="axis is required"):  # as TF 2.21, split_dim alone is refused
        tf.sparse.split(sp_input=_sp_a(), num_split=2, split_dim=1)


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


# --------------------------------------------------------------------------- stateless random
# Values are not TF's (ortflow draws from numpy's Philox, see kernels_stateless); the contract
# tested is TF's: the graph TF builds, the same seed the same values, another seed other values.

_STATELESS = [
    (lambda seed: tf.random.stateless_uniform([2, 3], seed=seed), "StatelessRandomUniformV2", np.float32),
    (lambda seed: tf.random.stateless_uniform([2, 3], seed=seed, minval=2, maxval=9, dtype=tf.int32),
     "StatelessRandomUniformIntV2", np.int32),
    (lambda seed: tf.random.stateless_uniform([2, 3], seed=seed, minval=None, dtype=tf.uint64),
     "StatelessRandomUniformFullIntV2", np.uint64),
    (lambda seed: tf.random.stateless_uniform([2, 3], seed=seed, minval=None, dtype=tf.int32),
     "StatelessRandomUniformFullIntV2", np.int32),
    (lambda seed: tf.random.stateless_normal([2, 3], seed=seed, mean=1.0, stddev=2.0, dtype=tf.float64),
     "StatelessRandomNormalV2", np.float64),
    (lambda seed: tf.random.stateless_truncated_normal([2, 3], seed=seed), "StatelessTruncatedNormalV2",
     np.float32),
    (lambda seed: tf.random.stateless_poisson([2, 3], seed=seed, lam=[1.0, 5.0, 9.0]), "StatelessRandomPoisson",
     np.int32),
    (lambda seed: tf.random.stateless_gamma([2, 3], seed=seed, alpha=[1.0, 5.0, 9.0], beta=2.0),
     "StatelessRandomGammaV3", np.float32),
    (lambda seed: tf.random.stateless_binomial([2, 3], seed=seed, counts=50.0, probs=[0.1, 0.5, 0.9],
                                              output_dtype=tf.int64), "StatelessRandomBinomial", np.int64),
    (lambda seed: tf.random.stateless_parameterized_truncated_normal([2, 3], seed=seed, means=1.0, minvals=0.5),
     "StatelessParameterizedTruncatedNormal", np.float32),
    (lambda seed: tf.random.stateless_categorical([[1.0, 2.0, 3.0], [0.0, 0.0, 9.0]], 3, seed=seed),
     "StatelessMultinomial", np.int64),
]


@pytest.mark.parametrize("build, op_type, dtype", _STATELESS)
def test_stateless_random_deterministic_per_seed(build, op_type, dtype):
    seed = tf.placeholder(tf.int32, [2])
    out = build(seed)
    assert op_type in _op_types()
    assert out.dtype.as_numpy_dtype == dtype and out.shape.as_list() == [2, 3]
    with tf.Session() as sess:
        first = sess.run(out, {seed: [1, 2]})
        again = sess.run(out, {seed: [1, 2]})
        others = [sess.run(out, {seed: s}) for s in ([2, 1], [1, 3], [-5, 7])]
    with tf.Session() as sess:
        new_session = sess.run(out, {seed: [1, 2]})
    assert first.dtype == dtype and first.shape == (2, 3)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first, new_session)
    assert all(not np.array_equal(first, other) for other in others)


def test_stateless_uniform_graph_as_tf():
    out = tf.random.stateless_uniform([2, 3], seed=[1, 2], minval=2.0, maxval=5.0)
    assert out.op.name == "stateless_random_uniform"
    nodes = {n.name: n.op for n in tf.get_default_graph().as_graph_def().node}
    assert nodes == {
        "stateless_random_uniform/shape": "Const", "stateless_random_uniform/min": "Const",
        "stateless_random_uniform/max": "Const",
        "stateless_random_uniform/StatelessRandomGetKeyCounter/seed": "Const",
        "stateless_random_uniform/StatelessRandomGetKeyCounter": "StatelessRandomGetKeyCounter",
        "stateless_random_uniform/StatelessRandomUniformV2/alg": "Const",
        "stateless_random_uniform/StatelessRandomUniformV2": "StatelessRandomUniformV2",
        "stateless_random_uniform/sub": "Sub", "stateless_random_uniform/mul": "Mul",
        "stateless_random_uniform": "AddV2"}
    got = _run(out)
    assert ((got >= 2.0) & (got < 5.0)).all()


def test_stateless_truncated_normal_and_categorical_ranges():
    trunc = tf.random.stateless_truncated_normal([4000], seed=[3, 4])
    cat = tf.random.stateless_multinomial([[0.0, -np.inf, 0.0]], 200, seed=[3, 4])
    assert cat.op.name == "stateless_multinomial/StatelessMultinomial"
    t, c = _run([trunc, cat])
    assert np.abs(t).max() <= 2.0 and 0.7 < t.std() < 1.0
    assert set(np.unique(c)) == {0, 2}


# --------------------------------------------------------------------------- linalg, nextafter, manip

_M = np.array([[4.0, 1.0], [0.5, 3.0]], np.float32)
_A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]], np.float32)


def test_sqrtm_matches_tf():
    x = tf.placeholder(tf.float32, [None, 2, 2])
    out = tf.linalg.sqrtm(x)
    assert out.op.type == "MatrixSquareRoot" and out.shape.as_list() == [None, 2, 2]
    got = _run(out, {x: np.stack([_M, np.eye(2, dtype=np.float32) * 9])})
    np.testing.assert_allclose(got[0], [[1.9909097, 0.2693635], [0.13468164, 1.7215464]], rtol=1e-5)
    np.testing.assert_allclose(got[1], np.eye(2) * 3, rtol=1e-6)


def test_logm_matches_tf():
    x = tf.placeholder(tf.complex64, [2, 2])
    out = tf.linalg.logm(x)
    assert out.op.type == "MatrixLogarithm"
    got = _run(out, {x: _M.astype(np.complex64)})
    np.testing.assert_allclose(got, np.array([[1.3670582, 0.29176927], [0.14588454, 1.075289]], np.complex64),
                               rtol=1e-5, atol=1e-6)


def test_lu_and_lu_reconstruct_match_tf():
    x = tf.placeholder(tf.float32, [3, 3])
    lu, p = tf.linalg.lu(x)
    assert lu.op.type == "Lu" and p.dtype == tf.int32 and p.shape.as_list() == [3]
    back = tf.linalg.lu_reconstruct(lu, p)
    ops = _op_types()
    assert ops[ops.index("Lu") + 1:] == ["Const", "Const", "Const", "MatrixBandPart",
                                         "Const", "Const", "Const", "StridedSlice", "Const", "Fill", "Const",
                                         "MatrixSetDiagV3", "Const", "Const", "MatrixBandPart", "MatMul",
                                         "InvertPermutation", "Const", "GatherV2"]
    got_lu, got_p, got_back = _run([lu, p, back], {x: _A})
    np.testing.assert_allclose(got_lu, [[7.0, 8.0, 10.0], [0.14285715, 0.8571428, 1.5714285],
                                        [0.5714286, 0.4999998, -0.49999982]], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(got_p, [2, 0, 1])
    np.testing.assert_allclose(got_back, _A, rtol=1e-5)
    with pytest.raises(NotImplementedError, match="batch"):
        tf.linalg.lu_reconstruct(tf.placeholder(tf.float32, [2, 3, 3]), tf.placeholder(tf.int32, [2, 3]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nextafter_matches_tf(dtype):
    x1, x2 = tf.placeholder(dtype, [3]), tf.placeholder(dtype, [])
    out = tf.math.nextafter(x1, x2)
    assert out.op.type == "NextAfter" and out.shape.as_list() == [3]
    got = _run(out, {x1: np.array([1.0, 0.0, -1.0], dtype), x2: dtype(-1.0)})
    assert got.dtype == dtype
    tiny = 1.4012985e-45 if dtype == np.float32 else 5e-324
    np.testing.assert_array_equal(got, np.array([1.0 - np.finfo(dtype).epsneg, -tiny, -1.0], dtype))


def test_manip_roll_matches_tf():
    out = tf.manip.roll(np.arange(6).reshape(2, 3), 1, 1)
    assert out.op.type == "Roll" and out.op.name == "Roll"
    np.testing.assert_array_equal(_run(out), [[2, 0, 1], [5, 3, 4]])
    # Roll has an ONNX converter (converters/array_extra.py); with a fed input the Session runs it.
    x = tf.placeholder(tf.float32, [None, 3])
    rolled = tf.manip.roll(x, [1, -1], [0, 1])
    got = _run(rolled, {x: np.arange(6, dtype=np.float32).reshape(2, 3)})
    np.testing.assert_array_equal(got, [[4.0, 5.0, 3.0], [1.0, 2.0, 0.0]])
    assert tf.manip.reverse is tf.reverse_v2 and tf.manip.tile is tf.tile


# TF 2.21's tf.linalg.expm of a [1, 2, 2] float32 constant builds 213 nodes of these types.
_EXPM_OPS_F32 = {"Const": 87, "Mul": 15, "AddV2": 15, "BatchMatMulV2": 10, "Switch": 9, "StridedSlice": 8,
                 "Identity": 8, "Less": 6, "SelectV2": 5, "Enter": 5, "ConcatV2": 4, "Fill": 4, "Merge": 4,
                 "Max": 3, "RealDiv": 3, "Minimum": 3, "Pack": 3, "MatrixDiagV3": 3, "Reshape": 2, "Log": 2,
                 "NextIteration": 2, "Exit": 2, "Abs": 1, "Sub": 1, "Sum": 1, "Floor": 1, "Maximum": 1, "Pow": 1,
                 "IsFinite": 1, "Neg": 1, "MatrixSolve": 1, "LoopCond": 1}

_EXPM_CASES = [
    (np.array([[0.5, 0.2], [0.1, 0.3]]),
     {np.float32: [[1.6641876697540283, 0.29985901713371277], [0.1499294936656952, 1.3643286228179932]],
      np.float64: [[1.6641875692864527, 0.2998590035619916], [0.1499295017809958, 1.364328565724461]]}),
    (np.array([[1.0, 2.0, 0.0], [-1.0, 3.0, 0.5], [0.0, 1.0, -2.0]]),  # 1-norm 6: squarings
     {np.float32: [[-2.379140853881836, 13.106433868408203, 1.2840477228164673],
                   [-6.553215026855469, 11.369312286376953, 1.3505356311798096],
                   [-1.2840477228164673, 2.7010717391967773, 0.43204939365386963]],
      np.float64: [[-2.3791430972482015, 13.106436294123913, 1.2840484071472826],
                   [-6.553218147061955, 11.369317400449342, 1.3505364628100527],
                   [-1.2840484071472826, 2.7010729256201063, 0.4320495866433796]]}),
    (np.array([[0.01, 0.002], [0.0, 0.005]]),  # below the smallest Pade limit
     {np.float32: [[1.0100500583648682, 0.0020150586497038603], [0.0, 1.0050125122070312]],
      np.float64: [[1.0100501670841682, 0.002015058489906798], [0.0, 1.005012520859401]]}),
]


def test_expm_graph_as_tf():
    out = tf.linalg.expm(np.array([[[0.5, 0.2], [0.1, 0.3]]], np.float32))
    assert out.op.name == "matrix_exponential/Reshape_1" and out.shape.as_list() == [1, 2, 2]
    from collections import Counter

    assert Counter(_op_types()) == Counter(_EXPM_OPS_F32)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_expm_matches_tf(dtype):
    x = tf.placeholder(dtype, [None, None, None])
    out = tf.linalg.expm(x)
    with tf.Session() as sess:
        for matrix, expected in _EXPM_CASES:
            got = sess.run(out, {x: matrix[None].astype(dtype)})[0]
            assert got.dtype == dtype
            np.testing.assert_allclose(got, expected[dtype], rtol=2e-6 if dtype == np.float32 else 1e-12)


def test_sparse_eye_and_expand_dims_static_shapes_as_tf():
    # Static shapes TF 2.21 reports (graph mode).
    e = tf.sparse.eye(3, 4)
    assert (e.indices.shape.as_list(), e.values.shape.as_list(), e.shape.as_list()) == ([3, 2], [3], [3, 4])
    e = tf.sparse.eye(tf.placeholder(tf.int64, []))
    assert (e.indices.shape.as_list(), e.values.shape.as_list(), e.shape.as_list()) == ([None, 2], [None],
                                                                                       [None, None])
    sp = tf.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0], [2, 3])
    for axis, shape in ((0, [1, None, None]), (None, [None, None, 1]), (-2, [None, 1, None])):
        x = tf.sparse.expand_dims(sp, axis)
        assert x.indices.shape.as_list() == [2, 3] and x.dense_shape.shape.as_list() == [3]
        assert x.shape.as_list() == shape


def test_stateless_uniform_integers_need_both_bounds_or_neither():
    with pytest.raises(ValueError, match="must be both None or not None"):
        tf.random.stateless_uniform([2], seed=[1, 2], dtype=tf.int32)
    with pytest.raises(ValueError, match="must be both None or not None"):
        tf.random.stateless_uniform([2], seed=[1, 2], minval=None, maxval=5, dtype=tf.int64)


def test_stateless_poisson_gamma_binomial_ranges():
    lam = tf.random.stateless_poisson([2000, 2], seed=[1, 2], lam=[0.5, 20.0])
    gamma = tf.random.stateless_gamma([2000], seed=[1, 2], alpha=4.0, beta=2.0)
    binom = tf.random.stateless_binomial([2000], seed=[1, 2], counts=10.0, probs=0.3)
    ptn = tf.random.stateless_parameterized_truncated_normal([2000], seed=[1, 2], means=0.0, minvals=1.0,
                                                             maxvals=1.5)
    p, g, b, t = _run([lam, gamma, binom, ptn])
    assert p.min() >= 0 and abs(p[:, 0].mean() - 0.5) < 0.1 and abs(p[:, 1].mean() - 20.0) < 1.0
    assert g.min() > 0 and abs(g.mean() - 2.0) < 0.15  # mean alpha / beta
    assert 0 <= b.min() and b.max() <= 10 and abs(b.mean() - 3.0) < 0.2
    assert t.min() >= 1.0 and t.max() <= 1.5


def test_stateless_gamma_refuses_a_shape_not_ending_with_alpha():
    out = tf.random.stateless_gamma([4], seed=[1, 2], alpha=[1.0, 2.0])
    with pytest.raises(Exception, match="must end with broadcasted shape"):
        _run(out)


@pytest.mark.parametrize("dtype, expected", [
    (np.float32, [1.1630871, -0.0, -0.4769363, 8.148616]),
    (np.float64, [1.1630871536766743, -0.0, -0.4769362762044699, 8.148616223169864]),
])
def test_erfcinv_matches_tf(dtype, expected):
    x = tf.placeholder(dtype, [4])
    out = tf.math.erfcinv(x)
    assert _op_types() == ["Placeholder", "Const", "Mul", "Ndtri", "Neg", "Const", "Mul"]
    assert out.op.name == "erfcinv/mul_1"
    got = _run(out, {x: np.array([0.1, 1.0, 1.5, 1e-30], dtype)})
    assert got.dtype == dtype
    np.testing.assert_allclose(got, expected, rtol=2e-6 if dtype == np.float32 else 1e-12)


def test_top_level_matrix_square_root_and_math_zero_fraction():
    assert tf.matrix_square_root is tf.linalg.sqrtm
    assert _run(tf.math.zero_fraction([0.0, 1.0, 0.0, 2.0])) == 0.5


def _sp3():
    return tf.SparseTensor([[0, 0, 1], [0, 2, 0], [1, 1, 1], [2, 0, 0], [2, 0, 1]],
                           np.array([1.0, -1.0, 3.0, 0.5, -2.0], np.float32), [3, 3, 2])


def test_sparse_reduce_sum_and_max_sparse_match_tf():
    total = tf.sparse.reduce_sum_sparse(_sp3(), 1)
    top = tf.sparse_reduce_max_sparse(_sp3(), [0, 2], keepdims=True)
    everything = tf.sparse.reduce_sum_sparse(_sp3())
    assert total.indices.op.name == "SparseReduceSumSparse" and top.values.op.type == "SparseReduceMaxSparse"
    got_total, got_top, got_all = _run([total, top, everything])
    np.testing.assert_array_equal(got_total.indices, [[0, 0], [0, 1], [1, 1], [2, 0], [2, 1]])
    np.testing.assert_array_equal(got_total.values, np.array([-1.0, 1.0, 3.0, 0.5, -2.0], np.float32))
    np.testing.assert_array_equal(got_total.dense_shape, [3, 2])
    np.testing.assert_array_equal(got_top.indices, [[0, 0, 0], [0, 1, 0], [0, 2, 0]])
    np.testing.assert_array_equal(got_top.values, np.array([1.0, 3.0, -1.0], np.float32))
    np.testing.assert_array_equal(got_top.dense_shape, [1, 3, 1])
    assert got_all.indices.shape == (1, 0) and got_all.values.tolist() == [1.5] and got_all.dense_shape.size == 0


def test_sparse_reset_shape_matches_tf():
    sp = tf.SparseTensor([[0, 0], [0, 2], [1, 1]], np.array([3, 1, 2], np.int64), [2, 4])
    tight = tf.sparse.reset_shape(sp)
    assert _op_types()[3:] == ["Identity", "Identity", "Identity", "Const", "Max", "Const", "Const", "Const",
                               "Fill", "AddV2", "Maximum"]
    wider = tf.sparse_reset_shape(sp, [3, 5])
    assert wider.shape.as_list() == [3, 5]
    got_tight, got_wider = _run([tight, wider])
    np.testing.assert_array_equal(got_tight.dense_shape, [2, 3])
    np.testing.assert_array_equal(got_wider.dense_shape, [3, 5])
    np.testing.assert_array_equal(got_wider.indices, [[0, 0], [0, 2], [1, 1]])
    with pytest.raises(ValueError, match="dimension sizes >= sp_input.shape"):
        tf.sparse.reset_shape(sp, [1, 5])
    with pytest.raises(NotImplementedError, match="run time"):
        tf.sparse.reset_shape(sp, tf.placeholder(tf.int64, [2]))


def test_sparse_mask_matches_tf():
    slices = tf.IndexedSlices(tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), tf.constant([0, 3, 4]),
                              tf.constant([5, 2]))
    kept = tf.sparse.mask(slices, [3])
    assert kept.values.op.name == "sparse_mask" and kept.indices.op.type == "ListDiff"
    assert tf.sparse_mask is tf.sparse.mask
    got = _run(kept)
    np.testing.assert_array_equal(got.values, [[1.0, 2.0], [5.0, 6.0]])
    np.testing.assert_array_equal(got.indices, [0, 4])
    np.testing.assert_array_equal(got.dense_shape, [5, 2])


def test_approx_max_k_and_min_k():
    x = tf.placeholder(tf.float32, [2, 5])
    top = tf.math.approx_max_k(x, 2)
    low = tf.math.approx_min_k(x, 3, name="mn")
    first_rows = tf.math.approx_max_k(x, 1, reduction_dimension=0, recall_target=0.9)
    assert top.values.op.type == "ApproxTopK" and top.values.shape.as_list() == [2, 2]
    assert low.indices.dtype == tf.int32 and first_rows.values.shape.as_list() == [1, 5]
    got_top, got_low, got_first = _run([top, low, first_rows], {x: [[1, 5, 3, 5, 4], [9, 8, 7, 6, 5]]})
    # Recorded from TF 2.21 (its CPU runtime runs only the largest-k-on-the-last-axis form).
    np.testing.assert_array_equal(got_top.values, [[5.0, 5.0], [9.0, 8.0]])
    np.testing.assert_array_equal(got_top.indices, [[1, 3], [0, 1]])
    # Exact top k for the forms TF's CPU runtime does not run.
    np.testing.assert_array_equal(got_low.values, [[1.0, 3.0, 4.0], [5.0, 6.0, 7.0]])
    np.testing.assert_array_equal(got_low.indices, [[0, 2, 4], [4, 3, 2]])
    np.testing.assert_array_equal(got_first.indices, [[1, 1, 1, 1, 1]])
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.math.approx_max_k(tf.constant([1, 2]), 1)


def test_sparse_to_indicator_and_merge_match_tf():
    sp = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], np.array([3, 1, 4], np.int64), [2, 2])
    ids = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], np.array([4, 0, 2], np.int32), [2, 3])
    vals = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], np.array([0.5, 1.5, 2.5], np.float32), [2, 3])
    indicator = tf.sparse.to_indicator(sp, 5)
    merged = tf.sparse_merge(ids, vals, 6)
    assert indicator.op.type == "SparseToDense" and indicator.op.name == "SparseToIndicator"
    assert merged.shape.as_list() == [2, 6] and merged.indices.op.type == "SparseReorder"
    got_indicator, got_merged = _run([indicator, merged])
    np.testing.assert_array_equal(got_indicator, [[False, True, False, True, False],
                                                  [False, False, False, False, True]])
    np.testing.assert_array_equal(got_merged.indices, [[0, 0], [0, 4], [1, 2]])
    np.testing.assert_array_equal(got_merged.values, np.array([1.5, 0.5, 2.5], np.float32))
    np.testing.assert_array_equal(got_merged.dense_shape, [2, 6])
    with pytest.raises(ValueError, match="equal lengths"):
        tf.sparse.merge([ids, ids], vals, [6])
