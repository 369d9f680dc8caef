"""Handlers of TF shape and layout ops: reshapes, concatenation, splits, fills, aliases."""

from __future__ import annotations

import numpy as np
from ortflow.converters.emit import (
    INT64_MAX,
    const_i64,
    dim_of,
    first,
    scalar_like,
    shape_of,
    squeeze,
    to_int64,
    unsqueeze,
)
from ortflow.converters.registry import handler, require
from ortflow.formats import dtypes

__all__ = ["IDENTITY_OPS", "partial_shape_vector", "repeat_pattern"]

#: Ops whose outputs are their inputs, unchanged. (PlaceholderWithDefault is the driver's: a
#: graph input when fed, its default otherwise.)
IDENTITY_OPS = ("Identity", "StopGradient", "PreventGradient", "Snapshot", "EnsureShape", "CheckNumerics")


def _const_axis(node, i: int, what: str = "axis") -> int:
    value = node.input_value(i)
    require(value is not None and np.size(value) == 1, node, f"the {what} must be a constant scalar")
    return int(np.asarray(value).reshape(-1)[0])


def _cast_to(ctx, node, name: str, i: int = 0) -> None:
    """Writes int64 value `name` to TF output i, cast to the output's dtype (int32 usually)."""
    dtype = node.output_dtype(i) or dtypes.int32
    if dtype == dtypes.int64:
        first(ctx, "Identity", [name], output=node.output(i))
    else:
        first(ctx, "Cast", [name], {"to": ctx.onnx_type(dtype)}, output=node.output(i), dtype=dtype)


# --------------------------------------------------------------------------- aliases

@handler(*IDENTITY_OPS)
def convert_identity(ctx, node):
    # TF:   output = Identity(input)     (also StopGradient, Snapshot, EnsureShape, CheckNumerics)
    # ONNX: (none: the output is the input's value)
    ctx.alias(node.input(0), node.output(0))


@handler("IdentityN")
def convert_identity_n(ctx, node):
    # TF:   outputs = IdentityN(inputs: list)
    # ONNX: (none: each output is the matching input's value)
    for i in range(node.num_inputs):
        ctx.alias(node.input(i), node.output(i))


# --------------------------------------------------------------------------- shapes

@handler("Shape")
def convert_shape(ctx, node):
    # TF:   output = Shape(input, out_type: type)
    # ONNX: Output = Cast(Shape(Data), to=out_type)
    _cast_to(ctx, node, shape_of(ctx, node.input(0)))


@handler("ShapeN")
def convert_shape_n(ctx, node):
    # TF:   outputs = ShapeN(input: N tensors, out_type: type)
    # ONNX: Output_i = Cast(Shape(Data_i), to=out_type)
    for i in range(node.num_inputs):
        _cast_to(ctx, node, shape_of(ctx, node.input(i)), i)


@handler("Size")
def convert_size(ctx, node):
    # TF:   output = Size(input, out_type: type)
    # ONNX: Output = Cast(Size(Data), to=out_type)
    _cast_to(ctx, node, first(ctx, "Size", [node.input(0)]))


@handler("Rank")
def convert_rank(ctx, node):
    # TF:   output = Rank(input)           (an int32 scalar)
    # ONNX: Output = Cast(Size(Shape(Data)), to=int32), or a constant when the rank is static
    rank = node.input_rank(0)
    if rank is not None:
        ctx.alias(ctx.make_const(np.asarray(rank, dtype=np.int32)), node.output(0))
        return
    _cast_to(ctx, node, first(ctx, "Size", [shape_of(ctx, node.input(0))]))


def _reshape_target(ctx, node) -> tuple[str, bool | None]:
    """The int64 target shape and whether it holds a 0 (None = unknown, a dynamic shape)."""
    value = node.input_value(1)
    if value is None:
        value = _static_target(node)
    if value is not None:
        value = np.asarray(value, dtype=np.int64).reshape(-1)
        return const_i64(ctx, value), bool((value == 0).any())
    return to_int64(ctx, node.input(1)), None


def _static_target(node):
    """The target with -1 for its one run-time entry, when all its other entries are constant.

    Keras computes many target shapes at run time (`stack([batch, 1, 1, c])`); a constant with
    -1 for the batch says the same, spares the Shape/Gather/Concat chain and lets the layout
    pass see the shape. Shapes with a 0 keep the run-time target (-1 is ambiguous there).
    """
    # Only the target's own constant entries count: a static shape inferred for the output
    # could be stale inside a while body whose loop variables change shape.
    packed = partial_shape_vector(node.ctx, node.input_tensor(1))
    if packed is None:
        return None
    known = [d if d is not None and d >= 0 else None for d in packed]
    if sum(d is None for d in known) > 1 or any(d == 0 for d in known):
        return None
    return [-1 if d is None else int(d) for d in known]


