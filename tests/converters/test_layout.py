"""Layout: NHWC chains run in NCHW with transposes only at the edges, and the rewrites are exact.

Each graph is converted twice, with and without the ONNX-side passes, and both models run in
onnxruntime on the same input: the optimized one must agree and keep at most 2 Transposes.
"""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from ortflow.converters import convert_graph_def
from ortflow.converters.context import ConversionContext, ONode
from ortflow.converters.passes_onnx import OGraph, push_transposes
from ortflow.formats import dtypes
from ortflow.formats.tensors import make_tensor_proto
from ortflow.proto import GraphDef

F32, I32 = 1, 3
RNG = np.random.default_rng(7)


class G:
    def __init__(self):
        self.g = GraphDef()

    def node(self, op, name, inputs, **attrs):
        n = self.g.node.add(name=name, op=op, input=list(inputs))
        n.attr["T"].type = F32
        for k, v in attrs.items():
            if isinstance(v, bytes):
                n.attr[k].s = v
            elif isinstance(v, bool):
                n.attr[k].b = v
            elif isinstance(v, int) and k in ("Tidx", "Tpaddings"):
                n.attr[k].type = v
            elif isinstance(v, int):
                n.attr[k].i = v
            elif isinstance(v, float):
                n.attr[k].f = v
            else:
                n.attr[k].list.i.extend(v)
        return name

    def placeholder(self, name, shape):
        n = self.g.node.add(name=name, op="Placeholder")
        n.attr["dtype"].type = F32
        for d in shape:
            n.attr["shape"].shape.dim.add(size=-1 if d is None else d)
        return name

    def const(self, name, value):
        value = np.asarray(value)
        n = self.g.node.add(name=name, op="Const")
        n.attr["dtype"].type = F32 if value.dtype == np.float32 else I32
        n.attr["value"].tensor.CopyFrom(make_tensor_proto(value))
        return name

    def conv(self, name, x, cin, cout, stride=1, padding=b"SAME"):
        w = self.const(f"{name}/w", RNG.normal(size=(3, 3, cin, cout)).astype(np.float32) * 0.3)
        c = self.node("Conv2D", name, [x, w], strides=[1, stride, stride, 1], padding=padding,
                      data_format=b"NHWC", dilations=[1, 1, 1, 1])
        b = self.const(f"{name}/b", RNG.normal(size=cout).astype(np.float32))
        return self.node("BiasAdd", f"{name}/bias", [c, b], data_format=b"NHWC")


def _cnn_graph():
    g = G()
    x = g.placeholder("x", [None, 16, 16, 3])
    a = g.node("Relu", "a/relu", [g.conv("a", x, 3, 8)])
    p = g.node("MaxPool", "pool", [a], ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding=b"SAME",
               data_format=b"NHWC")
    b = g.node("Relu6", "b/relu6", [g.conv("b", p, 8, 8)])
    scale = g.const("scale", RNG.normal(size=(8,)).astype(np.float32))
    s = g.node("Mul", "scaled", [b, scale])
    res = g.node("AddV2", "residual", [s, p])
    pads = g.const("pads", np.array([[0, 0], [1, 1], [2, 0], [0, 0]], np.int32))
    padded = g.node("Pad", "pad", [res, pads], Tpaddings=I32)
    c = g.conv("c", padded, 8, 4, stride=2, padding=b"VALID")
    axis = g.const("axis", np.array(3, np.int32))
    cat = g.node("ConcatV2", "concat", [c, c, axis], N=2, Tidx=I32)
    sig = g.node("Sigmoid", "sig", [cat])
    d = g.node("DepthwiseConv2dNative", "dw", [sig, g.const("dw/w", RNG.normal(size=(3, 3, 8, 2))
                                                            .astype(np.float32))],
               strides=[1, 1, 1, 1], padding=b"SAME", data_format=b"NHWC", dilations=[1, 1, 1, 1])
    avg = g.node("AvgPool", "avg", [d], ksize=[1, 3, 3, 1], strides=[1, 1, 1, 1], padding=b"SAME",
                 data_format=b"NHWC")
    axes = g.const("axes", np.array([1, 2], np.int32))
    g.node("Mean", "mean", [avg, axes], keep_dims=False, Tidx=I32)
    g.node("Softmax", "probs", ["mean"])
    return g.g


