"""LevelDB-style sorted string tables, as TensorFlow writes the `.index` file of a checkpoint.

A table is a run of blocks (data blocks, an empty metaindex block, an index block), each
followed by a 5-byte trailer (compression type + masked crc32c), and a 48-byte footer that
points at the metaindex and index blocks and ends with a magic number. `TableReader` checks
every length against the file's size before using it, and every block's checksum (unless told
not to); `TableBuilder` cuts blocks exactly as TensorFlow's builder does, so that a table built
from the same entries is byte-identical to TensorFlow's.
"""

from __future__ import annotations

import bisect
import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

import google_crc32c
import numpy as np
from ortflow.errors import FormatError, NotFoundError

__all__ = [
    "BLOCK_SIZE",
    "FOOTER_SIZE",
    "MAGIC",
    "RESTART_INTERVAL",
    "TableBuilder",
    "TableReader",
    "crc32c",
    "crc32c_extend",
    "decode_varint",
    "encode_varint",
    "mask_crc",
    "read_table",
    "unmask_crc",
    "write_table",
]

MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
TRAILER_SIZE = 5
BLOCK_SIZE = 262144  # TensorFlow's table_options.h default (not LevelDB's 4 KiB)
RESTART_INTERVAL = 16
_MASK_DELTA = 0xA282EAD8
_NO_COMPRESSION = 0
_SNAPPY = 1
_U32 = struct.Struct("<I")


# --------------------------------------------------------------------------- checksums


def _as_readonly_buffer(data):
    # The C extension takes bytes or numpy arrays only (it rejects memoryview, bytearray and
    # mmap); a uint8 view over the same memory costs no copy.
    if isinstance(data, (bytes, np.ndarray)):
        return data
    return np.frombuffer(data, dtype=np.uint8)


def crc32c(data) -> int:
    """The Castagnoli CRC of `data` (C speed; any buffer, an mmap slice included, no copy)."""
    return google_crc32c.value(_as_readonly_buffer(data))


def crc32c_extend(crc: int, data) -> int:
    """Continues a finished crc32c over more bytes, as if both parts were one buffer."""
    return google_crc32c.extend(crc, _as_readonly_buffer(data))


def mask_crc(crc: int) -> int:
    """The masked form TensorFlow stores in files: rotate right 15, then add a constant."""
    crc &= 0xFFFFFFFF
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + _MASK_DELTA) & 0xFFFFFFFF


def unmask_crc(masked: int) -> int:
    """Inverse of `mask_crc`."""
    rot = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF


# --------------------------------------------------------------------------- varints


def encode_varint(value: int) -> bytes:
    """Protobuf base-128 varint of a non-negative integer."""
    if value < 0:
        raise ValueError(f"varints here are unsigned; got {value!r}")
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_varint(buf, pos: int, limit: int, max_bytes: int = 10) -> tuple[int, int]:
    """Reads a varint from `buf[pos:limit]`; returns (value, next position).

    Raises:
        ValueError: when the varint runs past `limit` or is longer than `max_bytes`.
    """
    result = 0
    shift = 0
    for i in range(max_bytes):
        if pos >= limit:
            raise ValueError("varint runs past the end of its block")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
    raise ValueError(f"varint longer than {max_bytes} bytes")


# --------------------------------------------------------------------------- reading


def _decompress_snappy(raw: bytes, where: str) -> bytes:
    # Only 2016-era writers produced Snappy blocks; accept them when a Snappy library exists.
    try:
        import snappy  # type: ignore[import-not-found]
        return snappy.uncompress(raw)
    except ImportError:
        pass
    try:
        import cramjam  # type: ignore[import-not-found]
        return bytes(cramjam.snappy.decompress_raw(raw))
    except ImportError:
        raise FormatError(f"{where} is Snappy-compressed (an early TensorFlow table); install "
                          f"'python-snappy' or 'cramjam' to read it") from None
    except Exception as e:
        raise FormatError(f"{where}: Snappy data does not decompress: {e}") from e


