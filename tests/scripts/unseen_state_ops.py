"""Stateful variable ops and learning-rate schedules driven by an assigned global step."""

import numpy as np


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        table = tf.Variable(tf.zeros([5, 2]), name="table")
        counts = tf.Variable([0, 0, 0], name="counts")
        grid = tf.Variable(tf.zeros([2, 3]), name="grid")
        growing = tf.Variable([1.0], validate_shape=False, name="growing")
        step = tf.train.get_or_create_global_step()
        set_step = tf.assign(step, tf.placeholder_with_default(tf.constant(0, tf.int64), []))
        upd = tf.scatter_update(table, [0, 3], [[1.0, 2.0], [3.0, 4.0]])
        add = tf.scatter_add(table, [3, 3, 4], [[1.0, 1.0], [1.0, 1.0], [5.0, 5.0]])
        sub = tf.scatter_sub(counts, [0, 2], [1, 5])
        nd_upd = tf.scatter_nd_update(grid, [[0, 1], [1, 2]], [7.0, 8.0])
        nd_add = tf.scatter_nd_add(grid, [[0, 1]], [0.5])
        grow = tf.assign(growing, [1.0, 2.0, 3.0], validate_shape=False)
        boundaries, values = [10, 20], [1.0, 0.5, 0.1]
        schedules = {
            "piecewise": tf.train.piecewise_constant(step, boundaries, values),
            "poly": tf.train.polynomial_decay(0.1, step, 100, 0.01, power=0.5),
            "poly_cycle": tf.train.polynomial_decay(0.1, step, 10, 0.01, cycle=True),
            "cosine": tf.train.cosine_decay(0.1, step, 50, alpha=0.1),
            "exp_stair": tf.train.exponential_decay(0.1, step, 10, 0.5, staircase=True),
            "inv_time": tf.train.inverse_time_decay(0.1, step, 10, 0.5),
            "nat_exp": tf.train.natural_exp_decay(0.1, step, 10, 0.5),
        }
        with tf.Session() as sess:
            out["uninit_before"] = sorted(s.decode() for s in sess.run(tf.report_uninitialized_variables()))
            sess.run(tf.variables_initializer([table, counts]))
            out["is_init"] = sess.run([tf.is_variable_initialized(table), tf.is_variable_initialized(grid)])
            sess.run(tf.global_variables_initializer())
            sess.run(upd)
            out["after_add"] = sess.run(add)
            out["table"] = sess.run(table)
            out["sub"] = sess.run(sub)
            sess.run(nd_upd)
            out["grid"] = sess.run(nd_add)
            out["grown"] = sess.run(grow)
            out["growing_shape"] = str(growing.get_shape())
            rows = []
            for s in [0, 5, 10, 15, 25, 60, 120]:
                sess.run(set_step, {set_step.op.inputs[1]: s})
                rows.append([sess.run(schedules[k]) for k in sorted(schedules)])
            out["schedules"] = np.array(rows, np.float32)
            out["global_step"] = tf.train.global_step(sess, step)
    return out
