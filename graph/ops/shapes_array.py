"""Shape functions of array ops: reshaping, slicing, joining, gathering, constants, Placeholders."""

from __future__ import annotations

import math

from ortflow.errors import GraphError
from ortflow.graph.ops.registry import shape_fn
from ortflow.graph.ops.schema import shape_from_proto
from ortflow.graph.ops.shapes_common import (
    attr,
    broadcast,
    int_list,
    int_value,
    known_value,
    merge_dim,
    merge_shapes,
    normalize_axis,
    same_as,
    shape_from_value,
)
from ortflow.graph.ops.strided import sliced_shape, strided_slice_spec_from_node

__all__: list[str] = []

shape_fn("Identity", "StopGradient", "Snapshot", "PreventGradient", "DebugIdentity",
         "RefIdentity", "ReverseSequence", "TensorScatterUpdate", "TensorScatterAdd",
         "TensorScatterSub", "TensorScatterMax", "TensorScatterMin", "ScatterUpdate",
         "ScatterAdd", "ScatterSub", "ScatterMul", "ScatterDiv", "ScatterMax", "ScatterMin",
         "ScatterNdUpdate", "ScatterNdAdd", "ScatterNdSub", "Roll", "MatrixSetDiag",
         "MatrixSetDiagV2", "MatrixSetDiagV3", "_OrtflowTensorScatterMul", "_OrtflowTensorScatterDiv",
         "ResourceScatterMul", "ResourceScatterDiv")(same_as(0))


@shape_fn("IdentityN")
def _identity_n(node_def, shapes, values):
    return list(shapes)


@shape_fn("Const", "HostConst")
def _const(node_def, shapes, values):
    if "value" not in node_def.attr:
        return [None]
    return [tuple(d.size for d in node_def.attr["value"].tensor.tensor_shape.dim)]


@shape_fn("Placeholder", "PlaceholderV2", "PlaceholderWithDefault")
def _placeholder(node_def, shapes, values):
    if "shape" not in node_def.attr:
        return [shapes[0] if shapes else None]
    return [shape_from_proto(node_def.attr["shape"].shape)]


@shape_fn("EnsureShape")
def _ensure_shape(node_def, shapes, values):
    want = shape_from_proto(node_def.attr["shape"].shape) if "shape" in node_def.attr else None
    return [merge_shapes(shapes[0], want)]


@shape_fn("Reshape")
def _reshape(node_def, shapes, values):
    out = shape_from_value(values[1], shapes[1])
    x = shapes[0]
    if out is None or x is None:
        return [out]
    out = list(out)
    unknown_out = [i for i, d in enumerate(out) if d is None]
    unknown_in = [i for i, d in enumerate(x) if d is None]
    known_out = 1
    for d in out:
        known_out *= d if d is not None else 1
    known_in = 1
    for d in x:
        known_in *= d if d is not None else 1
    if len(unknown_out) > 1 or len(unknown_in) > 1:
        return [tuple(out)]
    if not unknown_in and not unknown_out:
        if known_in != known_out:
            raise GraphError(f"cannot reshape a tensor with {known_in} elements to shape {out}")
    elif not unknown_in and known_out > 0:
        if known_in % known_out:
            raise GraphError(f"cannot reshape a tensor of shape {list(x)} to {out}")
        out[unknown_out[0]] = known_in // known_out
    elif unknown_in and unknown_out and known_in == known_out:
        out[unknown_out[0]] = x[unknown_in[0]]
    return [tuple(out)]


@shape_fn("Squeeze")
def _squeeze(node_def, shapes, values):
    x = shapes[0]
    axes = attr(node_def, "squeeze_dims", []) or []
    if x is None:
        return [None]
    if not axes:
        if None in x:
            return [None]
        return [tuple(d for d in x if d != 1)]
    axes = {normalize_axis(a, len(x), "squeeze axis") for a in axes}
    for a in axes:
        if x[a] not in (1, None):
            raise GraphError(f"cannot squeeze dim {a} of size {x[a]}")
    return [tuple(d for i, d in enumerate(x) if i not in axes)]


@shape_fn("ExpandDims")
def _expand_dims(node_def, shapes, values):
    x, axis = shapes[0], int_value(values[1])
    if x is None:
        return [None]
    if axis is None:
        return [(None,) * (len(x) + 1)]
    axis = normalize_axis(axis, len(x) + 1, "ExpandDims axis")
    return [tuple(x[:axis]) + (1,) + tuple(x[axis:])]


