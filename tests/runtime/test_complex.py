"""Complex tensors cross the Session boundary as complex numpy arrays (pairs inside ONNX)."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex_feed_and_fetch(dtype):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.as_dtype(dtype), [None, 4], name="x")
        spectrum = tf.fft(x) if dtype == np.complex64 else x * 2  # Mul: the numpy fallback
        magnitude = tf.abs(spectrum)
        value = (np.arange(8) + 1j * np.arange(8)[::-1]).reshape(2, 4).astype(dtype)
        with tf.Session() as sess:
            got, mag = sess.run([spectrum, magnitude], {x: value})
    want = np.fft.fft(value) if dtype == np.complex64 else value * 2
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want, atol=1e-5)
    np.testing.assert_allclose(mag, np.abs(want), rtol=1e-5)
