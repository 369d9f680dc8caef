"""The `checkpoint` state file: a text-format `CheckpointState` naming a directory's checkpoints.

TensorFlow writes it with `text_format.MessageToString`; so does `format_checkpoint_state`, so
the files are identical. Paths in it may be relative (to the file's directory) or absolute.
`read_checkpoint_state` resolves relative ones; `write_checkpoint_state` stores paths inside the
directory as relative ones (as `save_relative_paths=True` does), which keeps a directory valid
when it is moved or copied to another machine.
"""

from __future__ import annotations

import os

from google.protobuf import text_format
from ortflow.errors import FormatError
from ortflow.formats.files import write_text_atomic
from ortflow.proto import CheckpointState

__all__ = [
    "STATE_FILENAME",
    "format_checkpoint_state",
    "make_checkpoint_state",
    "parse_checkpoint_state",
    "read_checkpoint_state",
    "state_path",
    "write_checkpoint_state",
]

STATE_FILENAME = "checkpoint"
_MAX_STATE_BYTES = 64 << 20  # a state file lists paths; anything this large is not one


def state_path(directory: str | os.PathLike, latest_filename: str | None = None) -> str:
    """`DIRECTORY/checkpoint` (or `latest_filename`, which must be a bare file name)."""
    name = latest_filename or STATE_FILENAME
    if os.sep in name or (os.altsep and os.altsep in name):
        raise ValueError(f"latest_filename {name!r} must be a file name, not a path")
    return os.path.join(os.fspath(directory), name)


def parse_checkpoint_state(text: str | bytes, path: str = "<checkpoint>") -> CheckpointState:
    """Parses state file text.

    Raises:
        FormatError: it is not a text-format CheckpointState, or names no model checkpoint.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise FormatError(f"{path}: the checkpoint state file is not UTF-8 text (byte {e.object[e.start]:#04x} "
                              f"at offset {e.start})") from e
    state = CheckpointState()
    try:
        text_format.Parse(text, state)
    except text_format.ParseError as e:
        raise FormatError(f"{path}: not a valid checkpoint state file: {e}") from e
    if not state.model_checkpoint_path:
        raise FormatError(f"{path}: invalid checkpoint state: model_checkpoint_path is empty")
    return state


def format_checkpoint_state(state: CheckpointState) -> str:
    """The text TensorFlow writes for `state` (one `field: value` per line)."""
    return text_format.MessageToString(state)


def _stored_path(path: str, directory: str, relative: bool) -> str:
    if not relative:
        return path
    if not os.path.isabs(path):
        # relative paths are taken relative to the process, as TensorFlow does when writing
        path = os.path.abspath(path)
    return os.path.relpath(path, os.path.abspath(directory or "."))


def make_checkpoint_state(directory: str | os.PathLike, model_checkpoint_path: str,
                          all_model_checkpoint_paths: list[str] | None = None,
                          all_model_checkpoint_timestamps: list[float] | None = None,
                          last_preserved_timestamp: float | None = None, *,
                          save_relative_paths: bool = True) -> CheckpointState:
    """A CheckpointState as TensorFlow's `generate_checkpoint_state_proto` builds it.

    The newest path is appended to `all_model_checkpoint_paths` if it is not last already.
    With `save_relative_paths`, every path is stored relative to `directory`.
    """
    directory = os.fspath(directory)
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    state = CheckpointState(
        model_checkpoint_path=_stored_path(model_checkpoint_path, directory, save_relative_paths),
        all_model_checkpoint_paths=[_stored_path(p, directory, save_relative_paths) for p in paths])
    if all_model_checkpoint_timestamps:
        state.all_model_checkpoint_timestamps.extend(all_model_checkpoint_timestamps)
    if last_preserved_timestamp is not None:
        state.last_preserved_timestamp = last_preserved_timestamp
    return state


def read_checkpoint_state(directory: str | os.PathLike, latest_filename: str | None = None, *,
                          resolve: bool = True) -> CheckpointState | None:
    """Reads `DIRECTORY/checkpoint`; None when there is no such file.

    With `resolve`, relative paths are joined onto `directory` (TensorFlow's behaviour).

    Raises:
        FormatError: the file exists but is not a valid state file (named in the message).
    """
    path = state_path(directory, latest_filename)
    try:
        with open(path, "rb") as f:
            data = f.read(_MAX_STATE_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError as e:
        raise FormatError(f"{path}: is a directory, not a checkpoint state file") from e
    if len(data) > _MAX_STATE_BYTES:
        raise FormatError(f"{path}: larger than {_MAX_STATE_BYTES} bytes; not a checkpoint state file")
    state = parse_checkpoint_state(data, path)
    if resolve:
        directory = os.fspath(directory)

        def join(p: str) -> str:
            return p if os.path.isabs(p) else os.path.join(directory, p)

        state.model_checkpoint_path = join(state.model_checkpoint_path)
        resolved = [join(p) for p in state.all_model_checkpoint_paths]
        del state.all_model_checkpoint_paths[:]
        state.all_model_checkpoint_paths.extend(resolved)
    return state


def write_checkpoint_state(directory: str | os.PathLike, model_checkpoint_path: str,
                           all_model_checkpoint_paths: list[str] | None = None,
                           all_model_checkpoint_timestamps: list[float] | None = None,
                           last_preserved_timestamp: float | None = None, *,
                           latest_filename: str | None = None, save_relative_paths: bool = True,
                           fsync: bool = True) -> str:
    """Writes `DIRECTORY/checkpoint` atomically (temporary file + rename); returns its path."""
    state = make_checkpoint_state(directory, model_checkpoint_path, all_model_checkpoint_paths,
                                  all_model_checkpoint_timestamps, last_preserved_timestamp,
                                  save_relative_paths=save_relative_paths)
    path = state_path(directory, latest_filename)
    write_text_atomic(path, format_checkpoint_state(state), fsync=fsync)
    return path
