"""while_loop patterns: growing tensors with shape_invariants, maximum_iterations, nested loops, TensorArrays."""


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        n = tf.placeholder(tf.int32, [], name="n")
        # collatz-style sequence grown by concat: needs a [None] shape invariant
        i0 = tf.constant(0)
        seq0 = tf.constant([7])

        def cond(i, seq):
            return tf.logical_and(i < n, seq[-1] > 1)

        def body(i, seq):
            last = seq[-1]
            nxt = tf.cond(tf.equal(last % 2, 0), lambda: last // 2, lambda: 3 * last + 1)
            return i + 1, tf.concat([seq, [nxt]], axis=0)

        steps, seq = tf.while_loop(cond, body, [i0, seq0],
                                   shape_invariants=[i0.get_shape(), tf.TensorShape([None])])
        # maximum_iterations caps a loop whose condition never ends it
        capped = tf.while_loop(lambda k: k < 1000, lambda k: k + 3, [tf.constant(0)], maximum_iterations=n)
        # nested loops: a multiplication table summed row by row
        def outer_body(r, total):
            inner = tf.while_loop(lambda c, acc: c < 4, lambda c, acc: (c + 1, acc + r * c), [0, 0])[1]
            return r + 1, total + inner
        _, table_sum = tf.while_loop(lambda r, t: r < n, outer_body, [0, 0])
        # TensorArray with dynamic size, written in a loop, then stacked / gathered / concatenated
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True, element_shape=[2], clear_after_read=False)

        def ta_body(k, arr):
            return k + 1, arr.write(k, tf.stack([tf.cast(k, tf.float32), tf.cast(k * k, tf.float32)]))
        _, filled = tf.while_loop(lambda k, arr: k < n, ta_body, [0, ta])
        stacked = filled.stack()
        picked = filled.gather([0, 2])
        size = filled.size()
        unstacked = tf.TensorArray(tf.int32, size=3).unstack(tf.constant([[1, 2], [3, 4], [5, 6]]))
        read_back = unstacked.read(1)
        parts = tf.TensorArray(tf.int32, size=2, infer_shape=False).split(tf.range(5), [2, 3])
        concat_back = parts.concat()
        with tf.Session() as sess:
            res = sess.run({"steps": steps, "seq": seq, "capped": capped, "table_sum": table_sum,
                            "stacked": stacked, "picked": picked, "size": size, "read_back": read_back,
                            "concat_back": concat_back}, {n: 20})
            out.update(res)
            out["short_seq"] = sess.run(seq, {n: 3})
            out["capped_small"] = sess.run(capped, {n: 2})
        out["seq_static"] = str(seq.get_shape())
        out["stacked_static"] = str(stacked.get_shape())
    return out
