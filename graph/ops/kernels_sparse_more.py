"""Numpy kernels and shape functions of SparseSoftmax, SparseSparseMaximum/Minimum and SparseSplit.

ONNX has no form for these, so the Session's numpy interpreter runs them. They follow TF's
kernels: entries are taken in the (row-major) order they come in, absent entries count as 0
in the element-wise max/min, and a split gives the first `dim % num_split` pieces one extra row.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from ortflow.errors import GraphError
from ortflow.graph.ops.kernels_sparse import (
    _check_bounds,
    _dense_shape,
    _indices,
    _lexicographic_order,
    _reduction_axes,
    _sparse_operands,
)
from ortflow.graph.ops.registry import kernel, shape_fn
from ortflow.graph.ops.schema import get_attr

__all__: list[str] = []


@kernel("SparseSoftmax")
def _sparse_softmax(node_def, inputs):
    indices, values, shape = (np.asarray(v) for v in inputs)
    shape = _dense_shape(shape, "sp_shape")
    if len(shape) < 2:
        raise GraphError(f"sp_shape must have rank at least 2, got {list(shape)}")
    idx = _indices(indices, len(shape))
    if values.ndim != 1 or len(values) != len(idx):
        raise GraphError(f"sp_values must be a vector of {len(idx)} values, got shape {list(values.shape)}")
    out = np.empty_like(values)
    if not len(idx):
        return [out]
    # A group: the entries sharing every index but the last (consecutive, as TF requires).
    prefix = idx[:, :-1]
    starts = np.concatenate([[0], np.nonzero((prefix[1:] != prefix[:-1]).any(axis=1))[0] + 1, [len(idx)]])
    for lo, hi in pairwise(starts):
        group = values[lo:hi]
        e = np.exp(group - group.max())
        out[lo:hi] = e / e.sum()
    return [out]


@shape_fn("SparseSoftmax")
def _sparse_softmax_shape(node_def, shapes, values):
    return [shapes[1]]


def _sparse_sparse_cwise(inputs, ufunc):
    a_idx, a_val, a_shape, b_idx, b_val, b_shape = (np.asarray(v) for v in inputs)
    shape, a_idx, b_idx, a_pos, b_pos = _sparse_operands(a_idx, a_shape, b_idx, b_shape)
    union, first = np.unique(np.concatenate([a_pos, b_pos]), return_index=True)
    all_idx = np.concatenate([a_idx, b_idx])[first] if len(union) else np.zeros((0, len(shape)), np.int64)
    dtype = np.result_type(a_val, b_val)
    a_dense = np.zeros(len(union), dtype=dtype)
    b_dense = np.zeros(len(union), dtype=dtype)
    a_dense[np.searchsorted(union, a_pos)] = a_val
    b_dense[np.searchsorted(union, b_pos)] = b_val
    return [all_idx.astype(np.int64), ufunc(a_dense, b_dense)]


@kernel("SparseSparseMaximum")
def _sparse_sparse_maximum(node_def, inputs):
    return _sparse_sparse_cwise(inputs, np.maximum)


@kernel("SparseSparseMinimum")
def _sparse_sparse_minimum(node_def, inputs):
    return _sparse_sparse_cwise(inputs, np.minimum)


@shape_fn("SparseSparseMaximum", "SparseSparseMinimum")
def _sparse_sparse_cwise_shape(node_def, shapes, values):
    return [(None, None), (None,)]


def _split_bounds(size: int, num_split: int) -> list[int]:
    base, extra = divmod(size, num_split)
    bounds = [0]
    for i in range(num_split):
        bounds.append(bounds[-1] + base + (1 if i < extra else 0))
    return bounds


@kernel("SparseSplit")
def _sparse_split(node_def, inputs):
    split_dim, indices, values, shape = (np.asarray(v) for v in inputs)
    num_split = get_attr(node_def, "num_split")
    shape = _dense_shape(shape, "shape")
    rank = len(shape)
    axis = int(split_dim.reshape(-1)[0]) if split_dim.size else 0
    if not -rank <= axis < rank:
        raise GraphError(f"split_dim must be in range [{-rank}, {rank}), got {axis}")
    axis %= rank
    if num_split > shape[axis]:
        raise GraphError(f"num_split ({num_split}) must be at most the size of dimension {axis} "
                         f"({shape[axis]})")
    idx = _indices(indices, rank)
    bounds = _split_bounds(shape[axis], num_split)
    out_idx, out_val, out_shape = [], [], []
    for lo, hi in pairwise(bounds):
        keep = (idx[:, axis] >= lo) & (idx[:, axis] < hi)
        piece = idx[keep].copy()
        piece[:, axis] -= lo
        out_idx.append(piece)
        out_val.append(values[keep])
        dims = list(shape)
        dims[axis] = hi - lo
        out_shape.append(np.asarray(dims, dtype=np.int64))
    return out_idx + out_val + out_shape


@shape_fn("SparseSplit")
def _sparse_split_shape(node_def, shapes, values):
    n = get_attr(node_def, "num_split")
    rank = None if shapes[3] is None else shapes[3][0]
    return [(None, rank)] * n + [(None,)] * n + [(rank,)] * n


def _sparse_reduce_sparse(node_def, inputs, ufunc):
    # One output entry per distinct kept-dimension index that some entry has (sorted), holding
    # `ufunc` over that group's values; reduced dimensions keep size 1 with keep_dims.
    indices, values, shape, axes = (np.asarray(v) for v in inputs)
    shape = _dense_shape(shape, "input_shape")
    idx = _indices(indices, len(shape))
    _check_bounds(idx, shape)
    if values.ndim != 1 or len(values) != len(idx):
        raise GraphError(f"input_values must be a vector of {len(idx)} values, got shape {list(values.shape)}")
    reduced = _reduction_axes(axes, len(shape))
    keep_dims = get_attr(node_def, "keep_dims")
    out_dims = [d for d in range(len(shape)) if keep_dims or d not in reduced]
    key = idx[:, out_dims].copy()
    key[:, [i for i, d in enumerate(out_dims) if d in reduced]] = 0
    out_shape = np.asarray([1 if d in reduced else shape[d] for d in out_dims], dtype=np.int64)
    if not len(idx):
        return [np.zeros((0, len(out_dims)), np.int64), values[:0], out_shape]
    order = _lexicographic_order(key)
    key, vals = key[order], values[order]
    starts = np.concatenate([[0], np.nonzero((key[1:] != key[:-1]).any(axis=1))[0] + 1])
    return [key[starts], ufunc.reduceat(vals, starts), out_shape]


@kernel("SparseReduceSumSparse")
def _sparse_reduce_sum_sparse(node_def, inputs):
    return _sparse_reduce_sparse(node_def, inputs, np.add)


@kernel("SparseReduceMaxSparse")
def _sparse_reduce_max_sparse(node_def, inputs):
    return _sparse_reduce_sparse(node_def, inputs, np.maximum)


@shape_fn("SparseReduceSumSparse", "SparseReduceMaxSparse")
def _sparse_reduce_sparse_shape(node_def, shapes, values):
    return [None, None, None]
