"""Seed notes 004: tf.metrics and the losses (tf.nn cross entropies, tf.losses)."""

from __future__ import annotations


def test_metrics(run_seed):
    run_seed("metrics")


def test_metrics_on_constants(run_seed):
    run_seed("metrics_const")


def test_metric_variable_names(run_seed):
    run_seed("metric_variable_names")


def test_metrics_at_thresholds(run_seed):
    run_seed("metrics_at")


def test_losses(run_seed):
    run_seed("losses")


def test_pairwise_loss(run_seed):
    run_seed("pairwise_loss")
