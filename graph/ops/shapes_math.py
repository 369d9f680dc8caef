"""Shape functions of math ops: element-wise, reductions, arg-reductions, matmuls, Einsum."""

from __future__ import annotations

import re

from ortflow.errors import GraphError
from ortflow.graph.ops.registry import shape_fn
from ortflow.graph.ops.shapes_common import (
    attr,
    broadcast,
    int_list,
    int_value,
    merge_dim,
    merge_shapes,
    normalize_axis,
    same_as,
)

__all__ = ["BINARY_OPS", "REDUCTION_OPS", "UNARY_OPS"]

#: Ops whose single output has the shape of their first input.
UNARY_OPS = (
    "Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Ceil", "Cos", "Cosh", "Digamma",
    "Elu", "Erf", "Erfc", "Erfinv", "Exp", "Expm1", "Floor", "Inv", "Invert", "IsFinite", "IsInf",
    "IsNan", "Lgamma", "Log", "Log1p", "LogicalNot", "Neg", "Reciprocal", "Relu", "Relu6", "Rint",
    "Round", "Rsqrt", "Selu", "Sigmoid", "Sign", "Sin", "Sinh", "Softplus", "Softsign", "Sqrt",
    "Square", "Tan", "Tanh", "LeakyRelu", "Gelu", "Cast", "ComplexAbs", "Real", "Imag", "Angle",
    "Conj", "Ndtri", "BesselI0e", "BesselI1e", "Dawsn", "Expint", "Spence", "ZerosLike",
    "OnesLike", "ClipByValue", "Softmax", "LogSoftmax", "Cumsum", "Cumprod", "CumulativeLogsumexp",
    "ReverseV2", "MatrixBandPart", "InvertPermutation", "CheckNumerics", "CheckNumericsV2",
    "FFT", "IFFT", "FFT2D", "IFFT2D", "FFT3D", "IFFT3D", "RandomShuffle",
    "ReluGrad", "Relu6Grad", "EluGrad", "SeluGrad", "LeakyReluGrad", "SoftplusGrad",
    "SoftsignGrad", "SigmoidGrad", "TanhGrad", "RsqrtGrad", "SqrtGrad", "ReciprocalGrad",
    "InvGrad", "FakeQuantWithMinMaxArgs", "FakeQuantWithMinMaxVars",
    "FakeQuantWithMinMaxVarsPerChannel", "QuantizeAndDequantizeV2", "QuantizeAndDequantizeV3",
    "QuantizeAndDequantizeV4", "PopulationCount", "StaticRegexFullMatch", "StaticRegexReplace",
    "StringStrip", "StringLower", "StringUpper", "LRN", "LRNGrad", "Print",
    "MatrixInverse", "Cholesky", "MatrixExponential", "MatrixLogarithm", "RGBToHSV", "HSVToRGB",
    "AdjustContrastv2", "AdjustHue", "AdjustSaturation", "ApproximateEqual",
)

#: Element-wise binary ops with NumPy broadcasting.
BINARY_OPS = (
    "Add", "AddV2", "Sub", "Mul", "Div", "RealDiv", "FloorDiv", "FloorMod", "TruncateDiv",
    "TruncateMod", "Mod", "Maximum", "Minimum", "Pow", "SquaredDifference", "Equal", "NotEqual",
    "Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr", "Atan2",
    "DivNoNan", "MulNoNan", "Xdivy", "Xlogy", "Xlog1py", "BitwiseAnd", "BitwiseOr", "BitwiseXor",
    "LeftShift", "RightShift", "Igamma", "Igammac", "Zeta", "Polygamma", "Complex",
)

#: Reductions over an `axis`/`reduction_indices` input with a `keep_dims` attr.
REDUCTION_OPS = ("Sum", "Mean", "Max", "Min", "Prod", "All", "Any", "EuclideanNorm")

shape_fn(*UNARY_OPS)(same_as(0))


@shape_fn(*BINARY_OPS)
def _binary(node_def, shapes, values):
    return [broadcast(shapes[0], shapes[1])]


@shape_fn("SelectV2")
def _select_v2(node_def, shapes, values):
    return [broadcast(*shapes[:3])]


@shape_fn("Select")
def _select(node_def, shapes, values):
    # TF1 Select: `condition` is either the shape of t/e or a vector over their first dim.
    return [merge_shapes(shapes[1], shapes[2])]


@shape_fn("AddN", "AccumulateNV2")
def _add_n(node_def, shapes, values):
    out = None
    for s in shapes:
        out = merge_shapes(out, s)
    return [out]


@shape_fn("StringJoin")
def _string_join(node_def, shapes, values):
    return [broadcast(*shapes) if shapes else ()]


@shape_fn("BiasAdd", "BiasAddV1")
def _bias_add(node_def, shapes, values):
    return [shapes[0]]


@shape_fn("BiasAddGrad")
def _bias_add_grad(node_def, shapes, values):
    s = shapes[0]
    if s is None:
        return [(None,)]
    fmt = attr(node_def, "data_format", b"NHWC")
    channel = s[1] if fmt in (b"NCHW", b"NCDHW") and len(s) > 2 else s[-1]
    return [(channel,)]


def _reduced(shape, axes, keep_dims):
    if shape is None:
        return None
    rank = len(shape)
    axes = {normalize_axis(a, max(rank, 1)) for a in axes} if rank else set()
    if keep_dims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


