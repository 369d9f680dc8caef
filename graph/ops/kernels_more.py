"""Numpy kernels for ops scripts use at inference: table file reading, image, signal, special math."""

from __future__ import annotations

import numpy as np
from ortflow.graph.ops.registry import kernel

__all__ = ["READ_TEXT_TABLE_OP", "read_text_table"]

READ_TEXT_TABLE_OP = "_OrtflowReadTextTable"

_LINE_NUMBER, _WHOLE_LINE = -2, -1


def read_text_table(filename, key_index: int, value_index: int, vocab_size: int = -1,
                    delimiter: str = "\t", offset: int = 0, key_dtype=np.object_,
                    value_dtype=np.int64) -> tuple[np.ndarray, np.ndarray]:
    """The (keys, values) a `TextFileInitializer` puts in its table, read from `filename`.

    Column index -2 is the line number (plus `offset`), -1 the whole line, n >= 0 the n-th
    field split at `delimiter`. With `vocab_size` > 0 only that many lines are read, and the
    file must have at least that many.

    Raises:
        NotFoundError: if the file cannot be read.
        InvalidArgumentError: for a line with too few fields or a field that does not parse.
    """
    from ortflow.errors import InvalidArgumentError, NotFoundError

    path = filename.decode() if isinstance(filename, bytes) else str(filename)
    try:
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
    except OSError as e:
        raise NotFoundError(None, None, f"{path}: cannot read the table's text file: {e.strerror or e}") from e
    if lines and lines[-1] == b"":
        lines.pop()
    lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
    if vocab_size > 0:
        if len(lines) < vocab_size:
            raise InvalidArgumentError(None, None, f"{path}: the table's vocab_size is {vocab_size} "
                                       f"but the file has only {len(lines)} lines.")
        lines = lines[:vocab_size]
    sep = delimiter.encode() if isinstance(delimiter, str) else delimiter
    keys = [_column(path, n, line, key_index, sep, offset) for n, line in enumerate(lines)]
    values = [_column(path, n, line, value_index, sep, offset) for n, line in enumerate(lines)]
    return _typed(path, keys, key_dtype), _typed(path, values, value_dtype)


def _column(path: str, n: int, line: bytes, index: int, sep: bytes, offset: int):
    from ortflow.errors import InvalidArgumentError

    if index == _LINE_NUMBER:
        return n + offset
    if index == _WHOLE_LINE:
        return line
    fields = line.split(sep)
    if index >= len(fields):
        raise InvalidArgumentError(None, None, f"{path}: line {n + 1} has {len(fields)} fields, "
                                   f"so it has no column {index} for the table.")
    return fields[index]


def _typed(path: str, items: list, dtype) -> np.ndarray:
    from ortflow.errors import InvalidArgumentError

    dtype = np.dtype(dtype)
    if dtype.kind in "OSU":
        return np.array([i if isinstance(i, bytes) else str(i).encode() for i in items] or [],
                        dtype=object)
    try:
        return np.array([int(i) if dtype.kind in "iu" else float(i) for i in items], dtype=dtype)
    except ValueError as e:
        raise InvalidArgumentError(None, None, f"{path}: a table field does not parse as "
                                   f"{dtype.name}: {e}") from e


@kernel(READ_TEXT_TABLE_OP)
def _read_text_table(node_def, inputs):
    # Not a TensorFlow op: runtime/tables.py rewrites InitializeTableFromTextFileV2 into it.
    from ortflow.formats.dtypes import as_dtype

    attr = node_def.attr
    key_dtype = as_dtype(attr["Tkeys"].type).as_numpy_dtype
    value_dtype = as_dtype(attr["Tvalues"].type).as_numpy_dtype
    filename = np.asarray(inputs[0]).reshape(()).item()
    keys, values = read_text_table(filename, attr["key_index"].i, attr["value_index"].i,
                                   attr["vocab_size"].i, attr["delimiter"].s, attr["offset"].i,
                                   key_dtype, value_dtype)
    return [keys, values]


# -- StringToHashBucketFast: FarmHash's Fingerprint64 (farmhashna::Hash64) modulo the buckets ----

_MASK = (1 << 64) - 1
_K0, _K1, _K2 = 0xC3A5C85C97CB3127, 0xB492B66FBE98F273, 0x9AE16A3B2F90404F


def _fetch64(s: bytes, i: int) -> int:
    return int.from_bytes(s[i:i + 8], "little")


def _fetch32(s: bytes, i: int) -> int:
    return int.from_bytes(s[i:i + 4], "little")


def _rot(v: int, shift: int) -> int:
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & _MASK


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def _len16(u: int, v: int, mul: int) -> int:
    a = ((u ^ v) * mul) & _MASK
    a ^= a >> 47
    b = ((v ^ a) * mul) & _MASK
    b ^= b >> 47
    return (b * mul) & _MASK


