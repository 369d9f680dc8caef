"""Tokenizing text in a TF 1.x graph: string_split / strings.split to sparse, strip, lower, padding to dense."""


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        lines = tf.placeholder(tf.string, [None], name="lines")
        cleaned = tf.strings.strip(tf.strings.lower(lines))
        tokens = tf.string_split(cleaned)  # whitespace, SparseTensor
        chars = tf.string_split(tf.constant(["ab", "cde"]), delimiter="")
        by_comma = tf.strings.split(tf.constant(["a,b,,c", "d"]), sep=",")
        dense = tf.sparse_tensor_to_dense(tokens, default_value="<pad>")
        lengths = tf.reduce_sum(tf.cast(tf.not_equal(dense, "<pad>"), tf.int32), axis=1)
        joined = tf.reduce_join(dense, axis=1, separator="|")
        first_tokens = dense[:, 0]
        upper_first = tf.strings.upper(first_tokens)
        lens = tf.strings.length(first_tokens)
        num = tf.strings.to_number(tf.constant(["3", "4.5"]))
        hashed = tf.strings.to_hash_bucket_fast(tokens.values, 100)
        with tf.Session() as sess:
            feed = {lines: ["  Hello World  ", "TF one  dot x", "single"]}
            t = sess.run(tokens, feed)
            out["tok_indices"], out["tok_values"], out["tok_shape"] = t.indices, t.values, t.dense_shape
            c = sess.run(chars)
            out["char_values"], out["char_shape"] = c.values, c.dense_shape
            bc = sess.run(by_comma)
            out["comma_values"], out["comma_indices"] = bc.values, bc.indices
            out.update(sess.run({"dense": dense, "lengths": lengths, "joined": joined, "upper_first": upper_first,
                                 "lens": lens, "num": num, "hashed": hashed, "cleaned": cleaned}, feed))
        out["split_type"] = type(by_comma).__name__
    return out
