"""Saver and convert_variables_to_constants with the real runtime Session (onnxruntime)."""

from __future__ import annotations

import numpy as np
import pytest
from ortflow.graph import Graph, convert_variables_to_constants, import_meta_graph
from ortflow.proto import GraphDef

pytestmark = pytest.mark.filterwarnings("ignore::Warning")  # fixture state files name TF's paths


def test_restore_freeze_and_resave_through_a_session(data_dir, tmp_path):
    from ortflow.runtime.session import Session
    g = Graph()
    with g.as_default():
        saver = import_meta_graph(str(data_dir / "mlp/ckpt/model.ckpt-30.meta"))
    sess = Session(graph=g)
    saver.restore(sess, str(data_dir / "mlp/ckpt/model.ckpt-30"))
    frozen = convert_variables_to_constants(sess, g.as_graph_def(), ["output"])
    theirs = GraphDef()
    theirs.ParseFromString((data_dir / "mlp/frozen.pb").read_bytes())
    assert [n.name for n in frozen.node] == [n.name for n in theirs.node]
    assert all(a == b for a, b in zip(frozen.node, theirs.node))

    prefix = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=31)
    h = Graph()
    with h.as_default():
        again = import_meta_graph(prefix + ".meta")
    sess2 = Session(graph=h)
    again.restore(sess2, prefix)
    for name, value in np.load(data_dir / "mlp/variables.npz").items():
        np.testing.assert_array_equal(sess2.variable_values([name])[name], value)
