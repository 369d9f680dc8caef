"""variable_scope custom_getter (e.g. EMA / fp16 weights), make_template, collections through a meta graph."""

import os
import tempfile

import numpy as np


def build_and_run(tf):
    out = {}
    seen = []

    def scaling_getter(getter, name, *args, **kwargs):
        var = getter(name, *args, **kwargs)
        seen.append(name)
        return var * 0.5

    def fp16_getter(getter, name, shape=None, dtype=None, *args, **kwargs):
        var = getter(name, shape, tf.float32, *args, **kwargs)
        return tf.cast(var, tf.float16) if dtype == tf.float16 else var

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.meta")
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 2], name="x")
            with tf.variable_scope("scaled", custom_getter=scaling_getter):
                w = tf.get_variable("w", [2, 2], initializer=tf.constant_initializer([[1.0, 2.0], [3.0, 4.0]]))
                with tf.variable_scope("inner"):
                    b = tf.get_variable("b", [2], initializer=tf.ones_initializer())
            y = tf.add(tf.matmul(x, w), b, name="y")
            with tf.variable_scope("half", custom_getter=fp16_getter):
                h = tf.get_variable("h", [2], dtype=tf.float16, initializer=tf.constant_initializer(1.5))
            def dense(inp):
                v = tf.get_variable("v", [2, 1], initializer=tf.constant_initializer(0.25))
                return tf.matmul(inp, v)
            tmpl = tf.make_template("shared_dense", dense)
            z1, z2 = tmpl(x), tmpl(x * 2.0)
            tf.add_to_collection("outputs", y)
            tf.add_to_collection("outputs", z2)
            tf.add_to_collection(tf.GraphKeys.ACTIVATIONS, z1)
            tf.add_to_collections(["extra_a", "extra_b"], b)
            tf.add_to_collection("hparams", tf.constant(0.1, name="lr"))
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                out["y"], out["z"] = sess.run([y, tf.concat([z1, z2], 1)], {x: [[1.0, 1.0], [0.5, -1.0]]})
                out["h"] = sess.run(h)
            out["h_dtype"] = h.dtype.name
            out["seen"] = seen
            out["var_names"] = [v.name for v in tf.global_variables()]
            out["template_vars"] = [v.name for v in tmpl.trainable_variables]
            out["scope_vars"] = [v.name for v in tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope="scaled")]
            out["collection_keys"] = sorted(k for k in tf.get_default_graph().get_all_collection_keys())
            out["extra_b"] = [t.name for t in tf.get_collection("extra_b")]
            tf.train.export_meta_graph(filename=path, collection_list=["outputs", "hparams", "extra_a",
                                                                      tf.GraphKeys.GLOBAL_VARIABLES])
        with tf.Graph().as_default() as g:
            tf.train.import_meta_graph(path, import_scope="restored")
            outputs = tf.get_collection("outputs")
            out["imported_outputs"] = [t.name for t in outputs]
            out["imported_keys"] = sorted(g.get_all_collection_keys())
            out["hparam"] = [t.name for t in tf.get_collection("hparams")]
            out["imported_vars"] = [v.name for v in tf.global_variables()]
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                out["imported_y"] = sess.run(outputs[0], {"restored/x:0": np.ones((1, 2), np.float32)})
                out["imported_lr"] = sess.run(tf.get_collection("hparams")[0])
    return out
