"""Regenerates this directory: V1 ("tensor slice") checkpoints written by TensorFlow 2.21.

`tf.compat.v1.train.Saver(write_version=SaverDef.V1)` still writes the pre-2017 format: one
sorted string table per shard, no `.index`. Two checkpoints of one graph (a float matrix, an
int64 scalar, a string, a variable in 3 partitions, a float16 vector and a bool matrix):

- `single/model.ckpt` (+ `.meta`, `checkpoint`): one table file;
- `sharded/model.ckpt-?????-of-00002` (+ `.meta`): `sharded=True` with two devices.

`expected.npz` holds every variable's value, keyed by its checkpoint name. Run:

    /work/venv-tf/bin/python tests/data/checkpoint_v1/generate.py
"""

from __future__ import annotations

import os
import pathlib
import shutil

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent


def _build(tf):
    v1 = tf.compat.v1
    rng = np.random.default_rng(0)
    values = {
        "a": np.arange(6, dtype=np.float32).reshape(2, 3),
        "scope/b": np.int64(7),
        "s": np.array(b"hello", dtype=object),
        "h": rng.standard_normal(5).astype(np.float16),
        "mask": np.array([[True, False], [False, True]]),
    }
    with tf.device("/cpu:0"):
        for name, value in values.items():
            tf.Variable(value, name=name)
    with tf.device("/cpu:1"), v1.variable_scope("part"):
        v1.get_variable("p", shape=[10, 4], initializer=v1.random_normal_initializer(seed=1),
                        partitioner=v1.fixed_size_partitioner(3))
    return values


def main() -> None:
    import tensorflow as tf

    tf.compat.v1.disable_v2_behavior()
    v1 = tf.compat.v1
    expected = {}
    for kind in ("single", "sharded"):
        out = HERE / kind
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        graph = tf.Graph()
        config = v1.ConfigProto(device_count={"CPU": 2})
        with graph.as_default(), v1.Session(graph=graph, config=config) as sess:
            values = _build(tf)
            saver = v1.train.Saver(write_version=v1.train.SaverDef.V1, sharded=kind == "sharded")
            sess.run(v1.global_variables_initializer())
            saver.save(sess, str(out / "model.ckpt"))
            state = out / "checkpoint"  # relative paths, so the directory can move
            state.write_text(state.read_text().replace(f"{out}{os.sep}", ""))
            parts = [v for v in v1.global_variables() if v.name.startswith("part/p")]
            expected = dict(values, **{"part/p": np.concatenate(sess.run(parts), 0)})
    np.savez(HERE / "expected.npz", **{k: np.asarray(v, "S") if k == "s" else np.asarray(v) for k, v in expected.items()})
    for f in sorted(HERE.rglob("*")):
        if f.is_file():
            print(f.relative_to(HERE), f.stat().st_size)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
