"""Writes TensorFlow-made frozen graphs that are not in the fixtures, for converter checks.

Run with the TensorFlow venv (TF 2.21), never from ortflow itself:

    /work/venv-tf/bin/python tools/gen_extra_models.py /tmp/extra_models [--only NAME,...]

Each model lands in `OUT/<name>/` as `frozen.pb`, `inputs.npz`, `expected.npz` (TF's outputs
for those inputs) and `manifest.json` (input and output tensor names, how it was frozen).
Three families:

- Keras applications the fixtures lack (weights=None: no download; small inputs where the
  architecture allows) and small Keras models of commonly used layers, frozen with
  `convert_variables_to_constants_v2` on the concrete function (TF 2 users' way);
- TF 1.x-style graphs built in a `tf.compat.v1` session (variables, `tf.nn` ops) frozen with
  `graph_util.convert_variables_to_constants`;
- TF 1.x control flow (`tf.cond`, `tf.while_loop`, nesting, `dynamic_rnn` with LSTM/GRU cells,
  `map_fn`) under `disable_v2_behavior()`, so Switch/Merge/Enter/Exit frames as TF 1.x wrote.

The v1 families run in a child process: `disable_v2_behavior` is process-wide.
Nothing here is imported by ortflow or its tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import traceback

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__all__ = ["freeze_keras", "generator_main", "main", "run_keras_builders", "run_v1_builders"]

RNG = np.random.RandomState(0)

#: Keras applications absent from the fixtures: name -> (constructor name, input shape HWC, kwargs).
#: (Keras 3.15 has no RegNet family.)
APPLICATIONS = {
    "VGG16": ("VGG16", (32, 32, 3), {}),
    "Xception": ("Xception", (71, 71, 3), {}),
    "MobileNet": ("MobileNet", (64, 64, 3), {}),
    "MobileNetV3Large": ("MobileNetV3Large", (64, 64, 3), {}),
    "ResNet50V2": ("ResNet50V2", (64, 64, 3), {}),
    "ResNet101": ("ResNet101", (64, 64, 3), {}),
    "InceptionResNetV2": ("InceptionResNetV2", (75, 75, 3), {}),
    "NASNetMobile": ("NASNetMobile", (64, 64, 3), {}),
    "EfficientNetB0": ("EfficientNetB0", (64, 64, 3), {}),
    "EfficientNetV2B0": ("EfficientNetV2B0", (64, 64, 3), {}),
    "ConvNeXtTiny": ("ConvNeXtTiny", (64, 64, 3), {}),
    "DenseNet169": ("DenseNet169", (64, 64, 3), {}),
}


# --------------------------------------------------------------------------- writing

def _write(out_dir: str, name: str, graph_def, inputs: dict, expected: dict, how: str) -> None:
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "frozen.pb"), "wb") as f:
        f.write(graph_def.SerializeToString())
    np.savez(os.path.join(d, "inputs.npz"), **inputs)
    np.savez(os.path.join(d, "expected.npz"), **expected)
    manifest = {"model": name, "frozen_with": how, "inputs": list(inputs), "outputs": list(expected),
                "ops": sorted({n.op for n in graph_def.node})}
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


# --------------------------------------------------------------------------- TF 2 (Keras) part

def freeze_keras(model, example: dict):
    """Freezes `model` called on `example` ({input name: array}) with convert_variables_to_constants_v2.

    Returns (graph_def, input tensor names, output tensor names, TF's outputs by name).
    """
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    names = list(example)
    specs = [tf.TensorSpec([None] + list(v.shape[1:]), tf.as_dtype(v.dtype), name=n)
             for n, v in example.items()]

    @tf.function(input_signature=specs)
    def serve(*args):
        out = model(args[0] if len(args) == 1 else list(args), training=False)
        return out if isinstance(out, (list, tuple)) else [out]

    frozen = convert_variables_to_constants_v2(serve.get_concrete_function())
    graph_def = frozen.graph.as_graph_def()
    in_names = [t.name for t in frozen.inputs if t.dtype != tf.resource]
    out_names = [t.name for t in frozen.outputs]
    results = frozen(*[tf.constant(example[n]) for n in names])
    expected = {o: np.asarray(r) for o, r in zip(out_names, results)}
    feeds = dict(zip(in_names, (example[n] for n in names)))
    return graph_def, feeds, expected


def _application(name: str):
    import keras

    ctor, shape, kwargs = APPLICATIONS[name]
    build = getattr(keras.applications, ctor)
    model = build(weights=None, input_shape=shape, classes=10, classifier_activation=None, **kwargs)
    return model, {"input": RNG.uniform(0, 255 if "EfficientNet" in name or "ConvNeXt" in name
                                        or "RegNet" in name else 1, (2,) + shape).astype(np.float32)}


def _layer_models() -> dict:
    """Small Keras models of commonly used layers: name -> builder returning (model, example)."""
    import keras
    import tensorflow as tf
    from keras import layers as L

    def image(h=16, w=16, c=3):
        return RNG.uniform(-1, 1, (2, h, w, c)).astype(np.float32)

    def conv_mix():
        x = inp = keras.Input((16, 16, 3))
        x = L.ZeroPadding2D(((1, 2), (2, 1)))(x)
        x = L.SeparableConv2D(8, 3, padding="same", activation="elu")(x)
        x = L.Conv2DTranspose(6, 3, strides=2, padding="same")(x)
        x = L.PReLU(shared_axes=[1, 2])(x)
        x = L.Cropping2D(((1, 0), (2, 3)))(x)
        x = L.UpSampling2D(2)(x)
        x = L.Conv2D(4, 3, strides=2, padding="valid")(x)
        x = L.UpSampling2D(2, interpolation="bilinear")(x)
        a = L.GlobalMaxPooling2D()(x)
        b = L.GlobalAveragePooling2D()(x)
        x = L.Concatenate()([a, b])
        x = L.Dense(5)(x)
        x = L.Softmax(axis=-1)(x)
        return keras.Model(inp, x), {"input": image()}

    def conv_transpose_valid():
        x = inp = keras.Input((7, 9, 3))
        x = L.Conv2DTranspose(4, (3, 2), strides=(2, 3), padding="valid")(x)
        x = L.Conv2DTranspose(2, 4, strides=2, padding="same", dilation_rate=1)(x)
        x = L.Conv2DTranspose(3, 3, strides=1, padding="same", dilation_rate=2)(x)
        return keras.Model(inp, x), {"input": image(7, 9)}

    def conv1d_mix():
        x = inp = keras.Input((20, 6))
        x = L.Conv1D(8, 3, padding="causal", dilation_rate=2, activation="relu")(x)
        x = L.Conv1D(8, 5, strides=2, padding="same")(x)
        x = L.SeparableConv1D(4, 3, padding="valid")(x)
        x = L.MaxPooling1D(2)(x)
        x = L.UpSampling1D(2)(x)
        x = L.ZeroPadding1D(1)(x)
        x = L.Cropping1D((1, 0))(x)
        x = L.Conv1DTranspose(3, 3, strides=2, padding="same")(x)
        y = L.GlobalMaxPooling1D()(x)
        z = L.GlobalAveragePooling1D()(x)
        return keras.Model(inp, [y, z]), {"input": RNG.uniform(-1, 1, (2, 20, 6)).astype(np.float32)}

    def norm_act():
        x = inp = keras.Input((12, 8))
        x = L.LayerNormalization()(x)
        x = L.Dense(8)(x)
        x = L.ELU(alpha=0.5)(x)
        x = L.PReLU()(x)
        x = L.LeakyReLU(0.2)(x)
        x = L.Softmax(axis=1)(x)
        x = L.LayerNormalization(axis=[1, 2])(x)
        x = L.GroupNormalization(groups=2)(x)
        x = L.Activation("swish")(x)
        x = L.Activation("gelu")(x)
        x = L.Activation("hard_sigmoid")(x)
        return keras.Model(inp, x), {"input": RNG.uniform(-2, 2, (2, 12, 8)).astype(np.float32)}

    def attention():
        tokens = keras.Input((10,), dtype="int32")
        x = L.Embedding(50, 16)(tokens)
        y = L.MultiHeadAttention(num_heads=2, key_dim=8)(x, x)
        x = L.LayerNormalization()(x + y)
        q = L.Dense(16)(x)
        z = L.Attention(use_scale=True)([q, x])
        w = L.AdditiveAttention()([q, x])
        d = L.Dot(axes=(2, 2), normalize=True)([z, w])
        return keras.Model(tokens, [z, d]), {"input": RNG.randint(0, 50, (2, 10)).astype(np.int32)}

    def recurrent():
        tokens = keras.Input((7,), dtype="int32")
        x = L.Embedding(30, 8)(tokens)
        x = L.GRU(6, return_sequences=True)(x)
        x = L.Bidirectional(L.LSTM(5, return_sequences=True))(x)
        x = L.TimeDistributed(L.Dense(4))(x)
        x = L.SimpleRNN(3)(x)
        return keras.Model(tokens, x), {"input": RNG.randint(0, 30, (2, 7)).astype(np.int32)}

    def recurrent_float():
        x = inp = keras.Input((6, 4))
        x = L.LSTM(5, return_sequences=True, go_backwards=True)(x)
        x = L.GRU(4, reset_after=False)(x)
        return keras.Model(inp, x), {"input": RNG.uniform(-1, 1, (2, 6, 4)).astype(np.float32)}

    def time_distributed_conv():
        x = inp = keras.Input((4, 8, 8, 3))
        x = L.TimeDistributed(L.Conv2D(4, 3, padding="same"))(x)
        x = L.TimeDistributed(L.MaxPooling2D())(x)
        x = L.TimeDistributed(L.Flatten())(x)
        x = L.LSTM(3)(x)
        return keras.Model(inp, x), {"input": RNG.uniform(-1, 1, (2, 4, 8, 8, 3)).astype(np.float32)}

    def lambda_ops():
        x = inp = keras.Input((6, 5))
        x = L.Lambda(lambda t: tf.reduce_logsumexp(t, axis=-1, keepdims=True) * tf.nn.softplus(t))(x)
        x = L.Lambda(lambda t: tf.transpose(t, [0, 2, 1]))(x)
        x = L.Lambda(lambda t: tf.concat([tf.math.cumsum(t, axis=2), tf.sort(t, axis=-1)], axis=1))(x)
        x = L.Lambda(lambda t: tf.reshape(t, [-1, 10 * 6]))(x)
        x = L.Lambda(lambda t: tf.nn.l2_normalize(t, axis=1) + tf.math.reduce_std(t, axis=1,
                                                                                   keepdims=True))(x)
        x = L.Lambda(lambda t: tf.clip_by_value(t, -0.1, 0.1) + tf.math.top_k(t, k=3).values[:, :1])(x)
        return keras.Model(inp, x), {"input": RNG.uniform(-1, 1, (2, 6, 5)).astype(np.float32)}

    def pools_3d():
        x = inp = keras.Input((6, 6, 6, 2))
        x = L.Conv3D(4, 3, padding="same")(x)
        x = L.AveragePooling3D(2)(x)
        x = L.Conv3DTranspose(2, 2, strides=2)(x)
        x = L.UpSampling3D(2)(x)
        x = L.GlobalMaxPooling3D()(x)
        return keras.Model(inp, x), {"input": RNG.uniform(-1, 1, (2, 6, 6, 6, 2)).astype(np.float32)}

    def depthwise_mix():
        x = inp = keras.Input((15, 15, 4))
        x = L.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2)(x)
        x = L.BatchNormalization()(x)
        x = L.ReLU(max_value=4.0, negative_slope=0.1, threshold=0.5)(x)
        x = L.DepthwiseConv2D(3, dilation_rate=2, padding="same")(x)
        x = L.AveragePooling2D(3, strides=2, padding="same")(x)
        x = L.Conv2D(5, 1)(x)
        x = L.Reshape((-1, 5))(x)
        x = L.Permute((2, 1))(x)
        x = L.Flatten()(x)
        return keras.Model(inp, x), {"input": image(15, 15, 4)}

    def misc_image():
        x = inp = keras.Input((20, 20, 4))
        x = L.Rescaling(1 / 127.5, offset=-1)(x)
        x = L.Normalization(mean=[0.1, 0.2, 0.3, 0.4], variance=[1.0, 2.0, 0.5, 4.0])(x)
        x = L.Resizing(12, 16, interpolation="bilinear")(x)
        x = L.CenterCrop(10, 12)(x)
        x = L.Conv2D(8, 3, groups=2, padding="same")(x)
        x = L.SpatialDropout2D(0.3)(x)
        a = L.MaxPooling2D(2)(x)
        b = L.AveragePooling2D(2)(x)
        x = L.Average()([L.Maximum()([a, b]), L.Minimum()([a, b]), L.Subtract()([a, b])])
        x = L.UnitNormalization()(x)
        x = L.Resizing(7, 9, interpolation="nearest")(x)
        x = L.Dropout(0.5)(x)
        x = L.GaussianNoise(0.1)(x)
        x = L.Conv2D(3, 2, strides=2, padding="same", dilation_rate=1)(x)
        return keras.Model(inp, x), {"input": RNG.uniform(0, 255, (2, 20, 20, 4)).astype(np.float32)}

    def misc_sequence():
        x = inp = keras.Input((8,))
        y = L.RepeatVector(5)(x)
        y = L.Masking(mask_value=0.0)(y)
        y = L.Conv1D(6, 3, padding="same")(y)
        y = L.DepthwiseConv1D(3, padding="same")(y)
        y = L.Flatten()(y)
        d = L.Discretization(bin_boundaries=[-0.5, 0.0, 0.5])(x)
        e = L.CategoryEncoding(num_tokens=4, output_mode="multi_hot")(d)
        z = L.Concatenate()([y, e])
        z = L.Dense(4, activation="softmax")(z)
        return keras.Model(inp, [z, d]), {"input": RNG.uniform(-1, 1, (3, 8)).astype(np.float32)}

    def grouped_conv1d():
        # the grouped conv's input channels are only known through RepeatVector's run-time
        # Reshape target
        x = inp = keras.Input((8,))
        y = L.RepeatVector(5)(x)
        y = L.Conv1D(6, 3, padding="same", groups=2)(y)
        return keras.Model(inp, y), {"input": RNG.uniform(-1, 1, (3, 8)).astype(np.float32)}

    def lambda_ops_2():
        x = inp = keras.Input((6, 6, 3))
        x = L.Lambda(lambda t: tf.image.resize(t, (9, 9), method="bicubic"))(x)
        x = L.Lambda(lambda t: tf.nn.space_to_depth(t[:, :8, :8], 2))(x)
        x = L.Lambda(lambda t: tf.einsum("nhwc,c->nhw", t, tf.range(12, dtype=tf.float32) / 12.0))(x)
        x = L.Lambda(lambda t: tf.gather(t, [3, 0, 2], axis=1) + tf.reduce_max(t, axis=1, keepdims=True))(x)
        x = L.Lambda(lambda t: tf.math.cumprod(tf.sigmoid(t), axis=-1, exclusive=True, reverse=True))(x)
        x = L.Lambda(lambda t: tf.where(t > 0.3, t, tf.zeros_like(t)) + tf.cast(tf.argmax(t, axis=-1)[..., None],
                                                                                  tf.float32))(x)
        return keras.Model(inp, x), {"input": RNG.uniform(-1, 1, (2, 6, 6, 3)).astype(np.float32)}

    return {"layers_misc_image": misc_image, "layers_misc_sequence": misc_sequence,
            "layers_grouped_conv1d": grouped_conv1d,
            "layers_lambda_ops_2": lambda_ops_2,
            "layers_conv_mix": conv_mix, "layers_conv_transpose": conv_transpose_valid,
            "layers_conv1d": conv1d_mix, "layers_norm_act": norm_act, "layers_attention": attention,
            "layers_recurrent": recurrent, "layers_recurrent_float": recurrent_float,
            "layers_time_distributed_conv": time_distributed_conv, "layers_lambda_ops": lambda_ops,
            "layers_3d": pools_3d, "layers_depthwise_mix": depthwise_mix}


def run_keras_builders(out_dir: str, only: set | None, builders: dict) -> list[str]:
    """Builds, freezes and writes each Keras model of `builders` (name -> () -> (model, example))
    named in `only` (all when None); returns the names that failed (each failure is printed)."""
    failures = []
    for name, build in builders.items():
        if only and name not in only:
            continue
        try:
            model, example = build()
            graph_def, feeds, expected = freeze_keras(model, example)
            _write(out_dir, name, graph_def, feeds, expected, "convert_variables_to_constants_v2")
            print(f"wrote {name}: {len(graph_def.node)} nodes", flush=True)
        except Exception:  # noqa: BLE001  (a failing model is reported, the others still run)
            failures.append(name)
            print(f"FAILED {name}:\n{traceback.format_exc()}", flush=True)
    return failures


def run_keras_part(out_dir: str, only: set | None) -> list[str]:
    builders = {name: (lambda n=name: _application(n)) for name in APPLICATIONS}
    builders.update(_layer_models())
    return run_keras_builders(out_dir, only, builders)


# --------------------------------------------------------------------------- TF 1.x part

def _cell_classes(tf):
    """LSTM and GRU cells written as TF 1.x's rnn_cell computes them (tf.compat.v1.nn.rnn_cell is
    gone with Keras 3; dynamic_rnn only needs output_size, state_size, zero_state and a call)."""

    class Cell:
        def __init__(self, units, scope):
            self.units, self.scope = units, scope

        def zero_state(self, batch, dtype):
            zeros = tf.zeros(tf.stack([batch, self.units]), dtype)
            return (zeros, zeros) if isinstance(self.state_size, tuple) else zeros

        def _weights(self, name, rows, cols):
            with tf.compat.v1.variable_scope(self.scope, reuse=tf.compat.v1.AUTO_REUSE):
                return (tf.compat.v1.get_variable(f"{name}_kernel", [rows, cols]),
                        tf.compat.v1.get_variable(f"{name}_bias", [cols],
                                                  initializer=tf.compat.v1.random_normal_initializer()))

        @property
        def output_size(self):
            return self.units

    class LSTM(Cell):
        @property
        def state_size(self):
            return (self.units, self.units)

        def __call__(self, x, state, scope=None):
            c, h = state
            w, b = self._weights("lstm", int(x.shape[-1]) + self.units, 4 * self.units)
            i, j, f, o = tf.split(tf.matmul(tf.concat([x, h], 1), w) + b, 4, axis=1)
            c = c * tf.sigmoid(f + 1.0) + tf.sigmoid(i) * tf.tanh(j)
            h = tf.tanh(c) * tf.sigmoid(o)
            return h, (c, h)

    class GRU(Cell):
        @property
        def state_size(self):
            return self.units

        def __call__(self, x, h, scope=None):
            wg, bg = self._weights("gates", int(x.shape[-1]) + self.units, 2 * self.units)
            wc, bc = self._weights("candidate", int(x.shape[-1]) + self.units, self.units)
            r, u = tf.split(tf.sigmoid(tf.matmul(tf.concat([x, h], 1), wg) + bg), 2, axis=1)
            c = tf.tanh(tf.matmul(tf.concat([x, r * h], 1), wc) + bc)
            h = u * h + (1 - u) * c
            return h, h

    return LSTM, GRU


def _v1_graphs() -> dict:
    """TF 1.x graphs: name -> builder(tf) returning ({placeholder: array}, [output tensors])."""

    def cnn_v1(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 16, 16, 3], name="input")
        w = tf.compat.v1.get_variable("w", [3, 3, 3, 8])
        b = tf.compat.v1.get_variable("b", [8], initializer=tf.compat.v1.random_normal_initializer())
        y = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME"), b))
        y = tf.nn.max_pool2d(y, 2, 2, "VALID")
        mean, var = tf.nn.moments(y, [0, 1, 2])
        y = tf.nn.batch_normalization(y, mean, var, None, None, 1e-3)
        dw = tf.compat.v1.get_variable("dw", [3, 3, 8, 2])
        y = tf.nn.depthwise_conv2d(y, dw, [1, 2, 2, 1], "SAME")
        y = tf.nn.avg_pool2d(y, 2, 2, "SAME")
        y = tf.reshape(y, [-1, 2 * 2 * 16])
        wd = tf.compat.v1.get_variable("wd", [64, 4])
        out = tf.nn.softmax(tf.matmul(y, wd), name="probs")
        return {x: RNG.uniform(-1, 1, (2, 16, 16, 3)).astype(np.float32)}, [out]

    def cond_simple(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        p = tf.compat.v1.placeholder(tf.bool, [], name="p")
        v = tf.compat.v1.get_variable("v", [4])
        y = tf.cond(p, lambda: tf.nn.relu(x * v), lambda: tf.square(x) - v)
        z = tf.cond(tf.reduce_sum(x) > 0, lambda: y + 1.0, lambda: y - 1.0)
        return {x: RNG.uniform(-1, 1, (3, 4)).astype(np.float32), p: np.array(True)}, [
            tf.identity(z, "out")]

    def while_sum(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        n = tf.compat.v1.placeholder(tf.int32, [], name="n")
        w = tf.compat.v1.get_variable("w", [3, 3])

        def body(i, acc):
            return i + 1, tf.tanh(tf.matmul(acc, w)) + x

        _, acc = tf.while_loop(lambda i, acc: i < n, body, [tf.constant(0), x])
        return {x: RNG.uniform(-1, 1, (2, 3)).astype(np.float32), n: np.array(5, np.int32)}, [
            tf.identity(acc, "out")]

    def while_nested_cond(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")

        def outer_body(i, acc):
            def inner_body(j, a):
                a = tf.cond(tf.equal(j % 2, 0), lambda: a * 1.5, lambda: a - 0.25)
                return j + 1, a

            _, acc = tf.while_loop(lambda j, a: j < i, inner_body, [tf.constant(0), acc])
            return i + 1, acc

        _, out = tf.while_loop(lambda i, acc: i < 4, outer_body, [tf.constant(0), x])
        return {x: RNG.uniform(-1, 1, (5,)).astype(np.float32)}, [tf.identity(out, "out")]

    def cond_in_while(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")

        def body(i, acc):
            acc = tf.cond(tf.reduce_mean(acc) > 0.0, lambda: acc * 0.5, lambda: acc + 1.0)
            return i + 1, acc

        _, out = tf.while_loop(lambda i, acc: i < 6, body, [tf.constant(0), x])
        return {x: RNG.uniform(-1, 1, (3, 2)).astype(np.float32)}, [tf.identity(out, "out")]

    def _rnn(tf, cell):
        x = tf.compat.v1.placeholder(tf.float32, [None, 5, 3], name="x")
        lengths = tf.compat.v1.placeholder(tf.int32, [None], name="lengths")
        outputs, state = tf.compat.v1.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
        state = state[1] if isinstance(state, tuple) else state
        return ({x: RNG.uniform(-1, 1, (2, 5, 3)).astype(np.float32), lengths: np.array([5, 3], np.int32)},
                [tf.identity(outputs, "outputs"), tf.identity(state, "state")])

    def dynamic_rnn_lstm(tf):
        return _rnn(tf, _cell_classes(tf)[0](4, "lstm"))

    def dynamic_rnn_gru(tf):
        return _rnn(tf, _cell_classes(tf)[1](4, "gru"))

    def dynamic_rnn_lstm_nolen(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 6, 3], name="x")
        outputs, state = tf.compat.v1.nn.dynamic_rnn(_cell_classes(tf)[0](4, "lstm"), x, dtype=tf.float32)
        return {x: RNG.uniform(-1, 1, (2, 6, 3)).astype(np.float32)}, [tf.identity(outputs, "outputs"),
                                                                       tf.identity(state[0], "c")]

    def bidirectional_rnn(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 5, 3], name="x")
        lstm, gru = _cell_classes(tf)
        (o_fw, o_bw), _ = tf.compat.v1.nn.bidirectional_dynamic_rnn(lstm(3, "fw"), gru(3, "bw"), x,
                                                                     dtype=tf.float32)
        return {x: RNG.uniform(-1, 1, (2, 5, 3)).astype(np.float32)}, [tf.identity(tf.concat([o_fw, o_bw], -1),
                                                                                   "out")]

    def map_fn_graph(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        y = tf.map_fn(lambda row: tf.reduce_sum(tf.square(row)) + row[0], x)
        z = tf.map_fn(lambda row: tf.nn.softmax(row), x)
        return {x: RNG.uniform(-1, 1, (3, 4)).astype(np.float32)}, [tf.identity(y, "y"), tf.identity(z, "z")]

    def while_tensor_array(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        n = tf.shape(x)[0]
        ta = tf.TensorArray(tf.float32, size=n)

        def body(i, ta):
            return i + 1, ta.write(i, tf.reduce_sum(x[: i + 1], axis=0))

        _, ta = tf.while_loop(lambda i, ta: i < n, body, [tf.constant(0), ta])
        return {x: RNG.uniform(-1, 1, (4, 3)).astype(np.float32)}, [tf.identity(ta.stack(), "out")]

    def case_graph(tf):
        k = tf.compat.v1.placeholder(tf.int32, [], name="k")
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
        y = tf.case([(tf.equal(k, 0), lambda: x * 2.0), (tf.equal(k, 1), lambda: x + 5.0)],
                    default=lambda: -x)
        return {k: np.array(1, np.int32), x: RNG.uniform(-1, 1, (4,)).astype(np.float32)}, [
            tf.identity(y, "out")]

    def scan_fold(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        cumulative = tf.scan(lambda acc, row: acc * 0.5 + row, x)
        total = tf.foldl(lambda acc, row: acc + tf.reduce_sum(row * row), x, initializer=tf.constant(0.0))
        right = tf.foldr(lambda acc, row: acc * 0.9 + row, x)
        return {x: RNG.uniform(-1, 1, (4, 3)).astype(np.float32)}, [
            tf.identity(cumulative, "scan"), tf.identity(total, "foldl"), tf.identity(right, "foldr")]

    def while_growing(tf):
        # a loop variable whose shape changes every iteration (shape_invariants)
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
        n = tf.compat.v1.placeholder(tf.int32, [], name="n")

        def body(i, acc):
            return i + 1, tf.concat([acc, acc[-1:] * 2.0], axis=0)

        _, out = tf.while_loop(lambda i, acc: i < n, body, [tf.constant(0), x],
                               shape_invariants=[tf.TensorShape([]), tf.TensorShape([None])])
        return {x: RNG.uniform(-1, 1, (2,)).astype(np.float32), n: np.array(3, np.int32)}, [
            tf.identity(out, "out")]

    def dynamic_tensor_array(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)

        def body(i, ta):
            return i + 1, ta.write(i, x * tf.cast(i, tf.float32))

        _, ta = tf.while_loop(lambda i, ta: i < 5, body, [tf.constant(0), ta])
        return {x: RNG.uniform(-1, 1, (3,)).astype(np.float32)}, [tf.identity(ta.stack(), "out"),
                                                                    tf.identity(ta.size(), "size")]

    def nested_conds(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
        a = tf.compat.v1.placeholder(tf.bool, [], name="a")
        b = tf.compat.v1.placeholder(tf.bool, [], name="b")
        y = tf.cond(a, lambda: tf.cond(b, lambda: x * 2.0, lambda: x + 1.0), lambda: tf.cond(
            b, lambda: -x, lambda: tf.square(x)))
        z1, z2 = tf.cond(b, lambda: (x, tf.reduce_sum(x)), lambda: (x * 0.0, tf.reduce_max(x)))
        return {x: RNG.uniform(-1, 1, (4,)).astype(np.float32), a: np.array(False), b: np.array(True)}, [
            tf.identity(y, "y"), tf.identity(z1, "z1"), tf.identity(z2, "z2")]

    def static_rnn(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 4, 3], name="x")
        lstm, _ = _cell_classes(tf)
        cell = lstm(4, "static")
        state = cell.zero_state(tf.shape(x)[0], tf.float32)
        outputs = []
        for t in range(4):
            out, state = cell(x[:, t], state)
            outputs.append(out)
        return {x: RNG.uniform(-1, 1, (2, 4, 3)).astype(np.float32)}, [tf.identity(tf.stack(outputs, 1), "out")]

    def while_with_cond_and_ta(tf):
        # beam-search-like: a loop that reads a TensorArray, conditionally updates state, writes
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        steps = tf.shape(x)[0]
        inputs = tf.TensorArray(tf.float32, size=steps).unstack(x)
        out = tf.TensorArray(tf.float32, size=steps)

        def body(i, h, out):
            row = inputs.read(i)
            h = tf.cond(tf.reduce_sum(row) > 0, lambda: tf.tanh(h + row), lambda: h * 0.5)
            return i + 1, h, out.write(i, h)

        _, h, out = tf.while_loop(lambda i, h, out: i < steps, body,
                                  [tf.constant(0), tf.zeros([3]), out])
        return {x: RNG.uniform(-1, 1, (5, 3)).astype(np.float32)}, [tf.identity(out.stack(), "out"),
                                                                    tf.identity(h, "h")]

    def fake_quant_cnn(tf):
        # a quantization-aware-trained conv net as TF 1.x's contrib.quantize left it: FakeQuant on
        # weights (per channel) and activations (min/max variables, then frozen)
        x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 3], name="input")
        w = tf.compat.v1.get_variable("w", [3, 3, 3, 4])
        wq = tf.quantization.fake_quant_with_min_max_vars_per_channel(
            w, tf.reduce_min(w, [0, 1, 2]), tf.reduce_max(w, [0, 1, 2]), num_bits=8, narrow_range=True)
        y = tf.nn.relu6(tf.nn.conv2d(x, wq, [1, 1, 1, 1], "SAME"))
        lo = tf.compat.v1.get_variable("act_min", initializer=tf.constant(0.0))
        hi = tf.compat.v1.get_variable("act_max", initializer=tf.constant(6.0))
        y = tf.quantization.fake_quant_with_min_max_vars(y, lo, hi)
        y = tf.quantization.fake_quant_with_min_max_args(tf.reduce_mean(y, [1, 2]), -1.0, 5.0, num_bits=7)
        return {x: RNG.uniform(0, 1, (2, 8, 8, 3)).astype(np.float32)}, [tf.identity(y, "out")]

    return {"v1_fake_quant_cnn": fake_quant_cnn, "v1_scan_fold": scan_fold, "v1_while_growing": while_growing,
            "v1_dynamic_tensor_array": dynamic_tensor_array, "v1_nested_conds": nested_conds,
            "v1_static_rnn": static_rnn, "v1_while_cond_tensor_array": while_with_cond_and_ta,
            "v1_cnn_session": cnn_v1, "v1_cond": cond_simple, "v1_while_sum": while_sum,
            "v1_while_nested_cond": while_nested_cond, "v1_cond_in_while": cond_in_while,
            "v1_dynamic_rnn_lstm": dynamic_rnn_lstm, "v1_dynamic_rnn_gru": dynamic_rnn_gru,
            "v1_dynamic_rnn_basic_lstm": dynamic_rnn_lstm_nolen, "v1_bidirectional_rnn": bidirectional_rnn,
            "v1_map_fn": map_fn_graph, "v1_while_tensor_array": while_tensor_array, "v1_case": case_graph}


def run_v1_builders(out_dir: str, only: set | None, graphs) -> list[str]:
    """Turns TF 2 behaviour off (process-wide), then builds, runs, freezes and writes each TF 1.x
    graph of `graphs()` (name -> builder(tf) returning ({placeholder: array}, [outputs])) named in
    `only` (all when None); returns the names that failed (each failure is printed)."""
    import tensorflow as tf

    tf.compat.v1.disable_v2_behavior()
    failures = []
    for name, build in graphs().items():
        if only and name not in only:
            continue
        try:
            graph = tf.Graph()
            with graph.as_default():
                tf.compat.v1.set_random_seed(0)
                feeds, outputs = build(tf)
                with tf.compat.v1.Session(graph=graph) as sess:
                    sess.run(tf.compat.v1.global_variables_initializer())
                    values = sess.run(outputs, dict(feeds))
                    frozen = tf.compat.v1.graph_util.convert_variables_to_constants(
                        sess, graph.as_graph_def(), [t.op.name for t in outputs])
            _write(out_dir, name, frozen, {k.name: v for k, v in feeds.items()},
                   {t.name: np.asarray(v) for t, v in zip(outputs, values)}, "graph_util (v1 session)")
            print(f"wrote {name}: {len(frozen.node)} nodes", flush=True)
        except Exception:  # noqa: BLE001  (a failing model is reported, the others still run)
            failures.append(name)
            print(f"FAILED {name}:\n{traceback.format_exc()}", flush=True)
    return failures


def run_v1_part(out_dir: str, only: set | None) -> list[str]:
    return run_v1_builders(out_dir, only, _v1_graphs)


def generator_main(description: str, script: str, run_keras, run_v1, argv=None) -> int:
    """The command line every generator shares: OUT_DIR [--only NAMES] [--part all|keras|v1].

    `run_keras(out_dir, only)` and `run_v1(out_dir, only)` return failed names; with --part all
    the v1 part runs in a child process of `script` (disable_v2_behavior is process-wide).
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("out_dir")
    parser.add_argument("--only", default="", help="comma-separated model names")
    parser.add_argument("--part", choices=["all", "keras", "v1"], default="all")
    args = parser.parse_args(argv)
    only = {s for s in args.only.split(",") if s} or None
    os.makedirs(args.out_dir, exist_ok=True)
    failures = []
    if args.part in ("all", "keras"):
        failures += run_keras(args.out_dir, only)
    if args.part == "v1":
        failures += run_v1(args.out_dir, only)
    elif args.part == "all":
        cmd = [sys.executable, os.path.abspath(script), args.out_dir, "--part", "v1", "--only", args.only]
        if subprocess.call(cmd) != 0:
            failures.append("v1 part")
    if failures:
        print(f"failed: {failures}")
    return 1 if failures else 0


def main(argv=None) -> int:
    return generator_main(__doc__.splitlines()[0], __file__, run_keras_part, run_v1_part, argv)


if __name__ == "__main__":
    sys.exit(main())
