"""Regression cases for converter bugs found on TF-written models outside the fixtures.

`tools/gen_extra_models.py` writes Keras applications, layer mixes and TF 1.x control-flow
graphs; `tools/check_extra_models.py` converts and compares them. Each bug that check found
gets one tiny GraphDef here, converted and run in onnxruntime against a numpy reference. The
builders and the runner are the ones of test_handlers_small.py (loaded by path: tests are not a
package).
"""

from __future__ import annotations

import numpy as np
import pytest
from handler_cases import small_module
from ortflow.proto import FunctionDef

pytest.importorskip("onnxruntime")


S = small_module()
Case, Dims, op, const, placeholder, with_shape = S.Case, S.Dims, S.op, S.const, S.placeholder, S.with_shape
F32, I32 = S.F32, S.I32
BOOL = S.dtypes.bool
RNG = np.random.RandomState(1)

CASES: dict = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


@case
def select_of_unknown_ranks():
    # dynamic_rnn's while body: Select(copy_cond, zeros, new_output) where neither the [batch]
    # condition nor the [batch, units] values have a static rank inside the frame. The
    # converter used to refuse ("needs the rank of 'condition' or of 't'").
    rows = np.array([True, False, True])
    same = RNG.uniform(-1, 1, (3, 2)) > 0
    x, y = RNG.uniform(-1, 1, (3, 2)).astype(np.float32), RNG.uniform(-1, 1, (3, 2)).astype(np.float32)
    nodes = [placeholder("rows", BOOL, None), placeholder("same", BOOL, None),
             placeholder("x", F32, None), placeholder("y", F32, None),
             placeholder("xk", F32, [None, 2]),
             op("by_row", "Select", ["rows", "x", "y"], T=F32),
             op("elementwise", "Select", ["same", "x", "y"], T=F32),
             op("row_known_x", "Select", ["rows", "xk", "y"], T=F32)]
    nodes += with_shape("out_row", "by_row:0", [3, 2]) + with_shape("out_same", "elementwise:0", [3, 2])
    nodes += with_shape("out_known", "row_known_x:0", [3, 2])
    feeds = {"rows:0": rows, "same:0": same, "x:0": x, "y:0": y, "xk:0": x}

    def expected(f):
        by_row = np.where(f["rows:0"][:, None], f["x:0"], f["y:0"])
        return [by_row, np.where(f["same:0"], f["x:0"], f["y:0"]), by_row]
    return Case(nodes, feeds, ["out_row:0", "out_same:0", "out_known:0"], expected)


@case
def strided_slice_of_unknown_rank():
    # map_fn's body reads rows from a TensorArray whose element shape is unknown, then takes
    # row[0]: a spec without an ellipsis only names leading dims, so the rank is not needed.
    x = RNG.uniform(-1, 1, (4, 5, 6)).astype(np.float32)
    nodes = [placeholder("x", F32, None),
             const("b0", np.array([0], np.int32)), const("e0", np.array([1], np.int32)),
             const("s1", np.array([1], np.int32)),
             op("first", "StridedSlice", ["x", "b0", "e0", "s1"], T=F32, Index=I32, shrink_axis_mask=1),
             const("b", np.array([1, 0, 0], np.int32)), const("e", np.array([0, 0, -1], np.int32)),
             const("s", np.array([1, 1, 2], np.int32)),
             op("mixed", "StridedSlice", ["x", "b", "e", "s"], T=F32, Index=I32,
                end_mask=1, new_axis_mask=2, begin_mask=4)]
    nodes += with_shape("out_first", "first:0", [5, 6]) + with_shape("out_mixed", "mixed:0", [3, 1, 2, 6])
    return Case(nodes, {"x:0": x}, ["out_first:0", "out_mixed:0"],
                lambda f: [f["x:0"][0], f["x:0"][1:, None, :-1:2]])


def _function(name: str, args: list, results: list, body: list, ret: dict):
    """A FunctionDef of float32 args and results; `ret` maps result names to body tensors."""
    fdef = FunctionDef()
    fdef.signature.name = name
    for arg in args:
        fdef.signature.input_arg.add(name=arg, type=F32.as_datatype_enum)
    for result in results:
        fdef.signature.output_arg.add(name=result, type=F32.as_datatype_enum)
    fdef.node_def.extend(body)
    for key, value in ret.items():
        fdef.ret[key] = value
    return fdef


def _call(name: str, op_type: str, inputs: list, function: str, n_in: int, n_out: int):
    node = op(name, op_type, inputs, Tin=[F32] * n_in, Tout=[F32] * n_out)
    node.attr["f"].func.name = function
    return node


@case
def function_calls_inlined():
    # Keras 3 freezes ConvNeXt's depthwise convolutions as StatefulPartitionedCall of a library
    # function; the converter had no handler for the call. Here: a call with two results whose
    # body holds a nested PartitionedCall, and a constant (a frozen variable) as an argument.
    x = RNG.uniform(-1, 1, (2, 3)).astype(np.float32)
    scale = np.array([1.5, -2.0, 0.5], np.float32)
    inner = _function("inner", ["u"], ["r"], [op("sq", "Square", ["u"], T=F32)], {"r": "sq:y:0"})
    outer = _function("outer", ["a", "w"], ["p", "q"],
                      [op("mul", "Mul", ["a", "w"], T=F32),
                       _call("nested", "PartitionedCall", ["mul:z:0"], "inner", 1, 1),
                       op("add", "AddV2", ["nested:output:0", "a"], T=F32)],
                      {"p": "add:z:0", "q": "mul:z:0"})
    nodes = [placeholder("x", F32, [None, 3]), const("scale", scale),
             _call("call", "StatefulPartitionedCall", ["scale", "x"], "outer", 2, 2),
             op("first", "Identity", ["call"], T=F32), op("second", "Neg", ["call:1"], T=F32)]
    case_obj = Case(nodes, {"x:0": x}, ["first:0", "second:0"],
                    lambda f: [(scale * f["x:0"]) ** 2 + scale, -(scale * f["x:0"])])
    graph = case_obj.graph_def()
    graph.library.function.extend([inner, outer])
    case_obj.graph_def = lambda: graph  # the GraphDef with its function library
    return case_obj


def _squeeze_excite_nodes():
    # EfficientNet's squeeze-and-excite block as Keras 3 freezes it: the pooled [N, C] features
    # are reshaped to stack([batch, 1, 1, C]) for a 1x1 conv that gates the feature map. A
    # second Reshape to stack([batch, -1, 2]) has two run-time dims and stays dynamic.
    w1, w2 = RNG.uniform(-1, 1, (3, 3, 3, 4)).astype(np.float32), RNG.uniform(-1, 1, (1, 1, 4, 4)).astype(np.float32)
    nodes = [placeholder("x", F32, [None, 6, 6, 3]), const("w1", w1), const("w2", w2),
             op("conv", "Conv2D", ["x", "w1"], T=F32, strides=[1, 1, 1, 1], padding="SAME"),
             const("hw", np.array([1, 2], np.int32)),
             op("pooled", "Mean", ["conv", "hw"], T=F32, Tidx=I32, keep_dims=False),
             op("shape", "Shape", ["pooled"], T=F32, out_type=I32),
             const("b0", np.array([0], np.int32)), const("b1", np.array([1], np.int32)),
             op("batch", "StridedSlice", ["shape", "b0", "b1", "b1"], T=I32, Index=I32, shrink_axis_mask=1),
             const("one", np.int32(1)), const("c", np.int32(4)), const("minus", np.int32(-1)),
             const("two", np.int32(2)),
             op("target", "Pack", ["batch", "one", "one", "c"], T=I32, N=4, axis=0),
             op("se", "Reshape", ["pooled", "target"], T=F32, Tshape=I32),
             op("gate_pre", "Conv2D", ["se", "w2"], T=F32, strides=[1, 1, 1, 1], padding="VALID"),
             op("gate", "Sigmoid", ["gate_pre"], T=F32),
             op("scaled", "Mul", ["conv", "gate"], T=F32),
             op("flat_target", "Pack", ["batch", "minus", "two"], T=I32, N=3, axis=0),
             op("flat", "Reshape", ["pooled", "flat_target"], T=F32, Tshape=I32)]

    def expected(f):
        x = f["x:0"]
        pad = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
        conv = sum(np.einsum("nhwc,cd->nhwd", pad[:, i:i + 6, j:j + 6], w1[i, j]) for i in range(3) for j in range(3))
        pooled = conv.mean(axis=(1, 2))
        gate = 1 / (1 + np.exp(-(pooled @ w2[0, 0])))
        return [conv * gate[:, None, None, :], pooled.reshape(len(x), -1, 2)]
    return nodes, expected


