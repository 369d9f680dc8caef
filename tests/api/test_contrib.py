"""tf.contrib (layers, framework, slim, rnn) under `import ortflow as tf`, against numpy and TF 1.15's facts.

TF 2.21 has no contrib, so variable names, scopes and defaults are checked against what TF
1.15's source says (tensorflow/contrib/layers/python/layers/layers.py, initializers.py,
regularizers.py, contrib/framework/python/ops/arg_scope.py and variables.py), and values
against numpy references. The TF-backed equivalences are in test_contrib_interop.py.
"""

from __future__ import annotations

import math

import numpy as np
import ortflow as tf
import pytest

slim = tf.contrib.slim
layers = tf.contrib.layers
RNG = np.random.default_rng(11)


def _names(variables) -> list[str]:
    return [v.op.name for v in variables]


def _run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed_dict=feed)


# -- arg_scope ----------------------------------------------------------------------------------

@tf.contrib.framework.add_arg_scope
def _probe(a, b=1, c=2):
    return a, b, c


def test_arg_scope_defaults_nest_and_call_wins():
    with slim.arg_scope([_probe], b=10):
        assert _probe(0) == (0, 10, 2)
        with slim.arg_scope([_probe], c=20) as inner:
            assert _probe(0) == (0, 10, 20)
            assert _probe(0, c=3) == (0, 10, 3)
        assert _probe(0) == (0, 10, 2)
    assert _probe(0) == (0, 1, 2)
    with slim.arg_scope(inner):  # a saved scope re-entered
        assert _probe(0) == (0, 10, 20)


def test_arg_scope_refuses_undecorated_functions_and_bad_arguments():
    def plain(x):
        return x

    with pytest.raises(ValueError, match="add_arg_scope"), slim.arg_scope([plain], a=1):
        pass
    with pytest.raises(TypeError), slim.arg_scope(_probe, b=1):
        pass
    with pytest.raises(ValueError, match="kwargs must be empty"), slim.arg_scope({}, b=1):
        pass
    # A partial of a decorated layer is not decorated itself.
    with pytest.raises(ValueError, match="add_arg_scope"), slim.arg_scope([slim.linear], scope="x"):
        pass
    assert tf.contrib.framework.has_arg_scope(_probe) and not tf.contrib.framework.has_arg_scope(plain)
    assert tf.contrib.framework.arg_scoped_arguments(_probe) == ("b", "c")


def test_every_slim_layer_takes_arg_scope():
    for fn in (slim.conv2d, slim.fully_connected, slim.batch_norm, slim.max_pool2d, slim.avg_pool2d, slim.flatten,
               slim.dropout, slim.separable_conv2d, slim.conv2d_transpose, slim.layer_norm, slim.one_hot_encoding,
               slim.model_variable, slim.variable, slim.bias_add):
        assert slim.has_arg_scope(fn), fn


# -- initializers -------------------------------------------------------------------------------

def _sample(initializer, shape):
    with tf.Graph().as_default():
        return _run(initializer(shape))


def test_variance_scaling_normal_is_contribs_truncated_normal():
    # contrib: a TruncatedNormal with stddev sqrt(1.3 * factor / n); cutting at 2 sigma leaves
    # 0.8796 of it. (core tf.variance_scaling_initializer uses sqrt(factor / n) / 0.8796.)
    stddev = math.sqrt(1.3 * 2.0 / 400)
    with tf.Graph().as_default():
        init = layers.variance_scaling_initializer(seed=1)([400, 300])
        consts = [o for o in tf.get_default_graph().get_operations() if o.type == "Const"]
        given = {o.name.rsplit("/", 1)[-1]: _run(o.outputs[0]) for o in consts}
        values = _run(init)
    assert given["stddev"] == pytest.approx(stddev, rel=1e-6)
    assert np.abs(values).max() <= 2 * stddev + 1e-6
    assert values.std() == pytest.approx(stddev * 0.8796, rel=0.03)


