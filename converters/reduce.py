"""Handlers of TF reductions: Sum, Mean, Max, ..., All, Any, ArgMax/ArgMin, segment reductions."""

from __future__ import annotations

import numpy as np
from ortflow.converters.emit import (
    AXES_INPUT_SINCE,
    INT64_MAX,
    const_i64,
    first,
    reduce,
    shape_of,
    to_int64,
    to_scalar,
    unsqueeze,
    zeros_like_shape,
)
from ortflow.converters.registry import handler, require
from ortflow.formats import dtypes

__all__ = ["REDUCE_OPS"]

#: TF reduction -> the ONNX reduction computing it.
REDUCE_OPS = {"Sum": "ReduceSum", "Mean": "ReduceMean", "Max": "ReduceMax", "Min": "ReduceMin",
              "Prod": "ReduceProd", "EuclideanNorm": "ReduceL2"}

#: Boolean reductions, computed on 0/1 integers: All = Min, Any = Max.
BOOL_REDUCE_OPS = {"All": "ReduceMin", "Any": "ReduceMax"}


def _axes(ctx, node, onnx_op: str):
    """The reduction axes: a sorted list when constant, else an int64 value name."""
    value = node.input_value(1)
    if value is not None:
        return sorted({int(a) for a in np.asarray(value).reshape(-1)})
    require(ctx.opset >= AXES_INPUT_SINCE[onnx_op], node,
            f"run-time reduction axes need opset >= {AXES_INPUT_SINCE[onnx_op]} for {onnx_op}")
    axes = to_int64(ctx, node.input(1))
    return first(ctx, "Reshape", [axes, ctx.make_const(np.array([-1], dtype=np.int64))])


def _reduce(ctx, node, onnx_op: str, x: str, output: str) -> str:
    keep = bool(node.attr("keep_dims", False))
    axes = _axes(ctx, node, onnx_op)
    if isinstance(axes, list) and not axes:
        # TF reduces nothing over an empty axis list; ONNX would reduce everything.
        return first(ctx, "Identity", [x], output=output)
    return reduce(ctx, onnx_op, x, axes, keep, output=output)


#: Types onnxruntime's reductions lack: reduced in a wider type, then cast back.
_WIDENED = {"int8": "int32", "uint8": "int32", "int16": "int32", "uint16": "int32"}


def _convert_reduce(ctx, node):
    dtype = node.input_dtype(0)
    wide = _WIDENED.get(dtype.name) if dtype is not None else None
    if wide is None:
        _reduce(ctx, node, REDUCE_OPS[node.op], node.input(0), node.output(0))
        return
    x = first(ctx, "Cast", [node.input(0)], {"to": ctx.onnx_type(dtypes.as_dtype(wide))})
    reduced = _reduce(ctx, node, REDUCE_OPS[node.op], x, None)
    first(ctx, "Cast", [reduced], {"to": ctx.onnx_type(dtype)}, output=node.output(0))


def _convert_bool_reduce(ctx, node):
    as_int = first(ctx, "Cast", [node.input(0)], {"to": ctx.onnx_type(dtypes.int32)})
    reduced = _reduce(ctx, node, BOOL_REDUCE_OPS[node.op], as_int, None)
    first(ctx, "Cast", [reduced], {"to": ctx.onnx_type(dtypes.bool)}, output=node.output(0))


@handler("Sum", since=13)
def convert_sum(ctx, node):
    # TF:   output = Sum(input, axis, keep_dims: bool)
    # ONNX: Reduced = ReduceSum(Data, Axes, keepdims: int)  (opset >= 13: axes as an input)
    _convert_reduce(ctx, node)


@handler("Mean", "Max", "Min", "Prod", "EuclideanNorm", since=1)
def convert_reduce(ctx, node):
    # TF:   output = Mean(input, axis, keep_dims: bool)   (also Max, Min, Prod, EuclideanNorm)
    # ONNX: Reduced = ReduceMean(Data, axes: ints, keepdims: int)  (opset < 18: axes attribute)
    _convert_reduce(ctx, node)


@handler("Mean", "Max", "Min", "Prod", "EuclideanNorm", since=18)
def convert_reduce_18(ctx, node):
    # TF:   output = Mean(input, axis, keep_dims: bool)
    # ONNX: Reduced = ReduceMean(Data, Axes, keepdims: int)  (opset >= 18: axes as an input)
    _convert_reduce(ctx, node)


