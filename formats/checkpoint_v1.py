"""Reads V1 ("tensor slice") checkpoints, and opens a checkpoint of either version by its prefix.

Before TensorBundle (V2, `PREFIX.index` + `PREFIX.data-*`), `tf.train.Saver` wrote one sorted
string table per shard: the file `PREFIX` itself (or `PREFIX-00000-of-00002`, ... when sharded).
Many pretrained TF 1.x checkpoints of 2016-2017 (TF-slim's Inception, ResNet and VGG releases)
are in this format. Each table holds:

- under the key "" a `SavedTensorSlices` whose `meta` lists every tensor of the shard: name,
  full shape, dtype and the slices saved of it;
- for each saved slice, under `encode_slice_key(name, slice)` (the same OrderedCode key that
  TensorBundle uses for partitioned variables), a `SavedTensorSlices` whose `data` holds the
  slice's values as a TensorProto with typed value fields.

`TensorSliceReader` offers the read side of `BundleReader` (tensor names, shapes, dtypes,
`get_tensor`), so the rest of ortflow (Saver.restore, freezing, `ortflow ckpt`, `inspect`)
does not care which version it reads; `open_checkpoint` picks the reader for a prefix.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np
from ortflow.errors import FormatError, NotFoundError
from ortflow.formats import dtypes
from ortflow.formats.bundle import BundleReader, encode_slice_key, format_slice_spec, parse_slice_spec
from ortflow.formats.checkpoint_management import v1_checkpoint_files
from ortflow.formats.table import TableReader

__all__ = ["TensorSliceReader", "is_v1_checkpoint", "open_checkpoint"]

def is_v1_checkpoint(prefix: str) -> bool:
    """Whether `prefix` names a V1 checkpoint (and no V2 one)."""
    prefix = os.fspath(prefix)
    return not os.path.isfile(prefix + ".index") and bool(v1_checkpoint_files(prefix))


def open_checkpoint(prefix: str, *, verify_checksums: bool = True):
    """A `BundleReader` (V2) or a `TensorSliceReader` (V1) for the checkpoint at `prefix`.

    Raises:
        NotFoundError: neither `PREFIX.index` nor a V1 table exists.
        FormatError: the files are malformed (the message names the file).
    """
    prefix = os.fspath(prefix)
    if is_v1_checkpoint(prefix):
        return TensorSliceReader(prefix, verify_checksums=verify_checksums)
    return BundleReader(prefix, verify_checksums=verify_checksums)


class _Tensor:
    """What the metadata says of one tensor: shape, dtype, and (table, slice) per saved slice."""

    __slots__ = ("dtype", "shape", "slices")

    def __init__(self, dtype: dtypes.DType, shape: tuple[int, ...]):
        self.dtype = dtype
        self.shape = shape
        self.slices: list[tuple[int, tuple[tuple[int, int], ...]]] = []


class TensorSliceReader:
    """Reads the tensors of one V1 checkpoint (all of its shards).

    Args:
        prefix: the checkpoint path (`model.ckpt`), a shard glob, or a prefix with shard files.
        verify_checksums: check every table block's crc32c (default).

    Raises:
        NotFoundError: no table file matches `prefix`.
        FormatError: a table is malformed, has no metadata entry, or its metadata disagrees
            with itself (slices outside the shape, a slice missing, sizes that do not add up).

    Example:
        >>> with TensorSliceReader("inception_v3.ckpt") as r:   # doctest: +SKIP
        ...     w = r.get_tensor("InceptionV3/Conv2d_1a_3x3/weights")
    """

    def __init__(self, prefix: str | os.PathLike, *, verify_checksums: bool = True):
        self.prefix = os.fspath(prefix)
        self.verify_checksums = verify_checksums
        self.files = v1_checkpoint_files(self.prefix)
        if not self.files:
            raise NotFoundError(None, None, f"Unsuccessful TensorSliceReader constructor: Failed to find "
                                            f"any matching files for {self.prefix}")
        self._tables = [TableReader(f, verify_checksums=verify_checksums) for f in self.files]
        self._tensors: dict[str, _Tensor] = {}
        for index, table in enumerate(self._tables):
            self._read_meta(index, table)

    # -- context and cleanup
    def close(self) -> None:
        """Drops the tables (their contents are in memory; nothing else is held)."""
        self._tables = []

    def __enter__(self) -> TensorSliceReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- metadata
    def _read_meta(self, index: int, table: TableReader) -> None:
        from google.protobuf.message import DecodeError
        from ortflow.proto.checkpoint_pb2 import SavedTensorSlices

        where = self.files[index]
        raw = table.get(b"")
        if raw is None:
            raise FormatError(f"{where}: not a V1 checkpoint (its table has no metadata entry under the "
                              "empty key)")
        try:
            meta = SavedTensorSlices.FromString(raw).meta
        except DecodeError as e:
            raise FormatError(f"{where}: the checkpoint metadata does not parse: {e}") from e
        for saved in meta.tensor:
            tensor = self._tensors.get(saved.name)
            if tensor is None:
                tensor = self._tensors[saved.name] = _Tensor(_dtype(saved.type, saved.name, where),
                                                           _shape(saved.shape, saved.name, where))
            for proto in saved.slice:
                tensor.slices.append((index, _check_slice(proto, tensor.shape, saved.name, where)))

    def tensor_names(self) -> list[str]:
        """Every tensor name, sorted."""
        return sorted(self._tensors)

    def has_tensor(self, name: str) -> bool:
        return name in self._tensors

    def _tensor(self, name: str) -> _Tensor:
        tensor = self._tensors.get(name)
        if tensor is None:
            raise NotFoundError(None, None, f"Key {name} not found in checkpoint {self.prefix}")
        return tensor

    def shape(self, name: str) -> tuple[int, ...]:
        return self._tensor(name).shape

    def dtype(self, name: str) -> dtypes.DType:
        return self._tensor(name).dtype

    def get_variable_to_shape_map(self) -> dict[str, list[int]]:
        return {n: list(t.shape) for n, t in self._tensors.items()}

    def get_variable_to_dtype_map(self) -> dict[str, dtypes.DType]:
        return {n: t.dtype for n, t in self._tensors.items()}

    def nbytes(self, name: str) -> int:
        tensor = self._tensor(name)
        return math.prod(tensor.shape) * (tensor.dtype.size if tensor.dtype != dtypes.string else 1)

    @property
    def num_shards(self) -> int:
        """How many table files the checkpoint has."""
        return len(self.files)

    def get_slice_keys(self) -> dict[str, list[str]]:
        """Partitioned tensors -> the slice specs (`"0,4:-"`) of their stored pieces."""
        out = {}
        for name, tensor in sorted(self._tensors.items()):
            specs = [format_slice_spec(s) for _, s in tensor.slices if any(n != -1 for _, n in s)]
            if specs:
                out[name] = specs
        return out

    # -- values
    def get_tensor_slice(self, name: str, tensor_slice: str | Sequence[tuple[int, int]]) -> np.ndarray:
        """The part `tensor_slice` (a spec such as `"0,4:-"` or (start, length) pairs) of `name`."""
        if isinstance(tensor_slice, str):
            tensor_slice = parse_slice_spec(tensor_slice)
        tensor = self._tensor(name)
        wanted = _resolved(tuple((int(a), int(b)) for a, b in tensor_slice), tensor.shape)
        for index, stored in tensor.slices:
            if _resolved(stored, tensor.shape) == wanted:
                return self._slice_values(index, name, tensor, stored)
        if len(wanted) != len(tensor.shape) or any(a < 0 or a + n > d for (a, n), d in zip(wanted, tensor.shape)):
            raise FormatError(f"{self.prefix}: slice {list(tensor_slice)} lies outside tensor {name!r} of "
                              f"shape {list(tensor.shape)}")
        return np.ascontiguousarray(self.get_tensor(name)[tuple(slice(a, a + n) for a, n in wanted)])

    def get_tensor(self, name: str, *, copy: bool = False) -> np.ndarray:
        """The full value of tensor `name`, assembled from its saved slices (always a new array;
        `copy` is accepted for `BundleReader`'s signature)."""
        tensor = self._tensor(name)
        where = self.files[tensor.slices[0][0]] if tensor.slices else self.prefix
        covered = sum(math.prod(length for _, length in _resolved(s, tensor.shape)) for _, s in tensor.slices)
        total = math.prod(tensor.shape)
        if covered != total:
            raise FormatError(f"{where}: tensor {name!r} of shape {list(tensor.shape)}: its saved slices "
                              f"hold {covered} of its {total} elements")
        # Every slice is read (and its value count checked against the file) before the full
        # array is allocated, so a forged shape cannot size an allocation.
        parts = [(tensor_slice, self._slice_values(index, name, tensor, tensor_slice))
                 for index, tensor_slice in tensor.slices]
        if len(parts) == 1:
            return parts[0][1]
        out = np.empty(tensor.shape, dtype=parts[0][1].dtype)
        for tensor_slice, values in parts:
            out[tuple(slice(start, start + length) for start, length in _resolved(tensor_slice, tensor.shape))] = values
        return out

    def _slice_values(self, index: int, name: str, tensor: _Tensor, tensor_slice) -> np.ndarray:
        from google.protobuf.message import DecodeError
        from ortflow.formats.tensors import make_ndarray
        from ortflow.proto.checkpoint_pb2 import SavedTensorSlices

        where = self.files[index]
        raw = self._tables[index].get(encode_slice_key(name, tensor_slice))
        if raw is None:
            raise FormatError(f"{where}: the data of tensor {name!r} (slice {list(tensor_slice)}) is missing")
        try:
            data = SavedTensorSlices.FromString(raw).data.data
        except DecodeError as e:
            raise FormatError(f"{where}: the data of tensor {name!r} does not parse: {e}") from e
        dims = [length for _, length in _resolved(tensor_slice, tensor.shape)]
        data.dtype = tensor.dtype.as_datatype_enum
        data.tensor_shape.Clear()
        for d in dims:
            data.tensor_shape.dim.add().size = d
        count = _value_count(data)
        if count != math.prod(dims):
            raise FormatError(f"{where}: tensor {name!r}: a slice of shape {dims} holds {count} values")
        return make_ndarray(data)


# --------------------------------------------------------------------------- checks


def _dtype(enum: int, name: str, where: str) -> dtypes.DType:
    try:
        dtype = dtypes.as_dtype(enum).base_dtype
        if dtype != dtypes.string:
            dtype.as_numpy_dtype  # noqa: B018  (raises for types without a numpy form)
    except (TypeError, ValueError, KeyError) as e:
        raise FormatError(f"{where}: tensor {name!r} has an unsupported dtype ({enum})") from e
    return dtype


def _shape(proto, name: str, where: str) -> tuple[int, ...]:
    dims = tuple(d.size for d in proto.dim)
    if proto.unknown_rank or any(d < 0 for d in dims):
        raise FormatError(f"{where}: tensor {name!r} has an invalid shape {list(dims)}")
    return dims


def _check_slice(proto, shape: tuple[int, ...], name: str, where: str):
    tensor_slice = tuple((e.start, e.length) if e.HasField("length") else (0, -1) for e in proto.extent)
    if len(tensor_slice) != len(shape):
        raise FormatError(f"{where}: tensor {name!r} of rank {len(shape)} has a slice of rank "
                          f"{len(tensor_slice)}")
    for (start, length), dim in zip(tensor_slice, shape):
        if length != -1 and (start < 0 or length < 0 or start + length > dim):
            raise FormatError(f"{where}: tensor {name!r}: slice {list(tensor_slice)} lies outside its "
                              f"shape {list(shape)}")
    return tensor_slice


def _resolved(tensor_slice, shape) -> list[tuple[int, int]]:
    return [(0, dim) if length == -1 else (start, length) for (start, length), dim in zip(tensor_slice, shape)]


_VALUE_FIELDS = ("float_val", "double_val", "int_val", "int64_val", "bool_val", "string_val", "half_val",
                 "uint32_val", "uint64_val")


def _value_count(proto) -> int:
    if proto.tensor_content:
        return len(proto.tensor_content) // max(dtypes.as_dtype(proto.dtype).size, 1)
    if proto.scomplex_val:
        return len(proto.scomplex_val) // 2
    if proto.dcomplex_val:
        return len(proto.dcomplex_val) // 2
    return max(len(getattr(proto, f)) for f in _VALUE_FIELDS)
