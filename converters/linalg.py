"""Handlers of TF matrix ops: determinants, inverses and solves of small matrices, cross
products, and the diagonal ops (MatrixDiag/DiagPart/SetDiag V3, Diag, DiagPart).

ONNX has `Det` but no inverse: the inverse of a static n x n matrix (n <= MAX_COFACTOR_SIZE) is
its adjugate over its determinant, the n * n cofactors being `Det`s of the gathered minors.
That is exact algebra, well suited to the small, well-conditioned matrices graphs invert
(covariances, poses, filters); bigger or float64 matrices (onnxruntime's Det is float32 only)
are refused here, and a Session then runs the graph on its numpy interpreter. Decompositions
(Svd, SelfAdjointEigV2, Qr) have no ONNX form and always take that route; Cholesky of a static
matrix up to MAX_CHOLESKY_SIZE square is unrolled column by column.
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

__all__ = ["MAX_CHOLESKY_SIZE", "MAX_COFACTOR_SIZE"]

#: Largest matrix the cofactor inverse handles (n * n determinants of (n - 1)-square minors).
MAX_COFACTOR_SIZE = 16


def _require_main_diagonal(node, k_index: int = 1) -> None:
    k = node.input_value(k_index)
    require(k is not None and np.asarray(k).reshape(-1).tolist() == [0], node,
            "only the main diagonal (constant k = 0) is supported")


def _single_diagonal(node, k_index: int = 1) -> int:
    """The constant k of a one-diagonal op; a band of diagonals (k = [lo, hi], lo < hi) is refused."""
    k = node.input_value(k_index)
    require(k is not None, node, "the diagonal index k must be constant")
    ks = np.asarray(k).reshape(-1).tolist()
    require(len(ks) == 1 or (len(ks) == 2 and ks[0] == ks[1]), node,
            f"only one diagonal is supported, not the band k = {ks}")
    return int(ks[0])


def _eye_mask(ctx, rows, cols, like: str | None = None, dims: str | None = None, k: int = 0) -> str:
    """A bool [rows, cols] mask of diagonal `k` (0: the main one): a constant when both sizes are
    ints, else of the int64 [2] value `dims`, or of the last two dims of `like`."""
    if isinstance(rows, int) and isinstance(cols, int):
        return ctx.make_const(np.eye(rows, cols, k=k, dtype=bool))
    if dims is None:
        dims = first(ctx, "Slice", [shape_of(ctx, like), const_i64(ctx, [-2]),
                                    const_i64(ctx, [np.iinfo(np.int64).max])])
    zeros = first(ctx, "ConstantOfShape", [dims], {"value": np.zeros(1, np.float32)})
    return first(ctx, "Cast", [first(ctx, "EyeLike", [zeros], {"k": k} if k else None)],
                 {"to": ctx.onnx_type(dtypes.bool)})


def _require_det_type(node, dtype) -> None:
    require(dtype in (dtypes.float16, dtypes.float32), node,
            f"onnxruntime's Det takes float16 and float32, not {dtype}")


@handler("MatrixDeterminant", since=11)
def convert_matrix_determinant(ctx, node):
    # TF:   output = MatrixDeterminant(input [..., M, M])
    # ONNX: Y = Det(X)   (float16 / float32)
    _require_det_type(node, node.input_dtype(0))
    first(ctx, "Det", [node.input(0)], output=node.output(0))


@handler("LogMatrixDeterminant", since=11)
def convert_log_matrix_determinant(ctx, node):
    # TF:   sign, log_abs_determinant = LogMatrixDeterminant(input [..., M, M])
    # ONNX: Sign = Sign(Det(X)), Log = Log(Abs(Det(X)))
    _require_det_type(node, node.input_dtype(0))
    det = first(ctx, "Det", [node.input(0)])
    first(ctx, "Sign", [det], output=node.output(0))
    first(ctx, "Log", [first(ctx, "Abs", [det])], output=node.output(1))


def _square_size(node, i: int = 0) -> int:
    shape = node.input_shape(i)
    require(shape is not None and len(shape) >= 2 and shape[-1] is not None and shape[-1] == shape[-2], node,
            "the matrix needs a static square size")
    n = int(shape[-1])
    require(n <= MAX_COFACTOR_SIZE, node, f"the cofactor inverse takes matrices up to {MAX_COFACTOR_SIZE} square, "
            f"not {n}")
    return n


def _swap_last_two(ctx, x: str, rank: int) -> str:
    perm = list(range(rank))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return first(ctx, "Transpose", [x], {"perm": perm})


def _inverse(ctx, x: str, n: int, rank: int) -> str:
    """inv(x) = adjugate(x) / det(x) for a [..., n, n] float32 value of static rank `rank`."""
    if n == 1:
        return first(ctx, "Reciprocal", [x])
    # minors[..., i, j, a, b] = x[..., rows_i[a], cols_j[b]]: x without row i and column j.
    keep = np.array([[r for r in range(n) if r != i] for i in range(n)], dtype=np.int64)
    rows = first(ctx, "Gather", [x, ctx.make_const(keep)], {"axis": rank - 2})        # [..., i, a, n]
    minors = first(ctx, "Gather", [rows, ctx.make_const(keep)], {"axis": rank})       # [..., i, a, j, b]
    batch = list(range(rank - 2))
    minors = first(ctx, "Transpose", [minors], {"perm": batch + [rank - 2, rank, rank - 1, rank + 1]})
    signs = np.array([[(-1.0) ** (i + j) for j in range(n)] for i in range(n)], dtype=np.float32)
    cofactors = first(ctx, "Mul", [first(ctx, "Det", [minors]), ctx.make_const(signs)])
    det = unsqueeze(ctx, first(ctx, "Det", [x]), [-2, -1])
    return first(ctx, "Div", [_swap_last_two(ctx, cofactors, rank), det])


@handler("MatrixInverse", since=13)
def convert_matrix_inverse(ctx, node):
    # TF:   output = MatrixInverse(input [..., M, M], adjoint)
    # ONNX: Y = Transpose(Det(minors) * signs) / Det(X)     (adjugate over determinant, M <= 16)
    _require_det_type(node, node.input_dtype(0))
    n, rank = _square_size(node), node.input_rank(0)
    x = node.input(0)
    if node.attr("adjoint", False):
        x = _swap_last_two(ctx, x, rank)
    first(ctx, "Identity", [_inverse(ctx, x, n, rank)], output=node.output(0))


def _solve(ctx, node, matrix: str) -> None:
    _require_det_type(node, node.input_dtype(0))
    n, rank = _square_size(node), node.input_rank(0)
    require(node.input_rank(1) == rank, node, "matrix and rhs need the same static rank")
    if node.attr("adjoint", False):
        matrix = _swap_last_two(ctx, matrix, rank)
    first(ctx, "MatMul", [_inverse(ctx, matrix, n, rank), node.input(1)], output=node.output(0))


@handler("MatrixSolve", since=13)
def convert_matrix_solve(ctx, node):
    # TF:   output = MatrixSolve(matrix [..., M, M], rhs [..., M, K], adjoint)
    # ONNX: Output = MatMul(inverse(Matrix), Rhs)    (the cofactor inverse, M <= 16)
    _solve(ctx, node, node.input(0))


@handler("MatrixTriangularSolve", since=13)
def convert_matrix_triangular_solve(ctx, node):
    # TF:   output = MatrixTriangularSolve(matrix [..., M, M], rhs [..., M, K], lower, adjoint)
    #       (only the `lower` (else upper) triangle of matrix is read)
    # ONNX: Output = MatMul(inverse(Where(triangle [M, M], Matrix, 0)), Rhs)
    # M is static (the cofactor inverse needs it), so a constant mask does Trilu's work at any opset.
    n = _square_size(node)
    lower = bool(node.attr("lower", True))
    mask = np.tril(np.ones((n, n), dtype=bool)) if lower else np.triu(np.ones((n, n), dtype=bool))
    zero = ctx.make_const(np.zeros((), node.input_dtype(0).as_numpy_dtype))
    _solve(ctx, node, first(ctx, "Where", [ctx.make_const(mask), node.input(0), zero]))


@handler("Cross", since=13)
def convert_cross(ctx, node):
    # TF:   product = Cross(a [..., 3], b [..., 3])
    # ONNX: Product = Concat(a1 b2 - a2 b1, a2 b0 - a0 b2, a0 b1 - a1 b0)  along the last axis
    def part(x, i):
        return first(ctx, "Gather", [x, const_i64(ctx, [i])], {"axis": -1})
    a = [part(node.input(0), i) for i in range(3)]
    b = [part(node.input(1), i) for i in range(3)]

    def det2(i, j):
        return first(ctx, "Sub", [first(ctx, "Mul", [a[i], b[j]]), first(ctx, "Mul", [a[j], b[i]])])
    first(ctx, "Concat", [det2(1, 2), det2(2, 0), det2(0, 1)], {"axis": -1}, output=node.output(0))


@handler("Diag", since=13)
def convert_diag(ctx, node):
    # TF:   output = Diag(diagonal of shape s)          (output shape s + s)
    # ONNX: Output = Reshape(Mul(Unsqueeze(flat(D), -1), eye [N, N]), s + s)   (s static, N = prod(s))
    shape = node.input_shape(0)
    require(shape is not None and all(d is not None for d in shape), node, "the diagonal needs a static shape")
    count = int(np.prod(shape, dtype=np.int64))
    flat = first(ctx, "Reshape", [node.input(0), const_i64(ctx, [count, 1])])
    zero = ctx.make_const(np.zeros((), node.input_dtype(0).as_numpy_dtype))
    square = first(ctx, "Where", [ctx.make_const(np.eye(count, dtype=bool)), flat, zero])
    first(ctx, "Reshape", [square, const_i64(ctx, list(shape) * 2)], output=node.output(0))


@handler("DiagPart", since=13)
def convert_diag_part(ctx, node):
    # TF:   diagonal = DiagPart(input of shape s + s)    (output shape s)
    # ONNX: Diagonal = Reshape(ReduceSum(Where(eye [N, N], Reshape(X, [N, N]), 0), -1), s)
    shape = node.input_shape(0)
    require(shape is not None and all(d is not None for d in shape) and len(shape) % 2 == 0, node,
            "the input needs a static shape of even rank")
    half = list(shape[:len(shape) // 2])
    count = int(np.prod(half, dtype=np.int64))
    square = first(ctx, "Reshape", [node.input(0), const_i64(ctx, [count, count])])
    zero = ctx.make_const(np.zeros((), node.input_dtype(0).as_numpy_dtype))
    masked = first(ctx, "Where", [ctx.make_const(np.eye(count, dtype=bool)), square, zero])
    summed = reduce(ctx, "ReduceSum", masked, [-1], keepdims=False)
    first(ctx, "Reshape", [summed, const_i64(ctx, half)], output=node.output(0))


@handler("MatrixDiagV2", "MatrixDiagV3", since=13)
def convert_matrix_diag(ctx, node):
    # TF:   output = MatrixDiagV3(diagonal [..., N], k, num_rows, num_cols, padding_value, align)
    # ONNX: Output = Where(eye [N, N], Unsqueeze(Diagonal, -1), padding_value)   (k = 0, default sizes)
    #       k != 0 (static N): eye [N+|k|, N+|k|] of diagonal k, the diagonal padded by |k| (after
    #       it for k > 0, before it for k < 0) so that row i holds the value diagonal k puts there
    k = _single_diagonal(node)
    for i, what in ((2, "num_rows"), (3, "num_cols")):
        v = node.input_value(i)
        require(v is not None and int(np.asarray(v).reshape(())) == -1, node, f"{what} must be the default (-1)")
    shape = node.input_shape(0)
    n = shape[-1] if shape else None
    column = unsqueeze(ctx, node.input(0), [-1])
    if k:
        rank = node.input_rank(0)
        require(isinstance(n, int) and rank is not None, node, f"diagonal k = {k} needs a static diagonal length")
        before, after = (0, k) if k > 0 else (-k, 0)
        pads = const_i64(ctx, [0] * (rank - 1) + [before, 0] + [0] * (rank - 1) + [after, 0])
        column = first(ctx, "Pad", [column, pads])
        size = n + abs(k)
        first(ctx, "Where", [_eye_mask(ctx, size, size, k=k), column, node.input(4)], output=node.output(0))
        return
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
    #       k > 0: the sum over columns keeps x[i, i+k] in row i, i < min(M, N-k);
    #       k < 0: the sum over rows keeps x[j-k, j] in column j, j < min(M+k, N)   (static M, N)
    k = _single_diagonal(node)
    m, n = _diag_dims(node)
    if k:
        require(isinstance(m, int) and isinstance(n, int), node, f"diagonal k = {k} needs static matrix dims")
        length = min(m, n - k) if k > 0 else min(m + k, n)
        require(length > 0, node, f"diagonal k = {k} lies outside the {m} x {n} matrix")
        zero = ctx.make_const(np.zeros((), dtype=node.input_dtype(0).as_numpy_dtype))
        masked = first(ctx, "Where", [_eye_mask(ctx, m, n, k=k), node.input(0), zero])
        summed = reduce(ctx, "ReduceSum", masked, [-1 if k > 0 else -2], keepdims=False)
        first(ctx, "Slice", [summed, const_i64(ctx, [0]), const_i64(ctx, [length]), const_i64(ctx, [-1])],
              output=node.output(0))
        return
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


#: Largest matrix the unrolled Cholesky handles (one column per step).
MAX_CHOLESKY_SIZE = 32


@handler("Cholesky", since=13)
def convert_cholesky(ctx, node):
    # TF:   output = Cholesky(input [..., M, M])       (reads the lower triangle)
    # ONNX: column by column, j = 0 .. M-1 (static M <= 32):
    #       v = X[..., :, j] - sum_k<j L[..., :, k] * L[..., j, k];  L[..., :, j] = v / sqrt(v[j]) below the diagonal
    shape = node.input_shape(0)
    require(shape is not None and len(shape) >= 2 and shape[-1] is not None and shape[-1] == shape[-2], node,
            "the matrix needs a static square size")
    n = int(shape[-1])
    require(n <= MAX_CHOLESKY_SIZE, node, f"the unrolled Cholesky takes matrices up to {MAX_CHOLESKY_SIZE} square")
    dtype = node.input_dtype(0)
    x = node.input(0)
    columns: list[str] = []
    for j in range(n):
        v = first(ctx, "Slice", [x, const_i64(ctx, [j]), const_i64(ctx, [j + 1]), const_i64(ctx, [-1])])
        for col in columns:
            ljk = first(ctx, "Slice", [col, const_i64(ctx, [j]), const_i64(ctx, [j + 1]), const_i64(ctx, [-2])])
            v = first(ctx, "Sub", [v, first(ctx, "Mul", [col, ljk])])
        pivot = first(ctx, "Sqrt", [first(ctx, "Slice", [v, const_i64(ctx, [j]), const_i64(ctx, [j + 1]),
                                                         const_i64(ctx, [-2])])])
        below = ctx.make_const((np.arange(n) >= j).astype(dtype.as_numpy_dtype).reshape(n, 1))
        columns.append(first(ctx, "Mul", [first(ctx, "Div", [v, pivot]), below]))
    first(ctx, "Concat", columns, {"axis": -1}, output=node.output(0))
