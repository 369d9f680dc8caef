"""`ortflow.graph_util`: freezing and pruning GraphDefs, as `tf.compat.v1.graph_util`."""

from __future__ import annotations

from ortflow.graph import import_graph_def
from ortflow.graph.freeze import convert_variables_to_constants, freeze
from ortflow.graph.graph_util import (
    extract_sub_graph,
    must_run_on_cpu,
    remove_training_nodes,
    tensor_shape_from_node_def_name,
)

__all__ = [
    "convert_variables_to_constants", "extract_sub_graph", "freeze", "import_graph_def", "must_run_on_cpu",
    "remove_training_nodes", "tensor_shape_from_node_def_name",
]
