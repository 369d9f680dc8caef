"""Checkpoint error handling: restore-or-init, missing keys, shape mismatches, partial savers."""

import os
import tempfile


def build_and_run(tf):
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "model.ckpt")
        with tf.Graph().as_default():
            a = tf.Variable([1.0, 2.0], name="a")
            tf.Variable([[3.0]], name="b")
            saver = tf.train.Saver()
            with tf.Session() as sess:
                try:
                    saver.restore(sess, tf.train.latest_checkpoint(tmp) or prefix)
                    out["first_restore"] = "restored"
                except (tf.errors.NotFoundError, ValueError) as e:
                    out["first_restore"] = type(e).__name__
                    sess.run(tf.global_variables_initializer())
                path = saver.save(sess, prefix, global_step=7, write_meta_graph=False)
                only_a = tf.train.Saver([a]).save(sess, os.path.join(tmp, "only_a"))
        out["exists"] = tf.train.checkpoint_exists(path)
        out["not_exists"] = tf.train.checkpoint_exists(os.path.join(tmp, "nope"))
        out["meta_written"] = os.path.exists(path + ".meta")
        with tf.Graph().as_default():
            a = tf.Variable([0.0, 0.0], name="a")
            c = tf.Variable(5.0, name="c")
            with tf.Session() as sess:
                try:
                    tf.train.Saver().restore(sess, path)
                    out["missing_key"] = "no error"
                except tf.errors.NotFoundError as e:
                    out["missing_key"] = "c" in e.message and "not found in checkpoint" in e.message
                reader = tf.train.NewCheckpointReader(path)
                present = [v for v in tf.global_variables() if reader.has_tensor(v.op.name)]
                tf.train.Saver(present).restore(sess, path)
                sess.run(tf.variables_initializer([v for v in tf.global_variables() if v not in present]))
                out["a"], out["c"] = sess.run([a, c])
        with tf.Graph().as_default():
            tf.Variable([0.0, 0.0, 0.0], name="a")
            with tf.Session() as sess:
                try:
                    tf.train.Saver().restore(sess, only_a)
                    out["shape_mismatch"] = "no error"
                except tf.errors.InvalidArgumentError:
                    out["shape_mismatch"] = "InvalidArgumentError"
        with tf.Graph().as_default():
            tf.Variable([[0.0]], name="b", dtype=tf.float64)
            with tf.Session() as sess:
                try:
                    tf.train.Saver().restore(sess, path)
                    out["dtype_mismatch"] = "no error"
                except tf.errors.InvalidArgumentError:
                    out["dtype_mismatch"] = "InvalidArgumentError"
        out["files"] = sorted(os.listdir(tmp))
        out["state_paths"] = [os.path.relpath(p, tmp) for p in
                              tf.train.get_checkpoint_state(tmp).all_model_checkpoint_paths]
    return out
