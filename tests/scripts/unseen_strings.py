"""String ops on placeholders: join, length, substr, regex_replace, as_string, to_number, equal."""



def build_and_run(tf):
    with tf.Graph().as_default():
        words = tf.placeholder(tf.string, [None], name="words")
        nums = tf.placeholder(tf.string, [None], name="nums")
        joined = tf.string_join([words, tf.constant("!")], separator="-")
        length = tf.strings.length(words)
        sub = tf.substr(words, 1, 3)
        cleaned = tf.regex_replace(words, "[aeiou]", "_")
        first = tf.strings.regex_replace(words, "^(.)", "<\\1>", replace_global=False)
        formatted = tf.as_string(tf.constant([3.14159, -2.0, 1e6]), precision=2)
        ints = tf.as_string(tf.constant([7, -42]), width=5, fill="0")
        parsed = tf.string_to_number(nums, out_type=tf.float32)
        parsed_int = tf.strings.to_number(tf.constant(["12", "-7"]), out_type=tf.int64)
        reduced = tf.reduce_join(words, axis=0, separator=",")
        upper = tf.strings.upper(words)
        matches = tf.strings.regex_full_match(words, "[a-z]+o")
        eq = tf.equal(words, "hello")
        b64 = tf.decode_base64(tf.encode_base64(words))
        with tf.Session() as sess:
            feed = {words: [b"hello", b"world", b"tf"], nums: ["1.5", "-3", "2e2"]}
            out = sess.run({"joined": joined, "length": length, "sub": sub, "cleaned": cleaned,
                            "first": first, "formatted": formatted, "ints": ints, "parsed": parsed,
                            "parsed_int": parsed_int,
                            "reduced": reduced, "upper": upper, "matches": matches, "eq": eq,
                            "b64": b64}, feed)
            try:
                sess.run(parsed, {nums: ["abc"]})
                out["bad_number"] = "no error"
            except tf.errors.InvalidArgumentError:
                out["bad_number"] = "InvalidArgumentError"
            out["dtype"] = joined.dtype.name
            return out
