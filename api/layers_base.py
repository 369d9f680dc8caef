"""The base of `tf.layers`: `Layer` (variable scope, weights, updates, losses), conds and argument helpers.

A layer owns a variable scope, opened the first time it is called (`dense`, `dense_1`, ...,
or the `name` given), and creates its variables with `get_variable` there; later calls
re-enter it with reuse. A `training` flag that is a bool tensor becomes a TF 1.x cond
(Switch/Merge) through `smart_cond`.
"""

from __future__ import annotations

import re
import weakref

import numpy as np
from ortflow.api import array_ops, math_ops
from ortflow.api import initializers as _init
from ortflow.api import variable_scope as _vs
from ortflow.api.ops_builder import convert_to_tensor
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import GraphKeys, Tensor, get_default_graph

__all__ = ["InputSpec", "Layer", "cond", "smart_cond"]

# graph -> {base name: how many layers took it}: `Layer.name` is made unique per graph the way
# Keras' legacy layers do it (the first unnamed Dense is "dense_1"; the variable scope,
# made unique separately, is "dense").
_LAYER_NAMES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _snake_case(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _unique_layer_name(base: str) -> str:
    counts = _LAYER_NAMES.setdefault(get_default_graph(), {})
    counts[base] = counts.get(base, 0) + 1
    return f"{base}_{counts[base]}"


# -- the layer base class -----------------------------------------------------------------------

class Layer:
    """Base class of the `tf.layers` layers (TF 1.x's legacy `tf.layers.Layer`).

    A layer builds its variables on the first call, inside its variable scope; later calls reuse
    them. `apply(inputs)` is `layer(inputs)`.

    Example:
        >>> layer = Dense(3)                                                  # doctest: +SKIP
        >>> y = layer(x)             # variables dense/kernel, dense/bias       # doctest: +SKIP
    """

    def __init__(self, trainable=True, name=None, dtype=None, _scope=None, _reuse=None, **kwargs):
        self.trainable = bool(trainable)
        self.built = False
        self._reuse = _reuse
        self._dtype = None if dtype is None else _dtypes.as_dtype(dtype)
        self._trainable_weights: list = []
        self._non_trainable_weights: list = []
        self._updates: list = []
        self._losses: list = []
        self._activity_regularizer = kwargs.pop("activity_regularizer", None)
        self.input_spec = None
        if kwargs:
            raise TypeError(f"Keyword argument not understood: {min(kwargs)!r}")
        base = _snake_case(type(self).__name__)
        if name:
            self._name, self._base_name = name, name
        else:
            self._name, self._base_name = _unique_layer_name(base), base
        self._scope = None
        if _scope:
            with _vs.variable_scope(_scope) as scope:
                self._scope = scope

    # -- properties ---------------------------------------------------------------------------
    name = property(lambda self: self._name)
    dtype = property(lambda self: None if self._dtype is None else self._dtype.name)
    updates = property(lambda self: list(self._updates))
    losses = property(lambda self: list(self._losses))
    non_trainable_weights = property(lambda self: list(self._non_trainable_weights) if self.trainable
                                     else list(self._trainable_weights + self._non_trainable_weights))
    non_trainable_variables = non_trainable_weights

    @property
    def trainable_weights(self) -> list:
        return list(self._trainable_weights) if self.trainable else []

    trainable_variables = trainable_weights

    @property
    def weights(self) -> list:
        return self.trainable_weights + self.non_trainable_weights

    variables = weights

    @property
    def scope_name(self) -> str:
        """The layer's variable scope name (known once the layer has been called)."""
        if self._scope is None:
            raise ValueError(f"No name available for layer scope because the layer {self._name!r} has not "
                             "been used yet. The scope name is determined the first time the layer "
                             "instance is called. You must therefore call the layer before querying "
                             "`scope_name`.")
        return self._scope.name

    @property
    def graph(self):
        return get_default_graph()

    # -- scopes and weights ---------------------------------------------------------------------
    def _set_scope(self, scope=None) -> None:
        if self._scope is None:
            self._scope = _capture_scope(scope, self._base_name, self._reuse)

    def add_weight(self, name, shape, dtype=None, initializer=None, regularizer=None, trainable=None,
                   constraint=None, partitioner=None, use_resource=None, **kwargs):
        """Creates (or, when reusing, gets) the variable `name` in the layer's variable scope.

        A regularizer's loss goes to the REGULARIZATION_LOSSES collection, once per variable.
        """
        trainable = True if trainable is None else bool(trainable)
        dtype = _dtypes.as_dtype(dtype or self._dtype or _dtypes.float32)
        self._set_scope(None)
        g = get_default_graph()
        existing = {id(v) for v in _vs.global_variables()}
        with _vs.variable_scope(self._scope, reuse=self.built or self._reuse, auxiliary_name_scope=False) \
                as scope, g.name_scope(scope.original_name_scope):
            var = _vs.get_variable(name, shape=shape, dtype=dtype,
                                   initializer=initializer if initializer is not None else scope.initializer,
                                   trainable=trainable and self.trainable, partitioner=partitioner,
                                   use_resource=use_resource)
            if regularizer is not None and id(var) not in existing:
                with g.name_scope(f"{name}/Regularizer"):
                    loss = regularizer(var)
                if loss is not None:
                    self._losses.append(loss)
                    g.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
        if trainable and self.trainable and var in _vs.trainable_variables():
            if not any(v is var for v in self._trainable_weights):
                self._trainable_weights.append(var)
        elif not any(v is var for v in self._non_trainable_weights):
            self._non_trainable_weights.append(var)
        return var

    add_variable = add_weight  # TF 1.x's older name

    def add_update(self, updates, inputs=None) -> None:
        self._updates.extend(updates if isinstance(updates, (list, tuple)) else [updates])

    def add_loss(self, losses, inputs=None) -> None:
        losses = losses if isinstance(losses, (list, tuple)) else [losses]
        self._losses.extend(losses)
        for loss in losses:
            get_default_graph().add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)

    def build(self, input_shape) -> None:
        self.built = True

    def call(self, inputs, **kwargs):
        return inputs

    def __call__(self, inputs, *args, **kwargs):
        """Builds the layer's variables on the first call and applies the layer to `inputs`."""
        self._set_scope(kwargs.pop("scope", None))
        g = get_default_graph()
        reuse = True if self.built else self._reuse
        with _vs.variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as scope, \
                g.name_scope(scope.original_name_scope):
            inputs = convert_to_tensor(inputs) if not isinstance(inputs, (list, tuple)) else inputs
            if self._dtype is None and isinstance(inputs, Tensor) and inputs.dtype.base_dtype.is_floating:
                self._dtype = inputs.dtype.base_dtype
            if not self.built:
                self.build(inputs.shape)
                self.built = True
            outputs = self.call(inputs, *args, **kwargs)
            if self._activity_regularizer is not None:
                self._regularize_activity(outputs)
        collected = g.get_collection(GraphKeys.UPDATE_OPS)
        for op in self._updates:
            if not any(op is c for c in collected):  # identity: a Tensor's == builds an Equal op
                g.add_to_collection(GraphKeys.UPDATE_OPS, op)
        return outputs

    def apply(self, inputs, *args, **kwargs):
        """`layer(inputs, ...)`."""
        return self(inputs, *args, **kwargs)

    def _regularize_activity(self, outputs) -> None:
        # The activity loss is averaged over the batch, as Keras does.
        with get_default_graph().name_scope("ActivityRegularizer"):
            loss = self._activity_regularizer(outputs)
            batch = math_ops.cast(array_ops.shape(outputs)[0], loss.dtype.base_dtype)
            self.add_loss(math_ops.truediv(loss, batch))

    def get_config(self) -> dict:
        return {"name": self._name, "trainable": self.trainable, "dtype": self.dtype}


