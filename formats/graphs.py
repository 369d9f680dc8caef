"""Graph files: GraphDef, MetaGraphDef and SavedModel, binary or text, told apart by content."""

from __future__ import annotations

import os
import pathlib
import re

from google.protobuf import unknown_fields
from google.protobuf.message import DecodeError, Message
from ortflow.errors import FormatError
from ortflow.formats.files import atomic_writer
from ortflow.proto import OUR_PACKAGE, TF_PACKAGE, GraphDef, MetaGraphDef, SavedModel

__all__ = ["KINDS", "detect_kind", "load_graph_def", "parse_message", "read_graph", "write_graph",
           "write_message"]

#: kind name -> message class, in the order candidates are tried.
KINDS: dict[str, type] = {"GraphDef": GraphDef, "MetaGraphDef": MetaGraphDef, "SavedModel": SavedModel}

_SAVED_MODEL_FILES = ("saved_model.pb", "saved_model.pbtxt")
_OP_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_>]*\Z")
_TEXT_PROBE = 1 << 16
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
# Top-level field names of each kind in text format (a text file is classified by its first one).
_TEXT_FIELDS = {
    "GraphDef": {"node", "library", "version", "versions", "debug_info"},
    "MetaGraphDef": {"meta_info_def", "graph_def", "saver_def", "collection_def", "signature_def",
                     "asset_file_def", "object_graph_def"},
    "SavedModel": {"saved_model_schema_version", "meta_graphs"},
}
_FIRST_FIELD = re.compile(rb"(?:\s+|#[^\n]*)*([A-Za-z_][A-Za-z0-9_]*)")
# Wire types of the top-level fields of each kind: field number -> (wire type, repeated).
_WIRE = {
    "GraphDef": {1: (2, True), 2: (2, False), 3: (0, False), 4: (2, False), 5: (2, False)},
    "MetaGraphDef": {1: (2, False), 2: (2, False), 3: (2, False), 4: (2, True), 5: (2, True),
                     6: (2, True), 7: (2, False)},
    "SavedModel": {1: (0, False), 2: (2, True)},
}


# --------------------------------------------------------------------------- helpers

def _resolve_file(path: pathlib.Path) -> pathlib.Path:
    """A SavedModel directory -> its saved_model.pb(txt); a file -> itself."""
    if path.is_dir():
        for name in _SAVED_MODEL_FILES:
            if (path / name).is_file():
                return path / name
        raise FormatError(f"{str(path)!r} is a directory without saved_model.pb or saved_model.pbtxt; "
                          "not a SavedModel")
    return path


def _read_bytes(path: str | os.PathLike) -> tuple[pathlib.Path, bytes]:
    file = _resolve_file(pathlib.Path(path))
    try:
        data = file.read_bytes()
    except FileNotFoundError as e:
        raise FormatError(f"{str(file)!r}: no such file") from e
    except OSError as e:
        raise FormatError(f"{str(file)!r}: cannot read: {e.strerror or e}") from e
    return file, data


def _looks_like_text(data: bytes) -> bool:
    """Text if the start holds no control bytes other than whitespace and is UTF-8."""
    probe = data[:_TEXT_PROBE]
    if _CONTROL.search(probe):
        return False
    try:
        probe.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.start > len(probe) - 4  # a character cut at the end of the probe
    return True


def _wire_scan(data: bytes) -> tuple[dict[int, tuple[int, int]], str | None]:
    """Walks the top-level fields: {field: (wire type, count)} and a truncation message or None."""
    fields: dict[int, tuple[int, int]] = {}
    pos, n = 0, len(data)
    while pos < n:
        tag, pos = _varint(data, pos)
        if tag is None:
            return fields, f"a field tag is cut off at byte {pos}"
        number, wire = tag >> 3, tag & 7
        if number == 0 or wire in (3, 4, 6, 7):
            return fields, f"byte {pos} holds no valid field tag"
        if wire == 0:
            value, pos = _varint(data, pos)
            if value is None:
                return fields, f"field {number} is cut off at byte {pos}"
        elif wire == 1 or wire == 5:
            pos += 8 if wire == 1 else 4
        else:
            length, start = _varint(data, pos)
            if length is None:
                return fields, f"the length of field {number} is cut off at byte {pos}"
            pos = start + length
        if pos > n:
            return fields, f"field {number} runs {pos - n} bytes past the end of the file"
        old = fields.get(number, (wire, 0))
        fields[number] = (wire if old[0] == wire else -1, old[1] + 1)
    return fields, None


def _varint(data: bytes, pos: int) -> tuple[int | None, int]:
    value = shift = 0
    while pos < len(data) and shift < 70:
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7
    return None, pos


def _wire_fits(kind: str, fields: dict[int, tuple[int, int]]) -> bool:
    schema = _WIRE[kind]
    for number, (wire, count) in fields.items():
        if number not in schema:
            return False
        want_wire, repeated = schema[number]
        if wire != want_wire or (count > 1 and not repeated):
            return False
    return True


