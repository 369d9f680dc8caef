"""Handlers of less common array ops: Roll, Cumprod, Unique(WithCounts), Lower/UpperBound,
HistogramFixedWidth, LinSpace, TensorScatterAdd/Sub, ListDiff, UnravelIndex, and the scatters
before ScatterND had reductions."""

from __future__ import annotations

import numpy as np
from ortflow.converters.emit import (
    INT64_MAX,
    const_i64,
    dim_of,
    first,
    reduce,
    scalar_like,
    shape_of,
    to_int64,
    to_scalar,
    unsqueeze,
    zeros_like_shape,
)
from ortflow.converters.reduce import masked_segment_reduce
from ortflow.converters.registry import handler, require
from ortflow.formats import dtypes

__all__: list[str] = []


def _slice_axis(ctx, x: str, start, end, axis: int, step: int = 1) -> str:
    """x[start:end:step] along `axis`; start/end are ints or int64 [1] value names."""
    start = start if isinstance(start, str) else const_i64(ctx, [start])
    end = end if isinstance(end, str) else const_i64(ctx, [end])
    return first(ctx, "Slice", [x, start, end, const_i64(ctx, [axis]), const_i64(ctx, [step])])


@handler("Roll", since=13)
def convert_roll(ctx, node):
    # TF:   output = Roll(input, shift, axis)        (axis: constant; shift may be dynamic)
    # ONNX: Output = Concat(Slice(X, n - s, end), Slice(X, 0, n - s))  per rolled axis, s = shift mod n
    axes = node.input_value(2)
    require(axes is not None, node, "the roll axes must be constant")
    rank = node.input_rank(0)
    require(rank is not None, node, "the input needs a static rank")
    axes = [int(a) + rank if int(a) < 0 else int(a) for a in np.asarray(axes).reshape(-1)]
    shifts = first(ctx, "Reshape", [to_int64(ctx, node.input(1)), const_i64(ctx, [-1])])
    out = node.input(0)
    for i, axis in enumerate(axes):
        n = dim_of(ctx, out, axis)
        shift = first(ctx, "Gather", [shifts, const_i64(ctx, [i])], {"axis": 0})
        s = first(ctx, "Mod", [shift, n])  # ONNX integer Mod takes the divisor's sign, as Python's %
        cut = first(ctx, "Sub", [n, s])
        tail = _slice_axis(ctx, out, cut, INT64_MAX, axis)
        head = _slice_axis(ctx, out, 0, cut, axis)
        last = i == len(axes) - 1
        out = first(ctx, "Concat", [tail, head], {"axis": axis}, output=node.output(0) if last else None)
    if not axes:
        first(ctx, "Identity", [out], output=node.output(0))


def _reverse_axis(ctx, x: str, axis: int) -> str:
    return _slice_axis(ctx, x, -1, np.iinfo(np.int64).min, axis, step=-1)


@handler("Cumprod", since=13)
def convert_cumprod(ctx, node):
    # TF:   out = Cumprod(x, axis, exclusive: bool, reverse: bool)
    # ONNX: (no CumProd) a log-depth scan: y *= [1] * d ++ y[:-d] for d = 1, 2, 4, ... < n
    axis = node.input_value(1)
    require(axis is not None, node, "the axis must be constant")
    shape = node.input_shape(0)
    require(shape is not None, node, "the input needs a static rank")
    axis = int(np.asarray(axis).reshape(())) % len(shape)
    n = shape[axis]
    require(n is not None, node, "the scanned dimension needs a static size")
    dtype = node.input_dtype(0)
    x = node.input(0)
    reverse, exclusive = bool(node.attr("reverse", False)), bool(node.attr("exclusive", False))
    if reverse:
        x = _reverse_axis(ctx, x, axis)
    if exclusive and n > 0:
        x = _shift_in_ones(ctx, x, 1, n, axis, dtype)
    d = 1
    while d < n:
        x = first(ctx, "Mul", [x, _shift_in_ones(ctx, x, d, n, axis, dtype)])
        d *= 2
    if reverse:
        x = _reverse_axis(ctx, x, axis)
    first(ctx, "Identity", [x], output=node.output(0))


def _shift_in_ones(ctx, x: str, d: int, n: int, axis: int, dtype) -> str:
    """x shifted by `d` along `axis` (length n), the first d entries set to 1."""
    ones = zeros_like_shape(ctx, shape_of(ctx, _slice_axis(ctx, x, 0, d, axis)), dtype, 1)
    return first(ctx, "Concat", [ones, _slice_axis(ctx, x, 0, n - d, axis)], {"axis": axis})


