"""TensorListSetItem in while loops: setting an index inside the list replaces its item.

Keras RNNs that keep only their last output reserve a one-item TensorList and set item 0 at
every step; RNNs keeping every output set item t at step t. Both, and out-of-order sets, are
run through the converter in a Session and checked against what TF's list semantics give.
"""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest
from ortflow.api import ops_builder as b

STEPS = 5


def _run_list_loop(size: int, index_of):
    """Sets item `index_of(i)` to i * ones(3) at step i of a loop over a reserved list."""
    with tf.Graph().as_default():
        handle = b.apply_op_output("TensorListReserve", [tf.constant([3]), tf.constant(size)],
                                   {"element_dtype": tf.float32, "shape_type": tf.int32})

        def body(i, h):
            item = tf.cast(i, tf.float32) * tf.ones([3])
            h = b.apply_op_output("TensorListSetItem", [h, index_of(i), item],
                                  {"element_dtype": tf.float32})
            return i + 1, h

        _, final = tf.while_loop(lambda i, h: i < STEPS, body, [tf.constant(0), handle])
        stacked = b.apply_op_output("TensorListStack", [final, tf.constant([3])],
                                    {"element_dtype": tf.float32, "num_elements": -1})
        with tf.Session() as sess:
            out = sess.run(stacked)
            assert sess.last_run_backend == "onnxruntime"
            return out


def test_overwriting_item_zero_keeps_one_item():
    np.testing.assert_array_equal(_run_list_loop(1, lambda i: tf.constant(0)), np.full((1, 3), STEPS - 1))


def test_setting_item_i_at_step_i_fills_the_list_in_order():
    want = np.repeat(np.arange(STEPS, dtype=np.float32)[:, None], 3, axis=1)
    np.testing.assert_array_equal(_run_list_loop(STEPS, lambda i: i), want)


@pytest.mark.parametrize("order", ["reverse", "twice"])
def test_out_of_order_sets(order):
    if order == "reverse":  # step i sets item 4 - i: the first set pads, the rest replace
        got = _run_list_loop(STEPS, lambda i: STEPS - 1 - i)
        want = np.arange(STEPS - 1, -1, -1, dtype=np.float32)
    else:  # step i sets item i // 2: each item is set twice, the later value stays
        got = _run_list_loop(3, lambda i: i // 2)
        want = np.array([1, 3, 4], np.float32)
    np.testing.assert_array_equal(got, np.repeat(want[:, None], 3, axis=1))