def partial_shape_vector(ctx, tensor: str, depth: int = 4) -> list | None:
    """A 1-D int tensor's entries where constant, None where computed at run time.

    Follows Pack of scalars and ConcatV2 of such pieces (Keras builds shapes as
    `stack([batch, h, w, c])` or `concat([stack([batch]), [w], [c]])`). None when the vector
    has another producer.
    """
    value = ctx.tensor_value(tensor)
    if value is not None:
        return [int(v) for v in np.asarray(value).reshape(-1)]
    producer = ctx.tf_node(tensor)
    if producer is None or depth == 0:
        return None
    if producer.op == "Pack":
        out = []
        for i in range(producer.num_inputs):
            v = producer.input_value(i)
            out.append(int(np.asarray(v).reshape(-1)[0]) if v is not None and np.asarray(v).size == 1 else None)
        return out
    if producer.op == "ConcatV2":
        out = []
        for i in range(producer.num_inputs - 1):
            piece = partial_shape_vector(ctx, producer.input_tensor(i), depth - 1)
            if piece is None:
                return None
            out += piece
        return out
    return None


@handler("Reshape", since=5)
def convert_reshape(ctx, node):
    # TF:   output = Reshape(tensor, shape)  (a 0 in shape means a 0-sized dim)
    # ONNX: Reshaped = Reshape(Data, Shape)  (before opset 14 a 0 copies the input dim)
    if _tensordot_shortcut(ctx, node) or _repeat_as_resize(ctx, node):
        return
    shape, has_zero = _reshape_target(ctx, node)
    # A run-time shape is taken to hold no 0 (only empty tensors have one); a constant 0 would
    # silently copy the input's dim here, so it is refused.
    require(not has_zero, node, f"a 0 in the target shape needs opset >= 14 (allowzero), not {ctx.opset}")
    first(ctx, "Reshape", [node.input(0), shape], output=node.output(0))


@handler("Reshape", since=14)
def convert_reshape_14(ctx, node):
    # TF:   output = Reshape(tensor, shape)
    # ONNX: Reshaped = Reshape(Data, Shape, allowzero: int)  (opset >= 14; set when a 0 may occur)
    if _tensordot_shortcut(ctx, node) or _repeat_as_resize(ctx, node):
        return
    shape, has_zero = _reshape_target(ctx, node)
    attrs = {"allowzero": 1} if has_zero is not False else None
    first(ctx, "Reshape", [node.input(0), shape], attrs, output=node.output(0))


def _tensordot_shortcut(ctx, node) -> bool:
    """Reshape(MatMul(Reshape(x, [-1, K]), w), concat(shape(x)[:-1], [N])) as MatMul(x, w).

    That is `tf.tensordot(x, w, 1)`, which Keras 3's Dense emits on inputs of rank > 2. ONNX
    MatMul broadcasts over x's leading dims, so the flatten/unflatten pair goes, and the layout
    pass can see the MatMul (a ConvNeXt block's pointwise layers sit between convolutions).
    Emits the MatMul and returns True when the pattern holds; otherwise leaves `node` alone.
    """
    matmul = ctx.tf_node(node.input_tensor(0))
    if matmul is None or matmul.op != "MatMul" or matmul.attr("transpose_a", False):
        return False
    flatten = ctx.tf_node(matmul.input_tensor(0))
    if flatten is None or flatten.op != "Reshape" or flatten.output_rank(0) != 2:
        return False
    x = flatten.input_tensor(0)
    x_shape = ctx.tensor_shape(x)
    w_shape = matmul.input_shape(1)
    if x_shape is None or len(x_shape) < 3 or w_shape is None or len(w_shape) != 2:
        return False
    # The output keeps x's leading dims, so TF's element counts force x's last dim to be K
    # even where the static shape does not say so (it is checked when known).
    k = w_shape[1] if matmul.attr("transpose_b", False) else w_shape[0]
    if x_shape[-1] not in (None, k) or not _restores_leading_dims(ctx, node.input_tensor(1), x, len(x_shape)):
        return False
    onnx_matmul = next((n for n in reversed(ctx.nodes) if matmul.output(0) in n.outputs), None)
    if onnx_matmul is None or onnx_matmul.op_type != "MatMul":
        return False
    first(ctx, "MatMul", [ctx.resolve(x), onnx_matmul.inputs[1]], output=node.output(0))
    return True


