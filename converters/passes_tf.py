"""TF-side passes run before lowering: prune, PlaceholderWithDefault, Switch/Merge, identities,
constant folding and batch-norm folding into convolutions.

Each pass takes a GraphDef (plus what it needs) and returns `(graph_def, changed)`; the passes
build new GraphDefs and never edit the caller's. `run_tf_passes` composes them and returns the
static facts (dtypes, shapes, constant values, topological order) the handlers read.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
from ortflow.converters.context import split_tensor_name, tensor_name
from ortflow.errors import ConversionError, GraphError
from ortflow.formats import dtypes

__all__ = [
    "MAX_FOLD_ELEMENTS",
    "GraphFacts",
    "NodeList",
    "compute_facts",
    "const_value",
    "fold_batch_norm",
    "fold_constants",
    "inline_constant_ifs",
    "inline_function_calls",
    "prune",
    "remove_identities",
    "resolve_constant_switches",
    "resolve_placeholder_defaults",
    "run_tf_passes",
    "topological_order",
]

#: Constant folding leaves results bigger than this many elements to run time (Tile, Fill...).
MAX_FOLD_ELEMENTS = 1 << 20

_IDENTITY_OPS = {"Identity", "Snapshot", "StopGradient", "PreventGradient", "CheckNumerics"}
# Ops never folded: their value is not a function of their inputs, or folding would hide them.
_NO_FOLD = {"Placeholder", "PlaceholderV2", "PlaceholderWithDefault", "Const", "NoOp",
            "RandomUniform", "RandomStandardNormal", "TruncatedNormal", "RandomUniformInt",
            "RandomShuffle", "Multinomial", "Switch", "Merge", "Enter", "Exit", "NextIteration",
            "LoopCond", "VariableV2", "VarHandleOp", "ReadVariableOp", "Assert", "Print", "PrintV2"}
_CONTROL_FLOW = {"Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond", "RefSwitch",
                 "RefMerge", "RefEnter", "RefExit", "RefNextIteration"}


@dataclasses.dataclass
class GraphFacts:
    """Static facts about the graph handed to the handlers."""

    order: list            # NodeDefs in topological order
    dtypes: dict           # tensor name -> DType
    shapes: dict           # tensor name -> Shape (tuple | None)
    values: dict           # tensor name -> np.ndarray of tensors known to be constant
    num_outputs: dict      # node name -> number of outputs


_SRC: dict[str, str] = {}  # input string -> name of the node it reads (memo of `_src`)


def _src(inp: str) -> str:
    hit = _SRC.get(inp)
    if hit is None:
        hit = inp[1:] if inp.startswith("^") else split_tensor_name(inp)[0]
        _SRC[inp] = hit
    return hit


def _data_inputs(node) -> tuple:
    """The canonical tensor names ('a:0') of `node`'s data inputs (control inputs left out),
    computed once per node object during a conversion."""
    hit = _DATA_INPUTS_CACHE.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    data = tuple(tensor_name(i) for i in _inputs(node) if not i.startswith("^"))
    _DATA_INPUTS_CACHE[id(node)] = (node, data)
    return data


def _inputs(node) -> tuple:
    """`node.input` as a tuple of str, read from the message once per node object during a
    conversion (each pass walks every node's inputs; the passes never edit a node they read,
    they copy it)."""
    hit = _INPUTS_CACHE.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    inputs = tuple(node.input)
    _INPUTS_CACHE[id(node)] = (node, inputs)
    return inputs


class NodeList:
    """What the passes hand each other: a GraphDef's nodes as a Python list, its library and
    versions. Building a real GraphDef per pass would copy every node (and its weights) each
    time; `as_graph_def()` builds one when wanted.
    """

    __slots__ = ("library", "node", "versions")

    def __init__(self, nodes: list, library, versions):
        self.node = nodes
        self.library = library
        self.versions = versions

    def as_graph_def(self):
        from ortflow.proto import GraphDef

        out = GraphDef()
        out.node.extend(self.node)
        out.library.CopyFrom(self.library)
        out.versions.CopyFrom(self.versions)
        return out


def _new_graph(graph_def, nodes):
    return NodeList(list(nodes), graph_def.library, graph_def.versions)


_CONST_CACHE: dict[int, tuple] = {}  # id(Const NodeDef) -> (node, value), for one conversion
_SHAPE_CACHE: dict[int, tuple] = {}  # id(NodeDef) -> (node, static output shapes), likewise
_DTYPE_CACHE: dict[int, tuple] = {}  # id(NodeDef) -> (node, output base dtypes), likewise
_LOADED_VALUES: dict[str, np.ndarray] = {}  # Const name -> value left in the file, likewise
_INPUTS_CACHE: dict[int, tuple] = {}  # id(NodeDef) -> (node, tuple of its inputs), likewise
_DATA_INPUTS_CACHE: dict[int, tuple] = {}  # id(NodeDef) -> (node, its data input tensors), likewise


def const_value(node) -> np.ndarray:
    """The value of a Const NodeDef, decoded once per node object during a conversion."""
    hit = _CONST_CACHE.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    tensor = node.attr["value"].tensor
    value = _LOADED_VALUES.get(node.name) if _LOADED_VALUES else None
    if value is not None:
        from ortflow.converters.loader import PLACEHOLDER_CONTENT

        if tensor.tensor_content != PLACEHOLDER_CONTENT:
            value = None  # another node of that name (a pass's): decode its own content
    if value is None:
        value = _readonly_content(tensor)
    if value is None:
        from ortflow.formats.tensors import make_ndarray

        value = make_ndarray(node.attr["value"].tensor)
    _CONST_CACHE[id(node)] = (node, value)
    return value


def _readonly_content(tensor) -> np.ndarray | None:
    """A read-only view of `tensor_content` (no copy of big weights), when that is its form."""
    content = tensor.tensor_content
    np_dtype = dtypes.NUMPY_BY_ENUM.get(tensor.dtype)
    if not content or np_dtype is None or np_dtype.kind == "O" or tensor.tensor_shape.unknown_rank:
        return None
    shape = [d.size for d in tensor.tensor_shape.dim]
    if any(d < 0 for d in shape) or math.prod(shape) * np_dtype.itemsize != len(content):
        return None  # make_ndarray raises the precise error
    return np.frombuffer(content, dtype=np_dtype).reshape(shape)


# --------------------------------------------------------------------------------------------


def run_tf_passes(graph_def, inputs: Sequence[str], outputs: Sequence[str],
                  const_values: dict[str, np.ndarray] | None = None):
    """Runs the TF-side pipeline; returns (nodes ready to lower, as a NodeList, and GraphFacts).

    `const_values`: values of Const nodes whose `tensor_content` `converters.loader` left in
    the file (keyed by node name; see `const_value`).
    """
    caches = (_CONST_CACHE, _SHAPE_CACHE, _DTYPE_CACHE, _LOADED_VALUES, _INPUTS_CACHE, _DATA_INPUTS_CACHE, _SRC)
    for cache in caches:
        cache.clear()
    _LOADED_VALUES.update(const_values or {})
    try:
        return _run_tf_passes(graph_def, inputs, outputs)
    finally:
        for cache in caches:
            cache.clear()


def _run_tf_passes(graph_def, inputs, outputs):
    from ortflow.converters.tables import fold_constant_tables

    _check_names(graph_def, inputs, outputs)
    graph_def, _ = fold_constant_tables(graph_def)  # lookup tables with constant contents
    graph_def, _ = inline_functions(graph_def, outputs)
    graph_def, _ = prune(graph_def, inputs, outputs)
    graph_def, _ = resolve_placeholder_defaults(graph_def, inputs)
    graph_def, _ = remove_identities(graph_def, outputs)
    graph_def, facts = compute_facts(graph_def, inputs)
    graph_def, changed = resolve_constant_switches(graph_def, facts.values, outputs)
    graph_def, changed_if = inline_constant_ifs(graph_def, facts.values, outputs)
    if changed or changed_if:
        graph_def, _ = prune(graph_def, inputs, outputs)
        graph_def, _ = remove_identities(graph_def, outputs)
        graph_def, facts = compute_facts(graph_def, inputs)
    graph_def, changed = fold_constants(graph_def, facts, outputs)
    graph_def, changed2 = fold_batch_norm(graph_def, facts, outputs)
    if changed or changed2:
        graph_def, _ = prune(graph_def, inputs, outputs)
        graph_def, facts = compute_facts(graph_def, inputs)
    for _ in range(_MAX_SWITCH_ROUNDS):
        # folding can leave a cond's predicate constant (tf.image.rot90 compares a constant
        # k % 4 with 0..3 in nested conds): resolve those conds too, then fold what they free
        graph_def, changed = resolve_constant_switches(graph_def, facts.values, outputs)
        if not changed:
            break
        graph_def, _ = prune(graph_def, inputs, outputs)
        graph_def, _ = remove_identities(graph_def, outputs)
        graph_def, facts = compute_facts(graph_def, inputs)
        graph_def, changed = fold_constants(graph_def, facts, outputs)
        if changed:
            graph_def, _ = prune(graph_def, inputs, outputs)
            graph_def, facts = compute_facts(graph_def, inputs)
    return graph_def, _with_loop_ranks(facts.order, facts)


#: Rounds of constant-switch resolution after folding (each round can free nested conds).
_MAX_SWITCH_ROUNDS = 4


def _check_names(graph_def, inputs, outputs) -> None:
    names = {n.name for n in graph_def.node}
    for kind, tensors in (("input", inputs), ("output", outputs)):
        for t in tensors:
            if split_tensor_name(t)[0] not in names:
                raise ConversionError(f"{kind} {t!r} names no node of the graph")


def _cond_pivots(nodes: dict) -> set[str]:
    """Names of v1 cond pivots: Identity nodes of a Switch output, which a branch's nodes
    without data inputs (constants) name as control inputs to say which branch they are on."""
    pivots = set()
    for node in nodes.values():
        if node.op != "Identity":
            continue
        inputs = _inputs(node)
        if inputs and not inputs[0].startswith("^"):
            src = nodes.get(_src(inputs[0]))
            if src is not None and src.op in ("Switch", "RefSwitch"):
                pivots.add(node.name)
    return pivots


def prune(graph_def, inputs: Sequence[str], outputs: Sequence[str]):
    """Keeps the nodes the outputs need given the inputs; drops control inputs, except those
    on a v1 cond's pivots (they tie a branch's constants to their side of the cond).

    A fed tensor whose producer is not a Placeholder turns its producer into one (so the
    subgraph above it is cut off), as feeding it in TensorFlow would.
    """
    nodes = {n.name: n for n in graph_def.node}
    pivots = _cond_pivots(nodes)

    def kept(inp: str) -> bool:
        return not inp.startswith("^") or inp[1:] in pivots
    fed_nodes: dict[str, set[int]] = {}
    for t in inputs:
        node, index = split_tensor_name(t)
        fed_nodes.setdefault(node, set()).add(index)
    keep: set[str] = set()
    stack = [split_tensor_name(t)[0] for t in outputs]
    while stack:
        name = stack.pop()
        if name in keep:
            continue
        keep.add(name)
        if name in fed_nodes:
            continue
        node = nodes.get(name)
        if node is None:
            raise GraphError(f"node {name!r} is an input of the graph's nodes but does not exist")
        for inp in _inputs(node):
            if inp[:1] != "^" or inp[1:] in pivots:
                stack.append(_src(inp))
    keep |= _loop_switches_to_keep(nodes, keep)
    out = []
    changed = len(keep) != len(nodes)
    for node in graph_def.node:
        name = node.name
        if name not in keep:
            continue
        if name in fed_nodes and node.op not in ("Placeholder", "PlaceholderV2",
                                                 "PlaceholderWithDefault"):
            out.append(_fed_source(node, fed_nodes[name]))
            changed = True
            continue
        inputs = _inputs(node)
        if any(i[:1] == "^" for i in inputs) and not all(kept(i) for i in inputs):
            node = _copy(node)
            data = [i for i in node.input if kept(i)]
            del node.input[:]
            node.input.extend(data)
            changed = True
        out.append(node)
    return _new_graph(graph_def, out), changed


def _loop_switches_to_keep(nodes: dict, keep: set[str]) -> set[str]:
    """The Switch of each kept loop variable, even when nothing reads it.

    A loop variable that only the loop's condition reads (NMS's `while_loop` on a flag the
    body recomputes) has a Switch feeding neither the body nor a fetched Exit; without it the
    frame would lose the variable and the loop its structure. Its inputs are kept already.
    """
    extra = set()
    for name, node in nodes.items():
        if node.op != "Switch" or name in keep:
            continue
        data = _data_inputs(node)
        if len(data) == 2 and _src(data[0]) in keep and _src(data[1]) in keep:
            value, pred = nodes.get(_src(data[0])), nodes.get(_src(data[1]))
            if value is not None and pred is not None and value.op == "Merge" and pred.op == "LoopCond":
                extra.add(name)
    return extra


def _copy(node):
    new = type(node)()
    new.CopyFrom(node)
    return new


def _fed_source(node, indices: set[int]):
    """What a fed non-Placeholder node becomes: a Placeholder when it has one output, else the
    node itself without inputs (its attrs keep its outputs' dtypes and shapes; the driver
    declares the fed outputs, such as IteratorGetNext:0 and :1, as graph inputs)."""
    from ortflow.graph import ops

    try:
        multi = len(ops.output_dtypes(node)) > 1
    except GraphError:
        multi = False
    if not multi and indices == {0}:
        return _placeholder_for(node, 0)
    source = _copy(node)
    del source.input[:]
    return source


def _placeholder_for(node, index: int):
    from ortflow.graph import ops

    if index != 0:
        raise ConversionError(f"input {node.name}:{index} is output {index} of a {node.op} node "
                              "whose outputs ortflow cannot type; only its output 0 can be fed")
    try:
        dtype = ops.output_dtypes(node)[0]
    except GraphError:
        key = next((k for k in ("T", "dtype", "out_type") if k in node.attr), None)
        if key is None:
            raise ConversionError(f"input {node.name}:0 is fed, but the type of its {node.op} "
                                  "producer is unknown") from None
        dtype = ops.decode_attr(node.attr[key])
    ph = type(node)(name=node.name, op="Placeholder")
    ph.attr["dtype"].type = dtype.base_dtype.as_datatype_enum
    shapes = node.attr.get("_output_shapes")
    if shapes is not None and shapes.list.shape:
        ph.attr["shape"].shape.CopyFrom(shapes.list.shape[0])
    else:
        ph.attr["shape"].shape.unknown_rank = True
    return ph


def resolve_placeholder_defaults(graph_def, inputs: Sequence[str]):
    """A PlaceholderWithDefault nobody feeds is its default: rewrite it as an Identity."""
    fed = {split_tensor_name(t)[0] for t in inputs}
    out, changed = [], False
    for node in graph_def.node:
        if node.op == "PlaceholderWithDefault" and node.name not in fed:
            ident = type(node)(name=node.name, op="Identity", input=[node.input[0]])
            ident.attr["T"].type = node.attr["dtype"].type
            node, changed = ident, True
        elif node.op == "PlaceholderWithDefault":
            ph = type(node)(name=node.name, op="Placeholder")
            ph.attr["dtype"].CopyFrom(node.attr["dtype"])
            ph.attr["shape"].CopyFrom(node.attr["shape"])
            node, changed = ph, True
        out.append(node)
    return (_new_graph(graph_def, out), True) if changed else (graph_def, False)


def remove_identities(graph_def, outputs: Sequence[str]):
    """Rewires readers of Identity-like nodes (and IdentityN) to the original tensors.

    Identity nodes that are outputs stay (the driver aliases them), so outputs keep their names.
    """
    out_nodes = {split_tensor_name(t)[0] for t in outputs}
    forward: dict[str, str] = {}  # tensor name -> replacement tensor name
    for node in graph_def.node:
        if node.op in _IDENTITY_OPS and node.input:
            forward[f"{node.name}:0"] = tensor_name(node.input[0])
        elif node.op == "IdentityN":
            data = [i for i in node.input if not i.startswith("^")]
            for k, i in enumerate(data):
                forward[f"{node.name}:{k}"] = tensor_name(i)
    if not forward:
        return graph_def, False

    def final(t: str) -> str:
        seen = 0
        while t in forward and seen < 10000:
            t = forward[t]
            seen += 1
        return t

    # pivots a control input names stay: the control edge says which cond branch its reader is on
    out_nodes |= {i[1:] for node in graph_def.node for i in _inputs(node) if i.startswith("^")}
    rewritten: dict[str, str] = {}  # input string -> what readers read instead (memo)

    def rewrite(i: str) -> str:
        new = rewritten.get(i)
        if new is None:
            new = i if i.startswith("^") else _short(final(tensor_name(i)))
            rewritten[i] = new
        return new

    out = []
    for node in graph_def.node:
        if (node.op in _IDENTITY_OPS or node.op == "IdentityN") and node.name not in out_nodes:
            continue
        inputs = _inputs(node)
        new_inputs = [rewrite(i) for i in inputs]
        if tuple(new_inputs) != inputs:
            node = _copy(node)
            del node.input[:]
            node.input.extend(new_inputs)
        out.append(node)
    return _new_graph(graph_def, out), True


def _short(t: str) -> str:
    return t.removesuffix(":0")


# --------------------------------------------------------------------------------------------
# facts: order, dtypes, shapes, values


def topological_order(nodes: Sequence) -> list:
    """Nodes ordered so each comes after its inputs; NextIteration back edges are ignored."""
    by_name = {n.name: n for n in nodes}
    pending: dict[str, int] = {}
    readers: dict[str, list[str]] = {}
    back_edges = {name for name, n in by_name.items() if n.op in ("NextIteration", "RefNextIteration")}
    src_of = _SRC.get
    for n in nodes:
        count = 0
        name = n.name
        for inp in _inputs(n):
            src = src_of(inp) or _src(inp)
            if src in by_name and src not in back_edges:
                reader_list = readers.get(src)
                if reader_list is None:
                    readers[src] = [name]
                else:
                    reader_list.append(name)
                count += 1
        pending[name] = count
    ready = [n.name for n in nodes if pending[n.name] == 0]
    ready.reverse()
    order = []
    while ready:
        name = ready.pop()
        order.append(by_name[name])
        for r in readers.get(name, ()):
            pending[r] -= 1
            if pending[r] == 0:
                ready.append(r)
    if len(order) != len(nodes):
        stuck = sorted(k for k, v in pending.items() if v > 0)[:5]
        raise GraphError(f"the graph has a cycle that is not a while loop (involving {stuck!r})")
    return order


def compute_facts(graph_def, inputs: Sequence[str]):
    """Static dtypes, shapes and constant values of every tensor, in one topological walk.

    The pipeline's last facts also get the loop-variable ranks `_with_loop_ranks` proves (more
    walks, so only once per conversion).
    """
    order = topological_order(graph_def.node)
    return graph_def, _walk_facts(order, {})


#: At most this many walks proving loop ranks (nested loops need a round each).
_MAX_RANK_ROUNDS = 4


def _with_loop_ranks(order: list, facts: GraphFacts) -> GraphFacts:
    """`facts` with the ranks of while-loop variables proven by induction.

    TF's shape functions see a loop Merge's back edge (NextIteration) as unknown, so every loop
    variable, and all that is computed from it, has an unknown rank; a graph output after the
    loop then has no rank for the ONNX graph to declare (onnx.checker wants one). If a walk
    that assumes each variable keeps its initial value's rank (dims unknown) finds that rank
    again on the value fed back, the assumption holds for every iteration. Variables whose
    check fails are dropped for good and the walk repeated; without a walk in which every
    assumption held, the plain facts stand.
    """
    by_name = {n.name: n for n in order}
    merges = {}
    for node in order:
        if node.op != "Merge" or len(node.input) != 2:
            continue
        enter, back = (by_name.get(_src(i)) for i in node.input)
        if enter is not None and back is not None and enter.op == "Enter" and back.op == "NextIteration":
            merges[node.name] = (_data_inputs(enter)[0], _data_inputs(back)[0])
    if not merges:
        return facts
    assumed: dict[str, int] = {}
    rejected: set[str] = set()
    current, proven, proven_for = facts, facts, {}
    for _ in range(_MAX_RANK_ROUNDS):
        wanted = dict(assumed)
        for name, (initial, _fed_back) in merges.items():
            shape = current.shapes.get(initial)
            if name not in wanted and name not in rejected and shape is not None:
                wanted[name] = len(shape)
        if wanted == proven_for:
            return proven
        current = _walk_facts(order, wanted)
        failed = {name for name, rank in wanted.items() if _rank(current.shapes.get(merges[name][1])) != rank}
        if not failed:
            proven, proven_for = current, wanted
        rejected |= failed
        assumed = {name: rank for name, rank in wanted.items() if name not in failed}
    return proven


def _rank(shape) -> int | None:
    return None if shape is None else len(shape)


def _walk_facts(order: list, assumed: dict[str, int], forced: dict[str, int] | None = None) -> GraphFacts:
    """One topological walk; `assumed` gives loop Merges a rank (all dims unknown) to check,
    `forced` TensorArray concats/stacks the rank their array's writes show."""
    from ortflow.graph import ops

    dtypes_: dict = {}
    shapes: dict = {}
    values: dict = {}
    partials: dict = {}
    arrays: dict = {}  # TensorArray handle tensor -> [its TensorArrayV3 node name]; that name -> element rank
    num_outputs: dict = {}
    depth: dict = {}  # node name -> while-frame nesting depth (Enter +1, Exit -1)
    for node in order:
        name = node.name
        depth[name] = max(0, max((depth.get(_src(i), 0) for i in _inputs(node)), default=0)
                          + (node.op in ("Enter", "RefEnter")) - (node.op in ("Exit", "RefExit")))
        hit = _DTYPE_CACHE.get(id(node))
        if hit is not None and hit[0] is node:
            out_dtypes = hit[1]
        else:
            try:
                out_dtypes = [dt.base_dtype for dt in ops.output_dtypes(node)]
            except GraphError:
                out_dtypes = []
            _DTYPE_CACHE[id(node)] = (node, out_dtypes)  # a function of the NodeDef alone
        num_outputs[name] = len(out_dtypes) if out_dtypes else 1
        for i, dt in enumerate(out_dtypes):
            dtypes_[f"{name}:{i}"] = dt
        if node.op == "Const":
            value = const_value(node)
            values[f"{name}:0"] = value
            shapes[f"{name}:0"] = tuple(value.shape)
            continue
        hit = _SHAPE_CACHE.get(id(node))
        if hit is not None and hit[0] is node:
            out_shapes = hit[1]
        elif name in assumed:
            out_shapes = [(None,) * assumed[name], ()]
        else:
            in_names = _data_inputs(node)
            in_shapes = [shapes.get(t) for t in in_names]
            in_values = [values.get(t) for t in in_names]
            out_shapes = _refine_shapes(node, _infer(node, in_shapes, in_values, ops), in_names, in_shapes,
                                        partials)
            if not assumed and out_shapes and all(s is not None and None not in s for s in out_shapes):
                # fully static shapes stay true when the passes later fold this node's inputs
                # (not learnt under assumptions, which a later check may refute)
                _SHAPE_CACHE[id(node)] = (node, out_shapes)
        if node.op in _TENSOR_ARRAY_OPS:
            out_shapes = _tensor_array_shapes(node, out_shapes, shapes, arrays, forced)
        for i, s in enumerate(out_shapes):
            shapes[f"{name}:{i}"] = s
        if node.op in _PARTIAL_OPS and out_dtypes[:1] and out_dtypes[0] in (dtypes.int32, dtypes.int64):
            part = _partial_value(node, _data_inputs(node), shapes, values, partials)
            if part is not None:
                part = _in_range(part, out_dtypes[0])
                partials[f"{name}:0"] = part
                if not depth[name] and None not in part.reshape(-1).tolist():
                    # every entry proven (the static dims of a Shape): a constant for folding and
                    # for handlers (outside loop frames: a frame's constants need its control edges)
                    values[f"{name}:0"] = np.array(part.tolist(), dtype=out_dtypes[0].as_numpy_dtype)
    if forced is None and arrays.get("late"):
        # a concat/stack read before its array's writes in the walk (after a loop): walk again
        # with the element rank those writes showed
        late = {}
        for node in arrays["late"]:
            rank = _read_rank(node, arrays.get(("rank", arrays.get(_data_inputs(node)[0])), -1))
            if rank is not None:
                late[node.name] = rank
        if late:
            return _walk_facts(order, assumed, late)
    return GraphFacts(order, dtypes_, shapes, values, num_outputs)


