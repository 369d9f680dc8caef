"""`tf.layers` (TF 1.x): Dense, convolution, pooling, Flatten, Dropout and BatchNormalization layers.

Each layer owns a variable scope, opened the first time it is called (`dense`, `dense_1`, ...,
or the `name` given), and creates its variables with `get_variable` there, so variable names,
shapes and collections are TensorFlow's (`dense/kernel`, `conv2d/bias`,
`batch_normalization/moving_mean`). Ops are built under the scope's name scope with the op types
TensorFlow uses (MatMul + BiasAdd, Conv2D, MaxPool, FusedBatchNormV3, ...). A `training` flag
that is a bool tensor is a TF 1.x cond (Switch/Merge), as `tf.layers` builds it.
"""

from __future__ import annotations

import re
import weakref

import numpy as np
from ortflow.api import array_ops, math_ops, nn
from ortflow.api import initializers as _init
from ortflow.api import variable_scope as _vs
from ortflow.api.ops_builder import apply_op, constant, convert_to_tensor
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import GraphKeys, Tensor, get_default_graph

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "BatchNormalization",
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "Conv3D",
    "Conv3DTranspose",
    "Dense",
    "Dropout",
    "Flatten",
    "InputSpec",
    "Layer",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "SeparableConv1D",
    "SeparableConv2D",
    "average_pooling1d",
    "average_pooling2d",
    "average_pooling3d",
    "batch_normalization",
    "conv1d",
    "conv2d",
    "conv2d_transpose",
    "conv3d",
    "conv3d_transpose",
    "dense",
    "dropout",
    "flatten",
    "max_pooling1d",
    "max_pooling2d",
    "max_pooling3d",
    "separable_conv1d",
    "separable_conv2d",
]

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
        if self._scope is not None:
            return
        if self._reuse:
            with _vs.variable_scope(scope if scope is not None else self._base_name) as captured:
                self._scope = captured
        else:
            with _vs.variable_scope(scope, default_name=self._base_name) as captured:
                self._scope = captured

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
        for op in self._updates:
            if op not in g.get_collection(GraphKeys.UPDATE_OPS):
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


# -- Dense ---------------------------------------------------------------------------------------

