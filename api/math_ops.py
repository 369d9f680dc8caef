"""`tf.math` (and the math functions of the `tf.` namespace): element-wise ops, reductions, matmul."""

from __future__ import annotations

import numpy as np
from ortflow.api.ops_builder import apply_op, apply_op_output, constant, convert_to_tensor, graph_of
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import Tensor

__all__ = [
    "abs",
    "accumulate_n",
    "acos",
    "add",
    "add_n",
    "argmax",
    "argmin",
    "asin",
    "atan",
    "bias_add",
    "cast",
    "ceil",
    "clip_by_value",
    "conj",
    "cos",
    "cosh",
    "count_nonzero",
    "cumsum",
    "div",
    "divide",
    "divide_no_nan",
    "equal",
    "erf",
    "exp",
    "floor",
    "floor_div",
    "floordiv",
    "floormod",
    "greater",
    "greater_equal",
    "imag",
    "in_top_k",
    "is_finite",
    "is_inf",
    "is_nan",
    "l2_normalize",
    "less",
    "less_equal",
    "log",
    "log1p",
    "log_softmax",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "matmul",
    "maximum",
    "minimum",
    "mod",
    "multiply",
    "negative",
    "not_equal",
    "pow",
    "real",
    "realdiv",
    "reciprocal",
    "reduce_all",
    "reduce_any",
    "reduce_logsumexp",
    "reduce_max",
    "reduce_mean",
    "reduce_min",
    "reduce_prod",
    "reduce_std",
    "reduce_sum",
    "reduce_variance",
    "round",
    "rsqrt",
    "scalar_mul",
    "segment_sum",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softmax",
    "softplus",
    "sqrt",
    "square",
    "squared_difference",
    "subtract",
    "tan",
    "tanh",
    "tensordot",
    "to_float",
    "to_int32",
    "to_int64",
    "top_k",
    "truediv",
    "unsorted_segment_sum",
    "xlogy",
]


def _unary(op_type: str):
    def fn(x, name=None):
        return apply_op_output(op_type, [x], name=name or op_type)
    fn.__name__ = op_type.lower()
    fn.__doc__ = f"Element-wise `{op_type}`."
    return fn


def _binary(op_type: str, fn_name: str | None = None, doc: str | None = None):
    def fn(x, y, name=None):
        return apply_op_output(op_type, [x, y], name=name or op_type)
    fn.__name__ = fn.__qualname__ = fn_name or op_type.lower()
    fn.__doc__ = doc or f"Element-wise `{op_type}` (with broadcasting)."
    return fn


negative = _unary("Neg")


def abs(x, name=None):
    """|x| (`Abs`; `ComplexAbs` for complex tensors, named "Abs" as TF does)."""
    x = convert_to_tensor(x)
    if x.dtype.is_complex:
        return apply_op_output("ComplexAbs", [x], {"Tout": x.dtype.real_dtype}, name=name or "Abs")
    return apply_op_output("Abs", [x], name=name or "Abs")


sqrt = _unary("Sqrt")
rsqrt = _unary("Rsqrt")
square = _unary("Square")
exp = _unary("Exp")
log = _unary("Log")
log1p = _unary("Log1p")
sin = _unary("Sin")
cos = _unary("Cos")
tan = _unary("Tan")
atan = _unary("Atan")
asin = _unary("Asin")
acos = _unary("Acos")
sinh = _unary("Sinh")
cosh = _unary("Cosh")
tanh = _unary("Tanh")
sigmoid = _unary("Sigmoid")
sign = _unary("Sign")
floor = _unary("Floor")
ceil = _unary("Ceil")
round = _unary("Round")
reciprocal = _unary("Reciprocal")
erf = _unary("Erf")
logical_not = _unary("LogicalNot")
is_nan = _unary("IsNan")
is_inf = _unary("IsInf")
is_finite = _unary("IsFinite")
softplus = _unary("Softplus")

def add(x, y, name=None):
    """x + y: `AddV2`, or `Add` for strings (concatenation), named "Add" as TF 2.x's v1 `add`."""
    if isinstance(x, (str, bytes)) or getattr(getattr(x, "dtype", None), "name", None) == "string" \
            or getattr(getattr(x, "dtype", None), "kind", None) in ("S", "U", "O"):
        return apply_op_output("Add", [x, y], name=name or "Add")
    return apply_op_output("AddV2", [x, y], name=name or "Add")


subtract = _binary("Sub")
realdiv = _binary("RealDiv")
floor_div = _binary("FloorDiv")
floormod = _binary("FloorMod")
maximum = _binary("Maximum")
minimum = _binary("Minimum")
squared_difference = _binary("SquaredDifference")
equal = _binary("Equal")
not_equal = _binary("NotEqual")
less = _binary("Less")
less_equal = _binary("LessEqual")
greater = _binary("Greater")
greater_equal = _binary("GreaterEqual")
logical_and = _binary("LogicalAnd")
logical_or = _binary("LogicalOr")
xlogy = _binary("Xlogy")
divide_no_nan = _binary("DivNoNan")


