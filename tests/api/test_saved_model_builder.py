"""SavedModel writing: `simple_save` and `SavedModelBuilder` produce what TensorFlow's loader reads.

The plain tests write with ortflow and read back with ortflow (the Python loader, `ortflow run`
and `ortflow convert` in real subprocesses); the interop tests read ortflow's directories with
TensorFlow's own `tf.compat.v1.saved_model.loader.load` and compare with what TensorFlow
writes for the same graph.
"""

from __future__ import annotations

import os

import numpy as np
import ortflow as tf
import pytest
from ortflow.proto import SavedModel

X = np.array([[1.0, 2.0], [0.5, -1.0]], np.float32)
W = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)


def _files(export_dir) -> list[str]:
    return sorted(os.path.relpath(os.path.join(r, f), export_dir).replace(os.sep, "/")
                  for r, _, fs in os.walk(export_dir) for f in fs)


def _mlp(tf_module):
    """x -> relu(x @ w + b), built with `tf_module` (ortflow or tf.compat.v1) in its default graph."""
    x = tf_module.placeholder(tf_module.float32, [None, 2], name="x")
    w = tf_module.get_variable("w", initializer=W)
    b = tf_module.Variable(np.array([0.5, -20.0], np.float32), name="b")
    return x, tf_module.nn.relu(tf_module.matmul(x, w) + b, name="y")


def _expected() -> np.ndarray:
    return np.maximum(X @ W + np.array([0.5, -20.0], np.float32), 0)


def _simple_save(tmp_path):
    export_dir = tmp_path / "export"
    with tf.Graph().as_default():
        x, y = _mlp(tf)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.saved_model.simple_save(sess, str(export_dir), inputs={"x": x}, outputs={"y": y})
    return export_dir


def _assets_model(tmp_path, as_text: bool):
    """A builder export with an asset, a main op that records the asset's path, and two meta graphs."""
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("a\nb\n")
    export_dir = tmp_path / "assets_export"
    with tf.Graph().as_default():
        asset = tf.constant(str(vocab), name="vocab_path")
        tf.add_to_collection(tf.GraphKeys.ASSET_FILEPATHS, asset)
        path_var = tf.Variable("", name="path_var", trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES])
        counter = tf.Variable(0, name="counter")
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        y = tf.identity(x * 2.0, name="y")
        main = tf.group(tf.assign(path_var, asset), tf.assign(counter, 42), name="my_main")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            b = tf.saved_model.builder.SavedModelBuilder(str(export_dir))
            sig = tf.saved_model.signature_def_utils.predict_signature_def({"x": x}, {"y": y})
            b.add_meta_graph_and_variables(sess, [tf.saved_model.tag_constants.SERVING],
                                           signature_def_map={"serving_default": sig},
                                           assets_collection=tf.get_collection(tf.GraphKeys.ASSET_FILEPATHS),
                                           main_op=main)
            b.add_meta_graph([tf.saved_model.tag_constants.TRAINING], strip_default_attrs=True)
            path = b.save(as_text=as_text)
    return export_dir, path


# -- ortflow writes, ortflow reads ------------------------------------------------------------------
def test_simple_save_writes_the_tensorflow_layout_and_loads_back(tmp_path):
    export_dir = _simple_save(tmp_path)
    assert _files(export_dir) == ["saved_model.pb", "variables/variables.data-00000-of-00001",
                                  "variables/variables.index"]
    saved = SavedModel.FromString((export_dir / "saved_model.pb").read_bytes())
    assert saved.saved_model_schema_version == 1
    meta = saved.meta_graphs[0]
    assert list(meta.meta_info_def.tags) == ["serve"]
    assert meta.saver_def.sharded and meta.saver_def.restore_op_name == "save/restore_all"
    sig = meta.signature_def["serving_default"]
    assert sig.method_name == "tensorflow/serving/predict"
    assert sig.inputs["x"].name == "x:0" and [d.size for d in sig.inputs["x"].tensor_shape.dim] == [-1, 2]
    with tf.Graph().as_default(), tf.Session() as sess:
        loaded = tf.saved_model.loader.load(sess, ["serve"], str(export_dir))
        sig = loaded.signature_def["serving_default"]
        out = sess.run(sig.outputs["y"].name, {sig.inputs["x"].name: X})
    np.testing.assert_allclose(out, _expected(), rtol=1e-6)


