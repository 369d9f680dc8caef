"""Half-precision MatMul converts with float accumulation, as TensorFlow computes it."""

from __future__ import annotations

import numpy as np
import ortflow as tf


def test_half_matmul_rounds_once_like_tensorflow():
    # sum of fp16 products kept in float32, rounded to half once: 0.04785 for this row (a half
    # accumulator gives 0.0477; TF 2.21 gives 0.04785)
    x = np.array([[0.2764, -1.8545, 0.624, 1.1455]], np.float16)
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float16, [None, 4])
        w = tf.placeholder(tf.float16, [4, 2])
        y = tf.matmul(a, w)
        yt = tf.matmul(w, a, transpose_a=True, transpose_b=True)
        assert y.dtype == tf.float16
        with tf.Session() as sess:
            got, got_t = sess.run([y, yt], {a: x, w: np.full((4, 2), 0.25, np.float16)})
    want = (x.astype(np.float32) @ np.full((4, 2), 0.25, np.float32)).astype(np.float16)
    assert got.dtype == np.float16
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got_t, want.T)
