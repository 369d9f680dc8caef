"""Numpy kernels of MatrixSquareRoot, MatrixLogarithm, Lu, NextAfter and ApproxTopK (no ONNX form).

The matrix functions work on the innermost two dimensions of a batch, in double precision, and
return the input's dtype. Square roots and logarithms go through an eigendecomposition, so they
hold for diagonalizable matrices (TF's Schur-based kernels also cover defective ones); a real
input whose principal root is complex gives NaN where TF's does. ApproxTopK returns the exact
top k: what TF's CPU runtime gives for the largest k along the last axis (the only form it runs
without XLA; ortflow runs the others too).
"""

from __future__ import annotations

import numpy as np
from ortflow.errors import GraphError
from ortflow.graph.ops.registry import kernel, shape_fn
from ortflow.graph.ops.schema import get_attr
from ortflow.graph.ops.shapes_common import broadcast

__all__: list[str] = []


def _square_batch(value, what: str) -> np.ndarray:
    value = np.asarray(value)
    if value.ndim < 2 or value.shape[-1] != value.shape[-2]:
        raise GraphError(f"{what} must be a batch of square matrices, got shape {list(value.shape)}")
    return value


def _eig_function(value: np.ndarray, fn) -> np.ndarray:
    """`fn` applied to each matrix's eigenvalues: V diag(fn(w)) V^-1."""
    out = np.empty(value.shape, dtype=np.complex128)
    flat_in = value.reshape((-1,) + value.shape[-2:]).astype(np.complex128)
    flat_out = out.reshape(flat_in.shape)
    for i, m in enumerate(flat_in):
        if not m.size:
            continue
        w, v = np.linalg.eig(m)
        flat_out[i] = (v * fn(w)) @ np.linalg.inv(v)
    return out


@kernel("MatrixSquareRoot")
def _matrix_square_root(node_def, inputs):
    value = _square_batch(inputs[0], "input")
    root = _eig_function(value, np.sqrt)
    if np.iscomplexobj(value):
        return [root.astype(value.dtype)]
    # The principal root of a real matrix is real unless an eigenvalue is negative real.
    real = np.where(np.abs(root.imag) <= 1e-6 * np.maximum(1.0, np.abs(root.real)), root.real, np.nan)
    return [real.astype(value.dtype)]


@shape_fn("MatrixSquareRoot")
def _matrix_square_root_shape(node_def, shapes, values):
    return [shapes[0]]


@kernel("MatrixLogarithm")
def _matrix_logarithm(node_def, inputs):
    value = _square_batch(inputs[0], "input")
    if not np.iscomplexobj(value):
        raise GraphError(f"MatrixLogarithm takes complex matrices, got {value.dtype}")
    return [_eig_function(value, np.log).astype(value.dtype)]


def _lu_one(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Doolittle elimination with partial pivoting: the largest magnitude in the column leads
    # (the first one on ties), as Eigen's PartialPivLU picks it.
    a = m.copy()
    n = a.shape[0]
    perm = np.arange(n)
    for k in range(n):
        pivot = k + int(np.argmax(np.abs(a[k:, k])))
        if pivot != k:
            a[[k, pivot]] = a[[pivot, k]]
            perm[[k, pivot]] = perm[[pivot, k]]
        if a[k, k] != 0:
            a[k + 1:, k] /= a[k, k]
            a[k + 1:, k + 1:] -= np.outer(a[k + 1:, k], a[k, k + 1:])
    return a, perm


@kernel("Lu")
def _lu(node_def, inputs):
    value = _square_batch(inputs[0], "input")
    idx_dtype = np.dtype(get_attr(node_def, "output_idx_type").as_numpy_dtype)
    wide = np.complex128 if np.iscomplexobj(value) else np.float64
    flat = value.reshape((-1,) + value.shape[-2:]).astype(wide)
    lu = np.empty(flat.shape, dtype=wide)
    perm = np.empty(flat.shape[:-1], dtype=idx_dtype)
    for i, m in enumerate(flat):
        lu[i], perm[i] = _lu_one(m)
    return [lu.reshape(value.shape).astype(value.dtype), perm.reshape(value.shape[:-1])]


@shape_fn("Lu")
def _lu_shape(node_def, shapes, values):
    s = shapes[0]
    return [s, None if s is None else tuple(s[:-1])]


@kernel("NextAfter")
def _next_after(node_def, inputs):
    x1, x2 = np.asarray(inputs[0]), np.asarray(inputs[1])
    return [np.nextafter(x1, x2).astype(x1.dtype)]


@shape_fn("NextAfter")
def _next_after_shape(node_def, shapes, values):
    return [broadcast(shapes[0], shapes[1])]


def _approx_top_k_axis(node_def, rank: int) -> int:
    axis = get_attr(node_def, "reduction_dimension")
    if not -rank <= axis < rank:
        raise GraphError(f"reduction_dimension {axis} is out of range for an operand of rank {rank}")
    return axis % rank


@kernel("ApproxTopK")
def _approx_top_k(node_def, inputs):
    operand = np.asarray(inputs[0])
    axis = _approx_top_k_axis(node_def, operand.ndim)
    k = get_attr(node_def, "k")
    if not 0 <= k <= operand.shape[axis]:
        raise GraphError(f"k ({k}) must be within [0, {operand.shape[axis]}] (the reduced dimension)")
    keys = -operand if get_attr(node_def, "is_max_k") else operand
    order = np.argsort(keys, axis=axis, kind="stable")  # ties: the lower index first
    indices = np.take(order, np.arange(k), axis=axis)
    return [np.take_along_axis(operand, indices, axis=axis), indices.astype(np.int32)]


@shape_fn("ApproxTopK")
def _approx_top_k_shape(node_def, shapes, values):
    s = shapes[0]
    if s is None:
        return [None, None]
    out = list(s)
    out[_approx_top_k_axis(node_def, len(s))] = get_attr(node_def, "k")
    return [tuple(out), tuple(out)]
