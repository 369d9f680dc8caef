"""String splits, Example parsing and CSV decoding against TensorFlow 2.21 (`disable_v2_behavior`).

Each case is a snippet run twice, with `tf = tensorflow.compat.v1` and with `import ortflow as
tf`; the node lists (names, op types, inputs) and the fetched values must be equal. `split2`
stands for `tf.strings.split` (ortflow's is `ortflow.api.parsing_ops.strings_split` until the
lead exports it in `tf.strings`).
"""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.interop

TEXTS = ["a b  c", "", "  lead trail  ", "x,,y", ",", "ab", "tab\tsep\nline", "\x00nul,,\xff"]


def _example(tf, **features) -> bytes:
    ex = tf.train.Example()
    for key, values in features.items():
        feature = ex.features.feature[key]
        if isinstance(values[0], float):
            feature.float_list.value.extend(values)
        elif isinstance(values[0], int):
            feature.int64_list.value.extend(values)
        else:
            feature.bytes_list.value.extend(values)
    return ex.SerializeToString()


CASES = {
    "splits": """
s = tf.placeholder(tf.string, [None], name="s")
fetches = [tf.string_split(s), tf.string_split(s, delimiter=", ", skip_empty=False), tf.string_split(s, ""),
           tf.string_split(s, sep="\\t"), split2(s), split2(s, sep=","), split2(s, sep=",,"),
           split2(s, sep=",", maxsplit=1), split2(s, maxsplit=1), split2(s, maxsplit=2), split2(tf.constant("a b")),
           split2(source=s, sep="a")]
feed = {s: TEXTS}
""",
    "parse_example": """
ser = tf.placeholder(tf.string, [None], name="ser")
one = tf.placeholder(tf.string, [], name="one")
features = {"a": tf.FixedLenFeature([2], tf.float32, default_value=[0.0, 9.0]),
            "b": tf.VarLenFeature(tf.int64), "s": tf.VarLenFeature(tf.string),
            "c": tf.FixedLenSequenceFeature([], tf.string, allow_missing=True),
            "d": tf.FixedLenSequenceFeature([2], tf.int64, allow_missing=True, default_value=-1),
            "m": tf.io.FixedLenFeature([2, 2], tf.int64, default_value=[[1, 2], [3, 4]]),
            "weird key!": tf.io.FixedLenFeature([], tf.float32, default_value=0.5)}
parsed = tf.parse_example(ser, features)
single = tf.io.parse_single_example(one, {"a": tf.FixedLenFeature([2], tf.float32), "b": tf.VarLenFeature(tf.int64),
                                          "c": tf.io.FixedLenSequenceFeature([], tf.string, allow_missing=True)})
named = tf.io.parse_example(ser, {"b": tf.VarLenFeature(tf.int64)}, name="named", example_names=["e0", "e1", "e2"])
fetches = [parsed, single, named]
feed = {ser: RECORDS, one: RECORDS[0]}
""",
    "decode_csv": """
csv = tf.placeholder(tf.string, [None], name="csv")
fetches = [tf.decode_csv(csv, [[1], [0.5], ["x"], tf.constant([], tf.int64), [2.5]], na_value="NA",
                         select_cols=[0, 1, 2, 3, 5]),
           tf.io.decode_csv(csv, [["?"], ["?"]], use_quote_delim=False, select_cols=[2, 4]),
           tf.decode_csv(tf.reshape(csv, [2, 2]), [[0], [0.0], ["x"], [0], ["y"], [0.0]], na_value="NA",
                         name="grid")]
feed = {csv: ['1,2.5,"q,""r",7,ignored,1e-3', 'NA,,,8,z,4', ' 3 , 1e3 ,s,9,,', '-4,-inf,"",0,w,nan']}
""",
}


def _records(tf_module):
    import tensorflow

    return [_example(tensorflow, a=[1.0, 2.0], b=[3, 4, 5], c=[b"x", b"y"], s=[b"p"], m=[5, 6, 7, 8]),
            _example(tensorflow, b=[7], c=[b"z"], d=[1, 2, 3, 4], **{"weird key!": [2.0]}),
            _example(tensorflow, a=[5.0, 6.0], s=[b"q", b"r", b""])]


def _nodes(g):
    return [(n.name, n.op, tuple(n.input)) for n in g.as_graph_def().node]


def _run(tf_module, code, split2):
    g = tf_module.Graph()
    env = {"tf": tf_module, "np": np, "split2": split2, "TEXTS": TEXTS, "RECORDS": _records(tf_module)}
    with g.as_default():
        exec(code, env)
        with tf_module.Session(graph=g) as sess:
            return sess.run(env["fetches"], env["feed"]), _nodes(g)


