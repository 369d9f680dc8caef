"""Saver bookkeeping: checkpoint prefixes and file names, the latest checkpoint, and retention.

`CheckpointKeeper` is what a Saver calls after each save (`record(prefix)`): it updates the
`checkpoint` state file and deletes checkpoints past `max_to_keep`, as `tf.compat.v1.train.Saver`
does, with one difference on purpose: it only ever deletes files of checkpoints that it recorded
itself (or that were recovered from a state file and are real checkpoints), inside the saving
directory, and only the files a checkpoint consists of (`.index`, `.data-*-of-*`, `.meta`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import struct
import time
import warnings
from collections.abc import Iterable

from ortflow.errors import FormatError, NotFoundError
from ortflow.formats import state as state_file
from ortflow.formats.table import FOOTER_SIZE, MAGIC
from ortflow.proto import CheckpointState

__all__ = [
    "CheckpointKeeper",
    "CheckpointPathWarning",
    "add_to_checkpoint_state",
    "checkpoint_exists",
    "checkpoint_prefix",
    "get_checkpoint_mtimes",
    "get_checkpoint_state",
    "latest_checkpoint",
    "meta_graph_filename",
    "remove_checkpoint",
    "resolve_checkpoint",
    "update_checkpoint_state",
    "v1_checkpoint_files",
]

_DATA_RE = re.compile(r"\.data-\d{5}-of-\d{5}$")
_SHARD_SUFFIX_RE = re.compile(r"-[\d?]+-of-\d+$")


class CheckpointPathWarning(UserWarning):
    """A `checkpoint` file named a path that does not exist, and ortflow used another."""


def checkpoint_prefix(save_path: str, global_step: int | None = None, *, pad_step_number: bool = False) -> str:
    """`save_path`, or `save_path-STEP` (`-%08d` with `pad_step_number`), as Saver names it."""
    if global_step is None:
        return os.fspath(save_path)
    step = int(global_step)
    return f"{os.fspath(save_path)}-{step:08d}" if pad_step_number else f"{os.fspath(save_path)}-{step}"


def meta_graph_filename(checkpoint_filename: str, meta_graph_suffix: str = "meta") -> str:
    """`model.ckpt-1000` -> `model.ckpt-1000.meta` (a `-00000-of-00002` shard suffix is dropped)."""
    return _SHARD_SUFFIX_RE.sub("", os.fspath(checkpoint_filename)) + "." + meta_graph_suffix


def checkpoint_exists(prefix: str) -> bool:
    """Whether a V2 (`PREFIX.index`) or V1 (a table file named `PREFIX`, or its shards)
    checkpoint exists."""
    prefix = os.fspath(prefix)
    return os.path.isfile(prefix + ".index") or bool(v1_checkpoint_files(prefix))


_V1_SHARDS = "-?????-of-?????"
_GLOB_CHARS = re.compile(r"[*?\[]")


def v1_checkpoint_files(prefix: str) -> list[str]:
    """The table files of the V1 checkpoint `prefix`: the file itself, the files of a shard glob
    (`model.ckpt-?????-of-00002`), or the shards `PREFIX-?????-of-?????`; empty when none is a
    sorted string table (a `.meta` or any other file is not taken for a checkpoint)."""
    prefix = os.fspath(prefix)
    if _GLOB_CHARS.search(os.path.basename(prefix)):
        candidates = glob.glob(prefix)
    elif os.path.isfile(prefix):
        candidates = [prefix]
    else:
        candidates = glob.glob(glob.escape(prefix) + _V1_SHARDS)
    return sorted(f for f in candidates if os.path.isfile(f) and _looks_like_index(f))


def get_checkpoint_mtimes(prefixes: Iterable[str]) -> list[float]:
    """Modification times of the checkpoints that exist (their `.index`, else the V1 file)."""
    times = []
    for prefix in prefixes:
        for candidate in (prefix + ".index", prefix):
            with contextlib.suppress(OSError):
                times.append(os.stat(candidate).st_mtime)
                break
    return times


def get_checkpoint_state(checkpoint_dir: str, latest_filename: str | None = None) -> CheckpointState | None:
    """TensorFlow's `tf.train.get_checkpoint_state`: the parsed state with paths resolved.

    Like TensorFlow, a missing file gives None, and so does a file that does not parse (with a
    warning naming it).
    """
    try:
        return state_file.read_checkpoint_state(checkpoint_dir, latest_filename)
    except FormatError as e:
        warnings.warn(f"{e}; ignoring it", CheckpointPathWarning, stacklevel=2)
        return None


def _fallback(path: str, directory: str) -> str | None:
    # A directory copied from another machine holds absolute paths of that machine; use the
    # same file name inside this directory if that is a checkpoint.
    local = os.path.join(directory, os.path.basename(path))
    if os.path.abspath(local) != os.path.abspath(path) and checkpoint_exists(local):
        return local
    return None


def latest_checkpoint(checkpoint_dir: str, latest_filename: str | None = None, *,
                      strict: bool = False) -> str | None:
    """The newest checkpoint's prefix named by `DIR/checkpoint`, or None.

    Unlike TensorFlow, when the recorded path does not exist but a checkpoint of the same file
    name is inside `checkpoint_dir`, that one is returned and a `CheckpointPathWarning` says so.

    Args:
        checkpoint_dir: the directory holding the state file.
        latest_filename: the state file's name (default `checkpoint`).
        strict: raise FormatError for a state file that does not parse (TensorFlow: None).
    """
    checkpoint_dir = os.fspath(checkpoint_dir)
    if strict:
        state = state_file.read_checkpoint_state(checkpoint_dir, latest_filename)
    else:
        state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None:
        return None
    path = state.model_checkpoint_path
    if checkpoint_exists(path):
        return path
    local = _fallback(path, checkpoint_dir)
    if local is not None:
        warnings.warn(f"{state_file.state_path(checkpoint_dir, latest_filename)}: names {path!r}, which "
                      f"does not exist; using {local!r} in the same directory instead",
                      CheckpointPathWarning, stacklevel=2)
    return local


def update_checkpoint_state(save_dir: str, model_checkpoint_path: str,
                            all_model_checkpoint_paths: list[str] | None = None,
                            latest_filename: str | None = None,
                            all_model_checkpoint_timestamps: list[float] | None = None,
                            last_preserved_timestamp: float | None = None, *,
                            save_relative_paths: bool = True) -> None:
    """TensorFlow's `update_checkpoint_state` (ortflow stores relative paths by default)."""
    state_file.write_checkpoint_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths,
                                      all_model_checkpoint_timestamps, last_preserved_timestamp,
                                      latest_filename=latest_filename,
                                      save_relative_paths=save_relative_paths)


