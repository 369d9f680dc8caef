"""Kernels of TF's file and image-codec ops: ReadFile, WriteFile, Decode{Jpeg,Png,Gif,Bmp,Image},
Encode{Png,Jpeg}.

They have no ONNX form: a Session runs them on the numpy side (before onnxruntime when their
inputs are feeds or constants, so `decode_jpeg -> resize -> model` runs as one signature).
Images are decoded and encoded with Pillow, which links the same libjpeg-turbo, libpng and
zlib as TensorFlow; Pillow is imported when an image op first runs. PNG, GIF and BMP pixels equal
TensorFlow's. JPEG pixels equal TensorFlow's `dct_method="INTEGER_ACCURATE"` (libjpeg's ISLOW
DCT); TensorFlow's default is INTEGER_FAST, which Pillow cannot select, so with the default a
pixel may differ by a few levels (up to 5/255 on the test images). `ratio` > 1 uses libjpeg's
scaled decoding as TensorFlow does, in Pillow's draft mode (fast DCT, plain upsampling).
"""

from __future__ import annotations

import io as _io
import os

import numpy as np
from ortflow.errors import GraphError
from ortflow.graph.ops.kernels_extra import _as_bytes
from ortflow.graph.ops.registry import kernel, shape_fn
from ortflow.graph.ops.schema import get_attr

__all__: list[str] = []


def _scalar_bytes(value, what: str) -> bytes:
    arr = np.asarray(value, dtype=object)
    if arr.shape != ():
        raise GraphError(f"{what} must be a scalar string, got a tensor of shape {list(arr.shape)}")
    return _as_bytes(arr.item())


# --------------------------------------------------------------------------- files


@kernel("ReadFile")
def _read_file(node_def, inputs):
    path = _scalar_bytes(inputs[0], "filename").decode("utf-8", "surrogateescape")
    try:
        with open(path, "rb") as f:
            return [np.array(f.read(), dtype=object)]
    except OSError as e:
        raise GraphError(f"{path}: {e.strerror or e}") from e


@kernel("WriteFile")
def _write_file(node_def, inputs):
    from ortflow.formats.files import write_bytes_atomic

    path = _scalar_bytes(inputs[0], "filename").decode("utf-8", "surrogateescape")
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    write_bytes_atomic(path, _scalar_bytes(inputs[1], "contents"))
    return []


@shape_fn("ReadFile", "EncodePng", "EncodeJpeg")
def _scalar_string(node_def, shapes, values):
    return [()]


# --------------------------------------------------------------------------- decoding


def _pil():
    try:
        from PIL import Image
    except ImportError as e:  # a declared dependency; an environment without it says so
        raise GraphError("decoding or encoding images needs Pillow (pip install pillow)") from e
    return Image


def _open(data: bytes, kind: str):
    image_module = _pil()
    try:
        image = image_module.open(_io.BytesIO(data))
        image.load()
    except Exception as e:
        raise GraphError(f"Invalid {kind} data: {type(e).__name__}: {e}") from e
    return image


_MODES_BY_CHANNELS = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}


def _to_channels(image, channels: int, kind: str) -> np.ndarray:
    """The image as an [h, w, c] array with `channels` channels (0: as stored)."""
    if channels == 0:
        if image.mode in ("1", "P", "CMYK", "YCbCr", "HSV", "LAB"):
            image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        elif image.mode.startswith("I;16") or image.mode == "I":
            pass
        elif image.mode not in _MODES_BY_CHANNELS.values():
            image = image.convert("RGB")
    elif channels in _MODES_BY_CHANNELS:
        if not (image.mode.startswith("I;16") and channels == 1):
            image = image.convert(_MODES_BY_CHANNELS[channels])
    else:
        raise GraphError(f"channels must be 0, 1, 2, 3 or 4 for {kind}, got {channels}")
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return np.ascontiguousarray(arr)


