"""read_graph / write_graph: content detection, round trips, clear errors, TensorFlow interop."""

from __future__ import annotations

import json
import os
import pathlib
import shutil

import pytest
from google.protobuf import text_format
from ortflow.errors import FormatError
from ortflow.formats.graphs import detect_kind, load_graph_def, read_graph, write_graph
from ortflow.formats.pbtxt import format_pbtxt
from ortflow.proto import GraphDef, MetaGraphDef, SavedModel

DATA = pathlib.Path(__file__).resolve().parent.parent / "data"
GRAPH_FILES = [
    ("mlp/graph.pb", "GraphDef"), ("mlp/graph.pbtxt", "GraphDef"), ("mlp/frozen.pb", "GraphDef"),
    ("mlp/frozen.pbtxt", "GraphDef"), ("mlp/ckpt/model.ckpt-30.meta", "MetaGraphDef"),
    ("cnn/frozen.pb", "GraphDef"), ("cnn/ckpt/cnn.meta", "MetaGraphDef"),
    ("saved_model/saved_model", "SavedModel"), ("saved_model/saved_model/saved_model.pb", "SavedModel"),
    ("mobilenet_v2/frozen.pb", "GraphDef"), ("transformer/frozen.pb", "GraphDef"),
    ("ops/cond_v1/frozen.pb", "GraphDef"), ("ops/while_v1_counter/frozen.pb", "GraphDef"),
]
CLASSES = {"GraphDef": GraphDef, "MetaGraphDef": MetaGraphDef, "SavedModel": SavedModel}


@pytest.mark.parametrize("name,kind", GRAPH_FILES, ids=[n for n, _ in GRAPH_FILES])
def test_detects_kind_from_content(name, kind, tmp_path):
    assert detect_kind(DATA / name) == kind
    # The name says nothing: the same bytes under a neutral name give the same kind.
    src = DATA / name
    if src.is_dir():
        src = src / "saved_model.pb"
    neutral = tmp_path / "blob"
    shutil.copyfile(src, neutral)
    assert detect_kind(neutral) == kind
    assert isinstance(read_graph(neutral), CLASSES[kind])