def _looks_like_index(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            if f.tell() < FOOTER_SIZE:
                return False
            f.seek(-8, os.SEEK_END)
            return struct.unpack("<Q", f.read(8))[0] == MAGIC
    except OSError:
        return False


def _checkpoint_files(prefix: str, meta_graph_suffix: str) -> list[str]:
    # The index goes first: once it is gone the prefix is no checkpoint any more, so a crash
    # in the middle leaves only unreferenced data files, never a checkpoint missing its data.
    files = [prefix + ".index"]
    files += sorted(p for p in glob.glob(glob.escape(prefix) + ".data-*-of-*") if _DATA_RE.search(p))
    files.append(meta_graph_filename(prefix, meta_graph_suffix))
    # temporaries that a killed save of this very prefix left behind (formats.files naming)
    directory, base = os.path.split(prefix)
    pattern = os.path.join(glob.escape(directory), "." + glob.escape(base))
    files += sorted(glob.glob(pattern + ".index.*.tmp") + glob.glob(pattern + ".data-?????-of-?????.*.tmp"))
    return files


def remove_checkpoint(prefix: str, meta_graph_suffix: str = "meta") -> None:
    """Deletes a V2 checkpoint's files: the index, the data files, then the meta graph.

    Temporary files that an interrupted save of the same prefix left behind go too. Missing
    files are ignored.
    """
    for path in _checkpoint_files(os.fspath(prefix), meta_graph_suffix):
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError):
            os.unlink(path)


