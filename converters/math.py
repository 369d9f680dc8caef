"""Handlers of TF element-wise math, comparisons, logic, casts, matmuls and scans."""

from __future__ import annotations

import numpy as np
from ortflow.converters.emit import (
    const_i64,
    first,
    reduce,
    scalar_like,
    shape_of,
    unsqueeze,
    zeros_like_shape,
)
from ortflow.converters.registry import handler, require
from ortflow.formats import dtypes

__all__ = ["BINARY_OPS", "FLOAT32_KERNELS_ONLY", "UNARY_OPS", "unary_in_float32"]

#: TF op -> the ONNX op computing it one-to-one on one input.
UNARY_OPS = {
    "Abs": "Abs", "Neg": "Neg", "Sign": "Sign", "Sqrt": "Sqrt", "Exp": "Exp", "Log": "Log",
    "Sin": "Sin", "Cos": "Cos", "Tan": "Tan", "Asin": "Asin", "Acos": "Acos", "Atan": "Atan",
    "Sinh": "Sinh", "Cosh": "Cosh", "Asinh": "Asinh", "Acosh": "Acosh", "Atanh": "Atanh",
    "Floor": "Floor", "Ceil": "Ceil", "Erf": "Erf", "IsNan": "IsNaN", "IsInf": "IsInf",
    "LogicalNot": "Not",
    # TF and ONNX both round halves to even.
    "Round": "Round", "Rint": "Round",
}

#: TF op -> the ONNX op computing it one-to-one on two broadcasting inputs.
BINARY_OPS = {
    "Add": "Add", "AddV2": "Add", "Sub": "Sub", "Mul": "Mul", "RealDiv": "Div",
    # TF's Div and TruncateDiv truncate integer quotients toward zero, as ONNX Div does.
    "Div": "Div", "TruncateDiv": "Div",
    "Pow": "Pow", "Maximum": "Max", "Minimum": "Min",
    "Equal": "Equal", "Less": "Less", "Greater": "Greater", "LessEqual": "LessOrEqual",
    "GreaterEqual": "GreaterOrEqual", "LogicalAnd": "And", "LogicalOr": "Or",
}


def _dtype(node, i=0):
    return node.input_dtype(i) or node.output_dtype(0)


def _is_float(dtype) -> bool:
    return dtype is not None and dtype.is_floating


# --------------------------------------------------------------------------- one-to-one

#: ONNX ops onnxruntime implements for float32 (and float16) only, not for float64 or bfloat16.
FLOAT32_KERNELS_ONLY = {"Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Erf"}


def unary_in_float32(ctx, onnx_op: str, x: str, dtype, output: str | None = None) -> str:
    """`onnx_op` on `x`, computed in float32 when onnxruntime has no kernel for `dtype`."""
    if onnx_op not in FLOAT32_KERNELS_ONLY or dtype not in (dtypes.float64, dtypes.bfloat16):
        return first(ctx, onnx_op, [x], output=output)
    narrow = first(ctx, "Cast", [x], {"to": ctx.onnx_type(dtypes.float32)})
    y = first(ctx, onnx_op, [narrow])
    return first(ctx, "Cast", [y], {"to": ctx.onnx_type(dtype)}, output=output, dtype=dtype)


@handler(*UNARY_OPS)
def convert_unary(ctx, node):
    # TF:   y = Op(x)                      (Abs, Sqrt, Floor, IsNan, LogicalNot, ...)
    # ONNX: Y = Op(X)                      (same op, see UNARY_OPS; float64 trig/Erf via float32)
    dtype = _dtype(node)
    if node.op in ("Round", "Rint", "Floor", "Ceil") and dtype is not None and dtype.is_integer:
        ctx.alias(node.input(0), node.output(0))  # integers are already whole
        return
    unary_in_float32(ctx, UNARY_OPS[node.op], node.input(0), dtype, output=node.output(0))


