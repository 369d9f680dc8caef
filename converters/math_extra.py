"""Handlers of less common TF math ops: Xlogy family, Atan2, MulNoNan, InTopKV2, sorted segment
reductions, DenseBincount, the max/min tensor scatters, CumulativeLogsumexp, QuantizeV2 and
Dequantize."""

from __future__ import annotations

import math

import numpy as np
from ortflow.converters.emit import (
    const_i64,
    first,
    reduce,
    scalar_like,
    shape_of,
    to_int64,
    to_scalar,
    unsqueeze,
    zeros_like_shape,
)
from ortflow.converters.math import unary_in_float32
from ortflow.converters.reduce import masked_segment_reduce, segment_rows, sorted_segment_count
from ortflow.converters.registry import handler, require
from ortflow.formats import dtypes

__all__: list[str] = []


def _dtype(node, i: int = 0):
    return node.input_dtype(i) or node.output_dtype(0)


def _zero_where_x_is_zero(ctx, node, x: str, value: str) -> None:
    zero = scalar_like(ctx, 0, _dtype(node))
    first(ctx, "Where", [first(ctx, "Equal", [x, zero]), zero, value], output=node.output(0))


@handler("Xlogy", "Xdivy", "Xlog1py", since=9)
def convert_xlogy(ctx, node):
    # TF:   z = Xlogy(x, y)       (0 where x == 0, else x * log(y); Xdivy: x / y; Xlog1py: x * log1p(y))
    # ONNX: Z = Where(X == 0, 0, Mul(X, Log(Y)))   (Div / Log(1 + Y) for the others)
    x, y = node.input(0), node.input(1)
    if node.op == "Xdivy":
        value = first(ctx, "Div", [x, y])
    else:
        if node.op == "Xlog1py":
            y = first(ctx, "Add", [y, scalar_like(ctx, 1, _dtype(node))])
        value = first(ctx, "Mul", [x, first(ctx, "Log", [y])])
    _zero_where_x_is_zero(ctx, node, x, value)


@handler("MulNoNan", since=9)
def convert_mul_no_nan(ctx, node):
    # TF:   z = MulNoNan(x, y)    (0 where y == 0, even for an infinite or NaN x)
    # ONNX: Z = Where(Y == 0, 0, Mul(X, Y))
    zero = scalar_like(ctx, 0, _dtype(node))
    product = first(ctx, "Mul", [node.input(0), node.input(1)])
    first(ctx, "Where", [first(ctx, "Equal", [node.input(1), zero]), zero, product], output=node.output(0))


@handler("Atan2", since=9)
def convert_atan2(ctx, node):
    # TF:   z = Atan2(y, x)
    # ONNX: Z = Atan(Y / X), plus pi (y >= 0) or minus pi (y < 0) where x < 0; 0 where x == y == 0
    dtype = _dtype(node)
    y, x = node.input(0), node.input(1)
    zero = scalar_like(ctx, 0, dtype)
    base = unary_in_float32(ctx, "Atan", first(ctx, "Div", [y, x]), dtype)
    pi = scalar_like(ctx, math.pi, dtype)
    turn = first(ctx, "Where", [first(ctx, "GreaterOrEqual", [y, zero]), pi, first(ctx, "Neg", [pi])])
    shifted = first(ctx, "Where", [first(ctx, "Less", [x, zero]), first(ctx, "Add", [base, turn]), base])
    origin = first(ctx, "And", [first(ctx, "Equal", [x, zero]), first(ctx, "Equal", [y, zero])])
    first(ctx, "Where", [origin, zero, shifted], output=node.output(0))


