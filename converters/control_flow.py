"""Handlers of TF 1.x control flow: Switch/Merge conds -> ONNX If, while frames -> ONNX Loop.

TensorFlow 1.x writes control flow as dataflow: a cond is Switch nodes (one per value entering
a branch) and Merge nodes (one per value leaving it); a while loop is a frame of Enter, Merge,
Switch, LoopCond, NextIteration and Exit nodes around a body. Neither maps to one ONNX node,
so these handlers lower a whole region at once:

- the first node of a region the driver reaches (a Switch, an Enter) claims the region: every
  node of it is marked converted, except its exits (the Merges of a cond, the Exits of a loop);
- the driver still visits those exits in topological order; at the last one, every value the
  region reads from outside has been lowered, and the region is built: an If whose branches
  hold the two sides of the cond, or a Loop whose body evaluates the loop condition and runs
  the TF body in an If (TF tests the condition before each pass; ONNX Loop only after one).

Regions nest: a region's nodes are lowered into its subgraph in topological order, and a cond
or loop met there claims its own nodes the same way. Constants without inputs stay in the
enclosing graph (ONNX subgraphs read outer values by name).

TensorArrays (V3) and TensorLists are ONNX sequences (see `sequences.py`); the Loop carries them
as sequence-typed loop variables.
"""

from __future__ import annotations

import dataclasses
import itertools
import weakref

import numpy as np
from ortflow.converters.context import split_tensor_name, tensor_name
from ortflow.converters.emit import const_i64, first
from ortflow.converters.registry import handler, require
from ortflow.converters.sequences import mark_sequence, sequence_dtype
from ortflow.errors import ConversionError
from ortflow.formats import dtypes

__all__ = ["loop_scan_first_dims", "loop_sequence_body"]

_REGION_IDS = itertools.count(1)


@dataclasses.dataclass
class _RootState:
    """Per-conversion bookkeeping (keyed by the root context)."""

    owner: dict = dataclasses.field(default_factory=dict)      # TF node -> id of the region lowering it
    regions: dict = dataclasses.field(default_factory=dict)    # exit node name -> pending region
    cond_groups: dict = dataclasses.field(default_factory=dict)  # (ctx, switches) -> cond per Switch


_STATE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _state(ctx) -> _RootState:
    root = ctx.root()
    state = _STATE.get(root)
    if state is None:
        state = _STATE[root] = _RootState()
    return state


# --------------------------------------------------------------------------- graph walking

def _src(inp: str) -> str:
    return inp[1:] if inp.startswith("^") else split_tensor_name(inp)[0]


def _data_inputs(node) -> list[str]:
    return [tensor_name(i) for i in node.node_def.input if not i.startswith("^")]


def _frame_name(node) -> str:
    return node.str_attr("frame_name", b"")


def _exit_frame(ctx, exit_node) -> str | None:
    # Exit <- Switch <- Merge <- Enter: the Enter names the frame.
    switch = ctx.tf_node(_data_inputs(exit_node)[0])
    merge = switch and ctx.tf_node(_data_inputs(switch)[0])
    enter = merge and ctx.tf_node(_data_inputs(merge)[0])
    return _frame_name(enter) if enter is not None and enter.op in ("Enter", "RefEnter") else None


def _topological(ctx, names) -> list[str]:
    """`names` ordered so each node follows its inputs among them (NextIteration edges skipped)."""
    from ortflow.converters.passes_tf import topological_order

    # sorted first: `names` is often a set, and ties must not follow its hash order (the same
    # graph converts to the same bytes in every process)
    nodes = [ctx.tf_node(n).node_def for n in sorted(names)]
    return [n.name for n in topological_order(nodes)]


def _claim(ctx, names, region_id: int, keep=()) -> None:
    """Marks `names` as lowered by region `region_id`, except `keep` (the region's exits)."""
    state = _state(ctx)
    for name in names:
        if name not in keep:
            state.owner[name] = region_id
    ctx.mark_converted(n for n in names if n not in keep)


def _lower_region(sub, names, region_id: int) -> None:
    """Lowers the region's own nodes into `sub`, in order, skipping those a nested region claimed."""
    from ortflow.converters.driver import lower_node

    owner = _state(sub).owner
    for name in names:
        if owner.get(name, region_id) != region_id:
            continue
        node = sub.tf_node(name)
        if node.op == "Const" and not node.node_def.input:
            continue  # lowered in the enclosing graph
        try:
            handled = lower_node(sub, node.node_def)
        except ConversionError:
            raise
        except Exception as e:
            raise ConversionError(f"{node.op} node {name!r}: {type(e).__name__}: {e}") from e
        if not handled:
            raise ConversionError(f"{node.op} node {name!r} (inside control flow) has no handler "
                                  f"at opset {sub.opset}")


