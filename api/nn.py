"""`tf.nn`: activations, convolution and pooling, normalization, cross entropies."""

from __future__ import annotations

import collections

import numpy as np
from ortflow.api import array_ops, math_ops
from ortflow.api.ops_builder import apply_op, apply_op_output, convert_to_tensor, graph_of
from ortflow.formats import dtypes as _dtypes

__all__ = [
    "atrous_conv2d",
    "atrous_conv2d_transpose",
    "avg_pool",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "avg_pool_v2",
    "batch_norm_with_global_normalization",
    "batch_normalization",
    "bias_add",
    "compute_average_loss",
    "conv1d",
    "conv1d_transpose",
    "conv2d",
    "conv2d_backprop_input",
    "conv2d_transpose",
    "conv3d",
    "conv3d_transpose",
    "convolution",
    "crelu",
    "depth_to_space",
    "depthwise_conv2d",
    "depthwise_conv2d_native",
    "dropout",
    "elu",
    "embedding_lookup",
    "fused_batch_norm",
    "gelu",
    "in_top_k",
    "l2_loss",
    "l2_normalize",
    "leaky_relu",
    "local_response_normalization",
    "log_poisson_loss",
    "log_softmax",
    "lrn",
    "max_pool",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_pool_v2",
    "max_pool_with_argmax",
    "moments",
    "normalize_moments",
    "pool",
    "relu",
    "relu6",
    "relu_layer",
    "scale_regularization_loss",
    "selu",
    "separable_conv2d",
    "sigmoid",
    "sigmoid_cross_entropy_with_logits",
    "silu",
    "softmax",
    "softmax_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits_v2",
    "softplus",
    "softsign",
    "space_to_depth",
    "sparse_softmax_cross_entropy_with_logits",
    "sufficient_statistics",
    "swish",
    "tanh",
    "top_k",
    "weighted_cross_entropy_with_logits",
    "weighted_moments",
    "xw_plus_b",
    "zero_fraction",
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


def _one_minus(value):
    from ortflow.api import tensor_ops

    value = convert_to_tensor(value)
    return tensor_ops._scoped("Sub", "sub", 1, value, reflected=True)


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
        # `1 - keep_prob` as TF writes it: for a tensor, the reflected operator's ops `sub/x`, `sub`
        rate = 1.0 - keep_prob if isinstance(keep_prob, (int, float)) else _one_minus(keep_prob)
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
    """Rows of `params` at `ids` (`tf.nn.embedding_lookup`).

    `params` is one tensor or variable, a list of shards, or a PartitionedVariable; shards are
    looked up by `partition_strategy` ("mod": id i lives in shard i % n; "div": shards hold
    consecutive ranges). With `max_norm`, each looked-up embedding is rescaled to that L2 norm
    at most.

    Raises:
        ValueError: an empty `params` or an unknown `partition_strategy`.
    """
    shards = list(params) if _is_sharded(params) else [params]
    if not shards:
        raise ValueError("`params` must not be empty: embedding_lookup needs at least one shard.")
    if partition_strategy not in ("mod", "div"):
        raise ValueError(f"Unrecognized partition strategy: {partition_strategy!r} (use 'mod' or 'div').")
    g = graph_of(*shards, ids)
    with g.as_default(), g.name_scope(name or "embedding_lookup") as scope:
        if len(shards) == 1:
            params = convert_to_tensor(shards[0])
            ids = convert_to_tensor(ids, name="ids")
            with g.colocate_with(params.op):  # TF gathers where the table lives
                gathered = apply_op_output("GatherV2", [params, ids, 0], {"batch_dims": 0}, name=scope)
                gathered = _clip_embeddings(gathered, ids, max_norm)
            return array_ops.identity(gathered)
        ids = convert_to_tensor(ids, name="ids")
        shards = [convert_to_tensor(p) for p in shards]
        stitched = _sharded_lookup(shards, ids, partition_strategy)
        # back to ids' shape followed by one row's shape, then clipped (as TF orders them)
        row_shape = shards[0].get_shape()[1:]
        for shard in shards[1:]:
            row_shape = row_shape.merge_with(shard.get_shape()[1:])
        shape = array_ops.concat([array_ops.shape(ids), array_ops.shape(stitched)[1:]], 0)
        result = array_ops.reshape(stitched, shape)
        result.set_shape(ids.get_shape().concatenate(row_shape))
        return _clip_embeddings(result, ids, max_norm)


def _is_sharded(params) -> bool:
    # a list/tuple of shards, or a PartitionedVariable (iterable, with its parts)
    return isinstance(params, (list, tuple)) or hasattr(params, "_get_variable_list")


def _clip_embeddings(values, ids, max_norm):
    # max_norm clips each embedding: the norm is taken over the axes after the ids' axes
    if max_norm is None:
        return values
    ids_rank, values_rank = ids.get_shape().ndims, values.get_shape().ndims
    if ids_rank is not None and values_rank is not None:
        axes = list(range(ids_rank, values_rank))
    else:
        axes = array_ops.range(array_ops.rank(ids), array_ops.rank(values))
    return math_ops.clip_by_norm(values, max_norm, axes=axes)


def _sharded_lookup(shards, ids, strategy):
    # Splits the flat ids by shard, gathers each shard's rows, stitches them back in id order.
    n = len(shards)
    flat_ids = array_ops.reshape(ids, [-1])
    positions = array_ops.range(array_ops.size(flat_ids))
    if strategy == "mod":
        assignments = flat_ids % n
        new_ids = flat_ids // n
    else:
        assignments, new_ids = _div_assignments(shards, flat_ids)
    gather_ids = array_ops.dynamic_partition(new_ids, assignments, n)
    where = array_ops.dynamic_partition(positions, assignments, n)
    rows = []
    for shard, shard_ids in zip(shards, gather_ids):
        g = shard.graph
        with g.colocate_with(shard.op):
            rows.append(array_ops.gather(shard, shard_ids))
    return array_ops.dynamic_stitch(where, rows)


def _div_assignments(shards, flat_ids):
    # "div": the first `extras` shards hold `per + 1` ids, the others `per`.
    n = len(shards)
    sizes = [p.get_shape()[0] for p in shards]
    if all(d is not None for d in sizes):
        total = convert_to_tensor(sum(int(d) for d in sizes), dtype=flat_ids.dtype.base_dtype)
    else:
        dims = [math_ops.cast(array_ops.shape(p)[0], flat_ids.dtype.base_dtype) for p in shards]
        total = math_ops.add_n(dims)
    per, extras = total // n, total % n
    assignments = math_ops.maximum(flat_ids // (per + 1), (flat_ids - extras) // per)
    new_ids = array_ops.where(assignments < extras, flat_ids % (per + 1), (flat_ids - extras) % per)
    return assignments, new_ids


def xw_plus_b(x, weights, biases, name=None):
    """matmul(x, weights) + biases."""
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "xw_plus_b") as scope:
        mm = math_ops.matmul(x, weights)
        return bias_add(mm, biases, name=scope)


# -- more of TF 1.x's tf.nn: generic convolution and pooling, activations, statistics, losses ----

def _expand_spatial(values, n: int, data_format: str | None, what: str) -> list[int]:
    # An int or n ints -> the op attr's full list with ones at the batch and channel axes.
    if isinstance(values, int):
        values = [values] * n
    values = [int(v) for v in values]
    if len(values) == n + 2:
        return values
    if len(values) == 1:
        values = values * n
    if len(values) != n:
        raise ValueError(f"{what} should be of length 1, {n} or {n + 2}. Received: {what}={values!r}")
    return [1, 1, *values] if data_format and data_format.startswith("NC") else [1, *values, 1]


def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None, data_format=None,
           name=None, input=None, dilations=None):
    """1-D convolution as TF builds it: ExpandDims, `Conv2D` over [N, 1, W, C], Squeeze.

    Args:
        value: [batch, width, in_channels] ("NWC") or [batch, in_channels, width] ("NCW").
        filters: [filter_width, in_channels, out_channels].
        stride: an int or a list of 1 or 3 ints.
        padding: "SAME" or "VALID".
        data_format: "NWC" (default) or "NCW".
        dilations: an int or a list of 1 or 3 ints.
    """
    value = input if value is None else value
    data_format = data_format or "NWC"
    if data_format not in ("NWC", "NHWC", "NCW", "NCHW"):
        raise ValueError(f"`data_format` must be 'NWC' or 'NCW'. Received: data_format={data_format}")
    channels_last = data_format in ("NWC", "NHWC")
    spatial = -3 if channels_last else -2
    g = graph_of(value, filters)
    with g.as_default(), g.name_scope(name or "conv1d") as scope:
        value = array_ops.expand_dims(value, spatial)
        filters = array_ops.expand_dims(filters, 0)
        fmt = "NHWC" if channels_last else "NCHW"
        strides = [1] + _expand_spatial(stride, 1, fmt, "stride")[1:]
        strides = [1, 1, strides[1], 1] if channels_last else [1, 1, 1, strides[2]]
        rate = _expand_spatial(dilations or 1, 1, fmt, "dilations")
        rate = [1, 1, rate[1], 1] if channels_last else [1, 1, 1, rate[2]]
        out = conv2d(value, filters, strides=strides, padding=padding, data_format=fmt, dilations=rate,
                     use_cudnn_on_gpu=True if use_cudnn_on_gpu is None else use_cudnn_on_gpu, name=scope)
        return array_ops.squeeze(out, [spatial])


