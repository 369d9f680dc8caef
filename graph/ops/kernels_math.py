"""Numpy kernels of math ops, with TensorFlow's semantics, for constant folding.

Integer division truncates toward zero for Div/TruncateDiv/Mod (C semantics) and floors for
FloorDiv/FloorMod; integer division by zero is an error, as in TensorFlow; dtypes are kept
(`registry.evaluate` casts a numpy-promoted result back to the node's output dtype).
"""

from __future__ import annotations

import math

import numpy as np
from ortflow.errors import GraphError
from ortflow.graph.ops.registry import kernel
from ortflow.graph.ops.shapes_common import attr, scalar_int

__all__: list[str] = []

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _is_int(x: np.ndarray) -> bool:
    return x.dtype.kind in "iu"


def _check_int_divisor(y: np.ndarray) -> None:
    if _is_int(y) and np.any(y == 0):
        raise GraphError("integer division by zero")


def _trunc_div(x, y):
    if _is_int(x):
        _check_int_divisor(y)
        q = np.abs(x) // np.abs(y)
        return np.where((x < 0) != (y < 0), -q, q).astype(np.result_type(x, y))
    return np.trunc(x / y)


def _floor_div(x, y):
    if _is_int(x):
        _check_int_divisor(y)
        return np.floor_divide(x, y)
    return np.floor(x / y)


def _floor_mod(x, y):
    if _is_int(x):
        _check_int_divisor(y)
    return np.mod(x, y)


def _trunc_mod(x, y):
    if _is_int(x):
        _check_int_divisor(y)
    return np.fmod(x, y)


def _div(x, y):
    return _trunc_div(x, y) if _is_int(x) else x / y


def _pow(x, y):
    if _is_int(x) and np.any(y < 0):
        raise GraphError("integers to negative integer powers are not allowed")
    return np.power(x, y)


def _squared_difference(x, y):
    d = x - y
    return d * np.conj(d) if np.iscomplexobj(d) else d * d


def _div_no_nan(x, y):
    safe = np.where(y == 0, np.ones_like(y), y)
    return np.where(y == 0, np.zeros_like(x), x / safe)


_BINARY = {
    "Add": np.add, "AddV2": np.add, "Sub": np.subtract, "Mul": np.multiply,
    "Div": _div, "RealDiv": _div, "FloorDiv": _floor_div, "FloorMod": _floor_mod,
    "TruncateDiv": _trunc_div, "TruncateMod": _trunc_mod, "Mod": _trunc_mod,
    "Maximum": np.maximum, "Minimum": np.minimum, "Pow": _pow,
    "SquaredDifference": _squared_difference, "Equal": np.equal, "NotEqual": np.not_equal,
    "Less": np.less, "LessEqual": np.less_equal, "Greater": np.greater,
    "GreaterEqual": np.greater_equal, "LogicalAnd": np.logical_and,
    "LogicalOr": np.logical_or, "Atan2": np.arctan2, "DivNoNan": _div_no_nan,
    "MulNoNan": lambda x, y: np.where(y == 0, np.zeros_like(x * y), x * y),
    "BitwiseAnd": np.bitwise_and, "BitwiseOr": np.bitwise_or, "BitwiseXor": np.bitwise_xor,
    "LeftShift": np.left_shift, "RightShift": np.right_shift,
}


def _string_add(x, y):
    return np.frompyfunc(lambda a, b: a + b, 2, 1)(x, y)


@kernel(*_BINARY)
def _binary(node_def, inputs):
    x, y = inputs
    if node_def.op in ("Add", "AddV2") and x.dtype == object:
        return [_string_add(x, y)]
    with np.errstate(all="ignore"):
        return [np.asarray(_BINARY[node_def.op](x, y))]


def _vectorized(fn):
    def apply(x):
        return np.vectorize(fn, otypes=[x.dtype])(x) if x.size else x.copy()
    return apply


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _reciprocal(x):
    if _is_int(x):
        _check_int_divisor(x)
        return _trunc_div(np.ones_like(x), x)
    return 1 / x


