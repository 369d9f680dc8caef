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

from ortflow.converters.tables import (
    INITIALIZER_OPS,
    TABLE_OPS,
    USER_OPS,
    add_node,
    add_table_name_const,
    dtype_of,
    emit_table_user,
    flatten,
    table_of,
)
from ortflow.graph.ops.kernels_more import READ_TEXT_TABLE_OP
from ortflow.proto import GraphDef, NodeDef

__all__ = [
    "INITIALIZER_OPS",
    "TABLE_OPS",
    "initialize_tables",
    "is_table_state",
    "lower_tables",
    "table_state_name",
]

_ALL_OPS = TABLE_OPS | INITIALIZER_OPS | USER_OPS
_KEYS_SUFFIX = "/_ortflow_table_keys"
_VALUES_SUFFIX = "/_ortflow_table_values"


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
            _rewrite_initializer(out, node, table_of(nodes, node))
        elif node.op in USER_OPS:
            table = table_of(nodes, node)
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
    add_node(out, name, "ReadVariableOp", [table_state_name(table.name, part), *controls],
             dtype=dtype_of(table, attr))
    return name




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
    if not names:
        names = [n.name for n in graph_def.node if n.op in INITIALIZER_OPS]
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
