"""Tests of the TensorBundle reader/writer on TensorFlow-written checkpoints, and bad input."""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil

import ml_dtypes
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortflow.errors import FormatError, NotFoundError
from ortflow.formats import dtypes
from ortflow.formats.bundle import (
    BundleReader,
    BundleWriter,
    _signed_num_increasing,
    encode_slice_key,
    parse_slice_spec,
    read_bundle,
    write_bundle,
)

PREFIXES = ["ckpt_dtypes/ckpt/dtypes", "ckpt_sharded/ckpt/sharded", "cnn/ckpt/cnn", "mlp/ckpt/model.ckpt-20",
            "mlp/ckpt/model.ckpt-30", "saved_model/saved_model/variables/variables"]
SINGLE_SHARD = [p for p in PREFIXES if "sharded" not in p]

from checkpoint_samples import ALL_DTYPES


def _assert_same(got, want):
    want = np.asarray(want) if not isinstance(want, bytes) else np.array(want, dtype=object)
    assert got.shape == want.shape
    if want.dtype == object:
        assert got.dtype == object and got.tolist() == want.tolist()
    else:
        assert got.dtype == want.dtype
        assert got.tobytes() == want.tobytes()  # bit-exact, NaN and -0.0 included


def _copy_ckpt(data_dir, rel, dst_dir):
    src = data_dir / rel
    for f in src.parent.iterdir():
        if f.name.startswith(src.name + "."):
            shutil.copy(f, dst_dir / f.name)
            (dst_dir / f.name).chmod(0o644)
    return str(dst_dir / src.name)


# ------------------------------------------------------------------ reading TF files


def test_dtypes_fixture_values(data_dir):
    values = np.load(data_dir / "ckpt_dtypes/values.npz")
    large = json.loads((data_dir / "ckpt_dtypes/large.json").read_text())["large"]
    with BundleReader(data_dir / "ckpt_dtypes/ckpt/dtypes") as reader:
        names = reader.tensor_names()
        for key in values.files:
            if key == "bf16_as_f32":
                got = reader.get_tensor("bf16")
                assert got.dtype == ml_dtypes.bfloat16
                np.testing.assert_array_equal(got.astype(np.float32), values[key])
                continue
            name = key.replace("__", "/")
            got = reader.get_tensor(name)
            want = values[key]
            if want.dtype.kind == "S":
                assert got.dtype == object and got.shape == want.shape
                assert [bytes(x) for x in np.ravel(got)] == [bytes(x) for x in np.ravel(want)]
            else:
                _assert_same(got, want)
        got = reader.get_tensor("large")
        assert list(got.shape) == large["shape"] and str(got.dtype) == large["dtype"]
        assert hashlib.sha256(got.tobytes()).hexdigest() == large["sha256"]
        assert set(names) == {k.replace("__", "/") for k in values.files if k != "bf16_as_f32"} | {"bf16", "large"}
        assert reader.get_variable_to_dtype_map()["bf16"] == dtypes.bfloat16
        assert reader.get_variable_to_shape_map()["empty"] == [0, 3]
        assert reader.get_variable_to_shape_map()["scalar"] == []


def test_returned_tensors_are_read_only_views_unless_copied(data_dir):
    reader = BundleReader(data_dir / "ckpt_dtypes/ckpt/dtypes")
    view = reader.get_tensor("f32")
    assert not view.flags.writeable
    copy = reader.get_tensor("f32", copy=True)
    copy += 1  # writable
    reader.close()
    assert view.sum() == pytest.approx(copy.sum() - copy.size)  # the view outlives close()


def test_sharded_partitioned_fixture(data_dir):
    values = np.load(data_dir / "ckpt_sharded/values.npz")
    with BundleReader(data_dir / "ckpt_sharded/ckpt/sharded") as reader:
        assert reader.num_shards == 2
        assert reader.tensor_names() == ["dense_a", "dense_b", "embedding"]
        for name in values.files:
            _assert_same(reader.get_tensor(name), values[name])
        assert reader.get_slice_keys() == {"embedding": ["0,4:0,6", "4,3:0,6", "7,3:0,6"]}
        np.testing.assert_array_equal(reader.get_tensor_slice("embedding", "4,3:0,6"), values["embedding"][4:7])
        np.testing.assert_array_equal(reader.get_tensor_slice("embedding", [(0, 4), (0, 6)]),
                                      values["embedding"][:4])
        assert reader.get_variable_to_shape_map()["embedding"] == [10, 6]
        assert reader.nbytes("embedding") == 240
        with pytest.raises(NotFoundError, match="embedding"):
            reader.get_tensor_slice("embedding", "0,5:0,6")


