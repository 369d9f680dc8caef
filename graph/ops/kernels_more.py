"""Numpy kernels for ops scripts use at inference: table files and hashing, checkpoint reads,
boxes, morphology, pooling with indices and Fourier transforms."""

from __future__ import annotations

import numpy as np
from ortflow.errors import GraphError
from ortflow.graph.ops.registry import kernel

__all__ = ["READ_TEXT_TABLE_OP", "read_text_table"]

READ_TEXT_TABLE_OP = "_OrtflowReadTextTable"


def _register_read_text_table() -> None:
    # ortflow's own op (runtime/tables.py emits it for InitializeTableFromTextFileV2): its
    # signature, so that output dtypes and the split runner's boundaries are known.
    from ortflow.graph.ops.schema import register_op_def
    from ortflow.proto import OpDef

    op = OpDef(name=READ_TEXT_TABLE_OP, is_stateful=True)
    op.input_arg.add(name="filename", type=7)  # DT_STRING
    op.output_arg.add(name="keys", type_attr="Tkeys")
    op.output_arg.add(name="values", type_attr="Tvalues")
    for attr, kind in (("Tkeys", "type"), ("Tvalues", "type"), ("key_index", "int"), ("value_index", "int"),
                       ("vocab_size", "int"), ("offset", "int"), ("delimiter", "string")):
        op.attr.add(name=attr, type=kind)
    register_op_def(op)


_register_read_text_table()

_WHOLE_LINE, _LINE_NUMBER = -2, -1


def read_text_table(filename, key_index: int, value_index: int, vocab_size: int = -1,
                    delimiter: str = "\t", offset: int = 0, key_dtype=np.object_,
                    value_dtype=np.int64) -> tuple[np.ndarray, np.ndarray]:
    """The (keys, values) a `TextFileInitializer` puts in its table, read from `filename`.

    Column index -1 is the line number (plus `offset`), -2 the whole line, n >= 0 the n-th
    field split at `delimiter`. With `vocab_size` > 0 only that many lines are read, and the
    file must have at least that many.

    Raises:
        NotFoundError: if the file cannot be read.
        InvalidArgumentError: for a line with too few fields or a field that does not parse.
    """
    from ortflow.errors import InvalidArgumentError, NotFoundError

    path = filename.decode() if isinstance(filename, bytes) else str(filename)
    try:
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
    except OSError as e:
        raise NotFoundError(None, None, f"{path}: cannot read the table's text file: {e.strerror or e}") from e
    if lines and lines[-1] == b"":
        lines.pop()
    lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
    if vocab_size > 0:
        if len(lines) < vocab_size:
            raise InvalidArgumentError(None, None, f"{path}: the table's vocab_size is {vocab_size} "
                                       f"but the file has only {len(lines)} lines.")
        lines = lines[:vocab_size]
    sep = delimiter.encode() if isinstance(delimiter, str) else delimiter
    keys = [_column(path, n, line, key_index, sep, offset) for n, line in enumerate(lines)]
    values = [_column(path, n, line, value_index, sep, offset) for n, line in enumerate(lines)]
    return _typed(path, keys, key_dtype), _typed(path, values, value_dtype)


def _column(path: str, n: int, line: bytes, index: int, sep: bytes, offset: int):
    from ortflow.errors import InvalidArgumentError

    if index == _LINE_NUMBER:
        return n + offset
    if index == _WHOLE_LINE:
        return line
    fields = line.split(sep)
    if index >= len(fields):
        raise InvalidArgumentError(None, None, f"{path}: line {n + 1} has {len(fields)} fields, "
                                   f"so it has no column {index} for the table.")
    return fields[index]


def _typed(path: str, items: list, dtype) -> np.ndarray:
    from ortflow.errors import InvalidArgumentError

    dtype = np.dtype(dtype)
    if dtype.kind in "OSU":
        return np.array([i if isinstance(i, bytes) else str(i).encode() for i in items] or [],
                        dtype=object)
    try:
        return np.array([int(i) if dtype.kind in "iu" else float(i) for i in items], dtype=dtype)
    except ValueError as e:
        raise InvalidArgumentError(None, None, f"{path}: a table field does not parse as "
                                   f"{dtype.name}: {e}") from e