_UNARY = {
    "Abs": np.abs, "Neg": np.negative, "Exp": np.exp, "Expm1": np.expm1, "Log": np.log,
    "Log1p": np.log1p, "Sqrt": np.sqrt, "Rsqrt": lambda x: 1 / np.sqrt(x), "Square": np.square,
    "Reciprocal": _reciprocal, "Inv": _reciprocal, "Floor": np.floor, "Ceil": np.ceil,
    "Round": np.round, "Rint": np.rint, "Sign": np.sign, "Sin": np.sin, "Cos": np.cos,
    "Tan": np.tan, "Asin": np.arcsin, "Acos": np.arccos, "Atan": np.arctan, "Sinh": np.sinh,
    "Cosh": np.cosh, "Tanh": np.tanh, "Asinh": np.arcsinh, "Acosh": np.arccosh,
    "Atanh": np.arctanh, "Sigmoid": _sigmoid, "Relu": lambda x: np.maximum(x, np.zeros_like(x)),
    "Relu6": lambda x: np.minimum(np.maximum(x, 0), 6).astype(x.dtype),
    "Elu": lambda x: np.where(x < 0, np.expm1(x), x),
    "Selu": lambda x: _SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(x)),
    "Softplus": lambda x: np.logaddexp(np.zeros_like(x), x),
    "Softsign": lambda x: x / (1 + np.abs(x)), "LogicalNot": np.logical_not,
    "IsNan": np.isnan, "IsInf": np.isinf, "IsFinite": np.isfinite, "Invert": np.invert,
    "Erf": _vectorized(math.erf), "Erfc": _vectorized(math.erfc),
    "Lgamma": _vectorized(math.lgamma), "ComplexAbs": np.abs, "Real": np.real, "Imag": np.imag,
    "Conj": np.conj, "Angle": np.angle,
}


@kernel(*_UNARY)
def _unary(node_def, inputs):
    with np.errstate(all="ignore"):
        return [np.asarray(_UNARY[node_def.op](inputs[0]))]


@kernel("LeakyRelu")
def _leaky_relu(node_def, inputs):
    x = inputs[0]
    return [np.where(x > 0, x, x * np.asarray(attr(node_def, "alpha", 0.2), x.dtype))]


@kernel("Cast")
def _cast(node_def, inputs):
    from ortflow.graph.ops.schema import get_attr

    dst = get_attr(node_def, "DstT")
    x = inputs[0]
    target = np.dtype(dst.as_numpy_dtype)
    if target == object or x.dtype == object:
        if target != x.dtype:
            raise GraphError(f"Cast between {x.dtype} and {dst.name} is not supported")
        return [x.copy()]
    if target == np.bool_:
        return [x != 0]
    with np.errstate(all="ignore"):
        return [x.astype(target)]


@kernel("ClipByValue")
def _clip(node_def, inputs):
    x, lo, hi = inputs
    return [np.minimum(np.maximum(x, lo), hi).astype(x.dtype)]


@kernel("AddN")
def _add_n(node_def, inputs):
    out = inputs[0].copy()
    for x in inputs[1:]:
        out = out + x
    return [out]


@kernel("Select")
def _select(node_def, inputs):
    cond, t, e = inputs
    if cond.ndim == 1 and t.ndim > 1:
        cond = cond.reshape((-1,) + (1,) * (t.ndim - 1))
    return [np.where(cond, t, e)]


@kernel("SelectV2")
def _select_v2(node_def, inputs):
    cond, t, e = inputs
    return [np.where(cond, t, e)]


def _axes(value, rank: int) -> tuple[int, ...]:
    axes = [int(a) for a in np.asarray(value).reshape(-1)]
    for a in axes:
        if not -max(rank, 1) <= a < max(rank, 1):
            raise GraphError(f"reduction axis {a} is out of range for rank {rank}")
    return tuple(sorted({a % rank for a in axes})) if rank else ()


def _int_mean(x, axis, keepdims):
    total = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
    count = int(np.prod([x.shape[a] for a in axis], dtype=np.int64)) if axis else 1
    if count == 0:
        raise GraphError("the integer mean of an empty tensor is undefined")
    return _trunc_div(total, np.int64(count))


_REDUCERS = {
    "Sum": np.sum, "Prod": np.prod, "Max": np.max, "Min": np.min, "All": np.all, "Any": np.any,
    "EuclideanNorm": lambda x, axis, keepdims: np.sqrt(np.sum(np.abs(x) ** 2, axis=axis,
                                                               keepdims=keepdims)),
}


