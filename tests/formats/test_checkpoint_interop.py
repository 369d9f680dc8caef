"""Interop: checkpoints written by ortflow restore bit-exactly in TensorFlow itself.

Run with `.venv-tf/bin/python -m pytest -m interop tests/formats/test_checkpoint_interop.py`.
"""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from ortflow.formats import checkpoint_management as cm
from ortflow.formats.bundle import BundleWriter, write_bundle

pytestmark = pytest.mark.interop

from checkpoint_samples import ALL_DTYPES

# TensorFlow hands string tensors back as object arrays; the samples' bare bytes scalar too.
VALUES = {k: np.array(v, dtype=object) if isinstance(v, bytes) else v for k, v in ALL_DTYPES.items()}


def _bits(x):
    x = np.asarray(x)
    if x.dtype == object:
        return x.shape, [bytes(v) for v in x.reshape(-1).tolist()]
    return x.shape, x.dtype.itemsize, x.tobytes()


def _check(got, want, name):
    got = np.asarray(got)
    if want.dtype == object:
        assert got.shape == want.shape, name
        assert [bytes(v) for v in got.reshape(-1).tolist()] == want.reshape(-1).tolist(), name
    else:
        assert got.shape == want.shape, name
        assert got.dtype.itemsize == want.dtype.itemsize, name
        assert got.tobytes() == np.ascontiguousarray(want).tobytes(), name


@pytest.mark.parametrize("num_shards", [1, 3])
def test_load_checkpoint_reads_every_dtype(tf, tmp_path, num_shards):
    prefix = str(tmp_path / "all")
    write_bundle(prefix, VALUES, num_shards=num_shards)
    reader = tf.train.load_checkpoint(prefix)
    assert sorted(reader.get_variable_to_shape_map()) == sorted(VALUES)
    for name, want in VALUES.items():
        _check(reader.get_tensor(name), np.asarray(want), name)


def _restore_with_saver(tf, prefix, values, use_resource):
    graph = tf.Graph()
    with graph.as_default():
        variables = {}
        for name, want in values.items():
            want = np.asarray(want)
            dtype = tf.string if want.dtype == object else tf.as_dtype(want.dtype)
            init = np.zeros(want.shape, dtype=object if want.dtype == object else want.dtype)
            if want.dtype == object:
                init[...] = b""
            variables[name] = tf.Variable(tf.constant(init, dtype=dtype), name=name.replace("/", "_"),
                                          use_resource=use_resource)
        saver = tf.train.Saver(var_list=variables)
        with tf.Session(graph=graph) as sess:
            saver.restore(sess, prefix)
            return sess.run(variables)


@pytest.mark.parametrize("use_resource", [False, True])
def test_saver_restore_into_variables_of_every_dtype(tf, tmp_path, use_resource):
    prefix = str(tmp_path / "all")
    write_bundle(prefix, VALUES)
    got = _restore_with_saver(tf, prefix, VALUES, use_resource)
    for name, want in VALUES.items():
        _check(got[name], np.asarray(want), name)


def test_sharded_write_restores(tf, tmp_path):
    prefix = str(tmp_path / "sharded")
    values = {f"v{i}": np.full((i + 1, 3), i, np.float32) for i in range(7)}
    write_bundle(prefix, values, num_shards=4)
    got = _restore_with_saver(tf, prefix, values, use_resource=True)
    for name, want in values.items():
        _check(got[name], want, name)


def test_partitioned_write_reads_back_whole(tf, tmp_path):
    prefix = str(tmp_path / "part")
    full = np.arange(30, dtype=np.float32).reshape(10, 3)
    with BundleWriter(prefix, num_shards=2) as writer:
        writer.add_slice("emb", full.shape, "0,4:0,3", full[:4], shard=0)
        writer.add_slice("emb", full.shape, "4,6:0,3", full[4:], shard=1)
    reader = tf.train.load_checkpoint(prefix)
    assert reader.get_variable_to_shape_map() == {"emb": [10, 3]}
    _check(reader.get_tensor("emb"), full, "emb")


def test_partitioned_variable_restores_with_saver(tf, tmp_path):
    prefix = str(tmp_path / "part")
    full = np.arange(30, dtype=np.float32).reshape(10, 3)
    with BundleWriter(prefix) as writer:
        writer.add_slice("emb", full.shape, "0,5:0,3", full[:5])
        writer.add_slice("emb", full.shape, "5,5:0,3", full[5:])
    graph = tf.Graph()
    with graph.as_default():
        emb = tf.get_variable("emb", shape=[10, 3], dtype=tf.float32, initializer=tf.zeros_initializer(),
                              partitioner=tf.fixed_size_partitioner(2))
        saver = tf.train.Saver()
        with tf.Session(graph=graph) as sess:
            saver.restore(sess, prefix)
            _check(sess.run(tf.convert_to_tensor(emb)), full, "emb")


def test_state_file_read_by_tensorflow(tf, tmp_path):
    keeper = cm.CheckpointKeeper(max_to_keep=2)
    for step in (10, 20, 30):
        prefix = cm.checkpoint_prefix(str(tmp_path / "model.ckpt"), step)
        write_bundle(prefix, {"v": np.float32(step)})
        keeper.record(prefix)
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "model.ckpt-30")
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert list(state.all_model_checkpoint_paths) == [str(tmp_path / "model.ckpt-20"),
                                                      str(tmp_path / "model.ckpt-30")]
    assert len(state.all_model_checkpoint_timestamps) == 2


def test_tensorflow_saver_output_reads_and_rewrites_byte_identical(tf, tmp_path):
    from ortflow.formats.bundle import BundleReader

    graph = tf.Graph()
    with graph.as_default():
        variables = {}
        for name, want in VALUES.items():
            want = np.asarray(want)
            dtype = tf.string if want.dtype == object else tf.as_dtype(want.dtype)
            variables[name] = tf.Variable(tf.constant(want, dtype=dtype), name=name.replace("/", "_"))
        saver = tf.train.Saver(var_list=variables)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            tf_prefix = saver.save(sess, str(tmp_path / "tf" / "model.ckpt"), global_step=5, write_meta_graph=False)
    assert tf_prefix.endswith("model.ckpt-5")
    with BundleReader(tf_prefix) as reader:
        tensors = {n: reader.get_tensor(n) for n in reader.tensor_names()}
    for name, want in VALUES.items():
        _check(tensors[name], np.asarray(want), name)
    write_bundle(str(tmp_path / "ours"), tensors)
    for suffix in (".index", ".data-00000-of-00001"):
        assert (tmp_path / ("ours" + suffix)).read_bytes() == pathlib.Path(tf_prefix + suffix).read_bytes(), suffix
