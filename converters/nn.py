"""Handlers of the neural-network ops: convolutions, pools, batch norm, LRN, activations, MatMul,
resizes, SpaceToDepth/DepthToSpace and Pad.

TF convolutions and pools are channels-last (NHWC, NDHWC) by default; ONNX's are channels-first.
Each handler here wraps the ONNX op in Transpose(to channels-first) ... Transpose(back), and the
layout pass (`passes_onnx.push_transposes`) pushes and cancels those across the graph. Constant
filters are permuted at conversion time instead.
"""

from __future__ import annotations

import numpy as np
from ortflow.converters.context import onnx_type
from ortflow.converters.emit import const_i64, new_array
from ortflow.converters.registry import handler, require
from ortflow.formats import dtypes

__all__ = ["channels_first_perm", "channels_last_perm", "to_channels_first", "to_channels_last",
           "transposed"]


# --------------------------------------------------------------------------- layout helpers

def channels_first_perm(rank: int) -> list[int]:
    """[0, rank-1, 1, ..., rank-2]: NHWC -> NCHW."""
    return [0, rank - 1] + list(range(1, rank - 1))


def channels_last_perm(rank: int) -> list[int]:
    """[0, 2, ..., rank-1, 1]: NCHW -> NHWC."""
    return [0] + list(range(2, rank)) + [1]


def _is_channels_last(node) -> bool:
    fmt = node.str_attr("data_format", b"NHWC")
    return not fmt.startswith("NC")


def to_channels_first(ctx, node, x: str, rank: int) -> str:
    """`x` (NHWC) as NCHW, for the handler's ONNX op; identity when the node is NCHW already."""
    if not _is_channels_last(node):
        return x
    perm = channels_first_perm(rank)
    reshaped = _reshape_instead(ctx, x, perm)
    if reshaped is not None:
        return reshaped
    return ctx.make_node("Transpose", [x], {"perm": perm}, name=f"{node.name}/to_nchw")[0]


_LOOKBACK = 16


def _reshape_instead(ctx, x: str, perm: list[int]) -> str | None:
    """Transpose(Reshape(v, shape), perm) as one Reshape, when `perm` moves only size-1 dims.

    Squeeze-and-excite blocks reshape pooled [N, C] features to [N, 1, 1, C] for a 1x1 conv;
    the layout pass cannot push a Transpose through a Reshape, so without this each block
    keeps one. Only a Reshape to a constant shape qualifies (-1 counts as a non-1 dim).
    """
    # the Reshape is emitted just before the conv reading it: look back a few nodes only, so
    # that convolutions reading older values cost no walk over the whole graph
    producer = next((n for n in ctx.nodes[:-_LOOKBACK - 1:-1] if x in n.outputs), None)
    if producer is None or producer.op_type != "Reshape" or len(producer.inputs) < 2:
        return None
    shape = ctx.const_value(producer.inputs[1])
    if shape is None or shape.ndim != 1 or len(shape) != len(perm) or producer.attrs.get("allowzero"):
        return None
    shape = [int(d) for d in shape]
    kept = [d for d in range(len(perm)) if shape[d] != 1]
    if [d for d in perm if shape[d] != 1] != kept or any(d == 0 for d in shape):
        return None
    target = ctx.make_const(np.array([shape[d] for d in perm], np.int64))
    return ctx.make_node("Reshape", [producer.inputs[0], target])[0]


def to_channels_last(ctx, node, y: str, rank: int, output: str) -> str:
    """Transposes the ONNX op's NCHW result `y` back to the node's layout into `output`."""
    if not _is_channels_last(node):
        ctx.alias(y, output)
        return y
    return ctx.make_node("Transpose", [y], {"perm": channels_last_perm(rank)}, outputs=[output],
                         name=f"{node.name}/to_nhwc")[0]


def _spatial(node, values: list[int], rank: int) -> list[int]:
    """The spatial entries of a per-dim attr (strides, ksize, dilations) in the node's layout."""
    if len(values) != rank:
        return list(values)
    if _is_channels_last(node):
        return [int(v) for v in values[1:-1]]
    return [int(v) for v in values[2:]]


def _spatial_dims(node, shape, rank: int):
    """Spatial input dims (None where unknown) from a static TF shape, or None."""
    if shape is None or len(shape) != rank:
        return None
    return list(shape[1:-1]) if _is_channels_last(node) else list(shape[2:])


