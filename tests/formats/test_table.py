"""Tests of the SSTable codec behind checkpoint `.index` files, on TensorFlow-written tables."""

from __future__ import annotations

import io
import random
import shutil
import struct

import pytest
from ortflow.errors import FormatError, NotFoundError
from ortflow.formats import table
from ortflow.formats.table import TableBuilder, TableReader, crc32c, mask_crc, unmask_crc

INDEXES = ["ckpt_dtypes/ckpt/dtypes.index", "ckpt_sharded/ckpt/sharded.index", "cnn/ckpt/cnn.index",
           "mlp/ckpt/model.ckpt-20.index", "mlp/ckpt/model.ckpt-30.index",
           "saved_model/saved_model/variables/variables.index"]


def _build(entries, **kw) -> bytes:
    buf = io.BytesIO()
    builder = TableBuilder(buf, **kw)
    for k, v in entries:
        builder.add(k, v)
    builder.finish()
    return buf.getvalue()


def test_crc32c_and_mask_vectors():
    assert crc32c(b"123456789") == 0xE3069283
    assert mask_crc(crc32c(b"123456789")) == 0xC78AB0E5
    assert mask_crc(0) == 0xA282EAD8
    assert unmask_crc(mask_crc(0x12345678)) == 0x12345678
    assert table.crc32c_extend(crc32c(b"1234"), memoryview(b"56789")) == crc32c(b"123456789")
    assert crc32c(bytearray(b"123456789")) == 0xE3069283


@pytest.mark.parametrize("value", [0, 1, 127, 128, 300, 2**32 - 1, 2**63])
def test_varint_round_trip(value):
    raw = table.encode_varint(value)
    assert table.decode_varint(raw, 0, len(raw)) == (value, len(raw))


def test_varint_past_limit_is_error():
    with pytest.raises(ValueError):
        table.decode_varint(b"\x80\x80", 0, 2)


def test_spec_worked_example_is_byte_identical():
    # spec §10: SaveV2 of a float32 scalar 1.0 named "v"
    header = bytes.fromhex("08011a020801")
    entry = bytes.fromhex("08011200280435 81a5da2b".replace(" ", ""))
    out = _build([(b"", header), (b"v", entry)])
    assert len(out) == 117
    assert out[0x20:0x25] == bytes.fromhex("0095ced3f3")
    assert out[0x32:0x40] == bytes.fromhex("000102770020") + bytes.fromhex("0000000001000000")
    assert out[-8:] == bytes.fromhex("57fb808b247547db")


@pytest.mark.parametrize("rel", INDEXES)
def test_tensorflow_tables_rebuild_byte_identical(data_dir, rel):
    path = data_dir / rel
    reader = TableReader(path)
    assert reader.keys()[0] == b""
    assert _build(reader.items()) == path.read_bytes()


def test_many_entries_span_blocks_and_restarts():
    rng = random.Random(0)
    keys = sorted({f"layer_{i:05d}/kernel_{rng.randrange(1000)}".encode() for i in range(9000)})
    entries = [(k, bytes(rng.randrange(256) for _ in range(rng.randrange(40)))) for k in keys]
    out = _build(entries, block_size=4096)
    reader = TableReader("<mem>", out)
    assert list(reader.items()) == entries
    assert reader.get(keys[4321]) == entries[4321][1]
    assert reader.get(b"nope") is None


def test_huge_value_gets_its_own_block():
    entries = [(b"a", b"x"), (b"b", b"y" * 600_000), (b"c", b"z")]
    out = _build(entries)
    assert list(TableReader("<mem>", out).items()) == entries


def test_keys_must_increase():
    builder = TableBuilder(io.BytesIO())
    builder.add(b"b", b"")
    with pytest.raises(ValueError, match="strictly increasing"):
        builder.add(b"a", b"")


def test_separators():
    assert table._shortest_separator(b"abcd", b"abzz") == b"abd"
    assert table._shortest_separator(b"layer_7", b"layer_8") == b"layer_7"
    assert table._shortest_separator(b"ab", b"abc") == b"ab"
    assert table._short_successor(b"v") == b"w"
    assert table._short_successor(b"scalar") == b"t"
    assert table._short_successor(b"\xff\xff") == b"\xff\xff"


# ------------------------------------------------------------------ bad input


@pytest.fixture()
def index_copy(tmp_path, data_dir):
    dst = tmp_path / "x.index"
    shutil.copy(data_dir / "mlp/ckpt/model.ckpt-30.index", dst)
    dst.chmod(0o644)
    return dst


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(NotFoundError, match="nothere.index"):
        TableReader(tmp_path / "nothere.index")


def test_too_short(index_copy):
    index_copy.write_bytes(index_copy.read_bytes()[:40])
    with pytest.raises(FormatError, match=r"x\.index.*too short"):
        TableReader(index_copy)


def test_bad_magic(index_copy):
    data = bytearray(index_copy.read_bytes())
    data[-1] ^= 0xFF
    index_copy.write_bytes(bytes(data))
    with pytest.raises(FormatError, match=r"x\.index.*bad magic"):
        TableReader(index_copy)


def test_truncated_in_the_middle(index_copy):
    data = index_copy.read_bytes()
    index_copy.write_bytes(data[:100] + data[-48:])
    with pytest.raises(FormatError, match=r"x\.index.*runs past the end"):
        TableReader(index_copy)


def test_bad_block_checksum_and_verification_off(index_copy):
    data = bytearray(index_copy.read_bytes())
    data[20] ^= 0x01  # inside the data block, in a value's bytes
    index_copy.write_bytes(bytes(data))
    with pytest.raises(FormatError, match=r"x\.index.*checksum mismatch.*expected 0x[0-9a-f]+, found 0x"):
        TableReader(index_copy)
    TableReader(index_copy, verify_checksums=False)  # still decodes: the flipped byte was a value


def _table_with_block_type(kind: int) -> bytes:
    # One data block with the given compression byte and a correct checksum, plus index/footer.
    out = bytearray(_build([(b"k", b"v")]))
    block_len = 3 + 1 + 1 + 4 + 4  # entry (3 one-byte varints, key, value) + restart + count
    out[block_len] = kind
    crc = mask_crc(table.crc32c_extend(crc32c(bytes(out[:block_len])), bytes([kind])))
    out[block_len + 1:block_len + 5] = struct.pack("<I", crc)
    return bytes(out)


def test_snappy_block_without_library_is_clear_error():
    try:
        import snappy  # noqa: F401
        pytest.skip("a Snappy library is installed here, so the block is decoded (garbage though)")
    except ImportError:
        pass
    try:
        import cramjam  # noqa: F401
        pytest.skip("cramjam is installed here, so the block is decoded")
    except ImportError:
        pass
    with pytest.raises(FormatError, match="Snappy"):
        TableReader("<mem>", _table_with_block_type(1))


def test_unknown_block_type():
    with pytest.raises(FormatError, match="bad block type 7"):
        TableReader("<mem>", _table_with_block_type(7))


def test_restart_count_too_large():
    out = bytearray(_build([(b"k", b"v")]))
    block_len = 13
    out[block_len - 4:block_len] = struct.pack("<I", 1000)
    crc = mask_crc(table.crc32c_extend(crc32c(bytes(out[:block_len])), b"\x00"))
    out[block_len + 1:block_len + 5] = struct.pack("<I", crc)
    with pytest.raises(FormatError, match="restart points"):
        TableReader("<mem>", bytes(out))
