"""tf.layers: variable names and collections, layer naming, and values run in a Session vs numpy."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest

RNG = np.random.default_rng(3)


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default() as g:
        yield g


def _run(fetches, feed=None, updates=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        if updates is not None:
            sess.run(updates, feed)
        return sess.run(fetches, feed)


def _names(variables):
    return [v.name for v in variables]


def _conv2d_ref(x, w, stride=1, pad=0, dilation=1):
    # x [N, H, W, C], w [kh, kw, C, F]: a plain loop, padded symmetrically by `pad`.
    x = np.pad(x, [(0, 0), (pad, pad), (pad, pad), (0, 0)])
    kh, kw, _, f = w.shape
    ekh, ekw = (kh - 1) * dilation + 1, (kw - 1) * dilation + 1
    oh = (x.shape[1] - ekh) // stride + 1
    ow = (x.shape[2] - ekw) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, f), np.float64)
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride:i * stride + ekh:dilation, j * stride:j * stride + ekw:dilation, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=([1, 2, 3], [0, 1, 2]))
    return out


# -- names, collections, reuse -----------------------------------------------------------------

def test_dense_variable_names_shapes_and_collections():
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    y = tf.layers.dense(x, 3, activation=tf.nn.relu)
    tf.layers.dense(y, 2)
    assert _names(tf.global_variables()) == ["dense/kernel:0", "dense/bias:0", "dense_1/kernel:0",
                                              "dense_1/bias:0"]
    assert _names(tf.trainable_variables()) == _names(tf.global_variables())
    assert [v.shape.as_list() for v in tf.global_variables()] == [[4, 3], [3], [3, 2], [2]]
    g = tf.get_default_graph()
    assert [g.get_operation_by_name(n).type for n in ("dense/MatMul", "dense/BiasAdd", "dense/Relu")] == \
        ["MatMul", "BiasAdd", "Relu"]
    assert y.name == "dense/Relu:0"


def test_named_layer_reuse_shares_variables_and_opens_a_new_name_scope():
    x = tf.placeholder(tf.float32, [None, 4])
    a = tf.layers.dense(x, 3, name="fc")
    b = tf.layers.dense(x, 3, name="fc", reuse=True)
    assert _names(tf.global_variables()) == ["fc/kernel:0", "fc/bias:0"]
    assert a.name == "fc/BiasAdd:0" and b.name == "fc_1/BiasAdd:0"
    with pytest.raises(ValueError, match="already exists"):
        tf.layers.dense(x, 3, name="fc")


def test_layers_inside_a_variable_scope_and_auto_reuse():
    x = tf.placeholder(tf.float32, [None, 4])
    for _ in range(2):
        with tf.variable_scope("net", reuse=tf.AUTO_REUSE):
            tf.layers.dense(x, 3, name="out")
    assert _names(tf.global_variables()) == ["net/out/kernel:0", "net/out/bias:0"]


def test_layer_object_builds_once_and_exposes_its_weights():
    x = tf.placeholder(tf.float32, [None, 4])
    layer = tf.layers.Dense(5, use_bias=True)
    assert layer.name == "dense_1"  # Keras' legacy layer names count from 1
    layer.apply(x)
    out2 = layer(x)
    assert layer.scope_name == "dense"
    assert _names(layer.variables) == ["dense/kernel:0", "dense/bias:0"]
    assert layer.kernel.name == "dense/kernel:0" and layer.bias.name == "dense/bias:0"
    assert _names(layer.trainable_weights) == ["dense/kernel:0", "dense/bias:0"]
    assert out2.name == "dense/BiasAdd_1:0"
    assert len(tf.global_variables()) == 2


def test_untrainable_layer_and_no_bias():
    x = tf.placeholder(tf.float32, [None, 4])
    layer = tf.layers.Dense(2, use_bias=False, trainable=False)
    layer(x)
    assert layer.bias is None
    assert _names(tf.global_variables()) == ["dense/kernel:0"]
    assert tf.trainable_variables() == []
    assert layer.trainable_weights == [] and _names(layer.non_trainable_weights) == ["dense/kernel:0"]


def test_conv_and_batch_norm_variable_names():
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    y = tf.layers.conv2d(x, 4, 3, padding="same")
    y = tf.layers.separable_conv2d(y, 6, 3, depth_multiplier=2)
    tf.layers.batch_normalization(y, training=True)
    expected = {
        "conv2d/kernel:0": [3, 3, 3, 4], "conv2d/bias:0": [4],
        "separable_conv2d/depthwise_kernel:0": [3, 3, 4, 2],
        "separable_conv2d/pointwise_kernel:0": [1, 1, 8, 6], "separable_conv2d/bias:0": [6],
        "batch_normalization/gamma:0": [6], "batch_normalization/beta:0": [6],
        "batch_normalization/moving_mean:0": [6], "batch_normalization/moving_variance:0": [6],
    }
    assert {v.name: v.shape.as_list() for v in tf.global_variables()} == expected
    trainable = set(_names(tf.trainable_variables()))
    assert "batch_normalization/moving_mean:0" not in trainable and "batch_normalization/gamma:0" in trainable
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert [op.name for op in updates] == ["batch_normalization/AssignMovingAvg",
                                           "batch_normalization/AssignMovingAvg_1"]
    assert {op.type for op in updates} == {"AssignSub"}
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert {"Conv2D", "DepthwiseConv2dNative", "FusedBatchNormV3", "BiasAdd"} <= types


def test_regularizer_losses_go_to_the_collection_once():
    x = tf.placeholder(tf.float32, [None, 4])
    def reg(w):
        return tf.multiply(0.5, tf.reduce_sum(tf.square(w)))

    tf.layers.dense(x, 3, kernel_regularizer=reg, name="d", kernel_initializer=tf.ones_initializer())
    tf.layers.dense(x, 3, kernel_regularizer=reg, name="d", reuse=True)
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 1 and losses[0].name.startswith("d/kernel/Regularizer/")
    assert _run(losses[0]) == pytest.approx(0.5 * 12)


def test_initializers_are_used():
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.layers.dense(x, 2, kernel_initializer=tf.constant_initializer(2.0),
                        bias_initializer=tf.constant_initializer(0.5))
    out = _run(y, {x: np.array([[1.0, 2.0]], np.float32)})
    np.testing.assert_allclose(out, [[6.5, 6.5]])


def test_default_kernel_is_glorot_uniform_and_bias_zero():
    x = tf.placeholder(tf.float32, [None, 40])
    layer = tf.layers.Dense(60)
    layer(x)
    kernel, bias = _run([layer.kernel, layer.bias])
    limit = np.sqrt(6.0 / (40 + 60))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.8 * limit
    assert not bias.any()


# -- values --------------------------------------------------------------------------------------

def test_dense_values_rank2_and_rank3():
    x = tf.placeholder(tf.float32, [None, None, 3])
    layer = tf.layers.Dense(4, activation=tf.nn.relu, bias_initializer=tf.constant_initializer(0.1))
    y = layer(x)
    assert y.shape.as_list() == [None, None, 4]
    xv = RNG.normal(size=(2, 5, 3)).astype(np.float32)
    out, kernel, bias = _run([y, layer.kernel, layer.bias], {x: xv})
    np.testing.assert_allclose(out, np.maximum(xv @ kernel + bias, 0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("padding,strides,dilation", [("same", 1, 1), ("valid", 2, 1), ("valid", 1, 2)])
def test_conv2d_values(padding, strides, dilation):
    x = tf.placeholder(tf.float32, [None, 7, 7, 2])
    layer = tf.layers.Conv2D(3, 3, strides=strides, padding=padding, dilation_rate=dilation,
                             bias_initializer=tf.constant_initializer(0.25))
    y = layer(x)
    xv = RNG.normal(size=(2, 7, 7, 2)).astype(np.float32)
    out, kernel = _run([y, layer.kernel], {x: xv})
    ref = _conv2d_ref(xv, kernel, strides, 1 if padding == "same" else 0, dilation) + 0.25
    assert y.shape.as_list()[1:] == list(ref.shape[1:])
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)


def test_conv1d_and_conv3d_values():
    x1 = tf.placeholder(tf.float32, [None, 9, 2])
    c1 = tf.layers.Conv1D(3, 3, strides=2)
    y1 = c1(x1)
    x3 = tf.placeholder(tf.float32, [None, 3, 4, 4, 2])
    c3 = tf.layers.Conv3D(2, 2, use_bias=False)
    y3 = c3(x3)
    xv1 = RNG.normal(size=(2, 9, 2)).astype(np.float32)
    xv3 = RNG.normal(size=(1, 3, 4, 4, 2)).astype(np.float32)
    o1, k1, o3, k3 = _run([y1, c1.kernel, y3, c3.kernel], {x1: xv1, x3: xv3})
    ref1 = _conv2d_ref(xv1[:, None], k1[None], 1)[:, :, ::2]  # stride only along the width
    np.testing.assert_allclose(o1, ref1[:, 0], rtol=1e-4, atol=1e-5)
    ref3 = np.zeros((1, 2, 3, 3, 2))
    for d in range(2):
        for i in range(3):
            for j in range(3):
                window = xv3[:, d:d + 2, i:i + 2, j:j + 2]
                ref3[:, d, i, j] = np.tensordot(window, k3, axes=([1, 2, 3, 4], [0, 1, 2, 3]))
    np.testing.assert_allclose(o3, ref3, rtol=1e-4, atol=1e-5)


def test_pooling_values():
    x1 = tf.placeholder(tf.float32, [None, 6, 2])
    x2 = tf.placeholder(tf.float32, [None, 4, 4, 2])
    x3 = tf.placeholder(tf.float32, [None, 2, 4, 4, 1])
    fetches = [tf.layers.max_pooling1d(x1, 2, 2), tf.layers.average_pooling1d(x1, 3, 3),
               tf.layers.max_pooling2d(x2, 2, 2), tf.layers.average_pooling2d(x2, 2, 2),
               tf.layers.max_pooling3d(x3, 2, 2), tf.layers.average_pooling3d(x3, 2, 2)]
    v1 = RNG.normal(size=(2, 6, 2)).astype(np.float32)
    v2 = RNG.normal(size=(2, 4, 4, 2)).astype(np.float32)
    v3 = RNG.normal(size=(1, 2, 4, 4, 1)).astype(np.float32)
    out = _run(fetches, {x1: v1, x2: v2, x3: v3})
    np.testing.assert_allclose(out[0], v1.reshape(2, 3, 2, 2).max(2), rtol=1e-6)
    np.testing.assert_allclose(out[1], v1.reshape(2, 2, 3, 2).mean(2), rtol=1e-5)
    np.testing.assert_allclose(out[2], v2.reshape(2, 2, 2, 2, 2, 2).max((2, 4)), rtol=1e-6)
    np.testing.assert_allclose(out[3], v2.reshape(2, 2, 2, 2, 2, 2).mean((2, 4)), rtol=1e-5)
    np.testing.assert_allclose(out[4], v3.reshape(1, 1, 2, 2, 2, 2, 2, 1).max((2, 4, 6)), rtol=1e-6)
    np.testing.assert_allclose(out[5], v3.reshape(1, 1, 2, 2, 2, 2, 2, 1).mean((2, 4, 6)), rtol=1e-5)
    assert fetches[2].op.type == "MaxPool" and fetches[5].op.type == "AvgPool3D"


def test_flatten_static_and_dynamic():
    x = tf.placeholder(tf.float32, [None, 2, 3])
    y = tf.placeholder(tf.float32, [None, None, 2])
    f1, f2 = tf.layers.flatten(x), tf.layers.flatten(y)
    assert f1.shape.as_list() == [None, 6]
    xv = np.arange(12, dtype=np.float32).reshape(2, 2, 3)
    o1, o2 = _run([f1, f2], {x: xv, y: xv.reshape(2, 3, 2)})
    np.testing.assert_array_equal(o1, xv.reshape(2, 6))
    np.testing.assert_array_equal(o2, xv.reshape(2, 6))


def test_dropout_python_and_tensor_training_flags():
    x = tf.placeholder(tf.float32, [None, 1000])
    training = tf.placeholder(tf.bool, [])
    off = tf.layers.dropout(x, 0.5)
    on = tf.layers.dropout(x, 0.5, training=True)
    switched = tf.layers.dropout(x, 0.5, training=training)
    assert off.op.type == "Identity" and on.op.type == "SelectV2" and switched.op.type == "Merge"
    xv = np.ones((4, 1000), np.float32)
    with tf.Session() as sess:
        o_off, o_on = sess.run([off, on], {x: xv})
        s_off = sess.run(switched, {x: xv, training: False})
        s_on = sess.run(switched, {x: xv, training: True})
    np.testing.assert_array_equal(o_off, xv)
    np.testing.assert_array_equal(s_off, xv)
    for out in (o_on, s_on):
        assert set(np.unique(out)) <= {0.0, 2.0}
        assert 0.4 < (out == 0).mean() < 0.6


def _bn_ref(x, axes, mean=None, var=None, gamma=1.0, beta=0.0, eps=1e-3):
    mean = x.mean(axes) if mean is None else mean
    var = x.var(axes) if var is None else var
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


@pytest.mark.parametrize("fused", [True, False])
def test_batch_norm_training_normalizes_and_updates_moving_stats(fused):
    x = tf.placeholder(tf.float32, [None, 3, 3, 2])
    layer = tf.layers.BatchNormalization(momentum=0.9, fused=fused,
                                         gamma_initializer=tf.constant_initializer(2.0))
    y = layer(x, training=True)
    assert (y.op.type == "FusedBatchNormV3") == fused
    xv = RNG.normal(1.0, 2.0, size=(4, 3, 3, 2)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(y, {x: xv})
        sess.run(layer.updates, {x: xv})
        mean, var = sess.run([layer.moving_mean, layer.moving_variance])
    np.testing.assert_allclose(out, _bn_ref(xv, (0, 1, 2), gamma=2.0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(mean, 0.1 * xv.mean((0, 1, 2)), rtol=1e-5, atol=1e-6)
    # Fused batch norm feeds the moving variance with the unbiased (n-1) batch variance, as TF.
    batch_var = xv.var((0, 1, 2), ddof=1 if fused else 0)
    np.testing.assert_allclose(var, 0.9 + 0.1 * batch_var, rtol=1e-5)


def test_batch_norm_inference_uses_moving_stats_and_has_no_updates():
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.layers.batch_normalization(x, center=False, epsilon=0.5)
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
    assert _names(tf.global_variables()) == ["batch_normalization/gamma:0",
                                              "batch_normalization/moving_mean:0",
                                              "batch_normalization/moving_variance:0"]
    xv = RNG.normal(size=(3, 4)).astype(np.float32)
    np.testing.assert_allclose(_run(y, {x: xv}), xv / np.sqrt(1.5), rtol=1e-5)


@pytest.mark.parametrize("fused", [True, False])
def test_batch_norm_with_a_bool_tensor_training_flag(fused):
    x = tf.placeholder(tf.float32, [None, 2, 2, 3])
    training = tf.placeholder(tf.bool, [])
    y = tf.layers.batch_normalization(x, training=training, momentum=0.5, fused=fused)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    xv = RNG.normal(3.0, 1.0, size=(4, 2, 2, 3)).astype(np.float32)
    def run():
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            infer = sess.run(y, {x: xv, training: False})
            sess.run(updates, {x: xv, training: False})  # inference: the updates change nothing
            mean = sess.run("batch_normalization/moving_mean:0")
            train = sess.run(y, {x: xv, training: True})
            sess.run(updates, {x: xv, training: True})
            return infer, mean, train, sess.run("batch_normalization/moving_mean:0")

    infer, mean, train, mean_after = run()
    np.testing.assert_allclose(infer, xv / np.sqrt(1 + 1e-3), rtol=1e-5)
    np.testing.assert_array_equal(mean, np.zeros(3))
    np.testing.assert_allclose(train, _bn_ref(xv, (0, 1, 2)), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(mean_after, 0.5 * xv.mean((0, 1, 2)), rtol=1e-5)


def test_batch_norm_channels_first_axis():
    x = tf.placeholder(tf.float32, [None, 2, 3, 3])
    y = tf.layers.batch_normalization(x, axis=1, training=True, fused=False)
    xv = RNG.normal(size=(2, 2, 3, 3)).astype(np.float32)
    ref = _bn_ref(xv, (0, 2, 3), mean=xv.mean((0, 2, 3))[:, None, None], var=xv.var((0, 2, 3))[:, None, None])
    np.testing.assert_allclose(_run(y, {x: xv}), ref, rtol=1e-4, atol=1e-4)


def test_chained_conds():
    """Batch norm then dropout on one training flag: a cond reading another cond's Merge."""
    x = tf.placeholder(tf.float32, [None, 2, 2, 3])
    training = tf.placeholder(tf.bool, [])
    y = tf.layers.dropout(tf.layers.batch_normalization(x, training=training), 0.5, training=training)
    xv = RNG.normal(size=(2, 2, 2, 3)).astype(np.float32)
    out = _run(y, {x: xv, training: False})
    np.testing.assert_allclose(out, xv / np.sqrt(1 + 1e-3), rtol=1e-5)