@handler("Unique", "UniqueWithCounts", since=11)
def convert_unique(ctx, node):
    # TF:   y, idx[, count] = Unique(x, out_idx)          (1-D; order of first appearance)
    # ONNX: Y, indices, inverse_indices, counts = Unique(X, sorted=0)
    dtype = node.input_dtype(0)
    x = node.input(0)
    # onnxruntime's Unique takes float, double, int8, int64 and string: other ints go via int64.
    widen = dtype is not None and dtype.is_integer and dtype not in (dtypes.int8, dtypes.int64)
    if widen:
        x = ctx.cast(x, dtypes.int64)
    y, _, inverse, counts = ctx.make_node("Unique", [x], {"sorted": 0}, outputs=4)
    if widen:
        first(ctx, "Cast", [y], {"to": ctx.onnx_type(dtype)}, output=node.output(0))
    else:
        first(ctx, "Identity", [y], output=node.output(0))
    out_idx = node.attr("out_idx", dtypes.int32)
    first(ctx, "Cast", [inverse], {"to": ctx.onnx_type(out_idx)}, output=node.output(1))
    if node.op == "UniqueWithCounts":
        first(ctx, "Cast", [counts], {"to": ctx.onnx_type(out_idx)}, output=node.output(2))


@handler("LowerBound", "UpperBound", since=13)
def convert_bound(ctx, node):
    # TF:   output = LowerBound(sorted_inputs [B, N], values [B, M], out_type)   (UpperBound alike)
    # ONNX: Output = ReduceSum(Cast(Less(Unsqueeze(S, 1), Unsqueeze(V, 2))), axis 2)  (LessOrEqual: upper)
    seq = unsqueeze(ctx, node.input(0), [1])
    values = unsqueeze(ctx, node.input(1), [2])
    compare = "Less" if node.op == "LowerBound" else "LessOrEqual"
    below = first(ctx, "Cast", [first(ctx, compare, [seq, values])], {"to": ctx.onnx_type(dtypes.int64)})
    count = reduce(ctx, "ReduceSum", below, [2], keepdims=False)
    first(ctx, "Cast", [count], {"to": ctx.onnx_type(node.attr("out_type", dtypes.int32))}, output=node.output(0))


def _cast(ctx, x: str, to) -> str:
    # An explicit Cast whose output type is recorded (ctx.cast may skip a cast of a value whose
    # type it cannot see).
    return first(ctx, "Cast", [x], {"to": ctx.onnx_type(to)}, dtype=to)


@handler("HistogramFixedWidth", since=13)
def convert_histogram_fixed_width(ctx, node):
    # TF:   out = HistogramFixedWidth(values, value_range [2], nbins, dtype)
    # ONNX: bin = Cast(Min((Max(V, lo) - lo) / step, nbins - 1)) in double; counts = ReduceSum(bin == Range(nbins))
    f64 = dtypes.float64
    values = first(ctx, "Reshape", [node.input(0), const_i64(ctx, [-1])])
    lo = first(ctx, "Gather", [node.input(1), const_i64(ctx, 0)], {"axis": 0})
    hi = first(ctx, "Gather", [node.input(1), const_i64(ctx, 1)], {"axis": 0})
    nbins = to_scalar(ctx, to_int64(ctx, node.input(2)))
    nbins_f = _cast(ctx, nbins, f64)
    step = first(ctx, "Div", [_cast(ctx, first(ctx, "Sub", [hi, lo]), f64), nbins_f])
    offset = _cast(ctx, first(ctx, "Sub", [first(ctx, "Max", [values, lo]), lo]), f64)
    top = first(ctx, "Sub", [nbins_f, scalar_like(ctx, 1.0, f64)])
    index = first(ctx, "Cast", [first(ctx, "Min", [first(ctx, "Div", [offset, step]), top])],
                  {"to": ctx.onnx_type(dtypes.int64)})
    bins = first(ctx, "Range", [const_i64(ctx, 0), nbins, const_i64(ctx, 1)])
    hits = first(ctx, "Equal", [unsqueeze(ctx, index, [1]), bins])
    counts = reduce(ctx, "ReduceSum", first(ctx, "Cast", [hits], {"to": ctx.onnx_type(dtypes.int64)}), [0],
                    keepdims=False)
    first(ctx, "Cast", [counts], {"to": ctx.onnx_type(node.attr("dtype", dtypes.int32))}, output=node.output(0))


@handler("LinSpace", since=11)
def convert_lin_space(ctx, node):
    # TF:   output = LinSpace(start, stop, num)          (num == 1 gives [start])
    # ONNX: Output = start + Cast(Range(0, num, 1)) * (stop - start) / max(num - 1, 1)
    dtype = node.input_dtype(0)
    start, stop = to_scalar(ctx, node.input(0)), to_scalar(ctx, node.input(1))
    num = to_scalar(ctx, to_int64(ctx, node.input(2)))
    steps = first(ctx, "Max", [first(ctx, "Sub", [num, const_i64(ctx, 1)]), const_i64(ctx, 1)])
    step = first(ctx, "Div", [first(ctx, "Sub", [stop, start]), ctx.cast(steps, dtype)])
    index = ctx.cast(first(ctx, "Range", [const_i64(ctx, 0), num, const_i64(ctx, 1)]), dtype)
    first(ctx, "Add", [start, first(ctx, "Mul", [index, step])], output=node.output(0))


