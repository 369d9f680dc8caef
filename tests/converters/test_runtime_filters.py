"""Convolutions whose filters are known only at run time (a Session's variables).

A frozen graph has constant filters, which the converter rearranges at conversion time; in a
Session the filters are variables fed to onnxruntime as inputs, so the same rearrangement is
emitted as ONNX nodes. Each case runs both ways and must agree (the constant-filter path is
checked against TensorFlow by the fixtures and the handler cases).
"""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest

RNG = np.random.default_rng(7)


def _both_ways(build, x_value, filter_value):
    results = []
    for as_variable in (False, True):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, *x_value.shape[1:]])
            w = tf.Variable(filter_value) if as_variable else tf.constant(filter_value)
            y = build(x, w)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                results.append(sess.run(y, {x: x_value}))
    return results


@pytest.mark.parametrize("multiplier", [1, 2])
def test_depthwise_conv_with_a_variable_filter(multiplier):
    x = RNG.normal(size=(2, 7, 7, 3)).astype(np.float32)
    f = RNG.normal(size=(3, 3, 3, multiplier)).astype(np.float32)
    const, var = _both_ways(lambda x, w: tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME"), x, f)
    assert var.shape == (2, 4, 4, 3 * multiplier)
    np.testing.assert_allclose(var, const, rtol=1e-5, atol=1e-5)


def test_conv2d_transpose_with_a_variable_filter():
    x = RNG.normal(size=(2, 5, 5, 3)).astype(np.float32)
    f = RNG.normal(size=(3, 3, 4, 3)).astype(np.float32)
    const, var = _both_ways(
        lambda x, w: tf.nn.conv2d_transpose(x, w, [2, 10, 10, 4], [1, 2, 2, 1], "SAME"), x, f)
    np.testing.assert_allclose(var, const, rtol=1e-5, atol=1e-5)


def test_separable_conv_layer_runs_in_a_session():
    with tf.Graph().as_default():  # its own graph: other tests leave variables in the default one
        x = tf.placeholder(tf.float32, [None, 6, 6, 2])
        y = tf.layers.separable_conv2d(x, 4, 3, depth_multiplier=2, padding="same")
        xv = RNG.normal(size=(1, 6, 6, 2)).astype(np.float32)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out = sess.run(y, {x: xv})
            depthwise, pointwise, bias = sess.run(tf.trainable_variables())
    const, _ = _both_ways(lambda x, w: tf.nn.separable_conv2d(x, w, tf.constant(pointwise),
                                                              [1, 1, 1, 1], "SAME"), xv, depthwise)
    np.testing.assert_allclose(out, const + bias, rtol=1e-5, atol=1e-5)


def test_fused_batch_norm_training_variance_output_is_bessel_corrected():
    x = RNG.normal(2.0, 3.0, size=(3, 4, 4, 2)).astype(np.float32)
    for static in (True, False):
        with tf.Graph().as_default():
            ph = tf.placeholder(tf.float32, x.shape if static else [None, None, None, 2])
            _, mean, var = tf.nn.fused_batch_norm(ph, tf.ones([2]), tf.zeros([2]), is_training=True)
            with tf.Session() as sess:
                got_mean, got_var = sess.run([mean, var], {ph: x})
        np.testing.assert_allclose(got_mean, x.mean((0, 1, 2)), rtol=1e-5)
        np.testing.assert_allclose(got_var, x.var((0, 1, 2), ddof=1), rtol=1e-5)


def test_outputs_of_a_constant_multi_output_node_can_be_fetched():
    """Constant folding would rename a multi-output node's outputs; fetched ones stay."""
    with tf.Graph().as_default():
        y, idx = tf.unique(tf.constant([1, 2, 1, 3]))
        values, indices = tf.nn.top_k(tf.constant([1.0, 3.0, 2.0]), 2)
        with tf.Session() as sess:
            got = sess.run([y, idx, indices])
            only_values = sess.run(values)
    np.testing.assert_array_equal(got[0], [1, 2, 3])
    np.testing.assert_array_equal(got[1], [0, 1, 0, 2])
    np.testing.assert_array_equal(got[2], [1, 2])
    np.testing.assert_array_equal(only_values, [3.0, 2.0])