class TableReader:
    """Reads a whole table into memory and checks it; then answers lookups and listings.

    Index files are small (a few hundred bytes per tensor), so the reader decodes all entries
    once; every offset and length is checked against the file size before it is used.

    Args:
        path: the file, used to open it (when `data` is None) and to name it in errors.
        data: the file's bytes, if already read.
        verify_checksums: check each block's crc32c (the default, as TensorFlow does).

    Raises:
        NotFoundError: the file does not exist.
        FormatError: it is not a well-formed table.
    """

    def __init__(self, path: str | os.PathLike, data: bytes | None = None, *,
                 verify_checksums: bool = True):
        self.path = os.fspath(path)
        if data is None:
            data = _read_file(self.path)
        self._data = data
        self._verify = verify_checksums
        self._keys: list[bytes] = []
        self._values: list[bytes] = []
        self._load()

    # -- public API
    def keys(self) -> list[bytes]:
        """All keys, in table (bytewise) order."""
        return list(self._keys)

    def items(self) -> Iterator[tuple[bytes, bytes]]:
        """(key, value) pairs in table order."""
        return zip(self._keys, self._values)

    def get(self, key: bytes) -> bytes | None:
        """The value stored under `key`, or None."""
        i = bisect.bisect_left(self._keys, key)
        if i < len(self._keys) and self._keys[i] == key:
            return self._values[i]
        return None

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: bytes) -> bool:
        return self.get(key) is not None

    # -- decoding
    def _error(self, what: str) -> FormatError:
        return FormatError(f"{self.path}: {what}")

    def _load(self) -> None:
        data = self._data
        if len(data) < FOOTER_SIZE:
            raise self._error(f"file is too short to be an sstable ({len(data)} bytes, a table "
                              f"needs at least {FOOTER_SIZE}); is it truncated?")
        footer = len(data) - FOOTER_SIZE
        magic = struct.unpack_from("<Q", data, len(data) - 8)[0]
        if magic != MAGIC:
            raise self._error(f"not an sstable (bad magic number {magic:#018x}, expected {MAGIC:#018x})")
        try:
            _, pos = self._read_handle(footer, footer + 40)  # metaindex: never read, as in TF
            index_handle, _ = self._read_handle(pos, footer + 40)
        except ValueError as e:
            raise self._error(f"bad footer: {e}") from e
        index = self._read_block(index_handle, "index block")
        previous_last = b""
        for sep, handle_bytes in _block_entries(index, self._error, "index block"):
            try:
                handle, _ = self._read_handle(0, len(handle_bytes), handle_bytes)
            except ValueError as e:
                raise self._error(f"bad block handle in index entry {sep!r}: {e}") from e
            block = self._read_block(handle, f"data block at offset {handle[0]}")
            for key, value in _block_entries(block, self._error, f"data block at offset {handle[0]}"):
                if self._keys and key <= previous_last:
                    raise self._error(f"keys out of order: {key!r} after {previous_last!r}")
                if key > sep:
                    raise self._error(f"key {key!r} is past its block's index key {sep!r}")
                self._keys.append(key)
                self._values.append(value)
                previous_last = key

    def _read_handle(self, pos: int, limit: int, buf=None) -> tuple[tuple[int, int], int]:
        buf = self._data if buf is None else buf
        offset, pos = decode_varint(buf, pos, limit)
        size, pos = decode_varint(buf, pos, limit)
        return (offset, size), pos

    def _read_block(self, handle: tuple[int, int], what: str) -> bytes:
        offset, size = handle
        end_of_blocks = len(self._data) - FOOTER_SIZE
        if offset + size + TRAILER_SIZE > end_of_blocks:
            raise self._error(f"{what} (offset {offset}, {size} bytes) runs past the end of the "
                              f"file ({len(self._data)} bytes); the file is truncated or corrupt")
        view = memoryview(self._data)
        contents = view[offset:offset + size]
        kind = self._data[offset + size]
        if self._verify:
            stored = _U32.unpack_from(self._data, offset + size + 1)[0]
            found = crc32c_extend(crc32c(contents), bytes([kind]))
            if unmask_crc(stored) != found:
                raise self._error(f"block checksum mismatch in {what}: expected {unmask_crc(stored):#010x}, "
                                  f"found {found:#010x}")
        if kind == _NO_COMPRESSION:
            return bytes(contents)
        if kind == _SNAPPY:
            return _decompress_snappy(bytes(contents), f"{self.path}: {what}")
        raise self._error(f"bad block type {kind} in {what} (0 = none and 1 = Snappy are known)")


def _read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError as e:
        raise NotFoundError(None, None, f"{path}: no such file") from e
    except IsADirectoryError as e:
        raise FormatError(f"{path}: is a directory, not a table file") from e


def _block_entries(block: bytes, error, what: str) -> Iterator[tuple[bytes, bytes]]:
    """Decodes one block's entries (restart array checked first), yielding (key, value)."""
    size = len(block)
    if size < 4:
        raise error(f"{what} is corrupt: {size} bytes is shorter than its restart count")
    num_restarts = _U32.unpack_from(block, size - 4)[0]
    if num_restarts > (size - 4) // 4:
        raise error(f"{what} is corrupt: {num_restarts} restart points do not fit in {size} bytes")
    limit = size - 4 - 4 * num_restarts
    pos = 0
    key = b""
    while pos < limit:
        try:
            shared, pos = decode_varint(block, pos, limit, 5)
            non_shared, pos = decode_varint(block, pos, limit, 5)
            value_len, pos = decode_varint(block, pos, limit, 5)
        except ValueError as e:
            raise error(f"bad entry in {what} at byte {pos}: {e}") from e
        if shared > len(key) or pos + non_shared + value_len > limit:
            raise error(f"bad entry in {what} at byte {pos}: its lengths ({shared} shared, "
                        f"{non_shared} new key bytes, {value_len} value bytes) run past the block")
        key = key[:shared] + block[pos:pos + non_shared]
        pos += non_shared
        yield key, block[pos:pos + value_len]
        pos += value_len


def read_table(path: str | os.PathLike, *, verify_checksums: bool = True) -> list[tuple[bytes, bytes]]:
    """All (key, value) entries of the table file at `path`, in order."""
    return list(TableReader(path, verify_checksums=verify_checksums).items())


