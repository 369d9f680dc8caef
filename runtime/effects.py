"""Print, PrintV2 and Assert after a run: TensorFlow's text from the values the run handed out.

The lowering (`runtime/lowering.py`) turns each of these ops into a `SideEffect` whose values are
extra outputs of the run. `apply_effects` prints them in graph order, as TensorFlow would have
while running (Print to stderr as `message[v1][v2]...`, PrintV2 to its `output_stream` with its
`end`), then raises `InvalidArgumentError` for the first Assert whose condition was false, with
TensorFlow's `assertion failed: [...] [...]` text. Values are formatted as TensorFlow's
`Tensor::SummarizeValue` does: v1 (Print, Assert) prints the first `summarize` elements in
nested brackets, v2 (StringFormat) the first and last `summarize` per dimension.
"""

from __future__ import annotations

import sys

import numpy as np
from ortflow.errors import InvalidArgumentError

__all__ = ["apply_effects", "assert_error", "format_string", "print_now", "summarize"]


def _float_text(value, bits: int) -> str:
    if np.isnan(value):
        return "nan"
    if np.isinf(value):
        return "inf" if value > 0 else "-inf"
    short, long_ = (6, 9) if bits <= 32 else (15, 17)
    text = f"{float(value):.{short}g}"
    kind = np.float32 if bits <= 32 else np.float64
    if kind(text) != kind(value):
        text = f"{float(value):.{long_}g}"
    return text


def _element(value, v2: bool) -> str:
    if isinstance(value, (bytes, np.bytes_)):
        text = bytes(value).decode("utf-8", "backslashreplace")
        return f'"{_c_escape(text)}"' if v2 else text
    if isinstance(value, str):
        return f'"{_c_escape(value)}"' if v2 else value
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, np.floating):
        return _float_text(value, 64 if value.dtype == np.float64 else 32)
    if isinstance(value, float):
        return _float_text(value, 64)
    if isinstance(value, (np.complexfloating, complex)):
        bits = 64 if np.asarray(value).dtype == np.complex128 else 32
        return f"({_float_text(value.real, bits)},{_float_text(value.imag, bits)})"
    return str(value)


def _c_escape(text: str) -> str:
    escapes = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "'": "\\'", "\\": "\\\\"}
    return "".join(escapes.get(c, c) for c in text)


def _v1_dims(flat, shape, limit: int, dim: int, pos: list, out: list) -> None:
    if pos[0] >= limit:
        return
    count = shape[dim]
    if dim == len(shape) - 1:
        for i in range(count):
            if pos[0] >= limit:
                if dim != 0:
                    out.append("...")
                return
            if i > 0:
                out.append(" ")
            out.append(_element(flat[pos[0]], False))
            pos[0] += 1
        return
    for _ in range(count):
        opened = pos[0] < limit
        if opened:
            out.append("[")
        _v1_dims(flat, shape, limit, dim + 1, pos, out)
        if pos[0] < limit or opened:
            out.append("]")


def _spacing(dim: int, ndim: int, out: list) -> None:
    if dim == ndim - 1:
        out.append(" ")
    else:
        out.append("\n" + " " * (dim + 1))


def _v2_dims(array: np.ndarray, ends: int, dim: int, index: tuple, out: list) -> None:
    if dim == array.ndim:
        out.append(_element(array[index], True))
        return
    out.append("[")
    count = array.shape[dim]
    head = min(ends, count)
    for i in range(head):
        if i > 0:
            _spacing(dim, array.ndim, out)
        _v2_dims(array, ends, dim + 1, (*index, i), out)
    if count > 2 * ends:
        _spacing(dim, array.ndim, out)
        out.append("...")
    for i in range(max(ends, count - ends), count):
        _spacing(dim, array.ndim, out)
        _v2_dims(array, ends, dim + 1, (*index, i), out)
    out.append("]")


def summarize(value, limit: int, v2: bool = False) -> str:
    """A tensor's text as TensorFlow's `SummarizeValue(limit, print_v2)` writes it.

    Args:
        value: the tensor (array-like).
        limit: how many elements to show (v1: in all; v2: at each end of each dimension);
            negative for all of them.
        v2: PrintV2 / StringFormat formatting (numpy-like rows, quoted strings).
    """
    array = np.asarray(value)
    count = array.size
    limit = count if limit < 0 else min(limit, count)
    flat = array.reshape(-1)
    if array.ndim == 0:
        return " ".join(_element(flat[i], v2) for i in range(limit)) + ("..." if count > limit else "")
    out: list[str] = []
    if v2:
        _v2_dims(array, limit, 0, (), out)
        return "".join(out)
    _v1_dims(flat, array.shape, limit, 0, [0], out)
    if count > limit:
        out.append("...")
    return "".join(out)


def _attr(node, key: str, default):
    if key not in node.attr:
        return default
    value = node.attr[key]
    kind = value.WhichOneof("value")
    if kind == "s":
        return value.s.decode("utf-8", "replace")
    if kind == "i":
        return value.i
    return default


