"""Crash-safe file writes: write to a temporary name beside the target, then rename into place."""

from __future__ import annotations

import contextlib
import os
import pathlib
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

__all__ = ["atomic_writer", "write_bytes_atomic", "write_text_atomic"]


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike, *, fsync: bool = True) -> Iterator[BinaryIO]:
    """Opens a temporary file beside `path` for binary writing; renames it to `path` on success.

    If the block raises (or the process dies), `path` keeps its old content and the temporary
    file is removed (or, after a hard kill, left under a `.tmp` name that no reader looks at).
    """
    path = pathlib.Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            if fsync:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_bytes_atomic(path: str | os.PathLike, data: bytes | memoryview, *, fsync: bool = True) -> None:
    """Writes `data` to `path` through a temporary file and a rename."""
    with atomic_writer(path, fsync=fsync) as f:
        f.write(data)


def write_text_atomic(path: str | os.PathLike, text: str, *, fsync: bool = True) -> None:
    """Writes UTF-8 `text` to `path` through a temporary file and a rename."""
    write_bytes_atomic(path, text.encode("utf-8"), fsync=fsync)
