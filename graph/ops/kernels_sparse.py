"""Numpy kernels and shape functions of the sparse ops (SparseToDense, SparseReduceSum, ...).

A sparse value is three arrays: int64 `indices` [N, rank], `values` [N] and `dense_shape`
[rank]. These kernels let the Session's numpy interpreter run the ops TF 1.x input pipelines
and embedding lookups build (ONNX has a form only for some of them; see
`ortflow.converters.sparse`). Every output is sized from a `dense_shape` the kernel has
checked (non-negative) or from the number of entries, as TensorFlow's kernels size theirs.
"""

from __future__ import annotations

import numpy as np
from ortflow.errors import GraphError
from ortflow.graph.ops.registry import kernel, shape_fn
from ortflow.graph.ops.schema import get_attr

__all__: list[str] = []


def _dense_shape(value, what: str = "dense_shape") -> tuple[int, ...]:
    shape = np.asarray(value).reshape(-1).astype(np.int64)
    if (shape < 0).any():
        raise GraphError(f"{what} must be non-negative, got {shape.tolist()}")
    return tuple(int(d) for d in shape)


def _indices(value, rank: int | None = None) -> np.ndarray:
    idx = np.asarray(value, dtype=np.int64)
    if idx.ndim != 2:
        raise GraphError(f"indices must be a matrix, got a tensor of shape {list(idx.shape)}")
    if rank is not None and idx.shape[1] != rank:
        raise GraphError(f"indices have {idx.shape[1]} columns but the dense shape has rank {rank}")
    return idx


def _check_bounds(idx: np.ndarray, shape: tuple[int, ...]) -> None:
    if idx.size and ((idx < 0).any() or (idx >= np.asarray(shape, dtype=np.int64)).any()):
        bad = int(np.nonzero(((idx < 0) | (idx >= np.asarray(shape))).any(axis=1))[0][0])
        raise GraphError(f"indices[{bad}] = {idx[bad].tolist()} is out of bounds: need 0 <= index < "
                         f"{list(shape)}")


