"""Reads a big binary frozen GraphDef for conversion without copying its weights.

A frozen ResNet50 is 100 MB of which 99.6% is the `tensor_content` of ~70 Const nodes. Read
the usual way those bytes are copied three times before the converter sees them (the file
into a bytes object, protobuf's parse into its arena, `tensor_content` back into a bytes
object), and on a virtual machine each fresh copy costs more in page faults than in copying.

`read_frozen_graph` maps the file instead, walks its protobuf wire format to find the big
`tensor_content` fields of top-level Const nodes, and parses a copy of the file with those
fields replaced by a one-byte placeholder (so only ~1% of the bytes go through protobuf).
The weights are numpy views of the mapping, keyed by node name, for
`passes_tf.run_tf_passes(const_values=...)`. The placeholder never matches its tensor's
shape: any reader that bypassed the table would get make_ndarray's size error, never
silently wrong values.

Anything unusual (a text file, another message kind, a field out of TF's schema, a duplicate
key, a shape that does not match its content) makes it return None; the caller then reads
the file with `formats.graphs.read_graph`, which gives the precise error for a bad file.

Caveat of mapping: the file must not be truncated while a conversion reads it (as with any
memory-mapped reader, that would end the process with SIGBUS).
"""

from __future__ import annotations

import math
import mmap
import os

import numpy as np

__all__ = ["MIN_FILE_BYTES", "MIN_TENSOR_BYTES", "PLACEHOLDER_CONTENT", "read_frozen_graph"]

#: Smaller files are read the ordinary way (mapping and scanning would gain nothing).
MIN_FILE_BYTES = 1 << 20
#: Only `tensor_content` fields of at least this many bytes stay in the file.
MIN_TENSOR_BYTES = 4096
#: What a left-out `tensor_content` becomes in the parsed GraphDef.
PLACEHOLDER_CONTENT = b"\x00"

# Top-level fields of a GraphDef: number -> wire type (node 1, library 2, version 3,
# versions 4, debug_info 5). Only node may repeat.
_GRAPH_FIELDS = {1: 2, 2: 2, 3: 0, 4: 2, 5: 2}
_PLACEHOLDER_FIELD = bytes([4 << 3 | 2, len(PLACEHOLDER_CONTENT)]) + PLACEHOLDER_CONTENT


class _Unusual(Exception):
    """The bytes are not the plain frozen GraphDef this reader handles."""


def read_frozen_graph(path: str | os.PathLike):
    """(GraphDef, {Const node name: read-only ndarray}) of a big binary GraphDef file, or None.

    None means: not handled here (small, text, another kind, unusual encoding, or invalid);
    read the file with `read_graph` instead.
    """
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < MIN_FILE_BYTES:
                return None
            populate = getattr(mmap, "MAP_POPULATE", None)  # Linux: map every page at once
            if populate is not None:
                buf = mmap.mmap(f.fileno(), 0, flags=mmap.MAP_SHARED | populate, prot=mmap.PROT_READ)
            else:
                buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    try:
        return _read(buf, size)
    except (_Unusual, IndexError):
        return None


def _read(buf, size: int):
    from ortflow.formats import graphs
    from ortflow.proto import GraphDef

    if graphs._looks_like_text(buf[:graphs._TEXT_PROBE]):
        return None
    strips = _plan(buf, size)
    if not strips:
        return None
    pieces, pos = [], 0
    for field_start, field_end, _, new_field, _, _ in strips:
        pieces += [buf[pos:field_start], new_field]
        pos = field_end
    pieces.append(buf[pos:size])
    try:
        graph_def = GraphDef.FromString(b"".join(pieces))
    except Exception:
        return None
    if graphs._score("GraphDef", graph_def) < 0:
        return None
    values = {}
    for _, _, index, _, offset, length in strips:
        node = graph_def.node[index]
        value = _content_view(buf, node, offset, length)
        if value is None or node.name in values:
            return None
        values[node.name] = value
    return graph_def, values


def _content_view(buf, node, offset: int, length: int):
    """The left-out content of Const `node` as an array of its dtype and shape, or None when
    they do not agree with it (make_ndarray then reports the file's problem)."""
    from ortflow.formats import dtypes

    tensor = node.attr["value"].tensor
    np_dtype = dtypes.NUMPY_BY_ENUM.get(tensor.dtype)
    if node.op != "Const" or tensor.tensor_content != PLACEHOLDER_CONTENT or np_dtype is None \
            or np_dtype.kind not in "biufc" or tensor.tensor_shape.unknown_rank:
        return None
    shape = [d.size for d in tensor.tensor_shape.dim]
    if any(d < 0 for d in shape) or math.prod(shape) * np_dtype.itemsize != length:
        return None
    return np.frombuffer(buf, dtype=np_dtype, count=length // np_dtype.itemsize,
                         offset=offset).reshape(shape)


