"""Tests of the `checkpoint` state file, Saver bookkeeping (retention, naming) and crash safety."""

from __future__ import annotations

import os
import pathlib
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from ortflow.api import train_checkpoint as train
from ortflow.errors import FormatError, NotFoundError
from ortflow.formats import checkpoint_management as cm
from ortflow.formats import state
from ortflow.formats.bundle import BundleReader, write_bundle


def _save(prefix, value=1.0):
    write_bundle(prefix, {"v": np.full(3, value, np.float32)})


# ------------------------------------------------------------------ the state file


def test_format_matches_tensorflow_text():
    st = state.make_checkpoint_state("/d", "/d/ckpt-3", ["/d/ckpt-2"], [1795410623.6113672, 1795410623.6182396],
                                     1795410622.53004)
    assert state.format_checkpoint_state(st) == (
        'model_checkpoint_path: "ckpt-3"\n'
        'all_model_checkpoint_paths: "ckpt-2"\n'
        'all_model_checkpoint_paths: "ckpt-3"\n'
        "all_model_checkpoint_timestamps: 1795410623.6113672\n"
        "all_model_checkpoint_timestamps: 1795410623.6182396\n"
        "last_preserved_timestamp: 1795410622.53004\n")


def test_absolute_paths_kept_when_asked():
    st = state.make_checkpoint_state("/d", "/d/m-2", ["/d/m-1", "/d/m-2"], save_relative_paths=False)
    assert list(st.all_model_checkpoint_paths) == ["/d/m-1", "/d/m-2"]


def test_round_trip_and_relative_resolution(tmp_path):
    path = state.write_checkpoint_state(tmp_path, str(tmp_path / "m-2"), [str(tmp_path / "m-1")])
    assert pathlib.Path(path).read_text().startswith('model_checkpoint_path: "m-2"\n')
    st = state.read_checkpoint_state(tmp_path)
    assert st.model_checkpoint_path == str(tmp_path / "m-2")
    assert list(st.all_model_checkpoint_paths) == [str(tmp_path / "m-1"), str(tmp_path / "m-2")]
    raw = state.read_checkpoint_state(tmp_path, resolve=False)
    assert raw.model_checkpoint_path == "m-2"
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint"]  # no temporary left behind


def test_escapes_survive(tmp_path):
    name = str(tmp_path / 'we"ird\\name\u00e9')
    state.write_checkpoint_state(tmp_path, name)
    assert state.read_checkpoint_state(tmp_path).model_checkpoint_path == name


def test_missing_state_is_none(tmp_path):
    assert state.read_checkpoint_state(tmp_path) is None
    assert train.get_checkpoint_state(tmp_path) is None
    assert train.latest_checkpoint(tmp_path) is None


@pytest.mark.parametrize("text", ["model_checkpoint_path: 3 4", "garbage {", "all_model_checkpoint_paths: \"a\"\n",
                                  b"\xff\xfe"])
def test_bad_state_file(tmp_path, text):
    (tmp_path / "checkpoint").write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(FormatError, match=r"checkpoint"):
        state.read_checkpoint_state(tmp_path)
    with pytest.warns(cm.CheckpointPathWarning):  # TensorFlow's behaviour: None plus a warning
        assert train.get_checkpoint_state(tmp_path) is None
    with pytest.raises(FormatError, match=str(tmp_path / "checkpoint")):
        train.load_checkpoint(tmp_path)


def test_state_naming_nothing_that_exists(tmp_path):
    state.write_checkpoint_state(tmp_path, str(tmp_path / "gone"))
    assert train.latest_checkpoint(tmp_path) is None
    with pytest.raises(NotFoundError, match=r"checkpoint: names checkpoint .*gone.*does not exist"):
        train.load_checkpoint(tmp_path)


def test_latest_filename_must_be_a_name(tmp_path):
    with pytest.raises(ValueError):
        state.state_path(tmp_path, "a/b")


# ------------------------------------------------------------------ latest_checkpoint and resolution


def test_copied_directory_with_absolute_paths_falls_back(tmp_path, data_dir):
    # the mlp fixture's state file names /data/experiments/..., a path of the machine that made it
    shutil.copytree(data_dir / "mlp/ckpt", tmp_path / "ckpt")
    with pytest.warns(cm.CheckpointPathWarning, match="model.ckpt-30"):
        latest = train.latest_checkpoint(tmp_path / "ckpt")
    assert latest == str(tmp_path / "ckpt" / "model.ckpt-30")
    st = train.get_checkpoint_state(tmp_path / "ckpt")
    assert st.model_checkpoint_path == "/data/experiments/mlp/ckpt/model.ckpt-30"  # as TensorFlow gives it
    with pytest.warns(cm.CheckpointPathWarning):
        reader = train.load_checkpoint(tmp_path / "ckpt")
    assert reader.get_tensor("global_step") == 30


