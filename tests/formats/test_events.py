"""Event files: TFRecord framing, the TF-written mlp event file, crash and corruption handling."""

from __future__ import annotations

import os
import pathlib
import struct

import pytest
from ortflow.errors import FormatError
from ortflow.formats import events
from ortflow.proto import Event, GraphDef, MetaGraphDef, Summary

TF_EVENTS = "mlp/events/events.out.tfevents.1795410309.vm"


@pytest.fixture
def tf_events(data_dir) -> pathlib.Path:
    return data_dir / TF_EVENTS


def test_reads_tensorflow_event_file(tf_events):
    evs = list(events.read_events(tf_events))
    assert evs[0].file_version == "brain.Event:2"
    assert evs[0].wall_time == 1795410309.0  # the integer seconds of the file name
    assert evs[1].WhichOneof("what") == "graph_def"
    assert evs[2].WhichOneof("what") == "meta_graph_def"
    graph = GraphDef.FromString(evs[1].graph_def)
    assert any(n.op == "MatMul" for n in graph.node)
    meta = MetaGraphDef.FromString(evs[2].meta_graph_def)
    assert len(meta.graph_def.node) == len(graph.node)
    scalars = [(e.step, v.tag, v.simple_value) for e in evs[3:] for v in e.summary.value]
    assert [s[0] for s in scalars] == list(range(1, len(scalars) + 1))
    assert {s[1] for s in scalars} == {"loss_1"}


def test_reframing_is_byte_identical(tf_events):
    original = tf_events.read_bytes()
    rebuilt = b"".join(events.encode_record(r) for r in events.read_records(tf_events))
    assert rebuilt == original


def test_writer_round_trip_of_tensorflow_events(tf_events, tmp_path):
    originals = list(events.read_events(tf_events))
    writer = events.EventsWriter(tmp_path, suffix=".x")
    for e in originals[1:]:
        writer.write_event(e)
    writer.close()
    name = os.path.basename(writer.path)
    assert name.startswith("events.out.tfevents.") and name.endswith(".x")
    stamp = name.split(".")[3]
    assert len(stamp) == 10 and stamp.isdigit()
    back = list(events.read_events(writer.path))
    assert back[0].file_version == events.FILE_VERSION
    assert back[0].wall_time == float(int(stamp))
    assert back[1:] == originals[1:]
    assert [e.SerializeToString() for e in back[1:]] == [e.SerializeToString() for e in originals[1:]]


def test_record_layout_matches_spec():
    summary = Summary(value=[Summary.Value(tag="loss", simple_value=6.0)])
    assert summary.SerializeToString() == bytes.fromhex("0a0b0a046c6f73731500 00c040".replace(" ", ""))
    record = events.encode_record(b"abc")
    assert struct.unpack("<Q", record[:8]) == (3,)
    assert len(record) == 3 + 16
    assert record[12:15] == b"abc"


@pytest.mark.parametrize("cut", [1, 5, 11, 12, 13, 40, 15])
def test_truncated_last_record_stops_cleanly(tf_events, tmp_path, cut):
    data = tf_events.read_bytes()
    records = list(events.read_records(tf_events))
    last = len(events.encode_record(records[-1]))
    path = tmp_path / "events.out.tfevents.1.host"
    path.write_bytes(data[: len(data) - last + min(cut, last - 1)])
    back = list(events.read_records(path))
    assert back == records[:-1]


def test_empty_file_has_no_records(tmp_path):
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert list(events.read_events(path)) == []


def test_corrupt_data_is_reported_with_record_and_offset(tf_events, tmp_path):
    data = bytearray(tf_events.read_bytes())
    first = len(events.encode_record(next(events.read_records(tf_events))))
    data[first + 12 + 5] ^= 0xFF  # a byte inside the second record's data
    path = tmp_path / "bad"
    path.write_bytes(bytes(data))
    it = events.read_events(path)
    assert next(it).file_version == "brain.Event:2"
    with pytest.raises(FormatError, match=r"bad: record 1 at byte %d: the data's checksum" % first):
        next(it)


def test_corrupt_length_is_reported(tmp_path):
    data = bytearray(events.encode_record(b"hello") * 2)
    data[len(data) // 2 + 2] ^= 0x01  # the second record's length
    path = tmp_path / "bad_length"
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="record 1 at byte 21: the length's checksum"):
        list(events.read_records(path))


def test_unchecked_read_skips_verification(tmp_path):
    data = bytearray(events.encode_record(b"hello"))
    data[-1] ^= 0xFF
    path = tmp_path / "f"
    path.write_bytes(bytes(data))
    assert list(events.read_records(path, verify_checksums=False)) == [b"hello"]
    with pytest.raises(FormatError):
        list(events.read_records(path))


def test_not_an_event_is_a_format_error(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(events.encode_record(b"\xff\xff\xff"))
    with pytest.raises(FormatError, match="not a serialized tensorflow.Event"):
        list(events.read_events(path))


def test_missing_file_is_a_format_error(tmp_path):
    with pytest.raises(FormatError, match="cannot open"):
        list(events.read_records(tmp_path / "nope"))


def test_huge_length_in_truncated_file_allocates_nothing(tmp_path):
    length = struct.pack("<Q", 1 << 60)
    from ortflow.formats.table import crc32c, mask_crc

    path = tmp_path / "f"
    path.write_bytes(length + struct.pack("<I", mask_crc(crc32c(length))) + b"xx")
    assert list(events.read_records(path)) == []


def test_reader_picks_up_appended_records(tmp_path):
    writer = events.EventsWriter(tmp_path)
    writer.write_event(Event(step=1))
    writer.flush()
    assert [e.step for e in events.read_events(writer.path)] == [0, 1]
    writer.write_event(Event(step=2))
    writer.close()
    assert [e.step for e in events.read_events(writer.path)] == [0, 1, 2]
