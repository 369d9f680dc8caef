"""This helper's inference ops against TensorFlow: same values, same nodes where cheap, and
TF-written graphs and SavedModels with lookup tables run by ortflow.

Each value case is a snippet run twice, with `tf = tensorflow.compat.v1` (v2 behaviour off) and
with `import ortflow as tf`, on the same feeds; it defines `fetches` and `feed` and may define
`init` (run first). `ops` names functions whose home in `import ortflow as tf` is not settled
yet (tf.nn.dilation2d, tf.math.bessel_i0e, tf.train.ExponentialMovingAverage, ...): TF's own for
TensorFlow, ortflow's modules for ortflow.
"""

from __future__ import annotations

import types

import numpy as np
import pytest

pytestmark = pytest.mark.interop

RNG = np.random.default_rng(21)
X = RNG.normal(size=(2, 50)).astype(np.float32)
IMG = RNG.normal(size=(2, 7, 9, 3)).astype(np.float32)
FILT = RNG.normal(size=(3, 2, 3)).astype(np.float32) * 0.3
BOXES = np.array([[[0.1, 0.2, 0.6, 0.9], [-0.2, 0.5, 0.4, 1.3], [0.5, 0.5, 0.2, 0.9]],
                  [[0.0, 0.0, 1.0, 1.0], [0.3, 0.3, 0.31, 0.35], [2.0, 2.0, 3.0, 3.0]]], np.float32)


def _ops(tf_module):
    import ortflow

    if tf_module is ortflow:
        from ortflow.api import inference_ops, lookup_ops, moving_averages

        return types.SimpleNamespace(
            lookup=lookup_ops,
            dilation2d=inference_ops.dilation2d, max_pool_with_argmax=inference_ops.max_pool_with_argmax,
            bessel_i0e=inference_ops.bessel_i0e, bessel_i1e=inference_ops.bessel_i1e,
            assert_all_finite=inference_ops.assert_all_finite,
            ExponentialMovingAverage=moving_averages.ExponentialMovingAverage,
            init_from_checkpoint=moving_averages.init_from_checkpoint)
    from tensorflow.python.ops import lookup_ops  # the TF 1.x vocabulary helpers live here now

    return types.SimpleNamespace(
        lookup=lookup_ops,
        dilation2d=tf_module.nn.dilation2d, max_pool_with_argmax=tf_module.nn.max_pool_with_argmax,
        bessel_i0e=tf_module.math.bessel_i0e, bessel_i1e=tf_module.math.bessel_i1e,
        assert_all_finite=tf_module.debugging.assert_all_finite,
        ExponentialMovingAverage=tf_module.train.ExponentialMovingAverage,
        init_from_checkpoint=tf_module.train.init_from_checkpoint)


