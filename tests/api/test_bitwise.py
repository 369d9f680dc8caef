"""tf.bitwise on integer tensors, built and run (constant-folded and through onnxruntime)."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest

A = np.array([12, 10, -7, 0], np.int32)
B = np.array([10, 6, 3, 5], np.int32)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8])
def test_bitwise_ops_match_numpy(dtype):
    a, b = A.astype(dtype), (B % 8).astype(dtype)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.as_dtype(dtype), [None], name="x")
        y = tf.placeholder(tf.as_dtype(dtype), [None], name="y")
        fetches = [tf.bitwise.bitwise_and(x, y), tf.bitwise.bitwise_or(x, y), tf.bitwise.bitwise_xor(x, y),
                   tf.bitwise.invert(x), tf.bitwise.left_shift(x, y), tf.bitwise.right_shift(x, y)]
        assert [t.op.type for t in fetches] == ["BitwiseAnd", "BitwiseOr", "BitwiseXor", "Invert",
                                                 "LeftShift", "RightShift"]
        with tf.Session() as sess:
            got = sess.run(fetches, {x: a, y: b})
    want = [a & b, a | b, a ^ b, ~a, np.left_shift(a, b), np.right_shift(a, b)]
    for g, w in zip(got, want):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)


def test_constant_operands():
    with tf.Graph().as_default(), tf.Session() as sess:
        got = sess.run(tf.bitwise.bitwise_and(tf.constant([12, 10]), tf.constant([10, 6])))
    np.testing.assert_array_equal(got, [8, 2])
