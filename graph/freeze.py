"""Freezing: replace variables with constants holding their values, keeping what the outputs need.

Two entry points share one rewrite (`inline_variables`):

- `convert_variables_to_constants(sess, graph_def, outputs)`, TensorFlow's function, takes the
  values from a session (`sess.variable_values(names)`);
- `freeze(graph_or_meta, checkpoint, outputs)`, ortflow's own, needs no session: the values
  come straight from the checkpoint, found through the graph's restore ops (the SaverDef's
  `RestoreV2` names and slices), the VariableDefs' SaveSliceInfo, or the variable's op name.

The rewrite gives TensorFlow's result node for node: a VariableV2 / VarHandleOp becomes a
Const of the same name (attrs `dtype` and `value` only), a ReadVariableOp of it becomes an
Identity (`T` and `_class` kept), and Identity / Switch / Enter / Exit / NextIteration nodes
that carry the handle or reference get `T` re-typed to the value's dtype (and lose
`_output_shapes`), as `tf.compat.v1.graph_util.convert_variables_to_constants` does.
ResourceGather becomes GatherV2 with an added `<name>/axis` Const, ResourceGatherNd becomes
GatherNd. A value passed into a function-call op (If, Case, While, PartitionedCall) re-types
the caller's `Tin`/`T` entry and the called functions' argument (whose reads become Identity
too); the converted functions are renamed `<base>_frozen_<n>` as TensorFlow does (TensorFlow's
n comes from a process-wide counter, so only the numbers differ).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence

import numpy as np
from ortflow.errors import GraphError
from ortflow.formats import dtypes as _dtypes
from ortflow.formats.tensors import make_ndarray, make_tensor_proto
from ortflow.graph import naming, saved_model
from ortflow.graph.graph_util import extract_sub_graph
from ortflow.proto import GraphDef, MetaGraphDef, NodeDef, SavedModel, VariableDef

__all__ = [
    "VARIABLE_OPS",
    "CheckpointKey",
    "FreezeResult",
    "convert_variables_to_constants",
    "inline_variables",
    "variable_checkpoint_keys",
    "variable_names",
    "read_variable_value",
    "freeze",
    "freeze_graph",
]

#: Op types whose output is a variable (a reference or a resource handle).
VARIABLE_OPS = ("Variable", "VariableV2", "VarHandleOp")
_INTERMEDIATE_OPS = ("Enter", "Exit", "Identity", "NextIteration", "Switch", "_SwitchN")


@dataclasses.dataclass(frozen=True)
class CheckpointKey:
    """Where a variable's value is in a checkpoint: a tensor key and, for a partition, its slice."""

    key: str
    slice_spec: str = ""  # TensorFlow's "full_shape start,length:..." form; "" for the whole tensor


@dataclasses.dataclass
class FreezeResult:
    """A frozen graph plus what freezing did (for the CLI's report)."""

    graph_def: GraphDef
    variables: list[str]
    constant_bytes: int
    pruned: list[str]
    outputs: list[str]


# -- the rewrite ------------------------------------------------------------------------------

def _should_convert(name: str, whitelist, blacklist) -> bool:
    return (whitelist is None or name in whitelist) and (blacklist is None or name not in blacklist)


def variable_names(graph_def: GraphDef, whitelist=None, blacklist=None) -> list[str]:
    """Names of the variable ops in `graph_def` that freezing converts, in graph order."""
    return [n.name for n in graph_def.node
            if n.op in VARIABLE_OPS and _should_convert(n.name, whitelist, blacklist)]


def inline_variables(graph_def: GraphDef, values: Mapping[str, np.ndarray]) -> GraphDef:
    """A copy of `graph_def` with each variable named in `values` turned into a Const.

    Raises:
        GraphError: a value's shape does not match the variable's, or a re-typed node has no
            type entry for the input the value reaches.
    """
    rewriter = _Rewriter(graph_def)
    for node in graph_def.node:
        if node.name in values:
            rewriter.convert_variable(node, values[node.name])
    return rewriter.out


def _data_edges(nodes) -> dict[str, list[tuple[str, int]]]:
    """Producer name -> [(consumer name, input position)] for data inputs (control edges skipped).

    Inside a function body the producer is a node name or an argument name ("x", "n:out:0").
    """
    edges: dict[str, list[tuple[str, int]]] = {}
    for node in nodes:
        for position, inp in enumerate(node.input):
            if inp.startswith("^"):
                continue
            edges.setdefault(inp.split(":", 1)[0], []).append((node.name, position))
    return edges


