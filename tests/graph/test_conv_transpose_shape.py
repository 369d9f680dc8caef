"""The static shape of Conv2DBackpropInput (conv2d_transpose) follows TF's shape function."""

from __future__ import annotations

import numpy as np
import ortflow as tf


def test_batch_dim_comes_from_the_input_not_output_shape():
    # TF: conv2d_transpose of a [None, ...] input with output_shape [2, 18, 18, 2] is (?, 18, 18, 2)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 9, 9, 3])
        filt = np.ones([3, 3, 2, 3], np.float32)
        y = tf.nn.conv2d_transpose(x, filt, [2, 18, 18, 2], [1, 2, 2, 1])
        assert y.get_shape().as_list() == [None, 18, 18, 2]
        z = tf.nn.conv2d_transpose(tf.zeros([4, 9, 9, 3]), filt, tf.placeholder(tf.int32, [4]), [1, 2, 2, 1])
        assert z.get_shape().as_list() == [4, None, None, None]
        with tf.Session() as sess:
            assert sess.run(y, {x: np.ones((2, 9, 9, 3), np.float32)}).shape == (2, 18, 18, 2)