VALUE_CASES = {
    "hash_tables": """
init = tf.lookup.KeyValueTensorInitializer(tf.constant(["a", "b", "c"]), tf.constant([1, 2, 3], tf.int64))
table = tf.lookup.StaticHashTable(init, -1)
floats = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer([3, 7, 9], [0.5, 1.5, 2.5],
                                   key_dtype=tf.int64, value_dtype=tf.float32), -1.0)
vocab = tf.lookup.StaticVocabularyTable(tf.lookup.KeyValueTensorInitializer(["a", "b"], [0, 1],
                                        value_dtype=tf.int64), num_oov_buckets=5)
x = tf.placeholder(tf.string, [None, 2], name="x")
n = tf.placeholder(tf.int64, [None], name="n")
keys, values = table.export()
ints = tf.lookup.StaticVocabularyTable(tf.lookup.KeyValueTensorInitializer(tf.constant([5, 9], tf.int64),
                                       tf.constant([0, 1], tf.int64)), num_oov_buckets=7)
fetches = [table.lookup(x), table.size(), floats.lookup(n), vocab.lookup(x), vocab.size(), tf.sort(values),
           ints.lookup(n * 1000 - 5)]
init = tf.tables_initializer()
feed = {"x:0": np.array([["a", "zz"], ["c", "hello world"]], object), "n:0": np.array([9, 1, 3, 7])}
""",
    "text_file_tables": """
index = tf.lookup.TextFileIndex
to_id = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(VOCAB, tf.string, index.WHOLE_LINE, tf.int64,
                                                                index.LINE_NUMBER), -1)
to_word = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(VOCAB, tf.int64, index.LINE_NUMBER, tf.string,
                                                                  index.WHOLE_LINE), "UNK")
columns = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(PAIRS, tf.string, 0, tf.int64, 1, vocab_size=2,
                                                                  delimiter=","), 0)
x = tf.placeholder(tf.string, [None], name="x")
ids = to_id.lookup(x)
fetches = [ids, to_word.lookup(ids), columns.lookup(x), columns.size()]
init = tf.tables_initializer()
feed = {"x:0": np.array(["cat", "dog", "emu", "x", "y"], object)}
""",
    "vocabulary_helpers": """
x = tf.placeholder(tf.string, [None], name="x")
t1 = ops.lookup.index_table_from_tensor(["a", "b", "c"])
t2 = ops.lookup.index_table_from_tensor(["a", "b", "c"], num_oov_buckets=2)
t3 = ops.lookup.index_to_string_table_from_tensor(["a", "b", "c"])
t4 = ops.lookup.index_table_from_file(VOCAB, num_oov_buckets=1)
t5 = ops.lookup.index_to_string_table_from_file(VOCAB)
t6 = ops.lookup.index_table_from_tensor(tf.constant([10, 20, 30], tf.int64), dtype=tf.int64, num_oov_buckets=3)
ids = tf.constant([0, 2, 5], tf.int64)
fetches = [t1.lookup(x), t2.lookup(x), t3.lookup(ids), t4.lookup(x), t5.lookup(ids), t2.size(),
           t6.lookup(tf.constant([20, 7], tf.int64))]
init = tf.tables_initializer()
feed = {"x:0": np.array(["a", "q", "c", "dog"], object)}
""",
    "signal": """
x = tf.placeholder(tf.float32, [None, 50], name="x")
xd = tf.placeholder(tf.float32, [None, None], name="xd")
s = tf.signal.stft(x, 16, 8)
fetches = [tf.signal.frame(x, 16, 8), tf.signal.frame(x, 16, 7, pad_end=True, pad_value=2.0),
           tf.signal.frame(x, 4, 3, axis=0), tf.signal.frame(xd, 16, 8), tf.signal.frame(xd, 16, 7, pad_end=True),
           tf.signal.hann_window(16), tf.signal.hann_window(7, periodic=False), tf.signal.hamming_window(9),
           tf.signal.hamming_window(10), s, tf.signal.inverse_stft(s, 16, 8),
           tf.signal.inverse_stft(s, 16, 8, window_fn=tf.signal.inverse_stft_window_fn(8)),
           tf.signal.overlap_and_add(tf.reshape(x, [2, 5, 10]), 3), tf.signal.overlap_and_add(tf.reshape(x, [2, 10, 5]), 5),
           tf.signal.rfft(x), tf.signal.rfft(x, [64]), tf.signal.irfft(tf.signal.rfft(x)),
           tf.signal.irfft(tf.signal.rfft(x), [40]), tf.signal.stft(x, 20, 10, fft_length=32, pad_end=True),
           tf.signal.linear_to_mel_weight_matrix(10, 17, 16000, 20.0, 7000.0),
           tf.signal.mfccs_from_log_mel_spectrograms(tf.reshape(x, [2, 5, 10])),
           tf.signal.dct(x), tf.signal.dct(x, norm="ortho"), tf.signal.dct(x, type=3),
           tf.signal.idct(tf.signal.dct(x)), tf.spectral.rfft(x), tf.spectral.irfft(tf.spectral.rfft(x), [7])]
feed = {"x:0": X, "xd:0": X}
""",
    "draw_bounding_boxes": """
img = tf.placeholder(tf.float32, [None, 7, 9, 3], name="img")
b = tf.placeholder(tf.float32, [None, None, 4], name="b")
fetches = [tf.image.draw_bounding_boxes(img, b), tf.image.draw_bounding_boxes(img[..., :1], b),
           tf.image.draw_bounding_boxes(img, b, colors=[[0.2, 0.4, 0.6, 1.0], [1.0, 0.0, 0.5, 1.0]])]
feed = {"img:0": IMG, "b:0": BOXES}
""",
    "morphology_and_argmax_pooling": """
img = tf.placeholder(tf.float32, [None, 7, 9, 3], name="img")
fetches = [ops.dilation2d(img, FILT, [1, 1, 1, 1], [1, 1, 1, 1], "SAME"),
           ops.dilation2d(img, FILT, [1, 2, 1, 1], [1, 1, 2, 1], "SAME"),
           ops.dilation2d(img, FILT, [1, 1, 2, 1], [1, 2, 2, 1], "VALID"),
           *ops.max_pool_with_argmax(img, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"),
           *ops.max_pool_with_argmax(img, [1, 3, 2, 1], [1, 2, 3, 1], "VALID", include_batch_in_index=True),
           *ops.max_pool_with_argmax(tf.nn.relu(img), [1, 3, 3, 1], [1, 1, 1, 1], "SAME", Targmax=tf.int32)]
feed = {"img:0": IMG}
""",
    "special_functions": """
x = tf.constant([-60.0, -3.5, -0.1, 0.0, 0.5, 1.0, 2.5, 10.0, 49.0, 51.0, 300.0], tf.float64)
a = tf.constant([0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0], tf.float64)
t = tf.constant([0.0, 0.05, 0.5, 1.0, 3.0, 10.0, 40.0], tf.float64)
b = tf.constant([0.2, 1.0, 2.0, 5.0, 0.7, 3.0, 9.0], tf.float64)
u = tf.constant([0.0, 0.01, 0.3, 0.5, 0.9, 0.999, 1.0], tf.float64)
xf = tf.placeholder(tf.float32, [None], name="xf")
fetches = [ops.bessel_i0e(x), ops.bessel_i1e(x), tf.igamma(a, t), tf.igammac(a, t), tf.betainc(a, b, u),
           tf.zeta(a + 1.5, b), tf.polygamma(tf.constant([0.0, 1.0, 2.0, 3.0, 0.0, 1.0, 4.0], tf.float64), a - 1.2),
           ops.bessel_i0e(xf), tf.igamma(xf + 3.0, tf.abs(xf)), tf.zeta(xf * xf + 1.5, tf.abs(xf) + 0.5)]
feed = {"xf:0": X[0, :8]}
""",
    "switch_case": """
i = tf.placeholder(tf.int32, [], name="i")
x = tf.placeholder(tf.float32, [None], name="x")
branches = [lambda: x * 2.0, lambda: x + 1.0, lambda: -x]
fetches = [tf.switch_case(i, branches), tf.switch_case(i + 1, branches), tf.switch_case(i + 5, branches),
           tf.switch_case(i, {0: lambda: x * 3.0, 1: lambda: x - 1.0}, default=lambda: x * 0.0)]
feed = {"i:0": np.int32(0), "x:0": X[0, :4]}
""",
    "moving_averages": """
w = tf.get_variable("w", initializer=tf.constant([1.0, 2.0]))
with tf.variable_scope("s"):
    b = tf.get_variable("b", initializer=tf.constant(3.0), use_resource=True)
step = tf.train.get_or_create_global_step()
ema = ops.ExponentialMovingAverage(0.9, num_updates=step)
update = ema.apply([w, b])
with tf.control_dependencies([update]):
    after = tf.identity(ema.average(w))
moved = tf.assign(w, [2.0, 4.0])
fetches = [moved, after, ema.average(b).read_value() if hasattr(ema.average(b), "read_value") else ema.average(b)]
init = tf.global_variables_initializer()
feed = {}
sequential = True
""",
}

