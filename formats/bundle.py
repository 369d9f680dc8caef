"""TensorBundle V2 checkpoints (`PREFIX.index` + `PREFIX.data-SSSSS-of-NNNNN`): reader and writer.

The `.index` is a table (`ortflow.formats.table`) mapping tensor names to `BundleEntryProto`s,
with a `BundleHeaderProto` under the empty key; the data files hold the tensors' bytes.

Reading memory-maps the data files: numeric tensors come back as **read-only numpy views of
the mapping** (no copy; they stay valid after the reader is closed, because each view keeps
its mapping alive). Pass `copy=True` to `get_tensor` for a writable copy. String tensors and
partitioned variables are always freshly built arrays.

Writing follows TensorFlow's `BundleWriter` byte for byte (tensors in the order added, no
padding, no compression), through temporary names renamed into place: data files first, the
index last, so a reader never sees a half-written checkpoint under its final names.
Known gap: re-saving over an *existing* prefix (no global step) replaces its data files before
its index, so a crash between the two renames leaves that prefix failing its checksums (a
clean FormatError) until the next save; TensorFlow has the same window. Saves under new
prefixes (`model.ckpt-STEP`) never touch the previous checkpoint.
"""

from __future__ import annotations

import contextlib
import glob
import mmap
import os
import re
import struct
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from google.protobuf.message import DecodeError
from ortflow.errors import FormatError, NotFoundError
from ortflow.formats import dtypes
from ortflow.formats.files import atomic_writer
from ortflow.formats.table import (
    TableBuilder,
    TableReader,
    crc32c,
    crc32c_extend,
    decode_varint,
    encode_varint,
    mask_crc,
    unmask_crc,
)
from ortflow.proto import BundleEntryProto, BundleHeaderProto, TensorSliceProto, types_pb2

__all__ = [
    "BundleReader",
    "BundleWriter",
    "TensorSlice",
    "bundle_files",
    "data_filename",
    "encode_slice_key",
    "format_slice_spec",
    "parse_slice_spec",
    "read_bundle",
    "write_bundle",
]

_U32 = struct.Struct("<I")
_STRING = types_pb2.DT_STRING
_DATA_RE = re.compile(r"\.data-(\d{5})-of-(\d{5})$")
_MAX_SHARDS = 99999  # the 5-digit file name field

#: One slice of a tensor: a (start, length) pair per dimension; length -1 means "all of it".
TensorSlice = tuple[tuple[int, int], ...]


def data_filename(prefix: str, shard_id: int, num_shards: int) -> str:
    """`PREFIX.data-SSSSS-of-NNNNN`, TensorFlow's data file name."""
    return f"{prefix}.data-{shard_id:05d}-of-{num_shards:05d}"


def bundle_files(prefix: str) -> list[str]:
    """The existing files of the bundle at `prefix`: its index and every data file."""
    found = [p for p in glob.glob(glob.escape(prefix) + ".data-*-of-*") if _DATA_RE.search(p)]
    index = prefix + ".index"
    return ([index] if os.path.exists(index) else []) + sorted(found)


# --------------------------------------------------------------------------- slices


def _num_increasing(value: int) -> bytes:
    # OrderedCode WriteNumIncreasing: a length byte, then the big-endian significant bytes.
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""
    return bytes([len(raw)]) + raw


_SIGNED_LIMITS = (6, 13, 20, 27, 34, 41, 48, 55, 62)
_SIGNED_FIRST_MASK = (0x80, 0xC0, 0xE0, 0xF0, 0xF8, 0xFC, 0xFE, 0xFF, 0xFF, 0xFF)


def _signed_num_increasing(value: int) -> bytes:
    # OrderedCode WriteSignedNumIncreasing: n-1 copies of the sign bit, one opposite bit,
    # then the two's-complement value, in the shortest of 1..10 bytes that holds it.
    magnitude = value if value >= 0 else ~value
    bits = magnitude.bit_length()
    n = next((i + 1 for i, limit in enumerate(_SIGNED_LIMITS) if bits <= limit), 10)
    raw = bytearray((value & ((1 << 80) - 1)).to_bytes(10, "big")[-n:])
    raw[0] ^= _SIGNED_FIRST_MASK[n - 1]
    if n == 9:
        raw[1] ^= 0x80
    elif n == 10:
        raw[1] ^= 0xC0
    return bytes(raw)


