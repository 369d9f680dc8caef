"""The in-memory graph model over GraphDef: Graph, Operation, Tensor, import, freezing, saving."""

from __future__ import annotations

from ortflow.graph.core import (
    Graph,
    GraphKeys,
    Operation,
    Tensor,
    default_session_stack,
    get_default_graph,
    get_default_session,
    reset_default_graph,
)
from ortflow.graph.tensor_shape import TensorShape, as_shape, unknown_shape

__all__ = [
    "Graph",
    "GraphKeys",
    "Operation",
    "Tensor",
    "TensorShape",
    "as_shape",
    "unknown_shape",
    "default_session_stack",
    "get_default_graph",
    "get_default_session",
    "reset_default_graph",
]