def _nodes_plausible(graph: GraphDef) -> int:
    """Number of nodes if every node has a name and an op that look like TensorFlow's; else -1."""
    for node in graph.node:
        if not _OP_NAME.match(node.op) or not node.name or any(c in node.name for c in "\0\n\r\t "):
            return -1
    return len(graph.node)


def _has_unknown_fields(msg: Message) -> bool:
    return len(unknown_fields.UnknownFieldSet(msg)) > 0


def _score(kind: str, msg: Message) -> int:
    """How plausible it is that `msg` (parsed as `kind`) really is one; negative = impossible."""
    if _has_unknown_fields(msg):
        return -1
    if kind == "GraphDef":
        nodes = _nodes_plausible(msg)
        return -1 if nodes < 0 else 1 + nodes + 2 * msg.HasField("versions")
    if kind == "MetaGraphDef":
        return _meta_score(msg)
    if not msg.meta_graphs:
        return -1
    total = 3
    for meta in msg.meta_graphs:
        s = _meta_score(meta)
        if s < 0:
            return -1
        total += s
    return total


def _meta_score(meta: MetaGraphDef) -> int:
    if _has_unknown_fields(meta) or not (meta.HasField("graph_def") or meta.HasField("meta_info_def")):
        return -1
    nodes = _nodes_plausible(meta.graph_def)
    if nodes < 0 or _has_unknown_fields(meta.graph_def):
        return -1
    info = meta.meta_info_def
    bonus = 2 * bool(info.tensorflow_version or info.tags or info.stripped_op_list.op)
    return 2 + nodes + bonus + meta.HasField("saver_def") + len(meta.signature_def)


# --------------------------------------------------------------------------- parsing

def parse_message(data: bytes, cls: type, path=None) -> Message:
    """Parses binary protobuf `data` as `cls`, turning decode failures into FormatError.

    Raises:
        FormatError: truncated data, or bytes that are not a `cls` message.
    """
    where = str(path) if path is not None else "<bytes>"
    kind = _kind_name(cls)
    try:
        return cls.FromString(data)
    except (DecodeError, RuntimeError, ValueError) as e:
        _, problem = _wire_scan(data)
        detail = f"the data is truncated: {problem}" if _is_truncation(problem) else f"not a valid {kind} ({e})"
        raise FormatError(f"{where}: cannot read a {kind}: {detail}") from e


def _is_truncation(problem: str | None) -> bool:
    return problem is not None and ("past the end" in problem or "cut off" in problem)


def _kind_name(cls) -> str:
    name = cls.DESCRIPTOR.full_name
    return name[len(OUR_PACKAGE) + 1:] if name.startswith(OUR_PACKAGE + ".") else name


def _detect_binary(data: bytes, where: str, hint: str | None) -> tuple[str, Message]:
    fields, truncated = _wire_scan(data)
    if truncated is not None:
        if fields and _is_truncation(truncated):
            raise FormatError(f"{where}: the file is truncated: {truncated}")
        raise FormatError(f"{where}: not a protobuf file (neither binary nor text format): {truncated}")
    best: tuple[int, str, Message] | None = None
    for kind, cls in KINDS.items():
        if not _wire_fits(kind, fields):
            continue
        try:
            msg = cls.FromString(data)
        except (DecodeError, RuntimeError, ValueError):
            continue
        score = _score(kind, msg) + (1 if kind == hint else 0)
        if score >= 0 and (best is None or score > best[0]):
            best = (score, kind, msg)
    if best is None:
        raise FormatError(f"{where}: not a GraphDef, MetaGraphDef or SavedModel (the bytes parse as "
                          "none of them)")
    return best[1], best[2]


def _text_kind(data: bytes, where: str, hint: str | None) -> str:
    """The kind of a text file, from its first field name (an empty text is the hinted kind)."""
    m = _FIRST_FIELD.match(data)
    if m is None:
        if not data.strip() or data.lstrip().startswith(b"#") and not _FIRST_FIELD.search(data):
            return hint or "GraphDef"
        start = data.lstrip()[:20].decode("utf-8", "replace")
        raise FormatError(f"{where}: not a GraphDef, MetaGraphDef or SavedModel: the text starts "
                          f"with {start!r}, not a field name")
    first = m.group(1).decode()
    for kind, names in _TEXT_FIELDS.items():
        if first in names:
            return kind
    raise FormatError(f"{where}: not a GraphDef, MetaGraphDef or SavedModel in text format: its first "
                      f"field {first!r} belongs to none of them")


def _hint_from_name(path: pathlib.Path) -> str | None:
    if path.name in _SAVED_MODEL_FILES:
        return "SavedModel"
    if path.suffix == ".meta":
        return "MetaGraphDef"
    return None


