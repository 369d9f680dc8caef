"""`tf.linalg`: matrix products, inverses, decompositions and diagonals."""

from __future__ import annotations

import collections

import numpy as np
from ortflow.api import array_ops, math_ops
from ortflow.api.ops_builder import apply_op, apply_op_output, constant, convert_to_tensor, graph_of
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import get_default_graph

__all__ = [
    "adjoint",
    "band_part",
    "cholesky",
    "cholesky_solve",
    "cross",
    "det",
    "diag",
    "diag_part",
    "eigh",
    "eigvalsh",
    "einsum",
    "eye",
    "inv",
    "l2_normalize",
    "logdet",
    "matmul",
    "matrix_transpose",
    "matvec",
    "norm",
    "normalize",
    "qr",
    "set_diag",
    "slogdet",
    "solve",
    "svd",
    "tensor_diag",
    "tensor_diag_part",
    "tensordot",
    "trace",
    "transpose",
    "triangular_solve",
]

matmul = math_ops.matmul
l2_normalize = math_ops.l2_normalize


def inv(input, adjoint=False, name=None):
    return apply_op_output("MatrixInverse", [input], {"adjoint": adjoint}, name=name or "MatrixInverse")


def det(input, name=None):
    return apply_op_output("MatrixDeterminant", [input], name=name or "MatrixDeterminant")


def logdet(matrix, name=None):
    """log(det(matrix)) of a Hermitian positive definite matrix, through its Cholesky factor."""
    g = graph_of(matrix)
    with g.as_default(), g.name_scope(name or "logdet"):
        chol = cholesky(matrix)
        return math_ops.multiply(2.0, math_ops.reduce_sum(math_ops.log(diag_part(chol)), -1))


def cholesky(input, name=None):
    return apply_op_output("Cholesky", [input], name=name or "Cholesky")


def qr(input, full_matrices=False, name=None):
    op = apply_op("Qr", [input], {"full_matrices": full_matrices}, name=name or "Qr")
    return op.outputs[0], op.outputs[1]


def solve(matrix, rhs, adjoint=False, name=None):
    return apply_op_output("MatrixSolve", [matrix, rhs], {"adjoint": adjoint}, name=name or "MatrixSolve")


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0, align="RIGHT_LEFT"):
    """A matrix with `diagonal` on its diagonal (`MatrixDiagV3`; ONNX conversion: k = 0 only)."""
    return apply_op_output("MatrixDiagV3", [diagonal, k, num_rows, num_cols, padding_value], {"align": align},
                           name=name)


def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):
    """The main diagonal (`MatrixDiagPartV3`)."""
    return apply_op_output("MatrixDiagPartV3", [input, k, padding_value], {"align": align}, name=name)


def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT"):
    """`input` with its main diagonal replaced by `diagonal` (`MatrixSetDiagV3`)."""
    return apply_op_output("MatrixSetDiagV3", [input, diagonal, k], {"align": align}, name=name)


def tensor_diag(diagonal, name=None):
    """A tensor of shape s + s with `diagonal` (shape s) on its diagonal (`Diag`)."""
    return apply_op_output("Diag", [diagonal], name=name or "Diag")


def tensor_diag_part(input, name=None):
    """The diagonal of a tensor of shape s + s (`DiagPart`)."""
    return apply_op_output("DiagPart", [input], name=name or "DiagPart")


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """Singular values `s` (and `u`, `v` with tensor = u @ diag(s) @ adjoint(v)) (`Svd`).

    Returns:
        (s, u, v) when `compute_uv`, else s.
    """
    op = apply_op("Svd", [tensor], {"full_matrices": bool(full_matrices), "compute_uv": bool(compute_uv)},
                  name=name or "Svd")
    return tuple(op.outputs) if compute_uv else op.outputs[0]


def eigh(tensor, name=None):
    """Eigenvalues (ascending) and eigenvectors of self-adjoint matrices (`SelfAdjointEigV2`)."""
    op = apply_op("SelfAdjointEigV2", [tensor], {"compute_v": True}, name=name or "SelfAdjointEigV2")
    return op.outputs[0], op.outputs[1]


