"""Handlers of MaxPoolWithArgmax, Dilation2D and CTCGreedyDecoder.

MaxPoolWithArgmax is ONNX MaxPool with its Indices output, renumbered as TensorFlow counts: ONNX numbers an NCHW input's elements ((n * C + c) * H + h) * W + w; TensorFlow numbers the
NHWC input's ((n * H + h) * W + w) * C + c, without the batch term unless
`include_batch_in_index`. Both keep the first maximum of a window in scan order. The spatial
and channel sizes must be static.

Dilation2D (grayscale morphology) has no ONNX op: it becomes one strided Slice of the input,
padded with -inf, per filter tap, plus that tap's weights, and a Max over all taps (static input
height and width and filter size).

CTCGreedyDecoder keeps, per batch row, the best class of each step before the row's length that
is not the blank and (with merge_repeated) differs from the step before it; the kept steps'
(row, position) pairs are a NonZero of that mask in row-major order, which is the order TF
writes its sparse indices in.
"""

from __future__ import annotations

import numpy as np
from ortflow.converters.emit import const_i64, first, reduce, unsqueeze
from ortflow.converters.nn import _padding_attrs, _spatial, _spatial_dims, to_channels_first, to_channels_last
from ortflow.converters.registry import handler, require
from ortflow.formats import dtypes

__all__: list[str] = []


@handler("MaxPoolWithArgmax")
def convert_max_pool_with_argmax(ctx, node):
    # TF:   output, argmax = MaxPoolWithArgmax(input NHWC, ksize, strides, padding, Targmax,
    #                                          include_batch_in_index)
    # ONNX: Y, I = MaxPool(X NCHW, kernel_shape, strides, pads|auto_pad); argmax from I by Div/Mod
    shape = node.input_shape(0)
    require(shape is not None and len(shape) == 4 and None not in shape[1:], node,
            "MaxPoolWithArgmax needs static height, width and channels")
    height, width, channels = (int(d) for d in shape[1:])
    ksize = _spatial(node, list(node.attr("ksize")), 4)
    strides = _spatial(node, list(node.attr("strides")), 4)
    attrs = {"kernel_shape": ksize, "strides": strides}
    attrs.update(_padding_attrs(node, _spatial_dims(node, shape, 4), ksize, strides, [1, 1], 4))
    x = to_channels_first(ctx, node, node.input(0), 4)
    pooled, index = ctx.make_node("MaxPool", [x], attrs, outputs=2, name=f"{node.name}/MaxPool")
    to_channels_last(ctx, node, pooled, 4, node.output(0))
    plane = ctx.make_const(np.array(height * width, np.int64))
    within = first(ctx, "Mod", [index, plane])                    # h * W + w
    outer = first(ctx, "Div", [index, plane])                     # n * C + c
    count = ctx.make_const(np.array(channels, np.int64))
    channel = first(ctx, "Mod", [outer, count])
    tf_index = first(ctx, "Add", [first(ctx, "Mul", [within, count]), channel])
    if node.attr("include_batch_in_index", False):
        batch = first(ctx, "Div", [outer, count])
        per_image = ctx.make_const(np.array(height * width * channels, np.int64))
        tf_index = first(ctx, "Add", [tf_index, first(ctx, "Mul", [batch, per_image])])
    target = node.output_dtype(1) or dtypes.int64
    if target != dtypes.int64:
        tf_index = first(ctx, "Cast", [tf_index], {"to": ctx.onnx_type(target)})
    to_channels_last(ctx, node, tf_index, 4, node.output(1))


@handler("Dilation2D")
def convert_dilation2d(ctx, node):
    # TF:   output = Dilation2D(input NHWC, filter [kh, kw, C], strides, rates, padding)
    # ONNX: Output = Max over (dy, dx) of Add(Slice(Pad(Input, -inf), strided window), filter[dy, dx])
    shape, fshape = node.input_shape(0), node.input_shape(1)
    require(shape is not None and len(shape) == 4 and shape[1] is not None and shape[2] is not None, node,
            "Dilation2D needs static height and width")
    require(fshape is not None and len(fshape) == 3 and None not in fshape[:2], node,
            "Dilation2D needs a static filter size")
    strides = [int(v) for v in node.attr("strides")][1:3]
    rates = [int(v) for v in node.attr("rates")][1:3]
    padding = node.str_attr("padding")
    geometry = [_window(int(shape[1 + a]), int(fshape[a]), strides[a], rates[a], padding) for a in (0, 1)]
    dtype = node.output_dtype(0) or dtypes.float32
    low = np.array(-np.inf if dtype.is_floating else np.iinfo(dtype.as_numpy_dtype).min, dtype.as_numpy_dtype)
    pads = [0, geometry[0][1], geometry[1][1], 0, 0, geometry[0][2], geometry[1][2], 0]
    padded = first(ctx, "Pad", [node.input(0), ctx.make_const(np.array(pads, np.int64)), ctx.make_const(low)])
    candidates = []
    for dy in range(int(fshape[0])):
        for dx in range(int(fshape[1])):
            starts = [dy * rates[0], dx * rates[1]]
            ends = [starts[a] + (geometry[a][0] - 1) * strides[a] + 1 for a in (0, 1)]
            window = first(ctx, "Slice", [padded, ctx.make_const(np.array(starts, np.int64)),
                                          ctx.make_const(np.array(ends, np.int64)),
                                          ctx.make_const(np.array([1, 2], np.int64)),
                                          ctx.make_const(np.array(strides, np.int64))])
            weight = first(ctx, "Slice", [node.input(1), ctx.make_const(np.array([dy, dx], np.int64)),
                                          ctx.make_const(np.array([dy + 1, dx + 1], np.int64)),
                                          ctx.make_const(np.array([0, 1], np.int64))])
            candidates.append(first(ctx, "Add", [window, weight]))
    first(ctx, "Max", candidates, output=node.output(0), dtype=dtype)


