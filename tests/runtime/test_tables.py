"""Lookup tables as session state: tf.lookup tables built, initialised and looked up in a Session."""

from __future__ import annotations

import numpy as np
import pytest
from ortflow.errors import FailedPreconditionError, NotFoundError


def _table_graph(tf):
    g = tf.Graph()
    with g.as_default():
        init = tf.lookup.KeyValueTensorInitializer(tf.constant(["a", "b", "c"]), tf.constant([1, 2, 3], tf.int64))
        table = tf.lookup.StaticHashTable(init, -1)
        x = tf.placeholder(tf.string, [None], name="x")
        ids = table.lookup(x)
        size = table.size()
        init_all = tf.tables_initializer()
    return g, x, ids, size, init_all


def test_table_ops_and_names_as_tensorflow_writes_them():
    import ortflow as tf

    g, _, ids, size, _ = _table_graph(tf)
    ops = [(n.name, n.op) for n in g.as_graph_def().node]
    assert ops == [("Const", "Const"), ("Const_1", "Const"), ("Const_2", "Const"), ("hash_table", "HashTableV2"),
                   ("key_value_init/LookupTableImportV2", "LookupTableImportV2"), ("x", "Placeholder"),
                   ("hash_table_Lookup/LookupTableFindV2", "LookupTableFindV2"),
                   ("hash_table_Size/LookupTableSizeV2", "LookupTableSizeV2"), ("init_all_tables", "NoOp")]
    assert [op.name for op in g.get_collection("table_initializer")] == ["key_value_init/LookupTableImportV2"]
    assert ids.dtype == tf.int64 and size.dtype == tf.int64


def test_lookup_before_initializer_fails_as_tensorflow():
    import ortflow as tf

    g, x, ids, _, _ = _table_graph(tf)
    with tf.Session(graph=g) as sess, pytest.raises(FailedPreconditionError, match="Table not initialized."):
        sess.run(ids, {x: ["a"]})


def test_lookup_after_initializer_runs_on_onnxruntime():
    import ortflow as tf

    g, x, ids, size, init_all = _table_graph(tf)
    with tf.Session(graph=g) as sess:
        sess.run(init_all)
        got, n = sess.run([ids, size], {x: ["a", "c", "zz", "b"]})
        assert sess.last_run_backend == "onnxruntime"
    assert got.tolist() == [1, 3, -1, 2] and got.dtype == np.int64
    assert n == 3


def test_uninitialized_tables_are_not_reported_as_variables():
    import ortflow as tf

    g, *_ = _table_graph(tf)
    with g.as_default(), tf.Session(graph=g) as sess:
        assert sess.run(tf.report_uninitialized_variables()).tolist() == []


def test_text_file_tables_both_ways_and_export(tmp_path):
    import ortflow as tf

    vocab = tmp_path / "vocab.txt"
    vocab.write_text("a\nb\nc\n")
    g = tf.Graph()
    with g.as_default():
        index = tf.lookup.TextFileIndex
        to_id = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
            str(vocab), tf.string, index.WHOLE_LINE, tf.int64, index.LINE_NUMBER), -1)
        to_word = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
            str(vocab), tf.int64, index.LINE_NUMBER, tf.string, index.WHOLE_LINE), "UNK")
        x = tf.placeholder(tf.string, [None, 2], name="x")
        ids = to_id.lookup(x)
        words = to_word.lookup(ids)
        keys, values = to_id.export()
        init_all = tf.tables_initializer()
        assert [t.op.name for t in g.get_collection("asset_filepaths")] == ["asset_path", "asset_path_1"]
    with tf.Session(graph=g) as sess:
        sess.run(init_all)
        got_ids, got_words = sess.run([ids, words], {x: [["a", "c"], ["zz", "b"]]})
        got_keys, got_values = sess.run([keys, values])
    assert got_ids.tolist() == [[0, 2], [-1, 1]]
    assert got_words.tolist() == [[b"a", b"c"], [b"UNK", b"b"]]
    assert got_keys.tolist() == [b"a", b"b", b"c"] and got_values.tolist() == [0, 1, 2]