@kernel(READ_TEXT_TABLE_OP)
def _read_text_table(node_def, inputs):
    # Not a TensorFlow op: runtime/tables.py rewrites InitializeTableFromTextFileV2 into it.
    from ortflow.formats.dtypes import as_dtype

    attr = node_def.attr
    key_dtype = as_dtype(attr["Tkeys"].type).as_numpy_dtype
    value_dtype = as_dtype(attr["Tvalues"].type).as_numpy_dtype
    filename = np.asarray(inputs[0]).reshape(()).item()
    keys, values = read_text_table(filename, attr["key_index"].i, attr["value_index"].i,
                                   attr["vocab_size"].i, attr["delimiter"].s, attr["offset"].i,
                                   key_dtype, value_dtype)
    return [keys, values]


# -- StringToHashBucketFast: FarmHash's Fingerprint64 (farmhashna::Hash64) modulo the buckets ----

_MASK = (1 << 64) - 1
_K0, _K1, _K2 = 0xC3A5C85C97CB3127, 0xB492B66FBE98F273, 0x9AE16A3B2F90404F


def _fetch64(s: bytes, i: int) -> int:
    return int.from_bytes(s[i:i + 8], "little")


def _fetch32(s: bytes, i: int) -> int:
    return int.from_bytes(s[i:i + 4], "little")


def _rot(v: int, shift: int) -> int:
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & _MASK


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def _len16(u: int, v: int, mul: int) -> int:
    a = ((u ^ v) * mul) & _MASK
    a ^= a >> 47
    b = ((v ^ a) * mul) & _MASK
    b ^= b >> 47
    return (b * mul) & _MASK


