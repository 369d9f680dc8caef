"""`Variable`: the Python face of a variable's ops, rebuilt from VariableDef or built anew.

A reference variable is a VariableV2 op (its output is a `*_ref` tensor), an Assign that
initializes it and an Identity named `read` that snapshots it. A resource variable is a
VarHandleOp (a `resource` handle), an AssignVariableOp initializer, a VarIsInitializedOp and a
ReadVariableOp snapshot (`<name>/Read/ReadVariableOp`). The values live in a Session; this
object only names the ops, as in TensorFlow 1.x graphs.
"""

from __future__ import annotations

import numpy as np
from ortflow.errors import GraphError
from ortflow.formats import dtypes as _dtypes
from ortflow.graph.core import Graph, GraphKeys, Operation, Tensor, get_default_graph
from ortflow.graph.tensor_shape import TensorShape, as_shape
from ortflow.proto import SaveSliceInfoDef, VariableDef

__all__ = ["Variable", "SaveSliceInfo", "global_variables", "trainable_variables", "local_variables"]


def _prepend(scope: str | None, name: str) -> str:
    if not scope or not name:
        return name
    prefix = "^" if name.startswith("^") else ""
    return f"{prefix}{scope.rstrip('/')}/{name.lstrip('^')}"


def _strip(scope: str | None, name: str) -> str:
    if not scope or not name:
        return name
    scope = scope.rstrip("/") + "/"
    return name.removeprefix(scope)


class SaveSliceInfo:
    """Where a partition sits in its full variable (TensorFlow's `Variable.SaveSliceInfo`)."""

    def __init__(self, full_name: str, full_shape, var_offset, var_shape):
        self.full_name = full_name
        self.full_shape = list(full_shape)
        self.var_offset = list(var_offset)
        self.var_shape = list(var_shape)

    @property
    def spec(self) -> str:
        """The checkpoint slice spec: "10 6 0,4:0,6"."""
        full = " ".join(str(d) for d in self.full_shape)
        return full + " " + ":".join(f"{o},{s}" for o, s in zip(self.var_offset, self.var_shape))

    def to_proto(self, export_scope: str | None = None) -> SaveSliceInfoDef:
        return SaveSliceInfoDef(full_name=_strip(export_scope, self.full_name), full_shape=self.full_shape,
                                var_offset=self.var_offset, var_shape=self.var_shape)

    @classmethod
    def from_proto(cls, proto: SaveSliceInfoDef, import_scope: str | None = None) -> SaveSliceInfo:
        return cls(_prepend(import_scope, proto.full_name), proto.full_shape, proto.var_offset, proto.var_shape)


