"""Numpy kernels of the input-parsing ops: StringSplit(V2), ParseExample(V2), ParseSingleExample, DecodeCSV.

TF 1.x input and serving graphs parse `tf.train.Example` protos and CSV lines with these; they
have no ONNX form, so a Session runs them on its numpy interpreter. Examples are decoded with
ortflow's own `Example` message. Sparse results are (indices, values, dense_shape) triples as
TensorFlow's kernels lay them out.
"""

from __future__ import annotations

import numpy as np
from ortflow.errors import GraphError
from ortflow.formats import dtypes as _dtypes
from ortflow.graph.ops.kernels_extra import _as_bytes, _strings
from ortflow.graph.ops.registry import kernel, shape_fn
from ortflow.graph.ops.schema import get_attr

__all__: list[str] = []

_WHITESPACE = b" \t\n\v\f\r"


# --------------------------------------------------------------------------- string splitting


def _split_any_char(text: bytes, delimiters: bytes, skip_empty: bool) -> list[bytes]:
    # StringSplit: every byte of `delimiters` separates tokens; no delimiter = one token per byte.
    if not text:
        return []
    if not delimiters:
        return [text[i:i + 1] for i in range(len(text))]
    tokens, start = [], 0
    for i, byte in enumerate(text):
        if byte in delimiters:
            tokens.append(text[start:i])
            start = i + 1
    tokens.append(text[start:])
    return [t for t in tokens if t] if skip_empty else tokens


def _split_whitespace(text: bytes, maxsplit: int) -> list[bytes]:
    # StringSplitV2 with an empty sep: runs of ASCII whitespace separate tokens, leading and
    # trailing runs are dropped; after `maxsplit` tokens the rest (whitespace skipped) is one more
    # token, even when empty, as TF's kernel emits it.
    tokens, i, n = [], 0, len(text)
    while i < n and text[i] in _WHITESPACE:
        i += 1
    while i < n:
        j = i
        while j < n and text[j] not in _WHITESPACE:
            j += 1
        tokens.append(text[i:j])
        i = j
        while i < n and text[i] in _WHITESPACE:
            i += 1
        if 0 <= maxsplit == len(tokens):
            tokens.append(text[i:])
            break
    return tokens


def _sparse_from_rows(rows: list[list[bytes]]) -> list[np.ndarray]:
    indices = [(r, c) for r, tokens in enumerate(rows) for c in range(len(tokens))]
    values = np.empty(len(indices), dtype=object)
    values[:] = [t for tokens in rows for t in tokens]
    width = max((len(t) for t in rows), default=0)
    return [np.asarray(indices, dtype=np.int64).reshape(-1, 2), values,
            np.asarray([len(rows), width], dtype=np.int64)]


def _vector(x, what: str) -> np.ndarray:
    arr = _strings(x)
    if arr.ndim != 1:
        raise GraphError(f"{what} must be a vector, got a tensor of shape {list(arr.shape)}")
    return arr


def _scalar_bytes(x, what: str) -> bytes:
    arr = _strings(x)
    if arr.ndim != 0:
        raise GraphError(f"{what} must be a scalar, got a tensor of shape {list(arr.shape)}")
    return arr[()]


@kernel("StringSplit")
def _string_split(node_def, inputs):
    source = _vector(inputs[0], "input")
    delimiter = _scalar_bytes(inputs[1], "delimiter")
    skip_empty = get_attr(node_def, "skip_empty")
    return _sparse_from_rows([_split_any_char(s, delimiter, skip_empty) for s in source])


@kernel("StringSplitV2")
def _string_split_v2(node_def, inputs):
    source = _vector(inputs[0], "input")
    sep = _scalar_bytes(inputs[1], "sep")
    maxsplit = get_attr(node_def, "maxsplit")
    if sep:
        rows = [s.split(sep, maxsplit) for s in source]
    else:
        rows = [_split_whitespace(s, maxsplit) for s in source]
    return _sparse_from_rows(rows)


@shape_fn("StringSplit", "StringSplitV2")
def _string_split_shape(node_def, shapes, values):
    return [(None, 2), (None,), (2,)]


# --------------------------------------------------------------------------- tf.train.Example


