"""Word2vec evaluation: normalized embeddings, cosine similarity, nearest neighbours, analogies."""

import numpy as np


def build_and_run(tf):
    vocab, dim = 20, 6
    table = np.stack([np.sin(np.arange(dim) * (i + 1) * 0.37) + 0.1 * i for i in range(vocab)]).astype(
        np.float32)
    with tf.Graph().as_default():
        embeddings = tf.Variable(tf.random_uniform([vocab, dim], -1.0, 1.0), name="embeddings")
        set_table = embeddings.assign(table)
        norm = tf.sqrt(tf.reduce_sum(tf.square(embeddings), 1, keep_dims=True))
        normalized = embeddings / norm
        valid = tf.constant([1, 5, 7], dtype=tf.int32)
        valid_emb = tf.nn.embedding_lookup(normalized, valid)
        similarity = tf.matmul(valid_emb, normalized, transpose_b=True)
        _, nearest = tf.nn.top_k(similarity, k=4)
        a, b, c = [tf.placeholder(tf.int32, [None]) for _ in range(3)]
        target = (tf.gather(normalized, b) - tf.gather(normalized, a) + tf.gather(normalized, c))
        dist = tf.matmul(target, normalized, transpose_b=True)
        _, analogy = tf.nn.top_k(dist, 3)
        sampled = tf.nn.embedding_lookup(embeddings, tf.constant([[0, 1], [2, 19]]), max_norm=1.0)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(set_table)
            sim, near = sess.run([similarity, nearest])
            ana = sess.run(analogy, {a: [0, 3], b: [1, 4], c: [2, 9]})
            return {"sim": sim, "nearest": near, "analogy": ana, "max_norm": sess.run(sampled),
                    "shape": str(sampled.get_shape().as_list())}
