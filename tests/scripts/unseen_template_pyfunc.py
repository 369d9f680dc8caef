"""make_template variable sharing, tf.py_func in a graph, tf.identity_n, stop_gradient, Print-free."""

import numpy as np


def _clip_and_count(values, limit):
    clipped = np.clip(values, -limit, limit).astype(np.float32)
    return clipped, np.int64(np.sum(np.abs(values) > limit))


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        def scale_fn(x, units):
            w = tf.get_variable("w", [x.get_shape()[-1], units], initializer=tf.constant_initializer(0.5))
            return tf.matmul(x, w)

        scale = tf.make_template("scale", scale_fn, units=2)
        a = tf.placeholder(tf.float32, [None, 3])
        y1 = scale(a)
        y2 = scale(a * 2.0)
        out["template_vars"] = [v.name for v in tf.global_variables()]
        out["template_name"] = scale.variable_scope.name
        clipped, count = tf.py_func(_clip_and_count, [a, 1.5], [tf.float32, tf.int64], name="clipper")
        clipped.set_shape(a.get_shape())
        doubled = tf.py_func(lambda v: (v * 2).astype(np.float32), [clipped], tf.float32, stateful=False)
        words = tf.py_func(lambda v: np.array([b"n%d" % int(i) for i in v.ravel()]), [count], tf.string)
        s = tf.stop_gradient(y1 + y2)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            data = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -0.25]], np.float32)
            out["y1"], out["y2"], out["s"] = sess.run([y1, y2, s], {a: data})
            out["clipped"], out["count"], out["doubled"], out["words"] = sess.run(
                [clipped, count, doubled, words], {a: data})
            out["clipped_shape"] = str(clipped.get_shape().as_list())
            out["count_dtype"] = count.dtype.name
    return out
