"""`ortflow run` in a real subprocess: frozen graph, .meta + checkpoint, SavedModel, .onnx, errors."""

from __future__ import annotations

import numpy as np
import pytest

ATOL = 1e-4


@pytest.fixture()
def mlp_input(data_dir, tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, np.load(data_dir / "mlp" / "inputs.npz")["input:0"])
    return path


def _expected(data_dir, fixture, name):
    return np.load(data_dir / fixture / "expected.npz")[name]


def test_run_frozen_prints_a_summary(cli, data_dir, mlp_input):
    proc = cli("run", data_dir / "mlp" / "frozen.pb", "--feed", f"input={mlp_input}",
               "--fetch", "output:0", "--provider", "cpu", check=True)
    want = _expected(data_dir, "mlp", "output:0")
    assert f"output:0  dtype=float32  shape={want.shape}" in proc.stdout


def test_run_frozen_writes_npz(cli, data_dir, mlp_input, tmp_path):
    out = tmp_path / "out.npz"
    cli("run", data_dir / "mlp" / "frozen.pb", "--feed", f"input:0={mlp_input}", "--fetch", "output",
        "-o", out, check=True)
    np.testing.assert_allclose(np.load(out)["output:0"], _expected(data_dir, "mlp", "output:0"),
                               atol=ATOL, rtol=0)


def test_run_meta_with_checkpoint(cli, data_dir, mlp_input, tmp_path):
    out = tmp_path / "out.npz"
    ckpt = data_dir / "mlp" / "ckpt"
    cli("run", ckpt / "model.ckpt-30.meta", "--checkpoint", ckpt / "model.ckpt-30", "--feed",
        f"input={mlp_input}", "--fetch", "output:0", "-o", out, check=True)
    np.testing.assert_allclose(np.load(out)["output:0"], _expected(data_dir, "mlp", "output:0"),
                               atol=ATOL, rtol=0)


def test_run_saved_model_with_npz_feed_and_signature(cli, data_dir, tmp_path):
    out = tmp_path / "out.npz"
    feed = data_dir / "saved_model" / "inputs.npz"  # holds "x:0"
    cli("run", data_dir / "saved_model" / "saved_model", "--signature", "serving_default",
        "--feed", f"x:0={feed}", "-o", out, check=True)
    np.testing.assert_allclose(np.load(out)["y:0"], _expected(data_dir, "saved_model", "y:0"),
                               atol=ATOL, rtol=0)


def test_run_random_feed_and_benchmark(cli, data_dir):
    proc = cli("run", data_dir / "cnn" / "frozen.pb", "--feed", "images=random", "--fetch", "probs",
               "--benchmark", "3", check=True)
    assert "probs:0  dtype=float32  shape=(1, " in proc.stdout
    assert "first run (compile + run):" in proc.stdout
    assert "median of 3 runs:" in proc.stdout


def test_run_onnx_written_by_convert(cli, data_dir, mlp_input, tmp_path):
    onnx_path = tmp_path / "mlp.onnx"
    from ortflow.converters import convert

    model = convert(data_dir / "mlp" / "frozen.pb", inputs=["input:0"], outputs=["output:0"])
    onnx_path.write_bytes(model.SerializeToString())
    out = tmp_path / "out.npz"
    cli("run", onnx_path, "--feed", f"input:0={mlp_input}", "--fetch", "output:0", "-o", out,
        check=True)
    np.testing.assert_allclose(np.load(out)["output:0"], _expected(data_dir, "mlp", "output:0"),
                               atol=ATOL, rtol=0)


def test_missing_feed_is_one_line_error(cli, data_dir):
    proc = cli("run", data_dir / "mlp" / "frozen.pb", "--fetch", "output:0")
    assert proc.returncode == 2
    assert "You must feed a value for placeholder tensor 'input'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_fetch_is_one_line_error(cli, data_dir, mlp_input):
    proc = cli("run", data_dir / "mlp" / "frozen.pb", "--feed", f"input={mlp_input}", "--fetch", "nope:0")
    assert proc.returncode == 2
    assert "'nope:0' refers to a Tensor which does not exist" in proc.stderr


def test_bad_feed_spec_and_file(cli, data_dir, tmp_path):
    proc = cli("run", data_dir / "mlp" / "frozen.pb", "--feed", "input")
    assert proc.returncode == 2 and "NAME=FILE" in proc.stderr
    bad = tmp_path / "bad.npy"
    bad.write_bytes(b"not numpy")
    proc = cli("run", data_dir / "mlp" / "frozen.pb", "--feed", f"input={bad}")
    assert proc.returncode == 2 and "bad.npy" in proc.stderr


@pytest.mark.parametrize("signature, key", [("serving_default", "y"), ("double", "z")])
def test_saved_model_results_are_named_by_signature_key_too(cli, data_dir, tmp_path, signature, key):
    # A TF2 SavedModel's outputs are StatefulPartitionedCall tensors: the npz holds each result
    # under its signature key as well (as saved_model_cli names them) and the summary shows both.
    feed = tmp_path / "x.npy"
    np.save(feed, np.load(data_dir / "tf2_saved_model" / "inputs.npz")["x"])
    out = tmp_path / "out.npz"
    model = data_dir / "tf2_saved_model"
    cli("run", model, "--signature", signature, "--feed", f"x={feed}", "-o", out, check=True)
    got = np.load(out)
    want = _expected(data_dir, "tf2_saved_model", key)
    np.testing.assert_allclose(got[key], want, atol=ATOL, rtol=0)
    tensor = next(name for name in got.files if name != key)
    assert tensor.startswith("StatefulPartitionedCall")
    np.testing.assert_array_equal(got[tensor], got[key])
    proc = cli("run", model, "--signature", signature, "--feed", f"x={feed}", check=True)
    assert proc.stdout.startswith(f"{key} ({tensor})  dtype=float32  shape=(2, 2)")


def test_random_feed_for_a_string_input(cli, tmp_path):
    from ortflow.api.ops_builder import apply_op_output, placeholder, shape_attr
    from ortflow.formats import dtypes
    from ortflow.formats.files import write_text_atomic
    from ortflow.graph import Graph

    graph = Graph()
    with graph.as_default():
        words = placeholder(dtypes.string, shape_attr([None]), name="s")
        apply_op_output("StringLength", [words], name="n")
    path = tmp_path / "strings.pbtxt"
    write_text_atomic(path, str(graph.as_graph_def()))
    proc = cli("run", path, "--feed", "s=random", "--fetch", "n", check=True)
    assert proc.stdout.startswith("n:0  dtype=int32  shape=(1,)")
