"""Sparse tensors and ops against TensorFlow 2.21 (`disable_v2_behavior`): same nodes, same values.

Each case is a snippet run twice, with `tf = tensorflow.compat.v1` and with `import ortflow as
tf`. It defines `fetches` (SparseTensors come back as SparseTensorValues) and `feed`. `emb`
stands for `tf.nn` (ortflow's embedding_lookup_sparse lives in `ortflow.api.embedding_sparse`
until the lead exports it in `tf.nn`).
"""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.interop

TABLE = np.arange(30, dtype=np.float32).reshape(10, 3)

CASES = {
    "construct_fetch_feed": """
st = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[3, 4])
sp = tf.sparse_placeholder(tf.float32, name="sp")
sp2 = tf.sparse_placeholder(tf.int64, shape=[3, None])
fetches = [st, sp, tf.sparse.to_dense(sp), tf.sparse_tensor_to_dense(st, default_value=-1.0), sp2.dense_shape,
           tf.sparse_to_dense([[0, 1], [2, 3]], [3, 4], [5.0, 6.0]), tf.sparse_to_dense([1, 3], [5], 7)]
feed = {sp: tf.SparseTensorValue([[0, 1], [1, 1]], np.array([3.0, 4.0], np.float32), [2, 2]),
        sp2: ([[2, 1]], np.array([9], np.int64), [3, 2])}
""",
    "reductions_matmul_add": """
st = tf.SparseTensor([[0, 1, 0], [1, 2, 1], [1, 0, 1], [3, 3, 0]], [1.0, 2.0, 3.0, 4.0], [4, 4, 2])
a = tf.SparseTensor([[0, 0], [1, 1], [2, 0]], [0.05, 1.0, -0.3], [3, 2])
b = tf.SparseTensor([[0, 1], [1, 1], [2, 0]], [0.02, -0.95, 0.1], [3, 2])
m = tf.SparseTensor([[0, 1], [2, 0], [2, 3]], [2.0, 0.5, -1.0], [3, 4])
w = tf.constant(np.arange(8, dtype=np.float32).reshape(4, 2))
fetches = [tf.sparse.reduce_sum(st), tf.sparse.reduce_sum(st, 1), tf.sparse_reduce_sum(st, [0, 2]),
           tf.sparse.reduce_sum(st, -1, keepdims=True), tf.sparse.add(a, b, threshold=0.1), tf.sparse_add(a, b),
           tf.sparse.add(a, tf.ones([3, 2])), tf.sparse_tensor_dense_matmul(m, w),
           tf.sparse.sparse_dense_matmul(m, tf.transpose(w), adjoint_b=True),
           tf.sparse.sparse_dense_matmul(m, tf.ones([3, 2]), adjoint_a=True)]
feed = {}
""",
    "reshape_reorder_retain_slice_fill": """
st = tf.SparseTensor([[3, 1], [0, 2], [3, 0]], [1.0, 2.0, 3.0], [5, 3])
sp = tf.sparse_placeholder(tf.float32, name="sp")
fetches = [tf.sparse.reshape(st, [3, -1]), tf.sparse_reshape(sp, [-1, 2]), tf.sparse.reorder(st),
           tf.sparse_reorder(sp), tf.sparse.retain(st, [True, False, True]),
           tf.sparse.slice(tf.SparseTensor([[0, 1], [1, 2], [3, 3]], [1, 2, 3], [4, 4]), [1, 1], [5, 2]),
           *tf.sparse.fill_empty_rows(st, -1.0), *tf.sparse_fill_empty_rows(sp, 0.0)]
feed = {sp: ([[2, 1], [0, 0]], np.array([5.0, 6.0], np.float32), [4, 2])}
""",
    "concat_transpose_operators": """
a = tf.SparseTensor([[0, 2], [1, 0], [1, 1]], [1.0, 2.0, 3.0], [2, 3])
b = tf.SparseTensor([[0, 1], [0, 2]], [4.0, 5.0], [2, 4])
p = tf.sparse_placeholder(tf.float32, name="p")
c3 = tf.SparseTensor([[0, 1, 2], [1, 0, 1]], [1, 2], [2, 3, 4])
i = tf.SparseTensor([[0, 1], [1, 1]], [7, 9], [2, 2])
fetches = [tf.sparse.concat(1, [a, b]), tf.sparse_concat(0, [a, a, a]), tf.sparse.concat(1, [a, p]),
           tf.sparse.transpose(a), tf.sparse_transpose(c3, [1, 0, 2]), tf.sparse.transpose(p),
           a * tf.constant([10.0, 100.0, 1000.0]), a / 2.0, i / 2, a * [[2.0], [3.0]], i * 3]
feed = {p: ([[0, 0], [1, 3]], np.array([8.0, 9.0], np.float32), [2, 4])}
""",
    "segments_and_embeddings": """
params = tf.constant(TABLE)
ids = tf.SparseTensor([[0, 0], [0, 1], [2, 0], [3, 0]], tf.constant([1, 3, 4, -1], tf.int64), [4, 2])
good = tf.sparse.retain(ids, [True, True, True, False])
wt = tf.SparseTensor([[0, 0], [0, 1], [2, 0], [3, 0]], [2.0, -0.5, 1.0, 3.0], [4, 2])
good_wt = tf.sparse.retain(wt, [True, True, True, False])
fetches = [tf.sparse_segment_sum(params, [0, 2, 2, 4], [0, 0, 2, 2]),
           tf.sparse_segment_mean(params, [0, 2, 2, 4], [0, 0, 2, 2]),
           tf.sparse_segment_sqrt_n(params, [0, 2, 2, 4], [0, 0, 2, 2])]
for c in ("sum", "mean", "sqrtn"):
    fetches += [emb.embedding_lookup_sparse(params, good, None, combiner=c),
                emb.embedding_lookup_sparse(params, good, good_wt, combiner=c),
                emb.safe_embedding_lookup_sparse(params, ids, None, combiner=c),
                emb.safe_embedding_lookup_sparse(params, ids, wt, combiner=c)]
fetches.append(emb.safe_embedding_lookup_sparse(params, ids, None, default_id=2))
feed = {}
""",
}