@shape_fn("Shape")
def _shape(node_def, shapes, values):
    return [(None if shapes[0] is None else len(shapes[0]),)]


@shape_fn("ShapeN")
def _shape_n(node_def, shapes, values):
    return [(None if s is None else len(s),) for s in shapes]


@shape_fn("Size", "Rank")
def _scalar(node_def, shapes, values):
    return [()]


@shape_fn("Fill", "Empty", "RandomUniform", "RandomStandardNormal", "TruncatedNormal",
          "RandomUniformInt", "StatelessRandomUniform", "StatelessRandomNormal",
          "StatelessTruncatedNormal", "StatelessRandomUniformV2", "StatelessRandomNormalV2",
          "StatelessRandomUniformInt", "ParameterizedTruncatedNormal")
def _from_shape_input0(node_def, shapes, values):
    return [shape_from_value(values[0], shapes[0])]


@shape_fn("BroadcastTo")
def _broadcast_to(node_def, shapes, values):
    out = shape_from_value(values[1], shapes[1])
    if out is not None and shapes[0] is not None:
        # Dims the target leaves unknown are the input's where it is not 1.
        full = broadcast(shapes[0], tuple(1 if d is None else d for d in out))
        out = tuple(d if d is not None else (f if f != 1 else None) for d, f in zip(out, full))
    return [out]


@shape_fn("ScatterNd")
def _scatter_nd(node_def, shapes, values):
    return [shape_from_value(values[2], shapes[2])]


@shape_fn("Tile")
def _tile(node_def, shapes, values):
    x = shapes[0]
    multiples = shape_from_value(values[1], shapes[1])
    if x is None and multiples is None:
        return [None]
    rank = len(x) if x is not None else len(multiples)
    x = x or (None,) * rank
    multiples = multiples or (None,) * rank
    return [tuple(None if d is None or m is None else d * m for d, m in zip(x, multiples))]


@shape_fn("Pad", "PadV2", "MirrorPad")
def _pad(node_def, shapes, values):
    x = shapes[0]
    pads = int_list(values[1])
    if x is None:
        p = shapes[1]
        return [None if p is None or p[0] is None else (None,) * p[0]]
    if pads is None:
        return [(None,) * len(x)]
    if len(pads) != 2 * len(x):
        raise GraphError(f"paddings has {len(pads)} entries for an input of rank {len(x)}")
    return [tuple(None if d is None else d + pads[2 * i] + pads[2 * i + 1] for i, d in enumerate(x))]


def _concat(values_shapes, axis):
    known = [s for s in values_shapes if s is not None]
    if not known:
        return None
    rank = len(known[0])
    if axis is None:
        return (None,) * rank
    axis = normalize_axis(axis, rank, "concat axis")
    out: list = [None] * rank
    total = 0
    for s in values_shapes:
        if s is None:
            total = None
            continue
        if len(s) != rank:
            raise GraphError(f"concat inputs have ranks {rank} and {len(s)}")
        for i, d in enumerate(s):
            if i != axis:
                out[i] = merge_dim(out[i], d, f"concat dim {i}")
        total = None if total is None or s[axis] is None else total + s[axis]
    out[axis] = total
    return tuple(out)


@shape_fn("ConcatV2")
def _concat_v2(node_def, shapes, values):
    return [_concat(shapes[:-1], int_value(values[-1]))]


@shape_fn("Concat")
def _concat_v1(node_def, shapes, values):
    return [_concat(shapes[1:], int_value(values[0]))]


@shape_fn("Pack")
def _pack(node_def, shapes, values):
    s = None
    for x in shapes:
        s = merge_shapes(s, x)
    if s is None:
        return [None]
    axis = normalize_axis(attr(node_def, "axis", 0), len(s) + 1, "Pack axis")
    return [tuple(s[:axis]) + (len(shapes),) + tuple(s[axis:])]


@shape_fn("Unpack")
def _unpack(node_def, shapes, values):
    num = attr(node_def, "num")
    x = shapes[0]
    if x is None:
        return [None] * num
    axis = normalize_axis(attr(node_def, "axis", 0), len(x), "Unpack axis")
    merge_dim(x[axis], num, "Unpack num")
    return [tuple(x[:axis]) + tuple(x[axis + 1:])] * num


def _split_shapes(x, axis, sizes):
    if x is None:
        return [None] * len(sizes)
    if axis is None:
        return [(None,) * len(x)] * len(sizes)
    axis = normalize_axis(axis, len(x), "split axis")
    return [tuple(x[:axis]) + (s,) + tuple(x[axis + 1:]) for s in sizes]


