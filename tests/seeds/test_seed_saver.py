"""Seed notes 000/004: ckpt persistence with tf.train.Saver, import_meta_graph and restore."""

from __future__ import annotations

import numpy as np
import pytest


def test_saver_ckpt(run_seed):
    run_seed("saver_ckpt")


def test_saver_state_and_max_to_keep(run_seed):
    run_seed("saver_state")


def test_saver_options(run_seed):
    run_seed("saver_options")


def test_saver_last_checkpoint_methods(run_seed):
    run_seed("saver_methods")


def test_saver_from_proto(run_seed):
    run_seed("saver_from_proto")


def test_saver_text_meta(run_seed):
    run_seed("saver_text_meta")


def test_saver_sharded(run_seed):
    run_seed("saver_sharded")


def test_saver_allow_empty(run_seed):
    run_seed("saver_allow_empty")


def test_meta_graph_collections(run_seed):
    run_seed("meta_collections")


def test_saver_creates_missing_directory(run_seed):
    run_seed("saver_makes_dir")


def test_saver_api(run_seed):
    run_seed("saver_api")


@pytest.mark.interop
def test_ortflow_checkpoint_restores_in_tensorflow(run_seed, tf, expected):
    """The .meta and checkpoint ortflow's Saver wrote restore in TensorFlow with equal values."""
    _, workdir = run_seed("saver_ckpt")
    want = expected["saver_ckpt"]
    latest = tf.train.latest_checkpoint(str(workdir / "ckpt"))
    assert latest == str(workdir / str(want["latest"]))
    with tf.Graph().as_default() as g:
        saver = tf.train.import_meta_graph(latest + ".meta")
        with tf.Session(graph=g) as sess:
            saver.restore(sess, latest)
            y = sess.run("output:0", {"input:0": np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]],
                                                           np.float32)})
            np.testing.assert_allclose(y, want["restored_y"], rtol=1e-5)
            np.testing.assert_array_equal(sess.run("b:0"), want["restored_b"])
            assert sess.run("step:0") == want["restored_step"]


@pytest.mark.interop
def test_ortflow_checkpoint_state_read_by_tensorflow(run_seed, tf, expected):
    """TF reads the `checkpoint` file ortflow wrote and restores an older kept step."""
    _, workdir = run_seed("saver_state")
    want = expected["saver_state"]
    state = tf.train.get_checkpoint_state(str(workdir / "keep"))
    assert [p.rsplit("/", 1)[-1] for p in state.all_model_checkpoint_paths] == want["all_paths"].tolist()
    with tf.Graph().as_default() as g:
        v = tf.Variable(-1.0, name="v")
        saver = tf.train.Saver()
        with tf.Session(graph=g) as sess:
            saver.restore(sess, str(workdir / "keep" / "model-2"))
            assert sess.run(v) == want["v_at_2"]


@pytest.mark.interop
def test_ortflow_meta_collections_import_in_tensorflow(run_seed, tf, expected):
    """TF's import_meta_graph on ortflow's .meta finds the user collections and runs them."""
    _, workdir = run_seed("meta_collections")
    with tf.Graph().as_default() as g:
        tf.train.import_meta_graph(str(workdir / "model.meta"))
        pred = tf.get_collection("prediction")[0]
        x = tf.get_collection("inputs")[0]
        with tf.Session(graph=g) as sess:
            sess.run(tf.get_collection("ops")[0])
            got = sess.run(pred, {x: np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]], np.float32)})
    np.testing.assert_array_equal(got, expected["meta_collections"]["pred"])


@pytest.mark.interop
def test_ortflow_saver_options_restore_in_tensorflow(run_seed, tf):
    """TF restores ortflow's padded-step checkpoint and its checkpoint-name alias."""
    _, workdir = run_seed("saver_options")
    with tf.Graph().as_default() as g:
        a = tf.Variable([0.0, 0.0], name="a")
        c = tf.Variable(0.0, name="c")
        with tf.Session(graph=g) as sess:
            tf.train.Saver([a, c]).restore(sess, str(workdir / "padded" / "model-00000003"))
            np.testing.assert_array_equal(sess.run(a), [1.0, 2.0])
            assert sess.run(c) == 5.0
            sess.run(tf.assign(a, [0.0, 0.0]))
            tf.train.Saver({"a_alias": a}).restore(
                sess, tf.train.latest_checkpoint(str(workdir / "relative")))
            np.testing.assert_array_equal(sess.run(a), [1.0, 2.0])