def convolution(input, filter=None, padding=None, strides=None, dilation_rate=None, name=None,
                data_format=None, filters=None, dilations=None):
    """N-D convolution (N = 1, 2, 3 from the input's rank): Conv2D / Conv3D with dilations.

    TensorFlow builds dilated convolutions with SpaceToBatchND; ortflow passes the dilations
    to the convolution op itself (the same values).

    Raises:
        ValueError: the input's rank is unknown or not 3, 4 or 5.
    """
    filter = filters if filter is None else filter
    rate = dilations if dilation_rate is None else dilation_rate
    g = graph_of(input, filter)
    with g.as_default():
        input = convert_to_tensor(input, name="input")
        rank = input.shape.rank
        if rank not in (3, 4, 5):
            raise ValueError(f"`input` must have rank 3, 4 or 5 (1-3 spatial dims), got shape {input.shape}.")
        n = rank - 2
        if n == 1:
            return conv1d(input, filter, stride=strides or 1, padding=padding, data_format=data_format,
                          dilations=rate or 1, name=name or "convolution")
        fmt = data_format or ("NHWC" if n == 2 else "NDHWC")
        strides = _expand_spatial(strides or 1, n, fmt, "strides")
        rate = _expand_spatial(rate or 1, n, fmt, "dilation_rate")
        with g.name_scope(name or "convolution") as scope:
            if n == 2:
                return conv2d(input, filter, strides=strides, padding=padding, data_format=fmt,
                              dilations=rate, name=scope)
            return conv3d(input, filter, strides=strides, padding=padding, data_format=fmt,
                          dilations=rate, name=scope)