class Dense(Layer):
    """Densely connected layer: activation(inputs @ kernel + bias)."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True,
                 name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units)
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = _initializer(kernel_initializer)
        self.bias_initializer = _initializer(bias_initializer, _init.Zeros())
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint
        self.kernel = self.bias = None

    def build(self, input_shape) -> None:
        dims = input_shape.as_list() if input_shape.rank is not None else None
        if not dims or dims[-1] is None:
            raise ValueError("The last dimension of the inputs to a Dense layer should be defined. "
                             "Found None. Full input shape received: "
                             f"{input_shape}")
        self.kernel = self.add_weight("kernel", [dims[-1], self.units], initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.units], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        rank = inputs.shape.rank
        if rank == 2 or rank is None:
            outputs = math_ops.matmul(inputs, self.kernel)
        else:
            outputs = _tensordot_last(inputs, self.kernel)
        if self.use_bias:
            outputs = nn.bias_add(outputs, self.bias)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs


def _tensordot_last(x, kernel):
    # x[..., k] @ kernel[k, n] as TF's tensordot lowers it: flatten the leading axes, one
    # MatMul, then restore them from the runtime shape.
    g = get_default_graph()
    with g.name_scope("Tensordot") as scope:
        in_dim, units = kernel.shape.as_list()
        flat = array_ops.reshape(x, [-1, in_dim], name="Reshape")
        product = math_ops.matmul(flat, kernel, name="MatMul")
        lead = array_ops.strided_slice(array_ops.shape(x, name="Shape"), [0], [-1], name="strided_slice")
        shape = array_ops.concat([lead, [units]], 0, name="concat")
        out = apply_op("Reshape", [product, shape], name=scope).outputs[0]
    dims = x.shape.as_list()
    out.set_shape(dims[:-1] + [units])
    return out


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=None, kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
          kernel_constraint=None, bias_constraint=None, trainable=True, name=None, reuse=None):
    """Functional `Dense`: `activation(inputs @ kernel + bias)` in variable scope `name` ("dense")."""
    layer = Dense(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                  bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                  bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                  kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, trainable=trainable,
                  name=name, _scope=name, _reuse=reuse)
    return layer.apply(inputs)


# -- convolutions --------------------------------------------------------------------------------

class _Conv(Layer):
    """N-D convolution: activation(conv(inputs, kernel) + bias)."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True,
                 name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, activity_regularizer=activity_regularizer, **kwargs)
        n = self.rank
        self.filters = int(filters)
        self.kernel_size = _as_tuple(kernel_size, n, "kernel_size")
        self.strides = _as_tuple(strides, n, "strides")
        self.padding = _padding(padding)
        self.data_format = _data_format(data_format)
        self.dilation_rate = _as_tuple(dilation_rate, n, "dilation_rate")
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = _initializer(kernel_initializer)
        self.bias_initializer = _initializer(bias_initializer, _init.Zeros())
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint
        self.kernel = self.bias = None

    def _channels(self, input_shape) -> int:
        dims = input_shape.as_list() if input_shape.rank is not None else None
        if dims is None or len(dims) != self.rank + 2:
            raise ValueError(f"Input 0 of layer {self._name!r} is incompatible with the layer: expected "
                             f"ndim={self.rank + 2}, found shape {input_shape}")
        channels = dims[-1] if self.data_format == "channels_last" else dims[1]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        return channels

    def _kernel_shape(self, channels: int) -> list[int]:
        return [*self.kernel_size, channels, self.filters]

    def build(self, input_shape) -> None:
        channels = self._channels(input_shape)
        self.kernel = self.add_weight("kernel", self._kernel_shape(channels),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.filters], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def _convolve(self, inputs):
        fmt = _tf_format(self.rank, self.data_format)
        name = type(self).__name__ if self.rank != 1 else "Conv1D"
        return nn.convolution(inputs, self.kernel, padding=self.padding, strides=self.strides,
                              dilation_rate=self.dilation_rate, data_format=fmt, name=name)

    def call(self, inputs):
        outputs = self._convolve(inputs)
        if self.use_bias:
            fmt = "NCHW" if self.data_format == "channels_first" else "NHWC"
            outputs = nn.bias_add(outputs, self.bias, data_format=fmt)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs


class Conv1D(_Conv):
    """1-D convolution layer (ExpandDims + Conv2D + Squeeze, as TF builds it)."""

    rank = 1


class Conv2D(_Conv):
    """2-D convolution layer (`Conv2D`)."""

    rank = 2


class Conv3D(_Conv):
    """3-D convolution layer (`Conv3D`)."""

    rank = 3


def _conv_output_length(length, kernel: int, padding: str, stride: int, dilation: int = 1):
    if length is None:
        return None
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if padding == "SAME":
        return length * stride
    return length * stride + max(kernel - stride, 0)


class _ConvTranspose(_Conv):
    """Transposed convolution (the gradient of a convolution); kernel is [*k, filters, in]."""

    def _kernel_shape(self, channels: int) -> list[int]:
        return [*self.kernel_size, self.filters, channels]

    def _output_dims(self, inputs) -> tuple[list, list]:
        # Each output spatial size: an int when the input's is static, else computed at run time.
        first = self.data_format == "channels_first"
        axes = range(2, 2 + self.rank) if first else range(1, 1 + self.rank)
        dims = inputs.shape.as_list()
        shape = None
        sizes, static = [], []
        for i, axis in enumerate(axes):
            k, stride, d = self.kernel_size[i], self.strides[i], self.dilation_rate[i]
            size = _conv_output_length(dims[axis], k, self.padding, stride, d)
            static.append(size)
            if size is None:
                if shape is None:
                    shape = array_ops.shape(inputs)
                dim = array_ops.strided_slice(shape, [axis], [axis + 1], shrink_axis_mask=1)
                size = math_ops.multiply(dim, stride)
                extra = max(k + (k - 1) * (d - 1) - stride, 0)
                if self.padding == "VALID" and extra:
                    size = math_ops.add(size, extra)
            sizes.append(size)
        return sizes, static

    def _convolve(self, inputs):
        first = self.data_format == "channels_first"
        sizes, static = self._output_dims(inputs)
        batch = array_ops.strided_slice(array_ops.shape(inputs), [0], [1], shrink_axis_mask=1)
        dims = [batch, self.filters, *sizes] if first else [batch, *sizes, self.filters]
        output_shape = array_ops.stack(dims)
        fmt = _tf_format(self.rank, self.data_format)
        transpose = nn.conv2d_transpose if self.rank == 2 else nn.conv3d_transpose
        name = "conv2d_transpose" if self.rank == 2 else "conv3d_transpose"
        out = transpose(inputs, self.kernel, output_shape, strides=list(self.strides), padding=self.padding,
                        data_format=fmt, dilations=list(self.dilation_rate), name=name)
        batch_dim = inputs.shape.as_list()[0]
        out.set_shape([batch_dim, self.filters, *static] if first else [batch_dim, *static, self.filters])
        return out