@pytest.mark.parametrize("mode,n", [("FAN_IN", 3 * 3 * 16), ("FAN_OUT", 3 * 3 * 32), ("FAN_AVG", 3 * 3 * 24)])
def test_variance_scaling_uniform_limits_use_contribs_fans(mode, n):
    values = _sample(layers.variance_scaling_initializer(1.0, mode, uniform=True, seed=3), [3, 3, 16, 32])
    limit = math.sqrt(3.0 / n)
    assert np.abs(values).max() <= limit + 1e-6
    assert np.abs(values).max() > 0.98 * limit


def test_xavier_initializer_is_glorot_uniform_and_vector_fans():
    values = _sample(layers.xavier_initializer(seed=2), [200, 100])
    limit = math.sqrt(6.0 / 300)
    assert limit * 0.98 < np.abs(values).max() <= limit + 1e-6
    # contrib counts a vector's only axis as both fans.
    vec = _sample(layers.xavier_initializer(seed=2), [1000])
    assert np.abs(vec).max() <= math.sqrt(3.0 / 1000) + 1e-6
    assert layers.xavier_initializer_conv2d is layers.xavier_initializer
    normal = _sample(layers.xavier_initializer(uniform=False, seed=4), [300, 300])
    assert normal.std() == pytest.approx(math.sqrt(1.3 / 300) * 0.8796, rel=0.03)


def test_variance_scaling_refuses_bad_mode_and_dtype():
    with pytest.raises(TypeError):
        layers.variance_scaling_initializer(mode="fan_in")
    with pytest.raises(TypeError):
        layers.variance_scaling_initializer(dtype=tf.int32)


# -- regularizers -------------------------------------------------------------------------------

def test_regularizers_match_numpy():
    w = RNG.normal(size=(4, 3)).astype(np.float32)
    with tf.Graph().as_default():
        wt = tf.constant(w)
        l1 = layers.l1_regularizer(0.5)(wt)
        l2 = layers.l2_regularizer(0.25)(wt)
        both = layers.l1_l2_regularizer(0.5, 0.25)(wt)
        summed = layers.sum_regularizer([layers.l1_regularizer(0.5), None, layers.l2_regularizer(0.25)])(wt)
        got = _run([l1, l2, both, summed])
        assert l1.op.name == "l1_regularizer" and l2.op.name == "l2_regularizer"
        assert both.op.name == "l1_l2_regularizer" and both.op.type == "AddN"
    ref_l1, ref_l2 = 0.5 * np.abs(w).sum(), 0.25 * (w ** 2).sum() / 2
    np.testing.assert_allclose(got, [ref_l1, ref_l2, ref_l1 + ref_l2, ref_l1 + ref_l2], rtol=1e-5)


def test_regularizer_scales_are_checked():
    assert layers.l2_regularizer(0.0)(None) is None
    with pytest.raises(ValueError, match="integer"):
        layers.l1_regularizer(1)
    with pytest.raises(ValueError, match="less than 0"):
        layers.l2_regularizer(-0.1)
    assert layers.sum_regularizer([None]) is None


def test_apply_regularization_sums_over_weights_collection():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        slim.fully_connected(x, 2, variables_collections={"weights": [tf.GraphKeys.WEIGHTS]})
        penalty = layers.apply_regularization(layers.l2_regularizer(1.0))
        assert penalty.op.name == "get_regularization_penalty"
        assert any(t is penalty for t in tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES))
        got, w = _run([penalty, tf.global_variables()[0]])
    np.testing.assert_allclose(got, (w ** 2).sum() / 2, rtol=1e-5)
    with tf.Graph().as_default(), pytest.raises(ValueError, match="No weights"):
        layers.apply_regularization(layers.l2_regularizer(1.0))


def test_weights_regularizer_loss_is_collected():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        slim.fully_connected(x, 2, weights_regularizer=layers.l2_regularizer(0.5))
        losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
        assert len(losses) == 1
        got, w = _run([losses[0], tf.global_variables()[0]])
    np.testing.assert_allclose(got, 0.5 * (w ** 2).sum() / 2, rtol=1e-5)


# -- variable names and collections (TF 1.15's contrib names) ------------------------------------