@handler("TensorScatterAdd", "TensorScatterSub", since=16)
def convert_tensor_scatter_add(ctx, node):
    # TF:   output = TensorScatterAdd(tensor, indices, updates)      (Sub: updates negated)
    # ONNX: Output = ScatterND(Data, Indices, Updates, reduction='add')  (opset >= 16)
    updates = node.input(2)
    if node.op == "TensorScatterSub":
        updates = first(ctx, "Neg", [updates])
    first(ctx, "ScatterND", [node.input(0), to_int64(ctx, node.input(1)), updates], {"reduction": "add"},
          output=node.output(0))


@handler("_OrtflowTensorScatterMul", "_OrtflowTensorScatterDiv", since=16)
def convert_tensor_scatter_mul(ctx, node):
    # ortflow's own ops, the new value of ScatterMul / ScatterDiv (runtime/lowering.py):
    # ONNX: Output = Mul(Data, ScatterND(ones, Indices, Updates, reduction='mul'))  (Div: Div)
    # Dividing by the product of a cell's updates equals dividing by each in turn (truncating
    # integer division composes the same way), up to float rounding.
    ones = zeros_like_shape(ctx, shape_of(ctx, node.input(0)), node.output_dtype(0), 1)
    product = first(ctx, "ScatterND", [ones, to_int64(ctx, node.input(1)), node.input(2)], {"reduction": "mul"})
    op = "Mul" if node.op == "_OrtflowTensorScatterMul" else "Div"
    first(ctx, op, [node.input(0), product], output=node.output(0))


@handler("_OrtflowTensorScatterMul", "_OrtflowTensorScatterDiv", since=13)
def convert_tensor_scatter_mul_13(ctx, node):
    # ortflow's own ops (see the opset-16 form): the product of each cell's updates as a
    # segment reduction (1 where no update lands), then Mul / Div.
    product, _ = _scatter_as_segments(ctx, node, node.input(1), node.input(2), shape_of(ctx, node.input(0)), "mul")
    op = "Mul" if node.op == "_OrtflowTensorScatterMul" else "Div"
    first(ctx, op, [node.input(0), product], output=node.output(0))


@handler("ListDiff", since=13)
def convert_list_diff(ctx, node):
    # TF:   out, idx = ListDiff(x [N], y [M], out_idx)     (the x not in y, in order, and where they were)
    # ONNX: idx = NonZero(ReduceSum(Unsqueeze(X, 1) == Unsqueeze(Y, 0), 1) == 0); out = Gather(X, idx)
    x, y = node.input(0), node.input(1)
    hits = first(ctx, "Cast", [first(ctx, "Equal", [unsqueeze(ctx, x, [1]), unsqueeze(ctx, y, [0])])],
                 {"to": ctx.onnx_type(dtypes.int64)})
    count = reduce(ctx, "ReduceSum", hits, [1], keepdims=False)
    keep = first(ctx, "Equal", [count, const_i64(ctx, 0)])
    index = first(ctx, "Reshape", [first(ctx, "NonZero", [keep]), const_i64(ctx, [-1])])
    first(ctx, "Gather", [x, index], {"axis": 0}, output=node.output(0))
    first(ctx, "Cast", [index], {"to": ctx.onnx_type(node.attr("out_idx", dtypes.int32))}, output=node.output(1))


@handler("UnravelIndex", since=13)
def convert_unravel_index(ctx, node):
    # TF:   coords [len(dims), ...] = UnravelIndex(indices, dims)     (row-major)
    # ONNX: coords[k] = Mod(Div(indices, stride_k), dims_k)   (dims constant)
    dims = node.input_value(1)
    require(dims is not None, node, "the dims must be constant")
    dims = [int(d) for d in np.asarray(dims).reshape(-1)]
    dtype = node.input_dtype(0)
    strides = [int(np.prod(dims[k + 1:], dtype=np.int64)) for k in range(len(dims))]
    parts = []
    for dim, stride in zip(dims, strides):
        quotient = first(ctx, "Div", [node.input(0), scalar_like(ctx, stride, dtype)])
        parts.append(unsqueeze(ctx, first(ctx, "Mod", [quotient, scalar_like(ctx, dim, dtype)]), [0]))
    first(ctx, "Concat", parts, {"axis": 0}, output=node.output(0))