# --------------------------------------------------------------------------------------------
# TensorArrays made with infer_shape=False: the element rank their writes show

_TENSOR_ARRAY_OPS = {"TensorArrayV3", "Enter", "Identity", "TensorArrayWriteV3", "TensorArrayScatterV3",
                     "TensorArraySplitV3", "TensorArrayConcatV3", "TensorArrayGatherV3", "TensorArrayReadV3"}


def _tensor_array_shapes(node, out_shapes, shapes: dict, arrays: dict, forced: dict | None):
    """Tracks which TensorArray a handle is (through Enter/Identity) and the element rank its
    writes show; a read, concat or gather of an array whose element shape TF left open (made
    with infer_shape=False, or by an unstack of a value of unknown rank) gets that rank, all
    dims unknown."""
    op, inputs = node.op, _data_inputs(node)
    if op == "TensorArrayV3":
        arrays[f"{node.name}:0"] = node.name
        return out_shapes
    array = arrays.get(inputs[0]) if inputs else None
    if array is None:
        return out_shapes
    if op in ("Enter", "Identity"):
        arrays[f"{node.name}:0"] = array
        return out_shapes
    if op in ("TensorArrayWriteV3", "TensorArrayScatterV3", "TensorArraySplitV3"):
        value = shapes.get(inputs[2] if op != "TensorArraySplitV3" else inputs[1])
        if value is not None:
            rank = len(value) - (op == "TensorArrayScatterV3")
            if rank >= 0 and arrays.setdefault(("rank", array), rank) != rank:
                arrays[("rank", array)] = -1  # writes disagree: no rank
        return out_shapes
    if out_shapes and out_shapes[0] is not None:
        return out_shapes
    rank = (forced or {}).get(node.name)
    if rank is None:
        rank = _read_rank(node, arrays.get(("rank", array), -1))
    if rank is None:
        arrays.setdefault("late", []).append(node)
        return out_shapes
    return [(None,) * rank, *out_shapes[1:]] if out_shapes else [(None,) * rank]


