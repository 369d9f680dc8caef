"""A frozen graph fed by a tf.data iterator: its `IteratorGetNext` outputs are the inputs.

tests/data/input_pipeline/frozen.pb was frozen by TensorFlow 2.21 from a script that read its
batches with `make_one_shot_iterator(...).get_next()` (see its generate.py).
"""

from __future__ import annotations

import json

import numpy as np
import onnxruntime as ort
from ortflow.converters import convert
from ortflow.formats.graphs import read_graph

INPUTS = ["IteratorGetNext:0", "IteratorGetNext:1"]


def _case(data_dir):
    folder = data_dir / "input_pipeline"
    arrays = np.load(folder / "expected.npz")
    feeds = {k.removeprefix("feed:"): arrays[k] for k in arrays.files if k.startswith("feed:")}
    return folder / "frozen.pb", feeds, arrays["fetch:logits:0"]


def test_inspect_finds_the_iterator_outputs_as_inputs(data_dir, cli):
    path, _, _ = _case(data_dir)
    info = json.loads(cli("inspect", path, "--json", check=True).stdout)
    assert [(i["name"], i["dtype"], i["shape"]) for i in info["inputs"]] == [
        ("IteratorGetNext:0", "float32", [None, 4]), ("IteratorGetNext:1", "int64", [None])]
    assert [o["name"] for o in info["outputs"]] == ["logits:0"]  # no dataset node


def test_convert_defaults_feed_both_outputs_of_one_node(data_dir):
    path, feeds, expected = _case(data_dir)
    model = convert(read_graph(str(path)))
    assert [i.name for i in model.graph.input] == INPUTS
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(sess.run(["logits:0"], feeds)[0], expected, atol=1e-5)


def test_session_and_cli_run(data_dir, cli, tmp_path):
    import ortflow as tf

    path, feeds, expected = _case(data_dir)
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(read_graph(str(path)), name="")
    with tf.Session(graph=graph) as sess:
        np.testing.assert_allclose(sess.run("logits:0", feeds), expected, atol=1e-5)
    args = []
    for name, value in feeds.items():
        np.save(tmp_path / f"{name.replace(':', '_')}.npy", value)
        args += ["--feed", f"{name}={tmp_path / (name.replace(':', '_') + '.npy')}"]
    cli("run", path, *args, "-o", tmp_path / "out.npz", check=True)
    np.testing.assert_allclose(np.load(tmp_path / "out.npz")["logits:0"], expected, atol=1e-5)