@handler(*BINARY_OPS)
def convert_binary(ctx, node):
    # TF:   z = Op(x, y)                   (AddV2, Mul, Maximum, Less, LogicalAnd, ...)
    # ONNX: C = Op(A, B)                   (numpy broadcasting on both sides)
    dtype = _dtype(node)
    # Complex values are (re, im) pairs in a trailing axis; only sums are element-wise on pairs.
    require(not (dtype is not None and dtype.is_complex) or node.op in _PAIRWISE_COMPLEX, node,
            f"complex {node.op} is not supported (complex values are carried as real pairs)")
    first(ctx, BINARY_OPS[node.op], [node.input(0), node.input(1)], output=node.output(0))


_PAIRWISE_COMPLEX = frozenset({"Add", "AddV2", "Sub"})


@handler("NotEqual")
def convert_not_equal(ctx, node):
    # TF:   z = NotEqual(x, y, incompatible_shape_error: bool)
    # ONNX: Z = Not(Equal(X, Y))
    eq = first(ctx, "Equal", [node.input(0), node.input(1)])
    first(ctx, "Not", [eq], output=node.output(0))


# --------------------------------------------------------------------------- composed unary

@handler("Square")
def convert_square(ctx, node):
    # TF:   y = Square(x)
    # ONNX: Y = Mul(X, X)
    first(ctx, "Mul", [node.input(0), node.input(0)], output=node.output(0))


@handler("Rsqrt")
def convert_rsqrt(ctx, node):
    # TF:   y = Rsqrt(x)
    # ONNX: Y = Reciprocal(Sqrt(X))
    root = first(ctx, "Sqrt", [node.input(0)])
    first(ctx, "Reciprocal", [root], output=node.output(0))


@handler("Reciprocal", "Inv")
def convert_reciprocal(ctx, node):
    # TF:   y = Reciprocal(x)
    # ONNX: Y = Reciprocal(X) for floats; Div(1, X) for integers (ONNX Reciprocal is float-only)
    dtype = _dtype(node)
    if _is_float(dtype):
        first(ctx, "Reciprocal", [node.input(0)], output=node.output(0))
    else:
        first(ctx, "Div", [scalar_like(ctx, 1, dtype), node.input(0)], output=node.output(0))


@handler("Expm1")
def convert_expm1(ctx, node):
    # TF:   y = Expm1(x)
    # ONNX: Y = Sub(Exp(X), 1)
    e = first(ctx, "Exp", [node.input(0)])
    first(ctx, "Sub", [e, scalar_like(ctx, 1, _dtype(node))], output=node.output(0))


@handler("Log1p")
def convert_log1p(ctx, node):
    # TF:   y = Log1p(x)
    # ONNX: Y = Log(Add(X, 1))
    shifted = first(ctx, "Add", [node.input(0), scalar_like(ctx, 1, _dtype(node))])
    first(ctx, "Log", [shifted], output=node.output(0))


@handler("Erfc")
def convert_erfc(ctx, node):
    # TF:   y = Erfc(x)
    # ONNX: Y = Sub(1, Erf(X))             (ONNX has no Erfc)
    erf = unary_in_float32(ctx, "Erf", node.input(0), _dtype(node))
    first(ctx, "Sub", [scalar_like(ctx, 1, _dtype(node)), erf], output=node.output(0))


@handler("IsFinite")
def convert_is_finite(ctx, node):
    # TF:   y = IsFinite(x)
    # ONNX: Y = Not(Or(IsNaN(X), IsInf(X)))
    nan = first(ctx, "IsNaN", [node.input(0)])
    inf = first(ctx, "IsInf", [node.input(0)])
    bad = first(ctx, "Or", [nan, inf])
    first(ctx, "Not", [bad], output=node.output(0))


# --------------------------------------------------------------------------- composed binary

@handler("SquaredDifference")
def convert_squared_difference(ctx, node):
    # TF:   z = SquaredDifference(x, y)
    # ONNX: D = Sub(X, Y); Z = Mul(D, D)
    diff = first(ctx, "Sub", [node.input(0), node.input(1)])
    first(ctx, "Mul", [diff, diff], output=node.output(0))