# caller op -> (index of the first input passed to the functions, type-list attr, function attrs)
_CALLERS = {
    "If": (1, "Tin", ("then_branch", "else_branch")),
    "StatelessIf": (1, "Tin", ("then_branch", "else_branch")),
    "Case": (1, "Tin", ("branches",)),
    "PartitionedCall": (0, "Tin", ("f",)),
    "StatefulPartitionedCall": (0, "Tin", ("f",)),
    "While": (0, "T", ("body", "cond")),
    "StatelessWhile": (0, "T", ("body", "cond")),
}


class _Scope:
    """The main graph or one library function: original nodes, converted nodes, data edges."""

    def __init__(self, originals, converted, function=None, original_function=None):
        self.originals = {n.name: n for n in originals}
        self.nodes = {n.name: n for n in converted}
        self.edges = _data_edges(originals)
        self.function = function  # the converted FunctionDef, None for the main graph
        self.args = [a.name for a in original_function.signature.input_arg] if original_function else []


class _Rewriter:
    """Turns variables into Consts and re-types what their values flow through, as TensorFlow."""

    def __init__(self, graph_def: GraphDef):
        self.out = GraphDef()
        self.out.CopyFrom(graph_def)
        self.main = _Scope(graph_def.node, self.out.node)
        self._source_functions = {f.signature.name: f for f in graph_def.library.function}
        self._functions = {f.signature.name: f for f in self.out.library.function}
        self._scopes: dict[str, _Scope] = {}
        self.renamed: dict[str, str] = {}
        self._frozen_names = _frozen_function_names(self._source_functions)

    def convert_variable(self, var: NodeDef, value) -> None:
        dtype_enum = var.attr["dtype"].type
        array = _checked_value(var, value)
        const = self.main.nodes[var.name]
        const.Clear()
        const.name = var.name
        const.op = "Const"
        const.attr["dtype"].type = dtype_enum
        base = _dtypes.as_dtype(dtype_enum).base_dtype
        const.attr["value"].tensor.CopyFrom(make_tensor_proto(array, dtype=base, shape=array.shape))
        self._propagate(self.main, var.name, dtype_enum, array.shape)

    def _propagate(self, scope: _Scope, source: str, dtype_enum: int, shape) -> None:
        stack = [(scope, consumer, position) for consumer, position in scope.edges.get(source, ())]
        seen: set[tuple[int, str, int]] = set()
        while stack:
            where, consumer, position = stack.pop()
            if (id(where), consumer, position) in seen:
                continue
            seen.add((id(where), consumer, position))
            for more in self._convert_consumer(where, consumer, position, dtype_enum, shape):
                stack.append(more)

    def _convert_consumer(self, scope: _Scope, name: str, position: int, dtype_enum: int, shape):
        """Rewrites one consumer; returns the (scope, consumer, position) edges to follow next."""
        original = scope.originals[name]
        node = scope.nodes[name]
        op = original.op
        if op == "ReadVariableOp":
            _as_identity(node, original)
            if scope.function is not None:
                self._rename_value_outputs(scope, name)
            return []
        if op in _INTERMEDIATE_OPS:
            _update_type(node, "T", position, dtype_enum)
            if "_output_shapes" in node.attr:
                del node.attr["_output_shapes"]
            return [(scope, c, p) for c, p in scope.edges.get(name, ())]
        if op == "ResourceGather" and scope.function is None:
            _as_gather_v2(self.out, scope.nodes, node, original)
        elif op == "ResourceGatherNd":
            _as_gather_nd(node, original)
        elif op in _CALLERS:
            return self._convert_caller(scope, node, original, position, dtype_enum, shape)
        return []

    def _convert_caller(self, scope: _Scope, node: NodeDef, original: NodeDef, position: int,
                        dtype_enum: int, shape):
        first, type_attr, func_attrs = _CALLERS[original.op]
        follow = []
        if position >= first:
            index = position - first
            for attr_name in func_attrs:
                attr = original.attr[attr_name]
                funcs = [attr.func] if attr.HasField("func") else list(attr.list.func)
                for func in funcs:
                    follow.extend(self._convert_argument(func.name, index, dtype_enum))
            _update_type(node, type_attr, index, dtype_enum)
            if original.op in ("While", "StatelessWhile"):
                self._retype_while(node, original, index, dtype_enum, shape)
        self._point_at_renamed(node, func_attrs)
        return follow

    def _retype_while(self, node: NodeDef, original: NodeDef, index: int, dtype_enum: int, shape) -> None:
        shapes = node.attr["output_shapes"].list.shape
        if index < len(shapes):
            shapes[index].Clear()
            for dim in shape:
                shapes[index].dim.add().size = int(dim)
        body = self._functions[self.renamed.get(original.attr["body"].func.name, original.attr["body"].func.name)]
        body.signature.output_arg[index].type = dtype_enum

    def _function_scope(self, name: str) -> _Scope:
        scope = self._scopes.get(name)
        if scope is None:
            source = self._source_functions.get(name)
            if source is None:
                raise GraphError(f"Cannot freeze: function {name!r} is not in the graph's library")
            converted = self._functions[self.renamed.get(name, name)]
            scope = _Scope(source.node_def, converted.node_def, converted, source)
            self._scopes[name] = scope
        return scope

    def _convert_argument(self, func_name: str, index: int, dtype_enum: int):
        scope = self._function_scope(func_name)
        if func_name not in self.renamed:
            new_name = self._frozen_names[func_name]
            self.renamed[func_name] = new_name
            self._functions[new_name] = scope.function
            scope.function.signature.name = new_name
        function = scope.function
        function.signature.input_arg[index].type = dtype_enum
        if "_input_shapes" in function.attr and index < len(function.attr["_input_shapes"].list.shape):
            unknown = function.attr["_input_shapes"].list.shape[index]
            unknown.Clear()
            unknown.unknown_rank = True
        arg_attrs = function.arg_attr[index].attr  # creates the (empty) entry, as TensorFlow's does
        if "_output_shapes" in arg_attrs and arg_attrs["_output_shapes"].list.shape:
            arg_shape = arg_attrs["_output_shapes"].list.shape[0]
            arg_shape.Clear()
            arg_shape.unknown_rank = True
        arg = scope.args[index]
        return [(scope, c, p) for c, p in scope.edges.get(arg, ())]

    def _point_at_renamed(self, node: NodeDef, func_attrs) -> None:
        for attr_name in func_attrs:
            attr = node.attr[attr_name]
            if attr.HasField("func"):
                attr.func.name = self.renamed.get(attr.func.name, attr.func.name)
            else:
                for func in attr.list.func:
                    func.name = self.renamed.get(func.name, func.name)

    def _rename_value_outputs(self, scope: _Scope, name: str) -> None:
        # Inside functions outputs are named by arg: a ReadVariableOp's is "value", an
        # Identity's "output"; the consumers (and the function's return map) follow.
        old, new = f"{name}:value:", f"{name}:output:"
        for node in scope.function.node_def:
            for i, inp in enumerate(node.input):
                if inp.startswith(old):
                    node.input[i] = new + inp[len(old):]
        for key, value in scope.function.ret.items():
            if value.startswith(old):
                scope.function.ret[key] = new + value[len(old):]


