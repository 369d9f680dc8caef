"""`Dimension` and the two ways scripts read shapes (TF 1.x `.value`, TF 2 `is None`).

The expression tables run against a static shape `[None, 3]`; the interop tests evaluate the
same expressions with TensorFlow, in the tensorshape mode each style was written for, and
compare the `repr` of every result.
"""

from __future__ import annotations

import contextlib
import json
import pickle

import numpy as np
import ortflow as tf
import pytest
from ortflow.graph import tensor_shape
from ortflow.graph.tensor_shape import Dimension, TensorShape

# TF 1.x style on KNOWN dimensions: holds in ortflow's default mode and in TF with v1 shapes.
TF1_KNOWN = [
    "s[1].value", "int(s[1])", "s[1] == 3", "s[1] != 3", "s[1] + 1", "(s[1] * 2).value", "3 + s[1]",
    "s[1] // 2", "s[1] % 2", "s[1] < 4", "s.as_list()", "tf.dimension_value(s[1])", "tf.dimension_value(s[0])",
    "tf.dimension_value(7)", "tf.dimension_at_index(s, 1)", "tf.dimension_at_index(s, 0)",
    "tf.dimension_at_index(tf.TensorShape(None), 2)", "repr(s[1])", "str(s[1])", "s[1] + None",
    "s[1] == None", "tf.Dimension(None) + 1", "tf.Dimension(None) == 3", "str(tf.Dimension(None))",
    "tf.Dimension(3).is_compatible_with(4)", "tf.Dimension(3).merge_with(None)",
    "tf.Dimension(3) == '3'", "bool(tf.Dimension(0))", "np.zeros([s[1], 2]).shape", "[1, 2, 3, 4][s[1]]",
    "list(range(s[1]))", "'%d' % s[1]", "f'{s[1]}'", "s[1:].as_list()", "isinstance(s[1], tf.Dimension)",
    "s.dims[1].value", "tf.Dimension(tf.Dimension(2))",
]
# TF 1.x style on UNKNOWN dimensions: needs `disable_v2_tensorshape()` in ortflow, as in TF.
TF1_UNKNOWN = ["s[0].value", "repr(s[0])", "[d.value for d in s]", "s[0] is None", "repr(list(s))",
               "s[0] == None", "str(s[0])"]
# TF 2 style: holds in ortflow's default mode and in TF with v2 shapes.
TF2 = ["s[0] is None", "s[1] * 2", "list(s)", "[d is None for d in s]", "s[1] == 3", "int(s[1]) + 1",
       "s.as_list()", "tf.dimension_value(s[0])", "s.rank", "json.dumps(s.as_list())", "s[1] - 5"]


def _eval(module, expr: str, shape=(None, 3)) -> str:
    env = {"tf": module, "np": np, "json": json, "s": module.TensorShape(list(shape))}
    return repr(eval(expr, env))


EXPECTED_DEFAULT = {
    "s[1].value": "3", "int(s[1])": "3", "s[1] + 1": "Dimension(4)", "(s[1] * 2).value": "6",
    "3 + s[1]": "Dimension(6)", "tf.dimension_value(s[0])": "None", "tf.dimension_at_index(s, 0)": "Dimension(None)",
    "s[1] + None": "Dimension(None)", "s[1] == None": "None", "str(tf.Dimension(None))": "'?'",
    "tf.Dimension(3).merge_with(None)": "Dimension(3)", "np.zeros([s[1], 2]).shape": "(3, 2)",
    "s[0] is None": "True", "list(s)": "[None, Dimension(3)]", "s[1] * 2": "Dimension(6)", "s[1] - 5": "-2",
}


@pytest.mark.parametrize("expr", sorted(EXPECTED_DEFAULT))
def test_default_mode_values(expr):
    assert _eval(tf, expr) == EXPECTED_DEFAULT[expr]


@pytest.fixture
def v1_shapes():
    was = tensor_shape._UNKNOWN_AS_NONE
    tf.disable_v2_tensorshape()
    try:
        yield
    finally:
        tensor_shape._UNKNOWN_AS_NONE = was


def test_v1_mode_gives_dimension_objects(v1_shapes):
    s = TensorShape([None, 3])
    assert repr(s[0]) == "Dimension(None)" and s[0].value is None and s[0] is not None
    assert [d.value for d in s] == [None, 3]
    assert repr(TensorShape(None)[0]) == "Dimension(None)"
    assert s.dims == [None, 3] and s.as_list() == [None, 3]  # dims keeps None in both modes (docstring)
    with pytest.raises(TypeError, match="unknown Dimension"):
        int(s[0])
    with pytest.raises(TypeError, match="unhashable"):
        hash(s[0])