class Variable:
    """A graph variable: reference (VariableV2) or resource (VarHandleOp) flavour.

    Example:
        >>> v = Variable.from_proto(variable_def)          # from a MetaGraphDef's collection
        >>> v.name, v.op.type, v.initializer.name
        ('w:0', 'VarHandleOp', 'w/Assign')
    """

    def __init__(self, *, variable: Tensor, initializer_op: Operation | None, snapshot: Tensor | None,
                 initial_value: Tensor | None = None, trainable: bool = True,
                 save_slice_info: SaveSliceInfo | None = None, synchronization: int = 0,
                 aggregation: int = 0):
        self._variable = variable
        self._initializer_op = initializer_op
        self._snapshot = snapshot
        self._initial_value = initial_value
        self._trainable = trainable
        self._save_slice_info = save_slice_info
        self._synchronization = synchronization
        self._aggregation = aggregation

    # -- identity -------------------------------------------------------------------------------
    @property
    def is_resource(self) -> bool:
        return self._variable.op.type == "VarHandleOp"

    @property
    def name(self) -> str:
        """The variable's tensor name, "w:0"."""
        return self._variable.name

    @property
    def op(self) -> Operation:
        """The VariableV2 or VarHandleOp operation."""
        return self._variable.op

    @property
    def handle(self) -> Tensor:
        """The variable op's output (a resource handle, or the reference tensor)."""
        return self._variable

    @property
    def graph(self) -> Graph:
        return self._variable.graph

    @property
    def device(self) -> str:
        return self._variable.device

    @property
    def dtype(self) -> _dtypes.DType:
        """The element type; `*_ref` for a reference variable, as TensorFlow's RefVariable."""
        base = _dtypes.as_dtype(self.op.node_def.attr["dtype"].type)
        return base if self.is_resource else base._as_ref

    @property
    def shape(self) -> TensorShape:
        attr = self.op.node_def.attr
        return TensorShape(attr["shape"].shape) if "shape" in attr else TensorShape(None)

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def initializer(self) -> Operation | None:
        return self._initializer_op

    @property
    def initial_value(self) -> Tensor | None:
        return self._initial_value

    @property
    def snapshot(self) -> Tensor | None:
        return self._snapshot

    @property
    def save_slice_info(self) -> SaveSliceInfo | None:
        return self._save_slice_info

    def _set_save_slice_info(self, info: SaveSliceInfo) -> None:
        self._save_slice_info = info

    # -- reading ----------------------------------------------------------------------------------
    def value(self) -> Tensor:
        """The snapshot tensor (`read` Identity, or `Read/ReadVariableOp`)."""
        if self._snapshot is None:
            raise GraphError(f"Variable {self.name!r} has no snapshot tensor")
        return self._snapshot

    def read_value(self) -> Tensor:
        """A new op that reads the variable (Identity of the reference, or ReadVariableOp)."""
        # As TF: in the caller's name scope, "read" for a reference variable; for a resource
        # variable a ReadVariableOp under "Read/" and an Identity of it.
        graph = self.graph
        base = self.dtype.base_dtype
        if not self.is_resource:
            return graph.create_op("Identity", [self._variable], attrs={"T": base}, name="read").outputs[0]
        with graph.name_scope("Read"):
            value = graph.create_op("ReadVariableOp", [self._variable], attrs={"dtype": base},
                                    name="ReadVariableOp").outputs[0]
        return graph.create_op("Identity", [value], attrs={"T": base}, name="Identity").outputs[0]

    def _ref(self) -> Tensor:
        return self._variable

    def _as_graph_element(self) -> Tensor:
        # What Session.run fetches for the variable: the reference tensor, or the snapshot read.
        if self.is_resource:
            return self._snapshot if self._snapshot is not None else self._variable
        return self._variable

    def eval(self, session=None):
        return self._as_graph_element().eval(session=session)

    def __repr__(self) -> str:
        # As TF 1.x: the variable tensor's name, and `float32_ref` for a reference variable.
        dtype = self.dtype.base_dtype if self.is_resource else self._variable.dtype
        return f"<tf.Variable {self._variable.name!r} shape={self.shape} dtype={dtype.name}>"

    # -- protos ----------------------------------------------------------------------------------
    def to_proto(self, export_scope: str | None = None) -> VariableDef:
        """The VariableDef TensorFlow writes into a MetaGraphDef's variable collections."""
        proto = VariableDef(variable_name=_strip(export_scope, self._variable.name),
                            trainable=self._trainable, is_resource=self.is_resource,
                            synchronization=self._synchronization, aggregation=self._aggregation)
        if self._initial_value is not None:
            proto.initial_value_name = _strip(export_scope, self._initial_value.name)
        if self._initializer_op is not None:
            proto.initializer_name = _strip(export_scope, self._initializer_op.name)
        if self._snapshot is not None:
            proto.snapshot_name = _strip(export_scope, self._snapshot.name)
        if self._save_slice_info is not None:
            proto.save_slice_info_def.CopyFrom(self._save_slice_info.to_proto(export_scope))
        return proto

    @classmethod
    def from_proto(cls, variable_def: VariableDef, import_scope: str | None = None,
                   graph: Graph | None = None) -> Variable:
        """Rebuilds the Variable named by a VariableDef in `graph` (default: the default graph).

        Raises:
            KeyError / ValueError: a name in the VariableDef is not in the graph.
        """
        graph = graph or get_default_graph()

        def element(name: str, allow_operation: bool = False):
            if not name:
                return None
            return graph.as_graph_element(_prepend(import_scope, name), allow_tensor=not allow_operation,
                                          allow_operation=allow_operation)

        info = None
        if variable_def.HasField("save_slice_info_def"):
            info = SaveSliceInfo.from_proto(variable_def.save_slice_info_def, import_scope)
        return cls(variable=element(variable_def.variable_name),
                   initializer_op=element(variable_def.initializer_name, allow_operation=True),
                   snapshot=element(variable_def.snapshot_name),
                   initial_value=element(variable_def.initial_value_name),
                   trainable=variable_def.trainable,
                   save_slice_info=info,
                   synchronization=variable_def.synchronization,
                   aggregation=variable_def.aggregation)

    # -- construction (for the tf.compat.v1 builder API) ---------------------------------------
    @classmethod
    def _build_ref(cls, initial_value, *, name: str | None = None, dtype=None, shape=None,
                   trainable: bool = True, collections=None, validate_shape: bool = True,
                   graph: Graph | None = None) -> Variable:
        """Creates VariableV2 + Assign + `read` Identity, as `tf.compat.v1.Variable(use_resource=False)`."""
        return cls._build(initial_value, resource=False, name=name, dtype=dtype, shape=shape,
                          trainable=trainable, collections=collections, validate_shape=validate_shape,
                          graph=graph)

    @classmethod
    def _build_resource(cls, initial_value, *, name: str | None = None, dtype=None, shape=None,
                        trainable: bool = True, collections=None, validate_shape: bool = True,
                        graph: Graph | None = None) -> Variable:
        """Creates VarHandleOp + AssignVariableOp + ReadVariableOp, as a ResourceVariable."""
        return cls._build(initial_value, resource=True, name=name, dtype=dtype, shape=shape,
                          trainable=trainable, collections=collections, validate_shape=validate_shape,
                          graph=graph)

    @classmethod
    def _build(cls, initial_value, *, resource: bool, name, dtype, shape, trainable, collections,
               validate_shape, graph) -> Variable:
        graph = graph or get_default_graph()
        with graph.name_scope(name or "Variable") as scope:
            var_name = scope[:-1]
            init = _initial_value_tensor(graph, initial_value, dtype, var_name)
            base = init.dtype.base_dtype
            var_shape = as_shape(shape) if shape is not None else (init.shape if validate_shape else TensorShape(None))
            if resource:
                variable, initializer, snapshot = _resource_ops(graph, var_name, init, base, var_shape)
            else:
                variable, initializer, snapshot = _ref_ops(graph, var_name, init, base, var_shape, validate_shape)
        var = cls(variable=variable, initializer_op=initializer, snapshot=snapshot, initial_value=init,
                  trainable=trainable)
        keys = list(collections) if collections is not None else [GraphKeys.GLOBAL_VARIABLES]
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in keys:
            keys.append(GraphKeys.TRAINABLE_VARIABLES)
        graph.add_to_collections(keys, var)
        return var