@shape_fn(*REDUCTION_OPS)
def _reduction(node_def, shapes, values):
    keep = bool(attr(node_def, "keep_dims", False))
    axes = int_list(values[1])
    if axes is None:
        shape = shapes[0]
        if keep and shape is not None:
            return [(None,) * len(shape)]
        return [None]
    return [_reduced(shapes[0], axes, keep)]


@shape_fn("ArgMax", "ArgMin")
def _arg_reduction(node_def, shapes, values):
    axis = int_value(values[1])
    shape = shapes[0]
    if shape is None:
        return [None]
    if axis is None:
        return [(None,) * (len(shape) - 1)]
    return [_reduced(shape, [axis], False)]


@shape_fn("L2Loss")
def _scalar_out(node_def, shapes, values):
    return [()]


@shape_fn("MatMul", "_FusedMatMul")
def _matmul(node_def, shapes, values):
    a = shapes[0] if shapes[0] is not None else (None, None)
    b = shapes[1] if shapes[1] is not None else (None, None)
    if len(a) != 2 or len(b) != 2:
        raise GraphError(f"MatMul needs two matrices; got shapes {list(a)} and {list(b)}")
    if attr(node_def, "transpose_a", False):
        a = a[::-1]
    if attr(node_def, "transpose_b", False):
        b = b[::-1]
    merge_dim(a[1], b[0], "MatMul inner dimensions")
    return [(a[0], b[1])]


@shape_fn("BatchMatMul", "BatchMatMulV2", "BatchMatMulV3")
def _batch_matmul(node_def, shapes, values):
    x, y = shapes[0], shapes[1]
    if x is None or y is None:
        return [None]
    if len(x) < 2 or len(y) < 2:
        raise GraphError(f"BatchMatMul needs rank >= 2 inputs; got {list(x)} and {list(y)}")
    xr, xc = (x[-1], x[-2]) if attr(node_def, "adj_x", False) else (x[-2], x[-1])
    yr, yc = (y[-1], y[-2]) if attr(node_def, "adj_y", False) else (y[-2], y[-1])
    merge_dim(xc, yr, "BatchMatMul inner dimensions")
    if node_def.op == "BatchMatMul":
        batch = merge_shapes(x[:-2], y[:-2])
    else:
        batch = broadcast(x[:-2], y[:-2])
    return [tuple(batch) + (xr, yc)]


_EINSUM_TERM = re.compile(r"^[A-Za-z]*(\.\.\.)?[A-Za-z]*$")


def _einsum_bind(term: str, shape, letters: dict, what: str):
    # Binds each letter of `term` to a dim of `shape`; returns the dims the ellipsis covers.
    if shape is None:
        return None
    if "..." in term:
        head, tail = term.split("...")
        ell = len(shape) - len(head) - len(tail)
        if ell < 0:
            raise GraphError(f"Einsum {what} {term!r} does not fit shape {list(shape)}")
        dims = list(shape[:len(head)]) + list(shape[len(shape) - len(tail):])
        term_letters = head + tail
        ell_dims = tuple(shape[len(head):len(head) + ell])
    else:
        if len(term) != len(shape):
            raise GraphError(f"Einsum {what} {term!r} does not fit shape {list(shape)}")
        dims, term_letters, ell_dims = list(shape), term, ()
    for ch, d in zip(term_letters, dims):
        letters[ch] = merge_dim(letters.get(ch), d, f"Einsum label {ch!r}: dims")
    return ell_dims


@shape_fn("Einsum")
def _einsum(node_def, shapes, values):
    equation = attr(node_def, "equation", b"").decode().replace(" ", "")
    if "->" not in equation:
        raise GraphError(f"Einsum equation {equation!r} has no '->'")
    lhs, out = equation.split("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes) or not all(_EINSUM_TERM.match(t) for t in terms + [out]):
        raise GraphError(f"Einsum equation {equation!r} does not match {len(shapes)} inputs")
    letters: dict[str, int | None] = {}
    ellipses = []
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        ellipses.append(_einsum_bind(term, shape, letters, f"input {i}"))
    if "..." in out:
        if any(e is None for e, t in zip(ellipses, terms) if "..." in t):
            return [None]
        ell = broadcast(*[e for e, t in zip(ellipses, terms) if "..." in t]) or ()
        head, tail = out.split("...")
    else:
        ell, head, tail = (), out, ""
    return [tuple(letters.get(ch) for ch in head) + tuple(ell) + tuple(letters.get(ch) for ch in tail)]


@shape_fn("TopKV2", "TopK")
def _top_k(node_def, shapes, values):
    shape = shapes[0]
    k = int_value(values[1]) if node_def.op == "TopKV2" else attr(node_def, "k")
    if shape is None:
        return [None, None]
    if not shape:
        raise GraphError("TopK needs an input of rank >= 1")
    out = tuple(shape[:-1]) + (k,)
    return [out, out]


@shape_fn("InTopK", "InTopKV2")
def _in_top_k(node_def, shapes, values):
    return [shapes[1]]


@shape_fn("BroadcastArgs")
def _broadcast_args(node_def, shapes, values):
    a, b = shapes[0], shapes[1]
    if a is None or b is None or a[0] is None or b[0] is None:
        return [(None,)]
    return [(max(a[0], b[0]),)]


@shape_fn("BroadcastGradientArgs")
def _broadcast_gradient_args(node_def, shapes, values):
    return [(None,), (None,)]
