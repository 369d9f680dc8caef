"""The text-format codec against Python protobuf's text_format, on fixtures and random messages."""

from __future__ import annotations

import math
import pathlib

import numpy as np
import pytest
from google.protobuf import text_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortflow.errors import FormatError
from ortflow.formats import pbtxt
from ortflow.formats.pbtxt import escape_bytes, format_pbtxt, format_pbtxt_bytes, parse_pbtxt, unescape_bytes
from ortflow.proto import (
    AttrValue,
    CheckpointState,
    CollectionDef,
    GraphDef,
    MetaGraphDef,
    NodeDef,
    SavedModel,
    SaverDef,
    TensorProto,
)

DATA = pathlib.Path(__file__).resolve().parent.parent / "data"
TEXT_FIXTURES = ["mlp/graph.pbtxt", "mlp/frozen.pbtxt"]
BINARY_FIXTURES = [("mlp/graph.pb", GraphDef), ("mlp/frozen.pb", GraphDef), ("cnn/frozen.pb", GraphDef),
                   ("transformer/frozen.pb", GraphDef), ("mlp/ckpt/model.ckpt-30.meta", MetaGraphDef),
                   ("cnn/ckpt/cnn.meta", MetaGraphDef), ("saved_model/saved_model/saved_model.pb", SavedModel),
                   ("ops/cond_v1/frozen.pb", GraphDef), ("ops/while_v1_counter/frozen.pb", GraphDef)]


@pytest.mark.parametrize("name", TEXT_FIXTURES)
def test_tensorflow_text_reads_equal_and_prints_identical(name):
    data = (DATA / name).read_bytes()
    ours = parse_pbtxt(data, GraphDef, path=name)
    assert ours == text_format.Parse(data.decode(), GraphDef())
    assert format_pbtxt(ours).encode() == data  # byte-identical to what TensorFlow wrote


@pytest.mark.parametrize("name,cls", BINARY_FIXTURES, ids=[n for n, _ in BINARY_FIXTURES])
def test_fixture_text_equals_text_format(name, cls):
    msg = cls.FromString((DATA / name).read_bytes())
    text = format_pbtxt(msg)
    assert text == text_format.MessageToString(msg)
    assert parse_pbtxt(text, cls) == msg
    assert text_format.Parse(text, cls()) == msg


def test_every_byte_escapes_as_text_format():
    for value in [bytes(range(256)), bytes(range(256)) * 3, b"plain text", b"", b"'\"\\"]:
        want = text_format.MessageToString(TensorProto(tensor_content=value))
        assert format_pbtxt(TensorProto(tensor_content=value)) == want
        assert unescape_bytes(escape_bytes(value)) == value


def test_float_formats():
    msg = TensorProto(dtype=1, float_val=[0.1, 1e-7, 3.0, 16777216.0, -0.0, math.inf, -math.inf, math.nan, 1e20])
    shortest = format_pbtxt(msg)
    assert shortest == text_format.MessageToString(msg)
    assert "float_val: 0.1\n" in shortest and "float_val: 1e-07\n" in shortest and "float_val: nan\n" in shortest
    tf1 = format_pbtxt(msg, float_format="tf1")
    assert "float_val: 0.10000000149011612\n" in tf1 and "float_val: 1.0000000116860974e-07\n" in tf1
    assert "float_val: 16777216.0\n" in tf1 and "float_val: -0.0\n" in tf1 and "float_val: inf\n" in tf1
    assert parse_pbtxt(tf1, TensorProto) == parse_pbtxt(shortest, TensorProto)
    doubles = TensorProto(dtype=2, double_val=[0.1, 2.0, 1e20, 1795410623.6113672])
    assert format_pbtxt(doubles) == text_format.MessageToString(doubles)


