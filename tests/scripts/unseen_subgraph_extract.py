"""Graph surgery for deployment: extract_sub_graph, remove_training_nodes, import_graph_def with return_elements."""

import numpy as np


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [None, 3], name="input")
        w = tf.constant(np.arange(6, dtype=np.float32).reshape(3, 2), name="w")
        h = tf.matmul(x, w, name="h")
        h_id = tf.identity(h, name="h_identity")
        logits = tf.nn.bias_add(h_id, tf.constant([0.5, -0.5]), name="logits")
        tf.nn.softmax(logits, name="probs")
        aux = tf.reduce_sum(x, name="aux_loss")
        _ = tf.stop_gradient(aux, name="stopped")
        checked = tf.check_numerics(aux, "bad aux", name="checked")
        tf.multiply(checked, 2.0, name="aux_out")
        gd = g.as_graph_def()
    out["all_nodes"] = sorted(n.name for n in gd.node)
    sub = tf.graph_util.extract_sub_graph(gd, ["probs"])
    out["sub_nodes"] = sorted(n.name for n in sub.node)
    pruned = tf.graph_util.remove_training_nodes(sub)
    out["pruned_nodes"] = sorted(n.name for n in pruned.node)
    out["pruned_ops"] = sorted({n.op for n in pruned.node})
    # CheckNumerics is dropped with its edge (not spliced): record what TF leaves
    both = tf.graph_util.remove_training_nodes(tf.graph_util.extract_sub_graph(gd, ["probs", "aux_out"]))
    out["both_inputs"] = sorted(f"{n.name}<-{','.join(n.input)}" for n in both.node)
    kept = tf.graph_util.remove_training_nodes(sub, protected_nodes=["h_identity"])
    out["protected_nodes"] = sorted(n.name for n in kept.node)
    data = np.array([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]], np.float32)
    with tf.Graph().as_default() as g2:
        new_in = tf.placeholder(tf.float32, [None, 3], name="new_input")
        scaled = new_in * 2.0
        p, lg, op = tf.import_graph_def(pruned, input_map={"input:0": scaled},
                                        return_elements=["probs:0", "logits:0", "h"], name="net")
        out["returned"] = [p.name, lg.name, op.name, type(op).__name__]
        with tf.Session() as sess:
            out["probs"], out["logits"] = sess.run([p, lg], {new_in: data})
        out["g2_ops"] = sorted(o.name for o in g2.get_operations())
    with tf.Graph().as_default():
        (probs_t,) = tf.import_graph_def(gd, return_elements=["probs:0"], name="")
        with tf.Session() as sess:
            out["direct_probs"] = sess.run(probs_t, {"input:0": data})
            out["by_name"] = sess.run("logits:0", {"input:0": data[:1]})
    return out
