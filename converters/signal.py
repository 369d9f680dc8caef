"""Handlers of TF complex values and FFTs, with complex tensors held as real [..., 2] pairs.

ONNX has no complex arithmetic (and onnxruntime few complex kernels), but its DFT op already
writes a complex value as a trailing dim of 2 (real, imaginary). These handlers use that
layout for every complex TF tensor: a Cast to complex appends a zero imaginary part, FFT/IFFT
/RFFT multiply by a constant DFT matrix over the innermost dim (its size must be static), and
ComplexAbs/Real/Imag bring the values back to real tensors. Complex ops other than those
listed here are not lowered.
"""

from __future__ import annotations

import numpy as np
from ortflow.converters.emit import const_i64, first, reduce, shape_of, unsqueeze, zeros_like_shape
from ortflow.converters.registry import handler, require
from ortflow.formats import dtypes

__all__ = ["complex_pairs", "dft_matrix", "real_dtype_of", "real_fft_rank_and_length"]


def real_fft_rank_and_length(node) -> tuple[int, int]:
    """RFFT / IRFFT: the input's static rank (at least 1) and the constant fft_length.

    Raises:
        ConversionError: the rank is unknown or the length is not a constant.
    """
    rank = node.input_rank(0)
    require(rank is not None and rank >= 1, node, f"{node.op} needs a static rank")
    length = node.input_value(1)
    require(length is not None, node, "fft_length must be constant")
    return rank, int(np.asarray(length).reshape(-1)[0])


def real_dtype_of(dtype) -> dtypes.DType:
    """float32 for complex64, float64 for complex128 (and a real dtype itself)."""
    if dtype is None:
        return dtypes.float32
    return dtypes.float64 if dtype in (dtypes.complex128, dtypes.float64) else dtypes.float32


def complex_pairs(value, dtype) -> np.ndarray:
    """A complex array as its real pairs [..., 2] (float32 for complex64, float64 for
    complex128): the layout every complex value has in the converted graph."""
    value = np.asarray(value)
    real = real_dtype_of(dtype).as_numpy_dtype
    return np.stack([value.real, value.imag], axis=-1).astype(real)


def dft_matrix(n: int, inverse: bool, real_input: bool, out_size: int | None = None) -> np.ndarray:
    """The matrix W with pairs(x) @ W == pairs(DFT(x)) over the innermost dim.

    Pairs are flattened as (index, part): row 2*j + p holds part p (0 real, 1 imaginary) of
    input element j; a real input has one row per element. The inverse transform divides by n.
    """
    out_size = n if out_size is None else out_size
    j = np.arange(n)[:, None]
    k = np.arange(out_size)[None, :]
    angle = 2.0 * np.pi * j * k / n
    sign = 1.0 if inverse else -1.0
    cos, sin = np.cos(angle), sign * np.sin(angle)
    scale = 1.0 / n if inverse else 1.0
    if real_input:
        w = np.stack([cos, sin], axis=-1).reshape(n, 2 * out_size)
    else:
        # (a + ib)(cos + i sin) = (a cos - b sin) + i (a sin + b cos)
        top = np.stack([cos, sin], axis=-1)       # from the real part a
        bottom = np.stack([-sin, cos], axis=-1)   # from the imaginary part b
        w = np.stack([top, bottom], axis=1).reshape(2 * n, 2 * out_size)
    return w * scale


def _static_dim(node, i: int, axis: int, what: str) -> int:
    shape = node.input_shape(i)
    require(shape is not None and shape[axis] is not None, node, f"{what} needs a static innermost dim")
    return int(shape[axis])


def _apply_matrix(ctx, node, x: str, rank: int, matrix: np.ndarray) -> None:
    # x: [..., rows of matrix] of rank `rank`; the product is reshaped to pairs [..., k, 2].
    dtype = real_dtype_of(node.output_dtype(0))
    weights = ctx.make_const(matrix.astype(dtype.as_numpy_dtype))
    product = first(ctx, "MatMul", [x, weights])
    k = matrix.shape[1] // 2
    shape = const_i64(ctx, [0] * (rank - 1) + [k, 2])
    first(ctx, "Reshape", [product, shape], output=node.output(0), dtype=dtype)