def _len0to16(s: bytes) -> int:
    n = len(s)
    if n >= 8:
        mul = _K2 + n * 2
        a = (_fetch64(s, 0) + _K2) & _MASK
        b = _fetch64(s, n - 8)
        c = (_rot(b, 37) * mul + a) & _MASK
        d = ((_rot(a, 25) + b) * mul) & _MASK
        return _len16(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        return _len16(n + (_fetch32(s, 0) << 3), _fetch32(s, n - 4), mul)
    if n > 0:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        return (_shift_mix((y * _K2 ^ z * _K0) & _MASK) * _K2) & _MASK
    return _K2


def _len17to32(s: bytes) -> int:
    n = len(s)
    mul = _K2 + n * 2
    a = (_fetch64(s, 0) * _K1) & _MASK
    b = _fetch64(s, 8)
    c = (_fetch64(s, n - 8) * mul) & _MASK
    d = (_fetch64(s, n - 16) * _K2) & _MASK
    return _len16((_rot((a + b) & _MASK, 43) + _rot(c, 30) + d) & _MASK,
                  (a + _rot((b + _K2) & _MASK, 18) + c) & _MASK, mul)


def _len33to64(s: bytes) -> int:
    n = len(s)
    mul = _K2 + n * 2
    a = (_fetch64(s, 0) * _K2) & _MASK
    b = _fetch64(s, 8)
    c = (_fetch64(s, n - 8) * mul) & _MASK
    d = (_fetch64(s, n - 16) * _K2) & _MASK
    y = (_rot((a + b) & _MASK, 43) + _rot(c, 30) + d) & _MASK
    z = _len16(y, (a + _rot((b + _K2) & _MASK, 18) + c) & _MASK, mul)
    e = (_fetch64(s, 16) * mul) & _MASK
    f = _fetch64(s, 24)
    g = ((y + _fetch64(s, n - 32)) * mul) & _MASK
    h = ((z + _fetch64(s, n - 24)) * mul) & _MASK
    return _len16((_rot((e + f) & _MASK, 43) + _rot(g, 30) + h) & _MASK,
                  (e + _rot((f + a) & _MASK, 18) + g) & _MASK, mul)


def _weak32(s: bytes, i: int, a: int, b: int) -> tuple[int, int]:
    w, x, y, z = (_fetch64(s, i + k) for k in (0, 8, 16, 24))
    a = (a + w) & _MASK
    b = _rot((b + a + z) & _MASK, 21)
    c = a
    a = (a + x + y) & _MASK
    b = (b + _rot(a, 44)) & _MASK
    return (a + z) & _MASK, (b + c) & _MASK


def _round64(s: bytes, i: int, x, y, z, v, w, mul: int, last: bool):
    # One 64-byte step of the long-string loop; the last one mixes with `mul` and factors of 9.
    x = (_rot((x + y + v[0] + _fetch64(s, i + 8)) & _MASK, 37) * mul) & _MASK
    y = (_rot((y + v[1] + _fetch64(s, i + 48)) & _MASK, 42) * mul) & _MASK
    x ^= (w[1] * 9) & _MASK if last else w[1]
    y = (y + (v[0] * 9 if last else v[0]) + _fetch64(s, i + 40)) & _MASK
    z = (_rot((z + w[0]) & _MASK, 33) * mul) & _MASK
    v = _weak32(s, i, (v[1] * mul) & _MASK, (x + w[0]) & _MASK)
    w = _weak32(s, i + 32, (z + w[1]) & _MASK, (y + _fetch64(s, i + 16)) & _MASK)
    return z, y, x, v, w  # x and z swap places


def fingerprint64(s: bytes) -> int:
    """FarmHash's Fingerprint64 of `s` (TensorFlow's `Fingerprint64`, as an unsigned int)."""
    n = len(s)
    if n <= 16:
        return _len0to16(s)
    if n <= 32:
        return _len17to32(s)
    if n <= 64:
        return _len33to64(s)
    seed = 81
    y = (seed * _K1 + 113) & _MASK
    z = (_shift_mix((y * _K2 + 113) & _MASK) * _K2) & _MASK
    v, w = (0, 0), (0, 0)
    x = (seed * _K2 + _fetch64(s, 0)) & _MASK
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    for i in range(0, end, 64):
        x, y, z, v, w = _round64(s, i, x, y, z, v, w, _K1, False)
    mul = _K1 + ((z & 0xFF) << 1)
    w0 = (w[0] + ((n - 1) & 63)) & _MASK
    v0 = (v[0] + w0) & _MASK
    w = ((w0 + v0) & _MASK, w[1])
    v = (v0, v[1])
    x, y, z, v, w = _round64(s, last64, x, y, z, v, w, mul, True)
    return _len16((_len16(v[0], w[0], mul) + _shift_mix(y) * _K0 + z) & _MASK,
                  (_len16(v[1], w[1], mul) + x) & _MASK, mul)


def _as_bytes(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


@kernel("StringToHashBucketFast")
def _string_to_hash_bucket_fast(node_def, inputs):
    buckets = node_def.attr["num_buckets"].i
    x = np.asarray(inputs[0], dtype=object)
    flat = [fingerprint64(_as_bytes(v)) % buckets for v in x.reshape(-1)]
    return [np.array(flat, np.int64).reshape(x.shape)]


# -- StringToHashBucket: TensorFlow's Hash64 (MurmurHash64A with seed 0xDECAFCAFFE) ----------

_MURMUR_M = 0xC6A4A7935BD1E995
_HASH64_SEED = 0xDECAFCAFFE


def hash64(s: bytes, seed: int = _HASH64_SEED) -> int:
    """TensorFlow's legacy Hash64 of `s` (MurmurHash64A), as StringToHashBucket uses."""
    n = len(s)
    h = (seed ^ (n * _MURMUR_M)) & _MASK
    whole = n - n % 8
    for i in range(0, whole, 8):
        k = (_fetch64(s, i) * _MURMUR_M) & _MASK
        k ^= k >> 47
        k = (k * _MURMUR_M) & _MASK
        h = ((h ^ k) * _MURMUR_M) & _MASK
    tail = s[whole:]
    if tail:
        for j in range(len(tail) - 1, -1, -1):
            h ^= tail[j] << (8 * j)
        h = (h * _MURMUR_M) & _MASK
    h ^= h >> 47
    h = (h * _MURMUR_M) & _MASK
    return h ^ (h >> 47)


# -- StringToHashBucketStrong: SipHash-2-4 keyed by the op's two 64-bit key words -------------

def _rotl(x: int, b: int) -> int:
    return ((x << b) | (x >> (64 - b))) & _MASK


def siphash24(k0: int, k1: int, s: bytes) -> int:
    """SipHash-2-4 of `s` under the 128-bit key (k0, k1)."""
    v0, v1 = k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D
    v2, v3 = k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573

    def rounds(v0, v1, v2, v3, count):
        for _ in range(count):
            v0 = (v0 + v1) & _MASK
            v1 = _rotl(v1, 13) ^ v0
            v0 = _rotl(v0, 32)
            v2 = (v2 + v3) & _MASK
            v3 = _rotl(v3, 16) ^ v2
            v0 = (v0 + v3) & _MASK
            v3 = _rotl(v3, 21) ^ v0
            v2 = (v2 + v1) & _MASK
            v1 = _rotl(v1, 17) ^ v2
            v2 = _rotl(v2, 32)
        return v0, v1, v2, v3

    n = len(s)
    whole = n - n % 8
    for i in range(0, whole, 8):
        m = _fetch64(s, i)
        v3 ^= m
        v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 2)
        v0 ^= m
    last = ((n & 0xFF) << 56) | int.from_bytes(s[whole:], "little")
    v3 ^= last
    v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 2)
    v0 ^= last
    v2 ^= 0xFF
    v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 4)
    return v0 ^ v1 ^ v2 ^ v3


