"""Shape and slicing ops of the `tf.` namespace: reshape, concat, stack, slice, strided_slice, ..."""

from __future__ import annotations

import builtins
import math

import numpy as np
from ortflow.api.ops_builder import (
    apply_op,
    apply_op_output,
    constant,
    convert_to_tensor,
    graph_of,
    mark_control_inputs,
)
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import Tensor
from ortflow.graph.tensor_shape import as_shape

__all__ = [
    "boolean_mask",
    "broadcast_to",
    "check_numerics",
    "concat",
    "expand_dims",
    "fill",
    "gather",
    "gather_nd",
    "getitem",
    "group",
    "identity",
    "identity_n",
    "newaxis",
    "no_op",
    "one_hot",
    "ones",
    "ones_like",
    "pack",
    "pad",
    "range",
    "rank",
    "reshape",
    "reverse",
    "reverse_v2",
    "sequence_mask",
    "shape",
    "size",
    "slice",
    "split",
    "squeeze",
    "stack",
    "stop_gradient",
    "strided_slice",
    "tile",
    "transpose",
    "tuple",
    "unpack",
    "unstack",
    "where",
    "zeros",
    "zeros_like",
]

newaxis = None


def identity(input, name=None):
    """`Identity`."""
    return apply_op_output("Identity", [input], name=name or "Identity")


def identity_n(input, name=None):
    return apply_op("IdentityN", [list(input)], name=name or "IdentityN").outputs


def check_numerics(tensor, message, name=None):
    return apply_op_output("CheckNumerics", [tensor], {"message": message}, name=name or "CheckNumerics")


def stop_gradient(input, name=None):
    return apply_op_output("StopGradient", [input], name=name or "StopGradient")


def reshape(tensor, shape, name=None):
    """`Reshape` to `shape` (a list, with -1 for one inferred dim, or a Tensor)."""
    return apply_op_output("Reshape", [tensor, shape], name=name or "Reshape")


def transpose(a, perm=None, name="transpose", conjugate=False):
    """Permutes axes (reverses them when `perm` is None)."""
    g = graph_of(a)
    with g.as_default(), g.name_scope(name) as scope:
        a = convert_to_tensor(a, name="a")
        if perm is None:
            rank = a.shape.rank
            if rank is None:
                raise NotImplementedError("transpose without perm needs a tensor of known rank")
            perm = constant(np.arange(rank - 1, -1, -1, dtype=np.int32), name="perm")
        return apply_op_output("Transpose", [a, perm], name=scope)


def concat(values, axis, name="concat"):
    """Joins tensors along `axis` (`ConcatV2`); one value is returned through Identity."""
    values = list(values)
    if len(values) == 1:
        g = graph_of(values)
        with g.as_default(), g.name_scope(name) as scope:
            convert_to_tensor(axis, dtype=_dtypes.int32, name="concat_dim")
            return identity(values[0], name=scope)
    return apply_op_output("ConcatV2", [values, axis], name=name)


def stack(values, axis=0, name="stack"):
    """Stacks same-shaped tensors along a new `axis` (`Pack`)."""
    return apply_op_output("Pack", [list(values)], {"axis": int(axis)}, name=name)


pack = stack


def unstack(value, num=None, axis=0, name="unstack"):
    """Splits along `axis` into a list of tensors (`Unpack`)."""
    value = convert_to_tensor(value)
    if num is None:
        dims = value.shape.dims
        if dims is None or dims[axis] is None:
            raise ValueError(f"Cannot infer argument `num` from shape {value.shape}")
        num = dims[axis]
    return apply_op("Unpack", [value], {"num": int(num), "axis": int(axis)}, name=name).outputs


unpack = unstack


def slice(input_, begin, size, name=None):
    """`Slice`: `size` elements from `begin` on each axis (-1 for "the rest")."""
    return apply_op_output("Slice", [input_, begin, size], name=name or "Slice")


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """`StridedSlice` with TF's masks."""
    if strides is None:
        strides = [1] * len(begin)
    attrs = {"begin_mask": begin_mask, "end_mask": end_mask, "ellipsis_mask": ellipsis_mask,
             "new_axis_mask": new_axis_mask, "shrink_axis_mask": shrink_axis_mask}
    return apply_op_output("StridedSlice", [input_, begin, end, strides], attrs, name=name or "StridedSlice")


def _is_tensor_index(x) -> bool:
    return isinstance(x, Tensor)