@case
def squeeze_excite_reshape():
    nodes, expected = _squeeze_excite_nodes()
    x = RNG.uniform(-1, 1, (2, 6, 6, 3)).astype(np.float32)
    return Case(nodes, {"x:0": x}, ["scaled:0", "flat:0"], expected)


def test_squeeze_excite_keeps_one_transpose_per_input_and_output():
    # Reshape targets built by Pack with one run-time dim become constants with -1, and the
    # 1x1 conv reads the [N, 1, 1, C] value through a Reshape to [N, C, 1, 1] instead of a
    # Transpose that nothing could cancel (EfficientNetB0 kept 17 Transposes, now 1).
    from ortflow.converters import convert_with_report

    nodes, _ = _squeeze_excite_nodes()
    graph = S.GraphDef()
    graph.node.extend(nodes)
    result = convert_with_report(graph, inputs=["x:0"], outputs=["scaled:0"])
    ops = [n.op_type for n in result.model.graph.node]
    assert result.transposes <= 2, ops
    assert "Concat" not in ops, ops


def _conv1d_nodes():
    # Keras' Conv1D: ExpandDims(x, -3) -> Conv2D -> Squeeze(-3), twice, with a Cropping1D
    # (StridedSlice) and a Tile between them. The layout pass stopped at the Squeeze/Unsqueeze
    # and Slice, leaving two Transposes per conv (Conv1D models kept 12).
    w1, w2 = RNG.uniform(-1, 1, (1, 3, 2, 4)).astype(np.float32), RNG.uniform(-1, 1, (1, 3, 4, 3)).astype(np.float32)
    nodes = [placeholder("x", F32, [None, 10, 2]), const("w1", w1), const("w2", w2),
             const("at", np.int32(-3)),
             op("x4", "ExpandDims", ["x", "at"], T=F32, Tdim=I32),
             op("c1", "Conv2D", ["x4", "w1"], T=F32, strides=[1, 1, 1, 1], padding="SAME"),
             op("s1", "Squeeze", ["c1"], T=F32, squeeze_dims=[-3]),
             op("r1", "Relu", ["s1"], T=F32),
             const("b", np.array([0, 1, 0], np.int32)), const("e", np.array([0, 9, 0], np.int32)),
             const("st", np.array([1, 1, 1], np.int32)),
             op("crop", "StridedSlice", ["r1", "b", "e", "st"], T=F32, Index=I32, begin_mask=5, end_mask=5),
             const("reps", np.array([1, 2, 1], np.int32)),
             op("tiled", "Tile", ["crop", "reps"], T=F32, Tmultiples=I32),
             op("t4", "ExpandDims", ["tiled", "at"], T=F32, Tdim=I32),
             op("c2", "Conv2D", ["t4", "w2"], T=F32, strides=[1, 1, 1, 1], padding="VALID"),
             op("out", "Squeeze", ["c2"], T=F32, squeeze_dims=[-3])]

    def conv1d(x, w, same):
        k = w.shape[1]
        if same:
            x = np.pad(x, ((0, 0), ((k - 1) // 2, k // 2), (0, 0)))
        steps = x.shape[1] - k + 1
        return sum(np.einsum("nwc,cd->nwd", x[:, i:i + steps], w[0, i]) for i in range(k))

    def expected(f):
        r1 = np.maximum(conv1d(f["x:0"], w1, True), 0)
        return [conv1d(np.tile(r1[:, 1:9], (1, 2, 1)), w2, False)]
    return nodes, expected


@case
def conv1d_chain():
    nodes, expected = _conv1d_nodes()
    return Case(nodes, {"x:0": RNG.uniform(-1, 1, (2, 10, 2)).astype(np.float32)}, ["out:0"], expected)


def test_conv1d_chain_keeps_one_transpose_per_input_and_output():
    from ortflow.converters import convert_with_report

    nodes, _ = _conv1d_nodes()
    graph = S.GraphDef()
    graph.node.extend(nodes)
    result = convert_with_report(graph, inputs=["x:0"], outputs=["out:0"])
    assert result.transposes <= 2, [n.op_type for n in result.model.graph.node]


@pytest.mark.parametrize("rank", [1, 2, 3, 4])
def test_unsqueeze_push_rule_equals_numpy(rank):
    # Unsqueeze(Transpose(x, p), A) == Transpose(Unsqueeze(x, A'), q) for every p and A
    import itertools

    from ortflow.converters.passes_onnx import _unsqueezed

    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5)[:rank])
    for perm in itertools.permutations(range(rank)):
        for count in (1, 2):
            for axes in itertools.combinations(range(rank + count), count):
                new_axes, q = _unsqueezed(list(perm), list(axes))
                want = np.expand_dims(np.transpose(x, perm), axes)
                got = np.transpose(np.expand_dims(x, sorted(new_axes)), q)
                np.testing.assert_array_equal(got, want, err_msg=f"perm={perm} axes={axes}")


def _tensordot_nodes():
    # ConvNeXt's block as Keras 3 freezes it: depthwise-style conv, then a Dense on the 4-D
    # NHWC value via tf.tensordot (identity Transpose, Reshape to [-1, K], MatMul, Reshape
    # back to shape(x)[:3] + [N]), then another conv. The converter kept a Transpose pair
    # around every Dense (ConvNeXtTiny: 40); the flatten pair now goes and the MatMul over
    # the channel dim becomes a 1x1 Conv in the layout pass.
    w1 = RNG.uniform(-1, 1, (3, 3, 3, 4)).astype(np.float32)
    dense = RNG.uniform(-1, 1, (4, 5)).astype(np.float32)
    w2 = RNG.uniform(-1, 1, (1, 1, 5, 2)).astype(np.float32)
    p = "dense/Tensordot/"
    nodes = [placeholder("x", F32, [None, 5, 5, 3]), const("w1", w1), const("kernel", dense), const("w2", w2),
             op("conv", "Conv2D", ["x", "w1"], T=F32, strides=[1, 1, 1, 1], padding="VALID"),
             const(p + "free", np.array([0, 1, 2], np.int32)), const(p + "axes", np.array([3], np.int32)),
             const(p + "axis0", np.int32(0)), const(p + "prod_axes", np.array([0], np.int32)),
             const(p + "perm", np.array([0, 1, 2, 3], np.int32)), const(p + "n", np.array([5], np.int32)),
             op(p + "Shape", "Shape", ["conv"], T=F32, out_type=I32),
             op(p + "GatherV2", "GatherV2", [p + "Shape", p + "free", p + "axis0"], Tparams=I32, Tindices=I32,
                Taxis=I32, batch_dims=0),
             op(p + "GatherV2_1", "GatherV2", [p + "Shape", p + "axes", p + "axis0"], Tparams=I32, Tindices=I32,
                Taxis=I32, batch_dims=0),
             op(p + "Prod", "Prod", [p + "GatherV2", p + "prod_axes"], T=I32, Tidx=I32, keep_dims=False),
             op(p + "Prod_1", "Prod", [p + "GatherV2_1", p + "prod_axes"], T=I32, Tidx=I32, keep_dims=False),
             op(p + "stack", "Pack", [p + "Prod", p + "Prod_1"], T=I32, N=2, axis=0),
             op(p + "transpose", "Transpose", ["conv", p + "perm"], T=F32, Tperm=I32),
             op(p + "Reshape", "Reshape", [p + "transpose", p + "stack"], T=F32, Tshape=I32),
             op(p + "MatMul", "MatMul", [p + "Reshape", "kernel"], T=F32, transpose_a=False, transpose_b=False),
             op(p + "concat_1", "ConcatV2", [p + "GatherV2", p + "n", p + "axis0"], T=I32, N=2, Tidx=I32),
             op("dense/Tensordot", "Reshape", [p + "MatMul", p + "concat_1"], T=F32, Tshape=I32),
             op("act", "Relu", ["dense/Tensordot"], T=F32),
             op("out", "Conv2D", ["act", "w2"], T=F32, strides=[1, 1, 1, 1], padding="VALID")]

    def expected(f):
        x = f["x:0"]
        conv = sum(np.einsum("nhwc,cd->nhwd", x[:, i:i + 3, j:j + 3], w1[i, j]) for i in range(3) for j in range(3))
        return [np.einsum("nhwc,cd->nhwd", np.maximum(conv @ dense, 0), w2[0, 0])]
    return nodes, expected


@case
def tensordot_between_convs():
    nodes, expected = _tensordot_nodes()
    return Case(nodes, {"x:0": RNG.uniform(-1, 1, (2, 5, 5, 3)).astype(np.float32)}, ["out:0"], expected)


def test_tensordot_between_convs_keeps_one_transpose_per_input_and_output():
    from ortflow.converters import convert_with_report

    nodes, _ = _tensordot_nodes()
    graph = S.GraphDef()
    graph.node.extend(nodes)
    result = convert_with_report(graph, inputs=["x:0"], outputs=["out:0"])
    ops = [n.op_type for n in result.model.graph.node]
    assert result.transposes <= 2, ops
    assert "MatMul" not in ops and "Reshape" not in ops, ops


def _dilated_depthwise_reference(x, w, dilation, pads):
    """Depthwise conv of x [N, H, W, C] with w [kh, kw, C, 1], stride 1, given dilation and
    pads (top, left, bottom, right): the numpy definition, checked against TF's
    depthwise_conv2d(dilations=2, padding='SAME') in tools (see the case below)."""
    top, left, bottom, right = pads
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    kh, kw = w.shape[:2]
    oh, ow = xp.shape[1] - (kh - 1) * dilation, xp.shape[2] - (kw - 1) * dilation
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]), np.float64)
    for i in range(kh):
        for j in range(kw):
            out += xp[:, i * dilation:i * dilation + oh, j * dilation:j * dilation + ow] * w[i, j, :, 0]
    return out.astype(np.float32)


