"""A numpy fallback that runs a lowered subgraph op by op, for what ONNX cannot express.

When it is used: `Session` lowers each run signature to ONNX first. When the converter finds
ops without an ONNX handler (typically string ops such as StringJoin or ShardedFilename, or
summary ops) and every node of the subgraph has a numpy kernel in `ortflow.graph.ops` (or is
one of the structural ops below), the whole signature runs here instead, on the CPU. It is
also chosen up front for a subgraph with an op whose string output is binary (summary ops,
SerializeTensor, EncodePng, ...): onnxruntime hands string tensors to Python decoded as UTF-8,
which such bytes are not. It is slower than onnxruntime but gives the same results;
`Session.last_run_backend` tells which one ran.

The interpreter follows TensorFlow's dataflow semantics for v1 conditionals: `Switch` sends
its input to one output and a *dead* marker to the other, an op with a dead input is dead, and
`Merge` forwards its one live input. v1 while loops run frame by frame: the nodes of a frame
(between its Enter and Exit nodes, nested frames as single steps) are evaluated once per pass,
in order, a loop Merge taking its Enter's value in the first pass and its NextIteration's value
after that, until the LoopCond is false; the Exits then read the last pass's values.
TensorArrayV3 handles are Python objects holding the elements written so far (one per run),
so map_fn, scan and dynamic_rnn loops run here too. For such effects, a node with no numpy
kernel but an ONNX handler (Conv2D, ...) runs alone as a one-node onnxruntime model, compiled
once per input shapes.

With `print_counts` given, Print, PrintV2 and Assert nodes do what they do in TensorFlow when
they run (once per pass in a loop body, in order): print TensorFlow's text, or raise
InvalidArgumentError for a false condition (`runtime/effects.py` writes the text). The lowering
keeps those nodes in the graph for that (`SubgraphPlan.inline_effects`) when some of them sit in
a while loop, whose per-pass values onnxruntime cannot hand out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ortflow.errors import InvalidArgumentError, OpError, UnimplementedError
from ortflow.graph.naming import split_tensor_name

__all__ = ["DEAD", "Interpreter", "missing_kernels"]


class _Dead:
    """The value on the untaken side of a Switch."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<dead>"


DEAD = _Dead()

_IDENTITY_OPS = frozenset({"Identity", "Snapshot", "StopGradient", "PreventGradient",
                           "CheckNumerics", "EnsureShape", "PlaceholderWithDefault", "RefIdentity"})
_LOOP_OPS = frozenset({"Enter", "Exit", "NextIteration", "LoopCond"})
_EFFECT_OPS = frozenset({"Print", "PrintV2", "Assert", "StringFormat"})
_TENSOR_ARRAY_OPS = frozenset({"TensorArrayV3", "TensorArrayWriteV3", "TensorArrayReadV3", "TensorArrayGatherV3",
                               "TensorArrayScatterV3", "TensorArraySizeV3", "TensorArrayConcatV3",
                               "TensorArraySplitV3", "TensorArrayCloseV3"})
_STRUCTURAL_OPS = _IDENTITY_OPS | _LOOP_OPS | _EFFECT_OPS | _TENSOR_ARRAY_OPS | {"Const", "Placeholder", "NoOp", "Switch",
                                                            "Merge", "IdentityN", "AddV2", "Sub"}


def missing_kernels(graph_def, delegate: bool = False) -> list[str]:
    """The op types of `graph_def` the interpreter has no kernel for (empty: it can run it).

    Args:
        graph_def: the subgraph.
        delegate: count ops with an ONNX handler as runnable (`Interpreter(delegate=True)`
            runs each such node alone on onnxruntime).
    """
    from ortflow.graph.ops import has_kernel

    lacking = [n for n in graph_def.node if n.op not in _STRUCTURAL_OPS and not has_kernel(n.op)]
    if delegate and lacking:
        from ortflow.converters.registry import registered_ops

        handled = set(registered_ops()) - _NOT_DELEGATED
        lacking = [n for n in lacking if n.op not in handled or not _plain_types(n)]
    return sorted({n.op for n in lacking})


