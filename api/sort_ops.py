"""Sorting and searching of the `tf.` namespace: sort, argsort, unique, searchsorted, histograms, setdiff1d."""

from __future__ import annotations

import builtins

import numpy as np
from ortflow.api.array_ops import rank, reshape, shape, stack, transpose
from ortflow.api.ops_builder import apply_op, apply_op_output, constant, convert_to_tensor, graph_of
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import Tensor

__all__ = [
    "argsort",
    "histogram_fixed_width",
    "histogram_fixed_width_bins",
    "searchsorted",
    "setdiff1d",
    "sort",
    "unique",
    "unique_with_counts",
    "unravel_index",
]


def _static_axis(axis) -> int:
    if isinstance(axis, Tensor):
        # TF raises ValueError here, and code written for TF catches that.
        raise ValueError(f"Argument `axis` must be a constant scalar. Received: axis={axis}.")
    return int(axis)


def _top_k_sort(values, axis: int, return_argsort: bool):
    # Descending sort along `axis` with TopKV2 over the last axis (TF's sort_ops recipe):
    # any other axis is swapped with the last one before and after.
    k = shape(values)[axis]
    rank(values)
    ndims = values.shape.rank
    transposition = None
    if not (axis == -1 or (ndims is not None and axis + 1 == ndims)):
        if ndims is None:
            raise NotImplementedError("sort along an axis other than the last needs a tensor of known rank")
        axis = axis + ndims if axis < 0 else axis
        perm = list(builtins.range(ndims))
        perm[axis], perm[-1] = perm[-1], perm[axis]
        transposition = constant(np.array(perm, dtype=np.int64), name="transposition")
        values = transpose(values, transposition)
    op = apply_op("TopKV2", [values, k], {"sorted": True}, name="TopKV2")
    out = op.outputs[1] if return_argsort else op.outputs[0]
    if transposition is not None:
        out = transpose(out, transposition)
    return out


def _sort_or_argsort(values, axis, direction, return_argsort, name):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"Argument `direction` should be one of ASCENDING, DESCENDING. "
                         f"Received: direction={direction}")
    g = graph_of(values)
    with g.as_default(), g.name_scope(name):
        axis_t = convert_to_tensor(axis, name="axis")
        axis = _static_axis(axis)
        del axis_t  # TF converts the axis to a Const it then reads statically
        values = convert_to_tensor(values, name="values")
        if direction == "DESCENDING":
            return _top_k_sort(values, axis, return_argsort)
        # Ascending is a descending sort of a reversed order: offset - x for unsigned types,
        # -x - 1 for signed ints (no overflow at the minimum), -x for floats.
        dtype = values.dtype.base_dtype
        if dtype.is_unsigned:
            offset = dtype.max
            out = _top_k_sort(offset - values, axis, return_argsort)
            return out if return_argsort else offset - out
        if dtype.is_integer:
            out = _top_k_sort(-values - 1, axis, return_argsort)
            return out if return_argsort else -out - 1
        out = _top_k_sort(-values, axis, return_argsort)
        return out if return_argsort else -out


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """Sorted copy of `values` along `axis` (built on `TopKV2`, as TensorFlow does).

    Raises:
        ValueError: `axis` is a Tensor, or `direction` is not ASCENDING / DESCENDING.
    """
    return _sort_or_argsort(values, axis, direction, False, name or "sort")


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """Indices (int32) that sort `values` along `axis`; ties keep their order."""
    return _sort_or_argsort(values, axis, direction, True, name or "argsort")


class _Unique(builtins.tuple):
    """(y, idx) as TensorFlow's Unique namedtuple (with `.y` and `.idx`)."""

    y = property(lambda self: self[0])
    idx = property(lambda self: self[1])


class _UniqueWithCounts(builtins.tuple):
    y = property(lambda self: self[0])
    idx = property(lambda self: self[1])
    count = property(lambda self: self[2])


def unique(x, out_idx=_dtypes.int32, name=None):
    """The distinct values of 1-D `x` in order of first appearance, and each element's index into them."""
    op = apply_op("Unique", [x], {"out_idx": _dtypes.as_dtype(out_idx)}, name=name or "Unique")
    return _Unique(op.outputs)


def unique_with_counts(x, out_idx=_dtypes.int32, name=None):
    """`unique` plus how often each distinct value occurs."""
    op = apply_op("UniqueWithCounts", [x], {"out_idx": _dtypes.as_dtype(out_idx)}, name=name or "UniqueWithCounts")
    return _UniqueWithCounts(op.outputs)


