"""tf.nn.max_pool_with_argmax: pooled values and TF's flat argmax index, with and without batch."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest

X = np.random.RandomState(0).rand(2, 4, 6, 3).astype(np.float32)


def _reference(x, include_batch):
    n, h, w, c = x.shape
    out = np.zeros((n, h // 2, w // 2, c), x.dtype)
    arg = np.zeros(out.shape, np.int64)
    for b in range(n):
        for i in range(h // 2):
            for j in range(w // 2):
                for k in range(c):
                    window = x[b, 2 * i:2 * i + 2, 2 * j:2 * j + 2, k]
                    y, xx = np.unravel_index(np.argmax(window), window.shape)
                    out[b, i, j, k] = window[y, xx]
                    arg[b, i, j, k] = ((2 * i + y) * w + 2 * j + xx) * c + k + (b * h * w * c if include_batch else 0)
    return out, arg


@pytest.mark.parametrize("include_batch", [False, True])
@pytest.mark.parametrize("argmax_dtype", ["int64", "int32"])
def test_values_and_argmax(include_batch, argmax_dtype):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4, 6, 3])
        result = tf.nn.max_pool_with_argmax(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID", Targmax=argmax_dtype,
                                            include_batch_in_index=include_batch)
        assert result.output.get_shape().as_list() == [None, 2, 3, 3]
        assert result.argmax.dtype.name == argmax_dtype
        with tf.Session() as sess:
            out, arg = sess.run(result, {x: X})
    want_out, want_arg = _reference(X, include_batch)
    np.testing.assert_array_equal(out, want_out)
    np.testing.assert_array_equal(arg, want_arg)
    assert arg.dtype == np.dtype(argmax_dtype)


def test_nchw_is_refused():
    with tf.Graph().as_default(), pytest.raises(ValueError, match="NHWC"):
        tf.nn.max_pool_with_argmax(tf.zeros([1, 3, 4, 4]), 2, 2, "VALID", data_format="NCHW")
