"""Lowering: the part of a graph one `Session.run` signature needs -> a runnable ONNX model.

A signature is (fed tensors, fetched tensors, target ops). `plan_subgraph` walks back from the
fetches and targets through data and control inputs, stopping at fed tensors, and rewrites the
nodes it reaches into a stateless GraphDef that the converter can lower:

* a fed tensor becomes a Placeholder (feeding an intermediate tensor cuts the graph there);
* a variable that the subgraph reads (VariableV2, VarHandleOp) becomes a Placeholder fed from the
  session's state; `ReadVariableOp` and `ResourceGather` read that placeholder;
* a state-changing op (Assign, AssignAdd, AssignSub, ScatterUpdate and their resource forms)
  becomes the op computing the new value (Identity, AddV2, Sub, TensorScatterUpdate), and that
  value becomes an extra output that the session writes back to the variable after the run;
* `IsVariableInitialized` / `VarIsInitializedOp` become boolean placeholders the session feeds;
* ops that only matter for their side effects and that ONNX has no use for (NoOp) are dropped;
* Print, PrintV2 and Assert become `SideEffect`s: the tensors they print or check (and, inside
  a cond branch, whether the branch ran) become extra outputs, merged out of each enclosing cond
  with a default on the untaken side, and the session prints or raises after the run (see
  `runtime/effects.py`). An Assert inside a while loop (at the top level of the graph) is
  carried out as an "every check held" loop variable.
* A Print or PrintV2 inside a while loop, or an Assert in a nested loop or in a loop inside a
  cond, needs each pass's values, which an ONNX Loop cannot hand out cheaply: such a signature
  keeps its Print/PrintV2/Assert nodes and runs on the numpy interpreter, which prints and
  checks as each pass runs (`SubgraphPlan.inline_effects`); a node without a numpy kernel runs
  there alone, as a one-node onnxruntime model. When some node can run neither way (string,
  complex or handle values without a numpy kernel), the signature runs on onnxruntime as
  above, and those effects are left out (a warning says which).

Reads of a variable see its value at the start of the run, unless an assign of that variable
is among the reading node's ancestors (data or control dependencies, e.g.
`with control_dependencies([assign]): read_value()`): then the read sees the assigned value,
as in TensorFlow. Unordered reads and writes in one run are undefined in TensorFlow too.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from ortflow.errors import InvalidArgumentError, NotFoundError
from ortflow.graph.naming import split_tensor_name
from ortflow.proto import GraphDef, NodeDef

__all__ = [
    "VARIABLE_OPS",
    "GraphIndex",
    "SideEffect",
    "SubgraphPlan",
    "canonical_tensor_name",
    "format_shape",
    "plan_subgraph",
    "split_tensor_name",
]

REF_VARIABLE_OPS = frozenset({"VariableV2", "Variable", "VariableV1"})
RESOURCE_VARIABLE_OPS = frozenset({"VarHandleOp"})
VARIABLE_OPS = REF_VARIABLE_OPS | RESOURCE_VARIABLE_OPS

# op type -> (TF op computing the new value from (old, operand), reads the old value?)
_ASSIGN_OPS = {
    "Assign": ("Identity", False),
    "AssignVariableOp": ("Identity", False),
    "AssignAdd": ("AddV2", True),
    "AssignAddVariableOp": ("AddV2", True),
    "AssignSub": ("Sub", True),
    "AssignSubVariableOp": ("Sub", True),
    "ScatterUpdate": ("TensorScatterUpdate", True),
    "ResourceScatterUpdate": ("TensorScatterUpdate", True),
    "ScatterAdd": ("TensorScatterAdd", True),
    "ScatterSub": ("TensorScatterSub", True),
    "ScatterNdUpdate": ("TensorScatterUpdate", True),
    "ScatterNdAdd": ("TensorScatterAdd", True),
    "ScatterNdSub": ("TensorScatterSub", True),
    "ScatterMax": ("TensorScatterMax", True),
    "ScatterMin": ("TensorScatterMin", True),
    "ScatterNdMax": ("TensorScatterMax", True),
    "ScatterNdMin": ("TensorScatterMin", True),
    "ResourceScatterAdd": ("TensorScatterAdd", True),
    "ResourceScatterSub": ("TensorScatterSub", True),
    "ResourceScatterMax": ("TensorScatterMax", True),
    "ResourceScatterMin": ("TensorScatterMin", True),
    "ResourceScatterNdUpdate": ("TensorScatterUpdate", True),
    "ResourceScatterNdAdd": ("TensorScatterAdd", True),
    "ResourceScatterNdSub": ("TensorScatterSub", True),
    "ScatterMul": ("_OrtflowTensorScatterMul", True),
    "ScatterDiv": ("_OrtflowTensorScatterDiv", True),
    "ResourceScatterMul": ("_OrtflowTensorScatterMul", True),
    "ResourceScatterDiv": ("_OrtflowTensorScatterDiv", True),
}
# Scatter ops whose indices pick whole rows (the others' last index axis holds index tuples).
_ROW_SCATTER_OPS = frozenset({"ScatterUpdate", "ResourceScatterUpdate", "ScatterAdd", "ScatterSub", "ScatterMax",
                              "ScatterMin", "ResourceScatterAdd", "ResourceScatterSub", "ResourceScatterMax",
                              "ResourceScatterMin", "ScatterMul", "ScatterDiv", "ResourceScatterMul",
                              "ResourceScatterDiv"})
_INIT_CHECK_OPS = frozenset({"IsVariableInitialized", "VarIsInitializedOp"})
_DROPPED_OPS = frozenset({"Assert", "NoOp", "PrintV2", "ControlTrigger", "TensorArrayCloseV3"})
_INLINE_DROPPED_OPS = frozenset({"ControlTrigger", "TensorArrayCloseV3"})
_EFFECT_OPS = frozenset({"Assert", "Print", "PrintV2"})
_PLACEHOLDER_OPS = frozenset({"Placeholder", "PlaceholderV2"})


class NameNotFoundError(NotFoundError, ValueError):
    """A fetch, feed or target names nothing in the graph.

    A NotFoundError, and also a ValueError because that is what TensorFlow's `Session.run`
    raises for such a name (code written for TF catches ValueError).
    """


def canonical_tensor_name(name: str) -> str:
    """A NodeDef input string or a tensor name as 'node:index'."""
    node, index = split_tensor_name(name)
    return f"{node}:{index}"


def format_shape(shape) -> str:
    """A static shape the way TensorFlow prints it in feed errors: '(?, 4)', '<unknown>'."""
    if shape is None:
        return "<unknown>"
    dims = ", ".join("?" if d is None else str(d) for d in shape)
    return f"({dims},)" if len(shape) == 1 else f"({dims})"


def _bracket_shape(shape) -> str:
    if shape is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def _inline_functions(graph_def: GraphDef) -> GraphDef:
    """Function calls inlined and functional control flow lowered (names kept: see
    `converters.functional_flow`), so variables read in a cond branch or a loop body are the
    session's; graphs without them are returned as they are."""
    from ortflow.converters.functional_flow import FUNCTIONAL_OPS

    if not any(n.op in FUNCTIONAL_OPS or n.op in ("PartitionedCall", "StatefulPartitionedCall")
               for n in graph_def.node):
        return graph_def
    from ortflow.converters.passes_tf import inline_functions

    lowered, _ = inline_functions(graph_def, ())
    return lowered.as_graph_def()


