"""`tf.linalg.expm`: the matrix exponential by scaling and squaring over Pade approximants.

TensorFlow builds no single op for it: a graph of matmuls picks the Pade degree from each
matrix's 1-norm (Higham 2005), solves for the approximant, and squares the result back in a
while loop. This module builds the same nodes (names, op types, order), so the GraphDef matches
TF 1.x's and the Session runs it with the ops it already has.
"""

from __future__ import annotations

import numpy as np
from ortflow.api import array_ops, control_flow_ops, linalg, math_ops
from ortflow.api.ops_builder import constant, convert_to_tensor, graph_of
from ortflow.formats import dtypes as _dtypes
from ortflow.graph.tensor_shape import TensorShape

__all__ = ["expm", "matrix_exponential"]

# Coefficients b[0..m] of the degree-m Pade approximant of exp (Higham 2005, table 2.3).
_PADE = {
    3: (120.0, 60.0, 12.0),
    5: (30240.0, 15120.0, 3360.0, 420.0, 30.0),
    7: (17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0),
    9: (17643225600.0, 8821612800.0, 2075673600.0, 302702400.0, 30270240.0, 2162160.0, 110880.0, 3960.0,
        90.0),
    13: (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
         129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0,
         960960.0, 16380.0, 182.0),
}
# Per precision: the 1-norm past which the top approximant needs squarings, the norms that
# choose between the degrees, and the degrees.
_SINGLE = (3.925724783138660, (4.258730016922831e-001, 1.880152677804762e+000), (3, 5, 7))
_DOUBLE = (5.371920351148152, (1.495585217958292e-002, 2.539398330063230e-001, 9.504178996162932e-001,
                               2.097847961257068e+000), (3, 5, 7, 9, 13))


def _identity_like(matrix):
    # TF's eye with tensor sizes: ones on a MatrixDiagV3 over the (run-time) batch shape.
    n = array_ops.shape(matrix)[-2]
    batch = array_ops.shape(matrix)[:-2]
    g = graph_of(matrix)
    with g.as_default(), g.name_scope("eye"):
        size = math_ops.minimum(n, n)
        batch = convert_to_tensor(batch, dtype=_dtypes.int32, name="shape")
        diag_shape = array_ops.concat((batch, [size]), axis=0)
        return linalg.diag(array_ops.ones(diag_shape, dtype=matrix.dtype))


def _pade_low(matrix, degree: int):
    # Degrees 3..9: powers A^2, A^4, ... then u = A @ (A^(m-1) + ... + b1 I), v = b_m A^(m-1) + ... + b0 I.
    b = [constant(x, matrix.dtype) for x in _PADE[degree]]
    ident = _identity_like(matrix)
    powers = [math_ops.matmul(matrix, matrix)]
    if degree >= 5:
        powers.append(math_ops.matmul(powers[0], powers[0]))
    while 2 * len(powers) < degree - 1:
        powers.append(math_ops.matmul(powers[-1], powers[0]))
    top = len(powers)
    tmp = powers[-1]
    for k in range(top - 1, 0, -1):
        tmp = tmp + b[2 * k + 1] * powers[k - 1]
    tmp = tmp + b[1] * ident
    u = math_ops.matmul(matrix, tmp)
    v = b[2 * top] * powers[-1]
    for k in range(top - 1, 0, -1):
        v = v + b[2 * k] * powers[k - 1]
    v = v + b[0] * ident
    return u, v


def _pade13(matrix):
    b = [constant(x, matrix.dtype) for x in _PADE[13]]
    ident = _identity_like(matrix)
    m2 = math_ops.matmul(matrix, matrix)
    m4 = math_ops.matmul(m2, m2)
    m6 = math_ops.matmul(m4, m2)
    inner_u = math_ops.matmul(m6, m6 + b[11] * m4 + b[9] * m2)
    tmp_u = inner_u + b[7] * m6 + b[5] * m4 + b[3] * m2 + b[1] * ident
    u = math_ops.matmul(matrix, tmp_u)
    tmp_v = b[12] * m6 + b[10] * m4 + b[8] * m2
    v = math_ops.matmul(m6, tmp_v) + b[6] * m6 + b[4] * m4 + b[2] * m2 + b[0] * ident
    return u, v