class Conv2DTranspose(_ConvTranspose):
    """Transposed 2-D convolution layer (`Conv2DBackpropInput`); kernel is [h, w, filters, in]."""

    rank = 2


class Conv3DTranspose(_ConvTranspose):
    """Transposed 3-D convolution layer (`Conv3DBackpropInputV2`); kernel is [d, h, w, filters, in]."""

    rank = 3


class SeparableConv2D(Conv2D):
    """Depthwise then pointwise 2-D convolution (`DepthwiseConv2dNative` + `Conv2D`)."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer=None, pointwise_initializer=None, bias_initializer=None,
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, bias_constraint=bias_constraint,
                         trainable=trainable, name=name, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        self.depthwise_initializer = _initializer(depthwise_initializer)
        self.pointwise_initializer = _initializer(pointwise_initializer)
        self.depthwise_regularizer, self.pointwise_regularizer = depthwise_regularizer, pointwise_regularizer
        self.depthwise_kernel = self.pointwise_kernel = None

    def build(self, input_shape) -> None:
        channels = self._channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", [*self.kernel_size, channels, self.depth_multiplier],
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", [1, 1, channels * self.depth_multiplier, self.filters],
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer)
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.filters], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer)
        self.built = True

    def _convolve(self, inputs):
        fmt = "NCHW" if self.data_format == "channels_first" else "NHWC"
        strides = [1, *self.strides, 1] if fmt == "NHWC" else [1, 1, *self.strides]
        return nn.separable_conv2d(inputs, self.depthwise_kernel, self.pointwise_kernel, strides=strides,
                                   padding=self.padding, rate=list(self.dilation_rate), data_format=fmt)


class SeparableConv1D(SeparableConv2D):
    """Depthwise then pointwise 1-D convolution, built as TF does over an inserted axis of size 1."""

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                 dilation_rate=1, depth_multiplier=1, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, depth_multiplier=depth_multiplier, **kwargs)

    def build(self, input_shape) -> None:
        channels = self._channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", [*self.kernel_size, channels, self.depth_multiplier],
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", [1, channels * self.depth_multiplier, self.filters],
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer)
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.filters], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer)
        self.built = True

    def call(self, inputs):
        # [N, W, C] -> [N, 1, W, C] (or [N, C, 1, W]); the 2-D strides repeat the 1-D one, as TF's.
        last = self.data_format == "channels_last"
        axis = 1 if last else 2
        x = array_ops.expand_dims(inputs, axis)
        depthwise = array_ops.expand_dims(self.depthwise_kernel, 0)
        pointwise = array_ops.expand_dims(self.pointwise_kernel, 0)
        fmt = "NHWC" if last else "NCHW"
        stride = self.strides[0]
        strides = [1, stride, stride, 1] if last else [1, 1, stride, stride]
        out = nn.separable_conv2d(x, depthwise, pointwise, strides=strides, padding=self.padding,
                                  rate=[1, self.dilation_rate[0]], data_format=fmt)
        if self.use_bias:
            out = nn.bias_add(out, self.bias, data_format=fmt)
        out = array_ops.squeeze(out, [axis])
        if self.activation is not None:
            return self.activation(out)
        return out


def _conv_fn(cls, doc: str):
    def fn(inputs, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
           dilation_rate=1, activation=None, use_bias=True, kernel_initializer=None, bias_initializer=None,
           kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
           bias_constraint=None, trainable=True, name=None, reuse=None):
        layer = cls(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                    dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                    kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                    kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                    activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                    bias_constraint=bias_constraint, trainable=trainable, name=name, _scope=name,
                    _reuse=reuse)
        return layer.apply(inputs)
    fn.__name__ = _snake_case(cls.__name__).replace("_d", "d")
    fn.__doc__ = doc
    return fn


conv1d = _conv_fn(Conv1D, "Functional `Conv1D` (variable scope `name`, default 'conv1d').")
conv2d = _conv_fn(Conv2D, "Functional `Conv2D` (variable scope `name`, default 'conv2d').")
conv3d = _conv_fn(Conv3D, "Functional `Conv3D` (variable scope `name`, default 'conv3d').")


def conv2d_transpose(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
                     data_format="channels_last",
                     activation=None, use_bias=True, kernel_initializer=None, bias_initializer=None,
                     kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                     kernel_constraint=None, bias_constraint=None, trainable=True, name=None, reuse=None):
    """Functional `Conv2DTranspose` (variable scope `name`, default 'conv2d_transpose')."""
    layer = Conv2DTranspose(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                            activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                            trainable=trainable, name=name, _scope=name, _reuse=reuse)
    return layer.apply(inputs)


def separable_conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
                     data_format="channels_last",
                     dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                     depthwise_initializer=None, pointwise_initializer=None, bias_initializer=None,
                     depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                     activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
                     bias_constraint=None, trainable=True, name=None, reuse=None):
    """Functional `SeparableConv2D` (variable scope `name`, default 'separable_conv2d')."""
    layer = SeparableConv2D(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                            dilation_rate=dilation_rate, depth_multiplier=depth_multiplier,
                            activation=activation, use_bias=use_bias,
                            depthwise_initializer=depthwise_initializer,
                            pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
                            depthwise_regularizer=depthwise_regularizer,
                            pointwise_regularizer=pointwise_regularizer, bias_regularizer=bias_regularizer,
                            activity_regularizer=activity_regularizer, trainable=trainable, name=name,
                            _scope=name, _reuse=reuse)
    return layer.apply(inputs)


def conv3d_transpose(inputs, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                     data_format="channels_last", activation=None, use_bias=True, kernel_initializer=None,
                     bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
                     activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True,
                     name=None, reuse=None):
    """Functional `Conv3DTranspose` (variable scope `name`, default 'conv3d_transpose')."""
    layer = Conv3DTranspose(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                            activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                            trainable=trainable, name=name, _scope=name, _reuse=reuse)
    return layer.apply(inputs)


def separable_conv1d(inputs, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                     dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                     depthwise_initializer=None, pointwise_initializer=None, bias_initializer=None,
                     depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                     activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
                     bias_constraint=None, trainable=True, name=None, reuse=None):
    """Functional `SeparableConv1D` (variable scope `name`, default 'separable_conv1d')."""
    layer = SeparableConv1D(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                            dilation_rate=dilation_rate, depth_multiplier=depth_multiplier,
                            activation=activation, use_bias=use_bias,
                            depthwise_initializer=depthwise_initializer,
                            pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
                            depthwise_regularizer=depthwise_regularizer,
                            pointwise_regularizer=pointwise_regularizer, bias_regularizer=bias_regularizer,
                            activity_regularizer=activity_regularizer, trainable=trainable, name=name,
                            _scope=name, _reuse=reuse)
    return layer.apply(inputs)


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


# -- pooling -------------------------------------------------------------------------------------

class _Pooling(Layer):
    """Max or average pooling over `rank` spatial axes."""

    rank = 2
    kind = "max"

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = _as_tuple(pool_size, self.rank, "pool_size")
        self.strides = _as_tuple(strides, self.rank, "strides")
        self.padding = _padding(padding)
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        last = self.data_format == "channels_last"
        if self.rank == 1:
            # TF pools 1-D as 2-D over an inserted axis: [N, W, C] -> [N, W, 1, C].
            axis = 2 if last else 3
            x = array_ops.expand_dims(inputs, axis)
            ksize, strides = [*self.pool_size, 1], [*self.strides, 1]
            fmt = "NHWC" if last else "NCHW"
            out = self._pool(x, ksize, strides, fmt)
            return array_ops.squeeze(out, [axis])
        fmt = _tf_format(self.rank, self.data_format)
        return self._pool(inputs, list(self.pool_size), list(self.strides), fmt)

    def _pool(self, x, ksize, strides, fmt):
        full = (lambda v: [1, *v, 1]) if fmt.endswith("C") else (lambda v: [1, 1, *v])
        if len(ksize) == 3:
            fn = nn.max_pool3d if self.kind == "max" else nn.avg_pool3d
            return fn(x, full(ksize), full(strides), self.padding, data_format=fmt)
        fn = nn.max_pool if self.kind == "max" else nn.avg_pool
        return fn(x, full(ksize), full(strides), self.padding, data_format=fmt)


def _pooling_class(name: str, rank: int, kind: str):
    cls = type(name, (_Pooling,), {"rank": rank, "kind": kind,
                                    "__doc__": f"{rank}-D {kind} pooling layer."})
    return cls


MaxPooling1D = _pooling_class("MaxPooling1D", 1, "max")
MaxPooling2D = _pooling_class("MaxPooling2D", 2, "max")
MaxPooling3D = _pooling_class("MaxPooling3D", 3, "max")
AveragePooling1D = _pooling_class("AveragePooling1D", 1, "avg")
AveragePooling2D = _pooling_class("AveragePooling2D", 2, "avg")
AveragePooling3D = _pooling_class("AveragePooling3D", 3, "avg")


def _pool_fn(cls, fn_name: str):
    def fn(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
        return cls(pool_size, strides, padding=padding, data_format=data_format, name=name).apply(inputs)
    fn.__name__ = fn_name
    fn.__doc__ = f"Functional `{cls.__name__}` (ops under name scope `name`, default {fn_name!r})."
    return fn


max_pooling1d = _pool_fn(MaxPooling1D, "max_pooling1d")
max_pooling2d = _pool_fn(MaxPooling2D, "max_pooling2d")
max_pooling3d = _pool_fn(MaxPooling3D, "max_pooling3d")
average_pooling1d = _pool_fn(AveragePooling1D, "average_pooling1d")
average_pooling2d = _pool_fn(AveragePooling2D, "average_pooling2d")
average_pooling3d = _pool_fn(AveragePooling3D, "average_pooling3d")


# -- Flatten and Dropout -------------------------------------------------------------------------

class Flatten(Layer):
    """Flattens all axes but the batch axis (channels_first inputs are made channels_last first)."""

    def __init__(self, data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        rank = inputs.shape.rank
        if self.data_format == "channels_first" and rank is not None and rank > 2:
            inputs = array_ops.transpose(inputs, [0, *range(2, rank), 1])
        dims = inputs.shape.as_list() if rank is not None else None
        if dims is not None and all(d is not None for d in dims[1:]):
            flat = int(np.prod(dims[1:])) if len(dims) > 1 else 1
            shape = [-1, flat] if dims[0] is None else [dims[0], flat]
            return array_ops.reshape(inputs, constant(shape, name="Const"))
        batch = array_ops.strided_slice(array_ops.shape(inputs), [0], [1], shrink_axis_mask=1)
        return array_ops.reshape(inputs, array_ops.stack([batch, -1]))


def flatten(inputs, name=None, data_format="channels_last"):
    """Functional `Flatten`: [batch, ...] -> [batch, prod(...)]."""
    return Flatten(name=name, data_format=data_format).apply(inputs)


class Dropout(Layer):
    """Dropout applied only when `training` is true (a Python bool or a bool tensor)."""

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def call(self, inputs, training=False):
        def dropped(x):
            return nn.dropout(x, noise_shape=self.noise_shape, seed=self.seed, rate=self.rate)

        return smart_cond(training, dropped, lambda x: array_ops.identity(x), [inputs])[0]


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """Functional `Dropout`: `inputs` unchanged unless `training`, a Python bool or bool tensor."""
    return Dropout(rate, noise_shape=noise_shape, seed=seed, name=name).apply(inputs, training=training)


# -- conds ---------------------------------------------------------------------------------------

def _static_bool(pred):
    """The Python value of `pred` when it is known when building (a bool or a Const), else None."""
    if isinstance(pred, (bool, np.bool_, int)):
        return bool(pred)
    if _vs.Variable.__instancecheck__(pred):
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


# -- BatchNormalization --------------------------------------------------------------------------

class BatchNormalization(Layer):
    """Batch normalization with moving statistics (TF 1.x `tf.layers.BatchNormalization`).

    In training the batch's statistics normalize and the moving mean/variance are updated by
    ops placed in `updates` (and the UPDATE_OPS collection):
    `moving -= (moving - batch) * (1 - momentum)`.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer=None, gamma_initializer=None, moving_mean_initializer=None,
                 moving_variance_initializer=None, beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, fused=None, trainable=True, virtual_batch_size=None,
                 adjustment=None, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise NotImplementedError("batch_normalization with renorm, virtual_batch_size or adjustment is "
                                      "not supported by ortflow's tf.layers yet")
        self.axis = axis
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = _initializer(beta_initializer, _init.Zeros())
        self.gamma_initializer = _initializer(gamma_initializer, _init.Ones())
        self.moving_mean_initializer = _initializer(moving_mean_initializer, _init.Zeros())
        self.moving_variance_initializer = _initializer(moving_variance_initializer, _init.Ones())
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.fused = fused
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def _axes(self, rank: int) -> list[int]:
        axes = list(self.axis) if isinstance(self.axis, (list, tuple)) else [self.axis]
        return sorted(a % rank for a in axes)

    def build(self, input_shape) -> None:
        rank = input_shape.rank
        if rank is None:
            raise ValueError(f"Input has undefined rank: {input_shape}")
        dims = input_shape.as_list()
        axes = self._axes(rank)
        if any(dims[a] is None for a in axes):
            raise ValueError(f"Input has undefined `axis` dimension. Received input with shape {input_shape}")
        shape = [dims[a] for a in axes] if len(axes) > 1 else [dims[axes[0]]]
        if self.fused is None:
            self.fused = rank == 4 and axes in ([3], [1])
        elif self.fused and not (rank == 4 and axes in ([3], [1])):
            raise ValueError(f"Unsupported axis/rank for fused batch norm: axis={self.axis}, rank={rank}")
        dtype = self._dtype if self._dtype in (_dtypes.float32, _dtypes.float64) else _dtypes.float32
        if self.scale:
            self.gamma = self.add_weight("gamma", shape, dtype=dtype, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer)
        if self.center:
            self.beta = self.add_weight("beta", shape, dtype=dtype, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer)
        self.moving_mean = self.add_weight("moving_mean", shape, dtype=dtype,
                                           initializer=self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape, dtype=dtype,
                                               initializer=self.moving_variance_initializer, trainable=False)
        self.built = True

    def call(self, inputs, training=False):
        training_value = _static_bool(training)
        if self.fused:
            out, mean, variance = self._fused(inputs, training, training_value)
        else:
            out, mean, variance = self._unfused(inputs, training, training_value)
        if training_value is not False:
            self._add_moving_updates(mean, variance, training, training_value)
        return out

    def _gamma_beta(self, dtype):
        channels = self.moving_mean.shape.as_list()
        gamma = self.gamma if self.gamma is not None else constant(1.0, dtype=dtype, shape=channels)
        beta = self.beta if self.beta is not None else constant(0.0, dtype=dtype, shape=channels)
        return gamma, beta

    def _fused(self, inputs, training, training_value):
        fmt = "NHWC" if self._axes(4) == [3] else "NCHW"
        gamma, beta = self._gamma_beta(self.moving_mean.dtype.base_dtype)

        def batch_norm(is_training):
            def fn(x, g_, b_, m_, v_):
                op = apply_op("FusedBatchNormV3", [x, g_, b_, m_, v_],
                              {"epsilon": self.epsilon, "data_format": fmt, "is_training": is_training,
                               "exponential_avg_factor": 1.0}, name="FusedBatchNormV3")
                return list(op.outputs[:3])
            return fn

        args = [inputs, gamma, beta, self.moving_mean, self.moving_variance]
        out, mean, variance = smart_cond(training, batch_norm(True), batch_norm(False), args)
        return out, mean, variance

    def _unfused(self, inputs, training, training_value):
        rank = inputs.shape.rank
        axes = self._axes(rank)
        reduction = [i for i in range(rank) if i not in axes]
        gamma, beta = self.gamma, self.beta
        broadcast = None
        if axes != list(range(rank))[-len(axes):] or len(axes) > 1:
            dims = inputs.shape.as_list()
            broadcast = [dims[i] if i in axes else 1 for i in range(rank)]
        keep = broadcast is not None and len(axes) > 1
        mean = variance = None
        if training_value is not False:
            mean, variance = nn.moments(inputs, reduction, keep_dims=keep)
            if keep:
                mean, variance = array_ops.reshape(mean, self.moving_mean.shape.as_list()), \
                    array_ops.reshape(variance, self.moving_mean.shape.as_list())
        if training_value is None:
            mean, variance = _select_stats(training, mean, variance, self.moving_mean, self.moving_variance)
        elif training_value is False:
            mean, variance = self.moving_mean, self.moving_variance
        m, v, g_, b_ = mean, variance, gamma, beta
        if broadcast is not None:
            m, v = array_ops.reshape(m, broadcast), array_ops.reshape(v, broadcast)
            g_ = None if g_ is None else array_ops.reshape(g_, broadcast)
            b_ = None if b_ is None else array_ops.reshape(b_, broadcast)
        out = nn.batch_normalization(inputs, m, v, b_, g_, self.epsilon)
        out.set_shape(inputs.shape)
        return out, mean, variance

    def _add_moving_updates(self, mean, variance, training, training_value) -> None:
        if training_value is None:
            # In inference the decay is 0: the update subtracts nothing.
            momentum = smart_cond(training, lambda: constant(self.momentum, name="Const"),
                                  lambda: constant(1.0, name="Const"), [])[0]
        else:
            momentum = constant(self.momentum, name="Const")
        g = get_default_graph()
        for var, value in ((self.moving_mean, mean), (self.moving_variance, variance)):
            with g.name_scope("AssignMovingAvg") as scope:
                decay = math_ops.subtract(1.0, momentum, name="sub")
                delta = math_ops.multiply(math_ops.subtract(var, value, name="sub_1"), decay, name="mul")
                update = apply_op("AssignSub", [var, delta], name=scope)
            self.add_update(update)


