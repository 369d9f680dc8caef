"""`tf.nn`: activations, convolution and pooling, normalization, cross entropies."""

from __future__ import annotations

from ortflow.api import array_ops, math_ops
from ortflow.api.ops_builder import apply_op, apply_op_output, convert_to_tensor, graph_of
from ortflow.formats import dtypes as _dtypes

__all__ = [
    "avg_pool",
    "batch_normalization",
    "bias_add",
    "conv2d",
    "conv2d_transpose",
    "depthwise_conv2d",
    "dropout",
    "elu",
    "embedding_lookup",
    "fused_batch_norm",
    "in_top_k",
    "l2_loss",
    "l2_normalize",
    "leaky_relu",
    "local_response_normalization",
    "log_softmax",
    "lrn",
    "max_pool",
    "moments",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "sigmoid_cross_entropy_with_logits",
    "softmax",
    "softmax_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits_v2",
    "softplus",
    "softsign",
    "sparse_softmax_cross_entropy_with_logits",
    "tanh",
    "top_k",
    "weighted_cross_entropy_with_logits",
    "xw_plus_b",
]


def _activation(op_type: str):
    def fn(features, name=None):
        return apply_op_output(op_type, [features], name=name or op_type)
    fn.__name__ = op_type.lower()
    fn.__doc__ = f"`{op_type}` activation."
    return fn


relu = _activation("Relu")
relu6 = _activation("Relu6")
elu = _activation("Elu")
selu = _activation("Selu")
softplus = _activation("Softplus")
softsign = _activation("Softsign")
sigmoid = math_ops.sigmoid
tanh = math_ops.tanh
softmax = math_ops.softmax
log_softmax = math_ops.log_softmax
bias_add = math_ops.bias_add
l2_normalize = math_ops.l2_normalize
top_k = math_ops.top_k
in_top_k = math_ops.in_top_k


def leaky_relu(features, alpha=0.2, name=None):
    """`LeakyRelu` with slope `alpha` below zero."""
    return apply_op_output("LeakyRelu", [features], {"alpha": float(alpha)}, name=name or "LeakyRelu")


def _strides4(strides, data_format: str):
    if isinstance(strides, int):
        strides = [strides, strides]
    strides = list(strides)
    if len(strides) == 2:
        return [1, *strides, 1] if data_format == "NHWC" else [1, 1, *strides]
    return strides


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,
           data_format="NHWC", dilations=(1, 1, 1, 1), name=None, filters=None):
    """2-D convolution (`Conv2D`); `padding` is "SAME", "VALID" or explicit pairs."""
    filter = filters if filter is None else filter
    attrs = {"strides": _strides4(strides, data_format), "use_cudnn_on_gpu": bool(use_cudnn_on_gpu),
             "data_format": data_format, "dilations": _strides4(dilations, data_format)}
    if isinstance(padding, str):
        attrs["padding"] = padding
    else:
        attrs["padding"] = "EXPLICIT"
        attrs["explicit_paddings"] = [int(p) for pair in padding for p in pair]
    return apply_op_output("Conv2D", [input, filter], attrs, name=name or "Conv2D")


def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None, data_format="NHWC",
                     dilations=None):
    """Depthwise 2-D convolution (`DepthwiseConv2dNative`)."""
    attrs = {"strides": _strides4(strides, data_format), "padding": padding, "data_format": data_format,
             "dilations": _strides4(dilations or rate or [1, 1], data_format)}
    g = graph_of(input)
    with g.as_default(), g.name_scope(name or "depthwise") as scope:
        from ortflow.api.ops_builder import constant

        input = convert_to_tensor(input)
        # TF's space-to-batch wrapper leaves these two (unused without dilation) in the graph.
        array_ops.shape(filter)
        constant(attrs["dilations"][1:3] if data_format == "NHWC" else attrs["dilations"][2:], name="dilation_rate")
        return apply_op_output("DepthwiseConv2dNative", [input, filter], attrs, name=scope)


