"""The seed notes' non-training snippets, run under `import ortflow as tf` (one test per snippet).

The notes (shared/seeds, in Chinese) list TF 1.x usage; each test here is our own code written
from one snippet, checked against numpy or against the names TensorFlow gives (see
test_builder_interop.py and test_values_interop.py for the same snippets against TF itself).
"""

from __future__ import annotations

import glob
import os

import numpy as np
import ortflow as tf
import pytest
from ortflow.formats.events import read_events


@pytest.fixture(autouse=True)
def fresh_graph():
    g = tf.Graph()
    with g.as_default():
        yield g


def test_session_run_and_global_initializer_run():
    # tf.Session(); sess.run(); tf.global_variables_initializer().run(); tf.matmul(w1, x)
    w1 = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w1")
    x = tf.placeholder(tf.float32, [2, None], name="x")
    y = tf.matmul(w1, x)
    with tf.Session() as sess:
        tf.global_variables_initializer().run()
        got = sess.run(y, feed_dict={x: np.ones((2, 3), np.float32)})
    np.testing.assert_allclose(got, np.array([[3.0] * 3, [7.0] * 3]))
    assert [v.name for v in tf.all_variables()] == ["w1:0"]


def test_get_variable_with_initializer_object_and_eval():
    # tf.get_variable(name, shape, initializer=tf.random_normal_initializer()); tensor.eval()
    tf.set_random_seed(1)
    v = tf.get_variable("v", [3, 4], initializer=tf.random_normal_initializer())
    t = tf.convert_to_tensor(np.arange(4.0))
    with tf.Session():
        tf.global_variables_initializer().run()
        value = v.eval()
        assert value.shape == (3, 4) and np.isfinite(value).all() and value.std() > 0
        np.testing.assert_array_equal(t.eval(), np.arange(4.0))


def test_misc_math_snippet():
    # tf.reduce_mean, tf.log, tf.clip_by_value, tf.nn.sigmoid, tf.nn.relu, tf.nn.softmax, tf.slice
    data = np.array([[-1.0, 0.5, 2.0], [3.0, -4.0, 0.25]], np.float32)
    x = tf.constant(data)
    fetches = [tf.reduce_mean(x), tf.log(tf.clip_by_value(x, 1e-3, 1.0)), tf.nn.sigmoid(x), tf.nn.relu(x),
               tf.nn.softmax(x), tf.slice(x, [0, 1], [2, 2])]
    with tf.Session() as sess:
        got = sess.run(fetches)
    exp = np.exp(data - data.max(1, keepdims=True))
    expected = [data.mean(), np.log(np.clip(data, 1e-3, 1.0)), 1 / (1 + np.exp(-data)), np.maximum(data, 0),
                exp / exp.sum(1, keepdims=True), data[:, 1:3]]
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-5)


def test_scopes_snippet_names():
    # variable_scope/name_scope: foo/bar:0, bar/bar:0, a/Variable:0, get_variable in name_scope
    with tf.variable_scope("foo"):
        a = tf.get_variable("bar", [1])
    with tf.variable_scope("bar"):
        b = tf.get_variable("bar", [1])
    with tf.name_scope("a"):
        c = tf.Variable([1])
        d = tf.get_variable("b", [1])
    assert (a.name, b.name, c.name, d.name) == ("foo/bar:0", "bar/bar:0", "a/Variable:0", "b:0")
    with tf.variable_scope("foo", reuse=True):
        assert tf.get_variable("bar", [1]) is a


def test_graph_control_snippet():
    # g = tf.Graph(); g.as_default(); g.device('/gpu:0'); tf.get_default_graph(); collections
    g = tf.Graph()
    with g.as_default():
        assert tf.get_default_graph() is g
        with g.device("/gpu:0"):
            a = tf.constant([1.0, 2.0, 3.0])
        with tf.device("/gpu:1"):
            c = a + a
        tf.add_to_collection("mine", a)
        g.add_to_collection("mine", c)
        assert tf.get_collection("mine") == [a, c]
        assert (a.device, c.device) == ("/device:GPU:0", "/device:GPU:1")
        with tf.Session(graph=g) as sess:  # nothing fails because a named GPU does not exist
            np.testing.assert_allclose(sess.run(c), [2.0, 4.0, 6.0])


