"""Saver.restore refuses a checkpoint that does not fit the graph with TensorFlow's error classes."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest


@pytest.fixture
def checkpoint(tmp_path):
    with tf.Graph().as_default():
        tf.Variable([1.0, 2.0], name="a")
        tf.Variable([[3.0]], name="b")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))


def _restore(prefix):
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, prefix)
        return sess.run(tf.global_variables())


def test_missing_key_is_not_found(checkpoint):
    with tf.Graph().as_default():
        tf.Variable([0.0, 0.0], name="a")
        tf.Variable(5.0, name="c")
        with pytest.raises(tf.errors.NotFoundError, match="Key c not found in checkpoint"):
            _restore(checkpoint)


def test_shape_mismatch_is_invalid_argument(checkpoint):
    with tf.Graph().as_default():
        tf.Variable([0.0, 0.0, 0.0], name="a")
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"lhs shape= \[3\] rhs shape= \[2\]"):
            _restore(checkpoint)


def test_dtype_mismatch_is_invalid_argument(checkpoint):
    with tf.Graph().as_default():
        tf.Variable([[0.0]], name="b", dtype=tf.float64)
        with pytest.raises(tf.errors.InvalidArgumentError, match="expected dtype double does not equal "
                                                                 "original dtype float"):
            _restore(checkpoint)


def test_unchecked_shape_variable_takes_any_shape(checkpoint):
    with tf.Graph().as_default():
        tf.Variable([0.0], name="a", validate_shape=False)
        values = _restore(checkpoint)
    np.testing.assert_array_equal(values[0], [1.0, 2.0])
