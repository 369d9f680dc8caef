"""Handlers of TF image ops beyond resizing: non-max suppression and patch extraction."""

from __future__ import annotations

import numpy as np
from ortflow.converters.emit import const_i64, first, squeeze, to_int64, unsqueeze
from ortflow.converters.registry import handler, require
from ortflow.formats import dtypes

__all__: list[str] = []


def _as_float_vector(ctx, x: str) -> str:
    return first(ctx, "Reshape", [ctx.cast(x, dtypes.float32), const_i64(ctx, [1])])


@handler("NonMaxSuppressionV2", "NonMaxSuppressionV3", since=11)
def convert_non_max_suppression(ctx, node):
    # TF:   selected = NonMaxSuppressionV3(boxes [N, 4], scores [N], max_output_size, iou_threshold,
    #                                      score_threshold)      (V2: no score_threshold)
    # ONNX: Sel [K, 3] = NonMaxSuppression(Boxes [1, N, 4], Scores [1, 1, N], max, iou, score,
    #                                      center_point_box=0); selected = Cast(Sel[:, 2])
    # Both take boxes as (y1, x1, y2, x2) corner pairs in either order.
    boxes = unsqueeze(ctx, ctx.cast(node.input(0), dtypes.float32), [0])
    scores = unsqueeze(ctx, ctx.cast(node.input(1), dtypes.float32), [0, 1])
    max_output = first(ctx, "Reshape", [to_int64(ctx, node.input(2)), const_i64(ctx, [1])])
    inputs = [boxes, scores, max_output, _as_float_vector(ctx, node.input(3))]
    if node.op == "NonMaxSuppressionV3":
        inputs.append(_as_float_vector(ctx, node.input(4)))
    selected = first(ctx, "NonMaxSuppression", inputs, {"center_point_box": 0})
    index = first(ctx, "Gather", [selected, const_i64(ctx, [2])], {"axis": 1})
    first(ctx, "Cast", [squeeze(ctx, index, [1])], {"to": ctx.onnx_type(dtypes.int32)}, output=node.output(0))


def _patch_weights(kh: int, kw: int, channels: int, np_dtype) -> np.ndarray:
    # One output channel per (row, col, channel) of the window, in TF's order, picking that
    # input channel at that window position: [kh * kw * C, C, kh, kw].
    w = np.zeros((kh * kw * channels, channels, kh, kw), dtype=np_dtype)
    for i in range(kh):
        for j in range(kw):
            for c in range(channels):
                w[(i * kw + j) * channels + c, c, i, j] = 1
    return w


@handler("ExtractImagePatches", since=11)
def convert_extract_image_patches(ctx, node):
    # TF:   patches = ExtractImagePatches(images NHWC, ksizes, strides, rates, padding)
    # ONNX: Y = Transpose(Conv(Transpose(X to NCHW), one-hot W [kh*kw*C, C, kh, kw], strides,
    #                          dilations=rates, auto_pad), to NHWC)   (integers go through float)
    shape = node.input_shape(0)
    require(shape is not None and len(shape) == 4 and shape[3] is not None, node,
            "the images need a static channel count")
    _, kh, kw, _ = node.attr("ksizes")
    _, sh, sw, _ = node.attr("strides")
    _, rh, rw, _ = node.attr("rates")
    padding = node.attr("padding")
    padding = padding.decode() if isinstance(padding, bytes) else padding
    dtype = node.input_dtype(0)
    compute = dtype if dtype in (dtypes.float16, dtypes.float32, dtypes.float64) else dtypes.float32
    x = ctx.cast(node.input(0), compute)
    nchw = first(ctx, "Transpose", [x], {"perm": [0, 3, 1, 2]})
    weights = ctx.make_const(_patch_weights(kh, kw, shape[3], compute.as_numpy_dtype))
    attrs = {"kernel_shape": [kh, kw], "strides": [sh, sw], "dilations": [rh, rw],
             "auto_pad": "SAME_UPPER" if padding == "SAME" else "VALID"}
    conv = first(ctx, "Conv", [nchw, weights], attrs)
    if compute == dtype:
        first(ctx, "Transpose", [conv], {"perm": [0, 2, 3, 1]}, output=node.output(0))
        return
    nhwc = first(ctx, "Transpose", [conv], {"perm": [0, 2, 3, 1]})
    first(ctx, "Cast", [nhwc], {"to": ctx.onnx_type(dtype)}, output=node.output(0))
