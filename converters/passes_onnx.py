"""ONNX-side passes over the lowered graph: layout (transposes pushed and cancelled), dead-node
removal, then shape inference and the final check.

The graph is kept as plain Python (`ONode`s and numpy initializers, `OGraph`) until the passes
are done, so that rewriting a thousand-node CNN costs milliseconds; protos are built once in
`OGraph.to_model`.

Layout. Handlers wrap NCHW-only ONNX ops in Transpose(to NCHW) ... Transpose(to NHWC).
`push_transposes` walks every Transpose downstream: through elementwise ops (the other operand
is a transposed value with the same permutation or a constant, which is permuted at conversion
time), Concat, reductions, Pad, Softmax, ArgMax, Squeeze, Unsqueeze and Slice (whose axes are
remapped; Conv1D's Unsqueeze/Squeeze pairs, Cropping's Slices), Tile (repeats permuted), a
MatMul by constant weights over the channel dim (which becomes a 1x1 Conv), and merges it into
a following Transpose (two inverse permutations cancel). A transpose is pushed only when every
reader of its output can take it, so it never multiplies on a fork it cannot clear.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ortflow.converters.context import _ONNX_TYPE_BY_NAME, ONode, _value_info, initializer_protos
from ortflow.errors import ConversionError
from ortflow.formats import dtypes

__all__ = [
    "OGraph",
    "add_initializers",
    "check",
    "count_ops",
    "fold_constant_transposes",
    "fold_onnx_constants",
    "fuse_conv_affine",
    "infer_value_info",
    "push_transposes",
    "raw_tensor_code",
    "remove_dead_nodes",
    "run_onnx_passes",
    "subgraph_reads",
]

_UNARY = {"Relu", "LeakyRelu", "Elu", "Selu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh",
          "Abs", "Neg", "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Erf",
          "Softplus", "Softsign", "Cast", "Identity", "Not", "Sign", "Sin", "Cos", "Tan",
          "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "IsNaN", "IsInf",
          "Celu", "Mish", "Gelu", "ThresholdedRelu", "Shrink"}
_CLIP_LIKE = {"Clip"}  # first input transposed, the others scalars
_BROADCAST = {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Equal", "Greater",
              "Less", "GreaterOrEqual", "LessOrEqual", "And", "Or", "Xor", "Where", "Mod",
              "PRelu", "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor"}
_REDUCE = {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1",
           "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"}
_AXIS_OPS = {"Softmax", "LogSoftmax", "Hardmax"}
_ARG = {"ArgMax", "ArgMin"}


def _inverse(perm: Sequence[int]) -> list[int]:
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return inv


def _is_identity(perm: Sequence[int]) -> bool:
    return all(i == p for i, p in enumerate(perm))


class OGraph:
    """A mutable ONNX graph: ONodes, numpy initializers, and producer/reader indices."""

    def __init__(self, nodes: list[ONode], initializers: dict[str, np.ndarray], inputs: list,
                 outputs: list, namespace, opset: int):
        self.nodes = nodes
        self.initializers = initializers
        self.inputs = inputs      # (name, DType, dims) of graph inputs
        self.outputs = outputs    # (name, DType | None, Shape) of graph outputs
        self.namespace = namespace
        self.opset = opset
        # names no rewrite may rename or drop: graph outputs, and values control-flow bodies
        # read from this graph (outer-scope references the reader indices do not see)
        self.output_names = {o[0] for o in outputs}
        for n in nodes:
            for attr in n.attrs.values():
                self.output_names.update(subgraph_reads(attr))
        self._reindex()

    @classmethod
    def from_context(cls, ctx, inputs: list, outputs: list) -> OGraph:
        """The main graph of a finished ConversionContext; outputs keep their TF names."""
        input_names = {i[0] for i in inputs}
        for out_name, _, _ in outputs:
            value = ctx.resolve(out_name)
            if value == out_name and out_name in ctx.initializers:
                # The output itself was folded into an initializer: move the constant aside so
                # that the Identity below reads it rather than its own output (a cycle).
                value = ctx.unique_name(out_name.rsplit(":", 1)[0] + "/folded")
                ctx.initializers[value] = ctx.initializers.pop(out_name)
                if out_name in ctx.value_dtypes:
                    ctx.value_dtypes[value] = ctx.value_dtypes[out_name]
            if value != out_name or out_name in input_names or out_name in ctx.initializers:
                ctx.make_node("Identity", [value], outputs=[out_name],
                              name=out_name.rsplit(":", 1)[0] + "/output")
        outs = []
        for name, dtype, shape in outputs:
            outs.append((name, dtype or ctx.value_dtype(name), shape))
        return cls(ctx.nodes, ctx.initializers, inputs, outs, ctx.namespace, ctx.opset)

    # -- indices ------------------------------------------------------------------------------
    def _reindex(self) -> None:
        self.producer: dict[str, ONode] = {}
        self.readers: dict[str, list[ONode]] = {}
        for n in self.nodes:
            for o in n.outputs:
                self.producer[o] = n
            for i in n.inputs:
                if i:
                    self.readers.setdefault(i, []).append(n)

    def add_node(self, node: ONode) -> ONode:
        self.nodes.append(node)
        for o in node.outputs:
            self.producer[o] = node
        for i in node.inputs:
            if i:
                self.readers.setdefault(i, []).append(node)
        return node

    def set_input(self, node: ONode, k: int, value: str) -> None:
        old = node.inputs[k]
        if old == value:
            return
        if old:
            readers = self.readers.get(old, [])
            for j, r in enumerate(readers):
                if r is node:
                    del readers[j]
                    break
        node.inputs[k] = value
        if value:
            self.readers.setdefault(value, []).append(node)

    def replace_uses(self, old: str, new: str) -> None:
        """Every reader of `old` reads `new` instead (graph outputs are not renamed)."""
        for r in list(self.readers.get(old, ())):
            for k, i in enumerate(r.inputs):
                if i == old:
                    self.set_input(r, k, new)

    def add_const(self, value: np.ndarray, hint: str) -> str:
        name = self.namespace.create(hint)
        self.initializers[name] = value
        return name

    def const(self, name: str) -> np.ndarray | None:
        return self.initializers.get(name)

    # -- output ---------------------------------------------------------------------------
    def sorted_nodes(self) -> list[ONode]:
        """The nodes in a topological order (ONNX requires one), stable w.r.t. emission order."""
        produced_by = {o: n for n in self.nodes for o in n.outputs}
        if self._in_order(produced_by):
            return list(self.nodes)  # what the walk below returns for an already sorted list
        done: set[int] = set()
        order: list[ONode] = []
        for root in self.nodes:
            if id(root) in done:
                continue
            stack = [(root, False)]
            while stack:
                node, expanded = stack.pop()
                if id(node) in done:
                    continue
                if expanded:
                    done.add(id(node))
                    order.append(node)
                    continue
                stack.append((node, True))
                for i in reversed(node.inputs):
                    p = produced_by.get(i)
                    if p is not None and id(p) not in done:
                        stack.append((p, False))
        return order

    def _in_order(self, produced_by: dict) -> bool:
        """True when every node comes after the producers of its inputs, each node once (most
        calls: the passes keep the order of the last sort)."""
        seen: set[int] = set()
        for n in self.nodes:
            for i in n.inputs:
                p = produced_by.get(i)
                if p is not None and id(p) not in seen:
                    return False
            if id(n) in seen:
                return False
            seen.add(id(n))
        return True

    def to_model(self, opset: int, extra_opsets: dict | None = None, weights: bool = True):
        """Builds the onnx.ModelProto (protos made once, here); `weights=False` leaves the
        initializers out (see `raw_tensor_code` and `infer_value_info`)."""
        from onnx import helper
        from ortflow.converters.context import onnx_type

        inputs = []
        for name, dtype, dims in self.inputs:
            inputs.append(helper.make_tensor_value_info(name, onnx_type(dtype), dims))
        outputs = []
        for name, dtype, shape in self.outputs:
            if dtype is None:
                raise ConversionError(f"the type of output {name!r} is unknown")
            outputs.append(_value_info(name, dtype, _symbolic(shape)))
        graph = helper.make_graph([n.to_proto() for n in self.sorted_nodes()], "ortflow",
                                  inputs, outputs)
        imports = [helper.make_opsetid("", opset)]
        imports += [helper.make_opsetid(d, v) for d, v in sorted((extra_opsets or {}).items())]
        model = helper.make_model(graph, opset_imports=imports, producer_name="ortflow",
                                  producer_version=_version())
        model.ir_version = _ir_version(opset)
        if weights:
            add_initializers(model.graph, self.initializers)
        return model


def raw_tensor_code(array: np.ndarray) -> int | None:
    """The ONNX data_type of `array` when its bytes can go to `raw_data` as they are (numeric,
    little-endian); None for the others (strings, 4-bit types, big-endian data)."""
    dtype = array.dtype
    if dtype.kind not in "biuf" or dtype.itemsize < 1 or dtype.name in ("int4", "uint4") \
            or dtype.byteorder == ">":
        return None
    try:
        return _ONNX_TYPE_BY_NAME.get(dtypes.as_dtype(dtype).name)
    except TypeError:
        return None


def add_initializers(graph, initializers: dict[str, np.ndarray]) -> None:
    """Writes each array straight into `graph.initializer` (one copy of the bytes, not three)."""
    from ortflow.converters.context import _onnx_ready

    for name, array in initializers.items():
        code = raw_tensor_code(array)
        if code is None:
            graph.initializer.extend(initializer_protos({name: _onnx_ready(array)}))
            continue
        tensor = graph.initializer.add()
        tensor.name = name
        tensor.data_type = code
        tensor.dims.extend(array.shape)
        tensor.raw_data = np.ascontiguousarray(array).tobytes()


def _symbolic(shape):
    if shape is None:
        return None
    return [d if d is not None else None for d in shape]


def _version() -> str:
    # the package's own constant: importlib.metadata costs ~15 ms of imports (email, csv, ...)
    import ortflow

    return ortflow.__version__


def _ir_version(opset: int) -> int:
    """The lowest IR version that carries `opset` (onnxruntime accepts it; newer may not)."""
    from onnx import helper

    best = None
    for _, ir, op, *_ in helper.VERSION_TABLE:
        if op >= opset and (best is None or ir < best):
            best = ir
    return best or 8


# --------------------------------------------------------------------------------------------


def run_onnx_passes(graph: OGraph) -> None:
    """Constant folding, layout, conv affine fusion, then dead-node removal, in place."""
    fold_onnx_constants(graph)
    remove_dead_nodes(graph)  # a dead reader (a handler's superseded node) would block a push
    push_transposes(graph)
    fuse_conv_affine(graph)
    remove_dead_nodes(graph)


#: ONNX constant folding leaves results bigger than this many elements to run time.
MAX_FOLD_ELEMENTS = 1 << 22


def _np_cast(x, attrs):
    from onnx import helper

    return x.astype(helper.tensor_dtype_to_np_dtype(attrs["to"]))


def _axes_arg(node, inputs, k):
    if "axes" in node.attrs:
        return node.attrs["axes"]
    return inputs[k].reshape(-1).tolist() if len(inputs) > k and inputs[k] is not None else None


def _np_unsqueeze(node, inputs):
    x = inputs[0]
    axes = sorted(a % (x.ndim + len(_axes_arg(node, inputs, 1))) for a in _axes_arg(node, inputs, 1))
    for a in axes:
        x = np.expand_dims(x, a)
    return x


def _np_squeeze(node, inputs):
    axes = _axes_arg(node, inputs, 1)
    return np.squeeze(inputs[0], axis=None if axes is None else tuple(axes))


def _float_only(fn):
    def run(node, inputs):
        if any(v.dtype.kind != "f" for v in inputs):
            return None
        return fn(node, inputs)
    return run


# ONNX op -> numpy kernel on constant inputs (None result = do not fold)
_KERNELS = {
    "Add": lambda n, v: v[0] + v[1],
    "Sub": lambda n, v: v[0] - v[1],
    "Mul": lambda n, v: v[0] * v[1],
    "Div": _float_only(lambda n, v: v[0] / v[1]),
    "Sqrt": _float_only(lambda n, v: np.sqrt(v[0])),
    "Reciprocal": _float_only(lambda n, v: np.reciprocal(v[0])),
    "Neg": lambda n, v: -v[0],
    "Identity": lambda n, v: v[0],
    "Cast": lambda n, v: _np_cast(v[0], n.attrs),
    "Transpose": lambda n, v: np.transpose(v[0], n.attrs.get("perm")),
    "Reshape": lambda n, v: None if (0 in v[1].tolist() and not n.attrs.get("allowzero"))
    else v[0].reshape(v[1].tolist()),
    "Unsqueeze": _np_unsqueeze,
    "Squeeze": _np_squeeze,
    "Concat": lambda n, v: np.concatenate(v, axis=n.attrs["axis"]),
}


def fold_onnx_constants(graph: OGraph) -> bool:
    """Evaluates nodes whose inputs are all initializers (elementwise math, Transpose, Cast,
    Reshape, ...) into new initializers, in one pass in topological order."""
    changed = False
    for n in graph.sorted_nodes():
        kernel = _KERNELS.get(n.op_type)
        if kernel is None or n.domain or len(n.outputs) != 1 or n.outputs[0] in graph.output_names:
            continue
        values = [graph.const(i) if i else None for i in n.inputs]
        if any(v is None for v, i in zip(values, n.inputs) if i) or not n.inputs:
            continue
        try:
            result = kernel(n, values)
        except (ValueError, TypeError, IndexError):
            continue
        if result is None or result.size > MAX_FOLD_ELEMENTS:
            continue
        if n.op_type not in ("Cast",) and values and values[0].dtype != result.dtype \
                and n.op_type in ("Add", "Sub", "Mul", "Div", "Sqrt", "Reciprocal", "Neg"):
            result = result.astype(values[0].dtype)
        # np.asarray keeps 0-d results 0-d (np.ascontiguousarray would make them [1])
        result = np.asarray(result)
        if not result.flags.c_contiguous:
            result = result.copy(order="C")
        new = graph.add_const(result, n.outputs[0].rsplit(":", 1)[0] + "/folded")
        graph.replace_uses(n.outputs[0], new)
        n.outputs[0] = graph.namespace.create(n.name + "/dead")
        changed = True
    if changed:
        remove_dead_nodes(graph)
    return changed


def fuse_conv_affine(graph: OGraph) -> bool:
    """Conv -> Mul(per-channel constant) and Conv -> Add(per-channel constant) fold into the
    Conv's weights and bias (exact up to float rounding), when the Conv output has one reader."""
    changed = False
    for n in list(graph.sorted_nodes()):
        if n.op_type not in ("Mul", "Add") or len(n.inputs) != 2:
            continue
        conv_out, const = n.inputs
        if graph.const(conv_out) is not None:
            conv_out, const = const, conv_out
        conv = graph.producer.get(conv_out)
        value = graph.const(const)
        if conv is None or conv.op_type != "Conv" or value is None or conv_out in graph.output_names \
                or len(graph.readers.get(conv_out, ())) != 1:
            continue
        weights = graph.const(conv.inputs[1])
        if weights is None or weights.dtype.kind != "f" or value.dtype != weights.dtype:
            continue
        channels = weights.shape[0]
        spatial = weights.ndim - 2
        per_channel = _per_channel(value, channels, spatial)
        if per_channel is None:
            continue
        bias = graph.const(conv.inputs[2]) if len(conv.inputs) > 2 and conv.inputs[2] else None
        if len(conv.inputs) > 2 and conv.inputs[2] and bias is None:
            continue
        if bias is None:
            bias = np.zeros(channels, weights.dtype)
        if n.op_type == "Mul":
            factor = per_channel.reshape((-1,) + (1,) * (weights.ndim - 1)).astype(weights.dtype)
            if _private(graph, conv.inputs[1], weights):
                weights *= factor  # this conv's own copy (permuted at conversion): no new array
            else:
                weights = weights * factor
                graph.set_input(conv, 1, graph.add_const(weights, conv.name + "/W"))
            new_b = bias * per_channel
        else:
            new_b = bias + per_channel
        if len(conv.inputs) < 3:
            conv.inputs.append("")
        graph.set_input(conv, 2, graph.add_const(new_b.astype(weights.dtype, copy=False), conv.name + "/B"))
        out = n.outputs[0]
        # the Conv now computes the affine op's output: it takes over its name
        n.outputs[0] = graph.namespace.create(n.name + "/dead")
        graph.set_input(n, 0, "")
        graph.set_input(n, 1, "")
        conv.outputs[0] = out
        graph.producer[out] = conv
        changed = True
    if changed:
        remove_dead_nodes(graph)
    return changed


