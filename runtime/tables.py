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

Mutable tables (`MutableHashTableV2`, `MutableHashTableOfTensorsV2`, `MutableDenseHashTableV2`)
get the same two variables, under their own names (`is_mutable_table_state`): the session's
lowering counts them as read only once set, so a fresh Session reads them as empty (keys [0],
values [0] + value_shape) instead of failing. `LookupTableInsertV2`, `LookupTableRemoveV2` and
`LookupTableImportV2` on them become `_OrtflowTableUpdate` (a numpy kernel computing the new
contents) and two `AssignVariableOp`s; a find pads the table with one row holding the default,
so that it also works on an empty table. Entries keep the order they were first inserted in.
"""

from __future__ import annotations

import numpy as np
from ortflow.converters.tables import (
    INITIALIZER_OPS,
    MUTABLE_TABLE_OPS,
    TABLE_OPS,
    USER_OPS,
    add_const,
    add_node,
    add_table_name_const,
    dtype_of,
    emit_table_user,
    flatten,
    table_of,
)
from ortflow.graph.ops.kernels_more import READ_TEXT_TABLE_OP
from ortflow.graph.ops.registry import kernel
from ortflow.proto import GraphDef, NodeDef

__all__ = [
    "INITIALIZER_OPS",
    "MUTATION_OPS",
    "TABLE_OPS",
    "TABLE_UPDATE_OP",
    "initialize_tables",
    "is_mutable_table_state",
    "is_table_state",
    "lower_tables",
    "table_state_name",
]

MUTATION_OPS = frozenset({"LookupTableInsertV2", "LookupTableInsert", "LookupTableRemoveV2"})
TABLE_UPDATE_OP = "_OrtflowTableUpdate"
_ALL_OPS = TABLE_OPS | MUTABLE_TABLE_OPS | INITIALIZER_OPS | USER_OPS | MUTATION_OPS
_KEYS_SUFFIX = "/_ortflow_table_keys"
_VALUES_SUFFIX = "/_ortflow_table_values"
_MUTABLE_KEYS_SUFFIX = "/_ortflow_mutable_table_keys"
_MUTABLE_VALUES_SUFFIX = "/_ortflow_mutable_table_values"
_DT_INT32 = 3


def table_state_name(table: str, part: str, mutable: bool = False) -> str:
    """The state (resource variable) name holding `part` ('keys' or 'values') of `table`."""
    if mutable:
        return table + (_MUTABLE_KEYS_SUFFIX if part == "keys" else _MUTABLE_VALUES_SUFFIX)
    return table + (_KEYS_SUFFIX if part == "keys" else _VALUES_SUFFIX)


def is_table_state(name: str) -> str | None:
    """The table's name when `name` is one of a table's state names, else None."""
    for suffix in (_KEYS_SUFFIX, _VALUES_SUFFIX, _MUTABLE_KEYS_SUFFIX, _MUTABLE_VALUES_SUFFIX):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return None


def is_mutable_table_state(name: str) -> bool:
    """Whether `name` holds part of a mutable table, whose state starts empty."""
    return name.endswith((_MUTABLE_KEYS_SUFFIX, _MUTABLE_VALUES_SUFFIX))


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
        elif node.op in MUTABLE_TABLE_OPS:
            _rewrite_mutable_table(out, node)
        elif node.op in INITIALIZER_OPS or node.op in MUTATION_OPS:
            table = table_of(nodes, node)
            if table.op in MUTABLE_TABLE_OPS:
                _rewrite_update(out, node, table)
            else:
                _rewrite_initializer(out, node, table)
        elif node.op in USER_OPS:
            table = table_of(nodes, node)
            if table.op in MUTABLE_TABLE_OPS and node.op.startswith("LookupTableFind"):
                _emit_padded_find(out, node, table)
            else:
                emit_table_user(out, node, table, lambda part, n=node, t=table: _read(out, n, t, part))
        else:
            out.node.add().CopyFrom(node)
    return out


def _rewrite_table(out: GraphDef, node: NodeDef) -> None:
    # The handle becomes a name; the contents become two 1-D resource variables.
    add_table_name_const(out, node)
    for part, attr in (("keys", "key_dtype"), ("values", "value_dtype")):
        var = add_node(out, table_state_name(node.name, part), "VarHandleOp", dtype=dtype_of(node, attr))
        var.attr["shape"].shape.dim.add().size = -1
        var.attr["shared_name"].s = var.name.encode()
        var.attr["container"].s = b""
        if node.device:
            var.device = node.device


def _rewrite_initializer(out: GraphDef, node: NodeDef, table: NodeDef) -> None:
    controls = [i for i in node.input if i.startswith("^")]
    data = [i for i in node.input if not i.startswith("^")]
    if node.op.startswith("InitializeTableFromTextFile"):
        reader = add_node(out, f"{node.name}/_ortflow_read", READ_TEXT_TABLE_OP, [data[1], *controls],
                          Tkeys=dtype_of(table, "key_dtype"), Tvalues=dtype_of(table, "value_dtype"))
        for attr in ("key_index", "value_index", "vocab_size", "offset", "delimiter"):
            reader.attr[attr].CopyFrom(node.attr[attr])
        keys, values = f"{reader.name}:0", f"{reader.name}:1"
    else:
        keys, values = data[1], data[2]
    assigns = []
    for part, value, attr in (("keys", keys, "key_dtype"), ("values", values, "value_dtype")):
        flat = flatten(out, f"{node.name}/_ortflow_{part}", value, dtype_of(table, attr))
        assign = add_node(out, f"{node.name}/_ortflow_assign_{part}", "AssignVariableOp",
                          [table_state_name(table.name, part), flat, *controls], dtype=dtype_of(table, attr))
        assigns.append(f"^{assign.name}")
    group = add_node(out, node.name, "NoOp", assigns)
    group.device = node.device


def _read(out: GraphDef, node: NodeDef, table: NodeDef, part: str) -> str:
    attr = "key_dtype" if part == "keys" else "value_dtype"
    name = f"{node.name}/_ortflow_read_{part}"
    controls = [i for i in node.input if i.startswith("^")]
    state = table_state_name(table.name, part, table.op in MUTABLE_TABLE_OPS)
    add_node(out, name, "ReadVariableOp", [state, *controls], dtype=dtype_of(table, attr))
    return name


# -- mutable tables -------------------------------------------------------------------------------

def _rewrite_mutable_table(out: GraphDef, node: NodeDef) -> None:
    # As an immutable table, but the values variable is [n] + value_shape and a dense table's
    # reserved keys (data inputs) stay with the update ops that read them.
    handle = add_table_name_const(out, node)
    del handle.input[:]
    handle.input.extend(i for i in node.input if i.startswith("^"))
    value_dims = [d.size for d in node.attr["value_shape"].shape.dim] if "value_shape" in node.attr else []
    for part, attr, dims in (("keys", "key_dtype", []), ("values", "value_dtype", value_dims)):
        var = add_node(out, table_state_name(node.name, part, True), "VarHandleOp",
                       dtype=dtype_of(node, attr))
        var.attr["shape"].shape.dim.add().size = -1
        for size in dims:
            var.attr["shape"].shape.dim.add().size = size
        var.attr["shared_name"].s = var.name.encode()
        var.attr["container"].s = b""
        if node.device:
            var.device = node.device


def _rewrite_update(out: GraphDef, node: NodeDef, table: NodeDef) -> None:
    # insert / remove / import: new contents from a numpy kernel, assigned to both variables.
    controls = [i for i in node.input if i.startswith("^")]
    data = [i for i in node.input if not i.startswith("^")]
    keys, values = _read(out, node, table, "keys"), _read(out, node, table, "values")
    mode = "remove" if node.op.startswith("LookupTableRemove") else \
        "import" if node.op in INITIALIZER_OPS else "insert"
    new_values = data[2] if mode != "remove" else values
    dense = table.op == "MutableDenseHashTableV2"
    reserved = [i for i in table.input if not i.startswith("^")][:2] if dense else [data[1], data[1]]
    update = add_node(out, f"{node.name}/_ortflow_update", TABLE_UPDATE_OP,
                      [keys, values, data[1], new_values, *reserved, *controls],
                      Tkeys=dtype_of(table, "key_dtype"), Tvalues=dtype_of(table, "value_dtype"),
                      dense=dense)
    update.attr["mode"].s = mode.encode()
    assigns = []
    for index, (part, attr) in enumerate((("keys", "key_dtype"), ("values", "value_dtype"))):
        assign = add_node(out, f"{node.name}/_ortflow_assign_{part}", "AssignVariableOp",
                          [table_state_name(table.name, part, True), f"{update.name}:{index}"],
                          dtype=dtype_of(table, attr))
        assigns.append(f"^{assign.name}")
    group = add_node(out, node.name, "NoOp", assigns)
    group.device = node.device


def _emit_padded_find(out: GraphDef, node: NodeDef, table: NodeDef) -> None:
    # A find that also works on an empty table (ArgMax needs a non-empty axis): each key's
    # scores are 2 where a table key equals it, then a 1 past the table's n keys, so the argmax
    # is the matching row or n. Missing keys take row n + (i mod k) of the values followed by
    # the default's k rows (k is 1, or one default per key).
    data = [i for i in node.input if not i.startswith("^")]
    kd, vd = dtype_of(table, "key_dtype"), dtype_of(table, "value_dtype")
    keys, values = _read(out, node, table, "keys"), _read(out, node, table, "values")
    p = f"{node.name}/_ortflow"
    i32 = {"T": _DT_INT32}
    consts = {name: add_const(out, f"{p}/{name}", np.array(value, np.int32)) for name, value in (
        ("minus_one", [-1]), ("zero_one", [0]), ("one", [1]), ("last", -1), ("first", 0),
        ("one_scalar", 1), ("zero_scalar", 0))}
    add_node(out, f"{p}/flat", "Reshape", [data[1], consts["minus_one"]], T=kd, Tshape=_DT_INT32)
    add_node(out, f"{p}/column", "ExpandDims", [f"{p}/flat", consts["last"]], T=kd, Tdim=_DT_INT32)
    add_node(out, f"{p}/equal", "Equal", [f"{p}/column", keys], T=kd, incompatible_shape_error=True)
    add_node(out, f"{p}/as_int", "Cast", [f"{p}/equal"], SrcT=10, DstT=_DT_INT32, Truncate=False)
    add_node(out, f"{p}/doubled", "AddV2", [f"{p}/as_int", f"{p}/as_int"], **i32)
    add_node(out, f"{p}/count", "Shape", [f"{p}/flat"], T=kd, out_type=_DT_INT32)
    _concat(out, f"{p}/pad_shape", [f"{p}/count", consts["one"]], consts["first"], _DT_INT32)
    add_node(out, f"{p}/pad", "Fill", [f"{p}/pad_shape", consts["one_scalar"]], T=_DT_INT32,
             index_type=_DT_INT32)
    _concat(out, f"{p}/scores", [f"{p}/doubled", f"{p}/pad"], consts["last"], _DT_INT32)
    add_node(out, f"{p}/match", "ArgMax", [f"{p}/scores", consts["last"]], T=_DT_INT32, Tidx=_DT_INT32,
             output_type=_DT_INT32)
    add_node(out, f"{p}/size", "Size", [keys], T=kd, out_type=_DT_INT32)
    add_node(out, f"{p}/found", "Less", [f"{p}/match", f"{p}/size"], **i32)
    add_node(out, f"{p}/values_shape", "Shape", [values], T=vd, out_type=_DT_INT32)
    add_node(out, f"{p}/value_shape", "Slice", [f"{p}/values_shape", consts["one"], consts["minus_one"]],
             T=_DT_INT32, Index=_DT_INT32)
    _concat(out, f"{p}/rows_shape", [consts["minus_one"], f"{p}/value_shape"], consts["first"], _DT_INT32)
    add_node(out, f"{p}/default_rows", "Reshape", [data[2], f"{p}/rows_shape"], T=vd, Tshape=_DT_INT32)
    add_node(out, f"{p}/default_shape", "Shape", [f"{p}/default_rows"], T=vd, out_type=_DT_INT32)
    add_node(out, f"{p}/default_count", "Slice", [f"{p}/default_shape", consts["zero_one"], consts["one"]],
             T=_DT_INT32, Index=_DT_INT32)
    add_node(out, f"{p}/key_count", "Size", [f"{p}/flat"], T=kd, out_type=_DT_INT32)
    add_node(out, f"{p}/key_index", "Range", [consts["zero_scalar"], f"{p}/key_count", consts["one_scalar"]],
             Tidx=_DT_INT32)
    add_node(out, f"{p}/default_index", "FloorMod", [f"{p}/key_index", f"{p}/default_count"], **i32)
    add_node(out, f"{p}/missing", "AddV2", [f"{p}/default_index", f"{p}/size"], **i32)
    add_node(out, f"{p}/position", "SelectV2", [f"{p}/found", f"{p}/match", f"{p}/missing"], **i32)
    _concat(out, f"{p}/padded", [values, f"{p}/default_rows"], consts["first"], vd)
    add_node(out, f"{p}/gather", "GatherV2", [f"{p}/padded", f"{p}/position", consts["first"]], Tparams=vd,
             Tindices=_DT_INT32, Taxis=_DT_INT32, batch_dims=("i", 0))
    add_node(out, f"{p}/keys_shape", "Shape", [data[1]], T=kd, out_type=_DT_INT32)
    _concat(out, f"{p}/shape", [f"{p}/keys_shape", f"{p}/value_shape"], consts["first"], _DT_INT32)
    find = add_node(out, node.name, "Reshape", [f"{p}/gather", f"{p}/shape",
                                                *(i for i in node.input if i.startswith("^"))],
                    T=vd, Tshape=_DT_INT32)
    find.device = node.device


def _concat(out: GraphDef, name: str, parts: list[str], axis: str, dtype: int) -> None:
    add_node(out, name, "ConcatV2", [*parts, axis], T=dtype, Tidx=_DT_INT32, N=("i", len(parts)))


def _register_table_update() -> None:
    # ortflow's own op: the contents of a mutable table after an insert, remove or import.
    from ortflow.graph.ops.schema import register_op_def
    from ortflow.proto import OpDef

    op = OpDef(name=TABLE_UPDATE_OP, is_stateful=True)
    for arg, attr in (("table_keys", "Tkeys"), ("table_values", "Tvalues"), ("keys", "Tkeys"),
                      ("values", "Tvalues"), ("empty_key", "Tkeys"), ("deleted_key", "Tkeys")):
        op.input_arg.add(name=arg, type_attr=attr)
    op.output_arg.add(name="new_keys", type_attr="Tkeys")
    op.output_arg.add(name="new_values", type_attr="Tvalues")
    for attr, kind in (("Tkeys", "type"), ("Tvalues", "type"), ("mode", "string"), ("dense", "bool")):
        op.attr.add(name=attr, type=kind)
    register_op_def(op)


_register_table_update()


@kernel(TABLE_UPDATE_OP)
def _table_update(node_def, inputs):
    # Not a TensorFlow op: lower_tables rewrites LookupTableInsertV2 / RemoveV2 / ImportV2 on a
    # mutable table into it. Entries keep their first insertion's place; of repeated keys in one
    # insert the last wins, as in TensorFlow.
    from ortflow.errors import InvalidArgumentError

    table_keys, table_values = np.asarray(inputs[0]), np.asarray(inputs[1])
    value_shape = table_values.shape[1:]
    keys, values = np.asarray(inputs[2]), np.asarray(inputs[3])
    mode = node_def.attr["mode"].s.decode()
    flat = keys.reshape(-1)
    if mode == "remove":
        _check_reserved(node_def, flat, inputs)
        drop = set(flat.tolist())
        keep = np.array([k not in drop for k in table_keys.tolist()], dtype=bool).reshape(-1)
        return [table_keys[keep], table_values[keep]]
    if (mode == "insert" and tuple(values.shape) != (*keys.shape, *value_shape)) or \
            values.size != flat.size * int(np.prod(value_shape, dtype=np.int64)):
        expected = ",".join(str(d) for d in (*keys.shape, *value_shape))
        raise InvalidArgumentError(node_def, None, f"Expected shape [{expected}] for value, got "
                                   f"[{','.join(str(d) for d in values.shape)}] ({node_def.name}).")
    rows = values.reshape((flat.size, *value_shape))
    if mode == "import" and node_def.attr["dense"].b:  # TF exports a dense table's empty buckets too
        keep = ~(_matches(flat, inputs[4]) | _matches(flat, inputs[5]))
        flat, rows = flat[keep], rows[keep]
    elif mode == "insert":
        _check_reserved(node_def, flat, inputs)
    entries = {} if mode == "import" else dict(zip(table_keys.tolist(), table_values))
    entries.update(zip(flat.tolist(), rows))
    new_keys = np.array(list(entries), dtype=table_keys.dtype).reshape(-1)
    new_values = np.array(list(entries.values()), dtype=table_values.dtype)
    new_values = new_values.reshape((len(entries), *value_shape))
    return [new_keys, new_values]


def _matches(flat: np.ndarray, key) -> np.ndarray:
    key = np.asarray(key).reshape(-1)
    return np.array([k == key[0] for k in flat.tolist()], dtype=bool).reshape(-1) if key.size else \
        np.zeros(flat.shape, bool)


def _check_reserved(node_def, flat: np.ndarray, inputs) -> None:
    # A dense table's empty and deleted keys may not be inserted or removed (TensorFlow's check).
    from ortflow.errors import InvalidArgumentError

    if not node_def.attr["dense"].b:
        return
    for which, key in (("empty_key", inputs[4]), ("deleted_key", inputs[5])):
        if _matches(flat, key).any():
            raise InvalidArgumentError(node_def, None, f"Using the {which} as a table key is not allowed "
                                       f"({node_def.name}).")


# -- filling a loaded model's tables -------------------------------------------------------------

_MAIN_OP_KEYS = ("saved_model_main_op", "legacy_init_op")
_ASSETS_KEY = "saved_model_assets"


def initialize_tables(session, meta_graph=None, graph_def=None, export_dir=None) -> list[str]:
    """Runs what fills a loaded model's lookup tables, as TensorFlow's loaders do; returns the
    op names it ran (empty when the model has no table).

    A SavedModel (`export_dir` given) runs its main op (or legacy init op) with its asset
    tensors fed the paths of the files under `assets/`. Other models run the ops of their
    `table_initializer` collection, or else every table initializer op of the graph.

    Args:
        session: a Session holding the model's graph.
        meta_graph: the model's MetaGraphDef, if it has one.
        graph_def: the model's GraphDef (default: the MetaGraphDef's).
        export_dir: the SavedModel directory, for a SavedModel.
    """
    graph_def = graph_def if graph_def is not None else getattr(meta_graph, "graph_def", None)
    if graph_def is None or not any(n.op in TABLE_OPS for n in graph_def.node):
        return []
    if meta_graph is not None and export_dir is not None:
        main = [name for key in _MAIN_OP_KEYS if key in meta_graph.collection_def
                for name in meta_graph.collection_def[key].node_list.value][:1]
        if main:
            session.run(main[0], feed_dict=_asset_feeds(meta_graph, export_dir) or None)
            return main
    names = []
    if meta_graph is not None and "table_initializer" in meta_graph.collection_def:
        names = [n.split(":")[0] for n in meta_graph.collection_def["table_initializer"].node_list.value]
    if not names:  # not the restores of mutable tables, which a Saver's restore runs
        nodes = {n.name: n for n in graph_def.node}
        names = [n.name for n in graph_def.node
                 if n.op in INITIALIZER_OPS and table_of(nodes, n).op not in MUTABLE_TABLE_OPS]
    if names:
        session.run(names)
    return names


def _asset_feeds(meta_graph, export_dir) -> dict[str, str]:
    import os

    from ortflow.proto import AssetFileDef

    assets = list(meta_graph.asset_file_def)
    if not assets and _ASSETS_KEY in meta_graph.collection_def:
        assets = [AssetFileDef.FromString(packed.value)
                  for packed in meta_graph.collection_def[_ASSETS_KEY].any_list.value
                  if packed.type_url.endswith("AssetFileDef")]
    directory = os.path.join(os.fspath(export_dir), "assets")
    return {asset.tensor_info.name: os.path.join(directory, asset.filename) for asset in assets}