# --------------------------------------------------------------------------- writing


class _BlockBuilder:
    """Accumulates prefix-compressed entries with a restart point every `interval` entries."""

    def __init__(self, interval: int):
        self.interval = interval
        self.reset()

    def reset(self) -> None:
        self.buf = bytearray()
        self.restarts = [0]
        self.counter = 0
        self.last_key = b""
        self.empty = True

    def add(self, key: bytes, value: bytes) -> None:
        shared = 0
        if self.counter < self.interval:
            limit = min(len(key), len(self.last_key))
            while shared < limit and key[shared] == self.last_key[shared]:
                shared += 1
        else:
            self.restarts.append(len(self.buf))
            self.counter = 0
        self.buf += encode_varint(shared)
        self.buf += encode_varint(len(key) - shared)
        self.buf += encode_varint(len(value))
        self.buf += key[shared:]
        self.buf += value
        self.last_key = key
        self.counter += 1
        self.empty = False

    def size_estimate(self) -> int:
        return len(self.buf) + 4 * len(self.restarts) + 4

    def finish(self) -> bytes:
        out = self.buf + b"".join(_U32.pack(r) for r in self.restarts) + _U32.pack(len(self.restarts))
        return bytes(out)


def _shortest_separator(start: bytes, limit: bytes) -> bytes:
    # A short key k with start <= k < limit (TF/LevelDB's bytewise comparator rule).
    n = min(len(start), len(limit))
    i = 0
    while i < n and start[i] == limit[i]:
        i += 1
    if i < n:
        b = start[i]
        if b < 0xFF and b + 1 < limit[i]:
            return start[:i] + bytes([b + 1])
    return start


def _short_successor(key: bytes) -> bytes:
    for i, b in enumerate(key):
        if b != 0xFF:
            return key[:i] + bytes([b + 1])
    return key


class TableBuilder:
    """Writes a table to a binary file object, cutting blocks as TensorFlow's builder does.

    Keys must be added in strictly increasing bytewise order. Blocks are never compressed.

    Example:
        >>> with open("x.index", "wb") as f:          # doctest: +SKIP
        ...     b = TableBuilder(f); b.add(b"", header); b.add(b"v", entry); b.finish()
    """

    def __init__(self, out: BinaryIO, *, block_size: int = BLOCK_SIZE,
                 restart_interval: int = RESTART_INTERVAL):
        self._out = out
        self._block_size = block_size
        self._data = _BlockBuilder(restart_interval)
        self._index = _BlockBuilder(1)
        self._offset = 0
        self._count = 0
        self._last_key: bytes | None = None
        self._pending: tuple[int, int] | None = None  # handle of a flushed block awaiting its index key
        self._finished = False

    def add(self, key: bytes, value: bytes) -> None:
        """Adds one entry; `key` must sort after every key added before."""
        if self._finished:
            raise ValueError("TableBuilder.add after finish()")
        if self._last_key is not None and key <= self._last_key:
            raise ValueError(f"table keys must be strictly increasing: {key!r} after {self._last_key!r}")
        if self._count > 0 and len(key) + len(value) >= 2 * self._block_size:
            self._flush()  # TF-specific: a huge entry starts a block of its own
        if self._pending is not None:
            self._add_index(_shortest_separator(self._last_key, key))
        self._data.add(key, value)
        self._last_key = key
        self._count += 1
        if self._data.size_estimate() >= self._block_size:
            self._flush()

    def finish(self) -> int:
        """Writes the remaining blocks and the footer; returns the table's size in bytes."""
        self._flush()
        meta = _BlockBuilder(RESTART_INTERVAL)
        meta_handle = self._write_block(meta.finish())
        if self._pending is not None:
            self._add_index(_short_successor(self._last_key))
        index_handle = self._write_block(self._index.finish())
        footer = bytearray(encode_varint(meta_handle[0]) + encode_varint(meta_handle[1])
                           + encode_varint(index_handle[0]) + encode_varint(index_handle[1]))
        footer += bytes(40 - len(footer))
        footer += struct.pack("<Q", MAGIC)
        self._out.write(footer)
        self._offset += len(footer)
        self._finished = True
        return self._offset

    def _add_index(self, separator: bytes) -> None:
        offset, size = self._pending
        self._index.add(separator, encode_varint(offset) + encode_varint(size))
        self._pending = None

    def _flush(self) -> None:
        if self._data.empty:
            return
        self._pending = self._write_block(self._data.finish())
        self._data.reset()

    def _write_block(self, contents: bytes) -> tuple[int, int]:
        handle = (self._offset, len(contents))
        kind = bytes([_NO_COMPRESSION])
        crc = mask_crc(crc32c_extend(crc32c(contents), kind))
        self._out.write(contents)
        self._out.write(kind + _U32.pack(crc))
        self._offset += len(contents) + TRAILER_SIZE
        return handle


def write_table(out: BinaryIO, entries) -> int:
    """Writes sorted (key, value) `entries` as a table to `out`; returns the byte count."""
    builder = TableBuilder(out)
    for key, value in entries:
        builder.add(key, value)
    return builder.finish()
