"""Writes graph.pb, inputs.npz, expected.npz and manifest.json: a TF 1.x input graph using
sparse tensors and the parsing ops, built and run by TensorFlow 2.21 under disable_v2_behavior.

Run with a Python that has tensorflow-cpu 2.21: `python tests/data/sparse_parsing/make.py`.
tests/api/test_sparse_parsing_graph.py imports graph.pb into ortflow, feeds inputs.npz and
compares with expected.npz (TensorFlow's outputs).
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1
tf1.disable_v2_behavior()
HERE = pathlib.Path(__file__).resolve().parent


def _example(**features) -> bytes:
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


def build():
    table = tf1.constant(np.arange(24, dtype=np.float32).reshape(8, 3), name="table")
    sp = tf1.sparse_placeholder(tf1.float32, name="sp")
    ids = tf1.sparse_placeholder(tf1.int64, name="ids")
    ser = tf1.placeholder(tf1.string, [None], name="ser")
    csv = tf1.placeholder(tf1.string, [None], name="csv")
    text = tf1.placeholder(tf1.string, [None], name="text")
    parsed = tf1.parse_example(ser, {"x": tf1.FixedLenFeature([2], tf1.float32, default_value=[0.0, -1.0]),
                                     "tags": tf1.VarLenFeature(tf1.string),
                                     "seq": tf1.FixedLenSequenceFeature([], tf1.int64, allow_missing=True)})
    cols = tf1.decode_csv(csv, [[0], [0.0], ["none"]], na_value="?")
    words = tf1.string_split(text)
    pieces = tf1.strings.split(text, sep=",")
    filled, empty = tf1.sparse.fill_empty_rows(sp, 0.5)
    outputs = {
        "dense": tf1.sparse.to_dense(sp),
        "row_sums": tf1.sparse.reduce_sum(sp, axis=1),
        "matmul": tf1.sparse_tensor_dense_matmul(sp, tf1.ones([4, 2])),
        "twice_values": tf1.sparse.add(sp, sp).values,
        "filled_indices": filled.indices,
        "empty_rows": empty,
        "reordered_values": tf1.sparse.reorder(sp).values,
        "embedded": tf1.nn.embedding_lookup_sparse(
            table, tf1.sparse.retain(ids, tf1.greater_equal(ids.values, 0)), None, combiner="sqrtn"),
        "safe_embedded": tf1.nn.safe_embedding_lookup_sparse(table, ids, None, combiner="mean"),
        "x": parsed["x"],
        "tag_indices": parsed["tags"].indices,
        "tag_values": parsed["tags"].values,
        "seq": parsed["seq"],
        "col_int": cols[0],
        "col_float": cols[1],
        "col_str": cols[2],
        "word_indices": words.indices,
        "word_values": words.values,
        "word_shape": words.dense_shape,
        "piece_values": pieces.values,
    }
    inputs = {
        "sp/indices:0": np.array([[0, 1], [2, 0], [2, 3]], np.int64),
        "sp/values:0": np.array([1.5, 4.0, -2.0], np.float32),
        "sp/shape:0": np.array([3, 4], np.int64),
        "ids/indices:0": np.array([[0, 0], [0, 1], [2, 0], [3, 1]], np.int64),
        "ids/values:0": np.array([1, 7, 3, -2], np.int64),
        "ids/shape:0": np.array([4, 2], np.int64),
        "ser:0": np.array([_example(x=[1.0, 2.0], tags=[b"a", b"b"], seq=[4, 5, 6]), _example(tags=[b"c"]),
                           _example(x=[3.0, 4.0], seq=[7])], dtype=object),
        "csv:0": np.array([b'1,2.5,"a,b"', b"?,,", b"7,?,z"], dtype=object),
        "text:0": np.array([b"hello big world", b"", b"a,b,,c"], dtype=object),
    }
    return inputs, outputs


def main() -> None:
    g = tf1.Graph()
    with g.as_default():
        inputs, outputs = build()
        with tf1.Session() as sess:
            values = sess.run(outputs, {g.get_tensor_by_name(k): v for k, v in inputs.items()})
    (HERE / "graph.pb").write_bytes(g.as_graph_def().SerializeToString())
    names = sorted(outputs)
    manifest = {"inputs": {f"i{i}": k for i, k in enumerate(inputs)},
                "outputs": {f"o{i}": outputs[n].name for i, n in enumerate(names)},
                "labels": {f"o{i}": n for i, n in enumerate(names)}}
    # String arrays are stored as fixed-width bytes ('S'), so np.load needs no pickle.
    def plain(a):
        a = np.asarray(a)
        return a.astype(bytes) if a.dtype == object else a
    np.savez(HERE / "inputs.npz", **{f"i{i}": plain(v) for i, v in enumerate(inputs.values())})
    np.savez(HERE / "expected.npz", **{f"o{i}": plain(values[n]) for i, n in enumerate(names)})
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


if __name__ == "__main__":
    main()
