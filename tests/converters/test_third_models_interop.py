"""Interop: the third set of TensorFlow-made models (tools/gen_third_models.py), converted by
ortflow at opsets 13, 17 and the default, checked by onnx.checker (full check: every graph
output declares its rank) and run in onnxruntime against TensorFlow's outputs.

Keras 3 layer models (strided/dilated 3-D convolutions, separable 1-D/2-D convolutions,
transposed convolutions with output_padding, resize modes, RMS/instance normalization, RNNs
returning states and unrolled, TimeDistributed, Dot, the newer activations, masked pooling and
attention scores), two small Keras applications, and TF 1.x graphs (conv1d, colour ops, Sobel
edges, off-diagonal matrix ops, shifts, sparse segments, global-norm clipping, nested
TensorArray loops, a cond inside a while inside a cond, partitioned embeddings, a stacked
dynamic_rnn with inference dropout, greedy CTC decoding, tf.image.resize's lanczos/gaussian/
mitchellcubic/antialias kernels). The generator writes every model in
a child process (TF 1.x graphs need `disable_v2_behavior()`, which is process-wide). Run with
`/work/venv-tf/bin/python -m pytest -m interop tests/converters/test_third_models_interop.py`.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from models_interop_kit import TOOLS, write_v1_graphs
from models_interop_kit import assert_close as _assert_close

pytestmark = pytest.mark.interop

GENERATOR = TOOLS / "gen_third_models.py"
OPSETS = [pytest.param(13, id="opset13"), pytest.param(17, id="opset17"), pytest.param(None, id="default")]

#: Keras models -> the most Transposes the converted model may keep, and why when more than 2
#: per input/output pair. (The bigger applications of the set, EfficientNetB2/B3, V2B2/B3,
#: ResNet152, Xception and NASNetMobile without their top, MobileNetV3Large without its
#: preprocessing, pass `tools/check_extra_models.py` too but take minutes to build here.)
KERAS_MODELS = {
    "MobileNet_alpha05_notop": (2, ""),
    "MobileNetV2_alpha14": (2, ""),
    "k3b_conv3d_variants": (2, ""),
    "k3b_conv1d_variants": (6, "one input, three NWC outputs: 2 per input/output pair"),
    "k3b_conv2d_variants": (4, "one input, two NHWC outputs: 2 per input/output pair"),
    "k3b_resize_modes": (2, ""),
    "k3b_norm_variants": (2, ""),
    "k3b_rnn_states": (2, ""),
    "k3b_sequence_layers": (8, "Permute and Dot transpose in TF's own graph"),
    "k3b_time_distributed_conv1d": (4, "TimeDistributed folds time into the batch around an NWC conv"),
    "k3b_activations": (2, ""),
    "k3b_masked_pooling_attention": (2, ""),
    "k3b_mha_2d": (2, ""),
    "k3b_misc_more": (8, "three bidirectional RNN loops, each with TF's own time-major transposes, and a conv"),
}

V1_GRAPHS = ["v1b_conv1d", "v1b_image_colour", "v1b_patches", "v1b_linalg_more", "v1b_math_misc",
             "v1b_segments_sparse", "v1b_clip_norms", "v1b_nested_ta_loops", "v1b_cond_while_cond",
             "v1b_partitioned_embedding", "v1b_stacked_rnn_dropout", "v1b_ctc_greedy", "v1b_reverse_moments",
             "v1b_resize_methods", "v1b_bidirectional_states", "v1b_control_flow_more"]

#: (graph, opset) -> why it does not convert there (each must keep failing: strict xfail)
KNOWN_GAPS: dict = {
    # (empty: bitwise ops below opset 18 and sparse segments below 16 convert now)
}


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    out = tmp_path_factory.mktemp("third_models")
    write_v1_graphs(GENERATOR, out, sorted(KERAS_MODELS), part="keras")
    return write_v1_graphs(GENERATOR, out, V1_GRAPHS, part="v1")


def _convert_check_run(folder, opset):
    import onnx
    import onnxruntime as ort
    from ortflow.converters import convert_with_report
    from ortflow.proto import GraphDef

    manifest = json.loads((folder / "manifest.json").read_text())
    inputs = np.load(folder / "inputs.npz")
    feeds = {k: inputs[k] for k in manifest["inputs"]}
    graph = GraphDef()
    graph.ParseFromString((folder / "frozen.pb").read_bytes())
    result = convert_with_report(graph, inputs=manifest["inputs"], outputs=manifest["outputs"], opset=opset,
                                 check=True)
    onnx.checker.check_model(result.model, full_check=True)
    session = ort.InferenceSession(result.model.SerializeToString(), providers=["CPUExecutionProvider"])
    return manifest["outputs"], result, session.run(manifest["outputs"], feeds), np.load(folder / "expected.npz")


def _params(names):
    out = []
    for name in names:
        for param in OPSETS:
            why = KNOWN_GAPS.get((name, param.values[0]))
            marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
            out.append(pytest.param(name, param.values[0], marks=marks, id=f"{name}-{param.id}"))
    return out


@pytest.mark.parametrize(("name", "opset"), _params(sorted(KERAS_MODELS)))
def test_keras_model_converts_checks_and_matches_tensorflow(tf, models, name, opset):
    outputs, result, got, expected = _convert_check_run(models / name, opset)
    for out, value in zip(outputs, got):
        # untrained MobileNets with weights=None shrink activations to ~1e-17: compare relative
        # to the output's own scale, which must not be 0
        want = expected[out]
        scale = max(1.0, float(np.abs(want).max())) if "MobileNet" not in name else float(np.abs(want).max())
        assert scale > 0 and np.isfinite(scale), f"{name} {out}: TF's output is all zeros"
        _assert_close(value / scale, want / scale, f"{name} {out}")
    limit, _why = KERAS_MODELS[name]
    assert result.transposes <= limit, f"{name}: {result.transposes} Transposes left"


@pytest.mark.parametrize(("name", "opset"), _params(V1_GRAPHS))
def test_v1_graph_converts_checks_and_matches_tensorflow(tf, models, name, opset):
    outputs, _, got, expected = _convert_check_run(models / name, opset)
    for out, value in zip(outputs, got):
        _assert_close(value, expected[out], f"{name} {out}")
