"""`ortflow tensorboard GRAPH --logdir DIR` in a real subprocess."""

from __future__ import annotations

import glob
import os

import pytest
from ortflow.formats.events import read_events
from ortflow.proto import GraphDef, MetaGraphDef


def test_frozen_graph_becomes_a_graph_event(cli, data_dir, tmp_path):
    logdir = tmp_path / "logs"
    proc = cli("tensorboard", data_dir / "mlp" / "frozen.pb", "--logdir", logdir, check=True)
    (path,) = glob.glob(str(logdir / "events.out.tfevents.*"))
    assert proc.stdout.strip() == path
    evs = list(read_events(path))
    assert [e.WhichOneof("what") for e in evs] == ["file_version", "graph_def"]
    expected = GraphDef.FromString((data_dir / "mlp" / "frozen.pb").read_bytes())
    assert GraphDef.FromString(evs[1].graph_def) == expected


def test_meta_graph_writes_graph_and_meta_graph(cli, data_dir, tmp_path):
    meta_path = data_dir / "mlp" / "ckpt" / "model.ckpt-30.meta"
    cli("tensorboard", meta_path, "--logdir", tmp_path, "--filename-suffix", ".meta", check=True)
    (path,) = glob.glob(str(tmp_path / "events.out.tfevents.*.meta"))
    evs = list(read_events(path))
    assert [e.WhichOneof("what") for e in evs] == ["file_version", "graph_def", "meta_graph_def"]
    meta = MetaGraphDef.FromString(meta_path.read_bytes())
    assert GraphDef.FromString(evs[1].graph_def) == meta.graph_def
    assert MetaGraphDef.FromString(evs[2].meta_graph_def) == meta


def test_missing_graph_is_one_line_error(cli, tmp_path):
    proc = cli("tensorboard", tmp_path / "nope.pb", "--logdir", tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("ortflow: error:") and "nope.pb" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not glob.glob(str(tmp_path / "events.out.tfevents.*"))


def test_garbage_graph_is_one_line_error(cli, tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_bytes(b"\xff\xff\xff\xff")
    proc = cli("tensorboard", bad, "--logdir", tmp_path / "logs")
    assert proc.returncode == 2 and "bad.pb" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.interop
def test_tensorboard_shows_the_graph(tf, cli, data_dir, tmp_path):
    try:
        from tensorboard.backend.event_processing import event_accumulator
    except ImportError as e:
        pytest.skip(f"the tensorboard package is not installed here ({e})")
    cli("tensorboard", data_dir / "mlp" / "frozen.pb", "--logdir", tmp_path, check=True)
    acc = event_accumulator.EventAccumulator(str(tmp_path))
    acc.Reload()
    assert acc.Tags()["graph"]
    names = {n.name for n in acc.Graph().node}
    assert "output" in names
    assert os.listdir(tmp_path)
