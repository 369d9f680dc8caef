"""Seed notes 004: tf.metrics and the losses (tf.nn cross entropies, tf.losses)."""

from __future__ import annotations

import pytest


def test_metrics(run_seed):
    run_seed("metrics")


def test_metrics_on_constants(run_seed):
    run_seed("metrics_const")


@pytest.mark.xfail(strict=True, reason="api/metrics.py local variable names differ from TF's: "
                   "'accuracy/accuracy/total' (TF 'accuracy/total'), "
                   "'root_mean_squared_error/mean_squared_error/total' (TF "
                   "'root_mean_squared_error/total'), 'percentage_below/total' (TF "
                   "'percentage_below_threshold/total'); count/... alike")
def test_metric_variable_names(run_seed):
    run_seed("metric_variable_names")


def test_metrics_at_thresholds(run_seed):
    run_seed("metrics_at")


def test_losses(run_seed):
    run_seed("losses")


def test_pairwise_loss(run_seed):
    run_seed("pairwise_loss")