def _plain_types(node) -> bool:
    """Whether the dtypes a node's attrs name are all numbers or bools (a one-node onnxruntime
    model takes those as they are; strings, complex values and handles it does not)."""
    for value in node.attr.values():
        kind = value.WhichOneof("value")
        if kind == "type" and value.type % 100 in _UNPLAIN_TYPES:
            return False
        if kind == "list" and any(t % 100 in _UNPLAIN_TYPES for t in value.list.type):
            return False
    return True


_UNPLAIN_TYPES = frozenset({7, 8, 18, 20, 21})  # string, complex64, complex128, resource, variant


# Ops a one-node ONNX model cannot stand for: their inputs or outputs are handles or lists.
_NOT_DELEGATED = frozenset({"TensorListReserve", "TensorListFromTensor", "TensorListSetItem", "TensorListGetItem",
                            "TensorListStack", "TensorListPushBack", "TensorListPopBack", "TensorListLength",
                            "TensorListElementShape", "TensorListConcatV2", "TensorListGather",
                            "TensorListScatterIntoExistingList", "TensorListSplit", "TensorListResize",
                            "EmptyTensorList", "TensorListScatterV2", "TensorListScatter"})


def _topological(graph_def) -> list:
    """Nodes ordered so that every node comes after its data and control inputs (a loop's
    NextIteration -> Merge back edges are not followed: the Merge comes first)."""
    nodes = {n.name: n for n in graph_def.node}
    order, state = [], {}
    for root in graph_def.node:
        stack = [(root.name, False)]
        while stack:
            name, done = stack.pop()
            if done:
                if state.get(name) != 2:
                    state[name] = 2
                    order.append(nodes[name])
                continue
            if state.get(name):
                continue
            state[name] = 1
            stack.append((name, True))
            for producer in _producers(nodes, nodes[name]):
                if not state.get(producer):
                    stack.append((producer, False))
    return order


def _producers(nodes: dict, node) -> list[str]:
    """The nodes `node` reads (data and control), without a loop Merge's back edges."""
    found = []
    for inp in node.input:
        producer = split_tensor_name(inp.lstrip("^"))[0]
        if producer not in nodes:
            continue
        if node.op == "Merge" and nodes[producer].op == "NextIteration":
            continue
        found.append(producer)
    return found


class _Frame:
    """A while loop's frame (or the graph's top level, named ()): what to run in one pass.

    Attributes:
        name: (frame name, a node of the loop) per loop, from the top level down to this one.
        items: the frame's own nodes (as `_Step`s) and its nested frames, in an order that runs
            each after what it reads.
        loop_cond: the LoopCond node's name (None at the top level).
    """

    __slots__ = ("items", "loop_cond", "name")

    def __init__(self, name: tuple):
        self.name = name
        self.items: list = []
        self.loop_cond: str | None = None


class _Step:
    """One node to run, with its inputs' value keys worked out once."""

    __slots__ = ("controls", "ctrl_key", "inputs", "node", "out_keys", "picks")

    def __init__(self, node, picks=None):
        self.node = node
        self.inputs = [_canonical(i) for i in node.input if not i.startswith("^")]
        self.controls = [f"__ctrl__{i[1:]}" for i in node.input if i.startswith("^")]
        # a loop Merge: (keys of its first-pass inputs, keys of its back edges)
        self.picks = picks
        self.out_keys: list[str] = []
        self.ctrl_key = f"__ctrl__{node.name}"

    def out_key(self, k: int) -> str:
        while len(self.out_keys) <= k:
            self.out_keys.append(f"{self.node.name}:{len(self.out_keys)}")
        return self.out_keys[k]


