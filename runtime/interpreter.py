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
`Merge` forwards its one live input. v1 while loops (Enter/Exit/NextIteration) are not
interpreted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ortflow.errors import InvalidArgumentError, OpError, UnimplementedError

__all__ = ["DEAD", "Interpreter", "missing_kernels"]


class _Dead:
    """The value on the untaken side of a Switch."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<dead>"


DEAD = _Dead()

_IDENTITY_OPS = frozenset({"Identity", "Snapshot", "StopGradient", "PreventGradient",
                           "CheckNumerics", "EnsureShape", "PlaceholderWithDefault", "RefIdentity"})
_STRUCTURAL_OPS = _IDENTITY_OPS | {"Const", "Placeholder", "NoOp", "Switch", "Merge", "IdentityN",
                                   "AddV2", "Sub"}


def missing_kernels(graph_def) -> list[str]:
    """The op types of `graph_def` the interpreter has no kernel for (empty: it can run it)."""
    from ortflow.graph.ops import has_kernel

    missing = {n.op for n in graph_def.node if n.op not in _STRUCTURAL_OPS and not has_kernel(n.op)}
    return sorted(missing)


def _split(name: str) -> tuple[str, int]:
    node, sep, index = name.rpartition(":")
    if sep and index.isdigit():
        return node, int(index)
    return name, 0


def _topological(graph_def) -> list:
    """Nodes ordered so that every node comes after its data and control inputs."""
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
            for inp in nodes[name].input:
                producer = _split(inp.lstrip("^"))[0]
                if producer in nodes and not state.get(producer):
                    stack.append((producer, False))
    return order


class Interpreter:
    """Runs one lowered subgraph (a stateless GraphDef) on numpy values.

    Args:
        graph_def: the subgraph from `lowering.plan_subgraph`.
        outputs: tensor names to return, in order.
    """

    backend = "numpy"

    def __init__(self, graph_def, outputs: Sequence[str]):
        self.order = _topological(graph_def)
        self.outputs = list(outputs)

    def run(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Evaluates the subgraph with `inputs` (placeholder tensor name -> value)."""
        inputs = {k: _bytes_strings(v) for k, v in inputs.items()}
        values: dict[str, object] = {}
        for node in self.order:
            ins = [values[_canonical(i)] for i in node.input if not i.startswith("^")]
            dead = any(v is DEAD for v in ins) or any(
                values.get(f"__ctrl__{i[1:]}") is DEAD for i in node.input if i.startswith("^"))
            try:
                results = self._eval(node, ins, inputs, dead)
            except OpError:
                raise
            except Exception as e:
                raise InvalidArgumentError(node, None, f"{node.op} node {node.name!r} failed on "
                                           f"inputs of shapes {[np.shape(v) for v in ins]}: {e}") from e
            for k, r in enumerate(results):
                values[f"{node.name}:{k}"] = r
            values[f"__ctrl__{node.name}"] = DEAD if dead and node.op != "Merge" else None
        out = []
        for name in self.outputs:
            value = values[name]
            if value is DEAD:
                raise InvalidArgumentError(None, None, f"Retval of {name!r} does not have a value: "
                                           "the branch that computes it was not taken.")
            out.append(value)
        return out

    def _eval(self, node, ins: list, feeds: dict, dead: bool) -> list:
        op = node.op
        if op == "Merge":
            live = [(k, v) for k, v in enumerate(ins) if v is not DEAD]
            if not live:
                return [DEAD, DEAD]
            return [live[0][1], np.int32(live[0][0])]
        if dead:
            return [DEAD] * max(1, _num_outputs(node))
        if op == "Placeholder":
            return [feeds[f"{node.name}:0"]]
        if op == "NoOp":
            return []
        if op == "Const":
            from ortflow.formats.tensors import make_ndarray

            return [make_ndarray(node.attr["value"].tensor)]
        if op in _IDENTITY_OPS:
            return [ins[0]]
        if op == "IdentityN":
            return list(ins)
        if op == "Switch":
            pred = bool(np.asarray(ins[1]))
            return [DEAD, ins[0]] if pred else [ins[0], DEAD]
        return self._kernel(node, ins)

    @staticmethod
    def _kernel(node, ins: list) -> list:
        from ortflow.graph.ops import evaluate

        results = evaluate(node, ins)
        if results is None:
            if node.op == "AddV2":
                return [np.add(ins[0], ins[1]).astype(np.result_type(ins[0]))]
            if node.op == "Sub":
                return [np.subtract(ins[0], ins[1]).astype(np.result_type(ins[0]))]
            raise UnimplementedError(node, None, f"No numpy kernel for op {node.op!r} (node "
                                     f"{node.name!r}) and no ONNX handler either.")
        return list(results)


def _bytes_strings(value):
    # String values onnxruntime produced (a variable's or table's state, a device part's output)
    # hold str; the numpy kernels, as TensorFlow, work on bytes.
    if type(value) is np.ndarray and value.dtype.kind == "O" and value.size and isinstance(value.flat[0], str):
        flat = [v.encode("utf-8", "surrogateescape") if isinstance(v, str) else v for v in value.reshape(-1)]
        return np.array(flat, dtype=object).reshape(value.shape)
    return value


def _canonical(name: str) -> str:
    node, index = _split(name)
    return f"{node}:{index}"


def _num_outputs(node) -> int:
    from ortflow.graph.ops import num_outputs

    try:
        return num_outputs(node)
    except Exception:
        return 1