class GraphIndex:
    """A GraphDef's nodes by name, with the registry's facts about each output, cached."""

    def __init__(self, graph_def: GraphDef):
        from ortflow.runtime.checks import lower_check_numerics
        from ortflow.runtime.tables import lower_tables

        # lookup tables become variables and plain ops; CheckNumerics become Asserts; TF2's
        # function calls and functional If/Case/While become TF 1.x nodes
        self.source_graph_def = graph_def  # as given: what Session.graph_def shows
        graph_def = lower_check_numerics(lower_tables(_inline_functions(graph_def)))
        self.graph_def = graph_def
        self.nodes: dict[str, NodeDef] = {n.name: n for n in graph_def.node}
        self._dtypes: dict[str, list] = {}

    def node(self, name: str) -> NodeDef | None:
        return self.nodes.get(name)

    def output_dtypes(self, node_name: str) -> list:
        """The DTypes of a node's outputs (registry), cached per node."""
        cached = self._dtypes.get(node_name)
        if cached is None:
            from ortflow.graph.ops import output_dtypes

            cached = self._dtypes[node_name] = output_dtypes(self.nodes[node_name])
        return cached

    def tensor_dtype(self, tensor: str):
        node, index = split_tensor_name(tensor)
        return self.output_dtypes(node)[index]

    def check_tensor(self, tensor: str) -> None:
        """Raises NotFoundError (TF's sentence) unless `tensor` names an existing output."""
        node, index = split_tensor_name(tensor)
        node_def = self.nodes.get(node)
        if node_def is None:
            raise NameNotFoundError(None, None, f"The name {tensor!r} refers to a Tensor which does not "
                                f"exist. The operation, {node!r}, does not exist in the graph.")
        try:
            count = len(self.output_dtypes(node))
        except Exception:
            return
        if index >= count:
            raise NameNotFoundError(None, None, f"The name {tensor!r} refers to a Tensor which does not "
                                f"exist. The operation, {node!r}, exists but only has {count} outputs.")

    def check_op(self, name: str) -> None:
        if name not in self.nodes:
            raise NameNotFoundError(None, None, f"The name {name!r} refers to an Operation not in the graph.")


@dataclasses.dataclass
class SubgraphPlan:
    """What one run signature needs, as a stateless GraphDef plus how to feed and read it.

    Attributes:
        graph_def: the rewritten subgraph (only the nodes the signature needs).
        feed_inputs: (placeholder tensor name in graph_def, fed TF tensor name) per fed tensor
            that the subgraph reads.
        variable_inputs: (placeholder tensor name, variable op name) per variable read.
        init_flag_inputs: (placeholder tensor name, variable op name) per initialisation check.
        outputs: tensor names of graph_def to compute: fetches first, then updates.
        fetch_outputs: TF fetched tensor -> tensor name of graph_def that holds it.
        updates: (tensor name of graph_def, variable op name) written back after the run.
        passthrough: fetched TF tensors answered without running anything: fed values
            ('feed', name), variable values ('variable', op name) or whether a variable has a
            value ('initialized', op name).
        effects: the Print/PrintV2/Assert ops that the run executes, in graph order; their
            values are among `outputs` (empty for a graph without such ops).
        inline_effects: the Print/PrintV2/Assert nodes stay in `graph_def`, for the numpy
            interpreter to print and check as they run (`effects` is then empty).
        guarded: variable op name -> (numpy dtype, shape) for the variables read only where
            their own IsVariableInitialized says they hold a value (`initialized_value()`'s
            cond): while uninitialized they are fed a stand-in that the cond never reads.
        shape_checks: update tensor -> (assign NodeDef, declared variable shape or None) for
            the Assign / AssignVariableOp with validate_shape: the session checks the new
            value's shape against the variable's before writing it back.
    """

    graph_def: GraphDef
    feed_inputs: list[tuple[str, str]]
    variable_inputs: list[tuple[str, str]]
    init_flag_inputs: list[tuple[str, str]]
    outputs: list[str]
    fetch_outputs: dict[str, str]
    updates: list[tuple[str, str]]
    passthrough: dict[str, tuple[str, str]]
    effects: list[SideEffect] = dataclasses.field(default_factory=list)
    inline_effects: bool = False
    guarded: dict = dataclasses.field(default_factory=dict)
    shape_checks: dict = dataclasses.field(default_factory=dict)

    @property
    def input_names(self) -> list[str]:
        return ([p for p, _ in self.feed_inputs] + [p for p, _ in self.variable_inputs]
                + [p for p, _ in self.init_flag_inputs])

    @property
    def is_empty(self) -> bool:
        return not self.outputs


@dataclasses.dataclass
class SideEffect:
    """A Print, PrintV2 or Assert op of a run: what the session prints or checks after it.

    Attributes:
        node: the op's NodeDef (in the session graph).
        ran: output name of a boolean that is true when the op ran (it sits in a cond branch),
            or None when it runs whenever the run does.
        condition: (Assert) output name of the checked boolean; it is true when the op did not
            run. None for prints, and for an Assert whose failure cannot be read (see `note`).
        data: output names of the printed tensors, in order (for PrintV2: StringFormat's inputs).
        fmt: (PrintV2) the StringFormat NodeDef, or None when PrintV2 prints a string tensor.
        note: why some values are not available, or ''.
        after: the Assert ops this op depends on (it does not run when one of them fails).
    """

    node: NodeDef
    ran: str | None = None
    condition: str | None = None
    data: list[str] = dataclasses.field(default_factory=list)
    fmt: NodeDef | None = None
    note: str = ""
    after: frozenset[str] = frozenset()


class _Walker:
    """Collects the nodes a signature needs, walking back from fetches and targets."""

    def __init__(self, index: GraphIndex, feeds: set[str]):
        self.index = index
        self.feeds = feeds
        # A fed node is replaced by its feed: control dependencies on it are satisfied.
        self.fed_nodes = {split_tensor_name(t)[0] for t in feeds}
        self.needed: set[str] = set()
        self.used_feeds: set[str] = set()
        self.variables_read: set[str] = set()

    def need_tensor(self, tensor: str) -> None:
        if tensor in self.feeds:
            self.used_feeds.add(tensor)
            return
        self.need_op(split_tensor_name(tensor)[0])

    def need_op(self, name: str) -> None:
        stack = [name]
        nodes = self.index.nodes
        while stack:
            name = stack.pop()
            if name in self.needed:
                continue
            node = nodes.get(name)
            if node is None:
                raise NotFoundError(None, None, f"The graph has no node {name!r}, which a needed "
                                    "node takes as an input.")
            self.needed.add(name)
            skip_first = node.op in _ASSIGN_OPS and not _ASSIGN_OPS[node.op][1]
            for position, inp in enumerate(node.input):
                if inp.startswith("^"):
                    if inp[1:] not in self.fed_nodes:
                        stack.append(inp[1:])
                    continue
                tensor = canonical_tensor_name(inp)
                if tensor in self.feeds:
                    self.used_feeds.add(tensor)
                    continue
                producer = split_tensor_name(tensor)[0]
                if position == 0 and (skip_first or node.op in _INIT_CHECK_OPS) \
                        and nodes[producer].op not in _CONTROL_FORWARDING_OPS:
                    continue  # writes or checks the variable without reading its value
                stack.append(producer)


def _variable_of(index: GraphIndex, tensor: str) -> str | None:
    """The variable op a ref/resource tensor comes from, through Identity chains; else None."""
    seen = 0
    while seen < 64:
        node_name = split_tensor_name(tensor)[0]
        node = index.nodes.get(node_name)
        if node is None:
            return None
        if node.op in VARIABLE_OPS:
            return node_name
        # A reference assign's output is its variable's reference too: assign_add(assign(v, 5), 2).
        if node.op not in _FORWARDING_OPS and node.op not in _REF_ASSIGN_OPS or not node.input:
            return None
        tensor = canonical_tensor_name(node.input[0])
        seen += 1
    return None


