"""`tf.contrib.layers` (TF 1.x, also `tf.contrib.slim`'s layers): slim-style layer functions.

Each layer opens the variable scope TF 1.15's contrib opens (`fully_connected`, `Conv`,
`BatchNorm`, ...) and builds ortflow's `tf.layers` layer in it, through a variable getter that
renames the layer's weights the contrib way (`kernel` -> `weights`, `bias` -> `biases`) and adds
them to MODEL_VARIABLES, so a checkpoint written by a TF 1.x slim script restores by name:
`Conv/weights`, `Conv/biases`, `fully_connected/weights`, `BatchNorm/beta`,
`BatchNorm/moving_mean`, `BatchNorm/moving_variance`.

Every layer takes its defaults from `arg_scope` (it is decorated with `add_arg_scope`).
Initializers and regularizers use contrib's own formulas (`variance_scaling_initializer`'s
normal branch is a truncated normal with stddev sqrt(1.3 * factor / n)).
"""

from __future__ import annotations

import functools
import math
import numbers

from ortflow.api import array_ops, math_ops, nn, random_ops
from ortflow.api import initializers as _init
from ortflow.api import layers as _layers
from ortflow.api import summary as _summary
from ortflow.api import variable_scope as _vs
from ortflow.api.arg_scope import add_arg_scope, arg_scope
from ortflow.api.layers_base import _static_bool, smart_cond
from ortflow.api.ops_builder import apply_op, constant, convert_to_tensor
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import GraphKeys, get_default_graph

__all__ = [
    "apply_regularization",
    "arg_scope",
    "avg_pool2d",
    "batch_norm",
    "bias_add",
    "conv1d",
    "conv2d",
    "conv2d_transpose",
    "conv3d",
    "convolution",
    "convolution1d",
    "convolution2d",
    "convolution2d_transpose",
    "convolution3d",
    "dropout",
    "embed_sequence",
    "flatten",
    "fully_connected",
    "group_norm",
    "instance_norm",
    "l1_l2_regularizer",
    "l1_regularizer",
    "l2_regularizer",
    "layer_norm",
    "linear",
    "max_pool2d",
    "model_variable",
    "one_hot_encoding",
    "optimize_loss",
    "relu",
    "relu6",
    "repeat",
    "separable_conv2d",
    "separable_convolution2d",
    "softmax",
    "stack",
    "sum_regularizer",
    "summarize_activation",
    "summarize_activations",
    "summarize_collection",
    "summarize_tensor",
    "summarize_tensors",
    "variable",
    "variance_scaling_initializer",
    "xavier_initializer",
    "xavier_initializer_conv2d",
]

_NHWC, _NCHW = "NHWC", "NCHW"
# contrib's default biases initializer (one instance, shared: initializers hold no state).
_ZEROS = _init.Zeros()


# -- initializers (contrib's formulas, not tf.variance_scaling_initializer's) ---------------------

def _contrib_fans(shape) -> tuple[float, float]:
    # contrib counts a vector's only axis as both fans and a scalar as 1, 1.
    shape = [int(d) for d in shape]
    if not shape:
        return 1.0, 1.0
    fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1])
    fan_out = float(shape[-1])
    for d in shape[:-2]:
        fan_in *= d
        fan_out *= d
    return fan_in, fan_out


def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None, dtype=_dtypes.float32):
    """contrib's variance scaling: stddev sqrt(factor / n), n the fan-in, fan-out or their mean.

    The uniform branch samples in [-sqrt(3 factor / n), +sqrt(3 factor / n)]; the normal branch
    is a truncated normal with stddev sqrt(1.3 factor / n) (1.3 roughly undoes the truncation).

    Raises:
        TypeError: a non-floating `dtype` or a `mode` other than FAN_IN, FAN_OUT, FAN_AVG.
    """
    if not _dtypes.as_dtype(dtype).is_floating:
        raise TypeError("Cannot create initializer for non-floating point type.")
    if mode not in ("FAN_IN", "FAN_OUT", "FAN_AVG"):
        raise TypeError(f"Unknown mode {mode!r}: expected one of 'FAN_IN', 'FAN_OUT', 'FAN_AVG'")
    default_dtype = dtype

    def initializer(shape, dtype=default_dtype, partition_info=None):
        dtype = _dtypes.as_dtype(dtype)
        if not dtype.is_floating:
            raise TypeError("Cannot create initializer for non-floating point type.")
        fan_in, fan_out = _contrib_fans(shape if partition_info is None else partition_info.full_shape)
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2.0}[mode]
        if uniform:
            limit = math.sqrt(3.0 * factor / n)
            return random_ops.random_uniform(shape, -limit, limit, dtype, seed=seed)
        return random_ops.truncated_normal(shape, 0.0, math.sqrt(1.3 * factor / n), dtype, seed=seed)

    return initializer


def xavier_initializer(uniform=True, seed=None, dtype=_dtypes.float32):
    """Glorot's initializer: `variance_scaling_initializer(1.0, 'FAN_AVG', uniform)`."""
    return variance_scaling_initializer(factor=1.0, mode="FAN_AVG", uniform=uniform, seed=seed, dtype=dtype)


xavier_initializer_conv2d = xavier_initializer


# -- regularizers -------------------------------------------------------------------------------

def _check_scale(scale) -> bool:
    """False when the scale switches the regularizer off (0.0)."""
    if isinstance(scale, numbers.Integral):
        raise ValueError(f"scale cannot be an integer: {scale!r}")  # noqa: TRY004 (TF's exception type)
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale:g}")
        return scale != 0.0
    return True


def _scaled_penalty(scale, scope, default_name, penalty):
    if not _check_scale(scale):
        return lambda _weights: None

    def regularizer(weights, name=None):
        with _vs.name_scope(scope, default_name, [weights]) as opened:
            my_scale = convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return math_ops.multiply(my_scale, penalty(weights), name=opened)
    return regularizer


