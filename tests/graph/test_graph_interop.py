"""Interop tier: import_graph_def, freezing and Saver output compared with TensorFlow itself."""

from __future__ import annotations

import numpy as np
import pytest
from ortflow.formats import dtypes
from ortflow.graph import Graph
from ortflow.graph.freeze import freeze
from ortflow.graph.importer import import_graph_def
from ortflow.graph.saver import Saver
from ortflow.graph.variables import Variable
from ortflow.proto import GraphDef, MetaGraphDef

pytestmark = [pytest.mark.interop, pytest.mark.filterwarnings("ignore::Warning")]


def _ours(msg, cls):
    out = cls()
    out.ParseFromString(msg.SerializeToString())
    return out


def _edges(graph_def):
    return [(n.name, n.op, list(n.input)) for n in graph_def.node]


def test_import_graph_def_prefix_and_input_map_match_tensorflow(tf, data_dir):
    meta = MetaGraphDef()
    meta.ParseFromString((data_dir / "mlp/ckpt/model.ckpt-30.meta").read_bytes())
    source = meta.graph_def
    calls = [dict(name="net", input_map={"input:0": "feed", "^init": "feed"}),
             dict(name="net", input_map={"layer0/Relu": "feed2"}),
             dict(name=None, input_map=None), dict(name="", input_map=None)]

    tf_graph = tf.Graph()
    with tf_graph.as_default():
        feed = tf.placeholder(tf.float32, [None, 20], name="feed")
        feed2 = tf.placeholder(tf.float32, [None, 32], name="feed2")
        tf_source = tf.GraphDef.FromString(source.SerializeToString())
        for call in calls:
            mapping = {k: {"feed": feed, "feed2": feed2}[v] for k, v in (call["input_map"] or {}).items()}
            tf.import_graph_def(tf_source, input_map=mapping or None, name=call["name"])
    theirs = _ours(tf_graph.as_graph_def(), GraphDef)

    g = Graph()
    with g.as_default():
        a = g.create_op("Placeholder", [], attrs={"dtype": dtypes.float32}, name="feed").outputs[0]
        b = g.create_op("Placeholder", [], attrs={"dtype": dtypes.float32}, name="feed2").outputs[0]
        for call in calls:
            mapping = {k: {"feed": a, "feed2": b}[v] for k, v in (call["input_map"] or {}).items()}
            import_graph_def(source, input_map=mapping or None, name=call["name"])
    ours = g.as_graph_def()
    assert _edges(ours)[2:] == _edges(theirs)[2:]
    for x, y in zip(ours.node[2:], theirs.node[2:]):
        assert x.device == y.device and dict(x.attr).keys() - {"_has_manual_control_dependencies"} == \
            dict(y.attr).keys() - {"_has_manual_control_dependencies"}, x.name
        if "_class" in y.attr:
            assert x.attr["_class"] == y.attr["_class"], x.name


def _tf_freeze(tf, meta_path, checkpoint, outputs):
    graph = tf.Graph()
    with graph.as_default():
        saver = tf.train.import_meta_graph(str(meta_path))
        # The sharded fixture pins a shard to /device:CPU:1, so give the session two CPUs.
        config = tf.ConfigProto(device_count={"CPU": 2}, allow_soft_placement=True)
        with tf.Session(graph=graph, config=config) as sess:
            saver.restore(sess, str(checkpoint))
            frozen = tf.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(), outputs)
    return _ours(frozen, GraphDef)


@pytest.mark.parametrize("meta,checkpoint,outputs", [
    ("mlp/ckpt/model.ckpt-30.meta", "mlp/ckpt/model.ckpt-30", ["output"]),
    ("cnn/ckpt/cnn.meta", "cnn/ckpt/cnn", ["probs"]),
    ("ckpt_sharded/ckpt/sharded.meta", "ckpt_sharded/ckpt/sharded", ["looked_up"]),
    ("cond_v1_resource/model.meta", "cond_v1_resource/model", ["out"]),
])
def test_freeze_equals_tensorflow_freezing_the_same_meta(tf, data_dir, meta, checkpoint, outputs):
    theirs = _tf_freeze(tf, data_dir / meta, data_dir / checkpoint, outputs)
    ours = freeze(data_dir / meta, data_dir / checkpoint, outputs)
    assert _edges(ours) == _edges(theirs)
    for x, y in zip(ours.node, theirs.node):
        assert x == y, x.name
    assert ours.library == theirs.library


