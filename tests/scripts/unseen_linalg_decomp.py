"""Matrix decompositions in old scientific scripts: QR, SVD, eigh, lstsq, Cholesky solves, slogdet."""

import numpy as np


def build_and_run(tf):
    out = {}
    rng = np.random.RandomState(3)
    a = rng.randn(4, 3).astype(np.float64)
    spd = (a.T @ a + 3 * np.eye(3)).astype(np.float32)
    with tf.Graph().as_default():
        A = tf.placeholder(tf.float64, [None, 3], name="A")
        S = tf.constant(spd)
        q, r = tf.qr(A)
        s, u, v = tf.svd(A)
        s_only = tf.svd(A, compute_uv=False)
        recon = tf.matmul(u * s[None, :], v, adjoint_b=True)
        e, ev = tf.self_adjoint_eig(S)
        e_only = tf.linalg.eigvalsh(S)
        chol = tf.cholesky(S)
        rhs = tf.constant([[1.0], [2.0], [3.0]])
        x_chol = tf.cholesky_solve(chol, rhs)
        b = tf.constant([[1.0], [0.0], [2.0], [-1.0]], tf.float64)
        x_ls = tf.matrix_solve_ls(A, b, l2_regularizer=0.0)
        x_ridge = tf.linalg.lstsq(A, b, l2_regularizer=0.5)
        sign, logdet = tf.linalg.slogdet(S)
        logdet_chol = tf.linalg.logdet(S)
        pinv = tf.linalg.pinv(A)
        # a minimum-norm solve of a wide system whose size is only known when fed
        W = tf.placeholder(tf.float64, [None, None], name="W")
        x_wide = tf.matrix_solve_ls(W, tf.ones([tf.shape(W)[0], 1], tf.float64), l2_regularizer=0.1)
        proj = tf.eye(tf.shape(A)[0], dtype=tf.float64) - tf.matmul(A, pinv)
        with tf.Session() as sess:
            res = sess.run({"r_abs": tf.abs(r), "q_shape": tf.shape(q), "qr_recon": tf.matmul(q, r),
                            "s": s, "s_only": s_only, "svd_recon": recon, "eig": e, "eig_only": e_only,
                            "ev_check": tf.reduce_max(tf.abs(tf.matmul(S, ev) - ev * e[None, :])) < 1e-4,
                            "chol": chol, "x_chol": x_chol, "x_ls": x_ls, "x_ridge": x_ridge, "sign": sign,
                            "logdet": logdet, "logdet_chol": logdet_chol, "pinv_a": tf.matmul(pinv, A)},
                           {A: a})
            out.update(res)
            out["x_wide"], out["proj"] = sess.run([x_wide, proj], {A: a, W: a.T[:2]})
        out["u_static"], out["v_static"] = str(u.get_shape()), str(v.get_shape())
        out["eig_dtype"] = e.dtype.name
    return out