def getitem(tensor, slice_spec):
    """`tensor[slice_spec]` as TF compiles it: one `StridedSlice` named "strided_slice"."""
    if not isinstance(slice_spec, builtins.tuple):
        slice_spec = (slice_spec,)
    begin, end, strides = [], [], []
    begin_mask = end_mask = ellipsis_mask = new_axis_mask = shrink_axis_mask = 0
    for index, s in enumerate(slice_spec):
        bit = 1 << index
        if isinstance(s, builtins.slice):
            begin.append(0 if s.start is None else s.start)
            end.append(0 if s.stop is None else s.stop)
            strides.append(1 if s.step is None else s.step)
            if s.start is None:
                begin_mask |= bit
            if s.stop is None:
                end_mask |= bit
        elif s is Ellipsis:
            begin.append(0), end.append(0), strides.append(1)
            ellipsis_mask |= bit
        elif s is None:
            begin.append(0), end.append(0), strides.append(1)
            new_axis_mask |= bit
        else:
            if isinstance(s, (bool, np.bool_)) or (isinstance(s, Tensor) and s.dtype.is_bool):
                raise TypeError("Boolean indices are not supported; use boolean_mask")
            begin.append(s)
            end.append(s + 1 if not isinstance(s, Tensor) else apply_op_output("AddV2", [s, 1], name="add"))
            strides.append(1)
            shrink_axis_mask |= bit
    g = graph_of(tensor)
    with g.as_default(), g.name_scope("strided_slice") as scope:
        pack_b, pack_e, pack_s = (_pack_index(v, "stack" + suffix)
                                  for v, suffix in ((begin, ""), (end, "_1"), (strides, "_2")))
        return strided_slice(tensor, pack_b, pack_e, pack_s, begin_mask, end_mask, ellipsis_mask,
                             new_axis_mask, shrink_axis_mask, name=scope)


def _pack_index(values, name):
    if any(isinstance(v, Tensor) for v in values):
        return stack(values, name=name)
    return constant(np.array(values, dtype=np.int32 if builtins.all(builtins.abs(int(v)) < 2 ** 31 for v in values)
                             else np.int64), name=name)


def squeeze(input, axis=None, name=None, squeeze_dims=None):
    """Removes size-1 dims (all of them, or those in `axis`)."""
    axis = squeeze_dims if axis is None else axis
    if isinstance(axis, int):
        axis = [axis]
    return apply_op_output("Squeeze", [input], {"squeeze_dims": list(axis or [])}, name=name or "Squeeze")


def expand_dims(input, axis=None, name=None, dim=None):
    """Inserts a size-1 dim at `axis`."""
    axis = dim if axis is None else axis
    return apply_op_output("ExpandDims", [input, axis], name=name or "ExpandDims")


def shape(input, name=None, out_type=_dtypes.int32, optimize=True):
    """The shape: a Const when fully known statically (as TF does), else a `Shape` op."""
    out_type = _dtypes.as_dtype(out_type)
    x = convert_to_tensor(input)
    static = x.shape
    if optimize and static.is_fully_defined():
        return constant(static.as_list(), dtype=out_type, name=name or "Shape")
    return apply_op_output("Shape", [x], {"out_type": out_type}, name=name or "Shape")


def size(input, name=None, out_type=_dtypes.int32, optimize=True):
    """The number of elements: a Const when known statically, else a `Size` op."""
    out_type = _dtypes.as_dtype(out_type)
    x = convert_to_tensor(input)
    if optimize and x.shape.is_fully_defined():
        return constant(x.shape.num_elements(), dtype=out_type, name=name or "Size")
    return apply_op_output("Size", [x], {"out_type": out_type}, name=name or "Size")


def rank(input, name=None, optimize=True):
    """The rank: a Const when known statically, else a `Rank` op."""
    x = convert_to_tensor(input)
    if optimize and x.shape.rank is not None:
        return constant(x.shape.rank, dtype=_dtypes.int32, name=name or "Rank")
    return apply_op_output("Rank", [x], name=name or "Rank")


def fill(dims, value, name=None):
    return apply_op_output("Fill", [dims, value], name=name or "Fill")


def _filled(value: int, shape, dtype, name):
    dtype = _dtypes.as_dtype(dtype).base_dtype
    if dtype.is_bool:
        value = bool(value)
    elif dtype == _dtypes.string:
        value = b"" if value == 0 else b"1"
    if type(shape).__name__ in ("list", "tuple") and any(isinstance(d, Tensor) for d in shape):
        g = graph_of(*[d for d in shape if isinstance(d, Tensor)])
        with g.as_default(), g.name_scope(name) as scope:  # packed inside the scope, as TF
            return fill(convert_to_tensor(shape, dtype=_dtypes.int32), constant(value, dtype=dtype),
                        name=scope)
    if isinstance(shape, Tensor):
        g = graph_of(shape)
        with g.as_default(), g.name_scope(name) as scope:
            return fill(shape, constant(value, dtype=dtype), name=scope)
    dims = as_shape(shape).as_list()
    if math.prod(dims) < 1000:
        return constant(value, dtype=dtype, shape=dims, name=name)
    g = graph_of()
    with g.as_default(), g.name_scope(name) as scope:
        return fill(constant(dims, dtype=_dtypes.int32, name="shape_as_tensor"),
                    constant(value, dtype=dtype, name="Const"), name=scope)


