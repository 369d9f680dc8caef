"""tf.strings.unicode_decode / unicode_encode / unicode_split and the small RaggedTensor they return.

Expected values are TensorFlow 2.21's for the same calls.
"""

from __future__ import annotations

import numpy as np
import ortflow as tf
from ortflow.api.ragged_unicode import RaggedTensorValue


def _run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


def test_invalid_bytes_become_the_replacement_character():
    with tf.Graph().as_default():
        rt = tf.strings.unicode_decode([b"a\xffb", b"\xe6\x97"], "UTF-8", replacement_char=63)
        ignored = tf.strings.unicode_decode([b"a\xffb"], "UTF-8", errors="ignore")
        dense, lengths, kept = _run([rt.to_tensor(default_value=0), rt.row_lengths(), ignored.values])
    assert dense.tolist() == [[97, 63, 98], [63, 0, 0]]
    assert lengths.tolist() == [3, 1] and kept.tolist() == [97, 98]


def test_encode_replaces_invalid_code_points_and_splits_dense_rows():
    with tf.Graph().as_default():
        text = tf.strings.unicode_encode([[104, 0x110000], [0xD800, 105]], "UTF-8", replacement_char=42)
        one = tf.strings.unicode_encode([72, 105], "UTF-8")
        t, o = _run([text, one])
    assert t.tolist() == [b"h*", b"*i"] and o == b"Hi"


def test_scalar_decode_is_a_vector_and_split_gives_characters():
    with tf.Graph().as_default():
        codes = tf.strings.unicode_decode("añ", "UTF-8")
        chars = tf.strings.unicode_split(["añ", "", "z"], "UTF-8")
        assert codes.get_shape().as_list() == [None]
        c, dense, sp = _run([codes, chars.to_tensor(), chars.to_sparse()])
    assert c.tolist() == [97, 241]
    assert dense.tolist() == [[b"a", "ñ".encode()], [b"", b""], [b"z", b""]]
    assert sp.indices.tolist() == [[0, 0], [0, 1], [2, 0]] and sp.dense_shape.tolist() == [3, 2]


def test_utf16_round_trip():
    with tf.Graph().as_default():
        data = "hé日".encode("utf-16-be")
        rt = tf.strings.unicode_decode([data], "UTF-16-BE")
        back = tf.strings.unicode_encode(rt, "UTF-16-BE")
        codes, text = _run([rt.values, back])
    np.testing.assert_array_equal(codes, [104, 233, 0x65E5])
    assert text.tolist() == [data]


def test_a_fetched_ragged_tensor_is_a_ragged_tensor_value():
    with tf.Graph().as_default():
        text = tf.placeholder(tf.string, [None])
        rt = tf.strings.unicode_decode(text, "UTF-8")
        assert isinstance(rt, tf.RaggedTensor) and rt.shape.as_list() == [None, None]
        with tf.Session() as sess:
            got, both = sess.run([rt, {"chars": tf.strings.unicode_split(text, "UTF-8")}], {text: ["hé", "", "x"]})
    assert isinstance(got, RaggedTensorValue)  # tf.compat.v1.ragged.RaggedTensorValue in TF
    assert got.to_list() == [[104, 233], [], [120]] and got.row_splits.tolist() == [0, 2, 2, 3]
    assert both["chars"].to_list() == [[b"h", "é".encode()], [], [b"x"]]