def _frozen_function_names(functions) -> dict[str, str]:
    """New names for converted functions: "cond_true_388" -> "cond_true_frozen_<n>".

    As TensorFlow, every library function is numbered, in the order of (numeric suffix, base
    name); TensorFlow's numbers come from a process-wide counter, ours start at 1.
    """
    parsed = []
    for name in functions:
        base, _, suffix = name.rpartition("_")
        parsed.append((int(suffix), base, name) if base and suffix.isdigit() else (-1, name, name))
    return {name: f"{base}_frozen_{i}" for i, (_, base, name) in enumerate(sorted(parsed), start=1)}


def _checked_value(var: NodeDef, value) -> np.ndarray:
    dtype = _dtypes.as_dtype(var.attr["dtype"].type).base_dtype
    array = np.asarray(value)
    if array.dtype != object and dtype != _dtypes.as_dtype(array.dtype):
        array = array.astype(dtype.as_numpy_dtype)
    if "shape" in var.attr and not var.attr["shape"].shape.unknown_rank:
        declared = [d.size for d in var.attr["shape"].shape.dim]
        if len(declared) != array.ndim or any(d >= 0 and d != s for d, s in zip(declared, array.shape)):
            raise GraphError(f"Variable {var.name!r} has shape {declared}, but its value has shape "
                             f"{list(array.shape)}")
    return array