def zeros(shape, dtype=_dtypes.float32, name=None):
    """A tensor of zeros (a Const when small, else `Fill`)."""
    return _filled(0, shape, dtype, name or "zeros")


def ones(shape, dtype=_dtypes.float32, name=None):
    """A tensor of ones (a Const when small, else `Fill`)."""
    return _filled(1, shape, dtype, name or "ones")


def _shape_in_scope(tensor, optimize: bool):
    # TF's shape_internal inside a *_like scope: a constant `Shape/shape_as_tensor` for a fully
    # known shape (when optimizing), else a `Shape` op.
    if optimize and tensor.shape.is_fully_defined():
        return constant(np.array(tensor.shape.as_list(), np.int32), name="Shape/shape_as_tensor")
    return apply_op_output("Shape", [tensor], {"out_type": _dtypes.int32}, name="Shape")


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """Zeros shaped like `tensor`, as TF 1.x builds them: a constant when the shape is known
    (optimizing), a `Fill` when another dtype is asked for, else `ZerosLike`."""
    g = graph_of(tensor)
    with g.as_default(), g.name_scope(name or "zeros_like") as scope:
        tensor = convert_to_tensor(tensor, name="tensor")
        if optimize and tensor.shape.is_fully_defined() and tensor.dtype.base_dtype != _dtypes.variant:
            return zeros(tensor.shape, tensor.dtype.base_dtype if dtype is None else dtype, name=scope)
        if dtype is not None and _dtypes.as_dtype(dtype).base_dtype != tensor.dtype.base_dtype:
            dims = _shape_in_scope(tensor, optimize)
            out = fill(dims, constant(0, dtype=_dtypes.as_dtype(dtype).base_dtype, name="Const"), name=scope)
            out.set_shape(tensor.shape)
            return out
        return apply_op_output("ZerosLike", [tensor], name=scope)


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """Ones shaped like `tensor`: `Fill(shape, 1)` in a `ones_like` scope, as TF 1.x builds them."""
    g = graph_of(tensor)
    with g.as_default(), g.name_scope(name or "ones_like") as scope:
        tensor = convert_to_tensor(tensor, name="tensor")
        dtype = tensor.dtype.base_dtype if dtype is None else _dtypes.as_dtype(dtype).base_dtype
        one = 1 if not dtype.is_bool else True
        out = fill(_shape_in_scope(tensor, optimize), constant(one, dtype=dtype, name="Const"), name=scope)
        out.set_shape(tensor.shape)
        return out


def gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0):
    """`GatherV2` along `axis` (by default the first axis after the `batch_dims` batch axes, as TF)."""
    return apply_op_output("GatherV2", [params, indices, batch_dims if axis is None else axis],
                           {"batch_dims": batch_dims}, name=name or "GatherV2")


def gather_nd(params, indices, name=None, batch_dims=0):
    """`GatherNd`; with `batch_dims`, each batch entry's indices address its own slice of params.

    Raises:
        NotImplementedError: `batch_dims` with indices of unknown rank.
    """
    if not batch_dims:
        return apply_op_output("GatherNd", [params, indices], name=name or "GatherNd")
    g = graph_of(params, indices)
    with g.as_default(), g.name_scope(name or "GatherNd"):
        params = convert_to_tensor(params, name="params")
        indices = convert_to_tensor(indices, name="indices")
        return _batch_gather_nd(params, indices, int(batch_dims))


