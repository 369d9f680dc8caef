"""Speech/OCR output decoding: CTC greedy and beam search decoders, then edit distance to labels."""

import numpy as np


def _logits():
    # [max_time, batch, num_classes]; the last class is the CTC blank
    rng = np.random.RandomState(7)
    x = rng.randn(6, 2, 4).astype(np.float32)
    x[:, :, 3] += 0.5
    return x


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        logits = tf.placeholder(tf.float32, [None, None, 4], name="logits")
        seq_len = tf.placeholder(tf.int32, [None], name="seq_len")
        greedy, greedy_prob = tf.nn.ctc_greedy_decoder(logits, seq_len)
        merged_off, _ = tf.nn.ctc_greedy_decoder(logits, seq_len, merge_repeated=False)
        beams, log_probs = tf.nn.ctc_beam_search_decoder(logits, seq_len, beam_width=5, top_paths=2)
        dense_greedy = tf.sparse_tensor_to_dense(greedy[0], default_value=-1)
        labels = tf.sparse_placeholder(tf.int32, name="labels")
        dist = tf.edit_distance(tf.cast(greedy[0], tf.int32), labels, normalize=True)
        raw_dist = tf.edit_distance(tf.cast(greedy[0], tf.int32), labels, normalize=False)
        with tf.Session() as sess:
            feed = {logits: _logits(), seq_len: [6, 4],
                    labels: tf.SparseTensorValue([[0, 0], [0, 1], [1, 0]], [0, 2, 1], [2, 2])}
            g, gp, m, b, lp, dg, d, rd = sess.run(
                [greedy[0], greedy_prob, merged_off[0], beams, log_probs, dense_greedy, dist, raw_dist], feed)
            out["greedy_indices"], out["greedy_values"], out["greedy_shape"] = g.indices, g.values, g.dense_shape
            out["greedy_prob"] = gp
            out["unmerged_values"] = m.values
            out["beam0_values"], out["beam0_shape"] = b[0].values, b[0].dense_shape
            out["beam1_values"] = b[1].values
            out["beam_log_probs"] = lp
            out["dense_greedy"] = dg
            out["dist"], out["raw_dist"] = d, rd
        out["num_beams"] = len(beams)
    with tf.Graph().as_default():
        # edit distance on words, as in a WER helper
        hyp = tf.SparseTensor([[0, 0], [0, 1], [0, 2], [1, 0]], ["a", "b", "c", "x"], [2, 3])
        ref = tf.SparseTensor([[0, 0], [0, 1], [1, 0], [1, 1]], ["a", "c", "x", "y"], [2, 2])
        with tf.Session() as sess:
            out["wer"] = sess.run(tf.edit_distance(hyp, ref))
    return out