def test_any_is_expanded_with_tensorflow_names():
    saver = SaverDef(max_to_keep=5, version=2, keep_checkpoint_every_n_hours=10000.0)
    meta = MetaGraphDef()
    meta.meta_info_def.any_info.type_url = "type.googleapis.com/tensorflow.SaverDef"
    meta.meta_info_def.any_info.value = saver.SerializeToString()
    text = format_pbtxt(meta)
    assert text == ("meta_info_def {\n  any_info {\n    [type.googleapis.com/tensorflow.SaverDef] {\n"
                    "      max_to_keep: 5\n      keep_checkpoint_every_n_hours: 10000.0\n      version: V2\n"
                    "    }\n  }\n}\n")
    assert parse_pbtxt(text, MetaGraphDef) == meta
    raw = 'meta_info_def { any_info { type_url: "type.googleapis.com/tensorflow.SaverDef" value: "(\\005" } }'
    assert parse_pbtxt(raw, MetaGraphDef).meta_info_def.any_info.value == b"(\x05"
    unknown = MetaGraphDef()
    unknown.meta_info_def.any_info.type_url = "type.googleapis.com/some.Unknown"
    unknown.meta_info_def.any_info.value = b"\x01"
    assert 'type_url: "type.googleapis.com/some.Unknown"' in format_pbtxt(unknown)
    assert 'value: "\\001"' in format_pbtxt(unknown)