def _pade(matrix, degree: int):
    return _pade13(matrix) if degree == 13 else _pade_low(matrix, degree)


def _choose(l1_norm, limits, cases):
    # where(norm < limits[0], cases[0], where(norm < limits[1], cases[1], ...)), built outermost first.
    less = math_ops.less(l1_norm, constant(limits[0], l1_norm.dtype))
    rest = cases[1] if len(limits) == 1 else _choose(l1_norm, limits[1:], cases[1:])
    return array_ops.where_v2(less, cases[0], rest)


def _squarings(l1_norm, maxnorm):
    maxnorm = constant(maxnorm, l1_norm.dtype)
    log_ratio = math_ops.log(l1_norm / maxnorm)
    ratio = log_ratio / math_ops.log(constant(2.0, l1_norm.dtype))
    return math_ops.maximum(math_ops.floor(ratio), 0)


def expm(input, name=None):
    """The matrix exponential of each square matrix of `input` ([..., M, M]), as TF builds it.

    Raises:
        ValueError: a dtype other than float16/32/64 or complex64/128.
    """
    g = graph_of(input)
    with g.as_default(), g.name_scope(name or "matrix_exponential"):
        matrix = convert_to_tensor(input, name="input")
        if matrix.shape.rank is not None and matrix.shape.rank >= 2 and matrix.shape[-2:].as_list() == [0, 0]:
            return matrix
        dtype = matrix.dtype.base_dtype
        if dtype in (_dtypes.float16, _dtypes.float32, _dtypes.complex64):
            maxnorm, limits, degrees = _SINGLE
        elif dtype in (_dtypes.float64, _dtypes.complex128):
            maxnorm, limits, degrees = _DOUBLE
        else:
            raise ValueError(f"tf.linalg.expm does not support matrices of type {dtype.name}")
        batch_shape = matrix.shape[:-2] if matrix.shape.rank is not None else TensorShape(None)
        if not batch_shape.is_fully_defined():
            batch_shape = array_ops.shape(matrix)[:-2]
        matrix = array_ops.reshape(matrix, array_ops.concat(([-1], array_ops.shape(matrix)[-2:]), axis=0))
        column_sums = math_ops.reduce_sum(math_ops.abs(matrix), axis=array_ops.size(array_ops.shape(matrix)) - 2)
        l1_norm = math_ops.reduce_max(column_sums, axis=-1)[..., None, None]
        squarings = _squarings(l1_norm, maxnorm)
        approximants = [_pade(matrix, d) for d in degrees[:-1]]
        scale = math_ops.cast(math_ops.pow(constant(2.0, l1_norm.dtype), squarings), dtype)
        approximants.append(_pade(matrix / scale, degrees[-1]))
        u = _choose(l1_norm, limits, [a[0] for a in approximants])
        v = _choose(l1_norm, limits, [a[1] for a in approximants])
        result = _square_back(matrix, l1_norm, squarings, u, v, dtype)
        if not matrix.shape.is_fully_defined() or not isinstance(batch_shape, TensorShape):
            return array_ops.reshape(result, array_ops.concat((batch_shape, array_ops.shape(result)[-2:]), axis=0))
        return array_ops.reshape(result, batch_shape.concatenate(result.shape[-2:]).as_list())


def _square_back(matrix, l1_norm, squarings, u, v, dtype):
    # Solve (V - U) X = (V + U) (or NaNs for a non-finite norm), then square X `squarings` times.
    is_finite = math_ops.is_finite(math_ops.reduce_max(l1_norm))
    nan = constant(np.nan, dtype)
    result = control_flow_ops.cond(is_finite, lambda: linalg.solve(-u + v, u + v),
                                   lambda: array_ops.fill(array_ops.shape(matrix), nan))
    max_squarings = math_ops.reduce_max(squarings)
    i = constant(0.0, l1_norm.dtype)

    def keep_going(i, _):
        return control_flow_ops.cond(is_finite, lambda: math_ops.less(i, max_squarings),
                                     lambda: constant(False))

    def square(i, r):
        return i + 1, array_ops.where_v2(math_ops.less(i, squarings), math_ops.matmul(r, r), r)

    _, result = control_flow_ops.while_loop(keep_going, square, [i, result])
    return result


matrix_exponential = expm
