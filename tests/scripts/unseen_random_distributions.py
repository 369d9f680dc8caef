"""Sampling ops in Bayesian/RL demos: random_gamma, random_poisson, multinomial, random_crop/shuffle (stats only)."""

import numpy as np


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        tf.set_random_seed(7)
        alpha = tf.placeholder(tf.float32, [None])
        gamma = tf.random_gamma([4000], alpha, beta=2.0)
        gamma64 = tf.random_gamma([3], [1.0, 2.0], dtype=tf.float64, seed=1)
        pois = tf.random_poisson([3.0, 10.0], [4000], seed=2)
        pois_int = tf.random.poisson(lam=[5.0], shape=[6], dtype=tf.int32, seed=3)
        logits = tf.log([[0.2, 0.3, 0.5], [0.98, 0.01, 0.01]])
        samples = tf.multinomial(logits, num_samples=5000, seed=4)
        samples32 = tf.multinomial(logits, 4, output_dtype=tf.int32, seed=5)
        image = tf.reshape(tf.range(5 * 6 * 2), [5, 6, 2])
        crop = tf.random_crop(image, [3, 3, 2], seed=6)
        shuffled = tf.random_shuffle(tf.reshape(tf.range(12), [6, 2]), seed=8)
        normal = tf.random_normal([2, 3], seed=9, dtype=tf.float64)
        with tf.Session() as sess:
            g = sess.run(gamma, {alpha: [1.0, 5.0]})
            out["gamma_shape"] = g.shape
            means = g.mean(axis=0)
            out["gamma_mean_ok"] = bool(abs(means[0] - 0.5) < 0.05 and abs(means[1] - 2.5) < 0.15)
            out["gamma_positive"] = bool((g > 0).all())
            out["gamma64_dtype"] = sess.run(gamma64).dtype.name
            out["gamma64_shape"] = gamma64.get_shape().as_list()
            p = sess.run(pois)
            out["pois_shape_dtype"] = [str(p.shape), p.dtype.name]
            out["pois_mean_ok"] = bool(abs(p[:, 0].mean() - 3.0) < 0.2 and abs(p[:, 1].mean() - 10.0) < 0.4)
            out["pois_integral"] = bool(np.array_equal(p, np.round(p)))
            pi = sess.run(pois_int)
            out["pois_int"] = [str(pi.shape), pi.dtype.name]
            s = sess.run(samples)
            out["samples_shape_dtype"] = [str(s.shape), s.dtype.name]
            freq = np.stack([np.bincount(row, minlength=3) / 5000.0 for row in s])
            out["freq_ok"] = bool(np.abs(freq - [[0.2, 0.3, 0.5], [0.98, 0.01, 0.01]]).max() < 0.03)
            out["samples32_dtype"] = sess.run(samples32).dtype.name
            c = sess.run(crop)
            out["crop_shape"] = c.shape
            # a crop is a contiguous window: its channel pairs step by 2 along width, 12 along height
            out["crop_contiguous"] = bool(np.all(np.diff(c[:, :, 0], axis=1) == 2)
                                          and np.all(np.diff(c[:, :, 0], axis=0) == 12))
            sh = sess.run(shuffled)
            out["rows_kept"] = sorted(map(tuple, sh.tolist()))
            out["normal_dtype"] = sess.run(normal).dtype.name
        out["static_shapes"] = [str(t.get_shape()) for t in (gamma, pois, samples, crop, shuffled)]
    return out
