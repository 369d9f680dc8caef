"""BERT-style warm start: tf.train.init_from_checkpoint with an assignment map into a new scope."""

import os
import tempfile

import numpy as np


def _encoder(tf, x, scope):
    with tf.variable_scope(scope):
        h = tf.layers.dense(x, 3, name="dense", kernel_initializer=tf.truncated_normal_initializer(stddev=0.02))
        with tf.variable_scope("norm"):
            gamma = tf.get_variable("gamma", [3], initializer=tf.ones_initializer())
        return h * gamma


def build_and_run(tf):
    out = {}
    data = np.array([[1.0, 0.0, 2.0, -1.0]], np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = os.path.join(tmp, "bert_model.ckpt")
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 4])
            y = _encoder(tf, x, "bert")
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for i, v in enumerate(tf.global_variables()):
                    shape = v.get_shape().as_list()
                    v.load(np.linspace(-1, 1, int(np.prod(shape))).reshape(shape) * (i + 1), sess)
                out["saved_y"] = sess.run(y, {x: data})
                tf.train.Saver().save(sess, ckpt)
        out["ckpt_vars"] = [f"{n}:{s}" for n, s in tf.train.list_variables(ckpt)]
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 4])
            y = _encoder(tf, x, "model/bert")
            with tf.variable_scope("classifier"):
                head = tf.get_variable("output_weights", [3, 2], initializer=tf.constant_initializer(0.5))
            logits = tf.matmul(y, head)
            tvars = tf.trainable_variables()
            assignment = {name: name.replace("bert/", "model/bert/", 1)
                          for name, _ in tf.train.list_variables(ckpt)}
            tf.train.init_from_checkpoint(ckpt, assignment)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                out["warm_y"] = sess.run(y, {x: data})
                out["logits"] = sess.run(logits, {x: data})
                out["tvars"] = [v.name for v in tvars]
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 4])
            y = _encoder(tf, x, "bert")
            tf.train.init_from_checkpoint(ckpt, {"bert/": "bert/"})
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                out["scope_map_y"] = sess.run(y, {x: data})
    return out
