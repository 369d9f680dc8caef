"""Sorted segment ops (SegmentSum/Mean/Max/Min/Prod) on an empty input give an empty result at
every opset path (the count of segments is max(ids) + 1, which must be 0 for no ids, not the
lowest int64 + 1 that ReduceMax of nothing gives)."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import ortflow as tf
import pytest

OPS = ["segment_sum", "segment_mean", "segment_max", "segment_min", "segment_prod"]


@pytest.mark.parametrize("opset", [13, 16, 18])
def test_sorted_segments_of_nothing_and_of_rows(opset):
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        ids = tf.placeholder(tf.int32, [None], name="ids")
        outs = [getattr(tf.math, op)(x, ids, name=op) for op in OPS]
    model = tf.convert(g.as_graph_def(), inputs=["x:0", "ids:0"], outputs=[o.name for o in outs], opset=opset)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    empty = sess.run(None, {"x:0": np.zeros((0, 3), np.float32), "ids:0": np.zeros(0, np.int32)})
    assert [e.shape for e in empty] == [(0, 3)] * len(OPS)
    data = np.arange(9, dtype=np.float32).reshape(3, 3)
    got = sess.run(None, {"x:0": data, "ids:0": np.array([0, 0, 2], np.int32)})
    expected = {  # TF: an empty segment is 0 (1 for a product)
        "segment_sum": [[3, 5, 7], [0, 0, 0], [6, 7, 8]], "segment_mean": [[1.5, 2.5, 3.5], [0, 0, 0], [6, 7, 8]],
        "segment_max": [[3, 4, 5], [0, 0, 0], [6, 7, 8]], "segment_min": [[0, 1, 2], [0, 0, 0], [6, 7, 8]],
        "segment_prod": [[0, 4, 10], [1, 1, 1], [6, 7, 8]]}
    for op, value in zip(OPS, got):
        np.testing.assert_array_equal(value, np.array(expected[op], np.float32), err_msg=op)
