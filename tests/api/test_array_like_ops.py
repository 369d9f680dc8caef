"""ones_like / zeros_like build TensorFlow 1.x's nodes (names and ops written down from TF 2.21 in v1 mode)."""

from __future__ import annotations

import numpy as np
import ortflow as tf


def _nodes(graph):
    return {n.name: (n.op, list(n.input)) for n in graph.as_graph_def().node if n.op != "Placeholder"}


def test_nodes_and_values_are_tensorflows():
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        y = tf.placeholder(tf.float32, [2, 3], name="y")
        a = tf.ones_like(x)
        b = tf.ones_like(x, dtype=tf.int32)
        c = tf.zeros_like(x)
        d = tf.zeros_like(x, dtype=tf.int32)
        e = tf.ones_like(y)
        f = tf.zeros_like(y, dtype=tf.int32)
        nodes = _nodes(g)
        assert nodes["ones_like"] == ("Fill", ["ones_like/Shape", "ones_like/Const"])
        assert nodes["ones_like_1/Shape"] == ("Shape", ["x"])
        assert nodes["zeros_like"] == ("ZerosLike", ["x"])
        assert nodes["zeros_like_1"] == ("Fill", ["zeros_like_1/Shape", "zeros_like_1/Const"])
        assert nodes["ones_like_2"] == ("Fill", ["ones_like_2/Shape/shape_as_tensor", "ones_like_2/Const"])
        assert nodes["zeros_like_2"] == ("Const", [])
        assert [t.dtype for t in (a, b, c, d, e, f)] == [tf.float32, tf.int32, tf.float32, tf.int32, tf.float32,
                                                         tf.int32]
        assert b.shape.as_list() == [None, 3] and e.shape.as_list() == [2, 3]
        with tf.Session() as sess:
            got = sess.run([a, b, c, d, e, f], {x: np.zeros((4, 3), np.float32), y: np.zeros((2, 3), np.float32)})
    for value, fill in zip(got, (1, 1, 0, 0, 1, 0)):
        np.testing.assert_array_equal(value, np.full(value.shape, fill))
    assert got[0].shape == (4, 3) and got[5].dtype == np.int32
