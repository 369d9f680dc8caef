"""The in-memory graph: `Graph`, `Operation` and `Tensor`, shaped like TensorFlow 1.x's.

A `Graph` owns its operations in insertion order, a name index, collections and the naming
authority (`naming.Namespace`). Each `Operation` wraps one NodeDef, kept byte-for-byte as it
was given until a method edits it, so `as_graph_def()` gives untouched nodes back unchanged.
Dtypes, output counts and static shapes come from the op registry (`ortflow.graph.ops`); an
op type the registry does not know still imports, and only asking for its dtype or shape
fails (with a `GraphError` naming the op type).

Example:
    >>> from ortflow.formats.dtypes import float32
    >>> g = Graph()
    >>> with g.as_default():
    ...     x = g.create_op("Placeholder", [], attrs={"dtype": float32}, name="x").outputs[0]
    >>> g.get_tensor_by_name("x:0") is x
    True
"""

from __future__ import annotations

import contextlib
import re
import threading
from typing import NamedTuple

from ortflow.errors import GraphError
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import naming
from ortflow.graph.attrs import attr_value_to_python, make_attr_value
from ortflow.graph.tensor_shape import TensorShape, as_shape
from ortflow.proto import AttrValue, FunctionDefLibrary, GraphDef, NodeDef, TensorProto, VersionDef

__all__ = [
    "Graph",
    "Operation",
    "Tensor",
    "GraphKeys",
    "get_default_graph",
    "reset_default_graph",
    "get_default_session",
    "default_session_stack",
    "attr_value_to_python",
    "make_attr_value",
    "GRAPH_DEF_VERSION",
    "GRAPH_DEF_VERSION_MIN_CONSUMER",
]

#: The GraphDef producer version TensorFlow 2.21 writes (read from its own artifacts).
GRAPH_DEF_VERSION = 2474
GRAPH_DEF_VERSION_MIN_CONSUMER = 0


_REGISTRY = None


def _registry():
    # Imported late: the registry loads its OpDef table on first use, and graph/ must import
    # without paying for it.
    global _REGISTRY
    if _REGISTRY is None:
        from ortflow.graph import ops
        _REGISTRY = ops
    return _REGISTRY


class GraphKeys:
    """Standard collection names, with TensorFlow's string values."""

    GLOBAL_VARIABLES = "variables"
    VARIABLES = GLOBAL_VARIABLES
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"
    _SUMMARY_COLLECTION = "_SUMMARY_V2"
    _STREAMING_MODEL_PORTS = "streaming_model_ports"
    # Collections whose members are Variable objects (serialized as VariableDef protos).
    _VARIABLE_COLLECTIONS = (GLOBAL_VARIABLES, LOCAL_VARIABLES, METRIC_VARIABLES, MODEL_VARIABLES,
                             TRAINABLE_VARIABLES, MOVING_AVERAGE_VARIABLES, CONCATENATED_VARIABLES,
                             TRAINABLE_RESOURCE_VARIABLES)


# -- Tensor -----------------------------------------------------------------------------------

class Tensor:
    """One output of an Operation: `(op, value_index)`, named "op_name:index".

    Equality and hashing are by identity, as in TensorFlow 1.x graphs.
    """

    __slots__ = ("__weakref__", "_consumers", "_op", "_set_shape", "_value_index")

    def __init__(self, op: Operation, value_index: int):
        self._op = op
        self._value_index = value_index
        self._consumers: list[Operation] = []
        self._set_shape: TensorShape | None = None  # what set_shape() added to inference

    @property
    def op(self) -> Operation:
        return self._op

    @property
    def value_index(self) -> int:
        return self._value_index

    @property
    def graph(self) -> Graph:
        return self._op._graph

    @property
    def name(self) -> str:
        return f"{self._op.name}:{self._value_index}"

    @property
    def device(self) -> str:
        return self._op.device

    @property
    def dtype(self) -> _dtypes.DType:
        """The element type, from the op registry (`*_ref` for reference outputs).

        Raises:
            GraphError: when the registry does not know the op type.
        """
        return self._op._output_dtype(self._value_index)

    @property
    def shape(self) -> TensorShape:
        """The static shape from the registry's shape functions, merged with `set_shape`."""
        return self._op._graph._tensor_shape(self)

    def get_shape(self) -> TensorShape:
        return self.shape

    def set_shape(self, shape) -> None:
        """Refines the static shape.

        Raises:
            ValueError: when `shape` is not compatible with the shape already known.
        """
        merged = self.shape.merge_with(as_shape(shape))
        self._set_shape = merged

    def consumers(self) -> list[Operation]:
        """The operations that take this tensor as an input (one entry per consuming op)."""
        seen: dict[int, Operation] = {}
        for op in self._consumers:
            seen.setdefault(id(op), op)
        return list(seen.values())

    def eval(self, feed_dict=None, session=None):
        """Runs the default (or given) session to compute this tensor."""
        return _session_or_default(session, self).run(self, feed_dict=feed_dict)

    def _as_node_def_input(self) -> str:
        return naming.tensor_name(self._op.name, self._value_index)

    def _shape_as_list(self):
        dims = self.shape.dims
        return dims

    def _shape_and_dtype_text(self) -> tuple[str, str]:
        try:
            dtype = self.dtype.name
        except GraphError:
            dtype = "?"
        try:
            shape = str(self.shape)
        except GraphError:
            shape = "<unknown>"
        return shape, dtype

    def __repr__(self) -> str:
        shape, dtype = self._shape_and_dtype_text()
        return f"<tf.Tensor {self.name!r} shape={shape} dtype={dtype}>"

    def __str__(self) -> str:
        # What `print(tensor)` shows in TF 1.x graph mode.
        shape, dtype = self._shape_and_dtype_text()
        return f'Tensor("{self.name}", shape={shape}, dtype={dtype})'

    # Tensors are not truth-valued in graph mode.
    def __bool__(self):
        raise TypeError("Using a `tf.Tensor` as a Python `bool` is not allowed in graph mode.")

    __hash__ = object.__hash__


