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