def test_meta_and_checkpoint_written_by_ortflow_restore_in_tensorflow(tf, tmp_path):
    g = Graph()
    with g.as_default():
        Variable._build_ref(np.zeros((3, 2), np.float32), name="dense/w")
        Variable._build_resource(lambda: np.zeros((2,), np.float32), name="dense/b", dtype=dtypes.float32)
        Variable._build_ref(np.int64(0), name="global_step", trainable=False)
        saver = Saver()

    class DictVariableStore:  # stand-in for the runtime Session's variable state
        def __init__(self, values):
            self.values = values

        def variable_values(self, names):
            return {n: self.values[n] for n in names}

    values = {"dense/w": np.arange(6, dtype=np.float32).reshape(3, 2), "dense/b": np.array([7, 8], np.float32),
              "global_step": np.int64(42)}
    prefix = saver.save(DictVariableStore(values), str(tmp_path / "model.ckpt"), global_step=42)
    graph = tf.Graph()
    with graph.as_default():
        tf_saver = tf.train.import_meta_graph(prefix + ".meta")
        assert sorted(v.op.name for v in tf.global_variables()) == ["dense/b", "dense/w", "global_step"]
        assert sorted(v.op.name for v in tf.trainable_variables()) == ["dense/b", "dense/w"]
        with tf.Session(graph=graph) as sess:
            tf_saver.restore(sess, prefix)
            got = sess.run({"dense/w": "dense/w:0", "dense/b": "dense/b/Read/ReadVariableOp:0",
                            "global_step": "global_step:0"})
            assert tf.train.latest_checkpoint(str(tmp_path)) == prefix
    for name, value in values.items():
        np.testing.assert_array_equal(got[name], value)


def test_freeze_saved_model_equals_tensorflow(tf, data_dir):
    from ortflow.graph import saved_model
    export_dir = str(data_dir / "saved_model/saved_model")
    graph = tf.Graph()
    with graph.as_default(), tf.Session(graph=graph) as sess:
        tf.saved_model.loader.load(sess, ["serve"], export_dir)
        theirs = _ours(tf.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(), ["y"]), GraphDef)
    meta = saved_model.meta_graph_by_tags(saved_model.read_saved_model(export_dir), ["serve"])
    ours = freeze(meta, saved_model.variables_prefix(export_dir), ["y"])
    assert _edges(ours) == _edges(theirs)
    for x, y in zip(ours.node, theirs.node):
        assert x == y, x.name


@pytest.mark.parametrize("fixture", ["mobilenet_v2", "transformer"])
def test_import_frozen_fixture_with_prefix_and_input_map_matches_tensorflow(tf, data_dir, fixture):
    import json
    manifest = json.loads((data_dir / fixture / "manifest.json").read_text())
    source = GraphDef()
    source.ParseFromString((data_dir / fixture / "frozen.pb").read_bytes())
    first_input = manifest["inputs"][0]
    dtype = next(n for n in source.node if n.name == first_input.split(":")[0]).attr["dtype"].type

    tf_graph = tf.Graph()
    with tf_graph.as_default():
        feed = tf.placeholder(tf.as_dtype(dtype), name="feed")
        tf_source = tf.GraphDef.FromString(source.SerializeToString())
        tf.import_graph_def(tf_source, input_map={first_input: feed}, name="model")
        tf.import_graph_def(tf_source, name="model")
    theirs = _ours(tf_graph.as_graph_def(), GraphDef)

    g = Graph()
    with g.as_default():
        ours_feed = g.create_op("Placeholder", [], attrs={"dtype": dtypes.as_dtype(dtype)}, name="feed").outputs[0]
        import_graph_def(source, input_map={first_input: ours_feed}, name="model")
        import_graph_def(source, name="model")
    ours = g.as_graph_def()
    assert _edges(ours)[1:] == _edges(theirs)[1:]
    for x, y in zip(ours.node[1:], theirs.node[1:]):
        assert x == y, x.name
    assert ours.library == theirs.library


def test_freeze_through_v2_control_flow_functions_equals_tensorflow(tf, data_dir):
    import re

    def norm(text):  # TensorFlow numbers renamed functions from a process-wide counter
        return re.sub(r"_frozen_\d+", "_frozen_N", text)

    d = data_dir / "cond_v2_resource"
    theirs = _tf_freeze(tf, d / "model.meta", d / "model", ["out"])
    ours = freeze(d / "model.meta", d / "model", ["out"])
    assert [norm(str(n)) for n in ours.node] == [norm(str(n)) for n in theirs.node]
    key = lambda f: norm(f.signature.name)
    assert [norm(str(f)) for f in sorted(ours.library.function, key=key)] == \
        [norm(str(f)) for f in sorted(theirs.library.function, key=key)]