@handler("All", "Any", since=1)
def convert_bool_reduce(ctx, node):
    # TF:   output = All(input: bool, axis, keep_dims: bool)   (Any alike)
    # ONNX: Output = Cast(ReduceMin(Cast(Data, int32), axes: ints), bool)  (ReduceMax for Any)
    _convert_bool_reduce(ctx, node)


@handler("All", "Any", since=18)
def convert_bool_reduce_18(ctx, node):
    # TF:   output = All(input: bool, axis, keep_dims: bool)
    # ONNX: Output = Cast(ReduceMin(Cast(Data, int32), Axes), bool)  (opset >= 18)
    _convert_bool_reduce(ctx, node)


@handler("ArgMax", "ArgMin")
def convert_arg_max(ctx, node):
    # TF:   output = ArgMax(input, dimension, output_type: type)   (ArgMin alike)
    # ONNX: Reduced = ArgMax(Data, axis: int, keepdims=0)  (int64, first index on ties as TF)
    axis = node.input_value(1)
    require(axis is not None, node, "the dimension must be constant")
    axis = int(np.asarray(axis).reshape(-1)[0])
    out_dtype = node.output_dtype(0) or dtypes.int64
    op = "ArgMax" if node.op == "ArgMax" else "ArgMin"
    if out_dtype == dtypes.int64:
        first(ctx, op, [node.input(0)], {"axis": axis, "keepdims": 0}, output=node.output(0))
        return
    index = first(ctx, op, [node.input(0)], {"axis": axis, "keepdims": 0})
    first(ctx, "Cast", [index], {"to": ctx.onnx_type(out_dtype)}, output=node.output(0))


# --------------------------------------------------------------------------- segment reductions

#: Unsorted segment reductions beyond Sum -> the ScatterND reduction (opset >= 18).
_SCATTER_REDUCTIONS = {"UnsortedSegmentSum": "add", "UnsortedSegmentMax": "max",
                       "UnsortedSegmentMin": "min", "UnsortedSegmentProd": "mul"}


def _num_segments(ctx, node) -> str:
    """The int64 [1] segment count: the num_segments input, or max(ids) + 1 for sorted ops."""
    if node.op.startswith("Unsorted"):
        known = node.input_value(2)
        if known is not None:
            return const_i64(ctx, np.asarray(known).reshape(1))
        return first(ctx, "Reshape", [to_int64(ctx, node.input(2)), const_i64(ctx, [1])])
    return sorted_segment_count(ctx, node.input(1), node.input_value(1))


def sorted_segment_count(ctx, ids: str, known=None) -> str:
    """The int64 [1] segment count of sorted segment `ids`: max(ids) + 1, and 0 for no ids.

    `known` is the ids' constant value when there is one.
    """
    if known is not None:
        return const_i64(ctx, [int(np.max(known)) + 1 if np.size(known) else 0])
    # the max over the ids and a -1: ReduceMax of nothing is the lowest int64, which would
    # make the count of an empty input negative
    flat = first(ctx, "Reshape", [to_int64(ctx, ids), const_i64(ctx, [-1])])
    padded = first(ctx, "Concat", [flat, const_i64(ctx, [-1])], {"axis": 0})
    top = reduce(ctx, "ReduceMax", padded, None, keepdims=True)
    return first(ctx, "Add", [top, const_i64(ctx, [1])])


def _ids_rank(node) -> int:
    rank = node.input_rank(1)
    require(rank is not None, node, "the segment ids need a static rank")
    return rank


def _initial_value(dtype, reduction: str):
    # What TF writes to a segment no id names: 0 for sums, 1 for products, the type's lowest
    # (highest) finite value for max (min).
    np_dtype = np.dtype(dtype.as_numpy_dtype)
    info = np.finfo(np_dtype) if np_dtype.kind == "f" else np.iinfo(np_dtype)
    return {"add": 0, "mul": 1, "max": info.min, "min": info.max}[reduction]


