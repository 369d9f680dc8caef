"""Helpers that shape functions share: attr access, broadcasting, shape tensors, axis values."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np
from ortflow.errors import GraphError
from ortflow.graph.ops.schema import Shape, get_attr, num_outputs

__all__ = [
    "attr",
    "broadcast",
    "data_format",
    "int_list",
    "int_value",
    "known_value",
    "merge_dim",
    "merge_shapes",
    "normalize_axis",
    "num_elements",
    "numpy_dtype_attr",
    "same_as",
    "scalar_int",
    "shape_from_value",
    "unknown",
    "with_rank",
]


def attr(node_def, name: str, default=None):
    """Attr `name` decoded to Python, the OpDef default when absent, else `default`."""
    return get_attr(node_def, name, default)


def numpy_dtype_attr(node_def, name: str) -> np.dtype:
    """The numpy dtype of the node's type attr `name` (a kernel's output type, `out_type`, `T`, ...)."""
    return np.dtype(get_attr(node_def, name).as_numpy_dtype)


def unknown(node_def) -> list[Shape]:
    """Unknown shapes for every output of `node_def`."""
    return [None] * num_outputs(node_def)


def same_as(index: int):
    """A shape function: every output has input `index`'s shape."""
    def fn(node_def, shapes, values):
        return [shapes[index]] * num_outputs(node_def)
    fn.__name__ = f"same_as_input_{index}"
    return fn


def merge_dim(a: int | None, b: int | None, what: str = "dimension") -> int | None:
    """The dim two dims that must be equal have: the known one; an error when they differ."""
    if a is None:
        return b
    if b is None or a == b:
        return a
    raise GraphError(f"{what} {a} and {b} must be equal")


def merge_shapes(a: Shape, b: Shape) -> Shape:
    """The most specific shape compatible with two shapes that must be equal."""
    if a is None:
        return b
    if b is None:
        return a
    if len(a) != len(b):
        raise GraphError(f"shapes {a} and {b} must have the same rank")
    return tuple(merge_dim(x, y) for x, y in zip(a, b))


def _broadcast_dim(a: int | None, b: int | None) -> int | None:
    if a == 1:
        return b
    if b == 1:
        return a
    if a is None:
        return b if b is not None and b > 1 else None
    if b is None:
        return a if a > 1 else None
    if a != b:
        raise GraphError(f"dimensions {a} and {b} are not broadcast-compatible")
    return a


def broadcast(*shapes: Shape) -> Shape:
    """NumPy/TensorFlow broadcasting of static shapes; None when any rank is unknown."""
    if any(s is None for s in shapes):
        return None
    rank = max((len(s) for s in shapes), default=0)
    out: list[int | None] = [1] * rank
    for s in shapes:
        padded = (1,) * (rank - len(s)) + tuple(s)
        out = [_broadcast_dim(x, y) for x, y in zip(out, padded)]
    return tuple(out)


def known_value(value) -> np.ndarray | None:
    """`value` as a plain array when it is fully known (no masked entries), else None."""
    if value is None:
        return None
    # np.ma loads on first use (~20 ms); a value can only be masked once something loaded it
    if "numpy.ma" in sys.modules and isinstance(value, np.ma.MaskedArray):
        if np.ma.getmaskarray(value).any():
            return None
        return np.asarray(value.filled(0))
    return np.asarray(value)


def int_value(value) -> int | None:
    """A fully known scalar (or 1-element) value as int, else None."""
    v = known_value(value)
    if v is None or v.size != 1:
        return None
    return int(v.reshape(()))


def scalar_int(x) -> int:
    """A kernel's scalar input as int; a one-element vector counts, as TensorFlow's kernels accept.

    Raises:
        GraphError: `x` has more or fewer than one element.
    """
    x = np.asarray(x)
    if x.size != 1:
        raise GraphError(f"expected a scalar, got a tensor of shape {list(x.shape)}")
    return int(x.reshape(()))


def int_list(value) -> list[int] | None:
    """A fully known value as a flat list of ints, else None."""
    v = known_value(value)
    return None if v is None else [int(x) for x in v.reshape(-1)]


def shape_from_value(value, value_shape: Shape = None) -> Shape:
    """Reads a shape tensor (Reshape's `shape`, Fill's `dims`...) as a Shape.

    Entries that are masked (partially known) or negative are unknown dims. Without a value,
    a 1-D shape tensor of known length still gives the rank.
    """
    if value is None:
        if value_shape is not None and len(value_shape) == 1 and value_shape[0] is not None:
            return (None,) * value_shape[0]
        if value_shape is not None and len(value_shape) == 0:
            return ()
        return None
    if "numpy.ma" in sys.modules and isinstance(value, np.ma.MaskedArray):
        arr = value.reshape(-1)
        mask, data = np.ma.getmaskarray(arr), arr.filled(-1)
    else:
        data = np.asarray(value).reshape(-1)
        mask = np.zeros(data.shape, bool)
    return tuple(None if m or d < 0 else int(d) for d, m in zip(data, mask))


def normalize_axis(axis: int, rank: int, what: str = "axis") -> int:
    """A possibly negative axis in [-rank, rank) as a non-negative one."""
    if not -rank <= axis < rank:
        raise GraphError(f"{what} {axis} is out of range for rank {rank}")
    return axis + rank if axis < 0 else axis


def num_elements(shape: Shape) -> int | None:
    """The number of elements of a fully known shape, else None."""
    if shape is None or None in shape:
        return None
    return int(np.prod(shape, dtype=np.int64))


def data_format(node_def, default: str = "NHWC") -> str:
    """The `data_format` attr as str ('NHWC', 'NCHW', 'NDHWC'...)."""
    fmt = attr(node_def, "data_format", default.encode())
    return fmt.decode() if isinstance(fmt, bytes) else str(fmt)


def with_rank(shape: Shape, rank: int, what: str = "input") -> tuple:
    """`shape` checked to have `rank` dims; unknown rank becomes `rank` unknown dims."""
    if shape is None:
        return (None,) * rank
    if len(shape) != rank:
        raise GraphError(f"{what} must have rank {rank}, but has shape {list(shape)}")
    return tuple(shape)


def dims_or_none(seq: Sequence | None) -> tuple | None:
    return None if seq is None else tuple(seq)