TEXT_FILES = {"vocab.txt": "cat\ndog\nemu\n", "pairs.csv": "x,10\ny,20\nz,30\n"}


def _run(tf_module, code, tmp_path):
    for name, text in TEXT_FILES.items():
        (tmp_path / name).write_text(text)
    g = tf_module.Graph()
    env = {"tf": tf_module, "np": np, "X": X, "IMG": IMG, "FILT": FILT, "BOXES": BOXES, "ops": _ops(tf_module),
           "VOCAB": str(tmp_path / "vocab.txt"), "PAIRS": str(tmp_path / "pairs.csv")}
    with g.as_default():
        exec(code, env)
        with tf_module.Session(graph=g) as sess:
            if "init" in env:
                sess.run(env["init"])
            if env.get("sequential"):
                return [sess.run(f, env["feed"]) for f in env["fetches"]]
            return sess.run(env["fetches"], env["feed"])


@pytest.mark.parametrize("name", sorted(VALUE_CASES))
def test_values_equal_tensorflow(tf, name, tmp_path):
    import ortflow as otf

    theirs = _run(tf, VALUE_CASES[name], tmp_path)
    ours = _run(otf, VALUE_CASES[name], tmp_path)
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        a, b = np.asarray(a), np.asarray(b)
        assert a.shape == b.shape, f"{name}: fetch {i}: shape {a.shape} != {b.shape}"
        if b.dtype.kind in "fc":
            # float32 transforms (DFT matrices, windows) round differently from TF's kernels.
            np.testing.assert_allclose(a, b, rtol=2e-5, atol=5e-5, err_msg=f"{name}: fetch {i}")
        else:
            assert a.dtype == b.dtype or b.dtype.kind == "O", f"{name}: fetch {i}: {a.dtype} != {b.dtype}"
            assert a.tolist() == b.tolist(), f"{name}: fetch {i}: {a.tolist()} != {b.tolist()}"