def conv2d_transpose(value, filter, output_shape, strides, padding="SAME", data_format="NHWC",
                     name=None, dilations=None):
    """Transposed 2-D convolution (`Conv2DBackpropInput`)."""
    attrs = {"strides": _strides4(strides, data_format), "padding": padding, "data_format": data_format,
             "dilations": _strides4(dilations or [1, 1], data_format)}
    g = graph_of(value)
    with g.as_default(), g.name_scope(name or "conv2d_transpose") as scope:
        return apply_op_output("Conv2DBackpropInput", [output_shape, filter, value], attrs, name=scope)


def _pool(op_type: str, default_name: str):
    def fn(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):
        value = input if value is None else value
        attrs = {"ksize": _strides4(ksize, data_format), "strides": _strides4(strides, data_format),
                 "padding": padding, "data_format": data_format}
        return apply_op_output(op_type, [value], attrs, name=name or default_name)
    fn.__name__ = default_name
    fn.__doc__ = f"`{op_type}` pooling."
    return fn


max_pool = _pool("MaxPool", "MaxPool")
avg_pool = _pool("AvgPool", "AvgPool")


def _strides5(strides):
    strides = list(strides)
    return [1, *strides, 1] if len(strides) == 3 else strides


def conv3d(input, filter=None, strides=None, padding=None, data_format="NDHWC",
           dilations=(1, 1, 1, 1, 1), name=None, filters=None):
    """3-D convolution (`Conv3D`)."""
    filter = filters if filter is None else filter
    return apply_op_output("Conv3D", [input, filter], {"strides": _strides5(strides), "padding": padding,
                                                       "data_format": data_format,
                                                       "dilations": _strides5(dilations)}, name=name or "Conv3D")


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):
    return apply_op_output("MaxPool3D", [input], {"ksize": _strides5(ksize), "strides": _strides5(strides),
                                                  "padding": padding, "data_format": data_format},
                           name=name or "MaxPool3D")


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):
    return apply_op_output("AvgPool3D", [input], {"ksize": _strides5(ksize), "strides": _strides5(strides),
                                                  "padding": padding, "data_format": data_format},
                           name=name or "AvgPool3D")


depth_to_space = array_ops.depth_to_space
space_to_depth = array_ops.space_to_depth


def l2_loss(t, name=None):
    """sum(t ** 2) / 2 (`L2Loss`)."""
    return apply_op_output("L2Loss", [t], name=name or "L2Loss")


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """Zeroes elements with probability `rate` (= 1 - keep_prob) and scales the rest by 1/(1-rate).

    Raises:
        ValueError: a numeric rate outside [0, 1), or a non-float `x`.
    """
    from ortflow.api import random_ops

    if rate is None:
        if keep_prob is None:
            raise ValueError("dropout needs keep_prob or rate")
        rate = 1.0 - keep_prob if isinstance(keep_prob, (int, float)) else math_ops.subtract(1.0, keep_prob)
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "dropout"):
        is_number = isinstance(rate, (int, float))
        if is_number and not 0 <= rate < 1:
            raise ValueError(f"`rate` must be a scalar tensor or a float in the range [0, 1). Received: rate={rate}")
        x = convert_to_tensor(x, name="x")
        dtype = x.dtype.base_dtype
        if not dtype.is_floating:
            raise ValueError(f"`x.dtype` must be a floating point tensor as `x` will be scaled. Received: "
                             f"x_dtype={dtype.name}")
        if is_number and rate == 0:
            return x
        if is_number:
            from ortflow.api.ops_builder import constant

            scaled = apply_op_output("Mul", [x, constant(1 / (1 - rate), dtype=dtype)], name="Mul")
        else:
            rate = math_ops.cast(rate, dtype)
            from ortflow.api.ops_builder import constant

            one = constant(1, dtype=dtype)
            scaled = apply_op_output("RealDiv", [x, apply_op_output("Sub", [one, rate], name="Sub")],
                                     name="RealDiv")
        shape = array_ops.shape(x) if noise_shape is None else noise_shape
        random = random_ops.random_uniform(shape, seed=seed, dtype=dtype)
        keep = random >= rate
        from ortflow.api.ops_builder import constant

        out = apply_op_output("SelectV2", [keep, scaled, constant(0, dtype=dtype)], name="SelectV2")
        if x.shape.rank is not None:
            out.set_shape(x.shape)
        return out


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """max(x, 0) - x * z + log(1 + exp(-|x|)), TF's stable form."""
    g = graph_of(logits, labels)
    with g.as_default(), g.name_scope(name or "logistic_loss") as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, dtype=logits.dtype.base_dtype, name="labels")
        zeros = array_ops.zeros_like(logits)
        cond = math_ops.greater_equal(logits, zeros)
        relu_logits = array_ops.where(cond, logits, zeros)
        neg_abs_logits = array_ops.where(cond, math_ops.negative(logits), logits)
        return apply_op_output("AddV2", [relu_logits - logits * labels,
                                         math_ops.log1p(math_ops.exp(neg_abs_logits))], name=scope)


