"""Handlers of TF indexing ops: Slice, StridedSlice, gathers, reverses, one-hot, Where, TopK."""

from __future__ import annotations

import dataclasses

import numpy as np
from ortflow.converters.emit import (
    INT64_MAX,
    INT64_MIN,
    const_i64,
    first,
    squeeze,
    to_int64,
    to_scalar,
    unsqueeze,
)
from ortflow.converters.registry import handler, require
from ortflow.errors import ConversionError
from ortflow.formats import dtypes

__all__ = ["SliceDim", "StridedSliceSpec", "dense_strided_slice", "reverse_axes"]


# --------------------------------------------------------------------------- Slice

@handler("Slice", since=13)
def convert_slice(ctx, node):
    # TF:   output = Slice(input, begin, size)  (size -1 = to the end of the dim)
    # ONNX: Output = Slice(Data, Starts, Ends, Axes)
    begin, size = node.input_value(1), node.input_value(2)
    if begin is not None and size is not None:
        begin = np.asarray(begin, dtype=np.int64).reshape(-1)
        size = np.asarray(size, dtype=np.int64).reshape(-1)
        ends = np.where(size == -1, INT64_MAX, begin + size)
        starts_name, ends_name = const_i64(ctx, begin), const_i64(ctx, ends)
        n = begin.size
    else:
        starts_name = to_int64(ctx, node.input(1))
        size_name = to_int64(ctx, node.input(2))
        to_end = first(ctx, "Equal", [size_name, const_i64(ctx, -1)])
        stop = first(ctx, "Add", [starts_name, size_name])
        ends_name = first(ctx, "Where", [to_end, const_i64(ctx, INT64_MAX), stop])
        shape = node.input_shape(1)
        n = None if shape is None else shape[0]
        if n is None:
            n = node.input_rank(0)
        require(n is not None, node, "Slice needs the length of 'begin' or the rank of 'input'")
    axes = const_i64(ctx, list(range(n)))
    first(ctx, "Slice", [node.input(0), starts_name, ends_name, axes], output=node.output(0))


# --------------------------------------------------------------------------- StridedSlice

@dataclasses.dataclass
class SliceDim:
    """One input dim of a strided slice in dense form.

    `sparse` is the index into the op's begin/end/strides vectors, None for dims an ellipsis
    (or the implicit trailing one) covers whole.
    """

    axis: int
    sparse: int | None
    stride: int = 1
    begin_masked: bool = True
    end_masked: bool = True
    shrink: bool = False

    @property
    def whole(self) -> bool:
        return not self.shrink and self.stride == 1 and self.begin_masked and self.end_masked


@dataclasses.dataclass
class StridedSliceSpec:
    """A strided slice in dense form: the sliced input dims, and the output layout.

    `layout` lists the output dims in order: an int is an input axis kept in the output, None
    is a new size-1 axis (new_axis_mask). Shrunk axes appear only in `dims`.
    """

    dims: list[SliceDim]
    layout: list[int | None]


def _bits(mask: int, i: int) -> bool:
    return bool((mask >> i) & 1)


