"""TensorArray read rules a decoder loop runs into: clear_after_read, reading unwritten elements."""


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        values = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        keep = tf.TensorArray(tf.float32, size=3, clear_after_read=False).unstack(values)
        once = tf.TensorArray(tf.float32, size=3).unstack(values)
        sparse = tf.TensorArray(tf.float32, size=4).write(1, [7.0, 8.0])
        with tf.Session() as sess:
            out["keep_twice"] = sess.run([keep.stack(), keep.read(0)])[1]
            out["once_single"] = sess.run(once.read(2))
            checks = {}
            for key, fetch in (("once_twice", [once.stack(), once.read(0)]),
                               ("unwritten_read", sparse.read(0))):
                try:
                    sess.run(fetch)
                    checks[key] = "no error"
                except tf.errors.InvalidArgumentError:
                    checks[key] = "InvalidArgumentError"
            out["checks"] = [f"{k}:{v}" for k, v in sorted(checks.items())]
            out["unwritten_stack"] = sess.run(sparse.stack())  # unwritten elements read as zeros
    return out