def test_variable_summaries_and_file_writer(tmp_path):
    # variable_summaries(var) + merge_all + FileWriter(path, sess.graph) + add_summary(summary, i)
    var = tf.placeholder(tf.float32, [None], name="var")

    with tf.name_scope("summaries"):
        mean = tf.reduce_mean(var)
        tf.summary.scalar("mean", mean)
        with tf.name_scope("stddev"):
            stddev = tf.sqrt(tf.reduce_mean(tf.square(var - mean)))
        tf.summary.scalar("stddev", stddev)
        tf.summary.scalar("max", tf.reduce_max(var))
        tf.summary.scalar("min", tf.reduce_min(var))
        tf.summary.histogram("histogram", var)
    merged = tf.summary.merge_all()
    with tf.Session() as sess:
        train_writer = tf.summary.FileWriter(str(tmp_path), sess.graph)
        for i in range(3):
            data = np.arange(5, dtype=np.float32) * (i + 1)
            train_writer.add_summary(sess.run(merged, {var: data}), i)
        train_writer.close()
    (path,) = glob.glob(os.path.join(tmp_path, "events.out.tfevents.*"))
    events = list(tf.train.summary_iterator(path))
    assert [e.WhichOneof("what") for e in events[:3]] == ["file_version", "graph_def", "meta_graph_def"]
    summaries = [e for e in events if e.HasField("summary")]
    assert [e.step for e in summaries] == [0, 1, 2]
    # "mean" and "max"/"min" collide with the Mean/Max/Min ops first made (names ignore case).
    tags = [v.tag for v in summaries[2].summary.value]
    assert tags == ["summaries/mean_1", "summaries/stddev_1", "summaries/max_1", "summaries/min_1",
                    "summaries/histogram"]
    values = {v.tag: v for v in summaries[2].summary.value}
    data = np.arange(5, dtype=np.float32) * 3
    assert values["summaries/mean_1"].simple_value == pytest.approx(data.mean())
    assert values["summaries/stddev_1"].simple_value == pytest.approx(data.std(), rel=1e-6)
    assert values["summaries/histogram"].histo.num == 5


def test_pb_into_tensorboard_with_fast_gfile(tmp_path, data_dir):
    # graph_def.ParseFromString(tf.gfile.FastGFile(MODEL_PATH, 'rb').read()); import_graph_def;
    # tf.summary.FileWriter(SUMMARY_DATA_PATH, graph)
    model = str(data_dir / "mlp" / "frozen.pb")
    graph = tf.get_default_graph()
    graph_def = tf.GraphDef()
    graph_def.ParseFromString(tf.gfile.FastGFile(model, "rb").read())
    tf.import_graph_def(graph_def, name="graph")
    writer = tf.summary.FileWriter(str(tmp_path), graph)
    writer.close()
    (path,) = glob.glob(os.path.join(tmp_path, "events.out.tfevents.*"))
    from ortflow.proto import GraphDef

    written = GraphDef.FromString(list(read_events(path))[1].graph_def)
    assert len(written.node) == len(graph_def.node)
    assert all(n.name.startswith("graph/") for n in written.node)
    assert "_output_shapes" in written.node[0].attr


def test_save_pb_with_fast_gfile(tmp_path):
    # with tf.gfile.FastGFile(pb_file_path, mode='wb') as f: f.write(graph.SerializeToString())
    x = tf.placeholder(tf.float32, [None, 2], name="input")
    tf.identity(x * 2, name="output")
    path = str(tmp_path / "model.pb")
    with tf.gfile.FastGFile(path, mode="wb") as f:
        f.write(tf.get_default_graph().as_graph_def().SerializeToString())
    with tf.gfile.FastGFile(path, "rb") as f:
        graph_def = tf.GraphDef()
        graph_def.ParseFromString(f.read())
    assert [n.name for n in graph_def.node][-1] == "output"