def weighted_cross_entropy_with_logits(labels=None, logits=None, pos_weight=None, name=None, targets=None):
    labels = targets if labels is None else labels
    g = graph_of(logits, labels)
    with g.as_default(), g.name_scope(name or "logistic_loss") as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, dtype=logits.dtype.base_dtype, name="labels")
        log_weight = math_ops.add(1.0, math_ops.multiply(math_ops.subtract(pos_weight, 1.0), labels))
        softplus_term = math_ops.add(math_ops.log1p(math_ops.exp(math_ops.negative(math_ops.abs(logits)))),
                                     relu(math_ops.negative(logits)))
        return apply_op_output("AddV2", [
            math_ops.multiply(math_ops.subtract(1.0, labels), logits),
            math_ops.multiply(log_weight, softplus_term)], name=scope)


def softmax_cross_entropy_with_logits_v2(labels=None, logits=None, axis=-1, name=None, dim=None):
    """Per-row cross entropy of softmax(logits) against `labels` (`SoftmaxCrossEntropyWithLogits`)."""
    g = graph_of(logits, labels)
    with g.as_default(), g.name_scope(name or "softmax_cross_entropy_with_logits") as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, dtype=logits.dtype.base_dtype, name="labels")
        input_rank = array_ops.rank(logits)
        input_shape = array_ops.shape(logits)
        flat_logits = _flatten_outer_dims(logits)
        flat_labels = _flatten_outer_dims(labels)
        cost = apply_op("SoftmaxCrossEntropyWithLogits", [flat_logits, flat_labels], name=scope).outputs[0]
        output_shape = array_ops.slice(input_shape, [0], [math_ops.subtract(input_rank, 1)])
        cost = array_ops.reshape(cost, output_shape)
        static = logits.shape
        if static.rank is not None:  # TF sets the static shape: the logits' without the class axis
            cost.set_shape(static.as_list()[:-1])
        return cost


