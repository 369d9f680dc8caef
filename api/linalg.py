"""`tf.linalg`: matrix products, inverses, decompositions and diagonals."""

from __future__ import annotations

import numpy as np
from ortflow.api import array_ops, math_ops
from ortflow.api.ops_builder import apply_op, apply_op_output, constant, convert_to_tensor, graph_of
from ortflow.formats import dtypes as _dtypes

__all__ = [
    "band_part",
    "cholesky",
    "det",
    "diag",
    "diag_part",
    "einsum",
    "eye",
    "inv",
    "l2_normalize",
    "logdet",
    "matmul",
    "matrix_transpose",
    "norm",
    "qr",
    "solve",
    "tensordot",
    "trace",
    "transpose",
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


def diag(diagonal, name="diag"):
    """A matrix with `diagonal` on its diagonal (`MatrixDiagV3`)."""
    g = graph_of(diagonal)
    with g.as_default(), g.name_scope(name) as scope:
        diagonal = convert_to_tensor(diagonal, name="diagonal")
        zero = constant(0, dtype=diagonal.dtype.base_dtype)
        return apply_op_output("MatrixDiagV3", [diagonal, 0, -1, -1, zero], {"align": "RIGHT_LEFT"}, name=scope)


def diag_part(input, name="diag_part"):
    """The main diagonal (`MatrixDiagPartV3`)."""
    g = graph_of(input)
    with g.as_default(), g.name_scope(name) as scope:
        input = convert_to_tensor(input, name="input")
        zero = constant(0, dtype=input.dtype.base_dtype)
        return apply_op_output("MatrixDiagPartV3", [input, 0, zero], {"align": "RIGHT_LEFT"}, name=scope)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=_dtypes.float32, name=None):
    """An identity matrix, as a constant."""
    dtype = _dtypes.as_dtype(dtype)
    value = np.eye(num_rows, num_columns, dtype=dtype.as_numpy_dtype)
    if batch_shape:
        value = np.broadcast_to(value, list(batch_shape) + list(value.shape)).copy()
    return constant(value, dtype=dtype, name=name or "eye")


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


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):
    """The euclidean (2) or 1 / inf norm of a vector, or the Frobenius norm over all elements."""
    g = graph_of(tensor)
    with g.as_default(), g.name_scope(name or "norm"):
        tensor = convert_to_tensor(tensor)
        if ord in ("euclidean", "fro", 2, 2.0):
            return math_ops.sqrt(math_ops.reduce_sum(math_ops.square(tensor), axis, keepdims=bool(keepdims)))
        if ord in (1, 1.0):
            return math_ops.reduce_sum(math_ops.abs(tensor), axis, keepdims=bool(keepdims))
        if ord == np.inf:
            return math_ops.reduce_max(math_ops.abs(tensor), axis, keepdims=bool(keepdims))
        raise NotImplementedError(f"norm(ord={ord!r}) is not supported by ortflow yet")


def einsum(equation, *inputs, name=None):
    """`Einsum` over the inputs."""
    return apply_op_output("Einsum", [list(inputs)], {"equation": equation}, name=name or "Einsum")


def tensordot(a, b, axes, name=None):
    raise NotImplementedError("tensordot is not supported by ortflow's graph builder yet")