def _retype(graph, positions: dict[int, object], which: str) -> None:
    """Turns graph inputs/outputs at `positions` into sequences of the given element DTypes."""
    from onnx import helper

    values = graph.input if which == "input" else graph.output
    for k, elem in positions.items():
        seq = helper.make_sequence_type_proto(helper.make_tensor_type_proto(_onnx_elem(elem), None))
        values[k].type.CopyFrom(seq)


def _fresh(ctx, hint: str) -> str:
    # A made-up value name shaped like a TF tensor name ('x:0'): subgraph outputs are looked up
    # through `resolve`, which reads any name without an output index as 'name:0'.
    return f"{ctx.unique_name(hint)}:0"


def _declared(dtype, is_sequence: bool = False):
    """The dtype a subgraph input/output is first declared with: sequences (TensorArray flows,
    TensorList variants) get a placeholder float32 that `_retype` replaces afterwards."""
    if is_sequence or dtype is None or dtype in (dtypes.variant, dtypes.resource):
        return dtypes.float32
    return dtype


def loop_sequence_body(ctx, name: str, elem):
    """A Loop body with two carried values, a sequence and an item, that appends the item.

    The item is carried rather than read from the enclosing scope: onnxruntime checks the
    shapes of outer values strictly inside subgraphs, and some values carry loosely inferred
    ranks there.
    """
    iteration, cond_in = _fresh(ctx, f"{name}/iteration"), _fresh(ctx, f"{name}/cond_in")
    seq_in, item_in = _fresh(ctx, f"{name}/sequence"), _fresh(ctx, f"{name}/item")
    body = ctx.make_subgraph(name, [(iteration, dtypes.int64, ()), (cond_in, dtypes.bool, ()),
                                    (seq_in, _declared(elem, True), None), (item_in, elem, None)])
    grown = _fresh(body, f"{name}/grown")
    body.make_node("SequenceInsert", [seq_in, item_in], outputs=[grown])
    graph = body.finish([(cond_in, dtypes.bool, ()), (grown, _declared(elem, True), None), (item_in, elem, None)])
    _retype(graph, {2: elem}, "input")
    _retype(graph, {1: elem}, "output")
    return graph


def loop_scan_first_dims(ctx, name: str, seq: str):
    """A Loop body whose scan output is the first dim of element `iteration` of outer `seq`."""
    iteration, cond_in = _fresh(ctx, f"{name}/iteration"), _fresh(ctx, f"{name}/cond_in")
    body = ctx.make_subgraph(name, [(iteration, dtypes.int64, ()), (cond_in, dtypes.bool, ())])
    item = body.make_node("SequenceAt", [seq, iteration])[0]
    shape = body.make_node("Shape", [item])[0]
    dim = _fresh(body, f"{name}/dim")
    body.make_node("Gather", [shape, body.make_const(np.array(0, dtype=np.int64))], {"axis": 0}, outputs=[dim])
    return body.finish([(cond_in, dtypes.bool, ()), (dim, dtypes.int64, ())])


def _sort_nodes(sub) -> None:
    """Orders a subgraph's ONNX nodes so each comes after the producers of what it reads.

    A cond's If is emitted at its last Merge in TF order, which can come after a reader of an
    earlier Merge of the same cond; a stable topological sort (subgraph attributes' reads of
    outer values count as inputs) puts the If first.
    """
    nodes = list(sub.nodes)
    producer = {out: i for i, n in enumerate(nodes) for out in n.outputs if out}
    needs = [sorted({producer[x] for x in _node_reads(n) if x in producer and producer[x] != i})
             for i, n in enumerate(nodes)]
    done: set[int] = set()
    order: list[int] = []
    for i in range(len(nodes)):
        stack = [(i, False)]
        while stack:
            k, expanded = stack.pop()
            if k in done:
                continue
            if expanded:
                done.add(k)
                order.append(k)
                continue
            stack.append((k, True))
            stack.extend((d, False) for d in reversed(needs[k]) if d not in done)
    if order != list(range(len(nodes))):
        sub.nodes[:] = [nodes[k] for k in order]


def _node_reads(node) -> set[str]:
    reads = {x for x in node.inputs if x}
    for value in node.attrs.values():
        if hasattr(value, "node") and hasattr(value, "initializer"):  # an onnx GraphProto
            reads |= _graph_reads(value)
    return reads


