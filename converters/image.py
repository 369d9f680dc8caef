"""Handlers of TF image ops beyond bilinear/nearest resizing: non-max suppression, patch
extraction, crop-and-resize, colour conversions, contrast, and area and bicubic resizing (as TF
weighs the taps)."""

from __future__ import annotations

import numpy as np
from ortflow.converters.emit import const_i64, first, reduce, shape_of, squeeze, to_int64, unsqueeze
from ortflow.converters.registry import handler, require
from ortflow.formats import dtypes
from ortflow.graph.ops.kernels_resize import area_weights, bicubic_weights  # noqa: F401  (converters/nn.py reads bicubic_weights here)

__all__: list[str] = []


def _as_float_vector(ctx, x: str) -> str:
    return first(ctx, "Reshape", [ctx.cast(x, dtypes.float32), const_i64(ctx, [1])])


def _selected_boxes(ctx, node) -> str:
    """int64 [K] indices that ONNX NonMaxSuppression keeps (TF's boxes and thresholds)."""
    boxes = unsqueeze(ctx, ctx.cast(node.input(0), dtypes.float32), [0])
    scores = unsqueeze(ctx, ctx.cast(node.input(1), dtypes.float32), [0, 1])
    max_output = first(ctx, "Reshape", [to_int64(ctx, node.input(2)), const_i64(ctx, [1])])
    inputs = [boxes, scores, max_output, _as_float_vector(ctx, node.input(3))]
    if node.op != "NonMaxSuppressionV2":
        inputs.append(_as_float_vector(ctx, node.input(4)))
    selected = first(ctx, "NonMaxSuppression", inputs, {"center_point_box": 0})
    index = first(ctx, "Gather", [selected, const_i64(ctx, [2])], {"axis": 1})
    return squeeze(ctx, index, [1])


@handler("NonMaxSuppressionV2", "NonMaxSuppressionV3", since=11)
def convert_non_max_suppression(ctx, node):
    # TF:   selected = NonMaxSuppressionV3(boxes [N, 4], scores [N], max_output_size, iou_threshold,
    #                                      score_threshold)      (V2: no score_threshold)
    # ONNX: Sel [K, 3] = NonMaxSuppression(Boxes [1, N, 4], Scores [1, 1, N], max, iou, score,
    #                                      center_point_box=0); selected = Cast(Sel[:, 2])
    # Both take boxes as (y1, x1, y2, x2) corner pairs in either order.
    index = _selected_boxes(ctx, node)
    first(ctx, "Cast", [index], {"to": ctx.onnx_type(dtypes.int32)}, output=node.output(0))


def _padded(ctx, node, x: str, count: str) -> str:
    # x [K] zero-padded at the end to max_output_size entries.
    size = first(ctx, "Reshape", [to_int64(ctx, node.input(2)), const_i64(ctx, [1])])
    pads = first(ctx, "Concat", [const_i64(ctx, [0]), first(ctx, "Sub", [size, count])], {"axis": 0})
    return first(ctx, "Pad", [x, pads])


@handler("NonMaxSuppressionV4", "NonMaxSuppressionV5", since=11)
def convert_non_max_suppression_padded(ctx, node):
    # TF:   selected, [scores,] valid = NonMaxSuppressionV4(boxes, scores, max_output_size, iou_threshold,
    #           score_threshold, pad_to_max_output_size)   (V5: soft_nms_sigma before pad; scores output)
    # ONNX: the V3 selection; valid = its length; Pad with zeros to max_output_size when asked;
    #       scores = Gather(Scores, selected)              (hard NMS only: soft_nms_sigma must be 0)
    if node.op == "NonMaxSuppressionV5":
        sigma = node.input_value(5)
        require(sigma is not None, node, "soft_nms_sigma must be constant (it picks hard or soft suppression)")
        if float(np.asarray(sigma)) > 0.0:
            _soft_non_max_suppression(ctx, node, float(np.asarray(sigma)))
            return
    index = _selected_boxes(ctx, node)
    count = first(ctx, "Shape", [index])
    pad = bool(node.attr("pad_to_max_output_size", False))
    indices = _padded(ctx, node, index, count) if pad else index
    first(ctx, "Cast", [indices], {"to": ctx.onnx_type(dtypes.int32)}, output=node.output(0))
    if node.op == "NonMaxSuppressionV5":
        scores = first(ctx, "Gather", [node.input(1), index], {"axis": 0})
        first(ctx, "Identity", [_padded(ctx, node, scores, count) if pad else scores], output=node.output(1))
    valid = first(ctx, "Cast", [squeeze(ctx, count, [0])], {"to": ctx.onnx_type(dtypes.int32)})
    first(ctx, "Identity", [valid], output=node.output(node.num_outputs - 1))


def _box_sides(ctx, boxes: str) -> list[str]:
    """float32 [N] ymin, xmin, ymax, xmax of boxes [N, 4] given as corner pairs in either order."""
    cols = [squeeze(ctx, first(ctx, "Gather", [boxes, const_i64(ctx, [i])], {"axis": 1}), [1]) for i in range(4)]
    return [first(ctx, "Min", [cols[0], cols[2]]), first(ctx, "Min", [cols[1], cols[3]]),
            first(ctx, "Max", [cols[0], cols[2]]), first(ctx, "Max", [cols[1], cols[3]])]