def test_text_file_columns_offset_and_vocab_size(tmp_path):
    import ortflow as tf

    vocab = tmp_path / "pairs.tsv"
    vocab.write_text("x\t10\ny\t20\nz\t30\n")
    g = tf.Graph()
    with g.as_default():
        table = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
            str(vocab), tf.string, 0, tf.int64, 1, vocab_size=2), 0)
        by_line = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
            str(vocab), tf.string, 0, tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER, value_index_offset=5), 0)
        x = tf.constant(["z", "y", "x"])
        fetches = [table.lookup(x), by_line.lookup(x), table.size()]
        init_all = tf.tables_initializer()
    with tf.Session(graph=g) as sess:
        sess.run(init_all)
        got = sess.run(fetches)
    assert got[0].tolist() == [0, 20, 10] and got[1].tolist() == [7, 6, 5] and got[2] == 2


def test_missing_text_file_names_the_file(tmp_path):
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
            str(tmp_path / "absent.txt"), tf.string, -2, tf.int64, -1), -1)
        init_all = tf.tables_initializer()
    with tf.Session(graph=g) as sess, pytest.raises(NotFoundError, match="absent.txt"):
        sess.run(init_all)


def test_integer_keys_float_values_and_nd_default():
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer([3, 7, 9], [0.5, 1.5, 2.5],
                                                                              key_dtype=tf.int64,
                                                                              value_dtype=tf.float32), -1.0)
        x = tf.placeholder(tf.int64, [2, 2], name="x")
        y = table.lookup(x)
        init_all = tf.tables_initializer()
    with tf.Session(graph=g) as sess:
        sess.run(init_all)
        got = sess.run(y, {x: [[9, 1], [3, 7]]})
    np.testing.assert_array_equal(got, np.array([[2.5, -1.0], [0.5, 1.5]], np.float32))


def test_table_from_an_imported_graph_def():
    import ortflow as tf

    g, *_ = _table_graph(tf)
    graph_def = g.as_graph_def()
    with tf.Graph().as_default() as g2:
        tf.import_graph_def(graph_def, name="imported")
        with tf.Session(graph=g2) as sess:
            sess.run("imported/init_all_tables")
            got = sess.run("imported/hash_table_Lookup/LookupTableFindV2:0", {"imported/x:0": ["b", "q"]})
    assert got.tolist() == [2, -1]


def _frozen_table_model(tf, vocab_path=None, fed_path=False):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.string, [None], name="x")
        if fed_path:
            path = tf.placeholder(tf.string, [], name="path")
            init = tf.lookup.TextFileInitializer(path, tf.string, -2, tf.int64, -1)
        elif vocab_path is not None:
            init = tf.lookup.TextFileInitializer(str(vocab_path), tf.string, -2, tf.int64, -1)
        else:
            init = tf.lookup.KeyValueTensorInitializer(["a", "b", "c"], [1, 2, 3], value_dtype=tf.int64)
        table = tf.lookup.StaticHashTable(init, -1)
        tf.identity(table.lookup(x) * 10, name="y")
        tf.identity(table.size(), name="n")
        tf.tables_initializer()
    return g.as_graph_def()


def _onnx_run(model, feeds: dict) -> list:
    import onnxruntime as ort

    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def test_a_frozen_graph_with_a_constant_table_converts_to_onnx():
    import ortflow as tf

    model = tf.convert(_frozen_table_model(tf), inputs=["x:0"], outputs=["y:0", "n:0"])
    assert not {"HashTableV2", "LookupTableFindV2"} & {n.op_type for n in model.graph.node}
    assert ("LabelEncoder", "ai.onnx.ml") in [(n.op_type, n.domain) for n in model.graph.node]
    ids, size = _onnx_run(model, {"x:0": np.array(["a", "zz", "c"], dtype=object)})
    assert ids.tolist() == [10, -10, 30] and size == 3


def test_a_text_file_table_with_a_constant_path_folds_the_file(tmp_path):
    import ortflow as tf

    vocab = tmp_path / "vocab.txt"
    vocab.write_text("cat\ndog\n")
    model = tf.convert(_frozen_table_model(tf, vocab), inputs=["x:0"], outputs=["y:0"])
    (ids,) = _onnx_run(model, {"x:0": np.array(["dog", "cat", "emu"], dtype=object)})
    assert ids.tolist() == [10, 0, -10]


def test_a_table_filled_at_run_time_cannot_convert_and_says_which_ops():
    import ortflow as tf
    from ortflow.converters import UnsupportedOpsError

    with pytest.raises(UnsupportedOpsError, match="HashTableV2.*LookupTableFindV2|LookupTableFindV2.*HashTableV2"):
        tf.convert(_frozen_table_model(tf, fed_path=True), inputs=["x:0"], outputs=["y:0"])


