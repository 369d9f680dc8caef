"""`tf.signal` (and TF 1.x's `tf.spectral`, `tf.fft`, ...): Fourier transforms, framing, STFTs,
windows, DCTs and mel filterbanks.

The composite functions (frame, stft, overlap_and_add, ...) build ortflow's own small graphs of
plain ops (GatherV2, Reshape, MatMul, RFFT, ...) whose values equal TensorFlow's; their node
names differ from TensorFlow's where TensorFlow builds long StridedSlice chains.
"""

from __future__ import annotations

import builtins

import numpy as np
from ortflow.api.ops_builder import apply_op_output
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import get_default_graph

__all__ = ["dct", "fft", "fft2d", "fft3d", "frame", "hamming_window", "hann_window", "idct", "ifft", "ifft2d",
           "ifft3d", "inverse_stft", "inverse_stft_window_fn", "irfft", "irfft2d", "irfft3d",
           "linear_to_mel_weight_matrix", "mfccs_from_log_mel_spectrograms", "overlap_and_add", "rfft",
           "rfft2d", "rfft3d", "stft"]


def _complex_op(op_type: str):
    def fn(input, name=None):
        return apply_op_output(op_type, [input], name=name or op_type)
    fn.__name__ = op_type.lower()
    fn.__doc__ = f"`{op_type}` over the innermost dimension(s) of a complex tensor."
    return fn


fft = _complex_op("FFT")
ifft = _complex_op("IFFT")
fft2d = _complex_op("FFT2D")
ifft2d = _complex_op("IFFT2D")
fft3d = _complex_op("FFT3D")
ifft3d = _complex_op("IFFT3D")


def _tf():
    from ortflow.api import tf_v1

    return tf_v1


def _real_fft(op_type: str, scope: str, rank: int, inverse: bool):
    def fn(input_tensor, fft_length=None, name=None):
        tf = _tf()
        g = get_default_graph()
        with g.name_scope(name or scope) as full:
            x = tf.convert_to_tensor(input_tensor, name="input_tensor")
            dims = x.shape.as_list() if x.shape.rank is not None else None
            if fft_length is None:
                if dims is None or None in dims[-rank:]:
                    raise ValueError(f"{scope}: fft_length is needed when the inner dimensions are unknown.")
                inner = dims[-rank:]
                fft_length = inner[:-1] + [2 * (inner[-1] - 1)] if inverse else inner
            lengths = [int(v) for v in np.asarray(fft_length).reshape(-1)] \
                if not hasattr(fft_length, "op") else None
            # TF's graph holds the requested lengths as a (then unused) "Const" first; kept so
            # that node names match (the op's input is "fft_length").
            tf.constant(lengths if lengths is not None else [0] * rank, dtype=_dtypes.int32)
            if lengths is not None and dims is not None:
                x = _pad_inner(tf, x, dims, lengths, rank, inverse)
            length_tensor = tf.convert_to_tensor(lengths if lengths is not None else fft_length,
                                                 dtype=_dtypes.int32, name="fft_length")
            # float64 signals transform to complex128 (and back), as in TensorFlow
            wide = x.dtype.base_dtype in (_dtypes.float64, _dtypes.complex128)
            if inverse:
                attrs = {"Treal": _dtypes.float64 if wide else _dtypes.float32}
            else:
                attrs = {"Tcomplex": _dtypes.complex128 if wide else _dtypes.complex64}
            return apply_op_output(op_type, [x, length_tensor], attrs, name=full)
    fn.__name__ = scope
    fn.__doc__ = (f"`{op_type}` over the innermost {rank} dimension(s); `fft_length` defaults to their "
                  "sizes (the inverse: 2 * (n - 1) for the innermost).")
    return fn