# What TF 1.15 slim names the variables of this network (layers.py: the `fully_connected`,
# `Conv`, `BatchNorm`, `SeparableConv2d`, `Conv2d_transpose`, `LayerNorm` scopes, the
# kernel->weights / bias->biases renames, no gamma by default in batch_norm).
EXPECTED_NAMES = [
    "Conv/weights", "Conv/biases",
    "Conv_1/weights", "Conv_1/BatchNorm/beta", "Conv_1/BatchNorm/moving_mean", "Conv_1/BatchNorm/moving_variance",
    "SeparableConv2d/depthwise_weights", "SeparableConv2d/pointwise_weights", "SeparableConv2d/biases",
    "dw/depthwise_weights", "dw/biases",
    "Conv2d_transpose/weights", "Conv2d_transpose/biases",
    "fully_connected/weights", "fully_connected/biases",
    "fully_connected_1/weights", "fully_connected_1/BatchNorm/beta", "fully_connected_1/BatchNorm/gamma",
    "fully_connected_1/BatchNorm/moving_mean", "fully_connected_1/BatchNorm/moving_variance",
    "LayerNorm/beta", "LayerNorm/gamma",
]
NON_TRAINABLE = {n for n in EXPECTED_NAMES if "moving_" in n}


def _build_all_layers(x):
    net = slim.conv2d(x, 4, [3, 3])
    net = slim.conv2d(net, 4, [3, 3], normalizer_fn=slim.batch_norm, normalizer_params={"is_training": False})
    net = slim.separable_conv2d(net, 6, [3, 3], depth_multiplier=2)
    net = slim.separable_conv2d(net, None, [3, 3], scope="dw")
    net = slim.conv2d_transpose(net, 3, [3, 3], stride=2)
    net = slim.max_pool2d(net, [2, 2])
    net = slim.flatten(net)
    net = slim.fully_connected(net, 5)
    net = slim.fully_connected(net, 5, normalizer_fn=slim.batch_norm,
                               normalizer_params={"scale": True, "is_training": False})
    return slim.layer_norm(net)


def test_variable_names_shapes_and_collections_are_contribs():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2, 8, 8, 3])
        out = _build_all_layers(x)
        assert _names(tf.global_variables()) == EXPECTED_NAMES
        assert _names(slim.get_model_variables()) == EXPECTED_NAMES
        assert _names(tf.trainable_variables()) == [n for n in EXPECTED_NAMES if n not in NON_TRAINABLE]
        shapes = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
        assert shapes["Conv/weights"] == [3, 3, 3, 4]
        assert shapes["SeparableConv2d/depthwise_weights"] == [3, 3, 4, 2]
        assert shapes["SeparableConv2d/pointwise_weights"] == [1, 1, 8, 6]
        assert shapes["dw/depthwise_weights"] == [3, 3, 6, 1]
        assert shapes["Conv2d_transpose/weights"] == [3, 3, 3, 6]
        assert shapes["fully_connected/weights"] == [16 * 16 * 3 // 4, 5]
        assert out.shape.as_list() == [2, 5]
        # The layers' op names follow the scopes, as TF's do.
        ops = {o.name for o in tf.get_default_graph().get_operations()}
        for name in ("Conv/Conv2D", "Conv/BiasAdd", "Conv/Relu", "Conv_1/BatchNorm/FusedBatchNormV3", "Conv_1/Relu",
                     "MaxPool2D/MaxPool", "fully_connected/MatMul", "fully_connected/BiasAdd", "fully_connected/Relu"):
            assert name in ops, name


def test_reuse_shares_variables_and_outputs_collections():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        a = slim.fully_connected(x, 2, scope="fc", outputs_collections="ends")
        b = slim.fully_connected(x, 2, scope="fc", reuse=True)
        assert _names(tf.global_variables()) == ["fc/weights", "fc/biases"]
        assert tf.get_collection("ends") == [a]
        va, vb = _run([a, b], {x: np.ones((1, 3), np.float32)})
    np.testing.assert_array_equal(va, vb)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        slim.fully_connected(x, 2, scope="fc")
        with pytest.raises(ValueError):
            slim.fully_connected(x, 2, scope="fc")


def test_repeat_and_stack_scopes():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [1, 4, 4, 2])
        slim.repeat(x, 2, slim.conv2d, 3, [3, 3], scope="conv1")
        slim.stack(tf.placeholder(tf.float32, [1, 3]), slim.fully_connected, [4, 5], scope="fc")
        assert _names(tf.global_variables()) == [
            "conv1/conv1_1/weights", "conv1/conv1_1/biases", "conv1/conv1_2/weights", "conv1/conv1_2/biases",
            "fc/fc_1/weights", "fc/fc_1/biases", "fc/fc_2/weights", "fc/fc_2/biases"]


