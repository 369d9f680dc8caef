"""Seed notes 000: matmul, reduce_mean, log, clip_by_value, activations, softmax, slice, conv2d, fft."""

from __future__ import annotations


def test_math_ops(run_seed):
    run_seed("math_ops")


def test_fft(run_seed):
    run_seed("fft")
