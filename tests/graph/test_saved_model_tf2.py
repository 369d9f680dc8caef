"""TF2 SavedModels (`tf.saved_model.save`) without TensorFlow: load, run, freeze, convert, inspect.

The model is `tests/data/tf2_saved_model` (a `tf.Module` with variables `w`, `b` and signatures
`serving_default`: x -> {"y": x @ w + b} and `double`: x -> {"z": 2 * x @ w}), written by TF 2.21;
`expected.npz` holds TensorFlow's outputs for `inputs.npz`.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from ortflow.errors import GraphError
from ortflow.formats.bundle import BundleReader, BundleWriter
from ortflow.graph import saved_model

ATOL = 1e-5


@pytest.fixture(scope="module")
def model_dir(data_dir):
    return data_dir / "tf2_saved_model"


@pytest.fixture(scope="module")
def feeds(model_dir):
    return dict(np.load(model_dir / "inputs.npz"))


@pytest.fixture(scope="module")
def expected(model_dir):
    return dict(np.load(model_dir / "expected.npz"))


def _meta(path):
    return saved_model.meta_graph_by_tags(saved_model.read_saved_model(path), ["serve"], str(path))


def test_object_graphs_give_checkpoint_keys(model_dir):
    meta = _meta(model_dir)
    assert saved_model.is_tf2(meta)
    graph = saved_model.object_graph(meta)
    variables = {n.variable.name for n in graph.nodes if n.WhichOneof("kind") == "variable"}
    assert variables == {"w", "b"}
    with BundleReader(saved_model.variables_prefix(model_dir)) as reader:
        keys = saved_model.tf2_variable_keys(meta, saved_model.checkpoint_object_graph(reader))
    assert keys == {"w": "w/.ATTRIBUTES/VARIABLE_VALUE", "b": "b/.ATTRIBUTES/VARIABLE_VALUE"}


def test_tf1_saved_model_is_not_tf2(data_dir):
    # the TF1-style fixture (builder API) has no object graph and keeps its old path
    assert not saved_model.is_tf2(_meta(data_dir / "saved_model" / "saved_model"))


def test_v1_api_load_and_run_both_signatures(model_dir, feeds, expected):
    import ortflow as tf

    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, [tf.saved_model.tag_constants.SERVING], str(model_dir))
        for key, out in (("serving_default", "y"), ("double", "z")):
            sig = meta.signature_def[key]
            got = sess.run(sig.outputs[out].name, {sig.inputs["x"].name: feeds["x"]})
            np.testing.assert_allclose(got, expected[out], atol=ATOL)


def test_load_with_import_scope(model_dir, feeds, expected):
    import ortflow as tf

    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], str(model_dir), import_scope="m")
        sig = meta.signature_def["serving_default"]
        got = sess.run("m/" + sig.outputs["y"].name, {"m/" + sig.inputs["x"].name: feeds["x"]})
    np.testing.assert_allclose(got, expected["y"], atol=ATOL)


def test_runtime_load_uses_the_signature(model_dir, feeds, expected):
    from ortflow.runtime.loading import load

    session, inputs, outputs = load(model_dir, signature="double")
    assert inputs == ["double_x:0"]
    got = session.run(outputs[0], {inputs[0]: feeds["x"]})
    np.testing.assert_allclose(got, expected["z"], atol=ATOL)


def test_freeze_inlines_the_calls_and_binds_the_variables(model_dir, feeds, expected):
    from ortflow.graph.freeze import freeze_graph

    meta = _meta(model_dir)
    result = freeze_graph(meta, saved_model.variables_prefix(model_dir), ["StatefulPartitionedCall_1"])
    assert sorted(result.variables) == ["b", "w"]
    ops = {n.op for n in result.graph_def.node}
    assert not ops & {"VarHandleOp", "ReadVariableOp", "StatefulPartitionedCall"}, ops
    assert "IdentityN" in ops  # the signature's output keeps its call's name


def test_cli_run_convert_freeze_inspect(model_dir, feeds, expected, cli, tmp_path):
    np.save(tmp_path / "x.npy", feeds["x"])
    proc = cli("run", model_dir, "--signature", "serving_default", "--feed",
               f"serving_default_x:0={tmp_path / 'x.npy'}", "-o", tmp_path / "out.npz", check=True)
    np.testing.assert_allclose(np.load(tmp_path / "out.npz")["StatefulPartitionedCall_1:0"], expected["y"],
                               atol=ATOL)
    cli("convert", model_dir, "-o", tmp_path / "m.onnx", check=True)
    import onnxruntime as ort

    sess = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    got = sess.run(["StatefulPartitionedCall_1:0"], {"serving_default_x:0": feeds["x"]})[0]
    np.testing.assert_allclose(got, expected["y"], atol=ATOL)
    cli("freeze", model_dir, "-o", tmp_path / "frozen.pb", check=True)
    cli("run", tmp_path / "frozen.pb", "--feed", f"serving_default_x:0={tmp_path / 'x.npy'}", "--fetch",
        "StatefulPartitionedCall_1:0", "-o", tmp_path / "frozen_out.npz", check=True)
    np.testing.assert_allclose(np.load(tmp_path / "frozen_out.npz")["StatefulPartitionedCall_1:0"],
                               expected["y"], atol=ATOL)
    proc = cli("inspect", model_dir, check=True)
    assert "signature_def['double']" in proc.stdout and "serving_default_x:0" in proc.stdout


def _copy_with_checkpoint(model_dir, tmp_path, keep):
    """A copy of the model whose checkpoint holds only the entries `keep(name)` accepts."""
    target = tmp_path / "model"
    shutil.copytree(model_dir, target)
    prefix = saved_model.variables_prefix(target)
    with BundleReader(saved_model.variables_prefix(model_dir)) as reader:
        entries = {n: reader.get_tensor(n) for n in reader.tensor_names() if keep(n)}
    for p in (target / "variables").iterdir():
        p.unlink()
    with BundleWriter(prefix) as writer:
        for name, value in entries.items():
            writer.add(name, value)
    return target


def test_missing_variable_key_is_one_clear_error(model_dir, tmp_path, cli):
    broken = _copy_with_checkpoint(model_dir, tmp_path, lambda n: not n.startswith("b/"))
    from ortflow.runtime.loading import load

    with pytest.raises(GraphError, match=r"variable 'b': key 'b/\.ATTRIBUTES/VARIABLE_VALUE' is not in "
                                         r"checkpoint") as info:
        load(broken)
    assert str(broken) in str(info.value)
    proc = cli("convert", broken, "-o", tmp_path / "m.onnx")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "b/.ATTRIBUTES/VARIABLE_VALUE" in proc.stderr


def test_checkpoint_without_object_graph_is_one_clear_error(model_dir, tmp_path):
    broken = _copy_with_checkpoint(model_dir, tmp_path, lambda n: n != saved_model.OBJECT_GRAPH_KEY)
    from ortflow.runtime.loading import load

    with pytest.raises(GraphError, match="has no _CHECKPOINTABLE_OBJECT_GRAPH entry") as info:
        load(broken)
    assert str(broken) in str(info.value)


def test_name_call_outputs_keeps_tensor_names(model_dir):
    meta = _meta(model_dir)
    out = saved_model.name_call_outputs(meta.graph_def, ["StatefulPartitionedCall_1:0"])
    nodes = {n.name: n for n in out.node}
    assert nodes["StatefulPartitionedCall_1"].op == "IdentityN"
    assert list(nodes["StatefulPartitionedCall_1"].input) == ["StatefulPartitionedCall_1/call:0"]
    assert nodes["StatefulPartitionedCall_1/call"].op == "StatefulPartitionedCall"
    assert nodes["StatefulPartitionedCall"].op == "StatefulPartitionedCall"  # not asked for: unchanged


def test_cli_run_takes_signature_keys(model_dir, feeds, expected, cli, tmp_path):
    """`--feed x=...` and `--fetch y` name the serving signature's own keys."""
    np.save(tmp_path / "x.npy", feeds["x"])
    cli("run", model_dir, "--feed", f"x={tmp_path / 'x.npy'}", "--fetch", "y", "-o", tmp_path / "out.npz",
        check=True)
    np.testing.assert_allclose(np.load(tmp_path / "out.npz")["StatefulPartitionedCall_1:0"], expected["y"],
                               atol=ATOL)


def test_cli_run_single_input_needs_no_feed_name(model_dir, feeds, expected, cli, tmp_path):
    """A model with one input takes `--feed FILE.npy`; an unnamed feed is refused when ambiguous."""
    np.save(tmp_path / "x.npy", feeds["x"])
    cli("run", model_dir, "--feed", tmp_path / "x.npy", "-o", tmp_path / "out.npz", check=True)
    np.testing.assert_allclose(np.load(tmp_path / "out.npz")["StatefulPartitionedCall_1:0"], expected["y"],
                               atol=ATOL)


def test_inspect_lists_the_captured_variables_with_trainable_flags(model_dir, cli):
    """TF2 variables come from the object graph: names `w`/`b`, trainable, no loader duplicates."""
    import json

    info = json.loads(cli("inspect", model_dir, "--json", check=True).stdout)
    variables = {v["name"]: v for v in info["variables"]}
    assert sorted(variables) == ["b", "w"]
    assert variables["w"]["shape"] == [3, 2] and variables["w"]["trainable"] is True
    assert variables["b"]["trainable"] is True