def encode_slice_key(name: str | bytes, tensor_slice: Sequence[tuple[int, int]]) -> bytes:
    """The table key under which TensorFlow stores one slice of a partitioned tensor."""
    escaped = re.sub(rb"[\x00\xff]", lambda m: b"\x00\xff" if m.group() == b"\x00" else b"\xff\x00",
                     name.encode("utf-8") if isinstance(name, str) else bytes(name))
    out = bytearray(_num_increasing(0) + escaped + b"\x00\x01" + _num_increasing(len(tensor_slice)))
    for start, length in tensor_slice:
        out += _signed_num_increasing(start) + _signed_num_increasing(length)
    return bytes(out)


def _slice_from_proto(proto: TensorSliceProto) -> TensorSlice:
    return tuple((e.start, e.length) if e.HasField("length") else (0, -1) for e in proto.extent)


def _slice_to_proto(tensor_slice: TensorSlice) -> TensorSliceProto:
    proto = TensorSliceProto()
    for start, length in tensor_slice:
        extent = proto.extent.add()
        if length != -1:  # a full dimension stays an empty Extent, as TensorSlice.AsProto does
            extent.start = start
            extent.length = length
    return proto


def parse_slice_spec(spec: str) -> TensorSlice:
    """Parses TensorFlow's slice spec text, e.g. `"0,4:-"`, into (start, length) pairs."""
    out = []
    for part in spec.split(":"):
        if part == "-":
            out.append((0, -1))
            continue
        try:
            start, length = (int(x) for x in part.split(","))
        except ValueError as e:
            raise ValueError(f"bad slice spec {spec!r}: each dimension is 'start,length' or '-'") from e
        out.append((start, length))
    return tuple(out)


def format_slice_spec(tensor_slice: Sequence[tuple[int, int]]) -> str:
    """Inverse of `parse_slice_spec`."""
    return ":".join("-" if length == -1 else f"{start},{length}" for start, length in tensor_slice)


def _resolve_slice(tensor_slice: TensorSlice, full_shape: Sequence[int]) -> tuple[slice, ...]:
    return tuple(slice(0, dim) if length == -1 else slice(start, start + length)
                 for (start, length), dim in zip(tensor_slice, full_shape))


# --------------------------------------------------------------------------- reading


def _shape_of(entry: BundleEntryProto, where: str) -> tuple[int, ...]:
    if entry.shape.unknown_rank:
        raise FormatError(f"{where}: the stored shape has unknown rank")
    shape = tuple(d.size for d in entry.shape.dim)
    if any(d < 0 for d in shape):
        raise FormatError(f"{where}: the stored shape {list(shape)} is not fully defined")
    return shape


def _numpy_dtype(entry: BundleEntryProto, where: str) -> np.dtype:
    np_dtype = dtypes.NUMPY_BY_ENUM.get(entry.dtype)
    if np_dtype is None:
        name = types_pb2.DataType.Name(entry.dtype) if entry.dtype in types_pb2.DataType.values() else entry.dtype
        raise FormatError(f"{where}: dtype {name} cannot be read into numpy")
    return np_dtype