def _as_identity(node: NodeDef, original: NodeDef) -> None:
    node.Clear()
    node.name = original.name
    node.op = "Identity"
    node.input.append(original.input[0])
    node.attr["T"].CopyFrom(original.attr["dtype"])
    if "_class" in original.attr:
        node.attr["_class"].CopyFrom(original.attr["_class"])


def _update_type(node: NodeDef, attr_name: str, index: int, dtype_enum: int) -> None:
    attr = node.attr[attr_name]
    if attr.HasField("list") and index < len(attr.list.type):
        attr.list.type[index] = dtype_enum
    elif attr.WhichOneof("value") == "type" and index == 0:
        attr.type = dtype_enum
    else:
        raise GraphError(f"Cannot re-type input {index} of {node.name!r} ({node.op}): its {attr_name!r} "
                         "attr has no such entry")


def _as_gather_v2(out: GraphDef, nodes, node: NodeDef, original: NodeDef) -> None:
    if original.attr["batch_dims"].i != 0:
        raise GraphError(f"Cannot freeze {original.name!r}: ResourceGather with batch_dims "
                         f"{original.attr['batch_dims'].i} (must be 0)")
    axis_name = original.name + "/axis"
    index_type = original.attr["Tindices"]
    if axis_name not in nodes:
        axis = out.node.add()
        nodes[axis_name] = axis
        axis.name = axis_name
        axis.op = "Const"
        axis.attr["dtype"].CopyFrom(index_type)
        axis_value = np.array(0, dtype=_dtypes.as_dtype(index_type.type).as_numpy_dtype)
        axis.attr["value"].tensor.CopyFrom(make_tensor_proto(axis_value, dtype=_dtypes.as_dtype(index_type.type),
                                                             shape=()))
    node.Clear()
    node.name = original.name
    node.op = "GatherV2"
    node.input.extend([original.input[0], original.input[1], axis_name])
    node.attr["Tparams"].CopyFrom(original.attr["dtype"])
    node.attr["Tindices"].CopyFrom(index_type)
    node.attr["Taxis"].CopyFrom(index_type)
    if "_class" in original.attr:
        node.attr["_class"].CopyFrom(original.attr["_class"])


def _as_gather_nd(node: NodeDef, original: NodeDef) -> None:
    node.Clear()
    node.name = original.name
    node.op = "GatherNd"
    node.input.extend([original.input[0], original.input[1]])
    node.attr["Tparams"].CopyFrom(original.attr["dtype"])
    node.attr["Tindices"].CopyFrom(original.attr["Tindices"])
    if "_class" in original.attr:
        node.attr["_class"].CopyFrom(original.attr["_class"])


# -- the session path -------------------------------------------------------------------------

def convert_variables_to_constants(sess, input_graph_def: GraphDef, output_node_names: Sequence[str],
                                   variable_names_whitelist=None, variable_names_blacklist=None) -> GraphDef:
    """TensorFlow's `graph_util.convert_variables_to_constants`, values taken from `sess`.

    Args:
        sess: a session exposing `variable_values(names) -> {name: ndarray}`.
        input_graph_def: the GraphDef holding the network.
        output_node_names: op names the result must compute.
        variable_names_whitelist: only these variables are converted (all by default).
        variable_names_blacklist: these variables are left as variables.

    Returns:
        The GraphDef cut down to what the outputs need, variables turned into Consts.
    """
    graph_def = extract_sub_graph(input_graph_def, list(output_node_names))
    names = variable_names(graph_def, variable_names_whitelist, variable_names_blacklist)
    values = sess.variable_values(names) if names else {}
    missing = [n for n in names if n not in values]
    if missing:
        raise GraphError(f"The session returned no value for variables {missing}")
    return inline_variables(graph_def, {n: values[n] for n in names})


# -- the checkpoint path ----------------------------------------------------------------------

def variable_checkpoint_keys(graph_def: GraphDef, collection_def=None) -> dict[str, CheckpointKey]:
    """Variable op name -> where its value is in a checkpoint.

    Read from the graph's restore ops (RestoreV2 key and slice per Assign / AssignVariableOp),
    then from VariableDefs with SaveSliceInfo in `collection_def` (a MetaGraphDef's), and
    otherwise the variable's own op name.
    """
    keys: dict[str, CheckpointKey] = {}
    for name, key in _keys_from_collections(collection_def or {}).items():
        keys.setdefault(name, key)
    restore = _keys_from_restore_ops(graph_def)
    keys.update(restore)
    for node in graph_def.node:
        if node.op in VARIABLE_OPS:
            keys.setdefault(node.name, CheckpointKey(node.name))
    return keys