def _graph_reads(graph) -> set[str]:
    # Names a subgraph reads from enclosing scopes (anything its own nodes do not produce).
    own = {i.name for i in graph.input} | {i.name for i in graph.initializer}
    reads: set[str] = set()
    for n in graph.node:
        own.update(n.output)
    for n in graph.node:
        reads.update(x for x in n.input if x and x not in own)
        for a in n.attribute:
            if a.g is not None and a.g.node:
                reads.update(x for x in _graph_reads(a.g) if x not in own)
    return reads


def _rank_only(shape):
    return None if shape is None else (None,) * len(shape)


def _onnx_elem(dtype) -> int:
    from ortflow.converters.context import onnx_type

    return onnx_type(dtypes.as_dtype(dtype))


# --------------------------------------------------------------------------- conds

@dataclasses.dataclass
class _Cond:
    region_id: int
    pred: str                    # TF tensor name of the predicate
    switches: list[str]
    true_nodes: list[str]
    false_nodes: list[str]
    merges: list[str]
    visited: set = dataclasses.field(default_factory=set)


def _switch_branch(inp: str, switches: set[str]) -> str | None:
    node, index = split_tensor_name(_src(inp) if inp.startswith("^") else inp)
    if node in switches and not inp.startswith("^"):
        return "T" if index == 1 else "F"
    return None


def _tags_of_inputs(node, switches: set[str], tags: dict) -> set[str]:
    found: set[str] = set()
    for inp in node.node_def.input:
        branch = _switch_branch(inp, switches)
        found |= {branch} if branch else tags.get(_src(inp), set())
    return found


def _is_cond_merge(ctx, merge, switches: set[str], tags: dict) -> bool:
    """Whether `merge` closes the cond of `switches`: it reads both branches, or one branch
    and a constant (the TF-side pruning drops the control input tying a branch's constant to
    its side), provided no other cond's Switch sits between it and the branch."""
    found = _tags_of_inputs(merge, switches, tags)
    if found == {"T", "F"}:
        return True
    data = _data_inputs(merge)
    if len(found) != 1 or len(data) != 2:
        return False
    producers = [ctx.tf_node(t) for t in data]
    consts = [p for p in producers if p is not None and p.op == "Const"]
    if len(consts) != 1:
        return False
    tagged = next(t for t, p in zip(data, producers) if p is not consts[0])
    return not _inner_switch_between(ctx, tagged, switches, tags)


def _inner_switch_between(ctx, tensor: str, switches: set[str], tags: dict) -> bool:
    seen, work = set(), [split_tensor_name(tensor)[0]]
    while work:
        name = work.pop()
        if name in seen or name in switches or name not in tags:
            continue
        seen.add(name)
        node = ctx.tf_node(name)
        if node.op == "Switch":
            return True
        work.extend(_src(i) for i in node.node_def.input)
    return False


def _is_loop_merge(ctx, merge) -> bool:
    """A while frame's Merge (fed by an Enter and a NextIteration), never a cond's."""
    producers = [ctx.tf_node(t) for t in _data_inputs(merge)]
    return any(p is not None and p.op in ("Enter", "NextIteration") for p in producers)


def _fed_by_pending(ctx, merge: str, pending: set[str], tags: dict) -> bool:
    seen, work = set(), [_src(i) for i in ctx.tf_node(merge).node_def.input]
    while work:
        name = work.pop()
        if name in pending:
            return True
        if name in seen or name not in tags:
            continue
        seen.add(name)
        work.extend(_src(i) for i in ctx.tf_node(name).node_def.input)
    return False


