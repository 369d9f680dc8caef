"""Writes small TF2 SavedModels (`tf.saved_model.save`, Keras `model.export`) for ortflow checks.

Run with the TensorFlow venv (TF 2.21), never from ortflow itself:

    /work/venv-tf/bin/python tools/gen_tf2_saved_models.py OUT [--only NAME,...]

Each model lands in `OUT/<name>/` (a SavedModel directory) with `inputs.npz` (feeds keyed by
signature input key) and `expected.npz` (TF's outputs keyed by output key: serving_default's,
and for `module` also `double`'s).
Models:

- `module`: a `tf.Module` with a weight matrix and a bias variable and a `tf.function`
  signature `serving_default(x) -> {"y": x @ w + b}`, plus a second signature `double`;
- `keras_sequential`: Dense(4, relu) -> Dense(2) Sequential, saved with `tf.saved_model.save`;
- `keras_functional`: a two-input functional model (concat, dense), saved with `model.export`;
- `captured_constant`: a function capturing a 4x1000 eager constant and a variable;
- `nested_functions`: a signature calling another `tf.function` twice (nested calls);
- `keras_embedding_batchnorm`: Embedding -> Flatten -> BatchNormalization -> Dense, `model.export`;
- `stateful_counter`, `lookup_table`: variants ortflow refuses (a signature that assigns a
  variable; a StaticHashTable), for the error messages.

Nothing here is imported by ortflow; the interop tests run this script in a subprocess (a
fresh eager TensorFlow), and `tests/data/tf2_saved_model/generate.py` uses its `module`.
"""

from __future__ import annotations

import argparse
import os

import numpy as np


def _module(tf, out: str) -> None:
    class Affine(tf.Module):
        def __init__(self):
            super().__init__()
            rng = np.random.default_rng(0)
            self.w = tf.Variable(rng.standard_normal((3, 2)).astype(np.float32), name="w")
            self.b = tf.Variable(np.array([0.5, -1.0], np.float32), name="b")

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="x")])
        def serve(self, x):
            return {"y": tf.matmul(x, self.w) + self.b}

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="x")])
        def double(self, x):
            return {"z": 2.0 * tf.matmul(x, self.w)}

    model = Affine()
    tf.saved_model.save(model, out, signatures={"serving_default": model.serve, "double": model.double})
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 3.0
    expected = {k: v.numpy() for k, v in model.serve(tf.constant(x)).items()}
    expected.update({k: v.numpy() for k, v in model.double(tf.constant(x)).items()})
    _write(out, {"x": x}, expected)


def _keras_sequential(tf, out: str) -> None:
    keras = tf.keras
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((5,), name="features"), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(2)])
    tf.saved_model.save(model, out)
    x = np.linspace(-1, 1, 15, dtype=np.float32).reshape(3, 5)
    loaded = tf.saved_model.load(out)
    fn = loaded.signatures["serving_default"]
    key = next(iter(fn.structured_input_signature[1]))
    _write(out, {key: x}, {k: v.numpy() for k, v in fn(**{key: tf.constant(x)}).items()})


def _keras_functional(tf, out: str) -> None:
    keras = tf.keras
    keras.utils.set_random_seed(2)
    a = keras.Input((3,), name="a")
    b = keras.Input((2,), name="b")
    h = keras.layers.Concatenate()([a, b])
    y = keras.layers.Dense(3, activation="tanh")(h)
    model = keras.Model([a, b], y)
    model.export(out)
    feeds = {"a": np.ones((2, 3), np.float32), "b": np.array([[1, 2], [3, 4]], np.float32)}
    fn = tf.saved_model.load(out).signatures["serving_default"]
    assert sorted(fn.structured_input_signature[1]) == ["a", "b"], fn.structured_input_signature
    _write(out, feeds, {k: v.numpy() for k, v in fn(**{k: tf.constant(v) for k, v in feeds.items()}).items()})


def _save_module(tf, module, out: str, feeds: dict) -> None:
    """Saves `module` with `module.serve` as serving_default; writes TF2's outputs for `feeds`."""
    tf.saved_model.save(module, out, signatures={"serving_default": module.serve})
    fn = tf.saved_model.load(out).signatures["serving_default"]
    _write(out, feeds, {k: v.numpy() for k, v in fn(**{k: tf.constant(v) for k, v in feeds.items()}).items()})


def _captured_constant(tf, out: str) -> None:
    class Scaled(tf.Module):
        def __init__(self):
            super().__init__()
            self.table = tf.constant(np.linspace(0, 1, 4000, dtype=np.float32).reshape(4, 1000))
            self.scale = tf.Variable(2.0)

        @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32, name="x")])
        def serve(self, x):
            return {"y": tf.matmul(x, self.table) * self.scale}

    _save_module(tf, Scaled(), out, {"x": np.arange(12, dtype=np.float32).reshape(3, 4) / 7})