def _repeat_as_resize(ctx, node) -> bool:
    """Reshape(Tile(ExpandDims(x, a + 1), r at a + 1), x's shape with dim a times r) as a
    nearest-neighbour Resize of x by r along a.

    That is `repeat(x, r, axis=a)` as Keras 3 builds it (UpSampling1D/2D/3D repeat rows, then
    columns). A Resize with constant scales is something the layout pass moves Transposes
    through; the Reshape of the repeat is not, so each upsampling kept two. Only spatial axes
    of inputs of rank 3 to 5 (what UpSampling repeats) qualify. Returns True when emitted.
    """
    found = repeat_pattern(ctx, node)
    if found is None:
        return False
    x, axis, repeats, rank = found
    if not 3 <= rank <= 5 or not 1 <= axis <= rank - 2:
        return False
    scales = np.ones(rank, np.float32)
    scales[axis] = repeats
    first(ctx, "Resize", [ctx.resolve(x), "", ctx.make_const(scales)],
          {"mode": "nearest", "coordinate_transformation_mode": "asymmetric", "nearest_mode": "floor"},
          output=node.output(0))
    return True


def repeat_pattern(ctx, node):
    """(x, axis, repeats, rank of x) when Reshape `node` is Keras' repeat(x, repeats, axis):
    Reshape(Tile(ExpandDims(x, axis + 1), multiples 1 but repeats at axis + 1),
    concat(shape(x)[:axis], [repeats * shape(x)[axis]], shape(x)[axis + 1:])); else None."""
    tile = ctx.tf_node(node.input_tensor(0))
    if tile is None or tile.op != "Tile":
        return None
    expand = ctx.tf_node(tile.input_tensor(0))
    if expand is None or expand.op != "ExpandDims" or expand.input_value(1) is None:
        return None
    x = expand.input_tensor(0)
    shape = ctx.tensor_shape(x)
    multiples = partial_shape_vector(ctx, tile.input_tensor(1))
    if shape is None or multiples is None or len(multiples) != len(shape) + 1:
        return None
    rank = len(shape)
    axis = int(np.asarray(expand.input_value(1)).reshape(-1)[0]) % (rank + 1) - 1
    repeats = _repeat_count(ctx, tile, multiples, axis) if axis >= 0 else None
    if repeats is None or not _repeat_target(ctx, node.input_tensor(1), x, axis):
        return None
    return x, axis, repeats, rank


def _repeat_count(ctx, tile, multiples: list, axis: int) -> int | None:
    # the multiples are 1 but at axis + 1; Keras packs the repeat count there as Reshape(Cast(r), [])
    others = [m for i, m in enumerate(multiples) if i != axis + 1]
    if any(m != 1 for m in others):
        return None
    if multiples[axis + 1] is not None:
        return multiples[axis + 1] if multiples[axis + 1] > 1 else None
    pack = ctx.tf_node(tile.input_tensor(1))
    source = ctx.tf_node(pack.input_tensor(axis + 1)) if pack is not None and pack.op == "Pack" else None
    while source is not None and source.op in ("Reshape", "Cast", "Identity"):
        value = source.input_value(0)
        if value is not None and np.asarray(value).size == 1:
            count = int(np.asarray(value).reshape(-1)[0])
            return count if count > 1 else None
        source = ctx.tf_node(source.input_tensor(0))
    return None


def _repeat_target(ctx, target: str, x: str, axis: int) -> bool:
    # concat([shape(x)[:axis], [r * shape(x)[axis]], shape(x)[axis + 1:]]): x's own dims with
    # the repeated one merged; the slices must read x's shape with these exact bounds
    concat = ctx.tf_node(target)
    if concat is None or concat.op != "ConcatV2" or concat.num_inputs != 4:
        return False
    head, tail = ctx.tf_node(concat.input_tensor(0)), ctx.tf_node(concat.input_tensor(2))
    return _slices_shape_of(ctx, head, x, 0, axis, end_open=False) and \
        _slices_shape_of(ctx, tail, x, axis + 1, None, end_open=True)


def _slices_shape_of(ctx, node, x: str, begin: int, end: int | None, end_open: bool) -> bool:
    """`node` is shape(x)[begin:end] (end_open: shape(x)[begin:]) with stride 1."""
    if node is None or node.op != "StridedSlice":
        return False
    shape = ctx.tf_node(node.input_tensor(0))
    if shape is None or shape.op != "Shape" or shape.input_tensor(0) != x:
        return False
    b, e, stride = (node.input_value(i) for i in (1, 2, 3))
    if b is None or e is None or stride is None or np.asarray(b).size != 1 or int(np.asarray(stride).reshape(-1)[0]) != 1:
        return False
    if any(int(node.attr(m, 0)) for m in ("shrink_axis_mask", "new_axis_mask", "ellipsis_mask")):
        return False
    starts_at = 0 if int(node.attr("begin_mask", 0)) & 1 else int(np.asarray(b).reshape(-1)[0])
    if int(node.attr("end_mask", 0)) & 1:
        return starts_at == begin and end_open
    return starts_at == begin and not end_open and int(np.asarray(e).reshape(-1)[0]) == end


