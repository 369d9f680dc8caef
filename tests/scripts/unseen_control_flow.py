"""tf.cond on a placeholder, while_loop, map_fn, scan, foldl, case, where, TensorArray."""

import numpy as np


def build_and_run(tf):
    with tf.Graph().as_default():
        flag = tf.placeholder(tf.bool, [], name="flag")
        x = tf.placeholder(tf.float32, [None], name="x")
        branch = tf.cond(flag, lambda: tf.reduce_sum(x) * 2.0, lambda: tf.reduce_min(x) - 1.0)
        pair = tf.cond(tf.reduce_mean(x) > 0, lambda: (x + 1, tf.constant(1)),
                       lambda: (x - 1, tf.constant(-1)))

        def collatz_cond(n, steps):
            return tf.not_equal(n, 1)

        def collatz_body(n, steps):
            n = tf.cond(tf.equal(n % 2, 0), lambda: n // 2, lambda: 3 * n + 1)
            return n, steps + 1

        start = tf.placeholder(tf.int32, [])
        _, steps = tf.while_loop(collatz_cond, collatz_body, [start, tf.constant(0)])

        i0 = tf.constant(0)
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)

        def body(i, ta):
            return i + 1, ta.write(i, tf.cast(i, tf.float32) ** 2)

        _, ta = tf.while_loop(lambda i, ta: i < tf.size(x), body, [i0, ta])
        squares = ta.stack()

        squared = tf.map_fn(lambda v: v * v, x)
        both = tf.map_fn(lambda v: (v, tf.cast(v > 0, tf.int32)), x, dtype=(tf.float32, tf.int32))
        cums = tf.scan(lambda acc, v: acc + v, x, initializer=tf.constant(0.0))
        total = tf.foldl(lambda acc, v: acc * 0.5 + v, x, initializer=tf.constant(0.0))
        rows = tf.map_fn(lambda r: tf.reduce_sum(r), tf.reshape(tf.range(12), [4, 3]))
        k = tf.placeholder(tf.int32, [])
        case = tf.case([(tf.equal(k, 0), lambda: tf.constant(10)), (tf.equal(k, 1), lambda: tf.constant(20))],
                       default=lambda: tf.constant(-1), exclusive=True)
        picked = tf.where(x > 0, x, tf.zeros_like(x))
        positions = tf.where(x > 0)
        data = np.array([3.0, -1.0, 2.0, 0.5], np.float32)
        with tf.Session() as sess:
            out = {}
            out["branch_t"] = sess.run(branch, {flag: True, x: data})
            out["branch_f"] = sess.run(branch, {flag: False, x: data})
            out["pair"] = sess.run(list(pair), {x: data})[0]
            out["pair_neg"] = sess.run(pair[1], {x: -data})
            out["steps27"] = sess.run(steps, {start: 27})
            out["steps1"] = sess.run(steps, {start: 1})
            out["squares"] = sess.run(squares, {x: data})
            out["squared"], out["both0"], out["both1"] = sess.run([squared, both[0], both[1]], {x: data})
            out["cums"], out["total"], out["rows"] = sess.run([cums, total, rows], {x: data})
            out["case"] = [sess.run(case, {k: i}) for i in range(3)]
            out["picked"], out["positions"] = sess.run([picked, positions], {x: data})
            out["shapes"] = [str(t.get_shape().as_list()) for t in (branch, squared, cums, positions, squares)]
            return out