def test_mlp_fixture_values(data_dir):
    values = np.load(data_dir / "mlp/variables.npz")
    got = read_bundle(str(data_dir / "mlp/ckpt/model.ckpt-30"))
    assert sorted(got) == sorted(values.files)
    for name in values.files:
        _assert_same(got[name], values[name])


def test_missing_key_is_not_found(data_dir):
    reader = BundleReader(data_dir / "cnn/ckpt/cnn")
    with pytest.raises(NotFoundError, match=r"Key nope not found in checkpoint .*cnn/ckpt/cnn"):
        reader.get_tensor("nope")
    assert not reader.has_tensor("nope") and reader.has_tensor("fc/weights")


def test_missing_prefix_is_not_found(tmp_path):
    with pytest.raises(NotFoundError, match="nothing"):
        BundleReader(tmp_path / "nothing")


# ------------------------------------------------------------------ writing


@pytest.mark.parametrize("rel", SINGLE_SHARD)
def test_rewrite_is_byte_identical_to_tensorflow(data_dir, tmp_path, rel):
    src = data_dir / rel
    with BundleReader(src) as reader:
        tensors = {n: reader.get_tensor(n) for n in reader.tensor_names()}
    write_bundle(tmp_path / "out", tensors)
    assert (tmp_path / "out.index").read_bytes() == src.with_name(src.name + ".index").read_bytes()
    data = src.with_name(src.name + ".data-00000-of-00001").read_bytes()
    assert (tmp_path / "out.data-00000-of-00001").read_bytes() == data
    assert sorted(os.listdir(tmp_path)) == ["out.data-00000-of-00001", "out.index"]  # no temporaries left


def test_rewrite_partitioned_sharded_is_byte_identical(data_dir, tmp_path):
    src = str(data_dir / "ckpt_sharded/ckpt/sharded")
    reader = BundleReader(src)
    with BundleWriter(tmp_path / "out", num_shards=2) as writer:
        writer.add("dense_a", reader.get_tensor("dense_a"), shard=0)
        for spec in reader.get_slice_keys()["embedding"]:
            writer.add_slice("embedding", [10, 6], spec, reader.get_tensor_slice("embedding", spec), shard=0)
        writer.add("dense_b", reader.get_tensor("dense_b"), shard=1)
    for suffix in (".index", ".data-00000-of-00002", ".data-00001-of-00002"):
        assert (tmp_path / ("out" + suffix)).read_bytes() == pathlib.Path(src + suffix).read_bytes(), suffix


@pytest.mark.parametrize("num_shards", [1, 3])
def test_every_dtype_round_trips(tmp_path, num_shards):
    write_bundle(tmp_path / "all", ALL_DTYPES, num_shards=num_shards)
    with BundleReader(tmp_path / "all") as reader:
        assert reader.num_shards == num_shards
        for name, want in ALL_DTYPES.items():
            _assert_same(reader.get_tensor(name), want)
        assert reader.dtype("u64") == dtypes.uint64 and reader.dtype("s_vec") == dtypes.string


def test_string_input_forms(tmp_path):
    write_bundle(tmp_path / "s", {"u": np.array(["a", "\u00e9"]), "b": np.array([b"x", b"yz"]), "one": "hi"})
    got = read_bundle(str(tmp_path / "s"))
    assert got["u"].tolist() == [b"a", "\u00e9".encode()]
    assert got["b"].tolist() == [b"x", b"yz"]
    assert got["one"].shape == () and got["one"].item() == b"hi"


def test_string_layout_matches_spec(tmp_path):
    # Bytes of TensorFlow 2.21's SaveV2 for b"abc" (the spec's §5 example has the crc bytes
    # shifted by one; TensorFlow's output wins).
    write_bundle(tmp_path / "s", {"s": b"abc"})
    assert (tmp_path / "s.data-00000-of-00001").read_bytes() == bytes.fromhex("03633f7f28616263")
    write_bundle(tmp_path / "e", {"s": np.empty((0,), object)})
    assert (tmp_path / "e.data-00000-of-00001").read_bytes() == bytes.fromhex("d8ea82a2")