def test_lookup_before_initialization_fails_like_tensorflow(tf):
    import ortflow as otf

    messages = []
    for module in (tf, otf):
        with module.Graph().as_default(), module.Session() as sess:
            table = module.lookup.StaticHashTable(module.lookup.KeyValueTensorInitializer(["a"], [1], value_dtype=module.int64), -1)
            with pytest.raises(module.errors.FailedPreconditionError) as info:
                sess.run(table.lookup(module.constant(["a"])))
            messages.append(str(info.value))
    assert all("Table not initialized." in m for m in messages)


@pytest.mark.parametrize("values, words", [([1.0, np.nan], "NaN"), ([np.inf], "Inf"), ([np.nan, -np.inf], "Inf and NaN")])
def test_check_numerics_fails_like_tensorflow(tf, values, words):
    import ortflow as otf

    for module in (tf, otf):
        with module.Graph().as_default(), module.Session() as sess:
            x = module.placeholder(module.float32, [None], name="x")
            y = _ops(module).assert_all_finite(x * 2.0, "bad x")
            with pytest.raises(module.errors.InvalidArgumentError, match=f"bad x : Tensor had {words} values"):
                sess.run(y, {x: values})


# --------------------------------------------------------------------------- node structure

STRUCTURE_CASES = {
    "tables": ('t = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(["a", "b"], [1, 2], '
               'value_dtype=tf.int64), -1); t.lookup(tf.placeholder(tf.string, [None], name="x")); t.size(); '
               't.export(); tf.tables_initializer()'),
    "text_file_table": ('tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer("/tmp/v.txt", tf.string, -2, '
                        'tf.int64, -1, delimiter=" "), -1)'),
    "vocabulary_table": ('tf.lookup.StaticVocabularyTable(tf.lookup.KeyValueTensorInitializer(["a"], [0], '
                         'value_dtype=tf.int64), 3).lookup(tf.placeholder(tf.string, [None], name="x"))'),
    "integer_vocabulary_table": ('tf.lookup.StaticVocabularyTable(tf.lookup.KeyValueTensorInitializer(tf.constant([5, 9], '
                                 'tf.int64), tf.constant([0, 1], tf.int64)), 7).lookup(tf.placeholder(tf.int64, [None], '
                                 'name="x"))'),
    "vocabulary_helpers": ('x = tf.placeholder(tf.string, [None], name="x"); '
                           'ops.lookup.index_table_from_tensor(["a", "b"]).lookup(x); '
                           'ops.lookup.index_table_from_tensor(["a", "b"], num_oov_buckets=2).lookup(x); '
                           'ops.lookup.index_to_string_table_from_tensor(["a"]).lookup(tf.constant([0], tf.int64)); '
                           'ops.lookup.index_table_from_file("/tmp/v.txt", num_oov_buckets=1).lookup(x); '
                           'ops.lookup.index_to_string_table_from_file("/tmp/v.txt")'),
    "draw_boxes": ('i = tf.placeholder(tf.float32, [None, 4, 4, 3], name="i"); b = tf.placeholder(tf.float32, '
                   '[None, None, 4], name="b"); tf.image.draw_bounding_boxes(i, b); '
                   'tf.image.draw_bounding_boxes(i, b, colors=[[1.0, 0.0, 0.0, 1.0]])'),
    "sample_distorted_bounding_box": ('tf.image.sample_distorted_bounding_box([8, 8, 3], tf.placeholder(tf.float32, '
                                      '[None, None, 4], name="b"), seed=3, min_object_covered=0.2)'),
    "morphology_and_pooling": ('i = tf.placeholder(tf.float32, [None, 6, 6, 2], name="i"); '
                               'ops.dilation2d(i, tf.ones([2, 2, 2]), [1, 1, 1, 1], [1, 2, 2, 1], "VALID"); '
                               'ops.max_pool_with_argmax(i, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"); '
                               'ops.max_pool_with_argmax(i, [1, 2, 2, 1], [1, 1, 1, 1], "VALID", '
                               'include_batch_in_index=True)'),
    "special_functions": ('ops.bessel_i0e(m); ops.bessel_i1e(m); tf.igamma(m, m); tf.igammac(m, m); '
                          'tf.betainc(m, m, m); tf.zeta(m, m); tf.polygamma(m, m)'),
    "real_ffts": ('x = tf.placeholder(tf.float32, [None, 16], name="x"); r = tf.signal.rfft(x); '
                  'tf.signal.irfft(r); tf.signal.rfft(x, [20])'),
    "finiteness": ('x = tf.placeholder(tf.float32, [None], name="x"); tf.verify_tensor_all_finite(x, "m"); '
                   'tf.sqrt(x, name="root"); tf.add_check_numerics_ops()'),
}