# Assigns to reference variables: their output is the variable's (updated) reference.
_REF_ASSIGN_OPS = frozenset(op for op in _ASSIGN_OPS
                            if not op.startswith("Resource") and not op.endswith("VariableOp"))


# Ops whose output 0 (1 for a Switch's true side) is their input 0: a variable's reference or
# handle reaches a cond branch or a loop body through them.
_FORWARDING_OPS = frozenset({"Identity", "RefIdentity", "Switch", "RefSwitch", "Enter", "RefEnter"})
_DT_RESOURCE = 20
# An assign inside a cond or a loop needs its reference's Switch/Enter (the value it merges with).
_CONTROL_FORWARDING_OPS = frozenset({"Switch", "RefSwitch", "Enter", "RefEnter"})
# Reference forms of the control-flow ops: the rewritten graph has no references.
_REF_CONTROL_OPS = {"RefSwitch": "Switch", "RefEnter": "Enter", "RefMerge": "Merge", "RefExit": "Exit",
                    "RefNextIteration": "NextIteration", "RefIdentity": "Identity"}


def _placeholder(name: str, dtype_enum: int, shape_proto=None) -> NodeDef:
    node = NodeDef(name=name, op="Placeholder")
    node.attr["dtype"].type = dtype_enum
    if shape_proto is not None:
        node.attr["shape"].shape.CopyFrom(shape_proto)
    else:
        node.attr["shape"].shape.unknown_rank = True
    return node


def _base_enum(enum: int) -> int:
    return enum - 100 if enum > 100 else enum


def _variable_placeholder(var: NodeDef) -> NodeDef:
    shape = var.attr["shape"].shape if "shape" in var.attr else None
    return _placeholder(var.name, _base_enum(var.attr["dtype"].type), shape)


def _missing_feed_error(node: NodeDef, index: GraphIndex) -> InvalidArgumentError:
    from ortflow.graph.ops.schema import shape_from_proto

    dtype = index.tensor_dtype(f"{node.name}:0").name
    dtype = "float" if dtype == "float32" else dtype
    shape = shape_from_proto(node.attr["shape"].shape) if "shape" in node.attr else None
    return InvalidArgumentError(
        node, None, f"You must feed a value for placeholder tensor {node.name!r} with dtype "
        f"{dtype} and shape {_bracket_shape(shape)}\n\t [[{{{{node {node.name}}}}}]]")