def _iou_with(ctx, sides: list[str], area: str, best: str) -> str:
    """float32 [N] IoU of box `best` ([1] int64) with every box; 0 when either box is empty."""
    ymin, xmin, ymax, xmax = sides
    picked = [first(ctx, "Gather", [side, best], {"axis": 0}) for side in sides]
    zero = ctx.make_const(np.float32(0))
    high = first(ctx, "Sub", [first(ctx, "Min", [picked[2], ymax]), first(ctx, "Max", [picked[0], ymin])])
    wide = first(ctx, "Sub", [first(ctx, "Min", [picked[3], xmax]), first(ctx, "Max", [picked[1], xmin])])
    inter = first(ctx, "Mul", [first(ctx, "Max", [high, zero]), first(ctx, "Max", [wide, zero])])
    best_area = first(ctx, "Gather", [area, best], {"axis": 0})
    union = first(ctx, "Sub", [first(ctx, "Add", [best_area, area]), inter])
    empty = first(ctx, "Or", [first(ctx, "LessOrEqual", [area, zero]), first(ctx, "LessOrEqual", [best_area, zero])])
    # Where keeps 0 for empty boxes (their 0 / 0 is NaN and never read)
    return first(ctx, "Where", [empty, zero, first(ctx, "Div", [inter, union])])


def _still_running(ctx, scores: str, threshold: str) -> str:
    """bool scalar: some score is above the threshold (false for no scores at all)."""
    padded = first(ctx, "Concat", [scores, ctx.make_const(np.array([-np.inf], np.float32))], {"axis": 0})
    return first(ctx, "Greater", [reduce(ctx, "ReduceMax", padded, [0], keepdims=False), threshold])


def _soft_nms_body(ctx, node, sides: list[str], area: str, threshold: str, sigma: float):
    """The Loop body of soft NMS: carries the live scores, scans out (index, score) per pass."""
    from ortflow.converters.control_flow import _fresh

    name = f"{node.name}/soft_nms"
    iteration, cond_in, scores_in = _fresh(ctx, f"{name}/iteration"), _fresh(ctx, f"{name}/cond_in"), \
        _fresh(ctx, f"{name}/scores")
    body = ctx.make_subgraph(name, [(iteration, dtypes.int64, ()), (cond_in, dtypes.bool, ()),
                                    (scores_in, dtypes.float32, (None,))])
    # ArgMax takes the first of equal maxima: TF's queue pops the lower box index first
    best = first(body, "ArgMax", [scores_in], {"axis": 0, "keepdims": 1})
    best_score = first(body, "Gather", [scores_in, best], {"axis": 0})
    iou = _iou_with(body, sides, area, best)
    scale = body.make_const(np.float32(-0.5) / np.float32(sigma))
    weight = first(body, "Exp", [first(body, "Mul", [first(body, "Mul", [scale, iou]), iou])])
    decayed = first(body, "Mul", [scores_in, weight])
    gone = body.make_const(np.array([-np.inf], np.float32))
    live = first(body, "Where", [first(body, "Greater", [decayed, threshold]), decayed, gone])
    live = first(body, "ScatterElements", [live, best, gone], {"axis": 0})
    cond_out, scores_out = _fresh(body, f"{name}/cond_out"), _fresh(body, f"{name}/scores_out")
    first(body, "Identity", [_still_running(body, live, threshold)], output=cond_out)
    first(body, "Identity", [live], output=scores_out)
    picked, picked_score = _fresh(body, f"{name}/picked"), _fresh(body, f"{name}/picked_score")
    squeeze(body, best, [0], output=picked)
    squeeze(body, best_score, [0], output=picked_score)
    return body.finish([(cond_out, dtypes.bool, ()), (scores_out, dtypes.float32, (None,)),
                        (picked, dtypes.int64, ()), (picked_score, dtypes.float32, ())])


def _soft_non_max_suppression(ctx, node, sigma: float) -> None:
    # TF:   selected, scores, valid = NonMaxSuppressionV5(..., soft_nms_sigma > 0, ...)
    #       TF pops the best candidate, rescales it by exp(-0.5 / sigma * iou^2) for every box
    #       selected since its last visit, and takes it when unchanged, requeues it while above
    #       score_threshold (iou_threshold plays no part). Taking the best live score after
    #       rescaling every live score by each selection is the same order (scores only fall).
    # ONNX: Loop(max_output_size, any score > threshold, live scores): pass = ArgMax, then
    #       every live score times exp(scale * iou^2), those <= threshold and the pick -> -inf;
    #       the picks and their scores are the Loop's scan outputs.
    boxes = ctx.cast(node.input(0), dtypes.float32)
    scores = ctx.cast(node.input(1), dtypes.float32)
    threshold = squeeze(ctx, _as_float_vector(ctx, node.input(4)), [0])
    sides = _box_sides(ctx, boxes)
    area = first(ctx, "Mul", [first(ctx, "Sub", [sides[2], sides[0]]), first(ctx, "Sub", [sides[3], sides[1]])])
    gone = ctx.make_const(np.array([-np.inf], np.float32))
    live = first(ctx, "Where", [first(ctx, "Greater", [scores, threshold]), scores, gone])
    body = _soft_nms_body(ctx, node, sides, area, threshold, sigma)
    trips = squeeze(ctx, first(ctx, "Reshape", [to_int64(ctx, node.input(2)), const_i64(ctx, [1])]), [0])
    _, index, picked_scores = ctx.make_node("Loop", [trips, _still_running(ctx, live, threshold), live],
                                            {"body": body}, outputs=3,
                                            dtypes_=[dtypes.float32, dtypes.int64, dtypes.float32])
    count = first(ctx, "Shape", [index])
    pad = bool(node.attr("pad_to_max_output_size", False))
    first(ctx, "Cast", [_padded(ctx, node, index, count) if pad else index], {"to": ctx.onnx_type(dtypes.int32)},
          output=node.output(0))
    picked_scores = ctx.cast(picked_scores, node.output_dtype(1)) if node.output_dtype(1) else picked_scores
    first(ctx, "Identity", [_padded(ctx, node, picked_scores, count) if pad else picked_scores],
          output=node.output(1))
    valid = first(ctx, "Cast", [squeeze(ctx, count, [0])], {"to": ctx.onnx_type(dtypes.int32)})
    first(ctx, "Identity", [valid], output=node.output(2))


