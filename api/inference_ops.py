"""TF 1.x functions inference scripts use: `switch_case`, finiteness checks, morphology and
pooling with indices, and the special functions of `tf.math` (`bessel_i0e`, `igamma`, ...).

The ops without an ONNX form (Dilation2D, MaxPoolWithArgmax, the special functions) run on
ortflow's numpy kernels (`graph/ops/kernels_more.py`); a Session places them on the host part
of a split signature by itself.
"""

from __future__ import annotations

from ortflow.api.ops_builder import apply_op, apply_op_output, convert_to_tensor
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import get_default_graph

__all__ = [
    "add_check_numerics_ops",
    "assert_all_finite",
    "bessel_i0e",
    "bessel_i1e",
    "betainc",
    "dilation2d",
    "dilation2d_v2",
    "igamma",
    "igammac",
    "max_pool_with_argmax",
    "polygamma",
    "switch_case",
    "verify_tensor_all_finite",
    "zeta",
]


# -- control flow -----------------------------------------------------------------------------

def _branch_list(branch_fns) -> list:
    # TF accepts a list of callables, a list of (int, callable) pairs or a dict int -> callable;
    # the keys must be 0..n-1.
    if isinstance(branch_fns, dict):
        branch_fns = sorted(branch_fns.items())
    items = list(branch_fns)
    if not items:
        raise ValueError("Must provide at least one item in `branch_fns`.")
    if all(isinstance(i, tuple) and len(i) == 2 for i in items):
        keys = [k for k, _ in items]
        if sorted(keys) != list(range(len(items))):
            raise ValueError(f"branch_fns keys must be the integers 0..{len(items) - 1}, got {keys}")
        items = [fn for _, fn in sorted(items, key=lambda kv: kv[0])]
    for fn in items:
        if not callable(fn):
            raise TypeError(f"fn {fn!r} must be callable.")
    return items


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """Runs `branch_fns[branch_index]` (`tf.switch_case`); an index out of range runs `default`
    (or, without one, the last branch).

    TensorFlow 2.x builds one `StatelessCase` op with a function per branch; ortflow builds the
    same choice as nested TF 1.x conds (Switch/Merge) in a `switch_case` name scope, which
    every ortflow backend runs. Values equal TensorFlow's; node names differ.

    Args:
        branch_index: a scalar int32 tensor.
        branch_fns: callables, or (index, callable) pairs, or a dict index -> callable.
        default: the callable for an out-of-range index.
        name: the name scope.
    """
    from ortflow.api import math_ops
    from ortflow.api.control_flow_ops import cond

    fns = _branch_list(branch_fns)
    if default is not None:
        fns = [*fns, default]
    g = get_default_graph()
    with g.name_scope(name):
        index = convert_to_tensor(branch_index, dtype=_dtypes.int32, name="branch_index")
        last = len(fns) - 1
        outside = math_ops.logical_or(math_ops.less(index, 0), math_ops.greater(index, last))
        index = apply_op_output("SelectV2", [outside, convert_to_tensor(last, dtype=_dtypes.int32), index],
                                name="index")
        return _nested_cond(cond, index, fns, 0)


def _nested_cond(cond, index, fns, start: int):
    if start == len(fns) - 1:
        return fns[start]()
    from ortflow.api import math_ops

    return cond(math_ops.equal(index, start), fns[start], lambda: _nested_cond(cond, index, fns, start + 1))


# -- numerics checks --------------------------------------------------------------------------

def verify_tensor_all_finite(t=None, msg=None, name=None, x=None, message=None):
    """`t`, after a CheckNumerics that fails with `msg` on NaN or Inf (`tf.verify_tensor_all_finite`).

    Builds `VerifyFinite/CheckNumerics` and `VerifyFinite/control_dependency`, as TensorFlow.
    """
    t = x if t is None else t
    msg = message if msg is None else msg
    g = get_default_graph()
    with g.name_scope(name or "VerifyFinite"):
        t = convert_to_tensor(t, name="t")
        with g.colocate_with(t.op):
            check = apply_op_output("CheckNumerics", [t], {"message": msg}, name="CheckNumerics")
            with g.control_dependencies([check.op]):
                return apply_op_output("Identity", [t], name="control_dependency")


def assert_all_finite(t=None, msg=None, name=None, x=None, message=None):
    """`tf.debugging.assert_all_finite`: the same as `verify_tensor_all_finite`."""
    return verify_tensor_all_finite(t, msg, name, x, message)


