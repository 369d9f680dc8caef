"""Writes a TF1 graph whose resource variables are read inside v2 control flow (If, While).

Run with TensorFlow (the oracle), from this directory:

    .venv-tf/bin/python make.py

Files: model.meta + model.index/.data-00000-of-00001 (a Saver checkpoint) and frozen_tf.pb,
TensorFlow's `convert_variables_to_constants` of output "out" (function names carry TF's
process-wide uid, so tests compare them modulo the `_frozen_<n>` suffix).
"""

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()
tf.enable_control_flow_v2()
tf.enable_resource_variables()

graph = tf.Graph()
with graph.as_default():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    flag = tf.placeholder_with_default(True, [], name="flag")
    w = tf.get_variable("w", initializer=np.arange(6, dtype=np.float32).reshape(3, 2))
    b = tf.get_variable("b", initializer=np.array([0.5, -0.5], np.float32))
    y = tf.cond(flag, lambda: tf.matmul(x, w) + b, lambda: tf.matmul(x, w) - b, name="cond")
    total = tf.while_loop(lambda i, acc: i < 3, lambda i, acc: (i + 1, acc + b), [tf.constant(0), tf.zeros([2])],
                          name="loop")[1]
    out = tf.identity(y + total, name="out")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, "./model", write_state=False)
        frozen = tf.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(), ["out"])
with open("frozen_tf.pb", "wb") as f:
    f.write(frozen.SerializeToString())