def atrous_conv2d(value, filters, rate, padding, name=None):
    """2-D convolution with holes: `convolution` with `dilation_rate=[rate, rate]`."""
    return convolution(value, filters, padding=padding, dilation_rate=[rate, rate], name=name)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding, rate=None, name=None,
                     data_format=None, dilations=None):
    """Depthwise convolution (`DepthwiseConv2dNative`) then a 1x1 `Conv2D` mixing the channels.

    Args:
        depthwise_filter: [h, w, in_channels, channel_multiplier].
        pointwise_filter: [1, 1, in_channels * channel_multiplier, out_channels].
    """
    fmt = data_format or "NHWC"
    rate = dilations if rate is None else rate
    g = graph_of(input)
    with g.as_default(), g.name_scope(name or "separable_conv2d") as scope:
        input = convert_to_tensor(input, name="input")
        attrs = {"strides": _strides4(strides, fmt), "padding": padding, "data_format": fmt,
                 "dilations": _expand_spatial(rate or 1, 2, fmt, "rate")}
        from ortflow.api.ops_builder import constant

        # TF's space-to-batch wrapper leaves these two (unused without dilation) in the graph.
        array_ops.shape(depthwise_filter)
        constant(attrs["dilations"][1:3] if fmt == "NHWC" else attrs["dilations"][2:], name="dilation_rate")
        depthwise = apply_op_output("DepthwiseConv2dNative", [input, depthwise_filter], attrs,
                                    name="depthwise")
        return conv2d(depthwise, pointwise_filter, strides=[1, 1, 1, 1], padding="VALID", data_format=fmt,
                      name=scope)


