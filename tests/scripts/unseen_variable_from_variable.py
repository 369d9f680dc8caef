"""The TF 1.x variables guide: a variable initialized from another (initialized_value, or its value)."""

import numpy as np


def build_and_run(tf):
    with tf.Graph().as_default():
        weights = tf.Variable(tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3)), name="weights")
        w2 = tf.Variable(weights.initialized_value(), name="w2")
        twice = tf.Variable(weights.initialized_value() * 2.0, name="w_twice")
        plain = tf.Variable(weights * 0.5 + 1.0, name="plain")  # TF guards this read too
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out = {"w2": sess.run(w2), "twice": sess.run(twice), "plain": sess.run(plain)}
            sess.run(weights.assign(tf.ones([2, 3])))
            sess.run(w2.initializer)
            out["w2_reinit"] = sess.run(w2)
            return out
