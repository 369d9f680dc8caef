"""Freeze a graph (convert_variables_to_constants), write it, load it, import with input_map."""

import os
import tempfile

import numpy as np


def build_and_run(tf):
    out = {}
    feed = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]], np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        with tf.Graph().as_default() as g:
            x = tf.placeholder(tf.float32, [None, 3], name="input")
            with tf.variable_scope("net"):
                w = tf.get_variable("w", initializer=tf.constant(np.eye(3, 2, dtype=np.float32) * 2))
                b = tf.get_variable("b", initializer=tf.constant([0.25, -0.25]))
            h = tf.nn.sigmoid(tf.matmul(x, w) + b, name="hidden")
            keep = tf.placeholder_with_default(1.0, [], name="keep")
            y = tf.identity(tf.nn.dropout(h, keep_prob=keep) * 3.0, name="output")
            tf.Variable(0, name="unused_counter")
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                sess.run(b.assign_add([1.0, 1.0]))
                frozen = tf.graph_util.convert_variables_to_constants(
                    sess, g.as_graph_def(), ["output"])
                out["before"] = sess.run(y, {x: feed})
            tf.train.write_graph(frozen, tmp, "frozen.pb", as_text=False)
            tf.train.write_graph(frozen, tmp, "frozen.pbtxt")
            tf.io.write_graph(g, tmp, "graph.pbtxt")
        out["frozen_ops"] = sorted({n.op for n in frozen.node})
        out["frozen_has_counter"] = any("unused_counter" in n.name for n in frozen.node)
        gd = tf.GraphDef()
        with tf.gfile.GFile(os.path.join(tmp, "frozen.pb"), "rb") as f:
            gd.ParseFromString(f.read())
        with tf.Graph().as_default() as g2:
            y2, x2 = tf.import_graph_def(gd, return_elements=["output:0", "input:0"], name="frozen")
            out["import_names"] = [y2.name, x2.name]
            with tf.Session(graph=g2) as sess:
                out["after"] = sess.run(y2, {x2: feed})
        with tf.Graph().as_default():
            new_in = tf.placeholder(tf.float32, [None, 3], name="new_in")
            doubled = new_in * 2.0
            (y3,) = tf.import_graph_def(gd, input_map={"input:0": doubled}, return_elements=["output:0"],
                                        name="")
            out["mapped_name"] = y3.name
            with tf.Session() as sess:
                out["mapped"] = sess.run(y3, {new_in: feed})
                out["mapped_keep"] = sess.run(y3, {new_in: feed, "keep:0": 1.0})
        text_gd = tf.GraphDef()
        from google.protobuf import text_format
        with tf.gfile.GFile(os.path.join(tmp, "frozen.pbtxt")) as f:
            text_format.Merge(f.read(), text_gd)
        out["text_equal"] = text_gd == gd
        sub = tf.graph_util.extract_sub_graph(gd, ["hidden"])
        out["sub_nodes"] = sorted(n.name for n in sub.node)
        out["files"] = sorted(os.listdir(tmp))
    return out
