"""Run-time checks: CheckNumerics becomes Asserts on IsNan / IsInf plus an Identity; sorted segment
ops and DynamicPartition get Asserts on their ids (ranges TensorFlow refuses).

The converter passes `CheckNumerics` through as an Identity (ONNX has no failing op), so before
a graph is lowered `lower_check_numerics` gives each one Asserts that the session checks after
the run (see `runtime/effects.py`), with TensorFlow's words: "<message> : Tensor had NaN
values" (or "Inf values", or "Inf and NaN values"). The Identity keeps the node's name, so its
consumers and fetches are unchanged; it waits on the Asserts through control inputs.
"""

from __future__ import annotations

import numpy as np
from ortflow.proto import GraphDef, NodeDef

__all__ = ["lower_check_numerics"]

_CHECK_OPS = frozenset({"CheckNumerics", "CheckNumericsV2"})
_DT_INT32, _DT_BOOL, _DT_STRING = 3, 10, 7


def lower_check_numerics(graph_def: GraphDef) -> GraphDef:
    """`graph_def` with each CheckNumerics rewritten (see the module docstring), and each sorted
    segment op given its ids check; the same object when it has neither."""
    if not any(n.op in _CHECK_OPS or n.op in _SORTED_SEGMENT_OPS or n.op == "DynamicPartition"
               for n in graph_def.node):
        return graph_def
    out = GraphDef()
    out.versions.CopyFrom(graph_def.versions)
    out.library.CopyFrom(graph_def.library)
    for node in graph_def.node:
        if node.op in _CHECK_OPS:
            _rewrite(out, node)
        elif node.op in _SORTED_SEGMENT_OPS:
            _check_segment_ids(out, node)
        elif node.op == "DynamicPartition":
            _check_partitions(out, node)
        else:
            out.node.add().CopyFrom(node)
    return out


# The sorted segment ops: TensorFlow fails the run when the ids decrease or are negative
# (InvalidArgumentError); the ONNX lowering would sum into whatever segment an id names, so the
# ids get an Assert the node waits on.
_SORTED_SEGMENT_OPS = frozenset({"SegmentSum", "SegmentMean", "SegmentMax", "SegmentMin", "SegmentProd"})


def _check_segment_ids(out: GraphDef, node: NodeDef) -> None:
    ids = [i for i in node.input if not i.startswith("^")][1]
    controls = [i for i in node.input if i.startswith("^")]
    t = node.attr["Tindices"].type or _DT_INT32
    p, dev = f"{node.name}/_ortflow_sorted_ids", node.device
    np_type = np.int64 if t == 9 else np.int32
    zero = _const(out, f"{p}/zero", np.array(0, np_type), dev)
    axis = _const(out, f"{p}/axis", np.array(0, np.int32), dev)
    begin = {"tail": [1], "head": [0]}
    end = {"tail": [0], "head": [-1]}
    parts = {}
    for part in ("tail", "head"):
        inputs = [ids, _const(out, f"{p}/{part}_begin", np.array(begin[part], np.int32), dev),
                  _const(out, f"{p}/{part}_end", np.array(end[part], np.int32), dev),
                  _const(out, f"{p}/{part}_strides", np.array([1], np.int32), dev)]
        parts[part] = _add(out, f"{p}/{part}", "StridedSlice", inputs, dev, T=t, Index=_DT_INT32)
        for mask in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask"):
            out.node[-1].attr[mask].i = 0
        out.node[-1].attr["end_mask" if part == "tail" else "begin_mask"].i = 1
    step = _add(out, f"{p}/step", "Sub", [parts["tail"], parts["head"]], dev, T=t)
    checks = []
    for name, value in (("increasing", step), ("non_negative", ids)):
        ge = _add(out, f"{p}/{name}_each", "GreaterEqual", [value, zero], dev, T=t)
        checks.append(_add(out, f"{p}/{name}", "All", [ge, axis], dev, Tidx=_DT_INT32))
        out.node[-1].attr["keep_dims"].b = False
    ok = _add(out, f"{p}/ok", "LogicalAnd", checks, dev)
    check = _assert(out, p, ok, "segment ids are not increasing", controls, dev)
    copy = out.node.add()
    copy.CopyFrom(node)
    copy.input.append(f"^{check}")


def _add(out: GraphDef, name: str, op: str, inputs, device: str, **types) -> str:
    node = out.node.add(name=name, op=op)
    node.input.extend(inputs)
    node.device = device
    for key, value in types.items():
        node.attr[key].type = value
    return name