def dense_strided_slice(rank: int, strides, begin_mask: int = 0, end_mask: int = 0,
                        ellipsis_mask: int = 0, new_axis_mask: int = 0,
                        shrink_axis_mask: int = 0) -> StridedSliceSpec:
    """Expands a StridedSlice's sparse spec (masks over begin/end/strides) to one entry per input dim.

    Follows TensorFlow's rules: one ellipsis at most, an implicit ellipsis at the end when there
    is none, new axes consume no input dim, a shrink ignores the begin/end masks of its dim.

    Raises:
        ValueError: for more than one ellipsis or a spec that indexes past `rank`.
    """
    strides = [int(s) for s in strides]
    n = len(strides)
    if (ellipsis_mask & ((1 << n) - 1)).bit_count() > 1:
        raise ValueError("a strided slice may hold one ellipsis at most")
    if not ellipsis_mask & ((1 << n) - 1):
        ellipsis_mask |= 1 << n  # the implicit trailing ellipsis
        n += 1
    seen, new_after = False, 0
    for i in range(n):
        if seen and _bits(new_axis_mask, i) and not _bits(ellipsis_mask, i):
            new_after += 1
        seen = seen or _bits(ellipsis_mask, i)
    dims: list[SliceDim] = []
    layout: list[int | None] = []
    axis = 0
    for i in range(n):
        if _bits(ellipsis_mask, i):
            stop = min(rank - (n - i) + 1 + new_after, rank)
            while axis < stop:
                dims.append(SliceDim(axis, None))
                layout.append(axis)
                axis += 1
        elif _bits(new_axis_mask, i):
            layout.append(None)
        else:
            if axis >= rank:
                raise ValueError(f"the slice spec indexes dim {axis} of a rank-{rank} input")
            dim = SliceDim(axis, i, strides[i], _bits(begin_mask, i), _bits(end_mask, i),
                           _bits(shrink_axis_mask, i))
            dims.append(dim)
            if not dim.shrink:
                layout.append(axis)
            axis += 1
    return StridedSliceSpec(dims, layout)


def _mask_default(stride: int, which: str) -> int:
    # The start/end ONNX Slice reads as "from the first element" / "through the last" for the
    # direction of the stride (ONNX clamps both into range).
    if which == "begin":
        return 0 if stride > 0 else INT64_MAX
    return INT64_MAX if stride > 0 else INT64_MIN


def _const_bounds(sliced: list[SliceDim], begin: np.ndarray, end: np.ndarray, shape):
    starts, ends = [], []
    for d in sliced:
        if d.shrink:
            b = int(begin[d.sparse])
            starts.append(b)
            ends.append(INT64_MAX if b == -1 else b + 1)
            continue
        starts.append(_mask_default(d.stride, "begin") if d.begin_masked else int(begin[d.sparse]))
        ends.append(_mask_default(d.stride, "end") if d.end_masked else int(end[d.sparse]))
        size = shape[d.axis]
        if d.stride < 0 and size is not None and starts[-1] < -size:
            starts[-1] = ends[-1] = 0  # see _empty_reverse_runs
    return starts, ends


def _needs_overrun_fix(d: SliceDim, begin, shape) -> bool:
    # Only a negative stride from an explicit begin can start before the first element.
    if d.shrink or d.stride > 0 or d.begin_masked:
        return False
    if begin is None:
        return True
    return int(begin[d.sparse]) < 0 and shape[d.axis] is None


def _empty_reverse_runs(ctx, value: str, sliced: list[SliceDim], starts: str, ends: str, fix: list[int]):
    # TF (and numpy) clamp a negative-stride begin below -size to "before the first element":
    # an empty run. ONNX clamps it to element 0 instead (one element). Where begin + size < 0
    # at run time, both start and end become 0, which ONNX reads as empty for a negative step.
    positions = const_i64(ctx, fix)
    sizes = first(ctx, "Gather", [first(ctx, "Shape", [value]), const_i64(ctx, [sliced[k].axis for k in fix])],
                  {"axis": 0})
    begins = first(ctx, "Gather", [starts, positions], {"axis": 0})
    before = first(ctx, "Less", [first(ctx, "Add", [begins, sizes]), const_i64(ctx, 0)])
    zero = const_i64(ctx, 0)
    out = []
    for vector in (starts, ends):
        picked = first(ctx, "Gather", [vector, positions], {"axis": 0})
        fixed = first(ctx, "Where", [before, zero, picked])
        out.append(first(ctx, "ScatterElements", [vector, positions, fixed], {"axis": 0}))
    return out


