"""`ortflow.io`: graph files in and out (`tf.io.write_graph`, plus `read_graph`), and gfile."""

from __future__ import annotations

from ortflow.api import gfile
from ortflow.api.python_io import (
    TFRecordCompressionType,
    TFRecordOptions,
    TFRecordWriter,
    tf_record_iterator,
)
from ortflow.api.strings import decode_base64, decode_raw, encode_base64
from ortflow.formats.graphs import detect_kind, read_graph, write_graph
from ortflow.formats.tensors import make_ndarray, make_tensor_proto

__all__ = ["detect_kind", "gfile", "make_ndarray", "make_tensor_proto", "read_graph", "write_graph",
           "TFRecordCompressionType", "TFRecordOptions", "TFRecordWriter", "tf_record_iterator",
           "decode_base64", "decode_raw", "encode_base64"]

from ortflow.api.parsing_ops import (
    FixedLenFeature,
    FixedLenSequenceFeature,
    VarLenFeature,
    decode_csv,
    parse_example,
    parse_single_example,
)

__all__ += ["FixedLenFeature", "FixedLenSequenceFeature", "VarLenFeature", "decode_csv", "parse_example",
            "parse_single_example"]

from ortflow.api.image_io import (  # noqa: E402
    decode_bmp,
    decode_gif,
    decode_image,
    decode_jpeg,
    decode_png,
    encode_jpeg,
    encode_png,
    read_file,
    write_file,
)

__all__ += ["decode_bmp", "decode_gif", "decode_image", "decode_jpeg", "decode_png", "encode_jpeg", "encode_png",
            "read_file", "write_file"]

from ortflow.api.sequence_parsing import parse_sequence_example, parse_single_sequence_example  # noqa: E402

__all__ += ["parse_sequence_example", "parse_single_sequence_example"]
