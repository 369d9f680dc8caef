"""Partially known shape tensors: int vectors some of whose entries are statically known.

`Shape(x)` of an x with an unknown batch dim is not a constant, but its other entries are; a
graph that slices them out and packs them into a Reshape target (Keras and tf.layers do this)
still has a static output shape. Such values travel as `numpy.ma.MaskedArray`s whose masked
entries are unknown. Shape functions receive them in `input_values` (they are ndarrays) and read
them through `shape_from_value`; kernels never see them.
"""

from __future__ import annotations

import numpy as np
from ortflow.graph.ops.strided import strided_slice_spec_from_node

__all__ = ["PARTIAL_OPS", "from_shape", "partial_value"]

_INT_KINDS = "iu"


def from_shape(shape, np_dtype=np.int64) -> np.ma.MaskedArray | None:
    """The (masked) value of `Shape(x)` for an x of static shape `shape`; None for unknown rank."""
    if shape is None:
        return None
    data = np.array([d if d is not None else -1 for d in shape], dtype=np_dtype)
    return np.ma.MaskedArray(data, mask=[d is None for d in shape])


def _known(meta, partial):
    if meta.value is not None:
        return np.ma.MaskedArray(np.asarray(meta.value), mask=False)
    return partial


def partial_value(node_def, ins, partials, out_shape, out_dtype):
    """Returns the partially known value of output 0 of `node_def`, or None.

    Only small integer tensors (rank 0 or 1) are tracked: the values that feed shape arguments.
    """
    try:
        np_dtype = np.dtype(out_dtype.base_dtype.as_numpy_dtype)
    except TypeError:
        return None
    if np_dtype.kind not in _INT_KINDS or out_shape is None or len(out_shape) > 1:
        return None
    fn = _PARTIAL_FNS.get(node_def.op)
    if fn is None:
        return None
    args = [_known(m, p) for m, p in zip(ins, partials)]
    try:
        result = fn(node_def, ins, args)
    except Exception:
        return None
    if result is None:
        return None
    result = np.ma.asarray(result)
    if result.ndim > 1:
        return None
    return np.ma.MaskedArray(result.filled(-1).astype(np_dtype), mask=np.ma.getmaskarray(result))


def _shape(node_def, ins, args):
    return from_shape(ins[0].shape)


def _size(node_def, ins, args):
    shape = ins[0].shape
    if shape is None or None in shape:
        return None
    return np.ma.MaskedArray(np.int64(np.prod(shape, dtype=np.int64)), mask=False)


def _rank(node_def, ins, args):
    shape = ins[0].shape
    return None if shape is None else np.ma.MaskedArray(np.int64(len(shape)), mask=False)


def _passthrough(node_def, ins, args):
    return args[0]


def _unknown_like(meta):
    # An entirely unknown int tensor of known static shape (rank 0 or 1) as a masked array.
    shape = meta.shape
    if shape is None or len(shape) > 1 or None in shape:
        return None
    return np.ma.MaskedArray(np.zeros(shape, np.int64), mask=True)


def _pack(node_def, ins, args):
    args = [a if a is not None else _unknown_like(m) for a, m in zip(args, ins)]
    if any(a is None for a in args) or any(np.ndim(a) != 0 for a in args):
        return None
    return np.ma.stack(args)


def _concat(node_def, ins, args):
    values, axis = args[:-1], args[-1]
    if axis is None or np.ma.getmaskarray(axis).any():
        return None
    values = [a if a is not None else _unknown_like(m) for a, m in zip(values, ins)]
    if any(a is None for a in values) or any(np.ndim(a) != 1 for a in values):
        return None
    return np.ma.concatenate(values)


def _strided_slice(node_def, ins, args):
    x, begin, end, strides = args
    if x is None or any(a is None or np.ma.getmaskarray(a).any() for a in (begin, end, strides)):
        return None
    spec = strided_slice_spec_from_node(node_def, begin.filled(0), end.filled(0), strides.filled(0))
    return x[spec]


def _slice(node_def, ins, args):
    x, begin, size = args
    if x is None or np.ndim(x) != 1 or begin is None or size is None:
        return None
    if np.ma.getmaskarray(begin).any() or np.ma.getmaskarray(size).any():
        return None
    b, s = int(begin[0]), int(size[0])
    return x[b:] if s == -1 else x[b:b + s]


def _gather(node_def, ins, args):
    params, indices = args[0], args[1]
    axis = args[2] if len(args) > 2 else np.ma.MaskedArray(0, mask=False)
    if params is None or indices is None or np.ma.getmaskarray(indices).any():
        return None
    if np.ndim(params) != 1 or int(axis) != 0:
        return None
    return params[np.asarray(indices.filled(0))]


def _binary(fn):
    def apply(node_def, ins, args):
        a, b = args
        if a is None or b is None:
            return None
        return fn(a, b)
    return apply


_PARTIAL_FNS = {
    "Shape": _shape,
    "Size": _size,
    "Rank": _rank,
    "Identity": _passthrough,
    "StopGradient": _passthrough,
    "Snapshot": _passthrough,
    "Cast": _passthrough,
    "Pack": _pack,
    "ConcatV2": _concat,
    "StridedSlice": _strided_slice,
    "Slice": _slice,
    "GatherV2": _gather,
    "Gather": _gather,
    "Mul": _binary(lambda a, b: a * b),
    "Add": _binary(lambda a, b: a + b),
    "AddV2": _binary(lambda a, b: a + b),
    "Sub": _binary(lambda a, b: a - b),
    "FloorDiv": _binary(lambda a, b: a // b),
}

# The op types whose outputs can carry partially known values.
PARTIAL_OPS = frozenset(_PARTIAL_FNS)