def _restores_leading_dims(ctx, target: str, x: str, rank: int) -> bool:
    # concat([gather(shape(x'), [0, ..., rank-2]), [n]]) where x' is x or x before an identity
    # Transpose (tensordot transposes its operand by a permutation that is constant folded)
    concat = ctx.tf_node(target)
    if concat is None or concat.op != "ConcatV2" or concat.num_inputs != 3:
        return False
    gather = ctx.tf_node(concat.input_tensor(0))
    if gather is None or gather.op not in ("GatherV2", "Gather"):
        return False
    indices = gather.input_value(1)
    if indices is None or not np.array_equal(np.asarray(indices).reshape(-1), np.arange(rank - 1)):
        return False
    shape = ctx.tf_node(gather.input_tensor(0))
    if shape is None or shape.op != "Shape":
        return False
    sources = {x}
    producer = ctx.tf_node(x)
    if producer is not None and producer.op == "Transpose":
        perm = producer.input_value(1)
        if perm is not None and np.array_equal(np.asarray(perm).reshape(-1), np.arange(rank)):
            sources.add(producer.input_tensor(0))
    last = concat.input_value(1)
    return shape.input_tensor(0) in sources and last is not None and np.asarray(last).size == 1


@handler("Squeeze", since=13)
def convert_squeeze(ctx, node):
    # TF:   output = Squeeze(input, squeeze_dims: list(int))  (empty = every size-1 dim)
    # ONNX: Squeezed = Squeeze(Data, Axes)  (opset >= 13: axes as an input)
    axes = list(node.attr("squeeze_dims", []))
    shape = node.input_shape(0)
    if not axes and shape is not None and all(d is not None for d in shape):
        axes = [i for i, d in enumerate(shape) if d == 1]
        if not axes:
            ctx.alias(node.input(0), node.output(0))
            return
    squeeze(ctx, node.input(0), axes or None, output=node.output(0))


@handler("ExpandDims", since=13)
def convert_expand_dims(ctx, node):
    # TF:   output = ExpandDims(input, dim)  (dim < 0 counts from the end of the output)
    # ONNX: Expanded = Unsqueeze(Data, Axes)  (opset >= 13; same negative-axis meaning)
    dim = node.input_value(1)
    if dim is not None:
        unsqueeze(ctx, node.input(0), [int(np.asarray(dim).reshape(-1)[0])], output=node.output(0))
        return
    axes = first(ctx, "Reshape", [to_int64(ctx, node.input(1)), const_i64(ctx, [1])])
    first(ctx, "Unsqueeze", [node.input(0), axes], output=node.output(0))


@handler("Fill")
def convert_fill(ctx, node):
    # TF:   output = Fill(dims, value)
    # ONNX: Output = Expand(Value, Dims)
    first(ctx, "Expand", [node.input(1), to_int64(ctx, node.input(0))], output=node.output(0))


@handler("Tile")
def convert_tile(ctx, node):
    # TF:   output = Tile(input, multiples)
    # ONNX: Output = Tile(Input, Repeats)  (int64 repeats)
    first(ctx, "Tile", [node.input(0), to_int64(ctx, node.input(1))], output=node.output(0))


@handler("BroadcastTo")
def convert_broadcast_to(ctx, node):
    # TF:   output = BroadcastTo(input, shape)
    # ONNX: Output = Expand(Input, Shape)  (TF's one-way broadcast is a valid case of ONNX's)
    first(ctx, "Expand", [node.input(0), to_int64(ctx, node.input(1))], output=node.output(0))


@handler("BroadcastArgs")
def convert_broadcast_args(ctx, node):
    # TF:   r0 = BroadcastArgs(s0, s1)     (the broadcast shape of two shape vectors)
    # ONNX: left-pad both with 1s to one length, then R0 = Where(A == 1, B, A)
    lengths = [node.input_shape(i) for i in (0, 1)]
    require(all(s is not None and len(s) == 1 and s[0] is not None for s in lengths), node,
            "BroadcastArgs needs shape vectors of static length")
    n = max(lengths[0][0], lengths[1][0])
    dtype = node.output_dtype(0) or dtypes.int32
    padded = []
    for i, (length,) in enumerate(lengths):
        vec = node.input(i)
        if length < n:
            ones = ctx.make_const(np.ones(n - length, dtype=dtype.as_numpy_dtype))
            vec = first(ctx, "Concat", [ones, vec], {"axis": 0})
        padded.append(vec)
    is_one = first(ctx, "Equal", [padded[0], scalar_like(ctx, 1, dtype)])
    first(ctx, "Where", [is_one, padded[1], padded[0]], output=node.output(0))