def _atrous_nodes():
    # tf.nn.depthwise_conv2d with dilations runs SpaceToBatchND -> conv -> BatchToSpaceND (Keras
    # DepthwiseConv2D(dilation_rate=2), DeepLab's atrous separable convs); the converter kept
    # the two 6-D reshape/transpose lowerings. On a 9x9 input, SAME with dilation 2 and a 3x3
    # kernel pads by 2 on each side; TF pads the phase grids to [[2, 3], [2, 3]] and crops
    # [[0, 1], [0, 1]] off again.
    w = RNG.uniform(-1, 1, (3, 3, 2, 1)).astype(np.float32)
    nodes = [placeholder("x", F32, [None, 9, 9, 2]), const("w", w),
             const("block", np.array([2, 2], np.int32)), const("paddings", np.array([[2, 3], [2, 3]], np.int32)),
             const("crops", np.array([[0, 1], [0, 1]], np.int32)),
             op("s2b", "SpaceToBatchND", ["x", "block", "paddings"], T=F32, Tblock_shape=I32, Tpaddings=I32),
             op("dw", "DepthwiseConv2dNative", ["s2b", "w"], T=F32, strides=[1, 1, 1, 1], padding="VALID"),
             op("b2s", "BatchToSpaceND", ["dw", "block", "crops"], T=F32, Tblock_shape=I32, Tcrops=I32),
             op("out", "Relu", ["b2s"], T=F32)]
    return nodes, lambda f: [np.maximum(_dilated_depthwise_reference(f["x:0"], w, 2, (2, 2, 2, 2)), 0)]


@case
def atrous_depthwise():
    nodes, expected = _atrous_nodes()
    return Case(nodes, {"x:0": RNG.uniform(-1, 1, (2, 9, 9, 2)).astype(np.float32)}, ["out:0"], expected)


def _atrous_conv1d_nodes():
    # Keras' Conv1D(dilation_rate=2): SpaceToBatchND on [N, W, C] with a 1-D block, then the
    # ExpandDims/Conv2D/Squeeze of every Conv1D, then BatchToSpaceND (TCN/WaveNet stacks)
    w = RNG.uniform(-1, 1, (1, 3, 2, 3)).astype(np.float32)
    nodes = [placeholder("x", F32, [None, 10, 2]), const("w", w),
             const("block", np.array([2], np.int32)), const("paddings", np.array([[1, 1]], np.int32)),
             const("crops", np.array([[0, 0]], np.int32)), const("at", np.int32(-3)),
             op("s2b", "SpaceToBatchND", ["x", "block", "paddings"], T=F32, Tblock_shape=I32, Tpaddings=I32),
             op("x4", "ExpandDims", ["s2b", "at"], T=F32, Tdim=I32),
             op("conv", "Conv2D", ["x4", "w"], T=F32, strides=[1, 1, 1, 1], padding="VALID"),
             op("sq", "Squeeze", ["conv"], T=F32, squeeze_dims=[-3]),
             op("out", "BatchToSpaceND", ["sq", "block", "crops"], T=F32, Tblock_shape=I32, Tcrops=I32)]

    def expected(f):
        xp = np.pad(f["x:0"], ((0, 0), (1, 1), (0, 0)))
        return [sum(xp[:, 2 * i:2 * i + 8] @ w[0, i] for i in range(3))]
    return nodes, expected


@case
def atrous_conv1d():
    nodes, expected = _atrous_conv1d_nodes()
    return Case(nodes, {"x:0": RNG.uniform(-1, 1, (2, 10, 2)).astype(np.float32)}, ["out:0"], expected)


def test_atrous_conv1d_is_one_dilated_conv():
    from ortflow.converters import convert_with_report

    nodes, _ = _atrous_conv1d_nodes()
    graph = S.GraphDef()
    graph.node.extend(nodes)
    result = convert_with_report(graph, inputs=["x:0"], outputs=["out:0"])
    ops = [n.op_type for n in result.model.graph.node]
    assert ops.count("Conv") == 1 and "Reshape" not in ops and result.transposes <= 2, ops


def test_atrous_depthwise_is_one_dilated_conv():
    from ortflow.converters import convert_with_report

    nodes, _ = _atrous_nodes()
    graph = S.GraphDef()
    graph.node.extend(nodes)
    result = convert_with_report(graph, inputs=["x:0"], outputs=["out:0"])
    ops = [n.op_type for n in result.model.graph.node]
    assert ops.count("Conv") == 1 and "Reshape" not in ops and result.transposes <= 2, ops
    conv = next(n for n in result.model.graph.node if n.op_type == "Conv")
    assert [a.ints for a in conv.attribute if a.name == "dilations"] == [[2, 2]]


