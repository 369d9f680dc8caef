"""`Session.partial_run_setup` / `partial_run`: TensorFlow's documented example, and its errors."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest


def _graph():
    graph = tf.Graph()
    with graph.as_default():
        a, b, c = (tf.placeholder(tf.float32, [], name=n) for n in "abc")
        r1 = tf.add(a, b)
        r2 = tf.multiply(r1, c)
    return graph, a, b, c, r1, r2


def test_steps_feed_what_earlier_steps_fetched():
    graph, a, b, c, r1, r2 = _graph()
    with tf.Session(graph=graph) as sess:
        handle = sess.partial_run_setup([r1, r2], [a, b, c])
        res = sess.partial_run(handle, r1, feed_dict={a: 1, b: 2})
        assert res == 3
        res = sess.partial_run(handle, r2, feed_dict={c: res})
        assert res == 9
        np.testing.assert_equal(sess.partial_run(handle, [r1, r2]), [3.0, 9.0])


def test_unlisted_feeds_fetches_and_handles_are_invalid_arguments():
    graph, a, b, c, r1, r2 = _graph()
    with tf.Session(graph=graph) as sess:
        handle = sess.partial_run_setup([r1], [a, b])
        with pytest.raises(tf.errors.InvalidArgumentError, match="feed was not specified.*c:0"):
            sess.partial_run(handle, r1, feed_dict={c: 1.0})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Fetch was not specified"):
            sess.partial_run(handle, r2, feed_dict={a: 1.0, b: 2.0})
        with pytest.raises(tf.errors.InvalidArgumentError, match="handle"):
            sess.partial_run("nope", r1)