def multiply(x, y, name=None):
    """Element-wise product (`Mul`)."""
    return apply_op_output("Mul", [x, y], name=name or "Mul")


def pow(x, y, name=None):
    """Element-wise power (`Pow`), named "Pow" as `tf.pow` does (the `**` operator names it "pow")."""
    return apply_op_output("Pow", [x, y], name=name or "Pow")


def floordiv(x, y, name=None):
    """Floor division (`FloorDiv`)."""
    return apply_op_output("FloorDiv", [x, y], name=name or "floordiv")


def mod(x, y, name=None):
    """Floor modulo (`FloorMod`)."""
    return apply_op_output("FloorMod", [x, y], name=name or "FloorMod")


_INT_TO_FLOAT = {_dtypes.int8: _dtypes.float32, _dtypes.uint8: _dtypes.float32,
                 _dtypes.int16: _dtypes.float32, _dtypes.uint16: _dtypes.float32,
                 _dtypes.int32: _dtypes.float64, _dtypes.int64: _dtypes.float64}


def truediv(x, y, name=None):
    """Python-3 division: integers are cast to floats first (int32 -> float64), as TF does."""
    g = graph_of(x, y)
    with g.as_default(), g.name_scope(name or "truediv") as scope:
        x, y = convert_pair(x, y)
        target = _INT_TO_FLOAT.get(x.dtype.base_dtype)
        if target is not None:
            x = cast(x, target)
            y = cast(y, target)
        return apply_op_output("RealDiv", [x, y], name=scope)


def convert_pair(x, y):
    """Converts binary-op operands as TF does: a Python operand takes the other one's dtype."""
    if not hasattr(x, "dtype"):
        y = convert_to_tensor(y, name="y")
        return convert_to_tensor(x, dtype=y.dtype.base_dtype, name="x"), y
    x = convert_to_tensor(x, name="x")
    return x, convert_to_tensor(y, dtype=x.dtype.base_dtype, name="y")


def divide(x, y, name=None):
    """`x / y` (`tf.divide`)."""
    return truediv(x, y, name=name)


def div(x, y, name=None):
    """TF 1.x `div`: floor division (`FloorDiv`) for integers, `RealDiv` for floats."""
    g = graph_of(x, y)
    with g.as_default(), g.name_scope(name or "div") as scope:
        x, y = convert_pair(x, y)
        dtype = x.dtype.base_dtype
        op_type = "RealDiv" if (dtype.is_floating or dtype.is_complex) else "FloorDiv"
        return apply_op_output(op_type, [x, y], name=scope)


def scalar_mul(scalar, x, name=None):
    """`scalar * x`."""
    return apply_op_output("Mul", [scalar, x], name=name or "mul")


def add_n(inputs, name=None):
    """Sum of a list of same-shaped tensors (`AddN`); one input is returned through Identity."""
    if len(inputs) == 1:
        return apply_op_output("Identity", [inputs[0]], name=name or "Identity")
    return apply_op_output("AddN", [list(inputs)], name=name or "AddN")


accumulate_n = add_n


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None, output_type=None):
    """Matrix product (`MatMul`, or `BatchMatMulV2` for rank > 2)."""
    g = graph_of(a, b)
    with g.as_default(), g.name_scope(name or "MatMul") as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, dtype=a.dtype.base_dtype, name="b")
        rank_a, rank_b = a.shape.rank, b.shape.rank
        if (rank_a is not None and rank_a > 2) or (rank_b is not None and rank_b > 2):
            return apply_op_output("BatchMatMulV2", [a, b], {"adj_x": bool(adjoint_a or transpose_a),
                                                              "adj_y": bool(adjoint_b or transpose_b)},
                                   name=scope)
        return apply_op_output("MatMul", [a, b], {"transpose_a": bool(transpose_a or adjoint_a),
                                                  "transpose_b": bool(transpose_b or adjoint_b)}, name=scope)


def cast(x, dtype, name=None):
    """Casts to `dtype` (`Cast`); returns `x` itself when it already has that type.

    A SparseTensor casts its values (same indices and dense_shape), as in TensorFlow.
    """
    dtype = _dtypes.as_dtype(dtype).base_dtype
    if isinstance(x, Tensor) and x.dtype.base_dtype == dtype:
        return x
    if type(x).__name__ in ("SparseTensor", "SparseTensorValue"):
        from ortflow.graph.sparse_tensor import SparseTensor

        sparse = SparseTensor.from_value(x) if type(x).__name__ == "SparseTensorValue" else x
        if sparse.dtype.base_dtype == dtype:
            return sparse
        return SparseTensor(sparse.indices, cast(sparse.values, dtype, name=name), sparse.dense_shape)
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "Cast") as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.base_dtype == dtype:
            return x
        return apply_op_output("Cast", [x], {"DstT": dtype, "Truncate": False}, name=scope)


