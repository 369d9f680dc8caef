"""Shapes given as lists that mix tensors and ints are packed, as TensorFlow packs them."""

from __future__ import annotations

import numpy as np
import ortflow as tf


def test_zeros_and_ones_with_a_run_time_batch_dimension():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        z = tf.zeros([tf.shape(x)[0], 5])
        o = tf.ones((tf.shape(x)[0], 2), tf.int32)
        assert z.op.type == "Fill" and z.op.name == "zeros"
        with tf.Session() as sess:
            got_z, got_o = sess.run([z, o], {x: np.ones((4, 3), np.float32)})
    np.testing.assert_array_equal(got_z, np.zeros((4, 5), np.float32))
    np.testing.assert_array_equal(got_o, np.ones((4, 2), np.int32))