def test_relative_fixture_directories(data_dir):
    for rel, name in [("ckpt_dtypes/ckpt", "dtypes"), ("cnn/ckpt", "cnn"), ("ckpt_sharded/ckpt", "sharded")]:
        assert train.latest_checkpoint(data_dir / rel) == str(data_dir / rel / name)


def test_load_checkpoint_accepts_prefix_index_and_data_names(data_dir):
    prefix = str(data_dir / "cnn/ckpt/cnn")
    for path in (prefix, prefix + ".index", prefix + ".data-00000-of-00001", str(data_dir / "cnn/ckpt")):
        assert train.load_checkpoint(path).prefix == prefix
    with pytest.raises(NotFoundError, match="cnn/ckpt/cnx"):
        train.load_checkpoint(prefix[:-1] + "x")
    with pytest.raises(NotFoundError, match="without a 'checkpoint' state file"):
        train.load_checkpoint(data_dir / "saved_model/saved_model/variables")


def test_public_api(tmp_path, data_dir):
    prefix = train.write_checkpoint(str(tmp_path / "m"), {"a": np.arange(3), "s": [b"x", b""]}, num_shards=2)
    assert train.checkpoint_exists(prefix) and not train.checkpoint_exists(str(tmp_path / "n"))
    assert train.list_variables(tmp_path) == [("a", [3]), ("s", [2])]
    reader = train.load_checkpoint(tmp_path)
    assert reader.get_variable_to_dtype_map() == {"a": np.dtype(np.int64), "s": "string"}
    train.write_checkpoint(str(tmp_path / "m2"), {"a": np.arange(2)})
    st = train.get_checkpoint_state(tmp_path)
    assert list(st.all_model_checkpoint_paths) == [str(tmp_path / "m"), str(tmp_path / "m2")]
    assert train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "m2")


# ------------------------------------------------------------------ naming and retention


def test_prefix_and_meta_names():
    assert cm.checkpoint_prefix("/t/model.ckpt", 1000) == "/t/model.ckpt-1000"
    assert cm.checkpoint_prefix("/t/model.ckpt", 7, pad_step_number=True) == "/t/model.ckpt-00000007"
    assert cm.checkpoint_prefix("/t/model.ckpt") == "/t/model.ckpt"
    assert cm.meta_graph_filename("/t/model.ckpt-1000") == "/t/model.ckpt-1000.meta"
    assert cm.meta_graph_filename("/t/model.ckpt-1000-?????-of-00002") == "/t/model.ckpt-1000.meta"
    assert cm.meta_graph_filename("m-00001-of-00003", "json") == "m.json"


def test_max_to_keep_deletes_oldest(tmp_path):
    keeper = cm.CheckpointKeeper(max_to_keep=2)
    for step in range(1, 5):
        prefix = cm.checkpoint_prefix(str(tmp_path / "model.ckpt"), step)
        _save(prefix, step)
        pathlib.Path(cm.meta_graph_filename(prefix)).write_bytes(b"meta")
        keeper.record(prefix)
    assert keeper.last_checkpoints == [str(tmp_path / "model.ckpt-3"), str(tmp_path / "model.ckpt-4")]
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["checkpoint"] + [f"model.ckpt-{s}{ext}" for s in (3, 4) for ext in (".index", ".meta", ".data-00000-of-00001")])
    text = (tmp_path / "checkpoint").read_text()
    assert text.startswith('model_checkpoint_path: "model.ckpt-4"\nall_model_checkpoint_paths: "model.ckpt-3"\n')
    assert train.latest_checkpoint(tmp_path) == str(tmp_path / "model.ckpt-4")


def test_same_prefix_saved_again_moves_to_the_end(tmp_path):
    keeper = cm.CheckpointKeeper(max_to_keep=3)
    for name in ["a", "b", "a"]:
        _save(str(tmp_path / name))
        keeper.record(str(tmp_path / name))
    assert keeper.last_checkpoints == [str(tmp_path / "b"), str(tmp_path / "a")]


def test_max_to_keep_zero_keeps_everything(tmp_path):
    keeper = cm.CheckpointKeeper(max_to_keep=None)
    for step in range(3):
        _save(str(tmp_path / f"m-{step}"))
        keeper.record(str(tmp_path / f"m-{step}"))
    assert len([f for f in os.listdir(tmp_path) if f.endswith(".index")]) == 3
    assert state.read_checkpoint_state(tmp_path, resolve=False).all_model_checkpoint_paths == ["m-2"]


def test_keep_checkpoint_every_n_hours(tmp_path):
    keeper = cm.CheckpointKeeper(max_to_keep=1, keep_checkpoint_every_n_hours=1.0)
    start = time.time()
    # saves at +0h, +0.5h, +1.5h, +1.6h, +3h: the +1.5h one is older than the next keep time
    for i, hours in enumerate([0, 0.5, 1.5, 1.6, 3.0]):
        _save(str(tmp_path / f"m-{i}"))
        keeper.record(str(tmp_path / f"m-{i}"), timestamp=start + hours * 3600)
    kept = sorted(f[:-6] for f in os.listdir(tmp_path) if f.endswith(".index"))
    assert kept == ["m-2", "m-4"]  # m-2 preserved (saved after start + 1h); m-4 is the newest
    assert keeper.last_checkpoints == [str(tmp_path / "m-4")]


