"""Math helpers from probabilistic-model code: lgamma/digamma/betainc/igamma, erf/erfc, bitwise, clipping."""



def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None], name="x")
        a = tf.constant([0.5, 1.0, 2.5, 4.0])
        res = {
            "lgamma": tf.lgamma(x), "digamma": tf.digamma(x), "erf": tf.erf(x), "erfc": tf.erfc(x),
            "igamma": tf.igamma(a, x), "igammac": tf.igammac(a, x), "betainc": tf.betainc(a, a + 1.0, x / 5.0),
            "zeta": tf.zeta(a + 1.5, x), "polygamma": tf.polygamma(tf.ones_like(x), x),
            "expm1": tf.expm1(x), "log1p": tf.log1p(x), "xlogy": tf.math.xlogy(x, x + 1.0),
            "bessel_i0e": tf.math.bessel_i0e(x), "bessel_i1e": tf.math.bessel_i1e(x),
            "softsign": tf.nn.softsign(x), "reciprocal": tf.reciprocal(x), "squared": tf.square(x),
            "floor_mod": tf.floormod(x, 0.75), "atan2": tf.atan2(x, 1.0 - x),
        }
        ints = tf.constant([12, 5, -3, 255], tf.int32)
        res.update({
            "and": tf.bitwise.bitwise_and(ints, 6), "or": tf.bitwise.bitwise_or(ints, 1),
            "xor": tf.bitwise.bitwise_xor(ints, 15), "invert": tf.bitwise.invert(ints),
            "lshift": tf.bitwise.left_shift(ints, 2), "rshift": tf.bitwise.right_shift(ints, 1),
        })
        grads = [tf.constant([3.0, 4.0]), tf.constant([[12.0]])]
        clipped, norm = tf.clip_by_global_norm(grads, 6.5)
        res["clipped0"], res["clipped1"], res["global_norm"] = clipped[0], clipped[1], norm
        res["clip_avg"] = tf.clip_by_average_norm(tf.constant([[3.0, 4.0]]), 1.0)
        res["l2_loss"] = tf.nn.l2_loss(x)
        res["normalized"] = tf.nn.l2_normalize(tf.constant([[3.0, 4.0], [0.0, 0.0]]), axis=1)
        mean, var = tf.nn.moments(x, axes=[0])
        res["moments"] = tf.stack([mean, var])
        counts, m_ss, v_ss, _ = tf.nn.sufficient_statistics(x, axes=[0])
        nm, nv = tf.nn.normalize_moments(counts, m_ss, v_ss, shift=None)
        res["normalize_moments"] = tf.stack([nm, nv])
        with tf.Session() as sess:
            out.update(sess.run(res, {x: [0.25, 1.0, 2.0, 3.5]}))
        out["dtypes"] = sorted({f"{k}:{v.dtype.name}" for k, v in res.items()})
    return out