def _private(graph: OGraph, name: str, value: np.ndarray) -> bool:
    """True when initializer `name` is a writable array only this one reader and name use."""
    from ortflow.converters.emit import is_arena_array

    if not (value.flags.writeable and (value.flags.owndata or is_arena_array(value))) \
            or len(graph.readers.get(name, ())) != 1:
        return False
    return sum(1 for v in graph.initializers.values() if v is value) == 1


def _per_channel(value: np.ndarray, channels: int, spatial: int):
    """A [C] vector when `value` broadcasts along the channel axis of an N,C,spatial... tensor."""
    rank = spatial + 2
    if value.ndim > rank:
        return None
    full = value.reshape((1,) * (rank - value.ndim) + value.shape)
    if full.shape[0] != 1 or any(d != 1 for d in full.shape[2:]) or full.shape[1] not in (1, channels):
        return None
    return np.broadcast_to(full.reshape(-1), (channels,)).copy()


def count_ops(graph: OGraph, op_type: str) -> int:
    return sum(1 for n in graph.nodes if n.op_type == op_type)


def fold_constant_transposes(graph: OGraph) -> bool:
    """Transpose of an initializer becomes a permuted initializer."""
    changed = False
    for n in graph.nodes:
        if n.op_type == "Transpose" and graph.const(n.inputs[0]) is not None \
                and n.outputs[0] not in graph.output_names:
            value = graph.const(n.inputs[0])
            perm = n.attrs.get("perm", list(range(value.ndim))[::-1])
            new = graph.add_const(np.ascontiguousarray(np.transpose(value, perm)), n.outputs[0] + "/value")
            graph.replace_uses(n.outputs[0], new)
            changed = True
    return changed