def _scatter(ctx, node, reduction: str) -> None:
    # Out = ScatterND(init, Unsqueeze(ids, -1), data, reduction): data rows land on their ids.
    dtype = node.input_dtype(0) or dtypes.float32
    data, ids = node.input(0), to_int64(ctx, node.input(1))
    work = dtype
    if dtype in (dtypes.float16, dtypes.bfloat16):
        # onnxruntime's ScatterND reductions have no 16-bit float kernels: reduce in float32.
        work = dtypes.float32
        data = first(ctx, "Cast", [data], {"to": ctx.onnx_type(work)})
    rank = _ids_rank(node)
    rest = first(ctx, "Slice", [shape_of(ctx, data), const_i64(ctx, [rank]), const_i64(ctx, [INT64_MAX])])
    out_shape = first(ctx, "Concat", [_num_segments(ctx, node), rest], {"axis": 0})
    init = zeros_like_shape(ctx, out_shape, work, _initial_value(dtype, reduction))
    known = node.input_value(1)
    if node.op.startswith("Unsorted") and (known is None or (np.asarray(known) < 0).any()):
        # TF drops rows with a negative id; ScatterND would count them from the end.
        valid = first(ctx, "GreaterOrEqual", [ids, const_i64(ctx, 0)])
        ids = first(ctx, "Where", [valid, ids, const_i64(ctx, 0)])
        data_rank = node.input_rank(0)
        require(data_rank is not None, node, "negative segment ids need the static rank of the data")
        row_valid = unsqueeze(ctx, valid, list(range(rank, data_rank))) if data_rank > rank else valid
        data = first(ctx, "Where", [row_valid, data, init_row(ctx, dtype, reduction, work)])
    inputs = [init, unsqueeze(ctx, ids, [-1]), data]
    if work == dtype:
        first(ctx, "ScatterND", inputs, {"reduction": reduction}, output=node.output(0))
        return
    reduced = first(ctx, "ScatterND", inputs, {"reduction": reduction})
    first(ctx, "Cast", [reduced], {"to": ctx.onnx_type(dtype)}, output=node.output(0))


def init_row(ctx, dtype, reduction: str, work=None) -> str:
    """A scalar (of `work`, default `dtype`) that leaves a `reduction` of `dtype` values unchanged:
    what the rows TF drops contribute."""
    identity = {"add": 0, "mul": 1}.get(reduction)
    if identity is None:  # max/min: the initial value also leaves the result unchanged
        identity = _initial_value(dtype, reduction)
    return ctx.make_const(np.asarray(identity, dtype=(work or dtype).as_numpy_dtype))


def _one_hot_matmul(ctx, node) -> None:
    # Out = Reshape(MatMul(OneHot[num, n], Data[n, rest]), [num, rest...]): each segment's row
    # is the sum of the data rows its ids select (negative ids select nothing, as in TF).
    dtype = node.input_dtype(0) or dtypes.float32
    rank = _ids_rank(node)
    data, ids = node.input(0), to_int64(ctx, node.input(1))
    flat_ids = first(ctx, "Reshape", [ids, const_i64(ctx, [-1])])
    count = _num_segments(ctx, node)
    segments = first(ctx, "Range", [const_i64(ctx, 0), to_scalar(ctx, count), const_i64(ctx, 1)])
    hot = first(ctx, "Equal", [unsqueeze(ctx, segments, [1]), flat_ids])
    hot = first(ctx, "Cast", [hot], {"to": ctx.onnx_type(dtype)})
    shape = shape_of(ctx, data)
    rest = first(ctx, "Slice", [shape, const_i64(ctx, [rank]), const_i64(ctx, [INT64_MAX])])
    # Without axes ReduceProd multiplies every element, the same at every opset.
    row_size = first(ctx, "ReduceProd", [rest], {"keepdims": 1})
    flat_rows = first(ctx, "Concat", [const_i64(ctx, [-1]), row_size], {"axis": 0})
    rows = first(ctx, "Reshape", [data, flat_rows])
    summed = first(ctx, "MatMul", [hot, rows])
    out_shape = first(ctx, "Concat", [count, rest], {"axis": 0})
    first(ctx, "Reshape", [summed, out_shape], output=node.output(0))


@handler("SegmentSum", "UnsortedSegmentSum", since=13)
def convert_segment_sum(ctx, node):
    # TF:   output = UnsortedSegmentSum(data, segment_ids, num_segments)  (SegmentSum: no count)
    # ONNX: Output = Reshape(MatMul(one-hot of ids [num, n], Data as [n, rest]))  (opset < 16)
    _one_hot_matmul(ctx, node)


@handler("SegmentSum", "UnsortedSegmentSum", since=16)
def convert_segment_sum_16(ctx, node):
    # TF:   output = UnsortedSegmentSum(data, segment_ids, num_segments)
    # ONNX: Output = ScatterND(zeros, Unsqueeze(Ids, -1), Data, reduction='add')  (opset >= 16)
    _scatter(ctx, node, "add")