def conv3d_transpose(value, filter=None, output_shape=None, strides=None, padding="SAME", data_format="NDHWC",
                     name=None, input=None, filters=None, dilations=None):
    """Transposed 3-D convolution (`Conv3DBackpropInputV2`); `filter` is [d, h, w, out, in]."""
    value = input if value is None else value
    filter = filters if filter is None else filter
    attrs = {"strides": _expand_spatial(strides, 3, data_format, "strides"), "padding": padding,
             "data_format": data_format,
             "dilations": _expand_spatial(dilations or 1, 3, data_format, "dilations")}
    g = graph_of(value, filter)
    with g.as_default(), g.name_scope(name or "conv3d_transpose") as scope:
        return apply_op_output("Conv3DBackpropInputV2", [output_shape, filter, value], attrs, name=scope)


def _pool_nd(kind: str, value, ksize, strides, padding, data_format, name):
    # Dispatch on the input's rank as TF 2's max_pool / avg_pool (`max_pool_v2`) do.
    g = graph_of(value)
    with g.as_default():
        value = convert_to_tensor(value)
        rank = value.shape.rank
        if rank not in (3, 4, 5):
            raise ValueError(f"`input.shape.rank` must be 3, 4 or 5. Received: input.shape={value.shape}")
        n = rank - 2
        if n == 1:
            fn = max_pool1d if kind == "max" else avg_pool1d
        elif n == 2:
            fn = max_pool2d if kind == "max" else avg_pool2d
        else:
            fn = max_pool3d if kind == "max" else avg_pool3d
        fmt = data_format or {1: "NWC", 2: "NHWC", 3: "NDHWC"}[n]
        return fn(value, _expand_spatial(ksize, n, fmt, "ksize"), _expand_spatial(strides, n, fmt, "strides"),
                  padding, data_format=fmt, name=name)


def max_pool_v2(input, ksize, strides, padding, data_format=None, name=None):
    """Max pooling over 1, 2 or 3 spatial axes (from the input's rank); ints or lists for the sizes."""
    return _pool_nd("max", input, ksize, strides, padding, data_format, name)


def avg_pool_v2(input, ksize, strides, padding, data_format=None, name=None):
    """Average pooling over 1, 2 or 3 spatial axes (from the input's rank)."""
    return _pool_nd("avg", input, ksize, strides, padding, data_format, name)


def _pool2d(op_type: str, default_name: str):
    def fn(input, ksize, strides, padding, data_format="NHWC", name=None):
        attrs = {"ksize": _expand_spatial(ksize, 2, data_format, "ksize"),
                 "strides": _expand_spatial(strides, 2, data_format, "strides"), "padding": padding,
                 "data_format": data_format}
        return apply_op_output(op_type, [input], attrs, name=name or default_name)
    fn.__name__ = default_name.lower()
    fn.__doc__ = f"`{op_type}` over [N, H, W, C] (or NCHW); sizes as an int or lists of 1, 2 or 4."
    return fn


def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC", Targmax=None, name=None,
                         output_dtype=None, include_batch_in_index=False):
    """Max pooling that also returns where each maximum was (`MaxPoolWithArgmax`).

    The argmax is the flat index `(y * width + x) * channels + c` of the maximum in its image
    (plus `b * height * width * channels` with `include_batch_in_index`).

    Returns:
        A namedtuple (output, argmax).

    Raises:
        ValueError: a data format other than NHWC, or both `Targmax` and `output_dtype` given.
    """
    if data_format != "NHWC":
        raise ValueError(f"Data formats other than 'NHWC' are not yet supported. Received: {data_format!r}")
    if Targmax is not None and output_dtype is not None and Targmax != output_dtype:
        raise ValueError("Cannot specify both `Targmax` and `output_dtype`.")
    argmax_dtype = _dtypes.as_dtype(Targmax or output_dtype or _dtypes.int64)
    attrs = {"ksize": _expand_spatial(ksize, 2, data_format, "ksize"),
             "strides": _expand_spatial(strides, 2, data_format, "strides"), "padding": padding,
             "Targmax": argmax_dtype, "include_batch_in_index": bool(include_batch_in_index)}
    op = apply_op("MaxPoolWithArgmax", [input], attrs, name=name or "MaxPoolWithArgmax")
    return _MaxPoolWithArgmax(*op.outputs)


_MaxPoolWithArgmax = collections.namedtuple("MaxPoolWithArgmax", ["output", "argmax"])


max_pool2d = _pool2d("MaxPool", "MaxPool2d")
avg_pool2d = _pool2d("AvgPool", "AvgPool")  # tf.compat.v1.nn.avg_pool2d is v1 avg_pool: "AvgPool"
max_pool2d.__name__, avg_pool2d.__name__ = "max_pool2d", "avg_pool2d"


