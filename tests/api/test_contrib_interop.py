"""tf.contrib (slim) against TensorFlow: a checkpoint made by TF restores into ortflow's slim graph.

TF 2.21 has no contrib, so each case is written twice: for TensorFlow with the compat.v1 ops
that TF 1.15's contrib layers lower to (contrib/layers/python/layers/layers.py: `Conv/weights`
+ Conv2D + BiasAdd, `BatchNorm/beta` + FusedBatchNorm with gamma fixed at 1, `fully_connected`
MatMul + BiasAdd, ...), with its variables created under the names slim gives them; and for
ortflow with `tf.contrib.slim` itself. TensorFlow initializes its variables randomly, saves
them with its Saver and runs `fetches` (after `updates` where a case has them); ortflow
restores TF's checkpoint by name and runs the same. The variables (names, shapes, trainable)
and the fetched values must agree.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

pytestmark = pytest.mark.interop

RNG = np.random.default_rng(21)
IMAGES = RNG.normal(size=(2, 8, 8, 3)).astype(np.float32)
ROWS = RNG.normal(loc=1.0, size=(6, 5)).astype(np.float32)

# (TensorFlow script, ortflow slim script, feed). Both define `fetches` (and maybe `updates`).
CASES = {
    "conv_bn_pool_fc": ("""
x = tf.placeholder(tf.float32, [None, 8, 8, 3], name="x")
rnd = tf.random_normal_initializer(0.0, 0.5)
with tf.variable_scope("net"):
    with tf.variable_scope("conv1"):
        w = tf.get_variable("weights", [3, 3, 3, 4], initializer=rnd)
        with tf.variable_scope("BatchNorm"):
            beta = tf.get_variable("beta", [4], initializer=rnd)
            mean = tf.get_variable("moving_mean", [4], initializer=rnd, trainable=False)
            var = tf.get_variable("moving_variance", [4], initializer=tf.random_uniform_initializer(0.5, 2.0),
                                  trainable=False)
        y = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
        y, _, _ = tf.nn.fused_batch_norm(y, tf.ones([4]), beta, mean, var, epsilon=0.001, is_training=False)
        y = tf.nn.relu(y)
    y = tf.nn.max_pool(y, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    with tf.variable_scope("conv2"):
        w = tf.get_variable("weights", [3, 3, 4, 6], initializer=rnd)
        b = tf.get_variable("biases", [6], initializer=rnd)
        y = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(y, w, [1, 2, 2, 1], "VALID"), b))
    y = tf.reshape(y, [-1, 6])
    with tf.variable_scope("logits"):
        w = tf.get_variable("weights", [6, 3], initializer=rnd)
        b = tf.get_variable("biases", [3], initializer=rnd)
        y = tf.matmul(y, w) + b
fetches = [y]
""", """
x = tf.placeholder(tf.float32, [None, 8, 8, 3], name="x")
with tf.variable_scope("net"):
    with slim.arg_scope([slim.batch_norm], is_training=False):
        y = slim.conv2d(x, 4, [3, 3], normalizer_fn=slim.batch_norm, scope="conv1")
    y = slim.max_pool2d(y, [2, 2])
    y = slim.conv2d(y, 6, 3, stride=2, padding="VALID", scope="conv2")
    y = slim.flatten(y)
    y = slim.fully_connected(y, 3, activation_fn=None, scope="logits")
fetches = [y]
""", {"x:0": IMAGES}),
    "dilated_separable_depthwise_transpose": ("""
x = tf.placeholder(tf.float32, [None, 8, 8, 3], name="x")
rnd = tf.random_normal_initializer(0.0, 0.5)
with tf.variable_scope("Conv"):
    w = tf.get_variable("weights", [3, 3, 3, 4], initializer=rnd)
    b = tf.get_variable("biases", [4], initializer=rnd)
    y = tf.nn.relu(tf.nn.bias_add(tf.nn.convolution(x, w, "SAME", dilation_rate=[2, 2]), b))
with tf.variable_scope("SeparableConv2d"):
    dw = tf.get_variable("depthwise_weights", [3, 3, 4, 2], initializer=rnd)
    pw = tf.get_variable("pointwise_weights", [1, 1, 8, 5], initializer=rnd)
    b = tf.get_variable("biases", [5], initializer=rnd)
    y = tf.nn.relu(tf.nn.bias_add(tf.nn.separable_conv2d(y, dw, pw, [1, 1, 1, 1], "SAME"), b))
with tf.variable_scope("dw"):
    dw = tf.get_variable("depthwise_weights", [3, 3, 5, 1], initializer=rnd)
    b = tf.get_variable("biases", [5], initializer=rnd)
    y = tf.nn.bias_add(tf.nn.depthwise_conv2d(y, dw, [1, 2, 2, 1], "SAME"), b)
