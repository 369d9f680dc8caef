"""Batch norm with an is_training placeholder: UPDATE_OPS under control_dependencies, then eval."""

import numpy as np


def build_and_run(tf):
    rng = np.random.RandomState(5)
    batches = [rng.randn(4, 6, 6, 2).astype(np.float32) * (i + 1) + i for i in range(3)]
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 6, 6, 2], name="x")
        is_training = tf.placeholder(tf.bool, name="is_training")
        net = tf.layers.conv2d(x, 3, 3, padding="same", use_bias=False, name="conv",
                               kernel_initializer=tf.constant_initializer(0.1))
        net = tf.layers.batch_normalization(net, training=is_training, momentum=0.9, name="bn")
        net = tf.nn.relu(net)
        dense_in = tf.reduce_mean(net, axis=[1, 2])
        fc = tf.layers.batch_normalization(dense_in, training=is_training, center=False, scale=False)
        loss = tf.reduce_mean(tf.square(net))
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(update_ops):
            step = tf.identity(loss, name="train_step")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            losses = [sess.run(step, {x: b, is_training: True}) for b in batches]
            infer = sess.run([net, fc], {x: batches[0], is_training: False})
            train_out = sess.run(net, {x: batches[1], is_training: True})
            moving = {v.op.name: sess.run(v) for v in tf.global_variables() if "moving" in v.name}
            out = {"losses": np.array(losses), "infer": infer[0], "fc": infer[1], "train_out": train_out,
                   "update_ops": sorted(op.name for op in update_ops),
                   "globals": [v.name for v in tf.global_variables()],
                   "trainables": [v.name for v in tf.trainable_variables()]}
            out.update({"moving/" + k: v for k, v in moving.items()})
            return out
