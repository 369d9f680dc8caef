"""variable_scope(custom_getter=...) and get_variable(custom_getter=...), as TensorFlow calls them.

The expected calls, values and names below are what TF 2.21 (tf.compat.v1) gives for the same
code.
"""

from __future__ import annotations

import ortflow as tf
import pytest


def test_nested_scope_getters_wrap_and_call_level_getter_replaces():
    calls = []

    def outer(getter, name, *args, **kwargs):
        calls.append("outer:" + name)
        return getter(name, *args, **kwargs) + 1.0

    def inner(getter, name, *args, **kwargs):
        calls.append("inner:" + name + ":" + ",".join(sorted(kwargs)))
        return getter(name, *args, **kwargs) * 2.0

    def call_level(getter, *args, **kwargs):
        calls.append("call")
        return getter(*args, **kwargs) - 3.0

    with tf.Graph().as_default():
        with tf.name_scope("ns"):
            with tf.variable_scope("a", custom_getter=outer):
                with tf.variable_scope("b", custom_getter=inner):
                    v = tf.get_variable("v", [2], initializer=tf.ones_initializer())
                w = tf.get_variable("w", [2], initializer=tf.ones_initializer(), custom_getter=call_level)
            with tf.variable_scope("a", reuse=True):
                plain = tf.get_variable("b/v")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            values = [x.tolist() for x in sess.run([v, w, plain])]
        names = [x.name for x in tf.global_variables()]
    # the innermost scope's getter runs first; all arguments come as keywords
    assert calls == [("inner:a/b/v:aggregation,caching_device,collections,constraint,dtype,initializer,"
                      "partitioner,regularizer,reuse,shape,synchronization,trainable,use_resource,"
                      "validate_shape"), "outer:a/b/v", "call"]
    assert values == [[4.0, 4.0], [-2.0, -2.0], [1.0, 1.0]]
    # the getters' ops are built outside any name scope, as TF builds them
    assert (v.name, w.name, plain.name) == ("mul:0", "sub:0", "a/b/v:0")
    assert names == ["a/b/v:0", "a/w:0"]


def test_getter_is_inherited_and_can_rename():
    def prefixed(getter, name, *args, **kwargs):
        return getter("shadow/" + name, *args, **kwargs)

    with tf.Graph().as_default():
        with tf.variable_scope("outer", custom_getter=prefixed) as scope, tf.variable_scope("inner"):
            a = tf.get_variable("a", [1])
        with tf.variable_scope(scope):
            b = tf.get_variable("b", [1])
        assert (a.name, b.name) == ("shadow/outer/inner/a:0", "shadow/outer/b:0")


def test_not_callable_getter_is_refused_by_get_variable():
    # TF accepts the scope itself; get_variable refuses the getter
    with tf.Graph().as_default(), tf.variable_scope("x", custom_getter=3), \
            pytest.raises(ValueError, match="not callable"):
        tf.get_variable("v", [1])
