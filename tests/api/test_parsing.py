"""String splitting, tf.train.Example parsing and CSV decoding (no TensorFlow).

The expected splits are what TensorFlow 2.21 returned for the same strings (its whitespace
mode with maxsplit has a quirk: a trailing empty token once the limit is reached); the interop
twin `test_parsing_interop.py` compares with a live TensorFlow.
"""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest
from ortflow.api.parsing_ops import strings_split
from ortflow.errors import InvalidArgumentError
from ortflow.proto import Example

TEXTS = ["a b  c", "", "  lead trail  ", "x,,y", ",", "ab"]


def _rows(value) -> list[list[bytes]]:
    rows = [[] for _ in range(int(value.dense_shape[0]))]
    for (r, c), v in zip(value.indices.tolist(), value.values.tolist()):
        assert c == len(rows[r])  # positions count up within a row
        rows[r].append(v)
    return rows


def _split(fn):
    g = tf.Graph()
    with g.as_default():
        s = tf.placeholder(tf.string, [None], name="s")
        out = fn(s)
        with tf.Session() as sess:
            value = sess.run(out, {s: TEXTS})
    assert value.dense_shape[1] == max(len(r) for r in _rows(value))
    return _rows(value)


@pytest.mark.parametrize("fn, want", [
    (lambda s: tf.string_split(s),
     [[b"a", b"b", b"c"], [], [b"lead", b"trail"], [b"x,,y"], [b","], [b"ab"]]),
    (lambda s: tf.string_split(s, delimiter=", ", skip_empty=False),
     [[b"a", b"b", b"", b"c"], [], [b"", b"", b"lead", b"trail", b"", b""], [b"x", b"", b"y"], [b"", b""], [b"ab"]]),
    (lambda s: tf.string_split(s, delimiter=""),
     [list(b"a b  c"), [], list(b"  lead trail  "), list(b"x,,y"), [b","], [b"a", b"b"]]),
    (lambda s: strings_split(s),
     [[b"a", b"b", b"c"], [], [b"lead", b"trail"], [b"x,,y"], [b","], [b"ab"]]),
    (lambda s: strings_split(s, sep=","),
     [[b"a b  c"], [b""], [b"  lead trail  "], [b"x", b"", b"y"], [b"", b""], [b"ab"]]),
    (lambda s: strings_split(s, sep=",", maxsplit=1),
     [[b"a b  c"], [b""], [b"  lead trail  "], [b"x", b",y"], [b"", b""], [b"ab"]]),
    (lambda s: strings_split(s, maxsplit=1),
     [[b"a", b"b  c"], [], [b"lead", b"trail  "], [b"x,,y", b""], [b",", b""], [b"ab", b""]]),
], ids=["v1_space", "v1_any_char_keep_empty", "v1_bytes", "v2_whitespace", "v2_sep", "v2_sep_maxsplit",
        "v2_whitespace_maxsplit"])
def test_splits_match_tensorflow(fn, want):
    want = [[bytes([t]) if isinstance(t, int) else t for t in row] for row in want]
    assert _split(fn) == want


def test_split_nodes_and_scalar_input():
    g = tf.Graph()
    with g.as_default():
        s = tf.placeholder(tf.string, [None], name="s")
        tf.string_split(s)
        strings_split(s, sep=",")
        scalar = strings_split(tf.constant("a b"))
        with tf.Session() as sess:
            value = sess.run(scalar)
    ops = [(op.name, op.type) for op in g.get_operations()]
    assert ops[1:5] == [("StringSplit/Const", "Const"), ("StringSplit/StringSplit", "StringSplit"),
                        ("StringSplit_1/Const", "Const"), ("StringSplit_1/StringSplitV2", "StringSplitV2")]
    assert value.dense_shape.tolist() == [1, 2] and value.values.tolist() == [b"a", b"b"]
    assert scalar.indices.shape.as_list() == [None, 2] and scalar.dense_shape.shape.as_list() == [2]


# --------------------------------------------------------------------------- tf.train.Example


