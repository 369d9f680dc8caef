"""ExponentialMovingAverage (names, updates, restoring shadow weights) and init_from_checkpoint."""

from __future__ import annotations

import numpy as np
import pytest


def _ema():
    from ortflow.api.moving_averages import ExponentialMovingAverage

    return ExponentialMovingAverage


def _build_model(tf, ema_decay=0.9, with_steps=True):
    w = tf.get_variable("w", initializer=tf.constant([1.0, 2.0]))
    with tf.variable_scope("s"):
        b = tf.get_variable("b", initializer=tf.constant(3.0), use_resource=True)
    step = tf.train.get_or_create_global_step()
    ema = _ema()(ema_decay, num_updates=step if with_steps else None)
    update = ema.apply([w, b])
    return w, b, step, ema, update


def test_shadow_variables_names_and_collections():
    import ortflow as tf

    with tf.Graph().as_default():
        w, b, _, ema, update = _build_model(tf)
        assert update.name == "ExponentialMovingAverage" and update.type == "NoOp"
        assert ema.average(w).name == "w/ExponentialMovingAverage:0"
        assert ema.average(b).name == "s/b/ExponentialMovingAverage:0" and ema.average(b).is_resource
        assert ema.average_name(w) == "w/ExponentialMovingAverage"
        assert [v.name for v in tf.moving_average_variables()] == ["w:0", "s/b:0"]
        assert [v.name for v in tf.global_variables()] == ["w:0", "s/b:0", "global_step:0",
                                                           "w/ExponentialMovingAverage:0",
                                                           "s/b/ExponentialMovingAverage:0"]
        assert [v.name for v in tf.trainable_variables()] == ["w:0", "s/b:0"]
        restore = {k: v.name for k, v in ema.variables_to_restore().items()}
        assert restore == {"w/ExponentialMovingAverage": "w:0", "s/b/ExponentialMovingAverage": "s/b:0",
                           "global_step": "global_step:0"}
        partial = {k: v.name for k, v in ema.variables_to_restore(moving_avg_variables=[w]).items()}
        assert partial == {"w/ExponentialMovingAverage": "w:0", "s/b": "s/b:0", "global_step": "global_step:0",
                           "s/b/ExponentialMovingAverage": "s/b/ExponentialMovingAverage:0"}


def test_updates_follow_tensorflows_formula():
    import ortflow as tf

    with tf.Graph().as_default(), tf.Session() as sess:
        w, b, step, ema, update = _build_model(tf)
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(w, [2.0, 4.0]))
        sess.run(update)  # decay = min(0.9, (1 + 0) / (10 + 0)) = 0.1
        np.testing.assert_allclose(sess.run(ema.average(w)), [1.9, 3.8], rtol=1e-6)
        sess.run(tf.assign(step, 90))
        sess.run(update)  # decay = min(0.9, 91 / 100) = 0.9
        np.testing.assert_allclose(sess.run(ema.average(w)), [1.9 * 0.9 + 0.2, 3.8 * 0.9 + 0.4], rtol=1e-6)
        assert sess.run(ema.average(b)) == pytest.approx(3.0)


def test_saver_restores_shadow_weights_into_the_model(tmp_path):
    import ortflow as tf

    with tf.Graph().as_default(), tf.Session() as sess:
        w, _, _, _, update = _build_model(tf, with_steps=False)
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(w, [11.0, 12.0]))
        sess.run(update)  # 0.9 * [1, 2] + 0.1 * [11, 12] = [2, 3]
        prefix = tf.train.Saver().save(sess, str(tmp_path / "model"))
    with tf.Graph().as_default(), tf.Session() as sess:
        w = tf.get_variable("w", shape=[2])
        with tf.variable_scope("s"):
            b = tf.get_variable("b", shape=[], use_resource=True)
        tf.train.Saver(_ema()(0.9).variables_to_restore()).restore(sess, prefix)
        got_w, got_b = sess.run([w, b])
    np.testing.assert_allclose(got_w, [2.0, 3.0], rtol=1e-6)
    assert got_b == pytest.approx(3.0)


