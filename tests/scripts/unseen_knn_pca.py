"""Nearest-neighbour classifier (L1 and L2, top_k of negated distances, vote) and PCA by eigh/SVD."""

import numpy as np


def build_and_run(tf):
    out = {}
    rng = np.random.RandomState(9)
    train = rng.rand(20, 4).astype(np.float32)
    train_labels = np.eye(3, dtype=np.float32)[rng.randint(0, 3, 20)]
    test = rng.rand(5, 4).astype(np.float32)
    with tf.Graph().as_default():
        xtr = tf.placeholder("float", [None, 4])
        xte = tf.placeholder("float", [4])
        distance = tf.reduce_sum(tf.abs(tf.add(xtr, tf.negative(xte))), reduction_indices=1)
        pred = tf.arg_min(distance, 0)
        # batched L2 with top_k on negatives
        q = tf.placeholder(tf.float32, [None, 4])
        d2 = (tf.reduce_sum(q * q, 1, keepdims=True) - 2 * tf.matmul(q, xtr, transpose_b=True)
              + tf.transpose(tf.reduce_sum(xtr * xtr, 1, keepdims=True)))
        neg, idx = tf.nn.top_k(-d2, k=3)
        labels = tf.constant(train_labels)
        votes = tf.reduce_sum(tf.gather(labels, idx), axis=1)
        voted = tf.argmax(votes, axis=1)
        # PCA
        X = tf.constant(train)
        centered = X - tf.reduce_mean(X, axis=0)
        cov = tf.matmul(centered, centered, transpose_a=True) / tf.cast(tf.shape(X)[0] - 1, tf.float32)
        evals, evecs = tf.self_adjoint_eig(cov)
        s, u, v = tf.svd(centered)
        s_only = tf.svd(centered, compute_uv=False)
        top2 = tf.reverse(evecs, axis=[1])[:, :2]
        projected = tf.matmul(centered, top2)
        recon = tf.matmul(projected, top2, transpose_b=True)
        with tf.Session() as sess:
            nn = [sess.run(pred, feed_dict={xtr: train, xte: test[i, :]}) for i in range(5)]
            out["l1_nn"] = np.array(nn)
            n, i, vv = sess.run([neg, idx, voted], {q: test, xtr: train})
            out["neg_dist"], out["nn_idx"], out["voted"] = n, i, vv
            ev, sv, s2, rec, proj = sess.run([evals, s, s_only, recon, projected])
            out["eigenvalues"] = ev
            out["singular"] = sv
            out["singular_only"] = s2
            out["sv_vs_eig"] = np.allclose(sv ** 2 / 19.0, ev[::-1], rtol=1e-4)
            out["recon"] = rec
            out["proj_abs"] = np.abs(proj)
            out["svd_shapes"] = [str(t.get_shape()) for t in (s, u, v)]
    return out
