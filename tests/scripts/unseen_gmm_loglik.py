"""Gaussian mixture log-likelihood and responsibilities (E-step) with reduce_logsumexp, diag covariances."""

import numpy as np


def build_and_run(tf):
    out = {}
    rng = np.random.RandomState(12)
    data = np.concatenate([rng.randn(6, 2) - 2, rng.randn(6, 2) + 2]).astype(np.float32)
    with tf.Graph().as_default():
        X = tf.placeholder(tf.float32, [None, 2], name="X")
        mu = tf.Variable([[-2.0, -2.0], [2.0, 2.0], [0.0, 0.0]], name="mu")
        log_sigma = tf.Variable([[0.0, 0.1], [-0.1, 0.0], [0.5, 0.5]], name="log_sigma")
        logits_pi = tf.Variable([0.0, 0.0, -1.0], name="logits_pi")
        log_pi = tf.nn.log_softmax(logits_pi)
        sigma2 = tf.exp(2.0 * log_sigma)
        diff = tf.expand_dims(X, 1) - tf.expand_dims(mu, 0)
        log_norm = -0.5 * (np.log(2 * np.pi) * 2 + tf.reduce_sum(2.0 * log_sigma, axis=1))
        mahal = tf.reduce_sum(tf.square(diff) / sigma2, axis=2)
        log_comp = log_norm - 0.5 * mahal + log_pi
        log_lik = tf.reduce_logsumexp(log_comp, axis=1)
        resp = tf.exp(log_comp - tf.reduce_logsumexp(log_comp, axis=1, keep_dims=True))
        total = tf.reduce_sum(log_lik)
        nk = tf.reduce_sum(resp, 0)
        new_mu = tf.matmul(resp, X, transpose_a=True) / tf.expand_dims(nk, 1)
        hard = tf.argmax(resp, axis=1, output_type=tf.int32)
        # logsumexp against the naive form on large values
        big = tf.constant([[1000.0, 1000.0], [-1000.0, -999.0]])
        lse = tf.reduce_logsumexp(big, axis=1)
        lse_all = tf.reduce_logsumexp(big)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            res = sess.run({"log_lik": log_lik, "resp": resp, "total": total, "nk": nk, "new_mu": new_mu,
                            "hard": hard}, {X: data})
            out.update(res)
            out["lse"], out["lse_all"] = sess.run([lse, lse_all])
            out["naive_overflow"] = bool(np.isinf(sess.run(tf.log(tf.reduce_sum(tf.exp(big), 1)))[0]))
            out["resp_rows_sum"] = np.round(res["resp"].sum(1), 5)
    return out
