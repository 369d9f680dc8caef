"""Regenerates this directory: TF 1.x-style graphs built with control flow v2 (If, Case, While).

`tf.compat.v1.disable_eager_execution()` without `disable_v2_behavior()` keeps control flow v2 on,
so `tf.cond`, `tf.case`/`tf.switch_case` and `tf.while_loop` write functional If/Case/While
nodes whose bodies live in the graph's function library. Each case is a frozen GraphDef
(`<case>.pb`) with TensorFlow's feeds and results (`<case>.npz`: `feed:<tensor>` and
`fetch:<tensor>` arrays). Run with TensorFlow 2.21:

    /work/venv-tf/bin/python tests/data/functional_flow/generate.py
"""

from __future__ import annotations

import os
import pathlib

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent


def _cases(tf):
    v1 = tf.compat.v1
    rng = np.random.default_rng(0)

    def cond_case():
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        flag = v1.placeholder(tf.bool, [], name="flag")
        w = tf.Variable(rng.standard_normal((3, 2)).astype(np.float32), name="w")
        y = tf.cond(flag, lambda: tf.matmul(x, w) + 1.0, lambda: tf.nn.relu(tf.matmul(x, w)) * 2.0, name="pick")
        out = tf.identity(y, name="out")
        feeds = [{x: rng.standard_normal((4, 3)).astype(np.float32), flag: f} for f in (True, False)]
        return [out], feeds

    def switch_case():
        x = v1.placeholder(tf.float32, [2], name="x")
        k = v1.placeholder(tf.int32, [], name="k")
        y = tf.switch_case(k, [lambda: x * 2.0, lambda: x + 10.0, lambda: -x], name="branch")
        out = tf.identity(y, name="out")
        data = np.array([1.5, -2.0], np.float32)
        return [out], [{x: data, k: i} for i in (0, 1, 2, 7, -1)]

    def while_loop():
        x = v1.placeholder(tf.float32, [None], name="x")
        n = v1.placeholder(tf.int32, [], name="n")
        scale = tf.Variable(np.float32(0.5), name="scale")

        def body(i, acc):
            return i + 1, acc * scale + tf.cast(i, tf.float32)

        _, acc = tf.while_loop(lambda i, acc: i < n, body, [tf.constant(0), x], name="loop")
        out = tf.identity(acc, name="out")
        data = np.array([1.0, 2.0, 3.0], np.float32)
        return [out], [{x: data, n: m} for m in (0, 1, 5)]

    def nested():
        x = v1.placeholder(tf.float32, [3], name="x")

        def outer(i, acc):
            def inner(j, a):
                a = tf.cond(tf.equal(j % 2, 0), lambda: a + 1.0, lambda: a * 1.5)
                return j + 1, a
            _, acc = tf.while_loop(lambda j, a: j < i, inner, [tf.constant(0), acc])
            return i + 1, acc

        _, acc = tf.while_loop(lambda i, acc: i < 4, outer, [tf.constant(0), x], name="outer")
        out = tf.identity(acc, name="out")
        return [out], [{x: np.array([0.5, -1.0, 2.0], np.float32)}]

    def tensor_array():
        x = v1.placeholder(tf.float32, [None, 2], name="x")
        steps = tf.shape(x)[0]
        ta = tf.TensorArray(tf.float32, size=steps)

        def body(t, total, ta):
            total = total + x[t]
            return t + 1, total, ta.write(t, total * 2.0)

        _, _, ta = tf.while_loop(lambda t, *_: t < steps, body, [0, tf.zeros([2]), ta], name="scan")
        out = tf.identity(ta.stack(), name="out")
        return [out], [{x: rng.standard_normal((5, 2)).astype(np.float32)}]

    return {"cond": cond_case, "switch_case": switch_case, "while_loop": while_loop, "nested": nested,
            "tensor_array": tensor_array}


def _save_unfrozen(tf) -> None:
    """`cond_variables/`: resource variables read inside If branches and a While body, saved
    as .meta + checkpoint (not frozen), so a Session must feed the branches its variables."""
    v1 = tf.compat.v1
    out = HERE / "cond_variables"
    out.mkdir(exist_ok=True)
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        flag = v1.placeholder_with_default(False, [], name="flag")
        w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2) / 4, name="w")
        b = tf.Variable(np.array([0.5, -0.5], np.float32), name="b")
        y = tf.cond(flag, lambda: tf.matmul(x, w) + b, lambda: tf.matmul(x, w * 2.0) - b, name="pick")
        _, z = tf.while_loop(lambda i, acc: i < 3, lambda i, acc: (i + 1, acc + b), [0, y], name="loop")
        out_t = tf.identity(z, name="out")
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            data = np.random.default_rng(3).standard_normal((2, 3)).astype(np.float32)
            arrays = {}
            for k, f in enumerate((True, False)):
                arrays[f"{k}/feed:x:0"] = data
                arrays[f"{k}/feed:flag:0"] = np.array(f)
                arrays[f"{k}/fetch:out:0"] = sess.run(out_t, {x: data, flag: f})
            v1.train.Saver().save(sess, str(out / "model"), write_meta_graph=True)
    (out / "checkpoint").write_text('model_checkpoint_path: "model"\nall_model_checkpoint_paths: "model"\n')
    np.savez(out / "expected.npz", **arrays)


def main() -> None:
    import tensorflow as tf

    tf.compat.v1.disable_eager_execution()
    for name, build in _cases(tf).items():
        graph = tf.Graph()
        with graph.as_default():
            fetches, feeds = build()
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                frozen = tf.compat.v1.graph_util.convert_variables_to_constants(
                    sess, graph.as_graph_def(), [f.op.name for f in fetches])
                arrays = {}
                for k, feed in enumerate(feeds):
                    values = sess.run(fetches, feed)
                    for tensor, value in feed.items():
                        arrays[f"{k}/feed:{tensor.name}"] = np.asarray(value, tensor.dtype.as_numpy_dtype)
                    for tensor, value in zip(fetches, values):
                        arrays[f"{k}/fetch:{tensor.name}"] = value
        ops = {n.op for n in frozen.node}
        assert ops & {"If", "StatelessIf", "Case", "StatelessCase", "While", "StatelessWhile"}, (name, ops)
        (HERE / f"{name}.pb").write_bytes(frozen.SerializeToString())
        np.savez(HERE / f"{name}.npz", **arrays)
        print(f"{name}: {len(frozen.node)} nodes, {len(frozen.library.function)} functions, ops {sorted(ops)}")
    _save_unfrozen(tf)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