def eigvalsh(tensor, name=None):
    """Eigenvalues (ascending) of self-adjoint matrices (`SelfAdjointEigV2`, compute_v=False)."""
    return apply_op("SelfAdjointEigV2", [tensor], {"compute_v": False}, name=name or "SelfAdjointEigV2").outputs[0]


def slogdet(input, name=None):
    """(sign, log |det|) of square matrices (`LogMatrixDeterminant`)."""
    op = apply_op("LogMatrixDeterminant", [input], name=name or "LogMatrixDeterminant")
    return op.outputs[0], op.outputs[1]


def matrix_triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """Solves matrix @ x = rhs for triangular `matrix` (`MatrixTriangularSolve`)."""
    return apply_op_output("MatrixTriangularSolve", [matrix, rhs], {"lower": bool(lower), "adjoint": bool(adjoint)},
                           name=name or "MatrixTriangularSolve")


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """`matrix_triangular_solve` inside a "triangular_solve" scope, as `tf.linalg.triangular_solve`."""
    g = graph_of(matrix, rhs)
    with g.as_default(), g.name_scope(name or "triangular_solve"):
        return matrix_triangular_solve(matrix, rhs, lower=lower, adjoint=adjoint)


def cholesky_solve(chol, rhs, name=None):
    """Solves A x = rhs given the lower Cholesky factor `chol` of A (two triangular solves)."""
    g = graph_of(chol, rhs)
    with g.as_default(), g.name_scope(name or "cholesky_solve"):
        y = matrix_triangular_solve(chol, rhs, adjoint=False, lower=True)
        return matrix_triangular_solve(chol, y, adjoint=True, lower=True)


def normalize(tensor, ord="euclidean", axis=None, name=None):
    """(tensor / norm, norm), the norm kept with its reduced axes."""
    g = graph_of(tensor)
    with g.as_default(), g.name_scope(name or "normalize"):
        tensor = convert_to_tensor(tensor)
        n = norm(tensor, ord=ord, axis=axis, keepdims=True)
        return math_ops.truediv(tensor, n), n


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False, name=None):
    """Matrix-vector product a @ b over the last axes (ExpandDims, MatMul, Squeeze)."""
    g = graph_of(a, b)
    with g.as_default(), g.name_scope(name or "MatVec"):
        product = math_ops.matmul(a, array_ops.expand_dims(b, -1), transpose_a=transpose_a, adjoint_a=adjoint_a)
        return array_ops.squeeze(product, axis=-1)


def adjoint(matrix, name=None):
    """The conjugate transpose of the last two axes."""
    g = graph_of(matrix)
    with g.as_default(), g.name_scope(name or "adjoint"):
        return matrix_transpose(math_ops.conj(convert_to_tensor(matrix)))


def cross(a, b, name=None):
    """Pairwise cross products of 3-vectors (`Cross`)."""
    return apply_op_output("Cross", [a, b], name=name or "Cross")


def _is_static_size(value) -> bool:
    return value is None or isinstance(value, (int, np.integer))


def eye(num_rows, num_columns=None, batch_shape=None, dtype=_dtypes.float32, name=None):
    """An identity matrix: a constant for int sizes; for tensor sizes (`tf.eye(tf.shape(x)[0])`),
    ones where a row index equals a column index, computed at run time."""
    dtype = _dtypes.as_dtype(dtype)
    if not (_is_static_size(num_rows) and _is_static_size(num_columns)):
        return _dynamic_eye(num_rows, num_columns, batch_shape, dtype, name)
    value = np.eye(num_rows, num_columns, dtype=dtype.as_numpy_dtype)
    if batch_shape:
        value = np.broadcast_to(value, list(batch_shape) + list(value.shape)).copy()
    return constant(value, dtype=dtype, name=name or "eye")


