"""Handlers of the inverse real FFT, with complex tensors held as real [..., 2] pairs.

Completes `converters/signal.py` (FFT, IFFT, RFFT): IRFFT multiplies the kept half spectrum by
a constant matrix, as those do, so the innermost size must be static.
"""

from __future__ import annotations

import numpy as np
from ortflow.converters.emit import const_i64, first
from ortflow.converters.registry import handler, require
from ortflow.converters.signal import real_dtype_of, real_fft_rank_and_length

__all__ = ["irfft_matrix"]


def irfft_matrix(n: int) -> np.ndarray:
    """W with pairs(X[: n // 2 + 1]) flattened @ W == IRFFT(X, n): rows 2k (real part of bin k)
    and 2k + 1 (imaginary part), one column per output sample.

    Bins 1 .. ceil(n / 2) - 1 stand for their mirrored twins too (weight 2); bin 0 and, for even
    n, bin n / 2 count once, and their imaginary parts drop out (sin is 0 there), as in
    TensorFlow, which ignores them.
    """
    bins = n // 2 + 1
    k = np.arange(bins)[:, None]
    t = np.arange(n)[None, :]
    weight = np.full((bins, 1), 2.0)
    weight[0] = 1.0
    if n % 2 == 0:
        weight[-1] = 1.0
    angle = 2.0 * np.pi * k * t / n
    real_rows = weight * np.cos(angle) / n
    imag_rows = -weight * np.sin(angle) / n
    return np.stack([real_rows, imag_rows], axis=1).reshape(2 * bins, n)


@handler("IRFFT", since=13)
def convert_irfft(ctx, node):
    # TF:   output = IRFFT(input: complex [..., m], fft_length: int32 [1])  (real [..., n])
    # ONNX: Output = MatMul(Reshape(Pad or Slice(Pairs [..., m, 2]), [..., 2 (n // 2 + 1)]), W)
    rank, n = real_fft_rank_and_length(node)
    require(n > 0, node, "fft_length must be positive")
    shape = node.input_shape(0)
    require(shape is not None and shape[-1] is not None, node, "IRFFT needs a static innermost dim")
    size, bins = int(shape[-1]), n // 2 + 1
    x = node.input(0)  # pairs: [..., size, 2]
    if size > bins:
        x = first(ctx, "Slice", [x, const_i64(ctx, [0]), const_i64(ctx, [bins]), const_i64(ctx, [-2])])
    elif size < bins:
        pads = [0] * (2 * (rank + 1))
        pads[(rank + 1) + rank - 1] = bins - size  # the end of the bin axis
        x = first(ctx, "Pad", [x, const_i64(ctx, pads)])
    flat = first(ctx, "Reshape", [x, const_i64(ctx, [0] * (rank - 1) + [-1])])
    dtype = real_dtype_of(node.output_dtype(0))
    weights = ctx.make_const(irfft_matrix(n).astype(dtype.as_numpy_dtype))
    first(ctx, "MatMul", [flat, weights], output=node.output(0), dtype=dtype)