def remove_dead_nodes(graph: OGraph) -> bool:
    """Drops nodes whose outputs nobody reads (and that are no graph output), and unused
    initializers."""
    live_values = set(graph.output_names)
    keep: list[ONode] = []
    for n in reversed(graph.sorted_nodes()):
        if any(o in live_values for o in n.outputs):
            keep.append(n)
            live_values.update(i for i in n.inputs if i)
            for attr in n.attrs.values():
                live_values.update(subgraph_reads(attr))
    keep.reverse()
    changed = len(keep) != len(graph.nodes)
    graph.nodes = keep
    unused = [k for k in graph.initializers if k not in live_values]
    for k in unused:
        del graph.initializers[k]
    graph._reindex()
    return changed or bool(unused)


def subgraph_reads(attr) -> set[str]:
    """Names a subgraph attr (GraphProto) reads from enclosing scopes (all inputs of its nodes)."""
    graphs = [attr] if hasattr(attr, "node") and hasattr(attr, "initializer") else []
    if isinstance(attr, list):
        graphs = [a for a in attr if hasattr(a, "node") and hasattr(a, "initializer")]
    names: set[str] = set()
    for g in graphs:
        for node in g.node:
            names.update(node.input)
            for a in node.attribute:
                if a.HasField("g"):
                    names.update(subgraph_reads(a.g))
                for sg in a.graphs:
                    names.update(subgraph_reads(sg))
    return names


