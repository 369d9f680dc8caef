"""Feature hashing for a wide model: string ids hashed into buckets, then one-hot / embedded."""

import numpy as np


def build_and_run(tf):
    with tf.Graph().as_default():
        words = tf.placeholder(tf.string, [None], name="words")
        fast = tf.string_to_hash_bucket_fast(words, 100)
        legacy = tf.string_to_hash_bucket(words, 1000)
        strong = tf.string_to_hash_bucket_strong(words, 50, key=[1, 2])
        v2 = tf.strings.to_hash_bucket_fast(words, 7)
        onehot = tf.one_hot(tf.strings.to_hash_bucket_fast(words, 5), 5)
        table = tf.constant(np.arange(20, dtype=np.float32).reshape(10, 2))
        embedded = tf.nn.embedding_lookup(table, tf.string_to_hash_bucket_fast(words, 10))
        with tf.Session() as sess:
            return sess.run({"fast": fast, "legacy": legacy, "strong": strong, "v2": v2, "onehot": onehot,
                             "embedded": embedded},
                            {words: [b"hello", b"world", b"", "caf\u00e9".encode("utf-8")]})
