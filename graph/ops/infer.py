"""Static dtype, shape and constant-value inference over a whole GraphDef."""

from __future__ import annotations

import math
from collections import deque
from typing import NamedTuple

import numpy as np
from ortflow.errors import GraphError
from ortflow.formats.dtypes import DType
from ortflow.graph.ops import partial as _partial
from ortflow.graph.ops.registry import evaluate, has_kernel, infer_shapes
from ortflow.graph.ops.schema import (
    Shape,
    get_attr,
    get_op_def,
    output_dtypes,
    shape_from_proto,
    signature_output_dtypes,
)
from ortflow.graph.ops.shapes_state import HANDLE_PASSTHROUGH_OPS, HANDLE_SOURCES, RESOURCE_SHAPE_FNS

__all__ = ["TensorMeta", "infer_graph_def", "tensor_key", "topological_order"]

# Ops whose outputs must never be treated as constants even with constant inputs: their value
# depends on which iteration or branch runs, or on what a caller feeds.
_NO_FOLD = frozenset({
    "Enter", "RefEnter", "Exit", "RefExit", "Merge", "RefMerge", "NextIteration",
    "RefNextIteration", "Switch", "RefSwitch", "LoopCond", "Placeholder", "PlaceholderV2",
    "PlaceholderWithDefault",
})
_BACK_EDGE_SOURCES = frozenset({"NextIteration", "RefNextIteration"})
_PLACEHOLDERS = frozenset({"Placeholder", "PlaceholderV2"})


class TensorMeta(NamedTuple):
    """What is statically known about one tensor.

    Attributes:
        dtype: its DType, or None when its op is unknown and no attr names a type.
        shape: its Shape (None: unknown rank; None dims: unknown sizes).
        value: its numpy value when it is a graph constant (folded), else None.
    """

    dtype: DType | None
    shape: Shape
    value: np.ndarray | None


_UNKNOWN = TensorMeta(None, None, None)
_NOT_FED = object()


def tensor_key(name: str) -> str:
    """Normalises an input or tensor name to "node:index" ("x" -> "x:0", "^x" -> "x")."""
    if name.startswith("^"):
        return name[1:]
    _, sep, idx = name.rpartition(":")
    if sep and idx.isdigit():
        return name
    return name + ":0"


def _input_node(name: str) -> str:
    name = name.removeprefix("^")
    node, sep, idx = name.rpartition(":")
    return node if sep and idx.isdigit() else name


def topological_order(nodes) -> list:
    """Orders NodeDefs so each comes after its inputs (data and control), by Kahn's algorithm.

    Edges out of NextIteration nodes (while-loop back edges) are ignored, which breaks the only
    cycles a valid TensorFlow graph has. Nodes left on some other cycle come last, in file order.
    """
    nodes = list(nodes)
    index = {n.name: i for i, n in enumerate(nodes)}
    indegree = [0] * len(nodes)
    consumers: list[list[int]] = [[] for _ in nodes]
    for i, n in enumerate(nodes):
        for inp in n.input:
            j = index.get(_input_node(inp))
            if j is None or nodes[j].op in _BACK_EDGE_SOURCES:
                continue
            indegree[i] += 1
            consumers[j].append(i)
    ready = deque(i for i, d in enumerate(indegree) if d == 0)
    order: list[int] = []
    while ready:
        i = ready.popleft()
        order.append(i)
        for c in consumers[i]:
            indegree[c] -= 1
            if indegree[c] == 0:
                ready.append(c)
    if len(order) < len(nodes):
        seen = set(order)
        order.extend(i for i in range(len(nodes)) if i not in seen)
    return [nodes[i] for i in order]


def _fallback_dtypes(node_def, count: int) -> list[DType | None]:
    # An op the registry does not know: take a type from the usual attr names, else None.
    for name in ("dtype", "T", "out_type", "DstT", "Tout", "output_type"):
        if name in node_def.attr and node_def.attr[name].WhichOneof("value") == "type":
            dtype = DType(node_def.attr[name].type)
            return [dtype] * count
    return [None] * count


def _placeholder_shape(node_def) -> Shape:
    if "shape" in node_def.attr:
        return shape_from_proto(node_def.attr["shape"].shape)
    return None


def _refine(inferred: Shape, annotated: Shape) -> Shape:
    # Known dims of either; an annotation that contradicts the computed shape is stale and
    # ignored as a whole.
    if inferred is None:
        return annotated
    if annotated is None or len(annotated) != len(inferred):
        return inferred
    if any(a is not None and b is not None and a != b for a, b in zip(inferred, annotated)):
        return inferred
    return tuple(a if a is not None else b for a, b in zip(inferred, annotated))


