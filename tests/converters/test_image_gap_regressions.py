"""Regression cases for two converter gaps: soft non-max suppression and bicubic resizing to a
size known only at run time.

Both are hand-built GraphDefs converted and run in onnxruntime against outputs recorded from
TensorFlow 2.21 by `tools/gen_image_gap_values.py` (the inputs here are the ones it uses).

- NonMaxSuppressionV5 with soft_nms_sigma > 0 used to be refused; it is now an ONNX Loop.
- ResizeBicubic with a run-time `size` went through ONNX Resize(mode=cubic), which misses TF's
  1024-step kernel table by up to ~6e-4 whatever its attributes; it now builds TF's weights.

The same graphs also run through ortflow's own Session (its numpy kernels) against TF.
"""

from __future__ import annotations

import numpy as np
import pytest
from handler_cases import case_params, case_table, check_case, small_module

pytest.importorskip("onnxruntime")

S = small_module()
Case, op, const, placeholder = S.Case, S.op, S.const, S.placeholder
F32, I32 = S.F32, S.I32

CASES, case = case_table()

#: 8 boxes as (y1, x1, y2, x2); box 3 has its corners swapped, box 6 has no area.
NMS_BOXES = np.array([[0.10, 0.10, 0.50, 0.50], [0.12, 0.15, 0.52, 0.55], [0.60, 0.60, 0.90, 0.95],
                      [0.55, 0.50, 0.15, 0.10], [0.62, 0.58, 0.88, 0.90], [0.00, 0.70, 0.30, 1.00],
                      [0.40, 0.40, 0.40, 0.80], [0.05, 0.65, 0.35, 0.98]], np.float32)
NMS_SCORES = np.array([0.90, 0.85, 0.70, 0.62, 0.66, 0.40, 0.95, 0.33], np.float32)

#: case -> (max_output_size, score_threshold, soft_nms_sigma, pad_to_max_output_size) and TF's
#: (selected_indices, selected_scores, valid_outputs)
TF_SOFT_NMS = {
    "padded": ((8, 0.3, 0.5, True),
               (np.array([6, 0, 2, 1, 5, 4, 0, 0], np.int32),
                np.array([0.95, 0.9, 0.7, 0.5125449, 0.4, 0.39991552, 0., 0.], np.float32), 6)),
    "unpadded": ((5, float("-inf"), 0.3, False),
                 (np.array([6, 0, 2, 5, 1], np.int32),
                  np.array([0.95, 0.9, 0.7, 0.4, 0.3658254], np.float32), 5)),
}


def bicubic_image() -> np.ndarray:
    """A [1, 4, 5, 2] float32 image (as tools/gen_image_gap_values.py makes it)."""
    return np.sin(np.arange(40, dtype=np.float32) * np.float32(0.7)).reshape(1, 4, 5, 2)


#: case -> ((out_h, out_w), align_corners, half_pixel_centers) and TF's [1, out_h, out_w, 2] output
TF_BICUBIC = {
    "legacy": (((6, 3), False, False), np.array([
        0., 0.64421767, 0.7282634, 0.11330536, -0.9300702, -0.73840654, 0.4133202, 0.8958334, 0.37066635,
        -0.3096828, -0.8542918, -0.4300914, 0.84343654, 1.0125918, -0.16547169, -0.77537715, -0.5659764,
        0.057046782, 0.9906074, 0.84574693, -0.58269376, -0.9710932, -0.16876978, 0.46075916, 0.90357494,
        0.45484093, -0.8894056, -0.94145936, 0.30314165, 0.78316873, 0.81954986, 0.22497676, -1.018737,
        -0.8869009, 0.54574776, 0.9253324], np.float32)),
    "align_corners": (((3, 7), True, False), np.array([
        0., 0.64421767, 0.74783653, 0.92923284, 0.95733166, 0.5408284, 0.3349882, -0.35078323, -0.5549417,
        -0.9621912, -0.9300702, -0.73840654, -0.6312667, 0.016813615, 0.8998225, 1.0015805, 0.8627639,
        0.4001463, 0.19835007, -0.49633116, -0.68488884, -1.0132716, -1.0210428, -0.72081697, -0.49018422,
        0.1510736, 0.39081272, 0.9078738, 0.8366556, 0.28705373, 0.054362096, -0.55717623, -0.7729056,
        -1.0023179, -0.9717986, -0.5913575, -0.3944253, 0.2919751, 0.4742961, 0.87887514, 0.9946448,
        0.8273283], np.float32)),
    "half_pixel": (((7, 4), False, True), np.array([
        0.03588946, 0.64808923, 0.918413, 0.53827494, -0.46939275, -0.893398, -0.70647097, -0.11773681,
        0.2538753, 0.759443, 0.7858945, 0.3145127, -0.621709, -0.8974543, -0.49907553, 0.11114163, 0.6457551,
        0.9359128, 0.51225644, -0.10940859, -0.8788013, -0.8711295, -0.09834522, 0.5284561, 0.8619921,
        0.89888513, 0.1606003, -0.4660676, -0.9258375, -0.66607684, 0.28083852, 0.791897, 0.94221133,
        0.7200183, -0.21639751, -0.7491836, -0.82678163, -0.3559208, 0.61570746, 0.93038094, 0.812529,
        0.35260367, -0.5872096, -0.8911033, -0.5236813, 0.07342465, 0.8465119, 0.8685453, 0.7254956,
        0.14588398, -0.7765569, -0.949946, -0.3483866, 0.30506212, 0.95453167, 0.81720805], np.float32)),
}


