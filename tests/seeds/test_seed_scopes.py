"""Seed notes 000/004: variable_scope, name_scope, get_variable sharing and initializers."""

from __future__ import annotations

import tempfile

import numpy as np
import pytest


def test_scopes(run_seed):
    run_seed("scopes")


def test_scope_strings(run_seed):
    run_seed("scope_strings")


@pytest.mark.xfail(strict=True, reason="api/variable_scope.py: re-entering a captured scope "
                   "object (`with tf.variable_scope(vs):`) puts ops in 'vs/' where TF opens a "
                   "fresh name scope 'vs_1/' (variables stay in 'vs/' in both)")
def test_scope_reentered(run_seed):
    run_seed("scope_reenter")


def test_random_initializers(run_seed):
    """Shapes, dtypes and statistics match TensorFlow's (the values themselves need not)."""
    run_seed("random_inits")


def test_random_initializers_repeat_with_same_seed(seed_scripts):
    """Two runs with the same graph-level and op seeds draw the same values in ortflow."""
    import ortflow

    runs = []
    for _ in range(2):
        with tempfile.TemporaryDirectory() as workdir:
            runs.append(seed_scripts.random_inits(ortflow, workdir))
    for key in ("raw_n", "raw_u", "raw_r"):
        np.testing.assert_array_equal(runs[0][key], runs[1][key], err_msg=key)
    assert not np.array_equal(runs[0]["raw_n"], runs[0]["raw_u"])