class _Rewriter:
    """Builds the stateless GraphDef of a walked subgraph (see the module docstring)."""

    def __init__(self, index: GraphIndex, walker: _Walker, feeds: list[str], shape_of=None,
                 inline_effects: bool = False):
        self.index = index
        self.inline_effects = inline_effects
        self.walker = walker
        self.out = GraphDef()
        self.out.versions.CopyFrom(index.graph_def.versions)
        self.out.library.CopyFrom(index.graph_def.library)
        self.renames: dict[str, str] = {}  # fed TF tensor -> placeholder tensor
        self.feed_inputs: list[tuple[str, str]] = []
        self.variable_inputs: list[tuple[str, str]] = []
        self.init_flag_inputs: list[tuple[str, str]] = []
        self.updates: list[tuple[str, str]] = []
        self.shape_checks: dict[str, tuple] = {}
        self.emitted: set[str] = set()
        self._feeds = feeds
        self._shape_of = shape_of
        self.preceding: dict[str, frozenset[str]] = {}
        self.effects: list[SideEffect] = []
        self._cond_contexts: dict[str, tuple] | None = None
        self._assert_nodes: set[str] | None = None
        # StringFormat nodes read only by PrintV2: not lowered (the session formats them)
        self.print_formats = _print_only_formats(index, walker.needed)
        # Variables assigned inside a while loop are carried through it as loop variables:
        # (frame, variable) -> _CarriedVariable, and Enter node -> the carried value it stands for.
        self.carried: dict[tuple[str, str], _CarriedVariable] = {}
        self.carried_reads: dict[str, str] = {}

    def _unique(self, base: str) -> str:
        name, k = base, 0
        while name in self.index.nodes or name in self.emitted:
            k += 1
            name = f"{base}_{k}"
        return name

    def add(self, node: NodeDef) -> NodeDef:
        """Appends a copy of `node` and returns the stored message (edit that one, not `node`)."""
        stored = self.out.node.add()
        stored.CopyFrom(node)
        self.emitted.add(node.name)
        return stored

    def add_feeds(self) -> None:
        for tensor in self._feeds:
            if tensor not in self.walker.used_feeds:
                continue
            node_name, i = split_tensor_name(tensor)
            dtype = self.index.tensor_dtype(tensor)
            shape_proto = _static_shape_proto(self.index.nodes[node_name], i)
            if (shape_proto is None or shape_proto.unknown_rank) and self._shape_of is not None:
                known = _shape_proto(self._shape_of(tensor))
                shape_proto = shape_proto if known is None else known
            name = node_name
            if i != 0 or node_name in self.walker.needed or self.index.nodes[node_name].op in VARIABLE_OPS:
                name = self._unique(f"{node_name}/_ortflow_feed_{i}")
            self.add(_placeholder(name, _base_enum(dtype.as_datatype_enum), shape_proto))
            self.renames[tensor] = f"{name}:0"
            self.feed_inputs.append((f"{name}:0", tensor))

    def input_string(self, inp: str) -> str:
        if inp.startswith("^"):
            return inp if inp[1:] in self.walker.needed else ""
        tensor = canonical_tensor_name(inp)
        renamed = self.renames.get(tensor)
        if renamed is not None:
            return renamed
        if self.carried_reads:
            carried = self.carried_reads.get(split_tensor_name(tensor)[0])
            if carried is not None:
                return carried
        return inp

    def drop_unread_inputs(self, outputs: set[str]) -> None:
        """Removes placeholders nothing reads (a read redirected to an assign leaves one)."""
        read = {canonical_tensor_name(i) for n in self.out.node for i in n.input if not i.startswith("^")}
        keep = read | outputs
        unread = {p for p, _ in self.feed_inputs + self.variable_inputs + self.init_flag_inputs
                  if p not in keep}
        if not unread:
            return
        nodes = [n for n in self.out.node if f"{n.name}:0" not in unread]
        del self.out.node[:]
        self.out.node.extend(nodes)
        self.feed_inputs = [x for x in self.feed_inputs if x[0] not in unread]
        self.variable_inputs = [x for x in self.variable_inputs if x[0] not in unread]
        self.init_flag_inputs = [x for x in self.init_flag_inputs if x[0] not in unread]

    def order_reads_after_assigns(self) -> None:
        """Finds, for each needed node, the assigns that control dependencies run before it."""
        assigns = [n for n in self.walker.needed if self.index.nodes[n].op in _ASSIGN_OPS]
        if assigns:
            self.preceding = _preceding_assigns(self.index, self.walker.needed)

    def _read_source(self, node_name: str, tensor: str) -> str | None:
        """The assign output a read of a variable must see, when an assign is ordered before it."""
        before = self.preceding.get(node_name)
        if not before:
            return None
        # A reference variable's reads alias its buffer (`w/read` is an Identity of the ref), so a
        # read through an Identity chain sees an assign ordered before the reading node too.
        producer = _variable_of(self.index, tensor)
        if producer is None:
            return None
        writers = [a for a in before if _variable_of(self.index, canonical_tensor_name(
            self.index.nodes[a].input[0])) == producer]
        # the last writer: the one no other writer of the variable runs after
        last = [a for a in writers if not any(a in self.preceding.get(b, ()) for b in writers)]
        return f"{min(last)}:0" if last else None

    def copy_inputs(self, src: NodeDef, dst: NodeDef, skip: int = 0) -> None:
        for position, inp in enumerate(src.input):
            if position < skip and not inp.startswith("^"):
                continue
            # A Merge forwards whichever input is live: an assign among its inputs (a cond's
            # branch) is not ordered before the other side's read, which must stay as it is.
            if self.preceding and not inp.startswith("^") and src.op not in ("Merge", "RefMerge"):
                source = self._read_source(src.name, canonical_tensor_name(inp))
                if source is not None:
                    dst.input.append(source)
                    continue
            s = self.input_string(inp)
            if s and not (s.startswith("^") and self.index.nodes[s[1:]].op in self.dropped_ops):
                dst.input.append(s)

    @property
    def dropped_ops(self) -> frozenset[str]:
        # Run inline, effects and the NoOps that order them stay (the interpreter runs them).
        return _INLINE_DROPPED_OPS if self.inline_effects else _DROPPED_OPS

    def rewrite(self, node: NodeDef) -> None:
        op = node.op
        if self.inline_effects and (op in _EFFECT_OPS or op == "NoOp"):
            self.rewrite_plain(node)
            return
        if op in _EFFECT_OPS:
            self._rewrite_effect(node)
            return
        if op == "StringFormat" and node.name in self.print_formats and not self.inline_effects:
            return  # formatted by the session from its inputs (see SideEffect)
        if op in _DROPPED_OPS:
            return
        if op in _PLACEHOLDER_OPS:
            raise _missing_feed_error(node, self.index)
        if op in VARIABLE_OPS:
            self.add(_variable_placeholder(node))
            self.variable_inputs.append((f"{node.name}:0", node.name))
            return
        if op in _ASSIGN_OPS:
            self._rewrite_assign(node)
            return
        if op in _INIT_CHECK_OPS:
            self._rewrite_init_check(node)
            return
        if op == "ReadVariableOp":
            self._retyped(node, "Identity", {"T": node.attr["dtype"]})
            return
        if op == "ResourceGather":
            self._rewrite_resource_gather(node)
            return
        self.rewrite_plain(node)

    def rewrite_plain(self, node: NodeDef) -> None:
        """Copies `node` with its inputs renamed (references and resources as values)."""
        new = NodeDef()
        new.CopyFrom(node)
        new.op = _REF_CONTROL_OPS.get(new.op, new.op)
        del new.input[:]
        self.copy_inputs(node, new)
        _strip_ref_types(new)
        if "T" in new.attr and new.attr["T"].type == _DT_RESOURCE and node.input:
            # A resource handle forwarded into a cond or loop: the rewrite passes its value.
            new.attr["T"].type = self._value_type(canonical_tensor_name(node.input[0]), _DT_RESOURCE)
        self.add(new)

    def _value_type(self, tensor: str, default: int) -> int:
        var = _variable_of(self.index, tensor)
        if var is None:
            return default
        return _base_enum(self.index.nodes[var].attr["dtype"].type)

    # -- Print / PrintV2 / Assert: values handed out of the run as extra outputs --------------

    def _contexts(self) -> dict[str, tuple]:
        if self._cond_contexts is None:
            self._cond_contexts = _control_contexts(self.index, self.walker.needed)
        return self._cond_contexts

    def _rewrite_effect(self, node: NodeDef) -> None:
        """Records a Print/PrintV2/Assert as a SideEffect whose values are extra outputs."""
        data_inputs = [canonical_tensor_name(i) for i in node.input if not i.startswith("^")]
        effect = SideEffect(NodeDef())
        effect.node.CopyFrom(node)
        effect.after = self._asserts_before(node)
        if node.op == "Print":
            self.rewrite_plain(node)  # passes input 0 through (the converter's Identity)
            values = data_inputs[1:]
        elif node.op == "PrintV2":
            fmt = self.index.nodes.get(split_tensor_name(data_inputs[0])[0])
            if fmt is not None and fmt.op == "StringFormat":
                effect.fmt = NodeDef()
                effect.fmt.CopyFrom(fmt)
                values = [canonical_tensor_name(i) for i in fmt.input if not i.startswith("^")]
            else:
                values = data_inputs[:1]
        else:
            values = data_inputs[1:]
        if node.op == "Assert":
            condition = _checkable_condition(self.index, node)
            if condition is not None:  # top level, or tf.Assert's own guard cond
                effect.condition = self._export(condition, ())
                guard = canonical_tensor_name(node.input[0])
                effect.data = [self._export(_unguarded(self.index, t, guard, condition), ()) for t in values]
                self.effects.append(effect)
                return
            values = [data_inputs[0], *values]
        context = self._contexts().get(node.name, ())
        loops = [k for k, c in enumerate(context) if c[0] == "loop"]
        if loops:
            self._effect_in_loop(node, effect, context, loops, values)
            return
        exported = [self._export(t, context) for t in values]
        if node.op == "Assert":
            effect.condition, effect.data = exported[0], exported[1:]
        else:
            effect.data = exported
        if context:
            effect.ran = self._ran_flag(node, context)
        self.effects.append(effect)

    def _asserts_before(self, node: NodeDef) -> frozenset[str]:
        if self._assert_nodes is None:
            self._assert_nodes = {n for n in self.walker.needed if self.index.nodes[n].op == "Assert"}
        if not self._assert_nodes:
            return frozenset()
        found, seen, stack = set(), set(), [_source(i) for i in node.input]
        while stack:
            name = stack.pop()
            if name in seen or name not in self.walker.needed:
                continue
            seen.add(name)
            if name in self._assert_nodes:
                found.add(name)
            stack.extend(_source(i) for i in self.index.nodes[name].input)
        return frozenset(found)

    def _effect_in_loop(self, node: NodeDef, effect: SideEffect, context: tuple, loops: list[int],
                        values: list[str]) -> None:
        if node.op != "Assert":
            return  # a Print in a while loop prints nothing (module docstring)
        first = loops[0]
        if len(loops) > 1 or any(c[0] != "loop" for c in context[first + 1:]):
            return  # nested loops, or a loop inside a cond: not checked
        frame = context[first][1]
        loop_cond = _loop_conds(self.index, self.walker.needed).get(frame)
        if loop_cond is None:
            return
        held = self._export(values[0], context[:first])
        base = self._unique(f"{node.name}/_ortflow_held")
        flag = _CarriedVariable(base, frame, loop_cond, node)
        self.add(NodeDef(name=f"{base}/And", op="LogicalAnd", input=[flag.identity, held]))
        flag.last = f"{base}/And:0"
        # the first failing pass: every earlier pass held, this one does not
        self.add(NodeDef(name=f"{base}/Not", op="LogicalNot", input=[held]))
        self.add(NodeDef(name=f"{base}/First", op="LogicalAnd", input=[flag.identity, f"{base}/Not:0"]))
        self._carry(flag, np.array(True), 10)
        effect.condition = f"{flag.exit}:0"
        for tensor in values[1:]:
            effect.data.append(self._loop_value(node, tensor, context[:first], flag, f"{base}/First:0"))
        self.effects.append(effect)

    def _carry(self, carried: _CarriedVariable, initial: np.ndarray, dtype: int) -> None:
        self.add(_const_node(f"{carried.base}/init", initial))
        for n in carried.nodes(f"{carried.base}/init:0", dtype, self.index):
            self.add(n)

    def _const_copy(self, const: NodeDef, index: int) -> str:
        """A copy of a Const node without its control inputs (outside any cond or loop)."""
        copy = NodeDef()
        copy.CopyFrom(const)
        copy.name = self._unique(f"{const.name}/_ortflow_const")
        del copy.input[:]
        self.add(copy)
        return f"{copy.name}:{index}"

    def _loop_value(self, node: NodeDef, tensor: str, inner: tuple, flag: _CarriedVariable,
                    first: str) -> str:
        """An Assert's data tensor in a loop body, as seen in the first pass whose check failed:
        a constant is copied outside the loop; another value is carried out of it (a loop
        variable that takes the value in that pass, starting as a scalar zero)."""
        constant = _constant_outside(self.index, tensor)
        if constant is not None:
            return self._const_copy(self.index.nodes[split_tensor_name(constant)[0]], 0)
        dtype = _base_enum(self.index.tensor_dtype(tensor).as_datatype_enum)
        value = self._export(tensor, inner)
        carried = _CarriedVariable(self._unique(f"{node.name}/_ortflow_data"), flag.frame, flag.loop_cond, node)
        pick = self.add(NodeDef(name=f"{carried.base}/Pick", op="SelectV2",
                                input=[first, value, carried.identity]))
        pick.attr["T"].type = dtype
        carried.last = f"{pick.name}:0"
        self._carry(carried, _zero(dtype), dtype)
        return f"{carried.exit}:0"

    def _export(self, tensor: str, context: tuple) -> str:
        """An output name holding `tensor`'s value outside the conds of `context` (innermost
        first): one Merge per cond, with a default value on the side not taken."""
        producer = self.index.nodes.get(split_tensor_name(tensor)[0])
        if producer is not None and producer.op == "Const" and any(i.startswith("^") for i in producer.input):
            return self._const_copy(producer, split_tensor_name(tensor)[1])  # a branch's constant
        value = self.input_string(tensor)
        if not context or (producer is not None and producer.op == "Const"):
            return self._not_an_input(canonical_tensor_name(value), tensor)
        dtype = _base_enum(self.index.tensor_dtype(tensor).as_datatype_enum)
        for switch, side in context:
            value = self._merge_out(value, switch, side, dtype)
        return value

    def _not_an_input(self, value: str, tensor: str) -> str:
        """`value`, or an Identity of it when it is an input of the run (a graph output may not
        be a graph input)."""
        inputs = {p for p, _ in self.feed_inputs + self.variable_inputs + self.init_flag_inputs}
        if value not in inputs:
            return value
        copy = self.add(NodeDef(name=self._unique(f"{split_tensor_name(value)[0]}/_ortflow_out"),
                                op="Identity", input=[value]))
        copy.attr["T"].type = _base_enum(self.index.tensor_dtype(tensor).as_datatype_enum)
        return f"{copy.name}:0"

    def _merge_out(self, value: str, switch: str, side: int, dtype: int) -> str:
        pred = self.input_string(self.index.nodes[switch].input[1])
        default = self._unique(f"{switch}/_ortflow_default")
        self.add(_const_node(default, _zero(dtype)))
        other = self.add(NodeDef(name=f"{default}/Switch", op="Switch", input=[f"{default}:0", pred]))
        other.attr["T"].type = dtype
        merge = self.add(NodeDef(name=f"{default}/Merge", op="Merge", input=[value, f"{default}/Switch:{1 - side}"]))
        merge.attr["N"].i = 2
        merge.attr["T"].type = dtype
        return f"{merge.name}:0"

    def _ran_flag(self, node: NodeDef, context: tuple) -> str:
        switch, side = context[0]
        pred = self.input_string(self.index.nodes[switch].input[1])
        base = self._unique(f"{node.name}/_ortflow_ran")
        self.add(_const_node(base, np.array(True)))
        inside = self.add(NodeDef(name=f"{base}/Switch", op="Switch", input=[f"{base}:0", pred]))
        inside.attr["T"].type = 10
        value = f"{base}/Switch:{side}"
        for switch, side in context:
            value = self._merge_out(value, switch, side, 10)
        return value

    def _retyped(self, node: NodeDef, op: str, attrs: dict, skip: int = 0) -> NodeDef:
        new = NodeDef(name=node.name, op=op, device=node.device)
        for key, value in attrs.items():
            new.attr[key].CopyFrom(value)
        self.copy_inputs(node, new, skip=skip)
        return self.add(new)

    def _rewrite_assign(self, node: NodeDef) -> None:
        compute, reads = _ASSIGN_OPS[node.op]
        var = _variable_of(self.index, canonical_tensor_name(node.input[0]))
        if var is None:
            raise InvalidArgumentError(node, None, f"{node.op} node {node.name!r}: cannot tell which "
                                       f"variable its input {node.input[0]!r} refers to.")
        dtype_attr = node.attr["T"] if "T" in node.attr else node.attr["dtype"]
        t = type(dtype_attr)()
        t.type = _base_enum(dtype_attr.type)
        new = self._retyped(node, compute, {"T": t}, skip=0 if reads else 1)
        if "TensorScatter" in compute:  # TF's TensorScatter* and ortflow's own Mul/Div forms
            new.attr["Tindices"].CopyFrom(node.attr["Tindices"])
        if node.op in _ROW_SCATTER_OPS:
            self._index_last_axis(node, new)
        value = self._merge_out_of_conds(node, f"{node.name}:0")
        frame = _enclosing_frame(self.index, canonical_tensor_name(node.input[0]))
        if frame is None:
            self.updates.append((value, var))
            if _validates_shape(node):
                self.shape_checks[value] = (node, _declared_shape(self.index.nodes[var]))
            return
        carried = self.carried[(frame, var)]
        carried.last = value  # assigns are rewritten in graph order: the last one wins

    def _merge_out_of_conds(self, node: NodeDef, value: str) -> str:
        """The assigned value as seen after the conds the assign sits in (inside its loop, if
        any): a Merge per cond with the variable's value on the branch not taken."""
        tensor = canonical_tensor_name(node.input[0])
        for _ in range(64):
            producer = self.index.nodes.get(split_tensor_name(tensor)[0])
            if producer is None or producer.op not in _FORWARDING_OPS:
                break
            if producer.op in ("Switch", "RefSwitch"):
                side = split_tensor_name(tensor)[1]
                merge = self.add(NodeDef(name=self._unique(f"{node.name}/_ortflow_merge"), op="Merge",
                                         input=[value, f"{producer.name}:{1 - side}"]))
                merge.attr["N"].i = 2
                merge.attr["T"].type = self._value_type(tensor, _base_enum(producer.attr["T"].type))
                value = f"{merge.name}:0"
            elif producer.op in ("Enter", "RefEnter"):
                break
            tensor = canonical_tensor_name(producer.input[0])
        return value

    def carry_assigned_variables(self) -> None:
        """Before rewriting: every variable assigned inside a while loop becomes a loop variable
        of that loop (Enter/Merge/Switch/Identity/NextIteration/Exit), reads of it inside the
        loop read the carried value, and the Exit is what the session writes back."""
        frames: dict[str, str] = {}
        for name in sorted(self.walker.needed):
            node = self.index.nodes[name]
            if node.op not in _ASSIGN_OPS:
                continue
            ref = canonical_tensor_name(node.input[0])
            frame = _enclosing_frame(self.index, ref)
            var = _variable_of(self.index, ref)
            if frame is None or var is None or (frame, var) in self.carried:
                continue
            if not frames:
                frames = _loop_conds(self.index, self.walker.needed)
            if frame not in frames:
                raise InvalidArgumentError(node, None, f"{node.op} node {node.name!r}: its while loop "
                                           f"{frame!r} has no LoopCond among the needed nodes.")
            self.carried[(frame, var)] = _CarriedVariable(self._unique(f"{var}/_ortflow_carried"), frame,
                                                          frames[frame], node)
        if not self.carried:
            return
        for name in self.walker.needed:
            node = self.index.nodes[name]
            if node.op in ("Enter", "RefEnter"):
                key = (_frame_attr(node), _variable_of(self.index, canonical_tensor_name(node.input[0])))
                if key in self.carried:
                    self.carried_reads[name] = self.carried[key].identity

    def finish_carried_variables(self) -> None:
        """After rewriting: the loop-variable nodes of each carried variable."""
        for (frame, var), carried in self.carried.items():
            var_node = self.index.nodes[var]
            dtype = _base_enum(var_node.attr["dtype"].type)
            source = f"{self.renames.get(f'{var}:0', f'{var}:0')}" if var_node.op not in RESOURCE_VARIABLE_OPS \
                else f"{var}:0"
            for node in carried.nodes(source, dtype, self.index):
                self.add(node)
            self.updates.append((f"{carried.exit}:0", var))

    def _index_last_axis(self, node: NodeDef, new: NodeDef) -> None:
        # ScatterUpdate's indices pick rows; TensorScatterUpdate's last axis holds index tuples:
        # indices[..., None] turns one into the other.
        axis = NodeDef(name=self._unique(f"{node.name}/_ortflow_axis"), op="Const")
        axis.attr["dtype"].type = 3  # DT_INT32
        axis.attr["value"].tensor.dtype = 3
        axis.attr["value"].tensor.int_val.append(-1)
        expand = NodeDef(name=self._unique(f"{node.name}/_ortflow_indices"), op="ExpandDims",
                         input=[new.input[1], axis.name])
        expand.attr["T"].CopyFrom(node.attr["Tindices"])
        expand.attr["Tdim"].type = 3
        self.add(axis)
        self.add(expand)
        new.input[1] = expand.name

    def _rewrite_init_check(self, node: NodeDef) -> None:
        var = _variable_of(self.index, canonical_tensor_name(node.input[0]))
        if var is None:
            raise InvalidArgumentError(node, None, f"{node.op} node {node.name!r}: cannot tell which "
                                       f"variable its input {node.input[0]!r} refers to.")
        from ortflow.proto import TensorShapeProto

        self.add(_placeholder(node.name, 10, TensorShapeProto()))  # DT_BOOL, scalar
        self.init_flag_inputs.append((f"{node.name}:0", var))

    def _rewrite_resource_gather(self, node: NodeDef) -> None:
        # ResourceGather(resource, indices, batch_dims, dtype, Tindices) == GatherV2(var, indices, 0)
        axis_name = self._unique(f"{node.name}/_ortflow_axis")
        axis = NodeDef(name=axis_name, op="Const")
        axis.attr["dtype"].type = 3  # DT_INT32
        axis.attr["value"].tensor.dtype = 3
        axis.attr["value"].tensor.int_val.append(0)
        self.add(axis)
        new = self._retyped(node, "GatherV2", {"Tparams": node.attr["dtype"],
                                               "Tindices": node.attr["Tindices"]})
        new.attr["Taxis"].type = 3
        new.attr["batch_dims"].i = node.attr["batch_dims"].i if "batch_dims" in node.attr else 0
        data_inputs = [i for i in new.input if not i.startswith("^")]
        controls = [i for i in new.input if i.startswith("^")]
        del new.input[:]
        new.input.extend(data_inputs[:2] + [f"{axis_name}:0"] + controls)


