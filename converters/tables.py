"""Lookup tables in GraphDefs: the rewrite of table reads into plain ops, and folding tables
whose contents are constant so that a frozen graph with tables converts to ONNX.

A find in a constant table whose key and value dtypes ONNX's LabelEncoder maps (string, int64,
float32) becomes ortflow's `_OrtflowStaticLookup` op, lowered to one LabelEncoder (a hash map
in onnxruntime); other finds use the generic rewrite below.

A lookup `LookupTableFindV2(table, x, default)` becomes `Equal` of the flattened keys against
the table's keys, `Any` / `ArgMax` over the table axis, `GatherV2` of the values and `SelectV2`
with the default, reshaped to x's shape: ops that both the converter and the numpy interpreter
run. `LookupTableSizeV2` becomes `Size` of the keys and `LookupTableExportV2` an `IdentityN`.
Where the keys and values come from is the caller's choice: the session's state
(`runtime/tables.py`) or constants (`fold_constant_tables`).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
from ortflow.converters.registry import handler, require
from ortflow.proto import GraphDef, NodeDef

__all__ = [
    "INITIALIZER_OPS",
    "MUTABLE_TABLE_OPS",
    "TABLE_OPS",
    "USER_OPS",
    "add_const",
    "add_node",
    "add_table_name_const",
    "dtype_of",
    "emit_table_user",
    "flatten",
    "fold_constant_tables",
    "table_of",
]

TABLE_OPS = frozenset({"HashTableV2", "HashTable"})
# Tables that insert / remove change (runtime/tables.py runs them; nothing folds them).
MUTABLE_TABLE_OPS = frozenset({"MutableHashTableV2", "MutableHashTableOfTensorsV2", "MutableDenseHashTableV2",
                               "MutableHashTable", "MutableHashTableOfTensors"})
INITIALIZER_OPS = frozenset({"InitializeTableV2", "InitializeTable", "LookupTableImportV2",
                             "LookupTableImport", "InitializeTableFromTextFileV2",
                             "InitializeTableFromTextFile"})
USER_OPS = frozenset({"LookupTableFindV2", "LookupTableFind", "LookupTableSizeV2", "LookupTableSize",
                      "LookupTableExportV2", "LookupTableExport"})
_DT_INT32, _DT_INT64, _DT_BOOL, _DT_STRING = 3, 9, 10, 7
_FORWARDING = ("Identity", "RefIdentity")


def _producer(nodes: dict, tensor: str) -> NodeDef | None:
    """The node behind `tensor`, through Identity chains."""
    name = tensor.lstrip("^").split(":")[0]
    for _ in range(64):
        node = nodes.get(name)
        if node is None or node.op not in _FORWARDING or not node.input:
            return node
        name = node.input[0].split(":")[0]
    return None


def table_of(nodes: dict, node: NodeDef) -> NodeDef:
    """The table op behind input 0 of `node`.

    Raises:
        InvalidArgumentError: when it is not a table op (`TABLE_OPS` or `MUTABLE_TABLE_OPS`).
    """
    from ortflow.errors import InvalidArgumentError

    producer = _producer(nodes, node.input[0]) if node.input else None
    if producer is None or (producer.op not in TABLE_OPS and producer.op not in MUTABLE_TABLE_OPS):
        raise InvalidArgumentError(node, None, f"{node.op} node {node.name!r}: its table input "
                                   f"{node.input[0] if node.input else ''!r} does not come from a "
                                   "HashTableV2 op; only hash tables made by such ops can be run.")
    return producer


def dtype_of(node: NodeDef, attr: str) -> int:
    """A dtype attr's enum; reference dtypes (HashTable, v1) count as their base types."""
    enum = node.attr[attr].type
    return enum - 100 if enum > 100 else enum


def add_node(out: GraphDef, name: str, op: str, inputs=(), **attrs) -> NodeDef:
    """Appends a node; int attrs are dtypes, bools are bools, ("i", 3)-style tuples set a field."""
    node = out.node.add(name=name, op=op)
    node.input.extend(inputs)
    for key, value in attrs.items():
        if isinstance(value, bool):
            node.attr[key].b = value
        elif isinstance(value, int):
            node.attr[key].type = value
        elif isinstance(value, tuple):
            setattr(node.attr[key], value[0], value[1])
        else:
            node.attr[key].CopyFrom(value)
    return node