def _dynamic_bounds(ctx, sliced: list[SliceDim], begin: str, end: str):
    # Gather each sliced dim's entry from the run-time vectors, then put the mask defaults and
    # the shrink ends (b + 1, or "to the end" for b == -1) in with Where over constant masks.
    index = const_i64(ctx, [d.sparse for d in sliced])
    begin_v = first(ctx, "Gather", [to_int64(ctx, begin), index], {"axis": 0})
    end_v = first(ctx, "Gather", [to_int64(ctx, end), index], {"axis": 0})
    begin_masked = ctx.make_const(np.array([d.begin_masked and not d.shrink for d in sliced]))
    end_masked = ctx.make_const(np.array([d.end_masked and not d.shrink for d in sliced]))
    shrink = ctx.make_const(np.array([d.shrink for d in sliced]))
    begin_default = const_i64(ctx, [_mask_default(d.stride, "begin") for d in sliced])
    end_default = const_i64(ctx, [_mask_default(d.stride, "end") for d in sliced])
    starts = first(ctx, "Where", [begin_masked, begin_default, begin_v])
    last = first(ctx, "Equal", [begin_v, const_i64(ctx, -1)])
    next_one = first(ctx, "Add", [begin_v, const_i64(ctx, 1)])
    shrink_end = first(ctx, "Where", [last, const_i64(ctx, INT64_MAX), next_one])
    ends = first(ctx, "Where", [end_masked, end_default, end_v])
    ends = first(ctx, "Where", [shrink, shrink_end, ends])
    return starts, ends


def _leading_rank(masks: dict, n: int) -> int | None:
    """The number of input dims a spec without an ellipsis names (None with an ellipsis).

    Without an ellipsis the spec covers the leading dims and an implicit trailing ellipsis keeps
    the rest whole, so an input of unknown rank (a while body's TensorArray read) can be sliced
    as if it had exactly those dims: axes are counted from the front either way.
    """
    if masks["ellipsis_mask"] & ((1 << n) - 1):
        return None
    return n - (masks["new_axis_mask"] & ((1 << n) - 1)).bit_count()


@handler("StridedSlice", since=13)
def convert_strided_slice(ctx, node):
    # TF:   output = StridedSlice(input, begin, end, strides, begin_mask, end_mask,
    #                             ellipsis_mask, new_axis_mask, shrink_axis_mask)
    # ONNX: Output = Unsqueeze(Squeeze(Slice(Data, Starts, Ends, Axes, Steps), shrunk), new)
    strides = node.input_value(3)
    require(strides is not None, node, "the strides must be constant")
    masks = {k: int(node.attr(k, 0)) for k in ("begin_mask", "end_mask", "ellipsis_mask",
                                                 "new_axis_mask", "shrink_axis_mask")}
    rank = node.input_rank(0)
    if rank is None:
        rank = _leading_rank(masks, np.asarray(strides).size)
        require(rank is not None, node, "StridedSlice with an ellipsis needs the static rank of its input")
    try:
        spec = dense_strided_slice(rank, np.asarray(strides).reshape(-1), **masks)
    except ValueError as e:
        raise ConversionError(f"{node.op} node {node.name!r}: {e}") from e
    for d in spec.dims:
        require(d.stride != 0, node, "a stride of 0 is invalid")
        require(not d.shrink or d.stride > 0, node, "a shrunk axis needs a positive stride")
    sliced = [d for d in spec.dims if not d.whole]
    shrunk = [d.axis for d in spec.dims if d.shrink]
    new_axes = [i for i, a in enumerate(spec.layout) if a is None]
    steps = [(x, n) for x, n in ((shrunk, "squeeze"), (new_axes, "unsqueeze")) if x]
    value = node.input(0)
    if sliced:
        begin, end = node.input_value(1), node.input_value(2)
        shape = node.input_shape(0)
        if shape is None or len(shape) != rank:
            shape = [None] * rank  # unknown rank: only the leading dims the spec names matter
        if begin is not None and end is not None:
            begin = np.asarray(begin).reshape(-1)
            starts, ends = _const_bounds(sliced, begin, np.asarray(end).reshape(-1), shape)
            starts, ends = const_i64(ctx, starts), const_i64(ctx, ends)
        else:
            begin = None
            starts, ends = _dynamic_bounds(ctx, sliced, node.input(1), node.input(2))
        fix = [k for k, d in enumerate(sliced) if _needs_overrun_fix(d, begin, shape)]
        if fix:
            starts, ends = _empty_reverse_runs(ctx, value, sliced, starts, ends, fix)
        inputs = [value, starts, ends, const_i64(ctx, [d.axis for d in sliced]),
                  const_i64(ctx, [d.stride for d in sliced])]
        value = first(ctx, "Slice", inputs, output=None if steps else node.output(0))
    if shrunk:
        value = squeeze(ctx, value, shrunk, output=None if new_axes else node.output(0))
    if new_axes:
        value = unsqueeze(ctx, value, new_axes, output=node.output(0))
    if not (sliced or steps):
        ctx.alias(value, node.output(0))


