"""Bytes and text <-> messages: tensors, graphs (binary and text), the text-format codec."""

from __future__ import annotations

from ortflow.formats.tensors import make_ndarray, make_tensor_proto, shape_from_proto, shape_to_proto

__all__ = ["make_ndarray", "make_tensor_proto", "shape_from_proto", "shape_to_proto"]