def _find_cond(ctx, switch) -> _Cond:
    # Tag every node downstream of the cond's Switches with the branch(es) it depends on; a
    # Merge reading both branches is one of the cond's outputs and stops the tagging.
    pred = _data_inputs(switch)[1]
    pred_node = split_tensor_name(pred)[0]
    switches = {c.name for c in ctx.consumers(pred_node)
                if c.op in ("Switch", "RefSwitch") and _data_inputs(c)[1] == pred}
    switches = _same_level(ctx, switches, switch.name)
    tags: dict[str, set[str]] = {}
    merges: list[str] = []
    nested: set[str] = set()   # Merges of conds nested in one branch: tagged like other nodes
    pending: set[str] = set()  # Merges met, judged once everything upstream is tagged
    work = [c.name for s in switches for c in ctx.consumers(s)]
    while work or pending:
        if not work:
            # Judge the Merges no other pending Merge feeds (through tagged nodes) first.
            ready = [m for m in sorted(pending) if not _fed_by_pending(ctx, m, pending, tags)] or sorted(pending)
            for name in ready:
                pending.discard(name)
                if _is_cond_merge(ctx, ctx.tf_node(name), switches, tags):
                    merges.append(name)
                else:
                    nested.add(name)
                    work.append(name)
            continue
        name = work.pop()
        node = ctx.tf_node(name)
        if node is None or name in switches or name in merges:
            continue
        if node.op in ("Merge", "RefMerge") and name not in nested and not _is_loop_merge(ctx, node):
            pending.add(name)
            continue
        new = _tags_of_inputs(node, switches, tags)
        if new - tags.get(name, set()):
            tags[name] = tags.get(name, set()) | new
            work.extend(c.name for c in ctx.consumers(name))
    mixed = sorted(n for n, t in tags.items() if len(t) > 1)
    if mixed:
        raise ConversionError(f"Switch node {switch.name!r}: nodes {mixed[:3]!r} read both branches "
                              "of the cond without a Merge")
    true_nodes = _topological(ctx, [n for n, t in tags.items() if t == {"T"}])
    false_nodes = _topological(ctx, [n for n, t in tags.items() if t == {"F"}])
    return _Cond(next(_REGION_IDS), pred, sorted(switches), true_nodes, false_nodes, merges)


def _same_level(ctx, switches: set[str], start: str) -> set[str]:
    """The Switches of `start`'s cond among those sharing its predicate.

    Conds on one predicate (two layers on one `training` flag, once the TF-side passes have
    folded each cond's `pred_id` Identity into the flag) are told apart by what their branches
    reach: the nodes downstream of a Switch up to the Merges (not past them, nor past another
    such Switch) are its branch; Switches whose branches meet (a node reading both, a Merge of
    both sides, a constant tied to a pivot's side) belong to one cond. A cond whose Switch reads
    another cond's Merge, or one nested in a branch, stays apart. A pivot Switch (the predicate
    switched on itself) that reaches nothing forms a cond of its own with the other such pivots.
    """
    state = _state(ctx)
    key = (id(ctx), frozenset(switches))
    groups = state.cond_groups.get(key)
    if groups is None:
        groups = state.cond_groups[key] = _group_switches(ctx, switches)
    return groups.get(start, {start})


def _group_switches(ctx, switches: set[str]) -> dict[str, set[str]]:
    """switch -> the set of `switches` in its cond (see `_same_level`)."""
    parent = {s: s for s in switches}

    def find(s: str) -> str:
        while parent[s] != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    owner: dict[str, str] = {}
    lone: list[str] = []
    for s in sorted(switches):
        reach = _downstream_of(ctx, {s}, stop=switches)
        if not reach:
            lone.append(s)
        for name in reach:
            first = owner.setdefault(name, s)
            if first != s:
                parent[find(s)] = find(first)
    pred_of = {s: _data_inputs(ctx.tf_node(s)) for s in lone}
    pivots = [s for s in lone if pred_of[s][0] == pred_of[s][1]]
    for s in pivots[1:]:
        parent[find(s)] = find(pivots[0])
    groups: dict[str, set[str]] = {}
    for s in switches:
        groups.setdefault(find(s), set()).add(s)
    return {s: groups[find(s)] for s in switches}


def _downstream_of(ctx, names: set[str], stop=frozenset()) -> set[str]:
    # Nodes reached from `names` through data and control edges, not across loop back edges
    # nor past a cond's Merge, leaving out the nodes in `stop` and what is reached only
    # through them. The Merge of a cond nested in the reached region (every input
    # reached, its branches opened by Switches outside `stop`) does not count as a cond's Merge:
    # the walk goes on past it, so an outer branch holding an inner cond reaches the outer Merge.
    seen: set[str] = set()
    held: set[str] = set()  # Merges met before all their inputs were reached
    work = [c.name for n in names for c in ctx.consumers(n)]
    while work or held:
        if not work:
            ready = [m for m in held if _nested_merge(ctx, m, seen, stop)]
            if not ready:
                break
            held.difference_update(ready)
            work.extend(c.name for m in ready for c in ctx.consumers(m))
            continue
        name = work.pop()
        if name in seen or name in stop:
            continue
        seen.add(name)
        node = ctx.tf_node(name)
        if node is None or node.op in ("NextIteration", "RefNextIteration"):
            continue
        if node.op in ("Merge", "RefMerge") and not _is_loop_merge(ctx, node):
            held.add(name)
            continue
        work.extend(c.name for c in ctx.consumers(name))
    return seen