def test_builder_assets_main_op_text_format_and_second_meta_graph(tmp_path):
    export_dir, path = _assets_model(tmp_path, as_text=True)
    assert path == str(export_dir / "saved_model.pbtxt")
    assert _files(export_dir) == ["assets/vocab.txt", "saved_model.pbtxt",
                                  "variables/variables.data-00000-of-00001", "variables/variables.index"]
    assert (export_dir / "assets/vocab.txt").read_text() == "a\nb\n"
    from ortflow.graph.saved_model import read_saved_model
    saved = read_saved_model(export_dir)
    serve, train = saved.meta_graphs
    assert not serve.meta_info_def.stripped_default_attrs and train.meta_info_def.stripped_default_attrs
    counters = [next(n for n in m.graph_def.node if n.name == "counter") for m in (serve, train)]
    assert "shared_name" in counters[0].attr and "shared_name" not in counters[1].attr  # default ""
    assert sorted(serve.collection_def) == sorted(train.collection_def)
    assert "saved_model_assets" in serve.collection_def and "saved_model_main_op" in serve.collection_def
    for tags in (["serve"], ["train"]):
        with tf.Graph().as_default(), tf.Session() as sess:
            tf.saved_model.loader.load(sess, tags, str(export_dir))
            path_value, counter = sess.run(["path_var:0", "counter:0"])
        # The main op ran after the restore, with the asset tensor fed the copied file's path.
        assert path_value.decode() == os.path.join(str(export_dir), "assets", "vocab.txt")
        assert counter == 42


def test_builder_refuses_a_non_empty_export_dir_and_misuse(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("x")
    with pytest.raises(AssertionError, match="already exists, and isn't empty"):
        tf.saved_model.builder.SavedModelBuilder(str(tmp_path / "full"))
    (tmp_path / "empty").mkdir()
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2], name="x")
        b = tf.saved_model.Builder(str(tmp_path / "empty"))  # an existing empty directory is fine
        with pytest.raises(AssertionError, match="add_meta_graph_and_variables"):
            b.add_meta_graph(["serve"])
        bad = tf.saved_model.build_signature_def({"x": tf.TensorInfo(name="x:0")}, {}, "m")
        with tf.Session() as sess:
            with pytest.raises(AssertionError, match="no dtype"):
                b.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={"s": bad})
            with pytest.raises(KeyError, match="reserved"):
                b.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={
                    "__saved_model_init_op": tf.saved_model.predict_signature_def({"x": x}, {"y": x})})
            b.add_meta_graph_and_variables(sess, ["serve"])  # no variables: allowed, as in TensorFlow
            with pytest.raises(AssertionError, match="already been saved"):
                b.add_meta_graph_and_variables(sess, ["serve"])
    b.save()
    assert _files(tmp_path / "empty") == ["saved_model.pb"]


def test_signature_def_utils_check_types_as_tensorflow():
    with tf.Graph().as_default():
        examples = tf.placeholder(tf.string, [None], name="examples")
        scores = tf.placeholder(tf.float32, [None, 3], name="scores")
        classes = tf.placeholder(tf.string, [None, 3], name="classes")
        info = tf.saved_model.utils.build_tensor_info(scores)
        assert (info.name, info.dtype, [d.size for d in info.tensor_shape.dim]) == ("scores:0", 1, [-1, 3])
        assert tf.saved_model.utils.get_tensor_from_tensor_info(info) is scores
        sig = tf.saved_model.classification_signature_def(examples, classes, scores)
        assert sig.method_name == "tensorflow/serving/classify"
        assert sorted(sig.outputs) == ["classes", "scores"] and tf.saved_model.is_valid_signature(sig)
        reg = tf.saved_model.regression_signature_def(examples, scores)
        assert list(reg.inputs) == ["inputs"] and list(reg.outputs) == ["outputs"]
        with pytest.raises(ValueError, match="must be of type string"):
            tf.saved_model.classification_signature_def(scores, classes, scores)
        with pytest.raises(ValueError, match="cannot both be None"):
            tf.saved_model.classification_signature_def(examples, None, None)
        with pytest.raises(ValueError, match="must be of type float"):
            tf.saved_model.regression_signature_def(examples, classes)
        with pytest.raises(ValueError, match="cannot be None or empty"):
            tf.saved_model.predict_signature_def({}, {"s": scores})
        unknown = tf.saved_model.build_tensor_info(tf.placeholder(tf.float32, name="u"))
        assert unknown.tensor_shape.unknown_rank
        default = tf.saved_model.build_signature_def({"s": info}, {}, "m", defaults={"k": tf.constant(3.0)})
        assert default.defaults["k"].float_val == [3.0]


def test_written_saved_model_runs_and_converts_on_the_cli(tmp_path, cli):
    export_dir = _simple_save(tmp_path)
    np.save(tmp_path / "x.npy", X)
    proc = cli("run", export_dir, "--feed", f"x={tmp_path / 'x.npy'}", "-o", tmp_path / "out.npz", check=True)
    with np.load(tmp_path / "out.npz") as out:
        np.testing.assert_allclose(out["y:0"], _expected(), rtol=1e-6)
    cli("convert", export_dir, "-o", tmp_path / "m.onnx", check=True)
    import onnxruntime as ort
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    (result,) = session.run(None, {session.get_inputs()[0].name: X})
    np.testing.assert_allclose(result, _expected(), rtol=1e-6)
    assert proc.returncode == 0


