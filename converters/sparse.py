"""Handlers of the sparse ops ONNX has a form for: scatters and gathers over (indices, values, shape).

SparseSegmentSum / Mean / SqrtN (what `embedding_lookup_sparse` builds), SparseTensorDenseMatMul
and SparseTensorDenseAdd become Gather + ScatterND(reduction="add") (the segment ops a one-hot
MatMul before opset 16). SparseToDense becomes a
ScatterND into the filled default only where TensorFlow's index validation (in bounds, sorted,
no repeats) cannot be skipped silently: when `validate_indices` is false, or the indices are
constants checked here. Otherwise, and for the sparse -> sparse ops (SparseReorder, SparseAdd,
...) and the string-parsing ops, a Session runs the node on its numpy interpreter.
"""

from __future__ import annotations

import numpy as np
from ortflow.converters.emit import (
    const_i64,
    first,
    scalar_like,
    shape_of,
    to_int64,
    unsqueeze,
    zeros_like_shape,
)
from ortflow.converters.registry import handler, require

__all__: list[str] = []

_I64_MAX = np.iinfo(np.int64).max


def _rows_of(ctx, x: str) -> str:
    """Dim 0 of `x` as an int64 [1] vector."""
    return first(ctx, "Slice", [shape_of(ctx, x), const_i64(ctx, [0]), const_i64(ctx, [1])])


def _trailing_dims(ctx, x: str) -> str:
    return first(ctx, "Slice", [shape_of(ctx, x), const_i64(ctx, [1]), const_i64(ctx, [_I64_MAX])])


def _segment_count(ctx, node, ids: str) -> str:
    """The number of output segments as an int64 [1] vector: the attr input, else last id + 1."""
    if node.op.endswith("WithNumSegments"):
        return first(ctx, "Reshape", [to_int64(ctx, node.input(3)), const_i64(ctx, [1])])
    known = node.input_value(2)
    if known is not None:
        return const_i64(ctx, [int(known[-1]) + 1 if np.size(known) else 0])
    # Sorted ids: the last one is the largest. An empty id list gives 0 segments.
    last = first(ctx, "Slice", [ids, const_i64(ctx, [-1]), const_i64(ctx, [_I64_MAX])])
    plus_one = first(ctx, "Add", [last, const_i64(ctx, [1])])
    padded = first(ctx, "Concat", [plus_one, const_i64(ctx, [0])], {"axis": 0})
    return first(ctx, "Slice", [padded, const_i64(ctx, [0]), const_i64(ctx, [1])])


_SPARSE_SEGMENT_OPS = ("SparseSegmentSum", "SparseSegmentMean", "SparseSegmentSqrtN", "SparseSegmentSumWithNumSegments",
                       "SparseSegmentMeanWithNumSegments", "SparseSegmentSqrtNWithNumSegments")


def _sparse_segment_inputs(ctx, node) -> tuple:
    # Both opset variants: (dtype, data, int64 segment ids, the gathered rows, the segment count [1]).
    dtype = node.output_dtype(0)
    require(dtype is not None and dtype.is_floating, node, "only floating-point data is converted")
    data = node.input(0)
    ids = to_int64(ctx, node.input(2))
    rows = first(ctx, "Gather", [data, to_int64(ctx, node.input(1))], {"axis": 0})
    return dtype, data, ids, rows, _segment_count(ctx, node, ids)


