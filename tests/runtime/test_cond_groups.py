"""Conds that share one predicate (batch normalization's `training` flag) run on onnxruntime.

Once the converter's TF-side passes fold each cond's `pred_id` Identity into the flag, all
those conds' Switches read the same tensor; the converter tells the conds apart by where their
branches meet. The fused and unfused batch-norm update ops, run together in one
`Session.run`, were the case that failed ("the cond has no Merge"); the expected values here
are numpy's, and tests/api/test_layers_interop.py compares the same layers with TensorFlow.
"""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest
from ortflow import layers

IMAGES = np.random.default_rng(7).normal(size=(2, 4, 4, 3)).astype(np.float32) * 2.0 + 0.5


@pytest.fixture
def graph():
    with tf.Graph().as_default() as g:
        yield g


def _moving(momentum: float, old: np.ndarray, batch: np.ndarray) -> np.ndarray:
    return old - (old - batch) * (1.0 - momentum)


@pytest.mark.parametrize("training", [True, False])
def test_fused_and_unfused_batch_norm_updates_in_one_run(graph, training):
    x = tf.placeholder(tf.float32, [None, 4, 4, 3], name="x")
    t = tf.placeholder(tf.bool, [], name="t")
    y = layers.batch_normalization(x, training=t, momentum=0.5)
    w = layers.batch_normalization(tf.reshape(x, [-1, 3]), training=t, momentum=0.5, fused=False)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 4
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(updates, {x: IMAGES, t: training})
        assert sess.last_run_backend == "onnxruntime"
        fused_mean, fused_var = sess.run(["batch_normalization/moving_mean:0",
                                          "batch_normalization/moving_variance:0"])
        mean, var = sess.run(["batch_normalization_1/moving_mean:0", "batch_normalization_1/moving_variance:0"])
        out_y, out_w = sess.run([y, w], {x: IMAGES, t: training})
    flat = IMAGES.reshape(-1, 3)
    zeros, ones = np.zeros(3, np.float32), np.ones(3, np.float32)
    if training:
        count = flat.shape[0]
        # the fused kernel keeps the unbiased variance, the unfused moments the biased one
        np.testing.assert_allclose(fused_mean, _moving(0.5, zeros, flat.mean(0)), rtol=1e-5)
        np.testing.assert_allclose(fused_var, _moving(0.5, ones, flat.var(0) * count / (count - 1)), rtol=1e-5)
        np.testing.assert_allclose(mean, _moving(0.5, zeros, flat.mean(0)), rtol=1e-5)
        np.testing.assert_allclose(var, _moving(0.5, ones, flat.var(0)), rtol=1e-5)
        normed = (flat - flat.mean(0)) / np.sqrt(flat.var(0) + 1e-3)
    else:
        for value, want in ((fused_mean, zeros), (fused_var, ones), (mean, zeros), (var, ones)):
            np.testing.assert_array_equal(value, want)
        normed = flat / np.sqrt(1.0 + 1e-3)
    np.testing.assert_allclose(out_w, normed, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out_y.reshape(-1, 3), normed, rtol=1e-4, atol=1e-5)


def test_cond_reading_another_conds_merge_on_the_same_flag(graph):
    t = tf.placeholder(tf.bool, [], name="t")
    x = tf.placeholder(tf.float32, [2], name="x")
    v = tf.Variable([1.0, 1.0], name="v")
    first = tf.cond(t, lambda: x * 2.0, lambda: v.read_value())
    second = tf.cond(t, lambda: tf.assign_add(v, first), lambda: tf.identity(v))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(second, {t: True, x: [3.0, 4.0]}), [7.0, 9.0])  # v + 2x
        assert sess.last_run_backend == "onnxruntime"
        np.testing.assert_allclose(sess.run(v), [7.0, 9.0])
        np.testing.assert_allclose(sess.run(second, {t: False, x: [3.0, 4.0]}), [7.0, 9.0])
        np.testing.assert_allclose(sess.run(v), [7.0, 9.0])


_MIXED = """
x = tf.placeholder(tf.float32, [None, 4, 4, 3], name="x")
t = tf.placeholder(tf.bool, [], name="t")
y = tf.layers.batch_normalization(x, training=t, momentum=0.5)
w = tf.layers.batch_normalization(tf.reshape(x, [-1, 3]), training=t, momentum=0.5, fused=False)
updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
"""


@pytest.mark.interop
def test_mixed_batch_norm_updates_equal_tensorflow(tf):
    import os

    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    pytest.importorskip("tf_keras", reason="TF 2.21's tf.compat.v1.layers needs the tf_keras package")
    import ortflow as otf

    results = []
    for mod in (tf, otf):
        with mod.Graph().as_default():
            scope = {"tf": mod}
            exec(_MIXED, scope)  # noqa: S102 (this file's own constant)
            feeds = {scope["x"]: IMAGES}
            with mod.Session() as sess:
                sess.run(mod.global_variables_initializer())
                for training in (True, False, True):
                    sess.run(scope["updates"], {**feeds, scope["t"]: training})
                results.append(sess.run(mod.global_variables() + [scope["y"], scope["w"]],
                                        {**feeds, scope["t"]: True}))
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