def l1_regularizer(scale, scope=None):
    """A regularizer `scale * sum(|w|)` (name scope `l1_regularizer`); scale 0.0 gives None.

    Raises:
        ValueError: an integer or negative `scale`.
    """
    return _scaled_penalty(scale, scope, "l1_regularizer",
                           lambda w: math_ops.reduce_sum(math_ops.abs(w)))


def l2_regularizer(scale, scope=None):
    """A regularizer `scale * sum(w**2) / 2` (`tf.nn.l2_loss`); scale 0.0 gives None.

    Raises:
        ValueError: an integer or negative `scale`.
    """
    return _scaled_penalty(scale, scope, "l2_regularizer", nn.l2_loss)


def sum_regularizer(regularizer_list, scope=None):
    """A regularizer adding the penalties of `regularizer_list` (None entries dropped), or None."""
    regularizers = [r for r in regularizer_list if r is not None]
    if not regularizers:
        return None

    def summed(weights):
        with _vs.name_scope(scope, "sum_regularizer", [weights]) as name:
            penalties = [r(weights) for r in regularizers]
            penalties = [p for p in penalties if p is not None]
            return math_ops.add_n(penalties, name=name) if penalties else None
    return summed


def l1_l2_regularizer(scale_l1=1.0, scale_l2=1.0, scope=None):
    """The sum of an L1 and an L2 regularizer, in name scope `l1_l2_regularizer`."""
    if scale_l1 == 0.0 and scale_l2 == 0.0 and not isinstance(scale_l1, numbers.Integral):
        return lambda _weights: None
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)],
                           scope=scope or "l1_l2_regularizer")


def apply_regularization(regularizer, weights_list=None):
    """Sums `regularizer(w)` over `weights_list` (default: the WEIGHTS collection).

    The sum is named `get_regularization_penalty` and added to REGULARIZATION_LOSSES.

    Raises:
        ValueError: no weights, or a penalty that is not a scalar.
    """
    g = get_default_graph()
    if not weights_list:
        weights_list = g.get_collection(GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("No weights to regularize.")
    with g.name_scope("get_regularization_penalty") as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p if p is not None else constant(0.0) for p in penalties]
        for p in penalties:
            if p.shape.rank != 0:
                raise ValueError("regularizer must return a scalar Tensor instead of a Tensor with rank "
                                 f"{p.shape.rank}.")
        total = math_ops.add_n(penalties, name=scope)
    g.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, total)
    return total


# -- model variables ----------------------------------------------------------------------------

def variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
             collections=None, caching_device=None, device=None, partitioner=None, custom_getter=None,
             use_resource=None, **kwargs):
    """`get_variable` in GLOBAL_VARIABLES (or `collections`), optionally on `device`."""
    collections = list(dict.fromkeys(collections if collections is not None else [GraphKeys.GLOBAL_VARIABLES]))
    getter = custom_getter or _vs.get_variable
    with get_default_graph().device(device or ""):
        return getter(name=name, shape=shape, dtype=dtype if dtype is not None else _dtypes.float32,
                      initializer=initializer, regularizer=regularizer, trainable=trainable,
                      collections=collections, caching_device=caching_device, partitioner=partitioner,
                      use_resource=use_resource)


variable = add_arg_scope(variable)


@add_arg_scope
def model_variable(name, shape=None, dtype=_dtypes.float32, initializer=None, regularizer=None,
                   trainable=True, collections=None, caching_device=None, device=None, partitioner=None,
                   custom_getter=None, use_resource=None, **kwargs):
    """A `variable` also in MODEL_VARIABLES (the variables a slim checkpoint holds)."""
    collections = list(collections or []) + [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
    return variable(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                    trainable=trainable, collections=collections, caching_device=caching_device,
                    device=device, partitioner=partitioner, custom_getter=custom_getter,
                    use_resource=use_resource)


def _renaming_getter(rename=None):
    """A variable-scope custom getter: the layer's weights become model variables, renamed."""
    rename = rename or {}

    def getter(getter, name, *args, **kwargs):
        head, _, short = name.rpartition("/")
        if short in rename:
            name = f"{head}/{rename[short]}" if head else rename[short]
        kwargs["collections"] = list(dict.fromkeys(list(kwargs.get("collections") or [])
                                                   + [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]))
        return getter(name, *args, **kwargs)
    return getter


_WEIGHTS_BIASES = {"kernel": "weights", "bias": "biases"}


def _collections_for(variables_collections, name: str) -> list:
    if isinstance(variables_collections, dict):
        found = variables_collections.get(name)
        return list(found) if found else []
    return list(variables_collections or [])


def _add_to_collections(var, variables_collections, name: str) -> None:
    if var is None:
        return
    g = get_default_graph()
    for collection in _collections_for(variables_collections, name):
        if not any(v is var for v in g.get_collection(collection)):
            g.add_to_collection(collection, var)


def _collect_outputs(collections, alias: str, outputs):
    """Adds `outputs` to `collections` (slim's `outputs_collections`), as contrib does."""
    if collections:
        g = get_default_graph()
        for collection in ([collections] if isinstance(collections, str) else collections):
            g.add_to_collection(collection, outputs)
    return outputs


def _finish(outputs, normalizer_fn, normalizer_params, activation_fn, outputs_collections, scope_name):
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **(normalizer_params or {}))
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    return _collect_outputs(outputs_collections, scope_name, outputs)


def _uses_bias(normalizer_fn, biases_initializer) -> bool:
    return normalizer_fn is None and biases_initializer is not None


# -- dense and convolution layers ---------------------------------------------------------------

