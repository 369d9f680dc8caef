"""TensorFlow's OpDefs as data: arity, output dtypes, attr defaults and attr decoding per node.

The OpDefs come from ``op_defs.pb`` beside this module (written by ``tools/gen_op_defs.py`` from
TensorFlow's own registry) and are parsed on the first lookup, never at import time.
"""

from __future__ import annotations

import pathlib
import threading
from typing import Any, NamedTuple

import numpy as np
from google.protobuf.message import DecodeError
from ortflow.errors import GraphError
from ortflow.formats.dtypes import DType
from ortflow.proto import AttrValue, OpDef, OpList

__all__ = [
    "Shape",
    "as_numpy_dtype",
    "decode_attr",
    "fill_defaults",
    "fixed_num_outputs",
    "get_attr",
    "get_op_def",
    "input_arg_layout",
    "input_dtypes",
    "is_known",
    "is_stateful",
    "num_inputs",
    "num_outputs",
    "op_types",
    "output_dtypes",
    "register_op_def",
    "shape_from_proto",
    "signature_output_dtypes",
]

#: A static shape: None for unknown rank, else a tuple whose unknown dims are None.
Shape = tuple[int | None, ...] | None

_OP_DEFS_PATH = pathlib.Path(__file__).resolve().parent / "op_defs.pb"
_lock = threading.Lock()
_op_defs: dict[str, OpDef] | None = None
_MISSING = object()


class _ArgSpec(NamedTuple):
    """One input or output arg of an OpDef, reduced to what arity and dtype resolution need."""

    name: str
    type: int          # fixed DataType enum, 0 when set by an attr
    type_attr: str
    number_attr: str
    type_list_attr: str
    is_ref: bool


class _OpInfo(NamedTuple):
    """The per-op-type facts looked up for every node, precomputed once per op type."""

    op_def: OpDef
    inputs: tuple[_ArgSpec, ...]
    outputs: tuple[_ArgSpec, ...]
    defaults: dict[str, AttrValue]
    fixed_num_outputs: int | None   # set when no output arg is a list


_info_cache: dict[str, _OpInfo] = {}


def _load() -> dict[str, OpDef]:
    global _op_defs
    with _lock:
        if _op_defs is None:
            try:
                data = _OP_DEFS_PATH.read_bytes()
                op_list = OpList.FromString(data)
            except (OSError, DecodeError) as e:  # a broken install, not bad user input
                raise GraphError(f"{_OP_DEFS_PATH}: cannot read ortflow's op registry ({e}); "
                                 "regenerate it with tools/gen_op_defs.py") from e
            _op_defs = {op.name: op for op in op_list.op}
    return _op_defs


def op_types() -> list[str]:
    """Returns every op type name in the registry, sorted."""
    return sorted(_op_defs if _op_defs is not None else _load())


def get_op_def(op_type: str) -> OpDef | None:
    """Returns TensorFlow's OpDef for `op_type` (an `ortflow.proto.OpDef`), or None if unknown.

    The returned message is shared: do not modify it.
    """
    defs = _op_defs if _op_defs is not None else _load()
    found = defs.get(op_type)
    return found if found is not None else _own_op_defs.get(op_type)


#: OpDefs of ortflow's own op types (which its graph rewrites emit; see `register_op_def`).
_own_op_defs: dict[str, OpDef] = {}


def register_op_def(op_def: OpDef) -> None:
    """Makes an op type of ortflow's own known, with its signature (`op_def`).

    For the few ops ortflow's rewrites put into graphs that TensorFlow has no op for (such as
    the text-file reader of lookup tables). Registering does not load TensorFlow's registry.

    Raises:
        ValueError: if the op type is registered already.
    """
    if op_def.name in _own_op_defs:
        raise ValueError(f"op type {op_def.name!r} is registered twice")
    _own_op_defs[op_def.name] = op_def


def is_known(op_type: str) -> bool:
    """True when `op_type` is an op TensorFlow registers (and so ortflow knows its signature)."""
    return get_op_def(op_type) is not None


def is_stateful(op_type: str) -> bool:
    """True when TensorFlow marks `op_type` stateful (variables, random ops, queues, I/O...).

    Unknown op types count as stateful: nothing may fold or deduplicate what nobody understands.
    """
    op_def = get_op_def(op_type)
    return True if op_def is None else op_def.is_stateful