def _batch_gather_nd(params, indices, batch_dims: int):
    # The batch axes are flattened into one, whose position is prepended to every index tuple.
    from ortflow.api import math_ops

    rank = indices.shape.rank
    if rank is None:
        raise NotImplementedError("gather_nd with batch_dims needs indices of known rank")
    if batch_dims < 0:
        batch_dims += rank
    index_type = indices.dtype.base_dtype
    params_shape, indices_shape = shape(params, out_type=index_type), shape(indices, out_type=index_type)
    batch_shape = params_shape[:batch_dims]
    count = math_ops.reduce_prod(batch_shape, [0])
    flat_params = reshape(params, concat([[count], params_shape[batch_dims:]], 0))
    flat_indices = reshape(indices, concat([[count], indices_shape[batch_dims:]], 0))
    inner = rank - batch_dims - 1  # index axes between the batch and the index tuple
    positions = reshape(range(count, dtype=index_type), [-1] + [1] * (inner + 1))
    positions = broadcast_to(positions, concat([shape(flat_indices, out_type=index_type)[:-1], [1]], 0))
    gathered = apply_op_output("GatherNd", [flat_params, concat([positions, flat_indices], -1)],
                               name="GatherNd")
    return reshape(gathered, concat([batch_shape, shape(gathered, out_type=index_type)[1:]], 0))


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot vectors (`OneHot`); float32 1/0 by default."""
    dtype = _dtypes.as_dtype(dtype or _dtypes.float32)
    g = graph_of(indices)
    with g.as_default(), g.name_scope(name or "one_hot") as scope:
        on = convert_to_tensor(1 if on_value is None else on_value, dtype=dtype, name="on_value")
        off = convert_to_tensor(0 if off_value is None else off_value, dtype=dtype, name="off_value")
        return apply_op_output("OneHot", [indices, depth, on, off], {"axis": -1 if axis is None else axis},
                               name=scope)


def tile(input, multiples, name=None):
    return apply_op_output("Tile", [input, multiples], name=name or "Tile")


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    mode = mode.upper()
    if mode == "CONSTANT":
        if constant_values == 0:
            return apply_op_output("Pad", [tensor, paddings], name=name or "Pad")
        return apply_op_output("PadV2", [tensor, paddings, constant_values], name=name or "PadV2")
    return apply_op_output("MirrorPad", [tensor, paddings], {"mode": mode}, name=name or "MirrorPad")


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits into equal parts (`Split`) or given sizes (`SplitV`)."""
    if isinstance(num_or_size_splits, int):
        return apply_op("Split", [axis, value], {"num_split": num_or_size_splits}, name=name).outputs
    sizes = list(num_or_size_splits)
    return apply_op("SplitV", [value, sizes, axis], {"num_split": len(sizes)}, name=name).outputs


def where(condition, x=None, y=None, name=None):
    """Indices of true elements (`Where`), or an element-wise choice (`Select`)."""
    if x is None and y is None:
        return apply_op_output("Where", [condition], name=name or "Where")
    return apply_op_output("Select", [condition, x, y], name=name or "Select")


def range(start, limit=None, delta=1, dtype=None, name="range"):
    """`Range(start, limit, delta)`; `range(n)` counts from 0."""
    if limit is None:
        start, limit = 0, start
    g = graph_of(start, limit, delta)
    with g.as_default(), g.name_scope(name) as scope:
        if dtype is None:
            kinds = [v.dtype.base_dtype if isinstance(v, Tensor) else
                     (_dtypes.float32 if isinstance(v, float) else _dtypes.int32) for v in (start, limit, delta)]
            order = [_dtypes.int32, _dtypes.int64, _dtypes.float32, _dtypes.float64]
            dtype = max(kinds, key=lambda d: order.index(d) if d in order else 0)
        start = convert_to_tensor(start, dtype=dtype, name="start")
        limit = convert_to_tensor(limit, dtype=dtype, name="limit")
        delta = convert_to_tensor(delta, dtype=dtype, name="delta")
        return apply_op_output("Range", [start, limit, delta], name=scope)


def reverse_v2(tensor, axis, name=None):
    return apply_op_output("ReverseV2", [tensor, axis], name=name or "ReverseV2")


reverse = reverse_v2


def sequence_mask(lengths, maxlen=None, dtype=_dtypes.bool, name=None):
    """mask[..., j] = j < lengths[...], for j < maxlen (max(lengths) when None).

    Built as TensorFlow builds it: `Range(0, maxlen)` compared (`Less`) with the lengths cast
    to maxlen's type, expanded by one axis.

    Raises:
        ValueError: `maxlen` is not a scalar.
    """
    from ortflow.api import math_ops

    g = graph_of(lengths, maxlen)
    with g.as_default(), g.name_scope(name or "SequenceMask"):
        lengths = convert_to_tensor(lengths)
        if maxlen is None:
            maxlen = apply_op_output("Max", [lengths, math_ops._reduction_dims(lengths, None)], {"keep_dims": False},
                                     name="Max")
            maxlen = apply_op_output("Maximum", [constant(0, dtype=maxlen.dtype.base_dtype), maxlen],
                                     name="Maximum")
        else:
            maxlen = convert_to_tensor(maxlen)
        if maxlen.shape.rank not in (None, 0):
            raise ValueError("maxlen must be scalar for sequence_mask")
        kind = maxlen.dtype.base_dtype
        row_vector = apply_op_output("Range", [constant(0, dtype=kind), maxlen, constant(1, dtype=kind)],
                                     name="Range")
        matrix = apply_op_output("Cast", [expand_dims(lengths, -1)], {"DstT": kind, "Truncate": False}, name="Cast")
        result = apply_op_output("Less", [row_vector, matrix], name="Less")
        dtype = _dtypes.as_dtype(dtype) if dtype is not None else None
        if dtype is None or dtype == _dtypes.bool:
            return result
        return apply_op_output("Cast", [result], {"DstT": dtype, "Truncate": False}, name="Cast_1")


