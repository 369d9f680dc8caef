"""MetaGraphDefs: import one into the default graph (collections, variables, saver) and export one.

The collection encodings are TensorFlow's: `node_list` holds tensor or op names, `bytes_list`
holds serialized VariableDefs for the variable collections (other bytes stay bytes),
`int64_list` / `float_list` hold numbers. An exported MetaGraphDef carries a
`stripped_op_list` (the registry's OpDefs for the op types used) and a tensorflow_version, so
that `tf.compat.v1.train.import_meta_graph` accepts it.
"""

from __future__ import annotations

import os

from ortflow.errors import GraphError
from ortflow.graph.core import Graph, GraphKeys, Operation, Tensor, _registry, get_default_graph
from ortflow.graph.importer import import_graph_def
from ortflow.graph.variables import Variable
from ortflow.proto import CollectionDef, GraphDef, MetaGraphDef, OpList, VariableDef

__all__ = ["import_meta_graph", "export_meta_graph", "read_meta_graph", "VARIABLE_COLLECTIONS",
           "TENSORFLOW_VERSION"]

#: Collections whose members are Variables (stored as VariableDef protos), as TensorFlow registers.
VARIABLE_COLLECTIONS = frozenset({
    GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES,
    GraphKeys.MODEL_VARIABLES, GraphKeys.TRAINABLE_VARIABLES, GraphKeys.MOVING_AVERAGE_VARIABLES,
    GraphKeys.GLOBAL_STEP, GraphKeys.CONCATENATED_VARIABLES,
})

#: The TensorFlow version written into exported MetaGraphDefs: the one whose OpDefs the registry holds.
TENSORFLOW_VERSION = "2.21.0"


def read_meta_graph(path_or_meta) -> MetaGraphDef:
    """A MetaGraphDef from a message, or a binary/text `.meta` file.

    Raises:
        FormatError: the file is not a MetaGraphDef.
    """
    if isinstance(path_or_meta, MetaGraphDef):
        return path_or_meta
    if isinstance(path_or_meta, (str, os.PathLike)):
        from ortflow.formats.graphs import read_graph
        return read_graph(path_or_meta, expected="MetaGraphDef")
    raise TypeError(f"Expected a MetaGraphDef or a path, not {type(path_or_meta).__name__}")


def import_meta_graph(meta_graph_or_file, clear_devices: bool = False, import_scope: str | None = None,
                      **kwargs):
    """Imports a MetaGraphDef into the default graph and returns a Saver for it.

    Args:
        meta_graph_or_file: a MetaGraphDef or a path to a `.meta` file (binary or text).
        clear_devices: drop every node's device.
        import_scope: a name prefix for the imported nodes and collection entries.
        **kwargs: `input_map` and `return_elements` are passed to `import_graph_def`; the
            rest (TensorFlow's Saver options) go to the Saver.

    Returns:
        A `Saver` built from the MetaGraphDef's SaverDef; if it has none, a new Saver over the
        imported variables; None when there are no variables either.
    """
    meta = read_meta_graph(meta_graph_or_file)
    graph = get_default_graph()
    graph_def = meta.graph_def
    if clear_devices:
        graph_def = GraphDef()
        graph_def.CopyFrom(meta.graph_def)
        for node in graph_def.node:
            node.device = ""
    producer = meta.meta_info_def.stripped_op_list if meta.meta_info_def.HasField("stripped_op_list") else None
    input_map = kwargs.pop("input_map", None)
    return_elements = kwargs.pop("return_elements", None)
    before = set(graph._ops)
    import_graph_def(graph_def, input_map=input_map, return_elements=return_elements,
                     name=import_scope or "", producer_op_list=producer)
    scope = _actual_scope(graph, before, graph_def, import_scope)
    _restore_collections(graph, meta, scope)
    return _saver_for(graph, meta, scope, kwargs)


def _actual_scope(graph: Graph, before: set, graph_def: GraphDef, import_scope: str | None) -> str:
    # import_graph_def may have made the prefix unique ("scope_1"); find the one it used.
    if not import_scope or not graph_def.node:
        return import_scope or ""
    first = graph_def.node[0].name
    for name in graph._ops:
        if name not in before and name.endswith("/" + first):
            return name[: -len(first) - 1]
    return import_scope


