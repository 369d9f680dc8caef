"""Static shapes of ops whose shape argument is built from tf.shape() pieces while building a graph."""

from __future__ import annotations

import numpy as np
import ortflow as tf


def test_reshape_to_packed_dynamic_and_static_dims():
    # The multi-head attention split: [batch, time, heads, depth] from tf.shape pieces and ints.
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, None, 8])
        b, t = tf.shape(x)[0], tf.shape(x)[1]
        heads = tf.reshape(x, [b, t, 2, 4])
        assert heads.get_shape().as_list() == [None, None, 2, 4]
        assert tf.transpose(heads, [0, 2, 1, 3]).get_shape().as_list() == [None, 2, None, 4]
        assert tf.reshape(x, [b, -1, 4]).get_shape().as_list() == [None, None, 4]
        y = tf.placeholder(tf.float32, [None, 5, 8])
        # a known entry of tf.shape() goes through arithmetic
        assert tf.reshape(y, [tf.shape(y)[0], tf.shape(y)[1] * 2, 4]).get_shape().as_list() == [None, 10, 4]
        assert tf.reshape(y, tf.concat([tf.shape(y)[:1], [-1]], 0)).get_shape().as_list() == [None, None]
        with tf.Session() as sess:
            got = sess.run(heads, {x: np.arange(48, dtype=np.float32).reshape(2, 3, 8)})
        np.testing.assert_array_equal(got, np.arange(48).reshape(2, 3, 2, 4))


def test_boolean_mask_keeps_the_trailing_dims():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, None, 8])
        m = tf.placeholder(tf.bool, [None, None])
        assert tf.boolean_mask(x, m).get_shape().as_list() == [None, 8]