# --------------------------------------------------------------------------- joins

@handler("ConcatV2")
def convert_concat_v2(ctx, node):
    # TF:   output = ConcatV2(values: N tensors, axis)
    # ONNX: Concat_result = Concat(Inputs..., axis: int)
    values = node.inputs()[:-1]
    axis = _const_axis(node, node.num_inputs - 1)
    first(ctx, "Concat", values, {"axis": axis}, output=node.output(0))


@handler("Concat")
def convert_concat_v1(ctx, node):
    # TF:   output = Concat(concat_dim, values: N tensors)
    # ONNX: Concat_result = Concat(Inputs..., axis: int)
    axis = _const_axis(node, 0, "concat_dim")
    first(ctx, "Concat", node.inputs()[1:], {"axis": axis}, output=node.output(0))


@handler("Pack", since=13)
def convert_pack(ctx, node):
    # TF:   output = Pack(values: N tensors, axis: int)
    # ONNX: Output = Concat(Unsqueeze(V_i, axis)..., axis)  (negative axes count from the output end)
    axis = int(node.attr("axis", 0))
    parts = [unsqueeze(ctx, v, [axis]) for v in node.inputs()]
    if len(parts) == 1:
        first(ctx, "Identity", parts, output=node.output(0))
        return
    first(ctx, "Concat", parts, {"axis": axis}, output=node.output(0))


@handler("Unpack", since=13)
def convert_unpack(ctx, node):
    # TF:   outputs = Unpack(value, num: int, axis: int)
    # ONNX: Parts = Split(Input, split=[1]*num, axis); Output_i = Squeeze(Part_i, axis)
    num = int(node.attr("num"))
    axis = int(node.attr("axis", 0))
    if num == 1:
        squeeze(ctx, node.input(0), [axis], output=node.output(0))
        return
    parts = ctx.make_node("Split", [node.input(0), const_i64(ctx, [1] * num)], {"axis": axis}, outputs=num)
    for i, part in enumerate(parts):
        squeeze(ctx, part, [axis], output=node.output(i))


def _split_sizes_dynamic(ctx, value: str, axis: int, num: int) -> str:
    # Equal parts of a dim only known at run time: [dim / num] * num.
    part = first(ctx, "Div", [dim_of(ctx, value, axis), const_i64(ctx, num)])
    return first(ctx, "Expand", [part, const_i64(ctx, [num])])