def _prefixed(scope: str, name: str) -> str:
    if not scope:
        return name
    return ("^" + scope + "/" + name[1:]) if name.startswith("^") else scope + "/" + name


def _restore_collections(graph: Graph, meta: MetaGraphDef, scope: str) -> None:
    variables: dict[str, Variable] = {}
    for key in sorted(meta.collection_def):
        coll = meta.collection_def[key]
        kind = coll.WhichOneof("kind")
        if kind == "node_list":
            for name in coll.node_list.value:
                graph.add_to_collection(key, graph.as_graph_element(_prefixed(scope, name)))
        elif kind == "bytes_list" and key in VARIABLE_COLLECTIONS:
            for raw in coll.bytes_list.value:
                graph.add_to_collection(key, _variable_from_bytes(graph, raw, scope, variables, key))
        elif kind == "bytes_list":
            for raw in coll.bytes_list.value:
                graph.add_to_collection(key, raw)
        elif kind == "int64_list":
            for value in coll.int64_list.value:
                graph.add_to_collection(key, int(value))
        elif kind == "float_list":
            for value in coll.float_list.value:
                graph.add_to_collection(key, float(value))
        elif kind == "any_list":
            for value in coll.any_list.value:
                graph.add_to_collection(key, value)


def _variable_from_bytes(graph: Graph, raw: bytes, scope: str, cache: dict, key: str) -> Variable:
    var_def = VariableDef()
    try:
        var_def.ParseFromString(raw)
    except Exception as e:
        raise GraphError(f"Collection {key!r} holds bytes that are not a VariableDef: {e}") from e
    existing = cache.get(var_def.variable_name)
    if existing is None:
        existing = Variable.from_proto(var_def, import_scope=scope or None, graph=graph)
        cache[var_def.variable_name] = existing
    return existing


def _saver_for(graph: Graph, meta: MetaGraphDef, scope: str, saver_kwargs: dict):
    from ortflow.graph.saver import Saver
    with graph.as_default():
        if meta.HasField("saver_def"):
            return Saver(saver_def=meta.saver_def, name=scope or None, **saver_kwargs)
        if graph.get_collection(GraphKeys.GLOBAL_VARIABLES) or graph.get_collection(GraphKeys.SAVEABLE_OBJECTS):
            return Saver(**saver_kwargs)
    return None


# -- export -----------------------------------------------------------------------------------

def _ops_used(graph_def: GraphDef) -> set[str]:
    """Op types the graph uses, as TensorFlow counts them for `stripped_op_list`.

    Function bodies count only when a node calls the function by name or through
    (Stateful)PartitionedCall's `f`; If/While branch functions are not followed (as TensorFlow).
    """
    functions = {f.signature.name: f for f in graph_def.library.function}
    used: set[str] = set()
    pending = []

    def mark(op_type: str) -> None:
        if op_type not in used and op_type in functions:
            pending.append(functions[op_type])
        used.add(op_type)

    def visit(node) -> None:
        mark(node.op)
        if node.op in ("PartitionedCall", "StatefulPartitionedCall"):
            mark(node.attr["f"].func.name)

    for node in graph_def.node:
        visit(node)
    while pending:
        for node in pending.pop().node_def:
            visit(node)
    return {op for op in used if op not in functions}


def _stripped_op_list(graph_def: GraphDef) -> OpList:
    registry = _registry()
    used = _ops_used(graph_def)
    ops = OpList()
    for op_type in sorted(used):
        op_def = registry.get_op_def(op_type)
        if op_def is None:
            continue
        entry = ops.op.add()
        entry.CopyFrom(op_def)
        entry.ClearField("summary")
        entry.ClearField("description")
        for attr in entry.attr:
            attr.ClearField("description")
        for arg in list(entry.input_arg) + list(entry.output_arg):
            arg.ClearField("description")
    return ops