# -- Operation --------------------------------------------------------------------------------

class Operation:
    """One node of a Graph: its NodeDef, resolved input tensors and output tensors."""

    __slots__ = (
        "__weakref__",
        "_control_inputs",
        "_control_outputs",
        "_graph",
        "_id",
        "_inputs",
        "_known",
        "_node_def",
        "_outputs",
    )

    def __init__(self, graph: Graph, node_def: NodeDef, op_id: int):
        self._graph = graph
        self._node_def = node_def
        self._inputs: list[Tensor] = []
        self._control_inputs: list[Operation] = []
        self._control_outputs: list[Operation] = []
        self._id = op_id
        count = _registry_num_outputs(node_def)
        self._known = count is not None
        self._outputs = [Tensor(self, i) for i in range(count or 0)]

    # -- read access --------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._node_def.name

    @property
    def type(self) -> str:
        return self._node_def.op

    @property
    def node_def(self) -> NodeDef:
        """The NodeDef itself (live: edit it only through Operation's methods)."""
        return self._node_def

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def device(self) -> str:
        return self._node_def.device

    @property
    def inputs(self) -> tuple[Tensor, ...]:
        return tuple(self._inputs)

    @property
    def outputs(self) -> list[Tensor]:
        """The output tensors; for an op type the registry does not know, those referenced so far."""
        return list(self._outputs)

    def values(self) -> tuple[Tensor, ...]:
        return tuple(self._outputs)

    @property
    def control_inputs(self) -> list[Operation]:
        return list(self._control_inputs)

    @property
    def _control_outputs_list(self) -> list[Operation]:
        return list(self._control_outputs)

    def colocation_groups(self) -> list[bytes]:
        """The `loc:@name` groups this op is colocated with (itself when none), as TF's method."""
        groups = [s for s in self.node_def.attr["_class"].list.s if s.startswith(b"loc:@")] \
            if "_class" in self._node_def.attr else []
        return groups or [b"loc:@" + self.name.encode()]

    def get_attr(self, name: str):
        """The attr `name` with TensorFlow's Python types (bytes, int, DType, TensorShape, lists).

        Raises:
            ValueError: when the node has no such attr.
        """
        if name not in self._node_def.attr:
            raise ValueError(f"Operation {self.name!r} has no attr named {name!r}.")
        return attr_value_to_python(self._node_def.attr[name])

    def _output(self, index: int) -> Tensor:
        """Output `index`; for an unknown op type, tensors are created as references need them."""
        if index < len(self._outputs):
            return self._outputs[index]
        if self._known:
            raise GraphError(f"Operation {self.name!r} ({self.type}) has {len(self._outputs)} outputs; "
                             f"output {index} does not exist")
        while len(self._outputs) <= index:
            self._outputs.append(Tensor(self, len(self._outputs)))
        return self._outputs[index]

    def _output_dtype(self, index: int) -> _dtypes.DType:
        ops = _registry()
        try:
            types = ops.output_dtypes(self._node_def)
        except GraphError as e:
            raise GraphError(f"Cannot tell the dtype of {self.name}:{index}: op type {self.type!r}: {e}") from e
        if index >= len(types):
            raise GraphError(f"Operation {self.name!r} ({self.type}) has no output {index}")
        return _dtypes.as_dtype(types[index])

    def run(self, feed_dict=None, session=None) -> None:
        """Runs this operation in the default (or given) session."""
        _session_or_default(session, self).run(self, feed_dict=feed_dict)

    # -- edits (keep both sides of every edge in sync) -----------------------------------------
    def _update_input(self, index: int, tensor: Tensor) -> None:
        """Replaces data input `index` with `tensor`, updating both tensors' consumer lists."""
        self._graph._check_not_finalized()
        old = self._inputs[index]
        old._consumers.remove(self)
        self._inputs[index] = tensor
        tensor._consumers.append(self)
        self._node_def.input[index] = tensor._as_node_def_input()
        self._graph._shapes_changed()

    def _add_input(self, tensor: Tensor) -> None:
        self._graph._check_not_finalized()
        self._inputs.append(tensor)
        tensor._consumers.append(self)
        self._rewrite_inputs()

    def _add_control_input(self, op: Operation) -> None:
        self._add_control_inputs([op])

    def _add_control_inputs(self, ops) -> None:
        self._graph._check_not_finalized()
        for op in ops:
            if op not in self._control_inputs:
                self._control_inputs.append(op)
                op._control_outputs.append(self)
        self._rewrite_inputs()

    def _remove_all_control_inputs(self) -> None:
        self._graph._check_not_finalized()
        for op in self._control_inputs:
            op._control_outputs.remove(self)
        self._control_inputs = []
        self._rewrite_inputs()

    def _set_attr(self, name: str, value) -> None:
        self._node_def.attr[name].CopyFrom(make_attr_value(value))
        self._graph._shapes_changed()

    def _clear_attr(self, name: str) -> None:
        if name in self._node_def.attr:
            del self._node_def.attr[name]

    def _set_device(self, device) -> None:
        self._node_def.device = naming.canonical_device(device)

    def _rewrite_inputs(self) -> None:
        del self._node_def.input[:]
        self._node_def.input.extend(t._as_node_def_input() for t in self._inputs)
        # As TensorFlow serialises them: control inputs sorted by name.
        self._node_def.input.extend(sorted("^" + op.name for op in self._control_inputs))

    def __repr__(self) -> str:
        return f"<tf.Operation {self.name!r} type={self.type}>"

    def __str__(self) -> str:
        # As TensorFlow: `print(op)` shows the NodeDef in text format.
        return str(self.node_def)

    __hash__ = object.__hash__


