"""`import_graph_def`: copy a GraphDef into the default graph under a name prefix, as TensorFlow."""

from __future__ import annotations

from ortflow.errors import GraphError
from ortflow.graph import naming
from ortflow.graph.core import Graph, Operation, Tensor, _registry, get_default_graph
from ortflow.graph.graph_util import topological_order
from ortflow.proto import GraphDef, NodeDef

__all__ = ["import_graph_def"]


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None, op_dict=None,
                     producer_op_list=None):
    """Imports `graph_def` into the default graph, with TensorFlow's semantics.

    Node names get the prefix `name` ("import" when None, made unique as a name scope:
    "import_1", ... ; "" means no prefix, and then colliding names get `_1` suffixes). Inputs,
    control inputs and colocation attrs (`_class: loc:@x`) are rewritten with the new names;
    attr defaults missing from the NodeDefs are filled from the op registry; `_output_shapes`
    attrs are dropped, as TensorFlow's importer does. Nodes are added in topological order.

    Args:
        graph_def: a GraphDef (or its serialized bytes).
        input_map: imported tensor name ("x:0", or "x" for "x:0", or "^x" for a control input)
            -> Tensor of the destination graph (or a tensor name in it) to use instead.
        return_elements: names in `graph_def` of ops ("y") and tensors ("y:0") to return.
        name: the prefix.
        op_dict: unused (TensorFlow deprecated it).
        producer_op_list: an OpList; attrs the producer gives a default that ortflow's OpDef
            does not know are removed when they hold that default.

    Returns:
        The list of requested Operations/Tensors, or None without `return_elements`.

    Raises:
        ValueError: an input refers to a node that is neither in `graph_def` nor mapped, an
            `input_map` key is not used by any node, a return element is missing, or the
            graph has a cycle outside while-loops.
    """
    del op_dict
    graph_def = _as_graph_def(graph_def)
    graph = get_default_graph()
    graph._check_not_finalized()
    input_map = _normalize_input_map(graph, input_map or {})
    scope_name = "import" if name is None else name
    with graph.name_scope(scope_name) as scope:
        pass
    importer = _Importer(graph, graph_def, scope, input_map, producer_op_list)
    importer.requested = list(return_elements) if return_elements is not None else None
    importer.run()
    return importer.return_elements(return_elements)


def _as_graph_def(graph_def) -> GraphDef:
    if isinstance(graph_def, GraphDef):
        return graph_def
    if isinstance(graph_def, (bytes, bytearray)):
        parsed = GraphDef()
        try:
            parsed.ParseFromString(bytes(graph_def))
        except Exception as e:
            raise ValueError(f"import_graph_def: the bytes given are not a GraphDef: {e}") from e
        return parsed
    raise TypeError(f"import_graph_def: graph_def must be a GraphDef proto, not {type(graph_def).__name__}")


def _normalize_input_map(graph: Graph, input_map: dict) -> dict[str, Tensor | Operation]:
    if not isinstance(input_map, dict):
        raise TypeError(f"input_map must be a dictionary mapping strings to Tensor objects, not "
                        f"{type(input_map).__name__}")
    out: dict[str, Tensor | Operation] = {}
    for key, value in input_map.items():
        if not isinstance(key, str):
            raise TypeError(f"input_map keys must be strings, got {key!r}")
        if hasattr(value, "_as_graph_element") and not isinstance(value, (Tensor, Operation)):
            value = value._as_graph_element()
        value = graph.as_graph_element(value)
        if key.startswith("^"):
            value = value.op if isinstance(value, Tensor) else value
        else:
            if not isinstance(value, Tensor):
                raise TypeError(f"input_map[{key!r}] must be a Tensor, got {value!r}")
            if ":" not in key:
                key += ":0"
        out[key] = value
    return out


