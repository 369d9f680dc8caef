"""An MLP with batch norm on dense layers (the unfused form), trained-mode updates, then inference."""

import numpy as np


def build_and_run(tf):
    rng = np.random.RandomState(12)
    batches = [rng.randn(5, 4).astype(np.float32) * 2 + i for i in range(3)]
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        phase = tf.placeholder(tf.bool, name="phase")
        h = tf.layers.dense(x, 3, kernel_initializer=tf.constant_initializer(0.5), use_bias=False)
        h = tf.layers.batch_normalization(h, training=phase, momentum=0.8, epsilon=1e-3)
        h = tf.nn.relu(h)
        with tf.variable_scope("head"):
            out = tf.layers.batch_normalization(tf.layers.dense(h, 2, kernel_initializer=tf.ones_initializer()),
                                                training=phase, scale=False)
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(update_ops):
            train_step = tf.no_op(name="train_step")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            seen = []
            for b in batches:
                seen.append(sess.run(out, {x: b, phase: True}))
                sess.run(train_step, {x: b, phase: True})
            stats = sess.run([v for v in tf.global_variables() if "moving" in v.name])
            return {"train_out": np.stack(seen), "eval": sess.run(out, {x: batches[0], phase: False}),
                    "stats": np.concatenate(stats),
                    "update_ops": sorted(op.name for op in update_ops)}