def _flat_pairs(ctx, x: str, rank: int) -> str:
    # [..., n, 2] -> [..., 2n] (Reshape copies the leading dims with 0s)
    return first(ctx, "Reshape", [x, const_i64(ctx, [0] * (rank - 1) + [-1])])


@handler("FFT", "IFFT", since=13)
def convert_fft(ctx, node):
    # TF:   output = FFT(input: complex)   (innermost dim; IFFT divides by n)
    # ONNX: Output = Reshape(MatMul(Reshape(Pairs, [..., 2n]), W [2n, 2n]), [..., n, 2])
    rank = node.input_rank(0)
    require(rank is not None and rank >= 1, node, "FFT needs a static rank")
    n = _static_dim(node, 0, -1, "FFT")
    matrix = dft_matrix(n, inverse=node.op == "IFFT", real_input=False)
    _apply_matrix(ctx, node, _flat_pairs(ctx, node.input(0), rank), rank, matrix)


@handler("RFFT", since=13)
def convert_rfft(ctx, node):
    # TF:   output = RFFT(input: real, fft_length: int32 [1])  (n // 2 + 1 complex outputs)
    # ONNX: Output = Reshape(MatMul(Input, W [n, 2 (n // 2 + 1)]), [..., n // 2 + 1, 2])
    rank, n = real_fft_rank_and_length(node)
    size = _static_dim(node, 0, -1, "RFFT")
    x = node.input(0)
    if size > n:
        x = first(ctx, "Slice", [x, const_i64(ctx, [0]), const_i64(ctx, [n]), const_i64(ctx, [-1])])
    elif size < n:
        x = first(ctx, "Pad", [x, const_i64(ctx, [0] * (2 * rank - 1) + [n - size])])
    # Rows past the input's kept size would multiply zeros: the matrix covers n rows.
    matrix = dft_matrix(n, inverse=False, real_input=True, out_size=n // 2 + 1)
    _apply_matrix(ctx, node, x, rank, matrix)


@handler("ComplexAbs")
def convert_complex_abs(ctx, node):
    # TF:   y = ComplexAbs(x: complex, Tout: type)
    # ONNX: Y = ReduceL2(Pairs, axes=[-1], keepdims=0)
    reduce(ctx, "ReduceL2", node.input(0), [-1], keepdims=False, output=node.output(0))


@handler("Real", "Imag")
def convert_real_imag(ctx, node):
    # TF:   output = Real(input: complex, Tout: type)   (Imag alike)
    # ONNX: Output = Gather(Pairs, 0 or 1, axis=-1)
    part = 0 if node.op == "Real" else 1
    first(ctx, "Gather", [node.input(0), const_i64(ctx, part)], {"axis": -1}, output=node.output(0))


@handler("Complex")
def convert_complex(ctx, node):
    # TF:   out = Complex(real, imag, Tout: complex type)
    # ONNX: Out = Concat(Unsqueeze(Real, -1), Unsqueeze(Imag, -1), axis=-1)
    parts = [unsqueeze(ctx, node.input(i), [-1]) for i in (0, 1)]
    first(ctx, "Concat", parts, {"axis": -1}, output=node.output(0), dtype=real_dtype_of(node.output_dtype(0)))


def cast_to_complex(ctx, node, dst) -> None:
    """A Cast of a real tensor to `dst` (complex): the value plus a zero imaginary part."""
    real = real_dtype_of(dst)
    src = node.input_dtype(0)
    x = node.input(0)
    if src is not None and src.is_complex:
        first(ctx, "Cast", [x], {"to": ctx.onnx_type(real)}, output=node.output(0), dtype=real)
        return
    x = unsqueeze(ctx, ctx.cast(x, real), [-1])
    zeros = zeros_like_shape(ctx, shape_of(ctx, x), real)
    first(ctx, "Concat", [x, zeros], {"axis": -1}, output=node.output(0), dtype=real)


def cast_from_complex(ctx, node, dst) -> None:
    """A Cast of a complex tensor to real `dst`: TF keeps the real part."""
    real = first(ctx, "Gather", [node.input(0), const_i64(ctx, 0)], {"axis": -1})
    first(ctx, "Cast", [real], {"to": ctx.onnx_type(dst)}, output=node.output(0), dtype=dst)