def _read_rank(node, element_rank: int) -> int | None:
    """The rank of what a TensorArray read/concat/gather returns for elements of `element_rank`."""
    if element_rank < (1 if node.op == "TensorArrayConcatV3" else 0):
        return None
    return element_rank + (node.op == "TensorArrayGatherV3")


# --------------------------------------------------------------------------------------------
# partial shape values: int tensors some of whose entries are known (TF's constant_value_as_shape)

#: Ops whose output's partial value `_partial_value` works out from its inputs'.
_PARTIAL_OPS = {"Shape", "Identity", "Cast", "Pack", "ConcatV2", "StridedSlice", "GatherV2", "Add", "AddV2",
                "Sub", "Mul", "FloorDiv", "Maximum", "Minimum", "ExpandDims", "Reshape"}
#: op -> index of the input holding its output's shape
_SHAPE_INPUT = {"Reshape": 1, "Fill": 0, "BroadcastTo": 1, "Conv2DBackpropInput": 0, "Conv3DBackpropInputV2": 0,
                "DepthwiseConv2dNativeBackpropInput": 0, "RandomUniform": 0, "RandomStandardNormal": 0,
                "TruncatedNormal": 0, "Empty": 0}
_ELEMENTWISE = {"Add": lambda a, b: a + b, "AddV2": lambda a, b: a + b, "Sub": lambda a, b: a - b,
                "Mul": lambda a, b: a * b, "FloorDiv": lambda a, b: a // b if b else None,
                "Maximum": max, "Minimum": min}


