"""Shape functions of neural-network ops: convolutions, pools, batch norm, losses, resizes."""

from __future__ import annotations

from ortflow.errors import GraphError
from ortflow.graph.ops.registry import shape_fn
from ortflow.graph.ops.shapes_common import (
    attr,
    broadcast,
    data_format,
    int_list,
    merge_dim,
    merge_shapes,
    shape_from_value,
    with_rank,
)

__all__ = ["conv_output_size"]


def conv_output_size(size: int | None, kernel: int | None, stride: int, dilation: int,
                     padding: str, pad_before: int = 0, pad_after: int = 0) -> int | None:
    """One spatial output dim of a convolution or pool, as TensorFlow computes it.

    Raises:
        GraphError: when a VALID/EXPLICIT window does not fit the (padded) input.
    """
    if size is None:
        return None
    if padding == "SAME":
        return -(-size // stride)
    if kernel is None:
        return None
    effective = (kernel - 1) * dilation + 1
    padded = size + pad_before + pad_after if padding == "EXPLICIT" else size
    if padded < effective:
        raise GraphError(f"a window of size {effective} does not fit an input dim of size {padded}")
    return (padded - effective) // stride + 1


def _layout(fmt: str, rank: int) -> tuple[int, list[int]]:
    # (channel axis, spatial axes) of a data_format such as NHWC, NCHW, NDHWC, NCDHW, NWC.
    if fmt.startswith("NC"):
        return 1, list(range(2, rank))
    return rank - 1, list(range(1, rank - 1))


def _explicit_pads(node_def, rank: int) -> list[tuple[int, int]]:
    pads = attr(node_def, "explicit_paddings", []) or []
    if not pads:
        return [(0, 0)] * rank
    if len(pads) != 2 * rank:
        raise GraphError(f"explicit_paddings has {len(pads)} entries; expected {2 * rank}")
    return [(pads[2 * i], pads[2 * i + 1]) for i in range(rank)]


def _conv(node_def, x, kernel_spatial, out_channels, rank: int):
    """Shared by ConvND and depthwise: output shape from input, kernel spatial dims, channels."""
    fmt = data_format(node_def, "NHWC" if rank == 4 else "NDHWC")
    x = with_rank(x, rank, "the convolution input")
    channel, spatial = _layout(fmt, rank)
    strides = attr(node_def, "strides")
    dilations = attr(node_def, "dilations", None) or [1] * rank
    padding = attr(node_def, "padding").decode()
    pads = _explicit_pads(node_def, rank) if padding == "EXPLICIT" else [(0, 0)] * rank
    out = list(x)
    out[channel] = out_channels
    for k, axis in zip(kernel_spatial, spatial):
        out[axis] = conv_output_size(x[axis], k, strides[axis], dilations[axis], padding, *pads[axis])
    return tuple(out)


@shape_fn("Conv2D", "Conv3D", "_FusedConv2D")
def _conv_nd(node_def, shapes, values):
    rank = 5 if node_def.op == "Conv3D" else 4
    w = with_rank(shapes[1], rank, "the filter")
    x = shapes[0]
    if x is not None:
        fmt = data_format(node_def, "NHWC" if rank == 4 else "NDHWC")
        in_channels = x[_layout(fmt, rank)[0]]
        if in_channels is not None and w[-2] is not None and in_channels % w[-2]:
            raise GraphError(f"input depth {in_channels} is not a multiple of filter depth {w[-2]}")
    return [_conv(node_def, x, w[:-2], w[-1], rank)]


@shape_fn("DepthwiseConv2dNative", "_FusedDepthwiseConv2dNative")
def _depthwise(node_def, shapes, values):
    w = with_rank(shapes[1], 4, "the filter")
    out_channels = None if None in (w[2], w[3]) else w[2] * w[3]
    return [_conv(node_def, shapes[0], w[:2], out_channels, 4)]


@shape_fn("Conv3DBackpropInputV2", "DepthwiseConv2dNativeBackpropInput", "AvgPoolGrad", "AvgPool3DGrad")
def _from_sizes_input0(node_def, shapes, values):
    return [shape_from_value(values[0], shapes[0])]


@shape_fn("Conv2DBackpropInput")
def _conv2d_backprop_input(node_def, shapes, values):
    # As TF: the sizes argument gives the shape, but the batch dim is out_backprop's (conv2d_transpose
    # of a [None, ...] input with a constant output_shape [2, ...] is [None, ...]).
    out = shape_from_value(values[0], shapes[0])
    if out is None or len(out) != 4:
        return [out]
    grad = shapes[2]
    return [(grad[0] if grad is not None and len(grad) == 4 else None, *out[1:])]


@shape_fn("Conv2DBackpropFilter", "Conv3DBackpropFilterV2", "DepthwiseConv2dNativeBackpropFilter")
def _from_sizes_input1(node_def, shapes, values):
    return [shape_from_value(values[1], shapes[1])]


def _pool(node_def, x, ksize, strides):
    rank = len(ksize)
    x = with_rank(x, rank, "the pool input")
    padding = attr(node_def, "padding").decode()
    pads = _explicit_pads(node_def, rank) if padding == "EXPLICIT" else [(0, 0)] * rank
    return tuple(conv_output_size(d, k, s, 1, padding, *p)
                 for d, k, s, p in zip(x, ksize, strides, pads))


@shape_fn("MaxPool", "AvgPool", "MaxPool3D", "AvgPool3D", "MaxPoolWithArgmax")
def _pool_attrs(node_def, shapes, values):
    out = _pool(node_def, shapes[0], attr(node_def, "ksize"), attr(node_def, "strides"))
    return [out] * (2 if node_def.op == "MaxPoolWithArgmax" else 1)


@shape_fn("MaxPoolV2")
def _pool_v2(node_def, shapes, values):
    ksize, strides = int_list(values[1]), int_list(values[2])
    if ksize is None or strides is None:
        return [None if shapes[0] is None else (None,) * len(shapes[0])]
    return [_pool(node_def, shapes[0], ksize, strides)]


@shape_fn("MaxPoolGrad", "MaxPoolGradV2", "MaxPool3DGrad", "MaxPoolGradGrad")
def _pool_grad(node_def, shapes, values):
    return [shapes[0]]


def _channels(node_def, x):
    if x is None:
        return None
    channel, _ = _layout(data_format(node_def, "NHWC"), len(x))
    return x[channel]


@shape_fn("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3")
def _fused_batch_norm(node_def, shapes, values):
    x = shapes[0]
    c = _channels(node_def, x)
    # In training mode `mean` and `variance` are empty placeholders; only scale/offset count.
    params = shapes[1:3] if attr(node_def, "is_training", True) else shapes[1:5]
    for s in params:
        if s is not None and len(s) == 1:
            c = merge_dim(c, s[0], "batch norm channels")
    out = [x, (c,), (c,), (c,), (c,)]
    if node_def.op == "FusedBatchNormV3":
        out.append(None)
    return out


@shape_fn("FusedBatchNormGrad", "FusedBatchNormGradV2", "FusedBatchNormGradV3")
def _fused_batch_norm_grad(node_def, shapes, values):
    x = merge_shapes(shapes[0], shapes[1])
    c = _channels(node_def, x)
    if shapes[2] is not None and len(shapes[2]) == 1:
        c = merge_dim(c, shapes[2][0], "batch norm channels")
    return [x, (c,), (c,), (0,), (0,)]


@shape_fn("SoftmaxCrossEntropyWithLogits")
def _softmax_xent(node_def, shapes, values):
    both = broadcast(shapes[0], shapes[1])
    if both is None:
        return [(None,), (None, None)]
    both = with_rank(both, 2, "logits")
    return [(both[0],), both]


@shape_fn("SparseSoftmaxCrossEntropyWithLogits")
def _sparse_softmax_xent(node_def, shapes, values):
    logits = with_rank(shapes[0], 2, "logits")
    batch = merge_dim(logits[0], (shapes[1] or (None,))[0], "batch sizes")
    return [(batch,), (batch, logits[1])]


@shape_fn("ResizeBilinear", "ResizeNearestNeighbor", "ResizeBicubic", "ResizeArea",
          "ScaleAndTranslate")
def _resize(node_def, shapes, values):
    x = with_rank(shapes[0], 4, "images")
    size = shape_from_value(values[1], (2,))
    size = size if size is not None and len(size) == 2 else (None, None)
    return [(x[0], size[0], size[1], x[3])]


@shape_fn("ResizeBilinearGrad", "ResizeBicubicGrad")
def _resize_grad(node_def, shapes, values):
    return [shapes[1]]


@shape_fn("ResizeNearestNeighborGrad")
def _resize_nn_grad(node_def, shapes, values):
    g = with_rank(shapes[0], 4, "grads")
    size = shape_from_value(values[1], (2,))
    return [(g[0], size[0], size[1], g[3])]


@shape_fn("CropAndResize")
def _crop_and_resize(node_def, shapes, values):
    x = with_rank(shapes[0], 4, "image")
    boxes = with_rank(shapes[1], 2, "boxes")
    size = shape_from_value(values[3], (2,))
    return [(boxes[0], size[0], size[1], x[3])]


def _space_depth(node_def, x, to_depth: bool):
    x = with_rank(x, 4, "input")
    block = attr(node_def, "block_size")
    fmt = data_format(node_def)
    channel, spatial = _layout(fmt, 4)
    out = list(x)
    for axis in spatial:
        d = x[axis]
        if d is None:
            continue
        if to_depth and d % block:
            raise GraphError(f"SpaceToDepth: dim {d} is not divisible by block size {block}")
        out[axis] = d // block if to_depth else d * block
    c = x[channel]
    if c is not None:
        if not to_depth and c % (block * block):
            raise GraphError(f"DepthToSpace: depth {c} is not divisible by {block * block}")
        out[channel] = c * block * block if to_depth else c // (block * block)
    return tuple(out)


@shape_fn("SpaceToDepth")
def _space_to_depth(node_def, shapes, values):
    return [_space_depth(node_def, shapes[0], True)]


@shape_fn("DepthToSpace")
def _depth_to_space(node_def, shapes, values):
    return [_space_depth(node_def, shapes[0], False)]


@shape_fn("SpaceToBatchND", "BatchToSpaceND")
def _space_batch_nd(node_def, shapes, values):
    x = shapes[0]
    block = int_list(values[1])
    pads = int_list(values[2])
    if x is None:
        return [None]
    if block is None or pads is None:
        return [(None,) * len(x)]
    to_batch = node_def.op == "SpaceToBatchND"
    prod = 1
    for b in block:
        prod *= b
    out = list(x)
    for i, b in enumerate(block):
        d = x[1 + i]
        if d is not None:
            total = d + pads[2 * i] + pads[2 * i + 1] if to_batch else d * b - pads[2 * i] - pads[2 * i + 1]
            out[1 + i] = total // b if to_batch else total
    if x[0] is not None:
        out[0] = x[0] * prod if to_batch else x[0] // prod
    return [tuple(out)]
