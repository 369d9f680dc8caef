"""TensorBoard event files: TFRecord framing (masked crc32c) around serialized `Event` messages.

A record is `length (u64 LE) | masked crc32c of the length (u32) | data | masked crc32c of the
data (u32)`. `RecordWriter` appends records; `read_records` walks them back, checking both
checksums. A record cut short at the end of the file (a writer still appending, or a process
killed mid-write) ends the walk quietly, as TensorFlow's record iterator does; a checksum that
does not match raises `FormatError` naming the file, the record and its offset.

Event files are append-only logs, so they are written in place rather than through the
temp-file-and-rename of `formats/files.py`: a crash can only leave a partial last record, which
every reader (ours, TensorFlow's, TensorBoard's) skips.
"""

from __future__ import annotations

import os
import socket
import struct
import time
from collections.abc import Iterator
from typing import BinaryIO

from google.protobuf.message import DecodeError
from ortflow.errors import FormatError
from ortflow.formats.table import crc32c, mask_crc, unmask_crc
from ortflow.proto import Event

__all__ = [
    "FILE_VERSION",
    "FOOTER_SIZE",
    "HEADER_SIZE",
    "EventsWriter",
    "RecordWriter",
    "encode_record",
    "event_file_name",
    "parse_event",
    "read_events",
    "read_records",
]

#: The `file_version` of the first event of every file TensorFlow writes.
FILE_VERSION = "brain.Event:2"
HEADER_SIZE = 12  # u64 length + u32 masked crc of the length
FOOTER_SIZE = 4  # u32 masked crc of the data
_U64 = struct.Struct("<Q")
_U32 = struct.Struct("<I")
_CHUNK = 1 << 20


def encode_record(data: bytes) -> bytes:
    """Frames one record: length, its masked crc32c, the data, the data's masked crc32c."""
    data = bytes(data)
    length = _U64.pack(len(data))
    return b"".join((length, _U32.pack(mask_crc(crc32c(length))), data,
                     _U32.pack(mask_crc(crc32c(data)))))


class RecordWriter:
    """Appends TFRecord records to a binary file object.

    Args:
        f: a file object opened for binary writing (or appending).
    """

    __slots__ = ("_f",)

    def __init__(self, f: BinaryIO):
        self._f = f

    def write(self, data: bytes) -> None:
        """Appends one framed record."""
        self._f.write(encode_record(data))

    def flush(self) -> None:
        """Pushes buffered bytes to the operating system."""
        self._f.flush()


def read_records(path: str | os.PathLike, *, verify_checksums: bool = True) -> Iterator[bytes]:
    """Yields the data of each record of a TFRecord file, in order.

    A record cut short at the end of the file ends the iteration without an error (the writer
    may still be appending, or died mid-record); that is what TensorFlow's iterator does.

    Args:
        path: the file to read.
        verify_checksums: check both crc32c of every record (the default).

    Raises:
        FormatError: a checksum does not match (the file is corrupt), or the file cannot be read.
    """
    path = os.fspath(path)
    try:
        f = open(path, "rb")
    except OSError as e:
        raise FormatError(f"{path}: cannot open the record file: {e.strerror or e}") from e
    with f:
        size = os.fstat(f.fileno()).st_size
        offset = 0
        index = 0
        while True:
            header = f.read(HEADER_SIZE)
            if len(header) < HEADER_SIZE:
                return  # clean end of file, or a header still being written
            (length,) = _U64.unpack_from(header)
            (stored,) = _U32.unpack_from(header, 8)
            if verify_checksums and unmask_crc(stored) != crc32c(header[:8]):
                raise FormatError(f"{path}: record {index} at byte {offset}: the length's checksum "
                                  f"{unmask_crc(stored):#010x} does not match its bytes "
                                  f"({crc32c(header[:8]):#010x}); the file is corrupt")
            # The length was checked by its crc; it must also fit in what the file holds
            # before anything is allocated for it. If not, the record is still being written.
            if length + FOOTER_SIZE > size - offset - HEADER_SIZE:
                size = os.fstat(f.fileno()).st_size  # the writer may have appended meanwhile
                if length + FOOTER_SIZE > size - offset - HEADER_SIZE:
                    return
            data = f.read(length)
            footer = f.read(FOOTER_SIZE)
            if len(data) < length or len(footer) < FOOTER_SIZE:
                return
            if verify_checksums:
                (stored,) = _U32.unpack(footer)
                found = crc32c(data)
                if unmask_crc(stored) != found:
                    raise FormatError(f"{path}: record {index} at byte {offset}: the data's checksum "
                                      f"{unmask_crc(stored):#010x} does not match its {length} bytes "
                                      f"({found:#010x}); the file is corrupt")
            yield data
            offset += HEADER_SIZE + length + FOOTER_SIZE
            index += 1