@case
def grouped_conv_after_run_time_reshape():
    # A grouped conv (Keras Conv2D(groups=2)) reading a Reshape whose target is packed at run
    # time: the static shape has no channel count, so the group used to fall back to 1 and
    # onnxruntime refused the Conv. The channels now come from the target's constant entry.
    w = RNG.uniform(-1, 1, (1, 1, 2, 6)).astype(np.float32)
    nodes = [placeholder("x", F32, [None, 12]), const("w", w),
             op("shape", "Shape", ["x"], T=F32, out_type=I32),
             const("b0", np.array([0], np.int32)), const("b1", np.array([1], np.int32)),
             op("batch", "StridedSlice", ["shape", "b0", "b1", "b1"], T=I32, Index=I32, shrink_axis_mask=1),
             const("one", np.int32(1)), const("three", np.int32(3)), const("four", np.int32(4)),
             op("target", "Pack", ["batch", "one", "three", "four"], T=I32, N=4, axis=0),
             op("image", "Reshape", ["x", "target"], T=F32, Tshape=I32),
             op("act", "Relu", ["image"], T=F32),
             op("conv", "Conv2D", ["act", "w"], T=F32, strides=[1, 1, 1, 1], padding="VALID")]

    def expected(f):
        image = np.maximum(f["x:0"].reshape(-1, 1, 3, 4), 0)
        first = image[..., :2] @ w[0, 0, :, :3]
        second = image[..., 2:] @ w[0, 0, :, 3:]
        return [np.concatenate([first, second], axis=-1)]
    return Case(nodes, {"x:0": RNG.uniform(-1, 1, (2, 12)).astype(np.float32)}, ["conv:0"], expected)


def _repeat_nodes(prefix: str, x: str, axis: int, rank: int, r: int) -> list:
    """Keras 3's ops.repeat(x, r, axis) as frozen: ExpandDims(x, axis + 1), Tile by a packed
    multiples vector whose entry is Reshape(Cast(r), []), Reshape to concat(shape(x)[:axis],
    [r * shape(x)[axis]], shape(x)[axis + 1:])."""
    p = prefix + "/"
    ones = [const(p + f"m{i}", np.int32(1)) for i in range(rank + 1) if i != axis + 1]
    multiples = [p + f"m{i}" if i != axis + 1 else p + "count" for i in range(rank + 1)]
    return ones + [
        const(p + "dim", np.int32(axis + 1)), const(p + "repeats", np.int64(r)), const(p + "scalar", np.zeros(0, np.int32)),
        op(p + "ExpandDims", "ExpandDims", [x, p + "dim"], T=F32, Tdim=I32),
        op(p + "Cast", "Cast", [p + "repeats"], SrcT=S.I64, DstT=I32),
        op(p + "count", "Reshape", [p + "Cast", p + "scalar"], T=I32, Tshape=I32),
        op(p + "multiples", "Pack", multiples, T=I32, N=rank + 1, axis=0),
        op(p + "Tile", "Tile", [p + "ExpandDims", p + "multiples"], T=F32, Tmultiples=I32),
        op(p + "Shape", "Shape", [x], T=F32, out_type=I32),
        const(p + "b0", np.array([0], np.int32)), const(p + "ba", np.array([axis], np.int32)),
        const(p + "ba1", np.array([axis + 1], np.int32)), const(p + "one", np.array([1], np.int32)),
        op(p + "head", "StridedSlice", [p + "Shape", p + "b0", p + "ba", p + "one"], T=I32, Index=I32),
        op(p + "dim_a", "StridedSlice", [p + "Shape", p + "ba", p + "ba1", p + "one"], T=I32, Index=I32,
           shrink_axis_mask=1),
        op(p + "mul", "Mul", [p + "count", p + "dim_a"], T=I32),
        op(p + "merged", "Pack", [p + "mul"], T=I32, N=1, axis=0),
        op(p + "tail", "StridedSlice", [p + "Shape", p + "ba1", p + "b0", p + "one"], T=I32, Index=I32, end_mask=1),
        const(p + "axis0", np.int32(0)),
        op(p + "target", "ConcatV2", [p + "head", p + "merged", p + "tail", p + "axis0"], T=I32, N=3, Tidx=I32),
        op(prefix, "Reshape", [p + "Tile", p + "target"], T=F32, Tshape=I32)]


def _upsampling_nodes():
    # Keras 3's UpSampling2D between convolutions: repeat rows, then columns. The Reshape of
    # each repeat stopped the layout pass (two Transposes per upsampling); the repeat is now a
    # nearest Resize, which Transposes move through.
    w1, w2 = RNG.uniform(-1, 1, (1, 1, 2, 3)).astype(np.float32), RNG.uniform(-1, 1, (2, 2, 3, 2)).astype(np.float32)
    nodes = [placeholder("x", F32, [None, 3, 4, 2]), const("w1", w1), const("w2", w2),
             op("c1", "Conv2D", ["x", "w1"], T=F32, strides=[1, 1, 1, 1], padding="VALID")]
    nodes += _repeat_nodes("rows", "c1", 1, 4, 2) + _repeat_nodes("cols", "rows", 2, 4, 3)
    nodes += [op("out", "Conv2D", ["cols", "w2"], T=F32, strides=[1, 1, 1, 1], padding="VALID")]

    def expected(f):
        up = np.repeat(np.repeat(f["x:0"] @ w1[0, 0], 2, axis=1), 3, axis=2)
        oh, ow = up.shape[1] - 1, up.shape[2] - 1
        return [sum(up[:, i:i + oh, j:j + ow] @ w2[i, j] for i in range(2) for j in range(2))]
    return nodes, expected


@case
def upsampling_repeats():
    nodes, expected = _upsampling_nodes()
    return Case(nodes, {"x:0": RNG.uniform(-1, 1, (2, 3, 4, 2)).astype(np.float32)}, ["out:0"], expected)


@case
def grouped_conv1d_after_repeat_vector():
    # RepeatVector(3) then Conv1D(groups=2): the repeat's Reshape target is computed from
    # shape(x) at run time, so the grouped conv's channel count is found by following the
    # repeat back to x (the group fell back to 1 and onnxruntime refused the Conv)
    w = RNG.uniform(-1, 1, (1, 1, 2, 4)).astype(np.float32)
    nodes = [placeholder("x", F32, [None, 1, 4]), const("w", w), const("at", np.int32(-3))]
    nodes += _repeat_nodes("repeated", "x", 1, 3, 3)
    nodes += [op("x4", "ExpandDims", ["repeated", "at"], T=F32, Tdim=I32),
              op("conv", "Conv2D", ["x4", "w"], T=F32, strides=[1, 1, 1, 1], padding="VALID"),
              op("out", "Squeeze", ["conv"], T=F32, squeeze_dims=[-3])]

    def expected(f):
        rep = np.repeat(f["x:0"], 3, axis=1)
        return [np.concatenate([rep[..., :2] @ w[0, 0, :, :2], rep[..., 2:] @ w[0, 0, :, 2:]], axis=-1)]
    return Case(nodes, {"x:0": RNG.uniform(-1, 1, (2, 1, 4)).astype(np.float32)}, ["out:0"], expected)