@handler("DivNoNan")
def convert_div_no_nan(ctx, node):
    # TF:   z = DivNoNan(x, y)             (0 where y == 0)
    # ONNX: Z = Where(Equal(Y, 0), 0, Div(X, Y))
    dtype = _dtype(node)
    zero = scalar_like(ctx, 0, dtype)
    is_zero = first(ctx, "Equal", [node.input(1), zero])
    quotient = first(ctx, "Div", [node.input(0), node.input(1)])
    first(ctx, "Where", [is_zero, zero, quotient], output=node.output(0))


def _sign_differs(ctx, a: str, b: str, zero: str) -> str:
    neg_a = first(ctx, "Less", [a, zero])
    neg_b = first(ctx, "Less", [b, zero])
    return first(ctx, "Xor", [neg_a, neg_b])


@handler("FloorDiv")
def convert_floor_div(ctx, node):
    # TF:   z = FloorDiv(x, y)             (rounds toward -inf, also for integers)
    # ONNX: Z = Floor(Div(X, Y)) for floats; for signed integers the truncated Div minus 1
    #       where the remainder is non-zero and the operands' signs differ
    dtype = _dtype(node)
    x, y = node.input(0), node.input(1)
    if _is_float(dtype):
        quotient = first(ctx, "Div", [x, y])
        first(ctx, "Floor", [quotient], output=node.output(0))
        return
    if dtype is not None and dtype.is_unsigned:
        first(ctx, "Div", [x, y], output=node.output(0))
        return
    zero = scalar_like(ctx, 0, dtype)
    quotient = first(ctx, "Div", [x, y])
    remainder = first(ctx, "Mod", [x, y], {"fmod": 1})
    inexact = first(ctx, "Not", [first(ctx, "Equal", [remainder, zero])])
    adjust = first(ctx, "And", [inexact, _sign_differs(ctx, x, y, zero)])
    one_or_zero = first(ctx, "Cast", [adjust], {"to": ctx.onnx_type(dtype)})
    first(ctx, "Sub", [quotient, one_or_zero], output=node.output(0))


@handler("FloorMod")
def convert_floor_mod(ctx, node):
    # TF:   z = FloorMod(x, y)             (result has the sign of y)
    # ONNX: Z = Mod(X, Y, fmod=0) for integers; for floats fmod=1 (sign of x) plus y where
    #       the remainder is non-zero and its sign differs from y's
    dtype = _dtype(node)
    x, y = node.input(0), node.input(1)
    if not _is_float(dtype):
        first(ctx, "Mod", [x, y], {"fmod": 0}, output=node.output(0))
        return
    zero = scalar_like(ctx, 0, dtype)
    remainder = first(ctx, "Mod", [x, y], {"fmod": 1})
    inexact = first(ctx, "Not", [first(ctx, "Equal", [remainder, zero])])
    adjust = first(ctx, "And", [inexact, _sign_differs(ctx, remainder, y, zero)])
    shifted = first(ctx, "Add", [remainder, y])
    first(ctx, "Where", [adjust, shifted, remainder], output=node.output(0))


@handler("Mod", "TruncateMod")
def convert_truncate_mod(ctx, node):
    # TF:   z = TruncateMod(x, y)          (C fmod: result has the sign of x)
    # ONNX: Z = Mod(X, Y, fmod=1)
    first(ctx, "Mod", [node.input(0), node.input(1)], {"fmod": 1}, output=node.output(0))


@handler("AddN")
def convert_add_n(ctx, node):
    # TF:   sum = AddN(inputs: N tensors)
    # ONNX: Sum = Sum(data_0, ..., data_N-1) for floats; a chain of Add otherwise
    inputs = node.inputs()
    if len(inputs) == 1:
        ctx.alias(inputs[0], node.output(0))
        return
    if _is_float(_dtype(node)):
        first(ctx, "Sum", inputs, output=node.output(0))
        return
    total = inputs[0]
    for i, term in enumerate(inputs[1:], start=2):
        total = first(ctx, "Add", [total, term], output=node.output(0) if i == len(inputs) else None)


