"""static_rnn over unstacked inputs, wrappers, time_major dynamic_rnn, a text conv1d classifier."""

import numpy as np


def build_and_run(tf):
    rng = np.random.RandomState(10)
    seq = rng.randn(2, 4, 3).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4, 3])
        steps = tf.unstack(x, 4, axis=1)
        with tf.variable_scope("static"):
            cell = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicRNNCell(5), output_keep_prob=1.0)
            outputs, state = tf.nn.static_rnn(cell, steps, dtype=tf.float32)
        with tf.variable_scope("major"):
            cell2 = tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.GRUCell(3))
            major_out, major_state = tf.nn.dynamic_rnn(cell2, tf.transpose(x, [1, 0, 2]), time_major=True,
                                                       dtype=tf.float32)
        with tf.variable_scope("text"):
            conv = tf.layers.conv1d(x, 4, 2, padding="valid", activation=tf.nn.relu)
            pooled = tf.reduce_max(conv, axis=1)
            logits = tf.layers.dense(pooled, 2)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i, v in enumerate(tf.trainable_variables()):
                shape = v.get_shape().as_list()
                vals = np.sin(np.arange(int(np.prod(shape))) * 0.41 + 0.3 * i) * 0.6
                sess.run(v.initializer, {v.initial_value: vals.reshape(shape).astype(np.float32)})
            res = sess.run({"last": outputs[-1], "state": state, "major_out": major_out,
                            "major_state": major_state, "logits": logits}, {x: seq})
            res["n_outputs"] = len(outputs)
            res["vars"] = [v.name for v in tf.trainable_variables()]
            return res
