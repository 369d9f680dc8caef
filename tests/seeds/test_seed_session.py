"""Seed notes 000: Session, run, constants, Variables, eval, placeholders with feed_dict."""

from __future__ import annotations

import numpy as np
import pytest


def test_session_basics(run_seed):
    run_seed("session_basics")


def test_session_errors_and_default_session(run_seed):
    run_seed("session_errors")


def test_session_client_side_errors(run_seed):
    run_seed("session_client_errors")


def test_report_uninitialized_variables(run_seed):
    run_seed("report_uninitialized")


def test_placeholders(run_seed):
    run_seed("placeholders")


@pytest.mark.interop
def test_session_graph_runs_in_tensorflow(run_seed, tf, expected):
    """The graph ortflow built, written by tf.io.write_graph as text, runs in TensorFlow."""
    _, workdir = run_seed("session_basics")
    graph_def = tf.GraphDef()
    from google.protobuf import text_format
    text_format.Parse((workdir / "session_basics.pbtxt").read_text(), graph_def)
    with tf.Graph().as_default() as g:
        tf.import_graph_def(graph_def, name="")
        with tf.Session(graph=g) as sess:
            sess.run([op for op in g.get_operations() if op.type == "Assign"])
            np.testing.assert_allclose(sess.run("y:0"), expected["session_basics"]["y"], rtol=1e-6)


@pytest.mark.interop
def test_placeholder_graph_runs_in_tensorflow(run_seed, tf, expected):
    """The binary .pb ortflow wrote for the placeholder graph feeds and runs in TensorFlow."""
    _, workdir = run_seed("placeholders")
    graph_def = tf.GraphDef()
    graph_def.ParseFromString((workdir / "placeholders.pb").read_bytes())
    with tf.Graph().as_default() as g:
        tf.import_graph_def(graph_def, name="")
        with tf.Session(graph=g) as sess:
            for m in (1, 3):
                feed = {"p:0": np.arange(4 * m, dtype=np.float32).reshape(4, m),
                        "q:0": np.full([m], 2.0, np.float32)}
                s = sess.run("s:0", feed)
                np.testing.assert_allclose(s, expected["placeholders"][f"s_{m}"], rtol=1e-6)