@handler("InTopKV2", "InTopK", since=13)
def convert_in_top_k(ctx, node):
    # TF:   precision = InTopKV2(predictions [B, C], targets [B], k)   (InTopK: k an attr)
    #       true when fewer than k classes score above the target's; false for a target out of
    #       range or a row with a non-finite score
    # ONNX: Less(ReduceSum(Greater(P, GatherElements(P, T))), k) And row all finite And T in range
    predictions = node.input(0)
    targets = to_int64(ctx, node.input(1))
    classes = first(ctx, "Gather", [shape_of(ctx, predictions), const_i64(ctx, 1)], {"axis": 0})
    in_range = first(ctx, "And", [first(ctx, "GreaterOrEqual", [targets, const_i64(ctx, 0)]),
                                  first(ctx, "Less", [targets, classes])])
    safe = first(ctx, "Where", [in_range, targets, const_i64(ctx, 0)])
    score = first(ctx, "GatherElements", [predictions, unsqueeze(ctx, safe, [1])], {"axis": 1})
    above = first(ctx, "Cast", [first(ctx, "Greater", [predictions, score])], {"to": ctx.onnx_type(dtypes.int64)})
    count = reduce(ctx, "ReduceSum", above, [1], keepdims=False)
    k = const_i64(ctx, int(node.attr("k"))) if node.op == "InTopK" else to_scalar(ctx, to_int64(ctx, node.input(2)))
    finite = first(ctx, "Not", [first(ctx, "Or", [first(ctx, "IsNaN", [predictions]),
                                                 first(ctx, "IsInf", [predictions])])])
    all_finite = reduce(ctx, "ReduceMin", first(ctx, "Cast", [finite], {"to": ctx.onnx_type(dtypes.int32)}), [1],
                        keepdims=False)
    row_ok = first(ctx, "Cast", [all_finite], {"to": ctx.onnx_type(dtypes.bool)})
    result = first(ctx, "And", [first(ctx, "Less", [count, k]), row_ok])
    first(ctx, "And", [result, in_range], output=node.output(0))


# --------------------------------------------------------------------------- sorted segments

def _segments(ctx, node):
    """(int64 ids as [N, 1] indices, int64 [1] segment count, output shape vector)."""
    require(node.input_rank(1) == 1, node, "the segment ids must be a vector")
    ids = to_int64(ctx, node.input(1))
    count = sorted_segment_count(ctx, ids, node.input_value(1))
    rest = first(ctx, "Slice", [shape_of(ctx, node.input(0)), const_i64(ctx, [1]),
                                const_i64(ctx, [np.iinfo(np.int64).max])])
    return unsqueeze(ctx, ids, [1]), count, first(ctx, "Concat", [count, rest], {"axis": 0})


def _segment_counts(ctx, node, indices: str, count: str, dtype) -> str:
    """Rows per segment, shaped [S, 1, ...] to broadcast against the segment results."""
    ones = zeros_like_shape(ctx, first(ctx, "Shape", [indices]), dtype, 1)
    ones = first(ctx, "Reshape", [ones, const_i64(ctx, [-1])])
    counts = first(ctx, "ScatterND", [zeros_like_shape(ctx, count, dtype, 0), indices, ones], {"reduction": "add"})
    rank = node.input_rank(0)
    require(rank is not None, node, "the data needs a static rank")
    return first(ctx, "Reshape", [counts, const_i64(ctx, [-1] + [1] * (rank - 1))])


@handler("SegmentMean", since=16)
def convert_segment_mean(ctx, node):
    # TF:   output = SegmentMean(data, segment_ids)      (sorted ids; empty segments give 0)
    # ONNX: Output = ScatterND(zeros, ids, Data, 'add') / max(ScatterND(zeros, ids, ones, 'add'), 1)
    dtype = _dtype(node)
    indices, count, out_shape = _segments(ctx, node)
    total = first(ctx, "ScatterND", [zeros_like_shape(ctx, out_shape, dtype, 0), indices, node.input(0)],
                  {"reduction": "add"})
    counts = _segment_counts(ctx, node, indices, count, dtype)
    one = scalar_like(ctx, 1, dtype)
    first(ctx, "Div", [total, first(ctx, "Max", [counts, one])], output=node.output(0))


_SEGMENT_REDUCTIONS = {"SegmentMax": "max", "SegmentMin": "min", "SegmentProd": "mul"}


@handler("SegmentMax", "SegmentMin", "SegmentProd", since=18)
def convert_segment_reduce(ctx, node):
    # TF:   output = SegmentMax(data, segment_ids)       (Min, Prod alike; empty segments give 0 / 1)
    # ONNX: Output = Where(count == 0, empty value, ScatterND(init, ids, Data, reduction))  (opset >= 18)
    dtype = _dtype(node)
    reduction = _SEGMENT_REDUCTIONS[node.op]
    np_dtype = np.dtype(dtype.as_numpy_dtype)
    info = np.finfo(np_dtype) if np_dtype.kind == "f" else np.iinfo(np_dtype)
    start = {"max": info.min, "min": info.max, "mul": 1}[reduction]
    indices, count, out_shape = _segments(ctx, node)
    result = first(ctx, "ScatterND", [zeros_like_shape(ctx, out_shape, dtype, start), indices, node.input(0)],
                   {"reduction": reduction})
    if reduction == "mul":
        first(ctx, "Identity", [result], output=node.output(0))
        return
    counts = _segment_counts(ctx, node, indices, count, dtype)
    empty = first(ctx, "Equal", [counts, scalar_like(ctx, 0, dtype)])
    first(ctx, "Where", [empty, scalar_like(ctx, 0, dtype), result], output=node.output(0))


