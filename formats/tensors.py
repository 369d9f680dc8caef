"""TensorProto <-> numpy, as TensorFlow's `tensor_util` does it, plus TensorShapeProto helpers."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import numpy as np
from ortflow.errors import FormatError
from ortflow.formats import dtypes
from ortflow.proto import TensorProto, TensorShapeProto, types_pb2

__all__ = ["make_ndarray", "make_tensor_proto", "num_elements", "shape_from_proto", "shape_to_proto"]

_DT = types_pb2.DataType

#: A splat (one value repeated to fill a shape) may not expand past this many bytes: the
#: count comes from the file, so it is checked before numpy allocates anything.
MAX_EXPANDED_BYTES = 1 << 32

# Dtypes TF 2.x writes as raw `tensor_content` when there is more than one element.
_CONTENT_TYPES = frozenset({
    _DT.DT_FLOAT, _DT.DT_DOUBLE, _DT.DT_INT32, _DT.DT_UINT8, _DT.DT_INT16, _DT.DT_INT8,
    _DT.DT_INT64, _DT.DT_QINT8, _DT.DT_QUINT8, _DT.DT_QINT32, _DT.DT_BFLOAT16, _DT.DT_QINT16,
    _DT.DT_QUINT16, _DT.DT_HALF, _DT.DT_UINT32, _DT.DT_UINT64, _DT.DT_FLOAT8_E5M2,
    _DT.DT_FLOAT8_E4M3FN, _DT.DT_FLOAT8_E4M3FNUZ, _DT.DT_FLOAT8_E4M3B11FNUZ, _DT.DT_FLOAT8_E5M2FNUZ,
})
_INT_VAL_TYPES = frozenset({
    _DT.DT_INT32, _DT.DT_UINT8, _DT.DT_UINT16, _DT.DT_INT16, _DT.DT_INT8, _DT.DT_QINT32,
    _DT.DT_QUINT8, _DT.DT_QINT8, _DT.DT_QINT16, _DT.DT_QUINT16, _DT.DT_INT4, _DT.DT_UINT4,
})
_FLOAT8_TYPES = frozenset({
    _DT.DT_FLOAT8_E5M2, _DT.DT_FLOAT8_E4M3FN, _DT.DT_FLOAT8_E4M3FNUZ, _DT.DT_FLOAT8_E4M3B11FNUZ,
    _DT.DT_FLOAT8_E5M2FNUZ,
})
# Plain one-field-per-element typed fields: enum -> field name.
_SIMPLE_FIELDS = {
    _DT.DT_FLOAT: "float_val", _DT.DT_DOUBLE: "double_val", _DT.DT_INT64: "int64_val",
    _DT.DT_BOOL: "bool_val", _DT.DT_UINT32: "uint32_val", _DT.DT_UINT64: "uint64_val",
    **{e: "int_val" for e in _INT_VAL_TYPES},
}
_TWO_GIB = 1 << 31


# --------------------------------------------------------------------------- shapes

def shape_to_proto(shape) -> TensorShapeProto:
    """Builds a TensorShapeProto from a list of dims (None or -1 = unknown), None or a proto.

    `None` means unknown rank. Objects with `as_proto()` (a TensorShape) are accepted too.
    """
    if isinstance(shape, TensorShapeProto):
        return shape
    if hasattr(shape, "as_proto"):
        return shape.as_proto()
    proto = TensorShapeProto()
    if shape is None:
        proto.unknown_rank = True
        return proto
    if hasattr(shape, "as_list") and not isinstance(shape, np.ndarray):
        shape = shape.as_list()
    for dim in shape:
        value = getattr(dim, "value", dim)  # TF1 Dimension objects
        proto.dim.add().size = -1 if value is None else int(value)
    return proto


def shape_from_proto(proto: TensorShapeProto) -> list[int | None] | None:
    """Returns the dims of a TensorShapeProto, None for unknown dims; None for unknown rank."""
    if proto.unknown_rank:
        return None
    return [None if d.size < 0 else int(d.size) for d in proto.dim]


def num_elements(shape: Sequence[int]) -> int:
    """Product of fully known dims (Python ints, so no overflow)."""
    n = 1
    for d in shape:
        n *= int(d)
    return n


# --------------------------------------------------------------------------- numpy -> proto

def _check_python_values(values, dtype: dtypes.DType) -> None:
    """Rejects Python values that TF's make_tensor_proto refuses for `dtype` (e.g. 1.5 as int32)."""
    if dtype.is_quantized:
        return
    if dtype == dtypes.string:
        ok: type | tuple = (bytes, str, np.bytes_, np.str_)
    elif dtype.is_bool:
        ok = (bool, np.bool_)
    elif dtype.is_integer:
        ok = (numbers.Integral,)
    elif dtype.is_floating:
        ok = (numbers.Real,)
    elif dtype.is_complex:
        ok = (numbers.Number,)
    else:
        return
    for v in _flatten(values):
        if isinstance(v, np.ndarray) or hasattr(v, "__array__"):
            continue  # numpy arrays nested in a list are converted by numpy itself
        if not isinstance(v, ok):
            raise TypeError(f"Expected {dtype.name}, but got {v!r} of type {type(v).__name__!r}.")


