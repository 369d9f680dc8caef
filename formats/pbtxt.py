"""A fast protobuf text-format codec: `parse_pbtxt` / `format_pbtxt`, as Python's text_format.

The output of `format_pbtxt` is byte-for-byte what `google.protobuf.text_format.MessageToString`
prints for the same message (and so what `tf.io.write_graph(as_text=True)` writes); the parser
takes everything that text_format's parser takes (see specs/pbtxt.md §5).

Why it is fast: frozen graphs are mostly huge `tensor_content` strings. The parser finds the end
of a string literal with `bytes.find` and decodes it with `codecs.escape_decode` (C), instead of
scanning it with a regex and unescaping escape by escape; the printer escapes bytes with one
numpy table lookup and one `np.compress` per chunk instead of a Python loop per byte, and
`format_pbtxt` decodes big values chunk by chunk as they are escaped, so that the text is not
held as bytes and as str at once (fresh memory costs page faults, a large part of the time).

Our messages live in proto package `ortflow.tf`; data names TensorFlow's package (`tensorflow.`):
expanded `google.protobuf.Any` values are printed and read with TensorFlow's names.
"""

from __future__ import annotations

import codecs
import math
import re
import struct
import warnings
from functools import lru_cache

import numpy as np
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from ortflow.errors import FormatError
from ortflow.proto import OUR_PACKAGE, TF_PACKAGE

__all__ = ["escape_bytes", "format_pbtxt", "format_pbtxt_bytes", "parse_pbtxt", "unescape_bytes"]

_ANY = "google.protobuf.Any"
_MAX_DEPTH = 100

_T = FieldDescriptor
_INT_TYPES = {_T.TYPE_INT32, _T.TYPE_INT64, _T.TYPE_UINT32, _T.TYPE_UINT64, _T.TYPE_SINT32,
              _T.TYPE_SINT64, _T.TYPE_FIXED32, _T.TYPE_FIXED64, _T.TYPE_SFIXED32, _T.TYPE_SFIXED64}
_FLOAT_TYPES = {_T.TYPE_FLOAT, _T.TYPE_DOUBLE}


# --------------------------------------------------------------------------- names and types

def _our_name(full_name: str) -> str:
    """TensorFlow's full message name -> ours (`tensorflow.SaverDef` -> `ortflow.tf.SaverDef`)."""
    if full_name.startswith(TF_PACKAGE + "."):
        return OUR_PACKAGE + full_name[len(TF_PACKAGE):]
    return full_name


def _message_class_for(full_name: str):
    """The message class for a full name in TensorFlow's or our package; None if unknown."""
    try:
        desc = descriptor_pool.Default().FindMessageTypeByName(_our_name(full_name))
    except KeyError:
        return None
    return message_factory.GetMessageClass(desc)


# --------------------------------------------------------------------------- escaping

def _build_escape_tables(keep_high: bool) -> tuple[np.ndarray, list[bytes]]:
    """Per byte value: its escape padded with NULs to 4 bytes (as a uint32), and the escapes as a
    list. `keep_high` leaves bytes >= 0x80 alone (UTF-8 in string fields)."""
    codes = np.zeros(256, dtype="<u4")
    small = []
    special = {0x0A: b"\\n", 0x0D: b"\\r", 0x09: b"\\t", 0x22: b'\\"', 0x27: b"\\'", 0x5C: b"\\\\"}
    for b in range(256):
        if b in special:
            esc = special[b]
        elif 0x20 <= b < 0x7F or (keep_high and b >= 0x80):
            esc = bytes([b])
        else:
            esc = b"\\%03o" % b
        codes[b] = int.from_bytes(esc.ljust(4, b"\0"), "little")
        small.append(esc)
    return codes, small


_ESCAPES = {False: _build_escape_tables(False), True: _build_escape_tables(True)}
_PLAIN = re.compile(rb"[ !#-&(-\[\]-~]*")  # printable ASCII except " ' and backslash
_CHUNK = 1 << 17  # input bytes per numpy pass: the 4x temporaries stay in cache
_TEXT_DIRECT = 1 << 15  # bytes values from this size on are escaped straight to str by format_pbtxt


