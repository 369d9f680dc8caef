"""Tests of `ortflow ckpt export|import` (real subprocesses) and the checkpoint inspection helpers."""

from __future__ import annotations

import json
import os
import pathlib
import pty
import subprocess
import sys

import ml_dtypes
import numpy as np
import pytest
from ortflow.commands import ckpt
from ortflow.errors import NotFoundError
from ortflow.formats.bundle import BundleReader, read_bundle, write_bundle

REPO = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ["ckpt_dtypes/ckpt/dtypes", "ckpt_sharded/ckpt/sharded", "cnn/ckpt/cnn", "mlp/ckpt/model.ckpt-30",
            "saved_model/saved_model/variables/variables"]

ODD = {
    "bf16": np.array([1.0, -2.5], ml_dtypes.bfloat16),
    "f8": np.array([0.5, 2.0], ml_dtypes.float8_e4m3fn),
    "f16": np.array([0.5], np.float16),
    "u64": np.array([2**64 - 1], np.uint64),
    "c128": np.array([1 - 1j], np.complex128),
    "scalar_s": b"",
    "strings": np.array([[b"", b"\x00"], [b"\xff\xfe", b"tail\x00\x00"]], dtype=object),
    "empty_s": np.empty((0, 2), dtype=object),
    "zero": np.zeros((3, 0), np.int32),
    "a/b/c": np.float64(-0.0),
}


def _same(a: dict, b: dict):
    assert sorted(a) == sorted(b)
    for name, value in a.items():
        x, y = np.asarray(value), np.asarray(b[name])
        assert x.shape == y.shape and x.dtype == y.dtype, name
        if x.dtype == object:
            assert x.tolist() == y.tolist(), name
        else:
            assert x.tobytes() == y.tobytes(), name


@pytest.mark.parametrize("rel", FIXTURES)
def test_export_import_round_trip(cli, data_dir, tmp_path, rel):
    prefix = str(data_dir / rel)
    cli("ckpt", "export", prefix, "-o", tmp_path / "t.npz", check=True)
    np.load(tmp_path / "t.npz", allow_pickle=False)  # no pickles anywhere
    cli("ckpt", "import", tmp_path / "t.npz", "-o", tmp_path / "out" / "back", check=True)
    _same(read_bundle(prefix), read_bundle(str(tmp_path / "out" / "back")))
    if "sharded" not in rel:  # partitioned variables come back whole, so only these are identical
        assert (tmp_path / "out/back.index").read_bytes() == pathlib.Path(prefix + ".index").read_bytes()
    assert (tmp_path / "out/checkpoint").read_text().startswith('model_checkpoint_path: "back"\n')


def test_strings_and_odd_dtypes_round_trip(cli, tmp_path):
    write_bundle(tmp_path / "odd", ODD)
    proc = cli("ckpt", "export", tmp_path / "odd", "-o", tmp_path / "odd.npz", check=True)
    assert "\r" not in proc.stderr  # no progress bar when stderr is not a terminal
    npz = np.load(tmp_path / "odd.npz", allow_pickle=False)
    assert all(npz[k].dtype != object for k in npz.files)
    cli("ckpt", "import", tmp_path / "odd.npz", "-o", tmp_path / "back", "--num-shards", "2", check=True)
    back = BundleReader(tmp_path / "back")
    assert back.num_shards == 2
    _same(read_bundle(str(tmp_path / "odd")), read_bundle(str(tmp_path / "back")))


def test_import_plain_numpy_npz(cli, tmp_path):
    np.savez(tmp_path / "plain.npz", w=np.eye(2, dtype=np.float32), s=np.array([b"ab", b""]), u=np.array(["\u00e9"]))
    cli("ckpt", "import", tmp_path / "plain.npz", "-o", tmp_path / "p", "--no-state", check=True)
    got = read_bundle(str(tmp_path / "p"))
    assert got["s"].tolist() == [b"ab", b""] and got["u"].tolist() == ["\u00e9".encode()]
    assert not (tmp_path / "checkpoint").exists()


def test_cli_errors_are_one_line(cli, tmp_path):
    proc = cli("ckpt", "export", tmp_path / "missing", "-o", tmp_path / "x.npz")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "missing" in proc.stderr
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    proc = cli("ckpt", "import", tmp_path / "bad.npz", "-o", tmp_path / "y")
    assert proc.returncode == 2 and "bad.npz" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "y.index").exists()


def test_progress_bar_on_a_terminal(data_dir, tmp_path):
    master, slave = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "ortflow", "ckpt", "export", str(data_dir / "cnn/ckpt"), "-o",
                           str(tmp_path / "c.npz")], stderr=slave, stdout=subprocess.PIPE, timeout=120,
                          check=False)
    os.close(slave)
    err = os.read(master, 65536).decode()
    os.close(master)
    assert proc.returncode == 0
    assert "\rexport [" in err and "14/14" in err


# ------------------------------------------------------------------ inspect helpers


def test_is_checkpoint(data_dir):
    assert ckpt.is_checkpoint(str(data_dir / "cnn/ckpt/cnn"))
    assert ckpt.is_checkpoint(str(data_dir / "cnn/ckpt"))
    assert ckpt.is_checkpoint(str(data_dir / "cnn/ckpt/cnn.index"))
    assert not ckpt.is_checkpoint(str(data_dir / "saved_model/saved_model"))
    assert not ckpt.is_checkpoint(str(data_dir / "cnn/ckpt/cnn.data-00000-of-00001"))


def test_inspect_listing(data_dir, capsys):
    assert ckpt.inspect_checkpoint(str(data_dir / "ckpt_sharded/ckpt")) == 0
    out = capsys.readouterr().out.splitlines()
    assert "3 tensors" in out[0] and "2 data files" in out[0]
    assert out[2].split()[:4] == ["dense_a", "float32", "[4,4]", "64"]
    assert out[4].split()[:4] == ["embedding", "float32", "[10,6]", "240"] and "3 slices" in out[4]


def test_inspect_json_and_values(data_dir, capsys):
    ckpt.inspect_checkpoint(str(data_dir / "ckpt_dtypes/ckpt/dtypes"), as_json=True, tensor="s_vec")
    doc = json.loads(capsys.readouterr().out)
    assert doc["kind"] == "checkpoint"
    rows = {t["name"]: t for t in doc["tensors"]}
    assert rows["large"] == {"name": "large", "dtype": "float32", "shape": [512, 1024], "size": 2 * 1024 * 1024}
    assert rows["bf16"]["dtype"] == "bfloat16" and rows["scalar"]["shape"] == []
    assert doc["tensor"]["values"][:2] == ["", "a"]
    ckpt.inspect_checkpoint(str(data_dir / "ckpt_dtypes/ckpt/dtypes"), tensor="i32")
    out = capsys.readouterr().out
    assert out.startswith("tensor_name:  i32\n") and "int32" in out
    with pytest.raises(NotFoundError, match="Key nope not found"):
        ckpt.inspect_checkpoint(str(data_dir / "cnn/ckpt"), tensor="nope")


@pytest.mark.skipif(not (REPO / "commands" / "inspect.py").exists(),
                    reason="commands/inspect.py (another helper's) is not written yet; the helpers are tested above")
def test_inspect_command(cli, data_dir):
    proc = cli("inspect", data_dir / "cnn/ckpt", "--json", check=True)
    doc = json.loads(proc.stdout)
    assert doc["kind"] == "checkpoint" and len(doc["tensors"]) == 14
    proc = cli("inspect", data_dir / "cnn/ckpt/cnn", "--tensor", "fc/biases", check=True)
    assert "fc/biases" in proc.stdout