def _initial_value_tensor(graph: Graph, initial_value, dtype, var_name: str) -> Tensor:
    if isinstance(initial_value, Variable):
        initial_value = initial_value.initial_value
    if callable(initial_value) and not isinstance(initial_value, Tensor):
        with graph.name_scope("Initializer"), graph.colocate_with(None, ignore_existing=True):
            value = initial_value()
            return value if isinstance(value, Tensor) else _const(graph, value, dtype, "initial_value")
    if isinstance(initial_value, Tensor):
        return initial_value
    return _const(graph, initial_value, dtype, "initial_value")


_UNGUARDED_OPS = frozenset({"IsVariableInitialized", "VarIsInitializedOp", "ReadVariableOp", "If"})
_VARIABLE_OP_TYPES = frozenset({"Variable", "VariableV2", "VarHandleOp"})


def guard_uninitialized_reads(graph: Graph, var_name: str, init: Tensor) -> Tensor:
    """`init` with every read of another variable replaced by that variable's
    `initialized_value()`, as TF 1.x does for a reference variable made from a tensor.

    So `tf.Variable(w * 0.5)` can be initialized in the same run as `w` (the read is a cond on
    w's IsVariableInitialized, which takes w's initial value while w is uninitialized). The
    ops on the way are copied under TF's names (`mul` -> `mul_<var_name>`); a graph with a
    cycle (a while loop) is left as it is, as TF leaves it.
    """
    reads: set[str] = set()
    if _walk(init.op, set(), reads) or not reads:  # a cycle, or no variable read at all
        return init
    variables = {}
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES):
        for v in graph.get_collection(key):
            op = getattr(v, "op", None)
            if op is not None and hasattr(v, "initialized_value"):
                variables.setdefault(op.name, v)
    if not variables:
        return init
    cache: dict[str, object] = {}

    def from_tensor(tensor):
        new = cache.get(tensor.op.name)
        if new is None:
            new = cache[tensor.op.name] = from_op(tensor.op)
        return new.outputs[tensor.value_index]

    def from_op(op):
        if op.type in _UNGUARDED_OPS:
            return op
        if op.type in _VARIABLE_OP_TYPES:
            var = variables.get(op.name)
            return op if var is None else var.initialized_value().op
        inputs = [from_tensor(t) for t in op.inputs]
        if all(a is b for a, b in zip(inputs, op.inputs)):
            return op
        new_type = "Switch" if op.type == "RefSwitch" else op.type
        name = f"{op.name}_{var_name}".replace(":", "_")
        attrs = {k: v for k, v in op.node_def.attr.items()}
        return graph.create_op(new_type, inputs, attrs=attrs, name=name + "/",
                               control_inputs=list(op.control_inputs) or None)

    return from_tensor(init)


