"""tf.losses reductions: the loss tensor each reduction returns, its name and value."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest


@pytest.mark.parametrize("reduction,name,value", [
    ("weighted_sum", "absolute_difference/Sum:0", 11.0),          # TF returns the Sum itself
    ("weighted_mean", "absolute_difference/value:0", 11.0 / 4.0),
    ("weighted_sum_by_nonzero_weights", "absolute_difference/value:0", 11.0 / 3.0),
    ("weighted_sum_over_batch_size", "absolute_difference/value:0", 11.0 / 3.0),
])
def test_absolute_difference_reductions(reduction, name, value):
    with tf.Graph().as_default():
        loss = tf.losses.absolute_difference([1.0, 2.0, 4.0], [0.0, 0.0, 0.0], weights=[1.0, 1.0, 2.0],
                                             reduction=reduction)
        assert loss.name == name
        assert [t.name for t in tf.losses.get_losses()] == [name]
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(loss), value, rtol=1e-6)