def _registry_num_outputs(node_def: NodeDef) -> int | None:
    """The number of outputs per the registry, or None for an op type it does not know."""
    ops = _registry()
    fixed = ops.schema.fixed_num_outputs(node_def.op)  # one cached lookup for most op types
    if fixed is not None:
        return fixed
    if not ops.is_known(node_def.op):
        return None
    try:
        return ops.num_outputs(node_def)
    except GraphError:
        # Known type whose NodeDef lacks an attr that sets an arity (a malformed node): treat it
        # like an unknown op so that it still imports; asking for its outputs' dtypes fails.
        return None


# -- default graph and session ----------------------------------------------------------------

class _DefaultStack(threading.local):
    """A per-thread stack of defaults (graphs or sessions)."""

    def __init__(self):
        super().__init__()
        self.stack: list = []

    def push(self, obj) -> None:
        self.stack.append(obj)

    def pop(self, obj=None) -> None:
        if not self.stack or (obj is not None and self.stack[-1] is not obj):
            raise GraphError("Nesting violated for default stack: the object popped is not on top")
        self.stack.pop()

    def get(self):
        return self.stack[-1] if self.stack else None

    def get_controller(self, obj) -> _Pushed:
        """A context manager that pushes `obj` on entering and pops it on leaving."""
        return _Pushed(self, obj)


class _Pushed:
    # `_DefaultStack.get_controller`'s context manager; a class, as it is entered for every
    # `as_default()` of graph building (cheaper than a generator one: speed).
    __slots__ = ("_obj", "_stack")

    def __init__(self, stack: _DefaultStack, obj):
        self._stack = stack
        self._obj = obj

    def __enter__(self):
        self._stack.push(self._obj)
        return self._obj

    def __exit__(self, *exc_info) -> None:
        self._stack.pop(self._obj)


_default_graph_stack = _DefaultStack()
#: The stack `Session.as_default()` pushes onto; `get_default_session()` reads its top.
default_session_stack = _DefaultStack()
_default_session_stack = default_session_stack
_global_default_graph: Graph | None = None


def get_default_graph() -> Graph:
    """The innermost graph made default with `as_default()`, else the global default graph."""
    global _global_default_graph
    graph = _default_graph_stack.get()
    if graph is not None:
        return graph
    if _global_default_graph is None:
        _global_default_graph = Graph()
    return _global_default_graph


def reset_default_graph() -> None:
    """Replaces the global default graph with a fresh one.

    Raises:
        AssertionError: inside a `with graph.as_default()` block, as TensorFlow.
    """
    global _global_default_graph
    if _default_graph_stack.stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs.")
    _global_default_graph = Graph()


def get_default_session():
    """The innermost session made default (by the runtime's `Session.as_default()`), or None."""
    return default_session_stack.get()


def _session_or_default(session, what):
    session = session or get_default_session()
    if session is None:
        raise ValueError(f"Cannot evaluate {what.name!r}: no default session is registered. "
                         "Use `with sess.as_default()` or pass session=sess.")
    if session.graph is not what.graph:
        raise ValueError(f"Cannot use the given session to evaluate {what.name!r}: the "
                         "session's graph is different from the element's graph.")
    return session


# -- Graph ------------------------------------------------------------------------------------