@handler(*_SPARSE_SEGMENT_OPS, since=13)
def convert_sparse_segment_13(ctx, node):
    # TF:   output = SparseSegmentSum(data, indices, segment_ids[, num_segments])   (Mean, SqrtN alike)
    # ONNX: hot = Cast(Equal(Range(S) [S, 1], ids [1, n]));  rows = Gather(data, indices) as [n, rest];
    #       S = Reshape(MatMul(hot, rows), [S, rest...]), divided by max(ReduceSum(hot, 1), 1)
    #       (Mean) or its sqrt (SqrtN)                                            (before opset 16)
    dtype, data, ids, rows, count = _sparse_segment_inputs(ctx, node)
    segments = first(ctx, "Range", [const_i64(ctx, 0), first(ctx, "Squeeze", [count, const_i64(ctx, [0])]),
                                    const_i64(ctx, 1)])
    hot = first(ctx, "Cast", [first(ctx, "Equal", [unsqueeze(ctx, segments, [1]), unsqueeze(ctx, ids, [0])])],
                {"to": ctx.onnx_type(dtype)})
    trailing = _trailing_dims(ctx, data)
    row_size = first(ctx, "ReduceProd", [trailing], {"keepdims": 1})
    flat = first(ctx, "Reshape", [rows, first(ctx, "Concat", [const_i64(ctx, [-1]), row_size], {"axis": 0})])
    out_shape = first(ctx, "Concat", [count, trailing], {"axis": 0})
    is_sum = not ("Mean" in node.op or "SqrtN" in node.op)
    total = first(ctx, "Reshape", [first(ctx, "MatMul", [hot, flat]), out_shape],
                  output=node.output(0) if is_sum else None)
    if is_sum:
        return
    sizes = first(ctx, "ReduceSum", [hot, const_i64(ctx, [1])], {"keepdims": 0})
    _divide_by_sizes(ctx, node, total, sizes, dtype)


def _divide_by_sizes(ctx, node, total: str, sizes: str, dtype) -> None:
    """total / max(sizes, 1) (Mean) or / sqrt(max(sizes, 1)) (SqrtN), sizes [S] per segment."""
    sizes = first(ctx, "Max", [sizes, scalar_like(ctx, 1, dtype)])
    if "SqrtN" in node.op:
        sizes = first(ctx, "Sqrt", [sizes])
    rank = node.input_rank(0)
    require(rank is not None, node, "the data needs a static rank")
    sizes = first(ctx, "Reshape", [sizes, const_i64(ctx, [-1] + [1] * (rank - 1))])
    first(ctx, "Div", [total, sizes], output=node.output(0))


@handler(*_SPARSE_SEGMENT_OPS, since=16)
def convert_sparse_segment(ctx, node):
    # TF:   output = SparseSegmentSum(data, indices, segment_ids[, num_segments])   (Mean, SqrtN alike)
    # ONNX: S = ScatterND(zeros [S, ...], Unsqueeze(ids, -1), Gather(data, indices), 'add'),
    #       divided by max(count, 1) (Mean) or sqrt(max(count, 1)) (SqrtN)       (opset >= 16)
    dtype, data, ids, rows, count = _sparse_segment_inputs(ctx, node)
    out_shape = first(ctx, "Concat", [count, _trailing_dims(ctx, data)], {"axis": 0})
    positions = unsqueeze(ctx, ids, [1])
    total = first(ctx, "ScatterND", [zeros_like_shape(ctx, out_shape, dtype, 0), positions, rows],
                  {"reduction": "add"}, output=None if "Mean" in node.op or "SqrtN" in node.op else node.output(0))
    if "Sum" in node.op:
        return
    ones = zeros_like_shape(ctx, _rows_of(ctx, ids), dtype, 1)
    sizes = first(ctx, "ScatterND", [zeros_like_shape(ctx, count, dtype, 0), positions, ones], {"reduction": "add"})
    _divide_by_sizes(ctx, node, total, sizes, dtype)