def _const(out: GraphDef, name: str, value, device: str) -> str:
    from ortflow.formats.tensors import make_tensor_proto

    proto = make_tensor_proto(value)
    node = out.node.add(name=name, op="Const")
    node.device = device
    node.attr["dtype"].type = proto.dtype
    node.attr["value"].tensor.CopyFrom(proto)
    return name


def _assert(out: GraphDef, name: str, ok: str, text: str, controls: list[str], device: str) -> str:
    data = _const(out, f"{name}/data", np.array(text.encode(), dtype=object), device)
    node = out.node.add(name=name, op="Assert")
    node.input.extend([ok, data, *controls])
    node.device = device
    node.attr["T"].list.type.append(_DT_STRING)
    node.attr["summarize"].i = 3
    return name


def _rewrite(out: GraphDef, node: NodeDef) -> None:
    data = [i for i in node.input if not i.startswith("^")]
    controls = [i for i in node.input if i.startswith("^")]
    t = node.attr["T"].type
    message = node.attr["message"].s.decode("utf-8", "replace")
    p, dev = f"{node.name}/_ortflow_check", node.device
    flat_shape = _const(out, f"{p}/flat_shape", np.array([-1], np.int32), dev)
    axis = _const(out, f"{p}/axis", np.array(0, np.int32), dev)
    flags = {}
    for kind in ("IsNan", "IsInf"):
        test = _add(out, f"{p}/{kind}", kind, [data[0], *controls], dev, T=t)
        flat = _add(out, f"{p}/{kind}_flat", "Reshape", [test, flat_shape], dev, T=_DT_BOOL, Tshape=_DT_INT32)
        found = _add(out, f"{p}/{kind}_any", "Any", [flat, axis], dev, Tidx=_DT_INT32)
        out.node[-1].attr["keep_dims"].b = False
        flags[kind] = found
    both = _add(out, f"{p}/both", "LogicalAnd", [flags["IsNan"], flags["IsInf"]], dev)
    asserts = [_assert(out, f"{p}/inf_and_nan", _add(out, f"{p}/no_both", "LogicalNot", [both], dev),
                       f"{message} : Tensor had Inf and NaN values", controls, dev)]
    for kind, words in (("IsNan", "NaN"), ("IsInf", "Inf")):
        ok = _add(out, f"{p}/no_{words.lower()}", "LogicalNot", [flags[kind]], dev)
        asserts.append(_assert(out, f"{p}/{words.lower()}", ok, f"{message} : Tensor had {words} values",
                               [f"^{asserts[0]}"], dev))
    identity = out.node.add(name=node.name, op="Identity")
    identity.input.extend([data[0], *controls, *(f"^{a}" for a in asserts)])
    identity.device = dev
    identity.attr["T"].type = t


def _check_partitions(out: GraphDef, node: NodeDef) -> None:
    # TensorFlow fails a DynamicPartition whose partition ids leave [0, num_partitions); the
    # ONNX lowering would drop such rows silently, so the ids get an Assert the node waits on.
    ids = [i for i in node.input if not i.startswith("^")][1]
    controls = [i for i in node.input if i.startswith("^")]
    count = node.attr["num_partitions"].i
    p, dev = f"{node.name}/_ortflow_partition_ids", node.device
    axis = _const(out, f"{p}/axis", np.array(0, np.int32), dev)
    flat = _add(out, f"{p}/flat", "Reshape", [ids, _const(out, f"{p}/flat_shape", np.array([-1], np.int32), dev)],
                dev, T=_DT_INT32, Tshape=_DT_INT32)
    checks = []
    for name, op, bound in (("low", "GreaterEqual", 0), ("high", "Less", count)):
        each = _add(out, f"{p}/{name}_each", op, [flat, _const(out, f"{p}/{name}_bound", np.array(bound, np.int32),
                                                                   dev)], dev, T=_DT_INT32)
        checks.append(_add(out, f"{p}/{name}", "All", [each, axis], dev, Tidx=_DT_INT32))
        out.node[-1].attr["keep_dims"].b = False
    ok = _add(out, f"{p}/ok", "LogicalAnd", checks, dev)
    check = _assert(out, p, ok, f"partitions must lie in [0, {count})", controls, dev)
    copy = out.node.add()
    copy.CopyFrom(node)
    copy.input.append(f"^{check}")