def escape_bytes(data: bytes, keep_utf8: bool = False) -> bytes:
    """Escapes bytes as text_format does: \\n \\r \\t \\" \\' \\\\, other non-printables as 3-digit octal.

    With `keep_utf8`, bytes from 0x80 up stay as they are (protobuf's `as_utf8` for string fields).
    """
    parts = _escape_parts(data, keep_utf8)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _escape_parts(data: bytes, keep_utf8: bool) -> list[bytes]:
    """The escaped text of `data` as a list of pieces (big values are not joined: fewer copies)."""
    if _PLAIN.fullmatch(data):
        return [data]
    codes, small = _ESCAPES[keep_utf8]
    if len(data) < 64:
        return [b"".join([small[b] for b in data])]
    return [chunk.tobytes() for chunk in _escaped_chunks(data, codes)]


def _escaped_text_parts(data: bytes) -> list[str]:
    """The escaped text of a bytes field value (always ASCII) as str pieces, decoded chunk by chunk."""
    if _PLAIN.fullmatch(data):
        return [data.decode("ascii")]
    decode = codecs.ascii_decode
    return [decode(chunk)[0] for chunk in _escaped_chunks(data, _ESCAPES[False][0])]


def _escaped_chunks(data: bytes, codes: np.ndarray):
    """Yields the escaped text of `data` as uint8 arrays, one per `_CHUNK` input bytes.

    Each byte becomes its escape padded with NULs to 4 bytes (one table lookup into uint32
    codes), then `np.compress` keeps the non-NUL bytes (no escape contains a NUL). That is
    several times faster than deleting the NULs with bytes.translate or bytes.replace. Chunks
    keep the temporaries (4 bytes and 4 flags per input byte) in cache; the code and flag
    buffers are allocated once per value. A yielded array is only valid until the next one.
    """
    array = np.frombuffer(data, dtype=np.uint8)
    size = min(len(array), _CHUNK)
    words = np.empty(size, dtype=np.uint32)
    keep = np.empty(4 * size, dtype=np.bool_)
    for start in range(0, len(array), _CHUNK):
        chunk = array[start:start + _CHUNK]
        padded = codes.take(chunk, out=words[:len(chunk)]).view(np.uint8)
        yield np.compress(np.not_equal(padded, 0, out=keep[:len(padded)]), padded)


_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))", re.DOTALL)
_SIMPLE = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b'"': b'"', b"'": b"'", b"\\": b"\\", b"a": b"\a",
           b"b": b"\b", b"f": b"\f", b"v": b"\v"}


def _unescape_one(m: re.Match) -> bytes:
    octal, hex_, u4, u8, other = m.groups()
    if octal is not None:
        return bytes([int(octal, 8) & 0xFF])
    if hex_ is not None:
        return bytes([int(hex_, 16)])
    if u4 or u8:
        return chr(int(u4 or u8, 16)).encode("utf-8", "surrogatepass")
    return _SIMPLE.get(other, b"\\" + other)


def _has_unicode_escape(raw: bytes) -> bool:
    """True if `raw` holds a \\u or \\U escape (an odd run of backslashes before u/U)."""
    for pattern in (b"\\u", b"\\U"):
        pos = raw.find(pattern)
        while pos >= 0:
            run = pos
            while run > 0 and raw[run - 1] == 0x5C:
                run -= 1
            if not (pos - run) & 1:
                return True
            pos = raw.find(pattern, pos + 2)
    return False


