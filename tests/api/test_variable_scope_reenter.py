"""Re-entering variable scopes: op and variable names as TensorFlow 2.21 `tf.compat.v1` gives them.

The expected names were read from TensorFlow 2.21 (tf.compat.v1, graph mode) running the same
code.
"""

from __future__ import annotations

import ortflow as tf


def test_reenter_by_object_opens_fresh_name_scope():
    with tf.Graph().as_default():
        with tf.variable_scope("vs") as vs:
            c = tf.constant(3.0, name="c")
        with tf.variable_scope(vs) as again:
            d = tf.constant(4.0, name="d")
            e = tf.get_variable("e", [])
        with tf.variable_scope(vs):
            d2 = tf.constant(4.0, name="d")
        with tf.variable_scope(vs, auxiliary_name_scope=False):
            f = tf.constant(5.0, name="f")
        assert [c.name, d.name, e.name, d2.name, f.name] == ["vs/c:0", "vs_1/d:0", "vs/e:0", "vs_2/d:0", "f:0"]
        assert again.original_name_scope == "vs/"


def test_reenter_by_object_with_reuse_shares_the_variable():
    with tf.Graph().as_default():
        with tf.variable_scope("vs") as vs:
            v = tf.get_variable("v", [])
        with tf.variable_scope(vs, reuse=True):
            d = tf.constant(4.0, name="d")
            w = tf.get_variable("v", [])
        assert w is v
        assert d.name == "vs_1/d:0"


def test_reenter_by_string():
    with tf.Graph().as_default():
        with tf.variable_scope("vs"):
            c = tf.constant(3.0, name="c")
        with tf.variable_scope("vs", reuse=True) as s:
            d = tf.constant(4.0, name="d")
        assert [c.name, d.name, s.original_name_scope] == ["vs/c:0", "vs_1/d:0", "vs_1/"]


def test_reenter_nested_scope_uses_last_component_under_current_name_scope():
    with tf.Graph().as_default():
        with tf.variable_scope("outer"):
            with tf.variable_scope("inner") as inner:
                pass
        with tf.variable_scope(inner) as s:
            b = tf.constant(1.0, name="b")
            v = tf.get_variable("v", [])
            with tf.variable_scope("deep") as deep:
                c = tf.constant(1.0, name="c")
                w = tf.get_variable("w", [])
        with tf.variable_scope("other"):
            with tf.variable_scope(inner):
                d = tf.constant(1.0, name="d")
            with tf.variable_scope(deep):
                e = tf.constant(1.0, name="e")
        assert [b.name, v.name, c.name, w.name, d.name, e.name] == [
            "inner/b:0", "outer/inner/v:0", "inner/deep/c:0", "outer/inner/deep/w:0",
            "other/inner/d:0", "other/deep/e:0"]
        assert s.original_name_scope == "outer/inner/"
        assert deep.original_name_scope == "inner/deep/"


def test_reenter_inside_itself_and_name_scope_clashes():
    with tf.Graph().as_default():
        with tf.variable_scope("vs") as vs:
            with tf.variable_scope(vs):
                a = tf.constant(1.0, name="a")
        with tf.name_scope("vs_1"):
            b = tf.constant(1.0, name="b")
        with tf.variable_scope(vs):
            c = tf.constant(1.0, name="c")
        with tf.variable_scope("vs"):
            d = tf.constant(1.0, name="d")
        assert [a.name, b.name, c.name, d.name] == ["vs/vs/a:0", "vs_1/b:0", "vs_2/c:0", "vs_3/d:0"]


def test_default_name_scope_is_made_unique_from_default_name():
    with tf.Graph().as_default():
        with tf.name_scope("vs"):
            pass
        with tf.variable_scope(None, default_name="vs") as a:
            x = tf.constant(1.0, name="x")
            v = tf.get_variable("v", [])
        with tf.variable_scope(a):
            r = tf.constant(1.0, name="r")
        with tf.variable_scope(None, default_name="vs") as b:
            y = tf.constant(1.0, name="y")
        assert [a.name, x.name, v.name, r.name, b.name, y.name] == [
            "vs", "vs_1/x:0", "vs/v:0", "vs_2/r:0", "vs_1", "vs_3/y:0"]
