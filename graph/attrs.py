"""AttrValue <-> Python: what `Operation.get_attr` returns and what `Graph.create_op` accepts."""

from __future__ import annotations

from ortflow.formats import dtypes as _dtypes
from ortflow.graph.tensor_shape import TensorShape
from ortflow.proto import AttrValue, NameAttrList, TensorProto

__all__ = ["attr_value_to_python", "make_attr_value"]


def attr_value_to_python(value: AttrValue):
    """An AttrValue as TensorFlow's `Operation.get_attr` returns it.

    bytes for `s`, DType for `type`, TensorShape for `shape`, the TensorProto for `tensor`,
    the NameAttrList for `func`, and lists of those for `list`.
    """
    kind = value.WhichOneof("value")
    if kind == "list":
        lst = value.list
        for field in ("s", "i", "f", "b", "type", "shape", "tensor", "func"):
            items = getattr(lst, field)
            if items:
                return [_scalar_attr(field, item) for item in items]
        return []
    if kind is None:
        return None
    return _scalar_attr(kind, getattr(value, kind))


def _scalar_attr(field: str, item):
    if field == "type":
        return _dtypes.as_dtype(item)
    if field == "shape":
        return TensorShape(item)
    if field in ("i",):
        return int(item)
    if field == "f":
        return float(item)
    if field == "b":
        return bool(item)
    return item  # bytes for s, TensorProto, NameAttrList, the placeholder string


def make_attr_value(value) -> AttrValue:
    """Converts a Python value (bool, int, float, str/bytes, DType, shape, TensorProto, list)."""
    if isinstance(value, AttrValue):
        return value
    out = AttrValue()
    if isinstance(value, (list, tuple)):
        out.list.SetInParent()
        for item in value:
            _append_list_attr(out.list, item)
        return out
    _set_scalar_attr(out, value)
    return out


def _set_scalar_attr(out: AttrValue, value) -> None:
    if isinstance(value, bool):
        out.b = value
    elif isinstance(value, int):
        out.i = value
    elif isinstance(value, float):
        out.f = value
    elif isinstance(value, (str, bytes)):
        out.s = value.encode() if isinstance(value, str) else value
    elif isinstance(value, _dtypes.DType):
        out.type = value.as_datatype_enum
    elif isinstance(value, TensorShape):
        out.shape.CopyFrom(value.as_proto())
    elif isinstance(value, TensorProto):
        out.tensor.CopyFrom(value)
    elif isinstance(value, NameAttrList):
        out.func.CopyFrom(value)
    else:
        raise TypeError(f"Cannot turn {value!r} of type {type(value).__name__} into an AttrValue")


def _append_list_attr(lst, item) -> None:
    if isinstance(item, bool):
        lst.b.append(item)
    elif isinstance(item, int):
        lst.i.append(item)
    elif isinstance(item, float):
        lst.f.append(item)
    elif isinstance(item, (str, bytes)):
        lst.s.append(item.encode() if isinstance(item, str) else item)
    elif isinstance(item, _dtypes.DType):
        lst.type.append(item.as_datatype_enum)
    elif isinstance(item, TensorShape):
        lst.shape.add().CopyFrom(item.as_proto())
    elif isinstance(item, TensorProto):
        lst.tensor.add().CopyFrom(item)
    elif isinstance(item, NameAttrList):
        lst.func.add().CopyFrom(item)
    else:
        raise TypeError(f"Cannot put {item!r} of type {type(item).__name__} into a list AttrValue")
