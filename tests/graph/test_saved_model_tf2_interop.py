"""TF2 SavedModels written by TensorFlow at test time, loaded, run and converted by ortflow.

`tools/gen_tf2_saved_models.py` runs in a subprocess (a fresh, eager TensorFlow: other interop
tests turn v2 behaviour off process-wide) and writes SavedModels with TF's outputs: a
`tf.Module` with two signatures (`tf.saved_model.save`), a Keras Sequential
(`tf.saved_model.save`), a two-input Keras functional model (`model.export`), a function
capturing a large constant, nested `tf.function` calls, Embedding + BatchNormalization,
an LSTM + GRU and a function with tf.cond/while_loop/switch_case (functional If/While/Case); and two
variants: a signature assigning a variable (runs in a Session, refused by convert) and a lookup table. Expected values
are TF2's (`tf.saved_model.load(...).signatures[...]`): TensorFlow's own v1 loader cannot run the
Keras ones (their restore function assigns handles other than those the signature captures).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO

ATOL = 1e-5
MODELS = ["module", "keras_sequential", "keras_functional", "captured_constant", "nested_functions",
          "keras_embedding_batchnorm", "keras_rnn", "control_flow"]

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def models(tf, tmp_path_factory):
    out = tmp_path_factory.mktemp("tf2_saved_models")
    proc = subprocess.run([sys.executable, str(REPO / "tools" / "gen_tf2_saved_models.py"), str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def _case(models, name):
    path = models / name
    return path, dict(np.load(path / "inputs.npz")), dict(np.load(path / "expected.npz"))


def _signature(path, key="serving_default"):
    from ortflow.graph import saved_model

    meta = saved_model.meta_graph_by_tags(saved_model.read_saved_model(path), ["serve"], str(path))
    return meta.signature_def[key]


@pytest.mark.parametrize("name", MODELS)
def test_v1_api_matches_tf2(models, name):
    import ortflow as otf

    path, feeds, expected = _case(models, name)
    with otf.Session(graph=otf.Graph()) as sess:
        meta = otf.saved_model.loader.load(sess, ["serve"], str(path))
        sig = meta.signature_def["serving_default"]
        got = sess.run({k: v.name for k, v in sig.outputs.items()},
                       {sig.inputs[k].name: v for k, v in feeds.items()})
    assert set(got) <= set(expected)
    for key, value in got.items():
        np.testing.assert_allclose(value, expected[key], atol=ATOL)


def test_module_matches_tensorflows_v1_loader(tf, models):
    """For a tf.Module, TF's own v1 loader (which runs the SaverDef's restore op) works too."""
    path, feeds, expected = _case(models, "module")
    sig = _signature(path, "double")
    graph = tf.Graph()
    with tf.Session(graph=graph) as sess:
        tf.saved_model.loader.load(sess, ["serve"], str(path))
        theirs = sess.run(sig.outputs["z"].name, {sig.inputs["x"].name: feeds["x"]})
    np.testing.assert_allclose(theirs, expected["z"], atol=ATOL)
    from ortflow.runtime.loading import load

    session, inputs, outputs = load(path, signature="double")
    np.testing.assert_allclose(session.run(outputs[0], {inputs[0]: feeds["x"]}), theirs, atol=ATOL)


@pytest.mark.parametrize("name", MODELS)
def test_cli_run_and_convert(models, name, cli, tmp_path):
    import onnxruntime as ort

    path, feeds, expected = _case(models, name)
    sig = _signature(path)
    args = []
    onnx_feeds = {}
    for key, value in feeds.items():
        np.save(tmp_path / f"{key}.npy", value)
        args += ["--feed", f"{sig.inputs[key].name}={tmp_path / (key + '.npy')}"]
        onnx_feeds[sig.inputs[key].name] = value
    cli("run", path, "--signature", "serving_default", *args, "-o", tmp_path / "out.npz", check=True)
    ran = np.load(tmp_path / "out.npz")
    cli("convert", path, "-o", tmp_path / "m.onnx", check=True)
    sess = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    for key, info in sig.outputs.items():
        np.testing.assert_allclose(ran[info.name], expected[key], atol=ATOL)
        converted = sess.run([info.name], onnx_feeds)[0]
        np.testing.assert_allclose(converted, expected[key], atol=ATOL)


@pytest.mark.parametrize("name", ["module", "keras_sequential", "nested_functions"])
def test_frozen_graph_runs_in_tensorflow(tf, models, name, cli, tmp_path):
    """`ortflow freeze` of a TF2 SavedModel: TensorFlow imports the frozen graph and matches TF2."""
    path, feeds, expected = _case(models, name)
    sig = _signature(path)
    cli("freeze", path, "-o", tmp_path / "frozen.pb", check=True)
    graph_def = tf.GraphDef.FromString((tmp_path / "frozen.pb").read_bytes())
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    with tf.Session(graph=graph) as sess:
        got = sess.run({k: v.name for k, v in sig.outputs.items()},
                       {sig.inputs[k].name: v for k, v in feeds.items()})
    for key, value in got.items():
        np.testing.assert_allclose(value, expected[key], atol=ATOL)


@pytest.mark.parametrize("name", MODELS)
def test_cli_inspect_lists_the_signature(models, name, cli):
    path, _, _ = _case(models, name)
    proc = cli("inspect", path, check=True)
    assert "signature_def['serving_default']" in proc.stdout
    for info in _signature(path).inputs.values():
        assert info.name in proc.stdout


def test_saved_object_graph_view_fields_are_tensorflows(tf):
    """Each field of our SavedObjectGraph subset has TensorFlow's number, name, type and label."""
    from google.protobuf import descriptor_pool
    from ortflow.proto.saved_object_graph_pb2 import SavedObjectGraphView
    from tensorflow.core.protobuf import saved_object_graph_pb2  # noqa: F401 - loads the descriptors

    pool = descriptor_pool.Default()
    pairs = [(SavedObjectGraphView.DESCRIPTOR, "tensorflow.SavedObjectGraph")]
    pairs += [(d, f"tensorflow.{d.name}") for d in SavedObjectGraphView.DESCRIPTOR.nested_types
              if not d.GetOptions().map_entry]
    for ours, tf_name in pairs:
        theirs = pool.FindMessageTypeByName(tf_name)
        by_number = {f.number: f for f in theirs.fields}
        for field in ours.fields:
            other = by_number.get(field.number)
            assert other is not None, f"{tf_name} has no field {field.number}"
            assert (field.name, field.type, field.is_repeated) == (other.name, other.type, other.is_repeated), \
                f"{tf_name}.{field.name}"


def test_signature_that_assigns_a_variable_runs_and_is_not_frozen(models, cli, tmp_path):
    """A Session runs the write as each TF2 call does (5 + 1, then + 1 again); freezing or
    converting it is refused in one line, since a constant cannot count."""
    path = models / "stateful_counter"
    from ortflow.runtime.loading import load

    feeds, expected = dict(np.load(path / "inputs.npz")), dict(np.load(path / "expected.npz"))
    session, inputs, outputs = load(path)
    first = session.run(outputs, {inputs[0]: feeds["x"]})[0]
    second = session.run(outputs, {inputs[0]: feeds["x"]})[0]
    np.testing.assert_allclose(first, expected["y"])
    np.testing.assert_allclose(second, feeds["x"] * 7)
    proc = cli("convert", path, "-o", tmp_path / "m.onnx")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "cannot be frozen or converted" in lines[0], proc.stderr


def test_lookup_table_is_reported_as_unsupported_ops(models, cli, tmp_path):
    # Known gap: hash tables have no ONNX lowering; the converter names the ops it cannot convert.
    path = models / "lookup_table"
    proc = cli("convert", path, "-o", tmp_path / "m.onnx")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert str(path) in proc.stderr and "LookupTableFindV2" in proc.stderr, proc.stderr
