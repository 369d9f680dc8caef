"""Debugging aids left in old model code: tf.Print, tf.print, tf.Assert / assert_* ops, check_numerics."""

import numpy as np


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        # tf.Print passes its input through (printing on the side)
        x_dbg = tf.Print(x, [tf.shape(x), x], message="x is: ", summarize=4, first_n=2)
        logits = tf.layers.dense(x_dbg, 2, kernel_initializer=tf.constant_initializer(0.5), name="fc")
        probs = tf.nn.softmax(logits)
        with tf.control_dependencies([tf.assert_equal(tf.shape(x)[1], 3),
                                     tf.assert_non_negative(x, message="inputs must be >= 0"),
                                     tf.assert_rank(x, 2)]):
            checked = tf.identity(probs, name="checked")
        row_sum = tf.reduce_sum(checked, axis=1)
        ok = tf.Assert(tf.reduce_all(tf.abs(row_sum - 1.0) < 1e-5), [row_sum], name="sums_to_one")
        with tf.control_dependencies([ok]):
            final = tf.identity(row_sum)
        numerics = tf.check_numerics(tf.log(x), "log of x")
        verified = tf.verify_tensor_all_finite(x * 2.0, "x*2 is not finite")
        printed = tf.print("batch", tf.shape(x)[0], output_stream="file:///dev/null")
        with tf.control_dependencies([printed]):
            after_print = tf.reduce_max(x)
        less = tf.assert_less(x, 10.0, data=[x], summarize=3)
        positive = tf.assert_positive(tf.reduce_sum(x, 1), name="pos")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            good = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, 0.5]], np.float32)
            out["final"], out["checked"], out["dbg"] = sess.run([final, checked, x_dbg], {x: good})
            out["numerics"] = sess.run(numerics, {x: good})
            out["verified"] = sess.run(verified, {x: good})
            out["after_print"] = sess.run(after_print, {x: good})
            sess.run([less, positive], {x: good})
            errors = {}
            for key, fetch, value in [
                ("negative", checked, [[1.0, -2.0, 3.0]]),
                ("nan_log", numerics, [[0.0, -1.0, 1.0]]),
                ("inf_verified", verified, [[np.inf, 0.0, 1.0]]),
                ("too_big", less, [[1.0, 20.0, 3.0]]),
                ("not_positive", positive, [[0.0, 0.0, 0.0]]),
            ]:
                try:
                    sess.run(fetch, {x: value})
                    errors[key] = "no error"
                except tf.errors.InvalidArgumentError as e:
                    first = e.message.splitlines()[0]
                    errors[key] = ["InvalidArgumentError", "inputs must be >= 0" in e.message,
                                   "log of x" in first or "x*2" in first or "Tensor had" in e.message]
            out["errors"] = [f"{k}:{v}" for k, v in sorted(errors.items())]
            try:
                sess.run(checked, {x: [[1.0, 2.0]]})
                out["wrong_width"] = "no error"
            except ValueError:
                out["wrong_width"] = "ValueError"
        anything = tf.placeholder(tf.float32, name="anything")
        with tf.control_dependencies([tf.assert_rank(anything, 2), tf.assert_rank_at_least(anything, 1)]):
            passed = tf.identity(anything)
        with tf.Session() as sess:
            out["rank_ok"] = sess.run(passed, {anything: [[1.0]]})
            try:
                sess.run(passed, {anything: [1.0, 2.0]})
                out["rank_bad"] = "no error"
            except tf.errors.InvalidArgumentError:
                out["rank_bad"] = "InvalidArgumentError"
        try:
            tf.assert_rank(tf.zeros([2, 2]), 3)
            out["static_rank"] = "no error"
        except ValueError:
            out["static_rank"] = "ValueError"
        out["assert_op_types"] = sorted({op.type for op in tf.get_default_graph().get_operations()
                                         if op.type in ("Assert", "Print", "PrintV2", "CheckNumerics")})
    return out