def _dynamic_eye(num_rows, num_columns, batch_shape, dtype, name):
    g = get_default_graph()
    with g.name_scope(name or "eye"):
        rows = convert_to_tensor(num_rows, dtype=_dtypes.int32, name="num_rows")
        cols = rows if num_columns is None else convert_to_tensor(num_columns, dtype=_dtypes.int32,
                                                                  name="num_columns")
        same = math_ops.equal(array_ops.expand_dims(array_ops.range(rows), 1),
                              array_ops.expand_dims(array_ops.range(cols), 0))
        matrix = math_ops.cast(same, dtype)
        if batch_shape:
            batch = convert_to_tensor(batch_shape, dtype=_dtypes.int32, name="batch_shape")
            shape = array_ops.concat([batch, array_ops.stack([rows, cols])], 0)
            matrix = array_ops.broadcast_to(matrix, shape)
        return matrix


def trace(x, name=None):
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "Trace"):
        return math_ops.reduce_sum(diag_part(x), -1)


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """Swaps the last two axes."""
    g = graph_of(a)
    with g.as_default(), g.name_scope(name):
        a = convert_to_tensor(a, name="a")
        rank = a.shape.rank
        if rank is None:
            raise NotImplementedError("matrix_transpose needs a tensor of known rank")
        perm = list(range(rank - 2)) + [rank - 1, rank - 2]
        return array_ops.transpose(a, perm)


transpose = matrix_transpose


def band_part(input, num_lower, num_upper, name=None):
    return apply_op_output("MatrixBandPart", [input, num_lower, num_upper], name=name or "MatrixBandPart")


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None, keep_dims=None):
    """The vector or matrix norm of `tensor` (`tf.norm`).

    `axis` None or an int: a vector norm (over all elements for None) of order "euclidean",
    1, 2, inf or any p > 0. `axis` a pair: a matrix norm of order "fro"/"euclidean" (Frobenius),
    1 (largest column sum of |x|) or inf (largest row sum).

    Raises:
        ValueError: an `ord` TF does not accept for that `axis`.
    """
    keepdims = bool(keepdims if keepdims is not None else keep_dims)
    is_matrix = isinstance(axis, (list, tuple)) and len(axis) == 2
    if isinstance(axis, (list, tuple)) and len(axis) not in (1, 2):
        raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 integers. Received: axis={axis}")
    if is_matrix and ord not in ("fro", "euclidean", 1, 1.0, np.inf):
        raise ValueError(f"'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, inf] "
                         f"(ortflow has no spectral norm). Received: ord={ord!r}")
    if not is_matrix and not (ord in ("fro", "euclidean", np.inf)
                              or (isinstance(ord, (int, float)) and ord > 0)):
        raise ValueError(f"'ord' must be a supported vector norm, got ord={ord!r}.")
    g = graph_of(tensor)
    with g.as_default(), g.name_scope(name or "norm"):
        tensor = convert_to_tensor(tensor)
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        magnitude = math_ops.abs(tensor)
        if ord in ("euclidean", "fro") or (not is_matrix and ord in (2, 2.0)):
            return math_ops.sqrt(math_ops.reduce_sum(math_ops.square(tensor), axis, keepdims=keepdims))
        if is_matrix:
            return _matrix_norm(magnitude, ord, list(axis), keepdims)
        if ord in (1, 1.0):
            return math_ops.reduce_sum(magnitude, axis, keepdims=keepdims)
        if ord == np.inf:
            return math_ops.reduce_max(magnitude, axis, keepdims=keepdims)
        powered = math_ops.reduce_sum(math_ops.pow(magnitude, ord), axis, keepdims=keepdims)
        return math_ops.pow(powered, 1.0 / ord)


def _matrix_norm(magnitude, ord, axis, keepdims):
    # 1: the largest column sum (sum over rows, max over columns); inf: the largest row sum.
    rows, cols = axis
    sum_axis, max_axis = (rows, cols) if ord in (1, 1.0) else (cols, rows)
    summed = math_ops.reduce_sum(magnitude, sum_axis, keepdims=True)
    result = math_ops.reduce_max(summed, max_axis, keepdims=True)
    if keepdims:
        return result
    return array_ops.squeeze(result, axis=sorted(axis))