class BundleReader:
    """Reads the tensors of one TensorBundle checkpoint.

    Args:
        prefix: the checkpoint prefix (`.../model.ckpt-1000`), without `.index`.
        verify_checksums: check the crc32c of every index block and every tensor read (default);
            turn off for speed on trusted files.

    Raises:
        NotFoundError: the index or a data file is missing.
        FormatError: any part is malformed (the message names the file).

    Example:
        >>> with BundleReader("model.ckpt-1000") as r:   # doctest: +SKIP
        ...     w = r.get_tensor("dense/kernel")
    """

    def __init__(self, prefix: str | os.PathLike, *, verify_checksums: bool = True):
        self.prefix = os.fspath(prefix)
        self.index_path = self.prefix + ".index"
        self.verify_checksums = verify_checksums
        if not os.path.exists(self.index_path):
            raise NotFoundError(None, None, f"Unsuccessful TensorSliceReader constructor: Failed to find "
                                            f"any matching files for {self.prefix} ({self.index_path} "
                                            f"does not exist)")
        table = TableReader(self.index_path, verify_checksums=verify_checksums)
        self.header = self._parse_header(table)
        self.num_shards = self.header.num_shards
        self._entries: dict[str, BundleEntryProto] = {}
        self._slice_entries: dict[bytes, BundleEntryProto] = {}
        self._parse_entries(table)
        self._check_data_files()
        self._maps: dict[int, mmap.mmap | bytes] = {}

    # -- context and cleanup
    def close(self) -> None:
        """Drops the file mappings (views already returned keep their own mapping alive)."""
        maps, self._maps = self._maps, {}
        for m in maps.values():
            if isinstance(m, mmap.mmap):
                with contextlib.suppress(BufferError):  # a returned view still uses it
                    m.close()

    def __enter__(self) -> BundleReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- parsing the index
    def _parse_header(self, table: TableReader) -> BundleHeaderProto:
        items = table.items()
        first = next(iter(items), None)
        if first is None or first[0] != b"":
            raise FormatError(f"{self.index_path}: the bundle header (empty key) is missing; "
                              f"this is not a TensorBundle index")
        header = BundleHeaderProto()
        try:
            header.ParseFromString(first[1])
        except DecodeError as e:
            raise FormatError(f"{self.index_path}: the bundle header does not parse: {e}") from e
        if not 1 <= header.num_shards <= _MAX_SHARDS:
            raise FormatError(f"{self.index_path}: the header says {header.num_shards} data shards; "
                              f"expected 1 to {_MAX_SHARDS}")
        version = header.version
        if version.producer < 0 or version.min_consumer > 1 or 1 in version.bad_consumers:
            raise FormatError(f"{self.index_path}: bundle version (producer {version.producer}, "
                              f"min_consumer {version.min_consumer}) is not readable by version 1")
        return header

    def _parse_entries(self, table: TableReader) -> None:
        for key, value in table.items():
            if key == b"":
                continue
            entry = BundleEntryProto()
            try:
                entry.ParseFromString(value)
            except DecodeError as e:
                raise FormatError(f"{self.index_path}: entry for key {key!r} is not parseable: {e}") from e
            if not 0 <= entry.shard_id < self.num_shards:
                raise FormatError(f"{self.index_path}: entry {key!r} names data shard {entry.shard_id}, "
                                  f"but the bundle has {self.num_shards}")
            if key[:1] == b"\x00":
                self._slice_entries[key] = entry
                continue
            try:
                name = key.decode("utf-8")
            except UnicodeDecodeError as e:
                raise FormatError(f"{self.index_path}: tensor name {key!r} is not UTF-8") from e
            self._entries[name] = entry

    def _check_data_files(self) -> None:
        used = {e.shard_id for e in self._entries.values() if not e.slices}
        used |= {e.shard_id for e in self._slice_entries.values()}
        missing = [data_filename(self.prefix, i, self.num_shards) for i in sorted(used)
                   if not os.path.exists(data_filename(self.prefix, i, self.num_shards))]
        if not missing:
            return
        present = [p for p in bundle_files(self.prefix) if p.endswith(tuple("0123456789"))]
        hint = f"; present: {', '.join(os.path.basename(p) for p in present)}" if present else ""
        raise NotFoundError(None, None, f"{self.index_path}: says {self.num_shards} data shard(s), but "
                                        f"data file {missing[0]} does not exist{hint}")

    # -- listing
    def tensor_names(self) -> list[str]:
        """Names of the stored tensors (partitioned variables by their full name), sorted."""
        return sorted(self._entries)

    def has_tensor(self, name: str) -> bool:
        """Whether a tensor of that name is stored."""
        return name in self._entries

    def entry(self, name: str) -> BundleEntryProto:
        """The raw index entry of `name`."""
        try:
            return self._entries[name]
        except KeyError:
            raise NotFoundError(None, None, f"Key {name} not found in checkpoint {self.prefix}") from None

    def shape(self, name: str) -> tuple[int, ...]:
        """The full shape of tensor `name`."""
        return _shape_of(self.entry(name), f"{self.index_path}: tensor {name!r}")

    def dtype(self, name: str) -> dtypes.DType:
        """The DType of tensor `name`."""
        enum = self.entry(name).dtype
        try:
            return dtypes.as_dtype(enum)
        except TypeError as e:
            raise FormatError(f"{self.index_path}: tensor {name!r} has unknown dtype enum {enum}") from e

    def get_variable_to_shape_map(self) -> dict[str, list[int]]:
        """name -> full shape (a list), slice keys hidden, as TensorFlow's reader does."""
        return {n: list(self.shape(n)) for n in self.tensor_names()}

    def get_variable_to_dtype_map(self) -> dict[str, dtypes.DType]:
        """name -> DType."""
        return {n: self.dtype(n) for n in self.tensor_names()}

    def get_slice_keys(self) -> dict[str, list[str]]:
        """Partitioned tensors -> the slice specs (`"0,4:0,6"`) of their stored pieces."""
        return {n: [format_slice_spec(_slice_from_proto(s)) for s in e.slices]
                for n, e in sorted(self._entries.items()) if e.slices}

    def nbytes(self, name: str) -> int:
        """Bytes that tensor `name` takes in the data files (all slices together)."""
        entry = self.entry(name)
        if entry.slices:
            return sum(self._slice_entry(name, _slice_from_proto(s)).size for s in entry.slices)
        return entry.size

    # -- reading values
    def get_tensor(self, name: str, *, copy: bool = False) -> np.ndarray:
        """The value of tensor `name`.

        Numeric tensors are read-only views of the memory-mapped data file unless `copy`;
        strings are object arrays of `bytes`; partitioned tensors are assembled from slices.

        Raises:
            NotFoundError: no tensor of that name (or its data file is gone).
            FormatError: the stored bytes are inconsistent or fail their checksum.
        """
        entry = self.entry(name)
        if entry.slices:
            return self._assemble(name, entry)
        value = self._read_entry(entry, name)
        return value.copy() if copy and value.dtype != object else value

    def get_tensor_slice(self, name: str, tensor_slice: str | Sequence[tuple[int, int]]) -> np.ndarray:
        """One stored piece of partitioned tensor `name`, e.g. `get_tensor_slice("emb", "0,4:0,6")`."""
        if isinstance(tensor_slice, str):
            tensor_slice = parse_slice_spec(tensor_slice)
        tensor_slice = tuple((int(s), int(n)) for s, n in tensor_slice)
        return self._read_entry(self._slice_entry(name, tensor_slice),
                                f"{name} (slice {format_slice_spec(tensor_slice)})")

    def _slice_entry(self, name: str, tensor_slice: TensorSlice) -> BundleEntryProto:
        entry = self._slice_entries.get(encode_slice_key(name, tensor_slice))
        if entry is None:
            raise NotFoundError(None, None, f"Key {name} (slice {format_slice_spec(tensor_slice)}) not "
                                            f"found in checkpoint {self.prefix}")
        return entry

    def _assemble(self, name: str, entry: BundleEntryProto) -> np.ndarray:
        where = f"{self.index_path}: partitioned tensor {name!r}"
        full_shape = _shape_of(entry, where)
        np_dtype = _numpy_dtype(entry, where)
        pieces = []
        covered = 0
        for proto in entry.slices:
            tensor_slice = _slice_from_proto(proto)
            if len(tensor_slice) != len(full_shape):
                raise FormatError(f"{where}: slice {format_slice_spec(tensor_slice)} has the wrong rank "
                                  f"for shape {list(full_shape)}")
            index = _resolve_slice(tensor_slice, full_shape)
            want = tuple(len(range(dim)[s]) for s, dim in zip(index, full_shape))
            piece = self.get_tensor_slice(name, tensor_slice)
            if piece.shape != want or any(s.start < 0 or s.stop > d for s, d in zip(index, full_shape)):
                raise FormatError(f"{where}: slice {format_slice_spec(tensor_slice)} holds shape "
                                  f"{list(piece.shape)}, which does not fit {list(full_shape)}")
            pieces.append((index, piece))
            covered += piece.size
        total = int(np.prod(full_shape, dtype=object))
        if covered < total:  # checked before allocating the full tensor
            raise FormatError(f"{where}: its stored slices cover {covered} of {total} elements")
        out = np.empty(full_shape, dtype=np_dtype)
        mask = np.zeros(full_shape, dtype=bool)
        for index, piece in pieces:
            out[index] = piece
            mask[index] = True
        if not mask.all():
            raise FormatError(f"{where}: its stored slices do not cover the whole tensor")
        return out

    def _data(self, shard_id: int) -> mmap.mmap | bytes:
        m = self._maps.get(shard_id)
        if m is None:
            path = data_filename(self.prefix, shard_id, self.num_shards)
            try:
                with open(path, "rb") as f:
                    size = os.fstat(f.fileno()).st_size
                    m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
            except FileNotFoundError as e:
                raise NotFoundError(None, None, f"{self.index_path}: data file {path} does not exist") from e
            self._maps[shard_id] = m
        return m

    def _read_entry(self, entry: BundleEntryProto, name: str) -> np.ndarray:
        path = data_filename(self.prefix, entry.shard_id, self.num_shards)
        where = f"{path}: tensor {name!r}"
        shape = _shape_of(entry, where)
        np_dtype = _numpy_dtype(entry, where)
        data = self._data(entry.shard_id)
        if entry.offset < 0 or entry.size < 0 or entry.offset + entry.size > len(data):
            raise FormatError(f"{where}: bytes {entry.offset}..{entry.offset + entry.size} run past the "
                              f"end of the data file ({len(data)} bytes); it is truncated or corrupt")
        count = int(np.prod(shape, dtype=object))
        if entry.dtype == _STRING:
            return _read_strings(data, entry, count, shape, where, self.verify_checksums)
        if entry.size != count * np_dtype.itemsize:
            raise FormatError(f"{where}: invalid size in bundle entry: {entry.size} bytes stored, shape "
                              f"{list(shape)} of {np_dtype} needs {count * np_dtype.itemsize}")
        raw = np.frombuffer(data, dtype=np.uint8, count=entry.size, offset=entry.offset) \
            if entry.size else np.empty(0, np.uint8)
        if self.verify_checksums:
            _check_crc(entry.crc32c, crc32c(raw), where)
        if self.header.endianness == BundleHeaderProto.BIG:
            np_dtype = np_dtype.newbyteorder(">")
        return raw.view(np_dtype).reshape(shape)