# -- values against numpy -----------------------------------------------------------------------

def test_fully_connected_with_given_weights_is_relu_of_matmul_plus_bias():
    w = RNG.normal(size=(3, 4)).astype(np.float32)
    b = RNG.normal(size=(4,)).astype(np.float32)
    xv = RNG.normal(size=(5, 3)).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        y = slim.fully_connected(x, 4, weights_initializer=tf.constant_initializer(w),
                                 biases_initializer=tf.constant_initializer(b))
        got = _run(y, {x: xv})
    np.testing.assert_allclose(got, np.maximum(xv @ w + b, 0), rtol=1e-5, atol=1e-6)


def _bn_reference(x, mean, var, beta, eps=1e-3, gamma=1.0):
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


@pytest.mark.parametrize("shape", [(4, 3, 3, 5), (6, 5)])
def test_batch_norm_inference_uses_moving_statistics(shape):
    xv = RNG.normal(size=shape).astype(np.float32)
    mean, var, beta = (RNG.normal(size=5).astype(np.float32), RNG.uniform(0.5, 2, 5).astype(np.float32),
                       RNG.normal(size=5).astype(np.float32))
    inits = {"moving_mean": tf.constant_initializer(mean), "moving_variance": tf.constant_initializer(var),
             "beta": tf.constant_initializer(beta)}
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, shape)
        y = slim.batch_norm(x, is_training=False, param_initializers=inits)
        assert _names(tf.global_variables()) == ["BatchNorm/beta", "BatchNorm/moving_mean", "BatchNorm/moving_variance"]
        assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
        got = _run(y, {x: xv})
    np.testing.assert_allclose(got, _bn_reference(xv, mean, var, beta), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape", [(8, 2, 2, 3), (16, 3)])
def test_batch_norm_training_normalizes_by_batch_and_updates_with_decay(shape):
    # Rank 4 takes the tf.layers path, rank 2 contrib's own fused path: both update
    # moving -= (moving - batch) * (1 - decay), the variance being the unbiased batch variance.
    xv = RNG.normal(loc=2.0, size=shape).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, shape)
        y = slim.batch_norm(x, decay=0.9, scale=True)
        updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        assert len(updates) == 2
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out, _ = sess.run([y, updates], {x: xv})
            moving_mean, moving_var = sess.run(["BatchNorm/moving_mean:0", "BatchNorm/moving_variance:0"])
    axes = tuple(range(len(shape) - 1))
    np.testing.assert_allclose(out, _bn_reference(xv, xv.mean(axes), xv.var(axes), 0.0), rtol=1e-3, atol=1e-4)
    count = np.prod([shape[a] for a in axes])
    np.testing.assert_allclose(moving_mean, 0.1 * xv.mean(axes), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(moving_var, 0.9 + 0.1 * xv.var(axes) * count / (count - 1), rtol=1e-4)


def test_layer_norm_matches_numpy():
    xv = RNG.normal(size=(3, 4, 5)).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [3, 4, 5])
        y = slim.layer_norm(x)
        got = _run(y, {x: xv})
        assert [v.shape.as_list() for v in tf.global_variables()] == [[5], [5]]
    mean = xv.mean(axis=(1, 2), keepdims=True)
    var = xv.var(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(got, (xv - mean) / np.sqrt(var + 1e-12), rtol=1e-4, atol=1e-5)


def test_pooling_flatten_one_hot_and_dropout():
    xv = RNG.normal(size=(2, 4, 4, 3)).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2, 4, 4, 3])
        mx, av = slim.max_pool2d(x, 2), slim.avg_pool2d(x, [2, 2], stride=2)
        flat = slim.flatten(x)
        hot = slim.one_hot_encoding(tf.constant([0, 2]), 3)
        kept = slim.dropout(x, 0.5, is_training=False)
        dropped = slim.dropout(x, 0.5)
        assert hot.dtype == tf.float32 and flat.shape.as_list() == [2, 48]
        got = _run([mx, av, flat, hot, kept, dropped], {x: xv})
    blocks = xv.reshape(2, 2, 2, 2, 2, 3)
    np.testing.assert_allclose(got[0], blocks.max(axis=(2, 4)), rtol=1e-6)
    np.testing.assert_allclose(got[1], blocks.mean(axis=(2, 4)), rtol=1e-5)
    np.testing.assert_array_equal(got[2], xv.reshape(2, -1))
    np.testing.assert_array_equal(got[3], np.eye(3, dtype=np.float32)[[0, 2]])
    np.testing.assert_array_equal(got[4], xv)
    drop = got[5]
    assert np.all((drop == 0) | np.isclose(drop, 2 * xv))  # contrib's default is_training=True drops
    assert 0 < np.count_nonzero(drop) < drop.size


