"""Per-class evaluation of a classifier: confusion_matrix, mean_per_class_accuracy, precision/recall at k."""



def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        labels = tf.placeholder(tf.int64, [None], name="labels")
        logits = tf.placeholder(tf.float32, [None, 3], name="logits")
        preds = tf.argmax(logits, axis=1)
        cm = tf.confusion_matrix(labels, preds, num_classes=3)
        cm_weighted = tf.math.confusion_matrix(labels, preds, num_classes=4,
                                               weights=tf.ones_like(labels, tf.float32) * 0.5, dtype=tf.float32)
        per_class, per_class_update = tf.metrics.mean_per_class_accuracy(labels, preds, 3)
        acc, acc_update = tf.metrics.accuracy(labels, preds)
        prec, prec_update = tf.metrics.precision_at_k(labels, logits, k=2)
        rec, rec_update = tf.metrics.recall_at_k(labels, logits, k=2)
        in_top2 = tf.nn.in_top_k(logits, tf.cast(labels, tf.int32), 2)
        diag = tf.diag_part(tf.cast(cm, tf.float32))
        recall_per_class = diag / tf.maximum(tf.reduce_sum(tf.cast(cm, tf.float32), axis=1), 1.0)
        batches = [
            ([0, 1, 2, 2], [[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [0.2, 0.1, 3.0], [1.0, 0.5, 0.2]]),
            ([1, 1, 0], [[0.3, 0.2, 0.9], [0.1, 1.2, 0.0], [0.9, 0.8, 0.1]]),
        ]
        with tf.Session() as sess:
            sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
            cms = []
            for lab, log in batches:
                feed = {labels: lab, logits: log}
                c, cw, rpc, top = sess.run([cm, cm_weighted, recall_per_class, in_top2], feed)
                cms.append(c)
                out[f"cw_{len(cms)}"] = cw
                out[f"rpc_{len(cms)}"] = rpc
                out[f"top2_{len(cms)}"] = top
                sess.run([per_class_update, acc_update, prec_update, rec_update], feed)
            out["cm_total"] = cms[0] + cms[1]
            out["cm_dtype"] = cms[0].dtype.name
            out["per_class"], out["acc"], out["prec_at_2"], out["rec_at_2"] = sess.run([per_class, acc, prec, rec])
            local_names = sorted(v.op.name for v in tf.local_variables())
            out["local_names"] = local_names
    return out
