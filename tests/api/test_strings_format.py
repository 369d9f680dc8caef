"""tf.strings.format: a StringFormat node (TF's attrs) whose fetched value is the text TF gives;
expected strings recorded from TF 2.21 (tf.compat.v1, disable_v2_behavior)."""

from __future__ import annotations

import ortflow as tf
import pytest


def test_strings_format_values_and_node():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None], name="x")
        s = tf.strings.format("x = {}, n = {}", [x, tf.size(x)])
        big = tf.strings.format("big: {}", tf.reshape(tf.range(20), [4, 5]), summarize=2)
        none = tf.strings.format("none", [])
        printed = tf.print(s)  # a format both fetched and printed elsewhere stays computable
        node = s.op.node_def
        assert node.op == "StringFormat" and list(node.input) == ["x", "Size"]
        assert node.attr["template"].s == b"x = {}, n = {}" and node.attr["summarize"].i == 3
        with tf.Session() as sess:
            got = sess.run([s, big, none], {x: [1.5, 2.0, 3.25]})
            sess.run(printed, {x: [1.0]})
        with pytest.raises(ValueError, match="2 placeholders"):
            tf.strings.format("{} {}", [x])
    assert got == [b"x = [1.5 2 3.25], n = 3",
                   b"big: [[0 1 ... 3 4]\n [5 6 ... 8 9]\n [10 11 ... 13 14]\n [15 16 ... 18 19]]", b"none"]
