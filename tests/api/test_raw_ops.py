"""`tf.raw_ops`: keyword-only functions made from OpDefs; results recorded from TF 2.21
(tf.compat.v1, disable_v2_behavior) for the same calls."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest


def test_raw_ops_build_and_run_as_tf():
    with tf.Graph().as_default():
        x = tf.constant([1, 2, 1])
        unique = tf.raw_ops.Unique(x=x)
        halves = tf.raw_ops.Split(axis=0, value=tf.constant([1.0, 2.0, 3.0, 4.0]), num_split=2)
        total = tf.raw_ops.AddV2(x=x, y=x, name="myadd")
        biggest = tf.raw_ops.Max(input=tf.constant([[1.0, 2.0]]), axis=[1], keep_dims=True)
        squeezed = tf.raw_ops.Squeeze(input=tf.constant([[1.0, 2.0]]), axis=[0])
        chosen = tf.raw_ops.Select(condition=tf.constant([True, False]), x=tf.constant([1, 2]),
                                   y=tf.constant([3, 4]))
        p = tf.raw_ops.Placeholder(dtype=tf.float32, shape=[None, 2])
        assert type(unique).__name__ == "Unique" and unique._fields == ("y", "idx")
        assert isinstance(halves, list) and len(halves) == 2 and total.name == "myadd:0"
        assert isinstance(tf.raw_ops.NoOp(), tf.Operation)
        assert p.shape.as_list() == [None, 2] and squeezed.op.get_attr("squeeze_dims") == [0]
        with tf.Session() as sess:
            u, h, t, b, s, c = sess.run([unique, halves, total, biggest, squeezed, chosen])
            doubled = sess.run(p * 2, {p: [[1, 2]]})
    assert u.y.tolist() == [1, 2] and u.idx.tolist() == [0, 1, 0]
    assert [a.tolist() for a in h] == [[1.0, 2.0], [3.0, 4.0]] and t.tolist() == [2, 4, 2]
    assert b.tolist() == [[2.0]] and s.tolist() == [1.0, 2.0] and c.tolist() == [1, 4]
    np.testing.assert_array_equal(doubled, [[2.0, 4.0]])


def test_raw_ops_errors():
    with tf.Graph().as_default():
        x = tf.constant([1, 2])
        with pytest.raises(TypeError, match="only takes keyword args"):
            tf.raw_ops.AddV2(x, x)
        with pytest.raises(TypeError, match="missing 1 required argument"):
            tf.raw_ops.AddV2(x=x)
        with pytest.raises(TypeError, match="unexpected keyword"):
            tf.raw_ops.AddV2(x=x, y=x, colour="red")
        with pytest.raises(AttributeError, match="no attribute 'NotAnOp'"):
            tf.raw_ops.NotAnOp  # noqa: B018