def test_partitioned_write_and_read(tmp_path):
    full = np.arange(30, dtype=np.int64).reshape(10, 3)
    with BundleWriter(tmp_path / "p", num_shards=2) as writer:
        writer.add_slice("part", full.shape, "0,6:-", full[:6])
        writer.add_slice("part", full.shape, [(6, 4), (0, 3)], full[6:])
        writer.add_slice("whole", (2,), "0,2", np.array([1.0, 2.0]))  # full "slice": stored plainly
    with BundleReader(tmp_path / "p") as reader:
        np.testing.assert_array_equal(reader.get_tensor("part"), full)
        assert reader.get_slice_keys() == {"part": ["0,6:-", "6,4:0,3"]}
        assert not reader.entry("whole").slices


def test_partitioned_gap_is_format_error(tmp_path):
    full = np.zeros((4, 2), np.float32)
    with BundleWriter(tmp_path / "p") as writer:
        writer.add_slice("part", full.shape, "0,2:-", full[:2])
    with pytest.raises(FormatError, match="cover"):
        BundleReader(tmp_path / "p").get_tensor("part")


def test_writer_abort_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), BundleWriter(tmp_path / "x") as writer:
        writer.add("a", np.ones(3))
        raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []


def test_slice_key_encoding_matches_tensorflow():
    # spec §7.1 examples, from TensorFlow output and ordered_code.cc
    assert encode_slice_key("part", [(0, 3), (0, 2)]) == bytes.fromhex("0070617274000101028083" "8082")
    assert encode_slice_key("part", [(3, 2), (0, 2)]) == bytes.fromhex("00706172740001010283828082")
    assert encode_slice_key(b"a\x00b\xff", [(0, -1)]).startswith(bytes.fromhex("006100ff62ff000001"))
    cases = {0: "80", 3: "83", 63: "bf", -1: "7f", -64: "40", 10: "8a", 64: "c040", 100: "c064", 200: "c0c8",
             9000: "e02328", 0x424242: "f0424242", -0x800: "3800"}
    for value, hexed in cases.items():
        assert _signed_num_increasing(value).hex() == hexed, value
    assert encode_slice_key("v", [(0, -1)]).endswith(bytes.fromhex("807f"))
    assert parse_slice_spec("0,4:-") == ((0, 4), (0, -1))


# ------------------------------------------------------------------ bad input


@pytest.fixture()
def dtypes_copy(tmp_path, data_dir):
    return _copy_ckpt(data_dir, "ckpt_dtypes/ckpt/dtypes", tmp_path)


def _flip(path, offset):
    data = bytearray(pathlib.Path(path).read_bytes())
    data[offset] ^= 0x01
    pathlib.Path(path).write_bytes(bytes(data))


def test_tensor_checksum_mismatch_names_file_tensor_and_sums(dtypes_copy):
    reader = BundleReader(dtypes_copy)
    entry = reader.entry("large")
    _flip(dtypes_copy + ".data-00000-of-00001", entry.offset + 100)
    reader = BundleReader(dtypes_copy)
    with pytest.raises(FormatError, match=r"dtypes\.data-00000-of-00001: tensor 'large': checksum does not "
                                          r"match: expected 0x[0-9a-f]{8}, found 0x[0-9a-f]{8}"):
        reader.get_tensor("large")
    BundleReader(dtypes_copy, verify_checksums=False).get_tensor("large")  # verification can be off


def test_string_length_checksum_mismatch(dtypes_copy):
    entry = BundleReader(dtypes_copy).entry("s_vec")
    # lengths 0, 1, 9, 320 take 1+1+1+2 varint bytes; byte 5 is the first of the length crc
    _flip(dtypes_copy + ".data-00000-of-00001", entry.offset + 5)
    with pytest.raises(FormatError, match="'s_vec'.*length checksum"):
        BundleReader(dtypes_copy).get_tensor("s_vec")


def test_truncated_data_file(dtypes_copy):
    path = dtypes_copy + ".data-00000-of-00001"
    os.truncate(path, 1000)
    reader = BundleReader(dtypes_copy)
    with pytest.raises(FormatError, match=r"data-00000-of-00001: tensor 'large'.*run past the end"):
        reader.get_tensor("large")