def _capture_scope(scope, base_name: str, reuse) -> _vs.VariableScope:
    """The variable scope a layer (or an RNN cell) keeps from its first call.

    With `reuse` the scope is `scope` (or `base_name`) as given; otherwise `base_name` is made
    unique (`dense`, `dense_1`, ...) unless an explicit `scope` is named.
    """
    if reuse:
        with _vs.variable_scope(scope if scope is not None else base_name) as captured:
            return captured
    with _vs.variable_scope(scope, default_name=base_name) as captured:
        return captured


class _KernelLayer(Layer):
    """A layer computing `activation(f(inputs, kernel) + bias)`: `Dense` and the convolutions.

    It holds their shared arguments, creates `kernel` and `bias` and applies the bias and the
    activation after the subclass's product.
    """

    def __init__(self, activation=None, use_bias=True, kernel_initializer=None, bias_initializer=None,
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, activity_regularizer=activity_regularizer, **kwargs)
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = _initializer(kernel_initializer)
        self.bias_initializer = _initializer(bias_initializer, _init.Zeros())
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint
        self.kernel = self.bias = None

    def _build_kernel_and_bias(self, kernel_shape: list, units: int) -> None:
        self.kernel = self.add_weight("kernel", kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", [units], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def _bias_and_activation(self, outputs, data_format: str = "NHWC"):
        if self.use_bias:
            outputs = math_ops.bias_add(outputs, self.bias, data_format=data_format)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs


def _initializer(value, default=None):
    return _init.get(value) if value is not None else default


def _as_tuple(value, n: int, what: str) -> tuple:
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"The `{what}` argument must be a tuple of {n} integers. Received: {value!r}")
    return value