class Graph:
    """A TensorFlow 1.x-style dataflow graph.

    Example:
        >>> from ortflow.formats.dtypes import float32
        >>> g = Graph()
        >>> with g.as_default(), g.name_scope("layer"):
        ...     w = g.create_op("Placeholder", [], attrs={"dtype": float32}, name="w")
        >>> w.name, w.outputs[0].dtype
        ('layer/w', tf.float32)
    """

    def __init__(self):
        self._ops: dict[str, Operation] = {}
        self._names = naming.Namespace()
        self._collections: dict[str, list] = {}
        self._name_stack = ""
        self._device_stack: list = []
        self._control_dependencies_stack: list[list[Operation] | None] = []
        self._colocation_stack: list[Operation | None] = []
        self._finalized = False
        self._unfeedable: set[str] = set()  # tensor names
        self._unfetchable: set[str] = set()  # op names
        self._next_id = 0
        self._versions = VersionDef(producer=GRAPH_DEF_VERSION, min_consumer=GRAPH_DEF_VERSION_MIN_CONSUMER)
        self._library = FunctionDefLibrary()
        self._shape_cache: dict[Operation, list] = {}
        self._partial_cache: dict[Operation, object] = {}
        self.seed = None
        self._lock = threading.RLock()

    # -- defaults -----------------------------------------------------------------------------
    def as_default(self):
        """A context manager that makes this graph the default graph."""
        return _default_graph_stack.get_controller(self)

    # -- properties ---------------------------------------------------------------------------
    @property
    def version(self) -> int:
        """The number of operations ever added (grows with every op, as TensorFlow's)."""
        return self._next_id

    @property
    def graph_def_versions(self) -> VersionDef:
        return self._versions

    @property
    def finalized(self) -> bool:
        return self._finalized

    def finalize(self) -> None:
        """Makes the graph read-only: adding ops afterwards raises RuntimeError."""
        self._finalized = True

    # -- feeding and fetching guards (TF's prevent_feeding / prevent_fetching) -----------------
    def prevent_feeding(self, tensor: Tensor) -> None:
        """Marks `tensor` as one a Session may not be fed."""
        self._unfeedable.add(tensor.name)

    def is_feedable(self, tensor: Tensor) -> bool:
        """False for a tensor passed to `prevent_feeding`."""
        return tensor.name not in self._unfeedable

    def prevent_fetching(self, op: Operation) -> None:
        """Marks `op` (and so its outputs) as one a Session may not fetch."""
        self._unfetchable.add(op.name)

    def is_fetchable(self, tensor_or_op) -> bool:
        """False for an op passed to `prevent_fetching`, or a tensor it outputs."""
        op = tensor_or_op.op if isinstance(tensor_or_op, Tensor) else tensor_or_op
        return op.name not in self._unfetchable

    def _unsafe_unfinalize(self) -> None:
        self._finalized = False

    def _check_not_finalized(self) -> None:
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")

    @property
    def building_function(self) -> bool:
        return False

    # -- serialization ------------------------------------------------------------------------
    def as_graph_def(self, from_version: int | None = None, add_shapes: bool = False) -> GraphDef:
        """A GraphDef of the ops added after version `from_version` (all of them by default).

        Args:
            from_version: only ops whose id is at least this are included.
            add_shapes: add an `_output_shapes` attr with each op's static output shapes.
        """
        graph_def = GraphDef()
        graph_def.versions.CopyFrom(self._versions)
        if self._library.function or self._library.gradient:
            graph_def.library.CopyFrom(self._library)
        nodes = graph_def.node
        for op in self._ops.values():
            if from_version is not None and op._id < from_version:
                continue
            node = nodes.add()
            node.CopyFrom(op._node_def)
            if add_shapes and op._outputs:
                node.attr["_output_shapes"].CopyFrom(self._output_shapes_attr(op))
        return graph_def

    def _output_shapes_attr(self, op: Operation) -> AttrValue:
        value = AttrValue()
        value.list.SetInParent()
        for t in op._outputs:
            try:
                shape = t.shape
            except GraphError:
                shape = TensorShape(None)
            value.list.shape.add().CopyFrom(shape.as_proto())
        return value

    @property
    def _function_library(self) -> FunctionDefLibrary:
        return self._library

    # -- lookup -------------------------------------------------------------------------------
    def get_operations(self) -> list[Operation]:
        """Every operation, in the order they were added."""
        return list(self._ops.values())

    def _get_operation_or_none(self, name: str) -> Operation | None:
        return self._ops.get(name)

    def get_operation_by_name(self, name: str) -> Operation:
        """The operation named `name`.

        Raises:
            KeyError: no such operation.
            ValueError: `name` looks like a tensor name ("x:0").
        """
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name: str) -> Tensor:
        """The tensor named "op_name:index".

        Raises:
            KeyError: no such operation or output.
            ValueError: `name` names an operation, not a tensor.
        """
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def as_graph_element(self, obj, allow_tensor: bool = True, allow_operation: bool = True):
        """Resolves a name, Tensor, Operation or object with `_as_graph_element()` in this graph."""
        if allow_tensor and allow_operation:
            types_str = "Tensor or Operation"
        elif allow_tensor:
            types_str = "Tensor"
        else:
            types_str = "Operation"
        converter = getattr(obj, "_as_graph_element", None)
        if converter is not None and callable(converter):
            obj = converter()
        if isinstance(obj, str):
            return self._element_by_name(obj, allow_tensor, allow_operation, types_str)
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError(f"Tensor {obj!r} is not an element of this graph.")
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError(f"Operation {obj!r} is not an element of this graph.")
            return obj
        raise TypeError(f"Can not convert a {type(obj).__name__} into a {types_str}.")

    def _element_by_name(self, name: str, allow_tensor: bool, allow_operation: bool, types_str: str):
        if ":" in name and allow_tensor:
            try:
                op_name, index = name.rsplit(":", 1)
                out_n = int(index)
            except ValueError as e:
                raise ValueError(f"The name {name!r} looks a like a Tensor name, but is not a valid "
                                 "one. Tensor names must be of the form \"<op_name>:<output_index>\".") from e
            op = self._ops.get(op_name)
            if op is None:
                raise KeyError(f"The name {name!r} refers to a Tensor which does not exist. The "
                               f"operation, {op_name!r}, does not exist in the graph.")
            if out_n < len(op._outputs) or (not op._known and out_n >= 0):
                return op._output(out_n)
            raise KeyError(f"The name {name!r} refers to a Tensor which does not exist. The operation, "
                           f"{op_name!r}, exists but only has {len(op._outputs)} outputs.")
        if ":" in name and not allow_tensor:
            raise ValueError(f"Name {name!r} appears to refer to a Tensor, not a {types_str}.")
        if ":" not in name and allow_operation:
            op = self._ops.get(name)
            if op is None:
                raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")
            return op
        if name in self._ops:
            raise ValueError(f"The name {name!r} refers to an Operation, not a {types_str}. Tensor "
                             "names must be of the form \"<op_name>:<output_index>\".")
        raise ValueError(f"The name {name!r} looks like an (invalid) Operation name, not a {types_str}. "
                         "Tensor names must be of the form \"<op_name>:<output_index>\".")

    # -- collections --------------------------------------------------------------------------
    def add_to_collection(self, name: str, value) -> None:
        self._check_not_finalized()
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value) -> None:
        names = (names,) if isinstance(names, str) else set(names)
        for name in names:
            self.add_to_collection(name, value)

    def get_collection_ref(self, name: str) -> list:
        """The live list behind collection `name` (created empty if missing)."""
        return self._collections.setdefault(name, [])

    def get_collection(self, name: str, scope: str | None = None) -> list:
        """A copy of collection `name`; with `scope`, only items whose `.name` matches it (re.match)."""
        items = self._collections.get(name)
        if items is None:
            return []
        if scope is None:
            return list(items)
        pattern = re.compile(scope)
        out = []
        for item in items:
            item_name = getattr(item, "name", None)
            if isinstance(item_name, str) and pattern.match(item_name):
                out.append(item)
        return out

    def get_all_collection_keys(self) -> list[str]:
        return [key for key, items in self._collections.items() if isinstance(key, str)]

    def clear_collection(self, name: str) -> None:
        self._check_not_finalized()
        self._collections.pop(name, None)

    # -- naming -------------------------------------------------------------------------------
    def get_name_scope(self) -> str:
        return self._name_stack

    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """`name` inside the current name scope, made unique with `_1`, `_2`, ... suffixes."""
        if self._name_stack:
            name = f"{self._name_stack}/{name}"
        return self._names.unique(name, mark_as_used)

    def name_scope(self, name: str | None) -> _NameScope:
        """Opens a name scope; yields the scope string ending in "/" ("" at the top).

        A name ending in "/" is reused as-is (re-entering a scope captured earlier); None or ""
        returns to the top level.

        Raises:
            ValueError: (on entering) when `name` is not a valid scope name.
        """
        return _NameScope(self, name)

    # -- device, control dependency, colocation scopes ------------------------------------------
    @contextlib.contextmanager
    def device(self, device_name_or_function):
        """Ops created inside get this device (canonical form, e.g. "/device:GPU:0").

        A function `op -> device string` is also accepted; None clears the device.
        """
        self._device_stack.append(device_name_or_function)
        try:
            yield
        finally:
            self._device_stack.pop()

    def _current_device(self, op: Operation | None) -> str:
        device = ""
        for spec in self._device_stack:
            if spec is None:
                device = ""
            elif callable(spec):
                # As TensorFlow: a device function's string is stored as it returns it.
                device = _device_string(spec(op)) if op is not None else device
            else:
                device = naming.merge_devices(device, spec)
        return device

    def control_dependencies(self, control_inputs) -> _ControlDependencies:
        """Ops created inside run only after `control_inputs`; None clears outer dependencies.

        The inputs are resolved on entering (errors are raised there).
        """
        return _ControlDependencies(self, control_inputs)

    def _current_control_dependencies(self) -> list[Operation]:
        out: list[Operation] = []
        for frame in self._control_dependencies_stack:
            if frame is None:
                out = []
            else:
                out.extend(op for op in frame if op not in out)
        return out

    def _active_control_frames(self) -> list:
        stack = self._control_dependencies_stack
        for i in range(len(stack) - 1, -1, -1):
            if stack[i] is None:
                return stack[i + 1:]
        return stack

    def _control_inputs_for(self, input_ops: list) -> list[Operation]:
        """The control inputs of a new op with data inputs from `input_ops`, as TF gives them:
        a `control_dependencies` block adds its ops unless one of the data inputs was itself
        created inside that block (it already waits for them), nor ops that are data inputs."""
        out: list[Operation] = []
        for frame in self._active_control_frames():
            if any(id(op) in frame.created for op in input_ops):
                continue
            out.extend(c for c in frame if c not in out and c not in input_ops)
        return out

    def colocate_with(self, op, ignore_existing: bool = False) -> _ColocateWith:
        """Ops created inside are colocated with `op` (a `_class` attr "loc:@name")."""
        return _ColocateWith(self, op, ignore_existing)

    # -- building -----------------------------------------------------------------------------
    def create_op(self, op_type: str, inputs, attrs: dict | None = None, name: str | None = None,
                  device=None, control_inputs=None, dtypes=None) -> Operation:
        """Creates an operation from Python values, filling attr defaults from the registry.

        Args:
            op_type: the TensorFlow op type ("MatMul").
            inputs: data input Tensors.
            attrs: attr name -> AttrValue or Python value (see `make_attr_value`).
            name: the op name; made unique within the current name scope. A name ending in
                "/" is used exactly (without the slash).
            device: a device spec, merged over the surrounding `device()` scopes.
            control_inputs: extra control dependencies (Operations or Tensors).
            dtypes: accepted for TensorFlow's signature; output types come from the registry.

        Raises:
            RuntimeError: the graph is finalized.
            ValueError: an input belongs to another graph.
        """
        # The hot path of graph building (speed): inputs that are Tensors of this graph skip
        # `as_graph_element`, attrs are written in place, and the new op is linked to the given
        # tensors directly instead of re-parsing the input strings just written (same objects;
        # when an input's op was removed from the graph, `_add_node_def` resolves the strings
        # and raises its error as before).
        self._check_not_finalized()
        ops = self._ops
        tensors: list[Tensor] = []
        input_names: list[str] = []
        linked = True
        for t in inputs:
            if type(t) is not Tensor or t._op._graph is not self:
                t = self.as_graph_element(t, allow_operation=False)
            src = t._op
            src_name = src._node_def.name
            if linked and ops.get(src_name) is not src:
                linked = False
            index = t._value_index
            input_names.append(src_name if index == 0 else f"{src_name}:{index}")
            tensors.append(t)
        op_name = self._name_for_new_op(name or op_type)
        node_def = NodeDef(name=op_name, op=op_type)
        if attrs:
            _set_attrs(node_def.attr, attrs)
        frames = self._active_control_frames() if self._control_dependencies_stack else ()
        controls = self._control_inputs_for([t._op for t in tensors]) if frames else []
        for c in control_inputs or ():
            c = self.as_graph_element(c)
            c = c.op if isinstance(c, Tensor) else c
            if c not in controls:
                controls.append(c)
        for c in controls:
            if linked and ops.get(c.name) is not c:
                linked = False
        input_names.extend(sorted("^" + c.name for c in controls))  # TF serialises them sorted
        node_def.input.extend(input_names)
        if self._colocation_stack:
            self._apply_colocation(node_def)
        _registry().fill_defaults(node_def)  # a no-op for op types the registry does not know
        if linked:
            if op_name in ops:
                raise GraphError(f"An operation named {op_name!r} is already in the graph")
            op = Operation(self, node_def, self._next_id)
            self._next_id += 1
            ops[op_name] = op  # (create_op's naming has marked the name used)
            op._inputs = tensors
            for t in tensors:
                t._consumers.append(op)
            for c in controls:
                op._control_inputs.append(c)
                c._control_outputs.append(op)
        else:
            op = self._add_node_def(node_def)
        for frame in frames:
            frame.created.add(id(op))
        device_str = self._current_device(op) if self._device_stack else ""
        if device is not None:
            device_str = naming.merge_devices(device_str, device)
        if device_str:
            node_def.device = device_str
        return op

    def _name_for_new_op(self, name: str) -> str:
        if name.endswith("/"):
            name = name[:-1]
            self._names.mark_used(name)
            return name
        return self.unique_name(name)

    def _apply_colocation(self, node_def: NodeDef) -> None:
        if not self._colocation_stack or self._colocation_stack[-1] is None:
            return
        groups = []
        for op in self._colocation_stack:
            if op is None:
                groups = []
                continue
            for g in op.colocation_groups():
                if g not in groups:
                    groups.append(g)
        node_def.attr["_class"].list.s.extend(sorted(groups))

    def _add_node_def(self, node_def: NodeDef, resolve: bool = True) -> Operation:
        """Adds `node_def` as is (no renaming, no defaults): the fast path of import.

        With `resolve=False` the inputs are linked later by `_resolve_inputs` (for node lists
        that are not in topological order).

        Raises:
            GraphError: the name is taken, or (with `resolve`) an input does not exist.
        """
        self._check_not_finalized()
        name = node_def.name
        if name in self._ops:
            raise GraphError(f"An operation named {name!r} is already in the graph")
        op = Operation(self, node_def, self._next_id)
        self._next_id += 1
        self._ops[name] = op
        self._names.mark_used(name)
        if resolve:
            self._resolve_inputs(op)
        return op

    def _resolve_inputs(self, op: Operation) -> None:
        """Links `op`'s NodeDef input strings to tensors and control inputs of this graph."""
        ops = self._ops
        parse = naming.parse_input
        for inp in op._node_def.input:
            src_name, index = parse(inp)
            src = ops.get(src_name)
            if src is None:
                raise GraphError(f"Node {op.name!r} has input {inp!r}, but no node named "
                                 f"{src_name!r} is in the graph")
            if index < 0:
                op._control_inputs.append(src)
                src._control_outputs.append(op)
            else:
                tensor = src._output(index)
                op._inputs.append(tensor)
                tensor._consumers.append(op)

    def _remove_operation(self, op: Operation) -> None:
        """Drops an op nobody consumes any more (used by rewrites that replace ops)."""
        for t in op._outputs:
            if t._consumers:
                raise GraphError(f"Cannot remove {op.name!r}: {t.name!r} is consumed by "
                                 f"{t._consumers[0].name!r}")
        for t in op._inputs:
            t._consumers.remove(op)
        for c in op._control_inputs:
            c._control_outputs.remove(op)
        del self._ops[op.name]
        self._shapes_changed()

    # -- static shapes ------------------------------------------------------------------------
    def _shapes_changed(self) -> None:
        self._shape_cache.clear()
        self._partial_cache.clear()

    def _tensor_shape(self, tensor: Tensor) -> TensorShape:
        op = tensor._op
        if not op._known:
            raise GraphError(f"Cannot tell the shape of {tensor.name!r}: op type {op.type!r} is not "
                             "in ortflow's op registry")
        shapes = self._op_shapes(op)
        inferred = TensorShape(shapes[tensor._value_index]) if tensor._value_index < len(shapes) \
            else TensorShape(None)
        if tensor._set_shape is not None:
            return inferred.merge_with(tensor._set_shape) if inferred.is_compatible_with(
                tensor._set_shape) else tensor._set_shape
        return inferred

    def _op_shapes(self, target: Operation) -> list:
        """Static output shapes of `target`, computing its ancestors first without recursion."""
        cache = self._shape_cache
        if target in cache:
            return cache[target]
        stack = [target]
        visiting: set[Operation] = set()
        while stack:
            op = stack[-1]
            if op in cache:
                stack.pop()
                continue
            pending = [t._op for t in op._inputs if t._op not in cache and t._op not in visiting]
            if pending and op not in visiting:
                visiting.add(op)
                stack.extend(pending)
                continue
            stack.pop()
            visiting.discard(op)
            cache[op] = self._infer_op(op)
        return cache[target]

    def _infer_op(self, op: Operation) -> list:
        if not op._known:
            return [None] * len(op._outputs)
        if op.type == "ReadVariableOp" and op._inputs:
            handle_shape = _handle_shape(op._inputs[0])
            if handle_shape is not None:
                return [handle_shape]
        input_shapes = []
        inputs = op._inputs
        for t in inputs:
            shapes = self._shape_cache.get(t._op)
            shape = shapes[t._value_index] if shapes and t._value_index < len(shapes) else None
            if t._set_shape is not None:
                shape = TensorShape(shape).merge_with(t._set_shape).as_tuple() \
                    if TensorShape(shape).is_compatible_with(t._set_shape) else t._set_shape.as_tuple()
            input_shapes.append(shape)
        # Const values are decoded only for shape functions that read them (speed).
        registry = _registry()
        lazy = registry.registry.LazyInputValues  # the submodule, imported by the package
        input_values = lazy(len(inputs), lambda i: self._input_value(inputs[i]))
        try:
            return list(registry.infer_shapes(op._node_def, input_shapes, input_values))
        except GraphError:
            return [None] * len(op._outputs)


    def _input_value(self, tensor: Tensor):
        # A Const's value, else the partially known value of a small int tensor computed from
        # shapes (Shape -> StridedSlice -> Pack feeding a Reshape), as TF's shape inference
        # reads it: `tf.reshape(x, [tf.shape(x)[0], 2, 4])` has static shape (?, 2, 4).
        value = _const_value(tensor)
        if value is None and tensor._value_index == 0:
            value = self._partial_value(tensor._op, 0)
        return value

    def _partial_value(self, op: Operation, depth: int):
        cache = self._partial_cache
        if op in cache:
            return cache[op]
        from ortflow.graph.ops import partial  # loaded with the registry, which is loaded by now

        if op.type not in partial.PARTIAL_OPS or depth > _PARTIAL_DEPTH or not op._known:
            return None
        cache[op] = None  # a cycle (a while loop's back edge) reads as unknown
        ins = []
        for t in op._inputs:
            try:
                shape = self._tensor_shape(t).as_tuple()
            except (GraphError, ValueError):
                shape = None
            value = _const_value(t)
            ins.append(_InputMeta(shape, value))
        partials = [None if m.value is not None or t._value_index != 0
                    else self._partial_value(t._op, depth + 1) for t, m in zip(op._inputs, ins)]
        out = op._outputs[0]
        try:
            out_shape = self._tensor_shape(out).as_tuple()
        except (GraphError, ValueError):
            return None
        result = partial.partial_value(op._node_def, ins, partials, out_shape, out.dtype)
        cache[op] = result
        return result