def _bucketed(inputs, buckets: int, hash_fn) -> list:
    if buckets < 1:
        raise GraphError(f"num_buckets must be at least 1, got {buckets}")
    x = np.asarray(inputs[0], dtype=object)
    flat = [hash_fn(_as_bytes(v)) % buckets for v in x.reshape(-1)]
    return [np.array(flat, np.int64).reshape(x.shape)]


@kernel("StringToHashBucket")
def _string_to_hash_bucket(node_def, inputs):
    return _bucketed(inputs, node_def.attr["num_buckets"].i, hash64)


@kernel("StringToHashBucketStrong")
def _string_to_hash_bucket_strong(node_def, inputs):
    key = list(node_def.attr["key"].list.i)
    if len(key) != 2:
        raise GraphError(f"StringToHashBucketStrong needs a key of 2 integers, got {key}")
    k0, k1 = (k & _MASK for k in key)
    return _bucketed(inputs, node_def.attr["num_buckets"].i, lambda b: siphash24(k0, k1, b))


@kernel("RestoreV2")
def _restore_v2(node_def, inputs):
    # Reads the named tensors (or slices) from a TensorBundle checkpoint, as TensorFlow's
    # RestoreV2 does; used by init_from_checkpoint's initializers and imported restore graphs.
    from ortflow.formats.checkpoint_v1 import open_checkpoint

    prefix = _as_bytes(np.asarray(inputs[0], dtype=object).reshape(()).item()).decode()
    names = [_as_bytes(n).decode() for n in np.asarray(inputs[1], dtype=object).reshape(-1)]
    specs = [_as_bytes(s).decode() for s in np.asarray(inputs[2], dtype=object).reshape(-1)]
    with open_checkpoint(prefix) as reader:  # V2, or a V1 checkpoint
        return [reader.get_tensor_slice(n, s.split()[-1]) if s else reader.get_tensor(n, copy=True)
                for n, s in zip(names, specs)]


# -- image and pooling ops without an ONNX form ---------------------------------------------

_DEFAULT_BOX_COLORS = [(1, 1, 0, 1), (0, 0, 1, 1), (1, 0, 0, 1), (0, 1, 0, 1), (0.5, 0, 0.5, 1),
                       (0.5, 0.5, 0, 1), (0.5, 0, 0, 1), (0, 0, 0.5, 1), (0, 1, 1, 1), (1, 0, 1, 1)]


def _box_colors(inputs: list, depth: int) -> np.ndarray:
    colors = np.asarray(inputs[2], np.float32) if len(inputs) > 2 else np.zeros((0, 4), np.float32)
    if colors.ndim != 2:
        raise ValueError(f"colors must be a 2-D matrix, got shape {colors.shape}")
    if colors.size:
        if colors.shape[1] < depth:
            raise ValueError(f"colors must have equal or more channels than the image provided: "
                             f"{colors.shape}")
        return colors[:, :depth]
    table = np.array(_DEFAULT_BOX_COLORS, np.float32)
    if depth == 1:
        table[:, 0] = 1
    return table[:, :depth]


def _edges(box, height: int, width: int) -> tuple[int, int, int, int]:
    # TF scales in float32 and truncates toward zero.
    scale = np.float32([height - 1, width - 1, height - 1, width - 1])
    top, left, bottom, right = (int(v) for v in np.trunc(np.float32(box) * scale))
    return top, left, bottom, right