@handler("SegmentMean", "SegmentMax", "SegmentMin", "SegmentProd", since=13)
def convert_segment_reduce_13(ctx, node):
    # TF:   output = SegmentMax(data, segment_ids)       (sorted ids; empty segments give 0, Prod 1)
    # ONNX: Output = ReduceMax(Where(Range(S) == Ids, Data, lowest), axis 1)  (opset < 16 / 18)
    dtype = _dtype(node)
    reduction = {"SegmentMean": "add", **_SEGMENT_REDUCTIONS}[node.op]
    _, count, _ = _segments(ctx, node)
    rows, ids, rest_rank = segment_rows(ctx, node)
    result, hits = masked_segment_reduce(ctx, rows, ids, count, rest_rank, reduction, dtype)
    hits = first(ctx, "Cast", [hits], {"to": ctx.onnx_type(dtype)})
    hits = unsqueeze(ctx, hits, list(range(1, 1 + rest_rank))) if rest_rank else hits
    if node.op == "SegmentMean":
        first(ctx, "Div", [result, first(ctx, "Max", [hits, scalar_like(ctx, 1, dtype)])], output=node.output(0))
    elif node.op == "SegmentProd":
        first(ctx, "Identity", [result], output=node.output(0))
    else:
        empty = first(ctx, "Equal", [hits, scalar_like(ctx, 0, dtype)])
        first(ctx, "Where", [empty, scalar_like(ctx, 0, dtype), result], output=node.output(0))


@handler("DenseBincount", since=13)
def convert_dense_bincount(ctx, node):
    # TF:   output = DenseBincount(input [N] or [B, N], size, weights (empty or like input), binary_output)
    # ONNX: Output = ReduceSum(Cast(Unsqueeze(Input, -1) == Range(size)) * weights, axis -2)
    dtype = node.output_dtype(0)
    size = to_scalar(ctx, to_int64(ctx, node.input(1)))
    bins = first(ctx, "Range", [const_i64(ctx, 0), size, const_i64(ctx, 1)])
    hits = first(ctx, "Equal", [unsqueeze(ctx, to_int64(ctx, node.input(0)), [-1]), bins])
    values = first(ctx, "Cast", [hits], {"to": ctx.onnx_type(dtype)})
    weights = node.input_value(2)
    if node.attr("binary_output", False):
        counts = reduce(ctx, "ReduceMax", values, [-2], keepdims=False)
    else:
        if weights is None or np.size(weights) > 0:
            values = first(ctx, "Mul", [values, unsqueeze(ctx, node.input(2), [-1])])
        counts = reduce(ctx, "ReduceSum", values, [-2], keepdims=False)
    first(ctx, "Identity", [counts], output=node.output(0))


@handler("TensorScatterMax", "TensorScatterMin", since=18)
def convert_tensor_scatter_max(ctx, node):
    # TF:   output = TensorScatterMax(tensor, indices, updates)    (Min alike)
    # ONNX: Output = ScatterND(Data, Indices, Updates, reduction='max')  (opset >= 18)
    reduction = "max" if node.op == "TensorScatterMax" else "min"
    first(ctx, "ScatterND", [node.input(0), to_int64(ctx, node.input(1)), node.input(2)], {"reduction": reduction},
          output=node.output(0))


# Lanczos approximation (g = 7, 9 terms) of Gamma, good to float64 rounding for x >= 0.5.
_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)