def _same(a, b, where):
    if isinstance(b, dict):
        assert sorted(a) == sorted(b), where
        for k in b:
            _same(a[k], b[k], f"{where}[{k!r}]")
        return
    if isinstance(b, tuple) and hasattr(b, "indices"):  # SparseTensorValue
        assert type(a).__name__ == "SparseTensorValue", where
        for part in ("indices", "values", "dense_shape"):
            _same(getattr(a, part), getattr(b, part), f"{where}.{part}")
        return
    if isinstance(b, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
        return
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, f"{where}: shape {a.shape} != {b.shape}"
    assert a.dtype == b.dtype, f"{where}: {a.dtype} != {b.dtype}"
    if b.dtype.kind in "fc":
        np.testing.assert_array_equal(a, b, err_msg=where)
    else:
        assert a.tolist() == b.tolist(), where


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_nodes_and_values_as_tensorflow(tf, name):
    import ortflow as otf
    from ortflow.api.parsing_ops import strings_split

    theirs, their_nodes = _run(tf, CASES[name], tf.strings.split)
    ours, our_nodes = _run(otf, CASES[name], strings_split)
    _same(ours, theirs, name)
    assert our_nodes == their_nodes


@pytest.mark.parametrize("record, features", [
    ("wrong_type", {"a": "float"}),
    ("too_many", {"a": "float"}),
    ("missing", {"a": "float"}),
])
def test_parse_errors_are_invalid_argument_in_both(tf, record, features):
    import ortflow as otf
    import tensorflow

    blobs = {"wrong_type": _example(tensorflow, a=[1, 2]), "too_many": _example(tensorflow, a=[1.0, 2.0, 3.0]),
             "missing": _example(tensorflow, b=[1])}
    for module in (tf, otf):
        g = module.Graph()
        with g.as_default():
            ser = module.placeholder(module.string, [None])
            parsed = module.parse_example(ser, {"a": module.FixedLenFeature([2], module.float32)})
            with module.Session() as sess, pytest.raises(module.errors.InvalidArgumentError):
                sess.run(parsed, {ser: [blobs[record]]})


@pytest.mark.parametrize("line, defaults", [("1,2,3", [[0], [0]]), ("1,", [[0], "required"]),
                                            ("1,abc", [[0], [0]]), ('"1,2', [[0], [0]]),
                                            ("1,2_000", [[0], [0.0]]), ("1_0,2", [[0], [0]])])
def test_csv_errors_are_invalid_argument_in_both(tf, line, defaults):
    import ortflow as otf

    for module in (tf, otf):
        g = module.Graph()
        with g.as_default():
            csv = module.placeholder(module.string, [None])
            given = [module.constant([], module.int32) if d == "required" else d for d in defaults]
            cols = module.decode_csv(csv, given)
            with module.Session() as sess, pytest.raises(module.errors.InvalidArgumentError):
                sess.run(cols, {csv: [line]})


def test_v1_parse_ops_equal_tensorflow(tf):
    # The v1 ParseExample / ParseSingleExample ops (what TF 1.x wrote) through TF's raw ops.
    import ortflow as otf
    import tensorflow
    from ortflow.api.ops_builder import apply_op

    records = _records(tf)

    def build(module, make):
        ser = module.placeholder(module.string, [None], name="ser")
        one = module.placeholder(module.string, [], name="one")
        default = module.constant([0.0, 9.0])
        v1 = make("ParseExample", {"serialized": ser, "names": module.constant([], module.string),
                                       "sparse_keys": [module.constant("b"), module.constant("s")],
                                       "dense_keys": [module.constant("a")], "dense_defaults": [default],
                                       "sparse_types": [module.int64, module.string], "dense_shapes": [[2]]})
        single = make("ParseSingleExample", {"serialized": one, "dense_defaults": [default], "num_sparse": 1,
                                                 "sparse_keys": ["b"], "dense_keys": ["a"], "sparse_types": [module.int64],
                                                 "dense_shapes": [[2]]})
        return ser, one, [*v1, *single]

    def tf_make(op_type, kw):  # raw ops group the outputs per output arg: flattened here
        return [t for group in getattr(tensorflow.raw_ops, op_type)(**kw) for t in group]

    order = {"ParseExample": ["serialized", "names", "sparse_keys", "dense_keys", "dense_defaults"],
             "ParseSingleExample": ["serialized", "dense_defaults"]}

    def our_make(op_type, kw):
        attrs = {k: v for k, v in kw.items() if k not in order[op_type]}
        attrs["dense_shapes"] = [otf.TensorShape(s) for s in attrs["dense_shapes"]]
        if op_type == "ParseExample":
            attrs.pop("num_sparse", None)
        return apply_op(op_type, [kw[k] for k in order[op_type]], attrs).outputs

    results = []
    for module, make in ((tf, tf_make), (otf, our_make)):
        g = module.Graph()
        with g.as_default():
            ser, one, fetches = build(module, make)
            with module.Session() as sess:
                results.append(sess.run(fetches, {ser: records, one: records[0]}))
    _same(results[1], results[0], "v1 parse ops")