class _Importer:
    """One import: renames, rewires and adds the nodes, then links their inputs."""

    def __init__(self, graph: Graph, graph_def: GraphDef, scope: str, input_map: dict, producer_op_list):
        self.graph = graph
        self.graph_def = graph_def
        self.prefix = scope
        self.input_map = input_map
        self.used_keys: set[str] = set()
        self.names: dict[str, str] = {}
        self.producer_defaults = _producer_defaults(producer_op_list)
        self.requested = None
        self.by_name = {n.name: n for n in graph_def.node}

    def run(self) -> None:
        nodes = self.graph_def.node
        mapped_sources = {naming.parse_input(k)[0] for k in self.input_map}
        try:
            order = topological_order(nodes, external=mapped_sources, ignored_inputs=self.input_map)
        except GraphError as e:
            raise ValueError(f"import_graph_def: {e}") from e
        self._assign_names(nodes)
        new_nodes = [self._rewrite(nodes[i]) for i in order]
        self._check_input_map_used()
        self._check_return_elements()
        self._merge_library()
        graph = self.graph
        added = [graph._add_node_def(n, resolve=False) for n in new_nodes]
        for op in added:
            graph._resolve_inputs(op)

    def _assign_names(self, nodes) -> None:
        existing = self.graph._ops
        namespace = self.graph._names
        taken: set[str] = set()
        for node in nodes:
            new = self.prefix + node.name
            if new in existing or new in taken:
                new = namespace.unique(new)
            taken.add(new)
            self.names[node.name] = new

    def _rewrite(self, node: NodeDef) -> NodeDef:
        new = NodeDef()
        new.CopyFrom(node)
        new.name = self.names[node.name]
        if "_output_shapes" in new.attr:
            del new.attr["_output_shapes"]
        rewritten = [self._rewrite_input(node, inp) for inp in node.input]
        if rewritten != list(node.input):
            del new.input[:]
            new.input.extend(rewritten)
        if "_class" in new.attr:
            self._rewrite_colocation(new)
        self._fill_defaults(new)
        return new

    def _rewrite_input(self, node: NodeDef, inp: str) -> str:
        src, index = naming.parse_input(inp)
        key = "^" + src if index < 0 else f"{src}:{index}"
        mapped = self.input_map.get(key)
        if mapped is not None:
            self.used_keys.add(key)
            if index < 0:
                return "^" + mapped.name
            return mapped._as_node_def_input()
        new_src = self.names.get(src)
        if new_src is None:
            raise ValueError(f"Node {node.name!r}: unknown input node {inp!r}")
        return naming.tensor_name(new_src, index)

    def _rewrite_colocation(self, node: NodeDef) -> None:
        values = list(node.attr["_class"].list.s)
        out = []
        for v in values:
            if v.startswith(b"loc:@"):
                target = v[5:].decode()
                v = b"loc:@" + self.names.get(target, target).encode()
            out.append(v)
        del node.attr["_class"].list.s[:]
        node.attr["_class"].list.s.extend(out)

    def _fill_defaults(self, node: NodeDef) -> None:
        ops = _registry()
        if not ops.is_known(node.op):
            return
        defaults = self.producer_defaults.get(node.op)
        if defaults:
            known = {a.name for a in ops.get_op_def(node.op).attr}
            for attr_name, default in defaults.items():
                if attr_name not in known and attr_name in node.attr and node.attr[attr_name] == default:
                    del node.attr[attr_name]
        ops.fill_defaults(node)

    def _check_input_map_used(self) -> None:
        # As TensorFlow: a key nobody consumed is an error only when it names a node that is
        # not in graph_def, or an output index that node does not have.
        missing = []
        for key in sorted(self.input_map):
            if key in self.used_keys:
                continue
            src, index = naming.parse_input(key)
            node = self.by_name.get(src)
            if node is None or (index >= 0 and index >= _output_count(node, index)):
                missing.append(key)
        if missing:
            raise ValueError("Attempted to map inputs that were not found in graph_def: "
                             f"[{', '.join(missing)}]")

    def _merge_library(self) -> None:
        source = self.graph_def.library
        library = self.graph._library
        have = {f.signature.name for f in library.function}
        for func in source.function:
            if func.signature.name not in have:
                library.function.add().CopyFrom(func)
        have_grads = {g.function_name for g in library.gradient}
        for grad in source.gradient:
            if grad.function_name not in have_grads:
                library.gradient.add().CopyFrom(grad)
        if self.graph_def.HasField("versions"):
            _merge_versions(self.graph, self.graph_def)

    def _check_return_elements(self) -> None:
        # Checked before any node is added, so a failed import leaves the graph as it was.
        for name in self.requested or ():
            op_name, index = naming.parse_tensor_name(name) if ":" in name else (name, -1)
            src = self.by_name.get(op_name)
            if src is None:
                kind = "tensor" if index >= 0 else "node"
                raise ValueError(f"Requested return {kind} {name!r} not found in graph def")

    def return_elements(self, names):
        if names is None:
            return None
        out = []
        for name in names:
            if ":" in name:
                op_name, index = naming.parse_tensor_name(name)
                new = self.names.get(op_name)
                op = self.graph._ops.get(new) if new else None
                if op is None or (op._known and index >= len(op._outputs)):
                    raise ValueError(f"Requested return tensor {name!r} not found in graph def")
                out.append(op._output(index))
            else:
                new = self.names.get(name)
                if new is None:
                    raise ValueError(f"Requested return node {name!r} not found in graph def")
                out.append(self.graph._ops[new])
        return out


def _output_count(node: NodeDef, index: int) -> int:
    """How many outputs `node` has per the registry (index + 1 when the registry cannot tell)."""
    ops = _registry()
    if not ops.is_known(node.op):
        return index + 1
    try:
        return ops.num_outputs(node)
    except GraphError:
        return index + 1


def _producer_defaults(producer_op_list) -> dict[str, dict]:
    if producer_op_list is None:
        return {}
    out: dict[str, dict] = {}
    for op_def in producer_op_list.op:
        out[op_def.name] = {a.name: a.default_value for a in op_def.attr if a.HasField("default_value")}
    return out


def _merge_versions(graph: Graph, graph_def: GraphDef) -> None:
    # Into an empty graph the source's versions come along; otherwise the oldest producer and
    # the strictest consumer requirement win, as in TensorFlow.
    src, dst = graph_def.versions, graph._versions
    if not graph._ops:
        dst.CopyFrom(src)
        return
    dst.producer = min(dst.producer, src.producer)
    dst.min_consumer = max(dst.min_consumer, src.min_consumer)
    for bad in src.bad_consumers:
        if bad not in dst.bad_consumers:
            dst.bad_consumers.append(bad)
