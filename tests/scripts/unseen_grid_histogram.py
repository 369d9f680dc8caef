"""Grid and histogram helpers: meshgrid, linspace, range, histogram_fixed_width, bincount, masks, tensordot."""



def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        xs = tf.linspace(-1.0, 1.0, 5)
        ys = tf.lin_space(0.0, 2.0, 3)
        X, Y = tf.meshgrid(xs, ys)
        Xi, Yi = tf.meshgrid(tf.range(3), tf.range(2), indexing="ij")
        grid = tf.stack([tf.reshape(X, [-1]), tf.reshape(Y, [-1])], axis=1)
        values = tf.placeholder(tf.float32, [None])
        hist = tf.histogram_fixed_width(values, [0.0, 10.0], nbins=5)
        bins = tf.histogram_fixed_width_bins(values, [0.0, 10.0], nbins=5)
        ids = tf.placeholder(tf.int32, [None])
        counts = tf.bincount(ids, minlength=6)
        wcounts = tf.bincount(ids, weights=tf.cast(ids, tf.float32) * 0.5, maxlength=4)
        lengths = tf.placeholder(tf.int32, [None])
        mask = tf.sequence_mask(lengths, maxlen=5)
        mask_f = tf.sequence_mask(lengths, dtype=tf.float32)
        seq = tf.reshape(tf.range(15, dtype=tf.float32), [3, 5])
        picked = tf.boolean_mask(seq, mask)
        masked_mean = tf.reduce_sum(seq * tf.cast(mask, tf.float32), 1) / tf.cast(lengths, tf.float32)
        a = tf.reshape(tf.range(24, dtype=tf.float32), [2, 3, 4])
        b = tf.reshape(tf.range(20, dtype=tf.float32), [4, 5])
        td = tf.tensordot(a, b, axes=1)
        td2 = tf.tensordot(a, tf.ones([3, 4]), axes=[[1, 2], [0, 1]])
        es = tf.einsum("bij,jk->bik", a, b)
        outer = tf.einsum("i,j->ij", xs, ys)
        rng = tf.range(10, 1, -3)
        with tf.Session() as sess:
            res = sess.run({"xs": xs, "ys": ys, "X": X, "Y": Y, "Xi": Xi, "Yi": Yi, "grid": grid,
                            "td": td, "td2": td2, "es": es, "outer": outer, "rng": rng})
            out.update(res)
            out["hist"], out["bins"] = sess.run([hist, bins], {values: [-1.0, 0.5, 2.0, 3.9, 9.99, 10.0, 55.0]})
            out["counts"], out["wcounts"] = sess.run([counts, wcounts], {ids: [1, 1, 3, 5, 0, 3, 3]})
            m, mf, p, mm = sess.run([mask, mask_f, picked, masked_mean], {lengths: [2, 5, 3]})
            out["mask"], out["mask_f"], out["picked"], out["masked_mean"] = m, mf, p, mm
        out["static"] = [str(t.get_shape()) for t in (xs, X, hist, counts, mask, mask_f, picked, td, td2)]
        out["dtypes"] = [t.dtype.name for t in (hist, bins, counts, wcounts, mask)]
    return out