def _flatten(values) -> Iterable:
    if isinstance(values, (list, tuple)):
        for v in values:
            yield from _flatten(v)
    else:
        yield values


def _dense_dims(values) -> list[int]:
    dims = []
    while isinstance(values, (list, tuple)):
        dims.append(len(values))
        if not values:
            break
        values = values[0]
    if isinstance(values, np.ndarray):
        dims.extend(values.shape)
    return dims


def _to_numpy(values, dtype: dtypes.DType | None, shape) -> np.ndarray:
    """Converts `values` to an array the way TF does (float64 -> float32, int64 -> int32 if exact)."""
    if isinstance(values, (np.ndarray, np.generic)):
        if dtype is not None and dtype.base_dtype._enum in dtypes.NUMPY_BY_ENUM:
            return np.asarray(values).astype(dtype.as_numpy_dtype)
        return np.asarray(values)
    if values is None:
        raise ValueError("None values not supported.")
    np_dt = None
    if dtype is not None and dtype.base_dtype._enum in dtypes.NUMPY_BY_ENUM:
        np_dt = dtype.as_numpy_dtype
    if shape is not None and num_elements(shape) == 0:
        return np.empty(shape, dtype=np_dt)
    if dtype is not None:
        _check_python_values(values, dtype)
    try:
        array = np.array(values, dtype=np_dt)
    except ValueError as e:
        raise ValueError(f"Argument must be a dense tensor: {values!r}: {e}") from e
    if list(array.shape) != _dense_dims(values) and not (dtype is not None and dtype.is_quantized):
        raise ValueError(f"Argument must be a dense tensor: {values!r} - got shape "
                         f"{list(array.shape)}, but wanted {_dense_dims(values)}.")
    if dtype is None:
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        elif array.dtype == np.int64:
            narrow = array.astype(np.int32)
            if np.array_equal(narrow, array):
                array = narrow
    return array


def _resolve_shape(array: np.ndarray, shape, verify_shape: bool, allow_broadcast: bool):
    """Returns (shape, same_size) after TF's checks of a requested shape against the values."""
    if shape is None:
        return list(array.shape), True
    shape = [int(d) for d in shape]
    size = num_elements(shape)
    if allow_broadcast:
        if array.shape not in ((1,), ()) and array.size != size:
            raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, but got {array.shape}.")
    else:
        if verify_shape and array.shape != tuple(shape):
            raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, but got {array.shape}.")
        if array.size > size:
            raise ValueError(f"Too many elements provided. Takes at most {size}, but got {array.size}.")
    return shape, size == array.size


