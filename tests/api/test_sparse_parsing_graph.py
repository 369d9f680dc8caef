"""A GraphDef TensorFlow wrote with sparse placeholders, sparse ops, Example parsing, CSV decoding
and string splits, imported into ortflow and run: the results equal TensorFlow's.

The files come from `tests/data/sparse_parsing/make.py` (TensorFlow 2.21, disable_v2_behavior).
"""

from __future__ import annotations

import json

import numpy as np
import ortflow as tf
import pytest


@pytest.fixture(scope="module")
def case(data_dir):
    folder = data_dir / "sparse_parsing"
    manifest = json.loads((folder / "manifest.json").read_text())
    inputs = np.load(folder / "inputs.npz")
    expected = np.load(folder / "expected.npz")
    feeds = {name: inputs[key] for key, name in manifest["inputs"].items()}
    want = {manifest["labels"][key]: (name, expected[key]) for key, name in manifest["outputs"].items()}
    return tf.io.read_graph(folder / "graph.pb"), feeds, want


def _same(label, got, want):
    got = np.asarray(got)
    if want.dtype.kind == "S":  # stored as fixed-width bytes; ortflow returns object arrays of bytes
        assert got.tolist() == want.tolist(), label
        return
    assert got.shape == want.shape and got.dtype == want.dtype, (label, got.shape, got.dtype, want.dtype)
    np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=label)


def test_tensorflow_written_graph_runs_in_ortflow(case):
    graph_def, feeds, want = case
    ops = {n.op for n in graph_def.node}
    assert {"SparseToDense", "SparseReduceSum", "SparseTensorDenseMatMul", "SparseAdd", "SparseFillEmptyRows",
            "SparseReorder", "SparseSegmentSqrtN", "SparseSegmentMean", "ParseExampleV2", "DecodeCSV",
            "StringSplit", "StringSplitV2"} <= ops
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(graph_def, name="")
        with tf.Session(graph=g) as sess:
            labels = sorted(want)
            got = sess.run([want[k][0] for k in labels], feeds)
    for label, value in zip(labels, got):
        _same(label, value, want[label][1])


def test_each_output_alone(case):
    # One fetch per run: each signature is planned, lowered and placed on its own.
    graph_def, feeds, want = case
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(graph_def, name="")
        with tf.Session(graph=g) as sess:
            for label, (name, value) in sorted(want.items()):
                _same(label, sess.run(name, feeds), value)