def _walk(op, path: set, reads: set, depth: int = 0, seen: set | None = None) -> bool:
    """Whether `op`'s inputs form a cycle (or nest deeper than 500); collects the variable ops
    read on the way into `reads`."""
    seen = set() if seen is None else seen
    if op.name in path or depth > 500:  # a graph this deep is left unguarded rather than recursed into
        return True
    if op.name in seen:
        return False
    if op.type in _VARIABLE_OP_TYPES:
        reads.add(op.name)
    if op.type in _UNGUARDED_OPS:
        seen.add(op.name)
        return False
    path.add(op.name)
    for source in [t.op for t in op.inputs] + list(op.control_inputs):
        if _walk(source, path, reads, depth + 1, seen):
            return True
    path.discard(op.name)
    seen.add(op.name)
    return False


def _const(graph: Graph, value, dtype, name: str) -> Tensor:
    from ortflow.formats.tensors import make_tensor_proto
    dtype = _dtypes.as_dtype(dtype) if dtype is not None else None
    proto = make_tensor_proto(value if dtype is None else np.asarray(value, dtype=dtype.as_numpy_dtype), dtype=dtype)
    return graph.create_op("Const", [], attrs={"dtype": _dtypes.as_dtype(proto.dtype), "value": proto},
                           name=name).outputs[0]


def _ref_ops(graph: Graph, var_name: str, init: Tensor, base, shape: TensorShape, validate_shape: bool):
    variable = graph.create_op("VariableV2", [], attrs={"dtype": base, "shape": shape, "container": "",
                                                        "shared_name": ""}, name=var_name + "/").outputs[0]
    init = guard_uninitialized_reads(graph, var_name, init)
    with graph.colocate_with(variable.op):
        assign = graph.create_op("Assign", [variable, init], attrs={"T": base, "validate_shape": validate_shape,
                                                                    "use_locking": True}, name="Assign")
        snapshot = graph.create_op("Identity", [variable], attrs={"T": base}, name="read").outputs[0]
    return variable, assign, snapshot


def _resource_ops(graph: Graph, var_name: str, init: Tensor, base, shape: TensorShape):
    handle = graph.create_op("VarHandleOp", [], attrs={"dtype": base, "shape": shape, "shared_name": var_name,
                                                       "container": "", "allowed_devices": []},
                             name=var_name + "/").outputs[0]
    with graph.name_scope("IsInitialized"):
        graph.create_op("VarIsInitializedOp", [handle], name="VarIsInitializedOp")
    assign = graph.create_op("AssignVariableOp", [handle, init], attrs={"dtype": base}, name="Assign")
    with graph.name_scope("Read"):
        snapshot = graph.create_op("ReadVariableOp", [handle], attrs={"dtype": base},
                                   name="ReadVariableOp").outputs[0]
    return handle, assign, snapshot


def global_variables(scope: str | None = None, graph: Graph | None = None) -> list[Variable]:
    return (graph or get_default_graph()).get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def trainable_variables(scope: str | None = None, graph: Graph | None = None) -> list[Variable]:
    return (graph or get_default_graph()).get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope: str | None = None, graph: Graph | None = None) -> list[Variable]:
    return (graph or get_default_graph()).get_collection(GraphKeys.LOCAL_VARIABLES, scope)

