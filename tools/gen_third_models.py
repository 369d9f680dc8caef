"""Writes a third set of TensorFlow-made graphs for converter checks, beyond gen_more_models.py.

Run with the TensorFlow venv (TF 2.21), never from ortflow itself:

    /work/venv-tf/bin/python tools/gen_third_models.py /tmp/third_models [--only NAME,...]

The folders have the layout of `gen_extra_models.py` (frozen.pb, inputs.npz, expected.npz,
manifest.json), so `tools/check_extra_models.py` checks them. Three families:

- Keras applications neither earlier set tried (EfficientNetB2/B3, EfficientNetV2B2/B3,
  ResNet152, MobileNetV2 at alpha 1.4, Xception/NASNetMobile without their top), weights=None,
  small inputs. Keras 3.15 has no RegNet family; NASNetLarge, ConvNeXtBase and larger and
  EfficientNetB4+ / V2M / V2L are left out for their size (tens of millions of weights frozen into
  the graph);
- Keras 3 layer models: strided/dilated Conv3D and Conv3DTranspose, ZeroPadding/Cropping 3D,
  1-D/3-D pools with strides and `same` padding, SeparableConv1D/2D with dilation and depth
  multipliers, Conv2DTranspose with output_padding and dilation, UpSampling with uneven sizes,
  Resizing bicubic/area, RMS-scaled LayerNormalization, GroupNormalization as instance norm,
  GRU (reset_after both ways) and LSTM returning states, unrolled RNNs, TimeDistributed over
  Conv1D, Dot over 3-D values, Permute/RepeatVector, the newer Keras activations, masked pooling
  and Attention returning its scores, grouped dilated Conv2D, Bidirectional RNNs returning states
  and merging by mul/ave;
- TF 1.x graphs under `disable_v2_behavior()`: tf.nn.conv1d, image colour ops (adjust_hue,
  adjust_saturation, sobel_edges, image_gradients), linalg diag/set_diag, sparse segment ops,
  roll, searchsorted right, bincount with weights, top_k unsorted, clip_by_global_norm, softmax
  on an axis, nested TensorArrays in nested loops with shape_invariants, a cond inside a while
  inside a cond, embedding_lookup over partitioned variables ('mod' and 'div'), a stacked
  dynamic_rnn with inference dropout, ctc_greedy_decoder (sparse parts), tf.image.resize with
  lanczos3 / mitchellcubic / gaussian / antialias (ScaleAndTranslate), bidirectional GRU states,
  a TensorArray written in a cond in a while, map_fn with infer_shape=False, nested map_fn.

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


def f32(*shape, low=-1.0, high=1.0):
    return RNG.uniform(low, high, shape).astype(np.float32)


#: name -> (constructor, input shape HWC, kwargs, input range high)
APPLICATIONS = {
    "EfficientNetB2": ("EfficientNetB2", (40, 40, 3), {}, 255),
    "EfficientNetB3": ("EfficientNetB3", (40, 40, 3), {}, 255),
    "EfficientNetV2B2": ("EfficientNetV2B2", (40, 40, 3), {}, 255),
    "EfficientNetV2B3": ("EfficientNetV2B3", (40, 40, 3), {}, 255),
    "ResNet152": ("ResNet152", (32, 32, 3), {}, 255),
    "MobileNetV2_alpha14": ("MobileNetV2", (48, 48, 3), {"alpha": 1.4}, 1),
    "MobileNet_alpha05_notop": ("MobileNet", (40, 40, 3), {"alpha": 0.5, "include_top": False,
                                                            "pooling": "max", "depth_multiplier": 2}, 1),
    "Xception_notop": ("Xception", (71, 71, 3), {"include_top": False, "pooling": "avg"}, 1),
    "NASNetMobile_notop": ("NASNetMobile", (32, 32, 3), {"include_top": False, "pooling": "max"}, 1),
    "MobileNetV3Large_noprep": ("MobileNetV3Large", (48, 48, 3), {"include_preprocessing": False,
                                                                   "alpha": 0.75}, 1),
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

    def conv3d_variants():
        inp = keras.Input((7, 8, 6, 2))
        # (a ZeroPadding3D before the strided Conv3D makes TF 2.21's oneDNN Conv3DBackpropInputV2
        # of the Conv3DTranspose below abort in TF itself: the padding goes on the other branch)
        x = L.Conv3D(4, 3, strides=(2, 1, 2), padding="same")(inp)
        y = L.Conv3D(3, (2, 3, 2), dilation_rate=(1, 2, 2), padding="same", activation="relu")(inp)
        y = L.Cropping3D(((1, 0), (0, 2), (1, 0)))(L.ZeroPadding3D(((1, 0), (0, 1), (1, 1)))(y))
        y = L.MaxPooling3D(2, strides=(1, 2, 2), padding="same")(y)
        x = L.Conv3DTranspose(3, 3, strides=2, padding="same")(x)
        x = L.Conv3DTranspose(2, 2, strides=(1, 2, 1), padding="valid")(x)
        x = L.AveragePooling3D(2, padding="same")(x)
        x = L.SpatialDropout3D(0.4)(x)
        x = L.UpSampling3D((1, 2, 1))(x)
        z = L.GlobalAveragePooling3D()(y)
        return keras.Model(inp, [x, z]), {"input": f32(2, 7, 8, 6, 2)}

    def conv1d_variants():
        inp = keras.Input((19, 5))
        x = L.SeparableConv1D(8, 3, strides=2, depth_multiplier=2, padding="same")(inp)
        x = L.SpatialDropout1D(0.3)(x)
        x = L.AveragePooling1D(3, strides=2, padding="same")(x)
        x = L.UpSampling1D(3)(x)
        y = L.SeparableConv1D(4, 3, dilation_rate=2, padding="valid")(inp)
        y = L.MaxPooling1D(3, strides=1, padding="same")(y)
        y = L.Conv1D(6, 2, groups=2, dilation_rate=3)(y)
        y = L.Conv1DTranspose(3, 3, dilation_rate=2, padding="same")(y)
        z = L.GlobalAveragePooling1D(keepdims=True)(x)
        return keras.Model(inp, [x, y, z]), {"input": f32(2, 19, 5)}

    def conv2d_variants():
        inp = keras.Input((11, 10, 3))
        x = L.SeparableConv2D(6, 3, dilation_rate=2, depth_multiplier=2, padding="same")(inp)
        x = L.SeparableConv2D(4, (3, 2), strides=(2, 1), padding="valid")(x)
        x = L.Conv2DTranspose(5, 3, strides=2, output_padding=1, padding="same")(x)
        y = L.Conv2DTranspose(3, (3, 2), dilation_rate=2, padding="valid")(inp)
        y = L.Conv2DTranspose(2, 3, strides=(3, 2), output_padding=(2, 0), padding="valid")(y)
        return keras.Model(inp, [x, y]), {"input": f32(2, 11, 10, 3)}

    def resize_modes():
        inp = keras.Input((6, 5, 3))
        a = L.UpSampling2D((2, 3))(inp)
        b = L.UpSampling2D((3, 2), interpolation="bilinear")(inp)
        c = L.UpSampling2D(2, interpolation="bicubic")(inp)
        d = L.Resizing(4, 3, interpolation="area")(inp)
        e = L.Resizing(9, 11, interpolation="bicubic")(inp)
        f = L.ZeroPadding2D(2)(L.Cropping2D(1)(inp))
        return keras.Model(inp, [a, b, c, d, e, f]), {"input": f32(2, 6, 5, 3)}

    def norm_variants():
        inp = keras.Input((6, 6, 4))
        x = L.LayerNormalization(rms_scaling=True)(inp)
        x = L.GroupNormalization(groups=-1)(x)  # one group per channel: instance normalization
        y = L.GroupNormalization(groups=1, center=False)(inp)
        y = L.UnitNormalization(axis=(1, 2))(y)
        z = L.LayerNormalization(axis=(1, 3))(inp)
        return keras.Model(inp, [x, y, z]), {"input": f32(2, 6, 6, 4, low=-2, high=3)}

    def rnn_states():
        tok = keras.Input((7,), dtype="int32")
        x = L.Embedding(25, 6)(tok)
        a, ha = L.GRU(5, return_sequences=True, return_state=True, reset_after=True)(x)
        b, hb = L.GRU(4, return_state=True, reset_after=False, go_backwards=True)(a)
        c, hc, cc = L.LSTM(3, return_sequences=True, return_state=True)(x, initial_state=None)
        d = L.LSTM(3, unroll=True)(c)
        e = L.GRU(2, unroll=True, reset_after=False)(x)
        return keras.Model(tok, [ha, b, hb, hc, cc, d, e]), {"input": RNG.randint(0, 25, (3, 7)).astype(np.int32)}

    def sequence_layers():
        inp = keras.Input((5, 4))
        x = L.TimeDistributed(L.Dense(6, activation="tanh"))(inp)
        x = L.Permute((2, 1))(x)
        x = L.TimeDistributed(L.RepeatVector(2))(x)  # [batch, 6, 2, 5]
        x = L.Reshape((6, 10))(x)
        y = L.Dot(axes=(1, 1), normalize=True)([inp, L.Dense(4)(inp)])
        z = L.Dot(axes=2)([inp, inp])
        w = L.Flatten()(L.Permute((2, 1))(inp))
        w = L.RepeatVector(3)(w)
        return keras.Model(inp, [x, y, z, w]), {"input": f32(2, 5, 4)}

    def time_distributed_conv1d():
        inp = keras.Input((3, 10, 2))
        x = L.TimeDistributed(L.Conv1D(4, 3, padding="same", activation="relu"))(inp)
        x = L.TimeDistributed(L.MaxPooling1D(2))(x)
        x = L.TimeDistributed(L.GlobalAveragePooling1D())(x)
        x = L.GRU(3)(x)
        return keras.Model(inp, x), {"input": f32(2, 3, 10, 2)}

    def activations():
        inp = keras.Input((4, 6))
        outs = []
        for name in ("elu", "selu", "softplus", "softsign", "exponential", "log_softmax", "silu", "hard_silu",
                     "relu6", "tanh", "sigmoid", "hard_sigmoid", "linear", "leaky_relu", "mish", "celu",
                     "log_sigmoid", "hard_tanh", "tanh_shrink", "soft_shrink", "hard_shrink", "squareplus",
                     "sparse_plus", "glu", "sparsemax"):
            fn = getattr(keras.activations, name, None)
            if fn is not None:
                outs.append(L.Activation(fn)(inp))
        x = L.Concatenate()(outs)
        a = L.PReLU(alpha_initializer=keras.initializers.Constant(0.3), shared_axes=[1])(inp)
        b = L.ReLU(threshold=0.2)(inp)
        c = L.Softmax(axis=1)(inp)
        d = L.ELU(alpha=2.0)(inp)
        e = L.LeakyReLU(negative_slope=0.05)(inp)
        return keras.Model(inp, [x, a, b, c, d, e]), {"input": f32(2, 4, 6, low=-3, high=3)}

    def masked_pooling_attention():
        tok = keras.Input((8,), dtype="int32")
        x = L.Embedding(20, 6, mask_zero=True)(tok)
        pooled = L.GlobalAveragePooling1D()(x)  # masked mean
        q = L.Dense(6)(x)
        att, scores = L.Attention(use_scale=True, dropout=0.2)([q, x, x], return_attention_scores=True)
        mh = L.MultiHeadAttention(2, 3)(x, x)
        t = RNG.randint(1, 20, (2, 8)).astype(np.int32)
        t[0, 5:] = 0
        t[1, 3:] = 0
        return keras.Model(tok, [pooled, att, scores, mh]), {"input": t}

    def mha_2d():
        inp = keras.Input((4, 5, 6))
        y = L.MultiHeadAttention(num_heads=2, key_dim=3, attention_axes=(1, 2))(inp, inp)
        return keras.Model(inp, y), {"input": f32(2, 4, 5, 6)}

    def misc_more():
        img = keras.Input((9, 9, 4), name="img")
        seq = keras.Input((6, 3), name="seq")
        a = L.Conv2D(6, 3, groups=2, dilation_rate=2, padding="same")(img)
        a = L.AveragePooling2D(3, strides=1, padding="same")(a)
        a = L.Conv2D(4, 2, strides=(2, 1), padding="valid", activation="softplus")(a)
        out, h_fw, _, _, c_bw = L.Bidirectional(L.LSTM(3, return_sequences=True, return_state=True))(seq)
        g = L.Bidirectional(L.GRU(2), merge_mode="mul")(seq)
        b = L.Bidirectional(L.SimpleRNN(2, return_sequences=True), merge_mode="ave")(seq)
        return keras.Model([img, seq], [a, out, h_fw, c_bw, g, b]), {"img": f32(2, 9, 9, 4), "seq": f32(2, 6, 3)}

    return {"k3b_misc_more": misc_more, "k3b_conv3d_variants": conv3d_variants, "k3b_conv1d_variants": conv1d_variants,
            "k3b_conv2d_variants": conv2d_variants, "k3b_resize_modes": resize_modes,
            "k3b_norm_variants": norm_variants, "k3b_rnn_states": rnn_states,
            "k3b_sequence_layers": sequence_layers, "k3b_time_distributed_conv1d": time_distributed_conv1d,
            "k3b_activations": activations, "k3b_masked_pooling_attention": masked_pooling_attention,
            "k3b_mha_2d": mha_2d}


def run_keras_part(out_dir: str, only: set | None) -> list[str]:
    builders = {name: (lambda n=name: _application(n)) for name in APPLICATIONS}
    builders.update(keras_layer_models())
    return _first_set().run_keras_builders(out_dir, only, builders)


# --------------------------------------------------------------------------- TF 1.x graphs

def v1_graphs() -> dict:
    """TF 1.x graphs: name -> builder(tf) returning ({placeholder: array}, [output tensors])."""
    first = _first_set()

    def named(outs: dict):
        import tensorflow as tf

        return [tf.identity(t, n) for n, t in outs.items()]

    def conv1d(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 12, 3], name="x")
        w = tf.compat.v1.get_variable("w", [3, 3, 4])
        outs = {"same": tf.nn.conv1d(x, w, 2, "SAME"), "valid": tf.nn.conv1d(x, w, 1, "VALID", dilations=2),
                "stride3": tf.nn.conv1d(x, w, 3, "SAME"),
                "pool": tf.nn.pool(x, [2], "MAX", strides=[2], padding="SAME"),
                "avg": tf.nn.avg_pool1d(x, 3, 1, "VALID"),
                "t": tf.nn.conv1d_transpose(x, tf.compat.v1.get_variable("wt", [3, 2, 3]),
                                            tf.stack([tf.shape(x)[0], 24, 2]), 2, "SAME")}
        return {x: f32(2, 12, 3)}, named(outs)

    def image_colour(tf):
        img = tf.compat.v1.placeholder(tf.float32, [None, 6, 7, 3], name="img")
        rgb = tf.sigmoid(img)
        outs = {"hue": tf.image.adjust_hue(rgb, 0.2), "hue_neg": tf.image.adjust_hue(rgb, -0.45),
                "sat": tf.image.adjust_saturation(rgb, 1.7), "sat_lo": tf.image.adjust_saturation(rgb, 0.3),
                "bright": tf.image.adjust_brightness(rgb, 0.1), "gamma": tf.image.adjust_gamma(rgb, 2.0, 1.5),
                "sobel": tf.image.sobel_edges(img), "grad_y": tf.image.image_gradients(img)[0],
                "grad_x": tf.image.image_gradients(img)[1], "yuv": tf.image.yuv_to_rgb(tf.image.rgb_to_yuv(rgb)),
                "yiq": tf.image.rgb_to_yiq(rgb), "gray": tf.image.grayscale_to_rgb(tf.image.rgb_to_grayscale(rgb)),
                "updown": tf.image.flip_up_down(img), "transpose": tf.image.transpose(img),
                "total_var": tf.image.total_variation(img)}
        return {img: f32(2, 6, 7, 3, low=-3, high=3)}, named(outs)

    def patches(tf):
        img = tf.compat.v1.placeholder(tf.float32, [None, 9, 10, 2], name="img")
        outs = {"same": tf.image.extract_patches(img, [1, 3, 2, 1], [1, 2, 3, 1], [1, 1, 1, 1], "SAME"),
                "rate": tf.image.extract_patches(img, [1, 2, 2, 1], [1, 1, 2, 1], [1, 2, 3, 1], "VALID")}
        return {img: f32(2, 9, 10, 2)}, named(outs)

    def linalg_more(tf):
        a = tf.compat.v1.placeholder(tf.float32, [None, 4, 4], name="a")
        v = tf.compat.v1.placeholder(tf.float32, [None, 4], name="v")
        outs = {"diag": tf.linalg.diag(v), "diag_k": tf.linalg.diag(v[:, :3], k=1),
                "set_diag": tf.linalg.set_diag(a, v), "diag_part_k": tf.linalg.diag_part(a, k=-1),
                "band": tf.linalg.band_part(a, 0, -1) + tf.linalg.band_part(a, -1, 1),
                "trace": tf.linalg.trace(a), "det": tf.linalg.det(a),
                "mt": tf.linalg.matrix_transpose(a), "adj": tf.linalg.adjoint(a),
                "eye": tf.eye(3, 5, batch_shape=[2]), "tensordiag": tf.linalg.tensor_diag(v[0]),
                "cross": tf.linalg.cross(a[:, :3, 0], a[:, :3, 1]), "l2n": tf.math.l2_normalize(a, axis=[1, 2])}
        return {a: f32(2, 4, 4), v: f32(2, 4)}, named(outs)

    def math_misc(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 6], name="x")
        ids = tf.compat.v1.placeholder(tf.int32, [None], name="ids")
        vals, idx = tf.math.top_k(x, 4, sorted=False)
        outs = {"topk_unsorted": tf.sort(vals, direction="DESCENDING"),
                "topk_idx_set": tf.sort(idx),
                "sort_desc": tf.sort(x, direction="DESCENDING"), "roll": tf.roll(x, [2, -1], [1, 0]),
                "roll_neg": tf.roll(x, -4, 1),
                "search_right": tf.searchsorted(tf.sort(x), x[::-1], side="right"),
                "search_left": tf.searchsorted(tf.sort(x), x[::-1], side="left"),
                "bincount_w": tf.math.bincount(ids, weights=tf.cast(ids, tf.float32) * 0.5, minlength=3),
                "bincount_max": tf.math.bincount(ids, maxlength=4),
                "softmax_ax0": tf.nn.softmax(x, axis=0), "lse": tf.math.reduce_logsumexp(x, axis=0),
                "lse_all": tf.math.reduce_logsumexp(x),
                "cumprod_er": tf.math.cumprod(x, axis=1, exclusive=True, reverse=True),
                "hist": tf.histogram_fixed_width(x, [-0.5, 0.5], nbins=3),
                "hist_bins": tf.histogram_fixed_width_bins(x, [-0.5, 0.5], nbins=4),
                "floormod": tf.math.floormod(x * 7.0, 2.5), "truncmod": tf.truncatemod(x * 7.0, 2.5),
                "floordiv": tf.math.floordiv(ids - 3, 2), "truncdiv": tf.truncatediv(ids - 3, 2),
                "xlogy": tf.math.xlogy(x, tf.abs(x) + 0.1), "divnonan": tf.math.divide_no_nan(x, x * 0.0 + x[:1]),
                "sqdiff": tf.math.squared_difference(x, 0.3), "rsqrt": tf.math.rsqrt(tf.abs(x) + 0.5),
                "reciprocal": tf.math.reciprocal(x + 2.0), "log1p": tf.math.log1p(tf.abs(x)),
                "expm1": tf.math.expm1(x), "atan2": tf.math.atan2(x, x[::-1]), "sign": tf.sign(x),
                "round": tf.round(x * 3.0), "rint": tf.math.rint(x * 2.5), "is_fin": tf.math.is_finite(1.0 / x),
                "count_nz": tf.math.count_nonzero(x > 0, axis=1), "any": tf.reduce_any(x > 0.9, axis=1),
                "argmin": tf.argmin(x, axis=1), "erfc": tf.math.erfc(x), "lgamma": tf.math.lgamma(tf.abs(x) + 0.5),
                "bitand": tf.bitwise.bitwise_and(ids, 5), "shift": tf.bitwise.left_shift(ids, 2)}
        return {x: f32(3, 6), ids: np.array([0, 4, 4, 2, 7, 0], np.int32)}, named(outs)

    def segments_sparse(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        seg = tf.compat.v1.placeholder(tf.int32, [None], name="seg")
        rows = tf.constant([0, 2, 3, 3, 5])
        sids = tf.constant([0, 0, 1, 2, 2])
        outs = {"seg_min": tf.math.segment_min(x, seg), "seg_mean": tf.math.segment_mean(x, seg),
                "sps_sum": tf.sparse.segment_sum(x, rows, sids), "sps_mean": tf.sparse.segment_mean(x, rows, sids),
                "sps_sqrtn": tf.sparse.segment_sqrt_n(x, rows, sids),
                "sps_sum_n": tf.sparse.segment_sum(x, rows, sids, num_segments=4),
                "uns_prod": tf.math.unsorted_segment_prod(x, seg[::-1], 4)}
        return {x: f32(6, 3), seg: np.array([0, 0, 1, 1, 1, 3], np.int32)}, named(outs)

    def clip_norms(tf):
        a = tf.compat.v1.placeholder(tf.float32, [None, 3], name="a")
        b = tf.compat.v1.placeholder(tf.float32, [4], name="b")
        (ca, cb), norm = tf.clip_by_global_norm([a, b], 1.5)
        outs = {"ca": ca, "cb": cb, "gnorm": norm, "by_norm": tf.clip_by_norm(a, 0.5, axes=[1]),
                "by_avg": tf.compat.v1.clip_by_average_norm(b, 0.3), "gn": tf.linalg.global_norm([a, b])}
        return {a: f32(2, 3, low=-2, high=2), b: f32(4, low=-2, high=2)}, named(outs)

    def nested_ta_loops(tf):
        # an outer loop writes one row per step; each row comes from an inner loop writing its own
        # TensorArray; a growing [t, None] loop variable with shape_invariants next to them
        x = tf.compat.v1.placeholder(tf.float32, [None, None], name="x")
        rows, cols = tf.shape(x)[0], tf.shape(x)[1]
        out = tf.TensorArray(tf.float32, size=rows, element_shape=tf.TensorShape([None]))

        def outer(i, out, hist):
            inner_ta = tf.TensorArray(tf.float32, size=cols)

            def inner(j, ta, acc):
                acc = acc * 0.5 + x[i, j]
                return j + 1, ta.write(j, acc), acc

            _, inner_ta, last = tf.while_loop(lambda j, ta, acc: j < cols, inner,
                                              [tf.constant(0), inner_ta, tf.constant(0.0)])
            row = inner_ta.stack()
            hist = tf.concat([hist, row[None]], axis=0)
            return i + 1, out.write(i, row + last), hist

        _, out, hist = tf.while_loop(lambda i, out, hist: i < rows, outer,
                                     [tf.constant(0), out, tf.zeros([0, cols])],
                                     shape_invariants=[tf.TensorShape([]), tf.TensorShape(None),
                                                       tf.TensorShape([None, None])])
        return {x: f32(3, 4)}, [tf.identity(out.stack(), "out"), tf.identity(hist, "hist")]

    def cond_while_cond(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
        p = tf.compat.v1.placeholder(tf.bool, [], name="p")

        def looping():
            def body(i, acc):
                acc = tf.cond(tf.reduce_sum(acc) > 1.0, lambda: acc * 0.5, lambda: acc + x)
                return i + 1, acc
            return tf.while_loop(lambda i, acc: i < 5, body, [tf.constant(0), x])[1]

        y = tf.cond(p, looping, lambda: -x)
        z = tf.cond(tf.logical_not(p), looping, lambda: x * 3.0)
        return {x: f32(4, low=0, high=1), p: np.array(True)}, [tf.identity(y, "y"), tf.identity(z, "z")]

    def partitioned_embedding(tf):
        ids = tf.compat.v1.placeholder(tf.int64, [None, 3], name="ids")
        outs = {}
        for strategy in ("mod", "div"):
            with tf.compat.v1.variable_scope(strategy):
                emb = tf.compat.v1.get_variable("emb", [11, 4], partitioner=tf.compat.v1.fixed_size_partitioner(3))
                outs[strategy] = tf.compat.v1.nn.embedding_lookup(list(emb), ids, partition_strategy=strategy)
                outs[f"{strategy}_sparse"] = tf.compat.v1.nn.embedding_lookup_sparse(
                    list(emb), tf.sparse.from_dense(ids), None, partition_strategy=strategy, combiner="mean")
        outs["max_norm"] = tf.compat.v1.nn.embedding_lookup(list(emb), ids, max_norm=0.5)
        return {ids: np.array([[0, 10, 4], [7, 3, 3]], np.int64)}, named(outs)

    def stacked_rnn_dropout(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 5, 3], name="x")
        lengths = tf.compat.v1.placeholder(tf.int32, [None], name="lengths")
        keep = tf.compat.v1.placeholder_with_default(1.0, [], name="keep_prob")
        lstm, gru = first._cell_classes(tf)

        class Stacked:
            # MultiRNNCell over dropout-wrapped cells, as tf.compat.v1.nn.rnn_cell built them
            def __init__(self, cells):
                self.cells = cells

            @property
            def state_size(self):
                return tuple(c.state_size for c in self.cells)

            @property
            def output_size(self):
                return self.cells[-1].output_size

            def zero_state(self, batch, dtype):
                return tuple(c.zero_state(batch, dtype) for c in self.cells)

            def __call__(self, inp, state, scope=None):
                new = []
                for cell, s in zip(self.cells, state):
                    inp, s = cell(tf.compat.v1.nn.dropout(inp, keep_prob=keep), s)
                    new.append(s)
                return inp, tuple(new)

        out, state = tf.compat.v1.nn.dynamic_rnn(Stacked([lstm(4, "l0"), gru(3, "l1")]), x,
                                                 sequence_length=lengths, dtype=tf.float32)
        return {x: f32(2, 5, 3), lengths: np.array([5, 2], np.int32)}, [
            tf.identity(out, "out"), tf.identity(state[0][0], "c0"), tf.identity(state[1], "h1")]

    def ctc_greedy(tf):
        logits = tf.compat.v1.placeholder(tf.float32, [None, None, 5], name="logits")  # [time, batch, classes]
        lengths = tf.compat.v1.placeholder(tf.int32, [None], name="lengths")
        (merged,), neg = tf.nn.ctc_greedy_decoder(logits, lengths, merge_repeated=True)
        (plain,), neg2 = tf.nn.ctc_greedy_decoder(logits, lengths, merge_repeated=False, blank_index=0)
        # few classes and a long sequence, so that repeats and blanks both happen; the sparse
        # parts come out as they are (tf.sparse.to_dense validates indices at run time: refused)
        outs = {"indices": merged.indices, "values": merged.values, "shape": merged.dense_shape, "neg": neg,
                "indices_plain": plain.indices, "values_plain": plain.values, "shape_plain": plain.dense_shape,
                "neg_plain": neg2}
        return {logits: f32(12, 3, 5, low=-2, high=2), lengths: np.array([12, 7, 0], np.int32)}, named(outs)

    def reverse_and_moments(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 5, 2], name="x")
        lengths = tf.compat.v1.placeholder(tf.int64, [None], name="lengths")
        mean, var = tf.nn.moments(x, [1], keepdims=True)
        wmean, wvar = tf.nn.weighted_moments(x, [0, 1], tf.abs(x))
        outs = {"rev_t": tf.reverse_sequence(x, lengths, seq_axis=1, batch_axis=0),
                "rev_b": tf.reverse_sequence(tf.transpose(x, [1, 0, 2]), lengths, seq_axis=0, batch_axis=1),
                "mean": mean, "var": var, "wmean": wmean, "wvar": wvar,
                "lrn": tf.nn.local_response_normalization(x[:, None], depth_radius=1, bias=2.0, alpha=0.1,
                                                          beta=0.5),
                "l2n": tf.nn.l2_normalize(x, axis=-1, epsilon=1e-3),
                "normalize": tf.nn.batch_normalization(x, mean, var, 0.1, 1.2, 1e-3)}
        return {x: f32(3, 5, 2), lengths: np.array([5, 1, 3], np.int64)}, named(outs)

    def resize_methods(tf):
        img = tf.compat.v1.placeholder(tf.float32, [None, 9, 8, 2], name="img")
        outs = {"lanczos3": tf.image.resize(img, [5, 6], method="lanczos3"),
                "mitchell": tf.image.resize(img, [12, 10], method="mitchellcubic"),
                "gaussian": tf.image.resize(img, [4, 4], method="gaussian"),
                "bilinear_aa": tf.image.resize(img, [4, 5], antialias=True),
                "area": tf.image.resize(img, [3, 4], method="area"),
                "aspect": tf.image.resize(img, [6, 6], preserve_aspect_ratio=True),
                "pad": tf.image.resize_with_pad(img, 7, 5)}
        return {img: f32(2, 9, 8, 2)}, named(outs)

    def bidirectional_states(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, None, 3], name="x")
        lengths = tf.compat.v1.placeholder(tf.int32, [None], name="lengths")
        _, gru = first._cell_classes(tf)
        outs, (fw, bw) = tf.compat.v1.nn.bidirectional_dynamic_rnn(gru(3, "fw"), gru(3, "bw"), x, lengths,
                                                                   dtype=tf.float32, time_major=False)
        seq = tf.concat(outs, -1)
        last = tf.gather_nd(seq, tf.stack([tf.range(tf.shape(x)[0]), tf.maximum(lengths - 1, 0)], 1))
        return {x: f32(3, 6, 3), lengths: np.array([6, 1, 4], np.int32)}, named(
            {"seq": seq, "fw": fw, "bw": bw, "last": last})

    def control_flow_more(tf):
        # a TensorArray written inside a cond inside a while; map_fn with infer_shape=False
        # over rows of data-dependent length; a nested map_fn; a while_loop with back_prop off
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        n = tf.shape(x)[0]
        ta = tf.TensorArray(tf.float32, size=n)

        def body(i, ta):
            row = x[i]
            ta = tf.cond(tf.reduce_sum(row) > 0, lambda: ta.write(i, row * 2.0), lambda: ta.write(i, -row))
            return i + 1, ta

        _, ta = tf.while_loop(lambda i, ta: i < n, body, [tf.constant(0), ta])
        ragged = tf.map_fn(lambda row: tf.reduce_sum(tf.boolean_mask(row, row > 0)), x, infer_shape=False)
        nested = tf.map_fn(lambda row: tf.map_fn(lambda v: v * v + 1.0, row), x)
        _, total = tf.while_loop(lambda i, t: i < 3, lambda i, t: (i + 1, t + tf.reduce_max(x)),
                                 [tf.constant(0), tf.constant(0.0)], back_prop=False, swap_memory=True)
        return {x: f32(5, 4)}, named({"ta": ta.stack(), "ragged": ragged, "nested": nested, "total": total})

    return {"v1b_control_flow_more": control_flow_more, "v1b_resize_methods": resize_methods, "v1b_bidirectional_states": bidirectional_states,
            "v1b_conv1d": conv1d, "v1b_image_colour": image_colour, "v1b_patches": patches,
            "v1b_linalg_more": linalg_more, "v1b_math_misc": math_misc, "v1b_segments_sparse": segments_sparse,
            "v1b_clip_norms": clip_norms, "v1b_nested_ta_loops": nested_ta_loops,
            "v1b_cond_while_cond": cond_while_cond, "v1b_partitioned_embedding": partitioned_embedding,
            "v1b_stacked_rnn_dropout": stacked_rnn_dropout, "v1b_ctc_greedy": ctc_greedy,
            "v1b_reverse_moments": reverse_and_moments}


def run_v1_part(out_dir: str, only: set | None) -> list[str]:
    return _first_set().run_v1_builders(out_dir, only, v1_graphs)


def main(argv=None) -> int:
    return _first_set().generator_main(__doc__.splitlines()[0], __file__, run_keras_part, run_v1_part, argv)


if __name__ == "__main__":
    sys.exit(main())
