"""The numpy interpreter: graph order, v1 cond dead-branch semantics, errors tied to nodes."""

from __future__ import annotations

import numpy as np
import pytest
from ortflow.errors import InvalidArgumentError, OpError
from ortflow.formats.tensors import make_tensor_proto
from ortflow.proto import GraphDef, NodeDef
from ortflow.runtime.interpreter import Interpreter, missing_kernels


def _node(name, op, inputs=(), **attrs):
    node = NodeDef(name=name, op=op, input=list(inputs))
    for key, value in attrs.items():
        if key == "value":
            node.attr["value"].tensor.CopyFrom(make_tensor_proto(value))
            node.attr["dtype"].type = node.attr["value"].tensor.dtype
        else:
            node.attr[key].type = value
    return node


def _cond_graph():
    """Switch(x, pred) -> (x - 1 | x + 1) -> Merge, nodes listed consumers first."""
    g = GraphDef()
    g.node.extend([
        _node("out", "Merge", ["minus", "plus"], T=1),
        _node("minus", "Sub", ["sw", "one"], T=1),
        _node("plus", "AddV2", ["sw:1", "one"], T=1),
        _node("sw", "Switch", ["x", "pred"], T=1),
        _node("one", "Const", value=np.float32(1)),
        _node("x", "Placeholder", dtype=1),
        _node("pred", "Placeholder", dtype=10),
    ])
    return g


@pytest.mark.parametrize("pred, want, branch", [(True, 3.0, 1), (False, 1.0, 0)])
def test_switch_merge_takes_one_branch(pred, want, branch):
    interp = Interpreter(_cond_graph(), ["out:0", "out:1"])
    value, index = interp.run({"x:0": np.float32(2), "pred:0": np.bool_(pred)})
    assert value == want and index == branch


def test_fetching_the_untaken_branch_is_an_error():
    interp = Interpreter(_cond_graph(), ["minus:0"])
    with pytest.raises(InvalidArgumentError, match="'minus:0' does not have a value"):
        interp.run({"x:0": np.float32(2), "pred:0": np.bool_(True)})


def test_kernel_failure_names_the_node():
    g = GraphDef()
    g.node.extend([_node("a", "Placeholder", dtype=1), _node("c", "Placeholder", dtype=1),
                   _node("sum", "AddV2", ["a", "c"], T=1)])
    with pytest.raises(OpError, match="'sum'"):
        Interpreter(g, ["sum:0"]).run({"a:0": np.ones((2, 3), np.float32),
                                       "c:0": np.ones((4, 5), np.float32)})


def test_missing_kernels_lists_op_types_without_one():
    from ortflow.graph.ops import has_kernel

    g = _cond_graph()
    g.node.append(_node("odd", "BarrierTakeMany"))
    missing = missing_kernels(g)
    assert ("BarrierTakeMany" in missing) == (not has_kernel("BarrierTakeMany"))
    assert "Switch" not in missing and "Merge" not in missing


# op type -> numpy reference, for ops that may have a numpy kernel but no ONNX handler
_FALLBACK_CANDIDATES = {
    "Atan2": (np.float32, np.arctan2),
    "MulNoNan": (np.float32, lambda a, c: np.where(c == 0, 0, a * c).astype(np.float32)),
    "BitwiseXor": (np.int32, np.bitwise_xor),
    "BitwiseAnd": (np.int32, np.bitwise_and),
}


def test_session_falls_back_to_the_interpreter_for_ops_without_handler():
    from ortflow.api import ops_builder as b
    from ortflow.converters.registry import registered_ops
    from ortflow.formats import dtypes
    from ortflow.graph import Graph
    from ortflow.graph.ops import has_kernel
    from ortflow.runtime import Session

    handled = registered_ops()
    usable = [op for op in _FALLBACK_CANDIDATES if has_kernel(op) and op not in handled]
    if not usable:
        pytest.skip(f"every candidate op {sorted(_FALLBACK_CANDIDATES)} now has an ONNX handler or "
                    "no kernel; the fallback needs an op with a kernel and no handler to be shown")
    op = usable[0]
    np_dtype, reference = _FALLBACK_CANDIDATES[op]
    dtype = dtypes.as_dtype(np_dtype)
    g = Graph()
    with g.as_default():
        a = b.placeholder(dtype, b.shape_attr([None]), name="a")
        c = b.placeholder(dtype, b.shape_attr([None]), name="c")
        out = b.apply_op_output(op, [a, c], name="out")
        b.apply_op_output("AddV2", [out, b.constant(np_dtype(1), name="one")], name="plus")
    av = np.array([1.0, -2.0, 5], np_dtype)
    cv = np.array([0.0, 3.0, -1.0], np_dtype)
    with Session(graph=g, providers="cpu") as sess:
        got = sess.run("plus:0", {"a:0": av, "c:0": cv})
        assert sess.last_run_backend == "numpy"
    np.testing.assert_allclose(got, reference(av, cv) + 1, rtol=1e-6)


def test_binary_string_outputs_run_on_the_interpreter():
    """A summary of constants folds to binary bytes onnxruntime cannot return as a string."""
    from ortflow.api import ops_builder as b
    from ortflow.graph import Graph
    from ortflow.graph.ops import has_kernel
    from ortflow.proto import Summary
    from ortflow.runtime import Session

    if not has_kernel("ScalarSummary"):
        pytest.fail("ScalarSummary has no numpy kernel in ortflow.graph.ops")
    g = Graph()
    with g.as_default():
        b.apply_op_output("ScalarSummary", [b.constant(b"loss", name="tag"),
                                            b.constant(np.float32(0.875), name="value")], name="s")
    with Session(graph=g, providers="cpu") as sess:
        raw = sess.run("s:0")
        assert sess.last_run_backend == "numpy"
    summary = Summary.FromString(raw)
    assert summary.value[0].tag == "loss" and summary.value[0].simple_value == 0.875
