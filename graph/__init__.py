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
from ortflow.graph.importer import import_graph_def
from ortflow.graph.variables import Variable
from ortflow.graph.meta_graph import export_meta_graph, import_meta_graph
from ortflow.graph.saver import Saver
from ortflow.graph.freeze import convert_variables_to_constants, freeze

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
    "import_graph_def",
    "Variable",
    "import_meta_graph",
    "export_meta_graph",
    "Saver",
    "convert_variables_to_constants",
    "freeze",
]