# -- framework ----------------------------------------------------------------------------------

def test_get_variables_to_restore_and_global_step():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        with tf.variable_scope("net"):
            slim.fully_connected(x, 2, scope="fc1")
            slim.fully_connected(x, 2, scope="logits")
        step = tf.contrib.framework.get_or_create_global_step()
        assert tf.contrib.framework.get_or_create_global_step() is step
        assert _names(slim.get_variables("net/fc1")) == ["net/fc1/weights", "net/fc1/biases"]
        assert _names(slim.get_variables(suffix="weights")) == ["net/fc1/weights", "net/logits/weights"]
        assert _names(slim.get_variables_to_restore(exclude=["net/logits", "global_step"])) == [
            "net/fc1/weights", "net/fc1/biases"]
        assert _names(slim.get_variables_to_restore(include=["net/logits"])) == [
            "net/logits/weights", "net/logits/biases"]
        with pytest.raises(TypeError, match="exclude"):
            slim.get_variables_to_restore(exclude="net")
        v = slim.model_variable("extra", shape=[2], initializer=tf.zeros_initializer())
        assert v in slim.get_model_variables() and v in tf.trainable_variables()


def test_rnn_aliases_are_ortflows_cells():
    assert tf.contrib.rnn.LSTMCell is tf.nn.rnn_cell.LSTMCell
    assert tf.contrib.rnn.LSTMStateTuple is tf.nn.rnn_cell.LSTMStateTuple
    assert tf.contrib.rnn.static_rnn is tf.nn.static_rnn
    with tf.Graph().as_default():
        inputs = [tf.placeholder(tf.float32, [2, 3]) for _ in range(2)]
        cell = tf.contrib.rnn.MultiRNNCell([tf.contrib.rnn.GRUCell(4), tf.contrib.rnn.BasicLSTMCell(4)])
        outputs, _ = tf.contrib.rnn.static_rnn(cell, inputs, dtype=tf.float32)
        assert outputs[-1].shape.as_list() == [2, 4]


def test_optimize_loss_says_it_is_training_only():
    with pytest.raises(NotImplementedError, match="training"):
        layers.optimize_loss(None, None, 0.1, "SGD")


# -- end to end: a slim CNN, saved and restored by name ------------------------------------------

# The checkpoint keys TF 1.15 slim writes for `_slim_cnn` (global_step included): conv layers
# in their named scopes with weights (+ BatchNorm beta/moving stats, since batch_norm replaces
# the biases), the logits layer with weights and biases.
SLIM_CNN_KEYS = sorted([
    "global_step",
    "cnn/conv1/weights", "cnn/conv1/BatchNorm/beta", "cnn/conv1/BatchNorm/moving_mean",
    "cnn/conv1/BatchNorm/moving_variance",
    "cnn/conv2/weights", "cnn/conv2/BatchNorm/beta", "cnn/conv2/BatchNorm/moving_mean",
    "cnn/conv2/BatchNorm/moving_variance",
    "cnn/fc/weights", "cnn/fc/biases",
    "cnn/logits/weights", "cnn/logits/biases",
])


