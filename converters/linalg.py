"""Handlers of TF matrix ops: determinants and the main-diagonal ops (MatrixDiag/DiagPart/SetDiag V3).

Inverses, solves and decompositions (MatrixInverse, Svd, SelfAdjointEigV2, ...) have no ONNX
operator; a Session runs graphs holding them on its numpy interpreter instead.
"""

from __future__ import annotations

import numpy as np
from ortflow.converters.emit import (
    const_i64,
    dim_of,
    first,
    reduce,
    shape_of,
    unsqueeze,
)
from ortflow.converters.registry import handler, require
from ortflow.formats import dtypes

__all__: list[str] = []


def _require_main_diagonal(node, k_index: int = 1) -> None:
    k = node.input_value(k_index)
    require(k is not None and np.asarray(k).reshape(-1).tolist() == [0], node,
            "only the main diagonal (constant k = 0) is supported")


def _eye_mask(ctx, rows, cols, like: str | None = None, dims: str | None = None) -> str:
    """A bool [rows, cols] identity mask: a constant when both sizes are ints, else of the int64
    [2] value `dims`, or of the last two dims of `like`."""
    if isinstance(rows, int) and isinstance(cols, int):
        return ctx.make_const(np.eye(rows, cols, dtype=bool))
    if dims is None:
        dims = first(ctx, "Slice", [shape_of(ctx, like), const_i64(ctx, [-2]),
                                    const_i64(ctx, [np.iinfo(np.int64).max])])
    zeros = first(ctx, "ConstantOfShape", [dims], {"value": np.zeros(1, np.float32)})
    return first(ctx, "Cast", [first(ctx, "EyeLike", [zeros])], {"to": ctx.onnx_type(dtypes.bool)})


@handler("MatrixDeterminant", since=11)
def convert_matrix_determinant(ctx, node):
    # TF:   output = MatrixDeterminant(input [..., M, M])
    # ONNX: Y = Det(X)   (float types)
    dtype = node.input_dtype(0)
    require(dtype in (dtypes.float16, dtypes.float32, dtypes.float64), node, f"Det takes floats, not {dtype}")
    first(ctx, "Det", [node.input(0)], output=node.output(0))


@handler("MatrixDiagV2", "MatrixDiagV3", since=13)
def convert_matrix_diag(ctx, node):
    # TF:   output = MatrixDiagV3(diagonal [..., N], k, num_rows, num_cols, padding_value, align)
    # ONNX: Output = Where(eye [N, N], Unsqueeze(Diagonal, -1), padding_value)   (k = 0, default sizes)
    _require_main_diagonal(node)
    for i, what in ((2, "num_rows"), (3, "num_cols")):
        v = node.input_value(i)
        require(v is not None and int(np.asarray(v).reshape(())) == -1, node, f"{what} must be the default (-1)")
    shape = node.input_shape(0)
    n = shape[-1] if shape else None
    column = unsqueeze(ctx, node.input(0), [-1])
    if n is not None:
        mask = _eye_mask(ctx, n, n)
    else:
        length = dim_of(ctx, node.input(0), -1)
        mask = _eye_mask(ctx, None, None, dims=first(ctx, "Concat", [length, length], {"axis": 0}))
    first(ctx, "Where", [mask, column, node.input(4)], output=node.output(0))


def _diag_dims(node):
    shape = node.input_shape(0)
    require(shape is not None and len(shape) >= 2, node, "the input needs a static rank >= 2")
    return shape[-2], shape[-1]


@handler("MatrixDiagPartV2", "MatrixDiagPartV3", since=13)
def convert_matrix_diag_part(ctx, node):
    # TF:   diagonal = MatrixDiagPartV3(input [..., M, N], k, padding_value, align)
    # ONNX: Diagonal = Slice(ReduceSum(Where(eye [M, N], X, 0), -1), 0, min(M, N))   (k = 0)
    _require_main_diagonal(node)
    m, n = _diag_dims(node)
    mask = _eye_mask(ctx, m, n, like=node.input(0))
    zero = ctx.make_const(np.zeros((), dtype=node.input_dtype(0).as_numpy_dtype))
    rows = reduce(ctx, "ReduceSum", first(ctx, "Where", [mask, node.input(0), zero]), [-1], keepdims=False)
    if isinstance(m, int) and isinstance(n, int):
        if m <= n:
            first(ctx, "Identity", [rows], output=node.output(0))
            return
        length = const_i64(ctx, [min(m, n)])
    else:
        dims = first(ctx, "Slice", [shape_of(ctx, node.input(0)), const_i64(ctx, [-2]),
                                    const_i64(ctx, [np.iinfo(np.int64).max])])
        length = reduce(ctx, "ReduceMin", dims, [0], keepdims=True)
    first(ctx, "Slice", [rows, const_i64(ctx, [0]), length, const_i64(ctx, [-1])], output=node.output(0))


@handler("MatrixSetDiag", "MatrixSetDiagV2", "MatrixSetDiagV3", since=13)
def convert_matrix_set_diag(ctx, node):
    # TF:   output = MatrixSetDiagV3(input [..., M, N], diagonal [..., min(M, N)], k, align)
    # ONNX: Output = Where(eye [M, N], Unsqueeze(Pad(Diagonal to M), -1), X)   (k = 0)
    if node.op != "MatrixSetDiag":
        _require_main_diagonal(node, 2)
    m, n = _diag_dims(node)
    require(isinstance(m, int) and isinstance(n, int), node, "the matrix dims need static sizes")
    diagonal = node.input(1)
    if m > n:
        rank = node.input_rank(1)
        pads = const_i64(ctx, [0] * rank + [0] * (rank - 1) + [m - n])
        diagonal = first(ctx, "Pad", [diagonal, pads])
    column = unsqueeze(ctx, diagonal, [-1])
    first(ctx, "Where", [_eye_mask(ctx, m, n), column, node.input(0)], output=node.output(0))