def test_recover_and_never_delete_outside_or_foreign(tmp_path):
    work = tmp_path / "work"
    outside = tmp_path / "outside"
    work.mkdir()
    outside.mkdir()
    _save(str(outside / "precious"))
    (work / "notes.index").write_text("not a checkpoint")
    (work / "notes.meta").write_text("keep me")
    _save(str(work / "old"))
    # A hostile or stale state file listing things outside the directory and a non-checkpoint.
    state.write_checkpoint_state(work, str(work / "old"),
                                 [str(outside / "precious"), str(work / "notes"), "../outside/precious"],
                                 save_relative_paths=False)
    keeper = cm.CheckpointKeeper(max_to_keep=1)
    keeper.recover_last_checkpoints(state.read_checkpoint_state(work).all_model_checkpoint_paths)
    # Four recovered entries; like Saver, each save retires one entry past max_to_keep.
    for step in range(6):
        _save(str(work / f"m-{step}"))
        keeper.record(str(work / f"m-{step}"))
    assert (outside / "precious.index").exists() and (outside / "precious.data-00000-of-00001").exists()
    assert (work / "notes.index").read_text() == "not a checkpoint" and (work / "notes.meta").exists()
    assert not (work / "old.index").exists()  # a real checkpoint in the directory: recovered and retired
    assert sorted(f for f in os.listdir(work) if f.endswith(".index")) == [
        "m-2.index", "m-3.index", "m-4.index", "m-5.index", "notes.index"]


def test_remove_checkpoint_touches_only_its_files(tmp_path):
    _save(str(tmp_path / "m"))
    _save(str(tmp_path / "m-1"))
    (tmp_path / "m.data-00000-of-00001.bak").write_text("x")
    (tmp_path / ".m.data-00000-of-00001.k2j4.tmp").write_text("left by a killed save")
    (tmp_path / ".m.index.abc.tmp").write_text("left by a killed save")
    (tmp_path / ".m-1.index.abc.tmp").write_text("another prefix's")
    cm.remove_checkpoint(str(tmp_path / "m"))
    assert sorted(os.listdir(tmp_path)) == [".m-1.index.abc.tmp", "m-1.data-00000-of-00001", "m-1.index",
                                            "m.data-00000-of-00001.bak"]


# ------------------------------------------------------------------ crash safety

_SAVER = textwrap.dedent("""
    import sys, numpy as np
    from ortflow.formats import checkpoint_management as cm, state
    from ortflow.formats.bundle import BundleWriter
    directory, first = sys.argv[1], int(sys.argv[2])
    keeper = cm.CheckpointKeeper(max_to_keep=2)
    old = state.read_checkpoint_state(directory)
    keeper.recover_last_checkpoints(old.all_model_checkpoint_paths if old else [])
    for step in range(first, first + 1000):
        prefix = cm.checkpoint_prefix(directory + "/model.ckpt", step)
        with BundleWriter(prefix, num_shards=2) as writer:
            for i in range(6):
                writer.add(f"w{i}", np.full(150_000, step, np.float32))
            writer.add("step", np.int64(step))
        with open(cm.meta_graph_filename(prefix), "wb") as f:
            f.write(b"meta")
        keeper.record(prefix)
        print(step, flush=True)
""")


def _restore_latest(directory) -> int:
    prefix = train.latest_checkpoint(directory)
    assert prefix is not None, os.listdir(directory)
    with BundleReader(prefix) as reader:
        step = int(reader.get_tensor("step"))
        for i in range(6):
            assert (reader.get_tensor(f"w{i}") == step).all()
    return step


def test_sigkill_during_saves_leaves_a_restorable_checkpoint(tmp_path):
    directory = str(tmp_path)
    write_bundle(directory + "/model.ckpt-0", {**{f"w{i}": np.zeros(150_000, np.float32) for i in range(6)},
                                                "step": np.int64(0)})
    cm.CheckpointKeeper().record(directory + "/model.ckpt-0")
    rng = random.Random(1234)
    step = 0
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, "-c", _SAVER, directory, str(step + 1)],
                                stdout=subprocess.PIPE, text=True)
        first = proc.stdout.readline()  # the interpreter is up and one save is done: now kill at random
        assert first.strip() == str(step + 1), f"the saving subprocess failed: {first!r}"
        time.sleep(rng.uniform(0.0, 0.25))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        restored = _restore_latest(directory)
        assert restored > step
        step = restored
        # A kill between the bundle and the state file leaves an untracked checkpoint (as in
        # TensorFlow); what the state file lists must all be there.
        listed = state.read_checkpoint_state(directory).all_model_checkpoint_paths
        assert 1 <= len(listed) <= 2 and all(cm.checkpoint_exists(p) for p in listed)