def _keys_from_restore_ops(graph_def: GraphDef, scope: str | None = None) -> dict[str, CheckpointKey]:
    """Keys read from the RestoreV2 ops (only those under `scope`, e.g. "save/", if given)."""
    by_name = {n.name: n for n in graph_def.node}
    edges = _data_edges(graph_def.node)
    out: dict[str, CheckpointKey] = {}
    for node in graph_def.node:
        if node.op != "RestoreV2" or len(node.input) < 3:
            continue
        if scope and not node.name.startswith(scope):
            continue
        names = _const_strings(by_name.get(naming.parse_input(node.input[1])[0]))
        slices = _const_strings(by_name.get(naming.parse_input(node.input[2])[0]))
        if names is None:
            continue
        slices = slices if slices is not None and len(slices) == len(names) else [""] * len(names)
        for target, index in _assigned_variables(node.name, by_name, edges):
            if index < len(names):
                out[target] = CheckpointKey(names[index], slices[index])
    return out


def _assigned_variables(restore_name: str, by_name, edges) -> list[tuple[str, int]]:
    """(variable op name, RestoreV2 output index) for each assignment fed by the restore op."""
    found = []
    for consumer, position in edges.get(restore_name, ()):
        index = naming.parse_input(by_name[consumer].input[position])[1]
        target = _assignment_target(consumer, position, by_name, edges)
        if target is not None:
            found.append((target, index))
    return found


def _assignment_target(name: str, position: int, by_name, edges, depth: int = 0) -> str | None:
    # A restored value reaches its variable through zero or more Identity nodes (devices).
    node = by_name[name]
    if node.op in ("Assign", "AssignVariableOp"):
        return _variable_behind(naming.parse_input(node.input[0])[0], by_name) if position == 1 else None
    if node.op == "Identity" and depth < 8:
        for consumer, pos in edges.get(name, ()):
            target = _assignment_target(consumer, pos, by_name, edges, depth + 1)
            if target is not None:
                return target
    return None


def _variable_behind(name: str, by_name) -> str | None:
    for _ in range(8):
        node = by_name.get(name)
        if node is None:
            return None
        if node.op in VARIABLE_OPS:
            return name
        if node.op != "Identity" or not node.input:
            return None
        name = naming.parse_input(node.input[0])[0]
    return None


def _const_strings(node: NodeDef | None) -> list[str] | None:
    if node is None or node.op != "Const":
        return None
    try:
        values = make_ndarray(node.attr["value"].tensor)
    except (ValueError, TypeError):
        return None
    try:
        return [v.decode() if isinstance(v, bytes) else str(v) for v in np.ravel(values)]
    except UnicodeDecodeError as e:
        raise GraphError(f"Const node {node.name!r} holds a checkpoint key that is not UTF-8 text "
                         f"({e.object[:40]!r}): the graph is corrupted") from e


def _keys_from_collections(collection_def) -> dict[str, CheckpointKey]:
    out: dict[str, CheckpointKey] = {}
    for coll in collection_def.values():
        if not coll.HasField("bytes_list"):
            continue
        for raw in coll.bytes_list.value:
            var_def = VariableDef()
            try:
                var_def.ParseFromString(raw)
            except Exception:
                continue
            if not var_def.variable_name:
                continue
            name = naming.parse_tensor_name(var_def.variable_name)[0]
            info = var_def.save_slice_info_def
            if info.full_name:
                spec = " ".join(str(d) for d in info.full_shape) + " " + ":".join(
                    f"{o},{s}" for o, s in zip(info.var_offset, info.var_shape))
                out[name] = CheckpointKey(info.full_name, spec)
    return out


def read_variable_value(reader, key: CheckpointKey, variable: str) -> np.ndarray:
    """The value of `variable` from a checkpoint reader: the tensor, or its slice for a partition.

    Raises:
        GraphError: the key is missing or the stored full shape does not match the slice spec.
    """
    if not reader.has_tensor(key.key):
        raise GraphError(f"Variable {variable!r}: key {key.key!r} is not in checkpoint {reader.prefix}")
    value = reader.get_tensor(key.key)
    if not key.slice_spec:
        return np.array(value, copy=True)
    parts = key.slice_spec.split()
    full_shape = [int(p) for p in parts[:-1]]
    if list(value.shape) != full_shape:
        raise GraphError(f"Variable {variable!r}: checkpoint tensor {key.key!r} has shape "
                         f"{list(value.shape)}, but the graph expects the full shape {full_shape}")
    index = []
    for part in parts[-1].split(":"):
        if part == "-":
            index.append(slice(None))
        else:
            start, length = (int(x) for x in part.split(","))
            index.append(slice(start, start + length))
    return np.array(value[tuple(index)], copy=True)


