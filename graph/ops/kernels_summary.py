"""Numpy kernels of the TF 1.x summary ops: each returns a serialized `Summary` as a string scalar.

ScalarSummary, HistogramSummary (TensorFlow's default exponential buckets), ImageSummary (PNG),
AudioSummaryV2 (16-bit WAV), TensorSummaryV2 and MergeSummary, with the tags and the errors
TensorFlow's kernels give. The encoders are small and dependency-free (zlib for PNG).
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from ortflow.errors import InvalidArgumentError
from ortflow.graph.ops.registry import kernel
from ortflow.proto import HistogramProto, Summary, SummaryMetadata

__all__ = ["default_bucket_limits", "encode_png", "encode_wav", "histogram_proto", "image_tags"]

_DBL_MAX = float(np.finfo(np.float64).max)


def _string_scalar(data: bytes) -> np.ndarray:
    out = np.empty((), dtype=object)
    out[()] = data
    return out


def _as_text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _scalar_tag(node_def, tags: np.ndarray) -> str:
    if np.ndim(tags) != 0:
        raise InvalidArgumentError(node_def, None, f"tags must be scalar, got shape {list(np.shape(tags))}")
    return _as_text(np.asarray(tags, dtype=object).item())


# -- scalar ------------------------------------------------------------------------------------

@kernel("ScalarSummary")
def _scalar_summary(node_def, inputs):
    tags, values = (np.asarray(v) for v in inputs)
    if tags.shape != values.shape:
        raise InvalidArgumentError(node_def, None, f"tags and values are not the same shape: "
                                                   f"{list(tags.shape)} != {list(values.shape)}")
    summary = Summary()
    for tag, value in zip(tags.ravel().tolist(), values.ravel().tolist()):
        summary.value.add(tag=_as_text(tag), simple_value=float(value))
    return [_string_scalar(summary.SerializeToString())]


# -- histogram ---------------------------------------------------------------------------------

def _positive_limits() -> list[float]:
    limits, v = [], 1e-12
    while v < 1e20:
        limits.append(v)
        v *= 1.1
    return limits


_POSITIVE = _positive_limits()
_LIMITS = np.array([-_DBL_MAX] + [-v for v in reversed(_POSITIVE)] + [0.0] + _POSITIVE + [_DBL_MAX])


def default_bucket_limits() -> np.ndarray:
    """TensorFlow's default histogram bucket limits: ±1e-12 * 1.1**k up to 1e20, 0, and ±DBL_MAX."""
    return _LIMITS.copy()


def histogram_proto(values) -> HistogramProto:
    """The HistogramProto TF's HistogramSummary kernel makes of `values` (finite numbers)."""
    values = np.asarray(values, dtype=np.float64).ravel()
    proto = HistogramProto()
    if values.size == 0:
        proto.min, proto.max = _DBL_MAX, -_DBL_MAX
    else:
        proto.min, proto.max = float(values.min()), float(values.max())
    proto.num = float(values.size)
    proto.sum = float(values.sum())
    proto.sum_squares = float(np.dot(values, values))
    # A value goes to the first bucket whose limit is strictly greater than it.
    counts = np.bincount(np.searchsorted(_LIMITS, values, side="right"), minlength=len(_LIMITS))[:len(_LIMITS)]
    limits, buckets = [], []
    i, n = 0, len(_LIMITS)
    while i < n:
        if counts[i] > 0:
            limits.append(float(_LIMITS[i]))
            buckets.append(float(counts[i]))
            i += 1
            continue
        j = i
        while j + 1 < n and counts[j + 1] == 0:
            j += 1
        limits.append(float(_LIMITS[j]))  # a run of empty buckets collapses into its last limit
        buckets.append(0.0)
        i = j + 1
    if not limits:
        limits, buckets = [_DBL_MAX], [0.0]
    proto.bucket_limit.extend(limits)
    proto.bucket.extend(buckets)
    return proto


@kernel("HistogramSummary")
def _histogram_summary(node_def, inputs):
    tag = _scalar_tag(node_def, inputs[0])
    values = np.asarray(inputs[1])
    if values.dtype.kind in "fc":
        flat = values.astype(np.float64).ravel()
        if np.isnan(flat).any():
            raise InvalidArgumentError(node_def, None, f"Nan in summary histogram for: {tag}")
        if np.isinf(flat).any():
            raise InvalidArgumentError(node_def, None, f"Infinity in summary histogram for: {tag}")
    summary = Summary()
    summary.value.add(tag=tag, histo=histogram_proto(values))
    return [_string_scalar(summary.SerializeToString())]


# -- image ---------------------------------------------------------------------------------------

