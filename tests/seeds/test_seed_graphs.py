"""Seed notes 000/004: graphs, devices (strings and functions), collections, GraphKeys."""

from __future__ import annotations

import pytest


def test_graphs_and_devices(run_seed):
    run_seed("graphs_devices")


def test_collections(run_seed):
    run_seed("collections")


@pytest.mark.xfail(strict=True, reason="tf.train.replica_device_setter missing from "
                   "ortflow.api.train (AttributeError)")
def test_replica_device_setter(run_seed):
    run_seed("device_setter")


@pytest.mark.xfail(strict=True, reason="tf.train.ClusterSpec missing from ortflow.api.train "
                   "(AttributeError)")
def test_cluster_spec(run_seed):
    run_seed("cluster_spec")
