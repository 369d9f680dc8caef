"""Writes tf_graph.pbtxt: TensorFlow 2.21's graph (TF 1.x behaviour) of the mutable tables that
tests/runtime/test_mutable_tables.py builds with ortflow and compares node for node.

Run with the TensorFlow venv: /work/venv-tf/bin/python tests/data/mutable_tables/make_graph.py
"""

from __future__ import annotations

import os
import sys

__all__ = ["build"]


def build(tf):
    """The graph, built with `tf` (TensorFlow or ortflow); returns it."""
    g = tf.Graph()
    with g.as_default():
        words = tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1)
        words.insert(tf.constant(["a", "b", "a"]), tf.constant([1, 2, 3], tf.int64))
        words.lookup(["a", "b", "c"])
        words.remove(tf.constant(["b"]))
        words.size()
        words.export()
        vectors = tf.lookup.experimental.MutableHashTable(tf.int64, tf.float32, [0.5, 0.5], name="vec")
        vectors.insert([1, 2], [[1, 2], [3, 4]])
        vectors.lookup(tf.constant([[1], [5]], tf.int64))
        dense = tf.lookup.experimental.DenseHashTable(tf.int64, tf.int64, default_value=-1, empty_key=0,
                                                      deleted_key=-1)
        dense.insert(tf.constant([3, 4], tf.int64), tf.constant([30, 40], tf.int64))
        dense.lookup(tf.constant([3, 5], tf.int64), name="find")
        dense.remove(tf.constant([3], tf.int64))
        again = tf.lookup.experimental.MutableHashTable(tf.string, tf.float32, 0.0)
        again.insert(["x"], [1.0])
    return g


def main() -> int:
    import tensorflow as tf

    tf.compat.v1.disable_v2_behavior()
    here = os.path.dirname(os.path.abspath(__file__))
    tf.io.write_graph(build(tf).as_graph_def(), here, "tf_graph.pbtxt", as_text=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