with tf.variable_scope("Conv2d_transpose"):
    w = tf.get_variable("weights", [3, 3, 2, 5], initializer=rnd)
    b = tf.get_variable("biases", [2], initializer=rnd)
    y = tf.nn.conv2d_transpose(y, w, [2, 8, 8, 2], [1, 2, 2, 1], "SAME")
    y = tf.nn.relu(tf.nn.bias_add(y, b))
fetches = [y]
""", """
x = tf.placeholder(tf.float32, [None, 8, 8, 3], name="x")
y = slim.conv2d(x, 4, [3, 3], rate=2)
y = slim.separable_conv2d(y, 5, [3, 3], depth_multiplier=2)
y = slim.separable_conv2d(y, None, [3, 3], stride=2, activation_fn=None, scope="dw")
y = slim.conv2d_transpose(y, 2, [3, 3], stride=2)
fetches = [y]
""", {"x:0": IMAGES}),
    "fc_batch_norm_rank2_and_layer_norm": ("""
x = tf.placeholder(tf.float32, [None, 5], name="x")
rnd = tf.random_normal_initializer(0.0, 0.5)
with tf.variable_scope("fully_connected"):
    w = tf.get_variable("weights", [5, 4], initializer=rnd)
    with tf.variable_scope("BatchNorm"):
        beta = tf.get_variable("beta", [4], initializer=rnd)
        gamma = tf.get_variable("gamma", [4], initializer=rnd)
        mean = tf.get_variable("moving_mean", [4], initializer=rnd, trainable=False)
        var = tf.get_variable("moving_variance", [4], initializer=tf.random_uniform_initializer(0.5, 2.0),
                              trainable=False)
    y = tf.matmul(x, w)
    y = tf.nn.batch_normalization(y, mean, var, beta, gamma, 0.001)
    y = tf.nn.relu(y)
with tf.variable_scope("LayerNorm"):
    beta = tf.get_variable("beta", [4], initializer=rnd)
    gamma = tf.get_variable("gamma", [4], initializer=rnd)
    m, v = tf.nn.moments(y, [1], keep_dims=True)
    z = tf.nn.batch_normalization(y, m, v, beta, gamma, 1e-12)
fetches = [y, z]
""", """
x = tf.placeholder(tf.float32, [None, 5], name="x")
y = slim.fully_connected(x, 4, normalizer_fn=slim.batch_norm,
                         normalizer_params={"scale": True, "is_training": False})
z = slim.layer_norm(y)
fetches = [y, z]
""", {"x:0": ROWS}),
    # Training: rank 4 takes tf.layers' BatchNormalization (as contrib does), rank 2 contrib's own
    # fused path (FusedBatchNorm on [-1, 1, 1, C], whose batch variance is the unbiased one).
    "batch_norm_training_updates": ("""
x = tf.placeholder(tf.float32, [None, 8, 8, 3], name="x")
r = tf.placeholder(tf.float32, [None, 5], name="r")
y = tf.layers.batch_normalization(x, momentum=0.9, epsilon=0.001, scale=False, training=True, name="BatchNorm",
                                  moving_variance_initializer=tf.constant_initializer(2.0))
with tf.variable_scope("BatchNorm_1"):
    beta = tf.get_variable("beta", [5], initializer=tf.constant_initializer(0.5))
    mean = tf.get_variable("moving_mean", [5], initializer=tf.zeros_initializer(), trainable=False)
    var = tf.get_variable("moving_variance", [5], initializer=tf.ones_initializer(), trainable=False)
    out, bm, bv = tf.nn.fused_batch_norm(tf.reshape(r, [-1, 1, 1, 5]), tf.ones([5]), beta, epsilon=0.001)
    z = tf.reshape(out, tf.shape(r))
    upd = [tf.assign_sub(mean, (mean - bm) * 0.1), tf.assign_sub(var, (var - bv) * 0.1)]
updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS) + upd
fetches = [y, z] + [v for v in tf.global_variables() if "moving" in v.name]
""", """
x = tf.placeholder(tf.float32, [None, 8, 8, 3], name="x")
r = tf.placeholder(tf.float32, [None, 5], name="r")
y = slim.batch_norm(x, decay=0.9, param_initializers={"moving_variance": tf.constant_initializer(2.0)})
z = slim.batch_norm(r, decay=0.9, param_initializers={"beta": tf.constant_initializer(0.5)})
updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
fetches = [y, z] + [v for v in tf.global_variables() if "moving" in v.name]
""", {"x:0": IMAGES * 2 + 1, "r:0": ROWS}),
}


@pytest.fixture(scope="module")
def legacy_tf(tf):
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    pytest.importorskip("tf_keras", reason="TF 2.21's tf.compat.v1.layers needs the tf_keras package, which "
                                           "is not installed in this interop environment")
    tf.disable_v2_behavior()
    return tf


def _variables(tf_mod, graph):
    trainable = {v.name for v in graph.get_collection(tf_mod.GraphKeys.TRAINABLE_VARIABLES)}
    return sorted((v.name, v.shape.as_list(), v.name in trainable)
                  for v in graph.get_collection(tf_mod.GraphKeys.GLOBAL_VARIABLES))


def _run_tf(tf, script, feed, path):
    with tf.Graph().as_default() as g:
        scope = {"tf": tf}
        exec(script, scope)  # noqa: S102 (the case scripts are this file's own constants)
        with tf.Session(graph=g) as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, path)
            if "updates" in scope:
                sess.run(scope["updates"], feed)
            return _variables(tf, g), sess.run(scope["fetches"], feed)


def _run_ortflow(script, feed, path):
    import ortflow as otf

    with otf.Graph().as_default() as g:
        scope = {"tf": otf, "slim": otf.contrib.slim}
        exec(script, scope)  # noqa: S102 (the case scripts are this file's own constants)
        with otf.Session(graph=g) as sess:
            otf.train.Saver().restore(sess, path)
            if "updates" in scope:
                sess.run(scope["updates"], feed)
            return _variables(otf, g), sess.run(scope["fetches"], feed)


@pytest.mark.parametrize("case", sorted(CASES))
def test_slim_restores_tensorflow_checkpoint(legacy_tf, tmp_path, case):
    tf_script, of_script, feed = CASES[case]
    path = str(tmp_path / "model.ckpt")
    tf_vars, tf_values = _run_tf(legacy_tf, tf_script, feed, path)
    of_vars, of_values = _run_ortflow(of_script, feed, path)
    assert of_vars == tf_vars
    assert len(of_values) == len(tf_values)
    for i, (ours, theirs) in enumerate(zip(of_values, tf_values)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4, err_msg=f"{case}: fetch {i}")


def test_contrib_fully_connected_with_given_weights_equals_matmul_plus_bias(legacy_tf):
    import ortflow as otf

    w = RNG.normal(size=(5, 3)).astype(np.float32)
    b = RNG.normal(size=(3,)).astype(np.float32)
    with otf.Graph().as_default():
        x = otf.placeholder(otf.float32, [None, 5])
        y = otf.contrib.layers.fully_connected(x, 3, activation_fn=otf.nn.relu6,
                                               weights_initializer=otf.constant_initializer(w),
                                               biases_initializer=otf.constant_initializer(b))
        with otf.Session() as sess:
            sess.run(otf.global_variables_initializer())
            ours = sess.run(y, {x: ROWS})
    with legacy_tf.Graph().as_default(), legacy_tf.Session() as sess:
        theirs = sess.run(legacy_tf.nn.relu6(legacy_tf.matmul(ROWS, w) + b))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_ortflow_slim_checkpoint_reads_in_tensorflow(legacy_tf, tmp_path):
    # The other way round: ortflow's slim graph saves, TF reads the keys and values by name.
    import ortflow as otf

    path = str(tmp_path / "slim.ckpt")
    slim = otf.contrib.slim
    with otf.Graph().as_default():
        x = otf.placeholder(otf.float32, [None, 8, 8, 3])
        y = slim.conv2d(x, 4, [3, 3], normalizer_fn=slim.batch_norm, scope="conv1")
        slim.fully_connected(slim.flatten(y), 2, scope="logits")
        with otf.Session() as sess:
            sess.run(otf.global_variables_initializer())
            otf.train.Saver().save(sess, path)
            values = {v.op.name: sess.run(v) for v in otf.global_variables()}
    reader = legacy_tf.train.load_checkpoint(path)
    shapes = reader.get_variable_to_shape_map()
    assert sorted(shapes) == sorted(values) == sorted([
        "conv1/weights", "conv1/BatchNorm/beta", "conv1/BatchNorm/moving_mean", "conv1/BatchNorm/moving_variance",
        "logits/weights", "logits/biases"])
    for name, value in values.items():
        np.testing.assert_array_equal(reader.get_tensor(name), value)


# -- the same GraphDef, node for node -----------------------------------------------------------

def _tf_contrib_emulation(tf):
    """TF 1.15's contrib layers rebuilt from what its layers.py does (for TF 2.21, which lacks
    them): a variable scope with a custom getter that renames kernel/bias to weights/biases
    and adds MODEL_VARIABLES, a legacy `tf.layers` layer told to use that scope, then the
    normalizer and the activation in the same scope."""
    import functools
    import math
    import types

    def renaming(rename):
        def getter(getter, name, *args, **kwargs):
            head, _, short = name.rpartition("/")
            if short in rename:
                name = f"{head}/{rename[short]}"
            kwargs["collections"] = list(set(list(kwargs.get("collections") or [])
                                             + [tf.GraphKeys.GLOBAL_VARIABLES, tf.GraphKeys.MODEL_VARIABLES]))
            return getter(name, *args, **kwargs)
        return getter

    def xavier(shape, dtype=tf.float32, partition_info=None):
        fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1])
        fan_out = float(shape[-1])
        for d in shape[:-2]:
            fan_in, fan_out = fan_in * d, fan_out * d
        limit = math.sqrt(3.0 / ((fan_in + fan_out) / 2.0))
        return tf.random_uniform(shape, -limit, limit, dtype)

    def finish(outputs, normalizer_fn, normalizer_params, activation_fn):
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        return activation_fn(outputs) if activation_fn is not None else outputs

    def fully_connected(inputs, num_outputs, activation_fn=tf.nn.relu, normalizer_fn=None, normalizer_params=None,
                        scope=None):
        with tf.variable_scope(scope, "fully_connected", [inputs],
                               custom_getter=renaming({"kernel": "weights", "bias": "biases"})) as sc:
            layer = tf.layers.Dense(num_outputs, use_bias=normalizer_fn is None, kernel_initializer=xavier,
                                    bias_initializer=tf.zeros_initializer(), name=sc.name, dtype=inputs.dtype,
                                    _scope=sc)
            return finish(layer.apply(inputs), normalizer_fn, normalizer_params, activation_fn)

    def conv2d(inputs, num_outputs, kernel_size, stride=1, padding="SAME", rate=1, activation_fn=tf.nn.relu,
               normalizer_fn=None, normalizer_params=None, scope=None):
        with tf.variable_scope(scope, "Conv", [inputs],
                               custom_getter=renaming({"kernel": "weights", "bias": "biases"})) as sc:
            layer = tf.layers.Conv2D(num_outputs, kernel_size, strides=stride, padding=padding, dilation_rate=rate,
                                     use_bias=normalizer_fn is None, kernel_initializer=xavier,
                                     bias_initializer=tf.zeros_initializer(), name=sc.name, dtype=inputs.dtype,
                                     _scope=sc)
            return finish(layer.apply(inputs), normalizer_fn, normalizer_params, activation_fn)

    def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001, is_training=True, scope=None):
        with tf.variable_scope(scope, "BatchNorm", [inputs], custom_getter=renaming({})) as sc:
            layer = tf.layers.BatchNormalization(axis=-1, momentum=decay, epsilon=epsilon, center=center, scale=scale,
                                                 name=sc.name, _scope=sc, fused=True)
            return layer.apply(inputs, training=is_training)

    return types.SimpleNamespace(fully_connected=fully_connected, conv2d=conv2d,
                                 batch_norm=functools.partial(batch_norm))


SAME_GRAPH = {
    "conv_batch_norm_fc": """