# --------------------------------------------------------------------------- scatters before opset 16 / 18

def _scatter_as_segments(ctx, node, indices: str, updates: str, shape: str, reduction: str):
    """ScatterNd's work as a segment reduction: each index row names one cell (a slice when the
    index is shorter than the shape) by its row-major number, and the updates of a cell combine.

    Returns (the combined updates shaped like `shape`, int64 hit counts shaped [cells, 1...]).
    """
    index_shape = node.input_shape(1) if node.op != "ScatterNd" else node.input_shape(0)
    depth = None if index_shape is None or not len(index_shape) else index_shape[-1]
    require(depth is not None and depth > 0, node, "the index depth (last dim of indices) must be static")
    depth = int(depth)
    dtype = node.output_dtype(0)
    shape = to_int64(ctx, shape)
    indices = to_int64(ctx, indices)
    number, stride = None, None
    for k in reversed(range(depth)):
        part = first(ctx, "Gather", [indices, const_i64(ctx, k)], {"axis": -1})
        part = part if stride is None else first(ctx, "Mul", [part, stride])
        number = part if number is None else first(ctx, "Add", [number, part])
        dim = first(ctx, "Gather", [shape, const_i64(ctx, k)], {"axis": 0})
        stride = dim if stride is None else first(ctx, "Mul", [stride, dim])
    cells = first(ctx, "Reshape", [stride, const_i64(ctx, [1])])
    rest = first(ctx, "Slice", [shape, const_i64(ctx, [depth]), const_i64(ctx, [INT64_MAX])])
    rows = first(ctx, "Reshape", [updates, first(ctx, "Concat", [const_i64(ctx, [-1]), rest], {"axis": 0})])
    out_rank = node.output_rank(0)
    require(out_rank is not None, node, "the output needs a static rank")
    ids = first(ctx, "Reshape", [number, const_i64(ctx, [-1])])
    result, hits = masked_segment_reduce(ctx, rows, ids, cells, out_rank - depth, reduction, dtype)
    hits = unsqueeze(ctx, hits, list(range(1, 1 + out_rank - depth))) if out_rank > depth else hits
    return first(ctx, "Reshape", [result, shape]), first(ctx, "Reshape", [hits, shape_like_hits(ctx, shape, depth)])


def shape_like_hits(ctx, shape: str, depth: int) -> str:
    """The shape [d0, ..., d(depth-1), 1, ...] that broadcasts per-cell counts over `shape`."""
    ones = zeros_like_shape(ctx, first(ctx, "Shape", [shape]), dtypes.int64, 1)
    head = first(ctx, "Slice", [shape, const_i64(ctx, [0]), const_i64(ctx, [depth])])
    tail = first(ctx, "Slice", [ones, const_i64(ctx, [depth]), const_i64(ctx, [INT64_MAX])])
    return first(ctx, "Concat", [head, tail], {"axis": 0})


@handler("ScatterNd", since=13)
def convert_scatter_nd_13(ctx, node):
    # TF:   output = ScatterNd(indices, updates, shape)  (duplicate indices add up)
    # ONNX: Output = Reshape(ReduceSum(Where(cell ids == Range(cells), Updates, 0), 1), Shape)  (opset < 16)
    result, _ = _scatter_as_segments(ctx, node, node.input(0), node.input(1), node.input(2), "add")
    first(ctx, "Identity", [result], output=node.output(0))


@handler("TensorScatterAdd", "TensorScatterSub", since=13)
def convert_tensor_scatter_add_13(ctx, node):
    # TF:   output = TensorScatterAdd(tensor, indices, updates)      (Sub: updates negated)
    # ONNX: Output = Add(Data, the summed updates per cell)  (opset < 16)
    summed, _ = _scatter_as_segments(ctx, node, node.input(1), node.input(2), shape_of(ctx, node.input(0)), "add")
    op = "Sub" if node.op == "TensorScatterSub" else "Add"
    first(ctx, op, [node.input(0), summed], output=node.output(0))


@handler("TensorScatterMax", "TensorScatterMin", since=13)
def convert_tensor_scatter_max_13(ctx, node):
    # TF:   output = TensorScatterMax(tensor, indices, updates)    (Min alike)
    # ONNX: Output = Where(hits > 0, Max(Data, the updates' max per cell), Data)  (opset < 18)
    reduction = "max" if node.op == "TensorScatterMax" else "min"
    best, hits = _scatter_as_segments(ctx, node, node.input(1), node.input(2), shape_of(ctx, node.input(0)),
                                      reduction)
    combined = first(ctx, "Max" if reduction == "max" else "Min", [node.input(0), best])
    hit = first(ctx, "Greater", [hits, const_i64(ctx, 0)])
    first(ctx, "Where", [hit, combined, node.input(0)], output=node.output(0))
