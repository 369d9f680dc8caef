"""Runs a signature in two parts: onnxruntime for what converts, numpy for the rest.

A typical TF 1.x training script fetches `[merged_summaries, loss]` in one `Session.run`. The
summary ops have no ONNX form (their outputs are serialized protos), while the model feeding
them (convolutions, variables) has no numpy kernel in ortflow's interpreter. Neither backend
takes the whole signature, so it is split:

- the *host* part: the nodes the converter could not lower (plus binary-string ops such as
  summaries), and everything that consumes their outputs, run by the numpy `Interpreter`;
- the *device* part: every other node, converted to ONNX and run by onnxruntime first, with
  the tensors the host part reads from it added to its outputs.

Constants read by the host part are copied into it rather than passed through onnxruntime.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["HostSplit", "split_for_host"]

_BOUNDARY_PREFIX = "_ortflow_host_input_"


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
        outputs: for each of the plan's outputs, ("device" | "host", position).
    """

    device_graph: object
    device_inputs: list[str]
    device_outputs: list[str]
    host_graph: object
    host_inputs: dict[str, str]
    host_outputs: list[str]
    outputs: list[tuple[str, int]]


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
    host = _downstream_closure(graph_def, host_seeds & nodes.keys())
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
                    if tensor not in inputs:
                        device_reads.append(tensor)
                new.input.append(boundary[tensor])

    placement: list[tuple[str, int]] = []
    device_outputs: list[str] = []
    host_outputs: list[str] = []
    for name in outputs:
        if _producer(name) in host:
            placement.append(("host", len(host_outputs)))
            host_outputs.append(name)
        else:
            placement.append(("device", len(device_outputs)))
            device_outputs.append(name)
    device_outputs += [t for t in device_reads if t not in device_outputs]

    device_graph = None
    device_inputs: list[str] = []
    if device_outputs:
        device_graph = GraphDef()
        device_graph.versions.CopyFrom(graph_def.versions)
        device_graph.library.CopyFrom(graph_def.library)
        for node in graph_def.node:
            if node.name not in host:
                device_graph.node.add().CopyFrom(node)
        device_inputs = [i for i in input_names if _producer(i) not in host]
    return HostSplit(device_graph, device_inputs, device_outputs, host_graph, host_inputs,
                     host_outputs, placement)


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
        self.input_names = set(split.device_inputs) | {
            t for t in split.host_inputs.values() if t not in split.device_outputs}

    def run(self, inputs: dict) -> list:
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
        parts = {"device": device_results, "host": host_results}
        return [parts[where][i] for where, i in self.split.outputs]
