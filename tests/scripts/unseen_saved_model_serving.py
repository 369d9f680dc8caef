"""Export for TF Serving with SavedModelBuilder + predict_signature_def, then load with loader.load."""

import os
import tempfile

import numpy as np


def build_and_run(tf):
    out = {}
    data = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        export_dir = os.path.join(tmp, "export", "1")
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 2], name="x")
            w = tf.Variable([[0.5, -1.0], [2.0, 0.25]], name="w")
            b = tf.Variable([0.1, 0.2], name="b")
            scores = tf.nn.softmax(tf.matmul(x, w) + b, name="scores")
            classes = tf.argmax(scores, 1, name="classes")
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                sess.run(b.assign([1.0, -1.0]))
                builder = tf.saved_model.builder.SavedModelBuilder(export_dir)
                signature = tf.saved_model.signature_def_utils.predict_signature_def(
                    inputs={"x": x}, outputs={"scores": scores, "classes": classes})
                builder.add_meta_graph_and_variables(
                    sess, [tf.saved_model.tag_constants.SERVING],
                    signature_def_map={
                        tf.saved_model.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY: signature})
                builder.save()
                tf.saved_model.simple_save(sess, os.path.join(tmp, "simple"), inputs={"x": x},
                                           outputs={"scores": scores})
        out["files"] = sorted(os.listdir(export_dir))
        with tf.Graph().as_default() as g, tf.Session(graph=g) as sess:
            meta = tf.saved_model.loader.load(sess, [tf.saved_model.tag_constants.SERVING], export_dir)
            sig = meta.signature_def["serving_default"]
            out["method"] = sig.method_name
            out["input_names"] = sorted(f"{k}={v.name}" for k, v in sig.inputs.items())
            out["output_names"] = sorted(f"{k}={v.name}" for k, v in sig.outputs.items())
            fetches = {k: g.get_tensor_by_name(v.name) for k, v in sig.outputs.items()}
            res = sess.run(fetches, {sig.inputs["x"].name: data})
            out["scores"], out["classes"] = res["scores"], res["classes"]
            out["dtype"] = sig.inputs["x"].dtype
            out["shape"] = [d.size for d in sig.inputs["x"].tensor_shape.dim]
        with tf.Graph().as_default() as g, tf.Session(graph=g) as sess:
            meta = tf.saved_model.loader.load(sess, ["serve"], os.path.join(tmp, "simple"))
            sig = meta.signature_def["serving_default"]
            out["simple_scores"] = sess.run(sig.outputs["scores"].name, {sig.inputs["x"].name: data})
            out["simple_tags"] = list(meta.meta_info_def.tags)
    return out