def _slim_cnn(images, is_training):
    with tf.variable_scope("cnn"), \
            slim.arg_scope([slim.conv2d, slim.fully_connected], weights_regularizer=slim.l2_regularizer(1e-4),
                           normalizer_fn=slim.batch_norm), \
            slim.arg_scope([slim.batch_norm], is_training=is_training, decay=0.9), \
            slim.arg_scope([slim.conv2d], padding="SAME", kernel_size=[3, 3]):
        net = slim.conv2d(images, 8, scope="conv1")
        net = slim.max_pool2d(net, [2, 2], scope="pool1")
        net = slim.conv2d(net, 8, stride=2, scope="conv2")
        net = slim.flatten(net)
        net = slim.fully_connected(net, 16, normalizer_fn=None, scope="fc")
        net = slim.dropout(net, 0.5, is_training=is_training)
        return slim.fully_connected(net, 3, activation_fn=None, normalizer_fn=None, scope="logits")


def test_slim_cnn_checkpoint_names_and_restore(tmp_path):
    images = RNG.normal(size=(4, 8, 8, 3)).astype(np.float32)
    prefix = str(tmp_path / "model.ckpt")
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 8, 8, 3], name="images")
        logits = _slim_cnn(x, is_training=True)
        tf.train.get_or_create_global_step()
        assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 4
        updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(updates, {x: images})  # moving statistics move off their initial values
            saver.save(sess, prefix)
    keys = sorted(tf.train.list_variables(prefix)[i][0] for i in range(len(tf.train.list_variables(prefix))))
    assert keys == SLIM_CNN_KEYS

    reader = tf.train.NewCheckpointReader(prefix)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 8, 8, 3], name="images")
        logits = _slim_cnn(x, is_training=False)
        restore = slim.assign_from_checkpoint_fn(prefix, slim.get_variables_to_restore(), ignore_missing_vars=True)
        with tf.Session() as sess:
            restore(sess)
            got = sess.run(logits, {x: images})
            again = sess.run(logits, {x: images})
            moving = sess.run("cnn/conv1/BatchNorm/moving_mean:0")
    np.testing.assert_array_equal(moving, reader.get_tensor("cnn/conv1/BatchNorm/moving_mean"))
    assert np.any(moving != 0)
    np.testing.assert_array_equal(got, again)  # inference: no dropout, moving statistics
    ref = _numpy_slim_cnn(images, reader)
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)


def _conv_same(x, w, stride):
    kh, kw = w.shape[:2]
    n, h, wd, _ = x.shape
    oh, ow = -(-h // stride), -(-wd // stride)
    ph = max((oh - 1) * stride + kh - h, 0)
    pw = max((ow - 1) * stride + kw - wd, 0)
    xp = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    out = np.zeros((n, oh, ow, w.shape[3]), np.float64)
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=([1, 2, 3], [0, 1, 2]))
    return out


def _numpy_slim_cnn(images, reader):
    def get(name):
        return reader.get_tensor(f"cnn/{name}").astype(np.float64)

    def conv_bn_relu(x, scope, stride):
        y = _conv_same(x, get(f"{scope}/weights"), stride)
        y = _bn_reference(y, get(f"{scope}/BatchNorm/moving_mean"), get(f"{scope}/BatchNorm/moving_variance"),
                          get(f"{scope}/BatchNorm/beta"))
        return np.maximum(y, 0)

    net = conv_bn_relu(images.astype(np.float64), "conv1", 1)
    net = net.reshape(4, 4, 2, 4, 2, 8).max(axis=(2, 4))
    net = conv_bn_relu(net, "conv2", 2).reshape(4, -1)
    net = np.maximum(net @ get("fc/weights") + get("fc/biases"), 0)
    return net @ get("logits/weights") + get("logits/biases")