# --------------------------------------------------------------------------------------------
# transpose pushing


def push_transposes(graph: OGraph) -> bool:
    """Moves Transposes downstream and cancels inverse pairs; see the module doc.

    Should the graph end up with more Transposes than it started with (a fork that never
    cleared), the rewrite is undone.
    """
    before = count_ops(graph, "Transpose")
    snapshot = _snapshot(graph)
    changed = _push_all(graph)
    if changed:
        remove_dead_nodes(graph)
        dedupe_transposes(graph)
        if count_ops(graph, "Transpose") > before:
            _restore(graph, snapshot)
            return False
    return changed


def _snapshot(graph: OGraph):
    return ([(n, list(n.inputs), list(n.outputs), dict(n.attrs)) for n in graph.nodes],
            dict(graph.initializers))


def _restore(graph: OGraph, snapshot) -> None:
    nodes, inits = snapshot
    for n, inputs, outputs, attrs in nodes:
        n.inputs, n.outputs, n.attrs = inputs, outputs, attrs
    graph.nodes = [n for n, *_ in nodes]
    graph.initializers = inits
    graph._reindex()


def _push_all(graph: OGraph) -> bool:
    changed = False
    work = [n for n in graph.nodes if n.op_type == "Transpose"]
    retried: dict[int, int] = {}
    budget = 50 * (len(graph.nodes) + 10)  # every push moves a transpose one node downstream
    while work and budget > 0:
        budget -= 1
        t = work.pop()
        if t.op_type != "Transpose" or "perm" not in t.attrs:
            continue
        y = t.outputs[0]
        readers = list(dict.fromkeys(graph.readers.get(y, ())))
        if y in graph.output_names or not readers:
            continue
        perm = list(t.attrs["perm"])
        if _is_identity(perm):
            graph.replace_uses(y, t.inputs[0])
            changed = True
            continue
        ready = [r for r in readers if r.op_type == "Transpose" or _pushable(graph, r, perm)]
        waiting = [r for r in readers if r not in ready]
        if waiting and not all(_may_become_pushable(graph, r) for r in waiting):
            continue
        if not ready:
            continue
        for r in ready:
            if r.op_type == "Transpose":
                _merge_transposes(graph, t, r, work)
            else:
                new_t = _push_through(graph, r, perm)
                if new_t is not None:
                    work.append(new_t)
        changed = True
        if waiting and retried.get(id(t), 0) < 4:
            # the other operands of the waiting readers may arrive transposed later
            retried[id(t)] = retried.get(id(t), 0) + 1
            work.insert(0, t)
    return changed