def _flat_positions(idx: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Row-major linear position of each index (the ordering sparse ops keep)."""
    if not shape:
        return np.zeros(len(idx), dtype=np.int64)
    strides = np.cumprod((1,) + shape[:0:-1])[::-1].astype(np.int64)
    return idx @ strides if len(idx) else np.zeros(0, dtype=np.int64)


def _lexicographic_order(idx: np.ndarray) -> np.ndarray:
    if idx.shape[1] == 0:
        return np.arange(len(idx))
    return np.lexsort(idx.T[::-1])


# --------------------------------------------------------------------------- to dense


@kernel("SparseToDense")
def _sparse_to_dense(node_def, inputs):
    sparse_indices, output_shape, sparse_values, default_value = (np.asarray(v) for v in inputs)
    shape = _dense_shape(output_shape, "output_shape")
    idx = sparse_indices.astype(np.int64)
    idx = idx.reshape(-1, 1) if idx.ndim < 2 else idx
    if idx.ndim == 2 and len(shape) == 0 and idx.shape[1] == 1 and idx.size == 0:
        idx = idx.reshape(0, 0)
    _indices(idx, len(shape))
    if sparse_values.ndim not in (0, 1) or (sparse_values.ndim == 1 and len(sparse_values) != len(idx)):
        raise GraphError(f"sparse_values has shape {list(sparse_values.shape)}; expected a scalar or "
                         f"{len(idx)} values")
    if default_value.ndim != 0:
        raise GraphError(f"default_value should be a scalar, got shape {list(default_value.shape)}")
    _check_bounds(idx, shape)
    if get_attr(node_def, "validate_indices") and len(idx) > 1:
        pos = _flat_positions(idx, shape)
        if (np.diff(pos) <= 0).any():
            bad = int(np.nonzero(np.diff(pos) <= 0)[0][0]) + 1
            what = "repeated" if pos[bad] == pos[bad - 1] else "out of order"
            raise GraphError(f"indices[{bad}] = {idx[bad].tolist()} is {what}")
    out = np.full(shape, default_value, dtype=sparse_values.dtype)
    out[tuple(idx.T)] = sparse_values
    return [out]


@shape_fn("SparseToDense")
def _sparse_to_dense_shape(node_def, shapes, values):
    output_shape = values[1]
    if output_shape is not None:
        return [tuple(None if d < 0 else int(d) for d in np.asarray(output_shape).reshape(-1))]
    n = shapes[1][0] if shapes[1] is not None else None
    return [None if n is None else (None,) * n]


@kernel("SparseTensorDenseAdd")
def _sparse_tensor_dense_add(node_def, inputs):
    a_indices, a_values, a_shape, b = (np.asarray(v) for v in inputs)
    shape = _dense_shape(a_shape, "a_shape")
    if tuple(b.shape) != shape:
        raise GraphError(f"Dimension mismatch: a_shape {list(shape)} and b's shape {list(b.shape)}")
    idx = _indices(a_indices, len(shape))
    _check_bounds(idx, shape)
    out = b.copy()
    np.add.at(out, tuple(idx.T), a_values.astype(b.dtype))
    return [out]


@shape_fn("SparseTensorDenseAdd")
def _sparse_tensor_dense_add_shape(node_def, shapes, values):
    return [shapes[3]]


# --------------------------------------------------------------------------- matmul and reductions


@kernel("SparseTensorDenseMatMul")
def _sparse_tensor_dense_mat_mul(node_def, inputs):
    a_indices, a_values, a_shape, b = (np.asarray(v) for v in inputs)
    shape = _dense_shape(a_shape, "a_shape")
    if len(shape) != 2 or b.ndim != 2:
        raise GraphError(f"Tensor 'a_shape' and 'b' should be matrices, got {list(shape)} and "
                         f"{list(b.shape)}")
    idx = _indices(a_indices, 2)
    _check_bounds(idx, shape)
    rows, cols = idx[:, 0], idx[:, 1]
    values = a_values
    if get_attr(node_def, "adjoint_a"):
        rows, cols, shape, values = cols, rows, shape[::-1], np.conj(values)
    if get_attr(node_def, "adjoint_b"):
        b = np.conj(b).T
    if b.shape[0] != shape[1]:
        raise GraphError(f"Cannot multiply A and B because inner dimension does not match: "
                         f"{shape[1]} vs. {b.shape[0]}")
    out = np.zeros((shape[0], b.shape[1]), dtype=b.dtype)
    np.add.at(out, rows, values[:, None].astype(b.dtype) * b[cols])
    return [out]


@shape_fn("SparseTensorDenseMatMul")
def _sparse_tensor_dense_mat_mul_shape(node_def, shapes, values):
    a_shape, b = values[2], shapes[3]
    rows = None
    if a_shape is not None and np.asarray(a_shape).size == 2:
        dims = np.asarray(a_shape).reshape(-1)
        rows = int(dims[1] if get_attr(node_def, "adjoint_a") else dims[0])
    cols = None
    if b is not None and len(b) == 2:
        cols = b[0] if get_attr(node_def, "adjoint_b") else b[1]
    return [(rows, cols)]


def _reduction_axes(axes, rank: int) -> list[int]:
    out = []
    for a in np.asarray(axes).reshape(-1).tolist():
        if not -rank <= a < rank:
            raise GraphError(f"Invalid reduction dimension {a}, for input with {rank} dimensions.")
        out.append(a % rank)
    return sorted(set(out))


def _sparse_reduce(node_def, inputs, ufunc, fill) -> list[np.ndarray]:
    # The present entries of `values` combined with `ufunc` (starting from `fill`) into the kept
    # dimensions' positions; a position no entry reaches is 0. Reducing every axis gives a 0-d result.
    indices, values, shape, axes = (np.asarray(v) for v in inputs)
    shape = _dense_shape(shape, "input_shape")
    idx = _indices(indices, len(shape))
    _check_bounds(idx, shape)
    reduced = _reduction_axes(axes, len(shape))
    kept = [d for d in range(len(shape)) if d not in reduced]
    out_shape = tuple(shape[d] for d in kept)
    out = np.full(out_shape or (1,), fill, dtype=values.dtype)
    target = tuple(idx[:, d] for d in kept) or (np.zeros(len(values), dtype=np.int64),)
    ufunc.at(out, target, values)
    if fill != 0:  # TF: a position no entry reaches is 0 (not the identity the reduction starts from)
        reached = np.zeros(out.shape, dtype=bool)
        reached[target] = True
        out[~reached] = 0
    out = out.reshape(out_shape)
    if get_attr(node_def, "keep_dims"):
        out = out.reshape(tuple(1 if d in reduced else shape[d] for d in range(len(shape))))
    return [out]


@kernel("SparseReduceMax")
def _sparse_reduce_max(node_def, inputs):
    # TF's SparseReduceMax: the max of the present entries only (implicit zeros do not count:
    # entries -3 and -5 give -3); an output position no entry reduces into is 0 (TF 2.21).
    dtype = np.asarray(inputs[1]).dtype
    lowest = -np.inf if dtype.kind == "f" else np.iinfo(dtype).min
    return _sparse_reduce(node_def, inputs, np.maximum, lowest)


@kernel("SparseReduceSum")
def _sparse_reduce_sum(node_def, inputs):
    return _sparse_reduce(node_def, inputs, np.add, 0)


@kernel("SparseSegmentSum", "SparseSegmentMean", "SparseSegmentSqrtN", "SparseSegmentSumWithNumSegments",
        "SparseSegmentMeanWithNumSegments", "SparseSegmentSqrtNWithNumSegments")
def _sparse_segment(node_def, inputs):
    data, indices, segment_ids = (np.asarray(v) for v in inputs[:3])
    indices = indices.astype(np.int64).reshape(-1)
    segment_ids = segment_ids.astype(np.int64).reshape(-1)
    if len(indices) != len(segment_ids):
        raise GraphError(f"segment_ids and indices should have same size, got {len(segment_ids)} "
                         f"and {len(indices)}")
    if indices.size and ((indices < 0).any() or (indices >= data.shape[0]).any()):
        bad = int(np.nonzero((indices < 0) | (indices >= data.shape[0]))[0][0])
        raise GraphError(f"indices[{bad}] = {indices[bad]} is out of range [0, {data.shape[0]})")
    if len(inputs) == 4:
        count = int(np.asarray(inputs[3]).reshape(()))
    else:
        if segment_ids.size and (np.diff(segment_ids) < 0).any():
            raise GraphError("segment ids are not increasing")
        count = int(segment_ids[-1]) + 1 if segment_ids.size else 0
    if segment_ids.size and ((segment_ids < 0).any() or (segment_ids >= count).any()):
        raise GraphError(f"segment ids must be >= 0 and < {count}, got {segment_ids.tolist()}")
    out = np.zeros((count,) + data.shape[1:], dtype=data.dtype)
    np.add.at(out, segment_ids, data[indices])
    if "Mean" in node_def.op or "SqrtN" in node_def.op:
        sizes = np.bincount(segment_ids, minlength=count).astype(data.dtype)
        scale = sizes if "Mean" in node_def.op else np.sqrt(sizes)
        scale = np.where(sizes > 0, scale, 1).reshape((count,) + (1,) * (data.ndim - 1))
        out = out / scale
    return [out.astype(data.dtype)]


@shape_fn("SparseSegmentSum", "SparseSegmentMean", "SparseSegmentSqrtN", "SparseSegmentSumWithNumSegments",
          "SparseSegmentMeanWithNumSegments", "SparseSegmentSqrtNWithNumSegments")
def _sparse_segment_shape(node_def, shapes, values):
    data = shapes[0]
    count = None
    if len(values) == 4 and values[3] is not None:
        count = int(np.asarray(values[3]).reshape(()))
    return [None if data is None else (count,) + tuple(data[1:])]


# --------------------------------------------------------------------------- sparse -> sparse


@kernel("SparseReorder")
def _sparse_reorder(node_def, inputs):
    indices, values, shape = (np.asarray(v) for v in inputs)
    shape = _dense_shape(shape, "input_shape")
    idx = _indices(indices, len(shape))
    order = _lexicographic_order(idx)
    return [idx[order], values[order]]


def _sparse_operands(a_idx, a_shape, b_idx, b_shape):
    """(shape, a_idx, b_idx, a_pos, b_pos) of two sparse operands of one dense shape, checked:
    the same shape, in-bounds indices; positions are row-major flat offsets."""
    shape = _dense_shape(a_shape, "a_shape")
    if _dense_shape(b_shape, "b_shape") != shape:
        raise GraphError(f"Operands do not have the same ranks or shapes: {list(shape)} and "
                         f"{np.asarray(b_shape).tolist()}")
    a_idx, b_idx = _indices(a_idx, len(shape)), _indices(b_idx, len(shape))
    _check_bounds(a_idx, shape)
    _check_bounds(b_idx, shape)
    return shape, a_idx, b_idx, _flat_positions(a_idx, shape), _flat_positions(b_idx, shape)


@kernel("SparseAdd")
def _sparse_add(node_def, inputs):
    a_idx, a_val, a_shape, b_idx, b_val, b_shape, thresh = (np.asarray(v) for v in inputs)
    shape, a_idx, b_idx, a_pos, b_pos = _sparse_operands(a_idx, a_shape, b_idx, b_shape)
    if np.any(np.diff(a_pos) < 0) or np.any(np.diff(b_pos) < 0):
        return _sparse_add_merge(a_idx, a_val, a_pos, b_idx, b_val.astype(a_val.dtype), b_pos, thresh, shape)
    both = np.concatenate([a_pos, b_pos])
    order = np.argsort(both, kind="stable")  # a's entry first where both hold one
    idx = np.concatenate([a_idx, b_idx])[order]
    val = np.concatenate([a_val, b_val.astype(a_val.dtype)])[order]
    pos = both[order]
    keep = np.ones(len(pos), dtype=bool)
    dup = np.nonzero(pos[1:] == pos[:-1])[0]  # the a entry of each shared position
    val[dup] = val[dup] + val[dup + 1]
    keep[dup + 1] = False
    # Only sums are thresholded: an entry only one operand holds is kept whatever its size.
    small = np.zeros(len(pos), dtype=bool)
    small[dup] = np.abs(val[dup]) < thresh
    keep &= ~small
    return [idx[keep], val[keep], np.asarray(shape, dtype=np.int64)]


def _sparse_add_merge(a_idx, a_val, a_pos, b_idx, b_val, b_pos, thresh, shape):
    # Operands out of order: TensorFlow walks both in one merge pass as they are (it does not
    # sort them), so the result keeps their order; this does the same walk.
    rows, vals = [], []
    i = j = 0
    while i < len(a_pos) and j < len(b_pos):
        if a_pos[i] < b_pos[j]:
            rows.append(a_idx[i]), vals.append(a_val[i])
            i += 1
        elif a_pos[i] > b_pos[j]:
            rows.append(b_idx[j]), vals.append(b_val[j])
            j += 1
        else:
            total = a_val[i] + b_val[j]
            if not np.abs(total) < thresh:
                rows.append(a_idx[i]), vals.append(total)
            i += 1
            j += 1
    rows += list(a_idx[i:]) + list(b_idx[j:])
    vals += list(a_val[i:]) + list(b_val[j:])
    idx = np.asarray(rows, dtype=np.int64).reshape(-1, len(shape))
    return [idx, np.asarray(vals, dtype=a_val.dtype), np.asarray(shape, dtype=np.int64)]


@kernel("SparseReshape")
def _sparse_reshape(node_def, inputs):
    indices, input_shape, new_shape = (np.asarray(v) for v in inputs)
    shape = _dense_shape(input_shape, "input_shape")
    idx = _indices(indices, len(shape))
    target = [int(d) for d in new_shape.reshape(-1)]
    total = int(np.prod(shape, dtype=np.int64))
    unknown = [i for i, d in enumerate(target) if d == -1]
    if len(unknown) > 1:
        raise GraphError(f"only one output dimension may be -1, not both {unknown[0]} and {unknown[1]}")
    if any(d < -1 for d in target):
        raise GraphError(f"size {min(target)} must be non-negative, not {min(target)}")
    known = int(np.prod([d for d in target if d != -1], dtype=np.int64))
    if unknown:
        if known == 0 or total % known:
            raise GraphError(f"Input to reshape is a SparseTensor with {total} dense values, but the "
                             f"requested shape requires a multiple of {known}. input_shape={list(shape)} "
                             f"output_shape={target}")
        target[unknown[0]] = total // known
    if int(np.prod(target, dtype=np.int64)) != total:
        raise GraphError(f"Input to reshape is a tensor with {total} dense values, but the requested "
                         f"shape has {int(np.prod(target))}. input_shape={list(shape)} output_shape={target}")
    pos = _flat_positions(idx, shape)
    out = np.stack(np.unravel_index(pos, target), axis=1) if target else np.zeros((len(pos), 0))
    return [out.astype(np.int64).reshape(len(pos), len(target)), np.asarray(target, dtype=np.int64)]


@kernel("SparseSlice")
def _sparse_slice(node_def, inputs):
    indices, values, shape, start, size = (np.asarray(v) for v in inputs)
    shape = _dense_shape(shape, "shape")
    idx = _indices(indices, len(shape))
    start = start.astype(np.int64).reshape(-1)
    size = size.astype(np.int64).reshape(-1)
    if len(start) != len(shape) or len(size) != len(shape):
        raise GraphError(f"start {start.tolist()} and size {size.tolist()} must each have "
                         f"{len(shape)} elements")
    end = np.minimum(start + size, np.asarray(shape, dtype=np.int64))
    keep = ((idx >= start) & (idx < end)).all(axis=1) if len(shape) else np.ones(len(idx), bool)
    out_shape = np.maximum(end - start, 0)
    return [idx[keep] - start, values[keep], out_shape.astype(np.int64)]


@kernel("SparseFillEmptyRows")
def _sparse_fill_empty_rows(node_def, inputs):
    indices, values, dense_shape, default_value = (np.asarray(v) for v in inputs)
    shape = _dense_shape(dense_shape)
    if not shape:
        raise GraphError("dense_shape must be a vector of at least one dimension")
    idx = _indices(indices, len(shape))
    _check_bounds(idx, shape)
    rows = shape[0]
    counts = np.bincount(idx[:, 0], minlength=rows) if len(idx) else np.zeros(rows, dtype=np.int64)
    empty = counts == 0
    filler = np.zeros((int(empty.sum()), len(shape)), dtype=np.int64)
    filler[:, 0] = np.nonzero(empty)[0]
    all_idx = np.concatenate([idx, filler])
    all_val = np.concatenate([values, np.full(len(filler), default_value, dtype=values.dtype)])
    order = np.argsort(all_idx[:, 0], kind="stable")  # by row; within a row, as given
    reverse = np.empty(len(all_idx), dtype=np.int64)
    reverse[order] = np.arange(len(all_idx))
    return [all_idx[order], all_val[order], empty, reverse[:len(idx)]]


# Shapes of the sparse-output ops: indices [?, rank], values [?], shape [rank].

def _rank_from(shapes, i: int):
    s = shapes[i]
    return None if s is None else s[0]


@shape_fn("SparseReorder")
def _sparse_reorder_shape(node_def, shapes, values):
    return [shapes[0], shapes[1]]


@shape_fn("SparseAdd")
def _sparse_add_shape(node_def, shapes, values):
    rank = _rank_from(shapes, 2)
    return [(None, rank), (None,), (rank,)]


@shape_fn("SparseReshape")
def _sparse_reshape_shape(node_def, shapes, values):
    rank = _rank_from(shapes, 2)
    n = shapes[0][0] if shapes[0] is not None else None
    return [(n, rank), (rank,)]


@shape_fn("SparseSlice")
def _sparse_slice_shape(node_def, shapes, values):
    rank = _rank_from(shapes, 2)
    return [(None, rank), (None,), (rank,)]


@shape_fn("SparseFillEmptyRows")
def _sparse_fill_empty_rows_shape(node_def, shapes, values):
    rank = _rank_from(shapes, 2)
    n = shapes[0][0] if shapes[0] is not None else None
    dense = values[2]
    rows = int(np.asarray(dense).reshape(-1)[0]) if dense is not None and np.asarray(dense).size else None
    return [(None, rank), (None,), (rows,), (n,)]


@shape_fn("SparseReduceSum", "SparseReduceMax")
def _sparse_reduce_shape(node_def, shapes, values):
    dense, axes = values[2], values[3]
    if dense is None or axes is None:
        return [None]
    shape = [int(d) for d in np.asarray(dense).reshape(-1)]
    reduced = _reduction_axes(axes, len(shape))
    if get_attr(node_def, "keep_dims"):
        return [tuple(1 if d in reduced else shape[d] for d in range(len(shape)))]
    return [tuple(shape[d] for d in range(len(shape)) if d not in reduced)]


# --------------------------------------------------------------------------- concat and cwise


@kernel("SparseConcat")
def _sparse_concat(node_def, inputs):
    n = get_attr(node_def, "N")
    all_indices, all_values, all_shapes = inputs[:n], inputs[n:2 * n], inputs[2 * n:3 * n]
    shapes = [_dense_shape(s, f"shapes[{i}]") for i, s in enumerate(all_shapes)]
    rank = len(shapes[0])
    axis = get_attr(node_def, "concat_dim")
    if not -rank <= axis < rank:
        raise GraphError(f"Concat dimension must be in range [{-rank}, {rank}), got {axis}")
    axis %= rank
    offset, parts = 0, []
    for i, (idx, shape) in enumerate(zip(all_indices, shapes)):
        if len(shape) != rank:
            raise GraphError(f"Ranks of all input tensors must match: expected {rank} but got {len(shape)} "
                             f"at position {i}")
        for d in range(rank):
            if d != axis and shape[d] != shapes[0][d]:
                raise GraphError(f"Input shapes must match: expected {shapes[0][d]} for dimension {d} but got "
                                 f"{shape[d]} at position {i}")
        idx = _indices(idx, rank).copy()
        idx[:, axis] += offset
        offset += shape[axis]
        parts.append(idx)
    indices = np.concatenate(parts)
    values = np.concatenate([np.asarray(v) for v in all_values])
    order = _lexicographic_order(indices)
    out_shape = list(shapes[0])
    out_shape[axis] = offset
    return [indices[order], values[order], np.asarray(out_shape, dtype=np.int64)]


@shape_fn("SparseConcat")
def _sparse_concat_shape(node_def, shapes, values):
    n = get_attr(node_def, "N")
    rank = next((s[0] for s in shapes[2 * n:3 * n] if s is not None), None)
    return [(None, rank), (None,), (rank,)]


def _dense_at(dense: np.ndarray, idx: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    # The dense operand broadcast to the sparse operand's shape, read at the sparse indices.
    if dense.ndim > len(shape):
        raise GraphError(f"the dense operand has rank {dense.ndim}, more than the sparse shape {list(shape)}")
    lead = len(shape) - dense.ndim
    for d, size in enumerate(dense.shape):
        if size not in (1, shape[lead + d]):
            raise GraphError(f"SparseDenseBinaryOpShared broadcasts dense to sparse only; got incompatible "
                             f"shapes: [{','.join(map(str, shape))}] vs. [{','.join(map(str, dense.shape))}]")
    cols = [np.zeros(len(idx), np.int64) if size == 1 else idx[:, lead + d] for d, size in enumerate(dense.shape)]
    return dense[tuple(cols)] if cols else np.broadcast_to(dense, (len(idx),))


@kernel("SparseDenseCwiseMul", "SparseDenseCwiseDiv", "SparseDenseCwiseAdd")
def _sparse_dense_cwise(node_def, inputs):
    indices, values, shape, dense = (np.asarray(v) for v in inputs)
    shape = _dense_shape(shape)
    idx = _indices(indices, len(shape))
    other = _dense_at(dense, idx, shape)
    if node_def.op == "SparseDenseCwiseMul":
        return [values * other]
    if node_def.op == "SparseDenseCwiseAdd":
        return [values + other]
    if values.dtype.kind in "iu":  # integer division truncates toward zero, as TF's kernel
        return [np.trunc(values / other).astype(values.dtype)]
    with np.errstate(divide="ignore", invalid="ignore"):
        return [values / other]


@shape_fn("SparseDenseCwiseMul", "SparseDenseCwiseDiv", "SparseDenseCwiseAdd")
def _sparse_dense_cwise_shape(node_def, shapes, values):
    return [shapes[1]]