@kernel("DecodeJpeg")
def _decode_jpeg(node_def, inputs):
    data = _scalar_bytes(inputs[0], "contents")
    if data[:2] != b"\xff\xd8":
        raise GraphError("Invalid JPEG data or crop window, data size {}".format(len(data)))
    ratio = int(get_attr(node_def, "ratio", 1))
    if ratio not in (1, 2, 4, 8):
        raise GraphError(f"ratio must be 1, 2, 4 or 8, got {ratio}")
    channels = int(get_attr(node_def, "channels", 0))
    try:
        image = _pil().open(_io.BytesIO(data))
        # libjpeg's own grayscale output (the Y channel, as TF's channels=1) and 1/ratio scaling;
        # Pillow picks the scale from a floor size
        mode = "L" if channels == 1 and image.mode in ("RGB", "YCbCr") else image.mode
        if ratio > 1 or mode != image.mode:
            image.draft(mode, (max(1, image.width // ratio), max(1, image.height // ratio)))
        image.load()
    except Exception as e:
        raise GraphError(f"Invalid JPEG data or crop window, data size {len(data)}: {e}") from e
    return [_to_channels(image, channels, "JPEG")]


def _decode_png_array(data: bytes, channels: int, dtype) -> np.ndarray:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise GraphError("Invalid PNG data, size {}".format(len(data)))
    arr = _to_channels(_open(data, "PNG"), channels, "PNG")
    want = np.dtype(dtype)
    if want == np.uint16:
        return arr.astype(np.uint16) if arr.dtype.itemsize == 2 else arr.astype(np.uint16) * 257
    if arr.dtype.itemsize > 1:  # a 16-bit PNG decoded to uint8 keeps the high byte, as TF
        return (arr.astype(np.uint32) >> 8).astype(np.uint8)
    return arr.astype(np.uint8)


def _dtype_attr(node_def, default=np.uint8):
    from ortflow.graph.ops.schema import as_numpy_dtype

    value = get_attr(node_def, "dtype", None)
    return default if value is None else as_numpy_dtype(value)


@kernel("DecodePng")
def _decode_png(node_def, inputs):
    data = _scalar_bytes(inputs[0], "contents")
    return [_decode_png_array(data, int(get_attr(node_def, "channels", 0)), _dtype_attr(node_def))]


def _gif_frames(data: bytes) -> np.ndarray:
    if data[:4] != b"GIF8":
        raise GraphError("Invalid GIF data (truncated file?), size {}".format(len(data)))
    image = _open(data, "GIF")
    frames = []
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        frames.append(np.asarray(image.convert("RGB")))
    return np.stack(frames)


@kernel("DecodeGif")
def _decode_gif(node_def, inputs):
    return [_gif_frames(_scalar_bytes(inputs[0], "contents"))]


@kernel("DecodeBmp")
def _decode_bmp(node_def, inputs):
    data = _scalar_bytes(inputs[0], "contents")
    if data[:2] != b"BM":
        raise GraphError("Invalid BMP data, size {}".format(len(data)))
    return [_to_channels(_open(data, "BMP"), int(get_attr(node_def, "channels", 0)), "BMP")]


def _as_image_dtype(arr: np.ndarray, dtype) -> np.ndarray:
    """uint8/uint16 pixels in `dtype`: integers rescaled to its range, floats to [0, 1]."""
    dtype = np.dtype(dtype)
    if arr.dtype == dtype:
        return arr
    top = float(np.iinfo(arr.dtype).max)
    if dtype.kind == "f":
        return (arr.astype(np.float64) / top).astype(dtype)
    if dtype == np.uint16 and arr.dtype == np.uint8:
        return arr.astype(np.uint16) * 257
    raise GraphError(f"DecodeImage cannot give {dtype} images")


@kernel("DecodeImage")
def _decode_image(node_def, inputs):
    data = _scalar_bytes(inputs[0], "contents")
    channels = int(get_attr(node_def, "channels", 0))
    dtype = _dtype_attr(node_def)
    if data[:3] == b"\xff\xd8\xff":
        arr = _decode_jpeg(node_def, inputs)[0]
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        arr = _decode_png_array(data, channels, np.uint16 if np.dtype(dtype) == np.uint16 else np.uint8)
    elif data[:4] == b"GIF8":
        arr = _gif_frames(data)
        if not get_attr(node_def, "expand_animations", True):
            arr = arr[0]
        if channels == 1:
            raise GraphError("channels must be 0 or 3 for GIF, got 1")
    elif data[:2] == b"BM":
        arr = _to_channels(_open(data, "BMP"), channels, "BMP")
    else:
        raise GraphError("Unknown image file format. One of JPEG, PNG, GIF, BMP required.")
    return [_as_image_dtype(arr, dtype)]


@shape_fn("DecodeJpeg", "DecodePng", "DecodeBmp")
def _decoded_image(node_def, shapes, values):
    channels = int(get_attr(node_def, "channels", 0))
    return [(None, None, channels or None)]


@shape_fn("DecodeGif")
def _decoded_gif(node_def, shapes, values):
    return [(None, None, None, 3)]


@shape_fn("DecodeImage")
def _decoded_any(node_def, shapes, values):
    channels = int(get_attr(node_def, "channels", 0))
    if channels and not get_attr(node_def, "expand_animations", True):
        return [(None, None, channels)]
    return [None]


# --------------------------------------------------------------------------- encoding


def _image_array(value, what: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim != 3 or arr.shape[-1] not in (1, 2, 3, 4):
        raise GraphError(f"{what}: image must be 3-dimensional [height, width, channels] with 1-4 "
                         f"channels, got shape {list(arr.shape)}")
    return arr


def _from_array(arr: np.ndarray):
    image_module = _pil()
    if arr.shape[-1] == 1:
        return image_module.fromarray(arr[:, :, 0])
    return image_module.fromarray(arr, mode=_MODES_BY_CHANNELS[arr.shape[-1]])


@kernel("EncodePng")
def _encode_png(node_def, inputs):
    arr = _image_array(inputs[0], "EncodePng")
    level = int(get_attr(node_def, "compression", -1))
    out = _io.BytesIO()
    if arr.dtype == np.uint16:
        if arr.shape[-1] != 1:
            raise GraphError("EncodePng: Pillow writes 16-bit PNGs with one channel only")
        image = _pil().fromarray(arr[:, :, 0].astype(np.uint16), mode="I;16")
    else:
        image = _from_array(arr.astype(np.uint8))
    image.save(out, format="PNG", compress_level=6 if level < 0 else min(level, 9))
    return [np.array(out.getvalue(), dtype=object)]


@kernel("EncodeJpeg")
def _encode_jpeg(node_def, inputs):
    arr = _image_array(inputs[0], "EncodeJpeg").astype(np.uint8)
    if arr.shape[-1] not in (1, 3):
        raise GraphError(f"EncodeJpeg: image must have 1 or 3 channels, got {arr.shape[-1]}")
    out = _io.BytesIO()
    quality = int(get_attr(node_def, "quality", 95))
    subsampling = 2 if get_attr(node_def, "chroma_downsampling", True) else 0
    _from_array(arr).save(out, format="JPEG", quality=quality, subsampling=subsampling,
                          progressive=bool(get_attr(node_def, "progressive", False)),
                          optimize=bool(get_attr(node_def, "optimize_size", False)))
    return [np.array(out.getvalue(), dtype=object)]