@handler("Lgamma", since=9)
def convert_lgamma(ctx, node):
    # TF:   y = Lgamma(x)           (log |Gamma(x)|; +inf at 0, -1, -2, ...)
    # ONNX: Lanczos series for z = max(x, 1 - x) >= 0.5, with the reflection
    #       log(pi / |sin(pi x)|) - lgamma(1 - x) for x < 0.5
    dtype = _dtype(node)
    x = node.input(0)

    def c(value):
        return scalar_like(ctx, value, dtype)
    reflect = first(ctx, "Less", [x, c(0.5)])
    z = first(ctx, "Where", [reflect, first(ctx, "Sub", [c(1.0), x]), x])
    zm1 = first(ctx, "Sub", [z, c(1.0)])
    series = c(_LANCZOS[0])
    for i, coefficient in enumerate(_LANCZOS[1:], start=1):
        series = first(ctx, "Add", [series, first(ctx, "Div", [c(coefficient), first(ctx, "Add", [zm1, c(float(i))])])])
    t = first(ctx, "Add", [zm1, c(_LANCZOS_G + 0.5)])
    direct = first(ctx, "Add", [
        first(ctx, "Add", [c(0.5 * math.log(2 * math.pi)),
                           first(ctx, "Mul", [first(ctx, "Add", [zm1, c(0.5)]), first(ctx, "Log", [t])])]),
        first(ctx, "Sub", [first(ctx, "Log", [series]), t])])
    sine = first(ctx, "Abs", [unary_in_float32(ctx, "Sin", first(ctx, "Mul", [x, c(math.pi)]), dtype)])
    reflected = first(ctx, "Sub", [first(ctx, "Log", [first(ctx, "Div", [c(math.pi), sine])]), direct])
    first(ctx, "Where", [reflect, reflected, direct], output=node.output(0))


@handler("CumulativeLogsumexp", since=11)
def convert_cumulative_logsumexp(ctx, node):
    # TF:   out = CumulativeLogsumexp(x, axis, exclusive: bool, reverse: bool)   (float types)
    # ONNX: Out = Log(CumSum(Exp(X - M), axis)) + M with M = ReduceMax(X, axis), all in float64
    # The shift by the slice's max keeps Exp finite; float64 keeps the terms far below the max
    # (down to ~-700) from flushing to zero, so early prefix sums stay finite. An exclusive
    # sum's first term is log(0) = -inf, as in TF.
    dtype = _dtype(node)
    axis = node.input_value(1)
    require(axis is not None, node, "the axis must be constant")
    axis = int(np.asarray(axis).reshape(-1)[0])
    wide = first(ctx, "Cast", [node.input(0)], {"to": ctx.onnx_type(dtypes.float64)})
    top = reduce(ctx, "ReduceMax", wide, [axis], keepdims=True)
    infinite = first(ctx, "IsInf", [top])
    top = first(ctx, "Where", [infinite, ctx.make_const(np.zeros((), np.float64)), top])
    terms = first(ctx, "Exp", [first(ctx, "Sub", [wide, top])])
    attrs = {"exclusive": int(node.attr("exclusive", False)), "reverse": int(node.attr("reverse", False))}
    sums = first(ctx, "CumSum", [terms, const_i64(ctx, axis)], attrs)
    result = first(ctx, "Add", [first(ctx, "Log", [sums]), top])
    first(ctx, "Cast", [result], {"to": ctx.onnx_type(dtype)}, output=node.output(0))


# --------------------------------------------------------------------------- quantize / dequantize

def _quantized_limits(dtype) -> tuple[float, float]:
    info = np.iinfo(np.dtype(dtype.as_numpy_dtype))
    return float(info.min), float(info.max)


def _scalar_range(ctx, node, i: int) -> str:
    # min_range / max_range as float32 scalars (per-axis ranges are refused by the callers)
    return to_scalar(ctx, first(ctx, "Cast", [node.input(i)], {"to": ctx.onnx_type(dtypes.float32)}))


def _require_per_tensor(node) -> None:
    axis = int(node.attr("axis", -1))
    require(axis == -1, node, f"per-axis quantization ranges (axis={axis}) are not supported")


def _dequantize_scale(ctx, node, low: str, high: str, mode: str, lowest: float, highest: float):
    """(scale, offset) with output = input * scale + offset (float32 scalars), per TF's mode."""
    f32 = np.float32
    if mode == "MIN_COMBINED":
        scale = first(ctx, "Div", [first(ctx, "Sub", [high, low]), ctx.make_const(f32(highest - lowest))])
        half = (highest - lowest + 1) / 2 if lowest < 0 else 0.0
        return scale, first(ctx, "Add", [low, first(ctx, "Mul", [ctx.make_const(f32(half)), scale])])
    if mode == "MIN_FIRST":
        # steps of (max - min) * 2^b / (2^b - 1) / 2^b, counted from min rounded to a whole step
        steps = 2.0 ** (8 * np.dtype(node.input_dtype(0).as_numpy_dtype).itemsize)
        scale = first(ctx, "Mul", [first(ctx, "Sub", [high, low]), ctx.make_const(f32(1.0 / (steps - 1.0)))])
        rounded = first(ctx, "Mul", [first(ctx, "Round", [first(ctx, "Div", [low, scale])]), scale])
        return scale, first(ctx, "Sub", [rounded, first(ctx, "Mul", [ctx.make_const(f32(lowest)), scale])])
    require(mode == "SCALED", node, f"unknown quantization mode {mode!r}")
    low_value = lowest + 1 if node.attr("narrow_range", False) else lowest
    if lowest == 0:
        scale = first(ctx, "Div", [high, ctx.make_const(f32(highest))])
    else:
        scale = first(ctx, "Max", [first(ctx, "Div", [low, ctx.make_const(f32(low_value))]),
                                   first(ctx, "Div", [high, ctx.make_const(f32(highest))])])
    return scale, ctx.make_const(f32(0.0))


