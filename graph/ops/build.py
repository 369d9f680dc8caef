"""Building NodeDefs from Python values through the OpDef schema (attr types and defaults)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from ortflow.errors import GraphError
from ortflow.formats.dtypes import DType, as_dtype
from ortflow.graph.ops.schema import fill_defaults, get_op_def
from ortflow.proto import AttrValue, NameAttrList, NodeDef, TensorProto, TensorShapeProto

__all__ = ["make_attr_value", "make_node_def"]


def _shape_proto(value) -> TensorShapeProto:
    from ortflow.formats.tensors import shape_to_proto

    return shape_to_proto(value)


def _tensor_proto(value) -> TensorProto:
    if isinstance(value, TensorProto):
        return value
    from ortflow.formats.tensors import make_tensor_proto

    return make_tensor_proto(value)


def _func(value) -> NameAttrList:
    return value if isinstance(value, NameAttrList) else NameAttrList(name=str(value))


def _as_bytes(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _guess_type(value) -> str:
    # The OpDef attr type for a Python value when no OpDef says (unknown ops, private attrs).
    if isinstance(value, AttrValue):
        return "attr"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, np.integer)):
        return "int"
    if isinstance(value, (float, np.floating)):
        return "float"
    if isinstance(value, (str, bytes)):
        return "string"
    if isinstance(value, DType):
        return "type"
    if isinstance(value, (np.ndarray, TensorProto)):
        return "tensor"
    if isinstance(value, TensorShapeProto) or value is None:
        return "shape"
    if isinstance(value, (list, tuple)):
        inner = _guess_type(value[0]) if len(value) else "int"
        return f"list({inner})"
    raise GraphError(f"cannot tell which AttrValue field holds {value!r}")


_SCALAR_SETTERS = {
    "string": lambda av, v: setattr(av, "s", _as_bytes(v)),
    "int": lambda av, v: setattr(av, "i", int(v)),
    "float": lambda av, v: setattr(av, "f", float(v)),
    "bool": lambda av, v: setattr(av, "b", bool(v)),
    "type": lambda av, v: setattr(av, "type", as_dtype(v).as_datatype_enum),
    "shape": lambda av, v: av.shape.CopyFrom(_shape_proto(v)),
    "tensor": lambda av, v: av.tensor.CopyFrom(_tensor_proto(v)),
    "func": lambda av, v: av.func.CopyFrom(_func(v)),
}

_LIST_ADDERS = {
    "string": lambda lv, vs: lv.s.extend(_as_bytes(v) for v in vs),
    "int": lambda lv, vs: lv.i.extend(int(v) for v in vs),
    "float": lambda lv, vs: lv.f.extend(float(v) for v in vs),
    "bool": lambda lv, vs: lv.b.extend(bool(v) for v in vs),
    "type": lambda lv, vs: lv.type.extend(as_dtype(v).as_datatype_enum for v in vs),
    "shape": lambda lv, vs: lv.shape.extend(_shape_proto(v) for v in vs),
    "tensor": lambda lv, vs: lv.tensor.extend(_tensor_proto(v) for v in vs),
    "func": lambda lv, vs: lv.func.extend(_func(v) for v in vs),
}


def make_attr_value(value: Any, attr_type: str | None = None) -> AttrValue:
    """Encodes a Python value as an AttrValue of OpDef attr type `attr_type`.

    `attr_type` is an OpDef type string ("int", "list(type)", "shape", "tensor"...); without
    it the type is guessed from the value. Strings become bytes; DTypes, dtype names and numpy
    dtypes become type enums; shapes are tuples/lists with None for unknown dims (None for an
    unknown rank); tensors are numpy arrays or Python values.

    Raises:
        GraphError: if the value does not fit the attr type.
    """
    if isinstance(value, AttrValue):
        return value
    attr_type = attr_type or _guess_type(value)
    av = AttrValue()
    try:
        if attr_type.startswith("list("):
            inner = attr_type[5:-1]
            av.list.SetInParent()
            _LIST_ADDERS[inner](av.list, list(value))
        else:
            _SCALAR_SETTERS[attr_type](av, value)
    except (KeyError, TypeError, ValueError) as e:
        raise GraphError(f"cannot encode {value!r} as an attr of type {attr_type!r}: {e}") from e
    return av


def make_node_def(op_type: str, name: str, inputs: Iterable[str] = (), device: str = "",
                  **attrs: Any) -> NodeDef:
    """Builds a NodeDef, encoding `attrs` by the op's OpDef attr types and filling defaults.

    Example: `make_node_def("MatMul", "mm", ["a", "b"], T=float32, transpose_b=True)`.

    Raises:
        GraphError: if an attr value does not fit its declared type.
    """
    node = NodeDef(name=name, op=op_type, input=list(inputs), device=device)
    op_def = get_op_def(op_type)
    types = {a.name: a.type for a in op_def.attr} if op_def is not None else {}
    for key, value in attrs.items():
        node.attr[key].CopyFrom(make_attr_value(value, types.get(key)))
    fill_defaults(node)
    return node