class CheckpointKeeper:
    """Keeps the `checkpoint` state file and `max_to_keep` retention, as Saver does.

    Args:
        max_to_keep: how many recent checkpoints to keep (None or 0: keep all, track none).
        keep_checkpoint_every_n_hours: additionally keep one checkpoint per this many hours.
        latest_filename: the state file's name (default `checkpoint`).
        save_relative_paths: store paths relative to the directory (ortflow's default).
        meta_graph_suffix: extension of meta graph files deleted with a checkpoint.

    Example:
        >>> keeper = CheckpointKeeper(max_to_keep=2)            # doctest: +SKIP
        >>> write_bundle(prefix, tensors); keeper.record(prefix)
    """

    def __init__(self, max_to_keep: int | None = 5, keep_checkpoint_every_n_hours: float = 10000.0, *,
                 latest_filename: str | None = None, save_relative_paths: bool = True,
                 meta_graph_suffix: str = "meta"):
        self.max_to_keep = int(max_to_keep or 0)
        self.keep_checkpoint_every_n_hours = float(keep_checkpoint_every_n_hours)
        self.latest_filename = latest_filename
        self.save_relative_paths = save_relative_paths
        self.meta_graph_suffix = meta_graph_suffix
        self._next_checkpoint_time = time.time() + self.keep_checkpoint_every_n_hours * 3600
        self._last: list[tuple[str, float]] = []
        self._to_delete: list[tuple[str, float]] = []
        self._written: set[str] = set()  # absolute prefixes recorded by this keeper

    @property
    def last_checkpoints(self) -> list[str]:
        """Prefixes of the checkpoints kept, oldest first."""
        return [p for p, _ in self._last]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time: list[tuple[str, float]]) -> None:
        """Replaces the tracked list with (prefix, save time) pairs."""
        self._last = [(os.fspath(p), float(t)) for p, t in last_checkpoints_with_time]

    def recover_last_checkpoints(self, checkpoint_paths: Iterable[str]) -> None:
        """Tracks existing checkpoints from an earlier run (e.g. a state file's list), with mtimes."""
        paths = [os.fspath(p) for p in checkpoint_paths]
        existing = [p for p in paths if checkpoint_exists(p)]
        self.set_last_checkpoints_with_time(list(zip(existing, get_checkpoint_mtimes(existing))))

    def record(self, prefix: str, *, timestamp: float | None = None) -> None:
        """Called after a save of `prefix`: writes the state file, then deletes old checkpoints."""
        prefix = os.fspath(prefix)
        now = time.time() if timestamp is None else float(timestamp)
        self._written.add(os.path.abspath(prefix))
        save_dir = os.path.dirname(prefix) or "."
        if self.max_to_keep > 0:
            self._last = [(p, t) for p, t in self._last if p != prefix]
            self._last.append((prefix, now))
            if len(self._last) > self.max_to_keep:
                self._to_delete.append(self._last.pop(0))
            paths, times = self.last_checkpoints, [t for _, t in self._last]
        else:
            paths, times = [prefix], [now]
        state_file.write_checkpoint_state(save_dir, prefix, paths, times,
                                          latest_filename=self.latest_filename,
                                          save_relative_paths=self.save_relative_paths)
        self._maybe_delete_old(save_dir)

    def _maybe_delete_old(self, save_dir: str) -> None:
        if not self._to_delete:
            return
        prefix, saved_at = self._to_delete.pop(0)
        if saved_at > self._next_checkpoint_time:
            self._next_checkpoint_time += self.keep_checkpoint_every_n_hours * 3600
            return
        if self._may_delete(prefix, save_dir):
            remove_checkpoint(prefix, self.meta_graph_suffix)

    def _may_delete(self, prefix: str, save_dir: str) -> bool:
        # Whatever a state file said, only a checkpoint in the saving directory goes, and only
        # if this keeper wrote it or its index is really a table.
        absolute = os.path.abspath(prefix)
        if os.path.realpath(os.path.dirname(absolute)) != os.path.realpath(save_dir):
            return False
        if os.path.basename(absolute) in ("", ".", "..", self.latest_filename or state_file.STATE_FILENAME):
            return False
        return absolute in self._written or _looks_like_index(absolute + ".index")


def resolve_checkpoint(path: str | os.PathLike) -> str:
    """The prefix of the checkpoint that `path` names: a prefix, a `.index` file, a directory, or
    a V1 checkpoint file (or shard glob).

    A directory is resolved through its `checkpoint` state file (with the same fallback as
    `latest_checkpoint`).

    Raises:
        NotFoundError: nothing there is a checkpoint (the message names what was looked for).
        FormatError: the directory's state file does not parse.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        state = state_file.state_path(path)
        if not os.path.exists(state):
            raise NotFoundError(None, None, f"{path}: is a directory without a 'checkpoint' state file, "
                                            f"so it names no checkpoint; pass a checkpoint prefix instead")
        prefix = latest_checkpoint(path, strict=True)
        if prefix is None:
            named = state_file.read_checkpoint_state(path).model_checkpoint_path
            raise NotFoundError(None, None, f"{state}: names checkpoint {named!r}, which does not exist "
                                            f"(no {named}.index)")
        return prefix
    if os.path.isfile(path + ".index"):
        return path
    if path.endswith(".index") and os.path.isfile(path):
        return path[: -len(".index")]
    match = _DATA_RE.search(path)
    if match and os.path.isfile(path[: match.start()] + ".index"):
        return path[: match.start()]
    if v1_checkpoint_files(path):
        return path
    raise NotFoundError(None, None, f"Unsuccessful TensorSliceReader constructor: Failed to find any "
                                    f"matching files for {path} (no {path}.index, and no V1 checkpoint "
                                    "file of that name)")


def add_to_checkpoint_state(prefix: str, latest_filename: str | None = None, *, fsync: bool = True) -> None:
    """Makes `prefix` the newest checkpoint of its directory's state file, keeping the others
    the file lists that still exist (nothing is deleted). A broken state file is replaced."""
    prefix = os.fspath(prefix)
    directory = os.path.dirname(prefix) or "."
    try:
        old = state_file.read_checkpoint_state(directory, latest_filename)
    except FormatError:
        old = None
    keep = [p for p in (old.all_model_checkpoint_paths if old else [])
            if os.path.abspath(p) != os.path.abspath(prefix) and checkpoint_exists(p)]
    state_file.write_checkpoint_state(directory, prefix, keep + [prefix], latest_filename=latest_filename,
                                      fsync=fsync)