def searchsorted(sorted_sequence, values, side="left", out_type=_dtypes.int32, name=None):
    """Insertion points of `values` into the innermost axis of `sorted_sequence` (`LowerBound`/`UpperBound`).

    Raises:
        ValueError: `side` is not "left" or "right".
    """
    if side not in ("left", "right"):
        raise ValueError(f"Argument `side` must be either 'right' or 'left'. Received: `side` = {side!r}.")
    g = graph_of(sorted_sequence, values)
    with g.as_default():
        sorted_sequence = convert_to_tensor(sorted_sequence)
        values = convert_to_tensor(values)
        sequence_size = _shape_internal(sorted_sequence)[-1]
        values_size = _shape_internal(values)[-1]
        sequence_2d = _reshape_to(sorted_sequence, [-1, sequence_size])
        values_2d = _reshape_to(values, [-1, values_size])
        op_type = "UpperBound" if side == "right" else "LowerBound"
        out = apply_op_output(op_type, [sequence_2d, values_2d], {"out_type": _dtypes.as_dtype(out_type)},
                              name=name or op_type)
        return reshape(out, _shape_internal(values))


def _reshape_to(x: Tensor, dims: list) -> Tensor:
    # `reshape(x, dims)` for a list mixing ints and Tensors, with TF's names for the packed
    # shape: "Reshape/shape" packing "Reshape/shape/0", ... (one Const per int).
    g = x.graph
    with g.name_scope("Reshape") as scope:
        with g.name_scope("shape") as shape_scope:
            parts = [d if isinstance(d, Tensor) else constant(int(d), name=str(i)) for i, d in enumerate(dims)]
            packed = stack(parts, name=shape_scope)
        return apply_op_output("Reshape", [x, packed], name=scope)


def _shape_internal(x: Tensor) -> Tensor:
    # TF's internal shape helper without an out_type: a static shape becomes the Const
    # "Shape/shape_as_tensor" (int32 unless a dim needs int64), else a `Shape` op.
    g = x.graph
    if not x.shape.is_fully_defined():
        return apply_op_output("Shape", [x], {"out_type": _dtypes.int32}, name="Shape")
    dims = x.shape.as_list()
    kind = np.int32 if builtins.all(d < 2 ** 31 for d in dims) else np.int64
    with g.name_scope("Shape"):
        return constant(np.array(dims, dtype=kind), name="shape_as_tensor")


def histogram_fixed_width(values, value_range, nbins=100, dtype=_dtypes.int32, name=None):
    """Counts of `values` in `nbins` equal bins over `value_range` (ends clamp) (`HistogramFixedWidth`)."""
    return apply_op_output("HistogramFixedWidth", [values, value_range, nbins], {"dtype": _dtypes.as_dtype(dtype)},
                           name=name or "histogram_fixed_width")


def setdiff1d(x, y, index_dtype=_dtypes.int32, name=None):
    """The values of 1-D `x` not in `y`, in order, with their positions in `x` (`ListDiff`)."""
    op = apply_op("ListDiff", [x, y], {"out_idx": _dtypes.as_dtype(index_dtype)}, name=name or "ListDiff")
    return op.outputs[0], op.outputs[1]


def unravel_index(indices, dims, name=None):
    """Converts flat `indices` to coordinates into an array of shape `dims` (`UnravelIndex`)."""
    return apply_op_output("UnravelIndex", [indices, dims], name=name or "UnravelIndex")


def histogram_fixed_width_bins(values, value_range, nbins=100, dtype=_dtypes.int32, name=None):
    """The bin (0 .. nbins - 1, ends clamped) each of `values` falls in, for `nbins` equal bins over `value_range`."""
    from ortflow.api import math_ops

    g = graph_of(values, value_range)
    with g.as_default(), g.name_scope(name or "histogram_fixed_width_bins"):
        values = convert_to_tensor(values, name="values")
        values_shape = shape(values)
        flat = reshape(values, [-1])
        value_range = convert_to_tensor(value_range, dtype=values.dtype.base_dtype, name="value_range")
        nbins = convert_to_tensor(nbins, dtype=_dtypes.int32, name="nbins")
        nbins_float = math_ops.cast(nbins, values.dtype.base_dtype)
        scaled = math_ops.truediv(flat - value_range[0], value_range[1] - value_range[0], name="scaled_values")
        indices = apply_op_output("Floor", [nbins_float * scaled], name="indices")
        clipped = math_ops.clip_by_value(indices, 0, nbins_float - 1)
        return reshape(math_ops.cast(clipped, _dtypes.as_dtype(dtype)), values_shape)