def _cast_to(dtype: _dtypes.DType, fn_name: str, default_name: str):
    # TF 1.x's to_float, to_int32, ...: `cast` to one dtype under the scope "ToFloat", ...
    def fn(x, name=default_name):
        return cast(x, dtype, name=name)
    fn.__name__ = fn.__qualname__ = fn_name
    fn.__doc__ = f"Casts to {dtype.name} (`cast` under the name scope `name`, default {default_name!r})."
    return fn


to_float = _cast_to(_dtypes.float32, "to_float", "ToFloat")
to_double = _cast_to(_dtypes.float64, "to_double", "ToDouble")
to_int32 = _cast_to(_dtypes.int32, "to_int32", "ToInt32")
to_int64 = _cast_to(_dtypes.int64, "to_int64", "ToInt64")
to_bfloat16 = _cast_to(_dtypes.bfloat16, "to_bfloat16", "ToBFloat16")
to_complex64 = _cast_to(_dtypes.complex64, "to_complex64", "ToComplex64")
to_complex128 = _cast_to(_dtypes.complex128, "to_complex128", "ToComplex128")


def _reduction_dims(x: Tensor, axis):
    # TF uses a constant range over the rank when the rank is known and no axis is given.
    if axis is not None:
        return axis
    rank = x.shape.rank
    if rank is not None:
        return constant(np.arange(rank, dtype=np.int32))
    rank_t = apply_op_output("Rank", [x], name="Rank")
    return apply_op_output("Range", [0, rank_t, 1], name="range")


def _reducer(op_type: str, default_name: str):
    def fn(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
        axis = reduction_indices if axis is None else axis
        keep = bool(keepdims if keepdims is not None else (keep_dims or False))
        x = convert_to_tensor(input_tensor)
        dims = _reduction_dims(x, axis)
        return apply_op_output(op_type, [x, dims], {"keep_dims": keep}, name=name or default_name)
    fn.__name__ = f"reduce_{default_name.lower()}"
    fn.__doc__ = f"Reduces with `{op_type}` over `axis` (all axes when None)."
    return fn


reduce_sum = _reducer("Sum", "Sum")
reduce_mean = _reducer("Mean", "Mean")
reduce_max = _reducer("Max", "Max")
reduce_min = _reducer("Min", "Min")
reduce_prod = _reducer("Prod", "Prod")
reduce_all = _reducer("All", "All")
reduce_any = _reducer("Any", "Any")


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None, reduction_indices=None,
                     keep_dims=None):
    """log(sum(exp(x))) computed stably."""
    axis = reduction_indices if axis is None else axis
    g = graph_of(input_tensor)
    with g.as_default(), g.name_scope(name or "ReduceLogSumExp"):
        x = convert_to_tensor(input_tensor)
        raw_max = reduce_max(x, axis, keepdims=True)
        my_max = apply_op_output("StopGradient", [apply_op_output(
            "Select", [is_finite(raw_max), raw_max, apply_op_output("ZerosLike", [raw_max])])])
        result = log(reduce_sum(exp(subtract(x, my_max)), axis, keepdims=bool(keepdims or keep_dims)))
        if not (keepdims or keep_dims):
            from ortflow.api.array_ops import reshape
            my_max = reshape(my_max, apply_op_output("Shape", [result]))
        return add(result, my_max)


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """Variance over `axis`."""
    g = graph_of(input_tensor)
    with g.as_default(), g.name_scope(name or "reduce_variance"):
        x = convert_to_tensor(input_tensor)
        means = reduce_mean(x, axis, keepdims=True)
        return reduce_mean(square(apply_op_output("Sub", [x, means], name="sub")), axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """Standard deviation over `axis`."""
    g = graph_of(input_tensor)
    with g.as_default(), g.name_scope(name or "reduce_std"):
        return sqrt(reduce_variance(input_tensor, axis, keepdims))


def count_nonzero(input_tensor, axis=None, keepdims=None, dtype=_dtypes.int64, name=None,
                  reduction_indices=None, keep_dims=None):
    """Number of non-zero elements over `axis`."""
    axis = reduction_indices if axis is None else axis
    g = graph_of(input_tensor)
    with g.as_default(), g.name_scope(name or "count_nonzero"):
        x = convert_to_tensor(input_tensor)
        zero = constant(0, dtype=x.dtype.base_dtype)
        nonzero = cast(not_equal(x, zero), _dtypes.int64)
        return cast(reduce_sum(nonzero, axis, keepdims=bool(keepdims or keep_dims)), dtype)


def argmax(input, axis=None, name=None, dimension=None, output_type=_dtypes.int64):
    """Index of the largest value along `axis` (0 when None)."""
    axis = dimension if axis is None else axis
    return apply_op_output("ArgMax", [input, 0 if axis is None else axis],
                           {"output_type": _dtypes.as_dtype(output_type)}, name=name or "ArgMax")


def argmin(input, axis=None, name=None, dimension=None, output_type=_dtypes.int64):
    """Index of the smallest value along `axis` (0 when None)."""
    axis = dimension if axis is None else axis
    return apply_op_output("ArgMin", [input, 0 if axis is None else axis],
                           {"output_type": _dtypes.as_dtype(output_type)}, name=name or "ArgMin")


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """min(max(t, lo), hi), as TF builds it: `Minimum` then `Maximum` inside "clip_by_value"."""
    g = graph_of(t)
    with g.as_default(), g.name_scope(name or "clip_by_value") as scope:
        t = convert_to_tensor(t, name="t")
        t_min = minimum(t, clip_value_max)
        return apply_op_output("Maximum", [t_min, clip_value_min], name=scope)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative sum along `axis`."""
    return apply_op_output("Cumsum", [x, axis], {"exclusive": exclusive, "reverse": reverse},
                           name=name or "Cumsum")


def _softmax_op(op_type: str, fn_name: str, doc: str):
    # softmax / log_softmax: the op works over the last axis; another axis is swapped with the
    # last one around it, as TensorFlow does (`dim` is TF 1.x's name for `axis`).
    def fn(logits, axis=None, name=None, dim=None):
        axis = dim if axis is None else axis
        if axis in (None, -1):
            return apply_op_output(op_type, [logits], name=name or op_type)
        logits = convert_to_tensor(logits, name="logits")
        rank = logits.shape.rank
        if rank is None:
            raise NotImplementedError(f"{fn_name} over an axis other than the last needs a tensor of known rank")
        axis = int(axis) + rank if int(axis) < 0 else int(axis)
        if not 0 <= axis < rank:
            raise ValueError(f"{fn_name}: axis {axis} is out of range for a tensor of rank {rank}")
        if axis == rank - 1:
            return apply_op_output(op_type, [logits], name=name or op_type)
        from ortflow.api import array_ops

        perm = list(range(rank))
        perm[axis], perm[-1] = perm[-1], perm[axis]
        swapped = array_ops.transpose(logits, perm)
        return array_ops.transpose(apply_op_output(op_type, [swapped], name=name or op_type), perm)
    fn.__name__ = fn.__qualname__ = fn_name
    fn.__doc__ = doc
    return fn


softmax = _softmax_op("Softmax", "softmax", "Softmax over `axis` (default the last; `Softmax`).")
log_softmax = _softmax_op("LogSoftmax", "log_softmax", "Log-softmax over `axis` (default the last; `LogSoftmax`).")


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x**2, axis), epsilon))."""
    axis = dim if axis is None else axis
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "l2_normalize") as scope:
        x = convert_to_tensor(x, name="x")
        square_sum = reduce_sum(square(x), axis, keepdims=True)
        x_inv_norm = rsqrt(maximum(square_sum, epsilon))
        return apply_op_output("Mul", [x, x_inv_norm], name=scope)


