"""SequenceExample records for sequence models: context + feature_lists, parse_single_sequence_example."""



def _make(tf, tokens, label, lengths_name):
    ex = tf.train.SequenceExample()
    ex.context.feature["length"].int64_list.value.append(len(tokens))
    ex.context.feature["label"].float_list.value.append(label)
    ex.context.feature[lengths_name].bytes_list.value.append(b"doc-%d" % len(tokens))
    fl_tokens = ex.feature_lists.feature_list["tokens"]
    fl_scores = ex.feature_lists.feature_list["scores"]
    for t in tokens:
        fl_tokens.feature.add().int64_list.value.append(t)
        fl_scores.feature.add().float_list.value.extend([t * 0.5, -t * 0.25])
    return ex.SerializeToString()


def build_and_run(tf):
    out = {}
    records = [_make(tf, [3, 1, 4, 1, 5], 1.0, "id"), _make(tf, [9, 2], 0.0, "id")]
    with tf.Graph().as_default():
        serialized = tf.placeholder(tf.string, [], name="serialized")
        context_features = {
            "length": tf.FixedLenFeature([], dtype=tf.int64),
            "label": tf.FixedLenFeature([], dtype=tf.float32),
            "id": tf.FixedLenFeature([], dtype=tf.string),
            "weight": tf.FixedLenFeature([], dtype=tf.float32, default_value=1.0),
        }
        sequence_features = {
            "tokens": tf.FixedLenSequenceFeature([], dtype=tf.int64),
            "scores": tf.FixedLenSequenceFeature([2], dtype=tf.float32),
            "missing": tf.VarLenFeature(dtype=tf.int64),
        }
        context, sequence = tf.parse_single_sequence_example(
            serialized=serialized, context_features=context_features, sequence_features=sequence_features)
        one_hot = tf.one_hot(sequence["tokens"], 10)
        with tf.Session() as sess:
            for i, rec in enumerate(records):
                c, s = sess.run([context, sequence], {serialized: rec})
                out[f"ctx{i}"] = [int(c["length"]), float(c["label"]), float(c["weight"])]
                out[f"id{i}"] = c["id"]
                out[f"tokens{i}"] = s["tokens"]
                out[f"scores{i}"] = s["scores"]
                out[f"missing{i}_shape"] = s["missing"].dense_shape
                out[f"onehot{i}_sum"] = sess.run(tf.reduce_sum(one_hot, 0), {serialized: rec})
        out["ctx_keys"] = sorted(context)
        out["seq_dtypes"] = sorted(f"{k}:{v.dtype.name}" for k, v in sequence.items())
        out["tokens_static"] = str(sequence["tokens"].get_shape())
        out["scores_static"] = str(sequence["scores"].get_shape())
    return out
