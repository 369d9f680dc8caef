"""Activation and normalisation odds and ends: relu6/crelu/selu/swish, softmax axes, embedding max_norm."""

import numpy as np


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        res = {
            "relu6": tf.nn.relu6(x * 3.0), "crelu": tf.nn.crelu(x), "selu": tf.nn.selu(x), "elu": tf.nn.elu(x),
            "swish": tf.nn.swish(x), "leaky": tf.nn.leaky_relu(x, alpha=0.1), "softplus": tf.nn.softplus(x),
            "softmax_axis0": tf.nn.softmax(x, axis=0), "log_softmax": tf.nn.log_softmax(x, axis=-1),
            "sigmoid": tf.sigmoid(x), "hard_sigmoid_like": tf.clip_by_value(0.2 * x + 0.5, 0.0, 1.0),
            "l2n": tf.nn.l2_normalize(x, axis=-1, epsilon=1e-6),
            "lrn": tf.nn.local_response_normalization(tf.reshape(x, [-1, 1, 1, 4]), depth_radius=1),
            "bias_add": tf.nn.bias_add(x, tf.constant([1.0, 2.0, 3.0, 4.0])),
            "xw_plus_b": tf.nn.xw_plus_b(x, tf.ones([4, 2]), tf.constant([0.5, -0.5])),
            "poisson": tf.nn.log_poisson_loss(tf.abs(x), x, compute_full_loss=True),
            "dropout_eval": tf.nn.dropout(x, keep_prob=1.0),
        }
        params = tf.constant(np.arange(12, dtype=np.float32).reshape(6, 2))
        ids = tf.constant([[0, 5], [3, 3]])
        res["emb_max_norm"] = tf.nn.embedding_lookup(params, ids, max_norm=2.0)
        shards = [tf.constant([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]), tf.constant([[10.0, 10.0], [11.0, 11.0]])]
        res["emb_mod"] = tf.nn.embedding_lookup(shards, [0, 1, 2, 3, 4], partition_strategy="mod")
        res["emb_div"] = tf.nn.embedding_lookup(shards, [0, 1, 2, 3, 4], partition_strategy="div")
        seq = tf.reshape(tf.range(24, dtype=tf.float32), [2, 6, 2])
        res["conv1d"] = tf.nn.conv1d(seq, tf.ones([3, 2, 1]), stride=2, padding="SAME")
        res["max_pool1d"] = tf.layers.max_pooling1d(seq, 2, 2)
        res["avg_pool1d"] = tf.layers.average_pooling1d(seq, 3, 1, padding="same")
        with tf.Session() as sess:
            out.update(sess.run(res, {x: [[-2.0, -0.5, 0.5, 2.0], [1.0, 0.0, -1.0, 3.0]]}))
        out["crelu_shape"] = str(res["crelu"].get_shape())
        out["conv1d_shape"] = str(res["conv1d"].get_shape())
    return out