def _soft_nms_nodes(settings, fed_max: bool) -> list:
    most, threshold, sigma, pad = settings
    nodes = [placeholder("boxes", F32, [None, 4]), placeholder("scores", F32, [None]),
             placeholder("most", I32, []) if fed_max else const("most", np.array(most, np.int32)),
             const("iou", np.array(0.5, np.float32)), const("threshold", np.array(threshold, np.float32)),
             const("sigma", np.array(sigma, np.float32)),
             op("nms", "NonMaxSuppressionV5", ["boxes", "scores", "most", "iou", "threshold", "sigma"], T=F32,
                pad_to_max_output_size=pad)]
    return nodes + [op("indices", "Identity", ["nms:0"], T=I32), op("kept", "Identity", ["nms:1"], T=F32),
                    op("valid", "Identity", ["nms:2"], T=I32)]


def _soft_nms_case(name: str, fed_max: bool) -> Case:
    settings, want = TF_SOFT_NMS[name]
    feeds = {"boxes:0": NMS_BOXES, "scores:0": NMS_SCORES}
    if fed_max:
        feeds["most:0"] = np.array(settings[0], np.int32)
    case_obj = Case(_soft_nms_nodes(settings, fed_max), feeds, ["indices:0", "kept:0", "valid:0"],
                    lambda f: [want[0], want[1], np.array(want[2], np.int32)])
    case_obj.atol = 1e-5
    return case_obj


@case
def soft_nms_padded():
    # the zero-area box 6 overlaps nothing (kept at its score), box 7 decays below the score
    # threshold and drops out, the padding is zeros
    return _soft_nms_case("padded", fed_max=False)


@case
def soft_nms_run_time_max_output_size():
    # no score threshold (-inf); the Loop's trip count is the fed max_output_size
    return _soft_nms_case("unpadded", fed_max=True)


def _bicubic_case(name: str, fed_size: bool) -> Case:
    (size, corners, half), want = TF_BICUBIC[name]
    size = np.array(size, np.int32)
    nodes = [placeholder("image", F32, [None, None, None, 2]),
             placeholder("size", I32, [2]) if fed_size else const("size", size),
             op("resized", "ResizeBicubic", ["image", "size"], T=F32, align_corners=corners,
                half_pixel_centers=half)]
    feeds = {"image:0": bicubic_image()}
    if fed_size:
        feeds["size:0"] = size
    shape = (1, int(size[0]), int(size[1]), 2)
    case_obj = Case(nodes, feeds, ["resized:0"], lambda f: [want.reshape(shape)])
    case_obj.atol = 1e-5  # ONNX Resize(mode=cubic) misses these by up to ~6e-4
    return case_obj


@case
def bicubic_run_time_size_legacy():
    return _bicubic_case("legacy", fed_size=True)


@case
def bicubic_run_time_size_align_corners():
    return _bicubic_case("align_corners", fed_size=True)


@case
def bicubic_run_time_size_half_pixel_centers():
    return _bicubic_case("half_pixel", fed_size=True)


@case
def bicubic_constant_size_of_an_image_of_unknown_size():
    # the size is constant but the image's height and width are not: weights at run time too
    return _bicubic_case("half_pixel", fed_size=False)


@pytest.mark.parametrize(("name", "opset"), case_params(CASES))
def test_image_gap_case(name, opset):
    check_case(CASES, name, opset)


def test_soft_nms_is_a_loop_not_non_max_suppression():
    from ortflow.converters import convert

    case_obj = CASES["soft_nms_padded"]()
    model = convert(case_obj.graph_def(), inputs=list(case_obj.feeds), outputs=case_obj.outputs)
    ops = {n.op_type for n in model.graph.node}
    assert "Loop" in ops and "NonMaxSuppression" not in ops


def test_soft_nms_sigma_must_be_constant():
    from ortflow.converters import convert
    from ortflow.errors import ConversionError

    settings = TF_SOFT_NMS["padded"][0]
    nodes = [n for n in _soft_nms_nodes(settings, fed_max=False) if n.name != "sigma"]
    nodes.append(placeholder("sigma", F32, []))
    graph = Case(nodes, {}, []).graph_def()
    with pytest.raises(ConversionError, match="soft_nms_sigma must be constant"):
        convert(graph, inputs=["boxes:0", "scores:0", "sigma:0"], outputs=["indices:0", "kept:0", "valid:0"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_session_kernels_match_tensorflow(name):
    # the same graphs through ortflow's Session (numpy kernels), not onnxruntime
    import ortflow as tf

    case_obj = CASES[name]()
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(case_obj.graph_def(), name="")
    with tf.compat.v1.Session(graph=graph) as sess:
        got = sess.run(case_obj.outputs, case_obj.feeds)
    for out, value, want in zip(case_obj.outputs, got, case_obj.expected(case_obj.feeds)):
        S._compare(value, want, f"{name} {out}", 1e-5)