def _check_crc(stored_masked: int, found: int, where: str) -> None:
    expected = unmask_crc(stored_masked)
    if expected != found:
        raise FormatError(f"{where}: checksum does not match: expected {expected:#010x}, found "
                          f"{found:#010x}; the file is corrupt")


def _read_strings(data, entry: BundleEntryProto, count: int, shape, where: str, verify: bool) -> np.ndarray:
    # Layout: a varint length per element, the masked crc32c of the lengths (each as a 4-byte
    # LE integer, or 8 bytes past 2**32-1), then the elements' bytes back to back.
    start, end = entry.offset, entry.offset + entry.size
    if count > entry.size:  # each length takes at least one byte: bounds the list below
        raise FormatError(f"{where}: {count} strings cannot fit in {entry.size} bytes")
    lengths = []
    pos = start
    try:
        for _ in range(count):
            n, pos = decode_varint(data, pos, end)
            lengths.append(n)
    except ValueError as e:
        raise FormatError(f"{where}: bad string length: {e}") from e
    if pos + 4 > end:
        raise FormatError(f"{where}: string lengths run past the tensor's {entry.size} bytes")
    fixed = b"".join(_U32.pack(n) if n <= 0xFFFFFFFF else struct.pack("<Q", n) for n in lengths)
    stored_len_crc = data[pos:pos + 4]
    pos += 4
    if pos + sum(lengths) > end:
        raise FormatError(f"{where}: the strings' {sum(lengths)} bytes run past the tensor's end")
    if verify:
        expected = unmask_crc(_U32.unpack(stored_len_crc)[0])
        found = crc32c(fixed)
        if expected != found:
            raise FormatError(f"{where}: the length checksum does not match: expected {expected:#010x}, "
                              f"found {found:#010x}")
    out = np.empty(count, dtype=object)
    crc = crc32c_extend(crc32c(fixed), bytes(stored_len_crc))
    for i, n in enumerate(lengths):
        item = bytes(data[pos:pos + n])
        pos += n
        if verify:
            crc = crc32c_extend(crc, item)
        out[i] = item
    if verify:
        _check_crc(entry.crc32c, crc, where)
    return out.reshape(shape)