# --------------------------------------------------------------------------------------------
# wire format


def _varint(buf, pos: int) -> tuple[int, int]:
    b = buf[pos]
    if b < 0x80:
        return b, pos + 1
    value, shift = b & 0x7F, 7
    while True:
        pos += 1
        b = buf[pos]
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos + 1
        shift += 7
        if shift > 63:
            raise _Unusual


def _fields(buf, start: int, end: int):
    """(number, wire type, field start, payload start, payload end / varint value) of each
    field of the message in buf[start:end]."""
    pos = start
    while pos < end:
        field_start = pos
        tag, pos = _varint(buf, pos)
        number, wire = tag >> 3, tag & 7
        if number == 0:
            raise _Unusual
        if wire == 2:
            length, pos = _varint(buf, pos)
            payload = pos
            pos += length
            last = pos
        elif wire == 0:
            last, pos = _varint(buf, pos)
            payload = pos
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
            payload = last = pos
        else:
            raise _Unusual
        if pos > end:
            raise _Unusual
        yield number, wire, field_start, payload, last


def _plan(buf, size: int) -> list[tuple]:
    """For each top-level node to rewrite: (field start, field end, node index, new field bytes,
    content offset, content length)."""
    strips = []
    nodes = 0
    for number, wire, field_start, payload, end in _fields(buf, 0, size):
        if _GRAPH_FIELDS.get(number) != wire:
            raise _Unusual
        if number != 1:
            continue
        if end - payload >= MIN_TENSOR_BYTES:
            found = _strip_node(buf, payload, end)
            if found is not None:
                node_bytes, offset, length = found
                strips.append((field_start, end, nodes, _field(1, node_bytes), offset, length))
        nodes += 1
    if nodes < 2:
        raise _Unusual  # one node: a MetaGraphDef's or SavedModel's shape too; read_graph decides
    return strips


def _strip_node(buf, start: int, end: int):
    """(NodeDef bytes without its big tensor_content, content offset, length) of a Const node
    whose `value` holds one; else None."""
    op = None
    value_entries = []
    for number, wire, field_start, payload, field_end in _fields(buf, start, end):
        if number == 2 and wire == 2:
            op = buf[payload:field_end]
        elif number == 5 and wire == 2:
            key = _entry_key(buf, payload, field_end)
            if key == b"value":
                value_entries.append((field_start, payload, field_end))
    if op != b"Const" or len(value_entries) != 1:
        return None
    field_start, payload, field_end = value_entries[0]
    found = _strip_entry(buf, payload, field_end)
    if found is None:
        return None
    entry, offset, length = found
    node = b"".join([buf[start:field_start], _field(5, entry), buf[field_end:end]])
    return node, offset, length


def _entry_key(buf, start: int, end: int) -> bytes | None:
    for number, wire, _, payload, field_end in _fields(buf, start, end):
        if number == 1 and wire == 2:
            return buf[payload:field_end]
    return None


def _strip_entry(buf, start: int, end: int):
    """The attr map entry (key 'value', AttrValue with a tensor) without the big content."""
    fields = list(_fields(buf, start, end))
    values = [f for f in fields if f[0] == 2]
    if len(values) != 1 or values[0][1] != 2:
        return None
    _, _, v_start, v_payload, v_end = values[0]
    attr = list(_fields(buf, v_payload, v_end))
    if len(attr) != 1 or attr[0][:2] != (8, 2):  # AttrValue holding only `tensor`
        return None
    _, _, _, t_payload, t_end = attr[0]
    contents = []
    dtype = None
    for number, wire, field_start, payload, field_end in _fields(buf, t_payload, t_end):
        if number == 4:
            contents.append((wire, field_start, payload, field_end))
        elif number == 1 and wire == 0:
            dtype = field_end
    if len(contents) != 1 or contents[0][0] != 2 or not _numeric(dtype):
        return None
    _, c_start, c_payload, c_end = contents[0]
    if c_end - c_payload < MIN_TENSOR_BYTES:
        return None
    tensor = b"".join([buf[t_payload:c_start], _PLACEHOLDER_FIELD, buf[c_end:t_end]])
    attr_value = _field(8, tensor)
    entry = b"".join([buf[start:v_start], _field(2, attr_value), buf[v_end:end]])
    return entry, c_payload, c_end - c_payload


def _numeric(dtype_enum: int | None) -> bool:
    from ortflow.formats import dtypes

    np_dtype = dtypes.NUMPY_BY_ENUM.get(dtype_enum) if dtype_enum is not None else None
    return np_dtype is not None and np_dtype.kind in "biufc"


def _field(number: int, payload: bytes) -> bytes:
    from ortflow.formats.table import encode_varint

    return encode_varint(number << 3 | 2) + encode_varint(len(payload)) + payload
