"""Summary ops: tags as TF names them, and the numpy kernels' Summary protos (with TF goldens in interop)."""

from __future__ import annotations

import io
import struct
import wave
import zlib

import numpy as np
import ortflow as tf
import pytest
from ortflow.errors import GraphError
from ortflow.graph import ops as registry
from ortflow.graph.ops import kernels_summary
from ortflow.proto import NodeDef, Summary


@pytest.fixture(autouse=True)
def fresh_graph():
    g = tf.Graph()
    with g.as_default():
        yield g


def _evaluate(tensor, *inputs):
    node = NodeDef.FromString(tensor.op.node_def.SerializeToString())
    values = [np.asarray(v, dtype=object) if isinstance(v, bytes) else np.asarray(v) for v in inputs]
    (out,) = registry.evaluate(node, values)
    return Summary.FromString(out.item())


def _decode_png(data: bytes) -> np.ndarray:
    # Enough of a PNG reader for what encode_png writes: one IDAT, filter 0 on every row.
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        chunks[kind] = data[pos + 8:pos + 8 + length]
        pos += 12 + length
    width, height, _, color_type = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    channels = {0: 1, 4: 2, 2: 3, 6: 4}[color_type]
    raw = zlib.decompress(chunks[b"IDAT"])
    rows = [raw[r * (width * channels + 1) + 1:(r + 1) * (width * channels + 1)] for r in range(height)]
    return np.frombuffer(b"".join(rows), np.uint8).reshape(height, width, channels)


def test_tags_follow_name_scopes_and_families():
    x = tf.placeholder(tf.float32, [None], name="x")
    with tf.name_scope("train"):
        s1 = tf.summary.scalar("loss", tf.reduce_sum(x))
    s2 = tf.summary.scalar("loss", tf.reduce_sum(x))
    s3 = tf.summary.scalar("loss", tf.reduce_sum(x))
    s4 = tf.summary.histogram("weights", x, family="layer1")
    bad = tf.summary.scalar("bad name!", tf.reduce_sum(x))
    assert [s.op.name for s in (s1, s2, s3, s4, bad)] == ["train/loss", "loss", "loss_1", "layer1/weights",
                                                          "bad_name_"]
    tags = [s.op.inputs[0].op.node_def.attr["value"].tensor.string_val[0] for s in (s1, s2, s3, s4)]
    assert tags == [b"train/loss", b"loss", b"loss_1", b"layer1/layer1/weights"]
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [s1, s2, s3, s4, bad]
    merged = tf.summary.merge_all()
    assert merged.op.name == "Merge/MergeSummary" and len(merged.op.inputs) == 5
    with pytest.raises(ValueError, match="rank 0"):
        tf.summary.scalar("v", x)
    with pytest.raises(ValueError, match="dtype string"):
        tf.summary.text("t", x)


def test_merge_all_without_summaries_is_none():
    assert tf.summary.merge_all() is None


def test_scalar_kernel_bytes_match_spec():
    s = tf.summary.scalar("loss", tf.constant(6.0))
    summary = _evaluate(s, b"loss", np.float32(6.0))
    assert summary.SerializeToString() == bytes.fromhex("0a0b0a046c6f73731500 00c040".replace(" ", ""))


def test_histogram_kernel_matches_spec_example():
    h = tf.summary.histogram("h", tf.ones([6]))
    histo = _evaluate(h, b"h", np.ones(6, np.float32)).value[0].histo
    assert (histo.min, histo.max, histo.num, histo.sum, histo.sum_squares) == (1, 1, 6, 6, 6)
    assert list(histo.bucket_limit) == [0.917246389039776, 1.0089710279437536, 1.7976931348623157e308]
    assert list(histo.bucket) == [0, 6, 0]


def test_histogram_edge_cases():
    empty = kernels_summary.histogram_proto(np.zeros(0))
    assert (empty.min, empty.max, list(empty.bucket_limit), list(empty.bucket)) == (
        1.7976931348623157e308, -1.7976931348623157e308, [1.7976931348623157e308], [0.0])
    limits = kernels_summary.default_bucket_limits()
    assert limits[0] == -limits[-1] and 0.0 in limits and np.all(np.diff(limits) > 0)
    mixed = kernels_summary.histogram_proto(np.array([-2.0, 0.0, 0.0, 3.5]))
    assert sum(mixed.bucket) == 4 and mixed.num == 4
    h = tf.summary.histogram("h", tf.ones([2]))
    with pytest.raises(Exception, match="Nan in summary histogram for: h"):
        _evaluate(h, b"h", np.array([1.0, np.nan], np.float32))


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_image_kernel_encodes_png(channels):
    images = np.random.default_rng(0).uniform(-1, 1, size=(3, 4, 5, channels)).astype(np.float32)
    images[0, 0, 0, 0] = np.inf
    op = tf.summary.image("img", tf.zeros([3, 4, 5, channels]), max_outputs=2)
    summary = _evaluate(op, b"img", images)
    assert [v.tag for v in summary.value] == ["img/image/0", "img/image/1"]
    first = summary.value[0].image
    assert (first.height, first.width, first.colorspace) == (4, 5, channels)
    pixels = _decode_png(first.encoded_image_string)
    assert pixels.shape == (4, 5, channels)
    assert list(pixels[0, 0]) == [255, 0, 0, 255][:channels]  # non-finite -> bad_color
    finite = images[0][np.isfinite(images[0]).all(-1)]
    scale = 127.0 / np.abs(finite).max()
    expected = (images[0, 1, 1] * np.float32(scale) + np.float32(128)).astype(np.uint8)
    np.testing.assert_array_equal(pixels[1, 1], expected)