def _preceding_assigns(index: GraphIndex, needed: set[str]) -> dict[str, frozenset[str]]:
    """node -> the assign ops among its (data or control) ancestors within `needed`.

    A read whose ancestors include an assign of the same variable must see the assigned value:
    TensorFlow orders them through the dependency (`with control_dependencies([assign])`).
    """
    result: dict[str, frozenset[str]] = {}
    for name in _topological_names(index, needed):
        acc: set[str] = set()
        for inp in index.nodes[name].input:
            producer = split_tensor_name(inp.lstrip("^"))[0]
            if producer not in needed:
                continue
            acc |= result.get(producer, frozenset())
            if index.nodes[producer].op in _ASSIGN_OPS:
                acc.add(producer)
        result[name] = frozenset(acc)
    return result


def _topological_names(index: GraphIndex, needed: set[str], skip_back_edges: bool = False) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}
    for root in needed:
        stack = [(root, False)]
        while stack:
            name, done = stack.pop()
            if done:
                state[name] = 2
                order.append(name)
                continue
            if state.get(name):
                continue
            state[name] = 1
            stack.append((name, True))
            for inp in index.nodes[name].input:
                producer = split_tensor_name(inp.lstrip("^"))[0]
                if producer not in needed or state.get(producer):
                    continue
                if skip_back_edges and index.nodes[producer].op in ("NextIteration", "RefNextIteration") \
                        and index.nodes[name].op in ("Merge", "RefMerge"):
                    continue  # a loop's back edge: its Merge comes first
                stack.append((producer, False))
    return order


