"""Gradient-clipping helpers applied to constants, and special functions from VAE / Bayesian code."""

import numpy as np


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        g1 = tf.placeholder(tf.float32, [None, 3], name="g1")
        g2 = tf.constant([[0.5, -1.5], [2.0, 0.0]])
        clipped_rows = tf.clip_by_norm(g1, 1.0, axes=[1])
        clipped_all = tf.clip_by_norm(g1, 2.5)
        (c1, c2), gnorm = tf.clip_by_global_norm([g1, g2], clip_norm=3.0)
        (n1, n2), _ = tf.clip_by_global_norm([g1, g2], clip_norm=3.0, use_norm=tf.constant(6.0))
        gn = tf.global_norm([g1, g2, None])
        avg = tf.clip_by_average_norm(g1, 0.5)
        clip_val = tf.clip_by_value(g1, -0.5, tf.constant(0.75))
        a = tf.placeholder(tf.float32, [None, 2])
        lbeta = tf.lbeta(a)
        x = tf.constant([0.3, 1.0, 2.5, 6.0])
        specials = {
            "lbeta": lbeta, "lbeta_vec": tf.lbeta([1.0, 2.0, 3.0]),
            "i0e": tf.math.bessel_i0e(x), "i1e": tf.math.bessel_i1e(x),
            "igamma": tf.math.igamma(2.0, x), "igammac": tf.math.igammac(x, 1.5),
            "polygamma2": tf.polygamma(2.0, x), "digamma": tf.digamma(x),
            "log_sigmoid": tf.log_sigmoid(x - 3.0), "softplus": tf.nn.softplus(-x),
            "erfinv_like": tf.erf(x / 3.0), "rsqrt": tf.rsqrt(x), "squared_diff": tf.squared_difference(x, 1.0),
            "xdivy": tf.math.xdivy(x, x + 1.0), "truncatediv": tf.truncatediv(tf.constant([-7, 7]), 2),
            "truncatemod": tf.truncatemod(tf.constant([-7, 7]), 3), "floordiv": tf.floordiv(tf.constant([-7, 7]), 2),
        }
        # the KL term of a VAE with a diagonal gaussian posterior
        mu = tf.constant([[0.1, -0.2], [1.0, 0.5]])
        log_var = tf.constant([[0.0, -0.5], [0.3, 0.1]])
        kl = -0.5 * tf.reduce_sum(1 + log_var - tf.square(mu) - tf.exp(log_var), axis=1)
        with tf.Session() as sess:
            feed = {g1: [[3.0, 4.0, 0.0], [0.1, 0.2, -0.2]], a: [[1.0, 1.0], [2.5, 0.5]]}
            res = sess.run({"rows": clipped_rows, "all": clipped_all, "c1": c1, "c2": c2, "gnorm": gnorm,
                            "n1": n1, "n2": n2, "gn": gn, "avg": avg, "clip_val": clip_val, "kl": kl}, feed)
            out.update(res)
            out.update(sess.run(specials, feed))
        out["lbeta_shape"] = str(lbeta.get_shape())
        out["dtypes"] = sorted(f"{k}:{v.dtype.name}" for k, v in specials.items())
    return out