def _may_become_pushable(graph: OGraph, node: ONode) -> bool:
    """Binary ops and Concats whose other operands may still turn into matching Transposes."""
    return (node.op_type in _BROADCAST or node.op_type == "Concat") and not node.domain


def dedupe_transposes(graph: OGraph) -> bool:
    """Transposes of one value with one permutation become one."""
    seen: dict[tuple, str] = {}
    changed = False
    for n in graph.sorted_nodes():
        if n.op_type != "Transpose" or n.outputs[0] in graph.output_names:
            continue
        key = (n.inputs[0], tuple(n.attrs.get("perm", ())))
        if key in seen:
            graph.replace_uses(n.outputs[0], seen[key])
            changed = True
        else:
            seen[key] = n.outputs[0]
    if changed:
        remove_dead_nodes(graph)
    return changed


def _merge_transposes(graph: OGraph, t: ONode, r: ONode, work: list) -> None:
    """r(t(x)) -> one Transpose of x (or x itself when the permutations cancel)."""
    p = t.attrs["perm"]
    q = r.attrs.get("perm")
    if q is None or len(q) != len(p):
        return
    combined = [p[i] for i in q]
    x = t.inputs[0]
    out = r.outputs[0]
    if _is_identity(combined):
        graph.set_input(r, 0, x)
        if out in graph.output_names:
            r.op_type, r.attrs = "Identity", {}  # the graph output keeps its name
        else:
            graph.replace_uses(out, x)  # r is now read by nobody; dead-node removal drops it
        return
    graph.set_input(r, 0, x)
    r.attrs["perm"] = combined
    work.append(r)


def _transposed_operand(graph: OGraph, name: str, perm: list[int]) -> bool:
    """True when `name` can be fed pre-transpose: a Transpose(perm) output or a constant."""
    if not name:
        return True
    p = graph.producer.get(name)
    if p is not None and p.op_type == "Transpose" and list(p.attrs.get("perm", ())) == perm:
        return True
    c = graph.const(name)
    return c is not None and c.ndim <= len(perm)


def _pushable(graph: OGraph, node: ONode, perm: list[int]) -> bool:
    op = node.op_type
    if node.domain:
        return False
    if op in _UNARY:
        return len(node.outputs) == 1
    if op in _CLIP_LIKE:
        return all(not i or (graph.const(i) is not None and graph.const(i).ndim == 0) for i in node.inputs[1:])
    if op in _BROADCAST or op == "Concat":
        return all(_transposed_operand(graph, i, perm) for i in node.inputs)
    if op in _REDUCE:
        return _reduce_axes(graph, node, len(perm)) is not None
    if op in _AXIS_OPS:
        return True
    if op in _ARG:
        return True
    if op == "Pad":
        return graph.const(node.inputs[1]) is not None and (len(node.inputs) < 4 or not node.inputs[3])
    if op == "Shape":
        return "start" not in node.attrs and "end" not in node.attrs
    if op in ("Squeeze", "Unsqueeze"):
        return _const_axes(graph, node) is not None
    if op == "Slice":
        return all(not i or graph.const(i) is not None for i in node.inputs[1:])
    if op == "Tile":
        return graph.const(node.inputs[1]) is not None
    if op == "MatMul":
        return _matmul_as_conv(graph, node, perm) is not None
    if op == "Resize":
        return _resize_scales(graph, node, perm) is not None
    return False


def _resize_scales(graph: OGraph, node: ONode, perm: list[int]):
    """(input index, permuted values) when a Resize with no roi and constant scales or sizes
    can read the pre-transpose value. Linear and cubic modes only with scales that leave the
    first two dims alone once permuted (onnxruntime interpolates the inner dims only)."""
    inputs = node.inputs + [""] * (4 - len(node.inputs))
    roi = graph.const(inputs[1]) if inputs[1] else None
    if (inputs[1] and (roi is None or roi.size)) or node.attrs.get("axes"):
        return None
    scales = graph.const(inputs[2]) if inputs[2] else None
    sizes = graph.const(inputs[3]) if inputs[3] else None
    k, value = (2, scales) if scales is not None and scales.size else (3, sizes)
    if value is None or value.ndim != 1 or value.size != len(perm):
        return None
    permuted = np.empty_like(value)
    for i, p in enumerate(perm):
        permuted[p] = value[i]
    if node.attrs.get("mode", "nearest") != "nearest" and (k == 3 or (permuted[:2] != 1).any()):
        return None
    return k, permuted