def real(input, name=None):
    x = convert_to_tensor(input)
    if not x.dtype.is_complex:
        return x
    return apply_op_output("Real", [x], {"Tout": x.dtype.real_dtype}, name=name or "Real")


def imag(input, name=None):
    x = convert_to_tensor(input)
    return apply_op_output("Imag", [x], {"Tout": x.dtype.real_dtype}, name=name or "Imag")


def conj(x, name=None):
    x = convert_to_tensor(x)
    if not x.dtype.is_complex:
        return x
    return apply_op_output("Conj", [x], name=name or "Conj")


def bias_add(value, bias, data_format=None, name=None):
    """Adds a 1-D bias to the last (NHWC) or channel (NCHW) axis."""
    return apply_op_output("BiasAdd", [value, bias], {"data_format": data_format or "NHWC"},
                           name=name or "BiasAdd")


def tensordot(a, b, axes, name=None):
    """Sums the products of `a` and `b` over `axes` (see `array_ops.tensordot`)."""
    from ortflow.api import array_ops

    return array_ops.tensordot(a, b, axes, name=name)


def segment_sum(data, segment_ids, name=None):
    return apply_op_output("SegmentSum", [data, segment_ids], name=name or "SegmentSum")


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    return apply_op_output("UnsortedSegmentSum", [data, segment_ids, num_segments],
                           name=name or "UnsortedSegmentSum")


def top_k(input, k=1, sorted=True, name=None):
    """The `k` largest values and their indices along the last axis (`TopKV2`)."""
    op = apply_op("TopKV2", [input, k], {"sorted": sorted}, name=name or "TopKV2")
    return op.outputs[0], op.outputs[1]


def in_top_k(predictions, targets, k, name=None):
    """Whether each target is among the top `k` predictions (`InTopKV2`)."""
    return apply_op_output("InTopKV2", [predictions, targets, k], name=name or "in_top_k/InTopKV2")



def logical_xor(x, y, name="LogicalXor"):
    """x XOR y, built as TF does: (x | y) & !(x & y)."""
    g = graph_of(x, y)
    with g.as_default(), g.name_scope(name) as scope:
        return apply_op_output("LogicalAnd", [logical_or(x, y), logical_not(logical_and(x, y))], name=scope)