def _load_graph(graph_or_meta) -> tuple[GraphDef, MetaGraphDef | None]:
    """(GraphDef, MetaGraphDef or None) from a message or a path to a graph file."""
    if isinstance(graph_or_meta, (str, os.PathLike)):
        from ortflow.formats.graphs import read_graph
        graph_or_meta = read_graph(graph_or_meta)
    if isinstance(graph_or_meta, SavedModel):
        if len(graph_or_meta.meta_graphs) != 1:
            raise GraphError("The SavedModel holds several meta graphs; load one with "
                             "ortflow.graph.saved_model and pass its MetaGraphDef")
        graph_or_meta = graph_or_meta.meta_graphs[0]
    if isinstance(graph_or_meta, MetaGraphDef):
        return graph_or_meta.graph_def, graph_or_meta
    if isinstance(graph_or_meta, GraphDef):
        return graph_or_meta, None
    raise TypeError(f"Expected a GraphDef, MetaGraphDef or a path, not {type(graph_or_meta).__name__}")


def _as_imported(graph_def: GraphDef, meta: MetaGraphDef | None) -> GraphDef:
    """The GraphDef TensorFlow's session would hold after importing: defaults filled, shapes gone."""
    from ortflow.graph.core import Graph
    from ortflow.graph.importer import import_graph_def
    graph = Graph()
    producer_ops = None
    if meta is not None and meta.meta_info_def.HasField("stripped_op_list"):
        producer_ops = meta.meta_info_def.stripped_op_list
    with graph.as_default():
        import_graph_def(graph_def, name="", producer_op_list=producer_ops)
    return graph.as_graph_def()


def freeze_graph(graph_or_meta, checkpoint, output_node_names: Sequence[str] | str,
                 variable_names_whitelist=None, variable_names_blacklist=None) -> FreezeResult:
    """`freeze` plus a report of what was converted and pruned (see `freeze`)."""
    from ortflow.api.train_checkpoint import load_checkpoint
    if isinstance(output_node_names, str):
        output_node_names = [s for s in output_node_names.split(",") if s]
    outputs = [naming.parse_input(n)[0] for n in output_node_names]
    if not outputs:
        raise GraphError("freeze needs at least one output node name")
    where = f"{os.fspath(graph_or_meta)}: " if isinstance(graph_or_meta, (str, os.PathLike)) else ""
    source, meta = _load_graph(graph_or_meta)
    if meta is not None and saved_model.is_tf2(meta, where.rstrip(": ")):
        return _freeze_tf2(meta, checkpoint, outputs, where, variable_names_whitelist,
                           variable_names_blacklist)
    imported = _as_imported(source, meta)
    missing = [o for o in outputs if o not in {n.name for n in imported.node}]
    if missing:
        raise GraphError(f"{where}output nodes {missing} are not in the graph")
    sub = extract_sub_graph(imported, outputs)
    table_inits = _table_initializers(imported, {n.name for n in sub.node})
    if table_inits:  # the frozen graph keeps what fills its lookup tables (and their group op)
        sub = extract_sub_graph(imported, outputs + table_inits)
    names = variable_names(sub, variable_names_whitelist, variable_names_blacklist)
    keys = variable_checkpoint_keys(imported, meta.collection_def if meta is not None else None)
    values = {}
    if names:
        with load_checkpoint(os.fspath(checkpoint)) as reader:
            for name in names:
                values[name] = read_variable_value(reader, keys[name], name)
    frozen = inline_variables(sub, values)
    kept = {n.name for n in sub.node}
    return FreezeResult(
        graph_def=frozen,
        variables=names,
        constant_bytes=sum(int(v.nbytes) for v in values.values()),
        pruned=[n.name for n in imported.node if n.name not in kept],
        outputs=outputs,
    )


