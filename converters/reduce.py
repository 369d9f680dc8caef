"""Handlers of TF reductions (Sum, Mean, Max, ..., All, Any) and ArgMax/ArgMin."""

from __future__ import annotations

import numpy as np

from ortflow.converters.emit import AXES_INPUT_SINCE, first, reduce, to_int64
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


def _convert_reduce(ctx, node):
    _reduce(ctx, node, REDUCE_OPS[node.op], node.input(0), node.output(0))


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
