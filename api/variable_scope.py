"""Variables in the TF 1.x builder API: `Variable`, `get_variable`, `variable_scope`, initializer ops.

`get_variable` keeps one store of variables per graph, keyed by full name: creating a name
twice without `reuse` raises TensorFlow's "already exists, disallowed" error, reusing a name
that was never created raises its "does not exist" error. A `variable_scope` also opens a name
scope of the same name (made unique), while the variables' own names depend only on the
variable scope, as in TensorFlow.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import weakref

import numpy as np
from ortflow.api import array_ops
from ortflow.api import initializers as _init
from ortflow.api.ops_builder import (
    apply_op,
    apply_op_output,
    convert_to_tensor,
    register_tensor_conversion_function,
    set_internal_attr,
)
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import GraphKeys, Operation, get_default_graph
from ortflow.graph.tensor_shape import as_shape
from ortflow.graph.variables import Variable as _GraphVariable

__all__ = [
    "AUTO_REUSE",
    "PartitionedVariable",
    "Variable",
    "VariableScope",
    "VariableV1",
    "all_variables",
    "assign",
    "assign_add",
    "assign_sub",
    "fixed_size_partitioner",
    "get_local_variable",
    "get_variable",
    "get_variable_scope",
    "global_variables",
    "global_variables_initializer",
    "initialize_all_variables",
    "initialize_local_variables",
    "initialize_variables",
    "is_variable_initialized",
    "local_variables",
    "local_variables_initializer",
    "make_variable",
    "min_max_variable_partitioner",
    "model_variables",
    "moving_average_variables",
    "name_scope",
    "no_regularizer",
    "report_uninitialized_variables",
    "trainable_variables",
    "variable_axis_size_partitioner",
    "variable_scope",
    "variables_initializer",
]


class _ReuseMode(enum.Enum):
    AUTO_REUSE = 1


#: `reuse=tf.AUTO_REUSE`: create a variable if missing, reuse it otherwise.
AUTO_REUSE = _ReuseMode.AUTO_REUSE


class _VariableMeta(type):
    # `isinstance(v, tf.Variable)` holds for the graph model's variables.
    def __instancecheck__(cls, obj):
        return isinstance(obj, _GraphVariable)


class Variable(metaclass=_VariableMeta):
    """`tf.Variable` (TF 1.x): a reference variable unless `use_resource=True`.

    Returns the graph model's `ortflow.graph.variables.Variable`.
    """

    def __new__(cls, initial_value=None, trainable=None, collections=None, validate_shape=True,
                caching_device=None, name=None, variable_def=None, dtype=None, expected_shape=None,
                import_scope=None, constraint=None, use_resource=None, synchronization=None,
                aggregation=None, shape=None):
        if variable_def is not None:
            return _GraphVariable.from_proto(variable_def, import_scope=import_scope)
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        return make_variable(initial_value, name=name, dtype=dtype, shape=shape, trainable=trainable,
                             collections=collections, validate_shape=validate_shape,
                             use_resource=use_resource)


VariableV1 = Variable


def make_variable(initial_value, *, name=None, dtype=None, shape=None, trainable=None, collections=None,
                  validate_shape=True, use_resource=None):
    """Builds a Variable (reference or resource) with the graph model's constructors."""
    if trainable is None:
        trainable = True
    g = get_default_graph()
    build = _GraphVariable._build_resource if use_resource else _GraphVariable._build_ref
    if dtype is not None and not callable(initial_value) and not hasattr(initial_value, "dtype"):
        initial_value = _typed_initial_value(initial_value, dtype, name)
    if use_resource and not callable(initial_value):
        # TF builds a resource variable's initial value under "<name>/Initializer/".
        value, value_dtype = initial_value, dtype
        initial_value = lambda: convert_to_tensor(value, dtype=value_dtype, name="initial_value")
    start = g.version
    with g.control_dependencies(None):
        var = build(initial_value, name=name, dtype=dtype, shape=None if shape is None else as_shape(shape),
                    trainable=trainable, collections=collections, validate_shape=validate_shape, graph=g)
    _mark_like_tensorflow(g, var, start, from_fn=callable(initial_value))
    return var