def test_batch_norm_update_ops_are_named_as_tf_and_forced_updates_run_with_the_output():
    xv = RNG.normal(size=(6, 3)).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        slim.batch_norm(x, decay=0.5)
        assert [u.op.name for u in tf.get_collection(tf.GraphKeys.UPDATE_OPS)] == [
            "BatchNorm/AssignMovingAvg", "BatchNorm/AssignMovingAvg_1"]
        assert all(u.op.type == "AssignSub" for u in tf.get_collection(tf.GraphKeys.UPDATE_OPS))
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        y = slim.batch_norm(x, decay=0.5, updates_collections=None)
        assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(y, {x: xv})
            moving_mean = sess.run("BatchNorm/moving_mean:0")
    np.testing.assert_allclose(moving_mean, 0.5 * xv.mean(axis=0), rtol=1e-5, atol=1e-6)


def test_embed_sequence_bias_add_conv1d_and_summaries():
    table = RNG.normal(size=(7, 4)).astype(np.float32)
    xv = RNG.normal(size=(2, 5, 3)).astype(np.float32)
    with tf.Graph().as_default():
        ids = tf.constant([[1, 6], [0, 3]])
        emb = layers.embed_sequence(ids, 7, 4, initializer=tf.constant_initializer(table))
        x = tf.placeholder(tf.float32, [2, 5, 3])
        biased = slim.bias_add(x, initializer=tf.constant_initializer(0.5))
        conv = slim.conv1d(x, 2, 3, activation_fn=None, weights_initializer=tf.ones_initializer())
        assert _names(tf.global_variables()) == ["EmbedSequence/embeddings", "BiasAdd/biases", "Conv/weights",
                                                 "Conv/biases"]
        assert conv.shape.as_list() == [2, 5, 2]
        summaries = layers.summarize_tensors([emb, tf.reduce_sum(emb)])
        assert [s.op.type for s in summaries] == ["HistogramSummary", "ScalarSummary"]
        got = _run([emb, biased, conv], {x: xv})
    np.testing.assert_array_equal(got[0], table[[[1, 6], [0, 3]]])
    np.testing.assert_allclose(got[1], xv + 0.5, rtol=1e-6)
    padded = np.pad(xv, ((0, 0), (1, 1), (0, 0)))
    ref = np.stack([padded[:, t:t + 3].sum(axis=(1, 2)) for t in range(5)], axis=1)
    np.testing.assert_allclose(got[2], np.repeat(ref[..., None], 2, axis=-1), rtol=1e-5, atol=1e-5)


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


def _layer_norm_ref(v, gain, shift):
    return (v - v.mean(1, keepdims=True)) / np.sqrt(v.var(1, keepdims=True) + 1e-12) * gain + shift


