"""StridedSlice semantics in one place: TensorFlow's begin/end/strides and masks -> a numpy index.

`strided_slice_spec` turns the op's attrs and input values into a Python index tuple
(slices, ints for shrunk axes, None for new axes, Ellipsis), so that `x[spec]` in numpy equals
TensorFlow's result; `sliced_shape` applies such a spec to a static shape with unknown dims.
The converter reuses both to lower StridedSlice.
"""

from __future__ import annotations

from collections.abc import Sequence

from ortflow.errors import GraphError

__all__ = ["sliced_shape", "strided_slice_spec", "strided_slice_spec_from_node"]


def _bit(mask: int, i: int) -> bool:
    return bool((mask >> i) & 1)


def strided_slice_spec(begin: Sequence[int], end: Sequence[int], strides: Sequence[int],
                       begin_mask: int = 0, end_mask: int = 0, ellipsis_mask: int = 0,
                       new_axis_mask: int = 0, shrink_axis_mask: int = 0) -> tuple:
    """Returns the numpy index tuple equivalent to TensorFlow's StridedSlice arguments.

    Entry i of the spec is, by priority: Ellipsis if ellipsis bit i is set; None (a new axis)
    if new_axis bit i is set; the int begin[i] if shrink bit i is set; else a slice whose
    start/stop are None where the begin/end mask bit is set.

    Raises:
        GraphError: if the lengths differ, a stride is 0, or more than one ellipsis bit is set.
    """
    n = len(begin)
    if len(end) != n or len(strides) != n:
        raise GraphError(f"StridedSlice: begin, end and strides must have one length; got "
                         f"{len(begin)}, {len(end)} and {len(strides)}")
    if ellipsis_mask & (ellipsis_mask - 1):
        raise GraphError(f"StridedSlice: at most one ellipsis bit may be set; "
                         f"ellipsis_mask is {ellipsis_mask:#b}")
    spec: list = []
    for i in range(n):
        if _bit(ellipsis_mask, i):
            spec.append(Ellipsis)
        elif _bit(new_axis_mask, i):
            spec.append(None)
        elif _bit(shrink_axis_mask, i):
            spec.append(int(begin[i]))
        else:
            stride = int(strides[i])
            if stride == 0:
                raise GraphError(f"StridedSlice: stride {i} is 0")
            start = None if _bit(begin_mask, i) else int(begin[i])
            stop = None if _bit(end_mask, i) else int(end[i])
            spec.append(slice(start, stop, stride))
    return tuple(spec)


def strided_slice_spec_from_node(node_def, begin, end, strides) -> tuple:
    """`strided_slice_spec` with the five masks read from a StridedSlice NodeDef's attrs."""
    masks = {}
    for name in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask"):
        masks[name] = int(node_def.attr[name].i) if name in node_def.attr else 0
    return strided_slice_spec([int(v) for v in begin], [int(v) for v in end],
                              [int(v) for v in strides], **masks)


def _expand_ellipsis(spec: tuple, rank: int) -> list:
    consumed = sum(1 for s in spec if s is not None and s is not Ellipsis)
    if consumed > rank:
        raise GraphError(f"StridedSlice: the index has {consumed} dims but the input has rank {rank}")
    out: list = []
    seen = False
    for s in spec:
        if s is Ellipsis and not seen:
            out.extend([slice(None)] * (rank - consumed))
            seen = True
        else:
            out.append(s)
    if not seen:
        out.extend([slice(None)] * (rank - consumed))
    return out


def sliced_shape(shape: tuple | None, spec: tuple) -> tuple | None:
    """Applies an index `spec` (from `strided_slice_spec`) to a static shape.

    Unknown input dims give unknown output dims.

    Raises:
        GraphError: if a shrink index is out of range of a known dim.
    """
    if shape is None:
        return None
    out: list = []
    axis = 0
    for s in _expand_ellipsis(spec, len(shape)):
        if s is None:
            out.append(1)
            continue
        dim = shape[axis]
        axis += 1
        if isinstance(s, int):
            if dim is not None and not -dim <= s < dim:
                raise GraphError(f"StridedSlice: index {s} is out of range for a dim of size {dim}")
            continue
        if dim is None:  # even a whole-axis slice of an unknown dim is unknown
            out.append(None)
            continue
        out.append(len(range(*s.indices(dim))))
    return tuple(out)