def _partial_of(t: str, values: dict, partials: dict):
    """The partial value of int tensor `t`: an object array (rank 0 or 1) of ints and Nones."""
    value = values.get(t)
    if value is not None:
        value = np.asarray(value)
        if value.dtype.kind in "iu" and value.ndim <= 1:
            return np.array(value.tolist(), dtype=object)
        return None
    return partials.get(t)


def _in_range(part, dtype):
    """`part` with entries outside `dtype`'s range unknown (TF's int arithmetic wraps; these
    Python ints do not)."""
    info = np.iinfo(dtype.as_numpy_dtype)
    flat = [None if v is None or not info.min <= v <= info.max else v for v in part.reshape(-1).tolist()]
    return np.array(flat, dtype=object).reshape(part.shape)


def _unknown_entries(shape):
    """An all-unknown partial value for an int tensor of static `shape` (rank 0 or 1)."""
    if shape is None or len(shape) > 1 or (shape and shape[0] is None):
        return None
    return np.array(None, dtype=object) if not shape else np.array([None] * shape[0], dtype=object)


def _partial_value(node, inputs: tuple, shapes: dict, values: dict, partials: dict):
    """The partial value of `node`'s first output, or None when nothing of it is known.

    Tracks the shape arithmetic TF emits around Shape (Pack, ConcatV2, StridedSlice, Gather,
    elementwise +-*//): what it proves lets `_refine_shapes` give a Reshape/Fill/Tile/conv
    backprop output the dims TF's own inference knows.
    """
    op = node.op
    try:
        if op == "Shape":
            shape = shapes.get(inputs[0])
            return None if shape is None else np.array(list(shape), dtype=object)
        ins = [_partial_of(t, values, partials) for t in inputs]
        if op in ("Pack", "ConcatV2"):  # an input of known length whose entries are all unknown
            ins = [_unknown_entries(shapes.get(t)) if p is None else p for p, t in zip(ins, inputs)]
        if op in ("Identity", "Cast"):
            return ins[0]
        if op == "Pack":
            if _attr(node, "axis", 0) != 0 or any(p is None or p.ndim != 0 for p in ins):
                return None
            return np.array([p.item() for p in ins], dtype=object)
        if op == "ConcatV2":
            axis = values.get(inputs[-1])
            if axis is None or int(axis) not in (0, -1) or any(p is None or p.ndim != 1 for p in ins[:-1]):
                return None
            return np.concatenate(ins[:-1]) if len(ins) > 1 else None
        if op in ("ExpandDims", "Reshape"):
            p, out_shape = ins[0], shapes.get(f"{node.name}:0")
            if p is None or out_shape is None or len(out_shape) > 1 or p.size != (out_shape[0] if out_shape else 1):
                return None
            return p.reshape(out_shape)
        if op == "GatherV2":
            p, idx, axis = ins[0], values.get(inputs[1]), values.get(inputs[2])
            if p is None or p.ndim != 1 or idx is None or axis is None or int(axis) != 0:
                return None
            return np.array(p[np.asarray(idx)], dtype=object)
        if op == "StridedSlice":
            return _partial_slice(node, ins[0], [values.get(t) for t in inputs[1:4]])
        if op in _ELEMENTWISE:
            a, b = ins
            if a is None or b is None:
                return None
            fn = _ELEMENTWISE[op]
            a, b = np.broadcast_arrays(a, b)
            out = [None if x is None or y is None else fn(int(x), int(y)) for x, y in zip(a.reshape(-1), b.reshape(-1))]
            return np.array(out, dtype=object).reshape(a.shape)
    except (ValueError, IndexError, TypeError, AttributeError, OverflowError):
        return None  # what the arithmetic cannot follow stays unknown
    return None


