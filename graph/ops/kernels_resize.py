"""Numpy kernels of TensorFlow's area and bicubic resizes, and their per-axis weight matrices.

Both resizes are separable: output = Wy @ image @ Wx^T per channel, with one [out, in] weight
matrix per axis. The converter (converters/image.py) bakes the matrices into an Einsum when the
sizes are static; these kernels build them from the run-time sizes, so a graph that resizes to
a size known only when it runs still runs (on the numpy side of a split run).
"""

from __future__ import annotations

import numpy as np
from ortflow.errors import GraphError
from ortflow.graph.ops.registry import kernel
from ortflow.graph.ops.schema import get_attr

__all__ = ["area_weights", "bicubic_weights"]


def area_weights(size_in: int, size_out: int, align_corners: bool) -> np.ndarray:
    """[out, in] weights of TF's area resize along one axis, divided by the box length.

    Output pixel i covers input [i * scale, (i + 1) * scale); each input pixel counts with the
    length of its overlap (indices past the edge count as the last pixel, as TF clamps them).
    """
    scale = (size_in - 1) / (size_out - 1) if align_corners and size_out > 1 else size_in / size_out
    weights = np.zeros((size_out, size_in), np.float64)
    for i in range(size_out):
        start, end = i * scale, (i + 1) * scale
        for j in range(int(np.floor(start)), int(np.ceil(end))):
            weights[i, min(j, size_in - 1)] += min(j + 1, end) - max(j, start)
    return weights / scale


#: TF's bicubic resize reads its kernel from a table of this many steps per pixel.
_BICUBIC_TABLE_STEPS = 1024


def _bicubic_table(a: float) -> np.ndarray:
    """[steps + 1, 2] float32 Keys-kernel weights at distances t and t + 1, t = i / steps."""
    t = (np.arange(_BICUBIC_TABLE_STEPS + 1) / _BICUBIC_TABLE_STEPS).astype(np.float32)
    near = ((a + 2) * t - (a + 3)) * t * t + 1
    far_t = t + np.float32(1.0)
    far = ((a * far_t - 5 * a) * far_t + 8 * a) * far_t - 4 * a
    return np.stack([near, far], axis=1).astype(np.float32)


def bicubic_weights(size_in: int, size_out: int, align_corners: bool, half_pixel: bool) -> np.ndarray:
    """[out, in] weights of TF's ResizeBicubic along one axis (float32 steps as TF takes them).

    Source positions are x * scale (legacy) or (x + 0.5) * scale - 0.5 (half-pixel centers);
    the four taps' weights come from the kernel table at the rounded fractional offset (Keys'
    a = -0.5 with half-pixel centers, -0.75 otherwise). Legacy taps past the edge read the edge
    pixel; half-pixel ones drop out and the rest are renormalized to sum to 1.
    """
    f32 = np.float32
    scale = f32((size_in - 1) / (size_out - 1) if align_corners and size_out > 1 else size_in / size_out)
    table = _bicubic_table(-0.5 if half_pixel else -0.75)
    steps = _BICUBIC_TABLE_STEPS
    weights = np.zeros((size_out, size_in), np.float64)
    for o in range(size_out):
        pos = f32((f32(o) + f32(0.5)) * scale - f32(0.5)) if half_pixel else f32(f32(o) * scale)
        base = int(np.floor(pos))
        offset = int(np.rint(f32(pos - base) * steps))
        taps = [table[offset, 1], table[offset, 0], table[steps - offset, 0], table[steps - offset, 1]]
        wanted = [base - 1, base, base + 1, base + 2]
        read = [min(size_in - 1, max(0, i)) for i in wanted]
        if half_pixel:
            taps = [w if r == i else f32(0) for w, r, i in zip(taps, read, wanted)]
            total = f32(sum(taps))
            if abs(total) >= 1000 * np.finfo(np.float32).tiny:
                taps = [w * (f32(1) / total) for w in taps]
        for w, r in zip(taps, read):
            weights[o, r] += w
    return weights


def _resize_inputs(op: str, inputs):
    images, size = np.asarray(inputs[0]), np.asarray(inputs[1]).reshape(-1)
    if images.ndim != 4 or size.shape != (2,):
        raise GraphError(f"{op}: images must be 4-D and size a 2-vector; got shapes {list(images.shape)} and "
                         f"{list(np.asarray(inputs[1]).shape)}")
    out_h, out_w = int(size[0]), int(size[1])
    if out_h <= 0 or out_w <= 0:
        raise GraphError(f"{op}: output dimensions must be positive; got {[out_h, out_w]}")
    return images, out_h, out_w


def _separable(images: np.ndarray, wy: np.ndarray, wx: np.ndarray) -> np.ndarray:
    out = np.einsum("yh,nhwc,xw->nyxc", wy.astype(np.float32), images.astype(np.float32),
                    wx.astype(np.float32))
    return out.astype(np.float32)


@kernel("ResizeArea")
def _resize_area(node_def, inputs):
    images, out_h, out_w = _resize_inputs("ResizeArea", inputs)
    corners = bool(get_attr(node_def, "align_corners", False))
    _, in_h, in_w, _ = images.shape
    return [_separable(images, area_weights(in_h, out_h, corners), area_weights(in_w, out_w, corners))]


@kernel("ResizeBicubic")
def _resize_bicubic(node_def, inputs):
    images, out_h, out_w = _resize_inputs("ResizeBicubic", inputs)
    corners = bool(get_attr(node_def, "align_corners", False))
    half = bool(get_attr(node_def, "half_pixel_centers", False))
    _, in_h, in_w, _ = images.shape
    return [_separable(images, bicubic_weights(in_h, out_h, corners, half), bicubic_weights(in_w, out_w, corners, half))]