def broadcast_to(input, shape, name=None):
    return apply_op_output("BroadcastTo", [input, shape], name=name or "BroadcastTo")


def no_op(name=None):
    """A `NoOp` (an Operation, not a Tensor)."""
    return apply_op("NoOp", [], name=name or "NoOp")


def group(*inputs, name=None):
    """A NoOp that runs after all `inputs` (`tf.group`)."""
    from ortflow.graph import Operation, get_default_graph

    ops = []
    for x in inputs:
        items = x if isinstance(x, (list, builtins.tuple)) else [x]
        for item in items:
            if item is None:
                continue
            if hasattr(item, "_as_graph_element") and not isinstance(item, (Tensor, Operation)):
                item = item._as_graph_element()
            ops.append(item.op if isinstance(item, Tensor) else item)
    g = ops[0].graph if ops else get_default_graph()
    unique = list({id(op): op for op in ops}.values())
    unique.sort(key=lambda op: op.name)  # TF's GraphDef lists control inputs sorted by name
    mark_control_inputs(unique)
    with g.as_default(), g.name_scope(name or "group_deps") as scope:
        return g.create_op("NoOp", [], name=scope, control_inputs=unique)


def tuple(tensors, name=None, control_inputs=None):
    """Identity copies of `tensors` that all wait for every one of them (`tf.tuple`)."""
    tensors = list(tensors)
    g = graph_of(tensors)
    with g.as_default(), g.name_scope(name or "tuple"):
        gate = group(*[t for t in tensors if t is not None], *(control_inputs or []))
        out = []
        for t in tensors:
            if t is None:
                out.append(None)
                continue
            with g.control_dependencies([gate]):
                out.append(identity(t))
        return out


def depth_to_space(input, block_size, name=None, data_format="NHWC"):
    return apply_op_output("DepthToSpace", [input], {"block_size": int(block_size), "data_format": data_format},
                           name=name or "DepthToSpace")


def space_to_depth(input, block_size, name=None, data_format="NHWC"):
    return apply_op_output("SpaceToDepth", [input], {"block_size": int(block_size), "data_format": data_format},
                           name=name or "SpaceToDepth")


def space_to_batch_nd(input, block_shape, paddings, name=None):
    return apply_op_output("SpaceToBatchND", [input, block_shape, paddings], name=name or "SpaceToBatchND")


def batch_to_space_nd(input, block_shape, crops, name=None):
    return apply_op_output("BatchToSpaceND", [input, block_shape, crops], name=name or "BatchToSpaceND")


def scatter_nd(indices, updates, shape, name=None):
    return apply_op_output("ScatterNd", [indices, updates, shape], name=name or "ScatterNd")


def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    return apply_op_output("TensorScatterUpdate", [tensor, indices, updates], name=name or "TensorScatterUpdate")


tensor_scatter_update = tensor_scatter_nd_update


def invert_permutation(x, name=None):
    return apply_op_output("InvertPermutation", [x], name=name or "InvertPermutation")


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None, seq_dim=None,
                     batch_dim=None):
    seq_axis = seq_dim if seq_axis is None else seq_axis
    batch_axis = batch_dim if batch_axis is None else batch_axis
    return apply_op_output("ReverseSequence", [input, seq_lengths],
                           {"seq_dim": int(seq_axis), "batch_dim": int(batch_axis or 0)},
                           name=name or "ReverseSequence")


def shape_n(input, out_type=_dtypes.int32, name=None):
    """The dynamic shapes of several tensors (`ShapeN`)."""
    return apply_op("ShapeN", [list(input)], {"out_type": _dtypes.as_dtype(out_type)}, name=name or "ShapeN").outputs


def dynamic_partition(data, partitions, num_partitions, name=None):
    return apply_op("DynamicPartition", [data, partitions], {"num_partitions": int(num_partitions)},
                    name=name or "DynamicPartition").outputs


def dynamic_stitch(indices, data, name=None):
    return apply_op_output("DynamicStitch", [list(indices), list(data)], name=name or "DynamicStitch")


def broadcast_dynamic_shape(shape_x, shape_y):
    return apply_op_output("BroadcastArgs", [shape_x, shape_y], name="BroadcastArgs")