def _partial_slice(node, p, spec):
    if p is None or p.ndim != 1 or any(v is None or np.asarray(v).shape != (1,) for v in spec):
        return None
    if _attr(node, "ellipsis_mask", 0) or _attr(node, "new_axis_mask", 0):
        return None
    begin, end, stride = (int(np.asarray(v)[0]) for v in spec)
    if _attr(node, "shrink_axis_mask", 0) & 1:
        return np.array(p[begin], dtype=object)
    begin = None if _attr(node, "begin_mask", 0) & 1 else begin
    end = None if _attr(node, "end_mask", 0) & 1 else end
    return np.array(p[begin:end:stride].tolist(), dtype=object)


def _refine_shapes(node, out_shapes, in_names: tuple, in_shapes: list, partials: dict):
    """`out_shapes` with the dims a partial shape value proves filled in (first output only)."""
    if not partials:
        return out_shapes
    index = _SHAPE_INPUT.get(node.op)
    if index is not None:
        part = partials.get(in_names[index]) if index < len(in_names) else None
        if part is None or part.ndim != 1:
            return out_shapes
        proven = [d if d is not None and d >= 0 else None for d in part.tolist()]
    elif node.op == "Tile" and len(in_names) == 2:
        part, shape = partials.get(in_names[1]), in_shapes[0]
        if part is None or part.ndim != 1 or shape is None or len(shape) != len(part):
            return out_shapes
        proven = [None if d is None or m is None else d * m for d, m in zip(shape, part.tolist())]
    else:
        return out_shapes
    current = out_shapes[0] if out_shapes else None
    if current is None:
        current = (None,) * len(proven)
    if len(current) != len(proven):
        return out_shapes
    merged = tuple(c if c is not None else p for c, p in zip(current, proven))
    return [merged, *out_shapes[1:]] if out_shapes else [merged]