def einsum(equation, *inputs, name=None):
    """`Einsum` over the inputs."""
    return apply_op_output("Einsum", [list(inputs)], {"equation": equation}, name=name or "Einsum")


tensordot = math_ops.tensordot


# TF 1.x top-level names of the same ops.
matrix_inverse = inv
matrix_determinant = det
matrix_solve = solve
matrix_band_part = band_part
matrix_diag = diag
matrix_diag_part = diag_part
matrix_set_diag = set_diag
self_adjoint_eig = eigh
self_adjoint_eigvals = eigvalsh

global_norm = math_ops.global_norm


def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """Least-squares solution of matrix @ x = rhs through the normal equations (`fast=True` only).

    As TensorFlow's fast path: Cholesky of matrix^H matrix (+ l2_regularizer I) for a tall or
    square matrix, of matrix matrix^H for a wide one.

    Raises:
        NotImplementedError: `fast=False` (TensorFlow's QR path), or matrix dims of unknown size.
    """
    if not fast:
        raise NotImplementedError("lstsq(fast=False) is not supported by ortflow yet")
    g = graph_of(matrix, rhs)
    with g.as_default(), g.name_scope(name or "matrix_solve_ls"):
        matrix = convert_to_tensor(matrix, name="matrix")
        rhs = convert_to_tensor(rhs, dtype=matrix.dtype.base_dtype, name="rhs")
        dims = matrix.shape.as_list() if matrix.shape.rank is not None else None
        if dims is None:
            raise NotImplementedError("lstsq needs a matrix of known rank")
        rows, cols = dims[-2], dims[-1]

        def regularized(gram, n):
            if l2_regularizer == 0.0:
                return gram
            return math_ops.add(gram, math_ops.multiply(l2_regularizer, eye(n, dtype=matrix.dtype)))

        def overdetermined():
            gram = regularized(math_ops.matmul(matrix, matrix, adjoint_a=True), cols)
            chol = cholesky(gram)
            return cholesky_solve(chol, math_ops.matmul(matrix, rhs, adjoint_a=True))

        def underdetermined():
            gram = regularized(math_ops.matmul(matrix, matrix, adjoint_b=True), rows)
            chol = cholesky(gram)
            return math_ops.matmul(matrix, cholesky_solve(chol, rhs), adjoint_a=True)

        if rows is not None and cols is not None:
            return overdetermined() if rows >= cols else underdetermined()
        # As TensorFlow: a matrix of unknown size picks its branch at run time (tf.cond).
        from ortflow.api.control_flow_ops import cond

        shape = array_ops.shape(matrix)
        rows = shape[-2] if rows is None else rows
        cols = shape[-1] if cols is None else cols
        return cond(math_ops.greater_equal(rows, cols), overdetermined, underdetermined)


matrix_solve_ls = lstsq

__all__ += ["global_norm", "lstsq"]


def _default_tolerance(a, dtype) -> float:
    # max(rows, cols) * eps * max(singular value), as numpy and TensorFlow default it.
    dims = a.shape.as_list() if a.shape.rank is not None else None
    eps = float(np.finfo(dtype.as_numpy_dtype).eps)
    if dims is None or dims[-1] is None or dims[-2] is None:  # from the run-time shape
        size = math_ops.reduce_max(array_ops.shape(a)[-2:])
        return math_ops.multiply(math_ops.cast(size, dtype), eps)
    return max(dims[-2], dims[-1]) * eps


