"""`ortflow inspect` in a real subprocess: every bundled TF-written graph names the manifest's inputs/outputs."""

from __future__ import annotations

import json
import pathlib

import pytest

DATA = pathlib.Path(__file__).resolve().parent / "data"
_KEYS = ("graph", "graph_text", "frozen", "frozen_text", "meta", "saved_model")


def _graph_cases():
    cases = []
    for manifest in sorted(DATA.glob("*/manifest.json")) + sorted(DATA.glob("ops/*/manifest.json")):
        info = json.loads(manifest.read_text())
        for key in _KEYS:
            rel = info.get("files", {}).get(key)
            if rel and (manifest.parent / rel).exists():
                cases.append((manifest.parent / rel, info["inputs"], info["outputs"]))
    return cases


CASES = _graph_cases()


def test_every_bundled_graph_fixture_is_covered():
    kinds = {p.name for p, _, _ in CASES}
    assert {"graph.pb", "graph.pbtxt", "frozen.pb", "frozen.pbtxt", "saved_model"} <= kinds
    assert any(p.suffix == ".meta" for p, _, _ in CASES)
    assert len(CASES) > 100  # the op fixtures are there too


def test_inspect_json_names_manifest_inputs_and_outputs(cli):
    # The model fixtures run one subprocess each; the ~140 op graphs go through one subprocess
    # with many PATHs (one per graph would take minutes).
    failures = []
    singles = [c for c in CASES if "ops" not in c[0].parts]
    for path, inputs, outputs in singles:
        proc = cli("inspect", path, "--json")
        assert proc.returncode == 0, proc.stderr
        info = json.loads(proc.stdout)
        got = ([t["name"] for t in info["inputs"]], [t["name"] for t in info["outputs"]])
        if got != (inputs, outputs):
            failures.append(f"{path}: {got} != {(inputs, outputs)}")
    ops = [c for c in CASES if "ops" in c[0].parts]
    proc = cli("inspect", "--json", *[p for p, _, _ in ops])
    assert proc.returncode == 0, proc.stderr
    for (path, inputs, outputs), info in zip(ops, json.loads(proc.stdout), strict=True):
        assert info["path"] == str(path)
        got = ([t["name"] for t in info["inputs"]], [t["name"] for t in info["outputs"]])
        if got != (inputs, outputs):
            failures.append(f"{path}: {got} != {(inputs, outputs)}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("rel", ["mlp/graph.pbtxt", "mlp/ckpt/model.ckpt-30.meta", "cnn/ckpt/cnn.meta"])
def test_json_details(cli, rel):
    info = json.loads(cli("inspect", DATA / rel, "--json", check=True).stdout)
    assert info["kind"] == ("MetaGraphDef" if rel.endswith(".meta") else "GraphDef")
    assert info["producer"] > 0 and info["node_count"] == sum(info["ops"].values())
    [inp] = info["inputs"]
    assert inp["dtype"] == "float32" and inp["shape"][0] is None
    [out] = info["outputs"]
    assert out["dtype"] == "float32" and out["shape"][0] is None
    if rel.startswith("mlp"):
        assert inp["shape"] == [None, 20]
        names = {v["name"] for v in info["variables"]}
        assert "layer0/weights" in names and "global_step" in names
    if rel.startswith("cnn"):
        assert [t["name"] for t in info["optional_inputs"]] == ["is_training:0"]
    if rel.endswith(".meta"):
        assert "variables" in info["collections"]


def test_saved_model_signatures(cli):
    info = json.loads(cli("inspect", DATA / "saved_model/saved_model", "--json", check=True).stdout)
    assert info["kind"] == "SavedModel"
    [sig] = info["signatures"]
    assert sig["tags"] == ["serve"] and sig["key"] == "serving_default"
    assert sig["inputs"] == {"x": {"name": "x:0", "dtype": "float32", "shape": [None, 3]}}
    assert sig["outputs"] == {"y": {"name": "y:0", "dtype": "float32", "shape": [None, 2]}}
    assert info["io_source"] == "signature"
    # Without the signature, the graph alone points at the same tensors.
    from ortflow.commands.inspect import likely_inputs, likely_outputs
    from ortflow.formats.graphs import load_graph_def
    graph_def = load_graph_def(DATA / "saved_model/saved_model")
    assert likely_outputs(graph_def) == ["y"] and likely_inputs(graph_def) == (["x"], [])
    text = cli("inspect", DATA / "saved_model/saved_model", check=True).stdout
    assert "signature_def['serving_default']:" in text and "shape: (-1, 3)" in text
    assert "Method name is: tensorflow/serving/predict" in text


def test_text_output(cli):
    out = cli("inspect", DATA / "mobilenet_v2/frozen.pb", check=True).stdout
    assert "GraphDef" in out and "nodes: 1053" in out
    assert "input:0" in out and "Identity:0" in out and "DepthwiseConv2dNative" in out


def test_const_tensor_of_a_graph(cli):
    info = json.loads(cli("inspect", DATA / "mlp/frozen.pb", "--json", "--tensor", "layer0/biases",
                          check=True).stdout)
    assert info["dtype"] == "float32" and len(info["values"]) == info["shape"][0]
    proc = cli("inspect", DATA / "mlp/frozen.pb", "--tensor", "output")
    assert proc.returncode == 2 and "not a Const" in proc.stderr


def test_checkpoints_are_dispatched(cli):
    proc = cli("inspect", DATA / "mlp/ckpt", "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["kind"] == "checkpoint"
    assert any(t["name"] == "layer0/weights" for t in info["tensors"])
    proc = cli("inspect", DATA / "mlp/ckpt/model.ckpt-30", "--tensor", "global_step")
    assert proc.returncode == 0, proc.stderr
    assert "30" in proc.stdout


def test_bad_paths_exit_2_with_one_line(cli, tmp_path):
    junk = tmp_path / "junk.pb"
    junk.write_bytes(b"\x00\x01\x02garbage" * 10)
    trunc = tmp_path / "trunc.pb"
    trunc.write_bytes((DATA / "mlp/graph.pb").read_bytes()[:1000])
    for path, words in [(tmp_path / "missing.pb", "no such file"), (junk, "not a protobuf"),
                        (trunc, "truncated")]:
        proc = cli("inspect", path)
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0] and path.name in lines[0], proc.stderr