def _counted_loop(x_shape, body_op: str = "Mul"):
    """A TF 1.x while frame: i counts to 3 (its flag read only by the condition), x goes
    through `body_op` each step (Mul: x * 2; ExpandDims: one more leading dim per step)."""
    frame = {"frame_name": "loop", "is_constant": False, "parallel_iterations": 10}
    nodes = [placeholder("x", F32, x_shape), const("i0", np.int32(0)), const("flag0", np.array(True))]
    for var, src, dtype in (("i", "i0", I32), ("flag", "flag0", BOOL), ("x", "x", F32)):
        nodes += [op(f"enter_{var}", "Enter", [src], T=dtype, **frame),
                  op(f"merge_{var}", "Merge", [f"enter_{var}", f"next_{var}"], T=dtype, N=2)]
    nodes.append(op("cond", "LoopCond", ["merge_flag"]))
    for var, dtype in (("i", I32), ("flag", BOOL), ("x", F32)):
        nodes += [op(f"switch_{var}", "Switch", [f"merge_{var}", "cond"], T=dtype),
                  op(f"exit_{var}", "Exit", [f"switch_{var}"], T=dtype)]
    nodes += [op("body_i", "Identity", ["switch_i:1"], T=I32),
              op("one", "Const", ["^body_i"], dtype=I32, value=np.array(1, np.int32)),
              op("three", "Const", ["^body_i"], dtype=I32, value=np.array(3, np.int32)),
              op("i1", "AddV2", ["body_i", "one"], T=I32),
              op("flag1", "Less", ["i1", "three"], T=I32),
              op("next_i", "NextIteration", ["i1"], T=I32),
              op("next_flag", "NextIteration", ["flag1"], T=BOOL),
              op("next_x", "NextIteration", ["x1"], T=F32)]
    if body_op == "Mul":
        nodes += [op("two", "Const", ["^body_i"], dtype=F32, value=np.array(2.0, np.float32)),
                  op("x1", "Mul", ["switch_x:1", "two"], T=F32)]
    else:
        nodes += [op("zero", "Const", ["^body_i"], dtype=I32, value=np.array(0, np.int32)),
                  op("x1", "ExpandDims", ["switch_x:1", "zero"], T=F32, Tdim=I32)]
    return nodes


@case
def loop_flag_only_the_condition_reads():
    # non_max_suppression_padded's inner while_loop: a loop variable (the flag) that the
    # condition reads and the body recomputes, while neither the body nor a fetched Exit reads
    # its Switch. Pruning dropped that Switch and the frame lost the variable ("loop variable
    # without a Switch").
    return Case(_counted_loop([None]), {"x:0": RNG.uniform(-1, 1, (3,)).astype(np.float32)}, ["exit_x:0"],
                lambda f: [f["x:0"] * 8.0])


@case
def cond_on_a_folded_predicate():
    # tf.image.rot90 in a TF 1.x graph: nested conds on Equal(FloorMod(k, 4), j) with a constant
    # k. The predicate is a Const only after folding, which ran after the constant-Switch pass;
    # the nested conds then failed to lower ("the cond has no Merge").
    nodes = [placeholder("x", F32, [None, 3]), const("k", np.int32(5)), const("four", np.int32(4)),
             const("one", np.int32(1)), const("two", np.int32(2)),
             op("mod", "FloorMod", ["k", "four"], T=I32),
             op("is_one", "Equal", ["mod", "one"], T=I32), op("is_two", "Equal", ["mod", "two"], T=I32),
             op("outer", "Switch", ["x", "is_one"], T=F32),
             op("neg", "Neg", ["outer:1"], T=F32),
             op("inner_pred", "Switch", ["is_two", "is_one"], T=BOOL),
             op("inner", "Switch", ["outer:0", "inner_pred:0"], T=F32),
             op("square", "Square", ["inner:1"], T=F32), op("abs", "Abs", ["inner:0"], T=F32),
             op("inner_merge", "Merge", ["abs", "square"], T=F32, N=2),
             op("out", "Merge", ["inner_merge", "neg"], T=F32, N=2)]
    return Case(nodes, {"x:0": RNG.uniform(-1, 1, (2, 3)).astype(np.float32)}, ["out:0"], lambda f: [-f["x:0"]])


def _cond_in_one_branch(p: bool, q: bool) -> Case:
    # tf.cond(p, lambda: tf.cond(q, abs, relu), lambda: -x) after the TF-side passes: only the
    # true branch holds an inner cond, and no pivot ties the outer branches together. Telling
    # conds on one predicate apart stopped the true side's walk at the inner Merge, so the outer
    # Switches split into two conds, neither with a Merge ("the cond has no Merge").
    nodes = [placeholder("x", F32, [None, 3]), placeholder("p", BOOL, []), placeholder("q", BOOL, []),
             op("neg_sw", "Switch", ["x", "p"], T=F32), op("neg", "Neg", ["neg_sw:0"], T=F32),
             op("abs_sw", "Switch", ["x", "p"], T=F32), op("q_sw", "Switch", ["q", "p"], T=BOOL),
             op("relu_sw", "Switch", ["abs_sw:1", "q_sw:1"], T=F32), op("relu", "Relu", ["relu_sw:0"], T=F32),
             op("abs_sw1", "Switch", ["abs_sw:1", "q_sw:1"], T=F32), op("abs", "Abs", ["abs_sw1:1"], T=F32),
             op("inner", "Merge", ["relu", "abs"], T=F32, N=2), op("out", "Merge", ["neg", "inner"], T=F32, N=2)]

    def expected(f):
        x = f["x:0"]
        return [(np.abs(x) if q else np.maximum(x, 0)) if p else -x]
    return Case(nodes, {"x:0": RNG.uniform(-1, 1, (2, 3)).astype(np.float32), "p:0": np.array(p),
                        "q:0": np.array(q)}, ["out:0"], expected)


@case
def cond_in_one_branch_taken():
    return _cond_in_one_branch(True, False)


@case
def cond_in_one_branch_not_taken():
    return _cond_in_one_branch(False, True)


def test_conds_on_folded_predicates_are_resolved():
    from ortflow.converters import passes_tf

    case_obj = CASES["cond_on_a_folded_predicate"]()
    _, facts = passes_tf.run_tf_passes(case_obj.graph_def(), ["x:0"], ["out:0"])
    assert not [n.name for n in facts.order if n.op in ("Switch", "Merge")]


def test_loop_output_rank_is_proven_when_the_body_keeps_it():
    # TF's shape functions leave every loop variable's rank open (the back edge comes later);
    # the converter proves by induction that x keeps rank 2, so the ONNX output declares a
    # shape (onnx.checker's full check wants one on graph outputs). check=False: the CLI's
    # default, without the ONNX shape inference that could fill the shape in afterwards.
    from ortflow.converters import convert_with_report

    graph = S.GraphDef()
    graph.node.extend(_counted_loop([None, 2]))
    model = convert_with_report(graph, inputs=["x:0"], outputs=["exit_x:0"], check=False).model
    (out,) = model.graph.output
    assert out.type.tensor_type.HasField("shape") and len(out.type.tensor_type.shape.dim) == 2, out


def test_loop_output_rank_stays_open_when_the_body_changes_it():
    from ortflow.converters import passes_tf

    graph = S.GraphDef()
    graph.node.extend(_counted_loop([None, 2], body_op="ExpandDims"))
    _, facts = passes_tf.run_tf_passes(graph, ["x:0"], ["exit_x:0"])
    assert facts.shapes.get("exit_x:0") is None
    assert facts.shapes.get("merge_i:0") == ()  # the counter's rank still holds


def test_upsampling_repeats_keep_one_transpose_per_input_and_output():
    from ortflow.converters import convert_with_report

    nodes, _ = _upsampling_nodes()
    graph = S.GraphDef()
    graph.node.extend(nodes)
    result = convert_with_report(graph, inputs=["x:0"], outputs=["out:0"])
    ops = [n.op_type for n in result.model.graph.node]
    assert ops.count("Resize") == 2 and "Tile" not in ops and result.transposes <= 2, ops


# --------------------------------------------------------------------------- third set (gen_third_models.py)

I16, I64 = S.dtypes.int16, S.dtypes.int64