def _data_format(data_format: str | None) -> str:
    fmt = (data_format or "channels_last").lower()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(f"The `data_format` argument must be one of 'channels_first', 'channels_last'. "
                         f"Received: {data_format!r}")
    return fmt


def _padding(padding: str) -> str:
    pad = padding.upper()
    if pad not in ("SAME", "VALID"):
        raise ValueError(f"The `padding` argument must be 'valid' or 'same'. Received: {padding!r}")
    return pad


def _tf_format(rank: int, data_format: str) -> str:
    last = {1: "NWC", 2: "NHWC", 3: "NDHWC"}[rank]
    first = {1: "NCW", 2: "NCHW", 3: "NCDHW"}[rank]
    return last if data_format == "channels_last" else first


class InputSpec:
    """What a layer accepts (dtype, shape, ndim, ...): kept for TF API compatibility, not enforced."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze=False, name=None):
        self.dtype = dtype
        self.shape = shape
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.axes = dict(axes or {})
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name


# -- conds ---------------------------------------------------------------------------------------

def _static_bool(pred):
    """The Python value of `pred` when it is known when building (a bool or a Const), else None."""
    if isinstance(pred, (bool, np.bool_, int)):
        return bool(pred)
    if isinstance(pred, _vs.Variable):
        return None
    tensor = convert_to_tensor(pred)
    if tensor.dtype.base_dtype != _dtypes.bool:
        raise TypeError(f"`training` must be a Python bool or a bool tensor, got a {tensor.dtype.name} "
                        f"tensor {tensor.name!r}.")
    if tensor.op.type == "Const":
        from ortflow.formats.tensors import make_ndarray

        return bool(make_ndarray(tensor.op.get_attr("value")))
    return None


def smart_cond(pred, true_fn, false_fn, inputs, name="cond"):
    """`true_fn(*inputs)` or `false_fn(*inputs)`: chosen now for a static `pred`, else a TF 1.x cond.

    Returns the list of the chosen (or merged) outputs.
    """
    value = _static_bool(pred)
    if value is not None:
        result = (true_fn if value else false_fn)(*inputs)
        return list(result) if isinstance(result, (list, tuple)) else [result]
    return cond(convert_to_tensor(pred), true_fn, false_fn, inputs, name=name)


def cond(pred, true_fn, false_fn, inputs, name="cond"):
    """A TF 1.x cond (Switch/Merge, `tf.cond`) calling `true_fn(*inputs)` or `false_fn(*inputs)`.

    Returns the Merge outputs as a list.
    """
    from ortflow.api import control_flow_ops

    def branch(fn):
        def call():
            result = fn(*inputs)
            return list(result) if isinstance(result, (list, tuple)) else [result]
        return call

    merged = control_flow_ops.cond(pred, branch(true_fn), branch(false_fn), strict=True, name=name)
    return list(merged)