def _example(**features) -> bytes:
    ex = Example()
    for key, values in features.items():
        feature = ex.features.feature[key]
        if isinstance(values[0], float):
            feature.float_list.value.extend(values)
        elif isinstance(values[0], int):
            feature.int64_list.value.extend(values)
        else:
            feature.bytes_list.value.extend(values)
    return ex.SerializeToString()


RECORDS = [_example(a=[1.0, 2.0], b=[3, 4, 5], c=[b"x", b"y"]), _example(b=[7], c=[b"z"]),
           _example(a=[5.0, 6.0], d=[8, 9, 10])]
FEATURES = {"a": ("fixed", [2], "float32", [0.0, 9.0]), "b": ("var", None, "int64", None),
            "c": ("seq", [], "string", None), "d": ("seq", [], "int64", -1)}


def _features():
    out = {}
    for key, (kind, shape, dtype, default) in FEATURES.items():
        dtype = getattr(tf, dtype)
        if kind == "fixed":
            out[key] = tf.io.FixedLenFeature(shape, dtype, default_value=default)
        elif kind == "var":
            out[key] = tf.io.VarLenFeature(dtype)
        else:
            out[key] = tf.io.FixedLenSequenceFeature(shape, dtype, allow_missing=True, default_value=default)
    return out


def test_parse_example_dense_sparse_and_sequence_features():
    g = tf.Graph()
    with g.as_default():
        ser = tf.placeholder(tf.string, [None], name="ser")
        parsed = tf.io.parse_example(ser, _features())
        with tf.Session() as sess:
            got = sess.run(parsed, {ser: RECORDS})
    np.testing.assert_array_equal(got["a"], [[1, 2], [0, 9], [5, 6]])  # the default fills example 1
    assert got["a"].dtype == np.float32
    assert isinstance(got["b"], tf.SparseTensorValue)
    assert got["b"].indices.tolist() == [[0, 0], [0, 1], [0, 2], [1, 0]]
    assert got["b"].values.tolist() == [3, 4, 5, 7] and got["b"].dense_shape.tolist() == [3, 3]
    assert got["c"].tolist() == [[b"x", b"y"], [b"z", b""], [b"", b""]]  # padded with ""
    assert got["d"].tolist() == [[-1, -1, -1], [-1, -1, -1], [8, 9, 10]]  # padded with the default
    assert parsed["a"].shape.as_list() == [None, 2] and parsed["c"].shape.as_list() == [None, None]


def test_parse_example_nodes_as_tensorflow_names_them():
    g = tf.Graph()
    with g.as_default():
        ser = tf.placeholder(tf.string, [None], name="ser")
        tf.parse_example(ser, {"a": tf.FixedLenFeature([2], tf.float32, default_value=[0.0, 0.0]),
                               "b": tf.VarLenFeature(tf.int64),
                               "c": tf.FixedLenSequenceFeature([], tf.string, allow_missing=True)})
    node = g.get_operation_by_name("ParseExample/ParseExampleV2")
    assert [t.name for t in node.inputs] == [
        "ser:0", "ParseExample/ParseExampleV2/names:0", "ParseExample/ParseExampleV2/sparse_keys:0",
        "ParseExample/ParseExampleV2/dense_keys:0", "ParseExample/ParseExampleV2/ragged_keys:0",
        "ParseExample/Reshape:0", "ParseExample/Const:0"]
    assert node.get_attr("num_sparse") == 1 and node.get_attr("Tdense") == [tf.float32, tf.string]
    assert node.get_attr("sparse_types") == [tf.int64]