# Spec §5: what a reader must accept. Each snippet is compared with text_format's own result
# where text_format takes it, else with the message it must give.
ACCEPTED = [
    '# comment\nname: "a" # trailing\nop: "b"',
    'name: "a", op: "b"; device: "c"',
    'attr < key: "k" value < i: 3 > >',
    'attr: { key: "k" value: { s: "x" } }',
    'attr { value { b: true } key: "late_key" }',
    'attr { key: "k" value { list { i: [1, 2, 0x10, 017, -3] } } }',
    'attr { key: "k" value { list { f: [1, 2.5, inf, -inf, nan, 1e3, 2.5f, -Infinity] } } }',
    'attr { key: "k" value { list { b: [true, false, t, f, 1, 0, True, False] } } }',
    'attr { key: "k" value { list { type: [DT_FLOAT, 3] } } }',
    'attr { key: "k" value { list { shape [ { dim { size: 1 } }, { dim { size: 2 } } ] } } }',
    "name: 'sin' \"gle\" 'quotes'",
    r'name: "\101\x41\n\t\\\"\'\a\b\f\v\0\12"',
    'attr { key: "k" value { f: 1 } }',
    'attr { key: "k" value { type: 1 } }',
    'attr { key: "k" value { s: "" } }',
    'attr { key: "" value { } }',
    'input: "a" input: "b" name: "n" input: "c"',
    '',
    '\n  # only a comment\n',
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_reader_accepts_spec_forms(text):
    ours = parse_pbtxt(text, NodeDef)
    assert ours == text_format.Parse(text, NodeDef())
    assert parse_pbtxt(format_pbtxt(ours), NodeDef) == ours


def test_reader_extras_beyond_text_format():
    assert parse_pbtxt(r'name: "\x4"', NodeDef).name == "\x04"  # one-digit hex escape
    assert parse_pbtxt(r'name: "\u00e9"', NodeDef).name == "é"
    assert parse_pbtxt('name: "é"', NodeDef).name == "é"
    assert parse_pbtxt(b'model_checkpoint_path: "m"\nall_model_checkpoint_timestamps: 1.5\n',
                       CheckpointState).all_model_checkpoint_timestamps == [1.5]


REJECTED = [
    ('name: "a"\nname: "b"', 2, 1, "multiple 'name'"),
    ('name: "a"\n  bogus: 1', 2, 3, "no field named 'bogus'"),
    ('attr { key: "k" value { i: 1 f: 2 } }', 1, 30, "oneof"),
    ('name: "abc', 1, 7, "not closed"),
    ('name: "ab\nc"', 1, 7, "not closed"),
    ('attr { key: "k" value { type: DT_NOPE } }', 1, 31, "DT_NOPE"),
    ('attr { key: "k" value { i: 99999999999999999999 } }', 1, 28, "out of range"),
    ('attr { key: "k" value { b: maybe } }', 1, 28, "true or false"),
    ('attr { key: "k" value { i: 1 }', 1, 31, "'}'"),
    ('name "a"', 1, 6, "':'"),
    ('name: a', 1, 7, "string"),
    ('name: "a" @', 1, 11, "unexpected character"),
    ('attr { key: "k" value { f: 1.2.3 } }', 1, 28, "number"),
]


@pytest.mark.parametrize("text,line,col,words", REJECTED)
def test_errors_name_file_line_and_column(text, line, col, words):
    with pytest.raises(FormatError) as info:
        parse_pbtxt(text, NodeDef, path="g.pbtxt")
    message = str(info.value)
    assert message.startswith(f"g.pbtxt:{line}:{col}: "), message
    assert words in message


def test_deep_nesting_is_an_error_not_a_crash():
    text = "attr { key: 'k' value { list { func { " * 200
    with pytest.raises(FormatError):
        parse_pbtxt(text, NodeDef)


# ---------------------------------------------------------------- randomized messages

_names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
# Text has one spelling for NaN ("nan"), so a NaN's sign and payload cannot survive any text
# round trip (text_format's included): the strategy draws only the canonical NaN.
_f32 = st.floats(width=32, allow_nan=True).map(lambda x: math.nan if math.isnan(x) else x)
_f64 = st.floats(allow_nan=True).map(lambda x: math.nan if math.isnan(x) else x)
_shape = st.lists(st.integers(-1, 50), max_size=4)


@st.composite
def _tensors(draw):
    t = TensorProto(dtype=draw(st.sampled_from([1, 2, 3, 7, 9, 10, 19])))
    for d in draw(_shape):
        t.tensor_shape.dim.add().size = d
    t.tensor_content = draw(st.binary(max_size=64))
    t.float_val.extend(draw(st.lists(_f32, max_size=4)))
    t.double_val.extend(draw(st.lists(_f64, max_size=3)))
    t.int64_val.extend(draw(st.lists(st.integers(-(1 << 63), (1 << 63) - 1), max_size=3)))
    t.string_val.extend(draw(st.lists(st.binary(max_size=10), max_size=3)))
    t.half_val.extend(draw(st.lists(st.integers(0, 65535), max_size=3)))
    t.uint64_val.extend(draw(st.lists(st.integers(0, (1 << 64) - 1), max_size=2)))
    t.bool_val.extend(draw(st.lists(st.booleans(), max_size=2)))
    return t


@st.composite
def _attr_values(draw, depth=0):
    kind = draw(st.sampled_from(["s", "i", "f", "b", "type", "shape", "tensor", "list", "func", "placeholder"]))
    v = AttrValue()
    if kind == "s":
        v.s = draw(st.binary(max_size=20))
    elif kind == "i":
        v.i = draw(st.integers(-(1 << 63), (1 << 63) - 1))
    elif kind == "f":
        v.f = draw(_f32)
    elif kind == "b":
        v.b = draw(st.booleans())
    elif kind == "type":
        v.type = draw(st.sampled_from([0, 1, 3, 14, 19, 101, 77]))  # 77: a number with no name
    elif kind == "shape":
        v.shape.SetInParent()
        v.shape.unknown_rank = draw(st.booleans())
        for d in draw(_shape):
            v.shape.dim.add(size=d, name=draw(st.sampled_from(["", "n"])))
    elif kind == "tensor":
        v.tensor.CopyFrom(draw(_tensors()))
    elif kind == "list":
        v.list.SetInParent()
        v.list.i.extend(draw(st.lists(st.integers(-5, 5), max_size=3)))
        v.list.f.extend(draw(st.lists(_f32, max_size=3)))
        v.list.s.extend(draw(st.lists(st.binary(max_size=5), max_size=3)))
        v.list.type.extend(draw(st.lists(st.sampled_from([1, 2, 9]), max_size=3)))
    elif kind == "func":
        v.func.name = draw(_names)
        if depth < 2:
            for key in draw(st.lists(_names, max_size=2)):
                v.func.attr[key].CopyFrom(draw(_attr_values(depth + 1)))
    else:
        v.placeholder = draw(_names)
    return v


@st.composite
def _graphs(draw):
    g = GraphDef()
    for _ in range(draw(st.integers(0, 3))):
        n = g.node.add(name=draw(_names), op=draw(_names), device=draw(_names))
        n.input.extend(draw(st.lists(_names, max_size=3)))
        for key in draw(st.lists(_names, max_size=3)):
            n.attr[key].CopyFrom(draw(_attr_values()))
    if draw(st.booleans()):
        g.versions.producer = draw(st.integers(0, 2000))
        g.versions.bad_consumers.extend(draw(st.lists(st.integers(-3, 3), max_size=2)))
    return g


# Bytes drawn mostly from the values whose escapes differ (quotes, backslash, control bytes, DEL,
# high bytes), repeated so that values pass both the short path (< 64 bytes) and the numpy one.
_tricky_bytes = st.lists(st.sampled_from(b"\0\a\t\n\r\"'\\ ?a~\x7f\x80\xc3\xa9\xff"), max_size=300).map(bytes)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=700), _tricky_bytes), st.integers(0, 3))
def test_escaping_arbitrary_bytes_matches_text_format(value, repeat):
    if value and repeat:  # past the size from which format_pbtxt escapes into one numpy buffer
        value = value * (repeat * pbtxt._TEXT_DIRECT // len(value) + 1)
    want = text_format.MessageToString(TensorProto(tensor_content=value))
    assert format_pbtxt(TensorProto(tensor_content=value)) == want
    if value:  # an empty bytes field is not printed
        assert want == f'tensor_content: "{escape_bytes(value).decode("ascii")}"\n'
    assert unescape_bytes(escape_bytes(value)) == value


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200), st.integers(0, 2))
def test_escaping_arbitrary_strings_matches_text_format(value, repeat):
    node = NodeDef(name=value * (1 + 50 * repeat))  # a string field: UTF-8 kept with as_utf8
    for as_utf8 in (True, False):
        assert format_pbtxt(node, as_utf8=as_utf8) == text_format.MessageToString(node, as_utf8=as_utf8)