def test_integer_variables_are_refused():
    import ortflow as tf

    with tf.Graph().as_default():
        n = tf.get_variable("n", initializer=tf.constant(1))
        with pytest.raises(TypeError, match="half, float, or double"):
            _ema()(0.9).apply([n])


def test_init_from_checkpoint_by_name_and_by_scope(tmp_path):
    import ortflow as tf
    from ortflow.api.moving_averages import init_from_checkpoint

    with tf.Graph().as_default(), tf.Session() as sess:
        tf.get_variable("enc/w", initializer=tf.constant([[1.0, 2.0]]))
        tf.get_variable("enc/b", initializer=tf.constant([5.0]))
        tf.get_variable("head", initializer=tf.constant(7.0))
        sess.run(tf.global_variables_initializer())
        tf.train.Saver().save(sess, str(tmp_path / "ckpt"))
    with tf.Graph().as_default() as g, tf.Session() as sess:
        with tf.variable_scope("model"):
            w = tf.get_variable("w", shape=[1, 2])
            b = tf.get_variable("b", shape=[1], use_resource=True)
        head = tf.get_variable("out", shape=[])
        init_from_checkpoint(str(tmp_path), {"enc/": "model/", "head": head})
        ops = {n.name: n.op for n in g.as_graph_def().node}
        assert ops["checkpoint_initializer"] == "RestoreV2"
        sess.run(tf.global_variables_initializer())
        got = sess.run([w, b, head])
    assert got[0].tolist() == [[1.0, 2.0]] and got[1].tolist() == [5.0] and got[2] == 7.0


def test_init_from_checkpoint_errors(tmp_path):
    import ortflow as tf
    from ortflow.api.moving_averages import init_from_checkpoint

    with tf.Graph().as_default(), tf.Session() as sess:
        tf.get_variable("v", initializer=tf.constant([1.0, 2.0]))
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver().save(sess, str(tmp_path / "ckpt"))
    with tf.Graph().as_default():
        small = tf.get_variable("small", shape=[3])
        with pytest.raises(ValueError, match="not found"):
            init_from_checkpoint(prefix, {"missing": "small"})
        with pytest.raises(ValueError, match="doesn't match"):
            init_from_checkpoint(prefix, {"v": small})


def test_assign_moving_average_names_its_nodes_as_tensorflow():
    """TF 2.21 (v1 mode) names: the update takes the scope's own name; a Python decay is the
    constant `decay` = 1 - decay; a resource variable's update is an AssignSubVariableOp."""
    import ortflow as tf
    from ortflow.api.moving_averages import assign_moving_average, update_op

    with tf.Graph().as_default() as g:
        v = tf.Variable(1.0, name="S")
        update = assign_moving_average(v, tf.constant(3.0), 0.9, zero_debias=False)
        named = assign_moving_average(v, tf.constant(3.0), 0.9, zero_debias=False, name="named")
        assert (update.name, named.name) == ("AssignMovingAvg:0", "named:0")
        names = {n.name: n.op for n in g.as_graph_def().node if n.name.startswith("AssignMovingAvg")}
        assert names == {"AssignMovingAvg": "AssignSub", "AssignMovingAvg/decay": "Const",
                         "AssignMovingAvg/sub": "Sub", "AssignMovingAvg/mul": "Mul"}
        r = tf.get_variable("r", initializer=tf.constant(1.0), use_resource=True)
        w = tf.get_variable("w", initializer=tf.constant(2.0), use_resource=True)
        read = assign_moving_average(r, w, tf.constant(0.1), zero_debias=False, name="res")
        assert update_op(read).type == "AssignSubVariableOp" and update_op(read).name == "res/AssignSubVariableOp"
        nodes = {n.name: (n.op, list(n.input)) for n in g.as_graph_def().node if n.name.startswith("res/")}
        assert nodes["res/sub_1"] == ("Sub", ["res/ReadVariableOp", "res/sub_1/ReadVariableOp"])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert np.isclose(sess.run(update), 1.0 - (1.0 - 3.0) * 0.1)
            assert np.isclose(sess.run(read), 1.0 - (1.0 - 2.0) * 0.9)