def add_const(out: GraphDef, name: str, value) -> str:
    """Appends a Const holding `value`; returns its name."""
    from ortflow.formats.tensors import make_tensor_proto

    proto = make_tensor_proto(value)
    node = out.node.add(name=name, op="Const")
    node.attr["dtype"].type = proto.dtype
    node.attr["value"].tensor.CopyFrom(proto)
    return name


def flatten(out: GraphDef, name: str, tensor: str, dtype: int) -> str:
    """Appends Reshape(tensor, [-1]) named `name`."""
    shape = add_const(out, f"{name}/shape", np.array([-1], np.int32))
    add_node(out, name, "Reshape", [tensor, shape], T=dtype, Tshape=_DT_INT32)
    return name


def emit_table_user(out: GraphDef, node: NodeDef, table: NodeDef, read: Callable[[str], str]) -> None:
    """Appends the plain ops standing for a table read `node` (find, size or export), keeping its
    name; `read("keys")` / `read("values")` give the table's 1-D contents."""
    kd, vd = dtype_of(table, "key_dtype"), dtype_of(table, "value_dtype")
    if node.op.startswith("LookupTableSize"):
        add_node(out, node.name, "Size", [read("keys")], T=kd, out_type=_DT_INT64)
    elif node.op.startswith("LookupTableExport"):
        export = add_node(out, node.name, "IdentityN", [read("keys"), read("values")])
        export.attr["T"].list.type.extend([kd, vd])
    else:
        _emit_find(out, node, read("keys"), read("values"), kd, vd)


def _emit_find(out: GraphDef, node: NodeDef, keys: str, values: str, kd: int, vd: int) -> None:
    # out = where(any(x[:, None] == keys), values[argmax(x[:, None] == keys)], default), reshaped.
    data = [i for i in node.input if not i.startswith("^")]
    p = f"{node.name}/_ortflow"
    flat = flatten(out, f"{p}/flat", data[1], kd)
    axis = add_const(out, f"{p}/axis", np.array(-1, np.int32))
    add_node(out, f"{p}/column", "ExpandDims", [flat, axis], T=kd, Tdim=_DT_INT32)
    add_node(out, f"{p}/equal", "Equal", [f"{p}/column", keys], T=kd, incompatible_shape_error=True)
    add_node(out, f"{p}/found", "Any", [f"{p}/equal", axis], Tidx=_DT_INT32, keep_dims=False)
    add_node(out, f"{p}/as_int", "Cast", [f"{p}/equal"], SrcT=_DT_BOOL, DstT=_DT_INT32, Truncate=False)
    add_node(out, f"{p}/position", "ArgMax", [f"{p}/as_int", axis], T=_DT_INT32, Tidx=_DT_INT32,
             output_type=_DT_INT32)
    zero = add_const(out, f"{p}/zero", np.array(0, np.int32))
    add_node(out, f"{p}/gather", "GatherV2", [values, f"{p}/position", zero], Tparams=vd, Tindices=_DT_INT32,
             Taxis=_DT_INT32, batch_dims=("i", 0))
    default = flatten(out, f"{p}/default", data[2], vd)
    add_node(out, f"{p}/select", "SelectV2", [f"{p}/found", f"{p}/gather", default], T=vd)
    add_node(out, f"{p}/shape", "Shape", [data[1]], T=kd, out_type=_DT_INT32)
    add_node(out, node.name, "Reshape", [f"{p}/select", f"{p}/shape"], T=vd, Tshape=_DT_INT32)


# -- folding tables with constant contents ------------------------------------------------------