# --------------------------------------------------------------------------- reverses

def reverse_axes(ctx, x: str, axes: list[int], output: str | None = None) -> str:
    """`x` reversed along `axes` (a Slice with step -1 over each)."""
    n = len(axes)
    inputs = [x, const_i64(ctx, [-1] * n), const_i64(ctx, [INT64_MIN] * n), const_i64(ctx, axes),
              const_i64(ctx, [-1] * n)]
    return first(ctx, "Slice", inputs, output=output)


@handler("ReverseV2")
def convert_reverse_v2(ctx, node):
    # TF:   output = ReverseV2(tensor, axis)
    # ONNX: Output = Slice(Data, starts=-1, ends=INT64_MIN, axes, steps=-1)
    axes = node.input_value(1)
    require(axes is not None, node, "the axes to reverse must be constant")
    axes = sorted({int(a) for a in np.asarray(axes).reshape(-1)})
    if not axes:
        ctx.alias(node.input(0), node.output(0))
        return
    reverse_axes(ctx, node.input(0), axes, node.output(0))


# --------------------------------------------------------------------------- gathers

@handler("Gather")
def convert_gather_v1(ctx, node):
    # TF:   output = Gather(params, indices, validate_indices: bool)
    # ONNX: Output = Gather(Data, Indices, axis=0)
    first(ctx, "Gather", [node.input(0), node.input(1)], {"axis": 0}, output=node.output(0))


def _gather_batched(ctx, node, axis: int, batch_dims: int) -> None:
    # GatherND with batch_dims gathers along the first non-batch dim, so move `axis` there,
    # then move the gathered dims back after the params dims that sat before `axis`.
    params_rank, indices_rank = node.input_rank(0), node.input_rank(1)
    params = node.input(0)
    if axis > batch_dims:
        perm = list(range(batch_dims)) + [axis] + [d for d in range(batch_dims, params_rank) if d != axis]
        params = first(ctx, "Transpose", [params], {"perm": perm})
    indices = unsqueeze(ctx, to_int64(ctx, node.input(1)), [-1])
    if axis == batch_dims:
        first(ctx, "GatherND", [params, indices], {"batch_dims": batch_dims}, output=node.output(0))
        return
    gathered = first(ctx, "GatherND", [params, indices], {"batch_dims": batch_dims})
    b, q, m = batch_dims, indices_rank, axis - batch_dims
    out_rank = params_rank - 1 + indices_rank - batch_dims
    perm = list(range(b)) + list(range(q, q + m)) + list(range(b, q)) + list(range(q + m, out_rank))
    first(ctx, "Transpose", [gathered], {"perm": perm}, output=node.output(0))


@handler("GatherV2", since=13)
def convert_gather_v2(ctx, node):
    # TF:   output = GatherV2(params, indices, axis, batch_dims: int)
    # ONNX: Output = Gather(Data, Indices, axis: int), or GatherND(batch_dims) when batched
    # A frozen ResourceGather can arrive as a two-input GatherV2: the axis is then 0.
    axis = node.input_value(2) if node.num_inputs > 2 else np.int64(0)
    require(axis is not None, node, "the gather axis must be constant")
    axis = int(np.asarray(axis).reshape(-1)[0])
    batch_dims = int(node.attr("batch_dims", 0))
    if batch_dims == 0:
        first(ctx, "Gather", [node.input(0), node.input(1)], {"axis": axis}, output=node.output(0))
        return
    params_rank, indices_rank = node.input_rank(0), node.input_rank(1)
    require(params_rank is not None and indices_rank is not None, node,
            "a batched gather needs static ranks of params and indices")
    if batch_dims < 0:
        batch_dims += indices_rank
    if axis < 0:
        axis += params_rank
    require(0 <= batch_dims <= axis, node, f"batch_dims {batch_dims} must be <= axis {axis}")
    _gather_batched(ctx, node, axis, batch_dims)


