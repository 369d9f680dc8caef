"""Handlers of older or rarer TF ops that frozen TF 1.x graphs still carry.

BatchNormWithGlobalNormalization (graphs of 2015-2016, such as the first Inception v3 release),
AccumulateNV2, the v1 MatrixDiag/MatrixDiagPart (and their Batch* aliases), ConjugateTranspose
of real tensors, ApproximateEqual, and the bitwise ops.
"""

from __future__ import annotations

import numpy as np
from ortflow.converters.emit import const_i64, dim_of, first, reduce, shape_of, unsqueeze
from ortflow.converters.linalg import _eye_mask
from ortflow.converters.math import convert_add_n
from ortflow.converters.registry import handler, require
from ortflow.formats import dtypes

__all__: list[str] = []

handler("AccumulateNV2")(convert_add_n)


@handler("BatchNormWithGlobalNormalization")
def convert_batch_norm_global(ctx, node):
    # TF:   result = BatchNormWithGlobalNormalization(t, m, v, beta, gamma; variance_epsilon,
    #                scale_after_normalization)   (per last-axis channel)
    #       = (t - m) / sqrt(v + eps) * (gamma if scale_after_normalization) + beta
    # ONNX: Y = Add(Mul(Sub(T, M), Div(Gamma or 1, Sqrt(Add(V, eps)))), Beta)
    dtype = node.input_dtype(0).as_numpy_dtype
    eps = ctx.make_const(np.array(node.attr("variance_epsilon"), dtype))
    scale = first(ctx, "Reciprocal", [first(ctx, "Sqrt", [first(ctx, "Add", [node.input(2), eps])])])
    if node.attr("scale_after_normalization"):
        scale = first(ctx, "Mul", [scale, node.input(4)])
    centred = first(ctx, "Sub", [node.input(0), node.input(1)])
    first(ctx, "Add", [first(ctx, "Mul", [centred, scale]), node.input(3)], output=node.output(0))


@handler("MatrixDiag", "BatchMatrixDiag")
def convert_matrix_diag_v1(ctx, node):
    # TF:   output = MatrixDiag(diagonal [..., N])   -> [..., N, N], zeros off the diagonal
    # ONNX: Output = Where(eye [N, N], Unsqueeze(Diagonal, -1), 0)
    shape = node.input_shape(0)
    n = shape[-1] if shape else None
    column = unsqueeze(ctx, node.input(0), [-1])
    if isinstance(n, int):
        mask = _eye_mask(ctx, n, n)
    else:
        length = dim_of(ctx, node.input(0), -1)
        mask = _eye_mask(ctx, None, None, dims=first(ctx, "Concat", [length, length], {"axis": 0}))
    zero = ctx.make_const(np.zeros((), node.input_dtype(0).as_numpy_dtype))
    first(ctx, "Where", [mask, column, zero], output=node.output(0))


@handler("MatrixDiagPart", "BatchMatrixDiagPart")
def convert_matrix_diag_part_v1(ctx, node):
    # TF:   diagonal = MatrixDiagPart(input [..., M, N])   -> [..., min(M, N)]
    # ONNX: Diagonal = Slice(ReduceSum(Where(eye [M, N], X, 0), -1), 0, min(M, N))
    shape = node.input_shape(0)
    require(shape is not None and len(shape) >= 2, node, "the input needs a static rank >= 2")
    m, n = shape[-2], shape[-1]
    mask = _eye_mask(ctx, m, n, like=node.input(0))
    zero = ctx.make_const(np.zeros((), node.input_dtype(0).as_numpy_dtype))
    rows = reduce(ctx, "ReduceSum", first(ctx, "Where", [mask, node.input(0), zero]), [-1], keepdims=False)
    if isinstance(m, int) and isinstance(n, int) and m <= n:
        first(ctx, "Identity", [rows], output=node.output(0))
        return
    dims = first(ctx, "Slice", [shape_of(ctx, node.input(0)), const_i64(ctx, [-2]),
                                const_i64(ctx, [np.iinfo(np.int64).max])])
    length = reduce(ctx, "ReduceMin", dims, [0], keepdims=True)
    first(ctx, "Slice", [rows, const_i64(ctx, [0]), length, const_i64(ctx, [-1])], output=node.output(0))


