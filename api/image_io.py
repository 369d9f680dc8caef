"""File reading/writing and image codecs: `tf.read_file`, `tf.image.decode_jpeg`, ... (TF's ops).

The kernels are in `ortflow.graph.ops.kernels_image_io` (Pillow, numpy side of a Session).
"""

from __future__ import annotations

from ortflow.api.ops_builder import apply_op, apply_op_output
from ortflow.formats import dtypes as _dtypes

__all__ = ["decode_bmp", "decode_gif", "decode_image", "decode_jpeg", "decode_png", "encode_jpeg", "encode_png",
           "read_file", "write_file"]


def read_file(filename, name=None):
    """The bytes of the file `filename` as a scalar string (`ReadFile`)."""
    return apply_op_output("ReadFile", [filename], name=name or "ReadFile")


def write_file(filename, contents, name=None):
    """Writes `contents` to `filename` (`WriteFile`; written to a temporary name, then renamed)."""
    return apply_op("WriteFile", [filename, contents], name=name or "WriteFile")


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True, try_recover_truncated=False,
                acceptable_fraction=1, dct_method="", name=None):
    """A JPEG image as uint8 [height, width, channels] (`DecodeJpeg`; `ratio` downscales 2/4/8x)."""
    attrs = {"channels": int(channels), "ratio": int(ratio), "fancy_upscaling": bool(fancy_upscaling),
             "try_recover_truncated": bool(try_recover_truncated),
             "acceptable_fraction": float(acceptable_fraction), "dct_method": dct_method}
    return apply_op_output("DecodeJpeg", [contents], attrs, name=name or "DecodeJpeg")


def decode_png(contents, channels=0, dtype=_dtypes.uint8, name=None):
    """A PNG image as [height, width, channels] of uint8 or uint16 (`DecodePng`)."""
    attrs = {"channels": int(channels), "dtype": _dtypes.as_dtype(dtype)}
    return apply_op_output("DecodePng", [contents], attrs, name=name or "DecodePng")


def decode_gif(contents, name=None):
    """Every frame of a GIF as uint8 [frames, height, width, 3] (`DecodeGif`)."""
    return apply_op_output("DecodeGif", [contents], name=name or "DecodeGif")


def decode_bmp(contents, channels=0, name=None):
    """A BMP image as uint8 [height, width, channels] (`DecodeBmp`)."""
    return apply_op_output("DecodeBmp", [contents], {"channels": int(channels)}, name=name or "DecodeBmp")


def decode_image(contents, channels=None, dtype=_dtypes.uint8, name=None, expand_animations=True):
    """A JPEG, PNG, GIF or BMP image, whichever `contents` is (`DecodeImage` in a `decode_image`
    scope); a float `dtype` scales the pixels to [0, 1]."""
    from ortflow.graph import get_default_graph

    g = get_default_graph()
    with g.name_scope(name or "decode_image"):
        attrs = {"channels": int(channels or 0), "dtype": _dtypes.as_dtype(dtype),
                 "expand_animations": bool(expand_animations)}
        return apply_op_output("DecodeImage", [contents], attrs, name="DecodeImage")


def encode_png(image, compression=-1, name=None):
    """A uint8 (or uint16) [height, width, channels] image as PNG bytes (`EncodePng`)."""
    return apply_op_output("EncodePng", [image], {"compression": int(compression)}, name=name or "EncodePng")


def encode_jpeg(image, format="", quality=95, progressive=False, optimize_size=False, chroma_downsampling=True,
                density_unit="in", x_density=300, y_density=300, xmp_metadata="", name=None):
    """A uint8 [height, width, 1 or 3] image as JPEG bytes (`EncodeJpeg`)."""
    attrs = {"format": format, "quality": int(quality), "progressive": bool(progressive),
             "optimize_size": bool(optimize_size), "chroma_downsampling": bool(chroma_downsampling),
             "density_unit": density_unit, "x_density": int(x_density), "y_density": int(y_density),
             "xmp_metadata": xmp_metadata}
    return apply_op_output("EncodeJpeg", [image], attrs, name=name or "EncodeJpeg")