def _split_equal(ctx, node, value: str, axis: int, opset18: bool) -> None:
    num = int(node.attr("num_split"))
    outputs = [node.output(i) for i in range(num)]
    if num == 1:
        ctx.alias(value, outputs[0])
        return
    shape = node.input_shape(1)
    size = None if shape is None else shape[axis]
    if size is not None:
        require(size % num == 0, node, f"dim {axis} of size {size} does not split into {num} equal parts")
        ctx.make_node("Split", [value, const_i64(ctx, [size // num] * num)], {"axis": axis}, outputs=outputs)
    elif opset18:
        ctx.make_node("Split", [value], {"axis": axis, "num_outputs": num}, outputs=outputs)
    else:
        require(shape is not None or axis >= 0, node, "a negative split axis needs a static rank")
        sizes = _split_sizes_dynamic(ctx, value, axis, num)
        ctx.make_node("Split", [value, sizes], {"axis": axis}, outputs=outputs)


@handler("Split", since=13)
def convert_split(ctx, node):
    # TF:   output = Split(split_dim, value, num_split: int)
    # ONNX: Outputs = Split(Input, Split, axis: int)  (opset 13: sizes as an input)
    _split_equal(ctx, node, node.input(1), _const_axis(node, 0, "split_dim"), opset18=False)


@handler("Split", since=18)
def convert_split_18(ctx, node):
    # TF:   output = Split(split_dim, value, num_split: int)
    # ONNX: Outputs = Split(Input, axis: int, num_outputs: int)  (opset >= 18, dynamic dims)
    _split_equal(ctx, node, node.input(1), _const_axis(node, 0, "split_dim"), opset18=True)


@handler("SplitV", since=13)
def convert_split_v(ctx, node):
    # TF:   output = SplitV(value, size_splits, split_dim, num_split: int)  (one size may be -1)
    # ONNX: Outputs = Split(Input, Split, axis: int)
    num = int(node.attr("num_split"))
    axis = _const_axis(node, 2, "split_dim")
    sizes = node.input_value(1)
    require(sizes is not None, node, "size_splits must be constant")
    sizes = [int(s) for s in np.asarray(sizes).reshape(-1)]
    outputs = [node.output(i) for i in range(num)]
    if num == 1:
        ctx.alias(node.input(0), outputs[0])
        return
    shape = node.input_shape(0)
    if -1 in sizes:
        known = sum(s for s in sizes if s != -1)
        dim = None if shape is None else shape[axis]
        if dim is not None:
            sizes = [dim - known if s == -1 else s for s in sizes]
        else:
            rest = first(ctx, "Sub", [dim_of(ctx, node.input(0), axis), const_i64(ctx, [known])])
            k = sizes.index(-1)
            pieces = [const_i64(ctx, sizes[:k]), rest, const_i64(ctx, sizes[k + 1:])]
            split = first(ctx, "Concat", pieces, {"axis": 0})
            ctx.make_node("Split", [node.input(0), split], {"axis": axis}, outputs=outputs)
            return
    ctx.make_node("Split", [node.input(0), const_i64(ctx, sizes)], {"axis": axis}, outputs=outputs)


# --------------------------------------------------------------------------- permutations

@handler("Transpose")
def convert_transpose(ctx, node):
    # TF:   y = Transpose(x, perm)
    # ONNX: Transposed = Transpose(Data, perm: ints)  (perm must be constant)
    perm = node.input_value(1)
    require(perm is not None, node, "the permutation must be constant")
    perm = [int(p) for p in np.asarray(perm).reshape(-1)]
    rank = len(perm)
    perm = [p + rank if p < 0 else p for p in perm]
    if perm == list(range(rank)):
        ctx.alias(node.input(0), node.output(0))
        return
    first(ctx, "Transpose", [node.input(0)], {"perm": perm}, output=node.output(0))


@handler("InvertPermutation")
def convert_invert_permutation(ctx, node):
    # TF:   y = InvertPermutation(x)      (y[x[i]] = i)
    # ONNX: Y = ScatterElements(zeros, X, Range(0, n))
    dtype = node.input_dtype(0) or dtypes.int32
    x = node.input(0)
    n = first(ctx, "Cast", [first(ctx, "Size", [x])], {"to": ctx.onnx_type(dtype)})
    positions = first(ctx, "Range", [scalar_like(ctx, 0, dtype), n, scalar_like(ctx, 1, dtype)])
    first(ctx, "ScatterElements", [positions, x, positions], {"axis": 0}, output=node.output(0))


# --------------------------------------------------------------------------- padding

def onnx_pads(ctx, node, i: int = 1) -> str:
    """TF paddings [[begin, end], ...] (input i) as ONNX pads [begins..., ends...] in int64."""
    value = node.input_value(i)
    if value is not None:
        return const_i64(ctx, np.asarray(value, dtype=np.int64).T.reshape(-1))
    flipped = first(ctx, "Transpose", [to_int64(ctx, node.input(i))], {"perm": [1, 0]})
    return first(ctx, "Reshape", [flipped, const_i64(ctx, [-1])])


def _symmetric_pad(ctx, node, pads: np.ndarray) -> None:
    # ONNX Pad has no SYMMETRIC mode (edge rows repeated): per padded axis, concatenate the
    # reversed leading rows, the tensor, and the reversed trailing rows.
    from ortflow.converters.slicing import reverse_axes

    value = node.input(0)
    padded_axes = [a for a in range(len(pads)) if pads[a].any()]
    if not padded_axes:
        ctx.alias(value, node.output(0))
        return
    for n, axis in enumerate(padded_axes):
        before, after = (int(p) for p in pads[axis])
        parts = []
        if before:
            head = first(ctx, "Slice", [value, const_i64(ctx, [0]), const_i64(ctx, [before]),
                                        const_i64(ctx, [axis])])
            parts.append(reverse_axes(ctx, head, [axis], None))
        parts.append(value)
        if after:
            tail = first(ctx, "Slice", [value, const_i64(ctx, [-after]), const_i64(ctx, [np.iinfo(np.int64).max]),
                                        const_i64(ctx, [axis])])
            parts.append(reverse_axes(ctx, tail, [axis], None))
        last = n == len(padded_axes) - 1
        value = first(ctx, "Concat", parts, {"axis": axis}, output=node.output(0) if last else None)


@handler("MirrorPad", since=13)
def convert_mirror_pad(ctx, node):
    # TF:   output = MirrorPad(input, paddings, mode: {'REFLECT', 'SYMMETRIC'})
    # ONNX: Output = Pad(Data, Pads, mode='reflect'); SYMMETRIC as Slice + reversed Slice + Concat
    mode = node.str_attr("mode")
    if mode.upper() == "REFLECT":
        first(ctx, "Pad", [node.input(0), onnx_pads(ctx, node)], {"mode": "reflect"}, output=node.output(0))
        return
    require(mode.upper() == "SYMMETRIC", node, f"unknown mode {mode!r}")
    paddings = node.input_value(1)
    require(paddings is not None, node, "SYMMETRIC padding needs constant paddings")
    _symmetric_pad(ctx, node, np.asarray(paddings, dtype=np.int64).reshape(-1, 2))


# --------------------------------------------------------------------------- partition / stitch

def _flatten_leading(ctx, x: str, count: int) -> str:
    """`x` with its first `count` dims merged into one (count 0 adds a leading dim of 1)."""
    if count == 1:
        return x
    rest = first(ctx, "Slice", [shape_of(ctx, x), const_i64(ctx, [count]), const_i64(ctx, [INT64_MAX])])
    merged = first(ctx, "Concat", [const_i64(ctx, [-1]), rest], {"axis": 0})
    return first(ctx, "Reshape", [x, merged])


@handler("DynamicPartition")
def convert_dynamic_partition(ctx, node):
    # TF:   outputs = DynamicPartition(data, partitions, num_partitions: int)
    # ONNX: Output_i = Compress(Data as [n, ...], Equal(Partitions as [n], i), axis=0)
    rank = node.input_rank(1)
    require(rank is not None, node, "the partitions need a static rank")
    data = _flatten_leading(ctx, node.input(0), rank)
    parts = first(ctx, "Reshape", [to_int64(ctx, node.input(1)), const_i64(ctx, [-1])])
    for i in range(int(node.attr("num_partitions"))):
        mask = first(ctx, "Equal", [parts, const_i64(ctx, i)])
        first(ctx, "Compress", [data, mask], {"axis": 0}, output=node.output(i))


@handler("DynamicStitch", "ParallelDynamicStitch")
def convert_dynamic_stitch(ctx, node):
    # TF:   merged = DynamicStitch(indices: N tensors, data: N tensors)  (merged[indices[m]] = data[m])
    # ONNX: Merged = ScatterND(zeros [max(indices) + 1, ...], Concat(indices) [K, 1], Concat(data) [K, ...])
    n = node.num_inputs // 2
    ranks = [node.input_rank(i) for i in range(n)]
    require(all(r is not None for r in ranks), node, "the indices need static ranks")
    indices = [first(ctx, "Reshape", [to_int64(ctx, node.input(i)), const_i64(ctx, [-1])]) for i in range(n)]
    data = [_flatten_leading(ctx, node.input(n + i), ranks[i]) for i in range(n)]
    all_indices = indices[0] if n == 1 else first(ctx, "Concat", indices, {"axis": 0})
    all_data = data[0] if n == 1 else first(ctx, "Concat", data, {"axis": 0})
    count = first(ctx, "Add", [first(ctx, "ReduceMax", [all_indices], {"keepdims": 1}), const_i64(ctx, [1])])
    rest = first(ctx, "Slice", [shape_of(ctx, all_data), const_i64(ctx, [1]), const_i64(ctx, [INT64_MAX])])
    shape = first(ctx, "Concat", [count, rest], {"axis": 0})
    zeros = first(ctx, "Expand", [ctx.make_const(np.zeros((), node.output_dtype(0).as_numpy_dtype)), shape])
    # Later (data, index) pairs win on duplicate indices, as in TF; ScatterND applies them in order.
    first(ctx, "ScatterND", [zeros, unsqueeze(ctx, all_indices, [-1]), all_data], output=node.output(0))


# --------------------------------------------------------------------------- space <-> batch

def _block_params(node, i_block: int, i_pads: int, what: str):
    block, pads = node.input_value(i_block), node.input_value(i_pads)
    require(block is not None and pads is not None, node, f"block_shape and {what} must be constant")
    block = [int(b) for b in np.asarray(block).reshape(-1)]
    pads = np.asarray(pads, dtype=np.int64).reshape(len(block), 2)
    rank = node.input_rank(0)
    require(rank is not None and rank >= len(block) + 1, node, "the input needs a static rank")
    return block, pads, rank


def _dims(ctx, shape: str, start: int, stop: int | None = None) -> str:
    stop = INT64_MAX if stop is None else stop
    return first(ctx, "Slice", [shape, const_i64(ctx, [start]), const_i64(ctx, [stop])])


@handler("SpaceToBatchND")
def convert_space_to_batch_nd(ctx, node):
    # TF:   output = SpaceToBatchND(input [B, s..., r...], block_shape [M], paddings [M, 2])
    # ONNX: Pad -> Reshape [B, s1/b1, b1, ...] -> Transpose (blocks first) -> Reshape [B*prod(b), s/b..., r...]
    block, pads, rank = _block_params(node, 1, 2, "paddings")
    m = len(block)
    x = node.input(0)
    if pads.any():
        full = np.zeros((rank, 2), np.int64)
        full[1:1 + m] = pads
        x = first(ctx, "Pad", [x, const_i64(ctx, full.T.reshape(-1))])
    shape = shape_of(ctx, x)
    blocks = const_i64(ctx, block)
    outer = first(ctx, "Div", [_dims(ctx, shape, 1, 1 + m), blocks])
    pieces = [_dims(ctx, shape, 0, 1)]
    for i in range(m):
        pieces += [_dims(ctx, outer, i, i + 1), const_i64(ctx, [block[i]])]
    pieces.append(_dims(ctx, shape, 1 + m))
    split = first(ctx, "Reshape", [x, first(ctx, "Concat", pieces, {"axis": 0})])
    perm = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)] + list(range(2 * m + 1, rank + m))
    moved = first(ctx, "Transpose", [split], {"perm": perm})
    batch = first(ctx, "Mul", [_dims(ctx, shape, 0, 1), const_i64(ctx, [int(np.prod(block))])])
    target = first(ctx, "Concat", [batch, outer, _dims(ctx, shape, 1 + m)], {"axis": 0})
    first(ctx, "Reshape", [moved, target], output=node.output(0))


@handler("BatchToSpaceND")
def convert_batch_to_space_nd(ctx, node):
    # TF:   output = BatchToSpaceND(input [B*prod(b), s..., r...], block_shape [M], crops [M, 2])
    # ONNX: Reshape [b..., B, s..., r...] -> Transpose [B, s1, b1, ...] -> Reshape [B, s*b..., r...] -> Slice
    block, crops, rank = _block_params(node, 1, 2, "crops")
    m = len(block)
    shape = shape_of(ctx, node.input(0))
    batch = first(ctx, "Div", [_dims(ctx, shape, 0, 1), const_i64(ctx, [int(np.prod(block))])])
    split_shape = first(ctx, "Concat", [const_i64(ctx, block), batch, _dims(ctx, shape, 1)], {"axis": 0})
    split = first(ctx, "Reshape", [node.input(0), split_shape])
    perm = [m] + [k for i in range(m) for k in (m + 1 + i, i)] + list(range(2 * m + 1, rank + m))
    moved = first(ctx, "Transpose", [split], {"perm": perm})
    spatial = first(ctx, "Mul", [_dims(ctx, shape, 1, 1 + m), const_i64(ctx, block)])
    target = first(ctx, "Concat", [batch, spatial, _dims(ctx, shape, 1 + m)], {"axis": 0})
    merged = first(ctx, "Reshape", [moved, target], output=None if crops.any() else node.output(0))
    if crops.any():
        ends = [-int(c) if c else INT64_MAX for c in crops[:, 1]]
        first(ctx, "Slice", [merged, const_i64(ctx, crops[:, 0]), const_i64(ctx, ends),
                             const_i64(ctx, list(range(1, 1 + m)))], output=node.output(0))


@handler("ReverseSequence")
def convert_reverse_sequence(ctx, node):
    # TF:   output = ReverseSequence(input, seq_lengths, seq_dim: int, batch_dim: int)
    # ONNX: Y = ReverseSequence(X, Sequence_lens: int64, time_axis, batch_axis)  (axes 0 and 1 only)
    seq_dim, batch_dim = int(node.attr("seq_dim")), int(node.attr("batch_dim", 0))
    require({seq_dim, batch_dim} == {0, 1}, node,
            f"ONNX ReverseSequence takes time and batch axes 0 and 1, not {seq_dim} and {batch_dim}")
    lengths = to_int64(ctx, node.input(1))
    first(ctx, "ReverseSequence", [node.input(0), lengths], {"time_axis": seq_dim, "batch_axis": batch_dim},
          output=node.output(0))


@handler("ScatterNd", since=16)
def convert_scatter_nd(ctx, node):
    # TF:   output = ScatterNd(indices, updates, shape)  (duplicate indices add up)
    # ONNX: Output = ScatterND(zeros(Shape), Indices, Updates, reduction='add')  (opset >= 16)
    dtype = node.output_dtype(0)
    zeros = first(ctx, "Expand", [ctx.make_const(np.zeros((), dtype.as_numpy_dtype)), to_int64(ctx, node.input(2))])
    first(ctx, "ScatterND", [zeros, to_int64(ctx, node.input(0)), node.input(1)], {"reduction": "add"},
          output=node.output(0))


@handler("TensorScatterUpdate")
def convert_tensor_scatter_update(ctx, node):
    # TF:   output = TensorScatterUpdate(tensor, indices, updates)
    # ONNX: Output = ScatterND(Data, Indices, Updates)
    first(ctx, "ScatterND", [node.input(0), to_int64(ctx, node.input(1)), node.input(2)], output=node.output(0))