def _feature_values(feature, dtype: _dtypes.DType, key: str, example: int) -> np.ndarray:
    kind = feature.WhichOneof("kind")
    expected = {_dtypes.float32: "float_list", _dtypes.int64: "int64_list", _dtypes.string: "bytes_list"}
    if dtype not in expected:
        raise GraphError(f"Key: {key}: feature type {dtype.name} is not one of float, int64, string")
    if kind is None:
        return np.zeros(0, dtype=object if dtype == _dtypes.string else dtype.as_numpy_dtype)
    if kind != expected[dtype]:
        found = {"float_list": "float", "int64_list": "int64", "bytes_list": "string"}[kind]
        raise GraphError(f"Name: <unknown>, Key: {key}, Index: {example}.  Data types don't match. "
                         f"Data type: {found} but expected type: {dtype.name}")
    values = getattr(feature, kind).value
    if dtype == _dtypes.string:
        out = np.empty(len(values), dtype=object)
        out[:] = list(values)
        return out
    return np.asarray(values, dtype=dtype.as_numpy_dtype)


def _parse_examples(serialized: np.ndarray) -> list:
    from ortflow.proto import Example

    examples = []
    for i, blob in enumerate(serialized.reshape(-1)):
        try:
            examples.append(Example.FromString(_as_bytes(blob)))
        except Exception as e:  # protobuf's DecodeError: a corrupt record
            raise GraphError(f"Could not parse example input, value {i}: the bytes are not a "
                             f"serialized tf.train.Example ({e})") from e
    return examples


def _sparse_feature(examples, key: str, dtype, scalar: bool) -> list[np.ndarray]:
    per = [_feature_values(ex.features.feature[key], dtype, key, i) if key in ex.features.feature
           else _feature_values_missing(dtype) for i, ex in enumerate(examples)]
    width = max((len(v) for v in per), default=0)
    if scalar:
        indices = np.arange(len(per[0]), dtype=np.int64).reshape(-1, 1)
        return [indices, per[0], np.asarray([width], dtype=np.int64)]
    indices = np.asarray([(b, j) for b, v in enumerate(per) for j in range(len(v))],
                         dtype=np.int64).reshape(-1, 2)
    values = np.concatenate(per) if per else _feature_values_missing(dtype)
    return [indices, values, np.asarray([len(per), width], dtype=np.int64)]


def _feature_values_missing(dtype) -> np.ndarray:
    return np.zeros(0, dtype=object if dtype == _dtypes.string else dtype.as_numpy_dtype)