@pytest.mark.parametrize("name,kind", GRAPH_FILES, ids=[n for n, _ in GRAPH_FILES])
@pytest.mark.parametrize("as_text", [False, True])
def test_round_trip_through_write_graph(name, kind, as_text, tmp_path):
    msg = read_graph(DATA / name)
    path = write_graph(msg, tmp_path / "out", "g.pbtxt" if as_text else "g.pb", as_text=as_text)
    assert path == os.path.join(str(tmp_path / "out"), "g.pbtxt" if as_text else "g.pb")
    again = read_graph(path)
    assert type(again) is type(msg) and again == msg
    data = pathlib.Path(path).read_bytes()
    if as_text:
        assert text_format.Parse(data.decode(), CLASSES[kind]()) == msg  # protobuf's parser agrees
    else:
        assert data == msg.SerializeToString(deterministic=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [pathlib.Path(path).name]  # no temp left


def test_tensorflow_written_files_are_reproduced_exactly(tmp_path):
    # tf.io.write_graph wrote graph.pb (deterministic binary) and graph.pbtxt / frozen.pbtxt (text).
    for name, as_text in [("mlp/graph.pb", False), ("mlp/graph.pbtxt", True), ("mlp/frozen.pbtxt", True)]:
        path = write_graph(read_graph(DATA / name), tmp_path, "x", as_text=as_text)
        assert pathlib.Path(path).read_bytes() == (DATA / name).read_bytes(), name


def test_text_written_by_text_format_reads_equal(tmp_path):
    msg = read_graph(DATA / "mlp/ckpt/model.ckpt-30.meta")
    (tmp_path / "m.pbtxt").write_text(text_format.MessageToString(msg))
    assert read_graph(tmp_path / "m.pbtxt") == msg
    assert format_pbtxt(msg) == text_format.MessageToString(msg)


def test_write_graph_accepts_graph_objects_and_makes_dirs(tmp_path):
    class HasGraphDef:
        def as_graph_def(self):
            return read_graph(DATA / "mlp/frozen.pb")

    path = write_graph(HasGraphDef(), tmp_path / "a" / "b", "g.pb", as_text=False)
    assert read_graph(path) == read_graph(DATA / "mlp/frozen.pb")
    with pytest.raises(TypeError, match="GraphDef"):
        write_graph(42, tmp_path, "x.pb")


def test_load_graph_def_from_every_kind():
    frozen = read_graph(DATA / "mlp/graph.pb")
    assert load_graph_def(DATA / "mlp/graph.pb") == frozen
    assert len(load_graph_def(DATA / "mlp/ckpt/model.ckpt-30.meta").node) > 0
    sm = load_graph_def(DATA / "saved_model/saved_model")
    assert any(n.name == "x" for n in sm.node)
    with pytest.raises(FormatError, match="no meta graph tagged"):
        load_graph_def(DATA / "saved_model/saved_model", tags={"train"})


def _write(tmp_path, name: str, data: bytes) -> pathlib.Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_errors_name_the_file_and_the_problem(tmp_path):
    good = (DATA / "mlp/graph.pb").read_bytes()
    cases = [
        (_write(tmp_path, "trunc.pb", good[: len(good) // 2]), "truncated"),
        (_write(tmp_path, "rand.pb", bytes((i * 7919 + 13) % 251 for i in range(4000))), "not a"),
        (_write(tmp_path, "empty.pb", b""), "empty"),
        (_write(tmp_path, "j.pbtxt", json.dumps({"node": 1}).encode()), "not a GraphDef"),
        (_write(tmp_path, "checkpoint", b'model_checkpoint_path: "m"\n'), "model_checkpoint_path"),
        (_write(tmp_path, "bad.pbtxt", b'node {\n  name: "a"\n  op: Const\n}\n'), "bad.pbtxt:3:7"),
        (_write(tmp_path, "bad2.pbtxt", b'node {\n  name: "a"\n'), "bad2.pbtxt:3:1"),
        (tmp_path / "missing.pb", "no such file"),
        (tmp_path, "not a SavedModel"),
    ]
    for path, words in cases:
        with pytest.raises(FormatError) as info:
            read_graph(path)
        assert words in str(info.value), (path, str(info.value))
        assert str(path.name) in str(info.value)


def test_wrong_kind_is_named(tmp_path):
    with pytest.raises(FormatError, match="holds a GraphDef, not a MetaGraphDef"):
        read_graph(DATA / "mlp/graph.pb", expected="MetaGraphDef")
    with pytest.raises(FormatError, match="holds a MetaGraphDef, not a GraphDef"):
        read_graph(DATA / "mlp/ckpt/model.ckpt-30.meta", expected="GraphDef")
    with pytest.raises(FormatError, match="holds a GraphDef in text format, not a SavedModel"):
        read_graph(DATA / "mlp/graph.pbtxt", expected="SavedModel")
    assert isinstance(read_graph(DATA / "mlp/graph.pb", expected="GraphDef"), GraphDef)


def test_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "g.pbtxt"
    target.write_text("old")

    class Broken:
        def as_graph_def(self):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_graph(Broken(), tmp_path, "g.pbtxt")
    assert target.read_text() == "old"


# ---------------------------------------------------------------- TensorFlow interop tier

def _tf_class(tf, kind):
    from tensorflow.core.framework import graph_pb2
    from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2
    return {"GraphDef": graph_pb2.GraphDef, "MetaGraphDef": meta_graph_pb2.MetaGraphDef,
            "SavedModel": saved_model_pb2.SavedModel}[kind]


@pytest.mark.interop
@pytest.mark.parametrize("name,kind", GRAPH_FILES, ids=[n for n, _ in GRAPH_FILES])
def test_tensorflow_reads_what_we_write(tf, name, kind, tmp_path):
    from google.protobuf import text_format as tf_text_format
    ours = read_graph(DATA / name)
    cls = _tf_class(tf, kind)
    for as_text in (False, True):
        path = write_graph(ours, tmp_path, f"g{int(as_text)}", as_text=as_text)
        data = pathlib.Path(path).read_bytes()
        theirs = tf_text_format.Parse(data.decode(), cls()) if as_text else cls.FromString(data)
        assert theirs.SerializeToString(deterministic=True) == ours.SerializeToString(deterministic=True)


@pytest.mark.interop
@pytest.mark.parametrize("name,kind", GRAPH_FILES, ids=[n for n, _ in GRAPH_FILES])
def test_we_read_what_tensorflow_writes(tf, name, kind, tmp_path):
    cls = _tf_class(tf, kind)
    src = DATA / name
    theirs = cls.FromString((src / "saved_model.pb" if src.is_dir() else src).read_bytes()) \
        if not name.endswith(".pbtxt") else None
    if theirs is None:
        from google.protobuf import text_format as tf_text_format
        theirs = tf_text_format.Parse(src.read_text(), cls())
    for as_text in (False, True):
        path = tf.io.write_graph(theirs, str(tmp_path), f"t{int(as_text)}", as_text=as_text)
        ours = read_graph(path)
        assert ours.SerializeToString(deterministic=True) == theirs.SerializeToString(deterministic=True)


@pytest.mark.interop
def test_tensorflow_imports_our_meta_graph(tf, tmp_path):
    meta = read_graph(DATA / "mlp/ckpt/model.ckpt-30.meta")
    path = write_graph(meta, tmp_path, "m.meta", as_text=False)
    text_path = write_graph(meta, tmp_path, "m.meta.pbtxt", as_text=True)
    for p in (path, text_path):
        with tf.Graph().as_default() as g:
            tf.train.import_meta_graph(p)
            assert g.get_tensor_by_name("output:0") is not None
