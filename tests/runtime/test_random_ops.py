"""Random op handlers run through a Session: distributions, ranges, dynamic shapes, seeds."""

from __future__ import annotations

import numpy as np
import pytest
from ortflow.api import ops_builder as b
from ortflow.converters.random import onnx_seed
from ortflow.formats import dtypes
from ortflow.graph import Graph
from ortflow.runtime import Session

N = 20000  # samples: mean and std of N draws are within ~0.01 of the truth


def _session(build):
    g = Graph()
    with g.as_default():
        build()
    return Session(graph=g, providers="cpu")


def _shape_const():
    return b.constant(np.array([N], np.int32), name="shape")


def test_standard_normal_moments_and_seed():
    def build():
        b.apply_op_output("RandomStandardNormal", [_shape_const()],
                          {"dtype": dtypes.float32, "seed": 1, "seed2": 2}, name="r")
    draws = _session(build).run("r:0")
    assert draws.dtype == np.float32 and draws.shape == (N,)
    assert abs(draws.mean()) < 0.05 and abs(draws.std() - 1) < 0.05
    np.testing.assert_array_equal(draws, _session(build).run("r:0"))


def test_uniform_with_a_dynamic_shape():
    def build():
        shape = b.placeholder(dtypes.int32, b.shape_attr([2]), name="shape")
        b.apply_op_output("RandomUniform", [shape], {"dtype": dtypes.float64}, name="u")
    draws = _session(build).run("u:0", {"shape:0": [50, 40]})
    assert draws.dtype == np.float64 and draws.shape == (50, 40)
    assert draws.min() >= 0 and draws.max() < 1 and abs(draws.mean() - 0.5) < 0.05


def test_uniform_int_range():
    def build():
        b.apply_op_output("RandomUniformInt", [_shape_const(), b.constant(np.int32(-3), name="lo"),
                                               b.constant(np.int32(4), name="hi")],
                          {"seed": 5}, name="i")
    draws = _session(build).run("i:0")
    assert draws.dtype == np.int32
    assert set(np.unique(draws)) == set(range(-3, 4))


def test_truncated_normal_stays_within_two_stddev():
    def build():
        b.apply_op_output("TruncatedNormal", [_shape_const()], {"dtype": dtypes.float32, "seed": 9},
                          name="t")
    draws = _session(build).run("t:0")
    assert np.abs(draws).max() <= 2.0
    # the standard deviation of a normal truncated at +-2 is 0.8796
    assert abs(draws.std() - 0.8796) < 0.03 and abs(draws.mean()) < 0.05


@pytest.mark.parametrize("seed, seed2, seeded", [(0, 0, False), (1, 0, True), (0, 7, True)])
def test_onnx_seed(seed, seed2, seeded):
    value = onnx_seed(seed, seed2)
    assert (value is not None) == seeded
    if seeded:
        assert value == onnx_seed(seed, seed2) and 0 < value < 2 ** 24
