"""TensorFlow data types: the DataType enum <-> numpy table and the `tf.DType` class."""

from __future__ import annotations

import ml_dtypes
import numpy as np
from ortflow.proto import types_pb2

__all__ = [
    "DType",
    "as_dtype",
    "REF_OFFSET",
    "NUMPY_BY_ENUM",
    "bfloat16", "bool", "complex64", "complex128", "double", "float16", "float32", "float64",
    "half", "int8", "int16", "int32", "int64", "qint8", "qint16", "qint32", "quint8", "quint16",
    "resource", "string", "uint8", "uint16", "uint32", "uint64", "variant",
    "float8_e5m2", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e4m3b11fnuz", "float8_e5m2fnuz",
    "int4", "uint4",
]

REF_OFFSET = 100
_pybool = bool  # the module defines `bool` as TensorFlow's DType below
_DT = types_pb2.DataType

# enum -> (TF python name, numpy dtype or None when numpy has no equivalent)
_TABLE: dict[int, tuple[str, np.dtype | None]] = {
    _DT.DT_FLOAT: ("float32", np.dtype(np.float32)),
    _DT.DT_DOUBLE: ("float64", np.dtype(np.float64)),
    _DT.DT_INT32: ("int32", np.dtype(np.int32)),
    _DT.DT_UINT8: ("uint8", np.dtype(np.uint8)),
    _DT.DT_INT16: ("int16", np.dtype(np.int16)),
    _DT.DT_INT8: ("int8", np.dtype(np.int8)),
    _DT.DT_STRING: ("string", np.dtype(object)),
    _DT.DT_COMPLEX64: ("complex64", np.dtype(np.complex64)),
    _DT.DT_INT64: ("int64", np.dtype(np.int64)),
    _DT.DT_BOOL: ("bool", np.dtype(np.bool_)),
    # Quantized types hold plain integers; TF's numpy form is a structured dtype, ours is the
    # underlying integer, which is what their bytes are.
    _DT.DT_QINT8: ("qint8", np.dtype(np.int8)),
    _DT.DT_QUINT8: ("quint8", np.dtype(np.uint8)),
    _DT.DT_QINT32: ("qint32", np.dtype(np.int32)),
    _DT.DT_BFLOAT16: ("bfloat16", np.dtype(ml_dtypes.bfloat16)),
    _DT.DT_QINT16: ("qint16", np.dtype(np.int16)),
    _DT.DT_QUINT16: ("quint16", np.dtype(np.uint16)),
    _DT.DT_UINT16: ("uint16", np.dtype(np.uint16)),
    _DT.DT_COMPLEX128: ("complex128", np.dtype(np.complex128)),
    _DT.DT_HALF: ("float16", np.dtype(np.float16)),
    _DT.DT_RESOURCE: ("resource", None),
    _DT.DT_VARIANT: ("variant", None),
    _DT.DT_UINT32: ("uint32", np.dtype(np.uint32)),
    _DT.DT_UINT64: ("uint64", np.dtype(np.uint64)),
    _DT.DT_FLOAT8_E5M2: ("float8_e5m2", np.dtype(ml_dtypes.float8_e5m2)),
    _DT.DT_FLOAT8_E4M3FN: ("float8_e4m3fn", np.dtype(ml_dtypes.float8_e4m3fn)),
    _DT.DT_FLOAT8_E4M3FNUZ: ("float8_e4m3fnuz", np.dtype(ml_dtypes.float8_e4m3fnuz)),
    _DT.DT_FLOAT8_E4M3B11FNUZ: ("float8_e4m3b11fnuz", np.dtype(ml_dtypes.float8_e4m3b11fnuz)),
    _DT.DT_FLOAT8_E5M2FNUZ: ("float8_e5m2fnuz", np.dtype(ml_dtypes.float8_e5m2fnuz)),
    _DT.DT_INT4: ("int4", np.dtype(ml_dtypes.int4)),
    _DT.DT_UINT4: ("uint4", np.dtype(ml_dtypes.uint4)),
}

#: numpy dtype of each base DataType enum value that has one.
NUMPY_BY_ENUM: dict[int, np.dtype] = {e: d for e, (_, d) in _TABLE.items() if d is not None}