def _matmul_as_conv(graph: OGraph, node: ONode, perm: list[int]):
    """The constant [K, N] weights when MatMul(Transpose(x, perm), W) contracts x's dim 1 (a
    channels-first value read channels-last): that product is a 1x1 Conv of x. Else None."""
    if len(node.inputs) != 2 or not 3 <= len(perm) <= 5 or perm[-1] != 1 or perm[0] != 0:
        return None
    producer = graph.producer.get(node.inputs[0])
    if producer is None or producer.op_type != "Transpose" or list(producer.attrs.get("perm", ())) != perm:
        return None
    w = graph.const(node.inputs[1])
    if w is None or w.ndim != 2 or w.dtype != np.float32:  # onnxruntime's Conv kernels: float
        return None
    return w


def _const_axes(graph: OGraph, node: ONode) -> list[int] | None:
    """Squeeze/Unsqueeze axes (attr before opset 13, constant input after); None when absent
    (a Squeeze of every size-1 dim) or computed at run time."""
    if "axes" in node.attrs:
        return [int(a) for a in node.attrs["axes"]]
    if len(node.inputs) > 1 and node.inputs[1]:
        value = graph.const(node.inputs[1])
        return None if value is None else [int(a) for a in value.reshape(-1)]
    return None


def _set_axes(graph: OGraph, node: ONode, k: int, axes: list[int]) -> None:
    """Writes `axes` where the node keeps them: the attr, or input k (added when absent)."""
    if "axes" in node.attrs:
        node.attrs["axes"] = axes
        return
    while len(node.inputs) <= k:
        node.inputs.append("")
    graph.set_input(node, k, graph.add_const(np.array(axes, np.int64), node.name + "/axes"))


def _unsqueezed(perm: list[int], axes: list[int]) -> tuple[list[int], list[int]]:
    """(axes', q) with Unsqueeze(Transpose(x, perm), axes) == Transpose(Unsqueeze(x, axes'), q).

    Each new size-1 dim goes into x just before the dim that follows it in the result (at the
    end when none does), so it travels with its right neighbour: Conv1D's ExpandDims of
    [N, W, C] at 1 then lands between C and W of the channels-first value, where the conv's
    Transpose to NCHW cancels it.
    """
    m = len(perm) + len(axes)
    kept = [j for j in range(m) if j not in axes]      # result positions of y's dims
    follower = {}
    for j in axes:
        after = [k for k, pos in enumerate(kept) if pos > j]
        follower[j] = perm[after[0]] if after else None
    tokens: list = []
    for d in range(len(perm)):
        tokens += [("new", j) for j in axes if follower[j] == d]
        tokens.append(("x", d))
    tokens += [("new", j) for j in axes if follower[j] is None]
    where = {t: i for i, t in enumerate(tokens)}
    q = [where[("new", j)] if j in axes else where[("x", perm[kept.index(j)])] for j in range(m)]
    return [where[("new", j)] for j in axes], q


def _reduce_axes(graph: OGraph, node: ONode, rank: int):
    """The reduction's axes (normalized), [] for all, None when not statically known."""
    if "axes" in node.attrs:
        axes = node.attrs["axes"]
    elif len(node.inputs) > 1 and node.inputs[1]:
        value = graph.const(node.inputs[1])
        if value is None:
            return None
        axes = value.reshape(-1).tolist()
    else:
        axes = []
    if not axes and node.attrs.get("noop_with_empty_axes", 0):
        return None
    return sorted(a % rank for a in axes)


