"""Seed notes 000/004: graphs, devices (strings and functions), collections, GraphKeys."""

from __future__ import annotations


def test_graphs_and_devices(run_seed):
    run_seed("graphs_devices")


def test_collections(run_seed):
    run_seed("collections")


def test_device_function(run_seed):
    run_seed("device_function")


def test_device_nesting(run_seed):
    run_seed("device_nesting")


def test_replica_device_setter(run_seed):
    run_seed("device_setter")


def test_cluster_spec(run_seed):
    run_seed("cluster_spec")
