"""Seed notes 000/004: exponential_decay of a learning rate, the global step helpers."""

from __future__ import annotations

import pytest


@pytest.mark.xfail(strict=True, reason="tf.train.exponential_decay missing from ortflow.api.train "
                   "(AttributeError)")
def test_exponential_decay(run_seed):
    run_seed("exponential_decay")


@pytest.mark.xfail(strict=True, reason="tf.train.get_global_step / get_or_create_global_step / "
                   "global_step missing from ortflow.api.train (AttributeError)")
def test_global_step(run_seed):
    run_seed("global_step")
