"""plan_subgraph: only what the signature needs is lowered; state ops become inputs and outputs."""

from __future__ import annotations

import numpy as np
import pytest
from ortflow.api import ops_builder as b
from ortflow.errors import InvalidArgumentError, NotFoundError
from ortflow.formats import dtypes
from ortflow.graph import Graph
from ortflow.runtime.lowering import GraphIndex, format_shape, plan_subgraph


def _graph():
    g = Graph()
    with g.as_default():
        x = b.placeholder(dtypes.float32, b.shape_attr([None, 2]), name="x")
        unused = b.placeholder(dtypes.float32, b.shape_attr([3]), name="unused")
        w = b.apply_op_output("VariableV2", [], {"dtype": dtypes.float32, "shape": b.shape_attr([2])},
                              name="w")
        b.apply_op_output("Assign", [w, b.constant(np.ones(2, np.float32), name="w/init")], name="w/Assign")
        h = b.apply_op_output("Mul", [x, w], name="h")
        b.apply_op_output("AddV2", [h, b.constant(np.float32(1), name="one")], name="y")
        b.apply_op_output("Neg", [unused], name="other")
    return GraphIndex(g.as_graph_def())


def _names(plan):
    return {n.name for n in plan.graph_def.node}


def test_only_the_needed_nodes_are_lowered():
    plan = plan_subgraph(_graph(), ["x:0"], ["y:0"], [])
    assert _names(plan) == {"x", "w", "h", "one", "y"}
    assert plan.feed_inputs == [("x:0", "x:0")]
    assert plan.variable_inputs == [("w:0", "w")]
    assert plan.outputs == ["y:0"] and plan.updates == []
    w = next(n for n in plan.graph_def.node if n.name == "w")
    assert w.op == "Placeholder"


def test_feeding_an_intermediate_tensor_cuts_above_it():
    plan = plan_subgraph(_graph(), ["h:0"], ["y:0"], [])
    assert _names(plan) == {"h", "one", "y"}
    assert plan.variable_inputs == []


def test_target_assign_becomes_an_update_output_without_reading_the_variable():
    plan = plan_subgraph(_graph(), [], [], ["w/Assign"])
    assert plan.variable_inputs == []
    assert plan.updates == [("w/Assign:0", "w")]
    assign = next(n for n in plan.graph_def.node if n.name == "w/Assign")
    assert assign.op == "Identity" and list(assign.input) == ["w/init"]


def test_passthrough_fetches():
    plan = plan_subgraph(_graph(), ["x:0"], ["x:0", "w:0"], [])
    assert plan.passthrough == {"x:0": ("feed", "x:0"), "w:0": ("variable", "w")}
    assert plan.is_empty


def test_errors():
    index = _graph()
    with pytest.raises(InvalidArgumentError, match="placeholder tensor 'x'"):
        plan_subgraph(index, [], ["y:0"], [])
    with pytest.raises(NotFoundError, match="'nope:0'"):
        plan_subgraph(index, [], ["nope:0"], [])
    with pytest.raises(NotFoundError, match="only has 1 outputs"):
        plan_subgraph(index, [], ["y:3"], [])
    with pytest.raises(NotFoundError, match="'nope'"):
        plan_subgraph(index, [], [], ["nope"])


@pytest.mark.parametrize("shape, text", [((None, 4), "(?, 4)"), ((3,), "(3,)"), (None, "<unknown>"),
                                         ((), "()")])
def test_format_shape(shape, text):
    assert format_shape(shape) == text
