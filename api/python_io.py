"""TFRecord files: `tf.python_io` / `tf.io`'s `TFRecordWriter`, `tf_record_iterator` and options.

Records are framed by `ortflow.formats.events` (the same framing as event files); GZIP and ZLIB
compression wrap the whole stream, as TensorFlow's do. A writer writes to a temporary name in
the target's directory and renames it into place on `close()`, so a crash never leaves half a
file where a complete one was; until then the target does not exist or is the previous file.

Example:
    >>> with TFRecordWriter(path) as w:                                   # doctest: +SKIP
    ...     w.write(example.SerializeToString())
    >>> records = list(tf_record_iterator(path))                          # doctest: +SKIP
"""

from __future__ import annotations

import gzip
import os
import tempfile
import zlib
from collections.abc import Iterator

from ortflow.errors import DataLossError, FormatError, NotFoundError
from ortflow.formats.events import encode_record, read_records

__all__ = ["TFRecordCompressionType", "TFRecordOptions", "TFRecordWriter", "tf_record_iterator"]


class TFRecordCompressionType:
    """The compression kinds of a TFRecord file (TF's enum values)."""

    NONE = 0
    ZLIB = 1
    GZIP = 2


_NAMES = {"": TFRecordCompressionType.NONE, "NONE": TFRecordCompressionType.NONE,
          "ZLIB": TFRecordCompressionType.ZLIB, "GZIP": TFRecordCompressionType.GZIP}


class TFRecordOptions:
    """How a TFRecord file is compressed.

    Args:
        compression_type: None, "", "ZLIB", "GZIP" or a `TFRecordCompressionType` value.
        compression_level: zlib's level 0-9 (default 6, as TF).
    """

    compression_type_map = {TFRecordCompressionType.NONE: "", TFRecordCompressionType.ZLIB: "ZLIB",
                            TFRecordCompressionType.GZIP: "GZIP"}

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None):
        self.compression_type = _kind(compression_type)
        self.compression_level = 6 if compression_level is None else int(compression_level)

    @classmethod
    def get_compression_type_string(cls, options) -> str:
        """"", "ZLIB" or "GZIP" for `options` (a TFRecordOptions, a kind, a name or None)."""
        kind = options.compression_type if isinstance(options, TFRecordOptions) else _kind(options)
        return cls.compression_type_map[kind]


def _kind(value) -> int:
    if value is None:
        return TFRecordCompressionType.NONE
    if isinstance(value, TFRecordOptions):
        return value.compression_type
    if isinstance(value, int) and value in TFRecordOptions.compression_type_map:
        return value
    if isinstance(value, str) and value.upper() in _NAMES:
        return _NAMES[value.upper()]
    raise ValueError(f"Unknown TFRecord compression type {value!r}: use '', 'ZLIB' or 'GZIP'.")


class TFRecordWriter:
    """Writes records to a TFRecord file (`tf.python_io.TFRecordWriter`).

    Args:
        path: the file to write.
        options: a `TFRecordOptions` or a compression name ("", "ZLIB", "GZIP").
    """

    def __init__(self, path, options=None):
        self._path = os.fspath(path)
        options = options if isinstance(options, TFRecordOptions) else TFRecordOptions(options)
        self._kind = options.compression_type
        directory = os.path.dirname(os.path.abspath(self._path))
        try:
            fd, self._tmp = tempfile.mkstemp(prefix=f".{os.path.basename(self._path)}.",
                                             suffix=".tmp", dir=directory)
        except OSError as e:
            raise FormatError(f"{self._path}: cannot create the record file: {e.strerror or e}") from e
        self._file = os.fdopen(fd, "wb")
        self._zlib = zlib.compressobj(options.compression_level) if self._kind == TFRecordCompressionType.ZLIB \
            else None
        self._out = gzip.GzipFile(fileobj=self._file, mode="wb", compresslevel=options.compression_level,
                                  mtime=0) if self._kind == TFRecordCompressionType.GZIP else self._file
        self._closed = False

    def write(self, record) -> None:
        """Appends one record (bytes, or a str encoded as UTF-8)."""
        if self._closed:
            raise ValueError(f"{self._path}: the TFRecordWriter is closed.")
        data = encode_record(record.encode("utf-8") if isinstance(record, str) else record)
        self._out.write(self._zlib.compress(data) if self._zlib is not None else data)

    def flush(self) -> None:
        """Pushes what was written so far to the temporary file (the target appears on close)."""
        if self._zlib is not None:
            self._file.write(self._zlib.flush(zlib.Z_SYNC_FLUSH))
        self._out.flush()

    def close(self) -> None:
        """Finishes the file and renames it into place."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._zlib is not None:
                self._file.write(self._zlib.flush())
            if self._out is not self._file:
                self._out.close()
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self._tmp, self._path)
        except BaseException:
            self._discard()
            raise

    def _discard(self) -> None:
        try:
            self._file.close()
        finally:
            if os.path.exists(self._tmp):
                os.unlink(self._tmp)

    def __enter__(self) -> TFRecordWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:  # the records were not all written: the target keeps what it had
            self._closed = True
            self._discard()

    def __del__(self):
        if not getattr(self, "_closed", True):
            self._closed = True
            self._discard()


def tf_record_iterator(path, options=None) -> Iterator[bytes]:
    """Yields the records of a TFRecord file (`tf.python_io.tf_record_iterator`).

    Raises:
        NotFoundError: there is no such file.
        DataLossError: a record's checksum does not match, or the compressed stream is corrupt.
    """
    path = os.fspath(path)
    kind = _kind(options)
    if not os.path.exists(path):
        raise NotFoundError(None, None, f"{path}: no such file")
    if kind == TFRecordCompressionType.NONE:
        try:
            yield from read_records(path)
        except FormatError as e:
            raise DataLossError(None, None, str(e)) from e
        return
    with open(path, "rb") as f:
        raw = f.read()
    name = TFRecordOptions.compression_type_map[kind]
    try:
        data = gzip.decompress(raw) if kind == TFRecordCompressionType.GZIP else zlib.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise DataLossError(None, None, f"{path}: the {name} stream is corrupt: {e}") from e
    with tempfile.TemporaryDirectory() as tmp:  # the framing reader reads files
        plain = os.path.join(tmp, "records")
        with open(plain, "wb") as f:
            f.write(data)
        try:
            yield from read_records(plain)
        except FormatError as e:
            raise DataLossError(None, None, str(e).replace(plain, f"{path} ({name}-decompressed)")) from e