_INSIDE_OPS = frozenset({"Switch", "RefSwitch", "Enter", "RefEnter"})


@dataclasses.dataclass
class _CarriedVariable:
    """The loop-variable nodes that carry one assigned variable through one while loop."""

    base: str
    frame: str
    loop_cond: str
    first_assign: NodeDef
    last: str | None = None

    @property
    def identity(self) -> str:
        return f"{self.base}/Identity:0"

    @property
    def exit(self) -> str:
        return f"{self.base}/Exit"

    def nodes(self, source: str, dtype: int, index: GraphIndex) -> list[NodeDef]:
        b = self.base
        parallel = next((n.attr["parallel_iterations"].i for n in index.graph_def.node
                         if n.op in ("Enter", "RefEnter") and _frame_attr(n) == self.frame), 10)
        enter = NodeDef(name=f"{b}/Enter", op="Enter", input=[source])
        enter.attr["frame_name"].s = self.frame.encode()
        enter.attr["is_constant"].b = False
        enter.attr["parallel_iterations"].i = parallel
        merge = NodeDef(name=f"{b}/Merge", op="Merge", input=[f"{b}/Enter", f"{b}/NextIteration"])
        merge.attr["N"].i = 2
        switch = NodeDef(name=f"{b}/Switch", op="Switch", input=[f"{b}/Merge", self.loop_cond])
        identity = NodeDef(name=f"{b}/Identity", op="Identity", input=[f"{b}/Switch:1"])
        following = NodeDef(name=f"{b}/NextIteration", op="NextIteration", input=[self.last or self.identity])
        exit_ = NodeDef(name=f"{b}/Exit", op="Exit", input=[f"{b}/Switch"])
        nodes = [enter, merge, switch, identity, following, exit_]
        for n in nodes:
            n.attr["T"].type = dtype
        return nodes


def _frame_attr(node: NodeDef) -> str:
    return node.attr["frame_name"].s.decode() if "frame_name" in node.attr else ""


def _enclosing_frame(index: GraphIndex, ref: str) -> str | None:
    """The while frame a variable reference enters on its way to its user, if any."""
    for _ in range(64):
        producer = index.nodes.get(split_tensor_name(ref)[0])
        if producer is None or producer.op not in _FORWARDING_OPS:
            return None
        if producer.op in ("Enter", "RefEnter"):
            return _frame_attr(producer)
        ref = canonical_tensor_name(producer.input[0])
    return None


def _loop_conds(index: GraphIndex, needed: set[str]) -> dict[str, str]:
    """frame name -> its LoopCond node, for the loops among `needed` (LoopCond -> Merge -> Enter)."""
    out: dict[str, str] = {}
    for name in needed:
        node = index.nodes[name]
        if node.op not in ("Switch", "RefSwitch") or len(node.input) < 2:
            continue
        pred = index.nodes.get(_source(node.input[1]))
        merge = index.nodes.get(_source(node.input[0]))
        if pred is None or pred.op != "LoopCond" or merge is None or merge.op not in ("Merge", "RefMerge"):
            continue
        enter = index.nodes.get(_source(merge.input[0]))
        if enter is not None and enter.op in ("Enter", "RefEnter"):
            out.setdefault(_frame_attr(enter), pred.name)
    return out