def _push_through(graph: OGraph, node: ONode, perm: list[int]) -> ONode | None:
    """Rewrites `node` to read pre-transpose values and adds a Transpose after it."""
    op = node.op_type
    out_perm = perm
    n = len(perm)
    if op in _UNARY or op in _CLIP_LIKE:
        _feed_pre_transpose(graph, node, 0, perm)
    elif op in _BROADCAST or op == "Concat":
        for k, name in enumerate(node.inputs):
            if name:
                _feed_pre_transpose(graph, node, k, perm)
        if op == "Concat":
            node.attrs["axis"] = perm[node.attrs["axis"] % n]
    elif op in _AXIS_OPS:
        axis = node.attrs.get("axis", -1 if graph.opset >= 13 else 1)
        node.attrs["axis"] = perm[axis % n]
        _feed_pre_transpose(graph, node, 0, perm)
    elif op in _ARG:
        axis = node.attrs.get("axis", 0) % n
        node.attrs["axis"] = perm[axis]
        _feed_pre_transpose(graph, node, 0, perm)
        if not node.attrs.get("keepdims", 1):
            out_perm = _reduced_perm(perm, [axis])
    elif op in _REDUCE:
        axes = _reduce_axes(graph, node, n)
        new_axes = sorted(perm[a] for a in axes)
        if "axes" in node.attrs:
            node.attrs["axes"] = new_axes
        elif len(node.inputs) > 1 and node.inputs[1]:
            graph.set_input(node, 1, graph.add_const(np.array(new_axes, np.int64), node.name + "/axes"))
        _feed_pre_transpose(graph, node, 0, perm)
        if not axes:
            out_perm = None if not node.attrs.get("keepdims", 1) else perm
        elif not node.attrs.get("keepdims", 1):
            out_perm = _reduced_perm(perm, axes)
    elif op == "Pad":
        pads = graph.const(node.inputs[1]).reshape(-1)
        new = np.empty_like(pads)
        for i in range(n):
            new[perm[i]] = pads[i]
            new[perm[i] + n] = pads[i + n]
        graph.set_input(node, 1, graph.add_const(new, node.name + "/pads"))
        _feed_pre_transpose(graph, node, 0, perm)
    elif op == "Squeeze":
        # Squeeze(Transpose(x, p), A) == Transpose(Squeeze(x, p[A]), p without A)
        axes = sorted(a % n for a in _const_axes(graph, node))
        _set_axes(graph, node, 1, sorted(perm[a] for a in axes))
        _feed_pre_transpose(graph, node, 0, perm)
        out_perm = _reduced_perm(perm, axes)
    elif op == "Unsqueeze":
        axes = _const_axes(graph, node)
        m = n + len(axes)
        new_axes, out_perm = _unsqueezed(perm, sorted(a % m for a in axes))
        _set_axes(graph, node, 1, sorted(new_axes))
        _feed_pre_transpose(graph, node, 0, perm)
    elif op == "Slice":
        # Slice(Transpose(x, p), axes A) == Transpose(Slice(x, axes p[A]), p)
        starts = graph.const(node.inputs[1]).reshape(-1)
        axes = graph.const(node.inputs[3]).reshape(-1).tolist() if len(node.inputs) > 3 and node.inputs[3] \
            else list(range(len(starts)))
        _set_axes(graph, node, 3, [perm[int(a) % n] for a in axes])
        _feed_pre_transpose(graph, node, 0, perm)
    elif op == "MatMul":
        # MatMul(Transpose(x, p), W) over x's dim 1 == Transpose(Conv(x, W^T as [N, K, 1, ...]), p)
        w = _matmul_as_conv(graph, node, perm)
        kernel = np.ascontiguousarray(w.T).reshape(w.shape[1], w.shape[0], *([1] * (n - 2)))
        node.op_type = "Conv"
        node.attrs = {"kernel_shape": [1] * (n - 2)}
        graph.set_input(node, 1, graph.add_const(kernel, node.name + "/kernel"))
        _feed_pre_transpose(graph, node, 0, perm)
    elif op == "Resize":
        # Resize(Transpose(x, p), scales s) == Transpose(Resize(x, s'), p) with s'[p[i]] = s[i]
        k, permuted = _resize_scales(graph, node, perm)
        graph.set_input(node, k, graph.add_const(permuted, node.name + ("/scales" if k == 2 else "/sizes")))
        _feed_pre_transpose(graph, node, 0, perm)
    elif op == "Tile":
        # Tile(Transpose(x, p), r) == Transpose(Tile(x, r'), p) with r'[p[i]] = r[i]
        repeats = graph.const(node.inputs[1]).reshape(-1)
        permuted = np.empty_like(repeats)
        for i in range(n):
            permuted[perm[i]] = repeats[i]
        graph.set_input(node, 1, graph.add_const(permuted, node.name + "/repeats"))
        _feed_pre_transpose(graph, node, 0, perm)
    elif op == "Shape":
        # Shape(Transpose(x, p)) == Gather(Shape(x), p): the shape is permuted, not the data
        _feed_pre_transpose(graph, node, 0, perm)
        out = node.outputs[0]
        pre = graph.namespace.create(out.rsplit(":", 1)[0] + "/pre_transpose")
        node.outputs[0] = pre
        graph.producer[pre] = node
        indices = graph.add_const(np.array(perm, np.int64), node.name + "/perm")
        graph.add_node(ONode("Gather", [pre, indices], [out], {"axis": 0},
                             graph.namespace.create(node.name + "/Gather")))
        return None
    else:
        return None
    if out_perm is None or _is_identity(out_perm):
        return None
    out = node.outputs[0]
    pre = graph.namespace.create(out.rsplit(":", 1)[0] + "/pre_transpose")
    node.outputs[0] = pre
    graph.producer[pre] = node
    t = ONode("Transpose", [pre], [out], {"perm": list(out_perm)},
              graph.namespace.create(node.name + "/Transpose"))
    graph.add_node(t)
    return t


def _reduced_perm(perm: list[int], axes: list[int]) -> list[int]:
    """Output permutation after removing reduced axes `axes` (axes of the transposed value)."""
    kept_in = [perm[i] for i in range(len(perm)) if i not in axes]   # x-dims in y order
    order = sorted(kept_in)                                          # x-dims in x order
    return [order.index(d) for d in kept_in]


def _feed_pre_transpose(graph: OGraph, node: ONode, k: int, perm: list[int]) -> None:
    """Input k of `node` becomes the value before Transpose(perm) (a permuted constant)."""
    name = node.inputs[k]
    p = graph.producer.get(name)
    if p is not None and p.op_type == "Transpose" and list(p.attrs.get("perm", ())) == perm:
        graph.set_input(node, k, p.inputs[0])
        return
    value = graph.const(name)
    if value is None or value.ndim == 0:
        return  # scalars broadcast either way
    n = len(perm)
    full = value.reshape((1,) * (n - value.ndim) + value.shape)
    permuted = np.ascontiguousarray(np.transpose(full, _inverse(perm)))
    graph.set_input(node, k, graph.add_const(permuted, name.rsplit(":", 1)[0] + "/nchw"))


# --------------------------------------------------------------------------------------------


#: Initializers up to this many bytes are kept in the checked skeleton (shapes, axes, pads
#: that shape inference reads); bigger ones become typed graph inputs there.
SKELETON_MAX_BYTES = 4096


