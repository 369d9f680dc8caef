"""Small ONNX-emitting helpers shared by the handler families (constants, casts, axes ops).

Handlers build the same few fragments over and over: an int64 constant, a cast to int64 of a
TF int32 shape tensor, a Squeeze/Unsqueeze/Reduce whose axes moved from an attribute to an
input at some opset. They live here once, so each family module stays about its ops.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ortflow.errors import ConversionError
from ortflow.formats import dtypes

__all__ = [
    "AXES_INPUT_SINCE",
    "INT64_MAX",
    "INT64_MIN",
    "const_i64",
    "dim_of",
    "first",
    "new_array",
    "reduce",
    "release_arena",
    "scalar_like",
    "shape_of",
    "squeeze",
    "static_rank",
    "to_int64",
    "to_scalar",
    "unsqueeze",
    "zeros_like_shape",
]

INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min

#: Opset from which each ONNX reduction takes `axes` as an input instead of an attribute.
AXES_INPUT_SINCE = {
    "ReduceSum": 13,
    "ReduceMean": 18, "ReduceMax": 18, "ReduceMin": 18, "ReduceProd": 18,
    "ReduceL1": 18, "ReduceL2": 18, "ReduceLogSum": 18, "ReduceLogSumExp": 18,
    "ReduceSumSquare": 18,
}


def first(ctx, op_type: str, inputs: Sequence[str], attrs: dict | None = None,
          output: str | None = None, dtype=None) -> str:
    """Emits one single-output ONNX node and returns its output name.

    `output` names the value (a TF output name when the node is the handler's last);
    `dtype`, when given, is recorded so that `ctx.cast` can skip no-op casts later.
    """
    outputs = [output] if output is not None else 1
    return ctx.make_node(op_type, list(inputs), attrs, outputs=outputs,
                         dtypes_=None if dtype is None else [dtype])[0]


def const_i64(ctx, values, name: str | None = None) -> str:
    """An int64 initializer holding `values` (a scalar or a list)."""
    return ctx.make_const(np.asarray(values, dtype=np.int64), name=name)


def scalar_like(ctx, value, dtype) -> str:
    """A scalar initializer of TF dtype `dtype` (so it broadcasts against that type's tensors)."""
    return ctx.make_const(np.asarray(value, dtype=dtypes.as_dtype(dtype).as_numpy_dtype))


def to_int64(ctx, name: str) -> str:
    """`name` as int64 (ONNX wants int64 for shapes, axes, starts, repeats)."""
    value = ctx.const_value(name)
    if value is not None and value.dtype != np.int64:
        return const_i64(ctx, value)
    return ctx.cast(name, dtypes.int64)


def to_scalar(ctx, x: str) -> str:
    """A one-element value `x` as a 0-d tensor (Range and friends want true scalars)."""
    value = ctx.const_value(x)
    if value is not None:
        # Folded here: a Reshape of a constant to [] would be folded later anyway, and this
        # keeps the 0-d shape explicit.
        return ctx.make_const(np.asarray(value).reshape(()))
    return first(ctx, "Reshape", [x, ctx.make_const(np.zeros(0, dtype=np.int64))])


def unsqueeze(ctx, x: str, axes: Sequence[int], output: str | None = None) -> str:
    """Unsqueeze with axes as an input (opset >= 13) or an attribute (older)."""
    axes = [int(a) for a in axes]
    if ctx.opset >= 13:
        return first(ctx, "Unsqueeze", [x, const_i64(ctx, axes)], output=output)
    return first(ctx, "Unsqueeze", [x], {"axes": axes}, output=output)


def squeeze(ctx, x: str, axes: Sequence[int] | None, output: str | None = None) -> str:
    """Squeeze of `axes` (None = every size-1 dim), axes as input from opset 13."""
    if axes is None:
        return first(ctx, "Squeeze", [x], output=output)
    axes = [int(a) for a in axes]
    if ctx.opset >= 13:
        return first(ctx, "Squeeze", [x, const_i64(ctx, axes)], output=output)
    return first(ctx, "Squeeze", [x], {"axes": axes}, output=output)


def reduce(ctx, op_type: str, x: str, axes: Sequence[int] | str | None, keepdims: bool,
           output: str | None = None) -> str:
    """An ONNX ReduceX over `axes` (a list, an int64 value name, or None for all axes).

    Puts the axes where the target opset wants them (attribute before AXES_INPUT_SINCE,
    input from it on). A dynamic axes tensor before that opset is the caller's to reject.
    """
    attrs = {"keepdims": int(bool(keepdims))}
    if axes is None:
        return first(ctx, op_type, [x], attrs, output=output)
    if ctx.opset >= AXES_INPUT_SINCE[op_type]:
        axes_name = axes if isinstance(axes, str) else const_i64(ctx, [int(a) for a in axes])
        return first(ctx, op_type, [x, axes_name], attrs, output=output)
    if isinstance(axes, str):
        raise ConversionError(f"{op_type} takes constant axes before opset {AXES_INPUT_SINCE[op_type]}, "
                              f"and these axes are only known at run time")
    attrs["axes"] = [int(a) for a in axes]
    return first(ctx, op_type, [x], attrs, output=output)


def shape_of(ctx, x: str) -> str:
    """The int64 shape vector of `x`."""
    return first(ctx, "Shape", [x], dtype=dtypes.int64)


def dim_of(ctx, x: str, axis: int, keep_vector: bool = True) -> str:
    """Dim `axis` of `x` as an int64 value: shape [1] when `keep_vector`, else a scalar."""
    shape = shape_of(ctx, x)
    if keep_vector:
        return first(ctx, "Slice", [shape, const_i64(ctx, [axis]), const_i64(ctx, [axis + 1 or INT64_MAX])],
                     dtype=dtypes.int64)
    return first(ctx, "Gather", [shape, const_i64(ctx, axis)], {"axis": 0}, dtype=dtypes.int64)


def zeros_like_shape(ctx, shape: str, dtype, value=0, output: str | None = None) -> str:
    """A tensor of TF dtype `dtype` filled with `value`, of the int64 shape vector `shape`."""
    return first(ctx, "Expand", [scalar_like(ctx, value, dtype), shape], output=output,
                 dtype=dtypes.as_dtype(dtype))


def static_rank(shape) -> int | None:
    """The rank of a static shape (None when the rank is unknown)."""
    return None if shape is None else len(shape)


# --------------------------------------------------------------------------------------------
# memory for converted weights

#: Arrays from this size up to ARENA_MAX_BYTES are carved out of shared chunks of this size.
ARENA_CHUNK_BYTES = 32 << 20
ARENA_MIN_BYTES = 16 << 10
ARENA_MAX_BYTES = 4 << 20  # numpy gives arrays from 4 MiB up huge pages of their own

_arena: list = []  # [chunk (uint8 ndarray), bytes used], the chunk being carved
_CARVED: dict = {}  # id(array) -> weakref to it, for every carved array still alive


def new_array(shape: Sequence[int], dtype) -> np.ndarray:
    """An uninitialized, writable, C-contiguous array for a converted weight (a permuted filter).

    Fresh memory costs a page fault per 4 KiB page on first write, which on a virtual machine
    is dearer than copying the data into it. numpy asks the kernel for huge pages on arrays of
    4 MiB or more only, so mid-sized arrays (most of a CNN's filters) are carved out of 32 MiB
    chunks instead: one chunk lives while any array carved from it does.
    """
    dtype = np.dtype(dtype)
    shape = tuple(int(d) for d in shape)
    nbytes = dtype.itemsize
    for d in shape:
        nbytes *= d
    if not ARENA_MIN_BYTES <= nbytes < ARENA_MAX_BYTES or dtype.hasobject:
        return np.empty(shape, dtype)
    if not _arena or _arena[1] + nbytes > ARENA_CHUNK_BYTES:
        chunk = np.empty(ARENA_CHUNK_BYTES, np.uint8)
        _arena[:] = [chunk, -chunk.ctypes.data % 64]
    chunk, used = _arena
    _arena[1] = used + -(-nbytes // 64) * 64  # keep every array 64-byte aligned
    array = chunk[used:used + nbytes].view(dtype).reshape(shape)
    _remember(array)
    return array


def _remember(array: np.ndarray) -> None:
    import weakref

    key = id(array)
    _CARVED[key] = weakref.ref(array, lambda _, key=key: _CARVED.pop(key, None))


def is_arena_array(value: np.ndarray) -> bool:
    """True for an array `new_array` returned itself (not a view of one): no other array
    uses its bytes, as for an array that owns its data."""
    ref = _CARVED.get(id(value))
    return ref is not None and ref() is value and value.flags.writeable


def release_arena() -> None:
    """Forgets the chunk being carved (at the end of a conversion; its arrays keep it alive)."""
    _arena.clear()