def read_bundle(prefix: str, *, verify_checksums: bool = True) -> dict[str, np.ndarray]:
    """Every tensor of the checkpoint at `prefix`, as writable arrays."""
    with BundleReader(prefix, verify_checksums=verify_checksums) as reader:
        return {n: reader.get_tensor(n, copy=True) for n in reader.tensor_names()}


# --------------------------------------------------------------------------- writing


def _to_array(value) -> np.ndarray:
    """numpy array of a tensor value; strings become object arrays of bytes."""
    if isinstance(value, (bytes, str)):
        value = np.array(value, dtype=object)
    arr = np.asarray(value)
    if arr.dtype.kind in "SUO":
        flat = [_to_bytes(x) for x in arr.reshape(-1).tolist()]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(arr.shape)
    return arr


def _to_bytes(x) -> bytes:
    if isinstance(x, bytes):
        return x
    if isinstance(x, str):
        return x.encode("utf-8")
    if isinstance(x, (bytearray, memoryview, np.bytes_)):
        return bytes(x)
    raise TypeError(f"string tensors hold bytes or str; got {type(x).__name__}")


def _string_payload(arr: np.ndarray) -> tuple[list[bytes], int]:
    """The on-disk pieces of a string tensor and the CRC TensorFlow records for it."""
    items = arr.reshape(-1).tolist()
    lengths = [len(x) for x in items]
    varints = b"".join(encode_varint(n) for n in lengths)
    fixed = b"".join(_U32.pack(n) if n <= 0xFFFFFFFF else struct.pack("<Q", n) for n in lengths)
    len_crc = _U32.pack(mask_crc(crc32c(fixed)))
    crc = crc32c_extend(crc32c(fixed), len_crc)
    for item in items:
        crc = crc32c_extend(crc, item)
    return [varints, len_crc, *items], crc