_ATTRS = ("T", "Tin", "Tout", "key_dtype", "value_dtype", "Tkeys", "Tvalues", "key_index", "value_index", "vocab_size",
          "delimiter", "offset", "num_buckets", "strides", "rates", "padding", "ksize", "Targmax",
          "include_batch_in_index", "seed", "seed2", "area_range", "aspect_ratio_range", "max_attempts",
          "use_image_if_no_bounding_boxes", "message", "Treal", "Tcomplex", "dtype")


def _nodes(tf_module, code):
    g = tf_module.Graph()
    with g.as_default():
        m = tf_module.placeholder(tf_module.float32, [3], name="m")
        exec(code, {"tf": tf_module, "m": m, "ops": _ops(tf_module)})
        nodes = []
        for node in g.as_graph_def().node:
            attrs = {k: node.attr[k].SerializeToString() for k in _ATTRS if k in node.attr}
            nodes.append((node.name, node.op, tuple(i for i in node.input), attrs))
        return nodes


@pytest.mark.parametrize("name", sorted(STRUCTURE_CASES))
def test_nodes_equal_tensorflow(tf, name):
    import ortflow as otf

    theirs = _nodes(tf, STRUCTURE_CASES[name])
    ours = _nodes(otf, STRUCTURE_CASES[name])
    assert [n[:2] for n in ours] == [n[:2] for n in theirs]
    assert ours == theirs


def test_moving_average_variables_match_tensorflow(tf):
    # TF builds each shadow variable's initial value with IsVariableInitialized conds; ortflow
    # starts it from the variable's initial value. The variables, their collections and the
    # restore map are the same.
    import ortflow as otf

    def names(module):
        with module.Graph().as_default():
            w = module.get_variable("w", [2])
            with module.variable_scope("s"):
                b = module.get_variable("b", [], use_resource=True)
            ema = _ops(module).ExponentialMovingAverage(0.99)
            update = ema.apply([w, b])
            return (update.name, [v.name for v in module.global_variables()],
                    [v.name for v in module.moving_average_variables()], ema.average_name(b),
                    {k: v.name for k, v in ema.variables_to_restore().items()})

    assert names(otf) == names(tf)


# --------------------------------------------------------------------------- TF-written files

def _tf_table_model(tf, export_dir, vocab):
    g = tf.Graph()
    with g.as_default(), tf.Session(graph=g) as sess:
        words = tf.placeholder(tf.string, [None], name="words")
        table = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(str(vocab), tf.string, -2, tf.int64, -1), -1)
        kv = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(["dog"], [100], value_dtype=tf.int64), 0)
        w = tf.get_variable("w", initializer=tf.constant(10, tf.int64))
        ids = tf.add(table.lookup(words) * w, kv.lookup(words), name="ids")
        sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
        builder = tf.saved_model.builder.SavedModelBuilder(str(export_dir))
        signature = tf.saved_model.signature_def_utils.predict_signature_def({"words": words}, {"ids": ids})
        builder.add_meta_graph_and_variables(sess, ["serve"], {"serving_default": signature},
                                             assets_collection=tf.get_collection(tf.GraphKeys.ASSET_FILEPATHS),
                                             main_op=tf.tables_initializer())
        builder.save()
        return g.as_graph_def()


