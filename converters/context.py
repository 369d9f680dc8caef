"""The ConversionContext handlers emit ONNX through, and the NodeView they read a TF node from.

A handler sees one TF node and writes the ONNX nodes that compute its outputs:

    @handler("Relu")
    def convert_relu(ctx, node):
        # TF:   activations = Relu(features)
        # ONNX: Y = Relu(X)
        ctx.make_node("Relu", [node.input(0)], outputs=[node.output(0)])

Names. ONNX value names equal TF tensor names (``"conv1/Relu:0"``): ``node.input(i)`` is the
ONNX name of the TF tensor feeding data input i, ``node.output(i)`` the name the handler must
produce for TF output i. A handler whose output is an existing value (Identity, a no-op Reshape,
a Cast to the same type) calls ``ctx.alias(existing, node.output(i))`` instead of emitting a
node; later readers of that TF tensor then get ``existing``. Every name the context makes up
(``unique_name``, unnamed ``make_node`` outputs, ``make_const``) is unique against all TF node
names and everything made before.

Static facts. ``node.input_dtype(i)`` / ``output_dtype(i)`` are ortflow DTypes, the shapes
are ``tuple[int | None, ...]`` (None = unknown rank), and ``node.input_value(i)`` is the numpy
value of an input the TF-side passes proved constant (None otherwise). They come from
``ortflow.graph.ops`` and are fixed before lowering starts.

Layout. Handlers of NHWC ops that ONNX only has in NCHW (Conv, pools, ...) wrap the ONNX op in
``Transpose(perm=[0,3,1,2])`` / ``Transpose(perm=[0,2,3,1])``; the ONNX-side layout pass pushes
those through layout-agnostic ops and cancels inverse pairs, so other handlers need not care.

Built-ins. The driver itself lowers ``Const`` (initializer), ``Placeholder`` and a fed
``PlaceholderWithDefault`` (graph inputs) and ``NoOp``; when no handler is registered for
``Identity``, ``Snapshot``, ``StopGradient``, ``PreventGradient`` or ``IdentityN`` the driver
aliases their outputs to their inputs.

Regions and subgraphs (control flow). A handler may lower several TF nodes at once (a v1 while
frame, a cond): it reads neighbours with ``ctx.tf_node(name)`` / ``ctx.consumers(name)``,
builds bodies with ``ctx.make_subgraph``, and tells the driver with ``ctx.mark_converted(names)``
that those nodes are done (the driver then skips them). A subgraph context is a
ConversionContext whose nodes go into an ``onnx.GraphProto``; values of the enclosing graph are
visible in it by name (ONNX outer-scope references):

    body = ctx.make_subgraph("while/body", inputs=[("iter", int64, ()), ("cond_in", bool, ()),
                                                    ("x_in", float32, (None, 4))])
    body.alias("x_in", "while/Identity:0")        # the body's TF tensor is this graph input
    body.lower(["while/add", "while/Less"])       # run those TF nodes' handlers inside
    graph = body.finish([("while/Less:0", bool, ()), ("while/add:0", float32, (None, 4))])
    ctx.make_node("Loop", ["", "", "x:0"], {"body": graph}, outputs=[...])

``finish`` renames nothing: each output entry is an ONNX value name of the subgraph (a TF
tensor name is resolved through the subgraph's aliases first) and becomes a graph output; when
the same value would be two outputs or is a subgraph input, an Identity is inserted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from ortflow.errors import ConversionError
from ortflow.formats import dtypes
from ortflow.formats.dtypes import DType
from ortflow.graph.naming import split_tensor_name

__all__ = [
    "REQUIRED",
    "ConversionContext",
    "NodeView",
    "ONode",
    "Shape",
    "initializer_protos",
    "onnx_type",
    "split_tensor_name",
    "tensor_name",
]

#: A static shape: None for unknown rank, else a tuple whose unknown dims are None.
Shape = tuple[int | None, ...] | None

REQUIRED = object()  # sentinel: the attr has no default and must be present

# TF DataType name -> onnx.TensorProto enum value (stable numbers from onnx.proto).
_ONNX_TYPE_BY_NAME = {
    "float32": 1, "uint8": 2, "int8": 3, "uint16": 4, "int16": 5, "int32": 6, "int64": 7,
    "string": 8, "bool": 9, "float16": 10, "float64": 11, "uint32": 12, "uint64": 13,
    "complex64": 14, "complex128": 15, "bfloat16": 16, "float8_e4m3fn": 17,
    "float8_e4m3fnuz": 18, "float8_e5m2": 19, "float8_e5m2fnuz": 20, "uint4": 21, "int4": 22,
    # quantized types hold plain integers
    "qint8": 3, "quint8": 2, "qint16": 5, "quint16": 4, "qint32": 6,
}


def onnx_type(dtype: DType) -> int:
    """The onnx.TensorProto element type of a TF dtype.

    Raises:
        ConversionError: for types ONNX has no tensor type for (resource, variant, ...).
    """
    code = _ONNX_TYPE_BY_NAME.get(dtypes.as_dtype(dtype).base_dtype.name)
    if code is None:
        raise ConversionError(f"TensorFlow type {dtype.name!r} has no ONNX tensor type")
    return code


_TENSOR_NAMES: dict[str, str] = {}


def tensor_name(name: str) -> str:
    """Canonical TF tensor name of a NodeDef input string: 'a' -> 'a:0', 'a:1' -> 'a:1'."""
    hit = _TENSOR_NAMES.get(name)
    if hit is None:
        node, index = split_tensor_name(name)
        hit = f"{node}:{index}"
        if len(_TENSOR_NAMES) > 200_000:  # bounded: names of many graphs in one process
            _TENSOR_NAMES.clear()
        _TENSOR_NAMES[name] = hit
    return hit


_SCHEMA = []  # the op schema module, imported on first use (handlers ask it for every node)


def _schema():
    if not _SCHEMA:
        from ortflow.graph.ops import schema

        _SCHEMA.append(schema)
    return _SCHEMA[0]


class NodeView:
    """One TF node as a handler sees it: attrs decoded, inputs and outputs as ONNX value names."""

    __slots__ = ("_inputs", "ctx", "name", "node_def", "op")

    def __init__(self, ctx: ConversionContext, node_def):
        self.ctx = ctx
        self.node_def = node_def
        self.name: str = node_def.name
        self.op: str = node_def.op
        self._inputs = [tensor_name(i) for i in node_def.input if not i.startswith("^")]

    def __repr__(self) -> str:
        return f"<NodeView {self.op} {self.name!r}>"

    # -- attrs ---------------------------------------------------------------------------
    def attr(self, name: str, default: Any = REQUIRED) -> Any:
        """Attr `name` decoded (int, float, bool, bytes, DType, list, Shape, np.ndarray).

        A missing attr falls back to the OpDef default, then to `default`.

        Raises:
            ConversionError: when the attr is absent and has no default.
        """
        attrs = self.node_def.attr
        if name in attrs:
            return _schema().decode_attr(attrs[name])
        try:
            return _schema().get_attr(self.node_def, name)
        except Exception:
            if default is REQUIRED:
                raise ConversionError(f"{self.op} node {self.name!r}: required attr {name!r} "
                                      "is missing") from None
            return default

    def str_attr(self, name: str, default: Any = REQUIRED) -> str:
        """A string attr (`padding`, `data_format`, `mode`, ...) as text; `attr` gives bytes."""
        value = self.attr(name, default)
        return value.decode() if isinstance(value, bytes) else str(value)

    def has_attr(self, name: str) -> bool:
        """True when the NodeDef itself sets `name` (OpDef defaults do not count)."""
        return name in self.node_def.attr

    # -- inputs --------------------------------------------------------------------------
    @property
    def num_inputs(self) -> int:
        """Number of data inputs (control inputs are not counted)."""
        return len(self._inputs)

    @property
    def num_outputs(self) -> int:
        """Number of TF outputs, per the OpDef (1 when the op type is unknown)."""
        return self.ctx.num_outputs(self.name)

    def input_tensor(self, i: int) -> str:
        """The TF tensor name of data input i ('x:0'), before any ONNX renaming."""
        return self._inputs[i]

    def input(self, i: int) -> str:
        """The ONNX value name holding TF data input i."""
        return self.ctx.resolve(self._inputs[i])

    def inputs(self) -> list[str]:
        """ONNX value names of all data inputs."""
        return [self.ctx.resolve(t) for t in self._inputs]

    def input_dtype(self, i: int) -> DType | None:
        return self.ctx.tensor_dtype(self._inputs[i])

    def input_shape(self, i: int):
        return self.ctx.tensor_shape(self._inputs[i])

    def input_rank(self, i: int) -> int | None:
        shape = self.input_shape(i)
        return None if shape is None else len(shape)

    def input_value(self, i: int) -> np.ndarray | None:
        """The constant value of data input i when known after folding, else None."""
        return self.ctx.tensor_value(self._inputs[i])

    # -- outputs -------------------------------------------------------------------------
    def output(self, i: int = 0) -> str:
        """The ONNX value name the handler must produce for TF output i ('node:i')."""
        return f"{self.name}:{i}"

    def outputs(self) -> list[str]:
        return [self.output(i) for i in range(self.num_outputs)]

    def output_dtype(self, i: int = 0) -> DType | None:
        return self.ctx.tensor_dtype(self.output(i))

    def output_shape(self, i: int = 0):
        return self.ctx.tensor_shape(self.output(i))

    def output_rank(self, i: int = 0) -> int | None:
        shape = self.output_shape(i)
        return None if shape is None else len(shape)


class _Namespace:
    """The one naming authority of a conversion: TF node names are reserved up front."""

    __slots__ = ("_counters", "_used")

    def __init__(self, reserved: Iterable[str] = ()):
        self._used: set[str] = set(reserved)
        self._counters: dict[str, int] = {}

    def reserve(self, name: str) -> None:
        self._used.add(name)

    def create(self, hint: str) -> str:
        hint = hint or "v"
        if hint not in self._used:
            self._used.add(hint)
            return hint
        n = self._counters.get(hint, 0)
        while True:
            n += 1
            candidate = f"{hint}_{n}"
            if candidate not in self._used:
                self._counters[hint] = n
                self._used.add(candidate)
                return candidate


class ConversionContext:
    """Collects the ONNX nodes and initializers of one graph (the main graph or a subgraph).

    Args:
        opset: the target ONNX opset of the default domain.
        nodes_by_name: TF NodeDefs by name (the graph being lowered, after the TF-side passes).
        dtypes_: TF tensor name -> DType, static.
        shapes: TF tensor name -> Shape, static.
        values: TF tensor name -> np.ndarray for tensors known to be constant.
        num_outputs: TF node name -> number of outputs.
        namespace: shared naming authority (created when None).
        parent: the enclosing context, for subgraphs.
    """

    def __init__(self, opset: int, nodes_by_name: dict | None = None, dtypes_: dict | None = None,
                 shapes: dict | None = None, values: dict | None = None,
                 num_outputs: dict | None = None, namespace: _Namespace | None = None,
                 parent: ConversionContext | None = None):
        self.opset = int(opset)
        self.parent = parent
        self._tf_nodes = nodes_by_name if nodes_by_name is not None else {}
        self._dtypes = dtypes_ if dtypes_ is not None else {}
        self._shapes = shapes if shapes is not None else {}
        self._values = values if values is not None else {}
        self._num_outputs = num_outputs if num_outputs is not None else {}
        self.namespace = namespace if namespace is not None else _Namespace(self._tf_nodes)
        self.nodes: list[ONode] = []    # in emission order; protos are built at the end
        self.initializers: dict[str, np.ndarray] = {}  # name -> value, kept as numpy until the end
        self.value_dtypes: dict[str, DType] = {}  # ONNX value name -> DType, where known
        self._aliases: dict[str, str] = {}  # TF tensor name -> ONNX value name
        self._consumers: dict[str, list[str]] | None = None
        self.converted: set[str] = set()  # TF node names lowered by a region handler
        self.current: NodeView | None = None  # the node whose handler is running
        self.opset_imports: dict[str, int] = {}  # extra domains used (domain -> version)
        self.graph_name = "main"
        self.graph_inputs: list = []  # onnx.ValueInfoProto of a subgraph's inputs

    # -- the TF graph, read-only ----------------------------------------------------------
    def tf_node(self, name: str) -> NodeView | None:
        """The TF node `name` (a node name, or a tensor name 'x:1'), or None."""
        node_def = self._tf_nodes.get(split_tensor_name(name)[0] if ":" in name else name)
        return None if node_def is None else NodeView(self, node_def)

    def consumers(self, node_name: str) -> list[NodeView]:
        """The TF nodes reading any output of `node_name` (data or control)."""
        if self._consumers is None:
            index: dict[str, list[str]] = {}
            for nd in self._tf_nodes.values():
                for inp in nd.input:
                    src = inp[1:] if inp.startswith("^") else split_tensor_name(inp)[0]
                    index.setdefault(src, []).append(nd.name)
            self._consumers = index
        return [NodeView(self, self._tf_nodes[n]) for n in dict.fromkeys(self._consumers.get(node_name, ()))]

    def mark_converted(self, node_names: Iterable[str]) -> None:
        """Tells the driver these TF nodes were lowered by the running handler: skip them."""
        root = self.root()
        root.converted.update(node_names)

    def num_outputs(self, node_name: str) -> int:
        n = self._num_outputs.get(node_name)
        if n is None:
            node_def = self._tf_nodes.get(node_name)
            try:
                n = _schema().num_outputs(node_def) if node_def is not None else 1
            except Exception:
                n = 1
            self._num_outputs[node_name] = n
        return n

    # -- static facts ---------------------------------------------------------------------
    def tensor_dtype(self, tf_tensor: str) -> DType | None:
        return self._dtypes.get(tensor_name(tf_tensor))

    def tensor_shape(self, tf_tensor: str):
        return self._shapes.get(tensor_name(tf_tensor))

    def tensor_value(self, tf_tensor: str) -> np.ndarray | None:
        return self._values.get(tensor_name(tf_tensor))

    # -- names ----------------------------------------------------------------------------
    def unique_name(self, hint: str) -> str:
        """A name no TF node, value or ONNX node of this conversion has."""
        return self.namespace.create(hint)

    def resolve(self, tf_tensor: str) -> str:
        """The ONNX value name holding TF tensor `tf_tensor` (follows aliases, outer scopes)."""
        name = tensor_name(tf_tensor)
        target = self._inherited(lambda ctx: ctx._aliases, name)
        return name if target is None else target

    def alias(self, onnx_name: str, tf_output_name: str) -> None:
        """Declares TF tensor `tf_output_name` to be the existing ONNX value `onnx_name`."""
        tf_output_name = tensor_name(tf_output_name)
        if onnx_name == tf_output_name:
            return
        self._aliases[tf_output_name] = onnx_name
        dtype = self.value_dtypes.get(onnx_name)
        if dtype is not None:
            self.value_dtypes.setdefault(tf_output_name, dtype)

    @property
    def aliases(self) -> dict[str, str]:
        return self._aliases

    def _inherited(self, table, key: str):
        # The entry for `key` in `table(ctx)` of this context or the nearest enclosing one that
        # has it (a subgraph sees its outer graphs' aliases, initializers and dtypes), else None.
        ctx = self
        while ctx is not None:
            found = table(ctx).get(key)
            if found is not None:
                return found
            ctx = ctx.parent
        return None

    # -- emitting ---------------------------------------------------------------------------
    def root(self) -> ConversionContext:
        """The top-level context (this one unless it is a subgraph's)."""
        ctx = self
        while ctx.parent is not None:
            ctx = ctx.parent
        return ctx

    def _default_node_name(self, op_type: str) -> str:
        base = self.current.name if self.current is not None else ""
        return f"{base}/{op_type}" if base else op_type

    def make_node(self, op_type: str, inputs: Sequence[str], attrs: dict | None = None,
                  outputs: Sequence[str] | int = 1, name: str | None = None, domain: str = "",
                  dtypes_: Sequence[DType | None] | None = None) -> list[str]:
        """Appends one ONNX node and returns its output names.

        Args:
            op_type: the ONNX operator.
            inputs: ONNX value names; "" stands for an omitted optional input.
            attrs: ONNX attributes: int, float, str/bytes, lists of those, np.ndarray (tensor
                attr), onnx.GraphProto (subgraph attr), DType (becomes its ONNX type enum).
            outputs: the output names, or how many outputs to name automatically.
            name: the node name hint (default: '<TF node>/<op_type>'), made unique.
            domain: operator domain ("" = ai.onnx); other domains are added to the opset
                imports with version 1 unless set in `ctx.opset_imports`.
            dtypes_: optional dtype of each output, recorded for `cast` and value_info.
        """
        node_name = self.unique_name(name or self._default_node_name(op_type))
        if isinstance(outputs, int):
            outputs = [node_name] + [self.unique_name(f"{node_name}__{i}") for i in range(1, outputs)]
        else:
            outputs = list(outputs)
        self.nodes.append(ONode(op_type, list(inputs), outputs, _clean_attrs(attrs), node_name, domain))
        if domain:
            self.root().opset_imports.setdefault(domain, 1)
        if dtypes_ is not None:
            for out, dt in zip(outputs, dtypes_):
                if dt is not None:
                    self.value_dtypes[out] = dtypes.as_dtype(dt)
        return outputs

    def make_const(self, value, name: str | None = None, dtype: DType | None = None) -> str:
        """Adds `value` as an initializer and returns its (unique) name.

        Args:
            value: array-like; converted with numpy (to `dtype` when given).
            name: name hint (default '<TF node>/const').
            dtype: optional TF dtype of the initializer.
        """
        array = np.asarray(value, dtype=None if dtype is None else dtypes.as_dtype(dtype).as_numpy_dtype)
        init_name = self.unique_name(name or self._default_node_name("const"))
        self.initializers[init_name] = array
        try:
            self.value_dtypes[init_name] = dtypes.as_dtype(array.dtype)
        except TypeError:
            pass
        return init_name

    def const_value(self, onnx_name: str) -> np.ndarray | None:
        """The numpy value of an initializer of this or an enclosing context, else None."""
        return self._inherited(lambda ctx: ctx.initializers, onnx_name)

    def cast(self, name: str, to: DType) -> str:
        """`name` cast to `to`; returns `name` itself when its dtype is already `to`."""
        to = dtypes.as_dtype(to)
        if self.value_dtype(name) == to:
            return name
        out = self.make_node("Cast", [name], {"to": onnx_type(to)}, name=f"{name.split(':')[0]}/Cast",
                             dtypes_=[to])
        return out[0]

    def value_dtype(self, onnx_name: str) -> DType | None:
        """The DType of an ONNX value when known (TF tensors, consts, typed make_node outputs)."""
        dt = self._inherited(lambda ctx: ctx.value_dtypes, onnx_name)
        return self._dtypes.get(onnx_name) if dt is None else dt

    def onnx_type(self, dtype: DType) -> int:
        """The onnx.TensorProto enum of a TF dtype."""
        return onnx_type(dtype)

    # -- subgraphs ----------------------------------------------------------------------------
    def make_subgraph(self, name: str, inputs: Sequence[tuple[str, DType, Any]] = ()) -> ConversionContext:
        """A child context for a control-flow body (If branch, Loop body); see the module doc.

        Args:
            name: the subgraph's name (made unique).
            inputs: (ONNX name, DType, Shape) of each graph input, in order. Names are used as
                given (reserve them with `unique_name` first when they are made up).
        """
        sub = ConversionContext(self.opset, self._tf_nodes, self._dtypes, self._shapes, self._values,
                                self._num_outputs, self.namespace, parent=self)
        sub.graph_name = self.unique_name(name)
        sub.graph_inputs = []
        for in_name, dtype, shape in inputs:
            self.namespace.reserve(in_name)
            sub.graph_inputs.append(_value_info(in_name, dtype, shape))
            sub.value_dtypes[in_name] = dtypes.as_dtype(dtype)
        return sub

    def lower(self, node_names: Iterable[str]) -> None:
        """Runs the handlers of these TF nodes (in the given order) into this context.

        Raises:
            ConversionError: the first failure, naming the node.
        """
        from ortflow.converters.driver import lower_node

        for name in node_names:
            node_def = self._tf_nodes[name]
            lower_node(self, node_def)

    def finish(self, outputs: Sequence[tuple[str, DType, Any] | str]):
        """Builds the onnx.GraphProto of a subgraph context; see the module doc."""
        from onnx import helper

        produced = set(self.initializers)
        for n in self.nodes:
            produced.update(n.outputs)
        seen = {vi.name for vi in self.graph_inputs}
        out_infos = []
        for entry in outputs:
            out_name, dtype, shape = (entry, None, None) if isinstance(entry, str) else entry
            value = self.resolve(out_name)
            if dtype is None:
                dtype = self.value_dtype(value) or self.tensor_dtype(out_name)
            if value in seen or value not in produced:
                value = self.make_node("Identity", [value], name=f"{self.graph_name}/out")[0]
            seen.add(value)
            out_infos.append(_value_info(value, dtype, shape))
        return helper.make_graph([n.to_proto() for n in self.nodes], self.graph_name,
                                 list(self.graph_inputs), out_infos,
                                 initializer=initializer_protos(self._read_initializers(out_infos)))

    def _read_initializers(self, out_infos) -> dict[str, np.ndarray]:
        # Only the constants something in this subgraph (or one nested in it) reads: a region's
        # constants feeding folded nodes would be dead weight, which onnxruntime warns about.
        from ortflow.converters.passes_onnx import subgraph_reads

        reads = {vi.name for vi in out_infos}
        for n in self.nodes:
            reads.update(n.inputs)
            for attr in n.attrs.values():
                reads |= subgraph_reads(attr)
        return {k: v for k, v in self.initializers.items() if k in reads}


class ONode:
    """One ONNX node under construction: plain Python, cheap to rewrite in the ONNX passes."""

    __slots__ = ("attrs", "domain", "inputs", "name", "op_type", "outputs")

    def __init__(self, op_type: str, inputs: list[str], outputs: list[str], attrs: dict,
                 name: str, domain: str = ""):
        self.op_type = op_type
        self.inputs = inputs
        self.outputs = outputs
        self.attrs = attrs
        self.name = name
        self.domain = domain

    def __repr__(self) -> str:
        return f"<ONode {self.op_type} {self.name!r} {self.inputs} -> {self.outputs}>"

    def to_proto(self):
        from onnx import helper

        attrs = {k: _proto_attr(v) for k, v in self.attrs.items()}
        return helper.make_node(self.op_type, self.inputs, self.outputs, name=self.name,
                                domain=self.domain or None, **attrs)


def initializer_protos(initializers: dict[str, np.ndarray]) -> list:
    """onnx.TensorProto of each (name, array), built with numpy_helper (fast for big arrays)."""
    from onnx import numpy_helper

    return [numpy_helper.from_array(_onnx_ready(a), name) for name, a in initializers.items()]


def _value_info(name: str, dtype, shape):
    from onnx import helper

    if shape is None:
        return helper.make_tensor_value_info(name, onnx_type(dtypes.as_dtype(dtype)), None)
    dims = [d if d is not None and d >= 0 else None for d in shape]
    return helper.make_tensor_value_info(name, onnx_type(dtypes.as_dtype(dtype)), dims)


def _onnx_ready(array: np.ndarray) -> np.ndarray:
    """numpy_helper.from_array wants bytes for strings."""
    if array.dtype.kind in "OU":
        return np.array([v if isinstance(v, bytes) else str(v).encode() for v in array.ravel()],
                        dtype=object).reshape(array.shape)
    return array


def _clean_attrs(attrs: dict | None) -> dict:
    """Attributes as plain Python (ints, floats, lists, arrays kept as numpy until the end)."""
    if not attrs:
        return {}
    out = {}
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, np.generic):
            value = value.item()
        elif isinstance(value, tuple):
            value = list(value)
        if isinstance(value, list):
            value = [v.item() if isinstance(v, np.generic) else v for v in value]
        elif isinstance(value, DType):
            value = onnx_type(value)
        out[key] = value
    return out


def _proto_attr(value):
    if isinstance(value, np.ndarray):
        from onnx import numpy_helper

        return numpy_helper.from_array(_onnx_ready(value))
    return value
