"""MNIST softmax regression eval: Saver with var_list, then import_meta_graph in a fresh graph by names."""

import os
import tempfile

import numpy as np


def _images(n, seed):
    rng = np.random.RandomState(seed)
    return rng.rand(n, 784).astype(np.float32), rng.randint(0, 10, size=n)


def build_and_run(tf):
    out = {}
    rng = np.random.RandomState(0)
    w_init = (rng.randn(784, 10) * 0.05).astype(np.float32)
    b_init = np.linspace(-0.5, 0.5, 10).astype(np.float32)
    xs, labels = _images(32, 1)
    one_hot = np.eye(10, dtype=np.float32)[labels]
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "mnist_softmax")
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 784], name="x")
            y_ = tf.placeholder(tf.float32, [None, 10], name="y_")
            W = tf.Variable(w_init, name="W")
            b = tf.Variable(b_init, name="b")
            tf.Variable(0, name="step", trainable=False)  # not in the Saver's var_list
            y = tf.nn.softmax(tf.matmul(x, W) + b, name="y")
            correct = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
            accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")
            xent = tf.reduce_mean(-tf.reduce_sum(y_ * tf.log(y + 1e-10), reduction_indices=[1]), name="xent")
            tf.add_to_collection("eval_ops", accuracy)
            tf.add_to_collection("eval_ops", xent)
            saver = tf.train.Saver(var_list=[W, b])
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                out["acc_before"] = sess.run(accuracy, feed_dict={x: xs, y_: one_hot})
                path = saver.save(sess, prefix)
            out["saved_names"] = sorted(n for n, _ in tf.train.list_variables(path))
        with tf.Graph().as_default() as g:
            restorer = tf.train.import_meta_graph(prefix + ".meta")
            with tf.Session() as sess:
                restorer.restore(sess, prefix)
                x = g.get_tensor_by_name("x:0")
                y_ = g.get_tensor_by_name("y_:0")
                acc = g.get_tensor_by_name("accuracy:0")
                probs = g.get_tensor_by_name("y:0")
                acc_v, p = sess.run([acc, probs], feed_dict={x: xs, y_: one_hot})
                out["acc_after"] = acc_v
                out["probs_rows"] = p[:3]
                out["eval_ops"] = [t.name for t in tf.get_collection("eval_ops")]
                evals = sess.run(tf.get_collection("eval_ops"), {"x:0": xs.tolist(), "y_:0": one_hot})
                out["eval_values"] = np.array(evals, dtype=np.float32)
                pred = sess.run(tf.argmax(probs, 1), {x: xs[:5]})
                out["pred"] = pred
                out["uninit"] = sorted(s.decode() for s in sess.run(tf.report_uninitialized_variables()))
                out["global_vars"] = [v.op.name for v in tf.global_variables()]
    return out