@case
def signed_shifts():
    # tf.bitwise.left_shift on int32 ids: ONNX BitShift takes unsigned types only, so the
    # converter refused every signed shift. Right shifts of negative values are arithmetic.
    feeds = {}
    nodes = []
    for name, dtype, np_type in (("a32", I32, np.int32), ("a64", I64, np.int64), ("a16", I16, np.int16)):
        feeds[f"{name}:0"] = np.array([-7, -1, 0, 1, 5, 1000, -1000, -32768 if np_type is np.int16 else -2 ** 30],
                                      np_type)
        feeds[f"{name}_by:0"] = np.array([0, 1, 2, 3, 4, 5, 3, 1], np_type)
        nodes += [placeholder(name, dtype, [8]), placeholder(f"{name}_by", dtype, [8]),
                  op(f"{name}_left", "LeftShift", [name, f"{name}_by"], T=dtype),
                  op(f"{name}_right", "RightShift", [name, f"{name}_by"], T=dtype)]
    outputs = [f"{n}_{d}:0" for n in ("a32", "a64", "a16") for d in ("left", "right")]

    def expected(f):
        return [fn(f[f"{n}:0"], f[f"{n}_by:0"]) for n in ("a32", "a64", "a16")
                for fn in (np.left_shift, np.right_shift)]
    return Case(nodes, feeds, outputs, expected)


@case
def matrix_diag_off_the_main_diagonal():
    # tf.linalg.diag(v, k=1) and tf.linalg.diag_part(a, k=-1): only k = 0 converted
    v = RNG.uniform(-1, 1, (2, 3)).astype(np.float32)
    a = RNG.uniform(-1, 1, (2, 3, 4)).astype(np.float32)
    minus_one, zero = np.int32(-1), np.float32(0.0)
    nodes = [placeholder("v", F32, [None, 3]), placeholder("a", F32, [None, 3, 4]),
             const("rows", minus_one), const("cols", minus_one), const("pad", zero)]
    for name, k in (("up", 1), ("down", -2)):
        nodes += [const(f"{name}_k", np.int32(k)),
                  op(name, "MatrixDiagV3", ["v", f"{name}_k", "rows", "cols", "pad"], T=F32, align="RIGHT_LEFT")]
    for name, k in (("part_up", 1), ("part_down", -1), ("part_far", 3)):
        nodes += [const(f"{name}_k", np.int32(k)),
                  op(name, "MatrixDiagPartV3", ["a", f"{name}_k", "pad"], T=F32, align="RIGHT_LEFT")]

    def diag(vals, k):
        n = vals.shape[-1] + abs(k)
        out = np.zeros(vals.shape[:-1] + (n, n), np.float32)
        for b in range(vals.shape[0]):
            out[b] = np.diag(vals[b], k)
        return out

    def expected(f):
        return [diag(f["v:0"], 1), diag(f["v:0"], -2)] + [
            np.stack([np.diagonal(m, k) for m in f["a:0"]]) for k in (1, -1, 3)]
    return Case(nodes, {"v:0": v, "a:0": a}, ["up:0", "down:0", "part_up:0", "part_down:0", "part_far:0"], expected)


def _ctc_greedy_reference(logits, lengths, merge_repeated, blank):
    """TF's greedy CTC decoding in plain Python: (indices, values, dense shape, -sum of maxima)."""
    indices, values, longest, scores = [], [], 0, []
    for b in range(logits.shape[1]):
        previous, kept = -1, 0
        scores.append([-sum(float(logits[t, b].max()) for t in range(lengths[b]))])
        for t in range(lengths[b]):
            label = int(np.argmax(logits[t, b]))
            if label != blank and not (merge_repeated and label == previous):
                indices.append([b, kept])
                values.append(label)
                kept += 1
            previous = label
        longest = max(longest, kept)
    return (np.array(indices, np.int64).reshape(-1, 2), np.array(values, np.int64),
            np.array([logits.shape[1], longest], np.int64), np.array(scores, np.float32))


@case
def ctc_greedy_decoder():
    # tf.nn.ctc_greedy_decoder had no handler. Few classes over many steps, so that repeats,
    # blanks and a zero-length row all occur; both merge modes, the default and a given blank.
    logits = RNG.uniform(-2, 2, (10, 3, 4)).astype(np.float32)
    logits[3:6, 0, 1] = 5.0  # a run of one label
    lengths = np.array([10, 6, 0], np.int32)
    nodes = [placeholder("logits", F32, [None, None, 4]), placeholder("lengths", I32, [None]),
             op("merged", "CTCGreedyDecoder", ["logits", "lengths"], T=F32, merge_repeated=True, blank_index=-1),
             op("plain", "CTCGreedyDecoder", ["logits", "lengths"], T=F32, merge_repeated=False, blank_index=0)]
    outputs = [f"{n}:{i}" for n in ("merged", "plain") for i in range(4)]

    def expected(f):
        return [*_ctc_greedy_reference(f["logits:0"], f["lengths:0"], True, 3),
                *_ctc_greedy_reference(f["logits:0"], f["lengths:0"], False, 0)]
    return Case(nodes, {"logits:0": logits, "lengths:0": lengths}, outputs, expected)


@case
def depthwise_filter_tiled_by_the_channel_count():
    # tf.image.sobel_edges tiles its constant kernels by tf.shape(image)[-1]: the filter's
    # shape depends on a Shape value of which only the channel dim is static; the converter
    # refused ("the depthwise filter's shape must be static") until the facts tracked partial
    # shape values (Shape -> StridedSlice -> Pack -> Tile).
    x = RNG.uniform(-1, 1, (2, 5, 4, 3)).astype(np.float32)
    kernel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], np.float32).reshape(3, 3, 1, 1)
    nodes = [placeholder("x", F32, [None, 5, 4, 3]), const("kernel", kernel),
             op("shape", "Shape", ["x"], T=F32, out_type=I32),
             const("b", np.array([-1], np.int32)), const("e", np.array([0], np.int32)),
             const("s", np.array([1], np.int32)),
             op("channels", "StridedSlice", ["shape", "b", "e", "s"], T=I32, Index=I32, shrink_axis_mask=1),
             const("one", np.int32(1)),
             op("multiples", "Pack", ["one", "one", "channels", "one"], T=I32, N=4, axis=0),
             op("filter", "Tile", ["kernel", "multiples"], T=F32, Tmultiples=I32),
             op("edges", "DepthwiseConv2dNative", ["x", "filter"], T=F32, strides=[1, 1, 1, 1], padding="SAME")]

    def expected(f):
        padded = np.pad(f["x:0"], ((0, 0), (1, 1), (1, 1), (0, 0)))
        out = np.zeros_like(f["x:0"])
        for i in range(3):
            for j in range(3):
                out += kernel[i, j, 0, 0] * padded[:, i:i + 5, j:j + 4, :]
        return [out]
    return Case(nodes, {"x:0": x}, ["edges:0"], expected)