erfc = _unary("Erfc")
expm1 = _unary("Expm1")
truncatemod = _binary("TruncateMod")


def complex(real, imag, name=None):
    """real + i * imag (`Complex`): complex64 from float32, complex128 from float64."""
    g = graph_of(real, imag)
    with g.as_default(), g.name_scope(name or "Complex") as scope:
        real = convert_to_tensor(real, name="real")
        imag = convert_to_tensor(imag, dtype=real.dtype.base_dtype, name="imag")
        tout = _dtypes.complex128 if real.dtype.base_dtype == _dtypes.float64 else _dtypes.complex64
        return apply_op_output("Complex", [real, imag], {"Tout": tout}, name=scope)


def complex_abs(x, name=None):
    """|x| of a complex tensor (`ComplexAbs`)."""
    x = convert_to_tensor(x)
    return apply_op_output("ComplexAbs", [x], {"Tout": x.dtype.real_dtype}, name=name or "ComplexAbs")


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """sqrt(sum(x ** 2)) over `axis` (`EuclideanNorm`)."""
    x = convert_to_tensor(input_tensor)
    return apply_op_output("EuclideanNorm", [x, _reduction_dims(x, axis)], {"keep_dims": bool(keepdims)},
                           name=name or "EuclideanNorm")


def _segment(op_type: str):
    def fn(data, segment_ids, num_segments, name=None):
        return apply_op_output(op_type, [data, segment_ids, num_segments], name=name or op_type)
    fn.__name__ = op_type
    fn.__doc__ = f"`{op_type}` over `num_segments` segments."
    return fn


unsorted_segment_max = _segment("UnsortedSegmentMax")
unsorted_segment_min = _segment("UnsortedSegmentMin")
unsorted_segment_prod = _segment("UnsortedSegmentProd")

__all__ += ["erfc", "expm1", "truncatemod", "complex", "complex_abs", "reduce_euclidean_norm",
            "unsorted_segment_max", "unsorted_segment_min", "unsorted_segment_prod"]


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative product along `axis` (`Cumprod`)."""
    return apply_op_output("Cumprod", [x, axis], {"exclusive": bool(exclusive), "reverse": bool(reverse)},
                           name=name or "Cumprod")


def log_sigmoid(x, name=None):
    """log(sigmoid(x)) computed stably as -softplus(-x)."""
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "LogSigmoid") as scope:
        x = convert_to_tensor(x, name="x")
        return apply_op_output("Neg", [softplus(negative(x))], name=scope)


def polyval(coeffs, x, name=None):
    """coeffs[0] * x**(n-1) + ... + coeffs[n-1], by Horner's rule."""
    if not isinstance(coeffs, (list, tuple)):
        # TF raises ValueError here, and code written for TF catches that.
        raise ValueError(f"Argument coeffs must be list type. Received type: {type(coeffs)}.")
    g = graph_of(coeffs, x)
    with g.as_default(), g.name_scope(name or "polyval"):
        x = convert_to_tensor(x, name="x")
        if not coeffs:
            return apply_op_output("ZerosLike", [x], name="zeros_like")
        coeffs = [convert_to_tensor(c, dtype=x.dtype.base_dtype, name=f"coeff_{i}") for i, c in enumerate(coeffs)]
        p = coeffs[0]
        for c in coeffs[1:]:
            p = c + p * x
        return p


def _segment_counts(data, segment_ids, num_segments, root: bool):
    # How many rows each segment got, shaped to broadcast against the segment sums.
    from ortflow.api import array_ops

    ones = array_ops.ones_like(segment_ids, dtype=data.dtype.base_dtype)
    counts = unsorted_segment_sum(ones, segment_ids, num_segments)
    rank_data, rank_ids = data.shape.rank, segment_ids.shape.rank
    if rank_data is None or rank_ids is None:
        raise NotImplementedError("segment means need data and segment ids of known rank")
    counts = array_ops.reshape(counts, [-1] + [1] * (rank_data - rank_ids))
    counts = maximum(counts, constant(1, dtype=data.dtype.base_dtype))
    return sqrt(counts) if root else counts


def _normalized_segment_sum(fn_name: str, default_name: str, root: bool, doc: str):
    # unsorted_segment_mean / unsorted_segment_sqrt_n: the segment sums divided by the row counts
    # (or their square roots), under the name scope "UnsortedSegmentMean" / "UnsortedSegmentSqrtN".
    def fn(data, segment_ids, num_segments, name=None):
        g = graph_of(data, segment_ids)
        with g.as_default(), g.name_scope(name or default_name):
            data, segment_ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
            counts = _segment_counts(data, segment_ids, num_segments, root=root)
            return truediv(unsorted_segment_sum(data, segment_ids, num_segments), counts)
    fn.__name__ = fn.__qualname__ = fn_name
    fn.__doc__ = doc
    return fn


unsorted_segment_mean = _normalized_segment_sum("unsorted_segment_mean", "UnsortedSegmentMean", False,
                                                "Mean of the rows of each segment (0 for empty segments).")
