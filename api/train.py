"""`ortflow.train`: checkpoints, Saver, meta graphs and event reading, as `tf.compat.v1.train`."""

from __future__ import annotations

from ortflow.api.summary import summary_iterator
from ortflow.api.train_checkpoint import (
    CheckpointReader,
    NewCheckpointReader,
    checkpoint_exists,
    get_checkpoint_state,
    latest_checkpoint,
    list_variables,
    load_checkpoint,
    update_checkpoint_state,
    write_checkpoint,
)
from ortflow.formats.checkpoint_management import get_checkpoint_mtimes, remove_checkpoint
from ortflow.formats.graphs import write_graph
from ortflow.graph.meta_graph import export_meta_graph, import_meta_graph
from ortflow.graph.saver import Saver
from ortflow.proto import CheckpointState, SaverDef

__all__ = [
    "CheckpointReader", "CheckpointState", "NewCheckpointReader", "Saver", "SaverDef",
    "checkpoint_exists", "export_meta_graph", "get_checkpoint_mtimes", "get_checkpoint_state",
    "import_meta_graph", "latest_checkpoint", "list_variables", "load_checkpoint",
    "remove_checkpoint", "summary_iterator", "update_checkpoint_state", "write_checkpoint",
    "write_graph",
]
