"""Bytes and text <-> messages: tensors, graph files (binary and text), the text-format codec."""

from __future__ import annotations

from ortflow.formats.graphs import detect_kind, load_graph_def, parse_message, read_graph, write_graph
from ortflow.formats.pbtxt import format_pbtxt, parse_pbtxt
from ortflow.formats.tensors import make_ndarray, make_tensor_proto, shape_from_proto, shape_to_proto

__all__ = [
    "detect_kind", "format_pbtxt", "load_graph_def", "make_ndarray", "make_tensor_proto", "parse_message",
    "parse_pbtxt", "read_graph", "shape_from_proto", "shape_to_proto", "write_graph",
]
