"""Numpy kernels of array ops (shapes, reshaping, slicing, joining, gathering) for folding."""

from __future__ import annotations

import numpy as np
from ortflow.errors import GraphError
from ortflow.graph.ops.registry import kernel
from ortflow.graph.ops.schema import get_attr
from ortflow.graph.ops.shapes_common import attr, numpy_dtype_attr, scalar_int
from ortflow.graph.ops.strided import strided_slice_spec_from_node

__all__: list[str] = []


@kernel("Const", "HostConst")
def _const(node_def, inputs):
    return [get_attr(node_def, "value")]


@kernel("Identity", "StopGradient", "Snapshot", "PreventGradient", "EnsureShape", "CheckNumerics")
def _identity(node_def, inputs):
    return [inputs[0]]


@kernel("IdentityN")
def _identity_n(node_def, inputs):
    return list(inputs)


@kernel("Shape")
def _shape(node_def, inputs):
    return [np.array(inputs[0].shape, dtype=numpy_dtype_attr(node_def, "out_type"))]


@kernel("ShapeN")
def _shape_n(node_def, inputs):
    return [np.array(x.shape, dtype=numpy_dtype_attr(node_def, "out_type")) for x in inputs]


@kernel("Size")
def _size(node_def, inputs):
    return [np.array(inputs[0].size, dtype=numpy_dtype_attr(node_def, "out_type"))]


@kernel("Rank")
def _rank(node_def, inputs):
    return [np.array(inputs[0].ndim, dtype=np.int32)]


@kernel("Reshape")
def _reshape(node_def, inputs):
    x, shape = inputs
    return [x.reshape([int(d) for d in shape.reshape(-1)])]


@kernel("Squeeze")
def _squeeze(node_def, inputs):
    axes = attr(node_def, "squeeze_dims", []) or []
    x = inputs[0]
    return [np.squeeze(x, axis=tuple(axes)) if axes else np.squeeze(x)]


@kernel("ExpandDims")
def _expand_dims(node_def, inputs):
    x, axis = inputs
    return [np.expand_dims(x, scalar_int(axis))]


@kernel("Fill")
def _fill(node_def, inputs):
    dims, value = inputs
    return [np.full([int(d) for d in dims], value, dtype=value.dtype)]


@kernel("ZerosLike")
def _zeros_like(node_def, inputs):
    return [np.zeros_like(inputs[0])]


@kernel("OnesLike")
def _ones_like(node_def, inputs):
    return [np.ones_like(inputs[0])]


@kernel("Tile")
def _tile(node_def, inputs):
    x, multiples = inputs
    if len(multiples) != x.ndim:
        raise GraphError(f"Tile: {len(multiples)} multiples for an input of rank {x.ndim}")
    return [np.tile(x, [int(m) for m in multiples])]


@kernel("BroadcastTo")
def _broadcast_to(node_def, inputs):
    x, shape = inputs
    return [np.array(np.broadcast_to(x, [int(d) for d in shape]))]


def _pad_widths(paddings, rank):
    paddings = np.asarray(paddings).reshape(-1, 2)
    if paddings.shape[0] != rank:
        raise GraphError(f"paddings has {paddings.shape[0]} rows for an input of rank {rank}")
    return [(int(a), int(b)) for a, b in paddings]


@kernel("Pad", "PadV2")
def _pad(node_def, inputs):
    x, paddings = inputs[0], inputs[1]
    value = inputs[2] if len(inputs) > 2 else np.zeros((), x.dtype)
    return [np.pad(x, _pad_widths(paddings, x.ndim), constant_values=value)]


@kernel("MirrorPad")
def _mirror_pad(node_def, inputs):
    x, paddings = inputs
    mode = attr(node_def, "mode").decode()
    return [np.pad(x, _pad_widths(paddings, x.ndim), mode="reflect" if mode == "REFLECT" else "symmetric")]


@kernel("ConcatV2")
def _concat_v2(node_def, inputs):
    return [np.concatenate(inputs[:-1], axis=scalar_int(inputs[-1]))]


@kernel("Concat")
def _concat(node_def, inputs):
    return [np.concatenate(inputs[1:], axis=scalar_int(inputs[0]))]


@kernel("Pack")
def _pack(node_def, inputs):
    return [np.stack(inputs, axis=attr(node_def, "axis", 0))]


@kernel("Unpack")
def _unpack(node_def, inputs):
    x = inputs[0]
    axis = attr(node_def, "axis", 0)
    return [np.take(x, i, axis=axis) for i in range(x.shape[axis])]


@kernel("Split")
def _split(node_def, inputs):
    axis, x = inputs
    return list(np.split(x, attr(node_def, "num_split"), axis=int(axis)))


@kernel("SplitV")
def _split_v(node_def, inputs):
    x, sizes, axis = inputs
    axis = scalar_int(axis)
    sizes = [int(s) for s in sizes]
    if -1 in sizes:
        sizes[sizes.index(-1)] = x.shape[axis] - (sum(sizes) + 1)
    if sum(sizes) != x.shape[axis] or min(sizes, default=0) < 0:
        raise GraphError(f"SplitV: sizes {sizes} do not add up to dim {x.shape[axis]}")
    return list(np.split(x, np.cumsum(sizes)[:-1], axis=axis))


@kernel("Slice")
def _slice(node_def, inputs):
    x, begin, size = inputs
    index = []
    for i, (b, s) in enumerate(zip(begin, size)):
        b, s = int(b), int(s)
        end = x.shape[i] if s == -1 else b + s
        if b < 0 or end > x.shape[i] or end < b:
            raise GraphError(f"Slice: begin {b} size {s} is out of range for dim {x.shape[i]}")
        index.append(slice(b, end))
    return [x[tuple(index)].copy()]