def _mark_like_tensorflow(g, var, start: int, from_fn: bool) -> None:
    # TF colocates the ops of an initializer function (and the variable op itself) with the
    # variable through a `_class` attr.
    if var.is_resource:
        set_internal_attr(var.op, "debug_name", var.op.name + "/")
    if not from_fn:
        return
    loc = [f"loc:@{var.op.name}".encode()]
    for op in reversed(g._ops.values()):  # newest first; stops at the first older op
        if op._id < start:
            break
        if op._id <= var.op._id and "_class" not in op.node_def.attr:
            set_internal_attr(op, "_class", loc)


def _typed_initial_value(value, dtype, name):
    # Converted inside the variable's scope by the graph model; here only checked against dtype.
    dtype = _dtypes.as_dtype(dtype)
    if isinstance(value, (int, float)) and dtype.is_integer and not float(value).is_integer():
        raise TypeError(f"Expected {dtype.name}, got {value!r} of type {type(value).__name__!r} instead.")
    return value


def _variable_to_tensor(var, dtype=None, name=None, as_ref=False):
    if as_ref:
        return var._ref()
    value = var.value()
    if dtype is not None and not dtype.is_compatible_with(value.dtype.base_dtype) \
            and dtype.base_dtype != value.dtype.base_dtype:
        raise ValueError(f"Incompatible type conversion requested to type {dtype.name!r} for variable of "
                         f"type {value.dtype.base_dtype.name!r}")
    return value


register_tensor_conversion_function(_GraphVariable, _variable_to_tensor)


# -- assignments -----------------------------------------------------------------------------

def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """Stores `value` in the variable (`Assign`, or `AssignVariableOp` for resource variables)."""
    attrs = {}
    if validate_shape is not None:
        attrs["validate_shape"] = bool(validate_shape)
    if use_locking is not None:
        attrs["use_locking"] = bool(use_locking)
    if isinstance(ref, _GraphVariable) and ref.is_resource:
        return _resource_update("AssignVariableOp", ref, value, name)
    target = ref._ref() if isinstance(ref, _GraphVariable) else ref
    return apply_op_output("Assign", [target, value], attrs, name=name or "Assign")


def _update(op_type: str, default_name: str):
    def fn(ref, value, use_locking=None, name=None):
        if isinstance(ref, _GraphVariable) and ref.is_resource:
            return _resource_update(op_type + "VariableOp", ref, value, name)
        attrs = {} if use_locking is None else {"use_locking": bool(use_locking)}
        target = ref._ref() if isinstance(ref, _GraphVariable) else ref
        return apply_op_output(op_type, [target, value], attrs, name=name or default_name)
    fn.__name__ = default_name
    fn.__doc__ = f"Updates the variable in place (`{op_type}`)."
    return fn


assign_add = _update("AssignAdd", "AssignAdd")
assign_sub = _update("AssignSub", "AssignSub")


def _resource_update(op_type: str, var, value, name):
    # As TF's ResourceVariable: the value is converted where the call is made ("Const"), the
    # update op takes `name` or its op type, and the updated value is read after it.
    g = var.graph
    with g.as_default():
        value = convert_to_tensor(value, dtype=var.dtype.base_dtype)
        attrs = {"dtype": var.dtype.base_dtype}
        if op_type == "AssignVariableOp":
            attrs["validate_shape"] = True  # TF 2.21's ResourceVariable.assign (tf.assign too) sets it
        op = apply_op(op_type, [var.handle, value], attrs, name=name or op_type)
        with g.control_dependencies([op]):
            return apply_op_output("ReadVariableOp", [var.handle], {"dtype": var.dtype.base_dtype})


def _install_variable_methods() -> None:
    # Methods TF's Variable has and the graph model leaves to the builder API.
    from ortflow.api import tensor_ops

    cls = _GraphVariable
    cls.assign = _method(assign)
    cls.assign_add = _method(assign_add)
    cls.assign_sub = _method(assign_sub)
    cls.sparse_read = _sparse_read
    for kind in ("update", "add", "sub", "mul", "div", "max", "min"):
        setattr(cls, f"scatter_{kind}", _scatter_method(kind))
    for kind in ("update", "add", "sub"):
        setattr(cls, f"scatter_nd_{kind}", _scatter_nd_method(kind))
    cls.initialized_value = _initialized_value
    cls.load = _load_value
    cls.set_shape = lambda self, shape: self._variable.set_shape(shape)
    tensor_ops.install_operators(cls)