def test_parse_single_example():
    g = tf.Graph()
    with g.as_default():
        one = tf.placeholder(tf.string, [], name="one")
        parsed = tf.parse_single_example(one, {"a": tf.FixedLenFeature([2], tf.float32),
                                               "b": tf.VarLenFeature(tf.int64),
                                               "c": tf.FixedLenSequenceFeature([], tf.string, allow_missing=True)})
        with tf.Session() as sess:
            got = sess.run(parsed, {one: RECORDS[0]})
            with pytest.raises(InvalidArgumentError, match="Feature: a .* is required"):
                sess.run(parsed, {one: RECORDS[1]})
    assert g.get_operation_by_name("ParseSingleExample/ParseExample/ParseExampleV2").type == "ParseExampleV2"
    np.testing.assert_array_equal(got["a"], [1, 2])
    assert got["b"].indices.tolist() == [[0], [1], [2]] and got["b"].dense_shape.tolist() == [3]
    assert got["c"].tolist() == [b"x", b"y"]


@pytest.mark.parametrize("record, message", [
    (_example(a=[1, 2]), "Data types don't match"),
    (_example(a=[1.0, 2.0, 3.0]), "Values size: 3"),
    (b"\xff\xff not a proto", "not a serialized tf.train.Example"),
])
def test_parse_example_errors_name_the_problem(record, message):
    g = tf.Graph()
    with g.as_default():
        ser = tf.placeholder(tf.string, [None], name="ser")
        parsed = tf.io.parse_example(ser, {"a": tf.io.FixedLenFeature([2], tf.float32)})
        with tf.Session() as sess, pytest.raises(InvalidArgumentError, match=message):
            sess.run(parsed, {ser: [record]})


def test_parse_example_refuses_bad_feature_specs():
    with tf.Graph().as_default():
        ser = tf.placeholder(tf.string, [None])
        with pytest.raises(ValueError, match="allow_missing"):
            tf.io.parse_example(ser, {"c": tf.io.FixedLenSequenceFeature([], tf.string)})
        with pytest.raises(ValueError, match="need to be known"):
            tf.io.parse_example(ser, {"a": tf.io.FixedLenFeature([None], tf.float32)})
        with pytest.raises(ValueError, match="cannot be None or falsy"):
            tf.io.parse_example(ser, {})


def test_parsed_examples_feed_a_conv_net_on_onnxruntime():
    # ParseExampleV2 runs in numpy first, then onnxruntime runs the convolution on its output.
    pixels = np.arange(16, dtype=np.float32)
    g = tf.Graph()
    with g.as_default():
        ser = tf.placeholder(tf.string, [None], name="ser")
        x = tf.io.parse_example(ser, {"x": tf.io.FixedLenFeature([4, 4, 1], tf.float32)})["x"]
        y = tf.nn.relu(tf.nn.conv2d(x, tf.ones([2, 2, 1, 1]), [1, 1, 1, 1], "VALID") - 20.0)
        with tf.Session() as sess:
            got = sess.run(y, {ser: [_example(x=pixels.tolist()), _example(x=(-pixels).tolist())]})
            backend = sess.last_run_backend
    img = pixels.reshape(4, 4)
    want = np.maximum(np.array([[img[i:i + 2, j:j + 2].sum() for j in range(3)] for i in range(3)]) - 20, 0)
    np.testing.assert_allclose(got[0, :, :, 0], want)
    np.testing.assert_allclose(got[1], 0)
    assert backend == "onnxruntime+numpy"


# --------------------------------------------------------------------------- CSV


def _csv(lines, defaults, **kw):
    # A dtype name in `defaults` stands for an empty default of that type (a required column).
    g = tf.Graph()
    with g.as_default():
        csv = tf.placeholder(tf.string, [None], name="csv")
        defaults = [tf.constant([], getattr(tf, d)) if isinstance(d, str) else d for d in defaults]
        cols = tf.decode_csv(csv, defaults, **kw)
        with tf.Session() as sess:
            return sess.run(cols, {csv: lines})


def test_decode_csv_types_defaults_quotes_and_na():
    lines = ['1,2.5,"q,""r",7', 'NA,,,8', ' 3 , 1e3 ,s,9']
    a, b, c, d = _csv(lines, [[1], [0.5], ["x"], "int64"], na_value="NA")
    assert a.tolist() == [1, 1, 3] and a.dtype == np.int32
    np.testing.assert_allclose(b, [2.5, 0.5, 1000.0])
    assert b.dtype == np.float32
    assert c.tolist() == [b'q,"r', b"x", b"s"]
    assert d.tolist() == [7, 8, 9] and d.dtype == np.int64


