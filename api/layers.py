"""`tf.layers` (TF 1.x): Dense, convolution, pooling, Flatten, Dropout and BatchNormalization layers.

Each layer owns a variable scope, opened the first time it is called (`dense`, `dense_1`, ...,
or the `name` given), and creates its variables with `get_variable` there, so variable names,
shapes and collections are TensorFlow's (`dense/kernel`, `conv2d/bias`,
`batch_normalization/moving_mean`). Ops are built under the scope's name scope with the op types
TensorFlow uses (MatMul + BiasAdd, Conv2D, MaxPool, FusedBatchNormV3, ...). A `training` flag
that is a bool tensor is a TF 1.x cond (Switch/Merge), as `tf.layers` builds it.

This module is the namespace and holds Dense, Flatten, Dropout and BatchNormalization; the
`Layer` base class and the conds live in `layers_base`, convolutions and pooling in `layers_conv`.
"""

from __future__ import annotations

import numpy as np
from ortflow.api import array_ops, math_ops, nn
from ortflow.api import initializers as _init
from ortflow.api.layers_base import (
    InputSpec,
    Layer,
    _data_format,
    _initializer,
    _KernelLayer,
    _static_bool,
    cond,
    smart_cond,
)
from ortflow.api.layers_conv import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    Conv1D,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    Conv3DTranspose,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
    SeparableConv1D,
    SeparableConv2D,
    average_pooling1d,
    average_pooling2d,
    average_pooling3d,
    conv1d,
    conv2d,
    conv2d_transpose,
    conv3d,
    conv3d_transpose,
    max_pooling1d,
    max_pooling2d,
    max_pooling3d,
    separable_conv1d,
    separable_conv2d,
)
from ortflow.api.ops_builder import apply_op, constant, convert_to_tensor
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import get_default_graph

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


# -- Dense ---------------------------------------------------------------------------------------

class Dense(_KernelLayer):
    """Densely connected layer: activation(inputs @ kernel + bias)."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True,
                 name=None, **kwargs):
        super().__init__(activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         trainable=trainable, name=name, **kwargs)
        self.units = int(units)

    def build(self, input_shape) -> None:
        dims = input_shape.as_list() if input_shape.rank is not None else None
        if not dims or dims[-1] is None:
            raise ValueError("The last dimension of the inputs to a Dense layer should be defined. "
                             "Found None. Full input shape received: "
                             f"{input_shape}")
        self._build_kernel_and_bias([dims[-1], self.units], self.units)

    def call(self, inputs):
        rank = inputs.shape.rank
        if rank == 2 or rank is None:
            outputs = math_ops.matmul(inputs, self.kernel)
        else:
            outputs = _tensordot_last(inputs, self.kernel)
        return self._bias_and_activation(outputs)


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

    def _noise_shape(self, inputs):
        # None entries of noise_shape take the input's run-time size, as Keras fills them.
        if self.noise_shape is None or all(d is not None for d in self.noise_shape):
            return self.noise_shape
        shape = array_ops.shape(inputs)
        return convert_to_tensor([shape[i] if d is None else d for i, d in enumerate(self.noise_shape)])

    def call(self, inputs, training=False):
        def dropped(x):
            return nn.dropout(x, noise_shape=self._noise_shape(x), seed=self.seed, rate=self.rate)

        return smart_cond(training, dropped, lambda x: array_ops.identity(x), [inputs])[0]


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """Functional `Dropout`: `inputs` unchanged unless `training`, a Python bool or bool tensor."""
    return Dropout(rate, noise_shape=noise_shape, seed=seed, name=name).apply(inputs, training=training)


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
            if training_value is not False:
                self._add_moving_updates(mean, variance, training, training_value)
            return out
        return self._unfused(inputs, training, training_value)

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
            # As TF: conds pick the batch or the moving statistics, and each update is a cond
            # whose true branch assigns (the Merge is the update op).
            pred = convert_to_tensor(training)
            batch_mean, batch_variance = mean, variance
            mean = cond(pred, lambda: batch_mean, lambda: self.moving_mean, [])[0]
            variance = cond(pred, lambda: batch_variance, lambda: self.moving_variance, [])[0]
            decay = 1.0 - self.momentum
            for var, value in ((self.moving_mean, mean), (self.moving_variance, variance)):
                update = cond(pred, lambda v=var, x=value: self._assign_moving_average(v, x, decay),
                              lambda v=var: v, [])[0]
                self.add_update(update.op)
        elif training_value is False:
            mean, variance = self.moving_mean, self.moving_variance
        else:  # as TF: the updates come first, each with a constant decay
            self._add_moving_updates(mean, variance, training, training_value, decay=1.0 - self.momentum)
        m, v, g_, b_ = mean, variance, gamma, beta
        if broadcast is not None:
            m, v = array_ops.reshape(m, broadcast), array_ops.reshape(v, broadcast)
            g_ = None if g_ is None else array_ops.reshape(g_, broadcast)
            b_ = None if b_ is None else array_ops.reshape(b_, broadcast)
        out = nn.batch_normalization(inputs, m, v, b_, g_, self.epsilon)
        out.set_shape(inputs.shape)
        return out

    def _assign_moving_average(self, var, value, decay: float):
        g = get_default_graph()
        with g.name_scope("AssignMovingAvg") as scope, g.colocate_with(var.op):
            factor = constant(decay, dtype=var.dtype.base_dtype, name="decay")
            delta = math_ops.multiply(math_ops.subtract(var, value, name="sub"), factor, name="mul")
            return apply_op("AssignSub", [var, delta], name=scope).outputs[0]

    def _add_moving_updates(self, mean, variance, training, training_value, decay=None) -> None:
        """`moving -= (moving - batch) * (1 - momentum)` for both statistics, colocated with them.

        The fused form subtracts a momentum tensor (a cond on a bool tensor `training`: 1.0 in
        inference, no change); the unfused one a constant `decay`, as TF builds each.
        """
        if decay is not None:
            for var, value in ((self.moving_mean, mean), (self.moving_variance, variance)):
                self.add_update(self._assign_moving_average(var, value, decay).op)
            return
        if training_value is None:
            momentum = smart_cond(training, lambda: constant(self.momentum, name="Const"),
                                  lambda: constant(1.0, name="Const"), [])[0]
        else:
            momentum = constant(self.momentum, name="Const")
        g = get_default_graph()
        for var, value in ((self.moving_mean, mean), (self.moving_variance, variance)):
            with g.colocate_with(var.op), g.name_scope("AssignMovingAvg") as scope:
                factor = math_ops.subtract(1.0, momentum, name="sub")
                delta = math_ops.multiply(math_ops.subtract(var, value, name="sub_1"), factor, name="mul")
                update = apply_op("AssignSub", [var, delta], name=scope)
            self.add_update(update)


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