def _skeleton_from_arrays(model, initializers: dict[str, np.ndarray]):
    """`_skeleton` for a model built without weights, from its numpy initializers: the big
    ones never become protos at all."""
    from onnx import ModelProto, helper

    skeleton = ModelProto()
    skeleton.CopyFrom(model)
    graph = skeleton.graph
    small = {}
    for name, array in initializers.items():
        if array.nbytes > SKELETON_MAX_BYTES and raw_tensor_code(array) is not None:
            graph.input.append(helper.make_tensor_value_info(name, raw_tensor_code(array),
                                                             list(array.shape)))
        else:
            small[name] = array
    add_initializers(graph, small)
    return skeleton


def _skeleton(model, max_bytes: int = SKELETON_MAX_BYTES):
    """A copy of `model` whose big initializers are graph inputs instead (typed and shaped).

    Shape inference and the checker read initializers' types and shapes, and the values of
    small ones (Reshape shapes, axes); copying 100 MB of weights through C++ twice for that is
    most of the time a big model's conversion would take.
    """
    from onnx import ModelProto, helper

    skeleton = ModelProto()
    for field in ("ir_version", "producer_name", "producer_version"):
        setattr(skeleton, field, getattr(model, field))
    skeleton.opset_import.extend(model.opset_import)
    graph = skeleton.graph
    graph.name = model.graph.name
    graph.node.extend(model.graph.node)
    graph.input.extend(model.graph.input)
    graph.output.extend(model.graph.output)
    for tensor in model.graph.initializer:
        # element count from the dims: reading raw_data would copy the weights into Python
        elements = 1
        for d in tensor.dims:
            elements *= d
        if elements * 4 > max_bytes:
            graph.input.append(helper.make_tensor_value_info(tensor.name, tensor.data_type, list(tensor.dims)))
        else:
            graph.initializer.append(tensor)
    return skeleton


def infer_value_info(model, initializers: dict[str, np.ndarray] | None = None):
    """Records onnx shape inference's value_info and output shapes in `model` (in place), and
    runs `onnx.checker` with full check on the same weight-less skeleton; returns `model`.

    `initializers`: the numpy initializers of a model built with `to_model(weights=False)`
    (the skeleton is then made from them); None when `model` carries its own.

    Graph inputs and outputs whose rank is unknown keep no `shape` field, which the ONNX IR
    allows and onnxruntime accepts, but `onnx.checker` refuses on graph inputs and outputs.
    The checked skeleton therefore makes such an input with a Reshape of two shaped inputs
    (a flat value and a shape of unknown length) and leaves such an output out; every node
    is still checked.

    Raises:
        ConversionError: when shape inference or the checker rejects the model.
    """
    import onnx

    skeleton = _skeleton(model) if initializers is None else _skeleton_from_arrays(model, initializers)
    shapeless_inputs = _rank_free_inputs(skeleton)
    try:
        inferred = onnx.shape_inference.infer_shapes(skeleton, data_prop=True)
    except onnx.shape_inference.InferenceError as e:
        raise ConversionError(f"ONNX shape inference rejects the converted model: {e}") from e
    outputs = list(inferred.graph.output)
    del inferred.graph.output[:]
    inferred.graph.output.extend(o for o in outputs if o.type.tensor_type.HasField("shape"))
    try:
        onnx.checker.check_model(inferred, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as e:
        raise ConversionError(f"the converted model does not pass onnx.checker: {e}") from e
    declared = {i.name for i in model.graph.input} | {o.name for o in model.graph.output}
    model.graph.value_info.extend(v for v in inferred.graph.value_info
                                  if v.name not in declared and v.name not in shapeless_inputs)
    for out, inferred_out in zip(model.graph.output, outputs):
        if not out.type.tensor_type.HasField("shape") and inferred_out.type.tensor_type.HasField("shape"):
            out.type.CopyFrom(inferred_out.type)
    return model


def _rank_free_inputs(skeleton) -> set[str]:
    """Replaces the skeleton's graph inputs without a shape by Reshape(flat, shape) of two
    shaped inputs (the checker wants a shape on every graph input); returns the names made."""
    from onnx import TensorProto, helper

    made: set[str] = set()
    kept = []
    front = []
    for value in skeleton.graph.input:
        if value.type.HasField("tensor_type") and not value.type.tensor_type.HasField("shape"):
            flat, shape = value.name + "/__flat", value.name + "/__shape"
            kept.append(helper.make_tensor_value_info(flat, value.type.tensor_type.elem_type, ["n"]))
            kept.append(helper.make_tensor_value_info(shape, TensorProto.INT64, ["rank"]))
            front.append(helper.make_node("Reshape", [flat, shape], [value.name]))
            made.update((flat, shape))
        else:
            kept.append(value)
    if front:
        del skeleton.graph.input[:]
        skeleton.graph.input.extend(kept)
        nodes = front + list(skeleton.graph.node)
        del skeleton.graph.node[:]
        skeleton.graph.node.extend(nodes)
    return made


def check(model) -> None:
    """onnx.checker with full check (strict shape inference) on the whole model (weights
    included); failures become ConversionError. `infer_value_info` already checks the model's
    weight-less skeleton during conversion; this is the complete, slower check."""
    import onnx

    try:
        onnx.checker.check_model(model, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as e:
        raise ConversionError(f"the converted model does not pass onnx.checker: {e}") from e