def test_truncated_index(dtypes_copy):
    os.truncate(dtypes_copy + ".index", 300)
    with pytest.raises(FormatError, match=r"dtypes\.index"):
        BundleReader(dtypes_copy)


def test_missing_data_file(dtypes_copy):
    os.unlink(dtypes_copy + ".data-00000-of-00001")
    with pytest.raises(NotFoundError, match=r"dtypes\.data-00000-of-00001 does not exist"):
        BundleReader(dtypes_copy)


def test_shard_count_disagrees_with_files(tmp_path, data_dir):
    prefix = _copy_ckpt(data_dir, "ckpt_sharded/ckpt/sharded", tmp_path)
    os.rename(prefix + ".data-00001-of-00002", prefix + ".data-00001-of-00003")
    with pytest.raises(NotFoundError, match=r"2 data shard.*sharded\.data-00001-of-00002 does not exist.*"
                                            r"present: .*of-00003"):
        BundleReader(prefix)


def test_wrong_magic_in_index(dtypes_copy):
    _flip(dtypes_copy + ".index", os.path.getsize(dtypes_copy + ".index") - 1)
    with pytest.raises(FormatError, match=r"dtypes\.index.*bad magic"):
        BundleReader(dtypes_copy)


def test_entry_past_end_of_shard(tmp_path):
    write_bundle(tmp_path / "x", {"a": np.ones(4, np.float32), "b": np.ones(2, np.float32)})
    os.truncate(tmp_path / "x.data-00000-of-00001", 16)
    reader = BundleReader(tmp_path / "x")
    reader.get_tensor("a")
    with pytest.raises(FormatError, match=r"x\.data-00000-of-00001: tensor 'b': bytes 16\.\.24 run past"):
        reader.get_tensor("b")


def test_not_a_bundle_index(tmp_path):
    # a valid table without the bundle header
    from ortflow.formats.table import write_table
    with open(tmp_path / "t.index", "wb") as f:
        write_table(f, [(b"a", b"b")])
    with pytest.raises(FormatError, match="header"):
        BundleReader(tmp_path / "t")


def _exercise(prefix):
    with BundleReader(prefix) as reader:
        for name in reader.tensor_names():
            reader.get_tensor(name)
            reader.dtype(name)
        reader.get_slice_keys()


def _mutations():
    return st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255), st.sampled_from(["set", "cut", "insert"])),
                    min_size=1, max_size=4)


@pytest.mark.parametrize("rel", ["ckpt_sharded/ckpt/sharded", "ckpt_dtypes/ckpt/dtypes"])
def test_fuzzed_index_gives_only_clean_errors(tmp_path, data_dir, rel):
    prefix = _copy_ckpt(data_dir, rel, tmp_path)
    original = pathlib.Path(prefix + ".index").read_bytes()

    @settings(max_examples=150, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(_mutations())
    def check(mutations):
        data = bytearray(original)
        for position, byte, kind in mutations:
            position %= len(data) + 1
            if kind == "set" and position < len(data):
                data[position] = byte
            elif kind == "cut":
                del data[position:]
            else:
                data[position:position] = bytes([byte])
        with open(prefix + ".index", "wb") as f:
            f.write(bytes(data))
        try:
            _exercise(prefix)
        except (FormatError, NotFoundError):
            pass

    check()


def test_fuzzed_index_without_checksums_gives_only_clean_errors(tmp_path, data_dir):
    # With block checksums off, mutations reach the entry and protobuf parsers too.
    prefix = _copy_ckpt(data_dir, "ckpt_sharded/ckpt/sharded", tmp_path)
    original = pathlib.Path(prefix + ".index").read_bytes()

    @settings(max_examples=300, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(st.integers(0, len(original) - 49), st.integers(0, 255)), min_size=1, max_size=3))
    def check(changes):
        data = bytearray(original)
        for position, byte in changes:
            data[position] = byte
        with open(prefix + ".index", "wb") as f:
            f.write(bytes(data))
        try:
            with BundleReader(prefix, verify_checksums=False) as reader:
                for name in reader.tensor_names():
                    reader.get_tensor(name)
        except (FormatError, NotFoundError):
            pass

    check()
