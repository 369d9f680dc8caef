"""Inspecting a checkpoint like inspect_checkpoint.py: list_variables, load_variable, NewCheckpointReader maps."""

import os
import tempfile

import numpy as np


def build_and_run(tf):
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "model.ckpt")
        with tf.Graph().as_default():
            with tf.variable_scope("layer1"):
                tf.get_variable("kernel", [3, 2], initializer=tf.constant_initializer(
                    np.arange(6, dtype=np.float32).reshape(3, 2)))
                tf.get_variable("bias", [2], dtype=tf.float64, initializer=tf.constant_initializer(0.5))
            tf.Variable(7, dtype=tf.int64, name="counter")
            tf.Variable(np.array([b"a", b"bb"], dtype=object), name="tokens")
            tf.get_variable("emb", [6, 2], initializer=tf.constant_initializer(1.5),
                                  partitioner=tf.fixed_size_partitioner(2))
            gs = tf.train.get_or_create_global_step()
            saver = tf.train.Saver()
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                sess.run(tf.assign(gs, 42))
                path = saver.save(sess, prefix, global_step=gs)
        out["path"] = os.path.basename(path)
        listed = tf.train.list_variables(tmp)
        out["listed"] = [f"{n}:{list(s)}" for n, s in listed]
        out["load_w"] = tf.train.load_variable(tmp, "layer1/kernel")
        out["load_b"] = tf.train.load_variable(path, "layer1/bias")
        out["load_gs"] = tf.train.load_variable(path, "global_step")
        out["load_tokens"] = tf.train.load_variable(path, "tokens")
        out["load_emb"] = tf.train.load_variable(path, "emb")
        reader = tf.train.NewCheckpointReader(path)
        shapes = reader.get_variable_to_shape_map()
        dtypes = reader.get_variable_to_dtype_map()
        out["shapes"] = sorted(f"{k}:{v}" for k, v in shapes.items())
        out["dtypes"] = sorted(f"{k}:{v.name}" for k, v in dtypes.items())
        out["has"] = [reader.has_tensor("counter"), reader.has_tensor("nope")]
        out["counter"] = reader.get_tensor("counter")
        try:
            reader.get_tensor("nope")
            out["missing"] = "no error"
        except tf.errors.NotFoundError as e:
            out["missing"] = type(e).__name__
        state = tf.train.get_checkpoint_state(tmp)
        out["state"] = os.path.basename(state.model_checkpoint_path)
        out["exists"] = [tf.train.checkpoint_exists(path), tf.train.checkpoint_exists(prefix + "-1")]
    return out