def _infer(node, in_shapes, in_values, ops):
    if node.op in ("Placeholder", "PlaceholderV2", "PlaceholderWithDefault"):
        attr = node.attr.get("shape")
        if attr is not None:
            return [ops.shape_from_proto(attr.shape)]
        return [None]
    try:
        shapes = ops.infer_shapes(node, in_shapes, in_values)
    except GraphError:
        shapes = []
    if not shapes or all(s is None for s in shapes):
        declared = node.attr.get("_output_shapes")
        if declared is not None and declared.list.shape:
            return [ops.shape_from_proto(s) for s in declared.list.shape]
    return shapes


# --------------------------------------------------------------------------------------------
# control flow with a constant predicate


def resolve_constant_switches(graph_def, values: dict, outputs: Sequence[str]):
    """Switch nodes with a constant predicate become Identity of their live branch; nodes fed
    only by dead branches disappear, and a Merge with one live input becomes an Identity of it
    (its `value_index` output becomes a constant).
    """
    nodes = list(graph_def.node)
    switches = {n.name: bool(np.asarray(values[tensor_name(n.input[1])]).reshape(()))
                for n in nodes if n.op == "Switch" and tensor_name(n.input[1]) in values}
    if not switches:
        return graph_def, False
    dead: set[str] = set()  # dead tensors
    out = []
    for node in topological_order(nodes):
        data = [tensor_name(i) for i in node.input if not i.startswith("^")]
        if node.name in switches:
            live = 1 if switches[node.name] else 0
            if data[0] in dead:
                dead.update({f"{node.name}:0", f"{node.name}:1"})
                continue
            dead.add(f"{node.name}:{1 - live}")
            ident = type(node)(name=node.name + "/live", op="Identity", input=[data[0]])
            ident.attr["T"].CopyFrom(node.attr["T"])
            out.append(ident)
            # keep the Switch's tensor names readable: rename readers below
            continue
        if node.op == "Merge":
            live_inputs = [(k, t) for k, t in enumerate(data) if t not in dead]
            if not live_inputs:
                dead.update({f"{node.name}:0", f"{node.name}:1"})
                continue
            if len(live_inputs) == 1:
                k, t = live_inputs[0]
                ident = type(node)(name=node.name, op="Identity", input=[t])
                ident.attr["T"].CopyFrom(node.attr["T"])
                out.append(ident)
                index = type(node)(name=node.name + "/value_index", op="Const")
                index.attr["dtype"].type = 3  # DT_INT32
                from ortflow.formats.tensors import make_tensor_proto

                index.attr["value"].tensor.CopyFrom(make_tensor_proto(np.int32(k)))
                out.append(index)
                continue
            out.append(node)
            continue
        if any(t in dead for t in data) or any(f"{i[1:]}:0" in dead for i in node.input
                                               if i.startswith("^")):
            for i in range(8):
                dead.add(f"{node.name}:{i}")
            continue
        out.append(node)
    # rewire readers of live switch outputs and of Merge value_index
    rename = {}
    for name, pred in switches.items():
        rename[f"{name}:{1 if pred else 0}"] = f"{name}/live:0"
    merged = {n.name for n in out if n.op == "Identity"} & {n.name for n in nodes if n.op == "Merge"}
    for m in merged:
        rename[f"{m}:1"] = f"{m}/value_index:0"
    final = []
    for node in out:
        new_inputs = [i if i.startswith("^") else _short(rename.get(tensor_name(i), tensor_name(i)))
                      for i in node.input]
        if new_inputs != list(node.input):
            node = _copy(node)
            del node.input[:]
            node.input.extend(new_inputs)
        final.append(node)
    for t in outputs:
        if t in dead:
            raise ConversionError(f"output {t!r} lies on a branch the constant predicate never takes")
    return _new_graph(graph_def, final), True