def _collection_def(graph: Graph, key: str, export_scope: str | None) -> CollectionDef | None:
    items = graph.get_collection(key)
    if not items:
        return None
    coll = CollectionDef()
    first = items[0]
    if isinstance(first, Variable) or key in VARIABLE_COLLECTIONS:
        for item in items:
            if not isinstance(item, Variable):
                return None
            coll.bytes_list.value.append(item.to_proto(export_scope).SerializeToString())
    elif isinstance(first, (Tensor, Operation)) or hasattr(first, "_as_graph_element"):
        for item in items:
            element = item._as_graph_element() if hasattr(item, "_as_graph_element") and not isinstance(
                item, (Tensor, Operation)) else item
            if not isinstance(element, (Tensor, Operation)):
                return None
            coll.node_list.value.append(_strip_scope(export_scope, element.name))
    elif isinstance(first, bool):
        return None
    elif isinstance(first, int):
        coll.int64_list.value.extend(int(i) for i in items)
    elif isinstance(first, float):
        coll.float_list.value.extend(float(f) for f in items)
    elif isinstance(first, (bytes, str)):
        coll.bytes_list.value.extend(i.encode() if isinstance(i, str) else bytes(i) for i in items)
    else:
        return None  # like TensorFlow, collections of other Python objects are not exported
    return coll


def _strip_scope(scope: str | None, name: str) -> str:
    if scope and name.startswith(scope.rstrip("/") + "/"):
        return name[len(scope.rstrip("/")) + 1:]
    return name


def export_meta_graph(filename=None, meta_info_def=None, graph_def: GraphDef | None = None, saver_def=None,
                      collection_list=None, as_text: bool = False, graph: Graph | None = None,
                      export_scope: str | None = None, clear_devices: bool = False,
                      clear_extraneous_savers: bool = False, strip_default_attrs: bool = False,
                      **kwargs) -> MetaGraphDef:
    """Builds (and with `filename`, writes) a MetaGraphDef of `graph` (default: the default graph).

    Args:
        filename: where to write it (atomically); None only returns it.
        meta_info_def: a MetaInfoDef to start from.
        graph_def: the GraphDef to store (default: the graph's, with `_output_shapes`).
        saver_def: the SaverDef to store.
        collection_list: collection keys to export (default: all exportable ones).
        as_text: write the text format.
        graph: the Graph (default: the default graph).
        export_scope: keep only nodes under this scope and strip it from names.
        clear_devices: drop node devices.

    Returns:
        The MetaGraphDef.
    """
    del clear_extraneous_savers, strip_default_attrs, kwargs
    graph = graph or get_default_graph()
    if graph_def is None:
        graph_def = graph.as_graph_def(add_shapes=True)
    graph_def = _scoped_graph_def(graph_def, export_scope, clear_devices)
    meta = MetaGraphDef()
    if meta_info_def is not None:
        meta.meta_info_def.CopyFrom(meta_info_def)
    meta.meta_info_def.stripped_op_list.CopyFrom(_stripped_op_list(graph_def))
    meta.meta_info_def.tensorflow_version = TENSORFLOW_VERSION
    meta.meta_info_def.tensorflow_git_version = "ortflow"
    meta.graph_def.CopyFrom(graph_def)
    if saver_def is not None:
        meta.saver_def.CopyFrom(saver_def)
    keys = collection_list if collection_list is not None else graph.get_all_collection_keys()
    for key in keys:
        coll = _collection_def(graph, key, export_scope)
        if coll is not None:
            meta.collection_def[key].CopyFrom(coll)
    if filename is not None:
        _write_meta(meta, os.fspath(filename), as_text)
    return meta


def _scoped_graph_def(graph_def: GraphDef, export_scope: str | None, clear_devices: bool) -> GraphDef:
    if not export_scope and not clear_devices:
        return graph_def
    out = GraphDef()
    out.versions.CopyFrom(graph_def.versions)
    out.library.CopyFrom(graph_def.library)
    scope = export_scope.rstrip("/") + "/" if export_scope else ""
    for node in graph_def.node:
        if scope and not node.name.startswith(scope):
            continue
        new = out.node.add()
        new.CopyFrom(node)
        if scope:
            new.name = node.name[len(scope):]
            del new.input[:]
            new.input.extend(_strip_input(scope, i) for i in node.input)
        if clear_devices:
            new.device = ""
    return out


def _strip_input(scope: str, name: str) -> str:
    control = name.startswith("^")
    bare = name[1:] if control else name
    bare = bare.removeprefix(scope)
    return ("^" + bare) if control else bare


def _write_meta(meta: MetaGraphDef, path: str, as_text: bool) -> None:
    from ortflow.formats.graphs import write_message
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    write_message(path, meta, as_text=as_text)