def _method(update):
    # Variable.assign / assign_add / assign_sub: with read_value=False TF returns the update op.
    def method(self, value, use_locking=None, name=None, read_value=True):
        result = update(self, value, use_locking=use_locking, name=name)
        if read_value:
            return result
        # A resource update's result is the read after the update op (see _resource_update).
        return result.op.control_inputs[0] if self.is_resource else result.op
    method.__name__ = update.__name__
    method.__doc__ = f"{update.__doc__} With `read_value=False`, returns the update op."
    return method


def _sparse_read(self, indices, name=None):
    """The rows `indices` of the variable (`ResourceGather`; a gather for reference variables)."""
    with self.graph.as_default():
        if self.is_resource:
            return apply_op_output("ResourceGather", [self.handle, indices], {"dtype": self.dtype.base_dtype},
                                   name=name or "Gather")
        from ortflow.api.array_ops import gather

        return gather(self._ref(), indices, name=name)


def _scatter_method(kind: str):
    def method(self, sparse_delta, use_locking=False, name=None):
        from ortflow.api import state_ops

        function = getattr(state_ops, f"scatter_{kind}")
        return function(self, sparse_delta.indices, sparse_delta.values, use_locking=use_locking, name=name)
    method.__name__ = f"scatter_{kind}"
    method.__doc__ = (f"`tf.scatter_{kind}` of an IndexedSlices `sparse_delta` into the variable; returns "
                      "the new value.")
    return method


def _scatter_nd_method(kind: str):
    def method(self, indices, updates, name=None):
        from ortflow.api import state_ops

        return getattr(state_ops, f"scatter_nd_{kind}")(self, indices, updates, name=name)
    method.__name__ = f"scatter_nd_{kind}"
    method.__doc__ = f"`tf.scatter_nd_{kind}` into the variable; returns the new value."
    return method


def _initialized_value(self):
    """The value, or the initial value while the variable is uninitialized (`initialized_value`).

    As TF builds it: a cond on IsVariableInitialized, outside any control dependencies, so a
    variable initialized from another's `initialized_value()` can be initialized first.
    """
    from ortflow.api import control_flow_ops

    g = self.graph
    with g.as_default(), g.control_dependencies(None):
        return control_flow_ops.cond(is_variable_initialized(self), self.read_value,
                                     lambda: self.initial_value)


def _load_value(self, value, session=None):
    """Writes `value` into the variable through `session` (`Variable.load`)."""
    from ortflow.graph import get_default_session

    session = session or get_default_session()
    if session is None:
        raise ValueError("Either session argument should be provided or default session should be "
                         "established")
    session.run(self.initializer, {self.initializer.inputs[1]: value})


_install_variable_methods()


# -- collections and initializers --------------------------------------------------------------

def global_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


all_variables = global_variables


def trainable_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


def variables_initializer(var_list, name="init") -> Operation:
    """One NoOp that runs every variable's initializer (`tf.variables_initializer`)."""
    var_list = list(var_list)
    if var_list:
        return array_ops.group(*[v.initializer for v in var_list], name=name)
    return array_ops.no_op(name=name)


initialize_variables = variables_initializer


def global_variables_initializer() -> Operation:
    """Initializer of every global variable, named "init"."""
    return variables_initializer(global_variables())


def local_variables_initializer() -> Operation:
    """Initializer of every local variable (metrics' counters), named "init"."""
    return variables_initializer(local_variables())


initialize_all_variables = global_variables_initializer
initialize_local_variables = local_variables_initializer


def is_variable_initialized(variable):
    if variable.is_resource:
        return apply_op_output("VarIsInitializedOp", [variable.handle], name="VarIsInitializedOp")
    return apply_op_output("IsVariableInitialized", [variable._ref()], {"dtype": variable.dtype.base_dtype},
                           name="IsVariableInitialized")


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    raise NotImplementedError("report_uninitialized_variables is not supported by ortflow yet")


# -- variable scopes ---------------------------------------------------------------------------

