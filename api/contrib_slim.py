"""`tf.contrib.slim` (TF 1.x): the contrib layers and framework helpers in one namespace.

    slim = tf.contrib.slim
    with slim.arg_scope([slim.conv2d], padding="SAME"):
        net = slim.conv2d(images, 32, [3, 3], scope="conv1")
"""

from __future__ import annotations

from ortflow.api import contrib_framework as framework
from ortflow.api import contrib_layers as layers
from ortflow.api import losses
from ortflow.api.contrib_framework import (
    add_arg_scope,
    arg_scope,
    arg_scoped_arguments,
    assign_from_checkpoint_fn,
    get_global_step,
    get_model_variables,
    get_or_create_global_step,
    get_trainable_variables,
    get_variables,
    get_variables_by_name,
    get_variables_to_restore,
    has_arg_scope,
)
from ortflow.api.contrib_layers import (
    apply_regularization,
    avg_pool2d,
    batch_norm,
    bias_add,
    conv2d,
    conv2d_transpose,
    convolution,
    convolution2d,
    convolution2d_transpose,
    dropout,
    flatten,
    fully_connected,
    l1_l2_regularizer,
    l1_regularizer,
    l2_regularizer,
    layer_norm,
    linear,
    max_pool2d,
    model_variable,
    one_hot_encoding,
    repeat,
    separable_conv2d,
    separable_convolution2d,
    softmax,
    stack,
    sum_regularizer,
    variable,
    variance_scaling_initializer,
    xavier_initializer,
)

__all__ = [
    "add_arg_scope", "apply_regularization", "arg_scope", "arg_scoped_arguments", "assign_from_checkpoint_fn",
    "avg_pool2d", "batch_norm", "bias_add", "conv2d", "conv2d_transpose", "convolution", "convolution2d",
    "convolution2d_transpose", "dropout", "flatten", "framework", "fully_connected", "get_global_step",
    "get_model_variables", "get_or_create_global_step", "get_trainable_variables", "get_variables",
    "get_variables_by_name", "get_variables_to_restore", "has_arg_scope", "l1_l2_regularizer", "l1_regularizer",
    "l2_regularizer", "layer_norm", "layers", "linear", "losses", "max_pool2d", "model_variable",
    "one_hot_encoding", "repeat", "separable_conv2d", "separable_convolution2d", "softmax", "stack",
    "sum_regularizer", "variable", "variance_scaling_initializer", "xavier_initializer",
]