def _flatten_outer_dims(x):
    # [d0, ..., dn-1, c] -> [d0*...*dn-1, c], spelled out with dynamic shapes as TF builds it.
    rank = array_ops.rank(x)
    last_dim = array_ops.slice(array_ops.shape(x), [math_ops.subtract(rank, 1)], [1])
    return array_ops.reshape(x, array_ops.concat([[-1], last_dim], 0))


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1, name=None, axis=None):
    """TF 1.x form (labels get a StopGradient)."""
    g = graph_of(logits, labels)
    with g.as_default(), g.name_scope(name or "softmax_cross_entropy_with_logits_sg") as scope:
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
        return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, name=scope[:-1] + "/")


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """Cross entropy against integer class labels (`SparseSoftmaxCrossEntropyWithLogits`)."""
    g = graph_of(logits, labels)
    with g.as_default(), g.name_scope(name or "SparseSoftmaxCrossEntropyWithLogits"):
        labels = convert_to_tensor(labels)
        logits = convert_to_tensor(logits)
        array_ops.shape(labels)  # TF builds (and leaves unused) the labels' shape here
        if logits.shape.rank != 2:
            raise NotImplementedError("sparse_softmax_cross_entropy_with_logits needs rank-2 logits "
                                      "in ortflow's graph builder for now")
        op = apply_op("SparseSoftmaxCrossEntropyWithLogits", [logits, labels],
                      name=name or "SparseSoftmaxCrossEntropyWithLogits")
        return op.outputs[0]


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """Mean and variance over `axes`."""
    keep = bool(keepdims if keepdims is not None else keep_dims)
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "moments"):
        x = convert_to_tensor(x)
        mean = math_ops.reduce_mean(x, axes, keepdims=True, name="mean")
        variance = math_ops.reduce_mean(
            apply_op_output("SquaredDifference", [x, array_ops.stop_gradient(mean)]), axes, keepdims=True,
            name="variance")
        if not keep:
            mean = array_ops.squeeze(mean, axes)
            variance = array_ops.squeeze(variance, axes)
        return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) * scale / sqrt(variance + epsilon) + offset, built with TF's operators."""
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "batchnorm"):
        x = convert_to_tensor(x)
        inv = math_ops.rsqrt(convert_to_tensor(variance) + variance_epsilon)
        if scale is not None:
            inv = inv * scale
        scaled = x * math_ops.cast(inv, x.dtype)
        rest = offset - mean * inv if offset is not None else -mean * inv
        return scaled + math_ops.cast(rest, x.dtype)


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001, data_format="NHWC",
                     is_training=True, name=None, exponential_avg_factor=1.0):
    """`FusedBatchNormV3`: returns (y, batch_mean, batch_variance)."""
    from ortflow.api.ops_builder import constant

    g = graph_of(x)
    with g.as_default():
        x = convert_to_tensor(x)
        if mean is None:
            mean = constant([], dtype=_dtypes.float32)
        if variance is None:
            variance = constant([], dtype=_dtypes.float32)
        op = apply_op("FusedBatchNormV3", [x, scale, offset, mean, variance],
                      {"epsilon": float(epsilon), "data_format": data_format, "is_training": is_training,
                       "exponential_avg_factor": float(exponential_avg_factor)}, name=name or "FusedBatchNormV3")
        return op.outputs[0], op.outputs[1], op.outputs[2]


def lrn(input, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5, name=None):
    """Local response normalization (`LRN`)."""
    return apply_op_output("LRN", [input], {"depth_radius": depth_radius, "bias": float(bias),
                                            "alpha": float(alpha), "beta": float(beta)}, name=name or "LRN")


local_response_normalization = lrn


def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True,
                     max_norm=None):
    """Rows of `params` (one tensor, or the first of a list of one) at `ids`."""
    if isinstance(params, (list, tuple)):
        if len(params) != 1:
            raise NotImplementedError("embedding_lookup over several partitions is not supported yet")
        params = params[0]
    g = graph_of(params)
    with g.as_default(), g.name_scope(name or "embedding_lookup") as scope:
        params = convert_to_tensor(params)
        ids = convert_to_tensor(ids, name="ids")
        with g.colocate_with(params.op):  # TF gathers where the table lives
            gathered = apply_op_output("GatherV2", [params, ids, 0], {"batch_dims": 0}, name=scope)
        return array_ops.identity(gathered)


def xw_plus_b(x, weights, biases, name=None):
    """matmul(x, weights) + biases."""
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "xw_plus_b") as scope:
        mm = math_ops.matmul(x, weights)
        return bias_add(mm, biases, name=scope)


# -- recurrent networks (api/rnn_cell.py, api/rnn.py) --
from ortflow.api import rnn_cell  # noqa: E402  (tf.nn.rnn_cell)
from ortflow.api.rnn import (  # noqa: E402
    bidirectional_dynamic_rnn,
    dynamic_rnn,
    static_bidirectional_rnn,
    static_rnn,
)

__all__ += ["rnn_cell", "bidirectional_dynamic_rnn", "dynamic_rnn", "static_bidirectional_rnn", "static_rnn"]
