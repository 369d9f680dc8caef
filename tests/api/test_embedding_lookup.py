"""tf.nn.embedding_lookup over shards ("mod" / "div"), PartitionedVariables, and max_norm."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest

TABLE = np.arange(40, dtype=np.float32).reshape(10, 4) / 10.0
IDS = np.array([[0, 3], [4, 9], [7, 7]], np.int32)


def _run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


@pytest.mark.parametrize("strategy", ["mod", "div"])
def test_sharded_lookup_matches_the_whole_table(strategy):
    # "mod": row i sits in shard i % 3 at i // 3; "div": shards hold rows 0-3, 4-6, 7-9.
    shards = [TABLE[i::3] for i in range(3)] if strategy == "mod" else [TABLE[:4], TABLE[4:7], TABLE[7:]]
    with tf.Graph().as_default():
        ids = tf.placeholder(tf.int32, [None, 2])
        looked = tf.nn.embedding_lookup([tf.constant(s) for s in shards], ids, partition_strategy=strategy)
        assert looked.get_shape().as_list() == [None, 2, 4]
        np.testing.assert_array_equal(_run(looked, {ids: IDS}), TABLE[IDS])


def test_partitioned_variable_is_looked_up_by_mod():
    # get_variable(partitioner=...) slices rows 0-3, 4-6, 7-9; the default "mod" lookup reads
    # id i from slice i % 3, row i // 3, as TensorFlow does (not the concatenated table).
    with tf.Graph().as_default():
        parts = [TABLE[:4], TABLE[4:7], TABLE[7:]]
        emb = tf.get_variable("emb", [10, 4], partitioner=tf.fixed_size_partitioner(3))
        looked = tf.nn.embedding_lookup(emb, IDS)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for var, part in zip(emb, parts):
                var.load(part, sess)
            got = sess.run(looked)
    shard, row = IDS % 3, IDS // 3
    np.testing.assert_array_equal(got, np.stack([parts[s][r] for s, r in zip(shard.ravel(), row.ravel())])
                                  .reshape(3, 2, 4))


@pytest.mark.parametrize("sharded", [False, True])
def test_max_norm_clips_each_embedding(sharded):
    with tf.Graph().as_default():
        params = [tf.constant(TABLE[i::2]) for i in range(2)] if sharded else tf.constant(TABLE)
        got = _run(tf.nn.embedding_lookup(params, IDS, max_norm=1.5))
    rows = TABLE[IDS]
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    np.testing.assert_allclose(got, rows * 1.5 / np.maximum(norms, 1.5), rtol=1e-6)


def test_bad_strategy_and_empty_params():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="partition strategy"):
            tf.nn.embedding_lookup([tf.constant(TABLE)], IDS, partition_strategy="round")
        with pytest.raises(ValueError, match="empty"):
            tf.nn.embedding_lookup([], IDS)