def _both(graph_def, inputs, outputs, **kw):
    fast = convert_graph_def(graph_def, inputs, outputs, **kw)
    plain = convert_graph_def(graph_def, inputs, outputs, optimize=False, **kw)
    return fast, plain


def _run(model, feeds):
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


@pytest.mark.parametrize("opset", [13, None])
def test_cnn_chain_runs_channels_first_with_edge_transposes_only(opset):
    fast, plain = _both(_cnn_graph(), ["x:0"], ["probs:0", "mean:0"], opset=opset)
    assert plain.transposes >= 10
    assert fast.transposes <= 2, [n.op_type for n in fast.model.graph.node]
    x = RNG.normal(size=(2, 16, 16, 3)).astype(np.float32)
    for got, want in zip(_run(fast.model, {"x:0": x}), _run(plain.model, {"x:0": x})):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_nhwc_output_keeps_one_transpose_per_edge():
    # the conv output is a graph output in NHWC: one transpose in, one out
    fast, plain = _both(_cnn_graph(), ["x:0"], ["residual:0"])
    assert fast.transposes == 2
    x = RNG.normal(size=(1, 16, 16, 3)).astype(np.float32)
    np.testing.assert_allclose(_run(fast.model, {"x:0": x})[0], _run(plain.model, {"x:0": x})[0],
                               rtol=1e-5, atol=1e-5)


def test_inputs_as_nchw_removes_the_input_transpose():
    graph_def = _cnn_graph()
    fast = convert_graph_def(graph_def, ["x:0"], ["probs:0"], inputs_as_nchw=["x:0"])
    assert fast.transposes == 0
    plain = convert_graph_def(graph_def, ["x:0"], ["probs:0"])
    x = RNG.normal(size=(2, 16, 16, 3)).astype(np.float32)
    np.testing.assert_allclose(_run(fast.model, {"x:0": x.transpose(0, 3, 1, 2).copy()})[0],
                               _run(plain.model, {"x:0": x})[0], rtol=1e-5, atol=1e-6)


def _ograph(nodes, inputs, outputs, inits=None):
    ctx = ConversionContext(17)
    graph = OGraph(nodes, dict(inits or {}), inputs, outputs, ctx.namespace, 17)
    return graph


@pytest.mark.parametrize("keepdims", [0, 1])
@pytest.mark.parametrize("axes", [[1], [1, 2], [3], [0, 3]])
def test_reduce_axes_and_output_perm_are_remapped(axes, keepdims):
    perm = [0, 2, 3, 1]
    nodes = [ONode("Transpose", ["x"], ["t"], {"perm": perm}, "t"),
             ONode("ReduceSum", ["t", "axes"], ["r"], {"keepdims": keepdims}, "r"),
             ONode("Relu", ["r"], ["y"], {}, "y")]
    graph = _ograph(nodes, [("x", dtypes.float32, [2, 3, 4, 5])], [("y", dtypes.float32, None)],
                    {"axes": np.array(axes, np.int64)})
    x = RNG.normal(size=(2, 3, 4, 5)).astype(np.float32)
    want = np.maximum(np.transpose(x, perm).sum(axis=tuple(axes), keepdims=bool(keepdims)), 0)
    assert push_transposes(graph)
    model = graph.to_model(17)
    assert model.graph.node[0].op_type != "Transpose"
    np.testing.assert_allclose(_run(model, {"x": x})[0], want, rtol=1e-5, atol=1e-5)