def test_convert_cli_on_a_frozen_graph_with_a_table(cli, tmp_path):
    import onnx
    import ortflow as tf

    frozen = tmp_path / "frozen.pb"
    frozen.write_bytes(_frozen_table_model(tf).SerializeToString())
    out = tmp_path / "model.onnx"
    proc = cli("convert", frozen, "-o", out, "--inputs", "x:0", "--outputs", "y:0")
    assert proc.returncode == 0, proc.stderr
    (ids,) = _onnx_run(onnx.load(str(out)), {"x:0": np.array(["b"], dtype=object)})
    assert ids.tolist() == [20]
    bad = tmp_path / "fed.pb"
    bad.write_bytes(_frozen_table_model(tf, fed_path=True).SerializeToString())
    proc = cli("convert", bad, "-o", tmp_path / "bad.onnx", "--inputs", "x:0", "--outputs", "y:0")
    # The convert command's report of unsupported ops (exit 1), as for any other op.
    assert proc.returncode == 1 and "unsupported HashTableV2 x1: hash_table" in proc.stderr
    assert "unsupported LookupTableFindV2 x1: hash_table_Lookup/LookupTableFindV2" in proc.stderr
    assert not (tmp_path / "bad.onnx").exists()


# StringToHashBucketFast(s, 2**63 - 1) and (s, 1000) as TensorFlow 2.21 computes them for the
# strings of `_hash_inputs()` (FarmHash Fingerprint64 modulo the bucket count).
_TF_BUCKETS_LARGE = [
    1936946117179621456, 5161771770385946686, 1310518540512506342, 2487965632156106292, 1834011893438859213,
    6040168605833782793, 7602117738390822661, 4338871769482718964, 2791110717120146389, 4558981489161244025,
    7492443725646880329, 6388605105871875305, 2327144085378135765, 5213845212530662045, 8749411048411321520,
    7764283926731322967, 5327592947755901336, 8111992462467435357, 8617028698217406159, 6325110817993080408,
    2427810959306735659, 3786372426573024489, 3694432073954588132, 3546145076021770342]
_TF_BUCKETS_1000 = [263, 686, 342, 99, 20, 600, 468, 964, 389, 25, 136, 112, 765, 852, 327, 774, 143, 164, 966, 408,
                    659, 296, 939, 342]


def _hash_inputs() -> list[bytes]:
    # Every FarmHash length class: 0-16, 17-32, 33-64 and the 64-byte loop.
    lengths = [0, 1, 3, 4, 7, 8, 15, 16, 17, 24, 31, 32, 33, 48, 64, 65, 100, 127, 128, 129, 300]
    return [bytes((i * 37 + n) % 256 for i in range(n)) for n in lengths] + [b"hello", b"a", b"zz"]


@pytest.mark.parametrize("buckets, expected", [(2 ** 63 - 1, _TF_BUCKETS_LARGE), (1000, _TF_BUCKETS_1000)])
def test_string_to_hash_bucket_fast_equals_tensorflow(buckets, expected):
    from ortflow.formats import dtypes
    from ortflow.graph.ops import evaluate, make_node_def

    node = make_node_def("StringToHashBucketFast", "h", ["s"], num_buckets=buckets)
    (got,) = evaluate(node, [np.array(_hash_inputs(), dtype=object)])
    assert got.dtype == dtypes.int64.as_numpy_dtype and got.tolist() == expected


def test_vocabulary_table_hashes_unknown_keys_into_oov_buckets():
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        init = tf.lookup.KeyValueTensorInitializer(["a", "b"], [0, 1], value_dtype=tf.int64)
        table = tf.lookup.StaticVocabularyTable(init, num_oov_buckets=3)
        x = tf.placeholder(tf.string, [None], name="x")
        ids = table.lookup(x)
        size = table.size()
        ops = [(n.name, n.op) for n in g.as_graph_def().node]
        init_all = tf.tables_initializer()
    assert ("hash_table_Lookup/hash_bucket", "StringToHashBucketFast") in ops
    assert ("hash_table_Lookup/hash_table_Lookup/LookupTableFindV2", "LookupTableFindV2") in ops
    with tf.Session(graph=g) as sess:
        sess.run(init_all)
        got, n = sess.run([ids, size], {x: ["a", "c", "zz", "b"]})
    # "c" and "zz" hash to buckets 1 and 1 of 3 (TensorFlow gives the same ids: [0, 3, 3, 1]).
    assert got.tolist() == [0, 3, 3, 1] and n == 5


