"""String hashing ops: TensorFlow 2.21's bucket values (written down from TF) for the three hashes."""

from __future__ import annotations

import numpy as np
import ortflow as tf

WORDS = ["", "a", "hello", "hello world!", "0123456789abcdefXYZ", "日本"]


def test_buckets_equal_tensorflows():
    with tf.Graph().as_default():
        w = tf.placeholder(tf.string, [None], name="w")
        legacy = tf.string_to_hash_bucket(w, 1000)
        strong = tf.string_to_hash_bucket_strong(w, 50, key=[1, 2])
        fast = tf.strings.to_hash_bucket_fast(w, 1000)
        assert (legacy.op.type, strong.op.type, fast.op.type) == (
            "StringToHashBucket", "StringToHashBucketStrong", "StringToHashBucketFast")
        with tf.Session() as sess:
            got = sess.run([legacy, strong, fast], {w: np.array(WORDS, dtype=object)})
    np.testing.assert_array_equal(got[0], [899, 868, 938, 303, 551, 36])
    np.testing.assert_array_equal(got[1], [35, 46, 22, 41, 45, 27])
    assert got[2].dtype == np.int64 and got[2].shape == (6,)