def _constant_int(node, i: int, what: str) -> int:
    value = node.input_value(i)
    require(value is not None, node, f"{what} must be constant (it sets the output size)")
    return int(np.asarray(value).reshape(()))


def _per_class_selection(ctx, node, classes: int, per_class: int):
    """ONNX NonMaxSuppression over every (image, class) pair as its own batch row.

    Returns (flat row index b * C + c [K], box index [K], scores [B*C, N], boxes [B*C, N, 4]) of
    the K kept boxes, in NonMaxSuppression's order: by row, best score first within a row.
    """
    boxes = ctx.cast(node.input(0), dtypes.float32)                      # [B, N, q, 4]
    boxes = first(ctx, "Transpose", [boxes], {"perm": [0, 2, 1, 3]})     # [B, q, N, 4]
    boxes = first(ctx, "Expand", [boxes, const_i64(ctx, [1, classes, 1, 1])])
    count = first(ctx, "Slice", [shape_of(ctx, node.input(0)), const_i64(ctx, [1]), const_i64(ctx, [2])])
    boxes = first(ctx, "Reshape", [boxes, first(ctx, "Concat", [const_i64(ctx, [-1]), count, const_i64(ctx, [4])],
                                                 {"axis": 0})])
    scores = first(ctx, "Transpose", [ctx.cast(node.input(1), dtypes.float32)], {"perm": [0, 2, 1]})
    scores = first(ctx, "Reshape", [scores, first(ctx, "Concat", [const_i64(ctx, [-1]), count], {"axis": 0})])
    kept = first(ctx, "NonMaxSuppression", [boxes, unsqueeze(ctx, scores, [1]), const_i64(ctx, [per_class]),
                                            _as_float_vector(ctx, node.input(4)),
                                            _as_float_vector(ctx, node.input(5))], {"center_point_box": 0})
    row = squeeze(ctx, first(ctx, "Gather", [kept, const_i64(ctx, [0])], {"axis": 1}), [1])
    box = squeeze(ctx, first(ctx, "Gather", [kept, const_i64(ctx, [2])], {"axis": 1}), [1])
    return row, box, scores, boxes


def _rank_in_row(ctx, row: str) -> str:
    """For each kept box, how many kept boxes of its row come before it (int64 [K])."""
    k = squeeze(ctx, first(ctx, "Shape", [row]), [0])
    order = first(ctx, "Range", [const_i64(ctx, 0), k, const_i64(ctx, 1)])
    same = first(ctx, "Equal", [unsqueeze(ctx, row, [1]), unsqueeze(ctx, row, [0])])
    before = first(ctx, "Less", [unsqueeze(ctx, order, [0]), unsqueeze(ctx, order, [1])])
    hits = first(ctx, "Cast", [first(ctx, "And", [same, before])], {"to": ctx.onnx_type(dtypes.int64)})
    return reduce(ctx, "ReduceSum", hits, [1], keepdims=False)


@handler("CombinedNonMaxSuppression", since=11)
def convert_combined_non_max_suppression(ctx, node):
    # TF:   boxes [B, D, 4], scores [B, D], classes [B, D], valid [B] = CombinedNonMaxSuppression(
    #           boxes [B, N, q, 4], scores [B, N, C], max_output_size_per_class, max_total_size,
    #           iou_threshold, score_threshold, pad_per_class, clip_boxes)     (q = 1 or C)
    # ONNX: NonMaxSuppression with one batch row per (image, class); the kept boxes land in a
    #       [B, C * per_class] table (slot = class * per_class + rank in its row, -inf elsewhere);
    #       TopK over the table picks each image's best; empty picks become zeros.
    shapes = node.input_shape(0), node.input_shape(1)
    require(shapes[0] is not None and shapes[1] is not None and shapes[1][-1] is not None
            and shapes[0][2] is not None, node, "the class count and q need static sizes")
    classes, q = int(shapes[1][-1]), int(shapes[0][2])
    require(q in (1, classes), node, f"q must be 1 or the class count {classes}, not {q}")
    per_class = _constant_int(node, 2, "max_output_size_per_class")
    total = _constant_int(node, 3, "max_total_size")
    detections = min(total, per_class * classes) if node.attr("pad_per_class", False) else total
    slots = classes * per_class
    row, box, scores, boxes = _per_class_selection(ctx, node, classes, per_class)
    picks = first(ctx, "Concat", [unsqueeze(ctx, row, [1]), unsqueeze(ctx, box, [1])], {"axis": 1})
    image = first(ctx, "Div", [row, const_i64(ctx, classes)])
    label = first(ctx, "Mod", [row, const_i64(ctx, classes)])
    slot = first(ctx, "Add", [first(ctx, "Mul", [label, const_i64(ctx, per_class)]), _rank_in_row(ctx, row)])
    where = first(ctx, "Concat", [unsqueeze(ctx, image, [1]), unsqueeze(ctx, slot, [1])], {"axis": 1})
    batch = first(ctx, "Slice", [shape_of(ctx, node.input(1)), const_i64(ctx, [0]), const_i64(ctx, [1])])
    table = first(ctx, "Concat", [batch, const_i64(ctx, [slots])], {"axis": 0})
    f32 = np.float32
    best = first(ctx, "ScatterND", [first(ctx, "Expand", [ctx.make_const(f32(-np.inf)), table]), where,
                                    first(ctx, "GatherND", [scores, picks])])
    table4 = first(ctx, "Concat", [table, const_i64(ctx, [4])], {"axis": 0})
    kept_boxes = first(ctx, "ScatterND", [first(ctx, "Expand", [ctx.make_const(f32(0)), table4]), where,
                                          first(ctx, "GatherND", [boxes, picks])])
    labels = first(ctx, "ScatterND", [first(ctx, "Expand", [ctx.make_const(f32(0)), table]), where,
                                      ctx.cast(label, dtypes.float32)])
    k = min(total, slots)
    top, index = ctx.make_node("TopK", [best, const_i64(ctx, [k])], {"axis": 1, "largest": 1, "sorted": 1},
                               outputs=2)
    found = first(ctx, "Not", [first(ctx, "IsInf", [top])])
    zero = ctx.make_const(f32(0))
    index4 = first(ctx, "Expand", [unsqueeze(ctx, index, [2]),
                                   first(ctx, "Concat", [shape_of(ctx, index), const_i64(ctx, [4])], {"axis": 0})])
    out_boxes = first(ctx, "Where", [unsqueeze(ctx, found, [2]),
                                     first(ctx, "GatherElements", [kept_boxes, index4], {"axis": 1}), zero])
    if node.attr("clip_boxes", True):
        out_boxes = first(ctx, "Clip", [out_boxes, zero, ctx.make_const(f32(1))])
    outs = [out_boxes, first(ctx, "Where", [found, top, zero]),
            first(ctx, "Where", [found, first(ctx, "GatherElements", [labels, index], {"axis": 1}), zero])]
    for i, value in enumerate(outs):
        if detections > k:  # fewer slots than max_total_size: zero rows up to it
            pads = [0, 0] + [0] * (i == 0) + [0, detections - k] + [0] * (i == 0)
            value = first(ctx, "Pad", [value, const_i64(ctx, pads)])
        first(ctx, "Identity", [value], output=node.output(i))
    valid = reduce(ctx, "ReduceSum", first(ctx, "Cast", [found], {"to": ctx.onnx_type(dtypes.int64)}), [1],
                   keepdims=False)
    first(ctx, "Cast", [valid], {"to": ctx.onnx_type(dtypes.int32)}, output=node.output(3))