def test_tensorflow_saved_model_with_tables_and_an_asset(tf, tmp_path):
    import ortflow as otf

    vocab = tmp_path / "vocab.txt"
    vocab.write_text("cat\ndog\nemu\n")
    _tf_table_model(tf, tmp_path / "model", vocab)
    vocab.unlink()  # the loader must read the copy under assets/, fed as the asset path
    with otf.Graph().as_default() as g, otf.Session(graph=g) as sess:
        meta = otf.saved_model.loader.load(sess, ["serve"], str(tmp_path / "model"))
        signature = meta.signature_def["serving_default"]
        got = sess.run(signature.outputs["ids"].name, {signature.inputs["words"].name: ["emu", "dog", "yak"]})
    assert got.tolist() == [20, 110, -10]


def test_tensorflow_graph_def_with_tables(tf, tmp_path):
    import ortflow as otf

    vocab = tmp_path / "vocab.txt"
    vocab.write_text("cat\ndog\nemu\n")
    graph_def = otf.GraphDef.FromString(_tf_table_model(tf, tmp_path / "model", vocab).SerializeToString())
    with otf.Graph().as_default() as g:
        otf.import_graph_def(graph_def, name="")
        with otf.Session(graph=g) as sess:
            sess.run(["w/Assign", "init_all_tables"])  # a bare GraphDef has no collections
            assert sess.run("ids:0", {"words:0": ["cat", "dog"]}).tolist() == [0, 110]


def test_tensorflow_v1_table_ops_run_and_convert(tf):
    # The reference-typed TF 1.x ops (HashTable, InitializeTable, LookupTableFind/Size), as old
    # frozen graphs hold them.
    import ortflow as otf

    g = tf.Graph()
    with g.as_default():
        raw = tf.raw_ops
        table = raw.HashTable(key_dtype=tf.string, value_dtype=tf.int64, name="old_table")
        init = raw.InitializeTable(table_handle=table, keys=tf.constant(["a", "b"]),
                                   values=tf.constant([7, 8], tf.int64), name="old_init")
        x = tf.placeholder(tf.string, [None], name="x")
        raw.LookupTableFind(table_handle=table, keys=x, default_value=tf.constant(-1, tf.int64), name="old_find")
        raw.LookupTableSize(table_handle=table, name="old_size")
        with tf.Session(graph=g) as sess:
            sess.run(init)
            theirs = sess.run(["old_find:0", "old_size:0"], {"x:0": ["b", "q"]})
    graph_def = otf.GraphDef.FromString(g.as_graph_def().SerializeToString())
    with otf.Graph().as_default() as og:
        otf.import_graph_def(graph_def, name="")
        with otf.Session(graph=og) as sess:
            sess.run("old_init")
            ours = sess.run(["old_find:0", "old_size:0"], {"x:0": ["b", "q"]})
    assert [v.tolist() for v in ours] == [v.tolist() for v in theirs] == [[8, -1], 2]
    import onnxruntime as ort

    model = otf.convert(graph_def, inputs=["x:0"], outputs=["old_find:0"])
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    assert session.run(None, {"x:0": np.array(["a", "zz"], dtype=object)})[0].tolist() == [7, -1]


def test_ortflow_run_on_a_tensorflow_saved_model_with_tables(tf, tmp_path, cli):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("cat\ndog\nemu\n")
    _tf_table_model(tf, tmp_path / "model", vocab)
    vocab.unlink()  # `ortflow run` must feed the copy under assets/ to the main op
    np.save(tmp_path / "words.npy", np.array(["emu", "dog", "yak"]))
    proc = cli("run", tmp_path / "model", "--feed", f"words={tmp_path / 'words.npy'}", "--fetch", "ids",
               "-o", tmp_path / "out.npz")
    assert proc.returncode == 0, proc.stderr
    assert np.load(tmp_path / "out.npz")["ids:0"].tolist() == [20, 110, -10]
