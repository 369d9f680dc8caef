"""`ortflow.compat`: `compat.v1` is ortflow itself, so `tf.compat.v1.placeholder` works."""

from __future__ import annotations

import ortflow as v1

__all__ = ["v1", "as_bytes", "as_text", "as_str"]


def as_bytes(bytes_or_text, encoding: str = "utf-8") -> bytes:
    """`tf.compat.as_bytes`."""
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


def as_text(bytes_or_text, encoding: str = "utf-8") -> str:
    """`tf.compat.as_text` (also `as_str`)."""
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text).decode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


as_str = as_text
