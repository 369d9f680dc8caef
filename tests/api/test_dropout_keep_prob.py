"""tf.nn.dropout with a keep_prob tensor: `1 - keep_prob` named as TF's operator names it."""

from __future__ import annotations

import numpy as np
import ortflow as tf


def test_keep_prob_tensor_becomes_rate_through_the_sub_operator():
    with tf.Graph().as_default() as g:
        keep = tf.placeholder_with_default(1.0, [], name="keep")
        y = tf.nn.dropout(tf.ones([2, 3]), keep_prob=keep)
        names = [n.name for n in g.as_graph_def().node]
        assert names[names.index("sub/x") + 1] == "sub" and "Sub" not in names
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(y), np.ones([2, 3]))
            dropped = sess.run(y, {keep: 0.5})
    assert set(np.unique(dropped)) <= {0.0, 2.0}


def test_colocation_groups_is_a_method():
    with tf.Graph().as_default() as g:
        w = tf.constant(1.0, name="w")
        with g.colocate_with(w.op):
            c = tf.add(w, 1.0, name="c")
        assert c.op.colocation_groups() == [b"loc:@w"] and w.op.colocation_groups() == [b"loc:@w"]