@add_arg_scope
def fully_connected(inputs, num_outputs, activation_fn=nn.relu, normalizer_fn=None, normalizer_params=None,
                    weights_initializer=None, weights_regularizer=None,
                    biases_initializer=_ZEROS, biases_regularizer=None, reuse=None,
                    variables_collections=None, outputs_collections=None, trainable=True, scope=None):
    """`activation_fn(normalizer_fn(inputs @ weights (+ biases)))` in variable scope `fully_connected`.

    Variables `<scope>/weights` [in, num_outputs] (xavier by default) and `<scope>/biases`
    (only without a normalizer and with a biases initializer).

    Raises:
        ValueError: `num_outputs` is not an integer.
    """
    if not isinstance(num_outputs, numbers.Integral) or isinstance(num_outputs, bool):
        raise ValueError(f"num_outputs should be int or long, got {num_outputs!r}.")  # noqa: TRY004 (as TF)
    weights_initializer = weights_initializer if weights_initializer is not None else xavier_initializer()
    with _vs.variable_scope(scope, "fully_connected", [inputs], reuse=reuse,
                            custom_getter=_renaming_getter(_WEIGHTS_BIASES)) as sc:
        inputs = convert_to_tensor(inputs)
        layer = _layers.Dense(num_outputs, activation=None,
                              use_bias=_uses_bias(normalizer_fn, biases_initializer),
                              kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
                              kernel_regularizer=weights_regularizer, bias_regularizer=biases_regularizer,
                              trainable=trainable, name=sc.name, dtype=inputs.dtype.base_dtype,
                              _scope=sc, _reuse=reuse)
        outputs = layer.apply(inputs)
        _add_to_collections(layer.kernel, variables_collections, "weights")
        _add_to_collections(layer.bias, variables_collections, "biases")
        return _finish(outputs, normalizer_fn, normalizer_params, activation_fn, outputs_collections, sc.name)


def _conv_class(rank):
    classes = {3: _layers.Conv1D, 4: _layers.Conv2D, 5: _layers.Conv3D}
    if rank not in classes:
        raise ValueError(f"Convolution not supported for input with rank {rank}: expected 3, 4 or 5")
    return classes[rank]


def _channels_format(data_format) -> str:
    return "channels_first" if data_format and data_format.startswith("NC") else "channels_last"


@add_arg_scope
def convolution(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None, rate=1,
                activation_fn=nn.relu, normalizer_fn=None, normalizer_params=None, weights_initializer=None,
                weights_regularizer=None, biases_initializer=_ZEROS, biases_regularizer=None,
                reuse=None, variables_collections=None, outputs_collections=None, trainable=True, scope=None):
    """An N-D convolution (N from the input's rank) in variable scope `Conv`.

    Variables `<scope>/weights` [kh, kw, in, num_outputs] and `<scope>/biases`; `rate` is the
    dilation.

    Raises:
        ValueError: an unknown `data_format` or an input rank other than 3, 4, 5.
    """
    if data_format not in (None, "NWC", "NCW", "NHWC", "NCHW", "NDHWC", "NCDHW"):
        raise ValueError(f"Invalid data_format: {data_format!r}")
    weights_initializer = weights_initializer if weights_initializer is not None else xavier_initializer()
    with _vs.variable_scope(scope, "Conv", [inputs], reuse=reuse,
                            custom_getter=_renaming_getter(_WEIGHTS_BIASES)) as sc:
        inputs = convert_to_tensor(inputs)
        layer = _conv_class(inputs.shape.rank)(
            num_outputs, kernel_size, strides=stride, padding=padding, data_format=_channels_format(data_format),
            dilation_rate=rate, activation=None, use_bias=_uses_bias(normalizer_fn, biases_initializer),
            kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
            kernel_regularizer=weights_regularizer, bias_regularizer=biases_regularizer, trainable=trainable,
            name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc, _reuse=reuse)
        outputs = layer.apply(inputs)
        _add_to_collections(layer.kernel, variables_collections, "weights")
        _add_to_collections(layer.bias, variables_collections, "biases")
        return _finish(outputs, normalizer_fn, normalizer_params, activation_fn, outputs_collections, sc.name)


convolution1d = convolution2d = convolution3d = convolution
conv1d = conv2d = conv3d = convolution


