"""TensorFlow-named checkpoint functions, exposed as `ortflow.train.*`.

`load_checkpoint`, `list_variables`, `latest_checkpoint`, `get_checkpoint_state` and
`checkpoint_exists` behave as in `tf.train`; `write_checkpoint` is ortflow's own: it writes
name -> numpy array mappings as a checkpoint that TensorFlow restores bit-exactly.

Tensors returned by `CheckpointReader.get_tensor` are read-only views of the memory-mapped
data file (pass `copy=True` for a writable copy); string tensors are object arrays of bytes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ortflow.formats import checkpoint_management as _cm
from ortflow.formats.bundle import BundleReader, write_bundle
from ortflow.formats.checkpoint_v1 import open_checkpoint
from ortflow.proto import CheckpointState

__all__ = [
    "CheckpointReader",
    "NewCheckpointReader",
    "checkpoint_exists",
    "get_checkpoint_state",
    "latest_checkpoint",
    "list_variables",
    "load_checkpoint",
    "update_checkpoint_state",
    "write_checkpoint",
]

#: The reader `load_checkpoint` returns (TensorFlow's `CheckpointReader` methods and more:
#: `get_slice_keys`, `get_tensor_slice`, `tensor_names`, `close`).
CheckpointReader = BundleReader


def load_checkpoint(ckpt_dir_or_file: str | os.PathLike, *, verify_checksums: bool = True) -> BundleReader:
    """A reader for the checkpoint at a prefix, or the latest one in a directory.

    V2 (TensorBundle) checkpoints give a `BundleReader`, V1 (tensor slice) ones a
    `TensorSliceReader` with the same read methods.

    Raises:
        NotFoundError: no checkpoint there.
        FormatError: the checkpoint (or the directory's state file) is malformed.
    """
    return open_checkpoint(_cm.resolve_checkpoint(ckpt_dir_or_file), verify_checksums=verify_checksums)


def NewCheckpointReader(filepattern: str | os.PathLike) -> BundleReader:
    """TensorFlow 1.x's name for `load_checkpoint`."""
    return load_checkpoint(filepattern)


def list_variables(ckpt_dir_or_file: str | os.PathLike) -> list[tuple[str, list[int]]]:
    """Sorted (name, shape) of every tensor in the checkpoint."""
    with load_checkpoint(ckpt_dir_or_file, verify_checksums=False) as reader:
        return sorted(reader.get_variable_to_shape_map().items())


def latest_checkpoint(checkpoint_dir: str | os.PathLike, latest_filename: str | None = None) -> str | None:
    """The newest checkpoint prefix recorded in `DIR/checkpoint`, or None.

    When the recorded (often absolute) path does not exist but the same file name does inside
    `checkpoint_dir`, that is returned, with a warning on stderr (TensorFlow returns None).
    """
    return _cm.latest_checkpoint(os.fspath(checkpoint_dir), latest_filename)


def get_checkpoint_state(checkpoint_dir: str | os.PathLike, latest_filename: str | None = None
                         ) -> CheckpointState | None:
    """The parsed `DIR/checkpoint` with relative paths resolved; None if absent or unparseable."""
    return _cm.get_checkpoint_state(os.fspath(checkpoint_dir), latest_filename)


def update_checkpoint_state(save_dir: str, model_checkpoint_path: str,
                            all_model_checkpoint_paths: list[str] | None = None,
                            latest_filename: str | None = None) -> None:
    """Writes `SAVE_DIR/checkpoint` (atomically; paths stored relative to `save_dir`)."""
    _cm.update_checkpoint_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths, latest_filename)


def checkpoint_exists(checkpoint_prefix: str | os.PathLike) -> bool:
    """Whether a checkpoint (V2 `.index` or V1 file) exists at the prefix."""
    return _cm.checkpoint_exists(os.fspath(checkpoint_prefix))


def write_checkpoint(prefix: str | os.PathLike, tensors: Mapping[str, object], num_shards: int = 1, *,
                     write_state: bool = True, fsync: bool = False) -> str:
    """Writes `tensors` (name -> numpy array, bytes/str or array of them) as a checkpoint.

    The files are what `tf.compat.v1.train.Saver().save` writes for the same values (byte for
    byte with one shard). Data files are renamed into place first, the index next, and then
    (with `write_state`) the directory's `checkpoint` file is updated to name this prefix last,
    keeping the checkpoints it already listed.

    Returns:
        The prefix written.
    """
    prefix = os.fspath(prefix)
    write_bundle(prefix, tensors, num_shards=num_shards, fsync=fsync)
    if write_state:
        _cm.add_to_checkpoint_state(prefix, fsync=fsync)
    return prefix