# How far back a partially known shape value is traced (shape arithmetic chains are short).
_PARTIAL_DEPTH = 32


class _InputMeta(NamedTuple):
    # what partial.partial_value reads about an input: its static shape and constant value
    shape: tuple | None
    value: object


class _NameScope:
    """The context manager `Graph.name_scope` returns.

    A class rather than a generator function: graph building opens several scopes per op, and
    this is cheaper to enter and leave (speed). The name is checked and made unique on entering.
    """

    __slots__ = ("_graph", "_name", "_old")

    def __init__(self, graph: Graph, name):
        self._graph = graph
        self._name = name
        self._old = None

    def __enter__(self) -> str:
        graph, name = self._graph, self._name
        if name:
            if isinstance(name, bytes):
                name = name.decode()
            valid = naming.is_valid_scope_name(name) if graph._name_stack else naming.is_valid_op_name(name)
            if not valid:
                raise ValueError(f"{name!r} is not a valid scope name")
        old = graph._name_stack
        if not name:
            new = ""
        elif name.endswith("/"):
            new = name[:-1]
        else:
            new = graph.unique_name(name)
        self._old = old
        graph._name_stack = new
        return (new + "/") if new else ""

    def __exit__(self, *exc_info) -> None:
        self._graph._name_stack = self._old


