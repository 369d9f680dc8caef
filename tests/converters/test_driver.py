"""The convert pipeline: TF-side passes, error collection, names, opsets, inputs/outputs defaults."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from ortflow.converters import (
    UnsupportedOpsError,
    convert,
    convert_with_report,
    default_opset,
    passes_tf,
)
from ortflow.converters.driver import likely_inputs, likely_outputs
from ortflow.errors import ConversionError
from ortflow.formats.tensors import make_tensor_proto
from ortflow.proto import GraphDef

F32, I32, BOOL = 1, 3, 10


class G:
    """A tiny GraphDef builder for these tests."""

    def __init__(self):
        self.g = GraphDef()

    def node(self, op, name, inputs=(), **attrs):
        n = self.g.node.add(name=name, op=op, input=list(inputs))
        for k, v in attrs.items():
            if k == "T" or k == "dtype" or k == "DstT" or k == "SrcT":
                n.attr[k].type = v
            elif isinstance(v, bool):
                n.attr[k].b = v
            elif isinstance(v, float):
                n.attr[k].f = v
            elif isinstance(v, int):
                n.attr[k].i = v
            elif isinstance(v, bytes):
                n.attr[k].s = v
            elif isinstance(v, list):
                n.attr[k].list.i.extend(v)
        return name

    def placeholder(self, name, shape, dtype=F32):
        self.node("Placeholder", name, dtype=dtype)
        n = self.g.node[-1]
        for d in shape:
            n.attr["shape"].shape.dim.add(size=-1 if d is None else d)
        return name

    def const(self, name, value):
        value = np.asarray(value)
        n = self.g.node.add(name=name, op="Const")
        n.attr["dtype"].type = {np.dtype(np.float32): F32, np.dtype(np.int32): I32,
                                np.dtype(np.bool_): BOOL}[value.dtype]
        n.attr["value"].tensor.CopyFrom(make_tensor_proto(value))
        return name


def _run(model, feeds):
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


def _relu_graph():
    g = G()
    g.placeholder("x", [None, 3])
    g.node("Identity", "x_id", ["x"], T=F32)
    g.node("Relu", "relu", ["x_id"], T=F32)
    g.node("StopGradient", "sg", ["relu"], T=F32)
    g.node("Identity", "out", ["sg"], T=F32)
    return g.g


def test_names_are_tf_tensor_names_and_identities_go():
    model = convert(_relu_graph(), ["x:0"], ["out:0"])
    assert [i.name for i in model.graph.input] == ["x:0"]
    assert [o.name for o in model.graph.output] == ["out:0"]
    assert [n.op_type for n in model.graph.node] == ["Relu", "Identity"]
    x = np.array([[-1, 0, 2]], np.float32)
    np.testing.assert_array_equal(_run(model, {"x:0": x})[0], np.maximum(x, 0))


def test_unknown_batch_dim_is_symbolic():
    model = convert(_relu_graph(), ["x:0"], ["out:0"])
    dims = model.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param and dims[1].dim_value == 3
    assert model.graph.output[0].type.tensor_type.shape.dim[1].dim_value == 3


def test_defaults_find_inputs_and_outputs():
    g = _relu_graph()
    assert likely_inputs(g) == ["x:0"]
    assert likely_outputs(g) == ["out:0"]
    model = convert(g)
    assert [o.name for o in model.graph.output] == ["out:0"]


@pytest.mark.parametrize("opset", [13, 17, 18, 21, None])
def test_opsets(opset):
    g = G()
    g.placeholder("x", [None, 4, 4, 2])
    g.const("axes", np.array([1, 2], np.int32))
    g.node("Mean", "mean", ["x", "axes"], T=F32, Tidx=I32, keep_dims=False)
    n = g.g.node[-1]
    n.attr["Tidx"].type = I32
    g.node("Relu6", "out", ["mean"], T=F32)
    model = convert(g.g, ["x:0"], ["out:0"], opset=opset)
    assert model.opset_import[0].version == (opset or default_opset())
    x = np.random.default_rng(0).normal(size=(2, 4, 4, 2)).astype(np.float32) * 10
    np.testing.assert_allclose(_run(model, {"x:0": x})[0], np.clip(x.mean(axis=(1, 2)), 0, 6), rtol=1e-5)


def test_default_opset_is_between_13_and_what_onnx_knows():
    assert 21 <= default_opset() <= onnx.defs.onnx_opset_version()


def test_opset_below_13_is_refused():
    with pytest.raises(ConversionError, match="opset 11"):
        convert(_relu_graph(), ["x:0"], ["out:0"], opset=11)


def test_every_unsupported_op_and_failure_is_reported_together():
    g = G()
    g.placeholder("x", [None, 3])
    g.node("FancyOp", "a", ["x"], T=F32)
    g.node("FancyOp", "b", ["a"], T=F32)
    g.node("OtherOp", "c", ["b"], T=F32)
    g.node("Conv2D", "conv", ["c", "x"], T=F32, padding=b"WEIRD", strides=[1, 1, 1, 1])
    with pytest.raises(UnsupportedOpsError) as info:
        convert(g.g, ["x:0"], ["conv:0"])
    e = info.value
    assert e.unsupported == {"FancyOp": ["a", "b"], "OtherOp": ["c"]}
    assert [(op, name) for op, name, _ in e.failures] == [("Conv2D", "conv")]
    text = str(e)
    assert "FancyOp x2" in text and "'a'" in text and "OtherOp x1" in text and "Conv2D" in text
    assert isinstance(e, ConversionError)


def test_missing_output_name_is_a_clear_error():
    with pytest.raises(ConversionError, match="'nope:0'"):
        convert(_relu_graph(), ["x:0"], ["nope:0"])


def test_feeding_an_inner_tensor_cuts_the_graph_above_it():
    g = G()
    g.placeholder("x", [None, 3])
    g.node("FancyOp", "a", ["x"], T=F32)  # unsupported, but cut off by feeding a:0
    g.node("Relu", "out", ["a"], T=F32)
    shape = g.g.node[1].attr["_output_shapes"].list.shape.add()
    shape.dim.add(size=-1)
    shape.dim.add(size=3)
    model = convert(g.g, ["a:0"], ["out:0"])
    assert [i.name for i in model.graph.input] == ["a:0"]
    x = np.array([[-1, 2, 3]], np.float32)
    np.testing.assert_array_equal(_run(model, {"a:0": x})[0], np.maximum(x, 0))


def _cond_graph():
    # out = Merge(Switch(x, pred)[1] * 2, Switch(x, pred)[0] - 1)  with pred a PlaceholderWithDefault
    g = G()
    g.placeholder("x", [None, 3])
    g.const("pred_default", np.array(True))
    g.node("PlaceholderWithDefault", "pred", ["pred_default"], dtype=BOOL)
    g.g.node[-1].attr["shape"].shape.SetInParent()
    g.node("Switch", "sw", ["x", "pred"], T=F32)
    g.const("two", np.array(2, np.float32))
    g.const("one", np.array(1, np.float32))
    g.node("Mul", "t", ["sw:1", "two"], T=F32)
    g.node("Sub", "f", ["sw", "one"], T=F32)
    g.node("Merge", "merge", ["f", "t"], T=F32, N=2)
    g.node("Identity", "out", ["merge"], T=F32)
    return g.g


def test_switch_merge_on_unfed_placeholder_with_default_takes_the_default_branch():
    model = convert(_cond_graph(), ["x:0"], ["out:0"])
    ops = [n.op_type for n in model.graph.node]
    assert "If" not in ops and "Sub" not in ops
    x = np.array([[1, 2, 3]], np.float32)
    np.testing.assert_array_equal(_run(model, {"x:0": x})[0], x * 2)


def test_constant_false_predicate_takes_the_other_branch():
    g = _cond_graph()
    for n in g.node:
        if n.name == "pred_default":
            n.attr["value"].tensor.CopyFrom(make_tensor_proto(np.array(False)))
    model = convert(g, ["x:0"], ["out:0"])
    x = np.array([[1, 2, 3]], np.float32)
    np.testing.assert_array_equal(_run(model, {"x:0": x})[0], x - 1)


def test_passes_report_changes_and_leave_the_input_alone():
    g = _relu_graph()
    before = g.SerializeToString()
    out, changed = passes_tf.remove_identities(g, ["out:0"])
    assert changed and [n.name for n in out.node] == ["x", "relu", "out"]
    assert g.SerializeToString() == before
    _, changed = passes_tf.prune(out, ["x:0"], ["out:0"])
    assert not changed


def test_constants_fold_into_one_initializer():
    g = G()
    g.placeholder("x", [None, 3])
    g.const("a", np.array([1, 2, 3], np.float32))
    g.const("b", np.array([4, 5, 6], np.float32))
    g.node("AddV2", "ab", ["a", "b"], T=F32)
    g.node("Mul", "out", ["x", "ab"], T=F32)
    result = convert_with_report(g.g, ["x:0"], ["out:0"])
    assert [n.op_type for n in result.model.graph.node] == ["Mul"]
    assert len(result.model.graph.initializer) == 1
    np.testing.assert_array_equal(onnx.numpy_helper.to_array(result.model.graph.initializer[0]),
                                  [5, 7, 9])


def test_graph_with_uncovered_placeholder_is_reported():
    g = G()
    g.placeholder("x", [None, 3])
    g.placeholder("y", [None, 3])
    g.node("AddV2", "out", ["x", "y"], T=F32)
    with pytest.raises(UnsupportedOpsError, match="'y' is read by the outputs"):
        convert(g.g, ["x:0"], ["out:0"])


def test_inputs_as_nchw_must_name_an_input():
    with pytest.raises(ConversionError, match="inputs_as_nchw"):
        convert(_relu_graph(), ["x:0"], ["out:0"], inputs_as_nchw=["zzz:0"])


def test_meta_graph_with_checkpoint_is_frozen_on_the_way(data_dir):
    import json

    manifest = json.loads((data_dir / "mlp" / "manifest.json").read_text())
    model = convert(str(data_dir / "mlp" / manifest["files"]["meta"]), inputs=manifest["inputs"],
                    outputs=manifest["outputs"])
    inputs = np.load(data_dir / "mlp" / "inputs.npz")
    expected = np.load(data_dir / "mlp" / "expected.npz")
    got = _run(model, {"input:0": inputs["input:0"]})[0]
    np.testing.assert_allclose(got, expected["output:0"], rtol=1e-4, atol=1e-5)


def test_saved_model_uses_its_signature(data_dir):
    model = convert(str(data_dir / "saved_model" / "saved_model"))
    assert [i.name for i in model.graph.input] == ["x:0"]
    assert [o.name for o in model.graph.output] == ["y:0"]
    inputs = np.load(data_dir / "saved_model" / "inputs.npz") if (data_dir / "saved_model" / "inputs.npz").exists() else None
    if inputs is not None:
        expected = np.load(data_dir / "saved_model" / "expected.npz")
        got = _run(model, {"x:0": inputs[list(inputs.keys())[0]]})[0]
        np.testing.assert_allclose(got, expected[list(expected.keys())[0]], rtol=1e-4, atol=1e-5)


def test_unknown_rank_input_and_output_carry_no_shape_and_run_at_any_rank():
    g = G()
    g.node("Placeholder", "x", dtype=F32)
    g.g.node[-1].attr["shape"].shape.unknown_rank = True
    g.node("Relu", "out", ["x"], T=F32)
    model = convert(g.g, ["x:0"], ["out:0"])
    assert not model.graph.input[0].type.tensor_type.HasField("shape")
    assert not model.graph.output[0].type.tensor_type.HasField("shape")
    for x in (np.array([-1, 2], np.float32), np.array([[[-3.0]], [[4.0]]], np.float32)):
        np.testing.assert_array_equal(_run(model, {"x:0": x})[0], np.maximum(x, 0))


def test_output_of_unknown_rank_from_known_rank_inputs():
    # out = Reshape(x, shape) with `shape` fed: its rank is known to nobody
    g = G()
    g.placeholder("x", [None])
    g.placeholder("shape", [None], dtype=I32)
    g.node("Reshape", "out", ["x", "shape"], T=F32)
    g.g.node[-1].attr["Tshape"].type = I32
    model = convert(g.g, ["x:0", "shape:0"], ["out:0"])
    x = np.arange(6, dtype=np.float32)
    got = _run(model, {"x:0": x, "shape:0": np.array([2, 3], np.int32)})[0]
    np.testing.assert_array_equal(got, x.reshape(2, 3))


def test_unknown_dims_of_two_inputs_are_independent():
    g = G()
    g.placeholder("x", [None, 3])
    g.placeholder("y", [None, 2])
    g.node("Relu", "a", ["x"], T=F32)
    g.node("Relu", "b", ["y"], T=F32)
    model = convert(g.g, ["x:0", "y:0"], ["a:0", "b:0"])
    names = [i.type.tensor_type.shape.dim[0].dim_param for i in model.graph.input]
    assert names[0] and names[1] and names[0] != names[1]
    x, y = np.ones((1, 3), np.float32), -np.ones((4, 2), np.float32)
    a, b = _run(model, {"x:0": x, "y:0": y})
    assert a.shape == (1, 3) and b.shape == (4, 2)


def test_random_ops_lower_the_default_opset_to_what_onnxruntime_runs():
    from ortflow.converters.driver import RANDOM_MAX_OPSET

    g = G()
    g.const("shape", np.array([3], np.int32))
    g.node("RandomUniform", "u", ["shape"], T=I32, dtype=F32, seed=1, seed2=2)
    report = convert_with_report(g.g, [], ["u:0"])
    assert report.opset == min(default_opset(), RANDOM_MAX_OPSET)
    (u,) = _run(report.model, {})
    assert u.shape == (3,) and ((0 <= u) & (u < 1)).all()
    assert convert_with_report(_relu_graph(), ["x:0"], ["out:0"]).opset == default_opset()


@pytest.mark.parametrize("op", ["RandomUniform", "RandomStandardNormal", "TruncatedNormal"])
def test_scalar_shaped_random_draw_is_a_scalar(op):
    g = G()
    g.const("shape", np.zeros(0, np.int32))
    g.node(op, "u", ["shape"], T=I32, dtype=F32, seed=1, seed2=2)
    (u,) = _run(convert(g.g, [], ["u:0"]), {})
    assert u.shape == () and np.isfinite(u)


def test_op_seeds_under_one_graph_seed_give_unrelated_draws():
    # tf.image.random_flip_left_right(x, seed=i) for i in 0..15: seed=graph default, seed2=i
    g = G()
    g.const("shape", np.array([1], np.int32))
    names = []
    for i in range(16):
        names.append(g.node("RandomUniform", f"u{i}", ["shape"], T=I32, dtype=F32,
                            seed=87654321, seed2=i) + ":0")
    draws = np.concatenate(_run(convert(g.g, [], names), {}))
    assert (draws < 0.5).any() and (draws >= 0.5).any(), draws


C64 = 8


def _fft_abs_graph(x_node):
    g = G()
    x_node(g)
    g.node("FFT", "spectrum", ["x"], Tcomplex=C64)
    g.g.node[-1].attr["Tcomplex"].type = C64
    g.node("ComplexAbs", "out", ["spectrum"], T=C64, Tout=F32)
    g.g.node[-1].attr["T"].type = C64
    g.node("Real", "re", ["spectrum"], T=C64, Tout=F32)
    g.g.node[-1].attr["T"].type = C64
    for n in g.g.node[-2:]:
        n.attr["Tout"].type = F32
    return g.g


def test_fft_of_a_complex_constant():
    signal = np.array([1.0, 2.0j, 0.0, -1.0], np.complex64)

    def constant(g):
        n = g.g.node.add(name="x", op="Const")
        n.attr["dtype"].type = C64
        n.attr["value"].tensor.CopyFrom(make_tensor_proto(signal))

    model = convert(_fft_abs_graph(constant), [], ["out:0", "re:0"])
    magnitude, real = _run(model, {})
    np.testing.assert_allclose(magnitude, np.abs(np.fft.fft(signal)), atol=1e-5)
    np.testing.assert_allclose(real, np.fft.fft(signal).real, atol=1e-5)


def test_complex_graph_input_is_declared_as_real_pairs():
    def placeholder(g):
        g.placeholder("x", [4], dtype=C64)

    model = convert(_fft_abs_graph(placeholder), ["x:0"], ["out:0", "spectrum:0"])
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    assert model.graph.input[0].type.tensor_type.elem_type == F32 and dims == [4, 2]
    signal = np.array([1.0, 2.0j, 0.0, -1.0], np.complex64)
    pairs = np.stack([signal.real, signal.imag], axis=-1)
    magnitude, spectrum = _run(model, {"x:0": pairs})
    np.testing.assert_allclose(magnitude, np.abs(np.fft.fft(signal)), atol=1e-5)
    assert spectrum.shape == (4, 2)
    np.testing.assert_allclose(spectrum[:, 0] + 1j * spectrum[:, 1], np.fft.fft(signal), atol=1e-5)


def _cond_of_two_constants(pred_default=None):
    # out = tf.cond(p, lambda: 1.0, lambda: 2.0) as TF 1.x builds it: each branch's constant
    # hangs on its side's pivot by a control input only
    g = G()
    if pred_default is None:
        g.placeholder("p", [], dtype=BOOL)
    else:
        g.const("p_default", np.array(pred_default))
        g.node("PlaceholderWithDefault", "p", ["p_default"], dtype=BOOL)
        g.g.node[-1].attr["shape"].shape.SetInParent()
    g.node("Switch", "cond/Switch", ["p", "p"], T=BOOL)
    g.node("Identity", "cond/switch_t", ["cond/Switch:1"], T=BOOL)
    g.node("Identity", "cond/switch_f", ["cond/Switch"], T=BOOL)
    g.const("cond/Const", np.array(1.0, np.float32))
    g.g.node[-1].input.append("^cond/switch_t")
    g.const("cond/Const_1", np.array(2.0, np.float32))
    g.g.node[-1].input.append("^cond/switch_f")
    g.node("Merge", "cond/Merge", ["cond/Const_1", "cond/Const"], T=F32, N=2)
    g.node("Identity", "out", ["cond/Merge"], T=F32)
    return g.g


def test_cond_whose_branches_are_both_constants_keeps_its_predicate():
    model = convert(_cond_of_two_constants(), ["p:0"], ["out:0"])
    for p, want in ((True, 1.0), (False, 2.0)):
        assert _run(model, {"p:0": np.array(p)})[0] == want


@pytest.mark.parametrize(("pred", "want"), [(True, 1.0), (False, 2.0)])
def test_cond_of_two_constants_with_a_constant_predicate_folds(pred, want):
    model = convert(_cond_of_two_constants(pred), [], ["out:0"])
    assert "If" not in [n.op_type for n in model.graph.node]
    assert _run(model, {})[0] == want