def test_freeze_keeps_what_fills_the_tables_and_the_result_converts(cli, tmp_path):
    import onnx
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.string, [None], name="x")
        init = tf.lookup.KeyValueTensorInitializer(["a", "b"], [1, 2], value_dtype=tf.int64)
        table = tf.lookup.StaticHashTable(init, -1)
        w = tf.get_variable("w", initializer=tf.constant(10, tf.int64))
        tf.identity(table.lookup(x) * w, name="y")
        tf.tables_initializer()
        with tf.Session(graph=g) as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, str(tmp_path / "model"))
    frozen = tmp_path / "frozen.pb"
    proc = cli("freeze", tmp_path / "model.meta", "--outputs", "y", "-o", frozen)
    assert proc.returncode == 0, proc.stderr
    graph_def = tf.GraphDef.FromString(frozen.read_bytes())
    ops = {n.name: n.op for n in graph_def.node}
    assert ops["key_value_init/LookupTableImportV2"] == "LookupTableImportV2" and ops["init_all_tables"] == "NoOp"
    assert ops["w"] == "Const"
    with tf.Graph().as_default() as g2:
        tf.import_graph_def(graph_def, name="")
        with tf.Session(graph=g2) as sess:
            sess.run("init_all_tables")
            assert sess.run("y:0", {"x:0": ["b", "q"]}).tolist() == [20, -10]
    out = tmp_path / "model.onnx"
    proc = cli("convert", frozen, "-o", out, "--inputs", "x:0", "--outputs", "y:0")
    assert proc.returncode == 0, proc.stderr
    (ids,) = _onnx_run(onnx.load(str(out)), {"x:0": np.array(["a", "zz"], dtype=object)})
    assert ids.tolist() == [10, -10]


def test_tf1_vocabulary_helpers(tmp_path):
    import ortflow as tf

    vocab = tmp_path / "vocab.txt"
    vocab.write_text("cat\ndog\nemu\n")
    g = tf.Graph()
    with g.as_default():
        words = tf.placeholder(tf.string, [None], name="words")
        to_id = tf.lookup.index_table_from_tensor(["cat", "dog"])
        with_oov = tf.lookup.index_table_from_file(str(vocab), num_oov_buckets=2)
        to_word = tf.lookup.index_to_string_table_from_tensor(["cat", "dog"], default_value="?")
        from_file = tf.lookup.index_to_string_table_from_file(str(vocab))
        assert to_id.resource_handle.op.name == "string_to_index/hash_table/hash_table"
        assert to_id.initializer.name == "string_to_index/hash_table/table_init/LookupTableImportV2"
        ids = to_id.lookup(words)
        fetches = [ids, with_oov.lookup(words), with_oov.size(), to_word.lookup(ids), from_file.lookup(ids)]
        init_all = tf.tables_initializer()
    with tf.Session(graph=g) as sess:
        sess.run(init_all)
        got = sess.run(fetches, {words: ["dog", "yak", "cat"]})
    assert got[0].tolist() == [1, -1, 0]
    assert got[1][[0, 2]].tolist() == [1, 0] and 3 <= got[1][1] < 5 and got[2] == 5
    assert got[3].tolist() == [b"dog", b"?", b"cat"] and got[4].tolist() == [b"dog", b"UNK", b"cat"]


