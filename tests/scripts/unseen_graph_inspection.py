"""Graph surgery and inspection as in old debugging notebooks: attrs, node_defs, finalize, devices."""

import numpy as np


def build_and_run(tf):
    out = {}
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        with tf.name_scope("block") as scope:
            w = tf.constant(np.eye(3, dtype=np.float32), name="w")
            y = tf.matmul(x, w, transpose_b=True, name="mm")
            out["scope"] = scope
        with tf.name_scope("block"):
            z = tf.nn.relu(y, name="relu")
        with tf.name_scope("block/"):
            again = tf.identity(z, name="again")
        with g.device(lambda op: "/cpu:0" if op.type == "MatMul" else ""):
            placed = tf.matmul(z, w, name="placed")
        with g.colocate_with(w.op):
            colocated = tf.add(w, 1.0, name="colocated")
        cast = tf.cast(x, tf.int32, name="cast")
        keep = tf.placeholder_with_default(1.0, [], name="keep")
        dropped = tf.nn.dropout(z, keep_prob=keep, name="dropout")
        out_op = tf.identity(dropped, name="output")
        mm = g.get_operation_by_name("block/mm")
        out["attrs"] = [str(mm.get_attr("transpose_b")), mm.get_attr("T").name, cast.op.get_attr("DstT").name]
        out["node_def_op"] = mm.node_def.op
        out["node_inputs"] = list(mm.node_def.input)
        out["names"] = [z.name, again.name, placed.name, colocated.name]
        out["devices"] = [placed.device, z.device]
        out["colocation"] = [c.decode() if isinstance(c, bytes) else c for c in colocated.op.colocation_groups()]
        out["unique"] = [g.unique_name("block"), g.unique_name("fresh", mark_as_used=False)]
        out["outputs"] = [t.name for t in mm.outputs] + [t.name for t in mm.values()]
        out["consumers"] = [op.name for op in y.consumers()]
        with_shapes = g.as_graph_def(add_shapes=True)
        out["has_output_shapes"] = sum("_output_shapes" in n.attr for n in with_shapes.node) == len(with_shapes.node)
        out["version"] = g.version > 0 and g.graph_def_versions.producer > 0
        try:
            g.get_tensor_by_name("block/nothing:0")
            out["missing"] = "no error"
        except KeyError:
            out["missing"] = "KeyError"
        try:
            g.as_graph_element("block/mm:7")
            out["bad_index"] = "no error"
        except (KeyError, ValueError) as e:
            out["bad_index"] = type(e).__name__
        trimmed = tf.graph_util.remove_training_nodes(g.as_graph_def(), protected_nodes=["output"])
        out["trimmed"] = sorted(n.name for n in trimmed.node)
        g.finalize()
        out["finalized"] = g.finalized
        try:
            tf.constant(1.0)
            out["after_finalize"] = "no error"
        except RuntimeError:
            out["after_finalize"] = "RuntimeError"
    with tf.Session(graph=g) as sess:
        res = sess.run([out_op, placed, colocated], {x: [[1.0, -2.0, 3.0]]})
        out["output"], out["placed"], out["colocated"] = res
    return out