def _fill_typed_field(proto: TensorProto, enum: int, flat: np.ndarray) -> None:
    """Writes the elements of `flat` into the typed `*_val` field that `enum` uses."""
    if enum in (_DT.DT_HALF, _DT.DT_BFLOAT16):
        proto.half_val.extend(flat.view(np.uint16).tolist())
    elif enum in _FLOAT8_TYPES:
        proto.float8_val = flat.tobytes()
    elif enum == _DT.DT_COMPLEX64:
        proto.scomplex_val.extend(flat.astype(np.complex64).view(np.float32).tolist())
    elif enum == _DT.DT_COMPLEX128:
        proto.dcomplex_val.extend(flat.astype(np.complex128).view(np.float64).tolist())
    elif enum == _DT.DT_STRING:
        proto.string_val.extend(_as_bytes(v) for v in flat.tolist())
    elif enum in (_DT.DT_INT4, _DT.DT_UINT4):
        proto.int_val.extend(flat.astype(np.int32).tolist())
    elif enum in _SIMPLE_FIELDS:
        getattr(proto, _SIMPLE_FIELDS[enum]).extend(flat.tolist())
    else:
        raise TypeError(f"make_tensor_proto cannot hold values of type {dtypes.as_dtype(enum).name}")


def _as_bytes(value) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    raise TypeError(f"Expected a string or bytes element, got {value!r} of type {type(value).__name__!r}.")


def make_tensor_proto(values, dtype=None, shape=None, verify_shape: bool = False,
                      allow_broadcast: bool = False) -> TensorProto:
    """Creates a TensorProto from a Python value or numpy array, as `tf.make_tensor_proto`.

    Multi-element numeric tensors go into `tensor_content` (TF 2.x style, also for float16 and
    bfloat16); scalars, splats (fewer values than the shape holds), bool, complex and string
    values go into the typed `*_val` fields.

    Args:
        values: a scalar, nested list, numpy array, or a TensorProto (returned unchanged).
        dtype: anything `ortflow.as_dtype` takes; inferred from the values when None.
        shape: the tensor's shape; when larger than the values, the last value is repeated.
        verify_shape: require the values' shape to equal `shape`.
        allow_broadcast: allow a scalar or one-element value to fill `shape`.

    Returns:
        The TensorProto.

    Raises:
        TypeError: the values do not fit `dtype`, or the shapes disagree under `verify_shape`.
        ValueError: more values than `shape` holds, ragged lists, or None.
    """
    if isinstance(values, TensorProto):
        return values
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    array = _to_numpy(values, dtype, shape)
    value_dtype = dtypes.as_dtype(array.dtype)
    if dtype is not None and dtype.is_quantized:
        value_dtype = dtype
    if dtype is not None and dtype.base_dtype != value_dtype.base_dtype:
        raise TypeError(f"`dtype` {dtype.name} is not compatible with {values!r} of dtype {array.dtype}.")
    shape, same_size = _resolve_shape(array, shape, verify_shape, allow_broadcast)

    enum = value_dtype.base_dtype.as_datatype_enum
    proto = TensorProto(dtype=enum, tensor_shape=shape_to_proto(shape))
    if same_size and enum in _CONTENT_TYPES and num_elements(shape) > 1:
        if array.nbytes >= _TWO_GIB:
            raise ValueError("Cannot create a tensor proto whose content is larger than 2GB.")
        proto.tensor_content = np.ascontiguousarray(array).tobytes()
        return proto
    if enum == _DT.DT_STRING and not isinstance(values, np.ndarray):
        # Straight from the Python values, so numpy cannot trim trailing NULs from bytes.
        proto.string_val.extend(_as_bytes(v) for v in _flatten(values))
        return proto
    _fill_typed_field(proto, enum, array.ravel())
    return proto


# --------------------------------------------------------------------------- proto -> numpy

