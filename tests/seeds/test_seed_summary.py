"""Seed notes 000/004: tf.summary ops, merge_all, FileWriter, loading a .pb into TensorBoard."""

from __future__ import annotations

import pytest


def test_summaries(run_seed):
    run_seed("summaries")


def test_summary_merge_family_collections(run_seed):
    run_seed("summary_extras")


def test_summary_of_constants(run_seed):
    run_seed("summary_constant")


def test_pb_to_tensorboard(run_seed):
    run_seed("pb_to_tensorboard")


@pytest.mark.interop
def test_ortflow_events_read_by_tensorflow(run_seed, tf, expected):
    """TensorFlow's summary_iterator reads the events file ortflow's FileWriter wrote."""
    _, workdir = run_seed("summaries")
    (events,) = (workdir / "logs").iterdir()
    steps, tags, graphs = [], [], 0
    for event in tf.train.summary_iterator(str(events)):
        if event.HasField("summary"):
            steps.append(event.step)
            tags.extend(v.tag for v in event.summary.value)
        if event.HasField("graph_def"):
            graph_def = tf.GraphDef()
            graph_def.ParseFromString(event.graph_def)
            graphs += 1
    want = expected["summaries"]
    assert steps == want["event_steps"].tolist()
    assert tags == want["event_tags"].tolist()
    assert graphs == int(want["event_graphs"])
