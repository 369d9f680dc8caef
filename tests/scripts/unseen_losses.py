"""Loss functions: tf.nn cross entropies, tf.losses with weights and reductions, collections."""

import numpy as np


def build_and_run(tf):
    rng = np.random.RandomState(7)
    logits = rng.randn(5, 4).astype(np.float32) * 3
    onehot = np.eye(4, dtype=np.float32)[[0, 2, 1, 3, 3]]
    sparse = np.array([0, 2, 1, 3, 3], np.int32)
    preds = rng.rand(5, 4).astype(np.float32)
    weights = np.array([1.0, 0.0, 2.0, 0.5, 1.0], np.float32)
    with tf.Graph().as_default():
        lg = tf.constant(logits)
        out = {}
        t = {
            "xent_v2": tf.nn.softmax_cross_entropy_with_logits_v2(labels=onehot, logits=lg),
            "xent": tf.nn.softmax_cross_entropy_with_logits(labels=onehot, logits=lg),
            "sparse": tf.nn.sparse_softmax_cross_entropy_with_logits(labels=sparse, logits=lg),
            "sigmoid": tf.nn.sigmoid_cross_entropy_with_logits(labels=onehot, logits=lg),
            "weighted": tf.nn.weighted_cross_entropy_with_logits(onehot, lg, 2.0),
            "l2": tf.nn.l2_loss(lg),
            "mse": tf.losses.mean_squared_error(onehot, preds),
            "mse_w": tf.losses.mean_squared_error(onehot, preds, weights=weights[:, None]),
            "abs_sum": tf.losses.absolute_difference(onehot, preds, reduction=tf.losses.Reduction.SUM),
            "huber": tf.losses.huber_loss(onehot, lg, delta=0.5),
            "log": tf.losses.log_loss(onehot, preds),
            "hinge": tf.losses.hinge_loss(onehot, lg),
            "sm": tf.losses.softmax_cross_entropy(onehot, lg, label_smoothing=0.1),
            "ssm": tf.losses.sparse_softmax_cross_entropy(sparse, lg, weights=weights),
            "sig": tf.losses.sigmoid_cross_entropy(onehot, lg, reduction=tf.losses.Reduction.SUM_BY_NONZERO_WEIGHTS),
            "sig_none": tf.losses.sigmoid_cross_entropy(onehot, lg, reduction=tf.losses.Reduction.NONE,
                                                        loss_collection=None),
            "cos": tf.losses.cosine_distance(tf.nn.l2_normalize(onehot, 1), tf.nn.l2_normalize(preds, 1),
                                             axis=1),
            "mean_pw": tf.losses.mean_pairwise_squared_error(onehot, preds),
        }
        t["total"] = tf.losses.get_total_loss(add_regularization_losses=False)
        with tf.Session() as sess:
            out.update(sess.run(t))
        out["collection"] = [x.op.name for x in tf.losses.get_losses()]
        out["names"] = [t[k].op.name for k in sorted(t)]
        return out