@handler("Bucketize")
def convert_bucketize(ctx, node):
    # TF:   output = Bucketize(input, boundaries: list(float))  (int32: how many boundaries <= x)
    # ONNX: Output = ReduceSum(Cast(GreaterOrEqual(Unsqueeze(X, -1), Boundaries), int32), -1)
    # Keras' Discretization layer. TF compares each value with float32 boundaries; the compare
    # runs in float64 here so that no int64 or float64 input is rounded on the way.
    boundaries = np.asarray(list(node.attr("boundaries")), np.float32).astype(np.float64)
    x = node.input(0)
    if node.input_dtype(0) != dtypes.float64:
        x = first(ctx, "Cast", [x], {"to": ctx.onnx_type(dtypes.float64)})
    if boundaries.size == 0:
        zeros_like_shape(ctx, shape_of(ctx, x), dtypes.int32, output=node.output(0))
        return
    above = first(ctx, "GreaterOrEqual", [unsqueeze(ctx, x, [-1]), ctx.make_const(boundaries)])
    counts = first(ctx, "Cast", [above], {"to": ctx.onnx_type(dtypes.int32)})
    reduce(ctx, "ReduceSum", counts, [-1], keepdims=False, output=node.output(0))


def _fake_quant_constants(lo: np.ndarray, hi: np.ndarray, num_bits: int, narrow_range: bool) -> dict:
    """TF's nudged quantization range, in float32 as its kernel computes it.

    The zero point quant_min - min / scale is rounded (half away from zero) into
    [quant_min, quant_max] and the range shifted so that 0.0 is exactly representable. The
    inverse scale is computed from the range, not as 1 / scale (as TF does).
    """
    lo, hi = np.asarray(lo, np.float32), np.asarray(hi, np.float32)
    quant_min = np.float32(1 if narrow_range else 0)
    quant_max = np.float32((1 << num_bits) - 1)
    with np.errstate(divide="ignore", invalid="ignore"):  # min == max == 0: zeros, below
        scale = ((hi - lo) / (quant_max - quant_min)).astype(np.float32)
        inverse = ((quant_max - quant_min) / (hi - lo)).astype(np.float32)
        zero_from_min = (quant_min - lo / scale).astype(np.float32)
    rounded = np.sign(zero_from_min) * np.floor(np.abs(zero_from_min) + np.float32(0.5))
    zero = np.clip(np.nan_to_num(rounded), quant_min, quant_max).astype(np.float32)
    nudged_min = ((quant_min - zero) * scale).astype(np.float32)
    with np.errstate(invalid="ignore"):
        quant_zero = np.floor(-nudged_min * inverse + np.float32(0.5)).astype(np.float32)
    return {"min": nudged_min, "max": ((quant_max - zero) * scale).astype(np.float32), "scale": scale,
            "inverse": inverse, "quant_zero": quant_zero, "off": (lo == 0) & (hi == 0)}


def _fake_quant(ctx, node, lo, hi, divide: bool = False) -> None:
    # out = Floor((clamp(x) - nmin) * inverse - quant_zero + 0.5) * scale, in TF's operation
    # order; FakeQuantWithMinMaxVars divides by the scale instead of multiplying by the inverse
    c = _fake_quant_constants(lo, hi, int(node.attr("num_bits", 8)), bool(node.attr("narrow_range", False)))
    if c["off"].any():  # TF outputs zeros where min == max == 0
        for key in ("min", "max", "scale", "inverse", "quant_zero"):
            c[key] = np.where(c["off"], np.float32(0), c[key]).astype(np.float32)
    const = ctx.make_const
    clamped = first(ctx, "Max", [first(ctx, "Min", [node.input(0), const(c["max"])]), const(c["min"])])
    shifted = first(ctx, "Sub", [clamped, const(c["min"])])
    steps = first(ctx, "Div", [shifted, const(c["scale"])]) if divide and not c["off"].any() \
        else first(ctx, "Mul", [shifted, const(c["inverse"])])
    levels = first(ctx, "Floor", [first(ctx, "Add", [first(ctx, "Sub", [steps, const(c["quant_zero"])]),
                                                     const(np.float32(0.5))])])
    first(ctx, "Mul", [levels, const(c["scale"])], output=node.output(0))


