"""tf.read_file and the image codecs against TensorFlow 2.21's decodings (tests/data/images).

PNG, GIF and BMP decode exactly as TensorFlow; JPEG exactly with dct_method="INTEGER_ACCURATE",
and within a few levels with TensorFlow's default INTEGER_FAST DCT, which Pillow cannot select
(known difference, documented in graph/ops/kernels_image_io.py).
"""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest


@pytest.fixture(scope="module")
def images(data_dir):
    return data_dir / "images", dict(np.load(data_dir / "images" / "expected.npz"))


def _run(fetches, feeds=None):
    with tf.Session() as sess:
        return sess.run(fetches, feeds)


def test_decoders_give_tensorflows_pixels(images):
    folder, expected = images
    with tf.Graph().as_default():
        def read(name):
            return tf.read_file(str(folder / name))

        got = _run({
            "jpeg_accurate": tf.image.decode_jpeg(read("photo.jpg"), channels=3, dct_method="INTEGER_ACCURATE"),
            "jpeg_gray_accurate": tf.image.decode_jpeg(read("photo.jpg"), channels=1,
                                                       dct_method="INTEGER_ACCURATE"),
            "jpeg_fast": tf.image.decode_jpeg(read("photo.jpg"), channels=3),
            "jpeg_r2": tf.image.decode_jpeg(read("photo.jpg"), ratio=2),
            "png": tf.image.decode_png(read("photo.png")),
            "gray": tf.image.decode_png(read("gray.png")),
            "alpha": tf.image.decode_png(read("alpha.png")),
            "alpha16": tf.io.decode_png(read("alpha.png"), dtype=tf.uint16),
            "gif": tf.image.decode_gif(read("anim.gif")),
            "bmp": tf.image.decode_bmp(read("photo.bmp")),
        })
    for key in ("jpeg_accurate", "jpeg_gray_accurate", "png", "gray", "alpha", "alpha16", "gif", "bmp"):
        np.testing.assert_array_equal(got[key], expected[key], err_msg=key)
        assert got[key].dtype == expected[key].dtype, key
    for key, levels in (("jpeg_fast", 6), ("jpeg_r2", 3)):  # TF's fast DCT: see the module docstring
        assert got[key].shape == expected[key].shape, key
        assert np.abs(got[key].astype(int) - expected[key].astype(int)).max() <= levels, key


def test_decode_image_sniffs_the_format_and_scales_floats(images):
    folder, expected = images
    with tf.Graph().as_default():
        contents = tf.placeholder(tf.string, [], name="contents")
        any_image = tf.image.decode_image(contents)
        rgb_float = tf.image.decode_image(contents, channels=3, dtype=tf.float32, expand_animations=False)
        assert any_image.op.name == "decode_image/DecodeImage" and any_image.shape.rank is None
        assert rgb_float.shape.as_list() == [None, None, 3]
        with tf.Session() as sess:
            png = sess.run(any_image, {contents: (folder / "photo.png").read_bytes()})
            gif = sess.run(any_image, {contents: (folder / "anim.gif").read_bytes()})
            first = sess.run(rgb_float, {contents: (folder / "anim.gif").read_bytes()})
    np.testing.assert_array_equal(png, expected["png"])
    np.testing.assert_array_equal(gif, expected["gif"])
    np.testing.assert_allclose(first, expected["gif"][0] / 255.0, atol=1e-7)


def test_encoders_round_trip_and_write_file_is_atomic(images, tmp_path):
    folder, expected = images
    target = tmp_path / "out" / "copy.png"
    with tf.Graph().as_default():
        image = tf.placeholder(tf.uint8, [None, None, 3])
        png = tf.image.encode_png(image)
        jpeg = tf.image.encode_jpeg(image, quality=100, chroma_downsampling=False)
        back = tf.image.decode_png(png)
        written = tf.write_file(str(target), png)
        with tf.Session() as sess:
            decoded, jpeg_bytes, _ = sess.run([back, jpeg, written], {image: expected["png"]})
    np.testing.assert_array_equal(decoded, expected["png"])
    assert jpeg_bytes[:2] == b"\xff\xd8"
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in target.parent.iterdir()] == ["copy.png"]  # no temporary file left


def test_label_image_preprocessing_feeds_a_frozen_cnn(images, data_dir):
    """TF's label_image.py: read_file -> decode_jpeg -> resize_bilinear -> normalize -> model,
    the decode on the numpy side, the convolutions on onnxruntime, in one run."""
    folder, _ = images
    graph_def = tf.io.read_graph(str(data_dir / "cnn" / "frozen.pb"))
    with tf.Graph().as_default():
        decoded = tf.image.decode_jpeg(tf.read_file(str(folder / "photo.jpg")), channels=3, name="jpeg_reader")
        resized = tf.image.resize_bilinear(tf.expand_dims(tf.cast(decoded, tf.float32), 0), [16, 16])
        normalized = tf.divide(tf.subtract(resized, [128.0]), [128.0])
        (probs,) = tf.import_graph_def(graph_def, input_map={"images:0": normalized}, return_elements=["probs:0"],
                                       name="model")
        with tf.Session() as sess:
            got, pixels = sess.run([probs, normalized])
    with tf.Graph().as_default():
        tf.import_graph_def(graph_def, name="")
        with tf.Session() as sess:
            want = sess.run("probs:0", {"images:0": pixels})
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert got.shape[0] == 1


def test_bad_image_bytes_and_missing_files_are_clear_errors(tmp_path):
    with tf.Graph().as_default():
        contents = tf.placeholder(tf.string, [])
        jpeg = tf.image.decode_jpeg(contents)
        png = tf.image.decode_png(contents)
        missing = tf.read_file(str(tmp_path / "nope.jpg"))
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid JPEG data"):
                sess.run(jpeg, {contents: b"\xff\xd8\xff\xe0 truncated"})
            with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid PNG data"):
                sess.run(png, {contents: b"not a png"})
            with pytest.raises(tf.errors.OpError, match="nope.jpg"):
                sess.run(missing)


def test_crops_and_pads_of_images_of_unknown_size():
    """Decoded images have unknown height and width: the sizes are worked out at run time, the
    static shapes are TF's, and an image that does not fit its box fails an Assert."""
    rng = np.random.RandomState(0)
    raw = rng.rand(6, 8, 3).astype(np.float32)
    with tf.Graph().as_default():
        image = tf.placeholder(tf.float32, [None, None, 3])
        central = tf.image.central_crop(image, 0.5)
        padded = tf.image.pad_to_bounding_box(image, 1, 1, 8, 10)
        fitted = tf.image.resize_image_with_crop_or_pad(image, 5, 10)
        assert central.shape.as_list() == [None, None, 3]
        assert padded.shape.as_list() == [8, 10, 3] and fitted.shape.as_list() == [5, 10, 3]
        with tf.Session() as sess:
            got = sess.run([central, padded, fitted], {image: raw})
            with pytest.raises(tf.errors.InvalidArgumentError, match="height must be <= target - offset"):
                sess.run(padded, {image: rng.rand(9, 8, 3).astype(np.float32)})
    np.testing.assert_array_equal(got[0], raw[1:5, 2:6])
    want = np.zeros((8, 10, 3), np.float32)
    want[1:7, 1:9] = raw
    np.testing.assert_array_equal(got[1], want)
    want = np.zeros((5, 10, 3), np.float32)
    want[:, 1:9] = raw[0:5]
    np.testing.assert_array_equal(got[2], want)