def _read(path, expected: str | None = None) -> tuple[str, Message]:
    file, data = _read_bytes(path)
    where = str(file)
    if not data:
        raise FormatError(f"{where}: the file is empty; expected a GraphDef, MetaGraphDef or SavedModel")
    hint = expected or _hint_from_name(file)
    if _looks_like_text(data):
        kind = _text_kind(data, where, hint)
        if expected is not None and kind != expected:
            raise FormatError(f"{where}: holds a {kind} in text format, not a {expected}")
        from ortflow.formats.pbtxt import parse_pbtxt  # (lazy: binary files never need the codec)

        return kind, parse_pbtxt(data, KINDS[kind], path=where)
    if expected is not None:
        try:
            msg = KINDS[expected].FromString(data)
            if _score(expected, msg) >= 0:
                return expected, msg
        except (DecodeError, RuntimeError, ValueError):
            pass
        found = _detect_binary(data, where, None)[0]
        raise FormatError(f"{where}: holds a {found}, not a {expected}")
    return _detect_binary(data, where, hint)


def detect_kind(path: str | os.PathLike) -> str:
    """Returns "GraphDef", "MetaGraphDef" or "SavedModel" for a graph file or SavedModel dir.

    Raises:
        FormatError: missing, empty, truncated or not a graph file.
    """
    return _read(path)[0]


def read_graph(path: str | os.PathLike, expected: str | None = None) -> Message:
    """Reads a GraphDef, MetaGraphDef or SavedModel, binary or text, telling them apart by content.

    Args:
        path: a `.pb` / `.pbtxt` / `.meta` / `saved_model.pb(txt)` file or a SavedModel directory.
        expected: a kind name ("GraphDef", "MetaGraphDef", "SavedModel") to require, or None.

    Returns:
        The message (ortflow's `GraphDef`, `MetaGraphDef` or `SavedModel`).

    Raises:
        FormatError: naming the file, when it is missing, empty, truncated, not a protobuf, of
            another kind than `expected`, or a text file with a syntax error (line and column).
    """
    if expected is not None and expected not in KINDS:
        raise ValueError(f"expected must be one of {sorted(KINDS)}, not {expected!r}")
    return _read(path, expected)[1]


def load_graph_def(path: str | os.PathLike, tags: set[str] | None = None) -> GraphDef:
    """The GraphDef in any graph file: itself, a MetaGraphDef's, or a SavedModel meta graph's.

    For a SavedModel, `tags` picks the meta graph (by default the one tagged `serve`, else the first).
    """
    msg = read_graph(path)
    if isinstance(msg, GraphDef):
        return msg
    if isinstance(msg, MetaGraphDef):
        return msg.graph_def
    metas = list(msg.meta_graphs)
    wanted = set(tags) if tags is not None else {"serve"}
    for meta in metas:
        if wanted <= set(meta.meta_info_def.tags):
            return meta.graph_def
    if tags is None and metas:
        return metas[0].graph_def
    raise FormatError(f"{str(path)!r}: no meta graph tagged {sorted(wanted)}; found "
                      f"{[sorted(m.meta_info_def.tags) for m in metas]}")


# --------------------------------------------------------------------------- writing

def _as_our_message(graph_or_message) -> Message:
    """Our message for a GraphDef/MetaGraphDef/SavedModel, a Graph (`as_graph_def()`) or TF's message."""
    obj = graph_or_message
    if not isinstance(obj, Message) and hasattr(obj, "as_graph_def"):
        obj = obj.as_graph_def()
    if not isinstance(obj, Message):
        raise TypeError(f"write_graph needs a GraphDef, MetaGraphDef, SavedModel or a graph, "
                        f"not {type(graph_or_message).__name__}")
    name = obj.DESCRIPTOR.full_name
    if name.startswith(TF_PACKAGE + "."):  # TensorFlow's own class: same bytes, our class
        short = name[len(TF_PACKAGE) + 1:]
        if short not in KINDS:
            raise TypeError(f"write_graph cannot write a {name}")
        return KINDS[short].FromString(obj.SerializeToString())
    return obj


def write_graph(graph_or_message, logdir: str | os.PathLike, name: str, as_text: bool = True) -> str:
    """Writes a graph as `tf.io.write_graph` does: text (default) or deterministic binary.

    Args:
        graph_or_message: a GraphDef, MetaGraphDef or SavedModel (ours or TensorFlow's), or
            anything with `as_graph_def()`.
        logdir: the directory (created if missing).
        name: the file name inside `logdir`.
        as_text: text format when True, binary when False.

    Returns:
        The path written. The file is replaced only once the new one is complete.
    """
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(os.fspath(logdir), name)
    write_message(path, _as_our_message(graph_or_message), as_text=as_text)
    return path


def write_message(path: str | os.PathLike, message: Message, as_text: bool = False) -> int:
    """Writes one message to `path`, text or deterministic binary, through a temporary file.

    Returns:
        The number of bytes written.
    """
    if as_text:
        from ortflow.formats.pbtxt import format_pbtxt_pieces

        pieces = format_pbtxt_pieces(message)
    else:
        pieces = [message.SerializeToString(deterministic=True)]
    with atomic_writer(path) as f:
        f.writelines(pieces)
    return sum(len(p) for p in pieces)
