"""Interop: Keras models and TF 1.x control flow outside the fixtures, built by TensorFlow at
test time, frozen as TF users do, converted by ortflow and run in onnxruntime against TF.

The builders are those of `tools/gen_extra_models.py` (loaded by path), kept small (tiny
inputs, few channels) so that the whole module runs in well under a minute. The TF 1.x graphs
need `disable_v2_behavior()`, which is process-wide: they are written by the generator in a
child process. Run with `/work/venv-tf/bin/python -m pytest -m interop tests/converters`.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from models_interop_kit import (
    TOOLS,
    eager_tensorflow,  # noqa: F401  (an autouse fixture)
    tool,
    write_v1_graphs,
)
from models_interop_kit import assert_close as _assert_close

pytestmark = pytest.mark.interop

GENERATOR = TOOLS / "gen_extra_models.py"


def _generator():
    return tool("gen_extra_models")


def _convert_and_run(graph_bytes: bytes, feeds: dict, outputs: list):
    import onnxruntime as ort
    from ortflow.converters import convert_with_report
    from ortflow.proto import GraphDef

    graph = GraphDef()
    graph.ParseFromString(graph_bytes)
    result = convert_with_report(graph, inputs=list(feeds), outputs=outputs)
    session = ort.InferenceSession(result.model.SerializeToString(), providers=["CPUExecutionProvider"])
    return result, session.run(outputs, feeds)


# --------------------------------------------------------------------------- Keras models

def _mobilenet(keras, rng):
    model = keras.applications.MobileNet(weights=None, input_shape=(32, 32, 3), alpha=0.25, classes=5,
                                         classifier_activation=None)
    return model, {"input": rng.uniform(0, 1, (2, 32, 32, 3)).astype(np.float32)}


def _squeeze_excite(keras, rng):
    # EfficientNet's block: depthwise conv, swish, squeeze-and-excite through a Reshape to
    # (1, 1, C) and two 1x1 convs, gating the feature map
    L = keras.layers
    x = inp = keras.Input((12, 12, 8))
    x = L.DepthwiseConv2D(3, padding="same", use_bias=False)(x)
    x = L.BatchNormalization()(x)
    x = L.Activation("swish")(x)
    se = L.GlobalAveragePooling2D()(x)
    se = L.Reshape((1, 1, 8))(se)
    se = L.Conv2D(2, 1, activation="swish")(se)
    se = L.Conv2D(8, 1, activation="sigmoid")(se)
    x = L.Multiply()([x, se])
    x = L.Conv2D(4, 1)(x)
    return keras.Model(inp, x), {"input": rng.uniform(-1, 1, (2, 12, 12, 8)).astype(np.float32)}


def _convnext_block(keras, rng):
    # ConvNeXt's block: 7x7 depthwise conv, LayerNormalization and two Dense layers on the 4-D
    # value (tf.tensordot), a residual add, then a strided conv
    L = keras.layers
    inp = keras.Input((16, 16, 3))
    x = L.Conv2D(16, 2, strides=2)(inp)  # the stem: blocks read a conv's output, as in ConvNeXt
    y = L.DepthwiseConv2D(7, padding="same")(x)
    y = L.LayerNormalization(epsilon=1e-6)(y)
    y = L.Dense(32)(y)
    y = L.Activation("gelu")(y)
    y = L.Dense(16)(y)
    x = L.Add()([x, y])
    x = L.Conv2D(8, 2, strides=2)(x)
    return keras.Model(inp, x), {"input": rng.uniform(-1, 1, (2, 16, 16, 3)).astype(np.float32)}


def _from_generator(name):
    def build(keras, rng):
        return _generator()._layer_models()[name]()
    return build


#: name -> (builder, the most Transposes the converted model may keep, why when more than 2)
KERAS_MODELS = {
    "MobileNet_alpha025": (_mobilenet, 2, ""),
    "squeeze_excite": (_squeeze_excite, 2, ""),
    "convnext_block": (_convnext_block, 2, ""),
    "layers_conv_transpose": (_from_generator("layers_conv_transpose"), 2, ""),
    "layers_3d": (_from_generator("layers_3d"), 2, ""),
    "layers_conv_mix": (_from_generator("layers_conv_mix"), 2, ""),
    "layers_conv1d": (_from_generator("layers_conv1d"), 2, ""),
}


@pytest.mark.parametrize("name", sorted(KERAS_MODELS))
def test_keras_model_converts_and_matches_tensorflow(tf, name):
    import keras

    build, limit, _why = KERAS_MODELS[name]
    keras.utils.set_random_seed(0)
    model, example = build(keras, np.random.RandomState(0))
    graph_def, feeds, expected = _generator().freeze_keras(model, example)
    outputs = list(expected)
    result, got = _convert_and_run(graph_def.SerializeToString(), feeds, outputs)
    for out, value in zip(outputs, got):
        # Untrained deep nets can shrink activations to ~1e-18 (MobileNet with weights=None):
        # outputs are compared relative to their own scale, which must not be 0.
        scale = float(np.abs(expected[out]).max())
        assert scale > 0 and np.isfinite(scale), f"{name} {out}: TF's output is all zeros"
        _assert_close(value / scale, expected[out] / scale, f"{name} {out} (over its scale {scale:.3g})")
    assert result.transposes <= limit, f"{name}: {result.transposes} Transposes left"


# --------------------------------------------------------------------------- Keras RNNs

def _rnn_model(keras, layer):
    inp = keras.Input((6, 4))
    return keras.Model(inp, layer(inp))


def _stacked(*layers):
    def call(x):
        for layer in layers:
            x = layer(x)
        return x
    return call


#: name -> (layer factory, why it is known to fail, or "")
RNN_MODELS = {
    "lstm_sequences": (lambda L: L.LSTM(5, return_sequences=True), ""),
    "lstm_backwards": (lambda L: L.LSTM(5, return_sequences=True, go_backwards=True), ""),
    "gru_sequences": (lambda L: L.GRU(4, return_sequences=True), ""),
    "bidirectional_lstm": (lambda L: L.Bidirectional(L.LSTM(3, return_sequences=True)), ""),
    # Keras keeps only the last output in a one-element TensorList that every step overwrites
    # (TensorListSetItem at index 0): the converter must replace, not insert.
    "lstm_last": (lambda L: L.LSTM(5), ""),
    "simple_rnn_last": (lambda L: L.SimpleRNN(3), ""),
    "stacked_gru_lstm": (lambda L: _stacked(L.GRU(4, return_sequences=True), L.LSTM(3)), ""),
}
# stacked_gru_lstm: the second loop may be built before the TensorListFromTensor feeding one
# of its Enters is lowered; the loop then learns from the TF producer that the value is a list.


def _rnn_params():
    return [pytest.param(name, marks=[pytest.mark.xfail(strict=True, reason=why)] if why else [])
            for name, (_, why) in sorted(RNN_MODELS.items())]


@pytest.mark.parametrize("name", _rnn_params())
def test_keras_rnn_converts_and_matches_tensorflow(tf, name):
    import keras

    factory, _why = RNN_MODELS[name]
    keras.utils.set_random_seed(0)
    model = _rnn_model(keras, factory(keras.layers))
    example = {"input": np.random.RandomState(1).uniform(-1, 1, (2, 6, 4)).astype(np.float32)}
    graph_def, feeds, expected = _generator().freeze_keras(model, example)
    outputs = list(expected)
    _, got = _convert_and_run(graph_def.SerializeToString(), feeds, outputs)
    for out, value in zip(outputs, got):
        _assert_close(value, expected[out], f"{name} {out}")


# --------------------------------------------------------------------------- TF 1.x graphs

V1_GRAPHS = ["v1_cnn_session", "v1_cond", "v1_while_nested_cond", "v1_cond_in_while", "v1_dynamic_rnn_lstm",
             "v1_dynamic_rnn_gru", "v1_bidirectional_rnn", "v1_map_fn", "v1_while_tensor_array", "v1_case",
             "v1_scan_fold", "v1_nested_conds", "v1_while_cond_tensor_array", "v1_while_growing",
             "v1_fake_quant_cnn", "v1_while_sum", "v1_dynamic_rnn_basic_lstm", "v1_dynamic_tensor_array",
             "v1_static_rnn"]


@pytest.fixture(scope="module")
def v1_graphs(tmp_path_factory):
    return write_v1_graphs(GENERATOR, tmp_path_factory.mktemp("v1_graphs"), V1_GRAPHS)


@pytest.mark.parametrize("name", V1_GRAPHS)
def test_v1_graph_converts_and_matches_tensorflow(tf, v1_graphs, name):
    import onnx

    folder = v1_graphs / name
    manifest = json.loads((folder / "manifest.json").read_text())
    inputs, expected = np.load(folder / "inputs.npz"), np.load(folder / "expected.npz")
    feeds = {k: inputs[k] for k in manifest["inputs"]}
    result, got = _convert_and_run((folder / "frozen.pb").read_bytes(), feeds, manifest["outputs"])
    # every graph output declares its rank (v1_scan_fold's foldr initial value, a TensorArray
    # read of an unstacked array, had none), so the full check passes
    onnx.checker.check_model(result.model, full_check=True)
    for out, value in zip(manifest["outputs"], got):
        _assert_close(value, expected[out], f"{name} {out}")
