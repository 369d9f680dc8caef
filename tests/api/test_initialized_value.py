"""Variable.initialized_value(): TF's cond on IsVariableInitialized (value, else initial value)."""

from __future__ import annotations

import numpy as np
import ortflow as tf


def test_initialized_value_is_a_cond_on_is_variable_initialized():
    with tf.Graph().as_default() as g:
        first = tf.Variable(tf.ones([2]), name="first")
        with tf.control_dependencies([tf.no_op(name="unrelated")]):
            value = first.initialized_value()
        # the ops TF builds for it (names as TF gives them), outside the control_dependencies block
        assert [(op.name, op.type) for op in g.get_operations()][5:] == [
            ("IsVariableInitialized", "IsVariableInitialized"), ("cond/Switch", "Switch"),
            ("cond/switch_t", "Identity"), ("cond/switch_f", "Identity"), ("cond/pred_id", "Identity"),
            ("cond/read", "Identity"), ("cond/read/Switch", "RefSwitch"), ("cond/Switch_1", "Switch"),
            ("cond/Merge", "Merge")]
        assert value.op.type == "Merge" and not value.op.control_inputs
        with tf.Session() as sess:
            sess.run(first.initializer)
            sess.run(first.assign([5.0, 6.0]))
            np.testing.assert_array_equal(sess.run(value), [5.0, 6.0])