class VariableScope:
    """The state a `variable_scope` carries: name, reuse, default initializer/regularizer/dtype."""

    def __init__(self, reuse, name="", initializer=None, regularizer=None, caching_device=None,
                 partitioner=None, custom_getter=None, name_scope="", dtype=_dtypes.float32,
                 use_resource=None, constraint=None):
        self._name = name
        self._reuse = reuse
        self._initializer = initializer
        self._regularizer = regularizer
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._name_scope = name_scope
        self._dtype = _dtypes.as_dtype(dtype)
        self._use_resource = use_resource
        self._caching_device = caching_device
        self._constraint = constraint

    name = property(lambda self: self._name)
    original_name_scope = property(lambda self: self._name_scope)
    reuse = property(lambda self: self._reuse)
    initializer = property(lambda self: self._initializer)
    regularizer = property(lambda self: self._regularizer)
    partitioner = property(lambda self: self._partitioner)
    dtype = property(lambda self: self._dtype)
    use_resource = property(lambda self: self._use_resource)
    custom_getter = property(lambda self: self._custom_getter)
    caching_device = property(lambda self: self._caching_device)
    constraint = property(lambda self: self._constraint)

    def reuse_variables(self) -> None:
        self._reuse = True

    def set_initializer(self, initializer) -> None:
        self._initializer = initializer

    def set_regularizer(self, regularizer) -> None:
        self._regularizer = regularizer

    def set_partitioner(self, partitioner) -> None:
        self._partitioner = partitioner

    def set_dtype(self, dtype) -> None:
        self._dtype = _dtypes.as_dtype(dtype)

    def set_use_resource(self, use_resource) -> None:
        self._use_resource = use_resource

    def get_variable(self, name, shape=None, dtype=None, initializer=None, regularizer=None, reuse=None,
                     trainable=None, collections=None, caching_device=None, partitioner=None,
                     validate_shape=True, use_resource=None, custom_getter=None, constraint=None,
                     synchronization=None, aggregation=None):
        full_name = f"{self._name}/{name}" if self._name else name
        reuse = self._reuse if reuse is None else (reuse or self._reuse)
        g = get_default_graph()
        store = _store(g)
        kwargs = {
            "shape": shape, "dtype": dtype or self._dtype,
            "initializer": initializer if initializer is not None else self._initializer,
            "regularizer": regularizer if regularizer is not None else self._regularizer,
            "reuse": reuse, "trainable": trainable, "collections": collections,
            "caching_device": caching_device,
            "partitioner": partitioner if partitioner is not None else self._partitioner,
            "validate_shape": validate_shape,
            "use_resource": use_resource if use_resource is not None else self._use_resource,
            "constraint": constraint, "synchronization": synchronization, "aggregation": aggregation}
        custom_getter = custom_getter if custom_getter is not None else self._custom_getter
        if custom_getter is not None and not callable(custom_getter):
            raise ValueError(f"Passed a custom_getter which is not callable: {custom_getter!r}")
        with g.name_scope(None):  # variable names depend on the variable scope only
            if custom_getter is None:
                return _true_getter(store, full_name, **kwargs)
            # As TF: the getter is called with keywords only, `getter` being the real one.
            return custom_getter(getter=functools.partial(_true_getter, store), name=full_name, **kwargs)


def _true_getter(store, name, shape=None, dtype=_dtypes.float32, initializer=None, regularizer=None,
                 reuse=None, trainable=None, collections=None, caching_device=None, partitioner=None,
                 validate_shape=True, use_resource=None, constraint=None, synchronization=None,
                 aggregation=None, **_):
    # What a custom getter's `getter` argument does: find or create the variable in the store.
    return store.get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                              regularizer=regularizer, reuse=reuse, trainable=trainable,
                              collections=collections, partitioner=partitioner,
                              validate_shape=validate_shape, use_resource=use_resource)


def _wrap_custom_getter(custom_getter, outer_getter):
    # A scope's getter wraps the enclosing scope's: the new one is called first and its
    # `getter` argument runs the enclosing one (which then runs the real getter).
    if outer_getter is None:
        return custom_getter

    def wrapped(getter, *args, **kwargs):
        return custom_getter(functools.partial(outer_getter, getter), *args, **kwargs)
    return wrapped


class _ScopeState:
    """Per-graph: the current VariableScope, how often each scope name was opened, the store."""

    def __init__(self):
        self.current = VariableScope(False)
        self.counts: dict[str, int] = {}
        self.store = _VariableStore()


_STATES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _state(graph=None) -> _ScopeState:
    graph = graph or get_default_graph()
    state = _STATES.get(graph)
    if state is None:
        state = _STATES[graph] = _ScopeState()
    return state