@kernel("DrawBoundingBoxes", "DrawBoundingBoxesV2")
def _draw_bounding_boxes(node_def, inputs):
    images = np.array(inputs[0], copy=True)
    boxes = np.asarray(inputs[1], np.float32)
    if images.ndim != 4 or images.shape[3] not in (1, 3, 4):
        raise ValueError(f"images must be [batch, height, width, 1, 3 or 4 channels], got {images.shape}")
    if boxes.ndim != 3 or boxes.shape[2] != 4:
        raise ValueError(f"boxes must be [batch, num_boxes, 4], got {boxes.shape}")
    _, height, width, depth = images.shape
    colors = _box_colors(inputs, depth).astype(images.dtype)
    for b in range(images.shape[0]):
        for n in range(boxes.shape[1]):
            top, left, bottom, right = _edges(boxes[b, n], height, width)
            if top > bottom or left > right or top >= height or bottom < 0 or left >= width or right < 0:
                continue  # inverted or wholly outside: TensorFlow skips it
            color = colors[n % len(colors)]
            rows = slice(max(top, 0), min(bottom, height - 1) + 1)
            cols = slice(max(left, 0), min(right, width - 1) + 1)
            if top >= 0:
                images[b, top, cols] = color
            if bottom < height:
                images[b, bottom, cols] = color
            if left >= 0:
                images[b, rows, left] = color
            if right < width:
                images[b, rows, right] = color
    return [images]


