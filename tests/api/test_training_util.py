"""Global step and learning-rate schedules: TensorFlow's formulas and node names."""

from __future__ import annotations

import math

import numpy as np
import ortflow as tf
import pytest


def _at_step(lr_fn, step: int) -> float:
    with tf.Graph().as_default():
        gs = tf.train.get_or_create_global_step()
        lr = lr_fn(gs)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(tf.assign(gs, step))
            return float(sess.run(lr))


@pytest.mark.parametrize("step", [0, 150, 250])
def test_schedules_follow_tensorflows_formulas(step):
    lr, steps, rate = 0.1, 100, 0.5
    cases = {
        "exponential": (lambda gs: tf.train.exponential_decay(lr, gs, steps, rate), lr * rate ** (step / steps)),
        "staircase": (lambda gs: tf.train.exponential_decay(lr, gs, steps, rate, staircase=True),
                      lr * rate ** (step // steps)),
        "natural_exp": (lambda gs: tf.train.natural_exp_decay(lr, gs, steps, rate),
                        lr * math.exp(-rate * step / steps)),
        "inverse_time": (lambda gs: tf.train.inverse_time_decay(lr, gs, steps, rate),
                         lr / (1 + rate * step / steps)),
        "polynomial": (lambda gs: tf.train.polynomial_decay(lr, gs, 200, 0.01, power=2.0),
                       (lr - 0.01) * (1 - min(step, 200) / 200) ** 2 + 0.01),
        "cosine": (lambda gs: tf.train.cosine_decay(lr, gs, 200, alpha=0.1),
                   lr * ((1 - 0.1) * 0.5 * (1 + math.cos(math.pi * min(step, 200) / 200)) + 0.1)),
        "piecewise": (lambda gs: tf.train.piecewise_constant(gs, [100, 200], [1.0, 0.5, 0.1]),
                      1.0 if step <= 100 else 0.5 if step <= 200 else 0.1),
    }
    for name, (fn, want) in cases.items():
        assert _at_step(fn, step) == pytest.approx(want, rel=1e-6), name


def test_global_step_is_created_once_with_tensorflows_nodes():
    with tf.Graph().as_default() as g:
        assert tf.train.get_global_step() is None
        gs = tf.train.get_or_create_global_step()
        assert tf.train.get_or_create_global_step() is gs
        with pytest.raises(ValueError, match="already exists"):
            tf.train.create_global_step()
        assert gs.dtype.base_dtype == tf.int64 and g.get_collection("global_step") == [gs]
        names = [n.name for n in g.as_graph_def().node]
        assert names == ["global_step/Initializer/zeros", "global_step", "global_step/Assign",
                         "global_step/read"]
        with tf.Session() as sess:
            sess.run(gs.initializer)
            assert tf.train.global_step(sess, gs) == 0


def test_exponential_decay_nodes_match_tensorflow():
    with tf.Graph().as_default() as g:
        gs = tf.train.get_or_create_global_step()
        tf.train.exponential_decay(0.01, gs, 100, 0.9, staircase=True)
        ops = [(n.name, n.op) for n in g.as_graph_def().node if n.name.startswith("ExponentialDecay")]
    # As TensorFlow 2.21's tf.compat.v1.train.exponential_decay builds them.
    assert ops == [("ExponentialDecay/initial_learning_rate", "Const"), ("ExponentialDecay/Cast/x", "Const"),
                   ("ExponentialDecay/Cast", "Cast"), ("ExponentialDecay/Cast_1/x", "Const"),
                   ("ExponentialDecay/Cast_2", "Cast"), ("ExponentialDecay/truediv", "RealDiv"),
                   ("ExponentialDecay/Floor", "Floor"), ("ExponentialDecay/Pow", "Pow"),
                   ("ExponentialDecay", "Mul")]


def test_replica_device_setter_places_variables_round_robin():
    cluster = tf.train.ClusterSpec({"ps": ["ps0:2222", "ps1:2222"], "worker": ["w0:2222"]})
    assert cluster.num_tasks("ps") == 2 and sorted(cluster.jobs) == ["ps", "worker"]
    with tf.Graph().as_default():
        with tf.device(tf.train.replica_device_setter(cluster=cluster)):
            a, b = tf.Variable(1.0, name="a"), tf.Variable(2.0, name="b")
            s = tf.add(a, b)
    assert [a.device, b.device, s.device] == ["/job:ps/task:0", "/job:ps/task:1", "/job:worker"]
    assert tf.train.replica_device_setter(ps_tasks=0) is None


def test_load_variable_reads_a_checkpoint(tmp_path):
    tf.train.write_checkpoint(str(tmp_path / "m"), {"w": np.arange(3, dtype=np.float32)})
    np.testing.assert_array_equal(tf.train.load_variable(str(tmp_path / "m"), "w"), [0, 1, 2])