def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of a uint8 [height, width, channels] image (1, 2, 3 or 4 channels)."""
    height, width, channels = image.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    raw = b"".join(b"\x00" + image[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def image_tags(tag: str, kind: str, count: int, max_outputs: int) -> list[str]:
    """`tag/image` when max_outputs is 1, else `tag/image/0`, `tag/image/1`, ..."""
    if max_outputs == 1:
        return [f"{tag}/{kind}"][:count]
    return [f"{tag}/{kind}/{i}" for i in range(count)]


def _to_uint8(node_def, images: np.ndarray, bad_color: np.ndarray) -> np.ndarray:
    # TF's affine map into uint8, computed in the input's float type and truncated by the cast:
    # non-negative images scale their maximum to 255, signed ones their largest magnitude to
    # 127 around 128 (a range under 1e-6 maps to 0); non-finite pixels become bad_color.
    if images.dtype == np.uint8:
        return images
    work = np.float64 if images.dtype == np.float64 else np.float32
    images = images.astype(work)
    out = np.empty(images.shape, dtype=np.uint8)
    for i, image in enumerate(images):
        finite = np.isfinite(image).all(axis=-1)
        vals = image[finite]
        lo = float(vals.min()) if vals.size else np.inf
        hi = float(vals.max()) if vals.size else -np.inf
        if lo < 0:
            extreme = max(abs(lo), abs(hi))
            scale, offset = (0.0 if extreme < 1e-6 else 127.0 / extreme), 128.0
        else:
            scale, offset = (0.0 if hi < 1e-6 else 255.0 / hi), 0.0
        scaled = image * work(scale) + work(offset)
        img = np.where(finite[..., None], scaled, 0).astype(np.uint8)
        img[~finite] = bad_color[: image.shape[-1]]
        out[i] = img
    return out


@kernel("ImageSummary")
def _image_summary(node_def, inputs):
    tag = _scalar_tag(node_def, inputs[0])
    images = np.asarray(inputs[1])
    if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
        raise InvalidArgumentError(node_def, None, "Tensor must be 4-D with last dim 1, 3, or 4, not "
                                                   f"{list(images.shape)}")
    attr = node_def.attr
    max_images = int(attr["max_images"].i) if "max_images" in attr else 3
    bad = attr["bad_color"].tensor if "bad_color" in attr else None
    bad_color = np.array(list(bad.int_val) if bad is not None and bad.int_val else [255, 0, 0, 255],
                         dtype=np.uint8)
    count = min(max_images, images.shape[0])
    pixels = _to_uint8(node_def, images[:count], bad_color)
    summary = Summary()
    for t, image in zip(image_tags(tag, "image", count, max_images), pixels):
        summary.value.add(tag=t, image=Summary.Image(height=image.shape[0], width=image.shape[1],
                                                     colorspace=image.shape[2],
                                                     encoded_image_string=encode_png(image)))
    return [_string_scalar(summary.SerializeToString())]


# -- audio ---------------------------------------------------------------------------------------

def encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit PCM WAV bytes of float samples (nominally in [-1, 1]), shaped [frames, channels]."""
    # TF: roundf(x * 32768) (halves away from zero), clamped to the int16 range.
    scaled = np.asarray(samples, dtype=np.float32) * np.float32(32768.0)
    rounded = np.sign(scaled) * np.floor(np.abs(scaled) + np.float32(0.5))
    pcm = np.clip(rounded, -32768, 32767).astype("<i2")
    buf = io.BytesIO()
    import wave  # (lazy: only audio summaries need it, and every converter loads this module)

    with wave.open(buf, "wb") as w:
        w.setnchannels(pcm.shape[1])
        w.setsampwidth(2)
        w.setframerate(int(sample_rate))
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


@kernel("AudioSummaryV2", "AudioSummary")
def _audio_summary(node_def, inputs):
    tag = _scalar_tag(node_def, inputs[0])
    audio = np.asarray(inputs[1], dtype=np.float32)
    if node_def.op == "AudioSummaryV2":
        sample_rate = float(np.asarray(inputs[2]))
    else:
        sample_rate = float(node_def.attr["sample_rate"].f)
    if audio.ndim == 2:
        audio = audio[:, :, None]
    if audio.ndim != 3:
        raise InvalidArgumentError(node_def, None, f"wav must be rank 2 or 3, got shape {list(audio.shape)}")
    max_outputs = int(node_def.attr["max_outputs"].i) if "max_outputs" in node_def.attr else 3
    count = min(max_outputs, audio.shape[0])
    summary = Summary()
    for t, clip in zip(image_tags(tag, "audio", count, max_outputs), audio[:count]):
        summary.value.add(tag=t, audio=Summary.Audio(
            sample_rate=sample_rate, num_channels=clip.shape[1], length_frames=clip.shape[0],
            encoded_audio_string=encode_wav(clip, sample_rate), content_type="audio/wav"))
    return [_string_scalar(summary.SerializeToString())]


# -- tensor summaries and merging --------------------------------------------------------------

@kernel("TensorSummaryV2")
def _tensor_summary(node_def, inputs):
    from ortflow.formats.tensors import make_tensor_proto

    tag = _scalar_tag(node_def, inputs[0])
    value = np.asarray(inputs[1])
    metadata = SummaryMetadata.FromString(bytes(np.asarray(inputs[2], dtype=object).item()))
    summary = Summary()
    entry = summary.value.add(tag=tag, metadata=metadata)
    entry.tensor.CopyFrom(make_tensor_proto(value))
    return [_string_scalar(summary.SerializeToString())]


@kernel("MergeSummary")
def _merge_summary(node_def, inputs):
    merged = Summary()
    seen: set[str] = set()
    for value in inputs:
        for item in np.asarray(value, dtype=object).ravel().tolist():
            part = Summary.FromString(bytes(item))
            for v in part.value:
                if v.tag and v.tag in seen:
                    raise InvalidArgumentError(node_def, None, f"Duplicate tag {v.tag} found in summary inputs ")
                seen.add(v.tag)
                merged.value.add().CopyFrom(v)
    return [_string_scalar(merged.SerializeToString())]