@handler("FakeQuantWithMinMaxArgs")
def convert_fake_quant_args(ctx, node):
    # TF:   outputs = FakeQuantWithMinMaxArgs(inputs, min: float, max: float, num_bits, narrow_range)
    # ONNX: Floor((Clip(X) - nmin) * inverse - quant_zero + 0.5) * scale   (TF's nudged range)
    # Quantization-aware-trained TF 1.x graphs keep these in the frozen inference graph.
    _fake_quant(ctx, node, np.float32(node.attr("min", -6.0)), np.float32(node.attr("max", 6.0)))


@handler("FakeQuantWithMinMaxVars", "FakeQuantWithMinMaxVarsPerChannel")
def convert_fake_quant_vars(ctx, node):
    # TF:   outputs = FakeQuantWithMinMaxVars(inputs, min, max, num_bits, narrow_range)
    #       (PerChannel: min and max are [d] vectors over the last dim)
    # ONNX: as FakeQuantWithMinMaxArgs, with the range constants computed from the frozen min/max
    lo, hi = node.input_value(1), node.input_value(2)
    require(lo is not None and hi is not None, node, "min and max must be constant (a frozen graph)")
    _fake_quant(ctx, node, lo, hi, divide=node.op == "FakeQuantWithMinMaxVars")


@handler("ClipByValue")
def convert_clip_by_value(ctx, node):
    # TF:   y = ClipByValue(t, clip_value_min, clip_value_max)  (bounds broadcast against t)
    # ONNX: Y = Max(Min(T, hi), lo)        (Clip wants scalar bounds; Min/Max broadcast)
    upper = first(ctx, "Min", [node.input(0), node.input(2)])
    first(ctx, "Max", [upper, node.input(1)], output=node.output(0))


@handler("Select")
def convert_select(ctx, node):
    # TF:   out = Select(condition, t, e)  (condition: same shape, or a vector over dim 0)
    # ONNX: Out = Where(Cond, T, E)        (a vector condition is unsqueezed to broadcast)
    cond = node.input(0)
    cond_shape, x_shape = node.input_shape(0), node.input_shape(1)
    if cond_shape is not None and len(cond_shape) != 1:
        pass  # a scalar broadcasts, a same-shape condition selects elementwise
    elif cond_shape is not None and x_shape is not None:
        if len(x_shape) > 1:
            cond = unsqueeze(ctx, cond, list(range(1, len(x_shape))))
    else:
        # Ranks unknown at conversion time (a while body of dynamic_rnn): append one size-1
        # dim per dim 't' has beyond 'condition', at run time. That is a no-op for the
        # same-shape form and the row-selecting unsqueeze for the vector form.
        cond = _trailing_ones_like(ctx, cond, node.input(1))
    _where(ctx, node, cond)


def _trailing_ones_like(ctx, cond: str, x: str) -> str:
    """`cond` reshaped to its shape followed by rank(x) - rank(cond) ones."""
    cond_shape = shape_of(ctx, cond)
    extra = first(ctx, "Sub", [first(ctx, "Size", [shape_of(ctx, x)]), first(ctx, "Size", [cond_shape])])
    ones = first(ctx, "ConstantOfShape", [unsqueeze(ctx, extra, [0])],
                 {"value": np.ones(1, np.int64)})
    return first(ctx, "Reshape", [cond, first(ctx, "Concat", [cond_shape, ones], {"axis": 0})])