def _pool1d(op_type: str, default_name: str):
    def fn(input, ksize, strides, padding, data_format="NWC", name=None):
        channels_last = data_format in ("NWC", "NHWC")
        g = graph_of(input)
        with g.as_default(), g.name_scope(name or default_name) as scope:
            axis = 1 if channels_last else 2  # [N, W, C] -> [N, 1, W, C], as TF expands it
            x = array_ops.expand_dims(input, axis)
            fmt = "NHWC" if channels_last else "NCHW"
            k = _expand_spatial(ksize, 1, fmt, "ksize")
            s = _expand_spatial(strides, 1, fmt, "strides")
            k = [1, 1, k[1], 1] if channels_last else [1, 1, 1, k[2]]
            s = [1, 1, s[1], 1] if channels_last else [1, 1, 1, s[2]]
            attrs = {"ksize": k, "strides": s, "padding": padding, "data_format": fmt}
            out = apply_op_output(op_type, [x], attrs, name=scope)
            return array_ops.squeeze(out, [axis])
    fn.__name__ = default_name
    fn.__doc__ = f"1-D `{op_type}` as TF builds it: ExpandDims, the 2-D pool, Squeeze."
    return fn


max_pool1d = _pool1d("MaxPool", "MaxPool1d")
avg_pool1d = _pool1d("AvgPool", "AvgPool1D")
max_pool1d.__name__, avg_pool1d.__name__ = "max_pool1d", "avg_pool1d"


def pool(input, window_shape, pooling_type, padding, dilation_rate=None, strides=None, name=None,
         data_format=None, dilations=None):
    """N-D pooling: `pooling_type` "MAX" or "AVG" over window_shape (dilation 1 only).

    Raises:
        ValueError: an unknown pooling type.
        NotImplementedError: a dilation rate other than 1.
    """
    rate = dilations if dilation_rate is None else dilation_rate
    if rate is not None and any(int(r) != 1 for r in ([rate] if isinstance(rate, int) else rate)):
        raise NotImplementedError("nn.pool with dilation_rate != 1 is not supported by ortflow yet")
    kind = {"MAX": "max", "AVG": "avg"}.get(str(pooling_type).upper())
    if kind is None:
        raise ValueError(f"Invalid pooling_type: {pooling_type!r}")
    window = list(window_shape)
    return _pool_nd(kind, input, window, strides or [1] * len(window), padding, data_format,
                    name or f"{kind}_pool")


def swish(features, beta=1.0, name=None):
    """features * sigmoid(beta * features) (also `silu`)."""
    g = graph_of(features)
    with g.as_default(), g.name_scope(name or "swish"):
        features = convert_to_tensor(features, name="features")
        if isinstance(beta, (int, float)) and beta == 1.0:
            return math_ops.multiply(features, math_ops.sigmoid(features))
        beta = math_ops.cast(convert_to_tensor(beta, name="beta"), features.dtype.base_dtype)
        return math_ops.multiply(features, math_ops.sigmoid(math_ops.multiply(beta, features)))


silu = swish


def gelu(features, approximate=False, name=None):
    """Gaussian error linear unit: x * P(X <= x) for a standard normal X (or the tanh form).

    Raises:
        ValueError: a non-float `features`.
    """
    from ortflow.api.ops_builder import constant

    g = graph_of(features)
    with g.as_default(), g.name_scope(name or "Gelu"):
        features = convert_to_tensor(features, name="features")
        dtype = features.dtype.base_dtype
        if not dtype.is_floating:
            raise ValueError("`features.dtype` must be a floating point tensor."
                             f"Received:features.dtype={dtype.name}")
        if approximate:
            cube = math_ops.multiply(constant(0.044715, dtype=dtype),
                                     math_ops.pow(features, constant(3, dtype=dtype)))
            inner = math_ops.multiply(constant(0.7978845608028654, dtype=dtype), math_ops.add(features, cube))
            half_x = math_ops.multiply(constant(0.5, dtype=dtype), features)
            return math_ops.multiply(half_x, math_ops.add(constant(1.0, dtype=dtype), math_ops.tanh(inner)))
        half_x = math_ops.multiply(constant(0.5, dtype=dtype), features)
        scaled = math_ops.multiply(math_ops.negative(features), constant(0.7071067811865476, dtype=dtype))
        return math_ops.multiply(half_x, math_ops.erfc(scaled))