@shape_fn("Split")
def _split(node_def, shapes, values):
    n = attr(node_def, "num_split")
    x, axis = shapes[1], int_value(values[0])
    size = None
    if x is not None and axis is not None:
        d = x[normalize_axis(axis, len(x), "split axis")]
        if d is not None:
            if d % n:
                raise GraphError(f"cannot split a dim of size {d} into {n} equal parts")
            size = d // n
    return _split_shapes(x, axis, [size] * n)


@shape_fn("SplitV")
def _split_v(node_def, shapes, values):
    n = attr(node_def, "num_split")
    x, axis = shapes[0], int_value(values[2])
    sizes = int_list(values[1])
    if sizes is None:
        return _split_shapes(x, axis, [None] * n)
    if -1 in sizes and x is not None and axis is not None:
        d = x[normalize_axis(axis, len(x), "split axis")]
        rest = d - (sum(sizes) + 1) if d is not None else None
        sizes = [rest if s == -1 else s for s in sizes]
    return _split_shapes(x, axis, [None if s is None or s < 0 else s for s in sizes])


@shape_fn("Slice")
def _slice(node_def, shapes, values):
    x = shapes[0]
    begin, size = int_list(values[1]), int_list(values[2])
    rank = len(x) if x is not None else (shapes[1] or (None,))[0]
    if rank is None:
        return [None]
    x = x or (None,) * rank
    if size is None:
        return [(None,) * rank]
    out = []
    for i, s in enumerate(size):
        if s >= 0:
            out.append(s)
        elif begin is not None and x[i] is not None:
            out.append(x[i] - begin[i])
        else:
            out.append(None)
    return [tuple(out)]


@shape_fn("StridedSlice")
def _strided_slice(node_def, shapes, values):
    begin, end, strides = (known_value(v) for v in values[1:4])
    if begin is None or end is None or strides is None:
        return [_strided_slice_unknown_bounds(node_def, shapes)]
    spec = strided_slice_spec_from_node(node_def, begin.reshape(-1), end.reshape(-1),
                                        strides.reshape(-1))
    return [sliced_shape(shapes[0], spec)]


def _strided_slice_unknown_bounds(node_def, shapes):
    # Without the bounds only the rank may be known: each mask bit settles one output dim.
    x, n = shapes[0], (shapes[1] or (None,))[0]
    if x is None or n is None or attr(node_def, "ellipsis_mask", 0):
        return None
    new_axis, shrink = attr(node_def, "new_axis_mask", 0), attr(node_def, "shrink_axis_mask", 0)
    dims = []
    for i in range(n):
        if (new_axis >> i) & 1:
            dims.append(1)
        elif not (shrink >> i) & 1:
            dims.append(None)
    consumed = n - (new_axis & ((1 << n) - 1)).bit_count()
    return tuple(dims) + tuple(x[consumed:])


@shape_fn("StridedSliceGrad")
def _strided_slice_grad(node_def, shapes, values):
    return [shape_from_value(values[0], shapes[0])]


def _gather(params, indices, axis, batch_dims=0):
    if params is None or indices is None:
        return None
    if axis is None:
        return (None,) * (len(params) + len(indices) - 1 - batch_dims)
    axis = normalize_axis(axis, len(params), "gather axis")
    return tuple(params[:axis]) + tuple(indices[batch_dims:]) + tuple(params[axis + 1:])


@shape_fn("GatherV2")
def _gather_v2(node_def, shapes, values):
    return [_gather(shapes[0], shapes[1], int_value(values[2]), attr(node_def, "batch_dims", 0))]


@shape_fn("Gather")
def _gather_v1(node_def, shapes, values):
    return [_gather(shapes[0], shapes[1], 0)]


@shape_fn("GatherNd")
def _gather_nd(node_def, shapes, values):
    params, indices = shapes
    if params is None or indices is None or indices[-1] is None:
        return [None]
    return [tuple(indices[:-1]) + tuple(params[indices[-1]:])]


@shape_fn("Transpose", "ConjugateTranspose")
def _transpose(node_def, shapes, values):
    x, perm = shapes[0], int_list(values[1])
    if perm is None:
        if x is None:
            p = shapes[1]
            return [None if p is None or p[0] is None else (None,) * p[0]]
        return [(None,) * len(x)]
    if x is None:
        return [(None,) * len(perm)]
    if sorted(perm) != list(range(len(x))):
        raise GraphError(f"perm {perm} is not a permutation of the {len(x)} dims of the input")
    return [tuple(x[p] for p in perm)]