unsorted_segment_sqrt_n = _normalized_segment_sum("unsorted_segment_sqrt_n", "UnsortedSegmentSqrtN", True,
                                                  "Sum of the rows of each segment divided by sqrt(row count).")


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=_dtypes.int32, name=None):
    """[num_classes, num_classes] counts (or summed weights) of (label, prediction) pairs (`ScatterNd`).

    TensorFlow also asserts that labels and predictions are non-negative and below
    `num_classes`; ortflow leaves those asserts out.
    """
    from ortflow.api import array_ops

    dtype = _dtypes.as_dtype(dtype)
    g = graph_of(labels, predictions)
    with g.as_default(), g.name_scope(name or "confusion_matrix"):
        labels = cast(labels, _dtypes.int64)
        predictions = cast(predictions, _dtypes.int64)
        if num_classes is None:
            num_classes = add(maximum(reduce_max(predictions), reduce_max(labels)), 1)
        else:
            num_classes = cast(num_classes, _dtypes.int64)
        indices = array_ops.stack([labels, predictions], axis=1)
        values = array_ops.ones_like(predictions, dtype) if weights is None else cast(weights, dtype)
        shape = array_ops.stack([num_classes, num_classes])
        return apply_op_output("ScatterNd", [indices, values, shape], name="ScatterNd")


__all__ += ["confusion_matrix", "cumprod", "log_sigmoid", "polyval", "unsorted_segment_mean",
            "unsorted_segment_sqrt_n"]


acosh = _unary("Acosh")
asinh = _unary("Asinh")
atanh = _unary("Atanh")
rint = _unary("Rint")
lgamma = _unary("Lgamma")
digamma = _unary("Digamma")
softsign = _unary("Softsign")
atan2 = _binary("Atan2")
xdivy = _binary("Xdivy")
xlog1py = _binary("Xlog1py")
multiply_no_nan = _binary("MulNoNan")
truncatediv = _binary("TruncateDiv")
div_no_nan = divide_no_nan


def reciprocal_no_nan(x, name=None):
    """1 / x, and 0 where x is 0."""
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "reciprocal_no_nan"):
        x = convert_to_tensor(x, name="x")
        return divide_no_nan(constant(1, dtype=x.dtype.base_dtype), x)


def arg_max(input, dimension=None, name=None, output_type=_dtypes.int64):
    """TF 0.x spelling of `argmax` (`ArgMax`)."""
    return apply_op_output("ArgMax", [input, 0 if dimension is None else dimension],
                           {"output_type": _dtypes.as_dtype(output_type)}, name=name or "ArgMax")


def arg_min(input, dimension=None, name=None, output_type=_dtypes.int64):
    """TF 0.x spelling of `argmin` (`ArgMin`)."""
    return apply_op_output("ArgMin", [input, 0 if dimension is None else dimension],
                           {"output_type": _dtypes.as_dtype(output_type)}, name=name or "ArgMin")


def _sorted_segment(op_type: str):
    def fn(data, segment_ids, name=None):
        return apply_op_output(op_type, [data, segment_ids], name=name or op_type)
    fn.__name__ = op_type
    fn.__doc__ = f"`{op_type}` over sorted `segment_ids` (empty segments give 0)."
    return fn


segment_mean = _sorted_segment("SegmentMean")
segment_max = _sorted_segment("SegmentMax")
segment_min = _sorted_segment("SegmentMin")
segment_prod = _sorted_segment("SegmentProd")


def _monotonic(x, op_type: str, name: str):
    # all(x[i] <op> x[i+1]) over the flattened x; an empty or one-element x is monotonic.
    from ortflow.api import array_ops

    g = graph_of(x)
    with g.as_default(), g.name_scope(name):
        x = array_ops.reshape(convert_to_tensor(x, name="x"), [-1])
        pairs = apply_op_output(op_type, [x[1:], x[:-1]], name=op_type)
        return reduce_all(pairs)


def is_non_decreasing(x, name=None):
    """Whether x[i] <= x[i + 1] for all i (of the flattened x)."""
    return _monotonic(x, "GreaterEqual", name or "is_non_decreasing")