def _nested_merge(ctx, merge: str, seen: set[str], stop) -> bool:
    # Walking up from the Merge through reached nodes, the first Switches met open its branches:
    # all of them outside `stop` (another predicate) makes it a nested cond's Merge.
    inputs = [_src(i) for i in ctx.tf_node(merge).node_def.input]
    if not all(i in seen for i in inputs):
        return False
    visited, work, inner = set(), list(inputs), False
    while work:
        name = work.pop()
        if name in visited:
            continue
        visited.add(name)
        if name in stop:
            return False
        node = ctx.tf_node(name)
        if node is None or name not in seen:
            continue
        if node.op in ("Switch", "RefSwitch"):
            inner = True
            continue
        work.extend(_src(i) for i in node.node_def.input)
    return inner


@handler("Switch")
def convert_switch(ctx, node):
    # TF:   output_false, output_true = Switch(data, pred)   (a v1 cond's entry)
    # ONNX: (claimed here; the If is built at the cond's last Merge)
    pred_node = ctx.tf_node(_data_inputs(node)[1])
    require(pred_node is None or pred_node.op != "LoopCond", node,
            "a while loop's Switch was reached outside its loop (its Enter was not lowered first)")
    cond = _find_cond(ctx, node)
    require(cond.merges, node, "the cond has no Merge: its outputs are not read")
    _claim(ctx, cond.switches + cond.true_nodes + cond.false_nodes, cond.region_id)
    state = _state(ctx)
    for merge in cond.merges:
        state.regions[merge] = cond


def _branch_graph(ctx, cond: _Cond, side: str):
    nodes = cond.true_nodes if side == "T" else cond.false_nodes
    sub = ctx.make_subgraph(f"{cond.merges[0]}/{'then' if side == 'T' else 'else'}")
    for s in cond.switches:
        data = _data_inputs(ctx.tf_node(s))[0]
        sub.alias(ctx.resolve(data), f"{s}:{1 if side == 'T' else 0}")
    _lower_region(sub, nodes, cond.region_id)
    outputs, seq_positions = [], {}
    for k, merge in enumerate(cond.merges):
        merge_node = ctx.tf_node(merge)
        switch_set = set(cond.switches)
        chosen = None
        for inp in _data_inputs(merge_node):
            branch = _switch_branch(inp, switch_set)
            owner = split_tensor_name(inp)[0]
            if branch == side or (branch is None and owner in nodes):
                chosen = inp
                break
        if chosen is None:
            # The side without a tagged input is the constant's (see _is_cond_merge).
            chosen = next((i for i in _data_inputs(merge_node)
                           if (ctx.tf_node(i) is not None and ctx.tf_node(i).op == "Const")), None)
        require(chosen is not None, merge_node, f"no input of the Merge comes from the "
                                                f"{'true' if side == 'T' else 'false'} branch")
        value = sub.resolve(chosen)
        elem = sequence_dtype(ctx, value)
        if elem is not None:
            seq_positions[k] = elem
        outputs.append((chosen, _declared(merge_node.output_dtype(0)), None))
    _sort_nodes(sub)
    graph = sub.finish(outputs)
    _retype(graph, seq_positions, "output")
    return graph, seq_positions


@handler("Merge")
def convert_merge(ctx, node):
    # TF:   output, value_index = Merge(inputs: N tensors)   (a v1 cond's exit)
    # ONNX: Outputs... = If(Pred, then_branch, else_branch)  (built once every Merge is reached)
    state = _state(ctx)
    cond = state.regions.get(node.name)
    require(cond is not None, node, "the Merge belongs to no cond or while loop that was lowered")
    cond.visited.add(node.name)
    if len(cond.visited) < len(cond.merges):
        return
    then_graph, seq_t = _branch_graph(ctx, cond, "T")
    else_graph, _ = _branch_graph(ctx, cond, "F")
    pred = ctx.resolve(cond.pred)
    outputs = [ctx.tf_node(m).output(0) for m in cond.merges]
    ctx.make_node("If", [pred], {"then_branch": then_graph, "else_branch": else_graph}, outputs=outputs,
                  name=f"{cond.merges[0]}/If")
    for k, elem in seq_t.items():
        mark_sequence(ctx, outputs[k], elem)
    for m in cond.merges:
        merge_node = ctx.tf_node(m)
        if any(f"{m}:1" in _data_inputs(c) for c in ctx.consumers(m)):
            index = first(ctx, "Where", [pred, ctx.make_const(np.int32(_merge_index(merge_node, cond, "T"))),
                                         ctx.make_const(np.int32(_merge_index(merge_node, cond, "F")))])
            ctx.alias(index, merge_node.output(1))


