"""The tf.compat.v1 builder's shortcuts give the same nodes as the general paths they skip."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest
from ortflow.api import initializers
from ortflow.api.ops_builder import is_tensor_like, register_tensor_conversion_function
from ortflow.formats import dtypes
from ortflow.formats.tensors import make_tensor_proto


def _variable_shape(var) -> list | None:
    shape = tf.TensorShape(var.op.node_def.attr["shape"].shape)
    return shape.as_list() if shape.rank is not None else None


@pytest.mark.parametrize("init", [initializers.Zeros(), initializers.Ones(), initializers.RandomNormal(),
                                  initializers.TruncatedNormal(), initializers.RandomUniform(),
                                  initializers.VarianceScaling(), initializers.GlorotUniform(),
                                  initializers.GlorotNormal()])
def test_shape_exact_initializers_give_the_inferred_shape(init):
    assert type(init) in initializers.EXACT_SHAPE_INITIALIZERS
    g = tf.Graph()
    with g.as_default():
        var = tf.get_variable("v", [3, 4], initializer=init)
        inferred = var.initial_value.shape.as_list()  # what the general path writes
    assert _variable_shape(var) == inferred == [3, 4]


def test_a_subclass_is_still_inferred():
    class Wrong(initializers.Zeros):  # a result of another shape: only inference sees it
        def __call__(self, shape, dtype=None, partition_info=None):
            return super().__call__([2], dtype)

    g = tf.Graph()
    with g.as_default():
        var = tf.get_variable("v", [3, 4], initializer=Wrong())
    assert _variable_shape(var) == [2]


def test_no_validation_keeps_an_unknown_shape():
    g = tf.Graph()
    with g.as_default():
        var = tf.get_variable("v", [3, 4], initializer=tf.zeros_initializer(), validate_shape=False)
    assert _variable_shape(var) is None


@pytest.mark.parametrize("value", [0, 1, -7, 2 ** 24, -(2 ** 24), 2 ** 24 + 1, 2 ** 40])
@pytest.mark.parametrize("shape", [None, [], [5], [2, 3]])
def test_int_values_of_float_constants_encode_as_before(value, shape):
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(value, dtype=tf.float32, shape=shape)
    want = make_tensor_proto(value, dtype=dtypes.float32, shape=shape)
    assert c.op.node_def.attr["value"].tensor.SerializeToString() == want.SerializeToString()


def test_conversions_registered_for_a_tuple_of_types_are_tensor_like():
    class First:
        pass

    class Second:
        pass

    def convert(value, dtype=None, name=None, as_ref=False):
        return tf.constant(1.0)

    assert not is_tensor_like(First()) and not is_tensor_like(Second())
    register_tensor_conversion_function((First, Second), convert)
    assert is_tensor_like(First()) and is_tensor_like(Second())
    assert not is_tensor_like(np.zeros(2))


def test_int_list_fits_check_still_refuses_fractions():
    g = tf.Graph()
    with g.as_default(), pytest.raises(TypeError, match="Expected int32"):
        tf.convert_to_tensor([1, 2.5], dtype=tf.int32)
    with g.as_default():
        assert tf.convert_to_tensor([1, 2], dtype=tf.int32).dtype == tf.int32
        assert tf.convert_to_tensor(np.array([1.5]), dtype=tf.float32).dtype == tf.float32
    with g.as_default(), pytest.raises(TypeError, match="Expected int32"):
        tf.convert_to_tensor(np.array([1.5]), dtype=tf.int32)