def is_strictly_increasing(x, name=None):
    """Whether x[i] < x[i + 1] for all i (of the flattened x)."""
    return _monotonic(x, "Greater", name or "is_strictly_increasing")


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=_dtypes.int32, name=None):
    """How often each value 0, 1, ... occurs in the non-negative int32 `arr` (`dtype` counts), or the
    sums of `weights` per value (in the weights' type).

    Built as TensorFlow 1.x's `bincount`: the output size is max(arr) + 1 (0 for an empty arr),
    clamped by `minlength` / `maxlength`, then `DenseBincount`.
    """
    from ortflow.api import array_ops

    dtype = _dtypes.as_dtype(dtype)
    g = graph_of(arr, weights)
    with g.as_default(), g.name_scope(name or "bincount"):
        arr = convert_to_tensor(arr, dtype=_dtypes.int32, name="arr")
        nonempty = apply_op_output("Greater", [array_ops.size(arr), 0], name="Greater")
        array_is_nonempty = cast(nonempty, _dtypes.int32)
        output_size = array_is_nonempty * (reduce_max(arr) + 1)
        if minlength is not None:
            output_size = maximum(convert_to_tensor(minlength, dtype=_dtypes.int32, name="minlength"), output_size)
        if maxlength is not None:
            output_size = minimum(convert_to_tensor(maxlength, dtype=_dtypes.int32, name="maxlength"), output_size)
        flat = array_ops.reshape(arr, [-1])
        if weights is None:
            weights = constant([], dtype=dtype)
        else:
            weights = convert_to_tensor(weights, name="weights")  # the counts take the weights' type
        return apply_op_output("DenseBincount", [flat, output_size, weights], {"binary_output": False},
                               name="DenseBincount")


