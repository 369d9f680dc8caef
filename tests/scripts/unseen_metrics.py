"""Streaming tf.metrics over batches with local_variables_initializer, reset, update ops."""

import numpy as np


def build_and_run(tf):
    rng = np.random.RandomState(6)
    labels = rng.randint(0, 2, size=(4, 10)).astype(np.int64)
    scores = np.clip(labels * 0.3 + rng.rand(4, 10) * 0.7, 0, 1).astype(np.float32)
    classes = rng.randint(0, 3, size=(4, 10)).astype(np.int64)
    guesses = np.where(rng.rand(4, 10) < 0.6, classes, (classes + 1) % 3)
    with tf.Graph().as_default():
        y = tf.placeholder(tf.int64, [None])
        p = tf.placeholder(tf.float32, [None])
        c = tf.placeholder(tf.int64, [None])
        g = tf.placeholder(tf.int64, [None])
        with tf.name_scope("eval"):
            acc, acc_up = tf.metrics.accuracy(labels=c, predictions=g)
            auc, auc_up = tf.metrics.auc(y, p, num_thresholds=50)
            prec, prec_up = tf.metrics.precision(y, p > 0.5)
            rec, rec_up = tf.metrics.recall(y, p > 0.5)
            mean, mean_up = tf.metrics.mean(p)
            mse, mse_up = tf.metrics.mean_squared_error(tf.cast(y, tf.float32), p)
            iou, iou_up = tf.metrics.mean_iou(c, g, num_classes=3)
            tp, tp_up = tf.metrics.true_positives(y, p > 0.5)
        updates = tf.group(acc_up, auc_up, prec_up, rec_up, mean_up, mse_up, iou_up, tp_up)
        cm = tf.confusion_matrix(c, g, num_classes=3)
        running = tf.get_collection(tf.GraphKeys.LOCAL_VARIABLES, scope="eval")
        reset = tf.variables_initializer(running)
        with tf.Session() as sess:
            sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
            for i in range(4):
                sess.run(updates, {y: labels[i], p: scores[i], c: classes[i], g: guesses[i]})
            final = sess.run({"acc": acc, "auc": auc, "prec": prec, "rec": rec, "mean": mean,
                              "mse": mse, "iou": iou, "tp": tp})
            final["cm"] = sess.run(cm, {c: classes.ravel(), g: guesses.ravel()})
            first_up = sess.run(acc_up, {c: classes[0], g: guesses[0]})
            sess.run(reset)
            final["after_reset"] = sess.run(acc_up, {c: classes[0], g: guesses[0]})
            final["first_up"] = first_up
            final["local_names"] = sorted(v.op.name for v in tf.local_variables())
            final["metric_vars"] = sorted(v.op.name for v in tf.get_collection(tf.GraphKeys.METRIC_VARIABLES))
            return final