@handler("SparseTensorDenseMatMul", since=16)
def convert_sparse_tensor_dense_mat_mul(ctx, node):
    # TF:   product = SparseTensorDenseMatMul(a_indices [N, 2], a_values [N], a_shape [2], b,
    #                                         adjoint_a, adjoint_b)
    # ONNX: Product = ScatterND(zeros [rows, n], rows, Unsqueeze(values, 1) * Gather(B, cols), 'add')
    dtype = node.output_dtype(0)
    require(dtype is not None and not dtype.is_complex, node, "complex values are not converted")
    indices = to_int64(ctx, node.input(0))
    row_col = [first(ctx, "Gather", [indices, const_i64(ctx, [i])], {"axis": 1}) for i in (0, 1)]
    shape = to_int64(ctx, node.input(2))
    out_rows = first(ctx, "Slice", [shape, const_i64(ctx, [0]), const_i64(ctx, [1])])
    if node.attr("adjoint_a", False):
        row_col.reverse()
        out_rows = first(ctx, "Slice", [shape, const_i64(ctx, [1]), const_i64(ctx, [2])])
    rows, cols = row_col
    b = node.input(3)
    if node.attr("adjoint_b", False):
        b = first(ctx, "Transpose", [b], {"perm": [1, 0]})
    picked = first(ctx, "Gather", [b, first(ctx, "Reshape", [cols, const_i64(ctx, [-1])])], {"axis": 0})
    scaled = first(ctx, "Mul", [picked, unsqueeze(ctx, node.input(1), [1])])
    width = first(ctx, "Slice", [shape_of(ctx, b), const_i64(ctx, [1]), const_i64(ctx, [2])])
    out_shape = first(ctx, "Concat", [out_rows, width], {"axis": 0})
    first(ctx, "ScatterND", [zeros_like_shape(ctx, out_shape, dtype, 0), rows, scaled], {"reduction": "add"},
          output=node.output(0))


@handler("SparseTensorDenseAdd", since=16)
def convert_sparse_tensor_dense_add(ctx, node):
    # TF:   output = SparseTensorDenseAdd(a_indices, a_values, a_shape, b)   (shapes must match)
    # ONNX: Output = ScatterND(B, Indices, Values, 'add')
    first(ctx, "ScatterND", [node.input(3), to_int64(ctx, node.input(0)), node.input(1)], {"reduction": "add"},
          output=node.output(0))


def _valid_constant_indices(indices: np.ndarray, shape: np.ndarray | None) -> bool:
    # TF's validation: in bounds, strictly increasing in row-major order (no repeats).
    if shape is None:
        return False
    idx = np.asarray(indices, dtype=np.int64)
    idx = idx.reshape(-1, 1) if idx.ndim < 2 else idx
    dims = np.asarray(shape, dtype=np.int64).reshape(-1)
    if idx.shape[1] != dims.size or (dims < 0).any():
        return False
    if idx.size and ((idx < 0).any() or (idx >= dims).any()):
        return False
    strides = np.cumprod(np.concatenate([[1], dims[:0:-1]]))[::-1]
    positions = idx @ strides if len(idx) else idx[:, :0].sum(axis=1)
    return bool((np.diff(positions) > 0).all())


@handler("SparseToDense", since=13)
def convert_sparse_to_dense(ctx, node):
    # TF:   dense = SparseToDense(sparse_indices, output_shape, sparse_values, default_value,
    #                             validate_indices)
    # ONNX: Dense = ScatterND(Expand(default, shape), Indices [N, rank], Values)
    indices_value = node.input_value(0)
    checked = indices_value is not None and _valid_constant_indices(indices_value, node.input_value(1))
    require(not node.attr("validate_indices", True) or checked, node,
            "validate_indices needs the indices checked at run time (in bounds, sorted, no repeats), "
            "which ONNX cannot raise an error for")
    dtype = node.output_dtype(0)
    indices = to_int64(ctx, node.input(0))
    if node.input_rank(0) is None or node.input_rank(0) < 2:
        indices = first(ctx, "Reshape", [indices, const_i64(ctx, [-1, 1])])
    values = node.input(2)
    if node.input_rank(2) == 0:  # one value for every index
        values = first(ctx, "Expand", [values, _rows_of(ctx, indices)])
    shape = to_int64(ctx, node.input(1))
    base = first(ctx, "Expand", [node.input(3), shape], dtype=dtype)
    first(ctx, "ScatterND", [base, indices, values], output=node.output(0))
