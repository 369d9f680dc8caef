"""Numpy kernels and shape functions of UnicodeDecode / UnicodeEncode and two RaggedTensor ops.

`RaggedTensorToTensor` (row-splits partitions) and `RaggedTensorToSparse` cover the ragged results
of `tf.strings.unicode_decode` / `unicode_split` (see `api/ragged_unicode.py`).
"""

from __future__ import annotations

import numpy as np
from ortflow.errors import GraphError
from ortflow.graph.ops.kernels_extra import _strings
from ortflow.graph.ops.registry import kernel, shape_fn
from ortflow.graph.ops.schema import get_attr

__all__: list[str] = []

_CODECS = {"UTF-8": "utf-8", "UTF-16-BE": "utf-16-be", "UTF-32-BE": "utf-32-be"}


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _codec(node_def, attr: str) -> str:
    name = _text(get_attr(node_def, attr))
    if name not in _CODECS:
        raise GraphError(f"{attr} {name!r} is not supported (one of {', '.join(_CODECS)})")
    return _CODECS[name]


def _decode_one(blob: bytes, codec: str, errors: str, replacement: int, control: bool, index: int) -> list[int]:
    try:
        text = blob.decode(codec, errors="strict")
        codes = [ord(c) for c in text]
    except UnicodeDecodeError as e:
        if errors == "strict":
            raise GraphError(f"Invalid formatting on input string {index}: {e}") from e
        # each maximal invalid subsequence becomes one replacement character (or nothing)
        marker = "\udc80"
        text = blob.decode(codec, errors="replace").replace("\ufffd", marker)
        codes = [(replacement if c == marker else ord(c)) for c in text if errors == "replace" or c != marker]
    if control:
        codes = [replacement if c < 0x20 or 0x7F <= c < 0xA0 else c for c in codes]
    return codes


@kernel("UnicodeDecode")
def _unicode_decode(node_def, inputs):
    strings = _strings(inputs[0]).reshape(-1)
    codec = _codec(node_def, "input_encoding")
    errors = _text(get_attr(node_def, "errors", b"replace"))
    replacement = int(get_attr(node_def, "replacement_char", 65533))
    control = bool(get_attr(node_def, "replace_control_characters", False))
    rows = [_decode_one(s, codec, errors, replacement, control, i) for i, s in enumerate(strings)]
    splits = np.concatenate([[0], np.cumsum([len(r) for r in rows], dtype=np.int64)]).astype(np.int64)
    values = np.array([c for r in rows for c in r], np.int32)
    return [splits, values]


def _valid_code_point(c: int) -> bool:
    return 0 <= c <= 0x10FFFF and not 0xD800 <= c <= 0xDFFF


@kernel("UnicodeEncode")
def _unicode_encode(node_def, inputs):
    values = np.asarray(inputs[0]).reshape(-1)
    splits = np.asarray(inputs[1]).reshape(-1)
    if splits.size == 0 or splits[0] != 0 or (np.diff(splits) < 0).any() or splits[-1] != values.size:
        raise GraphError(f"input_splits must start at 0, never decrease and end at the number of "
                         f"values ({values.size}), got {splits.tolist()}")
    codec = _codec(node_def, "output_encoding")
    errors = _text(get_attr(node_def, "errors", b"replace"))
    replacement = int(get_attr(node_def, "replacement_char", 65533))
    out = np.empty(splits.size - 1, dtype=object)
    for i in range(splits.size - 1):
        chars = []
        for c in values[splits[i]:splits[i + 1]].tolist():
            if _valid_code_point(c):
                chars.append(chr(c))
            elif errors == "strict":
                raise GraphError(f"Invalid code point {c} in row {i}")
            elif errors == "replace":
                chars.append(chr(replacement))
        out[i] = "".join(chars).encode(codec)
    return [out]


@kernel("RaggedTensorToTensor")
def _ragged_to_tensor(node_def, inputs):
    kinds = [_text(k) for k in get_attr(node_def, "row_partition_types")]
    if kinds != ["ROW_SPLITS"]:
        raise GraphError(f"RaggedTensorToTensor: only one ROW_SPLITS partition is supported, got {kinds}")
    shape = np.asarray(inputs[0]).reshape(-1)
    values, default, splits = np.asarray(inputs[1]), np.asarray(inputs[2]), np.asarray(inputs[3]).reshape(-1)
    lengths = np.diff(splits)
    rows, width = len(lengths), int(lengths.max(initial=0))
    if shape.size and shape.size >= 2:
        rows = rows if shape[0] < 0 else int(shape[0])
        width = width if shape[1] < 0 else int(shape[1])
    out = np.empty((rows, width, *values.shape[1:]), dtype=values.dtype)
    out[...] = default
    for r in range(min(rows, len(lengths))):
        n = min(int(lengths[r]), width)
        out[r, :n] = values[splits[r]:splits[r] + n]
    return [out]


@kernel("RaggedTensorToSparse")
def _ragged_to_sparse(node_def, inputs):
    *nested, values = inputs
    if len(nested) != 1:
        raise GraphError(f"RaggedTensorToSparse: one ragged dimension is supported, got {len(nested)}")
    splits = np.asarray(nested[0]).reshape(-1)
    values = np.asarray(values)
    lengths = np.diff(splits)
    inner = values.shape[1:]
    index = [[r, j, *rest] for r, n in enumerate(lengths.tolist()) for j in range(n)
             for rest in np.ndindex(inner)]
    shape = [len(lengths), int(lengths.max(initial=0)), *inner]
    return [np.array(index, np.int64).reshape(-1, 2 + len(inner)), values.reshape(-1),
            np.array(shape, np.int64)]


@shape_fn("UnicodeDecode")
def _unicode_decode_shape(node_def, shapes, values):
    return [(None,), (None,)]


@shape_fn("UnicodeEncode")
def _unicode_encode_shape(node_def, shapes, values):
    splits = shapes[1]
    return [(None if splits is None or splits[0] is None else splits[0] - 1,)]


@shape_fn("RaggedTensorToTensor")
def _ragged_to_tensor_shape(node_def, shapes, values):
    vals = shapes[1]
    return [None if vals is None else (None, None, *vals[1:])]


@shape_fn("RaggedTensorToSparse")
def _ragged_to_sparse_shape(node_def, shapes, values):
    vals = shapes[-1]
    rank = None if vals is None else len(vals) + 1
    return [(None, rank), (None,), (rank,)]
