"""Saver: var_list dict, max_to_keep, global_step names, latest_checkpoint, restore in a new graph."""

import os
import tempfile

import numpy as np


def _model(tf):
    with tf.variable_scope("model"):
        w = tf.get_variable("w", [3, 2], initializer=tf.constant_initializer(
            np.arange(6, dtype=np.float32).reshape(3, 2)))
        b = tf.get_variable("b", [2], initializer=tf.zeros_initializer())
    return w, b


def build_and_run(tf):
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "ckpt", "model.ckpt")
        with tf.Graph().as_default():
            w, b = _model(tf)
            gs = tf.train.get_or_create_global_step()
            bump = tf.assign_add(gs, 10)
            add_b = tf.assign_add(b, [1.0, -1.0])
            saver = tf.train.Saver(max_to_keep=2)
            other = tf.train.Saver({"weights": w, "bias": b})
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                paths = []
                for _ in range(3):
                    sess.run([bump, add_b])
                    paths.append(saver.save(sess, prefix, global_step=gs))
                other_path = other.save(sess, os.path.join(tmp, "plain"), write_meta_graph=False)
                out["paths"] = [os.path.relpath(p, tmp) for p in paths]
                out["kept"] = [os.path.relpath(p, tmp) for p in saver.last_checkpoints]
                out["latest"] = os.path.relpath(tf.train.latest_checkpoint(os.path.dirname(prefix)), tmp)
                out["files"] = sorted(f for f in os.listdir(os.path.dirname(prefix)))
                out["other_path"] = os.path.relpath(other_path, tmp)
        out["listed"] = [f"{n}:{s}" for n, s in tf.train.list_variables(os.path.join(tmp, "plain"))]
        reader = tf.train.NewCheckpointReader(tf.train.latest_checkpoint(os.path.dirname(prefix)))
        out["reader_b"] = reader.get_tensor("model/b")
        out["reader_has"] = reader.has_tensor("global_step")
        out["shape_map"] = sorted(f"{k}:{v}" for k, v in reader.get_variable_to_shape_map().items())
        with tf.Graph().as_default():
            w, b = _model(tf)
            y = tf.matmul(tf.ones([1, 3]), w) + b
            saver = tf.train.Saver()
            with tf.Session() as sess:
                ckpt = tf.train.get_checkpoint_state(os.path.dirname(prefix))
                out["all_paths"] = [os.path.relpath(p, tmp) for p in ckpt.all_model_checkpoint_paths]
                saver.restore(sess, ckpt.model_checkpoint_path)
                out["restored_y"] = sess.run(y)
        with tf.Graph().as_default():
            with tf.variable_scope("renamed"):
                w2, b2 = _model(tf)
            restorer = tf.train.Saver(var_list={"weights": w2, "bias": b2})
            with tf.Session() as sess:
                restorer.restore(sess, os.path.join(tmp, "plain"))
                out["renamed_b"] = sess.run(b2)
                out["renamed_w"] = w2.eval()
                out["uninit"] = [s.decode() if isinstance(s, bytes) else s
                                 for s in sess.run(tf.report_uninitialized_variables())]
    return out
