"""Handler of MaxPoolWithArgmax: ONNX MaxPool's Indices output, renumbered as TensorFlow counts.

ONNX numbers an NCHW input's elements ((n * C + c) * H + h) * W + w; TensorFlow numbers the
NHWC input's ((n * H + h) * W + w) * C + c, without the batch term unless
`include_batch_in_index`. Both keep the first maximum of a window in scan order. The spatial
and channel sizes must be static.
"""

from __future__ import annotations

import numpy as np
from ortflow.converters.emit import first
from ortflow.converters.nn import _padding_attrs, _spatial, _spatial_dims, to_channels_first, to_channels_last
from ortflow.converters.registry import handler, require
from ortflow.formats import dtypes

__all__: list[str] = []


@handler("MaxPoolWithArgmax")
def convert_max_pool_with_argmax(ctx, node):
    # TF:   output, argmax = MaxPoolWithArgmax(input NHWC, ksize, strides, padding, Targmax,
    #                                          include_batch_in_index)
    # ONNX: Y, I = MaxPool(X NCHW, kernel_shape, strides, pads|auto_pad); argmax from I by Div/Mod
    shape = node.input_shape(0)
    require(shape is not None and len(shape) == 4 and None not in shape[1:], node,
            "MaxPoolWithArgmax needs static height, width and channels")
    height, width, channels = (int(d) for d in shape[1:])
    ksize = _spatial(node, list(node.attr("ksize")), 4)
    strides = _spatial(node, list(node.attr("strides")), 4)
    attrs = {"kernel_shape": ksize, "strides": strides}
    attrs.update(_padding_attrs(node, _spatial_dims(node, shape, 4), ksize, strides, [1, 1], 4))
    x = to_channels_first(ctx, node, node.input(0), 4)
    pooled, index = ctx.make_node("MaxPool", [x], attrs, outputs=2, name=f"{node.name}/MaxPool")
    to_channels_last(ctx, node, pooled, 4, node.output(0))
    plane = ctx.make_const(np.array(height * width, np.int64))
    within = first(ctx, "Mod", [index, plane])                    # h * W + w
    outer = first(ctx, "Div", [index, plane])                     # n * C + c
    count = ctx.make_const(np.array(channels, np.int64))
    channel = first(ctx, "Mod", [outer, count])
    tf_index = first(ctx, "Add", [first(ctx, "Mul", [within, count]), channel])
    if node.attr("include_batch_in_index", False):
        batch = first(ctx, "Div", [outer, count])
        per_image = ctx.make_const(np.array(height * width * channels, np.int64))
        tf_index = first(ctx, "Add", [tf_index, first(ctx, "Mul", [batch, per_image])])
    target = node.output_dtype(1) or dtypes.int64
    if target != dtypes.int64:
        tf_index = first(ctx, "Cast", [tf_index], {"to": ctx.onnx_type(target)})
    to_channels_last(ctx, node, tf_index, 4, node.output(1))