def unescape_bytes(raw: bytes) -> bytes:
    """Decodes the escapes of a text-format string literal body (without the quotes).

    Raises:
        ValueError: a dangling backslash at the end, or an escape that cannot be decoded.
    """
    if b"\\" not in raw:
        return raw
    if not _has_unicode_escape(raw):
        try:
            return codecs.escape_decode(raw)[0]
        except ValueError:
            pass  # a one-digit \x escape, which escape_decode refuses; the slow path takes it
    if raw.endswith(b"\\") and (len(raw) - len(raw.rstrip(b"\\"))) % 2:
        raise ValueError("string ends with a lone backslash")
    return _ESCAPE.sub(_unescape_one, raw)


# --------------------------------------------------------------------------- printing

def _float32_text(value: float) -> str:
    """The shortest decimal that reads back as the same float32, printed as Python prints floats."""
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"  # the cache below has 0.0 == -0.0
    return _float32_nonzero(value)


@lru_cache(maxsize=1 << 16)
def _float32_nonzero(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    for precision in range(6, 10):
        rounded = float(f"{value:.{precision}g}")
        try:
            if struct.unpack("<f", struct.pack("<f", rounded))[0] == value:
                return repr(rounded)
        except OverflowError:
            continue
    return repr(value)


def _float32_tf1(value: float) -> str:
    return "nan" if math.isnan(value) else repr(value)


def _double_text(value: float) -> str:
    return str(value)


class _Printer:
    """Writes one message as text into a list of bytes pieces (`out`).

    With `text`, big bytes values are escaped straight into str pieces of `texts`, the bytes
    pieces before them decoded and moved there too: call `finish_text` at the end.
    """

    __slots__ = ("as_utf8", "float_text", "out", "texts")

    def __init__(self, float_format: str, as_utf8: bool, text: bool = False):
        if float_format not in ("shortest", "tf1"):
            raise ValueError(f"float_format must be 'shortest' or 'tf1', not {float_format!r}")
        self.out: list[bytes] = []
        self.texts: list[str] | None = [] if text else None
        self.float_text = _float32_text if float_format == "shortest" else _float32_tf1
        self.as_utf8 = as_utf8

    def finish_text(self) -> list[str]:
        """Moves the pending bytes pieces to `texts` (decoded) and returns `texts`."""
        if self.out:
            self.texts.append(b"".join(self.out).decode("utf-8"))
            self.out.clear()
        return self.texts

    def message(self, msg: Message, indent: bytes) -> None:
        if msg.DESCRIPTOR.full_name == _ANY and self._any(msg, indent):
            return
        for fd, value in msg.ListFields():
            name = fd.name.encode()
            if fd.is_repeated:
                if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
                    self._map(fd, name, value, indent)
                else:
                    for item in value:
                        self.field(fd, name, item, indent)
            else:
                self.field(fd, name, value, indent)

    def _map(self, fd, name: bytes, value, indent: bytes) -> None:
        # Printed as the entry message text_format would build: the key and a scalar value only
        # when not default, a message value always (it is set in the entry).
        key_fd = fd.message_type.fields_by_name["key"]
        value_fd = fd.message_type.fields_by_name["value"]
        inner = indent + b"  "
        out = self.out
        for key in sorted(value):
            out.append(b"%s%s {\n" % (indent, name))
            if key:
                self.field(key_fd, b"key", key, inner)
            item = value[key]
            if value_fd.message_type is not None or item:
                self.field(value_fd, b"value", item, inner)
            out.append(indent + b"}\n")

    def _any(self, msg: Message, indent: bytes) -> bool:
        url = msg.type_url
        if "/" not in url:
            return False
        cls = _message_class_for(url.rsplit("/", 1)[1])
        if cls is None:
            return False
        packed = cls()
        packed.MergeFromString(msg.value)
        self.out.append(b"%s[%s] {\n" % (indent, url.encode("utf-8")))
        self.message(packed, indent + b"  ")
        self.out.append(indent + b"}\n")
        return True

    def field(self, fd, name: bytes, value, indent: bytes) -> None:
        out = self.out
        t = fd.type
        if t == _T.TYPE_MESSAGE or t == _T.TYPE_GROUP:
            out.append(b"%s%s {\n" % (indent, name))
            self.message(value, indent + b"  ")
            out.append(indent + b"}\n")
            return
        if t == _T.TYPE_STRING or t == _T.TYPE_BYTES:
            raw = value.encode("utf-8") if t == _T.TYPE_STRING else value
            if self.texts is not None and t == _T.TYPE_BYTES and len(raw) >= _TEXT_DIRECT:
                out.append(b'%s%s: "' % (indent, name))
                self.finish_text().extend(_escaped_text_parts(raw))
                out.append(b'"\n')
                return
            parts = _escape_parts(raw, self.as_utf8 and t == _T.TYPE_STRING)
            if len(parts) == 1:
                out.append(b'%s%s: "%s"\n' % (indent, name, parts[0]))
            else:  # a big value: its pieces go straight to the output, unjoined
                out.append(b'%s%s: "' % (indent, name))
                out.extend(parts)
                out.append(b'"\n')
            return
        if t == _T.TYPE_ENUM:
            ev = fd.enum_type.values_by_number.get(value)
            text = ev.name.encode() if ev is not None else str(value).encode()
        elif t == _T.TYPE_BOOL:
            text = b"true" if value else b"false"
        elif t == _T.TYPE_FLOAT:
            text = self.float_text(value).encode()
        elif t == _T.TYPE_DOUBLE:
            text = _double_text(value).encode()
        else:
            text = str(value).encode()
        out.append(b"%s%s: %s\n" % (indent, name, text))


def format_pbtxt_pieces(message: Message, float_format: str = "shortest", as_utf8: bool = True) -> list[bytes]:
    """As `format_pbtxt_bytes`, but the UTF-8 text is returned in pieces, to be written one by one."""
    printer = _Printer(float_format, as_utf8)
    printer.message(message, b"")
    return printer.out


def format_pbtxt_bytes(message: Message, float_format: str = "shortest", as_utf8: bool = True) -> bytes:
    """As `format_pbtxt`, but returns the UTF-8 text as bytes (what files hold)."""
    return b"".join(format_pbtxt_pieces(message, float_format, as_utf8))


def format_pbtxt(message: Message, float_format: str = "shortest", as_utf8: bool = True) -> str:
    """Prints `message` in protobuf text format, exactly as `text_format.MessageToString` does.

    Args:
        message: any protobuf message.
        float_format: "shortest" (default; TF 2.x `write_graph`, `str(message)`) prints float32
            fields as the shortest decimal that round-trips; "tf1" prints the float widened to
            double (`repr`), as TF 1.15 `write_graph` did with `float_format=''`.
        as_utf8: leave non-ASCII characters of string fields unescaped, as protobuf >= 4
            prints by default (TF 2.x); False escapes them as octal UTF-8 bytes (TF 1.15, protobuf 3).
            Bytes fields are always fully escaped.

    Returns:
        The text; fields in field-number order, map entries sorted by key, bytes escaped
        with 3-digit octal, `Any` expanded with TensorFlow's type names.
    """
    printer = _Printer(float_format, as_utf8, text=True)
    printer.message(message, b"")
    return "".join(printer.finish_text())


# --------------------------------------------------------------------------- parsing

# One token after optional whitespace and comments: identifier | number-like | quote | symbol | end.
_TOKEN = re.compile(
    rb"(?:[ \t\r\n\f\v]+|#[^\n]*)*"
    rb"(?:([A-Za-z_][0-9A-Za-z_+-]*)|((?:[0-9+-]|\.[0-9])[0-9A-Za-z_.+-]*)|([\"'])|([{}<>\[\]:,;/.])|(\Z))")
_match_token = _TOKEN.match
_SPACE = re.compile(rb"(?:[ \t\r\n\f\v]+|#[^\n]*)*")
_OCTAL = re.compile(rb"(-?)0([0-9]+)\Z")
_INF = re.compile(rb"-?inf(?:inity)?f?\Z", re.IGNORECASE)
_NAN = re.compile(rb"nanf?\Z", re.IGNORECASE)
_TRUE = {b"true", b"t", b"1", b"True"}
_FALSE = {b"false", b"f", b"0", b"False"}
_CLOSE = {b"{": b"}", b"<": b">"}
_INT_LIMITS = {
    _T.TYPE_INT32: (-(1 << 31), (1 << 31) - 1), _T.TYPE_SINT32: (-(1 << 31), (1 << 31) - 1),
    _T.TYPE_SFIXED32: (-(1 << 31), (1 << 31) - 1), _T.TYPE_UINT32: (0, (1 << 32) - 1),
    _T.TYPE_FIXED32: (0, (1 << 32) - 1), _T.TYPE_INT64: (-(1 << 63), (1 << 63) - 1),
    _T.TYPE_SINT64: (-(1 << 63), (1 << 63) - 1), _T.TYPE_SFIXED64: (-(1 << 63), (1 << 63) - 1),
    _T.TYPE_UINT64: (0, (1 << 64) - 1), _T.TYPE_FIXED64: (0, (1 << 64) - 1),
}

# Token kinds, as the group index of _TOKEN that matched.
_IDENT, _NUMBER, _QUOTE, _SYMBOL, _END = 1, 2, 3, 4, 5


class _Field:
    """What the parser needs to know about one field, computed once per descriptor."""

    __slots__ = ("fd", "is_map", "message_cls", "name", "oneof", "repeated", "type", "value_field")

    def __init__(self, fd):
        self.fd = fd
        self.name = fd.name
        self.type = fd.type
        self.repeated = fd.is_repeated
        self.is_map = bool(fd.message_type is not None and fd.message_type.GetOptions().map_entry)
        self.message_cls = (message_factory.GetMessageClass(fd.message_type)
                            if fd.message_type is not None else None)
        self.value_field = (_Field(fd.message_type.fields_by_name["value"]) if self.is_map else None)
        self.oneof = fd.containing_oneof.name if fd.containing_oneof is not None else None


_FIELDS: dict[str, dict[bytes, _Field]] = {}


def _fields_of(desc) -> dict[bytes, _Field]:
    table = _FIELDS.get(desc.full_name)
    if table is None:
        table = {fd.name.encode(): _Field(fd) for fd in desc.fields}
        _FIELDS[desc.full_name] = table
    return table


class _ParseError(Exception):
    """Raised inside the parser with the byte offset; turned into a FormatError at the top."""

    def __init__(self, message: str, pos: int):
        super().__init__(message)
        self.pos = pos


class _Parser:
    __slots__ = ("data", "kind", "pos", "start", "text")

    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0
        self.next()

    # -- tokens -------------------------------------------------------------------------
    def next(self) -> None:
        """Reads the next token into (kind, text, start)."""
        m = _match_token(self.data, self.pos)
        if m is None:
            at = _SPACE.match(self.data, self.pos).end()
            raise _ParseError(f"unexpected character {self.data[at:at + 1].decode('utf-8', 'replace')!r}", at)
        self.kind = kind = m.lastindex
        self.text = text = m[kind]
        self.pos = end = m.end()
        self.start = end - len(text)  # the token ends the match

    def expect(self, symbol: bytes) -> None:
        if self.kind != _SYMBOL or self.text != symbol:
            raise _ParseError(f"expected {symbol.decode()!r}, found {self._describe()}", self.start)
        self.next()

    def try_symbol(self, symbol: bytes) -> bool:
        if self.kind == _SYMBOL and self.text == symbol:
            self.next()
            return True
        return False

    def _describe(self) -> str:
        if self.kind == _END:
            return "the end of the text"
        if self.kind == _QUOTE:
            return "a string"
        return repr(self.text.decode("utf-8", "replace"))

    def string(self) -> bytes:
        """Reads one or more adjacent string literals (the current token is a quote)."""
        pieces = []
        while self.kind == _QUOTE:
            pieces.append(self._one_string())
            self.next()
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def _one_string(self) -> bytes:
        data, quote, begin = self.data, self.text, self.pos
        end = begin
        while True:
            end = data.find(quote, end)
            if end < 0:
                raise _ParseError("string literal is not closed", self.start)
            slashes = 0
            while end - 1 - slashes >= begin and data[end - 1 - slashes] == 0x5C:
                slashes += 1
            if not slashes & 1:
                break
            end += 1
        if data.find(b"\n", begin, end) >= 0:
            raise _ParseError("string literal is not closed on its line", self.start)
        self.pos = end + 1
        raw = data[begin:end]
        try:
            return unescape_bytes(raw)
        except ValueError as e:
            raise _ParseError(f"bad escape in string literal: {e}", self.start) from e

    # -- values -------------------------------------------------------------------------
    def scalar(self, field: _Field):
        t = field.type
        if t == _T.TYPE_STRING or t == _T.TYPE_BYTES:
            if self.kind != _QUOTE:
                raise _ParseError(f"expected a string for field {field.name!r}, found {self._describe()}",
                                  self.start)
            start = self.start
            value = self.string()
            if t == _T.TYPE_STRING:
                try:
                    return value.decode("utf-8")
                except UnicodeDecodeError as e:
                    raise _ParseError(f"string field {field.name!r} is not valid UTF-8: {e}", start) from e
            return value
        if self.kind not in (_IDENT, _NUMBER):
            raise _ParseError(f"expected a value for field {field.name!r}, found {self._describe()}", self.start)
        text, start = self.text, self.start
        self.next()
        try:
            if t in _INT_TYPES:
                return self._integer(text, t)
            if t in _FLOAT_TYPES:
                return self._float(text, t)
            if t == _T.TYPE_BOOL:
                if text in _TRUE:
                    return True
                if text in _FALSE:
                    return False
                raise ValueError(f"expected true or false, found {text.decode()!r}")
            if t == _T.TYPE_ENUM:
                return self._enum(text, field.fd)
        except ValueError as e:
            raise _ParseError(f"field {field.name!r}: {e}", start) from e
        raise _ParseError(f"field {field.name!r} has a type the parser does not know", start)

    @staticmethod
    def _integer(text: bytes, t: int) -> int:
        octal = _OCTAL.match(text)
        try:
            value = int(octal.group(1) + b"0o" + octal.group(2), 0) if octal else int(text, 0)
        except ValueError:
            raise ValueError(f"expected an integer, found {text.decode()!r}") from None
        low, high = _INT_LIMITS[t]
        if not low <= value <= high:
            raise ValueError(f"integer {text.decode()} is out of range")
        return value

    @staticmethod
    def _float(text: bytes, t: int) -> float:
        try:
            value = float(text)
        except ValueError:
            if _INF.match(text):
                value = -math.inf if text[:1] == b"-" else math.inf
            elif _NAN.match(text):
                value = math.nan
            else:
                try:
                    value = float(text.rstrip(b"fF"))
                except ValueError:
                    raise ValueError(f"expected a number, found {text.decode()!r}") from None
        if t == _T.TYPE_FLOAT and not math.isinf(value) and abs(value) > 3.4028235677973366e38:
            value = math.copysign(math.inf, value)  # as text_format: too large for float32 -> inf
        return value

    @staticmethod
    def _enum(text: bytes, fd) -> int:
        enum = fd.enum_type
        if text[:1].isalpha() or text[:1] == b"_":
            ev = enum.values_by_name.get(text.decode())
            if ev is None:
                raise ValueError(f"enum {enum.full_name} has no value named {text.decode()!r}")
            return ev.number
        number = _Parser._integer(text, _T.TYPE_INT32)
        if number not in enum.values_by_number and getattr(enum, "is_closed", False):
            raise ValueError(f"enum {enum.full_name} has no value numbered {number}")
        return number

    # -- messages -----------------------------------------------------------------------
    def message_body(self, msg: Message, close: bytes | None, depth: int) -> None:
        """Parses fields into `msg` until `close` (or the end of the text when None)."""
        if depth > _MAX_DEPTH:
            raise _ParseError(f"messages nest deeper than {_MAX_DEPTH} levels", self.start)
        desc = msg.DESCRIPTOR
        fields = _fields_of(desc)
        is_any = desc.full_name == _ANY
        pending: dict[str, list] = {}
        seen: set[str] = set()
        oneofs: dict[str, str] = {}
        while True:
            if self.kind == _END:
                if close is not None:
                    raise _ParseError(f"expected {close.decode()!r} to close a {desc.name}, "
                                      "found the end of the text", self.start)
                break
            if close is not None and self.kind == _SYMBOL and self.text == close:
                self.next()
                break
            if is_any and self.kind == _SYMBOL and self.text == b"[":
                self._expanded_any(msg, seen, depth)
            else:
                self._field(msg, desc, fields, pending, seen, oneofs, depth)
            if not self.try_symbol(b","):
                self.try_symbol(b";")
        for name, values in pending.items():
            getattr(msg, name).extend(values)

    def _field(self, msg, desc, fields, pending, seen, oneofs, depth) -> None:
        if self.kind != _IDENT:
            raise _ParseError(f"expected a field name of {_tf_name(desc.full_name)}, found {self._describe()}", self.start)
        name_start = self.start
        field = fields.get(self.text)
        if field is None:
            raise _ParseError(f"message {_tf_name(desc.full_name)} has no field named "
                              f"{self.text.decode('utf-8', 'replace')!r}", name_start)
        self.next()
        if not field.repeated:
            if field.name in seen:
                raise _ParseError(f"message {_tf_name(desc.full_name)} should not have multiple "
                                  f"{field.name!r} fields", name_start)
            seen.add(field.name)
            if field.oneof is not None:
                other = oneofs.get(field.oneof)
                if other is not None:
                    raise _ParseError(f"field {field.name!r} is given along with {other!r}, another "
                                      f"member of oneof {field.oneof!r}", name_start)
                oneofs[field.oneof] = field.name
        if field.message_cls is not None:
            self.try_symbol(b":")
            if field.repeated and self.try_symbol(b"["):
                self._list(lambda: self._message_value(msg, field, depth))
            else:
                self._message_value(msg, field, depth)
        else:
            self.expect(b":")
            if field.repeated:
                values = pending.setdefault(field.name, [])
                if self.try_symbol(b"["):
                    self._list(lambda: values.append(self.scalar(field)))
                else:
                    values.append(self.scalar(field))
            else:
                value_start = self.start
                value = self.scalar(field)
                try:
                    setattr(msg, field.name, value)
                except (ValueError, TypeError) as e:
                    raise _ParseError(f"field {field.name!r}: {e}", value_start) from e

    def _list(self, read_one) -> None:
        if self.try_symbol(b"]"):
            return
        while True:
            read_one()
            if self.try_symbol(b"]"):
                return
            self.expect(b",")

    def _open(self) -> bytes:
        if self.kind == _SYMBOL and self.text in _CLOSE:
            close = _CLOSE[self.text]
            self.next()
            return close
        raise _ParseError(f"expected '{{' or '<', found {self._describe()}", self.start)

    def _message_value(self, msg, field: _Field, depth: int) -> None:
        close = self._open()
        if field.is_map:
            self._map_entry(getattr(msg, field.name), field, close, depth)
        elif field.repeated:
            self.message_body(getattr(msg, field.name).add(), close, depth + 1)
        else:
            sub = getattr(msg, field.name)
            sub.SetInParent()
            self.message_body(sub, close, depth + 1)

    def _map_entry(self, container, field: _Field, close: bytes, depth: int) -> None:
        value_field = field.value_field
        # Fast path: `key` first (as every printer writes it), so the value can be parsed in place.
        if self.kind == _IDENT and self.text == b"key":
            self.next()
            self.expect(b":")
            key = self.scalar(_fields_of(field.fd.message_type)[b"key"])
            if not self.try_symbol(b","):
                self.try_symbol(b";")
            if key in container:
                del container[key]  # a repeated key replaces the earlier entry, as text_format does
            if self.kind == _SYMBOL and self.text == close:
                self.next()
                if value_field.message_cls is not None:
                    container[key]
                else:
                    container[key] = _default(value_field)
                return
            if self.kind == _IDENT and self.text == b"value":
                self.next()
                if value_field.message_cls is not None:
                    self.try_symbol(b":")
                    sub_close = self._open()
                    self.message_body(container[key], sub_close, depth + 2)
                else:
                    self.expect(b":")
                    container[key] = self.scalar(value_field)
                if not self.try_symbol(b","):
                    self.try_symbol(b";")
                self.expect(close)
                return
            entry = field.message_cls(key=key)
            self.message_body(entry, close, depth + 1)
        else:
            entry = field.message_cls()
            self.message_body(entry, close, depth + 1)
        if value_field.message_cls is not None:
            container[entry.key].CopyFrom(entry.value)
        else:
            container[entry.key] = entry.value

    def _expanded_any(self, msg, seen: set, depth: int) -> None:
        start = self.start
        self.next()  # '['
        parts = []
        while not (self.kind == _SYMBOL and self.text == b"]"):
            if self.kind in (_END, _QUOTE) or (self.kind == _SYMBOL and self.text not in b"/."):
                raise _ParseError(f"expected a type URL and ']', found {self._describe()}", self.start)
            parts.append(self.text)
            self.next()
        self.next()
        url = b"".join(parts).decode("utf-8")
        if "/" not in url:
            raise _ParseError(f"expanded Any needs a type URL with a '/', found {url!r}", start)
        cls = _message_class_for(url.rsplit("/", 1)[1])
        if cls is None:
            raise _ParseError(f"expanded Any names an unknown message type {url!r}", start)
        if "type_url" in seen or "value" in seen:
            raise _ParseError("an Any may hold only one value", start)
        seen.update(("type_url", "value"))
        self.try_symbol(b":")
        close = self._open()
        packed = cls()
        self.message_body(packed, close, depth + 1)
        msg.type_url = url
        msg.value = packed.SerializeToString(deterministic=True)


def _default(field: _Field):
    t = field.type
    if t == _T.TYPE_STRING:
        return ""
    if t == _T.TYPE_BYTES:
        return b""
    if t == _T.TYPE_BOOL:
        return False
    if t in _FLOAT_TYPES:
        return 0.0
    return 0


def _tf_name(full_name: str) -> str:
    if full_name.startswith(OUR_PACKAGE + "."):
        return TF_PACKAGE + full_name[len(OUR_PACKAGE):]
    return full_name


def _position(data: bytes, pos: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, pos) + 1
    col = pos - (data.rfind(b"\n", 0, pos) + 1) + 1
    return line, col


def parse_pbtxt(text: str | bytes, message, path=None):
    """Parses protobuf text format into a message, accepting all that text_format accepts.

    Args:
        text: the text, as str or UTF-8 bytes.
        message: a message class (a new instance is returned) or instance (merged into).
        path: the file name to put in error messages.

    Returns:
        The message.

    Raises:
        FormatError: a syntax error, unknown field or bad value, with file, line and column.
    """
    msg = message() if isinstance(message, type) else message
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    where = f"{path}" if path is not None else "<text>"
    try:
        with warnings.catch_warnings():
            # escape_decode warns on escapes Python itself would not take (such as \?); the
            # protobuf parser takes them, so do we.
            warnings.simplefilter("ignore", DeprecationWarning)
            parser = _Parser(data)
            parser.message_body(msg, None, 0)
    except _ParseError as e:
        line, col = _position(data, e.pos)
        kind = _tf_name(msg.DESCRIPTOR.full_name)
        raise FormatError(f"{where}:{line}:{col}: cannot parse {kind} text: {e}") from None
    except RecursionError as e:
        raise FormatError(f"{where}: cannot parse text: messages nest too deeply") from e
    return msg