@handler("ConjugateTranspose")
def convert_conjugate_transpose(ctx, node):
    # TF:   y = ConjugateTranspose(x, perm)   (conj is the identity on real tensors)
    # ONNX: Y = Transpose(X, perm)             (perm must be constant)
    require(not node.input_dtype(0).is_complex, node, "complex tensors are not supported")
    perm = node.input_value(1)
    require(perm is not None, node, "perm must be a constant")
    rank = len(perm)
    perm = [int(p) % rank for p in np.asarray(perm).reshape(-1)]
    first(ctx, "Transpose", [node.input(0)], {"perm": perm}, output=node.output(0))


@handler("ApproximateEqual")
def convert_approximate_equal(ctx, node):
    # TF:   z = ApproximateEqual(x, y; tolerance) = |x - y| < tolerance
    # ONNX: Z = Less(Abs(Sub(X, Y)), tolerance)
    tolerance = ctx.make_const(np.array(node.attr("tolerance", 1e-5), node.input_dtype(0).as_numpy_dtype))
    diff = first(ctx, "Abs", [first(ctx, "Sub", [node.input(0), node.input(1)])])
    first(ctx, "Less", [diff, tolerance], output=node.output(0))


_BITWISE = {"BitwiseAnd": "BitwiseAnd", "BitwiseOr": "BitwiseOr", "BitwiseXor": "BitwiseXor"}


@handler(*_BITWISE, since=18)
def convert_bitwise(ctx, node):
    # TF:   z = BitwiseAnd|Or|Xor(x, y)   (integers, broadcasting)
    # ONNX: Z = BitwiseAnd|Or|Xor(A, B)
    first(ctx, _BITWISE[node.op], [node.input(0), node.input(1)], output=node.output(0))


#: 2**(k mod 32) for k in 0..63: each 32-bit half sums exactly (onnxruntime may sum int64 in
#: double precision, which loses the low bits of a full 64-bit sum)
_BIT_WEIGHTS = np.array([1 << (k % 32) for k in range(64)], np.int64)


def _bits(ctx, x: str) -> str:
    """The 64 two's-complement bits of integer `x` as an int64 [..., 64] tensor of 0s and 1s."""
    wide = ctx.cast(x, dtypes.uint64)  # sign-extended for signed types
    shifts = ctx.make_const(np.arange(64, dtype=np.uint64))
    shifted = first(ctx, "BitShift", [unsqueeze(ctx, wide, [-1]), shifts], {"direction": "RIGHT"})
    return ctx.cast(first(ctx, "Mod", [shifted, ctx.make_const(np.array(2, np.uint64))]), dtypes.int64)


@handler(*_BITWISE, since=13)
def convert_bitwise_13(ctx, node):
    # TF:   z = BitwiseAnd|Or|Xor(x, y)   (integers, broadcasting)
    # ONNX: before opset 18: per bit (BitShift and Mod of the uint64 value), And = a * b,
    #       Or = Max(a, b), Xor = (a + b) mod 2, summed back per 32-bit half (weights 2**k),
    #       low + high * 2**32 in int64 (wrapping), cast to the input type (keeps the low bits)
    dtype = node.input_dtype(0)
    require(dtype is not None and dtype.is_integer, node, f"bitwise ops take integers, not {dtype}")
    a, b = _bits(ctx, node.input(0)), _bits(ctx, node.input(1))
    if node.op == "BitwiseAnd":
        bits = first(ctx, "Mul", [a, b])
    elif node.op == "BitwiseOr":
        bits = first(ctx, "Max", [a, b])
    else:
        bits = first(ctx, "Mod", [first(ctx, "Add", [a, b]), const_i64(ctx, 2)])
    weighted = first(ctx, "Mul", [bits, ctx.make_const(_BIT_WEIGHTS)])
    halves = [reduce(ctx, "ReduceSum", first(ctx, "Slice", [weighted, const_i64(ctx, [lo]), const_i64(ctx, [lo + 32]),
                                                            const_i64(ctx, [-1])]), [-1], keepdims=False)
              for lo in (0, 32)]
    high = first(ctx, "Mul", [halves[1], const_i64(ctx, 1 << 32)])  # wraps past 2**63 as two's complement
    value = first(ctx, "Add", [halves[0], high])
    first(ctx, "Cast", [value], {"to": ctx.onnx_type(dtype)}, output=node.output(0))