_FLOATING = {_DT.DT_FLOAT, _DT.DT_DOUBLE, _DT.DT_HALF, _DT.DT_BFLOAT16, _DT.DT_FLOAT8_E5M2,
             _DT.DT_FLOAT8_E4M3FN, _DT.DT_FLOAT8_E4M3FNUZ, _DT.DT_FLOAT8_E4M3B11FNUZ,
             _DT.DT_FLOAT8_E5M2FNUZ}
_QUANTIZED = {_DT.DT_QINT8, _DT.DT_QUINT8, _DT.DT_QINT32, _DT.DT_QINT16, _DT.DT_QUINT16}
_COMPLEX = {_DT.DT_COMPLEX64, _DT.DT_COMPLEX128}


class DType:
    """A TensorFlow data type, as `tf.DType`: `ortflow.float32`, `ortflow.int64_ref`, ...

    Instances are interned: one object per enum value, so `is` and `==` agree.
    """

    __slots__ = ("_enum",)
    _interned: dict[int, DType] = {}

    def __new__(cls, type_enum: int) -> DType:
        type_enum = int(type_enum)
        obj = cls._interned.get(type_enum)
        if obj is None:
            base = type_enum - REF_OFFSET if type_enum > REF_OFFSET else type_enum
            if base not in _TABLE:
                raise TypeError(f"{type_enum!r} is not a valid TensorFlow DataType enum value")
            obj = super().__new__(cls)
            obj._enum = type_enum
            cls._interned[type_enum] = obj
        return obj

    def __reduce__(self):
        return (DType, (self._enum,))

    @property
    def as_datatype_enum(self) -> int:
        return self._enum

    @property
    def _is_ref_dtype(self) -> bool:
        return self._enum > REF_OFFSET

    @property
    def base_dtype(self) -> DType:
        return DType(self._enum - REF_OFFSET) if self._is_ref_dtype else self

    @property
    def _as_ref(self) -> DType:
        return self if self._is_ref_dtype else DType(self._enum + REF_OFFSET)

    @property
    def real_dtype(self) -> DType:
        return {_DT.DT_COMPLEX64: float32, _DT.DT_COMPLEX128: float64}.get(self.base_dtype._enum, self)

    @property
    def name(self) -> str:
        base = _TABLE[self.base_dtype._enum][0]
        return base + "_ref" if self._is_ref_dtype else base

    @property
    def as_numpy_dtype(self) -> type:
        np_dtype = _TABLE[self.base_dtype._enum][1]
        if np_dtype is None:
            raise TypeError(f"{self.name} has no numpy equivalent")
        return np_dtype.type

    @property
    def is_floating(self) -> bool:
        return self.base_dtype._enum in _FLOATING

    @property
    def is_complex(self) -> bool:
        return self.base_dtype._enum in _COMPLEX

    @property
    def is_quantized(self) -> bool:
        return self.base_dtype._enum in _QUANTIZED

    @property
    def is_bool(self) -> bool:
        return self.base_dtype._enum == _DT.DT_BOOL

    @property
    def is_integer(self) -> bool:
        np_dtype = _TABLE[self.base_dtype._enum][1]
        return (np_dtype is not None and np_dtype.kind in "iu" and not self.is_quantized
                and not self.is_bool)

    @property
    def is_unsigned(self) -> bool:
        np_dtype = _TABLE[self.base_dtype._enum][1]
        return np_dtype is not None and np_dtype.kind == "u"

    @property
    def is_numeric(self) -> bool:
        return self.is_floating or self.is_integer or self.is_complex or self.is_quantized

    @property
    def size(self) -> int:
        np_dtype = _TABLE[self.base_dtype._enum][1]
        if np_dtype is None or np_dtype.kind == "O":
            return 1
        return np_dtype.itemsize

    @property
    def min(self):
        return self._limits().min

    @property
    def max(self):
        return self._limits().max

    def _limits(self):
        np_dtype = _TABLE[self.base_dtype._enum][1]
        if np_dtype is None or self.is_complex or self.is_bool or np_dtype.kind == "O":
            raise TypeError(f"cannot find the min/max of {self.name}")
        if np_dtype.kind == "f" or self.is_floating:
            return ml_dtypes.finfo(np_dtype)
        return ml_dtypes.iinfo(np_dtype)

    def is_compatible_with(self, other) -> bool:
        other = as_dtype(other)
        return self._enum == other._enum or self._enum == other.base_dtype._enum

    def __eq__(self, other) -> bool:
        if isinstance(other, DType):
            return self._enum == other._enum
        try:
            return self._enum == as_dtype(other)._enum
        except TypeError:
            return False

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return self._enum

    def __int__(self) -> int:
        return self._enum

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __str__(self) -> str:
        return f"<dtype: {self.name!r}>"