def _merge_index(merge_node, cond: _Cond, side: str) -> int:
    nodes = set(cond.true_nodes if side == "T" else cond.false_nodes)
    for i, inp in enumerate(_data_inputs(merge_node)):
        if _switch_branch(inp, set(cond.switches)) == side or split_tensor_name(inp)[0] in nodes:
            return i
    return 0


# --------------------------------------------------------------------------- while loops

@dataclasses.dataclass
class _LoopVar:
    enter: str
    merge: str
    switch: str
    next_iteration: str
    exit: str | None


@dataclasses.dataclass
class _Frame:
    region_id: int
    name: str
    loop_vars: list[_LoopVar]
    invariants: list[str]        # Enter nodes read directly by the body
    loop_cond: str
    cond_nodes: list[str]        # computing the LoopCond input, in order
    body_nodes: list[str]        # the rest of the frame, in order
    exits: list[str]
    visited: set = dataclasses.field(default_factory=set)


def _frame_members(ctx, enter, frame: str) -> set[str]:
    """Every node of `frame`: forward from its Enters up to its Exits, and back to its Enters."""
    seen: set[str] = set()
    work = [enter.name]
    while work:
        name = work.pop()
        node = ctx.tf_node(name)
        if node is None or name in seen:
            continue
        seen.add(name)
        is_own_exit = node.op in ("Exit", "RefExit") and _exit_frame(ctx, node) == frame
        if not is_own_exit:
            work.extend(c.name for c in ctx.consumers(name))
        if node.op in ("Enter", "RefEnter") and _frame_name(node) == frame:
            continue
        for inp in _data_inputs(node):
            producer = ctx.tf_node(inp)
            if producer is not None and not (producer.op == "Const" and not producer.node_def.input):
                work.append(producer.name)
    return seen


def _ancestors_within(ctx, start: str, members: set[str], stop_ops: tuple) -> list[str]:
    seen: set[str] = set()
    work = [split_tensor_name(start)[0]]
    while work:
        name = work.pop()
        if name in seen or name not in members:
            continue
        node = ctx.tf_node(name)
        if node.op in stop_ops:
            continue
        seen.add(name)
        work.extend(_src(i) for i in node.node_def.input)
    return list(seen)


def _find_frame(ctx, enter) -> _Frame:
    frame = _frame_name(enter)
    members = _frame_members(ctx, enter, frame)
    nodes = {n: ctx.tf_node(n) for n in members}
    enters = [n for n, v in nodes.items() if v.op in ("Enter", "RefEnter") and _frame_name(v) == frame]
    loop_vars, invariants, exits = [], [], []
    structural: set[str] = set(enters)
    loop_cond = None
    for e in sorted(enters):
        merges = [c for c in ctx.consumers(e) if c.op in ("Merge", "RefMerge")]
        if not merges:
            invariants.append(e)
            continue
        merge = merges[0]
        switch = next((c for c in ctx.consumers(merge.name) if c.op in ("Switch", "RefSwitch")), None)
        if switch is None:
            raise ConversionError(f"Enter node {e!r}: loop variable without a Switch in frame {frame!r}")
        loop_cond = _data_inputs(switch)[1].split(":")[0]
        next_it = split_tensor_name(_data_inputs(merge)[1])[0]
        exit_node = next((c.name for c in ctx.consumers(switch.name) if c.op in ("Exit", "RefExit")), None)
        loop_vars.append(_LoopVar(e, merge.name, switch.name, next_it, exit_node))
        structural |= {merge.name, switch.name, next_it}
        if exit_node is not None:
            exits.append(exit_node)
            structural.add(exit_node)
    if loop_cond is None:
        raise ConversionError(f"Enter node {enter.name!r}: frame {frame!r} has no loop variable")
    structural.add(loop_cond)
    cond_input = _data_inputs(ctx.tf_node(loop_cond))[0]
    cond_nodes = _ancestors_within(ctx, cond_input, members - structural, ("Enter", "RefEnter"))
    body = members - structural - set(cond_nodes)
    return _Frame(next(_REGION_IDS), frame, loop_vars, invariants, loop_cond,
                  _topological(ctx, cond_nodes), _topological(ctx, body), exits)


