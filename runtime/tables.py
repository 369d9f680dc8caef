"""Lookup tables as session state: TF's table ops rewritten into resource variables and lookups.

A TensorFlow hash table (`HashTableV2`) is state owned by the session, filled by an initializer
op (`InitializeTableV2`, `LookupTableImportV2`, `InitializeTableFromTextFileV2`) and read by
`LookupTableFindV2`, `LookupTableSizeV2` and `LookupTableExportV2`. ortflow's sessions hold
state as variables, so before a graph is lowered `lower_tables` rewrites each table into two
resource variables (its keys and its values, both 1-D) and each table op into ordinary ops:

* the table op itself becomes a string Const (nothing reads its handle after the rewrite);
* an initializer becomes two `AssignVariableOp`s, under a NoOp that keeps the initializer's
  name, so `tables_initializer()` (a NoOp with control inputs on it) still runs it;
  `InitializeTableFromTextFileV2` reads its file at run time through `_OrtflowReadTextTable`, a
  numpy kernel (the file name may be fed, as SavedModel loaders feed asset paths);
* a lookup becomes `Equal` of the flattened keys against the table's keys, `Any` / `ArgMax`
  over the table axis, `GatherV2` of the values and `SelectV2` with the default, all of which
  convert to ONNX, so a lookup runs on onnxruntime with the rest of the model;
* `LookupTableSizeV2` becomes `Size` of the keys, `LookupTableExportV2` an `IdentityN`.

A lookup before the initializer has run fails as TensorFlow's does, with a
FailedPreconditionError saying "Table not initialized." (see `table_state_name`).
"""

from __future__ import annotations

import numpy as np
from ortflow.graph.ops.kernels_more import READ_TEXT_TABLE_OP
from ortflow.proto import GraphDef, NodeDef

__all__ = [
    "INITIALIZER_OPS",
    "TABLE_OPS",
    "is_table_state",
    "lower_tables",
    "table_state_name",
]

TABLE_OPS = frozenset({"HashTableV2", "HashTable"})
INITIALIZER_OPS = frozenset({"InitializeTableV2", "InitializeTable", "LookupTableImportV2",
                             "LookupTableImport", "InitializeTableFromTextFileV2",
                             "InitializeTableFromTextFile"})
_USER_OPS = frozenset({"LookupTableFindV2", "LookupTableFind", "LookupTableSizeV2", "LookupTableSize",
                       "LookupTableExportV2", "LookupTableExport"})
_ALL_OPS = TABLE_OPS | INITIALIZER_OPS | _USER_OPS

_KEYS_SUFFIX = "/_ortflow_table_keys"
_VALUES_SUFFIX = "/_ortflow_table_values"
_DT_INT32, _DT_INT64, _DT_BOOL, _DT_STRING = 3, 9, 10, 7


def table_state_name(table: str, part: str) -> str:
    """The state (resource variable) name holding `part` ('keys' or 'values') of `table`."""
    return table + (_KEYS_SUFFIX if part == "keys" else _VALUES_SUFFIX)


def is_table_state(name: str) -> str | None:
    """The table's name when `name` is one of a table's state names, else None."""
    for suffix in (_KEYS_SUFFIX, _VALUES_SUFFIX):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return None


def lower_tables(graph_def: GraphDef) -> GraphDef:
    """`graph_def` with its table ops rewritten into variables and plain ops (see the module
    docstring); the same object when it has none."""
    if not any(n.op in _ALL_OPS for n in graph_def.node):
        return graph_def
    nodes = {n.name: n for n in graph_def.node}
    out = GraphDef()
    out.versions.CopyFrom(graph_def.versions)
    out.library.CopyFrom(graph_def.library)
    for node in graph_def.node:
        if node.op in TABLE_OPS:
            _rewrite_table(out, node)
        elif node.op in INITIALIZER_OPS:
            _rewrite_initializer(out, node, _table_of(nodes, node))
        elif node.op in _USER_OPS:
            _rewrite_user(out, node, _table_of(nodes, node))
        else:
            out.node.add().CopyFrom(node)
    return out


def _table_of(nodes: dict, node: NodeDef) -> NodeDef:
    """The table op behind input 0 of `node`, through Identity chains."""
    from ortflow.errors import InvalidArgumentError

    name = node.input[0].lstrip("^").split(":")[0] if node.input else ""
    for _ in range(64):
        producer = nodes.get(name)
        if producer is None:
            break
        if producer.op in TABLE_OPS:
            return producer
        if producer.op not in ("Identity", "RefIdentity") or not producer.input:
            break
        name = producer.input[0].split(":")[0]
    raise InvalidArgumentError(node, None, f"{node.op} node {node.name!r}: its table input "
                               f"{node.input[0] if node.input else ''!r} does not come from a "
                               "HashTableV2 op; only hash tables made by such ops can be run.")


def _dtype(node: NodeDef, attr: str) -> int:
    # Reference dtypes (HashTable, v1) count as their base types.
    enum = node.attr[attr].type
    return enum - 100 if enum > 100 else enum


def _add(out: GraphDef, name: str, op: str, inputs=(), **attrs) -> NodeDef:
    node = out.node.add(name=name, op=op)
    node.input.extend(inputs)
    for key, value in attrs.items():
        if isinstance(value, bool):
            node.attr[key].b = value
        elif isinstance(value, int):
            node.attr[key].type = value
        elif isinstance(value, tuple):  # ("i", 3) and the like: a non-type scalar attr
            setattr(node.attr[key], value[0], value[1])
        else:
            node.attr[key].CopyFrom(value)
    return node


def _const(out: GraphDef, name: str, value: np.ndarray) -> str:
    from ortflow.formats.tensors import make_tensor_proto

    proto = make_tensor_proto(value)
    node = out.node.add(name=name, op="Const")
    node.attr["dtype"].type = proto.dtype
    node.attr["value"].tensor.CopyFrom(proto)
    return name