def _pad_inner(tf, x, dims, lengths, rank, inverse):
    # As TensorFlow: zero-pad inner dims shorter than the transform (the op crops longer ones).
    want = lengths[:-1] + [lengths[-1] // 2 + 1] if inverse else lengths
    have = dims[-rank:]
    if None in have or all(h >= w for h, w in zip(have, want)):
        return x
    paddings = [[0, 0]] * (len(dims) - rank) + [[0, max(w - h, 0)] for h, w in zip(have, want)]
    return tf.pad(x, paddings)


rfft = _real_fft("RFFT", "rfft", 1, False)
irfft = _real_fft("IRFFT", "irfft", 1, True)
rfft2d = _real_fft("RFFT2D", "rfft2d", 2, False)
irfft2d = _real_fft("IRFFT2D", "irfft2d", 2, True)
rfft3d = _real_fft("RFFT3D", "rfft3d", 3, False)
irfft3d = _real_fft("IRFFT3D", "irfft3d", 3, True)


# -- framing ----------------------------------------------------------------------------------

def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
    """Overlapping frames of `signal` along `axis` (`tf.signal.frame`).

    The result has `axis` replaced by [num_frames, frame_length]: num_frames is
    1 + (n - frame_length) // frame_step (at least 0), or ceil(n / frame_step) with `pad_end`,
    which pads the end with `pad_value`. `frame_length` and `frame_step` must be Python ints.
    """
    tf = _tf()
    g = get_default_graph()
    with g.name_scope(name or "frame"):
        signal = tf.convert_to_tensor(signal, name="signal")
        rank = signal.shape.rank
        if rank is None:
            raise ValueError("frame needs a signal of known rank.")
        axis = axis + rank if axis < 0 else axis
        n = signal.shape.as_list()[axis]
        if n is not None:
            return _frame_static(tf, signal, int(frame_length), int(frame_step), pad_end, pad_value, axis, n)
        return _frame_dynamic(tf, signal, int(frame_length), int(frame_step), pad_end, pad_value, axis)


def _frame_static(tf, signal, length, step, pad_end, pad_value, axis, n):
    if pad_end:
        frames = -(-n // step)
        pad = max(0, (frames - 1) * step + length - n)
        if pad:
            paddings = [[0, 0]] * signal.shape.rank
            paddings[axis] = [0, pad]
            signal = tf.pad(signal, paddings, constant_values=pad_value)
    else:
        frames = max(0, 1 + (n - length) // step)
    indices = np.arange(frames)[:, None] * step + np.arange(length)[None, :]
    return tf.gather(signal, tf.constant(indices.astype(np.int32), name="indices"), axis=axis)


def _frame_dynamic(tf, signal, length, step, pad_end, pad_value, axis):
    n = tf.shape(signal)[axis]
    if pad_end:
        frames = tf.floordiv(n + (step - 1), step)
        pad = tf.maximum(0, (frames - 1) * step + length - n)
        paddings = [[0, 0] if i != axis else tf.stack([0, pad]) for i in builtins.range(signal.shape.rank)]
        signal = tf.pad(signal, tf.stack([tf.convert_to_tensor(p, dtype=_dtypes.int32) for p in paddings]),
                        constant_values=pad_value)
    else:
        frames = tf.maximum(0, 1 + tf.floordiv(n - length, step))
    starts = tf.expand_dims(tf.range(frames) * step, 1)
    indices = starts + tf.constant(np.arange(length, dtype=np.int32)[None, :])
    return tf.gather(signal, indices, axis=axis)


def overlap_and_add(signal, frame_step, name=None):
    """Sums overlapping frames [..., frames, frame_length] into [..., (frames - 1) * step +
    frame_length] (`tf.signal.overlap_and_add`); `frame_length` must be static."""
    tf = _tf()
    g = get_default_graph()
    with g.name_scope(name or "overlap_and_add"):
        signal = tf.convert_to_tensor(signal, name="signal")
        dims = signal.shape.as_list() if signal.shape.rank is not None else None
        if dims is None or len(dims) < 2 or dims[-1] is None:
            raise ValueError("overlap_and_add needs a signal of known rank >= 2 with a static frame_length.")
        step, length = int(frame_step), dims[-1]
        pieces = -(-length // step)  # sub-frames of `step` samples per frame
        shape = tf.shape(signal)
        outer, frames = shape[:-2], shape[-2]
        if pieces * step != length:
            signal = tf.pad(signal, [[0, 0]] * (len(dims) - 1) + [[0, pieces * step - length]])
        split = tf.reshape(signal, tf.concat([outer, tf.stack([frames, pieces, step])], 0))
        perm = list(builtins.range(len(dims) - 2)) + [len(dims) - 1, len(dims) - 2, len(dims)]
        split = tf.transpose(split, perm)  # [..., pieces, frames, step]
        split = tf.pad(split, [[0, 0]] * (len(dims) - 1) + [[0, pieces], [0, 0]])
        flat = tf.reshape(split, tf.concat([outer, tf.stack([pieces * (frames + pieces), step])], 0))
        flat = flat[..., : pieces * (frames + pieces) - pieces, :]
        # Row p of [pieces, frames + pieces - 1, step] is now shifted right by p sub-frames.
        shifted = tf.reshape(flat, tf.concat([outer, tf.stack([pieces, frames + pieces - 1, step])], 0))
        summed = tf.reduce_sum(shifted, axis=len(dims) - 2)
        out = tf.reshape(summed, tf.concat([outer, [-1]], 0))
        return out[..., : (frames - 1) * step + length]


# -- windows and STFTs ------------------------------------------------------------------------

def _raised_cosine(name: str, a: float, b: float):
    def window(window_length, periodic=True, dtype=_dtypes.float32, name=None):
        tf = _tf()
        with get_default_graph().name_scope(name or default_name):
            n = int(window_length)
            if n == 1:
                return tf.constant(np.ones([1]), dtype=dtype)
            # As TensorFlow: `periodic` lengthens the period by one for even lengths only.
            denominator = n if periodic and n % 2 == 0 else n - 1
            values = a - b * np.cos(2.0 * np.pi * np.arange(n) / denominator)
            return tf.constant(values, dtype=dtype)
    default_name = name
    window.__name__ = name
    window.__doc__ = (f"`tf.signal.{name}`: {a} - {b} cos(2 pi n / N) for n < window_length, with N = "
                      "window_length when `periodic` and window_length is even, else window_length - 1.")
    return window


hann_window = _raised_cosine("hann_window", 0.5, 0.5)
hamming_window = _raised_cosine("hamming_window", 0.54, 0.46)


def _default_fft_length(frame_length: int) -> int:
    return 1 << max(0, (int(frame_length) - 1).bit_length())


def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window, pad_end=False,
         name=None):
    """Short-time Fourier transform (`tf.signal.stft`): windowed frames, then an RFFT each.

    `fft_length` defaults to the smallest power of 2 at least `frame_length`.
    """
    tf = _tf()
    with get_default_graph().name_scope(name or "stft"):
        signals = tf.convert_to_tensor(signals, name="signals")
        fft_length = _default_fft_length(frame_length) if fft_length is None else int(fft_length)
        framed = frame(signals, frame_length, frame_step, pad_end=pad_end)
        if window_fn is not None:
            framed = framed * window_fn(frame_length, dtype=framed.dtype)
        return rfft(framed, [fft_length])


def inverse_stft(stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window, name=None):
    """The signal back from `stft` frames (`tf.signal.inverse_stft`): IRFFT, window, overlap-add.

    For perfect reconstruction pass `window_fn=inverse_stft_window_fn(frame_step)`.
    """
    tf = _tf()
    with get_default_graph().name_scope(name or "inverse_stft"):
        stfts = tf.convert_to_tensor(stfts, name="stfts")
        fft_length = _default_fft_length(frame_length) if fft_length is None else int(fft_length)
        frames = irfft(stfts, [fft_length])[..., :frame_length]
        if frame_length > fft_length:
            rank = frames.shape.rank
            frames = tf.pad(frames, [[0, 0]] * (rank - 1) + [[0, frame_length - fft_length]])
        if window_fn is not None:
            frames = frames * window_fn(frame_length, dtype=frames.dtype)
        return overlap_and_add(frames, frame_step)


def inverse_stft_window_fn(frame_step, forward_window_fn=hann_window, name=None):
    """A window_fn for `inverse_stft` that undoes `forward_window_fn`'s overlapping squares."""
    def window(frame_length, dtype):
        tf = _tf()
        with get_default_graph().name_scope(name or "inverse_stft_window_fn"):
            forward = forward_window_fn(frame_length, dtype=dtype)
            step, length = int(frame_step), int(frame_length)
            padded = -(-length // step) * step
            squares = tf.pad(tf.square(forward), [[0, padded - length]])
            denom = tf.reduce_sum(tf.reshape(squares, [-1, step]), 0, keepdims=True)
            denom = tf.reshape(tf.tile(denom, [padded // step, 1]), [-1])[:length]
            return forward / denom
    return window


# -- DCT, mel filterbanks, MFCCs --------------------------------------------------------------

def _dct_matrix(n: int, kind: int, norm) -> np.ndarray:
    """M with x @ M == DCT-II / DCT-III of x over its last axis (TensorFlow's scaling)."""
    k = np.arange(n)[None, :]
    i = np.arange(n)[:, None]
    if kind == 2:
        m = 2.0 * np.cos(np.pi * k * (2 * i + 1) / (2.0 * n))
        if norm == "ortho":
            m[:, 0] *= np.sqrt(1.0 / (4 * n))
            m[:, 1:] *= np.sqrt(1.0 / (2 * n))
        return m
    # DCT-III, the inverse of DCT-II up to 2n (orthonormal with norm="ortho").
    m = np.cos(np.pi * i * (2 * k + 1) / (2.0 * n)) * 2.0
    m[0, :] = 1.0
    if norm == "ortho":
        m[0, :] *= np.sqrt(1.0 / n)
        m[1:, :] *= np.sqrt(2.0 / n) / 2.0
    return m


def dct(input, type=2, n=None, axis=-1, norm=None, name=None):
    """DCT-II or DCT-III over the last axis (`tf.signal.dct`), as a MatMul with a constant."""
    tf = _tf()
    if type not in (2, 3) or axis != -1 or n is not None or norm not in (None, "ortho"):
        raise NotImplementedError("ortflow's dct supports type 2 and 3 over the last axis, n=None, "
                                  "norm None or 'ortho'.")
    with get_default_graph().name_scope(name or "dct"):
        x = tf.convert_to_tensor(input, name="input")
        size = x.shape.as_list()[-1] if x.shape.rank else None
        if size is None:
            raise ValueError("dct needs a static last dimension.")
        matrix = tf.constant(_dct_matrix(size, type, norm), dtype=x.dtype.base_dtype)
        return tf.tensordot(x, matrix, 1)


def idct(input, type=2, n=None, axis=-1, norm=None, name=None):
    """`tf.signal.idct`: DCT-III for type 2 (and II for 3). As in TensorFlow, without `norm` it is
    not scaled: idct(dct(x)) == 2 * n * x."""
    inverse_type = {2: 3, 3: 2}.get(type)
    if inverse_type is None:
        raise NotImplementedError("ortflow's idct supports types 2 and 3.")
    return dct(input, inverse_type, n, axis, norm, name=name or "idct")


def _hertz_to_mel(f):
    return 1127.0 * np.log1p(np.asarray(f, np.float64) / 700.0)


def linear_to_mel_weight_matrix(num_mel_bins=20, num_spectrogram_bins=129, sample_rate=8000,
                                lower_edge_hertz=125.0, upper_edge_hertz=3800.0, dtype=_dtypes.float32,
                                name=None):
    """[num_spectrogram_bins, num_mel_bins] triangular filters on the HTK mel scale, as TF's.

    Raises:
        ValueError: for edges out of order or past the Nyquist frequency.
    """
    if not 0.0 <= lower_edge_hertz < upper_edge_hertz <= sample_rate / 2.0:
        raise ValueError(f"Need 0 <= lower_edge_hertz ({lower_edge_hertz}) < upper_edge_hertz "
                         f"({upper_edge_hertz}) <= sample_rate / 2 ({sample_rate / 2.0}).")
    tf = _tf()
    nyquist = sample_rate / 2.0
    bins_mel = _hertz_to_mel(np.linspace(0.0, nyquist, num_spectrogram_bins)[1:])[:, None]
    edges = np.linspace(_hertz_to_mel(lower_edge_hertz), _hertz_to_mel(upper_edge_hertz), num_mel_bins + 2)
    lower, center, upper = edges[:-2][None, :], edges[1:-1][None, :], edges[2:][None, :]
    rising = (bins_mel - lower) / (center - lower)
    falling = (upper - bins_mel) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights = np.pad(weights, [[1, 0], [0, 0]])
    with get_default_graph().name_scope(name or "linear_to_mel_weight_matrix"):
        return tf.constant(weights, dtype=dtype, name="weights")


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name=None):
    """MFCCs: an orthonormal-scaled DCT-II of log-mel spectrograms (`tf.signal.mfccs_from_...`)."""
    tf = _tf()
    with get_default_graph().name_scope(name or "mfccs_from_log_mel_spectrograms"):
        x = tf.convert_to_tensor(log_mel_spectrograms, name="log_mel_spectrograms")
        bins = x.shape.as_list()[-1]
        return dct(x, type=2) * tf.constant(1.0 / np.sqrt(2.0 * bins), dtype=x.dtype.base_dtype)