def add_check_numerics_ops():
    """A CheckNumerics for every float output of the default graph, chained, grouped as
    `group_deps` (`tf.add_check_numerics_ops`). Messages are the checked tensors' names.

    Raises:
        ValueError: when a checked op sits inside a cond or while loop, as in TensorFlow.
    """
    from ortflow.api.array_ops import group
    from ortflow.api.control_flow_ops import _context_of

    g = get_default_graph()
    floats = (_dtypes.float16, _dtypes.float32, _dtypes.float64)
    checks = []
    for op in list(g.get_operations()):
        for output in op.outputs:
            if output.dtype not in floats:
                continue
            if _context_of(op) is not None:
                raise ValueError("`tf.add_check_numerics_ops() is not compatible with TensorFlow control "
                                 "flow operations such as `tf.cond()` or `tf.while_loop()`.")
            with g.control_dependencies(checks):
                checks = [apply_op_output("CheckNumerics", [output], {"message": output.name},
                                          name="CheckNumerics").op]
    return group(*checks)


# -- morphology and pooling -------------------------------------------------------------------

def dilation2d(input, filter=None, strides=None, rates=None, padding=None, name=None, filters=None,
               dilations=None):
    """Grayscale dilation (`tf.compat.v1.nn.dilation2d`): max over the window of input + filter.

    Args:
        input: [batch, height, width, depth].
        filter: [filter_height, filter_width, depth] (`filters` is the TF 2 name).
        strides, rates: 4-element lists [1, h, w, 1] (`dilations` is the TF 2 name of `rates`).
        padding: "SAME" or "VALID".
    """
    filter = filters if filter is None else filter
    rates = dilations if rates is None else rates
    return apply_op_output("Dilation2D", [input, filter],
                           {"strides": list(strides), "rates": list(rates), "padding": padding},
                           name=name or "Dilation2D")


def dilation2d_v2(input, filters, strides, padding, data_format, dilations, name=None):
    """`tf.nn.dilation2d` (TF 2 argument order); only "NHWC" data is supported, as in TensorFlow."""
    if data_format != "NHWC":
        raise ValueError("`data_format` must be 'NHWC'. Channels first data format is not supported")
    return dilation2d(input, filters, strides, dilations, padding, name=name)


def _window4(value, what: str) -> list[int]:
    if isinstance(value, int):
        return [1, value, value, 1]
    value = list(value)
    if len(value) == 1:
        return [1, value[0], value[0], 1]
    if len(value) == 2:
        return [1, value[0], value[1], 1]
    if len(value) == 4:
        return value
    raise ValueError(f"{what} should be of length 1, 2 or 4, got {value}")


def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC", Targmax=None, name=None,
                         output_dtype=None, include_batch_in_index=False):
    """Max pooling that also returns each maximum's flat index (`tf.nn.max_pool_with_argmax`).

    The index of input position (b, y, x, c) is `((b * height + y) * width + x) * channels + c`,
    without the batch term unless `include_batch_in_index`.

    Returns:
        (output, argmax), argmax int64 unless `Targmax` / `output_dtype` says int32.
    """
    if data_format != "NHWC":
        raise ValueError("max_pool_with_argmax supports only the NHWC data format, as in TensorFlow.")
    targmax = Targmax if Targmax is not None else (output_dtype or _dtypes.int64)
    op = apply_op("MaxPoolWithArgmax", [input],
                  {"ksize": _window4(ksize, "ksize"), "strides": _window4(strides, "strides"),
                   "padding": padding, "Targmax": _dtypes.as_dtype(targmax),
                   "include_batch_in_index": bool(include_batch_in_index)},
                  name=name or "MaxPoolWithArgmax")
    return op.outputs[0], op.outputs[1]


# -- special functions ------------------------------------------------------------------------

def _scoped_unary(op_type: str, scope: str, doc: str):
    def fn(x, name=None):
        with get_default_graph().name_scope(name or scope):
            return apply_op_output(op_type, [x], name=op_type)
    fn.__name__ = scope
    fn.__doc__ = doc
    return fn


bessel_i0e = _scoped_unary("BesselI0e", "bessel_i0e", "exp(-|x|) * I0(x), the scaled modified Bessel function of order 0.")
bessel_i1e = _scoped_unary("BesselI1e", "bessel_i1e", "exp(-|x|) * I1(x), the scaled modified Bessel function of order 1.")


def igamma(a, x, name=None):
    """The regularized lower incomplete gamma function P(a, x)."""
    return apply_op_output("Igamma", [a, x], name=name or "Igamma")


def igammac(a, x, name=None):
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    return apply_op_output("Igammac", [a, x], name=name or "Igammac")


def betainc(a, b, x, name=None):
    """The regularized incomplete beta function I_x(a, b)."""
    return apply_op_output("Betainc", [a, b, x], name=name or "Betainc")


def zeta(x, q, name=None):
    """The Hurwitz zeta function: sum over k >= 0 of (k + q) ** -x."""
    return apply_op_output("Zeta", [x, q], name=name or "Zeta")


def polygamma(a, x, name=None):
    """The a-th derivative of the digamma function at x."""
    return apply_op_output("Polygamma", [a, x], name=name or "Polygamma")

