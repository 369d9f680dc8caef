"""get_variable under variable_scope: reuse, AUTO_REUSE, initializers, regularizers, partitioners."""

import numpy as np


def _dense(tf, x, n_out, scope, reuse=None):
    with tf.variable_scope(scope, reuse=reuse):
        w = tf.get_variable("w", [x.get_shape()[-1], n_out],
                            initializer=tf.truncated_normal_initializer(stddev=0.1, seed=3),
                            regularizer=lambda t: 0.01 * tf.nn.l2_loss(t))
        b = tf.get_variable("b", [n_out], initializer=tf.constant_initializer(0.5))
        return tf.matmul(x, w) + b


def _shared(tf, x):
    with tf.variable_scope("shared", reuse=tf.AUTO_REUSE):
        v = tf.get_variable("v", [3], initializer=tf.ones_initializer())
        return x * v


def _arange_init(shape, dtype=None, partition_info=None):
    # a custom initializer: called once per partition with the partition's shape
    offset = 0 if partition_info is None else partition_info.single_offset(shape)
    return np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape) + 100 * offset


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        y1 = _dense(tf, x, 2, "layer")
        y2 = _dense(tf, x, 2, "layer", reuse=True)
        s1, s2 = _shared(tf, x), _shared(tf, x)
        with tf.variable_scope("outer") as outer, tf.variable_scope("inner"):
            c = tf.get_variable("c", [2, 2], initializer=tf.random_uniform_initializer(-1, 1))
        with tf.variable_scope(outer, reuse=True), tf.variable_scope("inner"):
            c2 = tf.get_variable("c")
        with tf.variable_scope("init", initializer=tf.constant_initializer(2.0)):
            d = tf.get_variable("d", [2])
            e = tf.get_variable("e", [2], initializer=tf.zeros_initializer(), dtype=tf.float64)
            f = tf.get_variable("f", initializer=tf.constant([1, 2, 3]))
        with tf.variable_scope("part"):
            emb = tf.get_variable("emb", [10, 4], initializer=_arange_init,
                                  partitioner=tf.fixed_size_partitioner(3))
        looked = tf.nn.embedding_lookup(emb, tf.constant([0, 3, 4, 9]))
        with tf.name_scope("ns"):
            g = tf.get_variable("g", [1])
            h = tf.Variable(1.0, name="h")
        nt = tf.get_variable("nt", [2], trainable=False)
        reg = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
        reg_total = tf.losses.get_regularization_loss()
        try:
            with tf.variable_scope("layer"):
                tf.get_variable("w", [3, 2])
            out["dup_error"] = "none"
        except ValueError as err:
            out["dup_error"] = "already exists" in str(err)
        try:
            with tf.variable_scope("nothere", reuse=True):
                tf.get_variable("zz", [1])
            out["missing_error"] = "none"
        except ValueError as err:
            out["missing_error"] = "does not exist" in str(err)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            xv = np.array([[1.0, 2.0, 3.0]], np.float32)
            y1v, y2v, s1v, s2v = sess.run([y1, y2, s1, s2], {x: xv})
            out.update({
                "same_y": np.array_equal(y1v, y2v), "s1": s1v, "s2": s2v,
                "c_is_c2": c is c2, "c_range": bool(np.all(np.abs(sess.run(c)) <= 1)),
                "w_trunc": bool(np.all(np.abs(sess.run("layer/w:0")) <= 0.2)),
                "d": sess.run(d), "e": sess.run(e), "f": sess.run(f), "e_dtype": e.dtype.name,
                "looked": sess.run(looked), "emb_full": sess.run(tf.convert_to_tensor(emb)),
                "reg_names": [r.name for r in reg], "n_reg": len(reg),
                "reg_total_pos": bool(sess.run(reg_total) > 0),
                "names": [v.name for v in tf.global_variables()],
                "trainable": [v.name for v in tf.trainable_variables()],
                "g_h": [g.name, h.name, nt.name],
                "scope_name": outer.name,
            })
    return out
