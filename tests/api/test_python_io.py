"""TFRecord files (`tf.python_io`, `tf.io`) and tf.train.Example, written and read back.

The interop case checks that TensorFlow reads what ortflow writes and the other way round, for
every compression kind.
"""

from __future__ import annotations

import gzip
import os

import numpy as np
import ortflow as tf
import pytest


def _example(i: int):
    return tf.train.Example(features=tf.train.Features(feature={
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[i])),
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=[i / 2, -1.5])),
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[f"r{i}".encode()])),
    }))


@pytest.mark.parametrize("compression", [None, "ZLIB", "GZIP"])
def test_records_round_trip(tmp_path, compression):
    path = tmp_path / "data.tfrecord"
    options = tf.python_io.TFRecordOptions(compression) if compression else None
    with tf.python_io.TFRecordWriter(str(path), options) as w:
        for i in range(5):
            w.write(_example(i).SerializeToString())
        w.write(b"")  # an empty record is a record
    records = list(tf.python_io.tf_record_iterator(str(path), options))
    assert len(records) == 6 and records[-1] == b""
    back = tf.train.Example.FromString(records[3])
    assert list(back.features.feature["label"].int64_list.value) == [3]
    np.testing.assert_allclose(back.features.feature["x"].float_list.value, [1.5, -1.5])
    if compression == "GZIP":
        assert gzip.decompress(path.read_bytes())[:8] != b""


def test_the_target_appears_only_on_close(tmp_path):
    path = tmp_path / "out.tfrecord"
    path.write_bytes(b"old")
    w = tf.io.TFRecordWriter(str(path))
    w.write(b"record")
    w.flush()
    assert path.read_bytes() == b"old"
    w.close()
    assert list(tf.io.tf_record_iterator(str(path))) == [b"record"]
    assert [p.name for p in tmp_path.iterdir()] == ["out.tfrecord"]  # no temporary left


def test_an_error_inside_the_with_block_keeps_the_old_file(tmp_path):
    path = tmp_path / "out.tfrecord"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with tf.python_io.TFRecordWriter(str(path)) as w:
            w.write(b"half")
            raise RuntimeError("crash")
    assert path.read_bytes() == b"old" and len(os.listdir(tmp_path)) == 1


def test_corrupt_and_missing_files_raise_tf_errors(tmp_path):
    path = tmp_path / "bad.tfrecord"
    with tf.python_io.TFRecordWriter(str(path)) as w:
        w.write(b"payload")
    data = bytearray(path.read_bytes())
    data[14] ^= 0xFF  # inside the payload: its checksum no longer matches
    path.write_bytes(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match="bad.tfrecord"):
        list(tf.python_io.tf_record_iterator(str(path)))
    with pytest.raises(tf.errors.NotFoundError, match="missing"):
        list(tf.python_io.tf_record_iterator(str(tmp_path / "missing")))
    path.write_bytes(b"not gzip")
    with pytest.raises(tf.errors.DataLossError, match="GZIP stream is corrupt"):
        list(tf.python_io.tf_record_iterator(str(path), "GZIP"))


def test_unknown_compression_is_refused():
    with pytest.raises(ValueError, match="compression"):
        tf.python_io.TFRecordOptions("LZ4")


def test_top_level_diag_is_the_tensor_diag_op():
    with tf.Graph().as_default():
        d = tf.diag(tf.constant([1.0, 2.0]))
        assert d.op.type == "Diag"
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(d), np.diag([1.0, 2.0]))


@pytest.mark.interop
@pytest.mark.parametrize("compression", ["", "ZLIB", "GZIP"])
def test_tensorflow_reads_our_records_and_we_read_theirs(tf, tmp_path, compression):
    import ortflow

    ours, theirs = tmp_path / "ours.tfrecord", tmp_path / "theirs.tfrecord"
    with ortflow.python_io.TFRecordWriter(str(ours), compression) as w:
        for i in range(3):
            w.write(_example(i).SerializeToString())
    got = list(tf.compat.v1.io.tf_record_iterator(str(ours), compression))
    parsed = [tf.train.Example.FromString(r) for r in got]
    assert [list(p.features.feature["label"].int64_list.value) for p in parsed] == [[0], [1], [2]]
    with tf.io.TFRecordWriter(str(theirs), compression) as w:
        for r in got:
            w.write(r)
    assert list(ortflow.python_io.tf_record_iterator(str(theirs), compression)) == got
