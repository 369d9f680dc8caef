"""tf.parse_single_sequence_example (ParseSequenceExampleV2 on ortflow's numpy kernel)."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest
from ortflow.proto import SequenceExample


def _record(steps: list[list[float]], tags: list[list[bytes]] | None = None) -> bytes:
    ex = SequenceExample()
    ex.context.feature["user"].bytes_list.value.append(b"u1")
    ex.context.feature["ids"].int64_list.value.extend([3, 4, 5])
    for values in steps:
        ex.feature_lists.feature_list["frames"].feature.add().float_list.value.extend(values)
    for values in tags or []:
        ex.feature_lists.feature_list["tags"].feature.add().bytes_list.value.extend(values)
    return ex.SerializeToString()


def _parse(record: bytes, allow_missing: bool = True):
    with tf.Graph().as_default():
        ctx, seq = tf.io.parse_single_sequence_example(
            tf.constant(record),
            context_features={"user": tf.FixedLenFeature([], tf.string),
                              "ids": tf.VarLenFeature(tf.int64),
                              "score": tf.FixedLenFeature([2], tf.float32, default_value=[0.5, 1.5])},
            sequence_features={"frames": tf.FixedLenSequenceFeature([2], tf.float32, allow_missing=allow_missing),
                               "tags": tf.VarLenFeature(tf.string)})
        assert seq["frames"].get_shape().as_list() == [None, 2]
        assert ctx["score"].get_shape().as_list() == [2]
        with tf.Session() as sess:
            return sess.run([ctx, seq])


def test_context_and_feature_lists():
    ctx, seq = _parse(_record([[1, 2], [3, 4], [5, 6]], [[b"a"], [], [b"b", b"c"]]))
    assert ctx["user"] == b"u1"
    assert ctx["ids"].values.tolist() == [3, 4, 5] and ctx["ids"].indices.tolist() == [[0], [1], [2]]
    np.testing.assert_array_equal(ctx["score"], np.array([0.5, 1.5], np.float32))
    np.testing.assert_array_equal(seq["frames"], np.array([[1, 2], [3, 4], [5, 6]], np.float32))
    tags = seq["tags"]
    assert tags.indices.tolist() == [[0, 0], [2, 0], [2, 1]]
    assert tags.values.tolist() == [b"a", b"b", b"c"] and tags.dense_shape.tolist() == [3, 2]


def test_a_missing_feature_list_is_empty_only_when_allowed():
    _, seq = _parse(_record([]))
    assert seq["frames"].shape == (0, 2) and seq["tags"].dense_shape.tolist() == [0, 0]
    with pytest.raises(tf.errors.OpError, match="frames"):
        _parse(_record([]), allow_missing=False)


def test_a_step_of_the_wrong_size_is_an_error():
    with pytest.raises(tf.errors.OpError, match="frames"):
        _parse(_record([[1, 2, 3]]))


def test_a_batch_pads_dense_feature_lists_and_reports_their_lengths():
    records = [_record([[1, 2], [3, 4]], [[b"a"]]), _record([], [[], [b"b", b"c"], [b"d"]])]
    with tf.Graph().as_default():
        serialized = tf.placeholder(tf.string, [None])
        ctx, seq, lengths = tf.io.parse_sequence_example(
            serialized, context_features={"ids": tf.VarLenFeature(tf.int64)},
            sequence_features={"frames": tf.FixedLenSequenceFeature([2], tf.float32, allow_missing=True),
                               "tags": tf.VarLenFeature(tf.string)})
        assert seq["frames"].get_shape().as_list() == [None, None, 2]
        assert seq["tags"].indices.get_shape().as_list() == [None, 3]
        assert sorted(lengths) == ["frames"]
        with tf.Session() as sess:
            c, s, n = sess.run([ctx, seq, lengths], {serialized: records})
    assert c["ids"].indices.tolist() == [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]
    np.testing.assert_array_equal(s["frames"], np.array([[[1, 2], [3, 4]], [[0, 0], [0, 0]]], np.float32))
    assert n["frames"].tolist() == [2, 0]
    tags = s["tags"]
    assert tags.indices.tolist() == [[0, 0, 0], [1, 1, 0], [1, 1, 1], [1, 2, 0]]
    assert tags.values.tolist() == [b"a", b"b", b"c", b"d"] and tags.dense_shape.tolist() == [2, 3, 2]