def test_text_file_tables_initialize_with_variables_in_one_run(tmp_path):
    # The file reader runs on the host while the variables' initial values come from
    # onnxruntime (a split run); the reader's op is ortflow's own, with a registered signature.
    import ortflow as tf
    from ortflow.graph.ops import output_dtypes
    from ortflow.graph.ops.kernels_more import READ_TEXT_TABLE_OP
    from ortflow.proto import NodeDef

    vocab = tmp_path / "vocab.txt"
    vocab.write_text("cat\ndog\n")
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.get_variable("w", [3, 2])  # a random initializer: onnxruntime draws it
        table = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(str(vocab), tf.string, -2, tf.int64, -1), -1)
        words = tf.placeholder(tf.string, [None], name="words")
        z = tf.cast(table.lookup(words), tf.float32)[:, None] * tf.matmul(x, w)
        with tf.Session(graph=g) as sess:
            sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
            assert sess.last_run_backend == "onnxruntime+numpy"
            got, weights = sess.run([z, w], {x: np.ones((2, 3), np.float32), words: ["dog", "emu"]})
    column_sums = weights.sum(0)
    np.testing.assert_allclose(got, [column_sums, -column_sums], rtol=1e-6)
    reader = NodeDef(name="r", op=READ_TEXT_TABLE_OP)
    reader.attr["Tkeys"].type, reader.attr["Tvalues"].type = 7, 9
    assert [d.name for d in output_dtypes(reader)] == ["string", "int64"]


def test_session_graph_def_is_the_graph_as_built():
    # ortflow's rewrites (tables into variables, CheckNumerics into Asserts) stay internal:
    # scripts write `sess.graph_def` to files.
    import ortflow as tf

    g, x, ids, _, init_all = _table_graph(tf)
    with g.as_default():
        tf.check_numerics(tf.constant([1.0]), "m")
    with tf.Session(graph=g) as sess:
        sess.run(init_all)
        sess.run(ids, {x: ["a"]})
        ops = {n.op for n in sess.graph_def.node}
    assert {"HashTableV2", "LookupTableFindV2", "CheckNumerics"} <= ops
    assert not {"VarHandleOp", "Assert"} & ops


def test_ortflow_run_fills_the_tables_of_meta_graphs_and_frozen_graphs(cli, tmp_path):
    import ortflow as tf

    vocab = tmp_path / "vocab.txt"
    vocab.write_text("cat\ndog\n")
    g = tf.Graph()
    with g.as_default():
        words = tf.placeholder(tf.string, [None], name="words")
        table = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(str(vocab), tf.string, -2, tf.int64, -1), -1)
        scale = tf.get_variable("scale", initializer=tf.constant(10, tf.int64))
        tf.identity(table.lookup(words) * scale, name="ids")
        tf.tables_initializer()
        with tf.Session(graph=g) as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, str(tmp_path / "model"))
    np.save(tmp_path / "words.npy", np.array(["dog", "yak"]))
    proc = cli("run", tmp_path / "model.meta", "--feed", f"words={tmp_path / 'words.npy'}", "--fetch", "ids",
               "-o", tmp_path / "meta.npz")
    assert proc.returncode == 0, proc.stderr
    assert np.load(tmp_path / "meta.npz")["ids:0"].tolist() == [10, -10]
    assert cli("freeze", tmp_path / "model.meta", "--outputs", "ids", "-o", tmp_path / "frozen.pb").returncode == 0
    proc = cli("run", tmp_path / "frozen.pb", "--feed", f"words={tmp_path / 'words.npy'}", "--fetch", "ids",
               "-o", tmp_path / "frozen.npz")
    assert proc.returncode == 0, proc.stderr
    assert np.load(tmp_path / "frozen.npz")["ids:0"].tolist() == [10, -10]


def test_static_lookup_kernel_matches_the_label_encoder():
    # The numpy kernel of ortflow's folded-table op (what constant folding and the interpreter
    # run): the first of duplicate keys wins, missing keys give the default, shapes are kept.
    from ortflow.formats.tensors import make_tensor_proto
    from ortflow.graph.ops import evaluate
    from ortflow.graph.ops.kernels_more import STATIC_LOOKUP_OP
    from ortflow.proto import NodeDef

    node = NodeDef(name="lookup", op=STATIC_LOOKUP_OP)
    node.attr["Tin"].type, node.attr["Tout"].type = 7, 1
    node.attr["table_keys"].tensor.CopyFrom(make_tensor_proto(np.array([b"a", b"b", b"a"], dtype=object)))
    node.attr["table_values"].tensor.CopyFrom(make_tensor_proto(np.array([1.5, 2.5, 9.0], np.float32)))
    node.attr["default_value"].tensor.CopyFrom(make_tensor_proto(np.float32(-1.0)))
    (got,) = evaluate(node, [np.array([[b"a", "b"], [b"zz", b"a"]], dtype=object)])
    assert got.dtype == np.float32 and got.tolist() == [[1.5, 2.5], [-1.0, 1.5]]