def _rewrite_table(out: GraphDef, node: NodeDef) -> None:
    # The handle becomes a name; the contents become two 1-D resource variables.
    handle = out.node.add()
    handle.CopyFrom(node)
    handle.op = "Const"
    handle.ClearField("attr")
    handle.attr["dtype"].type = _DT_STRING
    handle.attr["value"].tensor.dtype = _DT_STRING
    handle.attr["value"].tensor.string_val.append(node.name.encode())
    for part, attr in (("keys", "key_dtype"), ("values", "value_dtype")):
        var = _add(out, table_state_name(node.name, part), "VarHandleOp", dtype=_dtype(node, attr))
        var.attr["shape"].shape.dim.add().size = -1
        var.attr["shared_name"].s = var.name.encode()
        var.attr["container"].s = b""
        if node.device:
            var.device = node.device


def _rewrite_initializer(out: GraphDef, node: NodeDef, table: NodeDef) -> None:
    controls = [i for i in node.input if i.startswith("^")]
    data = [i for i in node.input if not i.startswith("^")]
    if node.op.startswith("InitializeTableFromTextFile"):
        reader = _add(out, f"{node.name}/_ortflow_read", READ_TEXT_TABLE_OP, [data[1], *controls],
                      Tkeys=_dtype(table, "key_dtype"), Tvalues=_dtype(table, "value_dtype"))
        for attr in ("key_index", "value_index", "vocab_size", "offset", "delimiter"):
            reader.attr[attr].CopyFrom(node.attr[attr])
        keys, values = f"{reader.name}:0", f"{reader.name}:1"
    else:
        keys, values = data[1], data[2]
    assigns = []
    for part, value, attr in (("keys", keys, "key_dtype"), ("values", values, "value_dtype")):
        flat = _flatten(out, f"{node.name}/_ortflow_{part}", value, _dtype(table, attr))
        assign = _add(out, f"{node.name}/_ortflow_assign_{part}", "AssignVariableOp",
                      [table_state_name(table.name, part), flat, *controls], dtype=_dtype(table, attr))
        assigns.append(f"^{assign.name}")
    group = _add(out, node.name, "NoOp", assigns)
    group.device = node.device


def _flatten(out: GraphDef, name: str, tensor: str, dtype: int) -> str:
    shape = _const(out, f"{name}/shape", np.array([-1], np.int32))
    _add(out, name, "Reshape", [tensor, shape], T=dtype, Tshape=_DT_INT32)
    return name


def _read(out: GraphDef, node: NodeDef, table: NodeDef, part: str) -> str:
    attr = "key_dtype" if part == "keys" else "value_dtype"
    name = f"{node.name}/_ortflow_read_{part}"
    controls = [i for i in node.input if i.startswith("^")]
    _add(out, name, "ReadVariableOp", [table_state_name(table.name, part), *controls],
         dtype=_dtype(table, attr))
    return name


def _rewrite_user(out: GraphDef, node: NodeDef, table: NodeDef) -> None:
    if node.op.startswith("LookupTableSize"):
        keys = _read(out, node, table, "keys")
        _add(out, node.name, "Size", [keys], T=_dtype(table, "key_dtype"), out_type=_DT_INT64)
    elif node.op.startswith("LookupTableExport"):
        keys, values = _read(out, node, table, "keys"), _read(out, node, table, "values")
        n = _add(out, node.name, "IdentityN", [keys, values])
        n.attr["T"].list.type.extend([_dtype(table, "key_dtype"), _dtype(table, "value_dtype")])
    else:
        _rewrite_find(out, node, table)


def _rewrite_find(out: GraphDef, node: NodeDef, table: NodeDef) -> None:
    # out = where(any(x[:, None] == keys), values[argmax(x[:, None] == keys)], default), reshaped.
    kd, vd = _dtype(table, "key_dtype"), _dtype(table, "value_dtype")
    data = [i for i in node.input if not i.startswith("^")]
    keys, values = _read(out, node, table, "keys"), _read(out, node, table, "values")
    p = f"{node.name}/_ortflow"
    flat = _flatten(out, f"{p}/flat", data[1], kd)
    axis = _const(out, f"{p}/axis", np.array(-1, np.int32))
    _add(out, f"{p}/column", "ExpandDims", [flat, axis], T=kd, Tdim=_DT_INT32)
    _add(out, f"{p}/equal", "Equal", [f"{p}/column", keys], T=kd, incompatible_shape_error=True)
    _add(out, f"{p}/found", "Any", [f"{p}/equal", axis], Tidx=_DT_INT32, keep_dims=False)
    _add(out, f"{p}/as_int", "Cast", [f"{p}/equal"], SrcT=_DT_BOOL, DstT=_DT_INT32, Truncate=False)
    _add(out, f"{p}/position", "ArgMax", [f"{p}/as_int", axis], T=_DT_INT32, Tidx=_DT_INT32,
         output_type=_DT_INT32)
    zero = _const(out, f"{p}/zero", np.array(0, np.int32))
    _add(out, f"{p}/gather", "GatherV2", [values, f"{p}/position", zero], Tparams=vd, Tindices=_DT_INT32,
         Taxis=_DT_INT32, batch_dims=("i", 0))
    default = _flatten(out, f"{p}/default", data[2], vd)
    _add(out, f"{p}/select", "SelectV2", [f"{p}/found", f"{p}/gather", default], T=vd)
    _add(out, f"{p}/shape", "Shape", [data[1]], T=kd, out_type=_DT_INT32)
    _add(out, node.name, "Reshape", [f"{p}/select", f"{p}/shape"], T=vd, Tshape=_DT_INT32)
