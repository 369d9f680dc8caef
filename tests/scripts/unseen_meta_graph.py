"""export_meta_graph / import_meta_graph with import_scope, collections, restore by name."""

import os
import tempfile

import numpy as np


def build_and_run(tf):
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 2], name="input")
            w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
            b = tf.Variable([0.5, -0.5], name="b")
            y = tf.nn.relu(tf.matmul(x, w) + b, name="output")
            tf.add_to_collection("inputs", x)
            tf.add_to_collection("outputs", y)
            tf.add_to_collection("notes", tf.constant(3, name="three"))
            saver = tf.train.Saver()
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                sess.run(b.assign([1.0, -10.0]))
                saver.save(sess, os.path.join(tmp, "m"))
            tf.train.export_meta_graph(os.path.join(tmp, "plain.meta"))
            tf.train.export_meta_graph(os.path.join(tmp, "text.meta"), as_text=True)
        feed = np.array([[1.0, 1.0], [-1.0, 2.0]], np.float32)
        with tf.Graph().as_default() as g:
            restorer = tf.train.import_meta_graph(os.path.join(tmp, "m.meta"))
            with tf.Session() as sess:
                restorer.restore(sess, os.path.join(tmp, "m"))
                x = tf.get_collection("inputs")[0]
                y = tf.get_collection("outputs")[0]
                out["y"] = sess.run(y, {x: feed})
                out["y_by_name"] = sess.run("output:0", {"input:0": feed})
                out["collections"] = sorted(g.get_all_collection_keys())
        with tf.Graph().as_default() as g:
            tf.constant(1.0, name="existing")
            restorer = tf.train.import_meta_graph(os.path.join(tmp, "text.meta"), import_scope="imported")
            out["scoped_vars"] = [v.name for v in tf.global_variables()]
            out["scoped_inputs"] = [t.name for t in tf.get_collection("inputs")]
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                out["scoped_y"] = sess.run("imported/output:0", {"imported/input:0": feed})
            out["ops"] = sorted(op.name for op in g.get_operations() if op.type in ("Placeholder", "Relu",
                                                                                  "VariableV2"))
        with tf.Graph().as_default() as g:
            tf.train.import_meta_graph(os.path.join(tmp, "plain.meta"), import_scope="a")
            tf.train.import_meta_graph(os.path.join(tmp, "plain.meta"), import_scope="b")
            saver = tf.train.Saver(var_list={"w": g.get_tensor_by_name("b/w:0"),
                                             "b": g.get_tensor_by_name("b/b:0")})
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                saver.restore(sess, os.path.join(tmp, "m"))
                out["a_y"], out["b_y"] = sess.run(["a/output:0", "b/output:0"],
                                                  {"a/input:0": feed, "b/input:0": feed})
    return out
