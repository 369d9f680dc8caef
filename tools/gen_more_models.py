"""Writes a second set of TensorFlow-made graphs for converter checks, beyond gen_extra_models.py.

Run with the TensorFlow venv (TF 2.21), never from ortflow itself:

    /work/venv-tf/bin/python tools/gen_more_models.py /tmp/more_models [--only NAME,...]

The folders have the layout of `gen_extra_models.py` (frozen.pb, inputs.npz, expected.npz,
manifest.json), so `tools/check_extra_models.py` checks them. Three families:

- Keras applications the first set lacks (MobileNetV3Small and the minimalistic variants,
  InceptionV3, DenseNet121, ResNet101V2, EfficientNetB1, EfficientNetV2B1, VGG19), weights=None,
  small inputs;
- Keras 3 models made of layers: a text CNN, masked (mask_zero) bidirectional LSTM/GRU, a
  transformer encoder (MultiHeadAttention with a causal mask, both GELU forms), masked
  Attention/AdditiveAttention, a small U-Net, ConvLSTM2D, preprocessing layers (Normalization,
  Rescaling, Resizing with aspect-ratio crop, CategoryEncoding count/one_hot, Hashing; IntegerLookup's
  table cannot be frozen by convert_variables_to_constants_v2);
- TF 1.x graphs under `disable_v2_behavior()`: bidirectional dynamic_rnn with lengths,
  raw_rnn, TensorArrays of data-dependent length, nested loops with conds, tf.image ops
  (resize with align_corners / half_pixel_centers, crop_and_resize, non_max_suppression),
  top_k/argsort, gather with batch_dims, scatter_nd, segment ops, cumsum, einsum.

Nothing here is imported by ortflow or its tests' normal run.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__all__ = ["keras_layer_models", "main", "v1_graphs"]

RNG = np.random.RandomState(0)
HERE = pathlib.Path(__file__).resolve().parent


def _first_set():
    """tools/gen_extra_models.py, loaded by path (tools/ is not a package)."""
    name = "ortflow_tools_gen_extra_models"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, HERE / "gen_extra_models.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module


#: name -> (constructor, input shape HWC, kwargs, input range high)
APPLICATIONS = {
    "MobileNetV3Small": ("MobileNetV3Small", (64, 64, 3), {}, 255),
    "MobileNetV3Small_min": ("MobileNetV3Small", (64, 64, 3), {"minimalistic": True}, 255),
    "MobileNetV3Large_min": ("MobileNetV3Large", (64, 64, 3), {"minimalistic": True, "alpha": 0.75}, 255),
    "InceptionV3": ("InceptionV3", (75, 75, 3), {}, 1),
    "DenseNet121": ("DenseNet121", (32, 32, 3), {}, 1),
    "ResNet101V2": ("ResNet101V2", (32, 32, 3), {}, 1),
    "EfficientNetB1": ("EfficientNetB1", (48, 48, 3), {}, 255),
    "EfficientNetV2B1": ("EfficientNetV2B1", (48, 48, 3), {}, 255),
    "VGG19": ("VGG19", (32, 32, 3), {}, 1),
    "MobileNetV2_pool": ("MobileNetV2", (48, 48, 3), {"alpha": 0.35, "include_top": False,
                                                       "pooling": "avg"}, 1),
    "ResNet50": ("ResNet50", (32, 32, 3), {}, 255),
    "EfficientNetB0_maxpool": ("EfficientNetB0", (40, 40, 3), {"include_top": False, "pooling": "max"}, 255),
    "EfficientNetV2S": ("EfficientNetV2S", (48, 48, 3), {}, 255),
    "ResNet152V2": ("ResNet152V2", (32, 32, 3), {}, 1),
    "DenseNet201": ("DenseNet201", (32, 32, 3), {}, 1),
    "ConvNeXtSmall": ("ConvNeXtSmall", (32, 32, 3), {}, 255),
}


def _application(name: str):
    import keras

    ctor, shape, kwargs, high = APPLICATIONS[name]
    build = getattr(keras.applications, ctor)
    if kwargs.get("include_top") is False:
        model = build(weights=None, input_shape=shape, **kwargs)
    else:
        model = build(weights=None, input_shape=shape, classes=10, classifier_activation=None, **kwargs)
    return model, {"input": RNG.uniform(0, high, (2,) + shape).astype(np.float32)}


# --------------------------------------------------------------------------- Keras layer models

def keras_layer_models() -> dict:
    """Small Keras 3 models: name -> builder returning (model, {input name: example})."""
    import keras
    from keras import layers as L

    def tokens(n, vocab, batch=2, pad=True):
        t = RNG.randint(1, vocab, (batch, n)).astype(np.int32)
        if pad:  # trailing padding of different lengths, as masks expect
            t[0, n - 2:] = 0
            t[-1, n // 2:] = 0
        return t

    def text_cnn():
        inp = keras.Input((12,), dtype="int32")
        x = L.Embedding(40, 8)(inp)
        a = L.GlobalMaxPooling1D()(L.Conv1D(6, 3, activation="relu")(x))
        b = L.GlobalMaxPooling1D()(L.Conv1D(6, 5, activation="relu")(x))
        x = L.Concatenate()([a, b])
        x = L.Dropout(0.5)(x)
        x = L.Dense(3, activation="softmax")(x)
        return keras.Model(inp, x), {"input": tokens(12, 40, pad=False)}

    def masked_bilstm():
        inp = keras.Input((8,), dtype="int32")
        x = L.Embedding(30, 6, mask_zero=True)(inp)
        x = L.Bidirectional(L.LSTM(4, return_sequences=True))(x)
        x = L.Bidirectional(L.GRU(3), merge_mode="sum")(x)
        return keras.Model(inp, x), {"input": tokens(8, 30)}

    def masked_gru_sequences():
        inp = keras.Input((7,), dtype="int32")
        x = L.Embedding(20, 5, mask_zero=True)(inp)
        x = L.GRU(4, return_sequences=True)(x)
        x = L.TimeDistributed(L.Dense(2))(x)
        y = L.LSTM(3, go_backwards=True)(L.Embedding(20, 5, mask_zero=True)(inp))
        return keras.Model(inp, [x, y]), {"input": tokens(7, 20)}

    def transformer_encoder():
        inp = keras.Input((10,), dtype="int32")
        x = L.Embedding(50, 16)(inp)
        pos = L.Embedding(10, 16)(keras.ops.arange(10)[None, :])
        x = x + pos
        y = L.MultiHeadAttention(num_heads=4, key_dim=4, dropout=0.1)(x, x, use_causal_mask=True)
        x = L.LayerNormalization(epsilon=1e-6)(x + y)
        y = L.Dense(32, activation=keras.activations.gelu)(x)  # approximate=False
        y = L.Dense(16)(L.Lambda(lambda t: keras.activations.gelu(t, approximate=True))(y))
        x = L.LayerNormalization(epsilon=1e-6)(x + y)
        x = L.GlobalAveragePooling1D()(x)
        return keras.Model(inp, x), {"input": tokens(10, 50, pad=False)}

    def masked_attention():
        inp = keras.Input((9,), dtype="int32")
        x = L.Embedding(25, 8, mask_zero=True)(inp)
        q = L.Dense(8)(x)
        a = L.Attention(score_mode="concat", use_scale=True)([q, x], use_causal_mask=True)
        b = L.AdditiveAttention()([q, x])
        y = L.MultiHeadAttention(num_heads=2, key_dim=4)(x, x)
        return keras.Model(inp, [a, b, y]), {"input": tokens(9, 25)}

    def unet():
        inp = keras.Input((16, 16, 2))
        c1 = L.Conv2D(4, 3, padding="same", activation="relu")(inp)
        p1 = L.MaxPooling2D()(c1)
        c2 = L.Conv2D(8, 3, padding="same", activation="relu")(p1)
        p2 = L.MaxPooling2D()(c2)
        b = L.SeparableConv2D(8, 3, padding="same", activation="relu")(p2)
        u2 = L.Conv2DTranspose(8, 2, strides=2, padding="same")(b)
        c3 = L.Conv2D(8, 3, padding="same", activation="relu")(L.Concatenate()([u2, c2]))
        u1 = L.UpSampling2D(2, interpolation="bilinear")(c3)
        c4 = L.Conv2D(4, 3, padding="same")(L.Concatenate()([u1, c1]))
        c4 = L.BatchNormalization()(c4)
        out = L.Conv2D(1, 1, activation="sigmoid")(c4)
        return keras.Model(inp, out), {"input": RNG.uniform(-1, 1, (2, 16, 16, 2)).astype(np.float32)}

    def unet_odd():
        # odd sizes: a ZeroPadding2D/Cropping2D pair restores the skip's size
        inp = keras.Input((15, 13, 3))
        c1 = L.Conv2D(4, 3, padding="same", activation="relu")(inp)
        p1 = L.MaxPooling2D(padding="same")(c1)
        c2 = L.Conv2D(4, 3, padding="same")(p1)
        u1 = L.Conv2DTranspose(4, 3, strides=2, padding="same")(c2)
        u1 = L.Cropping2D(((0, 1), (0, 1)))(u1)
        x = L.Concatenate()([u1, c1])
        x = L.ZeroPadding2D(((1, 0), (0, 1)))(x)
        x = L.Conv2D(2, 2)(x)
        return keras.Model(inp, x), {"input": RNG.uniform(-1, 1, (2, 15, 13, 3)).astype(np.float32)}

    def conv_lstm():
        inp = keras.Input((3, 8, 8, 2))
        x = L.ConvLSTM2D(4, 3, padding="same", return_sequences=True)(inp)
        x = L.ConvLSTM2D(2, 3, padding="valid")(x)
        return keras.Model(inp, x), {"input": RNG.uniform(-1, 1, (2, 3, 8, 8, 2)).astype(np.float32)}

    def preprocessing():
        inp = keras.Input((24, 16, 3))
        norm = L.Normalization(axis=-1)
        norm.adapt(RNG.uniform(0, 255, (8, 24, 16, 3)).astype(np.float32))
        x = norm(inp)
        x = L.Resizing(10, 10, crop_to_aspect_ratio=True)(x)
        y = L.Resizing(8, 12, pad_to_aspect_ratio=True, interpolation="nearest")(inp)
        y = L.Rescaling(scale=[0.5, 0.25, 1.0], offset=-1.0)(y)
        x = L.Conv2D(3, 3)(x)
        y = L.Conv2D(3, 3)(y)
        return keras.Model(inp, [x, y]), {"input": RNG.uniform(0, 255, (2, 24, 16, 3)).astype(np.float32)}

    def categorical():
        inp = keras.Input((5,), dtype="int32")
        a = L.CategoryEncoding(num_tokens=8, output_mode="count")(inp)
        b = L.CategoryEncoding(num_tokens=8, output_mode="one_hot")(inp[:, :1])
        c = L.Hashing(num_bins=6)(inp)
        x = L.Concatenate()([a, b])
        x = L.Dense(2)(x)
        return keras.Model(inp, [x, c]), {"input": RNG.randint(0, 8, (3, 5)).astype(np.int32)}

    def rnn_cells():
        inp = keras.Input((6,), dtype="int32")
        x = L.Embedding(20, 4, mask_zero=True)(inp)
        cells = L.StackedRNNCells([L.LSTMCell(5), L.GRUCell(3)])
        seq = L.RNN(cells, return_sequences=True)(x)
        last, h, c = L.LSTM(4, return_state=True)(seq)
        s = L.SimpleRNN(2, activation="relu")(x)
        return keras.Model(inp, [last, h, c, s]), {"input": tokens(6, 20)}

    def attention_mask():
        q_in = keras.Input((5, 8))
        kv_in = keras.Input((7, 8))
        mask_in = keras.Input((5, 7), dtype="bool")
        out, scores = L.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=5, output_shape=6)(
            q_in, kv_in, attention_mask=mask_in, return_attention_scores=True)
        return keras.Model([q_in, kv_in, mask_in], [out, scores]), {
            "query": RNG.uniform(-1, 1, (2, 5, 8)).astype(np.float32),
            "kv": RNG.uniform(-1, 1, (2, 7, 8)).astype(np.float32),
            "mask": RNG.uniform(0, 1, (2, 5, 7)) > 0.3}

    def pooling_variants():
        inp = keras.Input((13, 11, 3))
        a = L.AveragePooling2D(3, strides=2, padding="same")(inp)
        b = L.MaxPooling2D((3, 2), strides=(2, 2), padding="same")(inp)
        c = L.Conv2D(4, 3, strides=2, padding="same", dilation_rate=1)(inp)
        d = L.Conv2D(4, (2, 3), dilation_rate=(2, 1), padding="same")(inp)
        e = L.GlobalAveragePooling2D(keepdims=True)(d)
        x = L.Concatenate()([a, b, c])
        x = L.DepthwiseConv2D(2, strides=2, padding="same")(x)
        return keras.Model(inp, [x, e]), {"input": RNG.uniform(-1, 1, (2, 13, 11, 3)).astype(np.float32)}

    def keras_ops():
        ops = keras.ops
        inp = keras.Input((6, 5))
        x = L.Lambda(lambda t: ops.log_softmax(t, axis=-1) + ops.logsumexp(t, axis=1, keepdims=True))(inp)
        x = L.Lambda(lambda t: ops.moveaxis(t, 1, 2) * ops.erf(ops.tril(ops.ones((5, 6)))))(x)
        y = L.Lambda(lambda t: ops.cast(ops.argsort(t, axis=-1), "float32") + ops.top_k(t, 2)[0][..., :1])(x)
        z = L.Lambda(lambda t: ops.einsum("bij,bkj->bik", t, t) + ops.cumsum(t[:, :, :5], axis=1))(x)
        w = L.Lambda(lambda t: ops.softplus(ops.max(t, axis=1)) - ops.hard_silu(ops.min(t, axis=1)))(x)
        return keras.Model(inp, [y, z, w]), {"input": RNG.uniform(-2, 2, (2, 6, 5)).astype(np.float32)}

    def conv_lstm_1d():
        inp = keras.Input((4, 10, 3))
        x = L.ConvLSTM1D(4, 3, padding="same", return_sequences=True, go_backwards=True)(inp)
        x = L.ConvLSTM1D(2, 2, strides=2)(x)
        return keras.Model(inp, x), {"input": RNG.uniform(-1, 1, (2, 4, 10, 3)).astype(np.float32)}

    def channels_first():
        inp = keras.Input((3, 12, 10))
        x = L.Conv2D(6, 3, padding="same", data_format="channels_first", activation="relu")(inp)
        x = L.BatchNormalization(axis=1)(x)
        x = L.MaxPooling2D(2, data_format="channels_first")(x)
        x = L.DepthwiseConv2D(3, padding="same", data_format="channels_first")(x)
        x = L.UpSampling2D(2, data_format="channels_first")(x)
        x = L.Conv2DTranspose(2, 3, strides=2, padding="same", data_format="channels_first")(x)
        y = L.GlobalAveragePooling2D(data_format="channels_first")(x)
        return keras.Model(inp, [x, y]), {"input": RNG.uniform(-1, 1, (2, 3, 12, 10)).astype(np.float32)}

    def norm_variants():
        inp = keras.Input((6, 8))
        x = L.BatchNormalization(axis=1, center=False)(inp)
        x = L.LayerNormalization(center=False, scale=False, epsilon=1e-3)(x)
        x = L.GroupNormalization(groups=4, axis=-1)(x)
        x = L.UnitNormalization(axis=1)(x)
        x = L.Dense(3, use_bias=False, activation="selu")(x)
        y = L.Activation("mish")(x) + L.Activation("relu6")(x) + L.Activation("softsign")(x)
        return keras.Model(inp, y), {"input": RNG.uniform(-2, 2, (3, 6, 8)).astype(np.float32)}

    return {"k3_channels_first": channels_first, "k3_norm_variants": norm_variants,
            "k3_rnn_cells": rnn_cells, "k3_attention_mask": attention_mask, "k3_pooling_variants": pooling_variants,
            "k3_keras_ops": keras_ops, "k3_conv_lstm_1d": conv_lstm_1d,
            "k3_text_cnn": text_cnn, "k3_masked_bilstm": masked_bilstm,
            "k3_masked_gru_sequences": masked_gru_sequences, "k3_transformer_encoder": transformer_encoder,
            "k3_masked_attention": masked_attention, "k3_unet": unet, "k3_unet_odd": unet_odd,
            "k3_conv_lstm": conv_lstm, "k3_preprocessing": preprocessing, "k3_categorical": categorical}


def run_keras_part(out_dir: str, only: set | None) -> list[str]:
    builders = {name: (lambda n=name: _application(n)) for name in APPLICATIONS}
    builders.update(keras_layer_models())
    return _first_set().run_keras_builders(out_dir, only, builders)


# --------------------------------------------------------------------------- TF 1.x graphs

def v1_graphs() -> dict:
    """TF 1.x graphs: name -> builder(tf) returning ({placeholder: array}, [output tensors])."""
    first = _first_set()

    def f32(*shape, low=-1.0, high=1.0):
        return RNG.uniform(low, high, shape).astype(np.float32)

    def bidirectional_lengths(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 6, 3], name="x")
        lengths = tf.compat.v1.placeholder(tf.int32, [None], name="lengths")
        lstm, gru = first._cell_classes(tf)
        (o_fw, o_bw), (s_fw, s_bw) = tf.compat.v1.nn.bidirectional_dynamic_rnn(
            lstm(3, "fw"), gru(4, "bw"), x, sequence_length=lengths, dtype=tf.float32)
        return {x: f32(3, 6, 3), lengths: np.array([6, 2, 4], np.int32)}, [
            tf.identity(tf.concat([o_fw, o_bw], -1), "out"), tf.identity(s_fw[1], "h_fw"),
            tf.identity(s_bw, "h_bw")]

    def dynamic_rnn_time_major(tf):
        x = tf.compat.v1.placeholder(tf.float32, [5, None, 3], name="x")
        lengths = tf.compat.v1.placeholder(tf.int32, [None], name="lengths")
        _, gru = first._cell_classes(tf)
        out, state = tf.compat.v1.nn.dynamic_rnn(gru(4, "tm"), x, sequence_length=lengths, time_major=True,
                                                 dtype=tf.float32, swap_memory=True)
        return {x: f32(5, 2, 3), lengths: np.array([1, 5], np.int32)}, [tf.identity(out, "out"),
                                                                       tf.identity(state, "state")]

    def raw_rnn(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, None, 3], name="x")  # [time, batch, depth]
        lengths = tf.compat.v1.placeholder(tf.int32, [None], name="lengths")
        steps, batch = tf.shape(x)[0], tf.shape(x)[1]
        inputs = tf.TensorArray(tf.float32, size=steps).unstack(x)
        lstm, _ = first._cell_classes(tf)
        cell = lstm(4, "raw")

        def loop_fn(time, cell_output, cell_state, loop_state):
            emit = cell_output
            if cell_output is None:
                cell_state = cell.zero_state(batch, tf.float32)
                emit = tf.zeros([4])
            finished = time >= lengths
            nxt = tf.cond(tf.reduce_all(finished), lambda: tf.zeros([batch, 3]), lambda: inputs.read(time))
            return finished, nxt, cell_state, emit, None

        outputs_ta, state, _ = tf.compat.v1.nn.raw_rnn(cell, loop_fn)
        return {x: f32(5, 2, 3), lengths: np.array([5, 3], np.int32)}, [
            tf.identity(outputs_ta.stack(), "out"), tf.identity(state[1], "h")]

    def while_ta_data_length(tf):
        # the number of steps comes from the data: count until the running sum passes a bound
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True, element_shape=[2])

        def cond(i, total, ta):
            return tf.logical_and(total < 3.0, i < tf.size(x))

        def body(i, total, ta):
            total = total + tf.abs(x[i])
            return i + 1, total, ta.write(i, tf.stack([x[i], total]))

        n, total, ta = tf.while_loop(cond, body, [tf.constant(0), tf.constant(0.0), ta])
        return {x: f32(12)}, [tf.identity(ta.stack(), "out"), tf.identity(n, "n"), tf.identity(total, "total")]

    def nested_while_ta(tf):
        # an outer loop over rows, an inner loop over columns writing a TensorArray per row
        x = tf.compat.v1.placeholder(tf.float32, [None, None], name="x")
        rows, cols = tf.shape(x)[0], tf.shape(x)[1]
        out = tf.TensorArray(tf.float32, size=rows)

        def outer(i, out):
            def inner(j, acc):
                acc = tf.cond(x[i, j] > 0, lambda: acc + x[i, j], lambda: acc * 0.5)
                return j + 1, acc

            _, acc = tf.while_loop(lambda j, acc: j < cols, inner, [tf.constant(0), tf.constant(0.0)])
            return i + 1, out.write(i, acc)

        _, out = tf.while_loop(lambda i, out: i < rows, outer, [tf.constant(0), out])
        return {x: f32(4, 5)}, [tf.identity(out.stack(), "out")]

    def while_cond_break(tf):
        # while with two loop variables, a cond choosing between ops with different ops inside
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        w = tf.compat.v1.get_variable("w", [4, 4])

        def body(i, h, best):
            h = tf.cond(tf.equal(i % 3, 0), lambda: tf.nn.relu(tf.matmul(h, w)),
                        lambda: tf.nn.softmax(h) + tf.reduce_max(h, axis=1, keepdims=True))
            best = tf.maximum(best, tf.reduce_max(h))
            return i + 1, h, best

        _, h, best = tf.while_loop(lambda i, h, best: i < 7, body,
                                   [tf.constant(0), x, tf.constant(-1e9)], parallel_iterations=1)
        return {x: f32(3, 4)}, [tf.identity(h, "h"), tf.identity(best, "best")]

    def image_ops(tf):
        img = tf.compat.v1.placeholder(tf.float32, [None, 8, 10, 3], name="img")
        a = tf.compat.v1.image.resize_bilinear(img, [5, 7], align_corners=True)
        b = tf.compat.v1.image.resize_bilinear(img, [13, 15], half_pixel_centers=True)
        c = tf.compat.v1.image.resize_nearest_neighbor(img, [16, 20], align_corners=True)
        d = tf.compat.v1.image.resize_nearest_neighbor(img, [5, 6], half_pixel_centers=True)
        e = tf.compat.v1.image.resize_bilinear(img, [6, 6])
        f = tf.compat.v1.image.resize_nearest_neighbor(img, [11, 4])
        return {img: f32(2, 8, 10, 3)}, [tf.identity(t, n) for t, n in zip(
            [a, b, c, d, e, f], ["bilinear_ac", "bilinear_hp", "nearest_ac", "nearest_hp", "bilinear", "nearest"])]

    def crop_and_resize(tf):
        img = tf.compat.v1.placeholder(tf.float32, [None, 12, 10, 2], name="img")
        boxes = tf.compat.v1.placeholder(tf.float32, [None, 4], name="boxes")
        ind = tf.compat.v1.placeholder(tf.int32, [None], name="box_ind")
        a = tf.image.crop_and_resize(img, boxes, ind, [5, 4])
        b = tf.image.crop_and_resize(img, boxes, ind, [3, 3], method="nearest", extrapolation_value=0.5)
        bx = np.array([[0.1, 0.2, 0.8, 0.9], [0.0, 0.0, 1.0, 1.0], [0.5, 0.3, 0.55, 0.6]], np.float32)
        return {img: f32(2, 12, 10, 2), boxes: bx, ind: np.array([0, 1, 1], np.int32)}, [
            tf.identity(a, "bilinear"), tf.identity(b, "nearest")]

    def nms(tf):
        boxes = tf.compat.v1.placeholder(tf.float32, [None, 4], name="boxes")
        scores = tf.compat.v1.placeholder(tf.float32, [None], name="scores")
        a = tf.image.non_max_suppression(boxes, scores, 5, iou_threshold=0.4)
        b = tf.image.non_max_suppression(boxes, scores, 10, iou_threshold=0.5, score_threshold=0.3)
        c, n = tf.image.non_max_suppression_padded(boxes, scores, 6, iou_threshold=0.5, pad_to_max_output_size=True)
        lo = RNG.uniform(0, 0.6, (12, 2))
        bx = np.concatenate([lo, lo + RNG.uniform(0.1, 0.4, (12, 2))], 1).astype(np.float32)
        sc = RNG.permutation(12).astype(np.float32) / 12.0
        return {boxes: bx, scores: sc}, [tf.identity(a, "a"), tf.identity(b, "b"), tf.identity(c, "c"),
                                         tf.identity(n, "n")]

    def sorting(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 7], name="x")
        k = tf.compat.v1.placeholder(tf.int32, [], name="k")
        v, i = tf.math.top_k(x, k=k)
        v3, i3 = tf.math.top_k(-x, k=3, sorted=True)
        a = tf.argsort(x, axis=1, direction="DESCENDING", stable=True)
        b = tf.argsort(x, axis=0)
        s = tf.sort(x, axis=0, direction="DESCENDING")
        return {x: f32(4, 7), k: np.array(4, np.int32)}, [tf.identity(t, n) for t, n in zip(
            [v, i, v3, i3, a, b, s], ["v", "i", "v3", "i3", "argsort_desc", "argsort0", "sort0"])]

    def gather_scatter(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 5, 3], name="x")
        idx = tf.compat.v1.placeholder(tf.int32, [None, 4], name="idx")
        g1 = tf.gather(x, idx, batch_dims=1, axis=1)
        g2 = tf.gather(x, idx[:, :2] % 3, batch_dims=1, axis=2)
        g3 = tf.gather_nd(x, tf.stack([idx[:, :2] % 5, idx[:, 2:] % 3], -1), batch_dims=1)
        upd = tf.reshape(tf.range(6, dtype=tf.float32), [2, 3])
        sc = tf.scatter_nd([[1], [3]], upd, [5, 3])
        sc2 = tf.tensor_scatter_nd_add(x[0], [[0], [0], [4]], tf.ones([3, 3]))
        sc3 = tf.tensor_scatter_nd_update(x, [[0, 1], [1, 4]], -tf.ones([2, 3]))
        sc4 = tf.tensor_scatter_nd_max(x[1], [[2, 1], [0, 0]], [5.0, -5.0])
        return {x: f32(2, 5, 3), idx: np.array([[0, 4, 2, 2], [1, 1, 3, 0]], np.int32)}, [
            tf.identity(t, n) for t, n in zip([g1, g2, g3, sc, sc2, sc3, sc4],
                                              ["g1", "g2", "g3", "sc", "sc2", "sc3", "sc4"])]

    def segments(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        seg = tf.compat.v1.placeholder(tf.int32, [None], name="seg")
        a = tf.math.segment_sum(x, seg)
        b = tf.math.segment_mean(x, seg)
        c = tf.math.segment_max(x, seg)
        d = tf.math.unsorted_segment_sum(x, seg[::-1], 5)
        e = tf.math.unsorted_segment_max(x, seg[::-1], 4)
        f = tf.math.unsorted_segment_mean(x, seg, 4)
        g = tf.math.unsorted_segment_sqrt_n(x, seg, 4)
        h = tf.math.segment_prod(x, seg)
        i = tf.math.unsorted_segment_min(x, seg, 4)
        return {x: f32(6, 3), seg: np.array([0, 0, 1, 2, 2, 2], np.int32)}, [
            tf.identity(t, n) for t, n in zip([a, b, c, d, e, f, g, h, i], "abcdefghi")]

    def cumulative(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 6], name="x")
        outs = [tf.math.cumsum(x, axis=1, exclusive=True), tf.math.cumsum(x, axis=1, reverse=True),
                tf.math.cumsum(x, axis=0, exclusive=True, reverse=True), tf.math.cumsum(x, axis=-1),
                tf.math.cumprod(x, axis=1, exclusive=True), tf.math.cumulative_logsumexp(x, axis=1),
                tf.math.cumsum(tf.cast(x > 0, tf.int32), axis=1, reverse=True)]
        return {x: f32(3, 6)}, [tf.identity(t, f"c{j}") for j, t in enumerate(outs)]

    def einsums(tf):
        a = tf.compat.v1.placeholder(tf.float32, [None, 3, 4], name="a")
        b = tf.compat.v1.placeholder(tf.float32, [None, 4, 5], name="b")
        outs = [tf.einsum("bij,bjk->bik", a, b), tf.einsum("bij,bjk->bki", a, b), tf.einsum("bij->bji", a),
                tf.einsum("bij->b", a), tf.einsum("bij,bij->bi", a, a), tf.einsum("...ij,...jk->...ik", a, b),
                tf.einsum("bii->bi", a[:, :, :3]), tf.einsum("ij,kj->ik", a[0], a[1]),
                tf.einsum("bi,bj->bij", a[:, 0], b[:, 0]), tf.einsum("bij,jk->bik", a, b[0])]
        return {a: f32(2, 3, 4), b: f32(2, 4, 5)}, [tf.identity(t, f"e{j}") for j, t in enumerate(outs)]

    def misc_v1(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        ids = tf.compat.v1.placeholder(tf.int64, [None], name="ids")
        emb = tf.compat.v1.get_variable("emb", [10, 4])
        e = tf.nn.embedding_lookup(emb, ids)
        w = tf.compat.v1.get_variable("w", [4, 3])
        y = tf.nn.relu(tf.matmul(x, w))
        y, _, _ = tf.compat.v1.nn.fused_batch_norm(y[:, None, None, :], tf.ones([3]), tf.zeros([3]),
                                                   mean=tf.fill([3], 0.1), variance=tf.fill([3], 2.0),
                                                   is_training=False)
        z = tf.compat.v1.nn.softmax_cross_entropy_with_logits_v2(labels=tf.nn.softmax(x), logits=x)
        u, _ = tf.unique(tf.cast(ids, tf.int32))
        rev = tf.reverse_sequence(tf.tile(x[None], [3, 1, 1]), [1, 3, 2], seq_axis=1, batch_axis=0)
        return {x: f32(3, 4), ids: np.array([3, 1, 3, 9], np.int64)}, [tf.identity(t, n) for t, n in zip(
            [e, y, z, u, rev], ["e", "y", "z", "u", "rev"])]

    def image_ops_2(tf):
        img = tf.compat.v1.placeholder(tf.float32, [None, 9, 8, 3], name="img")
        outs = {
            "bicubic_ac": tf.compat.v1.image.resize_bicubic(img, [5, 6], align_corners=True),
            "bicubic_hp": tf.compat.v1.image.resize_bicubic(img, [12, 10], half_pixel_centers=True),
            "area": tf.compat.v1.image.resize_area(img, [4, 3]),
            "patches": tf.image.extract_patches(img, [1, 3, 3, 1], [1, 2, 2, 1], [1, 1, 1, 1], "VALID"),
            "gray": tf.image.rgb_to_grayscale(img),
            "hsv": tf.image.hsv_to_rgb(tf.image.rgb_to_hsv(tf.sigmoid(img))),
            "std": tf.image.per_image_standardization(img),
            "crop": tf.image.central_crop(img, 0.5),
            "pad": tf.image.pad_to_bounding_box(img, 1, 2, 12, 12),
            "flip": tf.image.flip_left_right(tf.image.rot90(img)),
            "contrast": tf.image.adjust_contrast(img, 1.5),
        }
        return {img: f32(2, 9, 8, 3)}, [tf.identity(t, n) for n, t in outs.items()]

    def soft_nms(tf):
        boxes = tf.compat.v1.placeholder(tf.float32, [None, 4], name="boxes")
        scores = tf.compat.v1.placeholder(tf.float32, [None], name="scores")
        sel, sel_scores = tf.image.non_max_suppression_with_scores(boxes, scores, 6, iou_threshold=0.5,
                                                                   soft_nms_sigma=0.5)
        lo = RNG.uniform(0, 0.6, (10, 2))
        bx = np.concatenate([lo, lo + RNG.uniform(0.1, 0.4, (10, 2))], 1).astype(np.float32)
        sc = (RNG.permutation(10).astype(np.float32) + 1) / 11.0
        return {boxes: bx, scores: sc}, [tf.identity(sel, "sel"), tf.identity(sel_scores, "sel_scores")]

    def combined_nms(tf):
        shared = tf.compat.v1.placeholder(tf.float32, [None, None, 1, 4], name="shared_boxes")
        own = tf.compat.v1.placeholder(tf.float32, [None, None, 3, 4], name="class_boxes")
        scores = tf.compat.v1.placeholder(tf.float32, [None, None, 3], name="scores")
        a = tf.image.combined_non_max_suppression(shared, scores, 4, 7, iou_threshold=0.5, score_threshold=0.2)
        b = tf.image.combined_non_max_suppression(own, scores, 2, 20, iou_threshold=0.3, pad_per_class=True,
                                                  clip_boxes=False)
        c = tf.image.combined_non_max_suppression(own, scores, 3, 15, iou_threshold=0.6)
        lo = RNG.uniform(-0.1, 0.7, (2, 12, 3, 2))
        own_boxes = np.concatenate([lo, lo + RNG.uniform(0.05, 0.5, (2, 12, 3, 2))], -1).astype(np.float32)
        sc = RNG.uniform(0, 1, (2, 12, 3)).astype(np.float32)
        outs = [tf.identity(t, f"{name}_{k}") for name, r in (("a", a), ("b", b), ("c", c)) for k, t in enumerate(r)]
        return {shared: own_boxes[:, :, :1], own: own_boxes, scores: sc}, outs

    def nn_ops(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 4], name="x")
        w = tf.compat.v1.get_variable("w", [3, 3, 2, 4])
        up = tf.nn.conv2d_transpose(x, w, tf.stack([tf.shape(x)[0], 16, 16, 2]), [1, 2, 2, 1], "SAME")
        at = tf.nn.atrous_conv2d(x, tf.compat.v1.get_variable("wa", [3, 3, 4, 3]), 2, "SAME")
        sep = tf.nn.separable_conv2d(x, tf.compat.v1.get_variable("dw", [3, 3, 4, 2]),
                                     tf.compat.v1.get_variable("pw", [1, 1, 8, 5]), [1, 1, 1, 1], "VALID")
        lrn = tf.nn.local_response_normalization(x, depth_radius=2, bias=1.0, alpha=0.5, beta=0.75)
        pooled, argmax = tf.nn.max_pool_with_argmax(x, 2, 2, "VALID", include_batch_in_index=True)
        d2s = tf.nn.depth_to_space(tf.concat([x, x], -1), 2)
        dil = tf.nn.dilation2d(x, tf.compat.v1.get_variable("f", [2, 2, 4]), [1, 1, 1, 1], "SAME", "NHWC",
                               [1, 1, 1, 1])
        lsm = tf.nn.log_softmax(tf.reduce_mean(x, [1, 2]))
        labels = tf.constant([1, 3])
        xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=tf.reduce_max(x, [1, 2]))
        outs = [up, at, sep, lrn, pooled, argmax, d2s, dil, lsm, xent]
        names = ["up", "atrous", "sep", "lrn", "pooled", "argmax", "d2s", "dil", "lsm", "xent"]
        return {x: f32(2, 8, 8, 4)}, [tf.identity(t, n) for t, n in zip(outs, names)]

    def linalg(tf):
        a = tf.compat.v1.placeholder(tf.float32, [None, 3, 3], name="a")
        spd = tf.matmul(a, a, transpose_b=True) + 3.0 * tf.eye(3)
        outs = {"inv": tf.linalg.inv(spd), "det": tf.linalg.det(spd), "chol": tf.linalg.cholesky(spd),
                "solve": tf.linalg.solve(spd, a), "tri": tf.linalg.triangular_solve(tf.linalg.cholesky(spd), a),
                "band": tf.linalg.band_part(a, 1, 0), "diag": tf.linalg.diag_part(a) + tf.linalg.trace(a)[:, None],
                "logdet": tf.linalg.logdet(spd), "norm": tf.norm(a, axis=[-2, -1])}
        return {a: f32(2, 3, 3)}, [tf.identity(t, n) for n, t in outs.items()]

    def array_misc(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        lengths = tf.compat.v1.placeholder(tf.int32, [None], name="lengths")
        mask = tf.sequence_mask(lengths, 4)
        outs = {
            "masked": tf.boolean_mask(x, mask),
            "where": tf.cast(tf.where(x > 0), tf.int32),
            "parts": tf.dynamic_stitch([tf.range(3), tf.range(3, 6)], tf.dynamic_partition(
                tf.reshape(x, [-1])[:6], [0, 1, 0, 1, 1, 0], 2)),
            "counts": tf.unique_with_counts(tf.cast(lengths, tf.int32))[2],
            "bincount": tf.math.bincount(lengths, minlength=5),
            "search": tf.searchsorted(tf.sort(x, axis=-1), x * 0.5),
            "hist": tf.histogram_fixed_width(x, [-1.0, 1.0], nbins=4),
            "pad": tf.pad(x, [[1, 0], [0, 2]], mode="REFLECT"),
            "tile": tf.tile(x[:, None], [1, 2, 1]),
            "rev": tf.reverse(x, [0, 1]),
            "onehot": tf.one_hot(lengths, 5, on_value=2.0, off_value=-1.0, axis=0),
            "mirror": tf.pad(x, [[0, 0], [2, 1]], mode="SYMMETRIC"),
        }
        return {x: f32(3, 4), lengths: np.array([4, 1, 2], np.int32)}, [tf.identity(t, n) for n, t in outs.items()]

    def while_max_iterations(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True, infer_shape=False)

        def body(i, acc, ta):
            acc = tf.concat([acc[1:], acc[:1] * 1.5], axis=0)
            return [i + 1, acc, ta.write(i, acc)]

        _, acc, ta = tf.compat.v1.while_loop(lambda i, acc, ta: tf.reduce_sum(acc) < 100.0, body,
                                             [tf.constant(0), x, ta], maximum_iterations=6,
                                             return_same_structure=True)
        return {x: f32(3, 2, low=0.5, high=1.0)}, [tf.identity(acc, "acc"), tf.identity(ta.concat(), "all")]

    def cond_shapes(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        p = tf.compat.v1.placeholder(tf.bool, [], name="p")
        y = tf.cond(p, lambda: x[:2], lambda: tf.concat([x, x], 0))
        z = tf.cond(tf.shape(y)[0] > 2, lambda: tf.reduce_sum(y, 0), lambda: tf.reduce_max(y, 0))
        k = tf.compat.v1.placeholder(tf.int32, [], name="k")
        c = tf.switch_case(k, [lambda: x * 2.0, lambda: -x, lambda: tf.nn.relu(x)])
        return {x: f32(3, 4), p: np.array(False), k: np.array(2, np.int32)}, [
            tf.identity(y, "y"), tf.identity(z, "z"), tf.identity(c, "c")]

    def scan_variants(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        a, b = tf.scan(lambda acc, row: (acc[0] + row, acc[1] * 0.5 + tf.reduce_max(row)), x,
                       initializer=(tf.zeros([3]), tf.constant(0.0)), reverse=True)
        m1, m2 = tf.map_fn(lambda row: (tf.nn.softmax(row), tf.argmax(row, output_type=tf.int32)), x,
                           dtype=(tf.float32, tf.int32))
        f1, f2 = tf.foldl(lambda acc, row: (acc[0] + tf.reduce_sum(row), tf.maximum(acc[1], row)), x,
                          initializer=(tf.constant(0.0), tf.fill([3], -1.0)))
        return {x: f32(5, 3)}, [tf.identity(t, n) for t, n in zip([a, b, m1, m2, f1, f2],
                                                                  ["a", "b", "m1", "m2", "f1", "f2"])]

    def beam_like(tf):
        # a decoding loop: logits from the state, top_k over beams, gather the surviving states,
        # append the chosen ids to a growing [beams, t] tensor
        state0 = tf.compat.v1.placeholder(tf.float32, [None, 4], name="state")
        w = tf.compat.v1.get_variable("w", [4, 6])
        u = tf.compat.v1.get_variable("u", [6, 4])
        beams = tf.shape(state0)[0]

        def body(t, state, ids, score):
            logits = tf.nn.log_softmax(tf.matmul(state, w)) + score[:, None]
            flat = tf.reshape(logits, [-1])
            best, where = tf.math.top_k(flat, k=beams)
            parent, token = where // 6, where % 6
            state = tf.tanh(tf.gather(state, parent) + tf.gather(u, token))
            ids = tf.concat([tf.gather(ids, parent), token[:, None]], axis=1)
            return t + 1, state, ids, best

        _, state, ids, score = tf.while_loop(
            lambda t, *_: t < 4, body,
            [tf.constant(0), state0, tf.zeros([beams, 0], tf.int32), tf.zeros([beams])],
            shape_invariants=[tf.TensorShape([]), tf.TensorShape([None, 4]), tf.TensorShape([None, None]),
                              tf.TensorShape([None])])
        return {state0: f32(3, 4)}, [tf.identity(ids, "ids"), tf.identity(score, "score"),
                                     tf.identity(state, "final")]

    def control_flow_combos(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        p = tf.compat.v1.placeholder(tf.bool, [], name="p")

        def count_down():
            _, acc = tf.while_loop(lambda i, a: i > 0, lambda i, a: (i - 1, a * 0.9 + tf.reduce_mean(x, 0)),
                                   [tf.shape(x)[0], tf.zeros([3])])
            return acc

        a = tf.cond(p, count_down, lambda: tf.reduce_max(x, 0))
        b = tf.map_fn(lambda row: tf.cond(tf.reduce_sum(row) > 0, lambda: row * 2.0, lambda: -row), x)

        def outer(i, acc):
            inner = tf.map_fn(lambda row: row * tf.cast(i + 1, tf.float32), x)
            return i + 1, acc + tf.reduce_sum(inner, 0)

        _, c = tf.while_loop(lambda i, acc: i < 3, outer, [tf.constant(0), tf.zeros([3])])
        d = tf.cond(tf.logical_not(p), lambda: tf.cond(p, lambda: x, lambda: tf.nn.relu(x)), lambda: x * 0.0)
        return {x: f32(4, 3), p: np.array(True)}, [tf.identity(t, n) for t, n in zip([a, b, c, d], "abcd")]

    def nchw_cnn(tf):
        # a graph trained on GPUs in TF 1.x: NCHW convolutions, pooling, fused batch norm
        x = tf.compat.v1.placeholder(tf.float32, [None, 3, 12, 12], name="input")
        w = tf.compat.v1.get_variable("w", [3, 3, 3, 8])
        b = tf.compat.v1.get_variable("b", [8], initializer=tf.compat.v1.random_normal_initializer())
        y = tf.nn.bias_add(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME", data_format="NCHW"), b, data_format="NCHW")
        y, _, _ = tf.compat.v1.nn.fused_batch_norm(y, tf.ones([8]) * 1.5, tf.zeros([8]) + 0.1,
                                                   mean=tf.fill([8], 0.2), variance=tf.fill([8], 2.0),
                                                   is_training=False, data_format="NCHW")
        y = tf.nn.relu(y)
        y = tf.nn.max_pool2d(y, 2, 2, "VALID", data_format="NCHW")
        w2 = tf.compat.v1.get_variable("w2", [3, 3, 8, 4])
        y = tf.nn.conv2d(y, w2, [1, 1, 2, 2], "VALID", data_format="NCHW")
        y = tf.nn.avg_pool2d(y, 2, 1, "SAME", data_format="NCHW")
        out = tf.reduce_mean(y, axis=[2, 3])
        return {x: f32(2, 3, 12, 12)}, [tf.identity(y, "features"), tf.identity(out, "pooled")]

    def conv_misc(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 10, 9, 3], name="input")
        w = tf.compat.v1.get_variable("w", [3, 2, 3, 4])
        explicit = tf.nn.conv2d(x, w, [1, 2, 1, 1], [[0, 0], [1, 2], [0, 1], [0, 0]])
        dw = tf.compat.v1.get_variable("dw", [3, 3, 3, 2])
        dilated = tf.nn.depthwise_conv2d(x, dw, [1, 1, 1, 1], "SAME", dilations=[2, 2])
        q = tf.quantization.quantize(x, -1.0, 1.0, tf.quint8)
        deq = tf.quantization.dequantize(q.output, q.output_min, q.output_max)
        w3 = tf.compat.v1.get_variable("w3", [2, 2, 2, 3, 2])
        vol = tf.nn.conv3d(tf.stack([x, x * 0.5], 1), w3, [1, 1, 1, 1, 1], "SAME")
        pooled = tf.nn.max_pool3d(vol, 2, 2, "VALID")
        return {x: f32(2, 10, 9, 3)}, [tf.identity(t, n) for t, n in zip(
            [explicit, dilated, deq, vol, pooled], ["explicit", "dilated", "deq", "vol", "pooled"])]

    def quantized(tf):
        # weights stored quantized (graph_transforms' quantize_weights: quint8 + Dequantize
        # MIN_FIRST), and the other Dequantize modes and signed types
        x = tf.compat.v1.placeholder(tf.float32, [None, 6], name="x")
        raw_u8 = RNG.randint(0, 256, (6, 4)).astype(np.uint8)
        raw_i8 = RNG.randint(-128, 128, (6, 4)).astype(np.int8)
        outs = {}
        for mode in ("MIN_COMBINED", "MIN_FIRST", "SCALED"):
            w = tf.quantization.dequantize(tf.constant(raw_u8, dtype=tf.quint8), -0.7, 1.3, mode=mode)
            outs[f"u8_{mode}"] = tf.matmul(x, w)
            v = tf.quantization.dequantize(tf.constant(raw_i8, dtype=tf.qint8), -0.9, 0.6, mode=mode,
                                           narrow_range=mode == "SCALED")
            outs[f"i8_{mode}"] = tf.matmul(x, v)
        q = tf.quantization.quantize(x * 3.0, -2.0, 2.5, tf.qint8)
        outs["deq_i8"] = tf.quantization.dequantize(q.output, q.output_min, q.output_max)
        return {x: f32(3, 6)}, [tf.identity(t, n) for n, t in outs.items()]

    return {"v1_quantized": quantized, "v1_conv_misc": conv_misc, "v1_nchw_cnn": nchw_cnn, "v1_control_flow_combos": control_flow_combos, "v1_scan_variants": scan_variants, "v1_beam_like": beam_like,
            "v1_image_ops_2": image_ops_2, "v1_soft_nms": soft_nms, "v1_combined_nms": combined_nms, "v1_nn_ops": nn_ops, "v1_linalg": linalg,
            "v1_array_misc": array_misc, "v1_while_max_iterations": while_max_iterations,
            "v1_cond_shapes": cond_shapes,
            "v1_bidirectional_lengths": bidirectional_lengths, "v1_dynamic_rnn_time_major": dynamic_rnn_time_major,
            "v1_raw_rnn": raw_rnn, "v1_while_ta_data_length": while_ta_data_length,
            "v1_nested_while_ta": nested_while_ta, "v1_while_cond_ops": while_cond_break,
            "v1_image_resize": image_ops, "v1_crop_and_resize": crop_and_resize, "v1_nms": nms,
            "v1_sorting": sorting, "v1_gather_scatter": gather_scatter, "v1_segments": segments,
            "v1_cumulative": cumulative, "v1_einsum": einsums, "v1_misc": misc_v1}


def run_v1_part(out_dir: str, only: set | None) -> list[str]:
    return _first_set().run_v1_builders(out_dir, only, v1_graphs)


def main(argv=None) -> int:
    return _first_set().generator_main(__doc__.splitlines()[0], __file__, run_keras_part, run_v1_part, argv)


if __name__ == "__main__":
    sys.exit(main())
