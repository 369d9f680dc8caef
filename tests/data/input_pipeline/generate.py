"""Regenerates this directory: a frozen TF 1.x graph that reads its batches from a tf.data iterator.

Scripts that trained from `make_one_shot_iterator(...).get_next()` freeze graphs whose inputs are
`IteratorGetNext:0` (features) and `IteratorGetNext:1` (labels), next to dataset nodes that are no
model output. `frozen.pb` is such a graph; `expected.npz` holds TensorFlow's feeds (`feed:...`) and
result (`fetch:logits:0`). Run with TensorFlow 2.21:

    /work/venv-tf/bin/python tests/data/input_pipeline/generate.py
"""

from __future__ import annotations

import os
import pathlib

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent


def main() -> None:
    import tensorflow as tf

    tf.compat.v1.disable_v2_behavior()
    v1 = tf.compat.v1
    rng = np.random.default_rng(0)
    data = tf.data.Dataset.from_tensor_slices((rng.random((10, 4), np.float32), np.arange(10))).batch(2)
    features, labels = v1.data.make_one_shot_iterator(data).get_next()
    w = tf.Variable(rng.standard_normal((4, 3)).astype(np.float32), name="w")
    logits = tf.identity(tf.matmul(features, w) + tf.cast(tf.expand_dims(labels, 1), tf.float32), name="logits")
    with v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        frozen = v1.graph_util.convert_variables_to_constants(sess, sess.graph_def, ["logits"])
        x = rng.standard_normal((3, 4)).astype(np.float32)
        y = np.array([1, 2, 3], np.int64)
        result = sess.run(logits, {features: x, labels: y})
    (HERE / "frozen.pb").write_bytes(frozen.SerializeToString())
    np.savez(HERE / "expected.npz", **{"feed:IteratorGetNext:0": x, "feed:IteratorGetNext:1": y,
                                       "fetch:logits:0": result})
    print(sorted({n.op for n in frozen.node}))


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