def crelu(features, name=None, axis=-1):
    """Concatenated ReLU: relu(concat([x, -x], axis)) (`CRelu` scope)."""
    g = graph_of(features)
    with g.as_default(), g.name_scope(name or "CRelu"):
        features = convert_to_tensor(features, name="features")
        c = array_ops.concat([features, math_ops.negative(features)], axis, name="concat")
        return relu(c)


def relu_layer(x, weights, biases, name=None):
    """relu(x @ weights + biases)."""
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "relu_layer") as scope:
        x = convert_to_tensor(x, name="x")
        xw_plus = bias_add(math_ops.matmul(x, weights), biases)
        return relu(xw_plus, name=scope)


def _count_over(x, axes):
    # The number of elements reduced over `axes`: a constant when the shape is static.
    from ortflow.api.ops_builder import constant

    dims = x.shape.as_list() if x.shape.rank is not None else None
    if dims is not None and all(dims[a] is not None for a in axes):
        count = 1
        for a in axes:
            count *= dims[a]
        return constant(count, dtype=x.dtype.base_dtype, name="count")
    shape = array_ops.shape(x)
    sizes = array_ops.gather(shape, list(axes))
    return math_ops.cast(math_ops.reduce_prod(sizes), x.dtype.base_dtype, name="count")


def sufficient_statistics(x, axes, shift=None, keep_dims=None, name=None, keepdims=None):
    """(count, sum(x - shift), sum((x - shift)^2), shift) over `axes`, for `normalize_moments`."""
    keep = bool(keepdims if keepdims is not None else keep_dims)
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "sufficient_statistics"):
        x = convert_to_tensor(x, name="x")
        rank = x.shape.rank
        axes = [a % rank if rank is not None else a for a in axes]
        counts = _count_over(x, axes)
        if shift is not None:
            shift = convert_to_tensor(shift, name="shift")
            centered = math_ops.subtract(x, shift)
            m_ss = math_ops.reduce_sum(centered, axes, keepdims=keep, name="mean_ss")
            v_ss = math_ops.reduce_sum(math_ops.square(centered), axes, keepdims=keep, name="var_ss")
        else:
            m_ss = math_ops.reduce_sum(x, axes, keepdims=keep, name="mean_ss")
            v_ss = math_ops.reduce_sum(math_ops.square(x), axes, keepdims=keep, name="var_ss")
        return counts, m_ss, v_ss, shift


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """Mean and variance from the sufficient statistics (see `sufficient_statistics`)."""
    g = graph_of(mean_ss)
    with g.as_default(), g.name_scope(name or "normalize"):
        divisor = math_ops.reciprocal(counts, name="divisor")
        if shift is not None:
            shifted_mean = math_ops.multiply(mean_ss, divisor, name="shifted_mean")
            mean = math_ops.add(shifted_mean, shift, name="mean")
        else:
            shifted_mean = math_ops.multiply(mean_ss, divisor, name="mean")
            mean = shifted_mean
        variance = math_ops.subtract(math_ops.multiply(variance_ss, divisor), math_ops.square(shifted_mean),
                                     name="variance")
        return mean, variance


def weighted_moments(x, axes, frequency_weights, name=None, keep_dims=None, keepdims=None):
    """Frequency-weighted mean and variance of `x` over `axes`."""
    keep = bool(keepdims if keepdims is not None else keep_dims)
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "weighted_moments"):
        x = convert_to_tensor(x, name="x")
        weights = math_ops.cast(convert_to_tensor(frequency_weights, name="frequency_weights"),
                                x.dtype.base_dtype)
        weights = math_ops.add(weights, array_ops.zeros_like(x))  # broadcast to x's shape
        sum_weights = math_ops.reduce_sum(weights, axes, keepdims=True)
        divisor = math_ops.reciprocal(sum_weights, name="inv_weight_sum")
        mean = math_ops.multiply(math_ops.reduce_sum(math_ops.multiply(weights, x), axes, keepdims=True),
                                 divisor, name="weighted_mean")
        sq = apply_op_output("SquaredDifference", [x, mean])
        variance = math_ops.multiply(math_ops.reduce_sum(math_ops.multiply(weights, sq), axes, keepdims=True),
                                     divisor, name="weighted_variance")
        if not keep:
            mean = array_ops.squeeze(mean, axes)
            variance = array_ops.squeeze(variance, axes)
        return mean, variance


