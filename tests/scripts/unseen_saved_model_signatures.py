"""SavedModel with several signatures (predict, classify, regress), a vocab asset and a table main_op."""

import os
import tempfile

import numpy as np


def build_and_run(tf):
    out = {}
    sm = tf.saved_model
    with tempfile.TemporaryDirectory() as tmp:
        vocab = os.path.join(tmp, "classes.txt")
        with open(vocab, "w") as f:
            f.write("neg\npos\n")
        export_dir = os.path.join(tmp, "export", "1")
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 3], name="x")
            w = tf.Variable(np.array([[1.0, -1.0], [0.5, 0.5], [-1.0, 2.0]], np.float32), name="w")
            logits = tf.matmul(x, w, name="logits")
            probs = tf.nn.softmax(logits, name="probs")
            asset = tf.constant(vocab, name="vocab_path")
            tf.add_to_collection(tf.GraphKeys.ASSET_FILEPATHS, asset)
            table = tf.lookup.StaticHashTable(
                tf.lookup.TextFileInitializer(asset, tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER,
                                              tf.string, tf.lookup.TextFileIndex.WHOLE_LINE), "unknown")
            classes = table.lookup(tf.argmax(probs, axis=1))
            score = tf.reduce_max(probs, axis=1, name="score")
            with tf.Session() as sess:
                sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
                builder = sm.builder.SavedModelBuilder(export_dir)
                predict = sm.signature_def_utils.predict_signature_def(
                    inputs={"x": x}, outputs={"probs": probs, "classes": classes})
                classify = sm.signature_def_utils.build_signature_def(
                    inputs={sm.signature_constants.CLASSIFY_INPUTS: sm.utils.build_tensor_info(x)},
                    outputs={sm.signature_constants.CLASSIFY_OUTPUT_CLASSES: sm.utils.build_tensor_info(classes),
                             sm.signature_constants.CLASSIFY_OUTPUT_SCORES: sm.utils.build_tensor_info(score)},
                    method_name=sm.signature_constants.CLASSIFY_METHOD_NAME)
                regress = sm.signature_def_utils.build_signature_def(
                    inputs={"x": sm.utils.build_tensor_info(x)},
                    outputs={"y": sm.utils.build_tensor_info(logits[:, 1])},
                    method_name=sm.signature_constants.REGRESS_METHOD_NAME)
                builder.add_meta_graph_and_variables(
                    sess, [sm.tag_constants.SERVING],
                    signature_def_map={sm.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY: predict,
                                       "classify": classify, "regress": regress},
                    assets_collection=tf.get_collection(tf.GraphKeys.ASSET_FILEPATHS),
                    main_op=tf.tables_initializer())
                builder.save()
        os.remove(vocab)  # the loaded model must read its own copy of the asset
        out["files"] = sorted(os.listdir(export_dir))
        out["assets"] = sorted(os.listdir(os.path.join(export_dir, "assets")))
        out["loadable"] = sm.loader.maybe_saved_model_directory(export_dir)
        batch = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], np.float32)
        with tf.Graph().as_default(), tf.Session() as sess:
            meta = sm.loader.load(sess, [sm.tag_constants.SERVING], export_dir)
            sigs = meta.signature_def
            out["sig_keys"] = sorted(sigs.keys())
            out["methods"] = sorted(s.method_name for s in sigs.values())
            for key in sorted(sigs):
                sig = sigs[key]
                feed_name = next(iter(sig.inputs.values())).name
                fetches = {k: v.name for k, v in sig.outputs.items()}
                for k, v in sess.run(fetches, {feed_name: batch}).items():
                    out[f"{key}/{k}"] = v
            out["classify_input"] = sorted(sigs["classify"].inputs.keys())
            out["x_shape"] = [d.size for d in sigs["regress"].inputs["x"].tensor_shape.dim]
            out["dtype_enum"] = int(sigs["regress"].outputs["y"].dtype)
    return out