def _print_text(effect, values: list) -> str:
    node = effect.node
    summarize_n = _attr(node, "summarize", 3)
    text = _attr(node, "message", "")
    return text + "".join(f"[{summarize(v, summarize_n)}]" for v in values)


def _format_text(effect, values: list) -> str:
    if effect.fmt is None:
        value = np.asarray(values[0]).reshape(-1)
        return _element(value[0], False) if value.size else ""
    fmt = effect.fmt
    template = _attr(fmt, "template", "%s")
    placeholder = _attr(fmt, "placeholder", "%s")
    limit = _attr(fmt, "summarize", 3)
    pieces = template.split(placeholder)
    out = [pieces[0]]
    for k, piece in enumerate(pieces[1:]):
        out.append(summarize(values[k], limit, v2=True) if k < len(values) else placeholder)
        out.append(piece)
    return "".join(out)


def _write(stream: str, text: str) -> None:
    if stream.startswith("file://"):
        from ortflow.formats.files import write_text_atomic

        path = stream[len("file://"):]
        try:
            with open(path, encoding="utf-8") as f:
                before = f.read()
        except FileNotFoundError:
            before = ""
        write_text_atomic(path, before + text)
        return
    # TF writes "stdout" to standard output and the rest (stderr, log(info|warning|error))
    # to standard error (its logs go to stderr).
    target = sys.stdout if stream == "stdout" else sys.stderr
    target.write(text)
    target.flush()


def _assert_error(effect, values: list) -> InvalidArgumentError:
    return assert_error(effect.node, values, effect.note)


def assert_error(node, values: list, note: str = "") -> InvalidArgumentError:
    """The InvalidArgumentError a failed Assert raises, with TensorFlow's text.

    Args:
        node: the Assert's NodeDef.
        values: the values of its `data` inputs.
        note: why some values are missing, or ''.
    """
    limit = _attr(node, "summarize", 3)
    text = "assertion failed: " + " ".join(f"[{summarize(v, limit)}]" for v in values)
    if note:
        text = f"{text} ({note})"
    return InvalidArgumentError(node, node.op, f"{text}\n\t [[{{{{node {node.name}}}}}]]")


def format_string(node, values: list) -> str:
    """What a StringFormat node makes of `values` (TensorFlow's v2 summaries in its template)."""
    return _format_text(_Formatted(node), values)


class _Formatted:
    """Stands for a PrintV2 effect whose StringFormat node is `fmt`."""

    __slots__ = ("fmt",)

    def __init__(self, fmt):
        self.fmt = fmt


def print_now(node, values: list, counts: dict) -> None:
    """Prints what a Print or PrintV2 node prints when it runs (a loop body runs it once per pass).

    Args:
        node: the Print / PrintV2 NodeDef.
        values: Print: the values of its `data` inputs; PrintV2: its one string input.
        counts: node name -> how many times it printed (Print's `first_n`), updated here.
    """
    if node.op == "Print":
        first_n = _attr(node, "first_n", -1)
        seen = counts.get(node.name, 0)
        if 0 <= first_n <= seen:
            return
        counts[node.name] = seen + 1
        _write("stderr", _print_text(_Printed(node), values) + "\n")
        return
    text = np.asarray(values[0]).reshape(-1)
    line = _element(text[0], False) if text.size else ""
    _write(_attr(node, "output_stream", "stderr"), line + _attr(node, "end", "\n"))


class _Printed:
    """Stands for a Print effect of `node`."""

    __slots__ = ("node",)

    def __init__(self, node):
        self.node = node


def apply_effects(effects: list, results: dict, counts: dict) -> None:
    """Prints the run's Print/PrintV2 output and raises for a failed Assert.

    Args:
        effects: the plan's SideEffects, in graph order.
        results: output name -> value of the run.
        counts: node name -> how many times it printed (Print's `first_n`), updated here.

    Raises:
        InvalidArgumentError: the first Assert (in graph order) whose condition was false.
    """
    failed = None
    failed_names = set()
    for effect in effects:
        if effect.node.op != "Assert" or (effect.ran is not None and not bool(np.asarray(results[effect.ran]))):
            continue  # (an Assert in a cond branch not taken has its condition's default)
        if not np.all(np.asarray(results[effect.condition])):
            failed_names.add(effect.node.name)
            if failed is None:
                failed = _assert_error(effect, [results[t] for t in effect.data])
    for effect in effects:
        if effect.node.op == "Assert" or (failed_names and effect.after & failed_names):
            continue  # a Print that waits for a failed Assert does not run
        if effect.ran is not None and not bool(np.asarray(results[effect.ran])):
            continue
        values = [results[t] for t in effect.data]
        op = effect.node.op
        if op == "Print":
            first_n = _attr(effect.node, "first_n", -1)
            seen = counts.get(effect.node.name, 0)
            if 0 <= first_n <= seen:
                continue
            counts[effect.node.name] = seen + 1
            _write("stderr", _print_text(effect, values) + "\n")
        else:
            _write(_attr(effect.node, "output_stream", "stderr"),
                   _format_text(effect, values) + _attr(effect.node, "end", "\n"))
    if failed is not None:
        raise failed
