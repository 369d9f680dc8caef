"""gather / gather_nd / batch_gather with batch_dims, through onnxruntime and the numpy kernels."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest
from ortflow.graph import ops

P = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)


def _run(t):
    with tf.Session() as sess:
        return sess.run(t)


def test_gather_batch_dims_defaults_axis_to_batch_dims():
    # TF: axis=None means axis=batch_dims
    idx = np.array([[2, 0], [1, 1]])
    with tf.Graph().as_default():
        t = tf.gather(P, idx, batch_dims=1)
        assert t.op.inputs[2].op.get_attr("value") is not None
        got = _run(t)
    np.testing.assert_array_equal(got, np.stack([P[k][idx[k]] for k in range(2)]))


@pytest.mark.parametrize("idx", [np.array([[[1], [0]], [[2], [2]]]),
                                 np.array([[[0, 1], [2, 3]], [[1, 1], [0, 3]]])])
def test_gather_nd_batch_dims_1(idx):
    with tf.Graph().as_default():
        got = _run(tf.gather_nd(P, idx, batch_dims=1))
    np.testing.assert_array_equal(got, np.stack([P[k][tuple(idx[k].T)] for k in range(2)]))


def test_gather_nd_batch_dims_2_matches_tensorflow():
    # TensorFlow 2.21 gives these rows for the same call
    idx = np.array([[[1], [2], [0]], [[3], [0], [1]]])
    with tf.Graph().as_default():
        got = _run(tf.gather_nd(np.arange(120).reshape(2, 3, 4, 5), idx, batch_dims=2))
    assert got[:, :, 0].tolist() == [[5, 30, 40], [75, 80, 105]]


@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 3, 0)])
def test_numpy_kernel_gathers_with_batch_dims(shape):
    params = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    indices = np.array([[2, 0, 1], [1, 1, 0]], np.int32)
    node = ops.make_node_def("GatherV2", "g", Tparams=tf.float32, Tindices=tf.int32, Taxis=tf.int32, batch_dims=1)
    (got,) = ops.evaluate(node, [params, indices, np.int32(1)])
    want = np.stack([params[k][indices[k]] for k in range(2)])
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)
