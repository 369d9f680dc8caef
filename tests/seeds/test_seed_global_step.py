"""Seed notes 000/004: exponential_decay of a learning rate, the global step helpers."""

from __future__ import annotations


def test_exponential_decay(run_seed):
    run_seed("exponential_decay")


def test_global_step(run_seed):
    run_seed("global_step")
