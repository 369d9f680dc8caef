"""tf.norm: vector p-norms and matrix norms (1, inf, Frobenius) over an axis pair."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest

A = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], np.float32)
BATCH = np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 11


def _run(t):
    with tf.Session() as sess:
        return sess.run(t)


@pytest.mark.parametrize("ord_,axis,want", [
    (1, [0, 1], np.abs(A).sum(0).max()),            # the largest column sum
    (1, [1, 0], np.abs(A).sum(1).max()),            # axes swapped: the largest row sum
    (np.inf, (0, 1), np.abs(A).sum(1).max()),
    ("fro", [0, 1], np.sqrt((A ** 2).sum())),
    (3, 1, (np.abs(A) ** 3).sum(1) ** (1 / 3)),
    (1, None, np.abs(A).sum()),
    (np.inf, 0, np.abs(A).max(0)),
    ("euclidean", None, np.sqrt((A ** 2).sum())),
])
def test_norm_values(ord_, axis, want):
    with tf.Graph().as_default():
        np.testing.assert_allclose(_run(tf.norm(A, ord=ord_, axis=axis)), want, rtol=1e-6)


def test_batched_matrix_norm_and_keepdims():
    with tf.Graph().as_default():
        got = _run(tf.norm(BATCH, ord=1, axis=[-2, -1]))
        kept = tf.norm(BATCH, ord=np.inf, axis=[1, 2], keepdims=True)
        assert kept.get_shape().as_list() == [2, 1, 1]
        kept_value = _run(kept)
    np.testing.assert_allclose(got, np.abs(BATCH).sum(1).max(1))
    np.testing.assert_allclose(kept_value[:, 0, 0], np.abs(BATCH).sum(2).max(1))


def test_unsupported_orders_are_refused():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="matrix norm"):
            tf.norm(A, ord=2, axis=[0, 1])
        with pytest.raises(ValueError, match="vector norm"):
            tf.norm(A, ord=-1)