def inline_constant_ifs(graph_def, values: dict, outputs: Sequence[str]):
    """If/StatelessIf with a constant predicate become the taken branch's function body, inlined
    under the If node's name ('cond/dropout/Mul'); readers of the If's outputs are rewired."""
    functions = {f.signature.name: f for f in graph_def.library.function}
    out, rename, changed = [], {}, False
    for node in graph_def.node:
        if node.op not in ("If", "StatelessIf") or tensor_name(node.input[0]) not in values:
            out.append(node)
            continue
        pred = _truth(values[tensor_name(node.input[0])])
        branch = node.attr["then_branch" if pred else "else_branch"].func.name
        fdef = functions.get(branch)
        if fdef is None:
            raise ConversionError(f"If node {node.name!r}: its branch function {branch!r} is not in "
                                  "the graph's library")
        args = [tensor_name(i) for i in node.input[1:] if not i.startswith("^")]
        body, results = _inline_function(fdef, node.name, args)
        out.extend(body)
        for k, t in enumerate(results):
            rename[f"{node.name}:{k}"] = t
        changed = True
    if not changed:
        return graph_def, False
    for t in outputs:
        if t in rename:
            raise ConversionError(f"output {t!r} is an If output; ask for a tensor after it")
    return _new_graph(graph_def, [_rewire(n, rename) for n in out]), True


#: Call ops whose function `f` is inlined; nested calls are inlined up to this depth.
_CALL_OPS = ("PartitionedCall", "StatefulPartitionedCall")
_MAX_CALL_DEPTH = 8
#: Inlining stops with an error past this many nodes, or this many times the graph's own count.
_MAX_INLINED_NODES = 2_000_000
_MAX_INLINED_GROWTH = 64


def inline_function_calls(graph_def, outputs: Sequence[str]):
    """(Stateful)PartitionedCall nodes become their function's body, inlined under the call's
    name, and an IdentityN of the results under the call's own name (see `_call_end`). Keras 3
    leaves such calls in frozen graphs (ConvNeXt's depthwise convolutions run through an
    XLA-marked function)."""
    functions = {f.signature.name: f for f in graph_def.library.function}
    changed_any = False
    for _ in range(_MAX_CALL_DEPTH):
        out, rename, changed = [], {}, False
        for node in graph_def.node:
            if node.op not in _CALL_OPS:
                out.append(node)
                continue
            name = node.attr["f"].func.name
            fdef = functions.get(name)
            if fdef is None:
                raise ConversionError(f"{node.op} node {node.name!r}: its function {name!r} is not in "
                                      "the graph's library")
            args = [tensor_name(i) for i in node.input if not i.startswith("^")]
            controls = [i for i in node.input if i.startswith("^")]
            body, results = _inline_function(fdef, node.name, args, controls)
            out.extend(body)
            out.append(_call_end(node, fdef, results))
            changed = True
        if not changed:
            break
        graph_def = _new_graph(graph_def, out)
        changed_any = True
    return graph_def, changed_any


def inline_functions(graph_def, outputs: Sequence[str]):
    """Function calls inlined and TF2 functional control flow (If/Case/While) lowered to TF 1.x
    frames, alternately, until neither is left (a While's body may call functions that hold
    Ifs)."""
    from ortflow.converters.functional_flow import lower_functional_control_flow

    changed_any = False
    limit = max(_MAX_INLINED_NODES, _MAX_INLINED_GROWTH * len(graph_def.node))
    for _ in range(_MAX_CALL_DEPTH):
        graph_def, inlined = inline_function_calls(graph_def, outputs)
        graph_def, lowered = lower_functional_control_flow(graph_def, outputs)
        changed_any = changed_any or inlined or lowered
        if len(graph_def.node) > limit:  # functions calling themselves would grow it without end
            raise ConversionError(f"inlining the graph's functions makes over {limit} nodes; are they "
                                  "recursive?")
        if not lowered:
            break
    return graph_def, changed_any


def _truth(value) -> bool:
    value = np.asarray(value)
    if value.dtype.kind in "OSU":
        return bool(value.size and value.reshape(-1)[0])
    return bool(value.reshape(-1)[0]) if value.size == 1 else value.size > 0


def _call_end(call, fdef, results: list[str]):
    """The node that takes the inlined call's name: an IdentityN of the body's results (a NoOp
    when there are none) that also waits for the body's side effects (`control_ret`). Readers
    of `call:k`, control inputs `^call` and fetches keep their meaning."""
    from ortflow.proto import NodeDef

    end = NodeDef(name=call.name, op="IdentityN" if results else "NoOp", device=call.device)
    end.input.extend(_short(t) for t in results)
    if results:
        end.attr["T"].list.type.extend(call.attr["Tout"].list.type)
    sides = [f"{call.name}/{n}" for n in fdef.control_ret.values()]
    end.input.extend(f"^{n}" for n in dict.fromkeys(sides))
    return end


def _inline_function(fdef, prefix: str, args: list[str], controls: Sequence[str] = ()):
    """The body NodeDefs of `fdef` renamed under `prefix`, fed `args`; and its result tensors.

    Control edges inside the body are kept (renamed): TF2 functions order their reads and writes
    of variables with them. `controls` (a call's own control inputs) go to every body node that
    reads nothing else of the body, so the whole body runs after them."""
    sig = fdef.signature
    arg_map = {a.name: t for a, t in zip(sig.input_arg, args)}
    if len(args) != len(sig.input_arg):
        raise ConversionError(f"function {sig.name!r} takes {len(sig.input_arg)} inputs, the call "
                              f"passes {len(args)}")
    offsets = {n.name: _output_offsets(n) for n in fdef.node_def}

    def ref(name: str) -> str:
        if name in arg_map:
            return arg_map[name]
        parts = name.split(":")
        node = parts[0]
        if len(parts) == 3 and node in offsets:
            return f"{prefix}/{node}:{offsets[node].get(parts[1], 0) + int(parts[2])}"
        if len(parts) == 2 and parts[0] in arg_map:
            return arg_map[parts[0]]
        return f"{prefix}/{node}:{parts[1] if len(parts) == 2 else 0}"

    body = []
    for n in fdef.node_def:
        new = _copy(n)
        new.name = f"{prefix}/{n.name}"
        del new.input[:]
        new.input.extend(_short(ref(i)) for i in n.input if not i.startswith("^"))
        new.input.extend(f"^{prefix}/{i[1:]}" for i in n.input if i.startswith("^") and i[1:] in offsets)
        if controls and not any(i.lstrip("^").split(":")[0] in offsets for i in n.input):
            new.input.extend(controls)
        body.append(new)
    results = [ref(fdef.ret[a.name]) for a in sig.output_arg]
    return body, results