def _device_string(device) -> str:
    if device is None:
        return ""
    to_string = getattr(device, "to_string", None)
    return to_string() if callable(to_string) else str(device)


class _ControlFrame(list):
    """One `control_dependencies` block: its control ops, and the ids of the ops created in it."""

    __slots__ = ("created",)

    def __init__(self):
        super().__init__()
        self.created: set[int] = set()


class _ControlDependencies:
    # `Graph.control_dependencies`'s context manager (a class rather than a generator function:
    # cheaper to enter and leave, for speed).
    __slots__ = ("_control_inputs", "_graph")

    def __init__(self, graph: Graph, control_inputs):
        self._graph = graph
        self._control_inputs = control_inputs

    def __enter__(self) -> None:
        graph = self._graph
        if self._control_inputs is None:
            graph._control_dependencies_stack.append(None)
            return
        resolved = _ControlFrame()
        for c in self._control_inputs:
            if hasattr(c, "_as_graph_element") and not isinstance(c, (Tensor, Operation)):
                c = c._as_graph_element()
            c = graph.as_graph_element(c)
            resolved.append(c.op if isinstance(c, Tensor) else c)
        graph._control_dependencies_stack.append(resolved)

    def __exit__(self, *exc_info) -> None:
        self._graph._control_dependencies_stack.pop()