# -- TensorFlow reads what ortflow wrote --------------------------------------------------------
def _tf_load_and_run(tf_v1, export_dir, tags, fetches, feed=None):
    graph = tf_v1.Graph()
    with graph.as_default(), tf_v1.Session(graph=graph) as sess:
        meta = tf_v1.saved_model.loader.load(sess, tags, str(export_dir))
        return meta, sess.run(fetches, feed)


@pytest.mark.interop
def test_tensorflow_loads_simple_save_output_and_runs_its_signature(tf, tmp_path):
    export_dir = _simple_save(tmp_path)
    graph = tf.Graph()
    with graph.as_default(), tf.Session(graph=graph) as sess:
        meta = tf.saved_model.loader.load(sess, [tf.saved_model.tag_constants.SERVING], str(export_dir))
        sig = meta.signature_def[tf.saved_model.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY]
        out = sess.run(sig.outputs["y"].name, {sig.inputs["x"].name: X})
    np.testing.assert_allclose(out, _expected(), rtol=1e-6)


@pytest.mark.interop
@pytest.mark.parametrize("as_text", [False, True])
def test_tensorflow_runs_the_main_op_with_the_assets(tf, tmp_path, as_text):
    export_dir, _ = _assets_model(tmp_path, as_text)
    for tags in (["serve"], ["train"]):
        _, (path_value, counter, y) = _tf_load_and_run(tf, export_dir, tags, ["path_var:0", "counter:0", "y:0"],
                                                       {"x:0": X})
        assert path_value.decode() == os.path.join(str(export_dir), "assets", "vocab.txt")
        assert counter == 42
        np.testing.assert_allclose(y, X * 2)


@pytest.mark.interop
def test_layout_and_saver_match_what_tensorflow_writes(tf, tmp_path):
    ours = _simple_save(tmp_path)
    theirs = tmp_path / "tf_export"
    graph = tf.Graph()
    with graph.as_default():
        x, y = _mlp(tf)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            tf.saved_model.simple_save(sess, str(theirs), inputs={"x": x}, outputs={"y": y})
    assert _files(ours) == _files(theirs)
    mine = SavedModel.FromString((ours / "saved_model.pb").read_bytes()).meta_graphs[0]
    tfs = SavedModel.FromString((theirs / "saved_model.pb").read_bytes()).meta_graphs[0]
    assert mine.saver_def == tfs.saver_def
    assert mine.signature_def == tfs.signature_def
    assert list(mine.meta_info_def.tags) == list(tfs.meta_info_def.tags)
    assert sorted(mine.collection_def) == sorted(tfs.collection_def)


@pytest.mark.interop
def test_ortflow_runs_the_main_op_of_a_tensorflow_export(tf, tmp_path):
    vocab = tmp_path / "labels.txt"
    vocab.write_text("x\n")
    export_dir = tmp_path / "tf_assets"
    graph = tf.Graph()
    with graph.as_default():
        asset = tf.constant(str(vocab), name="labels_path")
        tf.add_to_collection(tf.GraphKeys.ASSET_FILEPATHS, asset)
        path_var = tf.Variable("", name="path_var", trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES])
        counter = tf.Variable(0, name="counter")
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        main = tf.group(tf.assign(path_var, asset), tf.assign(counter, 7), name="legacy_main")
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            tf.saved_model.simple_save(sess, str(export_dir), {"x": x}, {"y": tf.identity(x, name="y")},
                                       legacy_init_op=main)
    of = tf_ortflow()
    with of.Graph().as_default(), of.Session() as sess:
        of.saved_model.loader.load(sess, ["serve"], str(export_dir))
        path_value, count = sess.run(["path_var:0", "counter:0"])
    assert path_value.decode() == os.path.join(str(export_dir), "assets", "labels.txt") and count == 7


def tf_ortflow():
    """ortflow itself (inside interop tests the name `tf` is TensorFlow's fixture)."""
    import ortflow
    return ortflow


def _main_op_names(module):
    with module.Graph().as_default():
        module.Variable(1.0, name="v")
        op = module.saved_model.main_op.main_op()
        return op.type, op.name, [c.name for c in op.control_inputs]


def test_main_op_groups_the_initializers():
    assert _main_op_names(tf) == ("NoOp", "group_deps", ["init", "init_1", "init_all_tables"])
    with tf.Graph().as_default():
        tf.Variable(1.0, name="v")
        saver = tf.train.Saver()
        op = tf.saved_model.main_op_with_restore(saver.saver_def.restore_op_name)
        assert sorted(c.name for c in op.control_inputs) == ["group_deps", "save/restore_all"]


@pytest.mark.interop
def test_main_op_names_match_tensorflow(tf):
    tf.disable_v2_behavior()
    assert _main_op_names(tf_ortflow()) == _main_op_names(tf)