def _patch_weights(kh: int, kw: int, channels: int, np_dtype) -> np.ndarray:
    # One output channel per (row, col, channel) of the window, in TF's order, picking that
    # input channel at that window position: [kh * kw * C, C, kh, kw].
    w = np.zeros((kh * kw * channels, channels, kh, kw), dtype=np_dtype)
    for i in range(kh):
        for j in range(kw):
            for c in range(channels):
                w[(i * kw + j) * channels + c, c, i, j] = 1
    return w


def _same_pads(size: int, k: int, stride: int, rate: int) -> tuple[int, int]:
    # TF's SAME: ceil(size / stride) outputs, the missing rows split with the extra one after
    span = (k - 1) * rate + 1
    total = max((-(-size // stride) - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


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
    padding = node.str_attr("padding")
    dtype = node.input_dtype(0)
    compute = dtype if dtype in (dtypes.float16, dtypes.float32, dtypes.float64) else dtypes.float32
    x = ctx.cast(node.input(0), compute)
    nchw = first(ctx, "Transpose", [x], {"perm": [0, 3, 1, 2]})
    weights = ctx.make_const(_patch_weights(kh, kw, shape[3], compute.as_numpy_dtype))
    attrs = {"kernel_shape": [kh, kw], "strides": [sh, sw], "dilations": [rh, rw],
             "auto_pad": "SAME_UPPER" if padding == "SAME" else "VALID"}
    if padding == "SAME" and (rh, rw) != (1, 1):
        # onnxruntime's Conv takes no auto_pad with dilations: TF's SAME pads, spelled out
        require(shape[1] is not None and shape[2] is not None, node,
                "SAME patches with rates need a static height and width")
        pads = [_same_pads(shape[i], k, st, r) for i, k, st, r in ((1, kh, sh, rh), (2, kw, sw, rw))]
        del attrs["auto_pad"]
        attrs["pads"] = [pads[0][0], pads[1][0], pads[0][1], pads[1][1]]
    conv = first(ctx, "Conv", [nchw, weights], attrs)
    if compute == dtype:
        first(ctx, "Transpose", [conv], {"perm": [0, 2, 3, 1]}, output=node.output(0))
        return
    nhwc = first(ctx, "Transpose", [conv], {"perm": [0, 2, 3, 1]})
    first(ctx, "Cast", [nhwc], {"to": ctx.onnx_type(dtype)}, output=node.output(0))


def _crop_coords(ctx, boxes: str, lo: int, hi: int, size: int, extent: str) -> str:
    """Source coordinates [B, size] of the crop rows (lo, hi = 0, 2) or columns (1, 3), as TF's kernel:
    start * (extent - 1) + i * (end - start) * (extent - 1) / (size - 1), or the middle when size == 1."""
    start = first(ctx, "Slice", [boxes, const_i64(ctx, [lo]), const_i64(ctx, [lo + 1]), const_i64(ctx, [1])])
    end = first(ctx, "Slice", [boxes, const_i64(ctx, [hi]), const_i64(ctx, [hi + 1]), const_i64(ctx, [1])])
    if size == 1:
        half = ctx.make_const(np.float32(0.5))
        return first(ctx, "Mul", [first(ctx, "Mul", [first(ctx, "Add", [start, end]), half]), extent])
    scale = first(ctx, "Div", [first(ctx, "Mul", [first(ctx, "Sub", [end, start]), extent]),
                               ctx.make_const(np.float32(size - 1))])
    steps = ctx.make_const(np.arange(size, dtype=np.float32)[None, :])
    return first(ctx, "Add", [first(ctx, "Mul", [start, extent]), first(ctx, "Mul", [steps, scale])])


def _extent_minus_one(ctx, image: str, axis: int) -> str:
    dim = first(ctx, "Gather", [first(ctx, "Shape", [image]), const_i64(ctx, axis)], {"axis": 0})
    return ctx.cast(first(ctx, "Sub", [dim, const_i64(ctx, 1)]), dtypes.float32)


def _grid_indices(ctx, batch: str, rows: str, cols: str, grid: str) -> str:
    """[B, ch, cw, 3] GatherND indices (box image, row, column) from [B], [B, ch], [B, cw] int64 values."""
    parts = [unsqueeze(ctx, batch, [1, 2, 3]), unsqueeze(ctx, rows, [2, 3]), unsqueeze(ctx, cols, [1, 3])]
    return first(ctx, "Concat", [first(ctx, "Expand", [p, grid]) for p in parts], {"axis": 3})


@handler("CropAndResize", since=13)
def convert_crop_and_resize(ctx, node):
    # TF:   crops = CropAndResize(image NHWC, boxes [B, 4], box_ind [B], crop_size [2], method,
    #                             extrapolation_value)   (float32 output)
    # ONNX: GatherND of the (up to four) source pixels of each crop pixel, lerped as TF's kernel
    #       does, and Where(inside the image, value, extrapolation_value)
    size = node.input_value(3)
    require(size is not None, node, "the crop size must be constant")
    ch, cw = (int(v) for v in np.asarray(size).reshape(-1))
    method = node.str_attr("method", b"bilinear")
    image = ctx.cast(node.input(0), dtypes.float32)
    boxes = ctx.cast(node.input(1), dtypes.float32)
    in_y = _crop_coords(ctx, boxes, 0, 2, ch, _extent_minus_one(ctx, image, 1))
    in_x = _crop_coords(ctx, boxes, 1, 3, cw, _extent_minus_one(ctx, image, 2))
    zero = ctx.make_const(np.float32(0))

    def inside(coord, extent):
        return first(ctx, "And", [first(ctx, "GreaterOrEqual", [coord, zero]),
                                  first(ctx, "LessOrEqual", [coord, extent])])
    valid = first(ctx, "And", [unsqueeze(ctx, inside(in_y, _extent_minus_one(ctx, image, 1)), [2, 3]),
                               unsqueeze(ctx, inside(in_x, _extent_minus_one(ctx, image, 2)), [1, 3])])
    in_y = first(ctx, "Clip", [in_y, zero, _extent_minus_one(ctx, image, 1)])
    in_x = first(ctx, "Clip", [in_x, zero, _extent_minus_one(ctx, image, 2)])
    batch = to_int64(ctx, node.input(2))
    grid = first(ctx, "Concat", [first(ctx, "Shape", [batch]), const_i64(ctx, [ch, cw, 1])], {"axis": 0})

    def index(coord, op_type):
        return ctx.cast(first(ctx, op_type, [coord]), dtypes.int64)

    def gather(rows, cols):
        return first(ctx, "GatherND", [image, _grid_indices(ctx, batch, rows, cols, grid)])
    if method == "nearest":
        half = ctx.make_const(np.float32(0.5))  # TF rounds half away from zero; coordinates are >= 0 here
        value = gather(index(first(ctx, "Add", [in_y, half]), "Floor"), index(first(ctx, "Add", [in_x, half]), "Floor"))
    else:
        top, bottom = index(in_y, "Floor"), index(in_y, "Ceil")
        left, right = index(in_x, "Floor"), index(in_x, "Ceil")
        y_lerp = unsqueeze(ctx, first(ctx, "Sub", [in_y, first(ctx, "Floor", [in_y])]), [2, 3])
        x_lerp = unsqueeze(ctx, first(ctx, "Sub", [in_x, first(ctx, "Floor", [in_x])]), [1, 3])

        def lerp(a, b, t):
            return first(ctx, "Add", [a, first(ctx, "Mul", [first(ctx, "Sub", [b, a]), t])])
        upper = lerp(gather(top, left), gather(top, right), x_lerp)
        lower = lerp(gather(bottom, left), gather(bottom, right), x_lerp)
        value = lerp(upper, lower, y_lerp)
    extrapolation = ctx.make_const(np.float32(node.attr("extrapolation_value", 0.0)))
    first(ctx, "Where", [valid, value, extrapolation], output=node.output(0))


# --------------------------------------------------------------------------- colour spaces

def _channel(ctx, x: str, i: int) -> str:
    return first(ctx, "Slice", [x, const_i64(ctx, [i]), const_i64(ctx, [i + 1]), const_i64(ctx, [-1])])


def _rgb_to_hsv(ctx, rgb: str) -> tuple[str, str, str]:
    """(h, s, v) of float32 [..., 3] RGB, each [..., 1], as TF's RGBToHSV kernel computes them."""
    r, g, b = (_channel(ctx, rgb, i) for i in range(3))
    zero, one = ctx.make_const(np.float32(0)), ctx.make_const(np.float32(1))
    v = first(ctx, "Max", [r, g, b])
    spread = first(ctx, "Sub", [v, first(ctx, "Min", [r, g, b])])
    s = first(ctx, "Where", [first(ctx, "Greater", [v, zero]), first(ctx, "Div", [spread, v]), zero])
    norm = first(ctx, "Div", [one, first(ctx, "Mul", [ctx.make_const(np.float32(6)), spread])])

    def sector(a, c, offset):
        return first(ctx, "Add", [first(ctx, "Mul", [norm, first(ctx, "Sub", [a, c])]),
                                  ctx.make_const(np.float32(offset))])
    h = first(ctx, "Where", [first(ctx, "Equal", [g, v]), sector(b, r, 2.0 / 6), sector(r, g, 4.0 / 6)])
    h = first(ctx, "Where", [first(ctx, "Equal", [r, v]), sector(g, b, 0.0), h])
    h = first(ctx, "Where", [first(ctx, "Greater", [spread, zero]), h, zero])
    h = first(ctx, "Where", [first(ctx, "Less", [h, zero]), first(ctx, "Add", [h, one]), h])
    return h, s, v


#: (red, green, blue) parts for each sixth of the hue circle: 0 = chroma, 1 = x, 2 = zero.
_HUE_SECTORS = ((0, 1, 2), (1, 0, 2), (2, 0, 1), (2, 1, 0), (1, 2, 0), (0, 2, 1))


def _hsv_to_rgb(ctx, h: str, s: str, v: str, output: str | None = None) -> str:
    """float32 [..., 3] RGB of (h, s, v) [..., 1] values, as TF's HSVToRGB kernel computes it."""
    chroma = first(ctx, "Mul", [s, v])
    m = first(ctx, "Sub", [v, chroma])
    dh = first(ctx, "Mul", [h, ctx.make_const(np.float32(6))])
    category = first(ctx, "Floor", [dh])
    wrapped = first(ctx, "Mod", [dh, ctx.make_const(np.float32(2))], {"fmod": 1})
    wrapped = first(ctx, "Where", [first(ctx, "Less", [wrapped, ctx.make_const(np.float32(0))]),
                                   first(ctx, "Add", [wrapped, ctx.make_const(np.float32(2))]), wrapped])
    x = first(ctx, "Mul", [chroma, first(ctx, "Sub", [ctx.make_const(np.float32(1)), first(
        ctx, "Abs", [first(ctx, "Sub", [wrapped, ctx.make_const(np.float32(1))])])])])
    parts = (chroma, x, ctx.make_const(np.float32(0)))
    channels = []
    for c in range(3):
        value = ctx.make_const(np.float32(0))  # a hue outside [0, 1) gives black + m, as in TF
        for k, sector in enumerate(_HUE_SECTORS):
            value = first(ctx, "Where", [first(ctx, "Equal", [category, ctx.make_const(np.float32(k))]),
                                         parts[sector[c]], value])
        channels.append(first(ctx, "Add", [value, m]))
    return first(ctx, "Concat", channels, {"axis": -1}, output=output)


def _float32_image(ctx, node) -> str:
    return ctx.cast(node.input(0), dtypes.float32)


def _to_output(ctx, node, value: str) -> None:
    dtype = node.output_dtype(0)
    if dtype == dtypes.float32:
        first(ctx, "Identity", [value], output=node.output(0))
    else:
        first(ctx, "Cast", [value], {"to": ctx.onnx_type(dtype)}, output=node.output(0))


@handler("RGBToHSV", since=13)
def convert_rgb_to_hsv(ctx, node):
    # TF:   output = RGBToHSV(images [..., 3])         (float types, values in [0, 1])
    # ONNX: V = Max(R, G, B); S = (V - min) / V; H from the sector of the largest channel
    h, s, v = _rgb_to_hsv(ctx, _float32_image(ctx, node))
    _to_output(ctx, node, first(ctx, "Concat", [h, s, v], {"axis": -1}))


@handler("HSVToRGB", since=13)
def convert_hsv_to_rgb(ctx, node):
    # TF:   output = HSVToRGB(images [..., 3])
    # ONNX: chroma = S * V; RGB = sector-wise (chroma, x, 0) permutation + (V - chroma)
    hsv = _float32_image(ctx, node)
    _to_output(ctx, node, _hsv_to_rgb(ctx, *(_channel(ctx, hsv, i) for i in range(3))))


@handler("AdjustHue", since=13)
def convert_adjust_hue(ctx, node):
    # TF:   output = AdjustHue(images [..., 3], delta)   (hue rotated by delta turns)
    # ONNX: HSVToRGB(H + delta wrapped into [0, 1), S, V) of RGBToHSV(images)
    h, s, v = _rgb_to_hsv(ctx, _float32_image(ctx, node))
    shifted = first(ctx, "Add", [h, ctx.cast(node.input(1), dtypes.float32)])
    wrapped = first(ctx, "Sub", [shifted, first(ctx, "Floor", [shifted])])
    _to_output(ctx, node, _hsv_to_rgb(ctx, wrapped, s, v))


@handler("AdjustSaturation", since=13)
def convert_adjust_saturation(ctx, node):
    # TF:   output = AdjustSaturation(images [..., 3], scale)
    # ONNX: HSVToRGB(H, Clip(S * scale, 0, 1), V) of RGBToHSV(images)
    h, s, v = _rgb_to_hsv(ctx, _float32_image(ctx, node))
    scaled = first(ctx, "Mul", [s, ctx.cast(node.input(1), dtypes.float32)])
    clipped = first(ctx, "Clip", [scaled, ctx.make_const(np.float32(0)), ctx.make_const(np.float32(1))])
    _to_output(ctx, node, _hsv_to_rgb(ctx, h, clipped, v))


@handler("AdjustContrastv2", since=13)
def convert_adjust_contrast(ctx, node):
    # TF:   output = AdjustContrastv2(images [..., H, W, C], contrast_factor)
    # ONNX: M = ReduceMean(X, axes [-3, -2], keepdims); Output = (X - M) * factor + M
    x = node.input(0)
    mean = reduce(ctx, "ReduceMean", x, [-3, -2], keepdims=True)
    factor = ctx.cast(node.input(1), node.input_dtype(0))
    scaled = first(ctx, "Mul", [first(ctx, "Sub", [x, mean]), factor])
    first(ctx, "Add", [scaled, mean], output=node.output(0))


@handler("ResizeArea", since=12)
def convert_resize_area(ctx, node):
    # TF:   resized [N, h, w, C] float32 = ResizeArea(images NHWC, size [h, w], align_corners)
    # ONNX: Resized = Einsum('yh,nhwc,xw->nyxc', Wy, X, Wx)  (per-axis overlap weights; H, W, size static)
    # The area average is separable: each output pixel is the overlap-weighted mean of the input
    # box under it, so one weight matrix per axis holds all of it.
    sizes = static_resize_sizes(node)
    require(sizes is not None, node, "the input height and width must be static and the output size constant")
    in_h, in_w, out_h, out_w = sizes
    corners = bool(node.attr("align_corners", False))
    separable_resize(ctx, node, area_weights(in_h, out_h, corners), area_weights(in_w, out_w, corners))


def separable_resize(ctx, node, wy: np.ndarray, wx: np.ndarray) -> None:
    """Output = Einsum('yh,nhwc,xw->nyxc', Wy, X, Wx) in float32, cast to the output dtype."""
    x = ctx.cast(node.input(0), dtypes.float32)
    out_dtype = node.output_dtype(0) or dtypes.float32
    inputs = [ctx.make_const(wy.astype(np.float32)), x, ctx.make_const(wx.astype(np.float32))]
    if out_dtype == dtypes.float32:
        first(ctx, "Einsum", inputs, {"equation": "yh,nhwc,xw->nyxc"}, output=node.output(0))
        return
    resized = first(ctx, "Einsum", inputs, {"equation": "yh,nhwc,xw->nyxc"})
    first(ctx, "Cast", [resized], {"to": ctx.onnx_type(out_dtype)}, output=node.output(0))


def _bicubic_axis_weights(ctx, size_in: str, size_out: str, align_corners: bool, half_pixel: bool) -> str:
    """float32 [out, in] weights of TF's ResizeBicubic along one axis, from int64 [1] run-time sizes.

    The steps of `bicubic_weights` in ONNX ops: TF's float32 scale and source positions, the
    fractional offset rounded half-to-even to a step of TF's 1024-step kernel table (ONNX
    Resize's exact cubic differs from that table by up to ~1e-3), the four taps at base - 1 ..
    base + 2 read from clamped indices; with half-pixel centers the clamped taps drop out and
    the rest are renormalized.
    """
    from ortflow.graph.ops.kernels_resize import _BICUBIC_TABLE_STEPS, _bicubic_table

    f32, steps = dtypes.float32, _BICUBIC_TABLE_STEPS
    size_in_f, size_out_f = ctx.cast(size_in, f32), ctx.cast(size_out, f32)
    one = ctx.make_const(np.float32(1))
    scale = first(ctx, "Div", [size_in_f, size_out_f])
    if align_corners:
        spans = first(ctx, "Div", [first(ctx, "Sub", [size_in_f, one]), first(ctx, "Sub", [size_out_f, one])])
        scale = first(ctx, "Where", [first(ctx, "Greater", [size_out, const_i64(ctx, 1)]), spans, scale])
    out_range = first(ctx, "Range", [const_i64(ctx, 0), squeeze(ctx, size_out, [0]), const_i64(ctx, 1)])
    where = ctx.cast(out_range, f32)
    if half_pixel:
        half = ctx.make_const(np.float32(0.5))
        where = first(ctx, "Sub", [first(ctx, "Mul", [first(ctx, "Add", [where, half]), scale]), half])
    else:
        where = first(ctx, "Mul", [where, scale])
    base_f = first(ctx, "Floor", [where])
    fraction = first(ctx, "Mul", [first(ctx, "Sub", [where, base_f]), ctx.make_const(np.float32(steps))])
    offset = ctx.cast(first(ctx, "Round", [fraction]), dtypes.int64)
    table = _bicubic_table(-0.5 if half_pixel else -0.75)
    near, far = ctx.make_const(table[:, 0].copy()), ctx.make_const(table[:, 1].copy())
    mirrored = first(ctx, "Sub", [const_i64(ctx, steps), offset])
    taps = [first(ctx, "Gather", [far, offset], {"axis": 0}), first(ctx, "Gather", [near, offset], {"axis": 0}),
            first(ctx, "Gather", [near, mirrored], {"axis": 0}), first(ctx, "Gather", [far, mirrored], {"axis": 0})]
    taps = first(ctx, "Concat", [unsqueeze(ctx, t, [1]) for t in taps], {"axis": 1})            # [out, 4]
    wanted = first(ctx, "Add", [unsqueeze(ctx, ctx.cast(base_f, dtypes.int64), [1]), const_i64(ctx, [[-1, 0, 1, 2]])])
    last = first(ctx, "Sub", [size_in, const_i64(ctx, [1])])
    read = first(ctx, "Min", [first(ctx, "Max", [wanted, const_i64(ctx, 0)]), last])         # [out, 4]
    if half_pixel:
        zero = ctx.make_const(np.float32(0))
        taps = first(ctx, "Where", [first(ctx, "Equal", [read, wanted]), taps, zero])
        total = reduce(ctx, "ReduceSum", taps, [1], keepdims=True)
        tiny = ctx.make_const(np.float32(1000 * np.finfo(np.float32).tiny))
        scaled = first(ctx, "Mul", [taps, first(ctx, "Div", [one, total])])
        taps = first(ctx, "Where", [first(ctx, "GreaterOrEqual", [first(ctx, "Abs", [total]), tiny]), scaled, taps])
    columns = first(ctx, "Range", [const_i64(ctx, 0), squeeze(ctx, size_in, [0]), const_i64(ctx, 1)])
    hits = ctx.cast(first(ctx, "Equal", [unsqueeze(ctx, read, [2]), columns]), f32)       # [out, 4, in]
    return first(ctx, "Einsum", [taps, hits], {"equation": "ok,oki->oi"})


def runtime_bicubic_resize(ctx, node) -> None:
    """ResizeBicubic whose sizes are known only at run time: TF's per-axis weights built in ONNX
    ops (see `_bicubic_axis_weights`), applied like `separable_resize`."""
    corners, half = bool(node.attr("align_corners", False)), bool(node.attr("half_pixel_centers", False))
    require(not (corners and half), node, "align_corners and half_pixel_centers together")
    x = ctx.cast(node.input(0), dtypes.float32)
    shape = shape_of(ctx, x)
    size = to_int64(ctx, node.input(1))
    sides = []
    for axis in (0, 1):
        size_in = first(ctx, "Slice", [shape, const_i64(ctx, [axis + 1]), const_i64(ctx, [axis + 2])])
        size_out = first(ctx, "Slice", [size, const_i64(ctx, [axis]), const_i64(ctx, [axis + 1])])
        sides.append(_bicubic_axis_weights(ctx, size_in, size_out, corners, half))
    out_dtype = node.output_dtype(0) or dtypes.float32
    inputs = [sides[0], x, sides[1]]
    if out_dtype == dtypes.float32:
        first(ctx, "Einsum", inputs, {"equation": "yh,nhwc,xw->nyxc"}, output=node.output(0))
        return
    resized = first(ctx, "Einsum", inputs, {"equation": "yh,nhwc,xw->nyxc"})
    first(ctx, "Cast", [resized], {"to": ctx.onnx_type(out_dtype)}, output=node.output(0))


def static_resize_sizes(node) -> tuple[int, int, int, int] | None:
    """(in_h, in_w, out_h, out_w) when the input's spatial size and the target are static."""
    shape, size = node.input_shape(0), node.input_value(1)
    if shape is None or len(shape) != 4 or shape[1] is None or shape[2] is None or size is None:
        return None
    out_h, out_w = (int(v) for v in np.asarray(size).reshape(-1))
    return int(shape[1]), int(shape[2]), out_h, out_w


def _lanczos(radius: float):
    def kernel(x):
        x = abs(x)
        if x > radius:
            return 0.0
        if x <= 1e-3:  # the sin(x) / x limit
            return 1.0
        pi = np.float32(3.14159265359)
        return radius * np.sin(pi * x) * np.sin(pi * x / radius) / (pi * pi * x * x)
    return kernel, radius


def _gaussian(x):
    x, sigma = abs(x), 1.5 / 3.0
    return 0.0 if x >= 1.5 else np.exp(-x * x / (2.0 * sigma * sigma))


def _keys_cubic(x):
    x = abs(x)
    if x >= 2.0:
        return 0.0
    return ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0 if x >= 1.0 else ((1.5 * x - 2.5) * x) * x + 1.0


def _mitchell_cubic(x):
    x = abs(x)
    if x >= 2.0:
        return 0.0
    if x >= 1.0:
        return (((-7.0 / 18.0) * x + 2.0) * x - 10.0 / 3.0) * x + 16.0 / 9.0
    return (((7.0 / 6.0) * x - 2.0) * x) * x + 8.0 / 9.0


#: ScaleAndTranslate's kernel_type -> (kernel of a distance in pixels, its radius)
_SAMPLING_KERNELS = {
    "lanczos1": _lanczos(1.0), "lanczos3": _lanczos(3.0), "lanczos5": _lanczos(5.0),
    "gaussian": (_gaussian, 1.5),
    "box": (lambda x: 1.0 if abs(x) < 0.5 else 0.5 if abs(x) == 0.5 else 0.0, 1.0),
    "triangle": (lambda x: max(0.0, 1.0 - abs(x)), 1.0),
    "keyscubic": (_keys_cubic, 2.0), "mitchellcubic": (_mitchell_cubic, 2.0),
}


def scale_translate_weights(kernel_type: str, size_in: int, size_out: int, scale: float, translate: float,
                            antialias: bool) -> np.ndarray:
    """[out, in] weights of TF's ScaleAndTranslate along one axis.

    Output pixel x samples the input at s = (x + 0.5) / scale - translate / scale (nothing when
    s lies outside [0, size_in]); the taps within the kernel's radius of s (widened by 1 / scale
    when antialiasing a downscale) are weighed by the kernel at their distance and normalized
    to sum to 1, in float32 steps as TF takes them.
    """
    f32 = np.float32
    kernel, radius = _SAMPLING_KERNELS[kernel_type]
    inv_scale = f32(1.0 / scale)
    inv_translate = f32(-inv_scale * f32(translate))
    kernel_scale = max(inv_scale, f32(1.0)) if antialias else f32(1.0)
    one_over_kernel_scale = f32(1.0) / kernel_scale
    weights = np.zeros((size_out, size_in), np.float32)
    for x in range(size_out):
        sample = f32(f32(x + 0.5) * inv_scale + inv_translate)
        if sample < 0 or sample > size_in:
            continue
        start = int(np.ceil(f32(sample - f32(radius) * kernel_scale - f32(0.5))))
        end = int(np.floor(f32(sample + f32(radius) * kernel_scale - f32(0.5))))
        start = min(max(start, 0), size_in - 1)
        end = min(max(end, 0), size_in - 1) + 1
        taps = [f32(kernel(f32(abs(f32(f32(src) + f32(0.5) - sample) * one_over_kernel_scale))))
                for src in range(start, end)]
        total = f32(sum(taps, f32(0.0)))
        if abs(total) >= 1000 * np.finfo(np.float32).tiny:
            weights[x, start:end] = np.array(taps, np.float32) * (f32(1.0) / total)
    return weights


@handler("ScaleAndTranslate", since=12)
def convert_scale_and_translate(ctx, node):
    # TF:   resized [N, h, w, C] float32 = ScaleAndTranslate(images NHWC, size [h, w], scale [2],
    #                                                        translation [2]; kernel_type, antialias)
    #       (tf.image.resize with lanczos3/5, gaussian, mitchellcubic, or antialias=True)
    # ONNX: Resized = Einsum('yh,nhwc,xw->nyxc', Wy, X, Wx)   (the per-axis sampling weights;
    #       H, W static, size/scale/translation constant)
    sizes = static_resize_sizes(node)
    scale, translation = node.input_value(2), node.input_value(3)
    require(sizes is not None and scale is not None and translation is not None, node,
            "the input height and width must be static and the size, scale and translation constant")
    kind = node.str_attr("kernel_type", b"lanczos3")
    require(kind in _SAMPLING_KERNELS, node, f"unknown kernel_type {kind!r}")
    in_h, in_w, out_h, out_w = sizes
    (scale_y, scale_x), (shift_y, shift_x) = (np.asarray(v, np.float32).reshape(2) for v in (scale, translation))
    antialias = bool(node.attr("antialias", True))
    separable_resize(ctx, node, scale_translate_weights(kind, in_h, out_h, scale_y, shift_y, antialias),
                     scale_translate_weights(kind, in_w, out_w, scale_x, shift_x, antialias))