_BY_NAME: dict[str, DType] = {}
for _enum, (_name, _) in _TABLE.items():
    _BY_NAME[_name] = DType(_enum)
    _BY_NAME[_name + "_ref"] = DType(_enum + REF_OFFSET)
_BY_NAME.update({"float": _BY_NAME["float32"], "double": _BY_NAME["float64"], "half": _BY_NAME["float16"]})

_BY_NUMPY: dict[np.dtype, DType] = {}
for _enum, (_, _np) in _TABLE.items():
    # Quantized types share numpy dtypes with plain ints; the plain int wins.
    if _np is not None and _enum not in _QUANTIZED:
        _BY_NUMPY.setdefault(_np, DType(_enum))


def as_dtype(type_value) -> DType:
    """Converts a DType, enum value, name ('float32', 'DT_FLOAT'), numpy dtype or Python type.

    Raises:
        TypeError: when `type_value` names no TensorFlow type.
    """
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, (int, np.integer)) and not isinstance(type_value, _pybool):
        return DType(int(type_value))
    if isinstance(type_value, str):
        dt = _BY_NAME.get(type_value)
        if dt is None and type_value.startswith("DT_") and type_value in _DT.keys():
            dt = DType(_DT.Value(type_value))
        if dt is None:
            raise TypeError(f"Cannot convert {type_value!r} to a TensorFlow DType")
        return dt
    if type_value in (bytes, str) or type_value is np.bytes_ or type_value is np.str_:
        return _BY_NAME["string"]
    if type_value is float:
        return _BY_NAME["float32"]
    if type_value is int:
        return _BY_NAME["int32"]
    if type_value is complex:
        return _BY_NAME["complex128"]
    if type_value is _pybool or type_value is np.bool_:
        return _BY_NAME["bool"]
    try:
        np_dtype = np.dtype(type_value)
    except TypeError as e:
        raise TypeError(f"Cannot convert {type_value!r} to a TensorFlow DType") from e
    if np_dtype.kind in "SUO":
        return _BY_NAME["string"]
    dt = _BY_NUMPY.get(np_dtype)
    if dt is None:
        raise TypeError(f"numpy dtype {np_dtype} has no TensorFlow equivalent")
    return dt


float16 = half = _BY_NAME["float16"]
float32 = _BY_NAME["float32"]
float64 = double = _BY_NAME["float64"]
bfloat16 = _BY_NAME["bfloat16"]
complex64 = _BY_NAME["complex64"]
complex128 = _BY_NAME["complex128"]
int8 = _BY_NAME["int8"]
int16 = _BY_NAME["int16"]
int32 = _BY_NAME["int32"]
int64 = _BY_NAME["int64"]
uint8 = _BY_NAME["uint8"]
uint16 = _BY_NAME["uint16"]
uint32 = _BY_NAME["uint32"]
uint64 = _BY_NAME["uint64"]
qint8 = _BY_NAME["qint8"]
qint16 = _BY_NAME["qint16"]
qint32 = _BY_NAME["qint32"]
quint8 = _BY_NAME["quint8"]
quint16 = _BY_NAME["quint16"]
string = _BY_NAME["string"]
resource = _BY_NAME["resource"]
variant = _BY_NAME["variant"]
float8_e5m2 = _BY_NAME["float8_e5m2"]
float8_e4m3fn = _BY_NAME["float8_e4m3fn"]
float8_e4m3fnuz = _BY_NAME["float8_e4m3fnuz"]
float8_e4m3b11fnuz = _BY_NAME["float8_e4m3b11fnuz"]
float8_e5m2fnuz = _BY_NAME["float8_e5m2fnuz"]
int4 = _BY_NAME["int4"]
uint4 = _BY_NAME["uint4"]
bool = _BY_NAME["bool"]