def test_inverse_transposes_cancel_and_constants_are_permuted():
    nodes = [ONode("Transpose", ["x"], ["t"], {"perm": [0, 2, 3, 1]}, "t"),
             ONode("Add", ["t", "c"], ["a"], {}, "a"),
             ONode("Concat", ["a", "t"], ["cat"], {"axis": -1}, "cat"),
             ONode("Pad", ["cat", "pads"], ["p"], {"mode": "constant"}, "p"),
             ONode("Softmax", ["p"], ["s"], {"axis": 2}, "s"),
             ONode("Transpose", ["s"], ["y"], {"perm": [0, 3, 1, 2]}, "back")]
    c = RNG.normal(size=(5,)).astype(np.float32)
    pads = np.array([0, 1, 0, 0, 0, 0, 2, 0], np.int64)
    graph = _ograph(nodes, [("x", dtypes.float32, [2, 5, 3, 4])], [("y", dtypes.float32, None)],
                    {"c": c, "pads": pads})
    x = RNG.normal(size=(2, 5, 3, 4)).astype(np.float32)
    reference = _run(_ograph([ONode(n.op_type, list(n.inputs), list(n.outputs), dict(n.attrs), n.name)
                              for n in nodes], graph.inputs, graph.outputs,
                             {"c": c, "pads": pads}).to_model(17), {"x": x})[0]
    push_transposes(graph)
    model = graph.to_model(17)
    assert [n.op_type for n in model.graph.node].count("Transpose") == 0
    np.testing.assert_allclose(_run(model, {"x": x})[0], reference, rtol=1e-6)


def test_transpose_feeding_a_graph_output_stays():
    nodes = [ONode("Transpose", ["x"], ["y"], {"perm": [1, 0]}, "t")]
    graph = _ograph(nodes, [("x", dtypes.float32, [2, 3])], [("y", dtypes.float32, None)])
    assert not push_transposes(graph)
    assert [n.op_type for n in graph.nodes] == ["Transpose"]


@pytest.mark.interop
def test_tensorflow_cnn_matches_after_layout(tf):
    # A TF-built NHWC network through every layout-sensitive handler, against TF's own output.
    import tensorflow as real_tf

    rng = np.random.default_rng(3)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 12, 12, 3], name="x")
        w = tf.constant(rng.normal(size=(3, 3, 3, 8)).astype(np.float32) * 0.3)
        y = tf.nn.conv2d(x, w, strides=[1, 2, 2, 1], padding="SAME")
        y, _, _ = tf.nn.fused_batch_norm(y, *[tf.constant(v.astype(np.float32)) for v in (
            rng.uniform(0.5, 2, 8), rng.normal(size=8), rng.normal(size=8), rng.uniform(0.5, 2, 8))],
            is_training=False)
        y = tf.nn.relu6(y)
        dw = tf.constant(rng.normal(size=(3, 3, 8, 1)).astype(np.float32))
        y = tf.nn.depthwise_conv2d(y, dw, strides=[1, 1, 1, 1], padding="SAME")
        y = tf.nn.max_pool2d(y, 2, 1, "VALID")
        y = tf.compat.v1.image.resize_bilinear(y, [10, 10], half_pixel_centers=True)
        y = tf.concat([y, tf.nn.elu(y)], axis=3)
        y = tf.pad(y, [[0, 0], [1, 3], [0, 2], [0, 0]])
        y = tf.nn.space_to_depth(y, 2)
        y = tf.nn.avg_pool2d(y, 3, 1, "SAME")
        tf.reduce_mean(y, axis=[1, 2], name="out")
        feed = rng.normal(size=(2, 12, 12, 3)).astype(np.float32)
        with tf.Session(graph=graph) as sess:
            want = sess.run("out:0", {"x:0": feed})
    del real_tf
    graph_def = GraphDef.FromString(graph.as_graph_def().SerializeToString())
    result = convert_graph_def(graph_def, ["x:0"], ["out:0"])
    assert result.transposes <= 2, [n.op_type for n in result.model.graph.node]
    np.testing.assert_allclose(_run(result.model, {"x:0": feed})[0], want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("opset", [13, 18])
def test_resize_between_convs_keeps_channels_first(opset):
    g = G()
    x = g.placeholder("x", [None, 8, 8, 3])
    a = g.node("Relu", "a/relu", [g.conv("a", x, 3, 4)])
    size = g.const("size", np.array([12, 10], np.int32))
    r = g.node("ResizeBilinear", "resize", [a, size], half_pixel_centers=True, align_corners=False)
    g.conv("b", r, 4, 2)
    fast, plain = _both(g.g, ["x:0"], ["b/bias:0"], opset=opset)
    assert fast.transposes == 2, [n.op_type for n in fast.model.graph.node]
    feed = RNG.normal(size=(2, 8, 8, 3)).astype(np.float32)
    np.testing.assert_allclose(_run(fast.model, {"x:0": feed})[0], _run(plain.model, {"x:0": feed})[0],
                               rtol=1e-5, atol=1e-5)