@handler("GatherNd")
def convert_gather_nd(ctx, node):
    # TF:   output = GatherNd(params, indices)
    # ONNX: Output = GatherND(Data, Indices: int64)
    first(ctx, "GatherND", [node.input(0), to_int64(ctx, node.input(1))], output=node.output(0))


# --------------------------------------------------------------------------- one-hot, where, top-k

@handler("OneHot", since=13)
def convert_one_hot(ctx, node):
    # TF:   output = OneHot(indices, depth, on_value, off_value, axis: int)
    # ONNX: Output = Where(Equal(Unsqueeze(Indices, axis), Range(depth)), On, Off)
    #       (not ONNX OneHot: that one wraps negative indices, TF gives all-off rows)
    axis = int(node.attr("axis", -1))
    indices = to_int64(ctx, node.input(0))
    depth = to_scalar(ctx, to_int64(ctx, node.input(1)))
    positions = first(ctx, "Range", [const_i64(ctx, 0), depth, const_i64(ctx, 1)])
    if axis == -1:
        expanded = unsqueeze(ctx, indices, [-1])
    else:
        rank = node.input_rank(0)
        require(rank is not None, node, f"axis {axis} needs the static rank of the indices")
        expanded = unsqueeze(ctx, indices, [axis])
        if rank - axis > 0:
            positions = unsqueeze(ctx, positions, list(range(1, rank - axis + 1)))
    hot = first(ctx, "Equal", [expanded, positions])
    first(ctx, "Where", [hot, node.input(2), node.input(3)], output=node.output(0))


@handler("Where")
def convert_where(ctx, node):
    # TF:   index = Where(input)           (int64 [num_true, rank] coordinates)
    # ONNX: Index = Transpose(NonZero(X))
    x = node.input(0)
    if node.input_dtype(0) != dtypes.bool:
        x = first(ctx, "Cast", [x], {"to": ctx.onnx_type(dtypes.bool)})  # NonZero lacks most kernels
    coords = first(ctx, "NonZero", [x])
    first(ctx, "Transpose", [coords], {"perm": [1, 0]}, output=node.output(0))


@handler("TopKV2", "TopK")
def convert_top_k(ctx, node):
    # TF:   values, indices = TopKV2(input, k, sorted: bool, index_type: type)  (TopK: k attr)
    # ONNX: Values, Indices = TopK(X, K: int64 [1], axis=-1, largest=1, sorted=1)
    if node.op == "TopK":
        k = const_i64(ctx, [int(node.attr("k"))])
    else:
        k = first(ctx, "Reshape", [to_int64(ctx, node.input(1)), const_i64(ctx, [1])])
    index_dtype = node.output_dtype(1) or dtypes.int32
    index_name = node.output(1) if index_dtype == dtypes.int64 else ctx.unique_name(f"{node.name}/indices")
    # Sorting is always on: TF leaves the order open when sorted=False, and sorted is one valid order.
    ctx.make_node("TopK", [node.input(0), k], {"axis": -1, "largest": 1, "sorted": 1},
                  outputs=[node.output(0), index_name])
    if index_name != node.output(1):
        first(ctx, "Cast", [index_name], {"to": ctx.onnx_type(index_dtype)}, output=node.output(1))


@handler("Range")
def convert_range(ctx, node):
    # TF:   output = Range(start, limit, delta)
    # ONNX: Output = Range(Start, Limit, Delta)  (scalars of one type)
    first(ctx, "Range", [node.input(0), node.input(1), node.input(2)], output=node.output(0))