def test_partial_shape_values_give_shape_consumers_their_static_dims():
    # TF's shape arithmetic around Shape: the dims a Pack/ConcatV2/StridedSlice of it proves
    # reach a Reshape, a Fill and a Conv2DBackpropInput's output (tf.nn.conv1d_transpose with
    # an output_shape of tf.stack([tf.shape(x)[0], 24, 2]))
    from ortflow.converters import passes_tf

    nodes = [placeholder("x", F32, [None, 6, 4]), op("shape", "Shape", ["x"], T=F32, out_type=I32),
             const("b0", np.array([0], np.int32)), const("b1", np.array([1], np.int32)),
             op("batch", "StridedSlice", ["shape", "b0", "b1", "b1"], T=I32, Index=I32, shrink_axis_mask=1),
             op("rest", "StridedSlice", ["shape", "b1", "b0", "b1"], T=I32, Index=I32, end_mask=1),
             const("minus", np.array([-1], np.int32)), const("axis", np.int32(0)),
             op("target", "ConcatV2", ["minus", "rest", "axis"], T=I32, N=2, Tidx=I32),
             op("reshaped", "Reshape", ["x", "target"], T=F32, Tshape=I32),
             const("three", np.int32(3)), const("half", np.float32(0.5)),
             op("dims", "Pack", ["batch", "three"], T=I32, N=2, axis=0),
             op("filled", "Fill", ["dims", "half"], T=F32, index_type=I32),
             const("spatial", np.array([1, 12, 2], np.int32)),
             op("batch_v", "Pack", ["batch"], T=I32, N=1, axis=0),
             op("sizes", "ConcatV2", ["batch_v", "spatial", "axis"], T=I32, N=2, Tidx=I32),
             const("w", RNG.uniform(-1, 1, (1, 3, 2, 4)).astype(np.float32)),
             const("one", np.int32(1)), op("x4", "ExpandDims", ["x", "one"], T=F32, Tdim=I32),
             op("up", "Conv2DBackpropInput", ["sizes", "w", "x4"], T=F32, strides=[1, 1, 2, 1], padding="SAME"),
             op("dim1", "GatherV2", ["shape", "one", "axis"], Tparams=I32, Tindices=I32, Taxis=I32, batch_dims=0),
             const("huge", np.int32(2 ** 30)), op("wrapped", "Mul", ["dim1", "huge"], T=I32)]
    graph = S.GraphDef()
    graph.node.extend(nodes)
    _, facts = passes_tf.run_tf_passes(graph, ["x:0"], ["reshaped:0", "filled:0", "up:0", "dim1:0", "wrapped:0"])
    assert int(facts.values["dim1:0"]) == 6  # a scalar index into a Shape with that dim static
    assert int(facts.values["wrapped:0"]) == -2 ** 31  # int32 arithmetic wraps as in TF (6 * 2**30)
    assert facts.shapes["reshaped:0"] == (None, 6, 4)
    assert facts.shapes["filled:0"] == (None, 3)
    assert facts.shapes["up:0"] == (None, 1, 12, 2)


def _tensor_array_loop():
    """`_counted_loop` writing x (before the step's doubling) to a TensorArray made with
    infer_shape=False (no element shape), then concatenated after the loop."""
    frame = {"frame_name": "loop", "is_constant": False, "parallel_iterations": 10}
    nodes = _counted_loop([None])
    nodes += [const("ta_size", np.int32(0)),
              op("ta", "TensorArrayV3", ["ta_size"], dtype=F32, element_shape=S.Dims(None), dynamic_size=True,
                 clear_after_read=True, identical_element_shapes=False, tensor_array_name=""),
              op("enter_flow", "Enter", ["ta:1"], T=F32, **frame),
              op("merge_flow", "Merge", ["enter_flow", "next_flow"], T=F32, N=2),
              op("switch_flow", "Switch", ["merge_flow", "cond"], T=F32),
              op("exit_flow", "Exit", ["switch_flow"], T=F32),
              op("enter_handle", "Enter", ["ta"], T=S.dtypes.resource, frame_name="loop", is_constant=True,
                 parallel_iterations=10),
              op("write", "TensorArrayWriteV3", ["enter_handle", "body_i", "switch_x:1", "switch_flow:1"], T=F32),
              op("next_flow", "NextIteration", ["write"], T=F32),
              op("all", "TensorArrayConcatV3", ["ta", "exit_flow"], dtype=F32, element_shape_except0=S.Dims(None))]
    return nodes


@case
def tensor_array_concat_of_unknown_element_shape():
    # a TensorArray made with infer_shape=False: TF's graph gives its concat no rank, and the
    # ONNX graph output had none (onnx.checker's full check wants one). The writes show it.
    x = RNG.uniform(-1, 1, (2,)).astype(np.float32)
    return Case(_tensor_array_loop(), {"x:0": x}, ["all:0"], lambda f: [np.concatenate([f["x:0"] * s for s in (1, 2, 4)])])


def test_tensor_array_concat_takes_the_rank_its_writes_show():
    from ortflow.converters import convert_with_report

    graph = S.GraphDef()
    graph.node.extend(_tensor_array_loop())
    model = convert_with_report(graph, inputs=["x:0"], outputs=["all:0"], check=True).model
    (out,) = model.graph.output
    assert out.type.tensor_type.HasField("shape") and len(out.type.tensor_type.shape.dim) == 1, out


def test_an_op_converted_only_at_a_higher_opset_says_which():
    # tf.strings.join at opset 13 (ONNX StringConcat is opset 20): the report named it among ops
    # without any handler (so did tf.bitwise.bitwise_and before it converted below opset 18)
    from ortflow.converters import UnsupportedOpsError, convert_with_report

    text = S.dtypes.string
    graph = S.GraphDef()
    graph.node.extend([placeholder("a", text, [2]), placeholder("b", text, [2]),
                       op("joined", "StringJoin", ["a", "b"], N=2, separator="-")])
    with pytest.raises(UnsupportedOpsError) as info:
        convert_with_report(graph, inputs=["a:0", "b:0"], outputs=["joined:0"], opset=13)
    assert not info.value.unsupported
    assert "StringJoin node 'joined': converted from opset 20 on, not at opset 13" in str(info.value)


def _dilated_conv3d_nodes():
    # Keras's Conv3D(dilation_rate=2, padding="same") as TF builds it: SpaceToBatchND (block 2,
    # paddings 2) -> Conv3D VALID -> BatchToSpaceND; lowered piecewise it left 5 Transposes
    w = RNG.uniform(-1, 1, (3, 3, 3, 2, 3)).astype(np.float32)
    block, pads = np.array([2, 2, 2], np.int32), np.full((3, 2), 2, np.int32)
    return [placeholder("x", F32, [None, 6, 6, 6, 2]), const("w", w), const("block", block),
            const("pads", pads), const("crops", np.zeros((3, 2), np.int32)),
            op("s2b", "SpaceToBatchND", ["x", "block", "pads"], T=F32, Tblock_shape=I32, Tpaddings=I32),
            op("conv", "Conv3D", ["s2b", "w"], T=F32, strides=[1, 1, 1, 1, 1], padding="VALID"),
            op("out", "BatchToSpaceND", ["conv", "block", "crops"], T=F32, Tblock_shape=I32, Tcrops=I32)], w


@case
def dilated_conv3d_through_space_to_batch():
    nodes, w = _dilated_conv3d_nodes()
    x = RNG.uniform(-1, 1, (2, 6, 6, 6, 2)).astype(np.float32)

    def expected(f):
        xp = np.pad(f["x:0"], ((0, 0), (2, 2), (2, 2), (2, 2), (0, 0)))
        out = np.zeros((2, 6, 6, 6, 3), np.float32)
        for i in range(3):
            for j in range(3):
                for k in range(3):
                    out += xp[:, 2 * i:2 * i + 6, 2 * j:2 * j + 6, 2 * k:2 * k + 6] @ w[i, j, k]
        return [out]
    return Case(nodes, {"x:0": x}, ["out:0"], expected)


def test_dilated_conv3d_is_one_conv():
    from ortflow.converters import convert_with_report

    graph = S.GraphDef()
    graph.node.extend(_dilated_conv3d_nodes()[0])
    result = convert_with_report(graph, inputs=["x:0"], outputs=["out:0"])
    ops = [n.op_type for n in result.model.graph.node]
    assert ops.count("Conv") == 1 and result.transposes <= 2, ops