@handler("UnsortedSegmentMax", "UnsortedSegmentMin", "UnsortedSegmentProd", since=18)
def convert_unsorted_segment_reduce(ctx, node):
    # TF:   output = UnsortedSegmentMax(data, segment_ids, num_segments)  (Min, Prod alike)
    # ONNX: Output = ScatterND(init, Unsqueeze(Ids, -1), Data, reduction='max')  (opset >= 18)
    _scatter(ctx, node, _SCATTER_REDUCTIONS[node.op])


# --------------------------------------------------------------------------- before ScatterND reductions

#: ScatterND reduction name -> the ONNX reduction that gives the same result over a masked axis.
_MASKED_REDUCE_OPS = {"add": "ReduceSum", "max": "ReduceMax", "min": "ReduceMin", "mul": "ReduceProd"}


def masked_segment_reduce(ctx, rows: str, ids: str, count: str, rest_rank: int, reduction: str, dtype,
                          init=None) -> tuple[str, str]:
    """Reduces the rows of each segment without ScatterND's reductions (opsets before 16 / 18).

    Each of the `count` segments sees every row through Where(ids == segment, row, init), and
    a ReduceX over the row axis combines them: the work and memory are segments x rows x row
    size, a fair price for the small segment counts of the graphs that use these ops, and the
    only way before ScatterND learnt `reduction` (segments no id names get `init`; negative ids
    name none).

    Args:
        ctx: the conversion context.
        rows: the data as [n, rest...].
        ids: int64 [n] segment ids.
        count: int64 [1] number of segments.
        rest_rank: the rank of a row (len(rest)).
        reduction: "add", "mul", "max" or "min".
        dtype: the data's dtype.
        init: the value of an empty segment (default: the reduction's identity).

    Returns:
        (the [count, rest...] result, the int64 [count] number of rows per segment).
    """
    segments = first(ctx, "Range", [const_i64(ctx, 0), to_scalar(ctx, count), const_i64(ctx, 1)])
    mask = first(ctx, "Equal", [unsqueeze(ctx, segments, [1]), unsqueeze(ctx, ids, [0])])
    spread_mask = unsqueeze(ctx, mask, list(range(2, 2 + rest_rank))) if rest_rank else mask
    if init is None:
        init = _initial_value(dtype, reduction) if reduction in ("max", "min") else {"add": 0, "mul": 1}[reduction]
    fill = ctx.make_const(np.asarray(init, dtype=dtype.as_numpy_dtype))
    spread = first(ctx, "Where", [spread_mask, unsqueeze(ctx, rows, [0]), fill])
    result = reduce(ctx, _MASKED_REDUCE_OPS[reduction], spread, [1], keepdims=False)
    hits = first(ctx, "Cast", [mask], {"to": ctx.onnx_type(dtypes.int64)})
    return result, reduce(ctx, "ReduceSum", hits, [1], keepdims=False)


def segment_rows(ctx, node) -> tuple[str, str, int]:
    """(data as [n, rest...], int64 flat ids [n], len(rest)) of a segment op's inputs."""
    rank = _ids_rank(node)
    data_rank = node.input_rank(0)
    require(data_rank is not None, node, "the data needs a static rank")
    ids = first(ctx, "Reshape", [to_int64(ctx, node.input(1)), const_i64(ctx, [-1])])
    data = node.input(0)
    if rank != 1:
        rest = first(ctx, "Slice", [shape_of(ctx, data), const_i64(ctx, [rank]), const_i64(ctx, [INT64_MAX])])
        data = first(ctx, "Reshape", [data, first(ctx, "Concat", [const_i64(ctx, [-1]), rest], {"axis": 0})])
    return data, ids, data_rank - rank


@handler("UnsortedSegmentMax", "UnsortedSegmentMin", "UnsortedSegmentProd", since=13)
def convert_unsorted_segment_reduce_13(ctx, node):
    # TF:   output = UnsortedSegmentMax(data, segment_ids, num_segments)  (Min, Prod alike)
    # ONNX: Output = ReduceMax(Where(Range(num) == Ids, Data, lowest), axis 1)  (opset < 18)
    dtype = node.input_dtype(0) or dtypes.float32
    rows, ids, rest_rank = segment_rows(ctx, node)
    result, _ = masked_segment_reduce(ctx, rows, ids, _num_segments(ctx, node), rest_rank,
                                      _SCATTER_REDUCTIONS[node.op], dtype)
    first(ctx, "Identity", [result], output=node.output(0))