def _output_offsets(node) -> dict[str, int]:
    """Output arg name -> index of its first tensor among the node's flat outputs."""
    from ortflow.graph import ops

    op_def = ops.get_op_def(node.op)
    if op_def is None:
        return {}
    offsets, pos = {}, 0
    for arg in op_def.output_arg:
        offsets[arg.name] = pos
        if arg.number_attr:
            pos += int(ops.get_attr(node, arg.number_attr))
        elif arg.type_list_attr:
            pos += len(ops.get_attr(node, arg.type_list_attr))
        else:
            pos += 1
    return offsets


# --------------------------------------------------------------------------------------------
# constant folding


def fold_constants(graph_def, facts: GraphFacts, outputs: Sequence[str]):
    """Replaces every node whose inputs are all constant by Const nodes of its outputs.

    Values come from the op registry's numpy kernels; results over MAX_FOLD_ELEMENTS elements,
    stateful or random ops, and ops without a kernel are left alone.
    """
    from ortflow.formats.tensors import make_tensor_proto
    from ortflow.graph import ops

    values = facts.values
    replaced: dict[str, list[np.ndarray]] = {}
    # A multi-output node folds into one Const per output, under new names; the graph's own
    # outputs keep their names, so a node that produces one of them is not folded.
    output_nodes = {t.rpartition(":")[0] if ":" in t else t for t in outputs}
    for node in facts.order:
        if node.op in _NO_FOLD or node.op in _CONTROL_FLOW or not node.input:
            continue
        data = _data_inputs(node)
        if not data or any(t not in values for t in data):
            continue
        if ops.is_stateful(node.op) if ops.is_known(node.op) else True:
            continue
        try:
            result = ops.evaluate(node, [values[t] for t in data])
        except GraphError:
            continue
        if result is None or any(np.asarray(r).size > MAX_FOLD_ELEMENTS for r in result):
            continue
        result = [np.asarray(r) for r in result]
        if len(result) > 1 and node.name in output_nodes:
            continue
        for i, r in enumerate(result):
            values[f"{node.name}:{i}"] = r
        replaced[node.name] = result
    if not replaced:
        return graph_def, False
    out = []
    for node in graph_def.node:
        result = replaced.get(node.name)
        if result is None:
            out.append(node)
            continue
        if len(result) == 1:
            out.append(_const_node(type(node), node.name, result[0], make_tensor_proto))
        else:
            # multi-output: one Const per output, readers rewired
            for i, r in enumerate(result):
                out.append(_const_node(type(node), f"{node.name}/out{i}", r, make_tensor_proto))
    if any(len(r) > 1 for r in replaced.values()):
        rename = {f"{n}:{i}": f"{n}/out{i}:0" for n, r in replaced.items() if len(r) > 1
                  for i in range(len(r))}
        out = [_rewire(n, rename) for n in out]
    return _new_graph(graph_def, out), True


def _const_node(cls, name, value, make_tensor_proto):
    node = cls(name=name, op="Const")
    node.attr["dtype"].type = dtypes.as_dtype(value.dtype).as_datatype_enum
    node.attr["value"].tensor.CopyFrom(make_tensor_proto(value))
    _CONST_CACHE[id(node)] = (node, value)
    return node


def _rewire(node, rename: dict):
    new_inputs = [i if i.startswith("^") else _short(rename.get(tensor_name(i), tensor_name(i)))
                  for i in node.input]
    if new_inputs == list(node.input):
        return node
    node = _copy(node)
    del node.input[:]
    node.input.extend(new_inputs)
    return node


# --------------------------------------------------------------------------------------------
# batch-norm folding


def fold_batch_norm(graph_def, facts: GraphFacts, outputs: Sequence[str]):
    """Inference-mode FusedBatchNorm* with constant parameters becomes x * s + b (s and b folded
    constants, shaped per channel for the node's data_format).

    The ONNX-side `fuse_conv_affine` then folds the Mul and Add into a preceding convolution's
    weights and bias, so `Conv -> BatchNorm` costs one Conv. Only output 0 may be read.
    """
    from ortflow.formats.tensors import make_tensor_proto

    values = facts.values
    read = None  # tensors some node or the caller reads: computed at the first candidate
    out, changed = [], False
    for node in graph_def.node:
        if node.op not in ("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"):
            out.append(node)
            continue
        if read is None:
            read = _read_tensors(graph_def, outputs)
        params = [values.get(tensor_name(i)) for i in node.input[1:5]]
        if _attr(node, "is_training", True) or any(p is None for p in params) \
                or any(f"{node.name}:{k}" in read for k in range(1, 6)):
            out.append(node)
            continue
        scale, offset, mean, var = (np.asarray(p, np.float64) for p in params)
        eps = _attr(node, "epsilon", 1e-4)
        mult = scale / np.sqrt(var + eps)
        shift = offset - mean * mult
        dtype = facts.dtypes.get(tensor_name(node.input[0]))
        np_dtype = dtype.as_numpy_dtype if dtype is not None else np.float32
        fmt = _attr(node, "data_format", b"NHWC")
        rank = len(facts.shapes.get(tensor_name(node.input[0])) or (0,) * 4)
        if fmt.startswith(b"NC"):
            mult = mult.reshape((-1,) + (1,) * (rank - 2))
            shift = shift.reshape((-1,) + (1,) * (rank - 2))
        cls = type(node)
        m_const = _const_node(cls, f"{node.name}/bn_mul", mult.astype(np_dtype), make_tensor_proto)
        a_const = _const_node(cls, f"{node.name}/bn_add", shift.astype(np_dtype), make_tensor_proto)
        mul = cls(name=f"{node.name}/bn_scaled", op="Mul", input=[node.input[0], m_const.name])
        mul.attr["T"].CopyFrom(node.attr["T"])
        add = cls(name=node.name, op="AddV2", input=[mul.name, a_const.name])
        add.attr["T"].CopyFrom(node.attr["T"])
        out.extend([m_const, a_const, mul, add])
        changed = True
    return (_new_graph(graph_def, out), True) if changed else (graph_def, False)


def _attr(node, name: str, default):
    if name not in node.attr:
        return default
    value = node.attr[name]
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else default


def _read_tensors(graph_def, outputs) -> set[str]:
    read = set(outputs)
    for node in graph_def.node:
        read.update(_data_inputs(node))
    return read