def test_escaping_across_numpy_chunks():
    # Values longer than one numpy pass (_CHUNK input bytes), cut at odd places.
    rng = np.random.default_rng(1)
    tricky = np.frombuffer(b"\0\t\n\r\"'\\a\x7f\xff", dtype=np.uint8)
    sizes = (pbtxt._TEXT_DIRECT - 1, pbtxt._TEXT_DIRECT, pbtxt._CHUNK - 1, pbtxt._CHUNK, pbtxt._CHUNK + 1,
             2 * pbtxt._CHUNK + 7)
    values = [rng.choice(tricky, size).tobytes() for size in sizes] + [b"plain text " * 20000]
    for value in values:
        msg = TensorProto(tensor_content=value, string_val=[value])
        want = text_format.MessageToString(msg)
        assert format_pbtxt(msg) == want
        assert format_pbtxt_bytes(msg) == want.encode()


def _same(a, b) -> bool:
    # NaN != NaN breaks message ==; compare the deterministic bytes instead.
    return a.SerializeToString(deterministic=True) == b.SerializeToString(deterministic=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_graphs())
def test_random_graphs_match_text_format(graph):
    text = format_pbtxt(graph)
    assert text == text_format.MessageToString(graph)
    assert format_pbtxt(graph, as_utf8=False) == text_format.MessageToString(graph, as_utf8=False)
    assert _same(parse_pbtxt(text, GraphDef), graph)
    assert _same(parse_pbtxt(text, GraphDef), text_format.Parse(text, GraphDef()))
    tf1 = format_pbtxt(graph, float_format="tf1")
    assert _same(parse_pbtxt(tf1, GraphDef), graph)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(_names, st.sampled_from(["node_list", "bytes_list", "int64_list", "float_list"]),
                       max_size=4), st.lists(st.floats(width=32, allow_nan=False), max_size=3))
def test_random_collections_match_text_format(kinds, floats):
    meta = MetaGraphDef()
    for key, kind in kinds.items():
        c = CollectionDef()
        getattr(c, kind).SetInParent()
        if kind == "float_list":
            c.float_list.value.extend(floats)
        elif kind == "bytes_list":
            c.bytes_list.value.append(key.encode())
        elif kind == "node_list":
            c.node_list.value.append(key)
        meta.collection_def[key].CopyFrom(c)
    text = format_pbtxt(meta)
    assert text == text_format.MessageToString(meta)
    assert parse_pbtxt(text, MetaGraphDef) == meta


def test_large_tensor_content_round_trip():
    content = np.random.default_rng(0).integers(0, 256, 3 << 20, dtype=np.uint8).tobytes()
    t = TensorProto(dtype=1, tensor_content=content)
    text = format_pbtxt(t)
    assert parse_pbtxt(text, TensorProto).tensor_content == content
    assert text == text_format.MessageToString(t)