@shape_fn("OneHot")
def _one_hot(node_def, shapes, values):
    indices, depth = shapes[0], int_value(values[1])
    if indices is None:
        return [None]
    axis = attr(node_def, "axis", -1)
    axis = len(indices) if axis == -1 else normalize_axis(axis, len(indices) + 1, "OneHot axis")
    return [tuple(indices[:axis]) + (depth,) + tuple(indices[axis:])]


@shape_fn("Range")
def _range(node_def, shapes, values):
    start, limit, delta = (known_value(v) for v in values[:3])
    if start is None or limit is None or delta is None:
        return [(None,)]
    start, limit, delta = start.item(), limit.item(), delta.item()
    if delta == 0:
        raise GraphError("Range: delta must not be 0")
    if (delta > 0 and limit < start) or (delta < 0 and limit > start):
        raise GraphError(f"Range: start {start} and limit {limit} go against delta {delta}")
    if all(isinstance(v, int) for v in (start, limit, delta)):
        size = (abs(limit - start) + abs(delta) - 1) // abs(delta)
    else:
        size = math.ceil(abs((limit - start) / delta))
    return [(size,)]


@shape_fn("Where")
def _where(node_def, shapes, values):
    x = shapes[0]
    return [(None, None if x is None else len(x))]


@shape_fn("Unique")
def _unique(node_def, shapes, values):
    return [(None,), shapes[0]]


@shape_fn("UniqueWithCounts")
def _unique_with_counts(node_def, shapes, values):
    return [(None,), shapes[0], (None,)]


@shape_fn("DynamicPartition")
def _dynamic_partition(node_def, shapes, values):
    n = attr(node_def, "num_partitions")
    data, partitions = shapes
    if data is None or partitions is None:
        return [None] * n
    return [(None,) + tuple(data[len(partitions):])] * n


@shape_fn("DynamicStitch", "ParallelDynamicStitch")
def _dynamic_stitch(node_def, shapes, values):
    n = len(shapes) // 2
    idx_values = [int_list(v) for v in values[:n]]
    first = None
    if all(v is not None for v in idx_values):
        first = max((max(v) for v in idx_values if v), default=-1) + 1
    inner = None
    for ind, data in zip(shapes[:n], shapes[n:]):
        if ind is not None and data is not None:
            inner = merge_shapes(inner, tuple(data[len(ind):]))
    return [None if inner is None else (first,) + tuple(inner)]


@shape_fn("SegmentSum", "SegmentMean", "SegmentMax", "SegmentMin", "SegmentProd")
def _segment(node_def, shapes, values):
    data = shapes[0]
    ids = known_value(values[1])
    first = int(ids[-1]) + 1 if ids is not None and ids.size else None
    return [None if data is None else (first,) + tuple(data[1:])]


@shape_fn("UnsortedSegmentSum", "UnsortedSegmentMax", "UnsortedSegmentMin",
          "UnsortedSegmentProd")
def _unsorted_segment(node_def, shapes, values):
    data, ids = shapes[0], shapes[1]
    if data is None or ids is None:
        return [None]
    return [(int_value(values[2]),) + tuple(data[len(ids):])]


@shape_fn("Multinomial")
def _multinomial(node_def, shapes, values):
    logits = shapes[0] or (None, None)
    return [(logits[0], int_value(values[1]))]


@shape_fn("MatrixDiagPart")
def _matrix_diag_part(node_def, shapes, values):
    x = shapes[0]
    if x is None:
        return [None]
    a, b = x[-2], x[-1]
    return [tuple(x[:-2]) + (None if a is None or b is None else min(a, b),)]


@shape_fn("MatrixDiag")
def _matrix_diag(node_def, shapes, values):
    x = shapes[0]
    return [None if x is None else tuple(x) + (x[-1],)]


@shape_fn("Bitcast")
def _bitcast(node_def, shapes, values):
    x = shapes[0]
    src, dst = attr(node_def, "T").size, attr(node_def, "type").size
    if x is None or src == dst:
        return [x]
    if src > dst:
        return [tuple(x) + (src // dst,)]
    return [tuple(x[:-1])]



@shape_fn("ConcatOffset")
def _concat_offset(node_def, shapes, values):
    return list(shapes[1:])
