"""tf.signal framing, windows, STFTs, DCTs and mel filterbanks against numpy references."""

from __future__ import annotations

import numpy as np
import pytest

RNG = np.random.default_rng(3)
X = RNG.normal(size=(2, 50)).astype(np.float32)


def _run(build, feeds=None):
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        fetches = build(tf)
        with tf.Session(graph=g) as sess:
            return sess.run(fetches, feeds(g) if feeds else None), sess.last_run_backend


def _feed_x(g):
    return {"x:0": X}


def _frames(x, length, step, pad_end=False, pad_value=0.0):
    n = x.shape[-1]
    if pad_end:
        count = -(-n // step)
        x = np.concatenate([x, np.full(x.shape[:-1] + (max(0, (count - 1) * step + length - n),), pad_value,
                                       x.dtype)], -1)
    else:
        count = max(0, 1 + (n - length) // step)
    if count == 0:
        return np.zeros(x.shape[:-1] + (0, length), x.dtype)
    return np.stack([x[..., i * step:i * step + length] for i in range(count)], -2)


def _hann(n, periodic=True):
    period = n if periodic and n % 2 == 0 else n - 1
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / period)


@pytest.mark.parametrize("static", [True, False])
@pytest.mark.parametrize("length, step, pad_end", [(16, 8, False), (16, 7, True), (60, 10, False), (5, 5, True)])
def test_frame_equals_slicing(static, length, step, pad_end):
    def build(tf):
        x = tf.placeholder(tf.float32, [None, 50] if static else [None, None], name="x")
        return tf.signal.frame(x, length, step, pad_end=pad_end, pad_value=2.0)

    got, _ = _run(build, _feed_x)
    np.testing.assert_array_equal(got, _frames(X, length, step, pad_end, 2.0))


def test_frame_along_another_axis():
    got, _ = _run(lambda tf: tf.signal.frame(tf.constant(X.T), 4, 3, axis=0))
    want = np.stack([X.T[i * 3:i * 3 + 4] for i in range(16)], 0)
    np.testing.assert_array_equal(got, want)


def test_windows():
    got, _ = _run(lambda tf: [tf.signal.hann_window(16), tf.signal.hann_window(7, periodic=False),
                              tf.signal.hamming_window(10), tf.signal.hamming_window(9), tf.signal.hann_window(1)])
    np.testing.assert_allclose(got[0], _hann(16), atol=1e-7)
    np.testing.assert_allclose(got[1], _hann(7, False), atol=1e-7)
    np.testing.assert_allclose(got[2], 0.54 - 0.46 * np.cos(2 * np.pi * np.arange(10) / 10), atol=1e-7)
    np.testing.assert_allclose(got[3], 0.54 - 0.46 * np.cos(2 * np.pi * np.arange(9) / 8), atol=1e-7)
    assert got[4].tolist() == [1.0]


def test_stft_and_its_inverse():
    def build(tf):
        x = tf.placeholder(tf.float32, [None, 50], name="x")
        s = tf.signal.stft(x, 16, 8)
        back = tf.signal.inverse_stft(s, 16, 8, window_fn=tf.signal.inverse_stft_window_fn(8))
        return [s, back, tf.signal.stft(x, 20, 10, fft_length=32, pad_end=True)]

    (spectrum, back, padded), backend = _run(build, _feed_x)
    want = np.fft.rfft(_frames(X, 16, 8) * _hann(16), 16)
    np.testing.assert_allclose(spectrum, want, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(padded, np.fft.rfft(_frames(X, 20, 10, True) * _hann(20), 32), rtol=1e-4, atol=1e-4)
    # Perfect reconstruction where the frames overlap fully (away from the first and last hop).
    np.testing.assert_allclose(back[:, 8:40], X[:, 8:40], rtol=1e-4, atol=1e-4)
    assert backend == "onnxruntime"


@pytest.mark.parametrize("frames, length, step", [(5, 10, 3), (10, 5, 5), (4, 7, 2), (1, 6, 4)])
def test_overlap_and_add_equals_a_loop(frames, length, step):
    x = RNG.normal(size=(2, frames, length)).astype(np.float32)
    got, _ = _run(lambda tf: tf.signal.overlap_and_add(tf.placeholder_with_default(x, [None, None, length]), step))
    want = np.zeros((2, (frames - 1) * step + length), np.float32)
    for i in range(frames):
        want[:, i * step:i * step + length] += x[:, i]
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_real_ffts_crop_and_pad_and_the_inverse_converts():
    def build(tf):
        x = tf.placeholder(tf.float32, [None, 50], name="x")
        r = tf.signal.rfft(x)
        return [r, tf.signal.rfft(x, [64]), tf.signal.rfft(x, [30]), tf.signal.irfft(r), tf.signal.irfft(r, [40]),
                tf.spectral.irfft(r, [7])]

    got, backend = _run(build, _feed_x)
    spectrum = np.fft.rfft(X.astype(np.float64))
    np.testing.assert_allclose(got[0], spectrum, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got[1], np.fft.rfft(X, 64), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got[2], np.fft.rfft(X[:, :30], 30), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got[3], X, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got[4], np.fft.irfft(spectrum[:, :21], 40), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got[5], np.fft.irfft(spectrum[:, :4], 7), rtol=1e-4, atol=1e-4)
    assert backend == "onnxruntime"  # IRFFT converts (a constant matrix)


def test_irfft_numpy_kernel_crops_and_pads_the_spectrum():
    from ortflow.formats import dtypes
    from ortflow.graph.ops import evaluate, make_node_def

    spectrum = np.fft.rfft(X).astype(np.complex64)
    node = make_node_def("IRFFT", "irfft", ["s", "n"], Treal=dtypes.float32, Tcomplex=dtypes.complex64)
    for n in (50, 40, 64, 7):
        (got,) = evaluate(node, [spectrum, np.array([n], np.int32)])
        np.testing.assert_allclose(got, np.fft.irfft(spectrum[:, :n // 2 + 1], n), rtol=1e-4, atol=1e-4)


def test_dct_mel_and_mfccs():
    def build(tf):
        x = tf.placeholder(tf.float32, [None, 50], name="x")
        return [tf.signal.dct(x), tf.signal.dct(x, norm="ortho"), tf.signal.idct(tf.signal.dct(x, norm="ortho"),
                                                                                  norm="ortho"),
                tf.signal.idct(tf.signal.dct(x)), tf.signal.linear_to_mel_weight_matrix(10, 17, 16000, 20.0, 7000.0),
                tf.signal.mfccs_from_log_mel_spectrograms(x)]

    dct2, ortho, round_trip, scaled, mel, mfcc = _run(build, _feed_x)[0]
    n = np.arange(50)
    basis = np.cos(np.pi * np.outer(2 * n + 1, n) / 100)  # [sample, coefficient]
    np.testing.assert_allclose(dct2, 2 * X @ basis, rtol=1e-4, atol=1e-4)
    scale = np.full(50, np.sqrt(2 / 50))
    scale[0] = np.sqrt(1 / 50)
    np.testing.assert_allclose(ortho, (X @ basis) * scale, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(round_trip, X, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(scaled, 100 * X, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(mfcc, 2 * X @ basis / np.sqrt(100), rtol=1e-4, atol=1e-4)
    assert mel.shape == (17, 10) and not mel[0].any() and (mel >= 0).all() and mel.max() <= 1.0
    peaks = mel.argmax(0)
    assert (np.diff(peaks) >= 0).all()  # the triangles rise with frequency


def test_bad_mel_edges_raise():
    import ortflow as tf

    with tf.Graph().as_default(), pytest.raises(ValueError, match="upper_edge_hertz"):
        tf.signal.linear_to_mel_weight_matrix(10, 17, 8000, 300.0, 5000.0)
