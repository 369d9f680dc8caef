"""Sparse embedding lookups: string_split tokens -> vocab table -> embedding_lookup_sparse (combiners)."""

import numpy as np


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        emb = tf.get_variable("emb", initializer=np.arange(20, dtype=np.float32).reshape(5, 4) / 4.0)
        sentences = tf.placeholder(tf.string, [None], name="sentences")
        tokens = tf.string_split(sentences, delimiter=" ")
        vocab = ["the", "cat", "sat", "mat"]
        table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(vocab, tf.range(4, dtype=tf.int64)), default_value=4)
        ids = table.lookup(tokens)
        mean = tf.nn.embedding_lookup_sparse(emb, ids, None, combiner="mean")
        summed = tf.nn.embedding_lookup_sparse(emb, ids, None, combiner="sum")
        sqrtn = tf.nn.embedding_lookup_sparse(emb, ids, None, combiner="sqrtn")
        # weighted: tf-idf style weights share the ids' indices
        weights = tf.SparseTensor(ids.indices, tf.cast(tf.range(tf.size(ids.values)) + 1, tf.float32),
                                  ids.dense_shape)
        weighted = tf.nn.embedding_lookup_sparse(emb, ids, weights, combiner="sum")
        # safe_: negative ids are dropped and empty rows get zeros
        raw = tf.sparse_placeholder(tf.int64, name="raw_ids")
        safe = tf.nn.safe_embedding_lookup_sparse(emb, raw, combiner="mean")
        safe_default = tf.nn.safe_embedding_lookup_sparse(emb, raw, combiner="sum", default_id=2)
        dense_ids = tf.sparse_tensor_to_dense(ids, default_value=-1)
        with tf.Session() as sess:
            sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
            feed = {sentences: ["the cat sat", "a mat", "cat cat dog the"]}
            out.update(sess.run({"mean": mean, "sum": summed, "sqrtn": sqrtn, "weighted": weighted,
                                 "dense_ids": dense_ids}, feed))
            toks = sess.run(tokens, feed)
            out["tok_values"] = toks.values
            out["tok_indices"] = toks.indices
            out["tok_shape"] = toks.dense_shape
            rawv = tf.SparseTensorValue([[0, 0], [0, 1], [2, 0], [3, 0]], [1, -1, 3, -5], [4, 2])
            out["safe"], out["safe_default"] = sess.run([safe, safe_default], {raw: rawv})
        out["mean_shape"] = str(mean.get_shape())
        out["ids_dtype"] = ids.dtype.name
    return out
