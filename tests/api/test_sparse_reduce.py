"""tf.sparse.reduce_max / reduce_sum over some or all axes; expected values recorded from TF 2.21
(tf.compat.v1, disable_v2_behavior): the max counts present entries only, and an output position
no entry reaches is 0."""

from __future__ import annotations

import numpy as np
import ortflow as tf


def test_sparse_reduce_max_and_sum_as_tf():
    with tf.Graph().as_default():
        sp = tf.SparseTensor([[0, 0], [1, 2]], [-3.0, -5.0], [2, 3])
        spi = tf.SparseTensor([[0, 0], [1, 2]], [3, -5], [2, 3])
        empty = tf.SparseTensor(tf.zeros([0, 2], tf.int64), tf.zeros([0]), [2, 3])
        fetches = [tf.sparse.reduce_max(sp), tf.sparse.reduce_sum(sp), tf.sparse.reduce_max(sp, axis=0),
                   tf.sparse.reduce_max(spi, axis=0, keepdims=True), tf.sparse.reduce_sum(spi, keepdims=True),
                   tf.sparse.reduce_max(spi), tf.sparse.reduce_max(empty), tf.sparse.reduce_max(empty, axis=1)]
        with tf.Session() as sess:
            got = sess.run(fetches)
    expected = [np.float32(-3.0), np.float32(-8.0), np.array([-3.0, 0.0, -5.0], np.float32),
                np.array([[3, 0, -5]], np.int32), np.array([[-2]], np.int32), np.int32(3), np.float32(0.0),
                np.array([0.0, 0.0], np.float32)]
    for ours, theirs in zip(got, expected):
        assert np.asarray(ours).dtype == np.asarray(theirs).dtype and np.shape(ours) == np.shape(theirs)
        np.testing.assert_array_equal(ours, theirs)