_TABLE_OPS = frozenset({"HashTableV2", "HashTable"})
_TABLE_INITIALIZER_OPS = frozenset({"InitializeTableV2", "InitializeTable", "LookupTableImportV2",
                                    "LookupTableImport", "InitializeTableFromTextFileV2",
                                    "InitializeTableFromTextFile"})


def _table_initializers(graph_def: GraphDef, kept: set[str]) -> list[str]:
    """The initializer ops of the lookup tables among `kept`, plus NoOps that only group such
    initializers (`init_all_tables`), so a frozen graph's tables can still be filled."""
    by_name = {n.name: n for n in graph_def.node}
    tables = {name for name in kept if by_name[name].op in _TABLE_OPS}
    if not tables:
        return []
    inits = [n.name for n in graph_def.node if n.op in _TABLE_INITIALIZER_OPS and n.input
             and _through_identities(by_name, n.input[0]) in tables]
    chosen = set(inits)
    groups = [n.name for n in graph_def.node if n.op == "NoOp" and n.input
              and all(i.startswith("^") and i[1:] in chosen for i in n.input)]
    return inits + groups


def _through_identities(by_name, tensor: str) -> str:
    name = tensor.lstrip("^").split(":")[0]
    for _ in range(64):
        node = by_name.get(name)
        if node is None or node.op not in ("Identity", "RefIdentity") or not node.input:
            return name
        name = node.input[0].split(":")[0]
    return name


def _freeze_tf2(meta: MetaGraphDef, checkpoint, outputs: list[str], where: str, whitelist,
                blacklist) -> FreezeResult:
    """`freeze_graph` for a TF2 SavedModel's MetaGraphDef: calls inlined, captured variables
    looked up through the object graphs (`ortflow.graph.saved_model.tf2_variable_values`)."""
    from ortflow.api.train_checkpoint import load_checkpoint
    place = where.rstrip(": ") or _saved_model_dir(checkpoint)
    imported = _as_imported(saved_model.tf2_meta_graph(meta, where=place).graph_def, None)
    missing = [o for o in outputs if o not in {n.name for n in imported.node}]
    if missing:
        raise GraphError(f"{where}output nodes {missing} are not in the graph")
    sub = extract_sub_graph(imported, outputs)
    names = variable_names(sub, whitelist, blacklist)
    values = {}
    if names:
        with load_checkpoint(os.fspath(checkpoint)) as reader:
            found = saved_model.tf2_variable_values(meta, reader, place)
        unknown = [n for n in names if n not in found]
        if unknown:
            raise GraphError(f"{place}: variables {unknown} are read by the outputs but no function "
                             "of the object graph captures them, so their checkpoint keys are unknown")
        values = {n: found[n] for n in names}
    frozen = inline_variables(sub, values)
    kept = {n.name for n in sub.node}
    return FreezeResult(graph_def=frozen, variables=names,
                        constant_bytes=sum(int(v.nbytes) for v in values.values()),
                        pruned=[n.name for n in imported.node if n.name not in kept], outputs=outputs)


def _saved_model_dir(checkpoint) -> str:
    """The SavedModel directory of a `DIR/variables/variables` prefix (for messages)."""
    path = os.path.abspath(os.fspath(checkpoint))
    parent = os.path.dirname(path)
    if os.path.basename(path) == "variables" and os.path.basename(parent) == "variables":
        return os.path.dirname(parent)
    return f"SavedModel (checkpoint {os.fspath(checkpoint)})"


def freeze(graph_or_meta, checkpoint, output_node_names: Sequence[str] | str,
           variable_names_whitelist=None, variable_names_blacklist=None) -> GraphDef:
    """Freezes a graph with the values of a checkpoint, without a session.

    Args:
        graph_or_meta: a GraphDef, a MetaGraphDef, or a path to a `.pb`/`.pbtxt`/`.meta` file.
        checkpoint: a checkpoint prefix, or a directory (its latest checkpoint is used).
        output_node_names: op names (or "a,b") the frozen graph must compute.
        variable_names_whitelist: only these variables are converted.
        variable_names_blacklist: these variables are left as variables.

    Returns:
        TensorFlow's frozen GraphDef: the needed nodes, variables as Consts.

    Raises:
        GraphError: an output is missing, a variable's key or shape does not match the checkpoint.
        NotFoundError: no checkpoint at `checkpoint`.
    """
    return freeze_graph(graph_or_meta, checkpoint, output_node_names, variable_names_whitelist,
                        variable_names_blacklist).graph_def