def _store(graph) -> _VariableStore:
    return _state(graph).store


def get_variable_scope() -> VariableScope:
    """The current VariableScope of the default graph."""
    return _state().current


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None,
                 collections=None, caching_device=None, partitioner=None, validate_shape=True,
                 use_resource=None, custom_getter=None, constraint=None, synchronization=None,
                 aggregation=None):
    """Gets an existing variable of the current variable scope, or creates a new one.

    Raises:
        ValueError: creating a variable that exists without reuse, reusing one that does not
            exist, or a shape/dtype that does not match the existing variable.
    """
    return get_variable_scope().get_variable(
        name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
        trainable=trainable, collections=collections, caching_device=caching_device,
        partitioner=partitioner, validate_shape=validate_shape, use_resource=use_resource,
        custom_getter=custom_getter, constraint=constraint, synchronization=synchronization,
        aggregation=aggregation)


def get_local_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=False,
                       collections=None, **kwargs):
    """`get_variable` into the LOCAL_VARIABLES collection, not trainable."""
    collections = list(collections or []) + [GraphKeys.LOCAL_VARIABLES]
    return get_variable(name, shape, dtype, initializer, regularizer, False, collections, **kwargs)


def no_regularizer(_):
    return None


class _VariableStore:
    """Variables made by `get_variable`, by full name."""

    def __init__(self):
        self.vars: dict = {}

    def get_variable(self, name, *, shape, dtype, initializer, regularizer, reuse, trainable, collections,
                     partitioner, validate_shape, use_resource):
        dtype = _dtypes.as_dtype(dtype)
        shape = as_shape(shape) if shape is not None else None
        if partitioner is not None and shape is not None:
            partitions = list(partitioner(shape=shape, dtype=dtype))
            if any(p != 1 for p in partitions):
                return self._partitioned(name, shape, dtype, partitions, initializer, reuse, trainable,
                                         collections, validate_shape, use_resource)
        if name in self.vars:
            return self._existing(name, shape, dtype, reuse)
        if reuse is True:
            raise ValueError(f"Variable {name} does not exist, or was not created with tf.get_variable(). "
                             "Did you mean to set reuse=tf.AUTO_REUSE in VarScope?")
        var = self._create(name, shape, dtype, initializer, trainable, collections, validate_shape,
                           use_resource)
        self.vars[name] = var
        if regularizer is not None:
            g = get_default_graph()
            with g.colocate_with(var.op), g.name_scope(name + "/Regularizer/"):
                loss = regularizer(var)
            if loss is not None:
                g.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
        return var

    def _partitioned(self, name, shape, dtype, partitions, initializer, reuse, trainable, collections,
                     validate_shape, use_resource):
        if name in self.vars:
            return self._existing(name, shape, dtype, reuse)
        if reuse is True:
            raise ValueError(f"PartitionedVariable {name} does not exist, or was not created with "
                             "tf.get_variable(). Did you mean to set reuse=None in VarScope?")
        if not shape.is_fully_defined():
            raise ValueError(f"Shape of a new partitioned variable ({name}) must be fully defined, but "
                             f"instead was {shape}.")
        full_shape = shape.as_list()
        axis, parts = _partition_axis(partitions, name)
        if parts > full_shape[axis]:
            raise ValueError(f"Cannot create {parts} slices for size {full_shape[axis]}. shape: {full_shape}, "
                             f"partitions: {partitions}")
        from ortflow.graph.variables import SaveSliceInfo

        variables = []
        for i, (offset, var_shape) in enumerate(_iter_slices(full_shape, axis, parts)):
            info = _PartitionInfo(full_shape, offset)
            part = self._create(f"{name}/part_{i}", as_shape(var_shape), dtype, initializer, trainable,
                                collections, validate_shape, use_resource, info)
            part._set_save_slice_info(SaveSliceInfo(name, full_shape, offset, var_shape))
            variables.append(part)
        var = PartitionedVariable(name, full_shape, dtype, variables, partitions)
        self.vars[name] = var
        return var

    def _existing(self, name, shape, dtype, reuse):
        if reuse is False or reuse is None:
            raise ValueError(f"Variable {name} already exists, disallowed. Did you mean to set reuse=True "
                             "or reuse=tf.AUTO_REUSE in VarScope?")
        var = self.vars[name]
        if shape is not None and not shape.is_compatible_with(var.shape):
            raise ValueError(f"Trying to share variable {name}, but specified shape {shape} and found shape "
                             f"{var.shape}.")
        if dtype is not None and dtype != var.dtype.base_dtype:
            raise ValueError(f"Trying to share variable {name}, but specified dtype {dtype.name} and found "
                             f"dtype {var.dtype.base_dtype.name}.")
        return var

    def _create(self, name, shape, dtype, initializer, trainable, collections, validate_shape, use_resource,
                partition_info=None):
        if initializer is None:
            if dtype.is_floating:
                initializer = _init.GlorotUniform()
            elif dtype.is_integer or dtype.is_unsigned or dtype.is_bool or dtype == _dtypes.string:
                initializer = _init.Zeros()
            else:
                raise ValueError(f"An initializer for variable {name} of {dtype.name} is required")
        if isinstance(initializer, type):
            initializer = initializer()
        known_shape = None
        if callable(initializer) and not hasattr(initializer, "op"):
            if shape is None or not shape.is_fully_defined():
                raise ValueError(f"Shape of a new variable ({name}) must be fully defined, but instead was "
                                 f"{shape}.")
            dims = shape.as_list()
            if partition_info is None:
                init_value = lambda: initializer(dims, dtype=dtype)
            else:
                init_value = lambda: initializer(dims, dtype=dtype, partition_info=partition_info)
            var_dtype = dtype
            # Shape-exact initializers: skip inferring the initial value's shape (speed only).
            if validate_shape and type(initializer) in _init.EXACT_SHAPE_INITIALIZERS:
                known_shape = shape
        else:
            if shape is not None and hasattr(initializer, "dtype") and validate_shape:
                raise ValueError("If initializer is a constant, do not specify shape.")
            init_value = initializer
            var_dtype = None if hasattr(initializer, "dtype") else dtype
        return make_variable(init_value, name=name, dtype=var_dtype, shape=known_shape, trainable=trainable,
                             collections=collections, validate_shape=validate_shape,
                             use_resource=use_resource)


