"""Seed notes 004: tf.gfile, the Python-like file API."""

from __future__ import annotations


def test_gfile(run_seed):
    run_seed("gfile_ops")
