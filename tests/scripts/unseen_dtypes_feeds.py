"""Precision and feeding: float64/float16 networks, int64 math, saturate_cast, feeding variables."""

import numpy as np


def build_and_run(tf):
    rng = np.random.RandomState(17)
    data = rng.randn(3, 4)
    out = {}
    with tf.Graph().as_default():
        x64 = tf.placeholder(tf.float64, [None, 4], name="x64")
        w64 = tf.get_variable("w64", [4, 2], tf.float64, initializer=tf.constant_initializer(0.25))
        y64 = tf.nn.softmax(tf.matmul(x64, w64) + tf.constant([1e-10, 0.0], tf.float64))
        x16 = tf.cast(x64, tf.float16)
        w16 = tf.cast(w64, tf.float16)
        y16 = tf.nn.relu(tf.matmul(x16, w16))
        mean16 = tf.reduce_mean(y16)
        big = tf.constant([2 ** 40, -3, 7], tf.int64)
        ints = {"i64_mul": big * 3, "i64_div": big // 7, "i64_sum": tf.reduce_sum(big),
                "i64_cast": tf.cast(big, tf.int32), "i64_to_float": tf.cast(big, tf.float32)}
        sat = tf.saturate_cast(tf.constant([-5.0, 300.0, 127.6]), tf.uint8)
        u8 = tf.constant([250, 10], tf.uint8)
        wrap = u8 + tf.constant([10, 10], tf.uint8)
        logic = tf.logical_xor(tf.constant([True, False]), tf.constant([True, True]))
        bool_f = tf.cast(tf.constant([True, False]), tf.float32)
        bitcast = tf.bitcast(tf.constant([1.0], tf.float32), tf.int32)
        w = tf.Variable([[1.0, 2.0]], name="w")
        v = tf.Variable(10.0, name="v")
        z = tf.matmul(w, tf.ones([2, 1])) * v
        hidden = tf.identity(z * 2.0, name="hidden")
        final = hidden + 1.0
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out["y64"], out["y16"], out["mean16"] = sess.run([y64, y16, mean16], {x64: data})
            out.update(sess.run(ints))
            out["sat"], out["wrap"], out["logic"], out["bool_f"], out["bitcast"] = sess.run(
                [sat, wrap, logic, bool_f, bitcast])
            out["fed_var"] = sess.run(z, {w: [[3.0, 4.0]]})
            out["fed_scalar_var"] = sess.run(z, {v: np.float32(0.5)})
            out["after_feed"] = sess.run(z)
            out["fed_hidden"] = sess.run(final, {hidden: [[100.0]]})
            out["var_fetch"] = sess.run(w)
            out["dup"] = sess.run([z, z, {"again": z}])[2]["again"]
            out["op_by_name"] = sess.run("w/Assign") is None
            out["dtypes"] = [t.dtype.name for t in (y64, y16, mean16, sat, bitcast)]
            out["int_feed"] = sess.run(tf.cast(x64, tf.int32), {x64: [[1, 2, 3, 4]]})
            try:
                sess.run(y64, {x64: np.zeros((2, 5))})
                out["bad_shape"] = "no error"
            except ValueError:
                out["bad_shape"] = "ValueError"
    return out
