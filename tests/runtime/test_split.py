"""Signatures that neither backend takes whole run split: onnxruntime, then numpy.

The common case is a TF 1.x training loop fetching `[merged_summaries, loss]`: summaries have no
ONNX form and a convolution has no numpy kernel in ortflow's interpreter.
"""

from __future__ import annotations

import numpy as np
import ortflow as tf
from ortflow.proto import Summary
from ortflow.runtime.interpreter import missing_kernels


def _conv_model():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 8, 8, 3], name="x")
        w = tf.Variable(np.random.default_rng(0).normal(size=(3, 3, 3, 4)).astype(np.float32),
                        name="w")
        y = tf.nn.relu(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME"))
        loss = tf.reduce_mean(y, name="loss")
        tf.summary.scalar("mean_activation", loss)
        tf.summary.histogram("activations", y)
        merged = tf.summary.merge_all()
    return g, x, w, y, loss, merged


def test_summaries_and_a_convolution_in_one_run():
    g, x, w, y, loss, merged = _conv_model()
    xs = np.random.default_rng(1).normal(size=(2, 8, 8, 3)).astype(np.float32)
    with tf.Session(graph=g) as sess:
        sess.run(w.initializer)
        assert missing_kernels(g.as_graph_def())  # the interpreter alone could not run this
        want_loss, want_y = sess.run([loss, y], {x: xs})
        assert sess.last_run_backend == "onnxruntime"
        got, got_loss = sess.run([merged, loss], {x: xs})
        assert sess.last_run_backend == "onnxruntime+numpy"
    np.testing.assert_allclose(got_loss, want_loss, rtol=1e-6)
    summary = Summary.FromString(got)
    values = {v.tag: v for v in summary.value}
    assert sorted(values) == ["activations", "mean_activation"]
    np.testing.assert_allclose(values["mean_activation"].simple_value, want_loss, rtol=1e-6)
    histo = values["activations"].histo
    assert histo.num == want_y.size
    np.testing.assert_allclose([histo.min, histo.max], [want_y.min(), want_y.max()], rtol=1e-6)


def test_a_summary_of_a_fed_tensor_next_to_a_device_fetch():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 4, 4, 1], name="x")
        k = tf.constant(np.ones((2, 2, 1, 1), np.float32))
        y = tf.nn.conv2d(x, k, [1, 1, 1, 1], "VALID")
        s = tf.summary.histogram("inputs", x)  # reads a fed placeholder directly
    xs = np.arange(32, dtype=np.float32).reshape(2, 4, 4, 1)
    with tf.Session(graph=g) as sess:
        got_s, got_y = sess.run([s, y], {x: xs})
    assert Summary.FromString(got_s).value[0].histo.num == xs.size
    assert Summary.FromString(got_s).value[0].histo.max == xs.max()
    np.testing.assert_allclose(got_y[0, 0, 0, 0], xs[0, :2, :2, 0].sum())