def _select_stats(training, mean, variance, moving_mean, moving_variance):
    # The batch statistics when `training` holds, else the moving ones: one cond per statistic.
    pred = convert_to_tensor(training)
    pick = []
    for batch, moving in ((mean, moving_mean), (variance, moving_variance)):
        pick.extend(cond(pred, lambda b, m: array_ops.identity(b), lambda b, m: array_ops.identity(m),
                         [batch, moving]))
    return pick


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        beta_initializer=None, gamma_initializer=None, moving_mean_initializer=None,
                        moving_variance_initializer=None, beta_regularizer=None, gamma_regularizer=None,
                        beta_constraint=None, gamma_constraint=None, training=False, trainable=True,
                        name=None,
                        reuse=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99, fused=None,
                        virtual_batch_size=None, adjustment=None):
    """Functional `BatchNormalization`; `training` is a Python bool or a bool tensor.

    The moving-average updates go to `tf.GraphKeys.UPDATE_OPS`; run them with the train op.
    """
    layer = BatchNormalization(axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
                               beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                               moving_mean_initializer=moving_mean_initializer,
                               moving_variance_initializer=moving_variance_initializer,
                               beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
                               renorm=renorm, fused=fused, trainable=trainable,
                               virtual_batch_size=virtual_batch_size, adjustment=adjustment, name=name,
                               _scope=name, _reuse=reuse)
    return layer.apply(inputs, training=training)