@kernel("Sum", "Prod", "Max", "Min", "All", "Any", "Mean", "EuclideanNorm")
def _reduce(node_def, inputs):
    x, axes = inputs
    axis = _axes(axes, x.ndim)
    keep = bool(attr(node_def, "keep_dims", False))
    if node_def.op == "Mean":
        if _is_int(x):
            return [_int_mean(x, axis, keep)]
        return [np.mean(x, axis=axis, keepdims=keep)]
    return [np.asarray(_REDUCERS[node_def.op](x, axis=axis, keepdims=keep))]


@kernel("ArgMax", "ArgMin")
def _arg_reduce(node_def, inputs):
    x, axis = inputs
    fn = np.argmax if node_def.op == "ArgMax" else np.argmin
    return [np.asarray(fn(x, axis=scalar_int(axis)))]


@kernel("MatMul")
def _matmul(node_def, inputs):
    a, b = inputs
    if attr(node_def, "transpose_a", False):
        a = a.T
    if attr(node_def, "transpose_b", False):
        b = b.T
    return [np.matmul(a, b)]


@kernel("BatchMatMul", "BatchMatMulV2", "BatchMatMulV3")
def _batch_matmul(node_def, inputs):
    x, y = inputs
    if attr(node_def, "adj_x", False):
        x = np.conj(np.swapaxes(x, -1, -2))
    if attr(node_def, "adj_y", False):
        y = np.conj(np.swapaxes(y, -1, -2))
    return [np.matmul(x, y)]


@kernel("Einsum")
def _einsum(node_def, inputs):
    return [np.einsum(attr(node_def, "equation").decode(), *inputs)]


@kernel("BiasAdd", "BiasAddV1")
def _bias_add(node_def, inputs):
    x, b = inputs
    fmt = attr(node_def, "data_format", b"NHWC")
    if fmt == b"NCHW" and x.ndim > 2:
        b = b.reshape((-1,) + (1,) * (x.ndim - 2))
    return [x + b]


@kernel("Cumsum", "Cumprod")
def _cumulative(node_def, inputs):
    x, axis = inputs
    axis = scalar_int(axis)
    fn = np.cumsum if node_def.op == "Cumsum" else np.cumprod
    neutral = 0 if node_def.op == "Cumsum" else 1
    if attr(node_def, "reverse", False):
        x = np.flip(x, axis)
    out = fn(x, axis=axis, dtype=x.dtype)
    if attr(node_def, "exclusive", False):
        out = np.concatenate([np.full_like(np.take(out, [0], axis=axis), neutral),
                              np.delete(out, -1, axis=axis)], axis=axis)
    if attr(node_def, "reverse", False):
        out = np.flip(out, axis)
    return [out]


@kernel("Softmax")
def _softmax(node_def, inputs):
    x = inputs[0]
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return [e / np.sum(e, axis=-1, keepdims=True)]


@kernel("LogSoftmax")
def _log_softmax(node_def, inputs):
    x = inputs[0]
    shifted = x - np.max(x, axis=-1, keepdims=True)
    return [shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))]


@kernel("BroadcastArgs")
def _broadcast_args(node_def, inputs):
    a, b = (tuple(int(v) for v in x) for x in inputs)
    return [np.array(np.broadcast_shapes(a, b), dtype=inputs[0].dtype)]


@kernel("BroadcastGradientArgs")
def _broadcast_gradient_args(node_def, inputs):
    a, b = (tuple(int(v) for v in x) for x in inputs)
    np.broadcast_shapes(a, b)  # raises ValueError when incompatible
    if a == b:
        empty = np.zeros((0,), inputs[0].dtype)
        return [empty, empty.copy()]
    rank = max(len(a), len(b))
    pa, pb = (1,) * (rank - len(a)) + a, (1,) * (rank - len(b)) + b
    ra = [i for i, d in enumerate(pa) if d == 1]
    rb = [i for i, d in enumerate(pb) if d == 1]
    return [np.array(ra, inputs[0].dtype), np.array(rb, inputs[1].dtype)]