@handler("Invert", since=13)
def convert_invert_13(ctx, node):
    # TF:   y = Invert(x) = ~x
    # ONNX: Y = Cast(Sub(-1, Cast(X, int64)), T)   (before opset 18: ~x = -1 - x in two's
    #       complement; the cast back keeps the low bits, which is ~x for unsigned types too)
    dtype = node.input_dtype(0)
    require(dtype is not None and dtype.is_integer, node, f"Invert takes integers, not {dtype}")
    flipped = first(ctx, "Sub", [const_i64(ctx, -1), ctx.cast(node.input(0), dtypes.int64)])
    first(ctx, "Cast", [flipped], {"to": ctx.onnx_type(dtype)}, output=node.output(0))


@handler("Invert", since=18)
def convert_invert(ctx, node):
    # TF:   y = Invert(x) = ~x
    # ONNX: Y = BitwiseNot(X)
    first(ctx, "BitwiseNot", [node.input(0)], output=node.output(0))


_SHIFTS = {"LeftShift": "LEFT", "RightShift": "RIGHT"}


#: signed type -> the unsigned type its shift runs in (onnxruntime's BitShift has no uint16)
_UNSIGNED_FOR = {dtypes.int8: dtypes.uint8, dtypes.int16: dtypes.uint32, dtypes.int32: dtypes.uint32,
                 dtypes.int64: dtypes.uint64}


@handler(*_SHIFTS, since=11)
def convert_shift(ctx, node):
    # TF:   z = LeftShift|RightShift(x, y)   (right shifts of signed integers are arithmetic)
    # ONNX: Z = BitShift(X, Y, direction)   (unsigned integers only)
    #       signed left:  Cast(BitShift(Cast(X, unsigned), Y), signed)   (two's complement wraps)
    #       signed right: on ~X where X < 0 (a non-negative value), ~ again after the shift
    dtype = node.input_dtype(0)
    direction = _SHIFTS[node.op]
    if dtype in (dtypes.uint8, dtypes.uint16, dtypes.uint32, dtypes.uint64):
        first(ctx, "BitShift", [node.input(0), node.input(1)], {"direction": direction}, output=node.output(0))
        return
    unsigned = _UNSIGNED_FOR.get(dtype)
    require(unsigned is not None, node, f"ONNX BitShift takes integers, not {dtype.name}")
    amount = ctx.cast(node.input(1), unsigned)
    if direction == "LEFT":
        shifted = first(ctx, "BitShift", [ctx.cast(node.input(0), unsigned), amount], {"direction": "LEFT"})
        first(ctx, "Cast", [shifted], {"to": ctx.onnx_type(dtype)}, output=node.output(0))
        return
    work = dtypes.int64 if dtype == dtypes.int64 else dtypes.int32  # Sub/Less lack 8/16-bit types at 13
    np_type = work.as_numpy_dtype
    x = ctx.cast(node.input(0), work)
    negative = first(ctx, "Less", [x, ctx.make_const(np.zeros((), np_type))])
    minus_one = ctx.make_const(np.array(-1, np_type))
    flipped = first(ctx, "Sub", [minus_one, x])  # ~x = -1 - x, never overflows
    base = first(ctx, "Where", [negative, flipped, x])
    shifted = first(ctx, "BitShift", [ctx.cast(base, unsigned), amount], {"direction": "RIGHT"})
    back = ctx.cast(shifted, work)
    result = first(ctx, "Where", [negative, first(ctx, "Sub", [minus_one, back]), back],
                   output=node.output(0) if work == dtype else None)
    if work != dtype:
        first(ctx, "Cast", [result], {"to": ctx.onnx_type(dtype)}, output=node.output(0))