__all__ += ["depth_to_space", "space_to_depth", "space_to_batch_nd", "batch_to_space_nd", "scatter_nd",
            "tensor_scatter_nd_update", "tensor_scatter_update", "invert_permutation", "reverse_sequence",
            "shape_n", "dynamic_partition", "dynamic_stitch", "broadcast_dynamic_shape"]


# --------------------------------------------------------------------------- grids, shifts, crops


def lin_space(start, stop, num, name=None):
    """`num` evenly spaced values from `start` to `stop` inclusive (TF 1.x's `LinSpace` op)."""
    g = graph_of(start, stop, num)
    with g.as_default(), g.name_scope(name or "LinSpace") as scope:
        start = convert_to_tensor(start, name="start")
        stop = convert_to_tensor(stop, dtype=start.dtype.base_dtype, name="stop")
        num = convert_to_tensor(num, name="num")
        return apply_op_output("LinSpace", [start, stop, num], name=scope)


linspace = lin_space


def meshgrid(*args, **kwargs):
    """N-D coordinate grids from 1-D vectors; `indexing` is "xy" (default) or "ij"."""
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        raise TypeError(f"Invalid keywords: {', '.join(sorted(kwargs))}")
    if indexing not in ("xy", "ij"):
        raise ValueError("Argument `indexing` parameter must be either 'xy' or 'ij'")
    ndim = len(args)
    if not ndim:
        return []
    g = graph_of(*args)
    with g.as_default(), g.name_scope(name):
        ones_shape = (1,) * ndim
        output = [reshape(x, ones_shape[:i] + (-1,) + ones_shape[i + 1:]) for i, x in enumerate(args)]
        sizes = [size(x) for x in args]
        dtype = convert_to_tensor(args[0]).dtype.base_dtype
        if indexing == "xy" and ndim > 1:
            output[0] = reshape(output[0], (1, -1) + (1,) * (ndim - 2))
            output[1] = reshape(output[1], (-1, 1) + (1,) * (ndim - 2))
            sizes[0], sizes[1] = sizes[1], sizes[0]
        with g.name_scope("ones") as scope:
            dims = convert_to_tensor(sizes, dtype=_dtypes.int32, name="packed")
            mult_fact = fill(dims, constant(1, dtype=dtype), name=scope)
        return [x * mult_fact for x in output]


def roll(input, shift, axis, name=None):
    """Rotates elements by `shift` along `axis` (ints or lists of ints) (`Roll`)."""
    return apply_op_output("Roll", [input, shift, axis], name=name or "Roll")


def bitcast(input, type, name=None):
    """Reinterprets the bytes of `input` as `type` (`Bitcast`)."""
    return apply_op_output("Bitcast", [input], {"type": _dtypes.as_dtype(type)}, name=name or "Bitcast")


def random_crop(value, size, seed=None, name=None):
    """A random `size` window of `value` (offsets drawn with `RandomUniformInt`, then `Slice`).

    TensorFlow also adds an Assert that `size` fits; ortflow leaves it out (a Session drops
    Asserts anyway), so a too-large `size` fails in the Slice instead.
    """
    from ortflow.api import random_ops

    g = graph_of(value, size)
    with g.as_default(), g.name_scope(name or "random_crop") as scope:
        value = convert_to_tensor(value, name="value")
        size = convert_to_tensor(size, dtype=_dtypes.int32, name="size")
        value_shape = shape(value)
        limit = value_shape - size + 1
        draw = random_ops.random_uniform(shape(value_shape), dtype=_dtypes.int32, maxval=_dtypes.int32.max,
                                         seed=seed)
        offset = draw % limit
        return slice(value, offset, size, name=scope)


# --------------------------------------------------------------------------- masks, products, diagonals

def boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    """The entries of `tensor` where `mask` is true, `mask` covering the dims from `axis` on.

    Built as TensorFlow builds it: the masked dims are flattened into one (`Reshape`), then
    `Where` + `Squeeze` find the kept positions and `GatherV2` takes them.

    Raises:
        ValueError: the mask is a scalar or of unknown rank.
    """
    from ortflow.api import math_ops

    g = graph_of(tensor, mask)
    with g.as_default(), g.name_scope(name):
        tensor = convert_to_tensor(tensor, name="tensor")
        mask = convert_to_tensor(mask, name="mask")
        ndims_mask = mask.shape.rank
        if ndims_mask == 0:
            raise ValueError("mask cannot be scalar.")
        if ndims_mask is None:
            raise ValueError("Number of mask dimensions must be specified, even if some dimensions are None. "
                             "E.g. shape=[None] is ok, but shape=None is not.")
        axis = 0 if axis is None else int(axis)
        if axis < 0:
            if tensor.shape.rank is None:
                raise ValueError("boolean_mask with a negative axis needs a tensor of known rank")
            axis += tensor.shape.rank
        dims_t, dims_m = tensor.shape.dims, mask.shape.dims
        if dims_t is not None:
            for a, b in zip(dims_t[axis:axis + ndims_mask], dims_m):
                if a is not None and b is not None and a != b:
                    raise ValueError(f"Shapes {tensor.shape} and {mask.shape} are incompatible")
        leading_size = math_ops.reduce_prod(shape(tensor)[axis:axis + ndims_mask], [0])
        new_shape = concat([shape(tensor)[:axis], [leading_size], shape(tensor)[axis + ndims_mask:]], 0)
        tensor = reshape(tensor, new_shape)
        mask = reshape(mask, [-1])
        indices = squeeze(where(mask), axis=[1])
        return gather(tensor, indices, axis=axis)


def _tensordot_axes(a: Tensor, axes):
    rank_a = a.shape.rank
    if isinstance(axes, (int, np.integer)):
        if axes < 0:
            raise ValueError(f"`axes` must be at least 0. Received: axes={axes}.")
        if rank_a is None:
            raise NotImplementedError("tensordot with an int `axes` needs `a` of known rank")
        if axes > rank_a:
            raise ValueError(f"`axes` must not be larger than the number of dimensions of tensor {a}. "
                             f"Received {axes}, vs tensor dimensions {rank_a}.")
        return list(builtins.range(rank_a - int(axes), rank_a)), list(builtins.range(int(axes)))
    if isinstance(axes, Tensor):
        raise NotImplementedError("tensordot with a Tensor `axes` is not supported by ortflow yet")
    axes = list(axes)
    if len(axes) != 2:
        raise ValueError(f"`axes` must be an integer or have length 2. Received {axes}.")
    a_axes, b_axes = axes
    if isinstance(a_axes, (int, np.integer)) and isinstance(b_axes, (int, np.integer)):
        a_axes, b_axes = [a_axes], [b_axes]
    a_axes, b_axes = [int(i) for i in a_axes], [int(i) for i in b_axes]
    if len(a_axes) != len(b_axes):
        raise ValueError(f"Different number of contraction axes `a` and `b`, {len(a_axes)} != {len(b_axes)}.")
    return a_axes, b_axes


def _tensordot_reshape(a: Tensor, axes: list[int], flipped: bool = False):
    """`a` transposed and reshaped to a matrix: free dims x contracted dims (flipped: the other way).

    Returns (matrix, free dims as ints when static else an int32 Tensor).
    """
    from ortflow.api import math_ops

    rank_a = a.shape.rank
    if rank_a is None:
        raise NotImplementedError("tensordot needs inputs of known rank")
    axes = [i + rank_a if i < 0 else i for i in axes]
    free = [i for i in builtins.range(rank_a) if i not in axes]
    perm = axes + free if flipped else free + axes
    if a.shape.is_fully_defined():
        dims = a.shape.as_list()
        free_dims = [dims[i] for i in free]
        prod_free, prod_axes = math.prod(free_dims), math.prod(dims[i] for i in axes)
        new_shape = [prod_axes, prod_free] if flipped else [prod_free, prod_axes]
        if perm != list(builtins.range(rank_a)):
            a = transpose(a, perm)
        if a.shape.as_list() != new_shape:
            a = reshape(a, new_shape)
        return a, free_dims
    a_shape = shape(a)
    free_dims = gather(a_shape, free)
    prod_free = math_ops.reduce_prod(free_dims)
    prod_axes = math_ops.reduce_prod(gather(a_shape, axes))
    if perm != list(builtins.range(rank_a)):
        a = transpose(a, perm)
    new_shape = stack([prod_axes, prod_free] if flipped else [prod_free, prod_axes])
    return reshape(a, new_shape), free_dims


def tensordot(a, b, axes, name=None):
    """Sums the products of `a` and `b` over `axes` (an int, or a pair of axis lists).

    As TensorFlow does: each side is transposed and reshaped to a matrix, one `MatMul`, and a
    final `Reshape` to the free dims (skipped when the product already has that shape).
    """
    from ortflow.api import math_ops

    g = graph_of(a, b)
    with g.as_default(), g.name_scope(name or "Tensordot") as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b")
        a_axes, b_axes = _tensordot_axes(a, axes)
        a_matrix, a_free = _tensordot_reshape(a, a_axes)
        b_matrix, b_free = _tensordot_reshape(b, b_axes, True)
        product = math_ops.matmul(a_matrix, b_matrix)
        if isinstance(a_free, list) and isinstance(b_free, list):
            if product.shape.is_fully_defined() and product.shape.as_list() == a_free + b_free:
                return product
            return reshape(product, a_free + b_free, name=scope)
        a_free = constant(a_free, dtype=_dtypes.int32) if isinstance(a_free, list) else a_free
        b_free = constant(b_free, dtype=_dtypes.int32) if isinstance(b_free, list) else b_free
        return reshape(product, concat([a_free, b_free], 0), name=scope)