@handler("Enter")
def convert_enter(ctx, node):
    # TF:   output = Enter(data, frame_name: string, is_constant: bool)   (a while frame's entry)
    # ONNX: (claimed here; the Loop is built at the frame's last Exit)
    frame = _find_frame(ctx, node)
    require(frame.exits, node, f"no Exit of while frame {frame.name!r} is read")
    everything = ([v.enter for v in frame.loop_vars] + frame.invariants + [v.merge for v in frame.loop_vars]
                  + [v.switch for v in frame.loop_vars] + [v.next_iteration for v in frame.loop_vars]
                  + [frame.loop_cond] + frame.cond_nodes + frame.body_nodes + frame.exits)
    _claim(ctx, everything, frame.region_id, keep=set(frame.exits))
    state = _state(ctx)
    for e in frame.exits:
        state.regions[e] = frame


@handler("Exit")
def convert_exit(ctx, node):
    # TF:   output = Exit(data)           (a while frame's exit)
    # ONNX: Outputs... = Loop("", true, inits..., body)  (built once every Exit is reached)
    frame = _state(ctx).regions.get(node.name)
    require(frame is not None, node, "the Exit belongs to no while frame that was lowered")
    frame.visited.add(node.name)
    if len(frame.visited) < len(frame.exits):
        return
    _build_loop(ctx, frame)


def _build_loop(ctx, frame: _Frame) -> None:
    sources = [_data_inputs(ctx.tf_node(v.enter))[0] for v in frame.loop_vars]
    inits = [ctx.resolve(t) for t in sources]
    seqs = {}
    for k, (name, source) in enumerate(zip(inits, sources)):
        # A loop may be built before the producer of one of its initial values is lowered
        # (a stacked RNN's second loop reads the first's output through TensorListFromTensor):
        # the TF producer then tells whether that value is a sequence.
        elem = sequence_dtype(ctx, name) or _tf_sequence_elem(ctx, source)
        if elem is not None:
            seqs[k] = elem
            mark_sequence(ctx, name, elem)
    var_dtypes = [ctx.tf_node(v.enter).output_dtype(0) for v in frame.loop_vars]
    iter_name = _fresh(ctx, f"{frame.name}/iteration")
    cond_name = _fresh(ctx, f"{frame.name}/cond_in")
    var_names = [_fresh(ctx, f"{v.merge}/value") for v in frame.loop_vars]
    inputs = [(iter_name, dtypes.int64, ()), (cond_name, dtypes.bool, ())]
    # Loop variables keep their rank (TF's default shape invariant) but may change dims; ONNX
    # drops the shapes of loop-carried values, so the body declares the rank itself.
    var_shapes = [_rank_only(ctx.tf_node(v.enter).input_shape(0)) for v in frame.loop_vars]
    inputs += [(n, _declared(var_dtypes[k], k in seqs), None if k in seqs else var_shapes[k])
               for k, n in enumerate(var_names)]
    body = ctx.make_subgraph(f"{frame.name}/body", inputs)
    for k, v in enumerate(frame.loop_vars):
        body.alias(var_names[k], f"{v.merge}:0")
        body.alias(var_names[k], f"{v.switch}:1")
        if k in seqs:
            mark_sequence(ctx, var_names[k], seqs[k])
    for e in frame.invariants:
        body.alias(ctx.resolve(_data_inputs(ctx.tf_node(e))[0]), f"{e}:0")
    _lower_region(body, frame.cond_nodes, frame.region_id)
    pred = body.resolve(_data_inputs(ctx.tf_node(frame.loop_cond))[0])
    then_graph, then_seqs = _loop_then(body, frame, seqs)
    else_graph = _loop_else(body, frame, var_names, var_dtypes, then_seqs)
    new_values = [_fresh(body, f"{v.next_iteration}/value") for v in frame.loop_vars]
    body.make_node("If", [pred], {"then_branch": then_graph, "else_branch": else_graph}, outputs=new_values,
                   name=f"{frame.name}/step")
    outs = [(pred, dtypes.bool, ())] + [(n, _declared(var_dtypes[k], k in then_seqs),
                                         None if k in then_seqs else var_shapes[k])
                                        for k, n in enumerate(new_values)]
    _sort_nodes(body)
    graph = body.finish(outs)
    _retype(graph, {k + 2: e for k, e in then_seqs.items()}, "input")
    _retype(graph, {k + 1: e for k, e in then_seqs.items()}, "output")
    # ONNX shape inference gives Loop outputs no shape at all; a Reshape to [0] * rank (copy
    # every dim) restores the rank for the Exits' readers and the graph's declared outputs.
    exits = [f"{v.exit}:0" if v.exit else None for v in frame.loop_vars]
    reshaped = [exits[k] is not None and k not in then_seqs and var_shapes[k] is not None
                for k in range(len(exits))]
    outputs = [_fresh(ctx, f"{v.merge}/final") if exits[k] is None or reshaped[k] else exits[k]
               for k, v in enumerate(frame.loop_vars)]
    true = ctx.make_const(np.array(True))
    ctx.make_node("Loop", ["", true] + inits, {"body": graph}, outputs=outputs, name=f"{frame.name}/Loop")
    for k, exit_name in enumerate(exits):
        if exit_name is not None and outputs[k] != exit_name:
            first(ctx, "Reshape", [outputs[k], const_i64(ctx, [0] * len(var_shapes[k]))], output=exit_name)
    for k, elem in then_seqs.items():
        mark_sequence(ctx, outputs[k], elem)