def _frame_paths(nodes: dict, order: list) -> dict[str, tuple]:
    """node name -> the loops it runs in, outermost first: an Enter enters its loop, an Exit
    leaves it, another node runs in the deepest loop of what it reads.

    A loop is named by its frame name and one of its nodes: one GraphDef imported twice has
    two loops with the same frame name, which run apart (the nodes of one loop are connected
    among themselves, not to the other's).
    """
    names: dict[str, tuple] = {}
    for node in order:
        names[node.name] = _deepest(names, _producers(nodes, node), node)
    parent = {n: n for n, p in names.items() if p}

    def find(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for node in order:
        if not names[node.name]:
            continue
        for inp in node.input:
            producer = split_tensor_name(inp.lstrip("^"))[0]
            if producer in parent and names[producer] == names[node.name]:
                parent[find(producer)] = find(node.name)
    path: dict[str, tuple] = {}
    for node in order:
        found = _deepest(path, _producers(nodes, node), None)
        if node.op == "Enter":
            found = (*found, (names[node.name][-1], find(node.name)))
        elif node.op == "Exit":
            found = found[:-1]
        path[node.name] = found
    return path


def _deepest(paths: dict, producers: list[str], node) -> tuple:
    found: tuple = ()
    for producer in producers:
        here = paths.get(producer, ())
        if len(here) > len(found):
            found = here
    if node is not None and node.op == "Enter":
        frame = node.attr["frame_name"].s.decode("utf-8", "replace") if "frame_name" in node.attr else ""
        found = (*found, frame)
    elif node is not None and node.op == "Exit":
        found = found[:-1]
    return found


def _build_frame(name: tuple, members: list, nodes: dict, path: dict) -> _Frame:
    """The frame `name` holding `members` (node names whose path starts with `name`, in
    topological order): its own nodes and nested frames sorted by what they read."""
    frame = _Frame(name)
    depth = len(name)
    member_set = set(members)

    def item_of(n: str):
        p = path[n]
        return n if len(p) == depth else ("frame", p[depth])

    deps: dict = {}
    children: dict = {}
    for n in members:
        it = item_of(n)
        needs = deps.setdefault(it, [])
        if type(it) is tuple:
            children.setdefault(it, []).append(n)
        for producer in _producers(nodes, nodes[n]):
            if producer in member_set:
                dep = item_of(producer)
                if dep != it:
                    needs.append(dep)
    for item in _sorted_items(deps):
        if type(item) is tuple:
            frame.items.append(_build_frame((*name, item[1]), children[item], nodes, path))
            continue
        node = nodes[item]
        picks = None
        if node.op == "LoopCond":
            frame.loop_cond = node.name
        elif node.op == "Merge":
            data = [_canonical(i) for i in node.input if not i.startswith("^")]
            back = [t for t in data if nodes.get(split_tensor_name(t)[0]) is not None
                    and nodes[split_tensor_name(t)[0]].op == "NextIteration"]
            if back:
                picks = ([t for t in data if t not in back], back)
        frame.items.append(_Step(node, picks))
    return frame


def _sorted_items(deps: dict) -> list:
    """The keys of `deps` (item -> items it needs) each after what it needs, first seen first."""
    order, state = [], {}
    for root in deps:
        stack = [(root, False)]
        while stack:
            item, done = stack.pop()
            if done:
                if state.get(item) != 2:
                    state[item] = 2
                    order.append(item)
                continue
            if state.get(item):
                continue
            state[item] = 1
            stack.append((item, True))
            stack.extend((d, False) for d in reversed(deps[item]) if not state.get(d))
    return order


class Interpreter:
    """Runs one lowered subgraph (a stateless GraphDef) on numpy values.

    Args:
        graph_def: the subgraph from `lowering.plan_subgraph`.
        outputs: tensor names to return, in order.
        print_counts: when given, Print/PrintV2/Assert nodes print and check as they run
            (node name -> how many times it printed, for Print's `first_n`; updated); when
            None, Print passes its input through and the others do nothing.
        delegate: run a node without a numpy kernel alone on onnxruntime (see
            `missing_kernels`; the session only picks the interpreter for a graph that needs
            this when its effects must run inline).
    """

    backend = "numpy"

    def __init__(self, graph_def, outputs: Sequence[str], print_counts: dict | None = None,
                 delegate: bool = True):
        order = _topological(graph_def)
        nodes = {n.name: n for n in graph_def.node}
        path = _frame_paths(nodes, order)
        self.top = _build_frame((), [n.name for n in order], nodes, path)
        self.outputs = list(outputs)
        self.print_counts = print_counts
        self._consts: dict[str, np.ndarray] = {}  # Const node -> its value, made once
        self.delegate = delegate
        self._delegates: dict[str, _OnnxNode] = {}

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Evaluates the subgraph with `inputs` (placeholder tensor name -> value)."""
        inputs = {k: _bytes_strings(v) for k, v in inputs.items()}
        values: dict[str, object] = {}
        self._run_items(self.top, values, inputs, 0)
        out = []
        for name in self.outputs:
            value = values[name]
            if value is DEAD:
                raise InvalidArgumentError(None, None, f"Retval of {name!r} does not have a value: "
                                           "the branch that computes it was not taken.")
            if self._consts and any(value is c for c in self._consts.values()):
                value = value.copy()  # the caller may change what it gets; the cache stays
            out.append(value)
        return out

    def _run_items(self, frame: _Frame, values: dict, feeds: dict, iteration: int) -> None:
        for item in frame.items:
            if type(item) is _Frame:
                self._run_loop(item, values, feeds)
            else:
                self._run_node(item, frame, values, feeds, iteration)

    def _run_loop(self, frame: _Frame, values: dict, feeds: dict) -> None:
        """Runs a while frame's passes until its LoopCond is false (or dead: the loop sits in a
        cond branch not taken)."""
        if frame.loop_cond is None:
            if all(type(item) is not _Frame and item.node.op == "Enter" for item in frame.items):
                return  # Enters nothing reads (a rewritten assign's reference): nothing to run
            raise InvalidArgumentError(None, None, f"The while loop frame {frame.name[-1][0]!r} has no "
                                       "LoopCond node in the graph to run.")
        iteration = 0
        while True:
            self._run_items(frame, values, feeds, iteration)
            go = values[f"{frame.loop_cond}:0"]
            if go is DEAD or not bool(np.asarray(go)):
                return
            iteration += 1

    def _run_node(self, step: _Step, frame: _Frame, values: dict, feeds: dict, iteration: int) -> None:
        node = step.node
        if step.picks is not None:  # a loop Merge: its Enter first, its NextIteration after that
            ins = [values.get(k, DEAD) for k in step.picks[1 if iteration else 0]]
        else:
            ins = [values[k] for k in step.inputs]
        dead = any(v is DEAD for v in ins) or (
            bool(step.controls) and any(values.get(k) is DEAD for k in step.controls))
        try:
            results = self._eval(node, ins, feeds, dead)
        except OpError:
            raise
        except Exception as e:
            raise InvalidArgumentError(node, None, f"{node.op} node {node.name!r} failed on "
                                       f"inputs of shapes {[np.shape(v) for v in ins]}: {e}") from e
        for k, r in enumerate(results):
            values[step.out_key(k)] = r
        values[step.ctrl_key] = DEAD if dead and node.op != "Merge" else None

    def _eval(self, node, ins: list, feeds: dict, dead: bool) -> list:
        op = node.op
        if op == "Merge":
            live = [(k, v) for k, v in enumerate(ins) if v is not DEAD]
            if not live:
                return [DEAD, DEAD]
            return [live[0][1], np.array(live[0][0], np.int32)]
        if dead:
            return [DEAD] * max(1, _num_outputs(node))
        if op == "Placeholder":
            return [feeds[f"{node.name}:0"]]
        if op == "NoOp":
            return []
        if op == "Const":
            value = self._consts.get(node.name)
            if value is None:
                from ortflow.formats.tensors import make_ndarray

                value = self._consts[node.name] = make_ndarray(node.attr["value"].tensor)
                value.flags.writeable = False  # shared by every pass and run: kernels copy
            return [value]
        if op in _IDENTITY_OPS or op in _LOOP_OPS:
            return [ins[0]]
        if op in _EFFECT_OPS:
            return self._effect(node, ins)
        if op in _TENSOR_ARRAY_OPS:
            return _tensor_array_op(node, ins)
        if op == "IdentityN":
            return list(ins)
        if op == "Switch":
            pred = bool(np.asarray(ins[1]))
            return [DEAD, ins[0]] if pred else [ins[0], DEAD]
        return self._kernel(node, ins)

    def _effect(self, node, ins: list) -> list:
        from ortflow.runtime import effects

        op = node.op
        if op == "StringFormat":
            return [np.array(effects.format_string(node, ins).encode("utf-8"), dtype=object)]
        if self.print_counts is None:  # the session prints and checks after the run
            return [ins[0]] if op == "Print" else []
        if op == "Assert":
            if not np.all(np.asarray(ins[0])):
                raise effects.assert_error(node, ins[1:])
            return []
        effects.print_now(node, ins[1:] if op == "Print" else ins, self.print_counts)
        return [ins[0]] if op == "Print" else []

    def _kernel(self, node, ins: list) -> list:
        from ortflow.graph.ops import evaluate

        results = evaluate(node, ins)
        if results is None:
            if node.op == "AddV2":
                return [np.add(ins[0], ins[1]).astype(np.result_type(ins[0]))]
            if node.op == "Sub":
                return [np.subtract(ins[0], ins[1]).astype(np.result_type(ins[0]))]
            if self.delegate:
                one = self._delegates.get(node.name)
                if one is None:
                    one = self._delegates[node.name] = _OnnxNode(node)
                return one.run(ins)
            raise UnimplementedError(node, None, f"No numpy kernel for op {node.op!r} (node "
                                     f"{node.name!r}) and no ONNX handler either.")
        return list(results)


class _OnnxNode:
    """One node without a numpy kernel, run alone on onnxruntime: a one-node model per set of
    input dtypes and shapes (converted once, then reused every pass)."""

    def __init__(self, node):
        self.node = node
        self.sessions: dict[tuple, object] = {}

    def run(self, ins: list) -> list:
        arrays = [np.asarray(v) for v in ins]
        key = tuple((a.dtype.str, a.shape) for a in arrays)
        session = self.sessions.get(key)
        if session is None:
            session = self.sessions[key] = self._compile(arrays)
        feeds = {f"_ortflow_in{k}:0": a for k, a in enumerate(arrays)}
        return list(session.run(None, feeds))

    def _compile(self, arrays: list):
        import onnxruntime as ort
        from ortflow.converters import convert
        from ortflow.formats.dtypes import as_dtype
        from ortflow.proto import GraphDef

        if any(a.dtype.kind in "OUSc" for a in arrays):
            raise UnimplementedError(self.node, None, f"{self.node.op} node {self.node.name!r}: no numpy "
                                     "kernel, and its string or complex inputs cannot go to a one-node "
                                     "onnxruntime model.")
        graph = GraphDef()
        for k, a in enumerate(arrays):
            ph = graph.node.add(name=f"_ortflow_in{k}", op="Placeholder")
            ph.attr["dtype"].type = as_dtype(a.dtype).as_datatype_enum
            for d in a.shape:
                ph.attr["shape"].shape.dim.add().size = d
        copy = graph.node.add()
        copy.CopyFrom(self.node)
        del copy.input[:]
        copy.input.extend(f"_ortflow_in{k}:0" for k in range(len(arrays)))
        outputs = [f"{self.node.name}:{k}" for k in range(max(1, _num_outputs(self.node)))]
        model = convert(graph, inputs=[f"_ortflow_in{k}:0" for k in range(len(arrays))], outputs=outputs)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


class _TensorArray:
    """A TensorArrayV3's elements while one run lasts (its handle's value; writes change it)."""

    __slots__ = ("clear_after_read", "cleared", "dtype", "dynamic", "element_shape", "items", "name", "size")

    def __init__(self, node, size: int):
        from ortflow.formats.dtypes import NUMPY_BY_ENUM

        self.name = node.name
        self.size = size
        self.dynamic = bool(node.attr["dynamic_size"].b) if "dynamic_size" in node.attr else False
        self.dtype = NUMPY_BY_ENUM.get(node.attr["dtype"].type, np.float32)
        shape = node.attr["element_shape"].shape if "element_shape" in node.attr else None
        known = shape is not None and not shape.unknown_rank and all(d.size >= 0 for d in shape.dim)
        self.element_shape = tuple(d.size for d in shape.dim) if known else None
        self.items: dict[int, np.ndarray] = {}
        self.clear_after_read = bool(node.attr["clear_after_read"].b) if "clear_after_read" in node.attr else True
        self.cleared: set[int] = set()

    def write(self, index: int, value) -> None:
        if index < 0 or (index >= self.size and not self.dynamic):
            raise InvalidArgumentError(None, None, f"TensorArray {self.name}: Tried to write to index "
                                       f"{index} but array is not resizeable and size is: {self.size}")
        self.items[index] = np.asarray(value, dtype=self.dtype)
        self.size = max(self.size, index + 1)

    def read(self, index: int) -> np.ndarray:
        if index in self.cleared:
            raise InvalidArgumentError(None, None, f"TensorArray {self.name}: Could not read index {index} "
                                       "twice because it was cleared after a previous read (perhaps try "
                                       "setting clear_after_read = false?).")
        if index in self.items:
            if self.clear_after_read:
                self.cleared.add(index)
                return self.items.pop(index)
            return self.items[index]
        if not 0 <= index < self.size:
            raise InvalidArgumentError(None, None, f"TensorArray {self.name}: Tried to read from index "
                                       f"{index} but array size is: {self.size}")
        if self.element_shape is not None:
            return np.zeros(self.element_shape, self.dtype)
        raise InvalidArgumentError(None, None, f"TensorArray {self.name}: Could not read from TensorArray "
                                   f"index {index} because it has not yet been written to.")

    def stack(self, indices) -> np.ndarray:
        values = [self.read(int(i)) for i in np.asarray(indices).reshape(-1)]
        if values:
            return np.stack(values)
        return np.zeros((0, *(self.element_shape or ())), self.dtype)


def _tensor_array_op(node, ins: list) -> list:
    # handle -> a _TensorArray; flow values are scalar float32 placeholders ordering the ops.
    op, flow = node.op, np.zeros((), np.float32)
    if op == "TensorArrayV3":
        return [_TensorArray(node, int(ins[0])), flow]
    if op == "TensorArrayCloseV3":
        return []
    ta = ins[0]
    if op == "TensorArrayWriteV3":
        ta.write(int(ins[1]), ins[2])
        return [flow]
    if op == "TensorArrayReadV3":
        return [ta.read(int(ins[1]))]
    if op == "TensorArrayGatherV3":
        return [ta.stack(ins[1])]
    if op == "TensorArrayScatterV3":
        for k, index in enumerate(np.asarray(ins[1]).reshape(-1)):
            ta.write(int(index), np.asarray(ins[2])[k])
        return [flow]
    if op == "TensorArraySizeV3":
        return [np.array(ta.size, np.int32)]
    if op == "TensorArrayConcatV3":
        values = [ta.read(i) for i in range(ta.size)]
        lengths = np.array([v.shape[0] for v in values], np.int64)
        return [np.concatenate(values) if values else np.zeros((0,), ta.dtype), lengths]
    # TensorArraySplitV3(handle, value, lengths, flow_in)
    value, start = np.asarray(ins[1]), 0
    for k, length in enumerate(np.asarray(ins[2]).reshape(-1)):
        ta.write(k, value[start:start + int(length)])
        start += int(length)
    return [flow]


def _bytes_strings(value):
    # String values onnxruntime produced (a variable's or table's state, a device part's output)
    # hold str; the numpy kernels, as TensorFlow, work on bytes.
    if type(value) is np.ndarray and value.dtype.kind == "O" and value.size and isinstance(value.flat[0], str):
        flat = [v.encode("utf-8", "surrogateescape") if isinstance(v, str) else v for v in value.reshape(-1)]
        return np.array(flat, dtype=object).reshape(value.shape)
    return value


def _canonical(name: str) -> str:
    node, index = split_tensor_name(name)
    return f"{node}:{index}"


def _num_outputs(node) -> int:
    from ortflow.graph.ops import num_outputs

    try:
        return num_outputs(node)
    except Exception:
        return 1