def fold_constant_tables(graph_def: GraphDef):
    """Tables filled from constants (or from a text file named by a constant that exists) become
    constants, and their reads plain ops, so that a frozen graph with tables converts.

    A table keeps its ops when its contents are not known statically (a fed file name, an
    initializer reading a computed tensor, several initializers); the converter then reports
    them as ops without an ONNX form.

    Returns:
        (graph_def, changed): the same object and False when nothing was folded.
    """
    if not any(n.op in TABLE_OPS for n in graph_def.node):
        return graph_def, False
    nodes = {n.name: n for n in graph_def.node}
    contents = _constant_contents(graph_def, nodes)
    if not contents:
        return graph_def, False
    out = GraphDef()
    out.versions.CopyFrom(graph_def.versions)
    out.library.CopyFrom(graph_def.library)
    for node in graph_def.node:
        table = _folded_table(nodes, node, contents)
        if table is None:
            out.node.add().CopyFrom(node)
        elif node.op in TABLE_OPS:
            _emit_contents(out, node, contents[node.name])
        elif node.op in INITIALIZER_OPS:
            add_node(out, node.name, "NoOp", [i for i in node.input if i.startswith("^")])
        elif not _emit_static_lookup(out, nodes, node, table, contents[table.name]):
            emit_table_user(out, node, table, lambda part, t=table.name: f"{t}/_ortflow_{part}")
    return out, True


# Key and value dtypes ONNX's LabelEncoder maps between: string, int64, float32.
_LABEL_ENCODER_TYPES = {_DT_STRING: "strings", _DT_INT64: "int64s", 1: "floats"}


def _emit_static_lookup(out: GraphDef, nodes: dict, node: NodeDef, table: NodeDef, contents) -> bool:
    """A find in a constant table as one `_OrtflowStaticLookup` (ONNX LabelEncoder) when the
    dtypes allow and the default is a constant scalar; False to use the generic rewrite."""
    from ortflow.formats.tensors import make_tensor_proto
    from ortflow.graph.ops.kernels_more import STATIC_LOOKUP_OP

    kd, vd = dtype_of(table, "key_dtype"), dtype_of(table, "value_dtype")
    data = [i for i in node.input if not i.startswith("^")]
    default = _const_value(nodes, data[2]) if node.op.startswith("LookupTableFind") else None
    if kd not in _LABEL_ENCODER_TYPES or vd not in _LABEL_ENCODER_TYPES or default is None or np.size(default) != 1:
        return False
    from ortflow.formats.dtypes import as_dtype

    keys, values = contents
    typed = {}
    for part, array, dtype in (("table_keys", keys, kd), ("table_values", values, vd)):
        typed[part] = np.asarray(array, dtype=object) if dtype == _DT_STRING \
            else np.asarray(array, dtype=as_dtype(dtype).as_numpy_dtype)
    default = np.asarray(default).reshape(())
    lookup = add_node(out, node.name, STATIC_LOOKUP_OP, [data[1], *(i for i in node.input if i.startswith("^"))],
                      Tin=kd, Tout=vd)
    for part, array in (*typed.items(), ("default_value", default)):
        lookup.attr[part].tensor.CopyFrom(make_tensor_proto(array))
    return True


@handler("_OrtflowStaticLookup")
def convert_static_lookup(ctx, node):
    # TF:   values = _OrtflowStaticLookup(keys, table_keys, table_values, default_value)  (ortflow's op)
    # ONNX: Y = ai.onnx.ml.LabelEncoder(X, keys_*, values_*, default_*)  (ai.onnx.ml opset 2)
    keys, values = node.attr("table_keys"), node.attr("table_values")
    default = np.asarray(node.attr("default_value")).reshape(())
    kd, vd = node.attr("Tin").as_datatype_enum, node.attr("Tout").as_datatype_enum
    require(kd in _LABEL_ENCODER_TYPES and vd in _LABEL_ENCODER_TYPES, node,
            "LabelEncoder maps only between string, int64 and float32")
    attrs = {f"keys_{_LABEL_ENCODER_TYPES[kd]}": _attr_list(keys, kd),
             f"values_{_LABEL_ENCODER_TYPES[vd]}": _attr_list(values, vd),
             f"default_{_LABEL_ENCODER_TYPES[vd][:-1]}": _attr_list(default.reshape(1), vd)[0]}
    ctx.root().opset_imports["ai.onnx.ml"] = 2  # LabelEncoder's typed keys_*/values_* attrs
    ctx.make_node("LabelEncoder", [node.input(0)], attrs, outputs=[node.output(0)], domain="ai.onnx.ml",
                  dtypes_=[node.output_dtype(0)])