# TF ops whose (variant or flow) output is a TensorList / TensorArray, and the attr naming the
# element dtype.
_SEQUENCE_PRODUCERS = {"TensorListFromTensor": "element_dtype", "TensorListReserve": "element_dtype",
                       "EmptyTensorList": "element_dtype", "TensorListSetItem": "element_dtype",
                       "TensorListPushBack": "element_dtype", "TensorArrayV3": "dtype",
                       "TensorArrayWriteV3": "T", "TensorArrayScatterV3": "T"}


def _tf_sequence_elem(ctx, tensor: str):
    """The element dtype when TF `tensor` is a TensorList or TensorArray flow, else None."""
    for _ in range(64):  # through Identity chains, never around a cycle
        node = ctx.tf_node(tensor)
        if node is None:
            return None
        if node.op in ("Identity", "Enter"):
            tensor = _data_inputs(node)[0]
            continue
        attr = _SEQUENCE_PRODUCERS.get(node.op)
        if attr is None or (node.op == "TensorArrayV3" and not tensor.endswith(":1")):
            return None
        return node.attr(attr)
    return None


def _loop_then(body, frame: _Frame, seqs: dict):
    then = body.make_subgraph(f"{frame.name}/then")
    _lower_region(then, frame.body_nodes, frame.region_id)
    outputs, found = [], dict(seqs)
    for k, v in enumerate(frame.loop_vars):
        produced = _data_inputs(body.tf_node(v.next_iteration))[0]
        value = then.resolve(produced)
        elem = sequence_dtype(body, value) or found.get(k)
        if elem is not None:
            found[k] = elem
            if not _produced_in(then, value):
                produced = _pass_sequence(then, value, elem)
        outputs.append((produced, _declared(body.tf_node(v.enter).output_dtype(0), k in found), None))
    _sort_nodes(then)
    graph = then.finish(outputs)
    _retype(graph, found, "output")
    return graph, found


def _pass_sequence(sub, value: str, elem) -> str:
    """`value` made a subgraph output. Identity takes sequences only from opset 14: before, an
    append-then-erase of a dummy element copies the sequence instead."""
    if sub.opset >= 14:
        return value
    dummy = sub.make_const(np.zeros((), dtype=dtypes.as_dtype(elem).as_numpy_dtype))
    grown = first(sub, "SequenceInsert", [value, dummy])
    return first(sub, "SequenceErase", [grown], output=_fresh(sub, "sequence_copy"))


def _produced_in(sub, value: str) -> bool:
    return value in sub.initializers or any(value in n.outputs for n in sub.nodes)


def _loop_else(body, frame: _Frame, var_names, var_dtypes, seqs: dict):
    other = body.make_subgraph(f"{frame.name}/else")
    names = [_pass_sequence(other, n, seqs[k]) if k in seqs else n for k, n in enumerate(var_names)]
    graph = other.finish([(n, _declared(var_dtypes[k], k in seqs), None) for k, n in enumerate(names)])
    _retype(graph, seqs, "output")
    return graph


@handler("LoopCond", "NextIteration")
def convert_loop_structure(ctx, node):
    # TF:   output = LoopCond(input) / NextIteration(data)   (while frame structure)
    # ONNX: (none: lowered with the frame by the Enter/Exit handlers)
    require(False, node, "reached outside its while frame; the frame's Enter was not lowered first")


# --------------------------------------------------------------------------- logging ops

@handler("Print")
def convert_print(ctx, node):
    # TF:   output = Print(input, data, message, first_n, summarize)   (logs `data`, passes `input`)
    # ONNX: Output = Identity(Input)   (nothing is printed)
    ctx.make_node("Identity", [node.input(0)], outputs=[node.output(0)])
