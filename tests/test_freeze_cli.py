"""`ortflow freeze` in a real subprocess, on copies of the TensorFlow-made fixtures."""

from __future__ import annotations

import shutil

import pytest
from ortflow.formats.tensors import make_ndarray
from ortflow.proto import GraphDef


def _frozen(path) -> GraphDef:
    g = GraphDef()
    g.ParseFromString(path.read_bytes())
    return g


def _same_nodes(a: GraphDef, b: GraphDef) -> bool:
    return [n.name for n in a.node] == [n.name for n in b.node] and all(x == y for x, y in zip(a.node, b.node))


def test_freeze_meta_with_default_outputs(cli, data_dir, tmp_path):
    out = tmp_path / "frozen.pb"
    proc = cli("freeze", data_dir / "mlp/ckpt/model.ckpt-30.meta", "-o", out, check=True)
    assert "outputs: output" in proc.stdout
    assert "froze 6 variables (5140 bytes of values)" in proc.stdout
    assert "pruned 214 (gradients/ 62, save/ 32," in proc.stdout
    assert _same_nodes(_frozen(out), _frozen(data_dir / "mlp/frozen.pb"))


def test_freeze_checkpoint_directory_and_text(cli, data_dir, tmp_path):
    ckpt = tmp_path / "cnn"
    shutil.copytree(data_dir / "cnn/ckpt", ckpt)
    out = tmp_path / "frozen.pbtxt"
    cli("freeze", ckpt, "--outputs", "probs:0", "-o", out, "--text", check=True)
    from ortflow.formats.pbtxt import parse_pbtxt
    ours = parse_pbtxt(out.read_bytes(), GraphDef)
    assert _same_nodes(ours, _frozen(data_dir / "cnn/frozen.pb"))


def test_freeze_graph_pb_needs_checkpoint(cli, data_dir, tmp_path):
    out = tmp_path / "f.pb"
    proc = cli("freeze", data_dir / "mlp/graph.pb", "--outputs", "output", "-o", out)
    assert proc.returncode == 2 and "pass --checkpoint" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    cli("freeze", data_dir / "mlp/graph.pb", "--outputs", "output", "--checkpoint", data_dir / "mlp/ckpt",
        "-o", out, check=True)
    assert _same_nodes(_frozen(out), _frozen(data_dir / "mlp/frozen.pb"))


def test_freeze_saved_model_uses_signature_outputs(cli, data_dir, tmp_path):
    model = tmp_path / "sm"
    shutil.copytree(data_dir / "saved_model/saved_model", model)
    out = tmp_path / "f.pb"
    proc = cli("freeze", model, "-o", out, check=True)
    assert "outputs: y" in proc.stdout and "froze 1 variables (24 bytes" in proc.stdout
    g = _frozen(out)
    assert [n.name for n in g.node] == ["x", "w", "MatMul/ReadVariableOp", "MatMul", "Tanh", "y"]
    w = make_ndarray(next(n for n in g.node if n.name == "w").attr["value"].tensor)
    assert w.shape == (3, 2)


@pytest.mark.parametrize("args,message", [
    (["--tag", "train"], "Available tag sets: [['serve']]"),
    (["--signature", "nope"], "no signature 'nope'"),
])
def test_freeze_saved_model_errors(cli, data_dir, tmp_path, args, message):
    proc = cli("freeze", data_dir / "saved_model/saved_model", "-o", tmp_path / "f.pb", *args)
    assert proc.returncode == 2 and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_freeze_missing_input(cli, tmp_path):
    proc = cli("freeze", tmp_path / "nothing.meta", "-o", tmp_path / "f.pb")
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_freeze_bad_inputs_are_one_line_errors(cli, data_dir, tmp_path):
    bad = tmp_path / "bad.meta"
    bad.write_bytes(b"garbage\x00\x01\x02")
    empty = tmp_path / "empty"
    empty.mkdir()
    cases = [((bad,), "bad.meta"), ((empty,), "no SavedModel, .meta file or checkpoint"),
             ((data_dir / "mlp/ckpt/model.ckpt-30.meta", "--outputs", "nope"), "output nodes ['nope']")]
    for args, message in cases:
        proc = cli("freeze", *args, "-o", tmp_path / "f.pb")
        errors = [line for line in proc.stderr.splitlines() if line.startswith("ortflow: error:")]
        assert proc.returncode == 2 and len(errors) == 1 and message in errors[0], proc.stderr
    assert not (tmp_path / "f.pb").exists()


def test_freeze_meta_with_a_corrupted_checkpoint_key_names_the_node(cli, data_dir, tmp_path):
    # A flipped byte found by fuzzing: a restore key that is no longer UTF-8 text.
    from ortflow.proto import MetaGraphDef
    meta = MetaGraphDef.FromString((data_dir / "mlp/ckpt/model.ckpt-30.meta").read_bytes())
    names = next(n for n in meta.graph_def.node if n.name == "save/RestoreV2/tensor_names")
    names.attr["value"].tensor.string_val[0] = b"\xf3" + names.attr["value"].tensor.string_val[0][1:]
    bad = tmp_path / "model.meta"
    bad.write_bytes(meta.SerializeToString())
    proc = cli("freeze", bad, "--checkpoint", data_dir / "mlp/ckpt/model.ckpt-30", "-o", tmp_path / "f.pb")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "model.meta: Const node 'save/RestoreV2/tensor_names' holds a checkpoint key that is not UTF-8" in proc.stderr
    assert not (tmp_path / "f.pb").exists()


def test_freeze_with_a_broken_state_file_or_index_is_one_line_naming_that_file(cli, data_dir, tmp_path):
    ckpt = tmp_path / "ckpt"
    shutil.copytree(data_dir / "mlp/ckpt", ckpt)
    (ckpt / "checkpoint").write_text('model_checkp "x"\n')
    proc = cli("freeze", ckpt, "-o", tmp_path / "f.pb")
    # once, as an error (it used to come first as a warning saying the file was ignored)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith(f"ortflow: error: {ckpt / 'checkpoint'}: not a valid checkpoint state file")
    index = ckpt / "model.ckpt-30.index"
    index.write_bytes(b"x" * 16 + index.read_bytes()[16:])
    proc = cli("freeze", ckpt / "model.ckpt-30.meta", "-o", tmp_path / "f.pb")
    # the message names the index only, not the .meta in front of it
    assert proc.returncode == 2 and proc.stderr.startswith(f"ortflow: error: {index}: "), proc.stderr
    assert not (tmp_path / "f.pb").exists()