def _attr_list(array, dtype: int) -> list:
    flat = np.asarray(array).reshape(-1)
    if dtype == _DT_STRING:
        return [v if isinstance(v, bytes) else str(v).encode() for v in flat.tolist()]
    if dtype == _DT_INT64:
        return [int(v) for v in flat.tolist()]
    return [float(v) for v in flat.tolist()]


def _folded_table(nodes: dict, node: NodeDef, contents: dict) -> NodeDef | None:
    if node.op in TABLE_OPS:
        return node if node.name in contents else None
    if node.op not in INITIALIZER_OPS and node.op not in USER_OPS:
        return None
    table = _producer(nodes, node.input[0]) if node.input else None
    return table if table is not None and table.name in contents else None


def _constant_contents(graph_def: GraphDef, nodes: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """table name -> (keys, values) for each table with exactly one initializer whose contents
    are known statically."""
    initializers: dict[str, list[NodeDef]] = {}
    for node in graph_def.node:
        if node.op in INITIALIZER_OPS and node.input:
            table = _producer(nodes, node.input[0])
            if table is not None and table.op in TABLE_OPS:
                initializers.setdefault(table.name, []).append(node)
    contents = {}
    for name, inits in initializers.items():
        if len(inits) == 1:
            found = _static_contents(nodes, inits[0], nodes[name])
            if found is not None:
                contents[name] = found
    return contents


def _const_value(nodes: dict, tensor: str):
    from ortflow.formats.tensors import make_ndarray

    node = _producer(nodes, tensor)
    if node is None or node.op != "Const":
        return None
    return make_ndarray(node.attr["value"].tensor)


def _static_contents(nodes: dict, init: NodeDef, table: NodeDef):
    data = [i for i in init.input if not i.startswith("^")]
    if not init.op.startswith("InitializeTableFromTextFile"):
        keys, values = _const_value(nodes, data[1]), _const_value(nodes, data[2])
        if keys is None or values is None:
            return None
        return np.asarray(keys).reshape(-1), np.asarray(values).reshape(-1)
    filename = _const_value(nodes, data[1])
    if filename is None:
        return None
    path = np.asarray(filename).reshape(()).item()
    path = path.decode() if isinstance(path, bytes) else str(path)
    if not os.path.isfile(path):
        return None
    from ortflow.formats.dtypes import as_dtype
    from ortflow.graph.ops.kernels_more import read_text_table

    attr = init.attr
    return read_text_table(path, attr["key_index"].i, attr["value_index"].i, attr["vocab_size"].i,
                           attr["delimiter"].s, attr["offset"].i,
                           as_dtype(dtype_of(table, "key_dtype")).as_numpy_dtype,
                           as_dtype(dtype_of(table, "value_dtype")).as_numpy_dtype)


def add_table_name_const(out: GraphDef, table: NodeDef) -> NodeDef:
    """Appends `table` rewritten as a string Const holding its own name (the handle users look up).

    The node keeps the table's name, inputs and device; its attrs become the Const's.
    """
    handle = out.node.add()
    handle.CopyFrom(table)
    handle.op = "Const"
    handle.ClearField("attr")
    handle.attr["dtype"].type = _DT_STRING
    handle.attr["value"].tensor.dtype = _DT_STRING
    handle.attr["value"].tensor.string_val.append(table.name.encode())
    return handle


def _emit_contents(out: GraphDef, table: NodeDef, contents) -> None:
    from ortflow.formats.dtypes import as_dtype

    add_table_name_const(out, table)
    for part, value, attr in (("keys", contents[0], "key_dtype"), ("values", contents[1], "value_dtype")):
        dtype = as_dtype(dtype_of(table, attr))
        array = np.asarray(value, dtype=object) if dtype.name == "string" \
            else np.asarray(value, dtype=dtype.as_numpy_dtype)
        add_const(out, f"{table.name}/_ortflow_{part}", array)