def _entry_for(shape: tuple[int, ...], dtype_enum: int, shard_id: int, offset: int, size: int,
               crc: int) -> BundleEntryProto:
    entry = BundleEntryProto(dtype=dtype_enum, shard_id=shard_id, offset=offset, size=size,
                             crc32c=mask_crc(crc))
    entry.shape.SetInParent()  # always present, even for scalars, as TensorFlow writes it
    for d in shape:
        entry.shape.dim.add(size=d)
    return entry


class BundleWriter:
    """Writes a TensorBundle: `add()` tensors (data goes out at once, in that order), `finish()`.

    Data files are written under temporary names and renamed into place by `finish()`, before
    the index, which is renamed last. Call `abort()` (or leave a `with` block by an exception)
    to remove the temporaries instead.

    Args:
        prefix: the checkpoint prefix to write.
        num_shards: number of data files; tensors go to the least-filled one.
        fsync: flush each file to disk before renaming it (power-loss durability; a killed
            process is safe either way).
    """

    def __init__(self, prefix: str | os.PathLike, *, num_shards: int = 1, fsync: bool = False):
        if not 1 <= num_shards <= _MAX_SHARDS:
            raise ValueError(f"num_shards must be 1..{_MAX_SHARDS}; got {num_shards!r}")
        self.prefix = os.fspath(prefix)
        self.num_shards = num_shards
        self._fsync = fsync
        directory = os.path.dirname(self.prefix) or "."
        os.makedirs(directory, exist_ok=True)
        self._stack = contextlib.ExitStack()
        self._files = [self._stack.enter_context(atomic_writer(data_filename(self.prefix, i, num_shards),
                                                              fsync=fsync))
                       for i in range(num_shards)]
        self._sizes = [0] * num_shards
        self._entries: dict[bytes, BundleEntryProto] = {}
        self._done = False

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None and not self._done:
            self.finish()
        elif not self._done:
            self.abort()

    def add(self, name: str, value, *, shard: int | None = None) -> None:
        """Appends tensor `name` (numpy array, scalar, bytes/str or array of them).

        `shard` picks its data file; by default the least-filled one.
        """
        key = name.encode("utf-8")
        if not key or key[:1] == b"\x00":
            raise ValueError(f"tensor name {name!r} must be non-empty and must not start with NUL")
        if key in self._entries:
            raise ValueError(f"tensor {name!r} was already added")
        self._entries[key] = self._write_tensor(_to_array(value), shard)

    def add_slice(self, name: str, full_shape: Sequence[int], tensor_slice: str | Sequence[tuple[int, int]],
                  value, *, shard: int | None = None) -> None:
        """Appends one slice of partitioned tensor `name` (TensorFlow's `AddSlice`)."""
        if isinstance(tensor_slice, str):
            tensor_slice = parse_slice_spec(tensor_slice)
        tensor_slice = tuple((int(s), int(n)) for s, n in tensor_slice)
        full_shape = tuple(int(d) for d in full_shape)
        arr = _to_array(value)
        index = _resolve_slice(tensor_slice, full_shape)
        want = tuple(len(range(dim)[s]) for s, dim in zip(index, full_shape))
        if len(tensor_slice) != len(full_shape) or arr.shape != want:
            raise ValueError(f"slice {format_slice_spec(tensor_slice)} of {name!r} with full shape "
                             f"{list(full_shape)} needs a value of shape {list(want)}; got {list(arr.shape)}")
        if want == full_shape:  # a "slice" that is the whole tensor is stored plainly, as in TF
            self.add(name, arr, shard=shard)
            return
        key = name.encode("utf-8")
        full = self._entries.get(key)
        if full is None:
            full = BundleEntryProto(dtype=dtypes.as_dtype(arr.dtype).as_datatype_enum)
            full.shape.SetInParent()
            for d in full_shape:
                full.shape.dim.add(size=d)
            self._entries[key] = full
        elif not full.slices:
            raise ValueError(f"tensor {name!r} was already added whole")
        full.slices.append(_slice_to_proto(tensor_slice))
        self._entries[encode_slice_key(name, tensor_slice)] = self._write_tensor(arr, shard)

    def _write_tensor(self, arr: np.ndarray, shard: int | None) -> BundleEntryProto:
        if self._done:
            raise ValueError("BundleWriter.add after finish()")
        if shard is None:
            shard = self._sizes.index(min(self._sizes))
        elif not 0 <= shard < self.num_shards:
            raise ValueError(f"shard {shard!r} is out of range for {self.num_shards} data files")
        dtype = dtypes.as_dtype(arr.dtype)
        shape = arr.shape  # before ascontiguousarray, which turns a 0-d array into 1-d
        out = self._files[shard]
        if arr.dtype == object:
            pieces, crc = _string_payload(arr)
            for piece in pieces:
                out.write(piece)
            size = sum(len(p) for p in pieces)
        else:
            arr = np.ascontiguousarray(arr)
            if arr.dtype.byteorder == ">":
                arr = arr.astype(arr.dtype.newbyteorder("<"))
            raw = arr.reshape(-1).view(np.uint8)
            crc = crc32c(raw)
            out.write(raw.data)
            size = raw.size
        entry = _entry_for(shape, dtype.as_datatype_enum, shard, self._sizes[shard], size, crc)
        self._sizes[shard] += size
        return entry

    def finish(self) -> None:
        """Renames the data files into place, then writes the index (also by rename)."""
        header = BundleHeaderProto(num_shards=self.num_shards)
        header.version.producer = 1
        self._stack.close()  # each atomic_writer renames its data file into place
        self._done = True
        with atomic_writer(self.prefix + ".index", fsync=self._fsync) as f:
            builder = TableBuilder(f)
            builder.add(b"", header.SerializeToString())
            for key in sorted(self._entries):
                builder.add(key, self._entries[key].SerializeToString(deterministic=True))
            builder.finish()

    def abort(self) -> None:
        """Removes the temporary data files; nothing under a final name is touched."""
        self._done = True
        with contextlib.suppress(Exception):
            self._stack.__exit__(RuntimeError, RuntimeError("aborted"), None)


def write_bundle(prefix: str | os.PathLike, tensors: Mapping[str, object] | Iterable[tuple[str, object]],
                 *, num_shards: int = 1, fsync: bool = False) -> None:
    """Writes `tensors` (name -> value) as a checkpoint at `prefix`, as `tf.train.Saver` would.

    Tensors are written in name order, as Saver sorts them, so the files equal TensorFlow's.
    """
    items = tensors.items() if isinstance(tensors, Mapping) else tensors
    with BundleWriter(prefix, num_shards=num_shards, fsync=fsync) as writer:
        for name, value in sorted(items, key=lambda kv: kv[0]):
            writer.add(name, value)