@handler("Dequantize", since=13)
def convert_dequantize(ctx, node):
    # TF:   output float = Dequantize(input quantized, min_range, max_range, mode, narrow_range, axis)
    # ONNX: Output = Cast(Input, float) * scale + offset   (MIN_COMBINED, MIN_FIRST, SCALED; per tensor)
    _require_per_tensor(node)
    mode = node.str_attr("mode", b"MIN_COMBINED")
    lowest, highest = _quantized_limits(node.input_dtype(0))
    low, high = _scalar_range(ctx, node, 1), _scalar_range(ctx, node, 2)
    scale, offset = _dequantize_scale(ctx, node, low, high, mode, lowest, highest)
    values = first(ctx, "Cast", [node.input(0)], {"to": ctx.onnx_type(dtypes.float32)})
    result = first(ctx, "Add", [first(ctx, "Mul", [values, scale]), offset])
    out_dtype = node.output_dtype(0) or dtypes.float32
    first(ctx, "Cast", [result], {"to": ctx.onnx_type(out_dtype)}, output=node.output(0))


@handler("QuantizeV2", since=13)
def convert_quantize_v2(ctx, node):
    # TF:   output, output_min, output_max = QuantizeV2(input, min_range, max_range, T, mode=MIN_COMBINED,
    #           round_mode, narrow_range, axis, ensure_minimum_range)
    # ONNX: min' = Min(min, 0); max' = Max(0, max, min' + eps); Output = Cast(round((Clip(X) - min') * scale
    #       - half range))   (MIN_COMBINED, per tensor; rounding half away from zero as TF)
    _require_per_tensor(node)
    mode = node.str_attr("mode", b"MIN_COMBINED")
    require(mode == "MIN_COMBINED", node, f"QuantizeV2 mode {mode!r} is not supported (MIN_COMBINED is)")
    out_dtype = node.attr("T")
    lowest, highest = _quantized_limits(out_dtype)
    f32 = np.float32
    low_in, high_in = _scalar_range(ctx, node, 1), _scalar_range(ctx, node, 2)
    zero = ctx.make_const(f32(0.0))
    low = first(ctx, "Min", [low_in, zero])
    magnitude = first(ctx, "Max", [ctx.make_const(f32(1.0)), first(ctx, "Abs", [low_in]), first(ctx, "Abs", [high_in])])
    epsilon = first(ctx, "Mul", [magnitude, ctx.make_const(f32(node.attr("ensure_minimum_range", 0.01)))])
    high = first(ctx, "Max", [zero, high_in, first(ctx, "Add", [low, epsilon])])
    x = first(ctx, "Cast", [node.input(0)], {"to": ctx.onnx_type(dtypes.float32)})
    clipped = first(ctx, "Max", [first(ctx, "Min", [x, high]), low])
    scale = first(ctx, "Div", [ctx.make_const(f32(highest - lowest)), first(ctx, "Sub", [high, low])])
    scaled = first(ctx, "Mul", [first(ctx, "Sub", [clipped, low]), scale])
    if lowest < 0:
        scaled = first(ctx, "Sub", [scaled, ctx.make_const(f32((highest - lowest + 1) / 2))])
    # half away from zero: sign(v) * floor(|v| + 0.5)
    rounded = first(ctx, "Mul", [first(ctx, "Sign", [scaled]),
                                 first(ctx, "Floor", [first(ctx, "Add", [first(ctx, "Abs", [scaled]),
                                                                          ctx.make_const(f32(0.5))])])])
    bounded = first(ctx, "Clip", [rounded, ctx.make_const(f32(lowest)), ctx.make_const(f32(highest))])
    first(ctx, "Cast", [bounded], {"to": ctx.onnx_type(out_dtype)}, output=node.output(0))
    first(ctx, "Identity", [low], output=node.output(1))
    first(ctx, "Identity", [high], output=node.output(2))