class _PartitionInfo:
    """Where a slice sits in its full variable, as TF hands it to initializers."""

    def __init__(self, full_shape, var_offset):
        self.full_shape = list(full_shape)
        self.var_offset = list(var_offset)

    def single_slice_dim(self, shape):
        """The one axis along which `shape` (a slice's shape) is cut from the full shape, or None.

        Raises:
            TypeError: `shape` is None.
            ValueError: `shape` has another rank, does not fit, or is cut along several axes.
        """
        if shape is None:
            raise TypeError("`shape` must not be None.")
        shape = list(shape)
        if len(shape) != len(self.full_shape):
            raise ValueError(f"Expected equal length, but received shape={shape} of length "
                             f"{len(shape)} while self.full_shape={self.full_shape} is of length "
                             f"{len(self.full_shape)}.")
        for size, offset, full in zip(shape, self.var_offset, self.full_shape):
            if offset + size > full:
                raise ValueError(f"With self.var_offset={self.var_offset}, a partition of "
                                 f"shape={shape} would exceed self.full_shape={self.full_shape}.")
        cut = [i for i, (size, full) in enumerate(zip(shape, self.full_shape)) if size != full]
        if len(cut) > 1:
            raise ValueError(f"Cannot use single_slice_dim() with shape={shape} and "
                             f"self.full_shape={self.full_shape}: more than one dimension is sliced.")
        return cut[0] if cut else None

    def single_offset(self, shape):
        """The slice's offset along its cut axis (0 when `shape` is the full shape)."""
        axis = self.single_slice_dim(shape)
        return 0 if axis is None else self.var_offset[axis]


def _partition_axis(partitions, name):
    axes = [i for i, p in enumerate(partitions) if p > 1]
    if len(axes) > 1:
        raise ValueError(f"Can only slice a variable along one dimension: {name}, partitions: {partitions}")
    return axes[0], partitions[axes[0]]


def _iter_slices(full_shape, axis, parts):
    # The first `size % parts` slices are one element longer, as TensorFlow cuts them.
    base, extra = divmod(full_shape[axis], parts)
    offset = 0
    for i in range(parts):
        length = base + (1 if i < extra else 0)
        offsets = [0] * len(full_shape)
        offsets[axis] = offset
        shape = list(full_shape)
        shape[axis] = length
        yield offsets, shape
        offset += length