def _same_pads(in_dims, kernel, strides, dilations):
    """TF SAME padding per spatial dim: begins, ends (extra on the end), or None if unknown."""
    if in_dims is None or any(d is None for d in in_dims):
        return None
    begins, ends = [], []
    for size, k, s, d in zip(in_dims, kernel, strides, dilations):
        eff = (k - 1) * d + 1
        out = -(-size // s)
        total = max((out - 1) * s + eff - size, 0)
        begins.append(total // 2)
        ends.append(total - total // 2)
    return begins + ends


def _padding_attrs(node, in_dims, kernel, strides, dilations, rank: int) -> dict:
    padding = node.str_attr("padding")
    if padding == "VALID":
        return {"pads": [0] * (2 * len(kernel))}
    if padding == "SAME":
        pads = _same_pads(in_dims, kernel, strides, dilations)
        return {"auto_pad": "SAME_UPPER"} if pads is None else {"pads": pads}
    if padding == "EXPLICIT":
        explicit = list(node.attr("explicit_paddings"))
        require(len(explicit) == 2 * rank, node, f"explicit_paddings has {len(explicit)} entries, "
                f"expected {2 * rank}")
        pairs = [explicit[2 * i: 2 * i + 2] for i in range(rank)]
        spatial = pairs[1:-1] if _is_channels_last(node) else pairs[2:]
        return {"pads": [p[0] for p in spatial] + [p[1] for p in spatial]}
    require(False, node, f"padding {padding!r} is not supported")
    return {}


#: Arrays past this many bytes are transposed block by block (see `transposed`).
_BLOCKED_TRANSPOSE_BYTES = 1 << 20
_BLOCK = 64


def transposed(value: np.ndarray, perm: list[int]) -> np.ndarray:
    """`np.transpose(value, perm)` as a new C-contiguous array (0-d stays 0-d).

    A filter's HWIO -> OIHW copy walks the input with a huge stride when done in one go; done
    in 64 x 64 tiles of the input's two innermost axes, both sides stay in cache (about twice
    as fast on ResNet50's weights).
    """
    value = np.asarray(value)
    if value.ndim < 2 or value.nbytes < _BLOCKED_TRANSPOSE_BYTES:
        out = np.transpose(value, perm)
        if out.flags.c_contiguous:
            return out
        copy = new_array(out.shape, out.dtype)
        np.copyto(copy, out)
        return copy
    out = new_array([value.shape[p] for p in perm], value.dtype)
    inverse = [0] * len(perm)
    for i, p in enumerate(perm):
        inverse[p] = i
    view = out.transpose(inverse)  # out seen in value's axis order
    rows, cols = value.shape[-2:]
    for r in range(0, rows, _BLOCK):
        for c in range(0, cols, _BLOCK):
            view[..., r:r + _BLOCK, c:c + _BLOCK] = value[..., r:r + _BLOCK, c:c + _BLOCK]
    return out


def _filter(ctx, node, index: int, perm: list[int], transform=None) -> str:
    """Filter input `index` permuted to ONNX's layout: at conversion time when constant."""
    value = node.input_value(index)
    if value is not None:
        if transform is not None:
            value = transform(value)
        return ctx.make_const(transposed(value, perm), name=f"{node.name}/weights")
    require(transform is None, node, "a non-constant depthwise filter is not supported")
    return ctx.make_node("Transpose", [node.input(index)], {"perm": perm}, name=f"{node.name}/weights")[0]


# --------------------------------------------------------------------------- convolutions

def _atrous_1d(ctx, node, rank: int, weights: str, group: int) -> bool:
    """Emits Conv1D's dilated S2B/B2S form as Unsqueeze -> dilated Conv -> Squeeze."""
    from ortflow.converters.emit import squeeze as squeeze_axes
    from ortflow.converters.emit import unsqueeze

    found = _atrous_1d_pattern(ctx, node, rank)
    if found is None:
        return False
    source, dilations, pads, squeeze, b2s = found
    attrs = {"strides": [1, 1], "dilations": dilations, "group": group, "pads": pads,
             "kernel_shape": list(ctx.const_value(weights).shape[2:])}
    x = to_channels_first(ctx, node, unsqueeze(ctx, ctx.resolve(source), [1]), rank)
    y = ctx.make_node("Conv", [x, weights], attrs, name=f"{node.name}/Conv")[0]
    nhwc = to_channels_last(ctx, node, y, rank, ctx.unique_name(f"{node.name}/nhwc"))
    squeeze_axes(ctx, nhwc, [1], output=b2s.output(0))
    ctx.mark_converted([squeeze.name, b2s.name])
    return True


def _atrous_pattern(ctx, node, rank: int):
    """(S2B input tensor, dilations, pads, B2S node) when `node` is the inner conv of
    SpaceToBatchND -> conv (VALID, stride 1) -> BatchToSpaceND, TF's dilated depthwise conv
    (and tf.nn.atrous_conv2d, and Keras's dilated Conv3D); else None.

    S2B pads the input by P and splits it into d x d phase grids, the conv runs on each, B2S
    interleaves them again and crops C: that is one conv with dilation d and pads P - C.
    """
    if rank not in (4, 5) or not _is_channels_last(node) or node.attr("padding") != b"VALID":
        return None
    if any(int(v) != 1 for v in node.attr("strides")) or any(int(v) != 1 for v in node.attr("dilations", [1] * rank)):
        return None
    s2b = ctx.tf_node(node.input_tensor(0))
    readers = ctx.consumers(node.name)
    if s2b is None or s2b.op != "SpaceToBatchND" or len(readers) != 1 or readers[0].op != "BatchToSpaceND":
        return None
    b2s = readers[0]
    block, paddings = s2b.input_value(1), s2b.input_value(2)
    block_out, crops = b2s.input_value(1), b2s.input_value(2)
    if any(v is None for v in (block, paddings, block_out, crops)) or b2s.input_tensor(0) != node.output(0):
        return None
    block, block_out = np.asarray(block).reshape(-1), np.asarray(block_out).reshape(-1)
    paddings, crops = np.asarray(paddings).reshape(-1, 2), np.asarray(crops).reshape(-1, 2)
    spatial = rank - 2
    if len(block) != spatial or not np.array_equal(block, block_out) or paddings.shape != (spatial, 2) \
            or crops.shape != (spatial, 2):
        return None
    pads = paddings - crops
    if (pads < 0).any():
        return None
    return (s2b.input_tensor(0), [int(b) for b in block], [int(p) for p in pads[:, 0]] + [int(p) for p in pads[:, 1]],
            b2s)


def _only_reader(ctx, node_name: str, op_type: str):
    readers = ctx.consumers(node_name)
    return readers[0] if len(readers) == 1 and readers[0].op == op_type else None


def _atrous_1d_pattern(ctx, node, rank: int):
    """(S2B input, [1, d], pads, Squeeze node, B2S node) for Conv1D's dilated form:
    SpaceToBatchND (block [d]) -> ExpandDims(-3) -> conv (VALID, stride 1) -> Squeeze(-3) ->
    BatchToSpaceND; else None. As `_atrous_pattern`, with the height dim of size 1 unpadded."""
    if rank != 4 or not _is_channels_last(node) or node.attr("padding") != b"VALID":
        return None
    if any(int(v) != 1 for v in node.attr("strides")) or any(int(v) != 1 for v in node.attr("dilations", [1] * 4)):
        return None
    expand = ctx.tf_node(node.input_tensor(0))
    if expand is None or expand.op != "ExpandDims" or expand.input_value(1) is None or \
            int(np.asarray(expand.input_value(1)).reshape(-1)[0]) not in (1, -3):
        return None
    s2b = ctx.tf_node(expand.input_tensor(0))
    squeeze = _only_reader(ctx, node.name, "Squeeze")
    b2s = _only_reader(ctx, squeeze.name, "BatchToSpaceND") if squeeze is not None else None
    if s2b is None or s2b.op != "SpaceToBatchND" or b2s is None or list(squeeze.attr("squeeze_dims", [])) not in ([1], [-3]):
        return None
    values = [s2b.input_value(1), s2b.input_value(2), b2s.input_value(1), b2s.input_value(2)]
    if any(v is None for v in values):
        return None
    block, paddings, block_out, crops = (np.asarray(v) for v in values)
    if block.size != 1 or not np.array_equal(block, block_out) or paddings.size != 2 or crops.size != 2:
        return None
    pads = paddings.reshape(2) - crops.reshape(2)
    if (pads < 0).any():
        return None
    return s2b.input_tensor(0), [1, int(block.reshape(-1)[0])], [0, int(pads[0]), 0, int(pads[1])], squeeze, b2s


def _convolution(ctx, node, rank: int, weights: str, group: int) -> None:
    """Shared tail of Conv2D/Conv3D/Depthwise: attrs, transposes, the Conv."""
    if ctx.const_value(weights) is not None and _atrous_1d(ctx, node, rank, weights, group):
        return
    atrous = _atrous_pattern(ctx, node, rank) if ctx.const_value(weights) is not None else None
    if atrous is not None:
        source, dilations, pads, b2s = atrous
        attrs = {"strides": [1] * (rank - 2), "dilations": dilations, "group": group, "pads": pads,
                 "kernel_shape": list(ctx.const_value(weights).shape[2:])}
        x = to_channels_first(ctx, node, ctx.resolve(source), rank)
        y = ctx.make_node("Conv", [x, weights], attrs, name=f"{node.name}/Conv")[0]
        to_channels_last(ctx, node, y, rank, b2s.output(0))
        ctx.mark_converted([b2s.name])
        return
    strides = _spatial(node, list(node.attr("strides")), rank)
    dilations = _spatial(node, list(node.attr("dilations", [1] * rank)), rank)
    kernel_shape = list(ctx.const_value(weights).shape[2:]) if ctx.const_value(weights) is not None \
        else None
    filter_shape = node.input_shape(1)
    if kernel_shape is None and filter_shape is not None and None not in filter_shape[:-2]:
        kernel_shape = list(filter_shape[:-2])
    attrs = {"strides": strides, "dilations": dilations, "group": group}
    if kernel_shape is None:
        # ONNX takes the kernel from W; TF SAME padding is SAME_UPPER whatever the sizes
        padding = node.attr("padding")
        require(padding in (b"SAME", b"VALID"), node, "explicit padding needs a static filter shape")
        attrs["auto_pad"] = "SAME_UPPER" if padding == b"SAME" else "VALID"
    else:
        attrs["kernel_shape"] = kernel_shape
        attrs.update(_padding_attrs(node, _spatial_dims(node, node.input_shape(0), rank), kernel_shape,
                                    strides, dilations, rank))
    x = to_channels_first(ctx, node, node.input(0), rank)
    y = ctx.make_node("Conv", [x, weights], attrs, name=f"{node.name}/Conv")[0]
    to_channels_last(ctx, node, y, rank, node.output(0))


#: Ops whose output has their first input's last dim (followed back to find a conv's channels).
_SAME_LAST_DIM = {"Identity", "ExpandDims", "Relu", "Relu6", "Elu", "Selu", "Sigmoid", "Tanh", "BiasAdd",
                  "Neg", "Abs", "Square", "Sqrt", "Rsqrt", "Exp", "Softplus", "LeakyRelu", "Cast"}


def _channels_last_dim(ctx, tensor: str, depth: int = 8):
    """The last dim of `tensor`, following ops that keep it back to a static shape or to a
    Reshape whose target's last entry is constant (RepeatVector builds its target at run time)."""
    from ortflow.converters.array import partial_shape_vector, repeat_pattern

    for _ in range(depth):
        shape = ctx.tensor_shape(tensor)
        if shape is not None and shape and shape[-1] is not None:
            return int(shape[-1])
        producer = ctx.tf_node(tensor)
        if producer is None:
            return None
        if producer.op == "Reshape":
            target = partial_shape_vector(ctx, producer.input_tensor(1))
            if target and target[-1] is not None and target[-1] >= 0:
                return target[-1]
            repeat = repeat_pattern(ctx, producer)  # RepeatVector: the last dim is x's
            if repeat is None or repeat[1] == repeat[3] - 1:
                return None
            tensor = repeat[0]
            continue
        if producer.op == "ExpandDims":
            axis = producer.input_value(1)
            if axis is None or int(np.asarray(axis).reshape(-1)[0]) == -1:
                return None
        elif producer.op in ("Select", "SelectV2"):
            tensor = producer.input_tensor(1)
            continue
        elif producer.op not in _SAME_LAST_DIM:
            return None
        tensor = producer.input_tensor(0)
    return None


def _group_count(node, rank: int) -> int:
    in_shape, filter_shape = node.input_shape(0), node.input_shape(1)
    if filter_shape is None:
        return 1
    if (in_shape is None or len(in_shape) != rank or in_shape[-1] is None) and _is_channels_last(node):
        in_shape = [None] * (rank - 1) + [_channels_last_dim(node.ctx, node.input_tensor(0))]
    if in_shape is None or len(in_shape) != rank:
        return 1
    channels = in_shape[-1] if _is_channels_last(node) else in_shape[1]
    per_group = filter_shape[-2]
    if channels is None or per_group is None or per_group == channels:
        return 1
    require(channels % per_group == 0, node, f"input channels {channels} are not a multiple of the "
            f"filter's {per_group}")
    return channels // per_group


@handler("Conv2D")
def convert_conv2d(ctx, node):
    # TF:   output = Conv2D(input NHWC|NCHW, filter HWIO, strides, padding, dilations, data_format)
    # ONNX: Y = Conv(X NCHW, W OIHW, strides, pads|auto_pad, dilations, group)
    weights = _filter(ctx, node, 1, [3, 2, 0, 1])
    _convolution(ctx, node, 4, weights, _group_count(node, 4))


@handler("Conv3D")
def convert_conv3d(ctx, node):
    # TF:   output = Conv3D(input NDHWC|NCDHW, filter DHWIO, strides, padding, dilations)
    # ONNX: Y = Conv(X NCDHW, W OIDHW, strides, pads|auto_pad, dilations, group)
    weights = _filter(ctx, node, 1, [4, 3, 0, 1, 2])
    _convolution(ctx, node, 5, weights, _group_count(node, 5))


@handler("DepthwiseConv2dNative")
def convert_depthwise_conv2d(ctx, node):
    # TF:   output = DepthwiseConv2dNative(input NHWC, filter [H, W, C, M], strides, padding)
    # ONNX: Y = Conv(X NCHW, W [C*M, 1, H, W], group=C)   (output channel c*M + m, as TF)
    shape = node.input_shape(1)
    require(shape is not None and None not in shape, node,
            "the depthwise filter's shape must be static")
    h, w, c, m = (int(d) for d in shape)
    if node.input_value(1) is not None:
        weights = _filter(ctx, node, 1, [3, 2, 0, 1], transform=lambda v: v.reshape(h, w, 1, c * m))
    else:  # a filter known only at run time (a Session's variable): the same rearrangement in ONNX
        flat = ctx.make_node("Reshape", [node.input(1), const_i64(ctx, [h, w, 1, c * m])],
                             name=f"{node.name}/filter_flat")[0]
        weights = ctx.make_node("Transpose", [flat], {"perm": [3, 2, 0, 1]},
                                name=f"{node.name}/weights")[0]
    _convolution(ctx, node, 4, weights, c)


def _backprop_sizes(node, rank: int):
    """The input_sizes of a conv backprop-input node, or None when unknown.

    Keras builds them at run time (`stack([batch, h, w, c])`): then the output's static shape
    has the spatial dims, which are all ConvTranspose needs (the batch follows the input).
    """
    sizes = node.input_value(0)
    if sizes is not None:
        return [int(v) for v in np.asarray(sizes).reshape(-1)]
    for shape in (_packed_dims(node), node.output_shape(0)):
        spatial = _spatial_dims(node, shape, rank)
        if spatial is not None and all(d is not None for d in spatial):
            return [int(d) for d in spatial]
    return None


def _packed_dims(node) -> list | None:
    """The dims of input 0 built from Pack/ConcatV2 of scalars: constant ones, others None."""
    from ortflow.converters.array import partial_shape_vector

    return partial_shape_vector(node.ctx, node.input_tensor(0))


@handler("Conv2DBackpropInput")
def convert_conv2d_backprop_input(ctx, node):
    # TF:   output = Conv2DBackpropInput(input_sizes, filter HWIO, out_backprop, strides, padding)
    # ONNX: Y = ConvTranspose(X NCHW, W [O, I, H, W], strides, pads, output_padding)
    _conv_transpose(ctx, node, 4)


@handler("Conv3DBackpropInputV2")
def convert_conv3d_backprop_input(ctx, node):
    # TF:   output = Conv3DBackpropInputV2(input_sizes, filter DHWIO, out_backprop, strides, padding)
    # ONNX: Y = ConvTranspose(X NCDHW, W [O, I, D, H, W], strides, pads, output_padding)
    _conv_transpose(ctx, node, 5)


def _conv_transpose(ctx, node, rank: int) -> None:
    """A conv's gradient w.r.t. its input as ConvTranspose: TF names the output size, ONNX
    derives it from pads and output_padding, so both are solved for here."""
    sizes = _backprop_sizes(node, rank)
    require(sizes is not None, node, "input_sizes must be constant, or the output's spatial dims static")
    spatial = rank - 2
    weights = _filter(ctx, node, 1, [rank - 1, rank - 2] + list(range(spatial)))
    filter_shape = node.input_shape(1)
    if ctx.const_value(weights) is not None:
        kernel = list(ctx.const_value(weights).shape[2:])
    elif filter_shape is not None and None not in filter_shape[:spatial]:
        kernel = [int(d) for d in filter_shape[:spatial]]  # a filter known only at run time
    else:
        kernel = None
    require(kernel is not None, node, "the filter's spatial shape must be static")
    strides = _spatial(node, list(node.attr("strides")), rank)
    dilations = _spatial(node, list(node.attr("dilations", [1] * rank)), rank)
    out_dims = _spatial(node, sizes, rank) if len(sizes) == rank else [int(v) for v in sizes]
    pads = _padding_attrs(node, out_dims, kernel, strides, dilations, rank)["pads"]
    in_dims = _spatial_dims(node, node.input_shape(2), rank)
    if in_dims is None or None in in_dims:
        in_dims = [-(-o // s) if pads != [0] * (2 * spatial) else (o - ((k - 1) * d + 1)) // s + 1
                   for o, k, s, d in zip(out_dims, kernel, strides, dilations)]
    out_pad = []
    for i, (o, n, k, s, d) in enumerate(zip(out_dims, in_dims, kernel, strides, dilations)):
        produced = s * (n - 1) + (k - 1) * d + 1 - pads[i] - pads[i + spatial]
        require(0 <= o - produced < s, node, f"output size {o} cannot be produced from {n}")
        out_pad.append(o - produced)
    attrs = {"strides": strides, "dilations": dilations, "kernel_shape": kernel, "pads": pads,
             "output_padding": out_pad}
    x = to_channels_first(ctx, node, node.input(2), rank)
    y = ctx.make_node("ConvTranspose", [x, weights], attrs, name=f"{node.name}/ConvTranspose")[0]
    to_channels_last(ctx, node, y, rank, node.output(0))


@handler("BiasAdd", "BiasAddV1")
def convert_bias_add(ctx, node):
    # TF:   output = BiasAdd(value, bias [C], data_format)
    # ONNX: C = Add(A, B)   (B reshaped to [C, 1, ...] for channels-first values)
    bias = node.input(1)
    rank = node.input_rank(0)
    if not _is_channels_last(node):
        require(rank is not None, node, "an NCHW BiasAdd needs the input's static rank")
        value = node.input_value(1)
        if value is not None:
            bias = ctx.make_const(value.reshape((-1,) + (1,) * (rank - 2)), name=f"{node.name}/bias")
        else:
            shape = ctx.make_const(np.array([-1] + [1] * (rank - 2), np.int64))
            bias = ctx.make_node("Reshape", [bias, shape])[0]
    ctx.make_node("Add", [node.input(0), bias], outputs=[node.output(0)])


# --------------------------------------------------------------------------- pools

def _pool(ctx, node, onnx_op: str, rank: int, ksize=None, strides=None) -> None:
    ksize = _spatial(node, list(ksize if ksize is not None else node.attr("ksize")), rank)
    strides = _spatial(node, list(strides if strides is not None else node.attr("strides")), rank)
    attrs = {"kernel_shape": ksize, "strides": strides}
    attrs.update(_padding_attrs(node, _spatial_dims(node, node.input_shape(0), rank), ksize, strides,
                                [1] * len(ksize), rank))
    if onnx_op == "AveragePool":
        attrs["count_include_pad"] = 0  # TF averages over the valid window only
    x = to_channels_first(ctx, node, node.input(0), rank)
    y = ctx.make_node(onnx_op, [x], attrs, name=f"{node.name}/{onnx_op}")[0]
    to_channels_last(ctx, node, y, rank, node.output(0))


@handler("MaxPool")
def convert_max_pool(ctx, node):
    # TF:   output = MaxPool(input, ksize, strides, padding, data_format)
    # ONNX: Y = MaxPool(X NCHW, kernel_shape, strides, pads|auto_pad)
    require(node.attr("data_format", b"NHWC") in (b"NHWC", b"NCHW"), node, "only NHWC/NCHW")
    _pool(ctx, node, "MaxPool", 4)


@handler("MaxPoolV2")
def convert_max_pool_v2(ctx, node):
    # TF:   output = MaxPoolV2(input, ksize tensor, strides tensor, padding, data_format)
    # ONNX: Y = MaxPool(X NCHW, kernel_shape, strides, pads|auto_pad)
    ksize, strides = node.input_value(1), node.input_value(2)
    require(ksize is not None and strides is not None, node, "ksize and strides must be constant")
    _pool(ctx, node, "MaxPool", 4, ksize.tolist(), strides.tolist())


@handler("AvgPool")
def convert_avg_pool(ctx, node):
    # TF:   output = AvgPool(value, ksize, strides, padding, data_format)
    # ONNX: Y = AveragePool(X NCHW, kernel_shape, strides, pads|auto_pad, count_include_pad=0)
    _pool(ctx, node, "AveragePool", 4)


@handler("MaxPool3D")
def convert_max_pool3d(ctx, node):
    # TF:   output = MaxPool3D(input NDHWC, ksize, strides, padding)
    # ONNX: Y = MaxPool(X NCDHW, kernel_shape, strides, pads|auto_pad)
    _pool(ctx, node, "MaxPool", 5)


@handler("AvgPool3D")
def convert_avg_pool3d(ctx, node):
    # TF:   output = AvgPool3D(input NDHWC, ksize, strides, padding)
    # ONNX: Y = AveragePool(X NCDHW, kernel_shape, strides, pads|auto_pad, count_include_pad=0)
    _pool(ctx, node, "AveragePool", 5)


# --------------------------------------------------------------------------- normalization

@handler("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3")
def convert_fused_batch_norm(ctx, node):
    # TF:   y, batch_mean, batch_var, ... = FusedBatchNorm(x, scale, offset, mean, variance,
    #                                                      epsilon, is_training, data_format)
    # ONNX: Y = BatchNormalization(X NCHW, scale, B, input_mean, input_var, epsilon)
    rank = node.input_rank(0) or 4
    eps = float(node.attr("epsilon", 1e-4))
    if node.attr("is_training", True):
        _batch_norm_training(ctx, node, rank, eps)
        return
    x = to_channels_first(ctx, node, node.input(0), rank)
    inputs = [x] + [ctx.cast(node.input(i), node.input_dtype(0)) if node.input_dtype(i) != node.input_dtype(0)
                    else node.input(i) for i in range(1, 5)]
    y = ctx.make_node("BatchNormalization", inputs, {"epsilon": eps}, name=f"{node.name}/BatchNorm")[0]
    to_channels_last(ctx, node, y, rank, node.output(0))
    for i in (1, 2):
        ctx.alias(node.input(i + 2), node.output(i))


def _batch_norm_training(ctx, node, rank: int, eps: float) -> None:
    """Normalizes with the batch's own statistics (is_training=True), as TF does."""
    axes = [0] + (list(range(1, rank - 1)) if _is_channels_last(node) else list(range(2, rank)))
    x = node.input(0)
    dt = node.input_dtype(0)
    mean = _reduce_mean(ctx, x, axes, True)
    centered = ctx.make_node("Sub", [x, mean])[0]
    var = _reduce_mean(ctx, ctx.make_node("Mul", [centered, centered])[0], axes, True)
    denom = ctx.make_node("Sqrt", [ctx.make_node("Add", [var, ctx.make_const(np.array(eps, dt.as_numpy_dtype))])[0]])[0]
    scale, offset = node.input(1), node.input(2)
    if not _is_channels_last(node):
        shape = ctx.make_const(np.array([-1] + [1] * (rank - 2), np.int64))
        scale = ctx.make_node("Reshape", [scale, shape])[0]
        offset = ctx.make_node("Reshape", [offset, shape])[0]
    normed = ctx.make_node("Div", [centered, denom])[0]
    scaled = ctx.make_node("Mul", [normed, scale])[0]
    ctx.make_node("Add", [scaled, offset], outputs=[node.output(0)])
    flat_mean = _reduce_mean(ctx, x, axes, False)
    flat_var = _reduce_mean(ctx, ctx.make_node("Mul", [centered, centered])[0], axes, False)
    ctx.alias(flat_mean, node.output(1))
    # TF's batch_variance output (what moving averages are fed) is Bessel-corrected: n / (n - 1)
    # times the variance it normalizes with, n being the count of values per channel.
    count = _per_channel_count(ctx, node, x, axes, dt)
    correction = ctx.make_node("Div", [count, ctx.make_node(
        "Sub", [count, ctx.make_const(np.array(1, dt.as_numpy_dtype))])[0]])[0]
    ctx.make_node("Mul", [flat_var, correction], outputs=[node.output(2)])


def _per_channel_count(ctx, node, x: str, axes: list[int], dt) -> str:
    """The number of values each channel's statistics are over, as a scalar of dtype `dt`."""
    shape = node.input_shape(0)
    if shape is not None and all(shape[a] is not None for a in axes):
        return ctx.make_const(np.array(np.prod([shape[a] for a in axes]), dt.as_numpy_dtype))
    dims = ctx.make_node("Gather", [ctx.make_node("Shape", [x])[0],
                                    ctx.make_const(np.array(axes, np.int64))], {"axis": 0})[0]
    product = ctx.make_node("ReduceProd", [dims], {"keepdims": 0})[0]
    return ctx.cast(product, dt)


def _reduce_mean(ctx, x: str, axes: list[int], keepdims: bool) -> str:
    if ctx.opset >= 18:
        return ctx.make_node("ReduceMean", [x, ctx.make_const(np.array(axes, np.int64))],
                             {"keepdims": int(keepdims)})[0]
    return ctx.make_node("ReduceMean", [x], {"axes": axes, "keepdims": int(keepdims)})[0]


@handler("LRN")
def convert_lrn(ctx, node):
    # TF:   output = LRN(input NHWC, depth_radius r, bias, alpha, beta)
    #       = x / (bias + alpha * sum_{|d'-d|<=r} x[d']^2) ^ beta
    # ONNX: Y = LRN(X NCHW, size=2r+1, alpha=alpha*size, beta, bias)   (ONNX divides by size)
    radius = int(node.attr("depth_radius", 5))
    size = 2 * radius + 1
    attrs = {"size": size, "alpha": float(node.attr("alpha", 1.0)) * size,
             "beta": float(node.attr("beta", 0.5)), "bias": float(node.attr("bias", 1.0))}
    x = ctx.make_node("Transpose", [node.input(0)], {"perm": [0, 3, 1, 2]}, name=f"{node.name}/to_nchw")[0]
    y = ctx.make_node("LRN", [x], attrs, name=f"{node.name}/LRN")[0]
    ctx.make_node("Transpose", [y], {"perm": [0, 2, 3, 1]}, outputs=[node.output(0)],
                  name=f"{node.name}/to_nhwc")


# --------------------------------------------------------------------------- activations

_SIMPLE_ACTIVATIONS = {"Relu": "Relu", "Elu": "Elu", "Selu": "Selu", "Sigmoid": "Sigmoid",
                       "Tanh": "Tanh", "Softsign": "Softsign"}


@handler(*_SIMPLE_ACTIVATIONS)
def convert_activation(ctx, node):
    # TF:   activations = Relu|Elu|Selu|Sigmoid|Tanh|Softsign(features)
    # ONNX: Y = Relu|Elu|Selu|Sigmoid|Tanh|Softsign(X)   (Elu alpha 1 and Selu constants as TF)
    ctx.make_node(_SIMPLE_ACTIVATIONS[node.op], [node.input(0)], outputs=[node.output(0)])


@handler("Relu6")
def convert_relu6(ctx, node):
    # TF:   activations = Relu6(features) = min(max(x, 0), 6)
    # ONNX: Y = Clip(X, 0, 6)
    dt = node.input_dtype(0).as_numpy_dtype
    lo = ctx.make_const(np.array(0, dt), name=f"{node.name}/zero")
    hi = ctx.make_const(np.array(6, dt), name=f"{node.name}/six")
    ctx.make_node("Clip", [node.input(0), lo, hi], outputs=[node.output(0)])


@handler("LeakyRelu")
def convert_leaky_relu(ctx, node):
    # TF:   activations = LeakyRelu(features, alpha)
    # ONNX: Y = LeakyRelu(X, alpha)
    ctx.make_node("LeakyRelu", [node.input(0)], {"alpha": float(node.attr("alpha", 0.2))},
                  outputs=[node.output(0)])


@handler("Softplus")
def convert_softplus(ctx, node):
    # TF:   activations = Softplus(features) = log(exp(x) + 1), computed without overflow
    # ONNX: Y = Softplus(X)
    ctx.make_node("Softplus", [node.input(0)], outputs=[node.output(0)])


@handler("Softmax", "LogSoftmax", since=13)
def convert_softmax(ctx, node):
    # TF:   softmax = Softmax(logits)           (over the last axis)
    # ONNX: Y = Softmax(X, axis=-1)             (opset >= 13: per axis, not flattened)
    ctx.make_node(node.op, [node.input(0)], {"axis": -1}, outputs=[node.output(0)])


# --------------------------------------------------------------------------- matmul

@handler("MatMul")
def convert_matmul(ctx, node):
    # TF:   product = MatMul(a, b, transpose_a, transpose_b)
    # ONNX: Y = MatMul(A, B)   (transposes folded into constants or emitted)
    operands = []
    for i, flag in ((0, "transpose_a"), (1, "transpose_b")):
        name = node.input(i)
        if node.attr(flag, False):
            value = node.input_value(i)
            if value is not None:
                name = ctx.make_const(np.ascontiguousarray(value.T), name=f"{node.name}/{'ab'[i]}_t")
            else:
                name = ctx.make_node("Transpose", [name], {"perm": [1, 0]})[0]
        operands.append(name)
    if node.output_dtype(0) == dtypes.float16:
        # TF multiplies half matrices with float accumulation; onnxruntime's half MatMul rounds
        # partial sums to half (a few ulps apart), so the product is taken in float32.
        wide = [ctx.cast(x, dtypes.float32) for x in operands]
        product = ctx.make_node("MatMul", wide, dtypes_=[dtypes.float32])[0]
        ctx.make_node("Cast", [product], {"to": onnx_type(dtypes.float16)}, outputs=[node.output(0)])
        return
    ctx.make_node("MatMul", operands, outputs=[node.output(0)])


# --------------------------------------------------------------------------- resize

def _resize(ctx, node, mode: str) -> None:
    require(node.input_rank(0) in (None, 4), node, "only 4-D images can be resized")
    align = bool(node.attr("align_corners", False))
    half = bool(node.attr("half_pixel_centers", False))
    require(not (align and half), node, "align_corners and half_pixel_centers together")
    if align:
        transform = "align_corners"
    elif half:
        transform = "half_pixel"
    else:
        transform = "asymmetric"
    attrs = {"mode": mode, "coordinate_transformation_mode": transform}
    if mode == "nearest":
        attrs["nearest_mode"] = "floor" if transform == "asymmetric" else "round_prefer_ceil"
    x = node.input(0)
    size64 = _int64(ctx, node, 1)
    # full N, C, H, W sizes (no `axes`: onnxruntime's transpose optimizer mishandles it on
    # Resize, "Number of elements of input 'sizes' (0) does not match the number of axes")
    shape = ctx.make_node("Shape", [x])[0]
    nc = ctx.make_node("Gather", [shape, ctx.make_const(np.array([0, 3], np.int64))], {"axis": 0})[0]
    sizes = ctx.make_node("Concat", [nc, size64], {"axis": 0})[0]
    # channels-first like the convolutions, so the layout pass cancels the transposes
    x_nchw = ctx.make_node("Transpose", [x], {"perm": [0, 3, 1, 2]}, name=f"{node.name}/to_nchw")[0]
    y = ctx.make_node("Resize", [x_nchw, "", "", sizes], attrs)[0]
    ctx.make_node("Transpose", [y], {"perm": [0, 2, 3, 1]}, outputs=[node.output(0)],
                  name=f"{node.name}/to_nhwc")


def _int64(ctx, node, i: int) -> str:
    value = node.input_value(i)
    if value is not None:
        return ctx.make_const(value.astype(np.int64), name=f"{node.name}/size")
    return ctx.make_node("Cast", [node.input(i)], {"to": 7})[0]


@handler("ResizeBilinear", since=13)
def convert_resize_bilinear(ctx, node):
    # TF:   resized = ResizeBilinear(images NHWC, size [h, w], align_corners, half_pixel_centers)
    # ONNX: Y = Resize(X, sizes, mode=linear, coordinate_transformation_mode=...)
    _resize(ctx, node, "linear")


@handler("ResizeNearestNeighbor", since=13)
def convert_resize_nearest(ctx, node):
    # TF:   resized = ResizeNearestNeighbor(images NHWC, size, align_corners, half_pixel_centers)
    # ONNX: Y = Resize(X, sizes, mode=nearest, nearest_mode=floor|round_prefer_ceil)
    _resize(ctx, node, "nearest")


@handler("ResizeBicubic", since=13)
def convert_resize_bicubic(ctx, node):
    # TF:   resized = ResizeBicubic(images NHWC, size, align_corners, half_pixel_centers)
    # ONNX: Y = Einsum('yh,nhwc,xw->nyxc', Wy, X, Wx)   (TF's own tap weights: constants for
    #       static sizes, else built from the run-time sizes with ONNX ops)
    # TF reads its kernel from a 1024-step table, which ONNX Resize's exact cubic misses by up
    # to ~1e-3 whatever its attributes; the weight matrices reproduce TF to float rounding.
    from ortflow.converters.image import (
        bicubic_weights,
        runtime_bicubic_resize,
        separable_resize,
        static_resize_sizes,
    )

    sizes = static_resize_sizes(node)
    if sizes is None:
        runtime_bicubic_resize(ctx, node)
        return
    in_h, in_w, out_h, out_w = sizes
    corners, half = bool(node.attr("align_corners", False)), bool(node.attr("half_pixel_centers", False))
    separable_resize(ctx, node, bicubic_weights(in_h, out_h, corners, half),
                     bicubic_weights(in_w, out_w, corners, half))


# --------------------------------------------------------------------------- space/depth

def _depth_space(ctx, node, onnx_op: str) -> None:
    block = int(node.attr("block_size"))
    attrs = {"blocksize": block}
    if onnx_op == "DepthToSpace":
        attrs["mode"] = "DCR"  # TF's NHWC channel order (row, column, channel)
    x = to_channels_first(ctx, node, node.input(0), 4)
    y = ctx.make_node(onnx_op, [x], attrs, name=f"{node.name}/{onnx_op}")[0]
    to_channels_last(ctx, node, y, 4, node.output(0))


@handler("SpaceToDepth")
def convert_space_to_depth(ctx, node):
    # TF:   output = SpaceToDepth(input NHWC, block_size)
    # ONNX: Y = SpaceToDepth(X NCHW, blocksize)
    _depth_space(ctx, node, "SpaceToDepth")


@handler("DepthToSpace")
def convert_depth_to_space(ctx, node):
    # TF:   output = DepthToSpace(input NHWC, block_size)
    # ONNX: Y = DepthToSpace(X NCHW, blocksize, mode=DCR)
    _depth_space(ctx, node, "DepthToSpace")


# --------------------------------------------------------------------------- pad

@handler("Pad", "PadV2")
def convert_pad(ctx, node):
    # TF:   output = Pad(input, paddings [rank, 2]) / PadV2(input, paddings, constant_values)
    # ONNX: output = Pad(data, pads [begins..., ends...], constant_value)   (opset >= 11)
    paddings = node.input_value(1)
    if paddings is not None:
        pads = ctx.make_const(np.concatenate([paddings[:, 0], paddings[:, 1]]).astype(np.int64),
                              name=f"{node.name}/pads")
    else:
        flat = ctx.make_node("Transpose", [ctx.cast(node.input(1), dtypes.int64)], {"perm": [1, 0]})[0]
        pads = ctx.make_node("Reshape", [flat, ctx.make_const(np.array([-1], np.int64))])[0]
    inputs = [node.input(0), pads]
    if node.op == "PadV2":
        inputs.append(node.input(2))
    ctx.make_node("Pad", inputs, {"mode": "constant"}, outputs=[node.output(0)])