#: TF 2.21's tf.raw_ops.ScaleAndTranslate of `_SCALE_TRANSLATE_IMAGE` (as [1, 5, 4, 1]):
#: kernel_type, antialias, size, scale, translation -> its output (recorded from TF)
_SCALE_TRANSLATE_TF = {
    ("lanczos3", True, (3, 2), (0.6, 0.5), (0.0, 0.0)): [
        [-0.21977212, -0.01577422], [0.15602389, -0.09918028], [0.16324984, -0.03755782]],
    ("mitchellcubic", False, (7, 6), (1.4, 1.5), (0.3, -0.25)): [
        [-1.0507652, -0.8604469, -0.6287159, -0.39686462, -0.08268182, 0.07497978],
        [-0.5085011, -0.31818274, -0.064657, 0.09190238, -0.20220456, -0.39253432],
        [0.22198868, 0.41218987, 0.6944272, 0.7585242, -0.30057517, -0.92878395],
        [-0.4460005, -0.2569703, 0.00338582, 0.21031742, 0.12539238, 0.05208166],
        [0.01960789, 0.25009304, 0.03955188, -0.50720125, -0.31629002, -0.14651588],
        [0.4912811, 0.7416448, 0.31358555, -0.6232022, -0.53130424, -0.3772784],
        [-0.21227819, -0.01437941, 0.13649166, 0.21239421, 0.4305406, 0.54885656]],
    ("gaussian", True, (2, 3), (0.4, 0.75), (0.1, 0.0)): [
        [-0.23040582, 0.05112149, -0.16351391], [0.09434336, 0.06197849, -0.10382907]],
}
_SCALE_TRANSLATE_IMAGE = (np.arange(20, dtype=np.float32).reshape(1, 5, 4, 1) % 7) / 3.0 - 1.0


@case
def scale_and_translate_kernels():
    # tf.image.resize with lanczos3/mitchellcubic/gaussian or antialias=True is ScaleAndTranslate,
    # which had no handler; sizes, scales and translations as TF's recorded outputs above
    nodes, outputs, want = [placeholder("img", F32, [None, 5, 4, 1])], [], []
    for k, ((kind, antialias, size, scale, shift), values) in enumerate(_SCALE_TRANSLATE_TF.items()):
        nodes += [const(f"size{k}", np.array(size, np.int32)), const(f"scale{k}", np.array(scale, np.float32)),
                  const(f"shift{k}", np.array(shift, np.float32)),
                  op(f"out{k}", "ScaleAndTranslate", ["img", f"size{k}", f"scale{k}", f"shift{k}"], T=F32,
                     kernel_type=kind, antialias=antialias)]
        outputs.append(f"out{k}:0")
        want.append(np.array(values, np.float32).reshape(1, *size, 1))
    return Case(nodes, {"img:0": _SCALE_TRANSLATE_IMAGE}, outputs, lambda f: want, atol=2e-6)


@case
def scale_from_the_static_dims_of_a_shape():
    # tf.image.resize builds ScaleAndTranslate's scale as size / Cast(Shape(images)[1:3]): the
    # facts now hold the static dims a StridedSlice of a Shape picks as a constant, so it folds
    x = _SCALE_TRANSLATE_IMAGE
    nodes = [placeholder("img", F32, [None, 5, 4, 1]), op("shape", "Shape", ["img"], T=F32, out_type=I32),
             const("b", np.array([1], np.int32)), const("e", np.array([3], np.int32)),
             const("s", np.array([1], np.int32)),
             op("hw", "StridedSlice", ["shape", "b", "e", "s"], T=I32, Index=I32),
             op("hw_f", "Cast", ["hw"], SrcT=I32, DstT=F32),
             const("size", np.array([3, 2], np.int32)), op("size_f", "Cast", ["size"], SrcT=I32, DstT=F32),
             op("scale", "RealDiv", ["size_f", "hw_f"], T=F32), const("zero", np.zeros(2, np.float32)),
             op("out", "ScaleAndTranslate", ["img", "size", "scale", "zero"], T=F32, kernel_type="lanczos3",
                antialias=True)]
    first_key = next(iter(_SCALE_TRANSLATE_TF))
    want = np.array(_SCALE_TRANSLATE_TF[first_key], np.float32).reshape(1, 3, 2, 1)
    return Case(nodes, {"img:0": x}, ["out:0"], lambda f: [want], atol=2e-6)



def test_tensor_array_read_of_an_unstacked_array_takes_the_element_rank():
    # tf.foldr's initial value reads the last element of an array TensorArrayUnstack filled;
    # the array has no element shape, so TF's graph gives the read no rank either
    from ortflow.converters import passes_tf

    nodes = [placeholder("x", F32, [None, 3]), const("n", np.int32(4)), const("last", np.int32(3)),
             op("ta", "TensorArrayV3", ["n"], dtype=F32, element_shape=S.Dims(None), dynamic_size=False,
                clear_after_read=True, identical_element_shapes=True, tensor_array_name=""),
             op("range", "Range", ["zero", "n", "one"], Tidx=I32), const("zero", np.int32(0)),
             const("one", np.int32(1)),
             op("scatter", "TensorArrayScatterV3", ["ta", "range", "x", "ta:1"], T=F32),
             op("read", "TensorArrayReadV3", ["ta", "last", "scatter"], dtype=F32)]
    graph = S.GraphDef()
    graph.node.extend(nodes)
    _, facts = passes_tf.run_tf_passes(graph, ["x:0"], ["read:0"])
    assert facts.shapes["read:0"] == (None,)



@case
def bitwise_ops_of_every_width():
    # tf.bitwise.bitwise_and/or/xor/invert had no handler before opset 18 (ONNX BitwiseAnd...):
    # per-bit arithmetic now (invert: -1 - x), for signed values (two's complement), unsigned
    # ones and broadcasting
    feeds, nodes, outputs = {}, [], []
    for name, dtype, values in (("i32", I32, [-7, -1, 0, 5, 1000, -2 ** 31]), ("i64", I64, [-2 ** 63, -3, 0, 9, 2 ** 40, 7]),
                                ("i8", S.dtypes.int8, [-128, -1, 0, 5, 127, 64]), ("u8", S.dtypes.uint8, [0, 1, 255, 128, 7, 200])):
        np_type = dtype.as_numpy_dtype
        feeds[f"{name}:0"] = np.array(values, np_type)
        mask = np.array([[5], [-2 if np.dtype(np_type).kind == "i" else 250]]).astype(np_type)
        nodes += [placeholder(name, dtype, [6]), const(f"{name}_m", mask)]
        for kind in ("And", "Or", "Xor"):
            nodes.append(op(f"{name}_{kind}", f"Bitwise{kind}", [name, f"{name}_m"], T=dtype))
            outputs.append(f"{name}_{kind}:0")
        nodes.append(op(f"{name}_Invert", "Invert", [name], T=dtype))
        outputs.append(f"{name}_Invert:0")

    def expected(f):
        out = []
        for name in ("i32", "i64", "i8", "u8"):
            x = f[f"{name}:0"]
            m = np.array([[5], [-2 if x.dtype.kind == "i" else 250]]).astype(x.dtype)
            out += [np.bitwise_and(x, m), np.bitwise_or(x, m), np.bitwise_xor(x, m), np.invert(x)]
        return out
    return Case(nodes, feeds, outputs, expected)


# after every @case above: the parametrization reads CASES when this is defined
@pytest.mark.parametrize("opset", [None, 13], ids=["default", "opset13"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_regression_case(name, opset):
    case_obj = CASES[name]()
    results = S.run(case_obj, opset)
    for out, got, want in zip(case_obj.outputs, results, case_obj.expected(case_obj.feeds)):
        S._compare(got, want, f"{name} {out}", case_obj.atol)
