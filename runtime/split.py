"""Runs a signature in two parts: onnxruntime for what converts, numpy for the rest.

A typical TF 1.x training script fetches `[merged_summaries, loss]` in one `Session.run`. The
summary ops have no ONNX form (their outputs are serialized protos), while the model feeding
them (convolutions, variables) has no numpy kernel in ortflow's interpreter. Neither backend
takes the whole signature, so it is split:

- the *host* part: the nodes the converter could not lower (plus binary-string ops such as
  summaries), and everything that consumes their outputs, run by the numpy `Interpreter`;
- the *device* part: every other node, converted to ONNX and run by onnxruntime first, with
  the tensors the host part reads from it added to its outputs;
- a *pre-host* part, run before the device part: the host seeds that depend only on what numpy
  can compute (feeds, constants, ops with kernels), and their ancestors. A serving graph that
  parses `tf.train.Example`s or CSV lines (no ONNX form) and feeds a conv net (no numpy
  kernel) runs parse -> onnxruntime -> (summaries) this way.

Constants read by the host part are copied into it rather than passed through onnxruntime.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["HostSplit", "split_for_host"]

_BOUNDARY_PREFIX = "_ortflow_host_input_"
_PRE_PREFIX = "_ortflow_pre_output_"
_SHARED_OPS = ("Placeholder", "Const")  # copied into the parts that read them, never cut off


def _tensor(name: str) -> str:
    node, sep, index = name.rpartition(":")
    if sep and index.isdigit():
        return name
    return f"{name}:0"


def _producer(name: str) -> str:
    return _tensor(name.lstrip("^")).rpartition(":")[0]


@dataclass
class HostSplit:
    """A signature's graph cut into a device GraphDef and a host GraphDef.

    Attributes:
        device_graph: the nodes onnxruntime runs (None when it has nothing to compute).
        device_inputs: placeholder tensor names of the plan that the device part reads.
        device_outputs: tensor names the device part returns: the plan's outputs it computes,
            then the tensors the host part reads.
        host_graph: the nodes the interpreter runs, reading `host_inputs` as placeholders.
        host_inputs: host placeholder tensor name -> the plan tensor it stands for (a device
            output, or a plan input passed straight through).
        host_outputs: tensor names the host part returns.
        outputs: for each of the plan's outputs, ("device" | "host" | "pre", position).
        pre_graph: the nodes the interpreter runs before the device part (None when none).
        pre_inputs: the plan tensors (placeholders) the pre-host part reads.
        pre_outputs: the pre-host tensors that the other parts or the plan's outputs read.
        pre_placeholders: pre-host tensor -> the placeholder tensor standing for it in the
            device part.
    """

    device_graph: object
    device_inputs: list[str]
    device_outputs: list[str]
    host_graph: object
    host_inputs: dict[str, str]
    host_outputs: list[str]
    outputs: list[tuple[str, int]]
    pre_graph: object = None
    pre_inputs: list[str] = field(default_factory=list)
    pre_outputs: list[str] = field(default_factory=list)
    pre_placeholders: dict[str, str] = field(default_factory=dict)


def split_for_host(graph_def, input_names: list[str], outputs: list[str],
                   host_seeds: set[str]) -> HostSplit:
    """Cuts `graph_def` so that `host_seeds` and everything downstream of them run on the host.

    Args:
        graph_def: a lowered signature's stateless GraphDef.
        input_names: its placeholder tensor names (fed values, variable values).
        outputs: the tensor names the signature returns, in order.
        host_seeds: names of nodes that must run on the host.
    """
    from ortflow.proto import GraphDef

    nodes = {n.name: n for n in graph_def.node}
    seeds = host_seeds & nodes.keys()
    pre = _host_prefix(graph_def, nodes, seeds)
    host = _downstream_closure(graph_def, seeds - pre)
    inputs = set(input_names)

    host_graph = GraphDef()
    host_graph.versions.CopyFrom(graph_def.versions)
    host_inputs: dict[str, str] = {}
    boundary: dict[str, str] = {}  # plan tensor -> host placeholder tensor
    copied_consts: set[str] = set()
    device_reads: list[str] = []
    for node in graph_def.node:
        if node.name not in host:
            continue
        new = host_graph.node.add()
        new.CopyFrom(node)
        del new.input[:]
        for inp in node.input:
            producer = _producer(inp)
            if producer in host:
                new.input.append(inp)
            elif inp.startswith("^"):
                continue  # the device part has run before the host part starts
            elif nodes[producer].op == "Const":
                if producer not in copied_consts:
                    host_graph.node.add().CopyFrom(nodes[producer])
                    copied_consts.add(producer)
                new.input.append(inp)
            else:
                tensor = _tensor(inp)
                if tensor not in boundary:
                    placeholder = f"{_BOUNDARY_PREFIX}{len(boundary)}"
                    boundary[tensor] = f"{placeholder}:0"
                    _add_placeholder(host_graph, placeholder, nodes[producer], tensor)
                    host_inputs[f"{placeholder}:0"] = tensor
                    if tensor not in inputs and producer not in pre:
                        device_reads.append(tensor)
                new.input.append(boundary[tensor])

    placement: list[tuple[str, int]] = []
    device_outputs: list[str] = []
    host_outputs: list[str] = []
    pre_reads = _pre_reads(graph_def, pre, outputs)
    for name in outputs:
        if _producer(name) in host:
            placement.append(("host", len(host_outputs)))
            host_outputs.append(name)
        elif _producer(name) in pre:
            placement.append(("pre", pre_reads.index(_tensor(name))))
        else:
            placement.append(("device", len(device_outputs)))
            device_outputs.append(name)
    device_outputs += [t for t in device_reads if t not in device_outputs]

    device_graph = None
    device_inputs: list[str] = []
    device_reads_pre = _pre_reads(graph_def, pre, [], skip=host)
    stand_ins = {t: f"{_PRE_PREFIX}{i}:0" for i, t in enumerate(device_reads_pre)}
    if device_outputs:
        device_graph = GraphDef()
        device_graph.versions.CopyFrom(graph_def.versions)
        device_graph.library.CopyFrom(graph_def.library)
        for node in graph_def.node:
            if node.name not in host and node.name not in pre:
                _copy_reading_stand_ins(device_graph, node, pre, stand_ins)
        # Plan inputs that only the host parts read are not inputs of the device part (the
        # converter refuses an input no node reads).
        read = {_producer(i) for n in device_graph.node for i in n.input} | set(map(_producer, device_outputs))
        device_inputs = [i for i in input_names if _producer(i) not in host and _producer(i) in read]
        if pre:
            _add_stand_ins(device_graph, graph_def, nodes, stand_ins)
            device_inputs += list(stand_ins.values())
    split = HostSplit(device_graph, device_inputs, device_outputs, host_graph, host_inputs,
                      host_outputs, placement)
    if pre:
        split.pre_graph, split.pre_inputs = _pre_graph(graph_def, nodes, pre)
        split.pre_outputs, split.pre_placeholders = pre_reads, stand_ins
    return split


def _host_prefix(graph_def, nodes: dict, seeds: set[str]) -> set[str]:
    """The seeds numpy can compute from feeds and constants alone, with their ancestors.

    Placeholders and Consts are left out: every part that reads one gets its own copy.
    """
    from ortflow.runtime.interpreter import _topological, missing_kernels

    missing = set(missing_kernels(graph_def))
    computable: set[str] = set()
    for node in _topological(graph_def):
        if node.op in missing or node.op in ("Enter", "Exit", "NextIteration", "LoopCond"):
            continue
        if all(_producer(i) in computable for i in node.input if _producer(i) in nodes):
            computable.add(node.name)
    found: set[str] = set()
    stack = list(seeds & computable)
    while stack:
        name = stack.pop()
        if name not in found:
            found.add(name)
            stack.extend(_producer(i) for i in nodes[name].input if _producer(i) in nodes)
    return {n for n in found if nodes[n].op not in _SHARED_OPS}


def _pre_reads(graph_def, pre: set[str], outputs: list[str], skip: set[str] = frozenset()) -> list[str]:
    """The pre-host tensors read outside it (by nodes not in `skip`, or as the plan's outputs)."""
    reads: list[str] = []
    for node in graph_def.node:
        if node.name in pre or node.name in skip:
            continue
        for inp in node.input:
            if not inp.startswith("^") and _producer(inp) in pre and _tensor(inp) not in reads:
                reads.append(_tensor(inp))
    reads += [t for t in map(_tensor, outputs) if _producer(t) in pre and t not in reads]
    return reads


def _copy_reading_stand_ins(graph_def, node, pre: set[str], stand_ins: dict[str, str]) -> None:
    new = graph_def.node.add()
    new.CopyFrom(node)
    del new.input[:]
    for inp in node.input:
        if _producer(inp) not in pre:
            new.input.append(inp)
        elif not inp.startswith("^"):  # a control input on a pre-host node: it has run already
            new.input.append(stand_ins[_tensor(inp)])


def _add_stand_ins(device_graph, graph_def, nodes: dict, stand_ins: dict[str, str]) -> None:
    # The device part reads each pre-host tensor from a placeholder with its dtype and, where
    # inference knows it, its static shape (the converter lays out convolutions by rank).
    from ortflow.errors import GraphError
    from ortflow.graph.ops import infer_graph_def

    try:
        meta = infer_graph_def(graph_def)
    except (GraphError, ValueError):  # shapes are a help here, not a need
        meta = {}
    for tensor, stand_in in stand_ins.items():
        name = stand_in.rpartition(":")[0]
        _add_placeholder(device_graph, name, nodes[_producer(tensor)], tensor)
        shape = meta[tensor].shape if tensor in meta else None
        if shape is not None:
            attr = device_graph.node[-1].attr["shape"].shape
            for d in shape:
                attr.dim.add().size = -1 if d is None else int(d)


def _pre_graph(graph_def, nodes: dict, pre: set[str]):
    """The pre-host GraphDef (its nodes plus copies of the Placeholders and Consts they read)
    and the plan input tensors it reads."""
    from ortflow.proto import GraphDef

    out = GraphDef()
    out.versions.CopyFrom(graph_def.versions)
    shared: list[str] = []
    for node in graph_def.node:
        if node.name in pre:
            out.node.add().CopyFrom(node)
            shared += [_producer(i) for i in node.input
                       if _producer(i) not in pre and _producer(i) not in shared]
    for name in shared:
        out.node.add().CopyFrom(nodes[name])
    feeds = [f"{name}:0" for name in shared if nodes[name].op == "Placeholder"]
    return out, feeds


def _downstream_closure(graph_def, seeds: set[str]) -> set[str]:
    consumers: dict[str, list[str]] = {}
    for node in graph_def.node:
        for inp in node.input:
            consumers.setdefault(_producer(inp), []).append(node.name)
    found, stack = set(seeds), list(seeds)
    while stack:
        for consumer in consumers.get(stack.pop(), ()):
            if consumer not in found:
                found.add(consumer)
                stack.append(consumer)
    return found


def _host(value):
    return value if type(value) is np.ndarray else value.numpy()


def _add_placeholder(graph_def, name: str, producer, tensor: str) -> None:
    from ortflow.graph.ops import output_dtypes

    node = graph_def.node.add(name=name, op="Placeholder")
    index = int(tensor.rpartition(":")[2])
    node.attr["dtype"].type = output_dtypes(producer)[index].as_datatype_enum


class SplitRunner:
    """Runs a `HostSplit`: the device part on onnxruntime, then the host part in numpy.

    Args:
        split: the cut signature.
        device_runner: the onnxruntime runner of `split.device_graph` (None when empty).
    """

    backend = "onnxruntime+numpy"
    on_device = False  # the Session hands this runner host values and reads host values back

    def __init__(self, split: HostSplit, device_runner):
        from ortflow.runtime.interpreter import Interpreter

        self.split = split
        self.device_runner = device_runner
        self.interpreter = Interpreter(split.host_graph, split.host_outputs)
        self.pre_interpreter = None
        if split.pre_graph is not None:
            self.pre_interpreter = Interpreter(split.pre_graph, split.pre_outputs)
        stand_ins = set(split.pre_placeholders.values())
        self.input_names = {t for t in split.device_inputs if t not in stand_ins} | {
            t for t in split.host_inputs.values()
            if t not in split.device_outputs and t not in split.pre_placeholders} | set(split.pre_inputs)

    def run(self, inputs: dict) -> list:
        pre_results: list = []
        if self.pre_interpreter is not None:
            feeds = {t: _host(inputs[t]) for t in self.split.pre_inputs}
            pre_results = self.pre_interpreter.run(feeds)
            inputs = dict(inputs)
            for tensor, value in zip(self.split.pre_outputs, pre_results):
                inputs[tensor] = value
                if tensor in self.split.pre_placeholders:
                    inputs[self.split.pre_placeholders[tensor]] = value
        device_results: list = []
        if self.device_runner is not None:
            device_inputs = {k: v for k, v in inputs.items() if k in self.device_runner.input_names}
            device_results = [r if type(r) is np.ndarray else r.numpy()
                              for r in self.device_runner.run(device_inputs)]
        produced = dict(zip(self.split.device_outputs, device_results))
        host_feeds = {}
        for placeholder, tensor in self.split.host_inputs.items():
            value = produced[tensor] if tensor in produced else inputs[tensor]
            host_feeds[placeholder] = value if type(value) is np.ndarray else value.numpy()
        host_results = self.interpreter.run(host_feeds)
        parts = {"device": device_results, "host": host_results, "pre": pre_results}
        return [parts[where][i] for where, i in self.split.outputs]