def pinv(a, rcond=None, validate_args=False, name=None):
    """Moore-Penrose pseudo-inverse through the SVD (singular values below rcond * max are dropped)."""
    g = graph_of(a)
    with g.as_default(), g.name_scope(name or "pinv"):
        a = convert_to_tensor(a, name="a")
        dtype = a.dtype.base_dtype
        if rcond is None:
            rcond = math_ops.multiply(_default_tolerance(a, dtype), 10.0) \
                if a.shape.rank is None or None in a.shape.as_list()[-2:] else 10.0 * _default_tolerance(a, dtype)
        s, u, v = svd(a, full_matrices=False, compute_uv=True)
        cutoff = math_ops.multiply(convert_to_tensor(rcond, dtype=dtype), math_ops.reduce_max(s, -1))
        kept = array_ops.where_v2(math_ops.greater(s, array_ops.expand_dims(cutoff, -1)), s,
                                  constant(np.inf, dtype=dtype))
        return math_ops.matmul(math_ops.truediv(v, array_ops.expand_dims(kept, -2)), u, adjoint_b=True)


def matrix_rank(a, tol=None, validate_args=False, name=None):
    """Number of singular values above `tol` (default max(rows, cols) * eps * largest)."""
    g = graph_of(a)
    with g.as_default(), g.name_scope(name or "matrix_rank"):
        a = convert_to_tensor(a, name="a")
        dtype = a.dtype.base_dtype
        s = svd(a, compute_uv=False)
        if tol is None:
            tol = math_ops.multiply(convert_to_tensor(_default_tolerance(a, dtype), dtype=dtype),
                                    math_ops.reduce_max(s, -1, keepdims=True))
        above = math_ops.cast(math_ops.greater(s, tol), _dtypes.int32)
        return math_ops.reduce_sum(above, -1)


__all__ += ["matrix_rank", "pinv"]


# --------------------------------------------------------------------------- matrix functions and LU
# Their kernels (numpy) are in ortflow.graph.ops.kernels_matrix_funcs.

def sqrtm(input, name=None):
    """The principal square root of each square matrix (`MatrixSquareRoot`)."""
    return apply_op_output("MatrixSquareRoot", [input], name=name or "MatrixSquareRoot")


def logm(input, name=None):
    """The principal logarithm of each complex square matrix (`MatrixLogarithm`)."""
    return apply_op_output("MatrixLogarithm", [input], name=name or "MatrixLogarithm")


# `tf.linalg.lu`'s result: the packed `lu` factors and the row permutation `p`.
Lu = collections.namedtuple("Lu", ["lu", "p"])


def lu(input, output_idx_type=_dtypes.int32, name=None) -> Lu:
    """The LU factors of each square matrix with partial pivoting (`Lu`): `input[p] == L @ U`."""
    op = apply_op("Lu", [input], {"output_idx_type": _dtypes.as_dtype(output_idx_type)}, name=name or "Lu")
    return Lu(op.outputs[0], op.outputs[1])


def lu_reconstruct(lower_upper, perm, validate_args=False, name=None):
    """The matrix `lu` factored: `P^-1 @ L @ U` from packed factors and a permutation, as TF builds it.

    Raises:
        NotImplementedError: a batch of matrices (TF maps over it with a while loop), or
            `validate_args` (TF's assertions are not built).
    """
    if validate_args:
        raise NotImplementedError("lu_reconstruct(validate_args=True) is not supported yet.")
    g = graph_of(lower_upper, perm)
    with g.as_default(), g.name_scope(name or "lu_reconstruct"):
        lower_upper = convert_to_tensor(lower_upper, name="lower_upper")
        perm = convert_to_tensor(perm, name="perm")
        if lower_upper.shape.rank != 2:
            raise NotImplementedError("lu_reconstruct of a batch of matrices (or of unknown rank) is not "
                                      f"supported yet; got shape {lower_upper.shape}.")
        shape = array_ops.shape(lower_upper)
        strictly_lower = band_part(lower_upper, -1, 0)
        lower = set_diag(strictly_lower, array_ops.ones(shape[:-1], dtype=lower_upper.dtype))
        upper = band_part(lower_upper, 0, -1)
        x = math_ops.matmul(lower, upper)
        return array_ops.gather(x, array_ops.invert_permutation(perm))


__all__ += ["Lu", "logm", "lu", "lu_reconstruct", "sqrtm"]

from ortflow.api.linalg_expm import expm  # at the end: it builds on the functions above

__all__ += ["expm"]
