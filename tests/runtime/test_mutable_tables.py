"""Mutable lookup tables (tf.lookup.experimental.MutableHashTable / DenseHashTable, TF 1.x's
tf.contrib.lookup) built as TensorFlow's nodes and run in a Session.

Expected values were recorded from TensorFlow 2.21 under `tf.compat.v1.disable_v2_behavior()`
(the interop tests at the end check them again where TensorFlow is installed). TensorFlow exports
a table's entries in hash order, ortflow in first-insertion order: exports are compared sorted.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest
from ortflow.errors import InvalidArgumentError

_DATA = os.path.join(os.path.dirname(__file__), "..", "data", "mutable_tables")


def _make_graph_module():
    spec = importlib.util.spec_from_file_location("make_mutable_graph", os.path.join(_DATA, "make_graph.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _words_graph(tf):
    """A string -> int64 table with an insert (a repeated key), a second insert replacing a key,
    a lookup, a remove, size and export."""
    g = tf.Graph()
    with g.as_default():
        table = tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1)
        ops = {
            "insert": table.insert(["a", "b", "c"], tf.constant([1, 2, 3], tf.int64)),
            "insert_again": table.insert(["b", "d", "b"], tf.constant([20, 4, 21], tf.int64)),
            "lookup": table.lookup([["a", "b"], ["x", "d"]]),
            "remove": table.remove(tf.constant(["a", "zz"])),
            "size": table.size(),
            "export": table.export(),
        }
    return g, ops


def _sorted_export(keys, values):
    order = np.argsort(np.asarray(keys))
    return np.asarray(keys)[order].tolist(), np.asarray(values)[order].tolist()


def _run_words(tf):
    g, ops = _words_graph(tf)
    results = {}
    with tf.Session(graph=g) as sess:
        results["empty"] = sess.run([ops["lookup"], ops["size"]])
        results["empty_export"] = sess.run(ops["export"])
        sess.run(ops["insert"])
        sess.run(ops["insert_again"])
        results["inserted"] = sess.run([ops["lookup"], ops["size"]])
        results["inserted_export"] = _sorted_export(*sess.run(ops["export"]))
        sess.run(ops["remove"])
        results["removed"] = sess.run([ops["lookup"], ops["size"]])
        results["removed_export"] = _sorted_export(*sess.run(ops["export"]))
    return results


# TensorFlow 2.21's results of _run_words.
_WORDS_EXPECTED = {
    "empty": ([[-1, -1], [-1, -1]], 0),
    "inserted": ([[1, 21], [-1, 4]], 4),
    "inserted_export": ([b"a", b"b", b"c", b"d"], [1, 21, 3, 4]),
    "removed": ([[-1, 21], [-1, 4]], 3),
    "removed_export": ([b"b", b"c", b"d"], [21, 3, 4]),
}


def test_a_fresh_session_has_an_empty_table():
    import ortflow as tf

    got = _run_words(tf)
    lookup, size = got["empty"]
    assert lookup.tolist() == _WORDS_EXPECTED["empty"][0] and lookup.dtype == np.int64
    assert size == 0 and np.asarray(size).dtype == np.int64
    keys, values = got["empty_export"]
    assert keys.shape == (0,) and values.shape == (0,) and values.dtype == np.int64


def test_insert_replaces_keys_last_wins_then_lookup_size_export():
    import ortflow as tf

    got = _run_words(tf)
    assert got["inserted"][0].tolist() == _WORDS_EXPECTED["inserted"][0]
    assert got["inserted"][1] == _WORDS_EXPECTED["inserted"][1]
    assert got["inserted_export"] == _WORDS_EXPECTED["inserted_export"]


def test_remove_drops_keys_and_ignores_missing_ones():
    import ortflow as tf

    got = _run_words(tf)
    assert got["removed"][0].tolist() == _WORDS_EXPECTED["removed"][0]
    assert got["removed"][1] == _WORDS_EXPECTED["removed"][1]
    assert got["removed_export"] == _WORDS_EXPECTED["removed_export"]


def test_lookups_run_on_onnxruntime():
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        table = tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1)
        words = tf.placeholder(tf.string, [None], name="words")
        insert = table.insert(words, tf.constant([5, 6], tf.int64))
        found = table.lookup(words)
    with tf.Session(graph=g) as sess:
        assert sess.run(found, {words: ["p", "q"]}).tolist() == [-1, -1]
        assert sess.last_run_backend == "onnxruntime"
        sess.run(insert, {words: ["p", "q"]})
        assert sess.run(found, {words: ["q", "r", "p"]}).tolist() == [6, -1, 5]
        assert sess.last_run_backend == "onnxruntime"


def test_int64_keys_float_values_and_a_dynamic_default():
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        table = tf.lookup.experimental.MutableHashTable(tf.int64, tf.float32, 0.25)
        insert = table.insert(tf.constant([7, -3], tf.int64), [1.5, -2.0])
        found = table.lookup(tf.constant([-3, 7, 8], tf.int64))
        per_key = table.lookup(tf.constant([-3, 8], tf.int64), dynamic_default_values=tf.constant([9.0, 10.0]))
    with tf.Session(graph=g) as sess:
        sess.run(insert)
        got, got_per_key = sess.run([found, per_key])
    assert got.dtype == np.float32
    assert got.tolist() == [-2.0, 1.5, 0.25]  # TensorFlow's
    assert got_per_key.tolist() == [-2.0, 10.0]  # TensorFlow's


def test_a_table_of_tensors_with_value_shape_2():
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        table = tf.lookup.experimental.MutableHashTable(tf.string, tf.float32, [-1.0, -1.0])
        insert = table.insert(["p", "q"], [[1, 2], [3, 4]])
        found = table.lookup(["q", "r", "p"])
        nested = table.lookup([["p"], ["s"]])
        exported = table.export()
        bad = table.insert(["p"], [1.0])
    assert table.resource_handle.op.type == "MutableHashTableOfTensorsV2"
    assert found.op.type == "LookupTableFindV2"
    with tf.Session(graph=g) as sess:
        assert sess.run(found).tolist() == [[-1.0, -1.0]] * 3
        sess.run(insert)
        got, got_nested, (keys, values) = sess.run([found, nested, exported])
        with pytest.raises(InvalidArgumentError, match=r"Expected shape \[1,2\] for value, got \[1\]"):
            sess.run(bad)
    assert got.tolist() == [[3.0, 4.0], [-1.0, -1.0], [1.0, 2.0]] and got.dtype == np.float32  # TensorFlow's
    assert got_nested.shape == (2, 1, 2) and got_nested.tolist() == [[[1.0, 2.0]], [[-1.0, -1.0]]]
    assert _sorted_export(keys, values) == ([b"p", b"q"], [[1.0, 2.0], [3.0, 4.0]])
    assert values.shape == (2, 2)


def test_two_sessions_on_one_graph_hold_separate_contents():
    import ortflow as tf

    g, ops = _words_graph(tf)
    with tf.Session(graph=g) as first, tf.Session(graph=g) as second:
        first.run(ops["insert"])
        assert first.run(ops["size"]) == 3
        assert second.run(ops["size"]) == 0
        second.run(ops["insert_again"])
        assert first.run(ops["lookup"]).tolist() == [[1, 2], [-1, -1]]
        assert second.run(ops["lookup"]).tolist() == [[-1, 21], [-1, 4]]


def test_dense_hash_table_insert_lookup_remove_and_reserved_keys():
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        table = tf.lookup.experimental.DenseHashTable(tf.int64, tf.int64, default_value=-1, empty_key=0,
                                                      deleted_key=-1)
        insert = table.insert(tf.constant([3, 4], tf.int64), tf.constant([30, 40], tf.int64))
        found = table.lookup(tf.constant([3, 5], tf.int64))
        remove = table.remove(tf.constant([3], tf.int64))
        bad = table.insert(tf.constant([0], tf.int64), tf.constant([1], tf.int64))
    assert table.resource_handle.op.type == "MutableDenseHashTableV2"
    assert tf.contrib.lookup.MutableDenseHashTable is tf.lookup.experimental.DenseHashTable
    with tf.Session(graph=g) as sess:
        sess.run(insert)
        assert sess.run(found).tolist() == [30, -1]  # TensorFlow's
        sess.run(remove)
        got, size = sess.run([found, table.size()])
        assert got.tolist() == [-1, -1] and size == 1  # TensorFlow's
        with pytest.raises(InvalidArgumentError, match="Using the empty_key as a table key is not allowed"):
            sess.run(bad)


def test_contrib_lookup_mutable_hash_table_and_type_checks():
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        table = tf.contrib.lookup.MutableHashTable(tf.int64, tf.string, "?", name="names")
        insert = table.insert(tf.constant([1], tf.int64), ["one"])
        found = table.lookup(tf.constant([1, 2], tf.int64))
        with pytest.raises(TypeError, match="Keys must be dtype int64"):  # TensorFlow's check
            table.remove(tf.constant(["1"]))
        with pytest.raises(ValueError, match="requested dtype int64"):  # TensorFlow's conversion
            table.lookup(tf.constant(["1"]))
    assert table.name == "names" and found.op.name == "names_lookup_table_find/LookupTableFindV2"
    with tf.Session(graph=g) as sess:
        sess.run(insert)
        assert sess.run(found).tolist() == [b"one", b"?"]


def test_graph_nodes_equal_tensorflows(tmp_path):
    import ortflow as tf
    from google.protobuf import text_format
    from ortflow.proto import GraphDef

    graph = _make_graph_module().build(tf)
    tf.io.write_graph(graph.as_graph_def(), str(tmp_path), "graph.pbtxt", as_text=True)
    ours, theirs = GraphDef(), GraphDef()
    text_format.Parse((tmp_path / "graph.pbtxt").read_text(), ours)
    with open(os.path.join(_DATA, "tf_graph.pbtxt")) as f:
        text_format.Parse(f.read(), theirs)
    assert len(ours.node) == len(theirs.node) == 38
    for mine, tfs in zip(ours.node, theirs.node):
        assert mine == tfs, f"node {tfs.name!r} differs:\n{mine}\nvs TensorFlow's\n{tfs}"


@pytest.mark.interop
def test_interop_values_equal_tensorflows(tf):
    tf.compat.v1.disable_v2_behavior()
    import ortflow as of

    theirs, ours = _run_words(tf.compat.v1), _run_words(of)
    for key in ("empty", "inserted", "removed"):
        assert np.asarray(ours[key][0]).tolist() == np.asarray(theirs[key][0]).tolist()
        assert ours[key][1] == theirs[key][1]
    for key in ("inserted_export", "removed_export"):
        assert ours[key] == theirs[key] == _WORDS_EXPECTED[key]


@pytest.mark.interop
def test_interop_graph_def_equals_tensorflows(tf):
    tf.compat.v1.disable_v2_behavior()
    import ortflow as of

    theirs = _make_graph_module().build(tf).as_graph_def()
    ours = _make_graph_module().build(of).as_graph_def()
    assert [n.SerializeToString(deterministic=True) for n in ours.node] == \
        [n.SerializeToString(deterministic=True) for n in theirs.node]


@pytest.mark.interop
def test_interop_tensorflows_saver_restore_op_fills_the_table(tf, tmp_path):
    # TF's Saver saves the table as <name>-keys / <name>-values; running TF's own restore op in
    # ortflow imports them (LookupTableImportV2 replaces the contents).
    tf.compat.v1.disable_v2_behavior()
    g = tf.Graph()
    with g.as_default():
        table = tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1, name="tbl")
        insert = table.insert(["a", "b"], tf.constant([1, 2], tf.int64))
        tf.compat.v1.placeholder(tf.string, [None], name="q")
        table.lookup(g.get_tensor_by_name("q:0"), name="look")
        saver = tf.compat.v1.train.Saver()
    with tf.compat.v1.Session(graph=g) as sess:
        sess.run(insert)
        saver.save(sess, str(tmp_path / "ckpt"))
    import ortflow as of

    graph = of.Graph()
    with graph.as_default():
        of.train.import_meta_graph(str(tmp_path / "ckpt.meta"))
    with of.Session(graph=graph) as sess:
        sess.run("save/restore_all", {"save/Const:0": str(tmp_path / "ckpt")})
        assert sess.run("look/LookupTableFindV2:0", {"q:0": ["b", "z", "a"]}).tolist() == [2, -1, 1]


def test_tf1_table_op_types_from_an_imported_graph_def():
    # Old graphs hold MutableHashTable(OfTensors) / LookupTableInsert / LookupTableFind / LookupTableSize
    # (reference handles) instead of the V2 ops.
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        table = tf.lookup.experimental.MutableHashTable(tf.string, tf.float32, [0.0, 0.0], name="t")
        names = (table.insert(["a", "b"], [[1, 2], [3, 4]]).name, table.lookup(["b", "c"]).name,
                 table.size().name)
    graph_def = g.as_graph_def()
    for node in graph_def.node:
        if "Table" in node.op and node.op.endswith("V2"):
            node.op = node.op[:-2]
    assert {"MutableHashTableOfTensors", "LookupTableInsert", "LookupTableFind"} <= {n.op for n in graph_def.node}
    imported = tf.Graph()
    with imported.as_default():
        tf.import_graph_def(graph_def, name="")
    with tf.Session(graph=imported) as sess:
        sess.run(names[0])
        found, size = sess.run(list(names[1:]))
    assert found.tolist() == [[3.0, 4.0], [0.0, 0.0]] and size == 2


def test_mutable_tables_need_no_initializer_and_are_not_uninitialized_variables():
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        table = tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1)
        insert = table.insert(["a"], tf.constant([1], tf.int64))
        init = tf.tables_initializer()
        report = tf.report_uninitialized_variables()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        assert sess.run(report).tolist() == []
        sess.run(insert)
        assert sess.run(table.size()) == 1


def test_checkpoint_false_builds_no_export_op():
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1, checkpoint=False)
        dense = tf.lookup.experimental.DenseHashTable(tf.int64, tf.int64, -1, 0, -1, checkpoint=False,
                                                      initial_num_buckets=16)
    # TensorFlow's nodes for the same two tables.
    assert [(n.name, n.op) for n in g.as_graph_def().node] == [
        ("Const", "Const"), ("MutableHashTable", "MutableHashTableV2"), ("default_value", "Const"),
        ("empty_key", "Const"), ("deleted_key", "Const"), ("MutableDenseHashTable", "MutableDenseHashTableV2")]
    assert dense.resource_handle.op.get_attr("initial_num_buckets") == 16