@kernel("StridedSlice")
def _strided_slice(node_def, inputs):
    x, begin, end, strides = inputs
    spec = strided_slice_spec_from_node(node_def, begin.reshape(-1), end.reshape(-1),
                                        strides.reshape(-1))
    # dtype kept: one element of a string (object) tensor would otherwise become numpy bytes
    # ('S'), which drops trailing NUL bytes (a serialized proto ending in a zero field)
    return [np.array(x[spec], dtype=x.dtype)]


@kernel("GatherV2", "Gather")
def _gather(node_def, inputs):
    params, indices = inputs[0], inputs[1]
    axis = scalar_int(inputs[2]) if len(inputs) > 2 else 0
    axis = int(axis) + params.ndim if axis < 0 else int(axis)
    if np.any(indices < 0) or np.any(indices >= params.shape[axis]):
        raise GraphError(f"gather indices are out of range [0, {params.shape[axis]})")
    batch_dims = int(attr(node_def, "batch_dims", 0))
    if batch_dims < 0:
        batch_dims += indices.ndim
    if batch_dims:
        return [_batched_take(params, indices, axis, batch_dims)]
    return [np.take(params, indices, axis=axis)]


def _batched_take(params, indices, axis: int, batch_dims: int) -> np.ndarray:
    # gather with leading batch dims shared by params and indices: one np.take per batch entry
    batch = params.shape[:batch_dims]
    if indices.shape[:batch_dims] != batch or axis < batch_dims:
        raise GraphError(f"gather with batch_dims={batch_dims}: params {params.shape} and indices "
                         f"{indices.shape} must share the batch dims, and axis {axis} must follow them")
    out_shape = batch + params.shape[batch_dims:axis] + indices.shape[batch_dims:] + params.shape[axis + 1:]
    count = int(np.prod(batch, dtype=np.int64))  # explicit: -1 is ambiguous for empty arrays
    flat_params = params.reshape((count,) + params.shape[batch_dims:])
    flat_indices = indices.reshape((count,) + indices.shape[batch_dims:])
    out = np.empty((count,) + out_shape[batch_dims:], params.dtype)
    for k in range(count):
        out[k] = np.take(flat_params[k], flat_indices[k], axis=axis - batch_dims)
    return out.reshape(out_shape)


@kernel("GatherNd")
def _gather_nd(node_def, inputs):
    params, indices = inputs
    k = indices.shape[-1]
    flat = indices.reshape(-1, k)
    out = params[tuple(flat.T)] if k else np.broadcast_to(params, (flat.shape[0],) + params.shape)
    return [np.array(out).reshape(indices.shape[:-1] + params.shape[k:])]


@kernel("Transpose")
def _transpose(node_def, inputs):
    x, perm = inputs
    return [np.transpose(x, [int(p) for p in perm]).copy()]


@kernel("ReverseV2")
def _reverse(node_def, inputs):
    x, axes = inputs
    return [np.flip(x, tuple(int(a) for a in axes.reshape(-1))).copy()]


@kernel("Range")
def _range(node_def, inputs):
    start, limit, delta = (v.item() for v in inputs)
    if delta == 0:
        raise GraphError("Range: delta must not be 0")
    return [np.arange(start, limit, delta, dtype=inputs[0].dtype)]


@kernel("OneHot")
def _one_hot(node_def, inputs):
    indices, depth, on, off = inputs
    depth = scalar_int(depth)
    axis = attr(node_def, "axis", -1)
    hot = indices[..., None] == np.arange(depth)
    out = np.where(hot, on, off).astype(on.dtype)
    if axis != -1:
        out = np.moveaxis(out, -1, axis)
    return [out]


@kernel("Where")
def _where(node_def, inputs):
    return [np.argwhere(inputs[0]).astype(np.int64)]


@kernel("InvertPermutation")
def _invert_permutation(node_def, inputs):
    return [np.argsort(inputs[0]).astype(inputs[0].dtype)]


@kernel("MatrixBandPart")
def _band_part(node_def, inputs):
    x, lower, upper = inputs
    m, n = x.shape[-2], x.shape[-1]
    i = np.arange(m)[:, None]
    j = np.arange(n)[None, :]
    keep = np.ones((m, n), bool)
    if scalar_int(lower) >= 0:
        keep &= (i - j) <= scalar_int(lower)
    if scalar_int(upper) >= 0:
        keep &= (j - i) <= scalar_int(upper)
    return [np.where(keep, x, np.zeros_like(x))]


@kernel("TopKV2")
def _top_k(node_def, inputs):
    x, k = inputs
    k = scalar_int(k)
    if k < 0 or k > x.shape[-1]:
        raise GraphError(f"TopKV2: k={k} is out of range for a last dim of {x.shape[-1]}")
    # A stable sort of the negated values keeps the lower index first among ties, as TF does.
    order = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    return [np.take_along_axis(x, order, axis=-1), order.astype(np.int32)]


@kernel("Unique", "UniqueWithCounts")
def _unique(node_def, inputs):
    values, first, inverse, counts = np.unique(inputs[0], return_index=True, return_inverse=True,
                                               return_counts=True)
    # TF lists unique values in order of first appearance, not sorted.
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    out_idx = numpy_dtype_attr(node_def, "out_idx")
    outs = [values[order], rank[inverse.reshape(-1)].astype(out_idx)]
    if node_def.op == "UniqueWithCounts":
        outs.append(counts[order].astype(out_idx))
    return outs


@kernel("ConcatOffset")
def _concat_offset(node_def, inputs):
    axis, shapes = scalar_int(inputs[0]), inputs[1:]
    offsets, running = [], 0
    for s in shapes:
        off = np.zeros_like(s)
        off[axis] = running
        running += int(s[axis])
        offsets.append(off)
    return offsets