def _with_annotations(shapes: list, protos) -> list:
    """Shapes refined by a node's `_output_shapes` annotation, as TensorFlow's importer does.

    Graphs exported with shapes (meta graphs usually are) record what TensorFlow knew when it
    built them, which is more than inference can find inside while loops.
    """
    if len(protos) != len(shapes):
        return shapes
    return [_refine(s, shape_from_proto(p)) for s, p in zip(shapes, protos)]


def _normalize_feeds(feed_shapes) -> dict[str, Shape]:
    out: dict[str, Shape] = {}
    for name, shape in (feed_shapes or {}).items():
        out[tensor_key(name)] = None if shape is None else tuple(
            None if d is None or d < 0 else int(d) for d in shape)
    return out


def _const_meta(node_def, fold_limit: int) -> tuple[Shape, np.ndarray | None]:
    if "value" not in node_def.attr:  # reading a missing map key would add it to the node
        return None, None
    tensor = node_def.attr["value"].tensor
    shape = tuple(d.size for d in tensor.tensor_shape.dim)
    if math.prod(shape) > fold_limit:
        return shape, None
    try:
        value = get_attr(node_def, "value")
    except (ValueError, TypeError):  # a malformed tensor: its shape stands, its value is unknown
        return shape, None
    return tuple(value.shape), value


class _Inference:
    """One pass over a graph in topological order; `metas` is filled node by node."""

    def __init__(self, feed_shapes, fold_limit: int, functions: dict):
        self.functions = functions  # function name -> signature OpDef, from the graph's library
        self.feeds = _normalize_feeds(feed_shapes)
        self.fold_limit = fold_limit
        self.metas: dict[str, TensorMeta] = {}
        self.partials: dict[str, np.ma.MaskedArray] = {}
        self.max_index: dict[str, int] = {}
        self.handle_shapes: dict[str, Shape] = {}  # resource handle tensor -> variable shape

    def count_outputs(self, graph_nodes) -> None:
        # For ops the registry does not know, the consumers tell how many outputs exist.
        for n in graph_nodes:
            for inp in n.input:
                if inp.startswith("^"):
                    continue
                key = tensor_key(inp)
                node, _, idx = key.rpartition(":")
                if int(idx) > self.max_index.get(node, -1):
                    self.max_index[node] = int(idx)

    def run_node(self, node_def) -> None:
        keys = [tensor_key(i) for i in node_def.input if not i.startswith("^")]
        ins = [self.metas.get(k, _UNKNOWN) for k in keys]
        try:
            if node_def.op in self.functions and get_op_def(node_def.op) is None:
                dtypes = signature_output_dtypes(node_def, self.functions[node_def.op])
            else:
                dtypes = output_dtypes(node_def)
        except GraphError:
            dtypes = _fallback_dtypes(node_def, self.max_index.get(node_def.name, 0) + 1)
        count = len(dtypes)
        shapes, values = self._shapes_and_values(node_def, keys, ins, count)
        name = node_def.name
        if "_output_shapes" in node_def.attr:
            shapes = _with_annotations(shapes, node_def.attr["_output_shapes"].list.shape)
        if self.feeds:
            # A fed tensor has the fed shape and is no constant, whatever its op would give.
            for i in range(count):
                fed = self.feeds.get(f"{name}:{i}", _NOT_FED)
                if fed is not _NOT_FED:
                    shapes, values = list(shapes), list(values)
                    shapes[i], values[i] = fed, None
        for i in range(count):
            self.metas[f"{name}:{i}"] = TensorMeta(dtypes[i], shapes[i], values[i])
        if count and values[0] is None and dtypes[0] is not None and f"{name}:0" not in self.feeds:
            self._record_partials(node_def, keys, ins, shapes, dtypes)
        self._track_handles(node_def, keys, count)

    def _track_handles(self, node_def, keys, count) -> None:
        op = node_def.op
        source_attr = HANDLE_SOURCES.get(op)
        if source_attr is not None and source_attr in node_def.attr:
            shape = shape_from_proto(node_def.attr[source_attr].shape)
            if shape is not None:
                self.handle_shapes[f"{node_def.name}:0"] = shape
        elif op in HANDLE_PASSTHROUGH_OPS and keys and keys[0] in self.handle_shapes:
            for i in range(count):
                self.handle_shapes[f"{node_def.name}:{i}"] = self.handle_shapes[keys[0]]

    def _shapes_and_values(self, node_def, keys, ins, count):
        op = node_def.op
        values: list[np.ndarray | None] = [None] * count
        if op == "Const" and count == 1:
            shape, value = _const_meta(node_def, self.fold_limit)
            return [shape], [value]
        if op in _PLACEHOLDERS:
            return [_placeholder_shape(node_def)] * count, values
        if get_op_def(op) is None:
            return [None] * count, values
        if op in RESOURCE_SHAPE_FNS and keys and keys[0] in self.handle_shapes:
            try:
                shapes = RESOURCE_SHAPE_FNS[op](node_def, self.handle_shapes[keys[0]],
                                                [m.shape for m in ins], [m.value for m in ins])
                return shapes, values
            except Exception:
                return [None] * count, values
        shape_inputs = [m.value if m.value is not None else self.partials.get(k)
                        for k, m in zip(keys, ins)]
        try:
            shapes = infer_shapes(node_def, [m.shape for m in ins], shape_inputs)
        except Exception:
            shapes = [None] * count
        if len(shapes) != count:
            shapes = [None] * count
        folded = self._fold(node_def, ins, shapes)
        if folded is not None:
            return [tuple(v.shape) for v in folded], folded
        return shapes, values

    def _fold(self, node_def, ins, shapes) -> list[np.ndarray] | None:
        op = node_def.op
        if op in _NO_FOLD or not has_kernel(op) or any(m.value is None for m in ins):
            return None
        if get_op_def(op).is_stateful:
            return None
        for s in shapes:
            if s is not None and None not in s and math.prod(s) > self.fold_limit:
                return None
        try:
            out = evaluate(node_def, [m.value for m in ins])
        except Exception:
            return None
        if out is None or any(v.size > self.fold_limit for v in out):
            return None
        return out

    def _record_partials(self, node_def, keys, ins, shapes, dtypes) -> None:
        partial = _partial.partial_value(node_def, ins, [self.partials.get(k) for k in keys],
                                         shapes[0], dtypes[0])
        if partial is None:
            return
        key = f"{node_def.name}:0"
        if not np.ma.getmaskarray(partial).any() and partial.size <= self.fold_limit:
            meta = self.metas[key]
            value = np.asarray(partial.filled(0)).astype(meta.dtype.as_numpy_dtype)
            self.metas[key] = TensorMeta(meta.dtype, tuple(value.shape), value)
        else:
            self.partials[key] = partial


