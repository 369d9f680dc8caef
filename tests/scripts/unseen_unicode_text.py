"""Unicode text handling in TF 1.x (tf.strings): unicode_decode/encode/split, char lengths, UTF-8 substr."""


def build_and_run(tf):
    out = {}
    words = ["héllo", "日本語", "a", "naïve café"]
    with tf.Graph().as_default():
        text = tf.placeholder(tf.string, [None], name="text")
        codepoints = tf.strings.unicode_decode(text, "UTF-8")
        dense_cp = codepoints.to_tensor(default_value=-1)
        row_lengths = codepoints.row_lengths()
        chars = tf.strings.unicode_split(text, "UTF-8")
        chars_dense = chars.to_tensor(default_value="")
        n_bytes = tf.strings.length(text)
        n_chars = tf.strings.length(text, unit="UTF8_CHAR")
        first2 = tf.strings.substr(text, 0, 2, unit="UTF8_CHAR")
        upper_cp = tf.constant([[72, 105], [0x263A, 33]], tf.int32)
        encoded = tf.strings.unicode_encode(upper_cp, "UTF-8")
        roundtrip = tf.strings.unicode_encode(codepoints, output_encoding="UTF-8")
        sparse_cp = codepoints.to_sparse()
        with tf.Session() as sess:
            feed = {text: [w.encode("utf-8") for w in words]}
            res = sess.run({"dense_cp": dense_cp, "row_lengths": row_lengths, "chars_dense": chars_dense,
                            "n_bytes": n_bytes, "n_chars": n_chars, "first2": first2,
                            "roundtrip": roundtrip}, feed)
            out.update(res)
            out["encoded"] = sess.run(encoded)
            sp = sess.run(sparse_cp, feed)
            out["sparse_shape"] = sp.dense_shape
            out["sparse_values"] = sp.values
            out["decoded_first"] = [c.decode("utf-8") for c in res["chars_dense"][1] if c]
        out["cp_dtype"] = codepoints.dtype.name
    return out