class _ColocateWith:
    # `Graph.colocate_with`'s context manager (a class for speed, as _ControlDependencies).
    __slots__ = ("_graph", "_ignore_existing", "_op", "_saved")

    def __init__(self, graph: Graph, op, ignore_existing: bool):
        self._graph = graph
        self._op = op
        self._ignore_existing = ignore_existing
        self._saved = None

    def __enter__(self) -> None:
        graph, op = self._graph, self._op
        if op is not None:
            if hasattr(op, "_as_graph_element") and not isinstance(op, (Tensor, Operation)):
                op = op._as_graph_element()
            op = op.op if isinstance(op, Tensor) else op
        if self._ignore_existing:
            self._saved, graph._colocation_stack = graph._colocation_stack, []
        graph._colocation_stack.append(op)

    def __exit__(self, *exc_info) -> None:
        graph = self._graph
        graph._colocation_stack.pop()
        if self._ignore_existing:
            graph._colocation_stack = self._saved


def _set_attrs(node_attrs, attrs: dict) -> None:
    """Sets `create_op`'s attrs into a NodeDef's attr map, as `make_attr_value` encodes them.

    The most common values (DTypes, bools, strings, ints, tensors, shapes) are written in place instead of through a temporary
    AttrValue and a copy (speed); everything else goes through `make_attr_value`.
    """
    for key, value in attrs.items():
        kind = type(value)
        if kind is _dtypes.DType:
            node_attrs[key].type = value.as_datatype_enum
        elif kind is bool:
            node_attrs[key].b = value
        elif kind is str:
            node_attrs[key].s = value.encode()
        elif kind is int:
            node_attrs[key].i = value
        elif kind is TensorProto:
            node_attrs[key].tensor.CopyFrom(value)
        elif kind is TensorShape:
            node_attrs[key].shape.CopyFrom(value.as_proto())
        elif kind is AttrValue:
            node_attrs[key].CopyFrom(value)
        else:
            node_attrs[key].CopyFrom(make_attr_value(value))


def _handle_shape(tensor: Tensor):
    """The variable shape behind a resource handle (TensorFlow's handle data), if visible.

    Shape functions see only the handle (a scalar), so reads of a VarHandleOp, directly or
    through Identity / Switch / Enter, take the shape from the VarHandleOp's `shape` attr.
    """
    op = tensor._op
    for _ in range(16):
        if op.type == "VarHandleOp":
            attr = op._node_def.attr.get("shape")
            return None if attr is None or attr.shape.unknown_rank else TensorShape(attr.shape).as_tuple()
        if op.type not in ("Identity", "Switch", "Enter", "RefIdentity") or not op._inputs:
            return None
        op = op._inputs[0]._op
    return None


def _const_value(tensor: Tensor):
    """The value of a Const op's output (for shape functions that read values), else None."""
    op = tensor._op
    if op.type != "Const" or "value" not in op._node_def.attr:
        return None
    from ortflow.formats.tensors import make_ndarray
    try:
        return make_ndarray(op._node_def.attr["value"].tensor)
    except (ValueError, TypeError):
        return None