x = tf.placeholder(tf.float32, [None, 8, 8, 3], name="x")
y = slim.conv2d(x, 4, [3, 3], scope="conv1")
y = slim.conv2d(y, 4, [3, 3], stride=2, normalizer_fn=slim.batch_norm, normalizer_params={"is_training": False})
y = slim.conv2d(y, 4, [3, 3], normalizer_fn=slim.batch_norm)
y = tf.reshape(y, [-1, 64])
y = slim.fully_connected(y, 5)
y = slim.fully_connected(y, 3, activation_fn=None, scope="logits")
""",
}


def _graph_nodes(graph):
    from ortflow.proto import GraphDef

    graph_def = GraphDef.FromString(graph.as_graph_def().SerializeToString())
    for node in graph_def.node:
        node.ClearField("experimental_type")  # TF's full-type annotation, which ortflow does not write
    return [(n.name, n.SerializeToString(deterministic=True)) for n in graph_def.node]


@pytest.mark.parametrize("case", sorted(SAME_GRAPH))
def test_slim_graph_equals_tf_contrib_construction_node_for_node(legacy_tf, case):
    import ortflow as otf

    with legacy_tf.Graph().as_default() as g:
        exec(SAME_GRAPH[case], {"tf": legacy_tf, "slim": _tf_contrib_emulation(legacy_tf)})  # noqa: S102 (own constant)
        theirs = _graph_nodes(g)
        their_models = [v.op.name for v in g.get_collection(legacy_tf.GraphKeys.MODEL_VARIABLES)]
    with otf.Graph().as_default() as g:
        exec(SAME_GRAPH[case], {"tf": otf, "slim": otf.contrib.slim})  # noqa: S102 (own constant)
        ours = _graph_nodes(g)
        our_models = [v.op.name for v in g.get_collection(otf.GraphKeys.MODEL_VARIABLES)]
    assert our_models == their_models
    assert [name for name, _ in ours] == [name for name, _ in theirs]
    differing = [name for (name, a), (_, b) in zip(ours, theirs) if a != b]
    assert differing == []
