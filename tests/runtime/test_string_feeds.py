"""Fed strings reach every backend as TensorFlow holds them (bytes), whoever runs the graph."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest


@pytest.mark.parametrize("fed", [[b"hello", b"world", b"tf"], ["hello", "world", "tf"],
                                 np.array(["hello", "world", "tf"])])
def test_string_equal_with_an_interpreter_only_op_in_the_same_run(fed):
    # StringUpper has no ONNX form, so this run goes to the numpy interpreter; the fed strings
    # must still compare equal to the bytes constant (they used to arrive as str: all False).
    with tf.Graph().as_default():
        words = tf.placeholder(tf.string, [None])
        upper = tf.strings.upper(words)
        eq = tf.equal(words, "hello")
        joined = tf.strings.join([words, "!"])
        with tf.Session() as sess:
            got_upper, got_eq, got_joined = sess.run([upper, eq, joined], {words: fed})
            alone = sess.run(eq, {words: fed})  # onnxruntime alone
    np.testing.assert_array_equal(got_eq, [True, False, False])
    np.testing.assert_array_equal(alone, [True, False, False])
    assert list(got_upper) == [b"HELLO", b"WORLD", b"TF"]
    assert list(got_joined) == [b"hello!", b"world!", b"tf!"]


def test_non_ascii_strings_round_trip():
    with tf.Graph().as_default():
        words = tf.placeholder(tf.string, [2])
        with tf.Session() as sess:
            got = sess.run([tf.identity(words), tf.strings.upper(words)], {words: ["straße", "ü".encode()]})
    assert list(got[0]) == ["straße".encode(), "ü".encode()]
