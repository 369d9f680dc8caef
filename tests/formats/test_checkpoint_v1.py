"""V1 ("tensor slice") checkpoints written by TensorFlow 2.21: read, restore, freeze, inspect.

tests/data/checkpoint_v1 holds one graph's variables saved with `SaverDef.V1`, as one table
file and as two shards (see its generate.py); `expected.npz` is TensorFlow's values.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from ortflow.errors import FormatError, NotFoundError
from ortflow.formats.checkpoint_v1 import TensorSliceReader, is_v1_checkpoint, open_checkpoint
from ortflow.formats.table import read_table, write_table

KINDS = {"single": "model.ckpt", "sharded": "model.ckpt-?????-of-00002"}


@pytest.fixture(scope="module")
def expected(data_dir):
    return dict(np.load(data_dir / "checkpoint_v1" / "expected.npz"))


def _same(got, want):
    if want.dtype.kind == "S":
        got = np.asarray(got, dtype=want.dtype)
    np.testing.assert_array_equal(got, want)
    assert got.shape == want.shape


@pytest.mark.parametrize("kind", KINDS)
def test_reader_gives_tensorflows_values(data_dir, expected, kind):
    prefix = str(data_dir / "checkpoint_v1" / kind / KINDS[kind])
    assert is_v1_checkpoint(prefix)
    with open_checkpoint(prefix) as reader:
        assert isinstance(reader, TensorSliceReader)
        assert reader.num_shards == (2 if kind == "sharded" else 1)
        assert reader.tensor_names() == sorted(expected)
        for name, want in expected.items():
            _same(reader.get_tensor(name), want)
            assert reader.shape(name) == want.shape
        assert reader.get_slice_keys() == {"part/p": ["0,4:0,4", "4,3:0,4", "7,3:0,4"]}
        np.testing.assert_array_equal(reader.get_tensor_slice("part/p", "4,3:-"), expected["part/p"][4:7])
        np.testing.assert_array_equal(reader.get_tensor_slice("part/p", [(1, 2), (0, 4)]), expected["part/p"][1:3])


def test_sharded_prefix_without_glob_finds_the_shards(data_dir, expected):
    with open_checkpoint(str(data_dir / "checkpoint_v1" / "sharded" / "model.ckpt")) as reader:
        assert reader.num_shards == 2
        _same(reader.get_tensor("a"), expected["a"])


@pytest.mark.parametrize("kind", KINDS)
def test_saver_restores_into_the_imported_graph(data_dir, expected, kind):
    import ortflow as tf

    folder = data_dir / "checkpoint_v1" / kind
    graph = tf.Graph()
    with graph.as_default():
        saver = tf.train.import_meta_graph(str(folder / "model.ckpt.meta"))
        with tf.Session(graph=graph) as sess:
            saver.restore(sess, tf.train.latest_checkpoint(str(folder)))
            got = sess.run({n: f"{n}:0" for n in ("a", "scope/b", "s", "h", "mask")})
            parts = sess.run([f"part/p/part_{i}:0" for i in range(3)])
    for name, value in got.items():
        _same(value, expected[name])
    np.testing.assert_array_equal(np.concatenate(parts), expected["part/p"])


def test_cli_inspect_freeze_and_export(data_dir, expected, cli, tmp_path):
    folder = data_dir / "checkpoint_v1" / "single"
    doc = json.loads(cli("inspect", folder / "model.ckpt", "--json", check=True).stdout)
    assert {t["name"] for t in doc["tensors"]} == set(expected)
    cli("freeze", folder / "model.ckpt.meta", "--outputs", "a,mask", "-o", tmp_path / "f.pb", check=True)
    from ortflow.formats.graphs import read_graph
    nodes = {n.name: n for n in read_graph(str(tmp_path / "f.pb")).node}
    assert nodes["a"].op == "Const" and nodes["mask"].op == "Const"
    cli("ckpt", "export", folder / "model.ckpt", "-o", tmp_path / "all.npz", check=True)
    assert set(expected) <= set(np.load(tmp_path / "all.npz").files)


def test_a_meta_file_is_not_taken_for_a_v1_checkpoint(data_dir):
    assert not is_v1_checkpoint(str(data_dir / "checkpoint_v1" / "single" / "model.ckpt.meta"))


def test_truncated_file_is_one_clear_error(data_dir, tmp_path):
    source = data_dir / "checkpoint_v1" / "single" / "model.ckpt"
    broken = tmp_path / "model.ckpt"
    broken.write_bytes(source.read_bytes()[:-10])
    with pytest.raises(NotFoundError):  # no table footer: not a checkpoint at all
        open_checkpoint(str(broken))
    data = bytearray(source.read_bytes())
    data[20] ^= 0xFF  # inside the first block: its checksum fails
    broken.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="model.ckpt"):
        with open_checkpoint(str(broken)) as reader:
            [reader.get_tensor(n) for n in reader.tensor_names()]


def _rewrite(source, target, edit):
    """A copy of V1 table `source` whose entries pass through `edit(key, value) -> (key, value) | None`."""
    entries = [kv for kv in (edit(k, v) for k, v in read_table(str(source))) if kv is not None]
    with open(target, "wb") as f:
        write_table(f, entries)


def test_missing_slice_and_forged_shape_are_clear_errors(data_dir, tmp_path):
    from ortflow.proto.checkpoint_pb2 import SavedTensorSlices

    source = data_dir / "checkpoint_v1" / "single" / "model.ckpt"
    missing = tmp_path / "missing.ckpt"
    _rewrite(source, missing, lambda k, v: None if k.startswith(b"\x00a\x00") else (k, v))
    with TensorSliceReader(str(missing)) as reader, pytest.raises(FormatError, match="'a'.*missing"):
        reader.get_tensor("a")

    def forge(key, value):
        if key:
            return key, value
        meta = SavedTensorSlices.FromString(value)
        for tensor in meta.meta.tensor:
            if tensor.name == "a":
                tensor.shape.dim[0].size = 1 << 40  # would be a 12 TiB array
        return key, meta.SerializeToString()

    forged = tmp_path / "forged.ckpt"
    _rewrite(source, forged, forge)
    with TensorSliceReader(str(forged)) as reader, pytest.raises(FormatError, match="'a'"):
        reader.get_tensor("a")


def test_not_found_names_the_prefix(tmp_path):
    with pytest.raises(NotFoundError, match="nothing"):
        open_checkpoint(str(tmp_path / "nothing"))
    shutil.rmtree(tmp_path)


def test_init_from_checkpoint_reads_a_v1_checkpoint(data_dir, expected):
    """init_from_checkpoint's RestoreV2 initializers read V1 files too (as TF's RestoreV2 does)."""
    import ortflow as tf

    prefix = str(data_dir / "checkpoint_v1" / "single" / "model.ckpt")
    with tf.Graph().as_default():
        target = tf.get_variable("new_a", shape=[2, 3], initializer=tf.zeros_initializer())
        tf.train.init_from_checkpoint(prefix, {"a": "new_a"})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(target), expected["a"])
