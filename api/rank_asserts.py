"""`tf.assert_rank`, `assert_rank_at_least`, `assert_rank_in`, `assert_integer`, `assert_type`,
`assert_scalar`: checks on ranks and dtypes, static where the graph knows the answer.

As in TensorFlow 1.x: a rank the graph knows is checked while building (a ValueError when it is
wrong, and a NoOp named `static_checks_determined_all_ok` when it is right); an unknown rank
becomes an Assert on `tf.rank(x)` that runs with the session.
"""

from __future__ import annotations

from ortflow.api.ops_builder import apply_op, convert_to_tensor
from ortflow.graph import get_default_graph

__all__ = ["assert_integer", "assert_rank", "assert_rank_at_least", "assert_rank_in", "assert_scalar",
           "assert_type"]


def _rank_check(x, ranks, at_least: bool, data, summarize, message, name, opname):
    from ortflow.api import array_ops, math_ops
    from ortflow.api.control_flow_ops import Assert

    g = get_default_graph()
    with g.name_scope(name or opname):
        x = convert_to_tensor(x, name="x")
        ranks = [int(r) for r in ranks]
        static = x.shape.rank
        prefix = f"{message}  " if message else ""
        want = f"at least {ranks[0]}" if at_least else " or ".join(str(r) for r in ranks)
        if static is not None:
            ok = static >= ranks[0] if at_least else static in ranks
            if not ok:
                raise ValueError(f"{prefix}Tensor {x.name} must have rank {want}.  Received rank {static}, "
                                 f"shape {x.shape}")
            return apply_op("NoOp", [], name="static_checks_determined_all_ok")
        rank = array_ops.rank(x)
        if at_least:
            condition = math_ops.greater_equal(rank, ranks[0])
        else:
            condition = math_ops.reduce_any(math_ops.equal(rank, ranks))
        if data is None:
            data = [prefix, f"Tensor {x.name} must have rank {want}", "Received shape: ", array_ops.shape(x)]
        return Assert(condition, data, summarize=summarize)


def assert_rank(x, rank, data=None, summarize=None, message=None, name=None):
    """Checks that `x` has rank `rank` (statically when the rank is known).

    Returns:
        A NoOp when the static rank is right, else an Assert op for a control dependency.

    Raises:
        ValueError: the static rank is known and wrong.
    """
    return _rank_check(x, [rank], False, data, summarize, message, name, "assert_rank")


def assert_rank_at_least(x, rank, data=None, summarize=None, message=None, name=None):
    """Checks that `x` has rank `rank` or more (statically when the rank is known)."""
    return _rank_check(x, [rank], True, data, summarize, message, name, "assert_rank_at_least")


def assert_rank_in(x, ranks, data=None, summarize=None, message=None, name=None):
    """Checks that the rank of `x` is one of `ranks` (statically when the rank is known)."""
    return _rank_check(x, list(ranks), False, data, summarize, message, name, "assert_rank_in")


def assert_scalar(tensor, name=None, message=None):
    """Checks statically that `tensor` is a scalar; returns the tensor.

    Raises:
        ValueError: the rank is unknown or not 0.
    """
    g = get_default_graph()
    with g.name_scope(name or "assert_scalar"):
        tensor = convert_to_tensor(tensor, name="tensor")
        if tensor.shape.rank != 0:
            prefix = f"{message}  " if message else ""
            raise ValueError(f"{prefix}Expected scalar shape for {tensor.name}, saw shape: {tensor.shape}.")
        return tensor


def assert_integer(x, message=None, name=None):
    """Checks statically that `x` has an integer dtype; returns a NoOp.

    Raises:
        TypeError: `x` is not of an integer dtype.
    """
    g = get_default_graph()
    with g.name_scope(name or "assert_integer"):
        x = convert_to_tensor(x, name="x")
        if not x.dtype.base_dtype.is_integer:
            prefix = f"{message}  " if message else ""
            raise TypeError(f"{prefix}Expected {x.name!r} to be integer type.  Found {x.dtype.name}.")
        return apply_op("NoOp", [], name="statically_determined_was_integer")


def assert_type(tensor, tf_type, message=None, name=None):
    """Checks statically that `tensor` has dtype `tf_type`; returns a NoOp.

    Raises:
        TypeError: the dtypes differ.
    """
    from ortflow.formats import dtypes

    g = get_default_graph()
    with g.name_scope(name or "assert_type"):
        tensor = convert_to_tensor(tensor, name="tensor")
        want = dtypes.as_dtype(tf_type).base_dtype
        if tensor.dtype.base_dtype != want:
            prefix = f"{message}  " if message else ""
            raise TypeError(f"{prefix}{tensor.name} must be of type {want.name}; got {tensor.dtype.name}")
        return apply_op("NoOp", [], name="statically_determined_correct_type")