@add_arg_scope
def convolution2d_transpose(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=_NHWC,
                            activation_fn=nn.relu, normalizer_fn=None, normalizer_params=None,
                            weights_initializer=None, weights_regularizer=None,
                            biases_initializer=_ZEROS, biases_regularizer=None, reuse=None,
                            variables_collections=None, outputs_collections=None, trainable=True, scope=None):
    """A transposed 2-D convolution in variable scope `Conv2d_transpose` (weights [kh, kw, out, in]).

    Raises:
        ValueError: `data_format` is neither NHWC nor NCHW.
    """
    if data_format not in (_NCHW, _NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    weights_initializer = weights_initializer if weights_initializer is not None else xavier_initializer()
    with _vs.variable_scope(scope, "Conv2d_transpose", [inputs], reuse=reuse,
                            custom_getter=_renaming_getter(_WEIGHTS_BIASES)) as sc:
        inputs = convert_to_tensor(inputs)
        layer = _layers.Conv2DTranspose(
            num_outputs, kernel_size, strides=stride, padding=padding, data_format=_channels_format(data_format),
            activation=None, use_bias=_uses_bias(normalizer_fn, biases_initializer),
            kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
            kernel_regularizer=weights_regularizer, bias_regularizer=biases_regularizer, trainable=trainable,
            name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc, _reuse=reuse)
        outputs = layer.apply(inputs)
        _add_to_collections(layer.kernel, variables_collections, "weights")
        _add_to_collections(layer.bias, variables_collections, "biases")
        return _finish(outputs, normalizer_fn, normalizer_params, activation_fn, outputs_collections, sc.name)


conv2d_transpose = convolution2d_transpose


def _pair(value) -> tuple[int, int]:
    if isinstance(value, numbers.Integral):
        return int(value), int(value)
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(f"Expected an int or a pair of ints, got {value!r}")
    return value


@add_arg_scope
def separable_convolution2d(inputs, num_outputs, kernel_size, depth_multiplier=1, stride=1, padding="SAME",
                            data_format=_NHWC, rate=1, activation_fn=nn.relu, normalizer_fn=None,
                            normalizer_params=None, weights_initializer=None, weights_regularizer=None,
                            biases_initializer=_ZEROS, biases_regularizer=None, reuse=None,
                            variables_collections=None, outputs_collections=None, trainable=True, scope=None):
    """Depthwise (then, unless `num_outputs` is None, pointwise) convolution in scope `SeparableConv2d`.

    Variables `<scope>/depthwise_weights` [kh, kw, in, depth_multiplier], `<scope>/pointwise_weights`
    [1, 1, in * depth_multiplier, num_outputs] and `<scope>/biases`.

    Raises:
        ValueError: `data_format` is neither NHWC nor NCHW.
    """
    if data_format not in (_NCHW, _NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    weights_initializer = weights_initializer if weights_initializer is not None else xavier_initializer()
    rename = {"bias": "biases", "depthwise_kernel": "depthwise_weights", "pointwise_kernel": "pointwise_weights"}
    with _vs.variable_scope(scope, "SeparableConv2d", [inputs], reuse=reuse,
                            custom_getter=_renaming_getter(rename)) as sc:
        inputs = convert_to_tensor(inputs)
        use_bias = _uses_bias(normalizer_fn, biases_initializer)
        if num_outputs is None:
            outputs = _depthwise_only(inputs, kernel_size, depth_multiplier, stride, padding, data_format, rate,
                                      weights_initializer, weights_regularizer, trainable, variables_collections)
            if use_bias:
                biases = model_variable("biases", shape=[outputs.shape.as_list()[-1 if data_format == _NHWC else 1]],
                                        dtype=inputs.dtype.base_dtype, initializer=biases_initializer,
                                        regularizer=biases_regularizer, trainable=trainable,
                                        collections=_collections_for(variables_collections, "biases"))
                outputs = nn.bias_add(outputs, biases, data_format=data_format)
        else:
            layer = _layers.SeparableConv2D(
                num_outputs, kernel_size, strides=stride, padding=padding,
                data_format=_channels_format(data_format), dilation_rate=_pair(rate),
                depth_multiplier=depth_multiplier, activation=None, use_bias=use_bias,
                depthwise_initializer=weights_initializer, pointwise_initializer=weights_initializer,
                bias_initializer=biases_initializer, depthwise_regularizer=weights_regularizer,
                pointwise_regularizer=weights_regularizer, bias_regularizer=biases_regularizer,
                trainable=trainable, name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc, _reuse=reuse)
            outputs = layer.apply(inputs)
            _add_to_collections(layer.depthwise_kernel, variables_collections, "weights")
            _add_to_collections(layer.pointwise_kernel, variables_collections, "weights")
            _add_to_collections(layer.bias, variables_collections, "biases")
        return _finish(outputs, normalizer_fn, normalizer_params, activation_fn, outputs_collections, sc.name)


def _depthwise_only(inputs, kernel_size, depth_multiplier, stride, padding, data_format, rate,
                    weights_initializer, weights_regularizer, trainable, variables_collections):
    # separable_conv2d with num_outputs=None: one depthwise convolution, as MobileNet v1 uses it.
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride)
    dims = inputs.shape.as_list()
    channels = dims[-1] if data_format == _NHWC else dims[1]
    if channels is None:
        raise ValueError(f"The channel dimension of {inputs.name!r} must be known for separable_conv2d")
    weights = model_variable("depthwise_weights", shape=[kh, kw, channels, int(depth_multiplier)],
                             dtype=inputs.dtype.base_dtype, initializer=weights_initializer,
                             regularizer=weights_regularizer, trainable=trainable,
                             collections=_collections_for(variables_collections, "weights"))
    strides = [1, sh, sw, 1] if data_format == _NHWC else [1, 1, sh, sw]
    return nn.depthwise_conv2d(inputs, weights, strides, padding, rate=list(_pair(rate)), data_format=data_format)


separable_conv2d = separable_convolution2d


# -- pooling, flatten, dropout ------------------------------------------------------------------

def _pool(kind: str, default_scope: str, inputs, kernel_size, stride, padding, data_format, outputs_collections,
          scope):
    if data_format not in (_NCHW, _NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with _vs.name_scope(scope, default_scope, [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        kh, kw = _pair(kernel_size)
        sh, sw = _pair(stride)
        if data_format == _NHWC:
            ksize, strides = [1, kh, kw, 1], [1, sh, sw, 1]
        else:
            ksize, strides = [1, 1, kh, kw], [1, 1, sh, sw]
        fn = nn.max_pool if kind == "MaxPool" else nn.avg_pool
        outputs = fn(inputs, ksize, strides, padding.upper(), data_format=data_format, name=kind)
        return _collect_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def max_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format=_NHWC, outputs_collections=None,
               scope=None):
    """2-D max pooling in name scope `MaxPool2D` (op `MaxPool2D/MaxPool`)."""
    return _pool("MaxPool", "MaxPool2D", inputs, kernel_size, stride, padding, data_format, outputs_collections,
                 scope)


@add_arg_scope
def avg_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format=_NHWC, outputs_collections=None,
               scope=None):
    """2-D average pooling in name scope `AvgPool2D` (op `AvgPool2D/AvgPool`)."""
    return _pool("AvgPool", "AvgPool2D", inputs, kernel_size, stride, padding, data_format, outputs_collections,
                 scope)


@add_arg_scope
def flatten(inputs, outputs_collections=None, scope=None):
    """[batch, ...] -> [batch, k], in name scope `Flatten`.

    Raises:
        ValueError: the input's rank is unknown or below 2.
    """
    with _vs.name_scope(scope, "Flatten", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        rank = inputs.shape.rank
        if rank is None or rank < 2:
            raise ValueError(f"Inputs must have a least 2 dimensions, got the shape {inputs.shape} of "
                             f"{inputs.name!r}")
        outputs = _layers.flatten(inputs)
        return _collect_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True, outputs_collections=None, scope=None,
            seed=None):
    """Dropout keeping each element with probability `keep_prob` (scaled by 1/keep_prob).

    Note contrib's defaults: `is_training=True`, so an inference script passes False (or a bool
    tensor). Nothing happens when `is_training` is False.
    """
    with _vs.variable_scope(scope, "Dropout", [inputs], custom_getter=_renaming_getter()) as sc:
        inputs = convert_to_tensor(inputs)
        rate = 1 - keep_prob
        layer = _layers.Dropout(rate=rate, noise_shape=noise_shape, seed=seed, name=sc.name, _scope=sc)
        outputs = layer.apply(inputs, training=is_training)
        return _collect_outputs(outputs_collections, sc.name, outputs)


# -- normalization ------------------------------------------------------------------------------

@add_arg_scope
def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001, activation_fn=None,
               param_initializers=None, param_regularizers=None, updates_collections=GraphKeys.UPDATE_OPS,
               is_training=True, reuse=None, variables_collections=None, outputs_collections=None,
               trainable=True, batch_weights=None, fused=None, data_format=_NHWC, zero_debias_moving_mean=False,
               scope=None, renorm=False, renorm_clipping=None, renorm_decay=0.99, adjustment=None):
    """contrib's batch normalization, in variable scope `BatchNorm`.

    Note contrib's defaults, unlike `tf.layers`: `scale=False` (no gamma), `decay=0.999`,
    `is_training=True`. Variables `<scope>/beta`, `<scope>/gamma` (with `scale`),
    `<scope>/moving_mean`, `<scope>/moving_variance`, all model variables. The moving-average
    updates go to `updates_collections` (None: they run with the output).

    Raises:
        ValueError: a `data_format` other than NHWC/NCHW, an unknown rank or channel dimension.
        NotImplementedError: batch_weights, renorm, adjustment or zero_debias_moving_mean.
    """
    if data_format not in (_NCHW, _NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    if batch_weights is not None or renorm or adjustment is not None or zero_debias_moving_mean:
        raise NotImplementedError("batch_norm with batch_weights, renorm, adjustment or zero_debias_moving_mean "
                                  "is not supported by ortflow's tf.contrib.layers")
    fused = True if fused is None else fused
    inputs = convert_to_tensor(inputs)
    rank = inputs.shape.rank
    if rank is None:
        raise ValueError(f"Inputs {inputs.name!r} has undefined rank.")
    params = dict(param_initializers or {})
    if fused and rank in (2, 4) and (rank == 2 or updates_collections is not GraphKeys.UPDATE_OPS):
        return _fused_batch_norm(inputs, decay, center, scale, epsilon, activation_fn, params, updates_collections,
                                 is_training, reuse, variables_collections, outputs_collections, trainable,
                                 data_format, scope)
    if updates_collections is not GraphKeys.UPDATE_OPS:
        raise NotImplementedError("batch_norm with updates_collections other than UPDATE_OPS needs fused=True "
                                  "and a rank-2 or rank-4 input in ortflow")
    regularizers = dict(param_regularizers or {})
    with _vs.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse, custom_getter=_renaming_getter()) as sc:
        layer = _layers.BatchNormalization(
            axis=1 if data_format == _NCHW else -1, momentum=decay, epsilon=epsilon, center=center, scale=scale,
            beta_initializer=params.get("beta", _init.Zeros()), gamma_initializer=params.get("gamma", _init.Ones()),
            moving_mean_initializer=params.get("moving_mean", _init.Zeros()),
            moving_variance_initializer=params.get("moving_variance", _init.Ones()),
            beta_regularizer=regularizers.get("beta"), gamma_regularizer=regularizers.get("gamma"),
            trainable=trainable, fused=bool(fused) and rank == 4, name=sc.name, _scope=sc, _reuse=reuse)
        outputs = layer.apply(inputs, training=is_training)
        for name in ("moving_mean", "moving_variance", "beta", "gamma"):
            _add_to_collections(getattr(layer, name), variables_collections, name)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect_outputs(outputs_collections, sc.name, outputs)


def _bn_variables(params_shape, dtype, center, scale, params, variables_collections, trainable):
    def make(name, default, is_trainable):
        return model_variable(name, shape=params_shape, dtype=dtype, initializer=params.get(name, default),
                              collections=_collections_for(variables_collections, name), trainable=is_trainable)

    beta = make("beta", _init.Zeros(), trainable) if center else constant(0.0, dtype=dtype, shape=params_shape)
    gamma = make("gamma", _init.Ones(), trainable) if scale else constant(1.0, dtype=dtype, shape=params_shape)
    # As contrib: the moving statistics are never partitioned.
    with _vs.variable_scope(_vs.get_variable_scope(), auxiliary_name_scope=False) as local:
        local.set_partitioner(None)
        mean = make("moving_mean", _init.Zeros(), False)
        variance = make("moving_variance", _init.Ones(), False)
    return beta, gamma, mean, variance


def _fused_batch_norm(inputs, decay, center, scale, epsilon, activation_fn, params, updates_collections,
                      is_training, reuse, variables_collections, outputs_collections, trainable, data_format,
                      scope):
    # contrib's own fused path: rank-2 inputs become [-1, 1, 1, C] (NHWC) for FusedBatchNorm,
    # and the updates are conds placed in `updates_collections` (or run with the output).
    with _vs.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
        original = inputs
        rank = inputs.shape.rank
        if rank == 2:
            channels = inputs.shape.as_list()[-1]
            if channels is None:
                raise ValueError("`C` dimension must be known but is None")
            inputs = array_ops.reshape(inputs, [-1, channels, 1, 1] if data_format == _NCHW else [-1, 1, 1, channels])
        dims = inputs.shape.as_list()
        channels = dims[-1] if data_format == _NHWC else dims[1]
        if channels is None:
            raise ValueError(f"Inputs {inputs.name!r} has undefined `C` dimension.")
        dtype = inputs.dtype.base_dtype
        beta, gamma, mean_var, variance_var = _bn_variables([channels], dtype, center, scale, params,
                                                            variables_collections, trainable)

        # Every tensor a branch reads goes in through the cond's inputs (its Switch), as TF's
        # cond captures them.
        def normalize(is_train):
            def fn(x, g_, b_, m_, v_):
                if is_train:
                    return list(nn.fused_batch_norm(x, g_, b_, epsilon=epsilon, data_format=data_format))
                return list(nn.fused_batch_norm(x, g_, b_, mean=m_, variance=v_, epsilon=epsilon,
                                                is_training=False, data_format=data_format))
            return fn

        outputs, mean, variance = smart_cond(is_training, normalize(True), normalize(False),
                                             [inputs, gamma, beta, mean_var, variance_var])
        training_value = _static_bool(is_training)
        if training_value is None or training_value:
            # TF 1.15 wraps each update in a cond on `is_training`; ortflow's converter cannot yet
            # run an assignment inside a cond branch that reads another cond's outputs, so the
            # cond picks the decay instead: 1.0 when not training, where the fused op's mean and
            # variance are the moving ones and the update subtracts exactly 0.
            if training_value is None:
                decay = smart_cond(is_training, lambda: [constant(decay, dtype=dtype, name="decay")],
                                   lambda: [constant(1.0, dtype=dtype, name="decay")], [])[0]
            done = [_assign_moving_average(mean_var, mean, decay),
                    _assign_moving_average(variance_var, variance, decay)]
            if updates_collections is None:
                with get_default_graph().control_dependencies([t.op for t in done]):
                    outputs = array_ops.identity(outputs)
            else:
                g = get_default_graph()
                for collection in ([updates_collections] if isinstance(updates_collections, str)
                                   else updates_collections):
                    for update in done:
                        g.add_to_collection(collection, update)
        outputs.set_shape(inputs.shape)
        if rank == 2:
            outputs = array_ops.reshape(outputs, array_ops.shape(original))
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect_outputs(outputs_collections, sc.name, outputs)


def _assign_moving_average(var, value, decay):
    """`var -= (var - value) * (1 - decay)`, named as TF 1.15's assign_moving_average names it
    (scope `AssignMovingAvg`: Const `decay` holding 1 - decay, `sub`, `mul`, the AssignSub itself)."""
    g = get_default_graph()
    with g.name_scope("AssignMovingAvg") as scope, g.colocate_with(var.op):
        factor = constant(1.0 - decay, dtype=var.dtype.base_dtype, name="decay") \
            if isinstance(decay, numbers.Real) else math_ops.subtract(1.0, decay, name="decay")
        delta = math_ops.multiply(math_ops.subtract(var, value, name="sub"), factor, name="mul")
        return apply_op("AssignSub", [var, delta], name=scope).outputs[0]


@add_arg_scope
def layer_norm(inputs, center=True, scale=True, activation_fn=None, reuse=None, variables_collections=None,
               outputs_collections=None, trainable=True, begin_norm_axis=1, begin_params_axis=-1, scope=None):
    """Layer normalization over axes `begin_norm_axis:` (epsilon 1e-12), in variable scope `LayerNorm`.

    Variables `<scope>/beta` and `<scope>/gamma` of shape `inputs.shape[begin_params_axis:]`.

    Raises:
        ValueError: an unknown rank, axes past the rank, or a parameter shape not fully known.
    """
    with _vs.variable_scope(scope, "LayerNorm", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        rank = inputs.shape.rank
        if rank is None:
            raise ValueError(f"Inputs {inputs.name!r} has undefined rank.")
        if begin_norm_axis < 0:
            begin_norm_axis += rank
        if begin_params_axis >= rank or begin_norm_axis >= rank:
            raise ValueError(f"begin_params_axis ({begin_params_axis}) and begin_norm_axis ({begin_norm_axis}) "
                             f"must be < rank(inputs) ({rank})")
        params_shape = inputs.shape.as_list()[begin_params_axis:]
        if any(d is None for d in params_shape):
            raise ValueError(f"Inputs {inputs.name!r}: shape(inputs)[{begin_params_axis}:] is not fully defined: "
                             f"{inputs.shape}")
        dtype = inputs.dtype.base_dtype
        beta = gamma = None
        if center:
            beta = model_variable("beta", shape=params_shape, dtype=dtype, initializer=_ZEROS,
                                  collections=_collections_for(variables_collections, "beta"), trainable=trainable)
        if scale:
            gamma = model_variable("gamma", shape=params_shape, dtype=dtype, initializer=_init.Ones(),
                                   collections=_collections_for(variables_collections, "gamma"), trainable=trainable)
        mean, variance = nn.moments(inputs, list(range(begin_norm_axis, rank)), keep_dims=True)
        outputs = nn.batch_normalization(inputs, mean, variance, offset=beta, scale=gamma, variance_epsilon=1e-12)
        outputs.set_shape(inputs.shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect_outputs(outputs_collections, sc.name, outputs)


def _norm_params(params_shape, dtype, center, scale, params, variables_collections, trainable, broadcast=None):
    """beta and gamma model variables (or None), reshaped to `broadcast` when given."""
    made = []
    for name, wanted, default in (("beta", center, _ZEROS), ("gamma", scale, _init.Ones())):
        var = None
        if wanted:
            var = model_variable(name, shape=params_shape, dtype=dtype, initializer=params.get(name, default),
                                 collections=_collections_for(variables_collections, name), trainable=trainable)
            if broadcast is not None:
                var = array_ops.reshape(var, broadcast)
        made.append(var)
    return made


@add_arg_scope
def instance_norm(inputs, center=True, scale=True, epsilon=1e-6, activation_fn=None, param_initializers=None,
                  reuse=None, variables_collections=None, outputs_collections=None, trainable=True,
                  data_format=_NHWC, scope=None):
    """Instance normalization: each example's channels normalized over their spatial axes.

    Variable scope `InstanceNorm`; `beta`/`gamma` of shape [channels]; epsilon 1e-6.

    Raises:
        ValueError: an unknown rank or channel dimension, or a bad `data_format`.
    """
    inputs = convert_to_tensor(inputs)
    rank = inputs.shape.rank
    if rank is None:
        raise ValueError(f"Inputs {inputs.name!r} has undefined rank.")
    if data_format not in (_NCHW, _NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with _vs.variable_scope(scope, "InstanceNorm", [inputs], reuse=reuse) as sc:
        channel_axis = 1 if data_format == _NCHW else rank - 1
        channels = inputs.shape.as_list()[channel_axis]
        if channels is None:
            raise ValueError(f"Inputs {inputs.name!r} has undefined channels dimension.")
        broadcast = [1, channels] + [1] * (rank - 2) if data_format == _NCHW else None
        beta, gamma = _norm_params([channels], inputs.dtype.base_dtype, center, scale, param_initializers or {},
                                   variables_collections, trainable, broadcast)
        axes = [a for a in range(1, rank) if a != channel_axis]
        mean, variance = nn.moments(inputs, axes, keep_dims=True)
        outputs = nn.batch_normalization(inputs, mean, variance, beta, gamma, epsilon, name="instancenorm")
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect_outputs(outputs_collections, sc.name, outputs)


def _group_norm_axes(inputs, groups, channels_axis, reduction_axes):
    # Checks the axes as contrib does; returns (channels axis, channels, reduction axes), all >= 0.
    rank = inputs.shape.rank
    if rank is None:
        raise ValueError(f"Inputs {inputs.name!r} has undefined rank.")
    if channels_axis > rank - 1:
        raise ValueError("Axis is out of bounds.")
    channels_axis = channels_axis + rank if channels_axis < 0 else channels_axis
    dims = inputs.shape.as_list()
    channels = dims[channels_axis]
    if channels is None:
        raise ValueError(f"Inputs {inputs.name!r} has undefined channel dimension: {channels_axis}.")
    axes = [a + rank if a < 0 else a for a in reduction_axes]
    for a in axes:
        if a >= rank:
            raise ValueError("Axis is out of bounds.")
        if dims[a] is None:
            raise ValueError(f"Inputs {inputs.name!r} has undefined dimensions {a}.")
        if a == channels_axis:
            raise ValueError("reduction_axis must be mutually exclusive with channels_axis")
    if groups > channels:
        raise ValueError(f"Invalid groups {groups} for {channels} channels.")
    if channels % groups:
        raise ValueError(f"{channels} channels is not commensurate with {groups} groups.")
    return channels_axis, channels, axes


@add_arg_scope
def group_norm(inputs, groups=32, channels_axis=-1, reduction_axes=(-3, -2), center=True, scale=True, epsilon=1e-6,
               activation_fn=None, param_initializers=None, reuse=None, variables_collections=None,
               outputs_collections=None, trainable=True, scope=None):
    """Group normalization: the channels split into `groups`, each normalized over `reduction_axes`.

    Variable scope `GroupNorm`; `beta`/`gamma` of shape [channels]; epsilon 1e-6.

    Raises:
        ValueError: unknown rank or dimensions, axes out of bounds or overlapping, or `groups`
            not dividing the channels.
    """
    inputs = convert_to_tensor(inputs)
    channels_axis, channels, axes = _group_norm_axes(inputs, groups, channels_axis, reduction_axes)
    rank = inputs.shape.rank
    original_shape = array_ops.shape(inputs)
    before = [array_ops.shape(inputs)[i] for i in range(channels_axis)]
    after = [array_ops.shape(inputs)[i] for i in range(channels_axis + 1, rank)]
    grouped = array_ops.reshape(inputs, array_ops.stack(before + [groups, channels // groups] + after))
    broadcast = [1] * len(before) + [groups, channels // groups] + [1] * len(after)
    moments_axes = [channels_axis + 1] + [a + 1 if a > channels_axis else a for a in axes]
    with _vs.variable_scope(scope, "GroupNorm", [grouped], reuse=reuse) as sc:
        beta, gamma = _norm_params([channels], inputs.dtype.base_dtype, center, scale, param_initializers or {},
                                   variables_collections, trainable, broadcast)
        mean, variance = nn.moments(grouped, moments_axes, keep_dims=True)
        gain = math_ops.rsqrt(variance + epsilon)
        offset = -mean * gain
        if gamma is not None:
            gain, offset = gain * gamma, offset * gamma
        if beta is not None:
            offset = offset + beta
        outputs = array_ops.reshape(grouped * gain + offset, original_shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def bias_add(inputs, activation_fn=None, initializer=_ZEROS, regularizer=None, reuse=None,
             variables_collections=None, outputs_collections=None, trainable=True, data_format=_NHWC, scope=None):
    """Adds a `biases` model variable (variable scope `BiasAdd`) along the channel axis."""
    if data_format not in (_NCHW, _NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with _vs.variable_scope(scope, "BiasAdd", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        dims = inputs.shape.as_list() if inputs.shape.rank is not None else None
        if dims is None:
            raise ValueError("Dims of shape must be known but is None")
        if data_format == _NCHW and len(dims) != 4:
            raise ValueError("Data format NCHW only supports 4D Tensor")
        features = dims[1 if data_format == _NCHW else -1]
        if features is None:
            raise ValueError("`C` dimension must be known but is None")
        biases = model_variable("biases", shape=[features], dtype=inputs.dtype.base_dtype, initializer=initializer,
                                regularizer=regularizer, collections=_collections_for(variables_collections, "biases"),
                                trainable=trainable)
        outputs = nn.bias_add(inputs, biases, data_format=data_format)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect_outputs(outputs_collections, sc.name, outputs)


# -- small layers -------------------------------------------------------------------------------

@add_arg_scope
def one_hot_encoding(labels, num_classes, on_value=1.0, off_value=0.0, outputs_collections=None, scope=None):
    """`tf.one_hot` of `labels` (int32 labels are cast to int64 first), in name scope `OneHotEncoding`."""
    with _vs.name_scope(scope, "OneHotEncoding", [labels]) as sc:
        labels = convert_to_tensor(labels)
        if labels.dtype.base_dtype == _dtypes.int32:
            labels = math_ops.cast(labels, _dtypes.int64, name="ToInt64")
        outputs = array_ops.one_hot(labels, num_classes, on_value=on_value, off_value=off_value)
        return _collect_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def softmax(logits, scope=None):
    """Softmax over the last axis of an N-D tensor, in variable scope `softmax`."""
    with _vs.variable_scope(scope, "softmax", [logits]):
        logits = convert_to_tensor(logits)
        depth = logits.shape.as_list()[-1]
        flat = array_ops.reshape(logits, [-1, depth])
        out = array_ops.reshape(nn.softmax(flat), array_ops.shape(logits))
        out.set_shape(logits.shape)
        return out


def embed_sequence(ids, vocab_size=None, embed_dim=None, unique=False, initializer=None, regularizer=None,
                   trainable=True, scope=None, reuse=None):
    """Looks `ids` up in a [vocab_size, embed_dim] model variable `<scope>/embeddings` (`EmbedSequence`)."""
    if unique:
        raise NotImplementedError("embed_sequence(unique=True) is not supported by ortflow")
    with _vs.variable_scope(scope, "EmbedSequence", [ids], reuse=reuse):
        embeddings = model_variable("embeddings", shape=[vocab_size, embed_dim], dtype=_dtypes.float32,
                                    initializer=initializer, regularizer=regularizer, trainable=trainable)
        return nn.embedding_lookup(embeddings, ids)


def _layer_scope_name(layer) -> str:
    if hasattr(layer, "__name__"):
        return layer.__name__
    if hasattr(layer, "func") and hasattr(layer.func, "__name__"):
        return layer.func.__name__
    return "repeat"


def repeat(inputs, repetitions, layer, *args, **kwargs):
    """Applies `layer` `repetitions` times, in scopes `<scope>/<scope>_1`, `_2`, ... (`Repeat`)."""
    scope = kwargs.pop("scope", None)
    with _vs.variable_scope(scope, "Repeat", [inputs]):
        outputs = convert_to_tensor(inputs)
        name = scope if scope is not None else _layer_scope_name(layer)
        for i in range(repetitions):
            outputs = layer(outputs, *args, **{**kwargs, "scope": f"{name}_{i + 1}"})
        return outputs


def stack(inputs, layer, stack_args, **kwargs):
    """Applies `layer` once per entry of `stack_args`, in scopes `<scope>/<scope>_1`, ... (`Stack`).

    Raises:
        ValueError: `stack_args` is not a list or tuple.
    """
    scope = kwargs.pop("scope", None)
    if not isinstance(stack_args, (list, tuple)):
        raise ValueError("stack_args need to be a list or tuple")  # noqa: TRY004 (TF's exception type)
    with _vs.variable_scope(scope, "Stack", [inputs]):
        outputs = convert_to_tensor(inputs)
        name = scope if scope is not None else _layer_scope_name(layer)
        for i, layer_args in enumerate(stack_args):
            layer_args = layer_args if isinstance(layer_args, (list, tuple)) else [layer_args]
            outputs = layer(outputs, *layer_args, **{**kwargs, "scope": f"{name}_{i + 1}"})
        return outputs


linear = functools.partial(fully_connected, activation_fn=None)
relu = functools.partial(fully_connected, activation_fn=nn.relu)
relu6 = functools.partial(fully_connected, activation_fn=nn.relu6)


def optimize_loss(*args, **kwargs):
    """Training only: not part of ortflow (which builds graphs for inference and checkpoints).

    Raises:
        NotImplementedError: always.
    """
    raise NotImplementedError("tf.contrib.layers.optimize_loss builds a training op; ortflow has no gradients, "
                              "so it is not supported")


# -- summaries ----------------------------------------------------------------------------------

def summarize_tensor(tensor, tag=None):
    """A scalar summary for a scalar tensor, else a histogram, named `tag` or the op's name."""
    tag = tag or tensor.op.name
    if tensor.shape.rank == 0:
        return _summary.scalar(tag, tensor)
    return _summary.histogram(tag, tensor)


def summarize_tensors(tensors, summarizer=summarize_tensor):
    """`summarizer(t)` for each tensor."""
    return [summarizer(t) for t in tensors]


def summarize_activation(op):
    """A histogram of an activation plus, for Relu/Relu6 outputs, the fraction of zeros."""
    out = [summarize_tensor(op, f"{op.op.name}/activation")]
    if op.op.type in ("Relu", "Relu6"):
        out.append(_summary.scalar(f"{op.op.name}/zeros", nn.zero_fraction(op)))
    return out


def summarize_collection(collection, name_filter=None, summarizer=summarize_tensor):
    """`summarizer` over the tensors of `collection` whose name matches `name_filter` (a regex)."""
    import re

    tensors = [t for t in get_default_graph().get_collection(collection)
               if name_filter is None or re.match(name_filter, t.op.name)]
    return summarize_tensors(tensors, summarizer)


def summarize_activations(name_filter=None, summarizer=summarize_activation):
    """`summarize_activation` over the ACTIVATIONS collection."""
    return summarize_collection(GraphKeys.ACTIVATIONS, name_filter, summarizer)