def zero_fraction(value, name=None):
    """The fraction of zeros in `value`, a float32 scalar."""
    g = graph_of(value)
    with g.as_default(), g.name_scope(name or "zero_fraction"):
        value = convert_to_tensor(value, name="value")
        zero = array_ops.zeros_like(value)
        is_zero = math_ops.cast(math_ops.equal(value, zero), _dtypes.float32)
        return math_ops.reduce_mean(is_zero, name="fraction")


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """exp(log_input) - log_input * targets, plus Stirling's term for targets > 1 when full.

    Raises:
        ValueError: `targets` and `log_input` have incompatible static shapes.
    """
    from ortflow.api.ops_builder import constant

    g = graph_of(log_input, targets)
    with g.as_default(), g.name_scope(name or "log_poisson_loss"):
        log_input = convert_to_tensor(log_input, name="log_input")
        targets = convert_to_tensor(targets, name="targets")
        if not log_input.shape.is_compatible_with(targets.shape):
            raise ValueError(f"log_input and targets must have the same shape ({log_input.shape} vs "
                             f"{targets.shape})")
        result = math_ops.subtract(math_ops.exp(log_input), math_ops.multiply(log_input, targets))
        if not compute_full_loss:
            return result
        dtype = targets.dtype.base_dtype
        point_five = constant(0.5, dtype=dtype)
        two_pi = constant(2 * np.pi, dtype=dtype)
        stirling = math_ops.add(
            math_ops.subtract(math_ops.multiply(targets, math_ops.log(targets)), targets),
            math_ops.multiply(point_five, math_ops.log(math_ops.multiply(two_pi, targets))))
        zeros = array_ops.zeros_like(targets)
        ones = array_ops.ones_like(targets)
        cond = math_ops.logical_and(math_ops.greater_equal(targets, zeros),
                                    math_ops.less_equal(targets, ones))
        result = math_ops.add(result, array_ops.where(cond, zeros, stirling))
        return result


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None, padding=None,
                          use_cudnn_on_gpu=True, data_format="NHWC", dilations=(1, 1, 1, 1), name=None,
                          filters=None):
    """The gradient of `conv2d` with respect to its input (`Conv2DBackpropInput`)."""
    filter = filters if filter is None else filter
    attrs = {"strides": _strides4(strides, data_format), "padding": padding, "data_format": data_format,
             "use_cudnn_on_gpu": bool(use_cudnn_on_gpu), "dilations": _strides4(dilations, data_format)}
    return apply_op_output("Conv2DBackpropInput", [input_sizes, filter, out_backprop], attrs,
                           name=name or "Conv2DBackpropInput")


def depthwise_conv2d_native(input, filter, strides, padding, data_format="NHWC", dilations=(1, 1, 1, 1),
                            name=None):
    """The `DepthwiseConv2dNative` op itself (no space-to-batch wrapper)."""
    attrs = {"strides": _strides4(strides, data_format), "padding": padding, "data_format": data_format,
             "dilations": _strides4(dilations, data_format)}
    return apply_op_output("DepthwiseConv2dNative", [input, filter], attrs,
                           name=name or "DepthwiseConv2dNative")


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NWC", dilations=None,
                     name=None):
    """Transposed 1-D convolution, built as TF does: over [N, 1, W, C] with `Conv2DBackpropInput`.

    Args:
        filters: [width, out_channels, in_channels].
        output_shape: the 1-D output's shape [batch, width, out_channels] (NWC).
    """
    if data_format not in ("NWC", "NCW"):
        raise ValueError(f"`data_format` must be 'NWC' or 'NCW'. Received: data_format={data_format}")
    channels_last = data_format == "NWC"
    spatial = 1 if channels_last else 2
    g = graph_of(input, filters)
    with g.as_default(), g.name_scope(name or "conv1d_transpose") as scope:
        x = array_ops.expand_dims(input, spatial)
        w = array_ops.expand_dims(filters, 0)
        output_shape = convert_to_tensor(output_shape, name="output_shape")
        shape_2d = array_ops.concat([array_ops.slice(output_shape, [0], [spatial]), [1],
                                     array_ops.slice(output_shape, [spatial], [-1])], 0)
        fmt = "NHWC" if channels_last else "NCHW"
        stride = _expand_spatial(strides, 1, fmt, "strides")[spatial]
        rate = _expand_spatial(dilations or 1, 1, fmt, "dilations")[spatial]
        strides4 = [1, 1, stride, 1] if channels_last else [1, 1, 1, stride]
        rates4 = [1, 1, rate, 1] if channels_last else [1, 1, 1, rate]
        attrs = {"strides": strides4, "padding": padding, "data_format": fmt, "dilations": rates4}
        out = apply_op_output("Conv2DBackpropInput", [shape_2d, w, x], attrs, name="conv1d_transpose")
        return array_ops.squeeze(out, [spatial], name=scope)