def _window_geometry(size: int, window: int, stride: int, rate: int, padding: str) -> tuple[int, int]:
    """(output size, padding before) of one spatial axis, TensorFlow's rule with dilation."""
    effective = (window - 1) * rate + 1
    if padding == "VALID":
        return max(-(-(size - effective + 1) // stride), 0), 0
    out = -(-size // stride)
    total = max((out - 1) * stride + effective - size, 0)
    return out, total // 2


def _padded_windows(x: np.ndarray, ksize, strides, rates, padding: str):
    """Yields ((ky, kx), the input values each output position sees at that window offset, and
    their (row, col) in the unpadded input), padding with -inf."""
    _, h, w, _ = x.shape
    out_h, pad_top = _window_geometry(h, ksize[0], strides[0], rates[0], padding)
    out_w, pad_left = _window_geometry(w, ksize[1], strides[1], rates[1], padding)
    low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    eff_h, eff_w = (ksize[0] - 1) * rates[0] + 1, (ksize[1] - 1) * rates[1] + 1
    pad_h = max((out_h - 1) * strides[0] + eff_h - h - pad_top, 0)
    pad_w = max((out_w - 1) * strides[1] + eff_w - w - pad_left, 0)
    padded = np.pad(x, ((0, 0), (pad_top, pad_h), (pad_left, pad_w), (0, 0)), constant_values=low)
    rows0 = np.arange(out_h) * strides[0] - pad_top
    cols0 = np.arange(out_w) * strides[1] - pad_left
    for ky in range(ksize[0]):
        for kx in range(ksize[1]):
            oy, ox = ky * rates[0], kx * rates[1]
            view = padded[:, oy:oy + (out_h - 1) * strides[0] + 1:strides[0],
                          ox:ox + (out_w - 1) * strides[1] + 1:strides[1], :]
            yield (ky, kx), view, rows0 + oy, cols0 + ox


@kernel("Dilation2D")
def _dilation2d(node_def, inputs):
    x = np.asarray(inputs[0])
    f = np.asarray(inputs[1])
    strides = list(node_def.attr["strides"].list.i)
    rates = list(node_def.attr["rates"].list.i)
    padding = node_def.attr["padding"].s.decode()
    out = None
    for (ky, kx), view, _, _ in _padded_windows(x, f.shape[:2], strides[1:3], rates[1:3], padding):
        candidate = view + f[ky, kx]
        out = candidate if out is None else np.maximum(out, candidate)
    return [out.astype(x.dtype)]


@kernel("MaxPoolWithArgmax")
def _max_pool_with_argmax(node_def, inputs):
    x = np.asarray(inputs[0])
    ksize = list(node_def.attr["ksize"].list.i)
    strides = list(node_def.attr["strides"].list.i)
    padding = node_def.attr["padding"].s.decode()
    with_batch = node_def.attr["include_batch_in_index"].b
    n, h, w, c = x.shape
    best = index = None
    for _, view, rows, cols in _padded_windows(x, ksize[1:3], strides[1:3], [1, 1], padding):
        flat = (rows[:, None] * w + cols[None, :])[None, :, :, None] * c + np.arange(c)
        if with_batch:
            flat = flat + (np.arange(n) * h * w * c)[:, None, None, None]
        flat = np.broadcast_to(flat, view.shape)
        if best is None:
            best, index = view.copy(), flat.copy()
            continue
        better = view > best  # the first maximum in window order wins ties, as in TensorFlow
        best = np.where(better, view, best)
        index = np.where(better, flat, index)
    argmax_type = node_def.attr["Targmax"].type if "Targmax" in node_def.attr else 0
    return [best, index.astype(np.int32 if argmax_type == 3 else np.int64)]  # 3: DT_INT32


def _crop_box(rng, height: int, width: int, boxes: np.ndarray, min_covered: float, aspect_range,
              area_range, attempts: int) -> tuple[int, int, int, int]:
    """(y, x, crop height, crop width) of a random crop covering enough of one box, or the image."""
    for _ in range(attempts):
        aspect = rng.uniform(aspect_range[0], aspect_range[1])
        area = rng.uniform(area_range[0], area_range[1]) * height * width
        crop_h = round(float(np.sqrt(area / aspect)))
        crop_w = round(crop_h * float(aspect))
        if not (0 < crop_h <= height and 0 < crop_w <= width):
            continue
        y = int(rng.integers(0, height - crop_h + 1))
        x = int(rng.integers(0, width - crop_w + 1))
        for top, left, bottom, right in boxes:
            box_area = max(bottom - top, 0) * max(right - left, 0)
            inter_h = min(bottom, (y + crop_h) / height) - max(top, y / height)
            inter_w = min(right, (x + crop_w) / width) - max(left, x / width)
            if box_area > 0 and inter_h > 0 and inter_w > 0 and inter_h * inter_w / box_area >= min_covered:
                return y, x, crop_h, crop_w
    return 0, 0, height, width


@kernel("SampleDistortedBoundingBoxV2", "SampleDistortedBoundingBox")
def _sample_distorted_bounding_box(node_def, inputs):
    # A crop drawn as TensorFlow's kernel draws it (aspect ratio, then area, then offsets, kept
    # when it covers `min_object_covered` of some box). The generator is numpy's, seeded from
    # (seed, seed2) when either is set, so values differ from TensorFlow's Philox stream; a
    # seeded op gives the same crop on every run.
    attr = node_def.attr
    size = np.asarray(inputs[0]).reshape(-1)
    if size.shape != (3,):
        raise ValueError(f"image_size must be [height, width, channels], got {size.tolist()}")
    height, width = int(size[0]), int(size[1])
    boxes = np.asarray(inputs[1], np.float32).reshape(-1, 4)
    if len(boxes) == 0:
        if not attr["use_image_if_no_bounding_boxes"].b:
            raise ValueError("No bounding boxes provided as input. One must enable "
                             "use_image_if_no_bounding_boxes if you wish to not provide any bounding boxes.")
        boxes = np.array([[0, 0, 1, 1]], np.float32)
    covered = float(np.asarray(inputs[2])) if len(inputs) > 2 else attr["min_object_covered"].f
    seed, seed2 = attr["seed"].i, attr["seed2"].i
    rng = np.random.default_rng([seed, seed2] if seed or seed2 else None)
    y, x, crop_h, crop_w = _crop_box(rng, height, width, boxes.tolist(), covered,
                                     list(attr["aspect_ratio_range"].list.f) or [0.75, 1.33],
                                     list(attr["area_range"].list.f) or [0.05, 1.0],
                                     attr["max_attempts"].i or 100)
    dtype = size.dtype
    begin = np.array([y, x, 0], dtype)
    extent = np.array([crop_h, crop_w, -1], dtype)
    box = np.array([[[y / height, x / width, (y + crop_h) / height, (x + crop_w) / width]]], np.float32)
    return [begin, extent, box]


# -- Fourier transforms over the innermost dimensions ----------------------------------------

def _fft_length(inputs, rank: int) -> list[int]:
    return [int(v) for v in np.asarray(inputs[1]).reshape(-1)[:rank]]


def _complex_kernel(fn, rank: int):
    def run(node_def, inputs):
        x = np.asarray(inputs[0])
        axes = tuple(range(-rank, 0))
        return [fn(x, axes=axes).astype(x.dtype)]
    return run


for _op, _fn, _rank in (("FFT", np.fft.fftn, 1), ("IFFT", np.fft.ifftn, 1), ("FFT2D", np.fft.fftn, 2),
                        ("IFFT2D", np.fft.ifftn, 2), ("FFT3D", np.fft.fftn, 3), ("IFFT3D", np.fft.ifftn, 3)):
    kernel(_op)(_complex_kernel(_fn, _rank))


def _real_fft_kernel(rank: int, inverse: bool):
    # TF crops or zero-pads each transformed axis to fft_length (for the inverse, the innermost
    # axis to fft_length // 2 + 1 bins) and ignores the imaginary parts numpy ignores too.
    def run(node_def, inputs):
        x = np.asarray(inputs[0])
        lengths = _fft_length(inputs, rank)
        axes = tuple(range(-rank, 0))
        if inverse:
            out = np.fft.irfftn(_fit(x, lengths[:-1] + [lengths[-1] // 2 + 1]), s=lengths, axes=axes)
            return [out.astype(np.float64 if x.dtype == np.complex128 else np.float32)]
        out = np.fft.rfftn(_fit(x, lengths), s=lengths, axes=axes)
        return [out.astype(np.complex128 if x.dtype == np.float64 else np.complex64)]
    return run


def _fit(x: np.ndarray, sizes: list[int]) -> np.ndarray:
    """`x` with its last len(sizes) axes cropped or zero-padded to `sizes`."""
    rank = len(sizes)
    x = x[(Ellipsis, *[slice(0, s) for s in sizes])]
    pads = [(0, 0)] * (x.ndim - rank) + [(0, s - d) for s, d in zip(sizes, x.shape[-rank:])]
    return np.pad(x, pads) if any(p[1] for p in pads) else x


for _op, _rank, _inverse in (("RFFT", 1, False), ("IRFFT", 1, True), ("RFFT2D", 2, False),
                             ("IRFFT2D", 2, True), ("RFFT3D", 3, False), ("IRFFT3D", 3, True)):
    kernel(_op)(_real_fft_kernel(_rank, _inverse))


# -- constant-table lookups (converters/tables.py folds frozen tables into them) ---------------

STATIC_LOOKUP_OP = "_OrtflowStaticLookup"


def _register_static_lookup() -> None:
    # ortflow's own op: a lookup in a table whose keys and values are attrs (ONNX LabelEncoder).
    from ortflow.graph.ops.schema import register_op_def
    from ortflow.proto import OpDef

    op = OpDef(name=STATIC_LOOKUP_OP)
    op.input_arg.add(name="keys", type_attr="Tin")
    op.output_arg.add(name="values", type_attr="Tout")
    for attr, kind in (("Tin", "type"), ("Tout", "type"), ("table_keys", "tensor"), ("table_values", "tensor"),
                       ("default_value", "tensor")):
        op.attr.add(name=attr, type=kind)
    register_op_def(op)


_register_static_lookup()


@kernel(STATIC_LOOKUP_OP)
def _static_lookup(node_def, inputs):
    from ortflow.formats.tensors import make_ndarray

    attr = node_def.attr
    keys = make_ndarray(attr["table_keys"].tensor).reshape(-1).tolist()
    values = make_ndarray(attr["table_values"].tensor).reshape(-1)
    default = make_ndarray(attr["default_value"].tensor).reshape(())
    table = {k: i for i, k in reversed(list(enumerate(keys)))}  # the first of duplicate keys wins
    x = np.asarray(inputs[0])
    flat = [table.get(_as_bytes(v) if isinstance(v, (bytes, str)) else v, -1) for v in x.reshape(-1).tolist()]
    positions = np.array(flat, np.int64).reshape(x.shape)
    out = np.where(positions >= 0, values[np.maximum(positions, 0)] if len(values) else default, default)
    return [out.astype(values.dtype)]