def _where(ctx, node, cond: str) -> None:
    # onnxruntime's Where has no bool kernel: bool values are selected as uint8.
    if node.input_dtype(1) != dtypes.bool:
        first(ctx, "Where", [cond, node.input(1), node.input(2)], output=node.output(0))
        return
    as_u8 = [first(ctx, "Cast", [node.input(i)], {"to": ctx.onnx_type(dtypes.uint8)}) for i in (1, 2)]
    chosen = first(ctx, "Where", [cond, *as_u8])
    first(ctx, "Cast", [chosen], {"to": ctx.onnx_type(dtypes.bool)}, output=node.output(0))


@handler("SelectV2")
def convert_select_v2(ctx, node):
    # TF:   out = SelectV2(condition, t, e)  (numpy broadcasting)
    # ONNX: Out = Where(Cond, T, E)
    _where(ctx, node, node.input(0))


# --------------------------------------------------------------------------- casts, fills

@handler("Cast")
def convert_cast(ctx, node):
    # TF:   y = Cast(x, SrcT: type, DstT: type, Truncate: bool)
    # ONNX: Y = Cast(X, to: int)           (complex values are [..., 2] pairs: see signal.py)
    dst = node.attr("DstT")
    src = node.input_dtype(0)
    if src == dst:
        ctx.alias(node.input(0), node.output(0))
        return
    if dst.is_complex or (src is not None and src.is_complex):
        from ortflow.converters import signal as spectral

        convert = spectral.cast_to_complex if dst.is_complex else spectral.cast_from_complex
        convert(ctx, node, dst)
        return
    first(ctx, "Cast", [node.input(0)], {"to": ctx.onnx_type(dst)}, output=node.output(0), dtype=dst)


@handler("ZerosLike", "OnesLike")
def convert_zeros_ones_like(ctx, node):
    # TF:   y = ZerosLike(x) / OnesLike(x)
    # ONNX: Y = Expand(0 or 1, Shape(X))
    dtype = _dtype(node)
    value = 0 if node.op == "ZerosLike" else 1
    shape = node.input_shape(0)
    if shape is not None and all(d is not None for d in shape):
        const = ctx.make_const(np.full(shape, value, dtype=dtype.as_numpy_dtype))
        ctx.alias(const, node.output(0))
        return
    zeros_like_shape(ctx, shape_of(ctx, node.input(0)), dtype, value, output=node.output(0))


# --------------------------------------------------------------------------- matmuls

def _swap_last_two(ctx, node, x: str, rank: int | None, what: str) -> str:
    require(rank is not None and rank >= 2, node, f"an adjoint '{what}' needs a static rank >= 2")
    perm = list(range(rank - 2)) + [rank - 1, rank - 2]
    return first(ctx, "Transpose", [x], {"perm": perm})


@handler("BatchMatMul", "BatchMatMulV2", "BatchMatMulV3")
def convert_batch_matmul(ctx, node):
    # TF:   out = BatchMatMulV2(x, y, adj_x: bool, adj_y: bool)  (V3 adds Ta, Tb, Tout)
    # ONNX: Out = MatMul(A, B)             (adjoints as Transpose of the last two dims)
    require(not (_dtype(node) and _dtype(node).is_complex), node, "complex matmuls are not supported")
    out_dtype = node.output_dtype(0)
    x, y = node.input(0), node.input(1)
    if node.op == "BatchMatMulV3" and out_dtype is not None:
        x, y = ctx.cast(x, out_dtype), ctx.cast(y, out_dtype)
    if node.attr("adj_x", False):
        x = _swap_last_two(ctx, node, x, node.input_rank(0), "x")
    if node.attr("adj_y", False):
        y = _swap_last_two(ctx, node, y, node.input_rank(1), "y")
    first(ctx, "MatMul", [x, y], output=node.output(0))


@handler("Einsum", since=12)
def convert_einsum(ctx, node):
    # TF:   output = Einsum(inputs: N tensors, equation: string)
    # ONNX: Output = Einsum(Inputs..., equation: string)  (opset >= 12)
    equation = node.attr("equation")
    if isinstance(equation, bytes):
        equation = equation.decode()
    first(ctx, "Einsum", node.inputs(), {"equation": equation.replace(" ", "")}, output=node.output(0))


