"""Writes the TF 1.x control-flow cases under tests/data/control_flow/<case>/ (needs TensorFlow).

Run with the oracle environment: .venv-tf/bin/python tests/data/control_flow/make_cases.py
Each case is a tf.compat.v1 graph built with v1 control flow (Switch/Merge, Enter/Exit frames),
frozen with convert_variables_to_constants, plus the inputs it was run on and TF's outputs:
frozen.pb, inputs.npz, expected.npz, manifest.json (input and output tensor names).
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import tensorflow as tf

HERE = pathlib.Path(__file__).resolve().parent
BATCH = 2


def _keras_rnn(layer_fn):
    def build():
        x = tf.compat.v1.placeholder(tf.float32, [None, 5, 3], name="a")
        return {"a:0": x}, [tf.identity(layer_fn()(x), name="output")]
    return build


def _masked_rnn():
    # A hand-written RNN over a TensorArray, masked by per-row sequence lengths (tf.where).
    x = tf.compat.v1.placeholder(tf.float32, [None, 6, 3], name="a")
    lengths = tf.compat.v1.placeholder(tf.int32, [None], name="lengths")
    rng = np.random.RandomState(1)
    wx = tf.constant(rng.randn(3, 4).astype(np.float32) * 0.5)
    wh = tf.constant(rng.randn(4, 4).astype(np.float32) * 0.5)
    steps = tf.TensorArray(tf.float32, size=6).unstack(tf.transpose(x, [1, 0, 2]))
    outs = tf.TensorArray(tf.float32, size=6)

    def body(t, h, ta):
        new_h = tf.tanh(tf.matmul(steps.read(t), wx) + tf.matmul(h, wh))
        h = tf.where(tf.expand_dims(t < lengths, 1), new_h, h)
        return t + 1, h, ta.write(t, h)

    h0 = tf.zeros(tf.stack([tf.shape(x)[0], 4]))
    _, h, ta = tf.compat.v1.while_loop(lambda t, h, ta: t < 6, body, [tf.constant(0), h0, outs])
    return {"a:0": x, "lengths:0": lengths}, [tf.identity(tf.transpose(ta.stack(), [1, 0, 2]), name="output"),
                                              tf.identity(h, name="state")]


def _nested_while():
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="a")

    def outer_body(i, acc):
        _, inner = tf.compat.v1.while_loop(lambda j, v: j < i + 1, lambda j, v: (j + 1, v * 0.5 + 1.0),
                                           [tf.constant(0), acc])
        return i + 1, inner

    _, out = tf.compat.v1.while_loop(lambda i, acc: i < 3, outer_body, [tf.constant(0), x])
    return {"a:0": x}, [tf.identity(out, name="output")]


def _cond_in_while():
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="a")

    def body(i, acc):
        acc = tf.compat.v1.cond(tf.equal(i % 2, 0), lambda: acc * 2.0, lambda: acc - 1.0)
        return i + 1, acc

    _, out = tf.compat.v1.while_loop(lambda i, acc: i < 5, body, [tf.constant(0), x])
    return {"a:0": x}, [tf.identity(out, name="output")]


def _cond_multi_output():
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="a")
    pred = tf.reduce_mean(x) > 0.0
    hi, lo = tf.compat.v1.cond(pred, lambda: (x * 2.0, tf.reduce_sum(x, axis=1)),
                               lambda: (x - 1.0, tf.reduce_max(x, axis=1)))
    return {"a:0": x}, [tf.identity(hi, name="output"), tf.identity(lo, name="output2")]


def _cond_constant_branch():
    # One branch returns a constant: after pruning, nothing ties it to its Switch.
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="a")
    pred = tf.reduce_sum(x) > 0.0
    out = tf.compat.v1.cond(pred, lambda: tf.constant(-1.0), lambda: tf.reduce_max(x))
    return {"a:0": x}, [tf.identity(out + tf.reduce_min(x), name="output")]


def _tensor_list_while():
    # A TensorList (variant) carried through a v1 while frame, as TF2-style TensorArrays do.
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="a")
    shape = tf.constant([-1, 3], tf.int32)
    items = tf.raw_ops.TensorListReserve(element_shape=shape, num_elements=4, element_dtype=tf.float32)

    def body(i, lst):
        value = x * tf.cast(i + 1, tf.float32)
        return i + 1, tf.raw_ops.TensorListSetItem(input_handle=lst, index=i, item=value)

    _, items = tf.compat.v1.while_loop(lambda i, lst: i < 4, body, [tf.constant(0), items])
    stacked = tf.raw_ops.TensorListStack(input_handle=items, element_shape=shape, element_dtype=tf.float32,
                                         num_elements=4)
    length = tf.raw_ops.TensorListLength(input_handle=items)
    return {"a:0": x}, [tf.identity(tf.reshape(stacked, [4, -1, 3]) * tf.cast(length, tf.float32),
                                    name="output")]


def _while_in_cond():
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="a")

    def looped():
        _, out = tf.compat.v1.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * 1.5 - 0.25),
                                         [tf.constant(0), x])
        return out

    out = tf.compat.v1.cond(tf.reduce_mean(x) < 10.0, looped, lambda: x + 100.0)
    return {"a:0": x}, [tf.identity(out, name="output")]


def _while_dynamic_trip_count():
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="a")
    n = tf.shape(x)[0] + 1
    _, total = tf.compat.v1.while_loop(lambda i, t: i < n, lambda i, t: (i + 1, t + tf.cast(i, tf.float32) * x),
                                       [tf.constant(0), tf.zeros_like(x)])
    return {"a:0": x}, [tf.identity(total, name="output")]


def _bidirectional_masked():
    # Masking feeds a per-step mask TensorArray; the backward direction reverses the sequence.
    x = tf.compat.v1.placeholder(tf.float32, [None, 5, 3], name="a")
    masked = tf.keras.layers.Masking(mask_value=0.0)(x)
    y = tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(3, return_sequences=True))(masked)
    y = tf.keras.layers.SimpleRNN(2, return_sequences=True)(y)
    return {"a:0": x}, [tf.identity(y, name="output")]


CASES = {
    "keras_lstm_sequences": _keras_rnn(lambda: tf.keras.layers.LSTM(4, return_sequences=True)),
    "keras_gru": _keras_rnn(lambda: tf.keras.layers.GRU(4, return_sequences=True)),
    "masked_rnn": _masked_rnn,
    "bidirectional_masked": _bidirectional_masked,
    "nested_while": _nested_while,
    "cond_in_while": _cond_in_while,
    "cond_multi_output": _cond_multi_output,
    "cond_constant_branch": _cond_constant_branch,
    "tensor_list_while": _tensor_list_while,
    "while_in_cond": _while_in_cond,
    "while_dynamic_trip_count": _while_dynamic_trip_count,
}


def _feeds(placeholders, rng):
    feeds = {}
    for name, ph in placeholders.items():
        shape = [BATCH if d is None else d for d in ph.shape.as_list()]
        if ph.dtype == tf.int32:
            feeds[name] = rng.randint(1, 7, size=shape).astype(np.int32)
        else:
            feeds[name] = rng.randn(*shape).astype(np.float32)
            if len(shape) == 3:
                feeds[name][0, -2:] = 0.0  # padded steps, for the cases that mask them
    return feeds


def make(case: str, build) -> None:
    tf.compat.v1.reset_default_graph()
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(7)
        placeholders, outputs = build()
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            names = [o.op.name for o in outputs]
            frozen = tf.compat.v1.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(), names)
            feeds = _feeds(placeholders, np.random.RandomState(0))
            results = sess.run(outputs, {placeholders[k]: v for k, v in feeds.items()})
    folder = HERE / case
    folder.mkdir(exist_ok=True)
    (folder / "frozen.pb").write_bytes(frozen.SerializeToString())
    np.savez(folder / "inputs.npz", **feeds)
    np.savez(folder / "expected.npz", **{o.name: r for o, r in zip(outputs, results)})
    manifest = {"inputs": list(placeholders), "outputs": [o.name for o in outputs],
                "ops": sorted({n.op for n in frozen.node})}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


def main() -> None:
    tf.compat.v1.disable_eager_execution()
    tf.compat.v1.disable_control_flow_v2()
    for case, build in CASES.items():
        make(case, build)
        print("wrote", case)


if __name__ == "__main__":
    main()
