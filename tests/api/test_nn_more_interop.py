"""The tf.nn additions against TensorFlow: the same snippet built by both, values run and compared.

Where ortflow builds the nodes TF builds (conv1d, separable_conv2d, crelu, relu_layer, pools),
the (name, op type) pairs of the two GraphDefs are compared too.
"""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.interop

RNG = np.random.default_rng(17)
X1 = RNG.normal(size=(2, 9, 3)).astype(np.float32)
X2 = RNG.normal(size=(2, 6, 6, 3)).astype(np.float32)
X3 = RNG.normal(size=(1, 4, 4, 4, 2)).astype(np.float32)
W1 = RNG.normal(size=(3, 3, 4)).astype(np.float32)
DW = RNG.normal(size=(3, 3, 3, 2)).astype(np.float32)
PW = RNG.normal(size=(1, 1, 6, 4)).astype(np.float32)
W2 = RNG.normal(size=(3, 3, 3, 2)).astype(np.float32)
WT3 = RNG.normal(size=(2, 2, 2, 3, 2)).astype(np.float32)
V = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
T = np.array([[0.0, 0.5, 1.0, 2.0], [3.0, 0.0, 1.5, 4.0], [1.0, 1.0, 0.0, 7.0]], np.float32)

CASES = {
    "conv1d": ("""
fetches = [tf.nn.conv1d(tf.constant(X1), tf.constant(W1), stride=2, padding='SAME')]
""", True),
    "separable_conv2d": ("""
fetches = [tf.nn.separable_conv2d(tf.constant(X2), tf.constant(DW), tf.constant(PW), [1, 1, 1, 1], 'VALID')]
""", True),
    "convolution": ("""
fetches = [tf.nn.convolution(tf.constant(X2), tf.constant(W2), 'SAME', strides=[2, 2]),
           tf.nn.convolution(tf.constant(X1), tf.constant(W1), 'VALID')]
""", False),
    "atrous_conv2d": ("""
fetches = [tf.nn.atrous_conv2d(tf.constant(X2), tf.constant(W2), 2, 'SAME')]
""", False),
    "conv3d_transpose": ("""
fetches = [tf.nn.conv3d_transpose(tf.constant(X3), tf.constant(WT3), [1, 8, 8, 8, 3], [1, 2, 2, 2, 1],
                                  padding='SAME')]
""", False),
    "pools": ("""
fetches = [tf.nn.max_pool1d(tf.constant(X1), 2, 2, 'VALID'), tf.nn.avg_pool1d(tf.constant(X1), 3, 2, 'SAME'),
           tf.nn.max_pool2d(tf.constant(X2), 2, 2, 'SAME'), tf.nn.avg_pool2d(tf.constant(X2), 3, 1, 'VALID')]
""", True),
    "generic_pools": ("""
fetches = [tf.nn.max_pool_v2(tf.constant(X3), 2, 2, 'VALID'),
           tf.nn.pool(tf.constant(X2), [2, 2], 'AVG', 'VALID', strides=[2, 2]),
           tf.nn.avg_pool_v2(tf.constant(X1), 3, 3, 'VALID')]
""", False),
    "activations": ("""
v = tf.constant(V)
fetches = [tf.nn.swish(v), tf.nn.crelu(v), tf.nn.crelu(v, axis=0),
           tf.nn.relu_layer(v, tf.constant(V.T), tf.constant([0.1, -0.2, 0.3])), GELU(v),
           GELU(v, approximate=True)]
""", False),
    "statistics": ("""
v = tf.constant(V)
c, m, s, _ = tf.nn.sufficient_statistics(v, [0])
c2, m2, s2, sh = tf.nn.sufficient_statistics(v, [1], shift=0.5, keep_dims=True)
fetches = [c, m, s, *tf.nn.normalize_moments(c, m, s, None), *tf.nn.normalize_moments(c2, m2, s2, sh),
           *tf.nn.weighted_moments(v, [0], tf.constant([[1.0], [2.0], [0.5]])),
           tf.nn.zero_fraction(tf.nn.relu(v))]
""", False),
    "transposed_and_native": ("""
x = tf.constant(X2[:1, :5, :5])
s = tf.constant(X1[:, :5])
w1t = tf.constant(W1[:, :, :3].transpose(0, 2, 1))
w2t = tf.constant(W2.transpose(0, 1, 3, 2))
fetches = [tf.nn.conv1d_transpose(s, w1t, [2, 10, 3], 2),
           tf.nn.conv1d_transpose(s, tf.constant(W1[:, :3, :3]), [2, 11, 3], 2, padding="VALID"),
           tf.nn.atrous_conv2d_transpose(x, w2t, [1, 5, 5, 2], 2, "SAME"),
           tf.nn.atrous_conv2d_transpose(x, w2t, [1, 9, 9, 2], 2, "VALID"),
           tf.nn.conv2d_backprop_input([1, 10, 10, 2], w2t, x, [1, 2, 2, 1], "SAME"),
           tf.nn.depthwise_conv2d_native(x, tf.constant(DW), [1, 1, 1, 1], "SAME"),
           tf.nn.batch_norm_with_global_normalization(
               x, tf.constant([0.1, 0.2, 0.3]), tf.constant([1.0, 2.0, 3.0]), tf.constant([0.5, 0.5, 0.5]),
               tf.constant([2.0, 2.0, 2.0]), 0.01, True),
           tf.nn.compute_average_loss(tf.constant(V[:, 0]), sample_weight=tf.constant([1.0, 2.0, 0.5])),
           tf.nn.scale_regularization_loss([tf.constant(1.5), tf.constant(2.0)])]
""", False),
    "log_poisson_loss": ("""
fetches = [tf.nn.log_poisson_loss(tf.constant(T), tf.constant(V / 3)),
           tf.nn.log_poisson_loss(tf.constant(T), tf.constant(V / 3), compute_full_loss=True)]
""", False),
}


def _run(tf_module, code, gelu):
    env = {"tf": tf_module, **{k: v for k, v in globals().items() if k.isupper()}, "GELU": gelu}
    with tf_module.Graph().as_default() as g:
        exec(code, env)
        with tf_module.Session(graph=g) as sess:
            values = sess.run(env["fetches"])
        nodes = [(n.name, n.op) for n in g.as_graph_def().node]
    return values, nodes


@pytest.mark.parametrize("case", sorted(CASES))
def test_nn_functions_match_tensorflow(tf, case):
    import ortflow
    import tensorflow

    code, same_nodes = CASES[case]
    tf.disable_v2_behavior()
    theirs, their_nodes = _run(tf, code, tensorflow.nn.gelu)
    ours, our_nodes = _run(ortflow, code, ortflow.nn.gelu)
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5, err_msg=f"{case}: fetch {i}")
    if same_nodes:
        assert our_nodes == their_nodes
