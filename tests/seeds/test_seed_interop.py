"""Graphs the seed scripts built in ortflow, imported and run by TensorFlow itself."""

from __future__ import annotations

import json

import numpy as np
import pytest


@pytest.mark.interop
@pytest.mark.parametrize("name", ["math_ops", "losses", "scopes", "image_standardize",
                                  "metrics_const"])
def test_built_graph_runs_in_tensorflow(name, run_seed, tf, expected):
    """The graph a script built in ortflow (tf.io.write_graph, binary) gives TF the same results."""
    _, workdir = run_seed(name)
    names = json.loads((workdir / "fetches.json").read_text())
    init = names.pop("__init__", None)
    updates = names.pop("__updates__", None)
    graph_def = tf.GraphDef()
    graph_def.ParseFromString((workdir / "graph.pb").read_bytes())
    with tf.Graph().as_default() as g:
        tf.import_graph_def(graph_def, name="")
        with tf.Session(graph=g) as sess:
            if init is not None:
                sess.run(init)
            if updates is not None:
                sess.run(updates)
            got = sess.run(names)
    for key, value in got.items():
        np.testing.assert_allclose(value, expected[name][key], rtol=1e-5, atol=1e-6, err_msg=key)