def _checkable_condition(index: GraphIndex, node: NodeDef) -> str | None:
    """The tensor an Assert checks, when it is computed outside every cond and loop.

    A top-level Assert checks its input; the Assert that `tf.Assert` guards with a cond sits on
    the false side of a Switch of its own condition, so it runs exactly when that condition is
    false and the condition outside the cond is checked. Any other Assert inside a cond or a
    loop runs only sometimes (or per iteration) and is not checked.
    """
    tensor = canonical_tensor_name(node.input[0])
    for _ in range(8):
        producer = index.nodes.get(split_tensor_name(tensor)[0])
        if producer is None:
            return None
        if producer.op == "Identity":
            tensor = canonical_tensor_name(producer.input[0])
            continue
        if producer.op in ("Switch", "RefSwitch"):
            data = canonical_tensor_name(producer.input[0])
            guard = split_tensor_name(tensor)[1] == 0 and _same_value(index, producer.input[1], data)
            if not guard:
                return None
            tensor = data
            continue
        break
    return tensor if not _inside_control_flow(index, tensor) else None


def _unguarded(index: GraphIndex, tensor: str, guard: str, condition: str) -> str:
    """A data input of tf.Assert's guarded Assert as the tensor outside the guard cond."""
    for _ in range(8):
        producer = index.nodes.get(split_tensor_name(tensor)[0])
        if producer is None:
            break
        if producer.op == "Identity":
            tensor = canonical_tensor_name(producer.input[0])
            continue
        if producer.op in ("Switch", "RefSwitch") and _same_value(index, producer.input[1], condition):
            tensor = canonical_tensor_name(producer.input[0])
            continue
        break
    return tensor


def _zero(dtype: int) -> np.ndarray:
    from ortflow.formats.dtypes import NUMPY_BY_ENUM

    if dtype == 7:  # DT_STRING
        return np.array(b"", object)
    return np.zeros((), NUMPY_BY_ENUM.get(dtype, np.float32))


def _constant_outside(index: GraphIndex, tensor: str) -> str | None:
    """The Const that `tensor` (read in a loop body) is, through Enter/Identity, or None."""
    for _ in range(16):
        producer = index.nodes.get(split_tensor_name(tensor)[0])
        if producer is None:
            return None
        if producer.op == "Const":
            return tensor
        if producer.op not in ("Identity", "Enter", "RefEnter"):
            return None
        tensor = canonical_tensor_name(producer.input[0])
    return None


def _print_only_formats(index: GraphIndex, needed: set[str]) -> set[str]:
    """StringFormat nodes among `needed` that only PrintV2 ops (among `needed`) read."""
    formats = {n for n in needed if index.nodes[n].op == "StringFormat"}
    if not formats:
        return set()
    printed: set[str] = set()
    for name in needed:
        node = index.nodes[name]
        if node.op == "PrintV2":
            printed |= {_source(i) for i in node.input}
            continue
        formats -= {_source(i) for i in node.input}
    # a format no PrintV2 reads is fetched itself (tf.strings.format): it is computed, not printed
    return formats & printed


def _control_contexts(index: GraphIndex, needed: set[str]) -> dict[str, tuple]:
    """node -> its control-flow context among `needed`, innermost first: (Switch name, side)
    per enclosing cond branch and ('loop', frame) per enclosing while loop.

    Computed in topological order: a node inherits the deepest context of its inputs; reading
    side k of a cond's Switch enters that branch, a cond's Merge leaves it; an Enter enters a
    loop and an Exit leaves it (a loop's Merge reads its Enter; its NextIteration back edge is
    not followed).
    """
    ctx: dict[str, tuple] = {}
    for name in _topological_names(index, needed, skip_back_edges=True):
        node = index.nodes[name]
        op = node.op
        if op in ("Enter", "RefEnter"):
            ctx[name] = (("loop", _frame_attr(node)), *ctx.get(_source(node.input[0]), ()))
            continue
        found: tuple = ()
        for inp in node.input:
            producer = _source(inp)
            if producer not in ctx:
                continue
            p = index.nodes[producer]
            here = ctx[producer]
            if p.op in ("Switch", "RefSwitch") and not inp.startswith("^") and not _is_loop_switch(index, p):
                here = ((producer, split_tensor_name(inp)[1]), *here)
            if len(here) > len(found):
                found = here
        if op in ("Exit", "RefExit") or (op in ("Merge", "RefMerge") and found and found[0][0] != "loop"):
            found = found[1:]
        ctx[name] = found
    return ctx


def _is_loop_switch(index: GraphIndex, node: NodeDef) -> bool:
    pred = index.nodes.get(_source(node.input[1])) if len(node.input) > 1 else None
    return pred is not None and pred.op == "LoopCond"


def _same_value(index: GraphIndex, a: str, b: str) -> bool:
    """Whether tensor `a` is `b` or an Identity chain of it (a cond's `pred_id`)."""
    a = canonical_tensor_name(a)
    for _ in range(8):
        if a == b:
            return True
        producer = index.nodes.get(split_tensor_name(a)[0])
        if producer is None or producer.op != "Identity":
            return False
        a = canonical_tensor_name(producer.input[0])
    return False


def _inside_control_flow(index: GraphIndex, tensor: str) -> bool:
    """Whether `tensor` is computed inside a cond branch or a loop body (its value exists only
    there). A cond's Merge and a loop's Exit end their region; a loop's Merge does not."""
    stack, seen = [split_tensor_name(tensor)[0]], set()
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        node = index.nodes.get(name)
        if node is None or node.op in ("Exit", "RefExit"):
            continue
        if node.op in _INSIDE_OPS:
            return True
        if node.op in ("Merge", "RefMerge"):
            if any(index.nodes.get(_source(i)) is not None and index.nodes[_source(i)].op
                   in ("NextIteration", "RefNextIteration") for i in node.input):
                return True
            continue
        stack.extend(_source(i) for i in node.input if not i.startswith("^"))
    return False


def _source(inp: str) -> str:
    return split_tensor_name(inp.lstrip("^"))[0]


def _const_node(name: str, value) -> NodeDef:
    from ortflow.formats.tensors import make_tensor_proto

    node = NodeDef(name=name, op="Const")
    proto = make_tensor_proto(value)
    node.attr["value"].tensor.CopyFrom(proto)
    node.attr["dtype"].type = proto.dtype
    return node


def _strip_ref_types(node: NodeDef) -> None:
    """Reference dtypes (`float_ref`) in attrs become value dtypes: the rewrite has no refs."""
    for value in node.attr.values():
        if value.WhichOneof("value") == "type" and value.type > 100:
            value.type -= 100


def _static_shape_proto(node: NodeDef, index: int):
    """The TensorShapeProto a feed placeholder declares: the fed op's own, when it has one."""
    if index == 0 and node.op in ("Placeholder", "PlaceholderV2", "PlaceholderWithDefault") \
            and "shape" in node.attr:
        return node.attr["shape"].shape
    shapes = node.attr.get("_output_shapes") if "_output_shapes" in node.attr else None
    if shapes is not None and index < len(shapes.list.shape):
        return shapes.list.shape[index]
    return None


def _shape_proto(shape):
    if shape is None:
        return None
    from ortflow.proto import TensorShapeProto

    proto = TensorShapeProto()
    for d in shape:
        proto.dim.add().size = -1 if d is None else int(d)
    return proto


