"""`Saver(sharded=True)`: one data shard per variable device, in TensorFlow's order and graph shape."""

from __future__ import annotations

import os

import numpy as np
import ortflow
import pytest
from ortflow.formats.bundle import BundleReader
from ortflow.graph import Graph
from ortflow.graph.meta_graph import import_meta_graph


def _shard_ids(prefix: str) -> dict:
    with BundleReader(prefix) as reader:
        return {name: reader.entry(name).shard_id for name in reader.tensor_names()}


def _three_device_graph(tf):
    with tf.device("/cpu:0"):
        tf.Variable([1.0, 2.0], name="a")
        tf.Variable(7.0, name="a2")
    with tf.device("/device:CPU:1"):
        tf.Variable([[3, 4]], name="b")
    tf.Variable(5.0, name="c")


def test_sharded_saver_writes_one_shard_per_device_sorted_by_device(tmp_path):
    with ortflow.Graph().as_default() as g:
        _three_device_graph(ortflow)
        saver = ortflow.train.Saver(sharded=True)
        assert saver.as_saver_def().sharded
        with ortflow.Session() as sess:
            sess.run(ortflow.global_variables_initializer())
            prefix = saver.save(sess, str(tmp_path / "model"), global_step=3)
    assert sorted(os.listdir(tmp_path)) == [
        "checkpoint", "model-3.data-00000-of-00003", "model-3.data-00001-of-00003",
        "model-3.data-00002-of-00003", "model-3.index", "model-3.meta"]
    # "" < "/device:CPU:0" < "/device:CPU:1", as TensorFlow 2.21 assigns them.
    assert _shard_ids(prefix) == {"a": 1, "a2": 1, "b": 2, "c": 0}
    # The graph has TF's per-shard nodes and SaverDef names.
    sd = saver.as_saver_def()
    assert (sd.filename_tensor_name, sd.save_tensor_name, sd.restore_op_name) == (
        "save/Const:0", "save/Identity:0", "save/restore_all")
    names = {op.name: op for op in g.get_operations()}
    assert names["save/SaveV2_2"].inputs[0].op.name == "save/ShardedFilename_2"
    assert [t.name for t in names["save/SaveV2_1"].inputs[3:]] == ["a:0", "a2:0"]
    assert names["save/MergeV2Checkpoints"].type == "MergeV2Checkpoints"
    assert names["save/restore_shard_2"].device == "/device:CPU:1"
    assert names["save/Assign_3"].inputs[0].op.name == "b"

    with ortflow.Graph().as_default():
        _three_device_graph(ortflow)
        restorer = ortflow.train.Saver(sharded=True)
        with ortflow.Session() as sess:
            restorer.restore(sess, prefix)
            np.testing.assert_array_equal(sess.run("b:0"), [[3, 4]])
            assert sess.run("c:0") == 5.0
            np.testing.assert_array_equal(sess.run("a:0"), [1.0, 2.0])


def test_shard_order_matches_a_tensorflow_written_sharded_checkpoint(data_dir, tmp_path):
    """Re-saving TF's sharded checkpoint through its own SaverDef puts each key in TF's shard."""
    from ortflow.graph.saver import _group_by_device

    tf_prefix = str(data_dir / "ckpt_sharded/ckpt/sharded")
    g = Graph()
    with g.as_default():
        saver = import_meta_graph(tf_prefix + ".meta")
    assert saver.saver_def.sharded
    groups = _group_by_device(g, saver._saver_entries())
    with BundleReader(tf_prefix) as reader:
        want = {name: reader.entry(name).shard_id for name in reader.tensor_names()}
        for shard, (_, entries) in enumerate(groups):
            for e in entries:
                if e.slice_spec:
                    assert reader._slice_entry(e.key, reader_slice(e.slice_spec)).shard_id == shard
                else:
                    assert want[e.key] == shard


def reader_slice(spec: str):
    from ortflow.formats.bundle import parse_slice_spec

    return parse_slice_spec(spec.split()[-1])


@pytest.mark.interop
def test_ortflow_sharded_meta_restores_and_saves_in_tensorflow(tmp_path, tf):
    """TF imports ortflow's sharded .meta, restores its checkpoint, and saves through its nodes."""
    with ortflow.Graph().as_default():
        _three_device_graph(ortflow)
        saver = ortflow.train.Saver(sharded=True)
        with ortflow.Session() as sess:
            sess.run(ortflow.global_variables_initializer())
            prefix = saver.save(sess, str(tmp_path / "ours" / "model"))
    config = tf.ConfigProto(allow_soft_placement=True, device_count={"CPU": 3})
    with tf.Graph().as_default() as g:
        tf_saver = tf.train.import_meta_graph(prefix + ".meta")
        assert tf_saver.as_saver_def().sharded
        with tf.Session(graph=g, config=config) as sess:
            tf_saver.restore(sess, prefix)
            np.testing.assert_array_equal(sess.run("b:0"), [[3, 4]])
            np.testing.assert_array_equal(sess.run("a:0"), [1.0, 2.0])
            assert sess.run("c:0") == 5.0
            (tmp_path / "tf").mkdir()
            again = tf_saver.save(sess, str(tmp_path / "tf" / "model"), write_meta_graph=False)
    assert _shard_ids(again) == _shard_ids(prefix)