def _nested_functions(tf, out: str) -> None:
    class Nested(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(np.full((4, 2), 0.3, np.float32))

        @tf.function
        def inner(self, x):
            return tf.nn.relu(tf.matmul(x, self.w) - 0.5)

        @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32, name="x")])
        def serve(self, x):
            return {"y": self.inner(x) + self.inner(2 * x)}

    _save_module(tf, Nested(), out, {"x": np.arange(12, dtype=np.float32).reshape(3, 4) / 7})


def _stateful_counter(tf, out: str) -> None:
    class Counter(tf.Module):
        def __init__(self):
            super().__init__()
            self.n = tf.Variable(5, dtype=tf.int64)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
        def serve(self, x):
            self.n.assign_add(1)
            return {"y": x * tf.cast(self.n, tf.float32)}

    _save_module(tf, Counter(), out, {"x": np.ones(3, np.float32)})


def _lookup_table(tf, out: str) -> None:
    class Table(tf.Module):
        def __init__(self):
            super().__init__()
            init = tf.lookup.KeyValueTensorInitializer(tf.constant([1, 2, 3], tf.int64), tf.constant([10., 20., 30.]))
            self.table = tf.lookup.StaticHashTable(init, -1.0)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.int64, name="k")])
        def serve(self, k):
            return {"y": self.table.lookup(k)}

    _save_module(tf, Table(), out, {"k": np.array([1, 3, 7], np.int64)})


def _keras_embedding_batchnorm(tf, out: str) -> None:
    keras = tf.keras
    keras.utils.set_random_seed(3)
    ids = keras.Input((5,), dtype="int32", name="ids")
    h = keras.layers.Flatten()(keras.layers.Embedding(20, 3)(ids))
    y = keras.layers.Dense(2)(keras.layers.BatchNormalization()(h))
    keras.Model(ids, y).export(out)
    feeds = {"ids": np.array([[1, 2, 3, 4, 5], [6, 7, 8, 9, 19]], np.int32)}
    fn = tf.saved_model.load(out).signatures["serving_default"]
    _write(out, feeds, {k: v.numpy() for k, v in fn(**{k: tf.constant(v) for k, v in feeds.items()}).items()})


def _keras_rnn(tf, out: str) -> None:
    """LSTM then GRU: TF2 writes each as a functional While in the signature's function."""
    keras = tf.keras
    keras.utils.set_random_seed(4)
    seq = keras.Input((6, 3), name="seq")
    h = keras.layers.LSTM(5, return_sequences=True)(seq)
    y = keras.layers.Dense(2)(keras.layers.GRU(4)(h))
    keras.Model(seq, y).export(out)
    feeds = {"seq": np.random.default_rng(4).standard_normal((2, 6, 3)).astype(np.float32)}
    fn = tf.saved_model.load(out).signatures["serving_default"]
    _write(out, feeds, {k: v.numpy() for k, v in fn(**{k: tf.constant(v) for k, v in feeds.items()}).items()})


def _control_flow(tf, out: str) -> None:
    """A tf.function with tf.cond, a tf.while_loop and tf.switch_case (If, While, Case nodes)."""
    class Flow(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(np.array([0.5, -0.25, 2.0], np.float32))

        @tf.function(input_signature=[tf.TensorSpec([3], tf.float32, name="x"),
                                      tf.TensorSpec([], tf.int32, name="k")])
        def serve(self, x, k):
            y = tf.cond(tf.reduce_sum(x) > 0, lambda: x * self.w, lambda: x - self.w)
            i, acc = tf.while_loop(lambda i, a: i < k, lambda i, a: (i + 1, a * 0.5 + self.w),
                                   [tf.constant(0), y])
            z = tf.switch_case(k, [lambda: acc, lambda: acc + 1.0, lambda: -acc])
            return {"y": y, "z": z}

    _save_module(tf, Flow(), out, {"x": np.array([1.0, -2.0, 3.0], np.float32), "k": np.array(2, np.int32)})


def _write(out: str, inputs: dict, expected: dict) -> None:
    np.savez(os.path.join(out, "inputs.npz"), **inputs)
    np.savez(os.path.join(out, "expected.npz"), **expected)


MODELS = {"module": _module, "keras_sequential": _keras_sequential, "keras_functional": _keras_functional,
          "captured_constant": _captured_constant, "nested_functions": _nested_functions,
          "keras_embedding_batchnorm": _keras_embedding_batchnorm,
          "stateful_counter": _stateful_counter, "lookup_table": _lookup_table, "keras_rnn": _keras_rnn,
          "control_flow": _control_flow}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--only", default="", help="comma-separated model names")
    args = parser.parse_args()
    import tensorflow as tf
    names = [n for n in args.only.split(",") if n] or list(MODELS)
    for name in names:
        path = os.path.join(args.out, name)
        MODELS[name](tf, path)
        print(f"{name}: {path}")


if __name__ == "__main__":
    main()
