"""Linear regression in closed form (normal equations): matrix_inverse, matrix_solve, cholesky, ridge."""

import numpy as np


def build_and_run(tf):
    out = {}
    rng = np.random.RandomState(4)
    x_np = rng.rand(30, 3)
    y_np = x_np @ np.array([[1.5], [-2.0], [0.5]]) + 0.3 + rng.randn(30, 1) * 0.01
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None, 3])
        y = tf.placeholder(tf.float64, [None, 1])
        ones = tf.ones_like(x[:, :1])
        A = tf.concat([ones, x], axis=1)
        AtA = tf.matmul(tf.transpose(A), A)
        Aty = tf.matmul(A, y, transpose_a=True)
        theta_inv = tf.matmul(tf.matrix_inverse(AtA), Aty)
        theta_solve = tf.matrix_solve(AtA, Aty)
        L = tf.cholesky(AtA)
        theta_chol = tf.cholesky_solve(L, Aty)
        z = tf.matrix_triangular_solve(L, Aty, lower=True)
        theta_tri = tf.matrix_triangular_solve(tf.transpose(L), z, lower=False)
        lam = tf.placeholder(tf.float64, [])
        ridge = tf.matrix_solve(AtA + lam * tf.eye(4, dtype=tf.float64), Aty)
        theta_ls = tf.matrix_solve_ls(A, y, l2_regularizer=0.0)
        pred = tf.matmul(A, theta_solve)
        r2 = 1 - tf.reduce_sum(tf.square(y - pred)) / tf.reduce_sum(tf.square(y - tf.reduce_mean(y)))
        det = tf.matrix_determinant(AtA)
        with tf.Session() as sess:
            feed = {x: x_np.tolist(), y: y_np}
            res = sess.run({"inv": theta_inv, "solve": theta_solve, "chol": theta_chol, "tri": theta_tri,
                            "ls": theta_ls, "r2": r2, "det": det}, feed_dict=feed)
            out.update(res)
            out["ridge"] = sess.run(ridge, {x: x_np, y: y_np, lam: 1.0})
            out["ridge_dtype"] = ridge.dtype.name
        # float32 version with a batch of systems
        with tf.Session() as sess:
            m = tf.constant(np.array([[[4.0, 1.0], [1.0, 3.0]], [[2.0, 0.0], [0.0, 5.0]]], np.float32))
            rhs = tf.constant(np.array([[[1.0], [2.0]], [[3.0], [4.0]]], np.float32))
            out["batch_solve"] = sess.run(tf.matrix_solve(m, rhs))
            out["batch_inv"] = sess.run(tf.linalg.inv(m))
            out["adjoint_solve"] = sess.run(tf.matrix_solve(m, rhs, adjoint=True))
    return out