def test_transposed_and_separable_conv_shapes():
    x = tf.placeholder(tf.float32, [None, 4, 4, 3])
    same = tf.layers.conv2d_transpose(x, 2, 3, strides=2, padding="same")
    valid = tf.layers.conv2d_transpose(x, 2, 3, strides=2, padding="valid")
    sep = tf.layers.separable_conv2d(x, 5, 3)
    assert same.shape.as_list() == [None, 8, 8, 2] and valid.shape.as_list() == [None, 9, 9, 2]
    assert sep.shape.as_list() == [None, 2, 2, 5]
    kernel = tf.get_default_graph().get_operation_by_name("conv2d_transpose/kernel").outputs[0]
    assert kernel.shape.as_list() == [3, 3, 2, 3]


def test_transposed_3d_and_separable_1d_names_and_dynamic_shapes():
    v = tf.placeholder(tf.float32, [None, 4, None, 4, 2])
    s = tf.placeholder(tf.float32, [None, 10, 3])
    up = tf.layers.conv3d_transpose(v, 4, 2, strides=2, padding="same")
    sep = tf.layers.separable_conv1d(s, 4, 3, depth_multiplier=2, strides=2)
    assert up.shape.as_list() == [None, 8, None, 8, 4] and sep.shape.as_list() == [None, 4, 4]
    assert {v.name: v.shape.as_list() for v in tf.global_variables()} == {
        "conv3d_transpose/kernel:0": [2, 2, 2, 4, 2], "conv3d_transpose/bias:0": [4],
        "separable_conv1d/depthwise_kernel:0": [3, 3, 2], "separable_conv1d/pointwise_kernel:0": [1, 6, 4],
        "separable_conv1d/bias:0": [4]}
    assert up.op.inputs[0].op.type == "Conv3DBackpropInputV2" and sep.op.type == "Squeeze"