def global_norm(t_list, name=None):
    """sqrt(sum of squares of every tensor in `t_list`), skipping None entries."""
    from ortflow.api import array_ops

    t_list = [t for t in t_list if t is not None]
    g = graph_of(t_list)
    with g.as_default(), g.name_scope(name or "global_norm"):
        half_squared = [apply_op_output("L2Loss", [convert_to_tensor(t)], name="L2Loss") for t in t_list]
        total = reduce_sum(array_ops.stack(half_squared))
        two = constant(2.0, dtype=total.dtype.base_dtype)
        return apply_op_output("Sqrt", [total * two], name="global_norm")


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """t * clip_norm / max(l2norm(t, axes), clip_norm): `t` rescaled so its L2 norm is at most `clip_norm`."""
    from ortflow.api import array_ops

    g = graph_of(t)
    with g.as_default(), g.name_scope(name or "clip_by_norm") as scope:
        t = convert_to_tensor(t, name="t")
        l2sum = reduce_sum(t * t, axes, keepdims=True)
        pred = l2sum > 0
        l2sum_safe = array_ops.where(pred, l2sum, array_ops.ones_like(l2sum))
        l2norm = array_ops.where(pred, sqrt(l2sum_safe), l2sum)
        intermediate = t * clip_norm
        clipped = truediv(intermediate, maximum(l2norm, clip_norm))
        return array_ops.identity(clipped, name=scope)


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales every tensor of `t_list` by clip_norm / max(global_norm, clip_norm).

    Returns:
        (list of clipped tensors, the global norm).
    """
    from ortflow.api import array_ops

    t_list = list(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list)
    g = graph_of(t_list)
    with g.as_default(), g.name_scope(name or "clip_by_global_norm") as scope:
        scale = clip_norm * minimum(truediv(1.0, use_norm), truediv(constant(1.0, dtype=use_norm.dtype.base_dtype),
                                                                     clip_norm))
        scale = scale + (use_norm - use_norm)  # a NaN or infinite norm makes every output NaN, as in TF
        clipped = []
        for i, t in enumerate(t_list):
            if t is None:
                clipped.append(None)
                continue
            t = convert_to_tensor(t)
            clipped.append(array_ops.identity(t * cast(scale, t.dtype.base_dtype), name=f"{scope}_{i}"))
        return clipped, use_norm


def clip_by_average_norm(t, clip_norm, name=None):
    """`t` rescaled so that its L2 norm divided by its element count is at most `clip_norm`."""
    from ortflow.api import array_ops

    g = graph_of(t)
    with g.as_default(), g.name_scope(name or "clip_by_average_norm") as scope:
        t = convert_to_tensor(t, name="t")
        n_element = cast(array_ops.size(t), _dtypes.float32)
        squares = t * t
        l2norm_inv = rsqrt(reduce_sum(squares, array_ops.range(array_ops.rank(t))))
        tclip = t * clip_norm * minimum(l2norm_inv * n_element, truediv(constant(1.0), clip_norm))
        return array_ops.identity(tclip, name=scope)


__all__ += ["acosh", "arg_max", "arg_min", "asinh", "atan2", "atanh", "bincount", "clip_by_average_norm",
            "clip_by_global_norm", "clip_by_norm", "digamma", "div_no_nan", "global_norm", "is_non_decreasing",
            "is_strictly_increasing", "lgamma", "multiply_no_nan", "reciprocal_no_nan", "rint", "segment_max",
            "segment_mean", "segment_min", "segment_prod", "softsign", "truncatediv", "xdivy", "xlog1py"]


def saturate_cast(value, dtype, name=None):
    """Casts to `dtype`, first clamping to the range both types can hold (`ClipByValue` + `Cast`)."""
    dtype = _dtypes.as_dtype(dtype).base_dtype
    g = graph_of(value)
    with g.as_default(), g.name_scope(name or "saturate_cast") as scope:
        value = convert_to_tensor(value, name="value")
        src = value.dtype.base_dtype
        if not src.is_bool and not dtype.is_bool and not src.is_complex and not dtype.is_complex:
            lo, hi = max(src.min, dtype.min), min(src.max, dtype.max)
            if lo > src.min or hi < src.max:
                value = apply_op_output("ClipByValue", [value, constant(lo, dtype=src), constant(hi, dtype=src)],
                                        name="clamp")
        if value.dtype.base_dtype == dtype:
            return apply_op_output("Identity", [value], name=scope)
        return apply_op_output("Cast", [value], {"DstT": dtype, "Truncate": False}, name=scope)


def lbeta(x, name=None):
    """log(|Beta(x)|) over the last axis: sum(lgamma(x)) - lgamma(sum(x))."""
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "lbeta"):
        x = convert_to_tensor(x, name="x")
        log_prod_gamma_x = reduce_sum(lgamma(x), [-1])
        sum_x = reduce_sum(x, [-1])
        return log_prod_gamma_x - lgamma(sum_x)


def invert_permutation(x, name=None):
    """y[x[i]] = i (`InvertPermutation`)."""
    return apply_op_output("InvertPermutation", [x], name=name or "InvertPermutation")


__all__ += ["invert_permutation", "lbeta", "saturate_cast", "to_bfloat16", "to_complex64", "to_complex128",
            "to_double"]


import types as _types  # noqa: E402

from ortflow.api.inference_ops import (  # noqa: E402
    bessel_i0e,
    bessel_i1e,
    betainc,
    igamma,
    igammac,
    polygamma,
    zeta,
)

#: `tf.math.special`: the special functions again, as TensorFlow also lists them there.
special = _types.SimpleNamespace(bessel_i0e=bessel_i0e, bessel_i1e=bessel_i1e)

__all__ += ["bessel_i0e", "bessel_i1e", "betainc", "igamma", "igammac", "polygamma", "special", "zeta"]

from ortflow.api.more_ops import angle, bessel_i0, bessel_i1, cumulative_logsumexp, erfinv, ndtri  # noqa: E402

__all__ += ["angle", "bessel_i0", "bessel_i1", "cumulative_logsumexp", "erfinv", "ndtri"]


def nextafter(x1, x2, name=None):
    """The next representable value after `x1` toward `x2`, element-wise (`NextAfter`)."""
    return apply_op_output("NextAfter", [x1, x2], name=name or "NextAfter")


__all__ += ["nextafter"]


def erfcinv(x, name=None):
    """The inverse complementary error function, as TF builds it: -ndtri(x / 2) / sqrt(2)."""
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "erfcinv"):
        x = convert_to_tensor(x, name="start")
        half = apply_op_output("Mul", [0.5, x], name="mul")
        with g.name_scope("ndtri"):
            quantile = apply_op_output("Ndtri", [half], name="Ndtri")
        negated = apply_op_output("Neg", [quantile], name="Neg")
        return apply_op_output("Mul", [negated, np.sqrt(0.5)], name="mul")


def zero_fraction(value, name=None):
    """The fraction of zeros in `value` (`tf.nn.zero_fraction`, also under `tf.math`)."""
    from ortflow.api.nn import zero_fraction as nn_zero_fraction

    return nn_zero_fraction(value, name=name)


__all__ += ["erfcinv", "zero_fraction"]


def _approx_top_k(is_max_k: bool, operand, k, reduction_dimension, recall_target, reduction_input_size_override,
                  aggregate_to_topk, name):
    from collections import namedtuple

    attrs = {"k": int(k), "reduction_dimension": int(reduction_dimension), "recall_target": float(recall_target),
             "is_max_k": is_max_k, "reduction_input_size_override": int(reduction_input_size_override),
             "aggregate_to_topk": bool(aggregate_to_topk)}
    operand = convert_to_tensor(operand)
    if operand.dtype.base_dtype not in (_dtypes.float16, _dtypes.bfloat16, _dtypes.float32):
        raise TypeError(f"Value passed to parameter 'input' has DataType {operand.dtype.base_dtype.name} not in "
                        "list of allowed values: float16, bfloat16, float32")
    op = apply_op("ApproxTopK", [operand], attrs, name=name or "ApproxTopK")
    return namedtuple("ApproxTopK", ["values", "indices"])(*op.outputs)


def approx_max_k(operand, k, reduction_dimension=-1, recall_target=0.95, reduction_input_size_override=-1,
                 aggregate_to_topk=True, name=None):
    """The `k` largest values along `reduction_dimension` and their indices (`ApproxTopK`, exact here)."""
    return _approx_top_k(True, operand, k, reduction_dimension, recall_target, reduction_input_size_override,
                         aggregate_to_topk, name)


def approx_min_k(operand, k, reduction_dimension=-1, recall_target=0.95, reduction_input_size_override=-1,
                 aggregate_to_topk=True, name=None):
    """The `k` smallest values along `reduction_dimension` and their indices (`ApproxTopK`, exact here)."""
    return _approx_top_k(False, operand, k, reduction_dimension, recall_target, reduction_input_size_override,
                         aggregate_to_topk, name)


__all__ += ["approx_max_k", "approx_min_k"]
