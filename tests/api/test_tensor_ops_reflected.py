"""Reflected Tensor operators (`2.0 * x`) with numpy scalars and arrays on the left."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest


@pytest.mark.parametrize("left", [np.float64(2.0), np.array([2.0, 1.0]), 2, np.int64(2)])
def test_numpy_left_operand_takes_the_tensor_dtype(left):
    # TF converts the left operand of `left * x` with x's dtype, even a float64 numpy value.
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [2], name="x")
        y = left * x
        z = left - x
        assert y.dtype == tf.float32 and z.dtype == tf.float32
        assert [n.name for n in g.as_graph_def().node] == ["x", "mul/x", "mul", "sub/x", "sub"]
        with tf.Session() as sess:
            got_y, got_z = sess.run([y, z], {x: [3.0, 4.0]})
    np.testing.assert_allclose(got_y, np.asarray(left) * np.array([3.0, 4.0]))
    np.testing.assert_allclose(got_z, np.asarray(left) - np.array([3.0, 4.0]))