def parse_event(data: bytes, where: str = "event") -> Event:
    """Parses one serialized `Event`, raising `FormatError` naming `where` if it is not one."""
    event = Event()
    try:
        event.ParseFromString(data)
    except DecodeError as e:
        raise FormatError(f"{where}: the record is not a serialized tensorflow.Event ({e})") from e
    return event


def read_events(path: str | os.PathLike, *, verify_checksums: bool = True) -> Iterator[Event]:
    """Yields the `Event` messages of an event file, in order (see `read_records`).

    Raises:
        FormatError: a record is corrupt or does not hold an Event.
    """
    for i, data in enumerate(read_records(path, verify_checksums=verify_checksums)):
        yield parse_event(data, f"{os.fspath(path)}: record {i}")


def event_file_name(logdir: str | os.PathLike, timestamp: int | None = None,
                    hostname: str | None = None, suffix: str = "") -> str:
    """The path TensorFlow gives an event file: `<logdir>/events.out.tfevents.<%010d>.<host><suffix>`."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    hostname = socket.gethostname() if hostname is None else hostname
    return os.path.join(os.fspath(logdir), f"events.out.tfevents.{timestamp:010d}.{hostname}{suffix or ''}")


class EventsWriter:
    """Writes an event file the way TensorFlow's C++ `EventsWriter` does.

    The file is created in `logdir` at construction, and its first record is the
    `file_version: "brain.Event:2"` event, stamped with the integer seconds of the file name.
    Not thread-safe: `summary.FileWriter` calls it from its one writer thread.

    Args:
        logdir: the directory (created if missing).
        suffix: appended to the file name as-is.

    Example:
        >>> w = EventsWriter("/tmp/logs")                        # doctest: +SKIP
        >>> w.write_event(Event(wall_time=time.time(), step=1))  # doctest: +SKIP
        >>> w.close()                                            # doctest: +SKIP
    """

    def __init__(self, logdir: str | os.PathLike, suffix: str = ""):
        logdir = os.fspath(logdir)
        os.makedirs(logdir, exist_ok=True)
        now = int(time.time())
        self.path = event_file_name(logdir, now, suffix=suffix)
        self._f = open(self.path, "ab")
        self._records = RecordWriter(self._f)
        self.write_event(Event(wall_time=float(now), file_version=FILE_VERSION))
        self.flush()

    def write_event(self, event: Event | bytes) -> None:
        """Appends one event (a message, or its serialized bytes)."""
        if self._f is None:
            raise ValueError(f"{self.path}: the events writer is closed")
        data = event if isinstance(event, (bytes, bytearray)) else event.SerializeToString()
        self._records.write(data)

    def flush(self) -> None:
        """Pushes written events to the operating system and to disk."""
        if self._f is not None:
            self._f.flush()
            os.fsync(self._f.fileno())

    def close(self) -> None:
        """Flushes and closes the file; later writes raise."""
        if self._f is not None:
            self.flush()
            self._f.close()
            self._f = None

    @property
    def closed(self) -> bool:
        return self._f is None