def test_layer_norm_basic_lstm_cell_names_and_values():
    # contrib/rnn/python/ops/rnn_cell.py (TF 1.15): kernel [in + units, 4 units] for gates i, j, f,
    # o; gamma/beta per gate scope and for the new state; no bias with layer norm.
    xv = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2, 3, 4])
        cell = tf.contrib.rnn.LayerNormBasicLSTMCell(5, norm_gain=1.5, norm_shift=0.2)
        out, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        prefix = "rnn/layer_norm_basic_lstm_cell/"
        assert _names(tf.global_variables()) == [prefix + "kernel"] + [
            f"{prefix}{gate}/{p}" for gate in ("input", "transform", "forget", "output", "state")
            for p in ("gamma", "beta")]
        got, kernel = _run([out, prefix + "kernel:0"], {x: xv})
    c = h = np.zeros((2, 5), np.float32)
    for t in range(3):
        gates = np.concatenate([xv[:, t], h], 1) @ kernel
        i, j, f, o = (_layer_norm_ref(g, 1.5, 0.2) for g in np.split(gates, 4, axis=1))
        c = _layer_norm_ref(c * _sigmoid(f + 1.0) + _sigmoid(i) * np.tanh(j), 1.5, 0.2)
        h = np.tanh(c) * _sigmoid(o)
        np.testing.assert_allclose(got[:, t], h, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("path", ["core", "core_unfused", "fused_rank2", "fused_forced_updates"])
def test_batch_norm_with_is_training_a_bool_tensor(path):
    # One graph for both modes: inference normalizes with the moving statistics and leaves them
    # alone; training normalizes with the batch's and moves them by (1 - decay).
    xv = RNG.normal(loc=1.0, size=(8, 3)).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        training = tf.placeholder_with_default(False, [])
        kwargs = {"is_training": training, "decay": 0.9}
        if path == "core":
            y = tf.reshape(slim.batch_norm(tf.reshape(x, [-1, 1, 1, 3]), **kwargs), [-1, 3])
        elif path == "core_unfused":
            y = tf.reshape(slim.batch_norm(tf.reshape(x, [-1, 1, 1, 3]), fused=False, **kwargs), [-1, 3])
        elif path == "fused_rank2":
            y = slim.batch_norm(x, **kwargs)
        else:
            y = slim.batch_norm(x, updates_collections=None, **kwargs)
        updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        moving = ["BatchNorm/moving_mean:0", "BatchNorm/moving_variance:0"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            inference, _ = sess.run([y, updates], {x: xv})
            unchanged = sess.run(moving)
            trained, _ = sess.run([y, updates], {x: xv, training: True})
            moved = sess.run(moving)
    np.testing.assert_allclose(inference, xv / np.sqrt(1.001), rtol=1e-5)
    np.testing.assert_array_equal(unchanged, [np.zeros(3), np.ones(3)])
    np.testing.assert_allclose(trained, _bn_reference(xv, xv.mean(0), xv.var(0), 0.0), rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(moved[0], 0.1 * xv.mean(0), rtol=1e-4)
    # The fused op's batch variance is the unbiased one; the unfused path's the biased one.
    correction = 1.0 if path == "core_unfused" else 8 / 7
    np.testing.assert_allclose(moved[1], 0.9 + 0.1 * xv.var(0) * correction, rtol=1e-4)


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_instance_norm_matches_numpy(data_format):
    xv = RNG.normal(size=(2, 3, 4, 5)).astype(np.float32)
    beta = RNG.normal(size=5 if data_format == "NHWC" else 3).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, xv.shape)
        y = slim.instance_norm(x, data_format=data_format, param_initializers={"beta": tf.constant_initializer(beta)})
        assert _names(tf.global_variables()) == ["InstanceNorm/beta", "InstanceNorm/gamma"]
        got = _run(y, {x: xv})
    axes, shape = ((1, 2), (1, 1, 1, -1)) if data_format == "NHWC" else ((2, 3), (1, -1, 1, 1))
    mean, var = xv.mean(axes, keepdims=True), xv.var(axes, keepdims=True)
    np.testing.assert_allclose(got, (xv - mean) / np.sqrt(var + 1e-6) + beta.reshape(shape), rtol=1e-4, atol=1e-5)


def test_group_norm_matches_numpy_and_checks_groups():
    xv = RNG.normal(size=(2, 3, 3, 8)).astype(np.float32)
    gamma = RNG.normal(size=8).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3, 3, 8])
        y = slim.group_norm(x, groups=4, param_initializers={"gamma": tf.constant_initializer(gamma)})
        assert _names(tf.global_variables()) == ["GroupNorm/beta", "GroupNorm/gamma"]
        got = _run(y, {x: xv})
        with pytest.raises(ValueError, match="commensurate"):
            slim.group_norm(x, groups=3)
    grouped = xv.reshape(2, 3, 3, 4, 2)
    mean, var = grouped.mean((1, 2, 4), keepdims=True), grouped.var((1, 2, 4), keepdims=True)
    ref = ((grouped - mean) / np.sqrt(var + 1e-6)).reshape(xv.shape) * gamma
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-5)


def test_contrib_imports_like_tensorflows_and_stays_out_of_import_ortflow():
    import importlib
    import subprocess
    import sys

    assert importlib.import_module("ortflow.contrib.slim") is tf.contrib.slim
    assert importlib.import_module("ortflow.contrib.layers") is tf.contrib.layers
    code = ("import sys, ortflow\n"
            "assert not [m for m in sys.modules if 'contrib' in m], sorted(sys.modules)\n"
            "import ortflow.contrib.slim as slim\n"
            "assert slim.conv2d is ortflow.contrib.layers.conv2d\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
