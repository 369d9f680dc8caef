"""Random ops with graph and op seeds: shapes, dtypes, ranges and reproducibility (not the values)."""

import numpy as np


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        tf.set_random_seed(1234)
        batch = tf.placeholder(tf.int32, [], name="batch")
        noise = tf.random_normal([batch, 100], mean=2.0, stddev=0.5)
        uni = tf.random_uniform([batch, 3], minval=-1, maxval=1, seed=42)
        ints = tf.random_uniform([1000], minval=0, maxval=10, dtype=tf.int32)
        trunc = tf.truncated_normal([500], stddev=1.0)
        shuffled = tf.random_shuffle(tf.range(10))
        draws = tf.multinomial(tf.log([[0.1, 0.0 + 1e-9, 0.9]]), 50)
        cat = tf.random.categorical(tf.log([[0.5, 0.5]]), 8, dtype=tf.int32)
        kept = tf.nn.dropout(tf.ones([10000]), keep_prob=0.75, seed=5)
        w = tf.get_variable("w", [20, 30], initializer=tf.glorot_uniform_initializer(seed=1))
        he = tf.get_variable("he", [50, 40], initializer=tf.variance_scaling_initializer(seed=2))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            n1, n2 = sess.run(noise, {batch: 4}), sess.run(noise, {batch: 4})
            out["noise_shape"] = n1.shape
            out["noise_dtype"] = n1.dtype.name
            out["noise_changes"] = bool(not np.array_equal(n1, n2))
            out["noise_mean_ok"] = bool(abs(n1.mean() - 2.0) < 0.2)
            u = sess.run(uni, {batch: 500})
            out["uni_range"] = bool(u.min() >= -1 and u.max() < 1)
            i = sess.run(ints)
            out["ints_range"] = [int(i.min()) >= 0, int(i.max()) <= 9, i.dtype.name]
            tr = sess.run(trunc)
            out["trunc_bounded"] = bool(np.abs(tr).max() <= 2.0)
            out["shuffled_sorted"] = np.sort(sess.run(shuffled))
            d = sess.run(draws)
            out["draws_shape_dtype"] = [str(d.shape), d.dtype.name, bool(set(d.ravel()) <= {0, 2})]
            c = sess.run(cat)
            out["cat_dtype"] = c.dtype.name
            k = sess.run(kept)
            out["dropout_values"] = sorted(set(np.round(k, 4).tolist()))
            out["dropout_rate_ok"] = bool(0.7 < (k > 0).mean() < 0.8)
            wv, hv = sess.run([w, he])
            limit = np.sqrt(6.0 / 50)
            out["glorot_bounded"] = bool(np.abs(wv).max() <= limit)
            out["he_std_ok"] = bool(0.05 < hv.std() < 0.2)
        # the same graph seed gives the same sequence in a new session
        with tf.Session() as s1:
            a = s1.run(uni, {batch: 3})
        with tf.Session() as s2:
            b = s2.run(uni, {batch: 3})
        out["op_seed_repeatable"] = bool(np.array_equal(a, b))
        out["noise_static"] = str(noise.get_shape())
        out["ops"] = sorted({op.type for op in tf.get_default_graph().get_operations()
                             if op.type.startswith("Random") or op.type in ("TruncatedNormal", "Multinomial")})
    return out