class PartitionedVariable:
    """A variable stored as slices along one axis (`get_variable(..., partitioner=...)`).

    Iterating gives the part Variables; converting to a Tensor concatenates them.
    """

    def __init__(self, name, shape, dtype, variable_list, partitions):
        self._name = name
        self._shape = as_shape(shape)
        self._dtype = _dtypes.as_dtype(dtype)
        self._variable_list = list(variable_list)
        self._partitions = list(partitions)
        self._as_tensor = None

    name = property(lambda self: self._name)
    dtype = property(lambda self: self._dtype)
    shape = property(lambda self: self._shape)
    graph = property(lambda self: self._variable_list[0].graph)

    def get_shape(self):
        return self._shape

    def __iter__(self):
        return iter(self._variable_list)

    def __len__(self) -> int:
        return len(self._variable_list)

    def _get_variable_list(self) -> list:
        return list(self._variable_list)

    def _get_partitions(self) -> list:
        return list(self._partitions)

    def _partition_axis(self) -> int:
        return _partition_axis(self._partitions, self._name)[0]

    def as_tensor(self):
        """The whole value: an Identity named like the variable over the concatenated parts."""
        g = self.graph
        with g.as_default(), g.name_scope(None):
            with g.name_scope(self._name + "/"), g.name_scope("ConcatPartitions"):
                whole = array_ops.concat([v.value() for v in self._variable_list], self._partition_axis(),
                                         name="concat")
            return array_ops.identity(whole, name=self._name)

    def __repr__(self) -> str:
        return f"<PartitionedVariable {self._name!r} shape={self._shape} parts={len(self)}>"


register_tensor_conversion_function(
    PartitionedVariable, lambda v, dtype=None, name=None, as_ref=False: v.as_tensor())


def fixed_size_partitioner(num_shards, axis=0):
    """A partitioner that cuts `axis` into `num_shards` slices."""
    def partitioner(shape, dtype=None, **_):
        partitions = [1] * len(as_shape(shape))
        partitions[axis] = min(num_shards, as_shape(shape).as_list()[axis])
        return partitions
    return partitioner