def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None):
    """The transpose of `atrous_conv2d`: a stride-1 transposed convolution dilated by `rate`.

    TF builds it with SpaceToBatchND around a plain transposed convolution; ortflow passes
    the dilation to `Conv2DBackpropInput` (the same values).

    Raises:
        ValueError: `rate` below 1, or a padding other than "SAME" and "VALID".
    """
    if rate < 1:
        raise ValueError(f"`rate` cannot be less than one. Received: rate={rate}")
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"`padding` must be either 'VALID' or 'SAME'. Received: padding={padding}")
    g = graph_of(value, filters)
    with g.as_default(), g.name_scope(name or "atrous_conv2d_transpose") as scope:
        return conv2d_transpose(value, filters, output_shape, strides=[1, 1, 1, 1], padding=padding,
                                dilations=[1, rate, rate, 1], name=scope)


def batch_norm_with_global_normalization(t=None, m=None, v=None, beta=None, gamma=None, variance_epsilon=None,
                                         scale_after_normalization=None, name=None, input=None, mean=None,
                                         variance=None):
    """TF 1.x's older batch norm: `batch_normalization`, with gamma only when scale_after_normalization."""
    t = input if t is None else t
    m = mean if m is None else m
    v = variance if v is None else v
    return batch_normalization(t, m, v, beta, gamma if scale_after_normalization else None, variance_epsilon,
                               name=name or "BatchNormWithGlobalNormalization")


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """sum(per_example_loss * sample_weight) / global_batch_size (default: the batch size; one replica)."""
    g = graph_of(per_example_loss)
    with g.as_default():
        loss = convert_to_tensor(per_example_loss)
        dtype = loss.dtype.base_dtype
        if sample_weight is not None:
            loss = math_ops.multiply(loss, math_ops.cast(sample_weight, dtype))
        total = math_ops.reduce_sum(loss)
        if global_batch_size is None:
            batch = array_ops.shape(loss)[0] if loss.shape.rank else math_ops.cast(1, _dtypes.int32)
            global_batch_size = math_ops.cast(batch, dtype)
        return math_ops.truediv(total, math_ops.cast(global_batch_size, dtype))


def scale_regularization_loss(regularization_loss):
    """The sum of `regularization_loss` (a tensor or list) over the one replica ortflow runs."""
    if isinstance(regularization_loss, (list, tuple)):
        regularization_loss = math_ops.add_n(list(regularization_loss))
    return math_ops.reduce_sum(regularization_loss)


# -- recurrent networks (api/rnn_cell.py, api/rnn.py) --
from ortflow.api import rnn_cell
from ortflow.api.rnn import (
    bidirectional_dynamic_rnn,
    dynamic_rnn,
    raw_rnn,
    static_bidirectional_rnn,
    static_rnn,
)

__all__ += [
    "bidirectional_dynamic_rnn",
    "dynamic_rnn",
    "raw_rnn",
    "rnn_cell",
    "static_bidirectional_rnn",
    "static_rnn",
]

from ortflow.api.inference_ops import dilation2d  # noqa: E402

__all__ += ["dilation2d"]

from ortflow.api.embedding_sparse import embedding_lookup_sparse, safe_embedding_lookup_sparse  # noqa: E402

__all__ += ["embedding_lookup_sparse", "safe_embedding_lookup_sparse"]

from ortflow.api.ctc_ops import ctc_beam_search_decoder, ctc_greedy_decoder  # noqa: E402

__all__ += ["ctc_beam_search_decoder", "ctc_greedy_decoder"]

from ortflow.api.more_ops import erosion2d, fractional_avg_pool, fractional_max_pool  # noqa: E402

__all__ += ["erosion2d", "fractional_avg_pool", "fractional_max_pool"]