# --------------------------------------------------------------------------- scans, bands

@handler("Cumsum", since=11)
def convert_cumsum(ctx, node):
    # TF:   out = Cumsum(x, axis, exclusive: bool, reverse: bool)
    # ONNX: Y = CumSum(X, axis, exclusive: int, reverse: int)
    attrs = {"exclusive": int(node.attr("exclusive", False)), "reverse": int(node.attr("reverse", False))}
    dtype = _dtype(node)
    if dtype in (dtypes.float16, dtypes.bfloat16) and ctx.opset < 14:
        # CumSum takes 16-bit floats from opset 14 on: sum in float32 before that.
        wide = first(ctx, "Cast", [node.input(0)], {"to": ctx.onnx_type(dtypes.float32)})
        summed = first(ctx, "CumSum", [wide, node.input(1)], attrs)
        first(ctx, "Cast", [summed], {"to": ctx.onnx_type(dtype)}, output=node.output(0))
        return
    first(ctx, "CumSum", [node.input(0), node.input(1)], attrs, output=node.output(0))


def _band_mask_const(rows: int, cols: int, lower: int, upper: int) -> np.ndarray:
    i = np.arange(rows)[:, None]
    j = np.arange(cols)[None, :]
    keep = np.ones((rows, cols), dtype=bool)
    if lower >= 0:
        keep &= (i - j) <= lower
    if upper >= 0:
        keep &= (j - i) <= upper
    return keep


def _band_mask_dynamic(ctx, node) -> str:
    # i - j for every (row, col) of the last two dims, compared against the (maybe negative) bands.
    shape = shape_of(ctx, node.input(0))
    rows = first(ctx, "Gather", [shape, const_i64(ctx, -2)], {"axis": 0})
    cols = first(ctx, "Gather", [shape, const_i64(ctx, -1)], {"axis": 0})
    zero, one = const_i64(ctx, 0), const_i64(ctx, 1)
    i = unsqueeze(ctx, first(ctx, "Range", [zero, rows, one]), [1])
    j = first(ctx, "Range", [zero, cols, one])
    below = first(ctx, "Sub", [i, j])
    above = first(ctx, "Neg", [below])
    keep = None
    for band, dist in ((node.input(1), below), (node.input(2), above)):
        band = ctx.cast(band, dtypes.int64)
        unbounded = first(ctx, "Less", [band, zero])
        within = first(ctx, "LessOrEqual", [dist, band])
        ok = first(ctx, "Or", [unbounded, within])
        keep = ok if keep is None else first(ctx, "And", [keep, ok])
    return keep


@handler("MatrixBandPart")
def convert_matrix_band_part(ctx, node):
    # TF:   band = MatrixBandPart(input, num_lower, num_upper)  (negative = keep that triangle)
    # ONNX: Band = Where(Mask, Input, 0)   (Mask a constant when sizes and bands are static)
    shape = node.input_shape(0)
    lower, upper = node.input_value(1), node.input_value(2)
    static = (shape is not None and len(shape) >= 2 and shape[-2] is not None
              and shape[-1] is not None and lower is not None and upper is not None)
    if static:
        mask = ctx.make_const(_band_mask_const(shape[-2], shape[-1], int(lower), int(upper)))
    else:
        mask = _band_mask_dynamic(ctx, node)
    zero = scalar_like(ctx, 0, _dtype(node))
    first(ctx, "Where", [mask, node.input(0), zero], output=node.output(0))


@handler("L2Loss")
def convert_l2_loss(ctx, node):
    # TF:   output = L2Loss(t)             (sum(t ** 2) / 2)
    # ONNX: Output = Mul(ReduceSumSquare(T, keepdims=0), 0.5)
    total = reduce(ctx, "ReduceSumSquare", node.input(0), None, keepdims=False)
    first(ctx, "Mul", [total, scalar_like(ctx, 0.5, _dtype(node))], output=node.output(0))