def test_dimension_is_an_int_that_pickles_hashes_and_serializes():
    d = TensorShape([5])[0]
    assert type(d) is Dimension and isinstance(d, int) and d.value == 5
    assert hash(d) == hash(5) and {d: "x"}[5] == "x"
    assert pickle.loads(pickle.dumps(d)) == 5 and type(pickle.loads(pickle.dumps(d))) is Dimension
    assert pickle.loads(pickle.dumps(Dimension(None))) is Dimension(None)
    assert json.dumps({"n": d}) == '{"n": 5}'
    assert d * 0.5 == 2.5 and d / 2 == 2.5 and -d == -5
    assert d * np.array([1, 2]).tolist() == [1, 2] * 5  # list repetition, as with the int
    assert (np.int64(2) + d) == 7
    assert tf.TensorShapeProto(dim=[{"size": d}]).dim[0].size == 5
    assert TensorShape([d, Dimension(None)]).as_list() == [5, None]


def test_dimension_rejects_what_tensorflow_rejects():
    with pytest.raises(ValueError, match="must be >= 0"):
        Dimension(-2)
    with pytest.raises(TypeError, match="must be an integer or None"):
        Dimension(2.5)
    with pytest.raises(ValueError, match="are not compatible"):
        Dimension(3).merge_with(4)


def test_shapes_inside_ortflow_read_the_same_in_both_modes(v1_shapes):
    # Graph building reads shapes: a small graph builds and runs with v1 shapes on.
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        y = tf.reduce_sum(tf.reshape(x, [-1, x.shape[1].value]) * 2.0, axis=1)
        parts = tf.unstack(tf.ones([2, 3]))
        assert y.shape.as_list() == [None] and len(parts) == 2
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(y, {x: np.ones((2, 3), np.float32)}), [6.0, 6.0])


def test_the_mode_switch_is_module_state():
    assert tensor_shape._UNKNOWN_AS_NONE
    tf.disable_v2_tensorshape()
    assert not tensor_shape._UNKNOWN_AS_NONE
    tf.enable_v2_tensorshape()
    assert tensor_shape._UNKNOWN_AS_NONE


# -- against TensorFlow ---------------------------------------------------------------------------
@contextlib.contextmanager
def _tf_shapes(tf, v2: bool):
    """TensorFlow's tensorshape mode set to `v2` inside, and put back as it was (other tests share it)."""
    was_v2 = isinstance(tf.TensorShape([1])[0], int)
    (tf.enable_v2_tensorshape if v2 else tf.disable_v2_tensorshape)()
    try:
        yield
    finally:
        (tf.enable_v2_tensorshape if was_v2 else tf.disable_v2_tensorshape)()


@pytest.mark.interop
def test_tf1_style_on_known_dims_matches_tensorflow_v1_shapes(tf):
    with _tf_shapes(tf, v2=False):
        theirs = {e: _eval(tf, e) for e in TF1_KNOWN}
    import ortflow
    assert {e: _eval(ortflow, e) for e in TF1_KNOWN} == theirs


@pytest.mark.interop
def test_tf1_style_on_unknown_dims_matches_with_v1_shapes_on(tf, v1_shapes):
    import ortflow
    with _tf_shapes(tf, v2=False):
        theirs = {e: _eval(tf, e) for e in TF1_UNKNOWN}
    assert {e: _eval(ortflow, e) for e in TF1_UNKNOWN} == theirs


@pytest.mark.interop
def test_tf2_style_matches_tensorflow_v2_shapes_up_to_the_int_subclass(tf):
    import ortflow
    with _tf_shapes(tf, v2=True):
        theirs = {e: _eval(tf, e) for e in TF2}
    # TensorFlow's v2 shapes give plain ints where ortflow gives its int subclass.
    ours = {e: _eval(ortflow, e).replace("Dimension(3)", "3").replace("Dimension(6)", "6") for e in TF2}
    assert ours == theirs


def test_disable_v2_behavior_switches_to_tf1_shapes_as_tensorflow_does():
    import ortflow as tf

    try:
        tf.disable_v2_behavior()
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 3])
            assert x.shape[0].value is None and x.get_shape()[1].value == 3
        tf.enable_v2_behavior()
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 3])
            assert x.shape[0] is None and x.shape[1].value == 3
    finally:
        tf.enable_v2_behavior()
