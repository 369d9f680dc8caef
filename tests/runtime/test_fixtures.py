"""Session.run on every TF-made fixture with inputs and expected outputs: frozen, .meta + ckpt, SavedModel.

Each case feeds the fixture's inputs.npz and compares with TensorFlow's expected.npz (atol 1e-4).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from ortflow.formats.graphs import read_graph
from ortflow.graph import Graph
from ortflow.graph.importer import import_graph_def
from ortflow.runtime import Session, load, restore_variables

ATOL = 1e-4

FROZEN = ["mlp", "cnn", "mobilenet_v2", "transformer"]
# fixture -> .meta path and checkpoint prefix, relative to the fixture directory
META = {
    "mlp": ("ckpt/model.ckpt-30.meta", "ckpt/model.ckpt-30"),
    "cnn": ("ckpt/cnn.meta", "ckpt/cnn"),
    "ckpt_sharded": ("ckpt/sharded.meta", "ckpt/sharded"),
}


def _io(fixture_dir):
    manifest = json.loads((fixture_dir / "manifest.json").read_text())
    inputs = dict(np.load(fixture_dir / "inputs.npz"))
    expected = dict(np.load(fixture_dir / "expected.npz"))
    assert set(inputs) == set(manifest["inputs"]) and set(expected) == set(manifest["outputs"])
    return inputs, expected


def _check(sess, inputs, expected):
    names = sorted(expected)
    values = sess.run(names, feed_dict=inputs)
    for name, value in zip(names, values):
        assert value.shape == expected[name].shape, name
        np.testing.assert_allclose(value, expected[name], atol=ATOL, rtol=0, err_msg=name)


@pytest.mark.parametrize("fixture", FROZEN)
def test_frozen_graph(data_dir, fixture):
    inputs, expected = _io(data_dir / fixture)
    graph = Graph()
    with graph.as_default():
        import_graph_def(read_graph(data_dir / fixture / "frozen.pb"), name="")
    with Session(graph=graph, providers="cpu") as sess:
        _check(sess, inputs, expected)
        assert sess.last_run_backend == "onnxruntime"


@pytest.mark.parametrize("fixture", sorted(META))
def test_meta_graph_with_checkpoint(data_dir, fixture):
    meta_path, prefix = META[fixture]
    inputs, expected = _io(data_dir / fixture)
    meta = read_graph(data_dir / fixture / meta_path)
    graph = Graph()
    with graph.as_default():
        import_graph_def(meta.graph_def, name="")
    with Session(graph=graph, providers="cpu") as sess:
        restored = restore_variables(sess, meta, str(data_dir / fixture / prefix))
        assert restored and sess.uninitialized_variables() == []
        _check(sess, inputs, expected)


@pytest.mark.parametrize("fixture", sorted(META))
def test_import_meta_graph_and_saver_restore(data_dir, fixture):
    from ortflow.graph.meta_graph import import_meta_graph

    meta_path, prefix = META[fixture]
    inputs, expected = _io(data_dir / fixture)
    graph = Graph()
    with graph.as_default():
        saver = import_meta_graph(str(data_dir / fixture / meta_path))
    with Session(graph=graph, providers="cpu") as sess:
        saver.restore(sess, str(data_dir / fixture / prefix))
        _check(sess, inputs, expected)


def test_meta_graph_values_match_the_checkpointed_variables(data_dir):
    # mlp/variables.npz holds TensorFlow's values at step 30 ('__' stands for '/').
    session, _, _ = load(data_dir / "mlp" / "ckpt" / "model.ckpt-30.meta", providers="cpu")
    want = {k.replace("__", "/"): v for k, v in np.load(data_dir / "mlp" / "variables.npz").items()}
    got = session.variable_values(sorted(want))
    for name, value in want.items():
        np.testing.assert_array_equal(got[name], value, err_msg=name)


def test_saved_model(data_dir):
    inputs, expected = _io(data_dir / "saved_model")
    sess, ins, outs = load(data_dir / "saved_model" / "saved_model", providers="cpu")
    assert ins == ["x:0"] and outs == ["y:0"]
    _check(sess, inputs, expected)


@pytest.mark.parametrize("fixture", ["mlp", "cnn"])
def test_load_frozen_and_meta(data_dir, fixture):
    inputs, expected = _io(data_dir / fixture)
    sess, _, outs = load(data_dir / fixture / "frozen.pb", providers="cpu")
    assert set(expected) <= set(outs)
    _check(sess, inputs, expected)
    sess, _, _ = load(data_dir / fixture / META[fixture][0], providers="cpu")
    _check(sess, inputs, expected)


def test_mlp_training_graph_initialises_and_trains(data_dir):
    """The whole mlp training graph: `init` runs every initializer, `train_op` changes weights."""
    meta = read_graph(data_dir / "mlp" / "ckpt" / "model.ckpt-30.meta")
    graph = Graph()
    with graph.as_default():
        import_graph_def(meta.graph_def, name="")
    init = [n.name for n in meta.graph_def.node if n.op == "NoOp" and n.name.startswith("init")]
    if not init:
        pytest.fail("the mlp fixture has no init op")
    with Session(graph=graph, providers="cpu") as sess:
        assert sess.uninitialized_variables()
        sess.run(init[0])
        assert sess.uninitialized_variables() == []


@pytest.mark.parametrize("fixture", sorted(META))
def test_load_meta_defaults_to_the_inference_outputs(data_dir, fixture):
    _, expected = _io(data_dir / fixture)
    _, _, outputs = load(data_dir / fixture / META[fixture][0], providers="cpu")
    assert set(expected) <= set(outputs)
    assert not any(o.startswith(("gradients/", "save/")) for o in outputs)
