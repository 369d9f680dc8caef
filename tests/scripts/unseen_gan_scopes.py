"""GAN-style variable sharing: discriminator called twice, reuse_variables(), scope-filtered var lists."""

import numpy as np


def _generator(tf, z):
    with tf.variable_scope("generator"):
        h = tf.layers.dense(z, 6, activation=tf.nn.leaky_relu, name="h1",
                            kernel_initializer=tf.constant_initializer(0.2))
        return tf.layers.dense(h, 4, activation=tf.nn.tanh, name="out",
                               kernel_initializer=tf.constant_initializer(-0.3))


def _discriminator(tf, x, reuse=False):
    with tf.variable_scope("discriminator") as scope:
        if reuse:
            scope.reuse_variables()
        w = tf.get_variable("w", [4, 1], initializer=tf.constant_initializer(0.5))
        b = tf.get_variable("b", [1], initializer=tf.constant_initializer(-0.1))
        logits = tf.matmul(x, w) + b
        return tf.nn.sigmoid(logits), logits


def build_and_run(tf):
    rng = np.random.RandomState(13)
    with tf.Graph().as_default():
        z = tf.placeholder(tf.float32, [None, 3], name="z")
        real = tf.placeholder(tf.float32, [None, 4], name="real")
        fake = _generator(tf, z)
        d_real, d_logits_real = _discriminator(tf, real)
        d_fake, d_logits_fake = _discriminator(tf, fake, reuse=True)
        d_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
            logits=d_logits_real, labels=tf.ones_like(d_logits_real))) + tf.reduce_mean(
            tf.nn.sigmoid_cross_entropy_with_logits(logits=d_logits_fake, labels=tf.zeros_like(d_logits_fake)))
        g_loss = -tf.reduce_mean(tf.log(d_fake + 1e-8))
        t_vars = tf.trainable_variables()
        d_vars = [v for v in t_vars if "discriminator" in v.name]
        g_vars = tf.trainable_variables(scope="generator")
        with tf.variable_scope("counter"):
            step = tf.get_variable("step", [], tf.int32, initializer=tf.zeros_initializer(), trainable=False)
        with tf.variable_scope(tf.get_variable_scope(), reuse=True):
            same_w = tf.get_variable("discriminator/w")

        def scale_getter(getter, name, *args, **kwargs):
            return getter(name, *args, **kwargs) * 2.0

        with tf.variable_scope("scaled", custom_getter=scale_getter):
            scaled = tf.get_variable("v", [2], initializer=tf.ones_initializer())
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            feed = {z: rng.randn(3, 3).astype(np.float32), real: rng.randn(3, 4).astype(np.float32)}
            got = sess.run({"d_real": d_real, "d_fake": d_fake, "d_loss": d_loss, "g_loss": g_loss,
                            "fake": fake, "scaled": scaled}, feed)
            got.update({
                "d_vars": [v.name for v in d_vars], "g_vars": [v.name for v in g_vars],
                "all": [v.name for v in tf.global_variables()],
                "same_w": same_w is d_vars[0],
                "g_collection": [v.name for v in tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, "generator")],
                "step_trainable": step in tf.trainable_variables(),
                "d_fake_op": d_fake.op.name,
            })
            return got
