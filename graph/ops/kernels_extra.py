"""Numpy kernels of the less common ops: linalg, sorting and search, strings, image crops and patches.

These let the constant folder fold such ops, and the Session's numpy interpreter run graphs
whose ops ONNX cannot express (strings, decompositions). String tensors are object arrays
of `bytes`, as `make_ndarray` gives them.
"""

from __future__ import annotations

import re

import numpy as np
from ortflow.errors import GraphError
from ortflow.graph.ops.registry import kernel
from ortflow.graph.ops.schema import get_attr
from ortflow.graph.ops.shapes_common import numpy_dtype_attr, scalar_int

__all__: list[str] = []


def _as_bytes(v) -> bytes:
    # The Session hands strings over as str decoded with surrogateescape (any bytes survive).
    return v.encode("utf-8", "surrogateescape") if isinstance(v, str) else bytes(v)


def _strings(x) -> np.ndarray:
    """`x` as an object array of bytes (fed values may be str or numpy unicode)."""
    arr = np.asarray(x, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    for i, v in np.ndenumerate(arr):
        out[i] = _as_bytes(v)
    return out


def _scalar_bytes(x) -> bytes:
    # A scalar string input (a pattern, a rewrite) as bytes.
    return _as_bytes(np.asarray(x, dtype=object).reshape(())[()])


def _map_strings(x, fn) -> np.ndarray:
    arr = _strings(x)
    out = np.empty(arr.shape, dtype=object)
    for i, v in np.ndenumerate(arr):
        out[i] = fn(v)
    return out


# --------------------------------------------------------------------------- arrays


@kernel("Roll")
def _roll(node_def, inputs):
    x, shift, axis = inputs
    shifts = np.asarray(shift).reshape(-1).tolist()
    axes = np.asarray(axis).reshape(-1).tolist()
    if len(shifts) != len(axes):
        raise GraphError(f"shift and axis must have the same size, got {len(shifts)} and {len(axes)}")
    return [np.roll(x, shifts, axes)]


@kernel("LinSpace")
def _lin_space(node_def, inputs):
    start, stop, num = (np.asarray(v) for v in inputs)
    num = scalar_int(num)
    if num <= 0:
        raise GraphError(f"Requires num > 0: {num}")
    # start + i * step, in the input type, as TF's kernel computes it.
    step = (stop - start) / start.dtype.type(max(num - 1, 1))
    return [(start + np.arange(num).astype(start.dtype) * step).astype(start.dtype)]


@kernel("LowerBound", "UpperBound")
def _bound(node_def, inputs):
    sorted_inputs, values = (np.asarray(v) for v in inputs)
    side = "left" if node_def.op == "LowerBound" else "right"
    out = np.empty(values.shape, dtype=numpy_dtype_attr(node_def, "out_type"))
    for row in range(sorted_inputs.shape[0]):
        out[row] = np.searchsorted(sorted_inputs[row], values[row], side=side)
    return [out]


@kernel("HistogramFixedWidth")
def _histogram_fixed_width(node_def, inputs):
    values, value_range, nbins = (np.asarray(v) for v in inputs)
    nbins = scalar_int(nbins)
    if nbins <= 0:
        raise GraphError(f"nbins should be a positive number, but got '{nbins}'")
    lo, hi = value_range.reshape(-1)[:2]
    # TF's kernel: the offset from lo in the input type, divided in double by the bin width.
    step = float(hi - lo) / nbins
    offset = (np.maximum(values.reshape(-1), lo) - lo).astype(np.float64)
    index = np.minimum(offset / step, nbins - 1).astype(np.int64)
    return [np.bincount(index, minlength=nbins).astype(numpy_dtype_attr(node_def, "dtype"))]


@kernel("Bitcast")
def _bitcast(node_def, inputs):
    x = np.ascontiguousarray(inputs[0])
    dst = numpy_dtype_attr(node_def, "type")
    if x.dtype.itemsize == dst.itemsize:
        return [x.view(dst)]
    if x.dtype.itemsize > dst.itemsize:
        return [x.view(dst).reshape(x.shape + (x.dtype.itemsize // dst.itemsize,))]
    ratio = dst.itemsize // x.dtype.itemsize
    if not x.shape or x.shape[-1] != ratio:
        raise GraphError(f"Cannot bitcast from {x.dtype} to {dst}: the last dim must be {ratio}")
    return [x.view(dst).reshape(x.shape[:-1])]


def _index_tuples(tensor, indices):
    indices = np.asarray(indices).astype(np.int64)
    depth = indices.shape[-1]
    flat = indices.reshape(-1, depth)
    for row in flat:
        for axis, i in enumerate(row):
            if not 0 <= i < tensor.shape[axis]:
                raise GraphError(f"indices {row.tolist()} do not index a tensor of shape {list(tensor.shape)}")
    return flat, depth


@kernel("ListDiff")
def _list_diff(node_def, inputs):
    x, y = np.asarray(inputs[0]), np.asarray(inputs[1])
    keep = ~np.isin(x, y)
    return [x[keep], np.flatnonzero(keep).astype(numpy_dtype_attr(node_def, "out_idx"))]


@kernel("UnravelIndex")
def _unravel_index(node_def, inputs):
    indices, dims = np.asarray(inputs[0]), np.asarray(inputs[1])
    total = int(np.prod(dims))
    if ((indices < 0) | (indices >= total)).any():
        raise GraphError(f"index out of bounds as compared to dims {dims.tolist()}")
    return [np.stack(np.unravel_index(indices, tuple(int(d) for d in dims))).astype(indices.dtype)]


#: ortflow's own ops for the new value of ScatterMul / ScatterDiv (TF has no TensorScatterMul):
#: runtime/lowering.py rewrites those state ops into them, as ScatterAdd into TensorScatterAdd.
TENSOR_SCATTER_MUL_OP = "_OrtflowTensorScatterMul"
TENSOR_SCATTER_DIV_OP = "_OrtflowTensorScatterDiv"


def _register_tensor_scatter_ops() -> None:
    from ortflow.graph.ops.schema import register_op_def
    from ortflow.proto import OpDef

    for name in (TENSOR_SCATTER_MUL_OP, TENSOR_SCATTER_DIV_OP):
        op = OpDef(name=name)
        op.input_arg.add(name="tensor", type_attr="T")
        op.input_arg.add(name="indices", type_attr="Tindices")
        op.input_arg.add(name="updates", type_attr="T")
        op.output_arg.add(name="output", type_attr="T")
        op.attr.add(name="T", type="type")
        op.attr.add(name="Tindices", type="type")
        register_op_def(op)


_register_tensor_scatter_ops()


@kernel("TensorScatterUpdate", "TensorScatterAdd", "TensorScatterSub", "TensorScatterMax", "TensorScatterMin",
        TENSOR_SCATTER_MUL_OP, TENSOR_SCATTER_DIV_OP)
def _tensor_scatter(node_def, inputs):
    tensor, indices, updates = inputs
    out = np.array(tensor, copy=True)
    flat, depth = _index_tuples(out, indices)
    updates = np.asarray(updates).reshape((flat.shape[0],) + out.shape[depth:])
    for row, update in zip(flat, updates):
        key = tuple(row)
        if node_def.op == "TensorScatterUpdate":
            out[key] = update
        elif node_def.op == "TensorScatterAdd":
            out[key] = out[key] + update
        elif node_def.op == "TensorScatterSub":
            out[key] = out[key] - update
        elif node_def.op == "TensorScatterMax":
            out[key] = np.maximum(out[key], update)
        elif node_def.op == TENSOR_SCATTER_MUL_OP:
            out[key] = out[key] * update
        elif node_def.op == TENSOR_SCATTER_DIV_OP:  # TF's ScatterDiv: integers divide truncating
            out[key] = (np.trunc(out[key] / update).astype(out.dtype) if out.dtype.kind in "iu"
                        else out[key] / update)
        else:
            out[key] = np.minimum(out[key], update)
    return [out]


@kernel("Xlogy", "Xdivy", "Xlog1py")
def _xlogy(node_def, inputs):
    x, y = np.broadcast_arrays(*(np.asarray(v) for v in inputs))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = {"Xlogy": lambda: x * np.log(y), "Xdivy": lambda: x / y,
                 "Xlog1py": lambda: x * np.log1p(y)}[node_def.op]()
    return [np.where(x == 0, np.zeros_like(value), value).astype(x.dtype)]


@kernel("InTopK", "InTopKV2")
def _in_top_k(node_def, inputs):
    predictions, targets = np.asarray(inputs[0]), np.asarray(inputs[1]).astype(np.int64)
    k = get_attr(node_def, "k") if node_def.op == "InTopK" else scalar_int(inputs[2])
    out = np.zeros(targets.shape, dtype=bool)
    for b, target in enumerate(targets):
        row = predictions[b]
        if not 0 <= target < row.size or not np.isfinite(row).all():
            continue  # TF answers false when it cannot say
        out[b] = int((row > row[target]).sum()) < k
    return [out]


@kernel("SegmentSum", "SegmentMean", "SegmentMax", "SegmentMin", "SegmentProd")
def _segment(node_def, inputs):
    data, ids = np.asarray(inputs[0]), np.asarray(inputs[1]).astype(np.int64)
    if ids.size and (np.diff(ids) < 0).any():
        raise GraphError("segment_ids are not increasing")
    n = int(ids[-1]) + 1 if ids.size else 0
    out = np.zeros((n,) + data.shape[1:], dtype=data.dtype)
    reduce = {"SegmentSum": np.sum, "SegmentMean": np.mean, "SegmentMax": np.max, "SegmentMin": np.min,
              "SegmentProd": np.prod}[node_def.op]
    for segment in range(n):
        rows = data[ids == segment]
        if rows.shape[0]:
            out[segment] = reduce(rows, axis=0)
        elif node_def.op == "SegmentProd":
            out[segment] = 1
    return [out]


@kernel("DenseBincount")
def _dense_bincount(node_def, inputs):
    values, size, weights = np.asarray(inputs[0]), scalar_int(inputs[1]), np.asarray(inputs[2])
    dtype = numpy_dtype_attr(node_def, "T")
    binary = get_attr(node_def, "binary_output", False)
    rows = values.reshape(-1, values.shape[-1]) if values.ndim else values.reshape(1, 1)
    w = weights.reshape(rows.shape) if weights.size else None
    out = np.zeros((rows.shape[0], size), dtype=dtype)
    for r, row in enumerate(rows):
        for j, v in enumerate(row):
            if 0 <= v < size:
                out[r, v] = 1 if binary else out[r, v] + (1 if w is None else w[r, j])
    return [out.reshape(values.shape[:-1] + (size,)) if values.ndim > 1 else out.reshape(size)]


# --------------------------------------------------------------------------- linalg


def _adjointed(node_def, x: np.ndarray) -> np.ndarray:
    # `x`, or its conjugate transpose over the innermost two axes when the node's `adjoint` is set.
    return np.conj(np.swapaxes(x, -1, -2)) if get_attr(node_def, "adjoint", False) else x


def _linalg(compute, message: str) -> np.ndarray:
    # `compute()`, a numpy.linalg call; its LinAlgError (a singular or not positive definite
    # input) becomes TF's run-time error `message`.
    try:
        return compute()
    except np.linalg.LinAlgError as e:
        raise GraphError(message) from e


@kernel("MatrixInverse")
def _matrix_inverse(node_def, inputs):
    x = _adjointed(node_def, np.asarray(inputs[0]))
    return [_linalg(lambda: np.linalg.inv(x), "Input is not invertible.").astype(x.dtype)]


@kernel("Cholesky")
def _cholesky(node_def, inputs):
    x = np.asarray(inputs[0])
    message = "Cholesky decomposition was not successful. The input might not be valid."
    return [_linalg(lambda: np.linalg.cholesky(x), message).astype(x.dtype)]


@kernel("Qr")
def _qr(node_def, inputs):
    x = np.asarray(inputs[0])
    q, r = np.linalg.qr(x, mode="complete" if get_attr(node_def, "full_matrices", False) else "reduced")
    return [q.astype(x.dtype), r.astype(x.dtype)]


@kernel("MatrixDeterminant")
def _matrix_determinant(node_def, inputs):
    x = np.asarray(inputs[0])
    return [np.linalg.det(x).astype(x.dtype)]


@kernel("LogMatrixDeterminant")
def _log_matrix_determinant(node_def, inputs):
    x = np.asarray(inputs[0])
    sign, logdet = np.linalg.slogdet(x)
    return [sign.astype(x.dtype), logdet.astype(x.dtype)]


@kernel("MatrixSolve")
def _matrix_solve(node_def, inputs):
    matrix, rhs = (np.asarray(v) for v in inputs)
    matrix = _adjointed(node_def, matrix)
    return [_linalg(lambda: np.linalg.solve(matrix, rhs), "Input matrix is not invertible.").astype(rhs.dtype)]


@kernel("MatrixTriangularSolve")
def _matrix_triangular_solve(node_def, inputs):
    matrix, rhs = (np.asarray(v) for v in inputs)
    lower = get_attr(node_def, "lower", True)
    # Only the named triangle is read, as in TF; the other is taken as zeros.
    tri = _adjointed(node_def, np.tril(matrix) if lower else np.triu(matrix))
    return [np.linalg.solve(tri, rhs).astype(rhs.dtype)]


@kernel("SelfAdjointEigV2")
def _self_adjoint_eig(node_def, inputs):
    x = np.asarray(inputs[0])
    e, v = np.linalg.eigh(x, UPLO="L")
    if not get_attr(node_def, "compute_v", True):
        return [e.astype(x.real.dtype), np.zeros((0,), x.dtype)]
    return [e.astype(x.real.dtype), v.astype(x.dtype)]


@kernel("Svd")
def _svd(node_def, inputs):
    x = np.asarray(inputs[0])
    if not get_attr(node_def, "compute_uv", True):
        s = np.linalg.svd(x, compute_uv=False)
        return [s.astype(x.real.dtype), np.zeros((0,), x.dtype), np.zeros((0,), x.dtype)]
    u, s, vh = np.linalg.svd(x, full_matrices=get_attr(node_def, "full_matrices", False))
    # TF returns v, not its adjoint: x = u @ diag(s) @ adjoint(v).
    return [s.astype(x.real.dtype), u.astype(x.dtype), np.conj(np.swapaxes(vh, -1, -2)).astype(x.dtype)]


@kernel("Diag")
def _diag(node_def, inputs):
    d = np.asarray(inputs[0])
    flat = d.reshape(-1)
    out = np.zeros((flat.size, flat.size), dtype=d.dtype)
    out[np.arange(flat.size), np.arange(flat.size)] = flat
    return [out.reshape(d.shape + d.shape)]


@kernel("DiagPart")
def _diag_part(node_def, inputs):
    x = np.asarray(inputs[0])
    half = x.shape[:x.ndim // 2]
    n = int(np.prod(half, dtype=np.int64))
    return [x.reshape(n, n)[np.arange(n), np.arange(n)].reshape(half)]


def _main_diagonal_only(k) -> None:
    if np.asarray(k).reshape(-1).tolist() != [0]:
        raise GraphError(f"only the main diagonal (k = 0) is supported, got k = {np.asarray(k).tolist()}")


@kernel("MatrixDiagV2", "MatrixDiagV3")
def _matrix_diag_v3(node_def, inputs):
    diagonal, k, num_rows, num_cols, padding = inputs
    _main_diagonal_only(k)
    d = np.asarray(diagonal)
    n = d.shape[-1]
    rows, cols = scalar_int(num_rows), scalar_int(num_cols)
    rows = n if rows == -1 else rows
    cols = n if cols == -1 else cols
    out = np.full(d.shape[:-1] + (rows, cols), np.asarray(padding).reshape(()), dtype=d.dtype)
    m = min(rows, cols, n)
    out[..., np.arange(m), np.arange(m)] = d[..., :m]
    return [out]


@kernel("MatrixDiagPartV2", "MatrixDiagPartV3")
def _matrix_diag_part_v3(node_def, inputs):
    x, k = inputs[0], inputs[1]
    _main_diagonal_only(k)
    return [np.diagonal(np.asarray(x), axis1=-2, axis2=-1).copy()]


@kernel("MatrixSetDiag", "MatrixSetDiagV2", "MatrixSetDiagV3")
def _matrix_set_diag(node_def, inputs):
    x, diagonal = np.asarray(inputs[0]), np.asarray(inputs[1])
    if len(inputs) > 2:
        _main_diagonal_only(inputs[2])
    out = np.array(x, copy=True)
    m = min(x.shape[-2], x.shape[-1])
    out[..., np.arange(m), np.arange(m)] = diagonal
    return [out]


@kernel("Cross")
def _cross(node_def, inputs):
    a, b = (np.asarray(v) for v in inputs)
    return [np.cross(a, b).astype(a.dtype)]


# --------------------------------------------------------------------------- images


def _rgb_to_hsv(rgb):
    r, g, b = (rgb[..., i] for i in range(3))
    v = np.maximum(np.maximum(r, g), b)
    spread = v - np.minimum(np.minimum(r, g), b)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(v > 0, spread / v, 0)
        norm = 1 / (6 * spread)
        h = np.where(r == v, norm * (g - b), np.where(g == v, norm * (b - r) + 2 / 6, norm * (r - g) + 4 / 6))
    h = np.where(spread > 0, h, 0)
    h = np.where(h < 0, h + 1, h)
    return h, s, v


def _hsv_to_rgb(h, s, v):
    chroma = s * v
    m = v - chroma
    dh = h * 6
    category = np.floor(dh)
    x = chroma * (1 - np.abs(np.mod(dh, 2) - 1))
    zero = np.zeros_like(chroma)
    parts = (chroma, x, zero)
    sectors = ((0, 1, 2), (1, 0, 2), (2, 0, 1), (2, 1, 0), (1, 2, 0), (0, 2, 1))
    channels = []
    for c in range(3):
        value = zero
        for k, sector in enumerate(sectors):
            value = np.where(category == k, parts[sector[c]], value)
        channels.append(value + m)
    return np.stack(channels, axis=-1)


@kernel("RGBToHSV")
def _rgb_to_hsv_kernel(node_def, inputs):
    x = np.asarray(inputs[0])
    return [np.stack(_rgb_to_hsv(x.astype(np.float32)), axis=-1).astype(x.dtype)]


@kernel("HSVToRGB")
def _hsv_to_rgb_kernel(node_def, inputs):
    x = np.asarray(inputs[0]).astype(np.float32)
    return [_hsv_to_rgb(x[..., 0], x[..., 1], x[..., 2]).astype(np.asarray(inputs[0]).dtype)]


@kernel("AdjustHue", "AdjustSaturation")
def _adjust_hue_saturation(node_def, inputs):
    x = np.asarray(inputs[0])
    h, s, v = _rgb_to_hsv(x.astype(np.float32))
    amount = np.float32(np.asarray(inputs[1]))
    if node_def.op == "AdjustHue":
        h = h + amount
        h = h - np.floor(h)
    else:
        s = np.clip(s * amount, 0, 1)
    return [_hsv_to_rgb(h, s, v).astype(x.dtype)]


def _iou(a, b) -> float:
    ay0, ay1 = sorted((a[0], a[2]))
    ax0, ax1 = sorted((a[1], a[3]))
    by0, by1 = sorted((b[0], b[2]))
    bx0, bx1 = sorted((b[1], b[3]))
    area_a, area_b = (ay1 - ay0) * (ax1 - ax0), (by1 - by0) * (bx1 - bx0)
    if area_a <= 0 or area_b <= 0:
        return 0.0
    inter = max(0.0, min(ay1, by1) - max(ay0, by0)) * max(0.0, min(ax1, bx1) - max(ax0, bx0))
    return inter / (area_a + area_b - inter)


def _select_boxes(boxes, scores, max_output: int, iou_threshold: float, score_threshold: float,
                  soft_nms_sigma: float = 0.0):
    """TF's greedy (soft) non-max suppression: (selected indices, their possibly decayed scores)."""
    import heapq

    scale = -0.5 / soft_nms_sigma if soft_nms_sigma > 0 else 0.0
    # A max-heap on score; equal scores pop the lower box index first.
    heap = [(-float(scores[i]), i, 0, float(scores[i])) for i in range(len(scores)) if scores[i] > score_threshold]
    heapq.heapify(heap)
    selected: list[int] = []
    selected_scores: list[float] = []
    while heap and len(selected) < max_output:
        _, index, begin, score = heapq.heappop(heap)
        original, hard = score, False
        for j in range(len(selected) - 1, begin - 1, -1):
            iou = _iou(boxes[index], boxes[selected[j]])
            if scale == 0.0 and iou > iou_threshold:
                hard = True
                break
            score *= np.exp(scale * iou * iou) if (scale != 0.0 or iou <= iou_threshold) else 0.0
            if score <= score_threshold:
                break
        if hard:
            continue
        if score == original:
            selected.append(index)
            selected_scores.append(score)
        elif score > score_threshold:
            heapq.heappush(heap, (-score, index, len(selected), score))
    return selected, selected_scores


def _nms_args(node_def, inputs):
    boxes, scores = np.asarray(inputs[0], np.float64), np.asarray(inputs[1], np.float64)
    if node_def.op == "NonMaxSuppression":
        return boxes, scores, scalar_int(inputs[2]), float(get_attr(node_def, "iou_threshold")), -np.inf, 0.0
    iou = float(np.asarray(inputs[3]))
    score = float(np.asarray(inputs[4])) if len(inputs) > 4 else -np.inf
    sigma = float(np.asarray(inputs[5])) if node_def.op == "NonMaxSuppressionV5" else 0.0
    return boxes, scores, scalar_int(inputs[2]), iou, score, sigma


@kernel("NonMaxSuppression", "NonMaxSuppressionV2", "NonMaxSuppressionV3", "NonMaxSuppressionV4",
        "NonMaxSuppressionV5")
def _non_max_suppression(node_def, inputs):
    boxes, scores, max_output, iou, score_threshold, sigma = _nms_args(node_def, inputs)
    selected, selected_scores = _select_boxes(boxes, scores, max_output, iou, score_threshold, sigma)
    valid = len(selected)
    if node_def.op in ("NonMaxSuppressionV4", "NonMaxSuppressionV5") and get_attr(node_def, "pad_to_max_output_size",
                                                                                 False):
        selected += [0] * (max_output - valid)
        selected_scores += [0.0] * (max_output - valid)
    out = [np.asarray(selected, dtype=np.int32)]
    if node_def.op == "NonMaxSuppressionV5":
        out.append(np.asarray(selected_scores, dtype=np.asarray(inputs[1]).dtype))
    if node_def.op in ("NonMaxSuppressionV4", "NonMaxSuppressionV5"):
        out.append(np.int32(valid))
    return out


@kernel("CombinedNonMaxSuppression")
def _combined_non_max_suppression(node_def, inputs):
    # Per image: greedy NMS per class (at most max_output_size_per_class each), then the best
    # max_total_size of all classes by score, boxes clipped to [0, 1] (clip_boxes), zero padded.
    boxes, scores = np.asarray(inputs[0], np.float32), np.asarray(inputs[1], np.float32)
    if boxes.ndim != 4 or boxes.shape[-1] != 4 or scores.ndim != 3 or boxes.shape[:2] != scores.shape[:2] \
            or boxes.shape[2] not in (1, scores.shape[2]):
        raise GraphError(f"CombinedNonMaxSuppression needs boxes [batch, boxes, 1 or classes, 4] and scores "
                         f"[batch, boxes, classes]; got {list(boxes.shape)} and {list(scores.shape)}")
    per_class, total = scalar_int(inputs[2]), scalar_int(inputs[3])
    iou, threshold = float(np.asarray(inputs[4])), float(np.asarray(inputs[5]))
    batch, _, q, _ = boxes.shape
    classes = scores.shape[2]
    size = min(total, per_class * classes) if get_attr(node_def, "pad_per_class", False) else total
    out_boxes = np.zeros((batch, size, 4), np.float32)
    out_scores = np.zeros((batch, size), np.float32)
    out_classes = np.zeros((batch, size), np.float32)
    valid = np.zeros((batch,), np.int32)
    for b in range(batch):
        found = []
        for c in range(classes):
            class_boxes = boxes[b, :, c if q > 1 else 0]
            selected, _ = _select_boxes(class_boxes.astype(np.float64), scores[b, :, c].astype(np.float64),
                                        per_class, iou, threshold)
            found += [(scores[b, i, c], c, class_boxes[i]) for i in selected]
        found.sort(key=lambda item: -item[0])
        found = found[:size]
        valid[b] = len(found)
        for k, (score, c, box) in enumerate(found):
            out_boxes[b, k], out_scores[b, k], out_classes[b, k] = box, score, c
    if get_attr(node_def, "clip_boxes", True):
        out_boxes = np.clip(out_boxes, 0.0, 1.0)
    return [out_boxes, out_scores, out_classes, valid]


@kernel("ExtractImagePatches")
def _extract_image_patches(node_def, inputs):
    x = np.asarray(inputs[0])
    _, kh, kw, _ = get_attr(node_def, "ksizes")
    _, sh, sw, _ = get_attr(node_def, "strides")
    _, rh, rw, _ = get_attr(node_def, "rates")
    same = get_attr(node_def, "padding") in (b"SAME", "SAME")
    n, h, w, c = x.shape
    pads = []
    for size, k, s, r in ((h, kh, sh, rh), (w, kw, sw, rw)):
        eff = (k - 1) * r + 1
        out = -(-size // s) if same else max(0, (size - eff) // s + 1)
        total = max(0, (out - 1) * s + eff - size) if same else 0
        pads.append((out, total // 2, total - total // 2))
    (oh, top, bottom), (ow, left, right) = pads
    padded = np.pad(x, [(0, 0), (top, bottom), (left, right), (0, 0)])
    out = np.empty((n, oh, ow, kh * kw * c), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            patch = padded[:, i * rh: i * rh + (oh - 1) * sh + 1: sh, j * rw: j * rw + (ow - 1) * sw + 1: sw, :]
            out[..., (i * kw + j) * c:(i * kw + j + 1) * c] = patch
    return [out]


def _crop_coordinates(low, high, size, extent):
    """Sample positions of one crop axis in image pixels: `size` points from `low` to `high`."""
    if size > 1:
        return [low * (extent - 1) + i * (high - low) * (extent - 1) / (size - 1) for i in range(size)]
    return [0.5 * (low + high) * (extent - 1)]


def _sample_bilinear(image, y, x):
    height, width = image.shape[:2]
    y0, x0 = int(np.floor(y)), int(np.floor(x))
    y1, x1 = min(y0 + 1, height - 1), min(x0 + 1, width - 1)
    dy, dx = y - y0, x - x0
    top = image[y0, x0] * (1 - dx) + image[y0, x1] * dx
    bottom = image[y1, x0] * (1 - dx) + image[y1, x1] * dx
    return top * (1 - dy) + bottom * dy


def _sample_nearest(image, y, x):
    return image[int(np.round(y)), int(np.round(x))]


def _crop(image, box, crop_h, crop_w, extrapolation, sample):
    """One box of CropAndResize: points outside the image take `extrapolation`."""
    height, width, channels = image.shape
    y1, x1, y2, x2 = box
    out = np.empty((crop_h, crop_w, channels), np.float32)
    for r, y in enumerate(_crop_coordinates(y1, y2, crop_h, height)):
        for c, x in enumerate(_crop_coordinates(x1, x2, crop_w, width)):
            inside = 0 <= y <= height - 1 and 0 <= x <= width - 1
            out[r, c] = sample(image, y, x) if inside else extrapolation
    return out


@kernel("CropAndResize")
def _crop_and_resize(node_def, inputs):
    image, boxes, box_index, crop_size = (np.asarray(v) for v in inputs)
    crop_h, crop_w = (int(v) for v in crop_size.reshape(-1))
    method = get_attr(node_def, "method", b"bilinear")
    sample = _sample_nearest if method in (b"nearest", "nearest") else _sample_bilinear
    extrapolation = float(get_attr(node_def, "extrapolation_value", 0.0))
    image = image.astype(np.float32)
    out = np.empty((boxes.shape[0], crop_h, crop_w, image.shape[-1]), np.float32)
    for b in range(boxes.shape[0]):
        index = int(box_index[b])
        if not 0 <= index < image.shape[0]:
            raise GraphError(f"box_index has values outside [0, batch_size): {index}")
        out[b] = _crop(image[index], boxes[b].astype(np.float64), crop_h, crop_w, extrapolation, sample)
    return [out]


# --------------------------------------------------------------------------- strings


@kernel("StringJoin")
def _string_join(node_def, inputs):
    separator = _as_bytes(get_attr(node_def, "separator", b""))
    parts = np.broadcast_arrays(*[_strings(v) for v in inputs])
    out = np.empty(parts[0].shape, dtype=object)
    for i in np.ndindex(out.shape):
        out[i] = separator.join(p[i] for p in parts)
    return [out]


@kernel("StringLower")
def _string_lower(node_def, inputs):
    return [_map_strings(inputs[0], bytes.lower)]


@kernel("StringUpper")
def _string_upper(node_def, inputs):
    return [_map_strings(inputs[0], bytes.upper)]


@kernel("StringStrip")
def _string_strip(node_def, inputs):
    return [_map_strings(inputs[0], bytes.strip)]


@kernel("StringLength")
def _string_length(node_def, inputs):
    if get_attr(node_def, "unit", b"BYTE") in (b"UTF8_CHAR", "UTF8_CHAR"):
        lengths = _map_strings(inputs[0], lambda v: len(v.decode("utf-8")))
    else:
        lengths = _map_strings(inputs[0], len)
    return [lengths.astype(np.int32)]


def _regex_replace(x, pattern: bytes, rewrite: bytes, replace_global: bool):
    # TF writes groups as \1 in the rewrite (RE2), as Python's re does.
    compiled = re.compile(pattern)
    return _map_strings(x, lambda v: compiled.sub(rewrite, v, count=0 if replace_global else 1))


@kernel("StaticRegexReplace")
def _static_regex_replace(node_def, inputs):
    return [_regex_replace(inputs[0], _as_bytes(get_attr(node_def, "pattern")),
                           _as_bytes(get_attr(node_def, "rewrite")), get_attr(node_def, "replace_global", True))]


@kernel("RegexReplace")
def _dynamic_regex_replace(node_def, inputs):
    return [_regex_replace(inputs[0], _scalar_bytes(inputs[1]), _scalar_bytes(inputs[2]),
                           get_attr(node_def, "replace_global", True))]


@kernel("StringToNumber")
def _string_to_number(node_def, inputs):
    out_type = numpy_dtype_attr(node_def, "out_type")
    arr = _strings(inputs[0])
    out = np.empty(arr.shape, dtype=out_type)
    for i, v in np.ndenumerate(arr):
        text = v.decode("utf-8", "replace").strip()
        try:
            out[i] = int(text) if out_type.kind in "iu" else float(text)
        except ValueError as e:
            raise GraphError(f"StringToNumberOp could not correctly convert string: {text}") from e
    return [out]


def _format_number(v, precision: int, scientific: bool, shortest: bool) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (np.integer, int)):
        return str(int(v))
    if shortest:
        return f"{float(v):g}"
    if scientific:
        return f"{float(v):.{precision if precision >= 0 else 6}e}"
    return f"{float(v):.{precision if precision >= 0 else 6}f}"


@kernel("AsString")
def _as_string(node_def, inputs):
    x = np.asarray(inputs[0])
    precision = get_attr(node_def, "precision", -1)
    scientific = get_attr(node_def, "scientific", False)
    shortest = get_attr(node_def, "shortest", False)
    width = get_attr(node_def, "width", -1)
    fill = _as_bytes(get_attr(node_def, "fill", b"")).decode() or " "
    out = np.empty(x.shape, dtype=object)
    for i, v in np.ndenumerate(x):
        if np.iscomplexobj(x):
            text = f"({_format_number(v.real, precision, scientific, shortest)},"\
                   f"{_format_number(v.imag, precision, scientific, shortest)})"
        else:
            text = _format_number(v, precision, scientific, shortest)
        if width > 0:
            text = text.rjust(width, fill) if fill != "0" or text[:1] != "-" else "-" + text[1:].rjust(width - 1, "0")
        out[i] = text.encode()
    return [out]


@kernel("DecodeRaw")
def _decode_raw(node_def, inputs):
    out_type = numpy_dtype_attr(node_def, "out_type")
    if not get_attr(node_def, "little_endian", True):
        out_type = out_type.newbyteorder(">")
    arr = _strings(inputs[0])
    rows = [np.frombuffer(v, dtype=out_type) for v in arr.reshape(-1)]
    lengths = {len(r) for r in rows}
    if len(lengths) > 1:
        raise GraphError("DecodeRaw requires input strings to all be the same size")
    width = lengths.pop() if lengths else 0
    values = np.stack(rows) if rows else np.zeros((0, width), out_type)
    return [values.astype(out_type.newbyteorder("=")).reshape(arr.shape + (width,))]


@kernel("Substr")
def _substr(node_def, inputs):
    x = _strings(inputs[0])
    x, pos, length = np.broadcast_arrays(x, np.asarray(inputs[1]), np.asarray(inputs[2]))
    out = np.empty(x.shape, dtype=object)
    by_char = get_attr(node_def, "unit", b"BYTE") in (b"UTF8_CHAR", "UTF8_CHAR")
    for i in np.ndindex(x.shape):
        s, p, n = x[i], int(pos[i]), int(length[i])
        # UTF8_CHAR: pos and len count characters; the byte offsets of each character's start
        starts = [k for k, b in enumerate(s) if b & 0xC0 != 0x80] + [len(s)] if by_char else None
        size = len(starts) - 1 if by_char else len(s)
        if p < 0:
            p += size
        if not 0 <= p <= size:
            raise GraphError(f"pos {int(pos[i])} out of range for string b'{s!r}' at index {i}")
        end = min(p + max(n, 0), size)
        out[i] = s[starts[p]:starts[end]] if by_char else s[p:end]
    return [out]


@kernel("ReduceJoin")
def _reduce_join(node_def, inputs):
    x = _strings(inputs[0])
    axes = [int(a) % x.ndim for a in np.asarray(inputs[1]).reshape(-1)] if x.ndim else []
    if len(set(axes)) != len(axes):
        raise GraphError(f"Duplicate reduction dimension {axes}")
    separator = _as_bytes(get_attr(node_def, "separator", b""))
    keep = [a for a in range(x.ndim) if a not in axes]
    # The first listed axis varies fastest in the joined order, so it goes last.
    moved = np.transpose(x, keep + axes[::-1]) if x.ndim else x
    rows = moved.reshape([x.shape[a] for a in keep] + [-1])
    out = np.empty(rows.shape[:-1], dtype=object)
    for i in np.ndindex(out.shape):
        out[i] = separator.join(rows[i])
    if get_attr(node_def, "keep_dims", False):
        out = out.reshape([1 if a in axes else x.shape[a] for a in range(x.ndim)])
    return [out]


@kernel("StaticRegexFullMatch")
def _static_regex_full_match(node_def, inputs):
    pattern = re.compile(_as_bytes(get_attr(node_def, "pattern")))
    return [_map_strings(inputs[0], lambda v: pattern.fullmatch(v) is not None).astype(bool)]


@kernel("RegexFullMatch")
def _regex_full_match(node_def, inputs):
    pattern = re.compile(_scalar_bytes(inputs[1]))
    return [_map_strings(inputs[0], lambda v: pattern.fullmatch(v) is not None).astype(bool)]


@kernel("EncodeBase64")
def _encode_base64(node_def, inputs):
    import base64

    pad = get_attr(node_def, "pad", False)

    def encode(v):
        text = base64.urlsafe_b64encode(v)
        return text if pad else text.rstrip(b"=")
    return [_map_strings(inputs[0], encode)]


@kernel("DecodeBase64")
def _decode_base64(node_def, inputs):
    import base64
    import binascii

    def decode(v):
        try:
            return base64.urlsafe_b64decode(v + b"=" * (-len(v) % 4))
        except (binascii.Error, ValueError) as e:
            raise GraphError(f"Invalid character found in base64: {v!r}") from e
    return [_map_strings(inputs[0], decode)]