def _proto_shape(tensor: TensorProto) -> list[int]:
    if tensor.tensor_shape.unknown_rank:
        raise FormatError("TensorProto has an unknown-rank shape; a constant needs a full shape")
    shape = [d.size for d in tensor.tensor_shape.dim]
    if any(d < 0 for d in shape):
        raise FormatError(f"TensorProto has a negative dimension in shape {shape}")
    return shape


def _typed_values(tensor: TensorProto, enum: int, np_dtype: np.dtype) -> np.ndarray:
    """Reads the typed `*_val` field of `tensor` (without padding) as a flat array."""
    if enum in (_DT.DT_HALF, _DT.DT_BFLOAT16):
        return np.array(tensor.half_val, dtype=np.int64).astype(np.uint16).view(np_dtype)
    if enum in _FLOAT8_TYPES:
        return np.frombuffer(tensor.float8_val, dtype=np.uint8).view(np_dtype)
    if enum == _DT.DT_COMPLEX64:
        pairs = np.array(tensor.scomplex_val, dtype=np.float32)
        return pairs[: pairs.size // 2 * 2].view(np.complex64)
    if enum == _DT.DT_COMPLEX128:
        pairs = np.array(tensor.dcomplex_val, dtype=np.float64)
        return pairs[: pairs.size // 2 * 2].view(np.complex128)
    if enum == _DT.DT_STRING:
        return np.array(list(tensor.string_val) or [], dtype=object)
    field = _SIMPLE_FIELDS.get(enum)
    if field is None:
        raise TypeError(f"Unsupported tensor type: {dtypes.as_dtype(enum).name}; it has no numpy form")
    values = getattr(tensor, field)
    if enum in _INT_VAL_TYPES:
        return np.array(values, dtype=np.int64).astype(np_dtype)
    return np.array(values, dtype=np_dtype)


def make_ndarray(tensor: TensorProto) -> np.ndarray:
    """Returns the value of a TensorProto as a numpy array, as `tf.make_ndarray`.

    `tensor_content` wins when present; otherwise the typed field is read, and a short list
    repeats its last value to fill the shape (an empty one gives zeros). Strings come back as
    an object array of bytes, bfloat16 as `ml_dtypes.bfloat16`.

    Raises:
        TypeError: the dtype has no numpy form (resource, variant).
        FormatError: `tensor_content` does not match the shape, or the shape is not complete.
    """
    enum = tensor.dtype
    dtype = dtypes.as_dtype(enum)
    if enum not in dtypes.NUMPY_BY_ENUM:
        raise TypeError(f"Unsupported tensor type: {dtype.name}; it has no numpy form")
    np_dtype = dtypes.NUMPY_BY_ENUM[enum]
    shape = _proto_shape(tensor)
    count = num_elements(shape)

    if tensor.tensor_content and enum != _DT.DT_STRING:
        content = tensor.tensor_content
        if len(content) != count * np_dtype.itemsize:
            raise FormatError(f"TensorProto of {dtype.name} {shape}: tensor_content has "
                              f"{len(content)} bytes, expected {count * np_dtype.itemsize}")
        return np.frombuffer(content, dtype=np_dtype).copy().reshape(shape)

    values = _typed_values(tensor, enum, np_dtype)
    if count * max(np_dtype.itemsize, 8 if np_dtype.kind == "O" else 1) > MAX_EXPANDED_BYTES:
        raise FormatError(f"TensorProto of {dtype.name} {shape} would expand to {count} elements; "
                          f"refusing more than {MAX_EXPANDED_BYTES} bytes")
    if values.size == 0:
        if enum == _DT.DT_STRING:
            return np.full(shape, b"", dtype=object)
        return np.zeros(shape, dtype=np_dtype)
    if values.size < count:
        values = np.concatenate([values, np.full(count - values.size, values[-1], dtype=values.dtype)])
    elif values.size > count:
        values = values[:count]  # extra values are ignored, as TensorFlow's C++ reader does
    return values.reshape(shape)