def _arg_spec(arg) -> _ArgSpec:
    return _ArgSpec(arg.name, arg.type, arg.type_attr, arg.number_attr, arg.type_list_attr,
                    arg.is_ref)


def _op_info(node_def, what: str) -> _OpInfo:
    op_type = node_def.op
    info = _info_cache.get(op_type)
    if info is not None:
        return info
    op_def = get_op_def(op_type)
    if op_def is None:
        raise GraphError(f"op type {op_type!r} of node {node_def.name!r} is not in ortflow's op "
                         f"registry; its {what} unknown")
    info = _compile(op_def)
    _info_cache[op_type] = info
    return info


def _compile(op_def: OpDef) -> _OpInfo:
    outputs = tuple(_arg_spec(a) for a in op_def.output_arg)
    fixed = None
    if not any(a.number_attr or a.type_list_attr for a in outputs):
        fixed = len(outputs)
    return _OpInfo(op_def, tuple(_arg_spec(a) for a in op_def.input_arg), outputs,
                   {a.name: a.default_value for a in op_def.attr if a.HasField("default_value")},
                   fixed)


def _attr_value(node_def, info: _OpInfo, name: str) -> AttrValue:
    attrs = node_def.attr
    if name in attrs:
        return attrs[name]
    default = info.defaults.get(name)
    if default is None:
        raise GraphError(f"node {node_def.name!r} (op {node_def.op!r}) lacks attr {name!r}, which "
                         "its OpDef requires and gives no default for")
    return default


def _arg_count(node_def, info: _OpInfo, arg: _ArgSpec) -> int:
    if arg.number_attr:
        return int(_attr_value(node_def, info, arg.number_attr).i)
    if arg.type_list_attr:
        return len(_attr_value(node_def, info, arg.type_list_attr).list.type)
    return 1


def fixed_num_outputs(op_type: str) -> int | None:
    """How many outputs every node of `op_type` has; None when that depends on attrs or the
    op type is unknown. (Read from the OpDef once per op type: `Graph.create_op` asks per op.)
    """
    info = _info_cache.get(op_type)
    if info is None:
        op_def = get_op_def(op_type)
        if op_def is None:
            return None
        info = _info_cache[op_type] = _compile(op_def)
    return info.fixed_num_outputs


def num_outputs(node_def) -> int:
    """Returns how many output tensors `node_def` has, resolving list args (N, T lists).

    Raises:
        GraphError: if the op type is unknown or an attr that sizes a list is missing.
    """
    info = _op_info(node_def, "number of outputs is")
    if info.fixed_num_outputs is not None:
        return info.fixed_num_outputs
    return sum(_arg_count(node_def, info, a) for a in info.outputs)


def num_inputs(node_def) -> int:
    """Returns how many data inputs (not control inputs) `node_def`'s OpDef expects."""
    return sum(count for _, count in input_arg_layout(node_def))


def input_arg_layout(node_def) -> list[tuple[str, int]]:
    """Returns (arg name, number of tensors) for each input arg of `node_def`'s OpDef.

    Raises:
        GraphError: if the op type is unknown or an attr that sizes a list is missing.
    """
    info = _op_info(node_def, "inputs are")
    return [(a.name, _arg_count(node_def, info, a)) for a in info.inputs]


def _arg_dtypes(node_def, info: _OpInfo, arg: _ArgSpec) -> list[DType]:
    if arg.type_list_attr:
        types = [DType(t) for t in _attr_value(node_def, info, arg.type_list_attr).list.type]
    else:
        if arg.type:
            dtype = DType(arg.type)
        else:
            enum = _attr_value(node_def, info, arg.type_attr).type
            if not enum:
                raise GraphError(f"node {node_def.name!r} (op {node_def.op!r}): attr "
                                 f"{arg.type_attr!r} holds no type")
            dtype = DType(enum)
        types = [dtype] * (_arg_count(node_def, info, arg) if arg.number_attr else 1)
    if arg.is_ref:
        types = [t._as_ref for t in types]
    return types


