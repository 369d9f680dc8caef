"""`tf.layers` convolutions (1-3-D, transposed, separable) and pooling layers, with their functions.

Convolution kernels are [*kernel_size, in_channels, filters] ([*kernel_size, filters, in] for
transposed ones); the ops are TF's: Conv2D (1-D through ExpandDims/Squeeze), Conv3D,
Conv2DBackpropInput, Conv3DBackpropInputV2, DepthwiseConv2dNative, MaxPool, AvgPool, ...
"""

from __future__ import annotations

from ortflow.api import array_ops, math_ops, nn
from ortflow.api.layers_base import (
    Layer,
    _as_tuple,
    _data_format,
    _initializer,
    _KernelLayer,
    _padding,
    _snake_case,
    _tf_format,
)
from ortflow.api.ops_builder import apply_op, constant
from ortflow.graph import Tensor, get_default_graph

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "Conv3D",
    "Conv3DTranspose",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "SeparableConv1D",
    "SeparableConv2D",
    "average_pooling1d",
    "average_pooling2d",
    "average_pooling3d",
    "conv1d",
    "conv2d",
    "conv2d_transpose",
    "conv3d",
    "conv3d_transpose",
    "max_pooling1d",
    "max_pooling2d",
    "max_pooling3d",
    "separable_conv1d",
    "separable_conv2d",
]


# -- convolutions --------------------------------------------------------------------------------

class _Conv(_KernelLayer):
    """N-D convolution: activation(conv(inputs, kernel) + bias)."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True,
                 name=None, **kwargs):
        super().__init__(activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         trainable=trainable, name=name, **kwargs)
        n = self.rank
        self.filters = int(filters)
        self.kernel_size = _as_tuple(kernel_size, n, "kernel_size")
        self.strides = _as_tuple(strides, n, "strides")
        self.padding = _padding(padding)
        self.data_format = _data_format(data_format)
        self.dilation_rate = _as_tuple(dilation_rate, n, "dilation_rate")

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
        self._build_kernel_and_bias(self._kernel_shape(self._channels(input_shape)), self.filters)

    def _convolve(self, inputs):
        fmt = _tf_format(self.rank, self.data_format)
        name = type(self).__name__ if self.rank != 1 else "Conv1D"
        return nn.convolution(inputs, self.kernel, padding=self.padding, strides=self.strides,
                              dilation_rate=self.dilation_rate, data_format=fmt, name=name)

    def call(self, inputs):
        fmt = "NCHW" if self.data_format == "channels_first" else "NHWC"
        return self._bias_and_activation(self._convolve(inputs), fmt)


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

    def _output_dims(self, inputs, shape) -> tuple[list, list]:
        # Each output spatial size: an int when the input's is static, else computed at run time
        # from `shape` (the input's Shape).
        first = self.data_format == "channels_first"
        axes = range(2, 2 + self.rank) if first else range(1, 1 + self.rank)
        dims = inputs.shape.as_list()
        sizes, static = [], []
        for i, axis in enumerate(axes):
            k, stride, d = self.kernel_size[i], self.strides[i], self.dilation_rate[i]
            size = _conv_output_length(dims[axis], k, self.padding, stride, d)
            static.append(size)
            if size is None:
                size = math_ops.multiply(shape[axis], stride)
                extra = max(k + (k - 1) * (d - 1) - stride, 0)
                if self.padding == "VALID" and extra:
                    size = math_ops.add(size, extra)
            sizes.append(size)
        return sizes, static

    def _convolve(self, inputs):
        first = self.data_format == "channels_first"
        shape = array_ops.shape(inputs)
        batch = shape[0]
        sizes, static = self._output_dims(inputs, shape)
        dims = [batch, self.filters, *sizes] if first else [batch, *sizes, self.filters]
        output_shape = _stack_like_tf(dims)
        if self.rank == 2:
            output_shape[0]
        fmt = _tf_format(self.rank, self.data_format)
        transpose = nn.conv2d_transpose if self.rank == 2 else nn.conv3d_transpose
        name = "conv2d_transpose" if self.rank == 2 else "conv3d_transpose"
        out = transpose(inputs, self.kernel, output_shape, strides=list(self.strides), padding=self.padding,
                        data_format=fmt, dilations=list(self.dilation_rate), name=name)
        batch_dim = inputs.shape.as_list()[0]
        out.set_shape([batch_dim, self.filters, *static] if first else [batch_dim, *static, self.filters])
        return out


def _stack_like_tf(items):
    # tf.stack of tensors and ints: the ints become Consts named "stack/<index>", as TF names them.
    g = get_default_graph()
    with g.name_scope("stack") as scope:
        tensors = [item if isinstance(item, Tensor) else constant(int(item), name=str(i))
                   for i, item in enumerate(items)]
        return apply_op("Pack", [tensors], {"axis": 0}, name=scope).outputs[0]


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
        # The pointwise kernel is 1x1 ([1, 1, in * multiplier, filters]; [1, ...] for SeparableConv1D).
        channels = self._channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", [*self.kernel_size, channels, self.depth_multiplier],
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", [*[1] * self.rank, channels * self.depth_multiplier, self.filters],
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


def _conv_transpose_fn(cls, rank: int):
    # TF 1.x's functional transposed convolutions take no dilation_rate.
    def fn(inputs, filters, kernel_size, strides=(1,) * rank, padding="valid", data_format="channels_last",
           activation=None, use_bias=True, kernel_initializer=None, bias_initializer=None,
           kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
           bias_constraint=None, trainable=True, name=None, reuse=None):
        layer = cls(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                    activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                    bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                    bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                    kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                    trainable=trainable, name=name, _scope=name, _reuse=reuse)
        return layer.apply(inputs)
    fn.__name__ = f"conv{rank}d_transpose"
    fn.__doc__ = f"Functional `{cls.__name__}` (variable scope `name`, default {fn.__name__!r})."
    return fn


conv2d_transpose = _conv_transpose_fn(Conv2DTranspose, 2)
conv3d_transpose = _conv_transpose_fn(Conv3DTranspose, 3)


def _separable_conv_fn(cls, rank: int):
    # The 2-D function's strides and dilation_rate default to (1, 1), the 1-D one's to 1, as TF's.
    ones = 1 if rank == 1 else (1,) * rank

    def fn(inputs, filters, kernel_size, strides=ones, padding="valid", data_format="channels_last",
           dilation_rate=ones, depth_multiplier=1, activation=None, use_bias=True,
           depthwise_initializer=None, pointwise_initializer=None, bias_initializer=None,
           depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
           activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
           bias_constraint=None, trainable=True, name=None, reuse=None):
        layer = cls(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                    dilation_rate=dilation_rate, depth_multiplier=depth_multiplier, activation=activation,
                    use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                    pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
                    depthwise_regularizer=depthwise_regularizer, pointwise_regularizer=pointwise_regularizer,
                    bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                    trainable=trainable, name=name, _scope=name, _reuse=reuse)
        return layer.apply(inputs)
    fn.__name__ = f"separable_conv{rank}d"
    fn.__doc__ = f"Functional `{cls.__name__}` (variable scope `name`, default {fn.__name__!r})."
    return fn


separable_conv1d = _separable_conv_fn(SeparableConv1D, 1)
separable_conv2d = _separable_conv_fn(SeparableConv2D, 2)


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
