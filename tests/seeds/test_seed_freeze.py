"""Seed notes 000/004: pb freezing (convert_variables_to_constants, gfile, import_graph_def)."""

from __future__ import annotations

import numpy as np
import pytest


def test_freeze_pb(run_seed):
    run_seed("freeze_pb")


def test_import_with_return_elements(run_seed):
    run_seed("import_return_elements")


def test_pbtxt_and_pb_roundtrip(run_seed):
    run_seed("pbtxt_roundtrip")


@pytest.mark.interop
def test_ortflow_frozen_pb_runs_in_tensorflow(run_seed, tf, expected, tmp_path):
    """A graph frozen by ortflow and written with FastGFile loads and runs in TensorFlow."""
    import ortflow

    with ortflow.Graph().as_default():
        w = ortflow.Variable(np.array([[0.1, 0.2], [0.3, -0.4], [-0.5, 0.6]], np.float32), name="w")
        b = ortflow.Variable([0.25, -0.25], name="b")
        x = ortflow.placeholder(ortflow.float32, [None, 3], name="input")
        ortflow.nn.softmax(ortflow.matmul(x, w) + b, name="output")
        with ortflow.Session() as sess:
            sess.run(ortflow.global_variables_initializer())
            frozen = ortflow.graph_util.convert_variables_to_constants(sess, sess.graph_def,
                                                                      ["output"])
    path = tmp_path / "frozen.pb"
    with ortflow.gfile.FastGFile(str(path), "wb") as f:
        f.write(frozen.SerializeToString())
    graph_def = tf.GraphDef()
    graph_def.ParseFromString(path.read_bytes())
    with tf.Graph().as_default() as g:
        tf.import_graph_def(graph_def, name="")
        assert not [op.name for op in g.get_operations() if op.type.startswith("Variable")]
        with tf.Session(graph=g) as sess:
            y = sess.run("output:0", {"input:0": np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]],
                                                           np.float32)})
    # saver_ckpt's graph before any update has b = [0.25, -0.25]: freeze_pb's `y`.
    np.testing.assert_allclose(y, expected["freeze_pb"]["y"], rtol=1e-5)