#: Where ortflow's graph still differs from TensorFlow's, and why. safe_embedding_lookup_sparse
#: reshapes its result with `shape(result)`: TensorFlow's shape inference evaluates the partial
#: constant Pack(1, StridedSlice(Shape)) tiling the empty-row mask and knows the result is
#: [4, 3], so it writes a Const; ortflow's inference leaves the Tile's shape unknown and writes a
#: Shape op. The values are the same.
KNOWN_NODE_GAPS = {"segments_and_embeddings": {("Shape", "Const")}}


def _nodes(g):
    return [(n.name, n.op, tuple(n.input)) for n in g.as_graph_def().node]


def _run(tf_module, code, emb):
    g = tf_module.Graph()
    env = {"tf": tf_module, "np": np, "emb": emb, "TABLE": TABLE}
    with g.as_default():
        exec(code, env)
        with tf_module.Session(graph=g) as sess:
            return sess.run(env["fetches"], env["feed"]), _nodes(g)


def _same(a, b, where):
    if isinstance(b, tuple) and hasattr(b, "indices"):  # SparseTensorValue
        assert type(a).__name__ == "SparseTensorValue", where
        for part in ("indices", "values", "dense_shape"):
            _same(getattr(a, part), getattr(b, part), f"{where}.{part}")
        return
    if isinstance(b, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
        return
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, f"{where}: shape {a.shape} != {b.shape}"
    assert a.dtype == b.dtype or b.dtype.kind == "O", f"{where}: {a.dtype} != {b.dtype}"
    if b.dtype.kind in "fc":
        np.testing.assert_allclose(a, b, rtol=2e-6, atol=1e-6, err_msg=where)
    else:
        assert a.tolist() == b.tolist(), where


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_nodes_and_values_as_tensorflow(tf, name):
    import ortflow as otf
    from ortflow.api import embedding_sparse

    theirs, their_nodes = _run(tf, CASES[name], tf.nn)
    ours, our_nodes = _run(otf, CASES[name], embedding_sparse)
    _same(ours, theirs, name)
    gaps = KNOWN_NODE_GAPS.get(name, set())
    assert len(our_nodes) == len(their_nodes)
    for mine, theirs_ in zip(our_nodes, their_nodes):
        if mine != theirs_ and (mine[1], theirs_[1]) in gaps and mine[0] == theirs_[0]:
            continue
        assert mine == theirs_


def test_known_node_gaps_still_exist(tf):
    # If ortflow's shape inference learns the partial constant, this fails: drop the gap above.
    import ortflow as otf
    from ortflow.api import embedding_sparse

    _, their_nodes = _run(tf, CASES["segments_and_embeddings"], tf.nn)
    _, our_nodes = _run(otf, CASES["segments_and_embeddings"], embedding_sparse)
    assert any(m != t for m, t in zip(our_nodes, their_nodes))


def test_a_dense_array_fed_to_a_sparse_placeholder_is_refused_by_both(tf):
    # TensorFlow zips the array with (indices, values, shape) and fails on a shape (ValueError);
    # ortflow says what a SparseTensor feed must be (TypeError).
    import ortflow as otf

    for module, error in ((tf, ValueError), (otf, TypeError)):
        g = module.Graph()
        with g.as_default():
            sp = module.sparse_placeholder(module.float32)
            with module.Session() as sess, pytest.raises(error):
                sess.run(sp.values, {sp: np.zeros(3, np.float32)})


def test_sparse_tensor_info_equals_tensorflow(tf):
    import ortflow as otf
    from ortflow.graph.sparse_tensor import sparse_tensor_info

    infos = []
    for module, build_info in ((tf, tf.saved_model.build_tensor_info), (otf, sparse_tensor_info)):
        with module.Graph().as_default():
            infos.append([build_info(module.sparse_placeholder(module.float32, shape=[None, 5], name="sp")),
                          build_info(module.sparse_placeholder(module.int64, name="q"))])
    assert [i.SerializeToString() for i in infos[1]] == [i.SerializeToString() for i in infos[0]]
