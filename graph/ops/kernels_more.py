"""Numpy kernels for ops scripts use at inference: table file reading, image, signal, special math."""

from __future__ import annotations

import numpy as np
from ortflow.graph.ops.registry import kernel

__all__ = ["READ_TEXT_TABLE_OP", "read_text_table"]

READ_TEXT_TABLE_OP = "_OrtflowReadTextTable"

_LINE_NUMBER, _WHOLE_LINE = -2, -1


def read_text_table(filename, key_index: int, value_index: int, vocab_size: int = -1,
                    delimiter: str = "\t", offset: int = 0, key_dtype=np.object_,
                    value_dtype=np.int64) -> tuple[np.ndarray, np.ndarray]:
    """The (keys, values) a `TextFileInitializer` puts in its table, read from `filename`.

    Column index -2 is the line number (plus `offset`), -1 the whole line, n >= 0 the n-th
    field split at `delimiter`. With `vocab_size` > 0 only that many lines are read, and the
    file must have at least that many.

    Raises:
        NotFoundError: if the file cannot be read.
        InvalidArgumentError: for a line with too few fields or a field that does not parse.
    """
    from ortflow.errors import InvalidArgumentError, NotFoundError

    path = filename.decode() if isinstance(filename, bytes) else str(filename)
    try:
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
    except OSError as e:
        raise NotFoundError(None, None, f"{path}: cannot read the table's text file: {e.strerror or e}") from e
    if lines and lines[-1] == b"":
        lines.pop()
    lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
    if vocab_size > 0:
        if len(lines) < vocab_size:
            raise InvalidArgumentError(None, None, f"{path}: the table's vocab_size is {vocab_size} "
                                       f"but the file has only {len(lines)} lines.")
        lines = lines[:vocab_size]
    sep = delimiter.encode() if isinstance(delimiter, str) else delimiter
    keys = [_column(path, n, line, key_index, sep, offset) for n, line in enumerate(lines)]
    values = [_column(path, n, line, value_index, sep, offset) for n, line in enumerate(lines)]
    return _typed(path, keys, key_dtype), _typed(path, values, value_dtype)


def _column(path: str, n: int, line: bytes, index: int, sep: bytes, offset: int):
    from ortflow.errors import InvalidArgumentError

    if index == _LINE_NUMBER:
        return n + offset
    if index == _WHOLE_LINE:
        return line
    fields = line.split(sep)
    if index >= len(fields):
        raise InvalidArgumentError(None, None, f"{path}: line {n + 1} has {len(fields)} fields, "
                                   f"so it has no column {index} for the table.")
    return fields[index]


def _typed(path: str, items: list, dtype) -> np.ndarray:
    from ortflow.errors import InvalidArgumentError

    dtype = np.dtype(dtype)
    if dtype.kind in "OSU":
        return np.array([i if isinstance(i, bytes) else str(i).encode() for i in items] or [],
                        dtype=object)
    try:
        return np.array([int(i) if dtype.kind in "iu" else float(i) for i in items], dtype=dtype)
    except ValueError as e:
        raise InvalidArgumentError(None, None, f"{path}: a table field does not parse as "
                                   f"{dtype.name}: {e}") from e


@kernel(READ_TEXT_TABLE_OP)
def _read_text_table(node_def, inputs):
    # Not a TensorFlow op: runtime/tables.py rewrites InitializeTableFromTextFileV2 into it.
    from ortflow.formats.dtypes import as_dtype

    attr = node_def.attr
    key_dtype = as_dtype(attr["Tkeys"].type).as_numpy_dtype
    value_dtype = as_dtype(attr["Tvalues"].type).as_numpy_dtype
    filename = np.asarray(inputs[0]).reshape(()).item()
    keys, values = read_text_table(filename, attr["key_index"].i, attr["value_index"].i,
                                   attr["vocab_size"].i, attr["delimiter"].s, attr["offset"].i,
                                   key_dtype, value_dtype)
    return [keys, values]