def test_uint8_image_single_output_tag():
    op = tf.summary.image("u", tf.zeros([2, 2, 2, 3], tf.uint8), max_outputs=1)
    images = np.arange(24, dtype=np.uint8).reshape(2, 2, 2, 3)
    summary = _evaluate(op, b"u", images)
    assert [v.tag for v in summary.value] == ["u/image"]
    np.testing.assert_array_equal(_decode_png(summary.value[0].image.encoded_image_string), images[0])


def test_audio_kernel_writes_wav():
    op = tf.summary.audio("snd", tf.zeros([2, 8]), 8000)
    samples = np.linspace(-1, 1, 16, dtype=np.float32).reshape(2, 8)
    summary = _evaluate(op, b"snd", samples, np.float32(8000))
    assert [v.tag for v in summary.value] == ["snd/audio/0", "snd/audio/1"]
    audio = summary.value[0].audio
    assert (audio.sample_rate, audio.num_channels, audio.length_frames, audio.content_type) == (
        8000, 1, 8, "audio/wav")
    with wave.open(io.BytesIO(audio.encoded_audio_string)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
        pcm = np.frombuffer(w.readframes(8), "<i2")
    assert pcm[0] == -32768 and pcm[-1] < 0


def test_text_and_merge_kernels():
    t = tf.summary.text("note", tf.constant("hello"))
    from ortflow.proto import SummaryMetadata

    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="text")).SerializeToString()
    text = _evaluate(t, b"note", np.array(b"hello", dtype=object), meta)
    assert text.value[0].metadata.plugin_data.plugin_name == "text"
    assert text.value[0].tensor.string_val == [b"hello"]
    a = Summary(value=[Summary.Value(tag="a", simple_value=1)]).SerializeToString()
    b = Summary(value=[Summary.Value(tag="b", simple_value=2)]).SerializeToString()
    m = tf.summary.merge([tf.constant(a), tf.constant(b)])
    merged = _evaluate(m, a, b)
    assert [v.tag for v in merged.value] == ["a", "b"]
    with pytest.raises(GraphError, match="Duplicate tag a"):  # the registry names the node
        _evaluate(m, a, a)


def test_session_runs_merged_summaries(tmp_path):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    tf.summary.scalar("mean", tf.reduce_mean(x) * 1)
    tf.summary.histogram("values", x)
    merged = tf.summary.merge_all()
    with tf.Session() as sess:
        data = sess.run(merged, {x: np.arange(6, dtype=np.float32).reshape(2, 3)})
    summary = Summary.FromString(data)
    assert [v.tag for v in summary.value] == ["mean_1", "values"]  # "Mean" came first (case-blind)
    assert summary.value[0].simple_value == pytest.approx(2.5)
    assert summary.value[1].histo.num == 6


@pytest.mark.interop
def test_kernels_equal_tensorflow_kernels(tf):
    from ortflow.graph.ops import evaluate

    rng = np.random.default_rng(0)
    feeds = {"x": rng.normal(size=(50,)).astype(np.float32) * 10,
             "img": rng.normal(size=(3, 5, 4, 3)).astype(np.float32),
             "au": rng.uniform(-1, 1, size=(2, 64)).astype(np.float32)}
    g = tf.Graph()
    with g.as_default():
        ph = {k: tf.placeholder(tf.float32, v.shape, name=k) for k, v in feeds.items()}
        ops = [tf.summary.scalar("s", tf.reduce_mean(ph["x"])), tf.summary.histogram("h", ph["x"]),
               tf.summary.image("i", ph["img"], 2), tf.summary.audio("a", ph["au"], 8000.0),
               tf.summary.text("t", tf.constant(["a", "b"]))]
        ops.append(tf.summary.merge(ops[:2]))
        with tf.Session() as sess:
            feed = {ph[k]: v for k, v in feeds.items()}
            for op_t, theirs in zip(ops, sess.run(ops, feed)):
                inputs = sess.run(list(op_t.op.inputs), feed)
                node = NodeDef.FromString(op_t.op.node_def.SerializeToString())
                ours = evaluate(node, [np.asarray(i, dtype=object) if isinstance(i, bytes) else i
                                       for i in inputs])[0].item()
                a, b = Summary.FromString(ours), Summary.FromString(theirs)
                assert [v.tag for v in a.value] == [v.tag for v in b.value]
                for va, vb in zip(a.value, b.value):
                    if va.HasField("image"):  # zlib settings may differ: compare pixels
                        np.testing.assert_array_equal(_decode_png(va.image.encoded_image_string),
                                                      _decode_png_any(vb.image.encoded_image_string))
                    else:
                        assert va == vb, op_t.op.name


def _decode_png_any(data: bytes) -> np.ndarray:
    # TF's PNGs may split IDAT or use row filters; PIL is in the TF environment.
    from PIL import Image

    image = np.array(Image.open(io.BytesIO(data)))
    return image[..., None] if image.ndim == 2 else image