def variable_axis_size_partitioner(max_shard_bytes, axis=0, bytes_per_string_element=16, max_shards=None):
    """A partitioner that keeps each slice under `max_shard_bytes` (`tf.variable_axis_size_partitioner`)."""
    if max_shard_bytes < 1 or bytes_per_string_element < 1:
        raise ValueError("Both max_shard_bytes and bytes_per_string_element must be positive.")

    def partitioner(shape, dtype, **_):
        dims = as_shape(shape).as_list()
        dtype = _dtypes.as_dtype(dtype)
        element = bytes_per_string_element if dtype.base_dtype == _dtypes.string else dtype.size
        slice_bytes = element * int(np.prod(dims)) // max(dims[axis], 1)
        slices_per_shard = max(1, max_shard_bytes // max(slice_bytes, 1))
        shards = int(np.ceil(dims[axis] / slices_per_shard))
        if max_shards:
            shards = min(shards, max_shards)
        partitions = [1] * len(dims)
        partitions[axis] = max(1, shards)
        return partitions
    return partitioner


def min_max_variable_partitioner(max_partitions=1, axis=0, min_slice_size=256 << 10,
                                 bytes_per_string_element=16):
    """A partitioner giving slices of at least `min_slice_size` bytes, at most `max_partitions`."""
    def partitioner(shape, dtype, **_):
        dims = as_shape(shape).as_list()
        dtype = _dtypes.as_dtype(dtype)
        element = bytes_per_string_element if dtype.base_dtype == _dtypes.string else dtype.size
        total = int(np.prod(dims)) * element
        parts = min(max_partitions, dims[axis], max(1, int(np.ceil(total / min_slice_size))))
        partitions = [1] * len(dims)
        partitions[axis] = parts
        return partitions
    return partitioner


@contextlib.contextmanager
def variable_scope(name_or_scope=None, default_name=None, values=None, initializer=None, regularizer=None,
                   caching_device=None, partitioner=None, custom_getter=None, reuse=None, dtype=None,
                   use_resource=None, constraint=None, auxiliary_name_scope=True):
    """Opens a variable scope (and a name scope of the same name) for `get_variable`.

    Args:
        name_or_scope: a name or a VariableScope to re-enter.
        default_name: used, made unique, when `name_or_scope` is None.
        reuse: True, `AUTO_REUSE`, or None (inherit). Once True, nested scopes stay reusing.
        initializer, regularizer, partitioner, dtype, use_resource: defaults for get_variable.
    """
    if name_or_scope is None and default_name is None:
        raise TypeError("If default_name is None then name_or_scope is required")
    if reuse is False:
        reuse = None  # False means "inherit" in TF 1.x
    g = get_default_graph()
    state = _state(g)
    parent = state.current
    if isinstance(name_or_scope, VariableScope):
        scope_name = name_or_scope.name
        base = name_or_scope
        # As TF: re-entering a scope object counts it as opened, and what is opened inside is
        # forgotten on leaving (the counts are restored).
        state.counts[scope_name] = state.counts.get(scope_name, 0) + 1
        saved_counts = dict(state.counts)
    else:
        if name_or_scope is None:
            prefix = f"{parent.name}/" if parent.name else ""
            scope_name = prefix + _unique_scope_name(state, prefix + default_name)[len(prefix):]
            local = default_name  # TF names the ops' scope after default_name, made unique itself
        else:
            prefix = f"{parent.name}/" if parent.name else ""
            scope_name = prefix + name_or_scope
            local = name_or_scope
        state.counts[scope_name] = state.counts.get(scope_name, 0) + 1
        name_scope_name = local
        base = parent
    new_reuse = True if parent.reuse is True else (reuse if reuse is not None else
                                                     (base.reuse if isinstance(name_or_scope, VariableScope)
                                                      else parent.reuse))
    if reuse is AUTO_REUSE or (reuse is None and base.reuse is AUTO_REUSE and parent.reuse is not True):
        new_reuse = AUTO_REUSE if parent.reuse is not True else True
    scope = VariableScope(new_reuse, scope_name,
                          initializer if initializer is not None else base.initializer,
                          regularizer if regularizer is not None else base.regularizer,
                          caching_device, partitioner if partitioner is not None else base.partitioner,
                          _wrap_custom_getter(custom_getter, base.custom_getter) if custom_getter is not None
                          else base.custom_getter, "", dtype if dtype is not None else base.dtype,
                          use_resource if use_resource is not None else base.use_resource, constraint)
    if not auxiliary_name_scope:
        current = g.get_name_scope()
        ns = contextlib.nullcontext(current + "/" if current else "")
    elif isinstance(name_or_scope, VariableScope):
        # As TF: ops get a fresh name scope named after the scope's last component, opened
        # (made unique) under the current name scope; the variables keep the scope's name.
        last = name_or_scope.name.split("/")[-1]
        current = g.get_name_scope()
        ns = g.name_scope(last) if last else contextlib.nullcontext(current + "/" if current else "")
    else:
        ns = g.name_scope(name_scope_name)
    with ns as opened:
        if isinstance(name_or_scope, VariableScope):
            scope._name_scope = name_or_scope.original_name_scope
        else:
            scope._name_scope = opened
        state.current = scope
        try:
            yield scope
        finally:
            state.current = parent
            if isinstance(name_or_scope, VariableScope):
                state.counts = saved_counts
            else:
                _close_subscopes(state, scope_name)


def _close_subscopes(state: _ScopeState, scope_name: str) -> None:
    """As TF on leaving a named scope: its sub-scopes count as never opened, so a layer built
    again under `variable_scope(name, reuse=True)` gets the same default names (and weights)."""
    prefix = scope_name + "/"
    for key in state.counts:
        if key.startswith(prefix):
            state.counts[key] = 0


def _unique_scope_name(state: _ScopeState, name: str) -> str:
    if not state.counts.get(name, 0):
        return name
    i = 1
    while state.counts.get(f"{name}_{i}", 0):
        i += 1
    return f"{name}_{i}"


@contextlib.contextmanager
def name_scope(name, default_name=None, values=None):
    """Opens a name scope on the default graph (`tf.name_scope`); yields the scope string."""
    g = get_default_graph()
    if values:
        for v in values:
            g_v = getattr(v, "graph", None)
            if g_v is not None and g_v is not g:
                g = g_v
                break
    with g.as_default(), g.name_scope(name if name is not None else default_name) as scope:
        yield scope

