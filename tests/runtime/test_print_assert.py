"""Print / tf.print print TensorFlow's text and Assert raises, when they run in Session.run.

The expected texts were checked against TensorFlow 2.21 (v1 graph mode); the interop tests at
the end compare with it directly.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import ortflow as tf
from ortflow.runtime.effects import summarize


@pytest.fixture
def graph():
    with tf.Graph().as_default() as g:
        yield g


def test_summarize_v1_and_v2():
    x = np.arange(30, dtype=np.float32).reshape(2, 3, 5) / 3
    assert summarize(x, 4) == "[[0 0.333333343 0.666666687 1...]]..."
    assert summarize(np.arange(12).reshape(3, 4), 4) == "[[0 1 2 3]...]"[1:-1]
    assert summarize(np.array([True, False]), 3) == "1 0"
    assert summarize(np.array([b"ab", b"c"], object), 3) == "ab c"
    assert summarize(np.arange(100), 3, v2=True) == "[0 1 2 ... 97 98 99]"
    assert summarize(np.array([b"ab"], object), 3, v2=True) == '["ab"]'
    assert summarize(np.array([1e-5, 1e6, 3.0, np.nan, np.inf], np.float32), 9, v2=True) == "[1e-05 1e+06 3 nan inf]"
    assert summarize(np.zeros([0], np.float32), 3) == ""


def test_print_and_tf_print_write_tf_text(graph, capfd):
    x = tf.constant(np.arange(30, dtype=np.float32).reshape(2, 3, 5) / 3)
    y = tf.Print(x, [x, tf.constant([True, False]), tf.constant(7)], message="msg: ", summarize=4)
    out = tf.print("out", tf.constant([1.5, 2.0]), output_stream=sys.stdout, end="|\n", sep="--")
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y), np.arange(30).reshape(2, 3, 5) / 3, rtol=1e-6)
        sess.run(out)
    captured = capfd.readouterr()
    assert captured.err == "msg: [[[0 0.333333343 0.666666687 1...]]...][1 0][7]\n"
    assert captured.out == "out--[1.5 2]|\n"


def test_print_first_n_and_nothing_without_run(graph, capfd):
    x = tf.constant([1, 2])
    z = tf.Print(x, [x], first_n=2)
    tf.print("never run", x)
    with tf.Session() as sess:
        for _ in range(3):
            sess.run(z)
    assert capfd.readouterr().err == "[1 2]\n[1 2]\n"


def test_print_and_assert_in_cond_branches(graph, capfd):
    pred = tf.placeholder(tf.bool, [], name="pred")
    x = tf.placeholder(tf.float32, [3], name="x")

    def true_fn():
        check = tf.Assert(tf.reduce_all(x > 0), ["x positive", x], name="in_true")
        with tf.control_dependencies([check]):
            return tf.identity(tf.Print(x * 2, [x], message="true: "))

    out = tf.cond(pred, true_fn, lambda: tf.Print(x - 1, [x], message="false: "))
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(out, {pred: True, x: [1, 2, 3]}), [2, 4, 6])
        assert capfd.readouterr().err == "true: [1 2 3]\n"
        np.testing.assert_allclose(sess.run(out, {pred: False, x: [-1, 2, 3]}), [-2, 1, 2])
        assert capfd.readouterr().err == "false: [-1 2 3]\n"  # the untaken Assert does not raise
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(out, {pred: True, x: [-1, 2, 3]})
        assert "assertion failed: [x positive] [-1 2 3]" in info.value.message
        assert "cond/in_true/AssertGuard/Assert" in info.value.message
        assert capfd.readouterr().err == ""  # the Print waits for the failed Assert


def test_assert_in_while_loop_raises_with_failing_pass_data(graph):
    n = tf.placeholder(tf.int32, [], name="n")

    def body(i):
        check = tf.Assert(i < 3, ["i too big", i], name="loop_assert")
        with tf.control_dependencies([check]):
            return i + 1

    loop = tf.while_loop(lambda i: i < n, body, [tf.constant(0)])
    with tf.Session() as sess:
        assert sess.run(loop, {n: 2}) == 2
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"assertion failed: \[i too big\] \[3\]"):
            sess.run(loop, {n: 5})


def test_print_in_while_loop_prints_each_pass(graph, capfd):
    # A Print in a loop body prints once per pass, as in TF (the signature runs on the numpy
    # interpreter: tests/runtime/test_loop_effects.py has more).
    loop = tf.while_loop(lambda i: i < 2, lambda i: tf.Print(i, [i]) + 1, [tf.constant(0)])
    with tf.Session() as sess:
        assert sess.run(loop) == 2
    assert capfd.readouterr().err == "[0]\n[1]\n"


_SCRIPT = textwrap.dedent('''
    import sys
    import numpy as np
    if sys.argv[1] == "tf":
        import tensorflow as tf
        tf.compat.v1.disable_v2_behavior()
        tf = tf.compat.v1
    else:
        import ortflow as tf
    x = tf.constant(np.arange(30, dtype=np.float32).reshape(2, 3, 5) / 3)
    s = tf.constant(["ab", "c"])
    i = tf.constant(np.arange(12).reshape(3, 4))
    ops = [tf.Print(x, [x, s, i, tf.constant(2.5, tf.float64)], message="m: ", summarize=4),
           tf.print("hello", x, s, i, {"a": 1}, summarize=2),
           tf.print(tf.constant(np.arange(100)), tf.constant(np.arange(24).reshape(2, 3, 4))),
           tf.print(tf.constant([1e-5, 1e6, float("nan")]), tf.constant(True), tf.constant([], tf.float32))]
    a = tf.Assert(tf.constant(False), ["bad", x, i, s], name="myassert")
    with tf.Session() as sess:
        for op in ops:
            sess.run(op)
            sys.stderr.write("@@\\n")
        try:
            sess.run(a)
        except tf.errors.InvalidArgumentError as e:
            print(e.message.split("assertion failed: ")[1].split("\\n")[0])
''')


@pytest.mark.interop
def test_printed_text_equals_tensorflow(tf, tmp_path):  # noqa: F811 (the fixture shadows the module)
    script = tmp_path / "p.py"
    script.write_text(_SCRIPT)

    def run(which):
        done = subprocess.run([sys.executable, str(script), which], capture_output=True, text=True,
                              timeout=300, check=True)
        err = [line for line in done.stderr.splitlines() if line.startswith(("m: ", "hello", "[", " ", "@@"))
               and "{{node" not in line]
        return err, done.stdout

    assert run("ortflow") == run("tf")
