"""ortflow reads the files TensorFlow wrote while running the seed scripts.

gen_expected.py keeps TensorFlow's checkpoint + .meta (saver_ckpt), frozen graph (freeze_pb)
and events file (summaries) under tests/data/seeds/tf_files/; the notes' loading recipes run
on them under `import ortflow as tf` and give TensorFlow's results.
"""

from __future__ import annotations

import numpy as np
from conftest import DATA

FILES = DATA / "seeds" / "tf_files"
X = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]], np.float32)


def test_tf_checkpoint_restores_in_ortflow(expected):
    import ortflow as tf

    prefix = str(FILES / "saver_ckpt" / "ckpt" / "softmax.ckpt-30")
    with tf.Graph().as_default() as g:
        saver = tf.train.import_meta_graph(prefix + ".meta")
        with tf.Session(graph=g) as sess:
            saver.restore(sess, prefix)
            y = sess.run(g.get_tensor_by_name("output:0"), {g.get_tensor_by_name("input:0"): X})
            b, step = sess.run(["b:0", "step:0"])
    want = expected["saver_ckpt"]
    np.testing.assert_allclose(y, want["restored_y"], rtol=1e-5)
    np.testing.assert_array_equal(b, want["restored_b"])
    assert step == want["restored_step"]


def test_tf_frozen_pb_runs_in_ortflow(expected):
    import ortflow as tf

    with tf.gfile.FastGFile(str(FILES / "freeze_pb" / "frozen.pb"), "rb") as f:
        graph_def = tf.GraphDef()
        graph_def.ParseFromString(f.read())
    with tf.Graph().as_default():
        tf.import_graph_def(graph_def, name="")
        with tf.Session() as sess:
            inp = sess.graph.get_tensor_by_name("input:0")
            output = sess.graph.get_tensor_by_name("output:0")
            y = sess.run(output, feed_dict={inp: X})
            add2 = sess.run("add2:0", feed_dict={inp: X})
    np.testing.assert_allclose(y, expected["freeze_pb"]["pb_y"], rtol=1e-5)
    np.testing.assert_allclose(add2, y + 2.0, rtol=1e-6)


def test_tf_events_read_by_ortflow(expected):
    import ortflow as tf

    steps, tags, graphs = [], [], 0
    for event in tf.train.summary_iterator(str(FILES / "summaries" / "logs" / "events.out.tfevents.tf")):
        if event.HasField("summary"):
            steps.append(event.step)
            tags.extend(v.tag for v in event.summary.value)
        graphs += event.HasField("graph_def")
    want = expected["summaries"]
    assert steps == want["event_steps"].tolist()
    assert tags == want["event_tags"].tolist()
    assert graphs == int(want["event_graphs"])


def test_tf_checkpoint_restores_into_graph_built_by_ortflow(seed_scripts, expected):
    """The notes' other restore path: rebuild the graph in code, Saver.restore TF's checkpoint."""
    import ortflow as tf

    prefix = str(FILES / "saver_ckpt" / "ckpt" / "softmax.ckpt-30")
    with tf.Graph().as_default():
        w, b, x, y = seed_scripts._saver_graph(tf)
        with tf.Session() as sess:
            tf.train.Saver([w, b]).restore(sess, prefix)
            got = sess.run(y, {x: X})
    np.testing.assert_allclose(got, expected["saver_ckpt"]["rebuilt_y"], rtol=1e-5)
