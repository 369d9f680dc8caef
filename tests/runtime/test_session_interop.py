"""The same graph, the same run sequence, in TensorFlow's Session and in ortflow's: same results.

The graph is built by TensorFlow itself (tf.compat.v1: reference and resource variables,
initializers, assign/assign_add/assign_sub, a read ordered after an assign by a control
dependency, an intermediate feed), exported as a GraphDef and imported into ortflow.
"""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.interop


def _build(tf):
    """The graph and the actual names of what SCRIPT calls by a short name."""
    graph = tf.Graph()
    names = {}
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="w", use_resource=False)
        v = tf.Variable(np.float32(0.5), name="v", use_resource=True)
        h = tf.matmul(x, w, name="h")
        tf.add(h * v, 1.0, name="y")
        names["inc_w:0"] = tf.assign_add(w, tf.ones((3, 2)), name="inc_w").name
        names["dec_v"] = v.assign_sub(0.25, name="dec_v", read_value=False).name
        with tf.control_dependencies([tf.assign(w, w * 2.0, name="double_w")]):
            tf.identity(w, name="after_double")
        with tf.control_dependencies([v.assign_add(1.0, name="inc_v", read_value=False)]):
            tf.identity(v.read_value(), name="after_inc_v")
        names["init"] = tf.global_variables_initializer().name
        names["report:0"] = names["tf_report:0"] = tf.report_uninitialized_variables().name
        names["w:0"] = w.name
    return graph, names


# (fetches, feeds): run in order, each compared. "report:0" is ortflow's
# report_uninitialized_variables() on our side; "tf_report:0" is TF's own op graph on both.
SCRIPT = [
    (["report:0", "tf_report:0"], {}),
    (["init"], {}),
    (["report:0", "tf_report:0"], {}),
    (["y:0"], {"x:0": [[1, 2, 3]]}),
    (["inc_w:0"], {}),
    (["dec_v"], {}),
    (["y:0", "h:0"], {"x:0": [[1, 0, 0], [0, 1, 1]]}),
    (["y:0"], {"h:0": [[10, 20]]}),
    (["after_double:0"], {}),
    (["after_inc_v:0"], {}),
    (["w:0", "h:0"], {"x:0": [[1, 1, 1]]}),
]


def test_run_sequence_matches_tensorflow(tf):
    from ortflow.graph import Graph
    from ortflow.graph.importer import import_graph_def
    from ortflow.proto import GraphDef
    from ortflow.runtime import Session, report_uninitialized_variables

    tf_graph, names = _build(tf)
    graph_def = GraphDef.FromString(tf_graph.as_graph_def().SerializeToString())
    ours_graph = Graph()
    with ours_graph.as_default():
        import_graph_def(graph_def, name="")
    report = report_uninitialized_variables()
    with tf.Session(graph=tf_graph) as theirs, Session(graph=ours_graph, providers="cpu") as ours:
        for fetches, feeds in SCRIPT:
            actual = [names.get(f, f) for f in fetches]
            want = theirs.run(actual, feeds)
            ours_fetches = [report if f == "report:0" else a for f, a in zip(fetches, actual)]
            got = ours.run(ours_fetches, feeds)
            for name, a, b in zip(fetches, got, want):
                if name in ("report:0", "tf_report:0"):
                    assert sorted(a) == sorted(b), name
                elif b is None:
                    assert a is None, name
                else:
                    np.testing.assert_allclose(a, b, rtol=1e-6, err_msg=f"{fetches} {feeds}")