def output_dtypes(node_def) -> list[DType]:
    """Returns the DType of each output of `node_def`; `*_ref` types for reference outputs.

    Raises:
        GraphError: if the op type is unknown or a type attr is missing.
    """
    info = _op_info(node_def, "outputs' types are")
    out: list[DType] = []
    for arg in info.outputs:
        out.extend(_arg_dtypes(node_def, info, arg))
    return out


def signature_output_dtypes(node_def, signature: OpDef) -> list[DType]:
    """Output dtypes of a node that calls a function, from the function's signature (an OpDef).

    Graphs with a function library may use a function's name as a node's op type.

    Raises:
        GraphError: if an attr the signature refers to is missing.
    """
    info = _compile(signature)
    out: list[DType] = []
    for arg in info.outputs:
        out.extend(_arg_dtypes(node_def, info, arg))
    return out


def input_dtypes(node_def) -> list[DType]:
    """Returns the DType each data input of `node_def` must have, per its OpDef and attrs."""
    info = _op_info(node_def, "inputs' types are")
    out: list[DType] = []
    for arg in info.inputs:
        out.extend(_arg_dtypes(node_def, info, arg))
    return out


def fill_defaults(node_def) -> None:
    """Adds to `node_def` every attr its OpDef gives a default for and the node lacks.

    This is what TensorFlow's graph import does. Unknown op types are left untouched.
    """
    info = _info_cache.get(node_def.op)  # the defaults, read from the OpDef once (speed)
    if info is None:
        if get_op_def(node_def.op) is None:
            return
        info = _op_info(node_def, "attrs are")
    attrs = node_def.attr
    for name, default in info.defaults.items():  # in OpDef order, as before the cache
        if name not in attrs:
            attrs[name].CopyFrom(default)


def shape_from_proto(shape_proto) -> tuple[int | None, ...] | None:
    """Converts a TensorShapeProto to a Shape: None for unknown rank, None for unknown dims."""
    if shape_proto.unknown_rank:
        return None
    return tuple(d.size if d.size >= 0 else None for d in shape_proto.dim)


def _decode_list(lv) -> list:
    if lv.s:
        return list(lv.s)
    if lv.i:
        return list(lv.i)
    if lv.f:
        return list(lv.f)
    if lv.b:
        return list(lv.b)
    if lv.type:
        return [DType(t) for t in lv.type]
    if lv.shape:
        return [shape_from_proto(s) for s in lv.shape]
    if lv.tensor:
        from ortflow.formats.tensors import make_ndarray

        return [make_ndarray(t) for t in lv.tensor]
    if lv.func:
        return list(lv.func)
    return []


def decode_attr(value: AttrValue) -> Any:
    """Converts an AttrValue to Python as TensorFlow's `Operation.get_attr` does.

    bytes for `s`, int, float, bool, DType for `type`, Shape for `shape`, a numpy array for
    `tensor` (TensorFlow returns the TensorProto there; the array is what ortflow's users want),
    a list for `list`, the NameAttrList for `func`, the name (str) for `placeholder`; None when
    nothing is set.
    """
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "list":
        return _decode_list(value.list)
    if kind == "type":
        return DType(value.type)
    if kind == "shape":
        return shape_from_proto(value.shape)
    if kind == "tensor":
        from ortflow.formats.tensors import make_ndarray

        return make_ndarray(value.tensor)
    return getattr(value, kind)


def get_attr(node_def, name: str, default: Any = _MISSING) -> Any:
    """Returns attr `name` of `node_def` decoded to Python (see `decode_attr`).

    An attr the node lacks falls back to its OpDef default (graphs written with
    `strip_default_attrs` omit those), then to `default` when given.

    Raises:
        GraphError: if the attr is absent, has no OpDef default and no `default` was given.
    """
    attrs = node_def.attr
    if name in attrs:
        return decode_attr(attrs[name])
    info = _info_cache.get(node_def.op)
    if info is None and get_op_def(node_def.op) is not None:
        info = _op_info(node_def, "attrs are")
    if info is not None and name in info.defaults:
        return decode_attr(info.defaults[name])
    if default is not _MISSING:
        return default
    raise GraphError(f"node {node_def.name!r} (op {node_def.op!r}) has no attr {name!r}")


def as_numpy_dtype(dtype: DType) -> np.dtype:
    """The numpy dtype TensorFlow uses for `dtype` (object for strings)."""
    return np.dtype(dtype.base_dtype.as_numpy_dtype)