def _dense_feature(examples, key: str, dtype, shape: list[int], default: np.ndarray,
                   scalar: bool) -> np.ndarray:
    variable = bool(shape) and shape[0] < 0  # FixedLenSequenceFeature: [-1, ...] padded per batch
    row = shape[1:] if variable else shape
    row_size = int(np.prod(row, dtype=np.int64))
    rows = []
    for i, ex in enumerate(examples):
        if key in ex.features.feature:
            v = _feature_values(ex.features.feature[key], dtype, key, i)
        elif variable:
            v = _feature_values_missing(dtype)
        elif default.size == 0:
            raise GraphError(f"Name: <unknown>, Feature: {key} (data type: {dtype.name}) is required but "
                             "could not be found.")
        else:
            v = default.reshape(-1)
        if variable:
            if row_size == 0 or len(v) % row_size:
                raise GraphError(f"Name: <unknown>, Key: {key}, Index: {i}.  Number of values is not a "
                                 f"multiple of the feature's row size {row_size}: {len(v)}")
        elif len(v) != row_size:
            raise GraphError(f"Name: <unknown>, Key: {key}, Index: {i}.  Number of float values != "
                             f"expected.  Values size: {len(v)} but output shape: {list(shape)}"
                             if dtype == _dtypes.float32 else
                             f"Name: <unknown>, Key: {key}, Index: {i}.  Number of {dtype.name} values "
                             f"!= expected.  Values size: {len(v)} but output shape: {list(shape)}")
        rows.append(v)
    np_type = object if dtype == _dtypes.string else dtype.as_numpy_dtype
    if variable:
        count = max((len(v) // row_size for v in rows), default=0)
        pad = default.reshape(()) if default.size == 1 else np.zeros((), dtype=np_type)
        out = np.full((len(rows), count * row_size), pad, dtype=np_type)
        for b, v in enumerate(rows):
            out[b, :len(v)] = v
        out = out.reshape([len(rows), count, *row])
    else:
        out = np.asarray(rows, dtype=np_type).reshape([len(rows), *row])
    return out[0] if scalar else out


def _parse(node_def, serialized, sparse_keys, dense_keys, defaults, sparse_types, dense_types,
           dense_shapes) -> list[np.ndarray]:
    serialized = _strings(serialized)
    if serialized.ndim > 1:
        raise GraphError(f"serialized must be a scalar or a vector, got shape {list(serialized.shape)}")
    scalar = serialized.ndim == 0
    examples = _parse_examples(serialized)
    sparse = [_sparse_feature(examples, k, t, scalar) for k, t in zip(sparse_keys, sparse_types)]
    dense = [_dense_feature(examples, k, t, s, np.asarray(d), scalar)
             for k, t, s, d in zip(dense_keys, dense_types, dense_shapes, defaults)]
    return [s[0] for s in sparse] + [s[1] for s in sparse] + [s[2] for s in sparse] + dense


def _keys(x) -> list[str]:
    return [k.decode("utf-8", "surrogateescape") for k in _strings(x).reshape(-1)]


def _shape_list(shape) -> list[int]:
    return [] if shape is None else [-1 if d is None else int(d) for d in shape]


@kernel("ParseExampleV2")
def _parse_example_v2(node_def, inputs):
    serialized, _names, sparse_keys, dense_keys, ragged_keys = inputs[:5]
    if np.asarray(ragged_keys).size:
        raise GraphError("ragged features (tf.io.RaggedFeature) are not supported by ortflow's "
                         "ParseExampleV2 kernel")
    defaults = inputs[5:]
    return _parse(node_def, serialized, _keys(sparse_keys), _keys(dense_keys), defaults,
                  get_attr(node_def, "sparse_types"), get_attr(node_def, "Tdense"),
                  [_shape_list(s) for s in get_attr(node_def, "dense_shapes")])


@kernel("ParseExample")
def _parse_example(node_def, inputs):
    n_sparse, n_dense = get_attr(node_def, "Nsparse"), get_attr(node_def, "Ndense")
    serialized = inputs[0]
    sparse_keys = [_scalar_bytes(k, "sparse_keys").decode() for k in inputs[2:2 + n_sparse]]
    dense_keys = [_scalar_bytes(k, "dense_keys").decode() for k in inputs[2 + n_sparse:2 + n_sparse + n_dense]]
    defaults = inputs[2 + n_sparse + n_dense:]
    return _parse(node_def, serialized, sparse_keys, dense_keys, defaults,
                  get_attr(node_def, "sparse_types"), get_attr(node_def, "Tdense"),
                  [_shape_list(s) for s in get_attr(node_def, "dense_shapes")])


@kernel("ParseSingleExample")
def _parse_single_example(node_def, inputs):
    serialized = _strings(inputs[0])
    if serialized.ndim != 0:
        raise GraphError(f"serialized must be a scalar, got shape {list(serialized.shape)}")
    return _parse(node_def, serialized, [_as_str(k) for k in get_attr(node_def, "sparse_keys")],
                  [_as_str(k) for k in get_attr(node_def, "dense_keys")], inputs[1:],
                  get_attr(node_def, "sparse_types"), get_attr(node_def, "Tdense"),
                  [_shape_list(s) for s in get_attr(node_def, "dense_shapes")])


def _as_str(k) -> str:
    return k.decode("utf-8", "surrogateescape") if isinstance(k, bytes) else str(k)


def _batch_dims(node_def, serialized_shape) -> tuple:
    if node_def.op == "ParseSingleExample":
        return ()
    if serialized_shape is None:
        return None
    return tuple(serialized_shape)


@shape_fn("ParseExampleV2", "ParseExample", "ParseSingleExample")
def _parse_example_shape(node_def, shapes, values):
    batch = _batch_dims(node_def, shapes[0])
    n_sparse = get_attr(node_def, "num_sparse" if node_def.op != "ParseExample" else "Nsparse")
    rank = None if batch is None else len(batch) + 1
    sparse = [(None, rank)] * n_sparse + [(None,)] * n_sparse + [(rank,)] * n_sparse
    dense = []
    for shape in get_attr(node_def, "dense_shapes"):
        dims = _shape_list(shape)
        dims = [None if d < 0 else d for d in dims]
        dense.append(None if batch is None else batch + tuple(dims))
    extra = [None] * (len(get_attr(node_def, "ragged_value_types")) * 2) if node_def.op == "ParseExampleV2" else []
    return sparse + dense + extra


# --------------------------------------------------------------------------- CSV


def _csv_fields(record: bytes, delim: bytes, quoted: bool, row: int) -> list[tuple[bytes, bool]]:
    """The fields of one CSV record, each with whether it was quoted."""
    fields, i, n = [], 0, len(record)
    while True:
        if quoted and i < n and record[i:i + 1] == b'"':
            value, i = bytearray(), i + 1
            while True:
                if i >= n:
                    raise GraphError(f"Quoted field has to end with quote followed by delim or end, "
                                     f"in record {row}")
                if record[i:i + 1] == b'"':
                    if record[i + 1:i + 2] == b'"':
                        value += b'"'
                        i += 2
                        continue
                    i += 1
                    break
                value += record[i:i + 1]
                i += 1
            if i < n and record[i:i + 1] != delim:
                raise GraphError(f"Quote inside a string has to be escaped by another quote, in "
                                 f"record {row}")
            fields.append((bytes(value), True))
        else:
            end = record.find(delim, i)
            end = n if end < 0 else end
            fields.append((record[i:end], False))
            i = end
        if i >= n:
            return fields
        i += 1  # past the delimiter
        if i == n:
            fields.append((b"", False))
            return fields


def _csv_value(text: bytes, dtype: _dtypes.DType, col: int, row: int):
    if dtype == _dtypes.string:
        return text
    stripped = text.strip(_WHITESPACE).decode("ascii", "replace")
    try:
        if "_" in stripped:  # Python's int() and float() take digit separators; TF does not
            raise ValueError(stripped)
        if dtype.is_integer:
            value = int(stripped, 10)
            info = np.iinfo(dtype.as_numpy_dtype)
            if not info.min <= value <= info.max:
                raise ValueError(stripped)
            return value
        return float(stripped)
    except ValueError as e:
        kind = {"float32": "float", "float64": "double"}.get(dtype.name, dtype.name)  # TF's words
        raise GraphError(f"Field {col} in record {row} is not a valid {kind}: "
                         f"{text.decode('utf-8', 'replace')}") from e


@kernel("DecodeCSV")
def _decode_csv(node_def, inputs):
    records = _strings(inputs[0])
    defaults = [np.asarray(d) for d in inputs[1:]]
    types = get_attr(node_def, "OUT_TYPE")
    delim = _as_bytes(get_attr(node_def, "field_delim"))
    if len(delim) != 1:
        raise GraphError(f"field_delim should be only 1 char, got {delim!r}")
    quoted = get_attr(node_def, "use_quote_delim")
    na_value = _as_bytes(get_attr(node_def, "na_value"))
    select = list(get_attr(node_def, "select_cols") or [])
    for i, d in enumerate(defaults):
        if d.size > 1:
            raise GraphError(f"Shape of a default must be a length-0 or length-1 vector, or a scalar; "
                             f"record_defaults[{i}] has {d.size} values")
    outs = [np.empty(records.shape, dtype=object if t == _dtypes.string else t.as_numpy_dtype)
            for t in types]
    for row, (pos, record) in enumerate(np.ndenumerate(records)):
        fields = _csv_fields(record, delim, quoted, row)
        if select:
            if select[-1] >= len(fields):
                raise GraphError(f"Expect at least {select[-1] + 1} fields but have {len(fields)} in "
                                 f"record {row}")
            fields = [fields[c] for c in select]
        elif len(fields) != len(types):
            raise GraphError(f"Expect {len(types)} fields but have {len(fields)} in record {row}")
        for col, ((text, _quoted), dtype) in enumerate(zip(fields, types)):
            if not text or text == na_value:  # an empty field, quoted or not, takes the default
                if defaults[col].size == 0:
                    raise GraphError(f"Field {col} is required but missing in record {row}!")
                outs[col][pos] = defaults[col].reshape(-1)[0]
            else:
                outs[col][pos] = _csv_value(text, dtype, col, row)
    return outs


@shape_fn("DecodeCSV")
def _decode_csv_shape(node_def, shapes, values):
    return [shapes[0]] * len(get_attr(node_def, "OUT_TYPE"))