__all__ += ["bitcast", "lin_space", "linspace", "meshgrid", "random_crop", "roll"]


def where_v2(condition, x=None, y=None, name=None):
    """Indices of true elements (`Where`), or an element-wise choice with broadcasting (`SelectV2`)."""
    if x is None and y is None:
        return apply_op_output("Where", [condition], name=name or "Where")
    return apply_op_output("SelectV2", [condition, x, y], name=name or "SelectV2")


def ensure_shape(x, shape, name=None):
    """`x`, checked at run time to have `shape` (`EnsureShape`)."""
    return apply_op_output("EnsureShape", [x], {"shape": as_shape(shape)}, name=name or "EnsureShape")


def repeat(input, repeats, axis=None, name=None):
    """Repeats each element `repeats` times along `axis` (the flattened input when None).

    `repeats` must be a Python int or a list of ints here (TensorFlow also takes a Tensor).
    """
    g = graph_of(input)
    with g.as_default(), g.name_scope(name or "Repeat"):
        input = convert_to_tensor(input, name="input")
        if axis is None:
            input, axis = reshape(input, [-1]), 0
        counts = np.asarray(repeats).reshape(-1)
        if counts.size == 1:
            rank = input.shape.rank
            if rank is None:
                raise NotImplementedError("repeat needs an input of known rank")
            axis = axis + rank if axis < 0 else axis
            expanded = expand_dims(input, axis + 1)
            multiples = [1] * (rank + 1)
            multiples[axis + 1] = int(counts[0])
            tiled = tile(expanded, multiples)
            dims = shape(input)
            new_shape = concat([dims[:axis], [dims[axis] * int(counts[0])], dims[axis + 1:]], 0)
            return reshape(tiled, new_shape)
        index = np.repeat(np.arange(counts.size), counts).astype(np.int32)
        return gather(input, constant(index, name="indices"), axis=axis)


__all__ += ["ensure_shape", "repeat", "where_v2"]


def batch_gather(params, indices, name=None):
    """params[b..., indices[b..., i], ...] for every batch index b... (all but the last axis of `indices`).

    Built as one `GatherV2` with `batch_dims`, which is what TensorFlow's `gather` does for it;
    TensorFlow 1.x's deprecated `batch_gather` spells the same out with Range, Reshape and Gather.
    """
    g = graph_of(params, indices)
    with g.as_default(), g.name_scope(name or "BatchGather"):
        indices = convert_to_tensor(indices, name="indices")
        rank = indices.shape.rank
        if rank is None:
            raise ValueError("batch_gather does not allow indices with unknown shape.")
        return gather(params, indices, axis=rank - 1, batch_dims=rank - 1)


def broadcast_static_shape(shape_x, shape_y):
    """The broadcast of two static TensorShapes.

    Raises:
        ValueError: the shapes do not broadcast.
    """
    from ortflow.graph.ops import broadcast_shapes

    x, y = as_shape(shape_x), as_shape(shape_y)
    dims = broadcast_shapes(None if x.rank is None else builtins.tuple(x.as_list()),
                            None if y.rank is None else builtins.tuple(y.as_list()))
    return as_shape(None if dims is None else list(dims))


def is_tensor(x):
    """True for a Tensor (or a tensor-like value such as a Variable)."""
    from ortflow.api.ops_builder import is_tensor_like

    return is_tensor_like(x)


__all__ += ["batch_gather", "broadcast_static_shape", "is_tensor"]


def space_to_batch(input, paddings, block_size=None, name=None, block_shape=None):
    """TF 1.x `space_to_batch`: `SpaceToBatchND` with the same block size on both spatial dims."""
    block_shape = [block_size, block_size] if block_shape is None else block_shape
    return space_to_batch_nd(input, block_shape, paddings, name=name)


def batch_to_space(input, crops, block_size, name=None, block_shape=None):
    """TF 1.x `batch_to_space`: `BatchToSpaceND` with the same block size on both spatial dims."""
    block_shape = [block_size, block_size] if block_shape is None else block_shape
    return batch_to_space_nd(input, block_shape, crops, name=name)


__all__ += ["batch_to_space", "space_to_batch"]