def _window(size: int, window: int, stride: int, rate: int, padding: str) -> tuple[int, int, int]:
    """(output size, padding before, padding after) of one spatial axis, TF's rule with dilation."""
    effective = (window - 1) * rate + 1
    if padding == "VALID":
        out = max(-(-(size - effective + 1) // stride), 0)
        return out, 0, 0
    out = -(-size // stride)
    total = max((out - 1) * stride + effective - size, 0)
    return out, total // 2, total - total // 2


@handler("CTCGreedyDecoder")
def convert_ctc_greedy_decoder(ctx, node):
    # TF:   indices [N, 2], values [N], shape [2], log_probability [B, 1] =
    #       CTCGreedyDecoder(inputs [T, B, C], sequence_length [B]; merge_repeated, blank_index)
    # ONNX: best = ArgMax(inputs, 2); keep = t < length & best != blank (& best != best[t-1]);
    #       NonZero(keep [B, T]) gives (row, step); position = CumSum(keep, 1) - 1 at the step;
    #       log_probability = -sum over t < length of ReduceMax(inputs, 2)
    dtype = node.input_dtype(0)
    x = node.input(0)
    best = first(ctx, "ArgMax", [x], {"axis": 2, "keepdims": 0})
    time = first(ctx, "Gather", [first(ctx, "Shape", [x]), const_i64(ctx, 0)], {"axis": 0})
    steps = first(ctx, "Range", [const_i64(ctx, 0), time, const_i64(ctx, 1)])
    lengths = unsqueeze(ctx, ctx.cast(node.input(1), dtypes.int64), [0])
    valid = first(ctx, "Less", [unsqueeze(ctx, steps, [1]), lengths])  # [T, B]
    blank_index = int(node.attr("blank_index", -1))
    if blank_index < 0:
        shape = node.input_shape(0)
        classes = shape[2] if shape is not None and len(shape) == 3 else None
        if isinstance(classes, int):
            blank = const_i64(ctx, classes - 1)
        else:
            count = first(ctx, "Slice", [first(ctx, "Shape", [x]), const_i64(ctx, [2]), const_i64(ctx, [3])])
            blank = first(ctx, "Sub", [count, const_i64(ctx, [1])])
    else:
        blank = const_i64(ctx, blank_index)
    keep = first(ctx, "And", [valid, first(ctx, "Not", [first(ctx, "Equal", [best, blank])])])
    if node.attr("merge_repeated", True):
        earlier = first(ctx, "Slice", [best, const_i64(ctx, [0]), const_i64(ctx, [-1]), const_i64(ctx, [0])])
        start = first(ctx, "Slice", [first(ctx, "Mul", [best, const_i64(ctx, 0)]), const_i64(ctx, [0]),
                                     const_i64(ctx, [1]), const_i64(ctx, [0])])
        previous = first(ctx, "Concat", [first(ctx, "Sub", [start, const_i64(ctx, 1)]), earlier], {"axis": 0})
        keep = first(ctx, "And", [keep, first(ctx, "Not", [first(ctx, "Equal", [best, previous])])])
    keep_bt = first(ctx, "Transpose", [keep], {"perm": [1, 0]})
    best_bt = first(ctx, "Transpose", [best], {"perm": [1, 0]})
    where = first(ctx, "Transpose", [first(ctx, "NonZero", [keep_bt])], {"perm": [1, 0]})  # [N, 2]
    counts = first(ctx, "CumSum", [first(ctx, "Cast", [keep_bt], {"to": ctx.onnx_type(dtypes.int64)}),
                                   const_i64(ctx, 1)])
    position = first(ctx, "Sub", [first(ctx, "GatherND", [counts, where]), const_i64(ctx, 1)])
    rows = first(ctx, "Slice", [where, const_i64(ctx, [0]), const_i64(ctx, [1]), const_i64(ctx, [1])])
    first(ctx, "Concat", [rows, unsqueeze(ctx, position, [1])], {"axis": 1}, output=node.output(0))
    first(ctx, "GatherND", [best_bt, where], output=node.output(1))
    per_row = reduce(ctx, "ReduceMax", counts, [1], keepdims=False)  # kept steps per row
    longest = reduce(ctx, "ReduceMax", first(ctx, "Concat", [per_row, const_i64(ctx, [0])], {"axis": 0}), [0],
                     keepdims=True)
    batch = first(ctx, "Slice", [first(ctx, "Shape", [x]), const_i64(ctx, [1]), const_i64(ctx, [2])])
    first(ctx, "Concat", [batch, longest], {"axis": 0}, output=node.output(2))
    zero = ctx.make_const(np.zeros((), dtype.as_numpy_dtype))
    best_scores = first(ctx, "Where", [valid, reduce(ctx, "ReduceMax", x, [2], keepdims=False), zero])
    total = reduce(ctx, "ReduceSum", best_scores, [0], keepdims=False)
    unsqueeze(ctx, first(ctx, "Neg", [total]), [1], output=node.output(3))