def _len0to16(s: bytes) -> int:
    n = len(s)
    if n >= 8:
        mul = _K2 + n * 2
        a = (_fetch64(s, 0) + _K2) & _MASK
        b = _fetch64(s, n - 8)
        c = (_rot(b, 37) * mul + a) & _MASK
        d = ((_rot(a, 25) + b) * mul) & _MASK
        return _len16(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        return _len16(n + (_fetch32(s, 0) << 3), _fetch32(s, n - 4), mul)
    if n > 0:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        return (_shift_mix((y * _K2 ^ z * _K0) & _MASK) * _K2) & _MASK
    return _K2


def _len17to32(s: bytes) -> int:
    n = len(s)
    mul = _K2 + n * 2
    a = (_fetch64(s, 0) * _K1) & _MASK
    b = _fetch64(s, 8)
    c = (_fetch64(s, n - 8) * mul) & _MASK
    d = (_fetch64(s, n - 16) * _K2) & _MASK
    return _len16((_rot((a + b) & _MASK, 43) + _rot(c, 30) + d) & _MASK,
                  (a + _rot((b + _K2) & _MASK, 18) + c) & _MASK, mul)


def _len33to64(s: bytes) -> int:
    n = len(s)
    mul = _K2 + n * 2
    a = (_fetch64(s, 0) * _K2) & _MASK
    b = _fetch64(s, 8)
    c = (_fetch64(s, n - 8) * mul) & _MASK
    d = (_fetch64(s, n - 16) * _K2) & _MASK
    y = (_rot((a + b) & _MASK, 43) + _rot(c, 30) + d) & _MASK
    z = _len16(y, (a + _rot((b + _K2) & _MASK, 18) + c) & _MASK, mul)
    e = (_fetch64(s, 16) * mul) & _MASK
    f = _fetch64(s, 24)
    g = ((y + _fetch64(s, n - 32)) * mul) & _MASK
    h = ((z + _fetch64(s, n - 24)) * mul) & _MASK
    return _len16((_rot((e + f) & _MASK, 43) + _rot(g, 30) + h) & _MASK,
                  (e + _rot((f + a) & _MASK, 18) + g) & _MASK, mul)


def _weak32(s: bytes, i: int, a: int, b: int) -> tuple[int, int]:
    w, x, y, z = (_fetch64(s, i + k) for k in (0, 8, 16, 24))
    a = (a + w) & _MASK
    b = _rot((b + a + z) & _MASK, 21)
    c = a
    a = (a + x + y) & _MASK
    b = (b + _rot(a, 44)) & _MASK
    return (a + z) & _MASK, (b + c) & _MASK


def _round64(s: bytes, i: int, x, y, z, v, w, mul: int, last: bool):
    # One 64-byte step of the long-string loop; the last one mixes with `mul` and factors of 9.
    x = (_rot((x + y + v[0] + _fetch64(s, i + 8)) & _MASK, 37) * mul) & _MASK
    y = (_rot((y + v[1] + _fetch64(s, i + 48)) & _MASK, 42) * mul) & _MASK
    x ^= (w[1] * 9) & _MASK if last else w[1]
    y = (y + (v[0] * 9 if last else v[0]) + _fetch64(s, i + 40)) & _MASK
    z = (_rot((z + w[0]) & _MASK, 33) * mul) & _MASK
    v = _weak32(s, i, (v[1] * mul) & _MASK, (x + w[0]) & _MASK)
    w = _weak32(s, i + 32, (z + w[1]) & _MASK, (y + _fetch64(s, i + 16)) & _MASK)
    return z, y, x, v, w  # x and z swap places


def fingerprint64(s: bytes) -> int:
    """FarmHash's Fingerprint64 of `s` (TensorFlow's `Fingerprint64`, as an unsigned int)."""
    n = len(s)
    if n <= 16:
        return _len0to16(s)
    if n <= 32:
        return _len17to32(s)
    if n <= 64:
        return _len33to64(s)
    seed = 81
    y = (seed * _K1 + 113) & _MASK
    z = (_shift_mix((y * _K2 + 113) & _MASK) * _K2) & _MASK
    v, w = (0, 0), (0, 0)
    x = (seed * _K2 + _fetch64(s, 0)) & _MASK
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    for i in range(0, end, 64):
        x, y, z, v, w = _round64(s, i, x, y, z, v, w, _K1, False)
    mul = _K1 + ((z & 0xFF) << 1)
    w0 = (w[0] + ((n - 1) & 63)) & _MASK
    v0 = (v[0] + w0) & _MASK
    w = ((w0 + v0) & _MASK, w[1])
    v = (v0, v[1])
    x, y, z, v, w = _round64(s, last64, x, y, z, v, w, mul, True)
    return _len16((_len16(v[0], w[0], mul) + _shift_mix(y) * _K0 + z) & _MASK,
                  (_len16(v[1], w[1], mul) + x) & _MASK, mul)


def _as_bytes(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


@kernel("StringToHashBucketFast")
def _string_to_hash_bucket_fast(node_def, inputs):
    buckets = node_def.attr["num_buckets"].i
    x = np.asarray(inputs[0], dtype=object)
    flat = [fingerprint64(_as_bytes(v)) % buckets for v in x.reshape(-1)]
    return [np.array(flat, np.int64).reshape(x.shape)]


@kernel("RestoreV2")
def _restore_v2(node_def, inputs):
    # Reads the named tensors (or slices) from a TensorBundle checkpoint, as TensorFlow's
    # RestoreV2 does; used by init_from_checkpoint's initializers and imported restore graphs.
    from ortflow.formats.bundle import BundleReader

    prefix = _as_bytes(np.asarray(inputs[0], dtype=object).reshape(()).item()).decode()
    names = [_as_bytes(n).decode() for n in np.asarray(inputs[1], dtype=object).reshape(-1)]
    specs = [_as_bytes(s).decode() for s in np.asarray(inputs[2], dtype=object).reshape(-1)]
    with BundleReader(prefix) as reader:
        return [reader.get_tensor_slice(n, s.split()[-1]) if s else reader.get_tensor(n, copy=True)
                for n, s in zip(names, specs)]