def test_data_augmentation_snippet():
    # tf.image.per_image_whitening (the old name of per_image_standardization) and the
    # deterministic halves of random_flip_left_right / random_contrast
    image = np.random.default_rng(0).uniform(size=(4, 5, 3)).astype(np.float32)
    img = tf.constant(image)
    flipped = tf.image.flip_left_right(img)
    contrast = tf.image.adjust_contrast(img, 1.5)
    white = tf.image.per_image_whitening(img)
    with tf.Session() as sess:
        f, c, w = sess.run([flipped, contrast, white])
    np.testing.assert_array_equal(f, image[:, ::-1])
    mean = image.mean(axis=(0, 1), keepdims=True)
    np.testing.assert_allclose(c, (image - mean) * 1.5 + mean, rtol=1e-5, atol=1e-6)
    expected = (image - image.mean()) / max(image.std(), 1 / np.sqrt(image.size))
    np.testing.assert_allclose(w, expected, rtol=1e-5, atol=1e-6)


def test_random_augmentation_snippet():
    # tf.image.random_flip_left_right, tf.image.random_contrast
    image = np.random.default_rng(0).uniform(size=(4, 5, 3)).astype(np.float32)
    img = tf.constant(image)
    flipped = tf.image.random_flip_left_right(img, seed=3)
    contrast = tf.image.random_contrast(img, 0.5, 1.5, seed=4)
    with tf.Session() as sess:
        f, c = sess.run([flipped, contrast])
    assert np.array_equal(f, image) or np.array_equal(f, image[:, ::-1])
    mean = image.mean(axis=(0, 1), keepdims=True)
    factor = (c - mean) / (image - mean)
    assert 0.5 <= np.median(factor) < 1.5


def test_nn_losses_snippet():
    # tf.nn.sigmoid/softmax/sparse_softmax_cross_entropy_with_logits
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], np.float32)
    labels = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], np.float32)
    sig = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    soft = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 1], logits=logits)
    total = tf.losses.mean_squared_error(labels, logits)
    with tf.Session() as sess:
        got = sess.run([sig, soft, sparse, total])
    log_softmax = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    np.testing.assert_allclose(got[0], np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-abs(logits))),
                               rtol=1e-5)
    np.testing.assert_allclose(got[1], -(labels * log_softmax).sum(1), rtol=1e-5)
    np.testing.assert_allclose(got[2], -log_softmax[[0, 1], [0, 1]], rtol=1e-5)
    np.testing.assert_allclose(got[3], ((logits - labels) ** 2).mean(), rtol=1e-5)
    assert tf.losses.get_losses() == [total]


def test_metrics_snippet():
    # tf.metrics.accuracy / precision / recall / mean_iou: (value, update_op) over local variables
    labels = tf.constant([1, 0, 1, 1, 0])
    predictions = tf.constant([1, 1, 1, 0, 0])
    acc, acc_update = tf.metrics.accuracy(labels, predictions)
    prec, prec_update = tf.metrics.precision(labels, predictions)
    rec, rec_update = tf.metrics.recall(labels, predictions)
    iou, iou_update = tf.metrics.mean_iou(labels, predictions, num_classes=2)
    assert all(v in tf.local_variables() for v in tf.get_collection(tf.GraphKeys.METRIC_VARIABLES))
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run([acc_update, prec_update, rec_update, iou_update])
        got = sess.run([acc, prec, rec, iou])
    # iou: class 0: 1 / (2 + 2 - 1) = 1/3; class 1: 2 / (3 + 3 - 2) = 1/2
    np.testing.assert_allclose(got, [0.6, 2 / 3, 2 / 3, (1 / 3 + 1 / 2) / 2], rtol=1e-6)


def test_tensorboard_cli_on_a_built_graph(tmp_path, cli):
    # Loading a pb model into TensorBoard from the command line: `ortflow tensorboard`.
    tf.identity(tf.placeholder(tf.float32, [None, 2], name="input") + 1, name="output")
    path = str(tmp_path / "g.pb")
    with tf.gfile.GFile(path, "wb") as f:
        f.write(tf.get_default_graph().as_graph_def().SerializeToString())
    proc = cli("tensorboard", path, "--logdir", tmp_path / "tb", check=True)
    assert os.path.exists(proc.stdout.strip())
