"""tf.metrics names and the threshold metrics / pairwise loss values: ortflow against TensorFlow.

The same builder runs under `tensorflow.compat.v1` (v2 behaviour off, so reference variables as
TF 1.x makes) and under `import ortflow as tf`; the metric local variables, the value / update_op
tensor names and the evaluated values must agree.
"""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.interop

RNG = np.random.default_rng(11)
LABELS = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 1], np.int64)
# Repeated scores make ties among thresholds, where the argmin / last-index rules matter.
PREDS = np.array([0.9, 0.2, 0.4, 0.7, 0.6, 0.1, 0.8, 0.3, 0.4, 0.05], np.float32)
WEIGHTS = RNG.uniform(0.5, 2.0, size=10).astype(np.float32)


def _build(tf):
    lab = tf.placeholder(tf.int64, [None], name="lab")
    pr = tf.placeholder(tf.float32, [None], name="pr")
    w = tf.placeholder(tf.float32, [None], name="w")
    hard = tf.cast(pr > 0.5, tf.int64)
    labf = tf.cast(lab, tf.float32)
    pairs = {
        "accuracy": tf.metrics.accuracy(lab, hard),
        "accuracy_again": tf.metrics.accuracy(lab, hard),
        "accuracy_float_preds": tf.metrics.accuracy(lab, pr * 1.5),
        "rmse": tf.metrics.root_mean_squared_error(labf, pr),
        "pct_below": tf.metrics.percentage_below(pr, 0.5),
        "cosine": tf.metrics.mean_cosine_distance(tf.reshape(labf, [-1, 2]), tf.reshape(pr, [-1, 2]), dim=1),
        "precision": tf.metrics.precision(lab, hard),
        "mean_iou": tf.metrics.mean_iou(lab, hard, num_classes=2),
        "tp_at": tf.metrics.true_positives_at_thresholds(lab, pr, [0.3, 0.6]),
        "prec_at": tf.metrics.precision_at_thresholds(lab, pr, [0.3, 0.6]),
        "named": tf.metrics.mean(pr, name="my_mean"),
    }
    for target in (0.0, 0.3, 0.5, 0.75, 1.0):
        tag = str(target).replace(".", "_")
        pairs[f"sens_at_spec_{tag}"] = tf.metrics.sensitivity_at_specificity(lab, pr, target, num_thresholds=7)
        pairs[f"spec_at_sens_{tag}"] = tf.metrics.specificity_at_sensitivity(lab, pr, target, num_thresholds=7)
        pairs[f"sens_at_spec_w_{tag}"] = tf.metrics.sensitivity_at_specificity(lab, pr, target, weights=w)
        pairs[f"spec_at_sens_w_{tag}"] = tf.metrics.specificity_at_sensitivity(lab, pr, target, weights=w)
    losses = {
        "pairwise": tf.losses.mean_pairwise_squared_error(tf.reshape(labf, [-1, 5]), tf.reshape(pr, [-1, 5]),
                                                          weights=[[1.0], [0.5]]),
        "pairwise_elementwise_w": tf.losses.mean_pairwise_squared_error(
            tf.reshape(labf, [-1, 5]), tf.reshape(pr, [-1, 5]), weights=tf.reshape(w, [-1, 5])),
        "pairwise_3d": tf.losses.mean_pairwise_squared_error(tf.reshape(labf, [2, 5, 1]),
                                                             tf.reshape(pr, [2, 5, 1])),
        "pairwise_zero_w": tf.losses.mean_pairwise_squared_error(tf.reshape(labf, [-1, 5]),
                                                                 tf.reshape(pr, [-1, 5]), weights=0.0),
    }
    return pairs, losses


def _run(tf):
    with tf.Graph().as_default():
        pairs, losses = _build(tf)
        names = {
            "locals": sorted(v.name for v in tf.local_variables()),
            "metric_vars": len(tf.get_collection(tf.GraphKeys.METRIC_VARIABLES)),
            "pairs": {k: (v.name, u.name) for k, (v, u) in pairs.items()},
            "losses": {k: t.name for k, t in losses.items()},
            "loss_collection": [t.name for t in tf.get_collection(tf.GraphKeys.LOSSES)],
        }
        feed = {"lab:0": LABELS, "pr:0": PREDS, "w:0": WEIGHTS}
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            updates = sess.run({k: u for k, (_, u) in pairs.items()}, feed)
            sess.run({k: u for k, (_, u) in pairs.items()}, feed)
            values = sess.run({k: v for k, (v, _) in pairs.items()}, feed)
            values.update(sess.run(losses, feed))
    return names, updates, values


@pytest.fixture(scope="module")
def both(tf):
    import ortflow

    # TF 1.x behaviour (reference variables, hence TF 1.x update-op names) only for this module:
    # the process-wide switch is put back so later interop tests see TF's defaults.
    tf.disable_v2_behavior()
    try:
        expected = _run(tf)
    finally:
        tf.enable_v2_behavior()
    return expected, _run(ortflow)


def test_metric_variable_and_tensor_names_match(both):
    (tf_names, _, _), (our_names, _, _) = both
    assert our_names == tf_names


@pytest.mark.parametrize("part", [1, 2], ids=["first_update", "values_after_two_updates"])
def test_metric_and_loss_values_match(both, part):
    expected, got = both[0][part], both[1][part]
    assert sorted(got) == sorted(expected)
    for key in expected:
        np.testing.assert_allclose(np.asarray(got[key]), np.asarray(expected[key]), rtol=1e-5, atol=1e-6,
                                   err_msg=key)
