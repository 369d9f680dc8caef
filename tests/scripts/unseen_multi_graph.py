"""Two models in one process: separate graphs and sessions, import_graph_def with input_map, cross-graph errors."""

import numpy as np


def _encoder(tf):
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    w = tf.Variable(np.eye(4, 2, dtype=np.float32) * 2.0, name="w")
    code = tf.nn.relu(tf.matmul(x, w), name="code")
    return x, code


def build_and_run(tf):
    out = {}
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default():
        x1, code1 = _encoder(tf)
        init1 = tf.global_variables_initializer()
    with g2.as_default():
        y = tf.placeholder(tf.float32, [None, 2], name="y")
        head = tf.layers.dense(y, 1, kernel_initializer=tf.ones_initializer(), name="head")
        init2 = tf.global_variables_initializer()
    out["default_is_neither"] = tf.get_default_graph() is not g1 and tf.get_default_graph() is not g2
    out["code_in_g1"] = code1.graph is g1
    sess1, sess2 = tf.Session(graph=g1), tf.Session(graph=g2)
    sess1.run(init1)
    sess2.run(init2)
    codes = sess1.run(code1, {x1: [[1, -2, 3, 4], [0.5, 0.5, 0, 0]]})
    out["codes"] = codes
    out["head"] = sess2.run(head, {y: codes})
    out["sess_graphs"] = [sess1.graph is g1, sess2.graph is g2]
    try:
        sess2.run(code1)
        out["cross_run"] = "no error"
    except (ValueError, TypeError) as e:
        out["cross_run"] = type(e).__name__
    try:
        with g2.as_default():
            tf.add(code1, y)
        out["cross_op"] = "no error"
    except ValueError as e:
        out["cross_op"] = ["ValueError", "graph" in str(e)]
    sess1.close()
    sess2.close()
    out["counts"] = [len(g1.get_operations()), len(g2.get_operations()) > 0]
    # freeze g1's encoder and chain it in front of a new head with input_map
    with tf.Session(graph=g1) as sess:
        sess.run(init1)
        frozen = tf.graph_util.convert_variables_to_constants(sess, g1.as_graph_def(), ["code"])
    out["frozen_ops"] = sorted({n.op for n in frozen.node})
    g3 = tf.Graph()
    with g3.as_default():
        raw = tf.placeholder(tf.float32, [None, 4], name="raw")
        scaled = raw * 0.5
        code, = tf.import_graph_def(frozen, input_map={"x:0": scaled}, return_elements=["code:0"],
                                    name="enc")
        total = tf.reduce_sum(code, axis=1, name="total")
        matmul_ops = [op.name for op in g3.get_operations() if op.type == "MatMul"]
        placeholders = [op.name for op in g3.get_operations() if op.type == "Placeholder"]
        with tf.Session() as sess:
            out["chained"] = sess.run(total, {raw: [[2, 2, 2, 2], [4, 0, 0, 0]]})
            out["by_name"] = sess.run("enc/code:0", {"raw:0": [[1, 1, 1, 1]]})
        out["matmul_ops"] = matmul_ops
        out["placeholders"] = placeholders
        out["imported_input"] = g3.get_tensor_by_name("enc/MatMul:0").op.inputs[0].name
        out["code_name"] = code.name
    # the same model imported twice gets unique scopes
    g4 = tf.Graph()
    with g4.as_default():
        tf.import_graph_def(frozen, name="")
        tf.import_graph_def(frozen, name="copy")
        tf.import_graph_def(frozen, name="copy")
        out["g4_codes"] = sorted(op.name for op in g4.get_operations() if op.name.endswith("code"))
    return out
