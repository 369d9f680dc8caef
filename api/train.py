"""`ortflow.train`: checkpoints, Saver, meta graphs and event reading, as `tf.compat.v1.train`."""

from __future__ import annotations

from ortflow.api.device_setter import ClusterSpec, replica_device_setter
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
from ortflow.api.training_util import (
    cosine_decay,
    create_global_step,
    exponential_decay,
    get_global_step,
    get_or_create_global_step,
    global_step,
    inverse_time_decay,
    natural_exp_decay,
    piecewise_constant,
    polynomial_decay,
)
from ortflow.formats.checkpoint_management import get_checkpoint_mtimes, remove_checkpoint
from ortflow.formats.graphs import write_graph
from ortflow.graph.meta_graph import export_meta_graph, import_meta_graph
from ortflow.graph.saver import Saver
from ortflow.proto import (
    BytesList,
    CheckpointState,
    Example,
    Feature,
    FeatureList,
    FeatureLists,
    Features,
    FloatList,
    Int64List,
    SaverDef,
    SequenceExample,
)

__all__ = [
    "ClusterSpec", "cosine_decay", "create_global_step", "exponential_decay", "get_global_step",
    "get_or_create_global_step", "global_step", "inverse_time_decay", "load_variable",
    "natural_exp_decay", "piecewise_constant", "polynomial_decay", "replica_device_setter",
    "CheckpointReader", "CheckpointState", "NewCheckpointReader", "Saver", "SaverDef",
    "checkpoint_exists", "export_meta_graph", "get_checkpoint_mtimes", "get_checkpoint_state",
    "import_meta_graph", "latest_checkpoint", "list_variables", "load_checkpoint",
    "remove_checkpoint", "summary_iterator", "update_checkpoint_state", "write_checkpoint",
    "write_graph",
    "BytesList", "Example", "Feature", "FeatureList", "FeatureLists", "Features", "FloatList",
    "Int64List", "SequenceExample",
]


def load_variable(ckpt_dir_or_file, name):
    """The value of tensor `name` in a checkpoint (a prefix or a directory), as numpy."""
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name.removesuffix(":0"))


from ortflow.api.moving_averages import ExponentialMovingAverage, init_from_checkpoint  # noqa: E402

__all__ += ["ExponentialMovingAverage", "init_from_checkpoint"]