def test_decode_csv_select_cols_delimiter_and_literal_quotes():
    a, b = _csv(['1|"x|y"|z|w', '4|"|5|6'], [[0], ["?"]], field_delim="|", use_quote_delim=False,
                select_cols=[0, 3])
    # Without quote handling '"x' and 'y"' are two fields, so column 3 is "z".
    assert a.tolist() == [1, 4] and b.tolist() == [b"z", b"6"]


@pytest.mark.parametrize("lines, defaults, message", [
    (["1,2,3"], [[0], [0]], "Expect 2 fields but have 3"),
    (["1,"], [[0], "int32"], "Field 1 is required but missing in record 0"),
    (["1,abc"], [[0], [0]], "Field 1 in record 0 is not a valid int32: abc"),
    (["1,2_000"], [[0], [0.0]], "Field 1 in record 0 is not a valid float: 2_000"),
    (['"1,2'], [[0], [0]], "Quoted field has to end"),
])
def test_decode_csv_errors(lines, defaults, message):
    with pytest.raises(InvalidArgumentError, match=message):
        _csv(lines, defaults)


def test_decode_csv_nodes_and_select_cols_checks():
    g = tf.Graph()
    with g.as_default():
        csv = tf.placeholder(tf.string, [None], name="csv")
        cols = tf.io.decode_csv(csv, [[1], [0.5], ["x"]], na_value="NA")
        with pytest.raises(ValueError, match="strictly increasing"):
            tf.decode_csv(csv, [[1], [2]], select_cols=[1, 0])
    node = g.get_operation_by_name("DecodeCSV")
    assert [t.name for t in node.inputs] == ["csv:0", "DecodeCSV/record_defaults_0:0",
                                             "DecodeCSV/record_defaults_1:0", "DecodeCSV/record_defaults_2:0"]
    assert node.get_attr("OUT_TYPE") == [tf.int32, tf.float32, tf.string]
    assert [c.shape.as_list() for c in cols] == [[None]] * 3


def test_v1_parse_example_and_parse_single_example_ops():
    # Graphs written by TF 1.x hold the v1 ParseExample op (keys as separate string inputs) and
    # ParseSingleExample (keys as attrs); they give what ParseExampleV2 gives.
    from ortflow.api.ops_builder import apply_op

    g = tf.Graph()
    with g.as_default():
        ser = tf.placeholder(tf.string, [None], name="ser")
        one = tf.placeholder(tf.string, [], name="one")
        default_a = tf.constant([0.0, 9.0])
        v1 = apply_op("ParseExample", [ser, tf.constant([], tf.string), [tf.constant("b")], [tf.constant("a")],
                                       [default_a]],
                      {"sparse_types": [tf.int64], "dense_shapes": [tf.TensorShape([2])]})
        single = apply_op("ParseSingleExample", [one, [default_a]],
                          {"num_sparse": 1, "sparse_keys": ["b"], "dense_keys": ["a"], "sparse_types": [tf.int64],
                           "dense_shapes": [tf.TensorShape([2])]})
        with tf.Session() as sess:
            got_v1 = sess.run(v1.outputs, {ser: RECORDS})
            got_single = sess.run(single.outputs, {one: RECORDS[1]})
    indices, values, shape, dense = got_v1
    assert indices.tolist() == [[0, 0], [0, 1], [0, 2], [1, 0]] and values.tolist() == [3, 4, 5, 7]
    assert shape.tolist() == [3, 3]
    np.testing.assert_array_equal(dense, [[1, 2], [0, 9], [5, 6]])
    indices, values, shape, dense = got_single
    assert indices.tolist() == [[0]] and values.tolist() == [7] and shape.tolist() == [1]
    np.testing.assert_array_equal(dense, [0, 9])
