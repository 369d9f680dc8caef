"""A denoising autoencoder with tied weights (decoder uses tf.transpose of the encoder matrix)."""

import numpy as np


def build_and_run(tf):
    out = {}
    rng = np.random.RandomState(3)
    n_in, n_hidden = 16, 6
    data = rng.rand(5, n_in).astype(np.float32)
    with tf.Graph().as_default():
        X = tf.placeholder("float", [None, n_in], name="X")
        mask = tf.placeholder("float", [None, n_in], name="mask")
        max_w = 4 * np.sqrt(6.0 / (n_in + n_hidden))
        W = tf.Variable(tf.random_uniform([n_in, n_hidden], -max_w, max_w, seed=11), name="W")
        # replace the random init with fixed values so both runs agree
        fixed = (rng.rand(n_in, n_hidden).astype(np.float32) - 0.5)
        set_w = W.assign(fixed)
        b = tf.Variable(tf.zeros([n_hidden]), name="b")
        b_prime = tf.Variable(tf.zeros([n_in]) + 0.1, name="b_prime")
        W_prime = tf.transpose(W)
        tilde_X = mask * X
        Y = tf.nn.sigmoid(tf.matmul(tilde_X, W) + b)
        Z = tf.nn.sigmoid(tf.matmul(Y, W_prime) + b_prime)
        cost = tf.reduce_sum(tf.pow(X - Z, 2))
        per_example = tf.reduce_mean(tf.squared_difference(X, Z), axis=1)
        code_norm = tf.norm(Y, axis=1)
        with tf.Session() as sess:
            tf.global_variables_initializer().run()
            w0 = sess.run(W)
            out["init_bounded"] = bool(np.abs(w0).max() <= max_w)
            sess.run(set_w)
            mask_np = (rng.rand(5, n_in) > 0.3).astype(np.float32)
            full = np.ones_like(mask_np)
            out["cost_clean"] = sess.run(cost, feed_dict={X: data, mask: full})
            out["cost_noisy"] = sess.run(cost, feed_dict={X: data, mask: mask_np})
            out["reconstruction"] = sess.run(Z, {X: data[:2], mask: full[:2]})
            out["per_example"], out["code_norm"] = sess.run([per_example, code_norm], {X: data, mask: mask_np})
            out["w_prime_shape"] = W_prime.get_shape().as_list()
            out["transpose_equal"] = bool(np.array_equal(sess.run(W_prime), sess.run(W).T))
    return out