def test_bad_arguments():
    x = tf.placeholder(tf.float32, [None, None])
    with pytest.raises(ValueError, match="last dimension"):
        tf.layers.dense(x, 3)
    with pytest.raises(ValueError, match="padding"):
        tf.layers.Conv2D(2, 3, padding="full")
    with pytest.raises(TypeError, match="bool"):
        tf.layers.dropout(tf.placeholder(tf.float32, [2]), training=tf.constant(1.0))


def test_a_custom_layer_subclass():
    class Scale(tf.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_variable("w", [input_shape.as_list()[-1]],
                                       initializer=tf.constant_initializer(3.0))
            self.built = True

        def call(self, inputs):
            return inputs * self.w

    x = tf.placeholder(tf.float32, [None, 2])
    y = Scale()(x)
    assert _names(tf.global_variables()) == ["scale/w:0"]
    np.testing.assert_allclose(_run(y, {x: np.ones((1, 2), np.float32)}), [[3.0, 3.0]])


def test_towers_reusing_a_scope_get_the_same_layer_names():
    """TF zeroes the counts of a scope's sub-scopes when the scope is left, so the second tower
    gets the first tower's layer names (and weights)."""
    x = tf.placeholder(tf.float32, [None, 4])

    def model():
        return tf.layers.dense(tf.layers.dense(x, 3), 2)

    with tf.variable_scope("m"):
        model()
    with tf.variable_scope("m", reuse=True):
        model()
    assert _names(tf.global_variables()) == ["m/dense/kernel:0", "m/dense/bias:0", "m/dense_1/kernel:0",
                                              "m/dense_1/bias:0"]


def test_dropout_noise_shape_with_a_free_axis_drops_whole_columns():
    x = tf.placeholder(tf.float32, [None, 200])
    y = tf.layers.dropout(x, 0.5, noise_shape=[1, None], training=True)
    out = _run(y, {x: np.ones((6, 200), np.float32)})
    assert (out == out[:1]).all()  # one mask row shared by the batch
    assert 0.3 < (out[0] == 0).mean() < 0.7