def plan_subgraph(index: GraphIndex, feeds: list[str], fetches: list[str],
                  targets: list[str], shape_of=None) -> SubgraphPlan:
    """Rewrites what (feeds, fetches, targets) needs into a stateless GraphDef.

    Args:
        index: the session graph, indexed.
        feeds: canonical names of the fed tensors.
        fetches: canonical names of the fetched tensors (no duplicates).
        targets: names of ops to run for their effects.
        shape_of: optional `tensor name -> static shape` for fed tensors whose node declares
            none (the graph's shape inference), so that their placeholders get a rank.

    Raises:
        NotFoundError: for a fetch, feed or target that is not in the graph.
        InvalidArgumentError: when a needed placeholder is not fed.
    """
    for tensor in feeds:
        index.check_tensor(tensor)
    feed_set = set(feeds)
    walker = _Walker(index, feed_set)
    passthrough: dict[str, tuple[str, str]] = {}
    run_fetches: list[str] = []
    for tensor in fetches:
        index.check_tensor(tensor)
        node_name = split_tensor_name(tensor)[0]
        if tensor in feed_set:
            passthrough[tensor] = ("feed", tensor)
        elif index.nodes[node_name].op in VARIABLE_OPS:
            passthrough[tensor] = ("variable", node_name)
        elif index.nodes[node_name].op in _INIT_CHECK_OPS:
            var = _variable_of(index, canonical_tensor_name(index.nodes[node_name].input[0]))
            passthrough[tensor] = ("initialized", var)
        else:
            run_fetches.append(tensor)
            walker.need_tensor(tensor)
    for name in targets:
        index.check_op(name)
        if index.nodes[name].op not in VARIABLE_OPS:  # running a variable op itself does nothing
            walker.need_op(name)

    lost = _effects_lost_in_loops(index, walker.needed)
    if lost:
        plan = _rewrite_plan(index, walker, feeds, shape_of, run_fetches, passthrough, True)
        from ortflow.runtime.interpreter import missing_kernels

        missing = missing_kernels(plan.graph_def, delegate=True)
        if not missing:
            return plan
        import warnings

        warnings.warn(f"ortflow: {', '.join(repr(n) for n in lost[:3])} in a while loop will not "
                      f"{'print' if 'Print' in ''.join(index.nodes[n].op for n in lost) else 'check'}"
                      f": the numpy interpreter that runs such loops has no kernel for {missing}, "
                      "and onnxruntime hands out no per-pass values.", RuntimeWarning, stacklevel=3)
    return _rewrite_plan(index, walker, feeds, shape_of, run_fetches, passthrough, False)


def _rewrite_plan(index: GraphIndex, walker: _Walker, feeds: list[str], shape_of, run_fetches: list[str],
                  passthrough: dict, inline_effects: bool) -> SubgraphPlan:
    rewriter = _Rewriter(index, walker, feeds, shape_of, inline_effects)
    rewriter.add_feeds()
    rewriter.order_reads_after_assigns()
    rewriter.carry_assigned_variables()
    for node in index.graph_def.node:  # graph order: producers before consumers in TF graphs
        if node.name in walker.needed:
            rewriter.rewrite(node)
    rewriter.finish_carried_variables()

    fetch_outputs = {t: rewriter.renames.get(t, t) for t in run_fetches}
    effect_outputs = [t for e in rewriter.effects for t in (e.ran, e.condition, *e.data) if t]
    outputs = list(dict.fromkeys(list(fetch_outputs.values()) + [u for u, _ in rewriter.updates]
                                 + effect_outputs))
    rewriter.drop_unread_inputs(set(outputs))
    guarded = _guarded_variables(index, [v for _, v in rewriter.variable_inputs],
                                 {n.name for n in rewriter.out.node})
    return SubgraphPlan(rewriter.out, rewriter.feed_inputs, rewriter.variable_inputs,
                        rewriter.init_flag_inputs, outputs, fetch_outputs, rewriter.updates,
                        passthrough, rewriter.effects, inline_effects, guarded,
                        {u: c for u, c in rewriter.shape_checks.items() if u in outputs})


def _validates_shape(node: NodeDef) -> bool:
    """Whether an assign node keeps its variable's shape (TF: Assign unless validate_shape is
    false; AssignVariableOp only with validate_shape true)."""
    if node.op == "Assign":
        return "validate_shape" not in node.attr or node.attr["validate_shape"].b
    return node.op == "AssignVariableOp" and "validate_shape" in node.attr and node.attr["validate_shape"].b


def _declared_shape(node: NodeDef) -> tuple | None:
    """A variable op's `shape` attr as a tuple when every dim is known, else None."""
    from ortflow.graph.ops.schema import shape_from_proto

    shape = shape_from_proto(node.attr["shape"].shape) if "shape" in node.attr else None
    return tuple(shape) if shape is not None and None not in shape else None


def _guarded_variables(index: GraphIndex, names: list[str], planned: set[str]) -> dict:
    """The variables among `names` that only TF's `initialized_value()` pattern reads in the
    plan (nodes `planned`): every reader is an init check of the variable, an assignment to it,
    or a Switch on its init check whose true side alone is read. Their values are never used
    while they are uninitialized."""
    if not names:
        return {}
    from ortflow.runtime.tables import is_mutable_table_state

    readers: dict[str, list] = {}
    for node in index.graph_def.node:
        if node.name not in planned:
            continue
        for position, inp in enumerate(node.input):
            if not inp.startswith("^"):
                readers.setdefault(split_tensor_name(inp)[0], []).append((node, position, inp))
    out = {}
    for name in dict.fromkeys(names):
        var = index.nodes.get(name)
        users = readers.get(name, [])
        if var is None or not users or not (is_mutable_table_state(name) or all(
                _guarding_reader(index, readers, name, *u) for u in users)):
            continue  # a mutable table's state reads as empty (the stand-in) until first set
        dtype_enum = var.attr["dtype"].type
        dims = [max(d.size, 0) for d in var.attr["shape"].shape.dim] if "shape" in var.attr else []
        out[name] = (_base_enum(dtype_enum), tuple(dims))
    return out


def _guarding_reader(index: GraphIndex, readers: dict, var: str, node, position: int, inp: str) -> bool:
    if node.op in _INIT_CHECK_OPS or (node.op in _ASSIGN_OPS and position == 0):
        return True
    if node.op not in ("Switch", "RefSwitch") or position != 0 or len(node.input) < 2:
        return False
    pred = split_tensor_name(node.input[1])[0]
    for _ in range(16):  # the predicate, through Identity (cond's pred_id), is var's init check
        pred_node = index.nodes.get(pred)
        if pred_node is None:
            return False
        if pred_node.op in _INIT_CHECK_OPS:
            if split_tensor_name(pred_node.input[0])[0] != var:
                return False
            break
        if pred_node.op != "Identity" or not pred_node.input:
            return False
        pred = split_tensor_name(pred_node.input[0])[0]
    else:
        return False
    # only the true side (output 1) may be read
    return all(split_tensor_name(i)[1] == 1 for r, _, i in readers.get(node.name, []))


def _effects_lost_in_loops(index: GraphIndex, needed: set[str]) -> list[str]:
    """The Print/PrintV2/Assert nodes among `needed` whose values an ONNX run cannot hand out:
    a print anywhere in a while loop, an Assert in a nested loop or a loop inside a cond (an
    Assert in a top-level loop is carried out as a flag)."""
    effects = [n for n in needed if index.nodes[n].op in _EFFECT_OPS]
    if not effects or not any(index.nodes[n].op in ("Enter", "RefEnter") for n in needed):
        return []
    contexts = _control_contexts(index, needed)
    lost = []
    for name in sorted(effects):
        context = contexts.get(name, ())
        loops = [k for k, c in enumerate(context) if c[0] == "loop"]
        if not loops:
            continue
        if index.nodes[name].op != "Assert" or len(loops) > 1 \
                or any(c[0] != "loop" for c in context[loops[0] + 1:]):
            lost.append(name)
    return lost