def infer_graph_def(graph_def, feed_shapes: dict[str, Shape] | None = None,
                    fold_limit: int = 1 << 20) -> dict[str, TensorMeta]:
    """Infers the dtype, static shape and (when constant) value of every tensor of a GraphDef.

    Nodes are visited in topological order. Constant values flow through registered numpy
    kernels when all inputs are known and the result has at most `fold_limit` elements, and
    partially known shape tensors (`Shape` of a tensor with unknown batch, sliced, packed,
    concatenated) flow too, so chains such as Shape -> StridedSlice -> Pack -> Reshape resolve
    the dims they can. While-loop tensors end up with unknown shapes, as in TensorFlow.

    Where a node carries an `_output_shapes` annotation (meta graphs usually do), its known dims
    fill in what inference leaves unknown, as TensorFlow's importer does.

    Never raises for an op the registry does not know: a call of a function in the graph's
    library gets the dtypes its signature gives; any other unknown op gets a dtype from its attrs
    when one is there (else None); both get unknown shapes.

    Args:
        graph_def: an `ortflow.proto.GraphDef` (or anything with `.node`).
        feed_shapes: shapes of fed tensors, keyed by tensor name ("x:0") or node name (its
            output 0); they replace Placeholders' `shape` attrs, and a fed tensor of any other
            op gets the fed shape and no constant value. -1 or None marks an unknown dim.
        fold_limit: the largest number of elements a folded value may have.

    Returns:
        {"node:index": TensorMeta} for every output of every node.
    """
    nodes = list(graph_def.node)
    library = getattr(graph_def, "library", None)
    functions = {f.signature.name: f.signature for f in library.function} if library else {}
    state = _Inference(feed_shapes, fold_limit, functions)
    state.count_outputs(nodes)
    for node_def in topological_order(nodes):
        state.run_node(node_def)
    return state.metas
