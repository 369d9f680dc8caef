"""A hand-written beam search step loop: top_k over flattened beams, batch gathers, length penalty."""

import numpy as np


def build_and_run(tf):
    beam, vocab, steps = 3, 6, 4
    table = np.sin(np.arange(vocab * vocab).reshape(vocab, vocab) * 0.7).astype(np.float32)
    with tf.Graph().as_default():
        trans = tf.constant(table)
        start = tf.placeholder(tf.int32, [None], name="start")
        b = tf.shape(start)[0]
        log_probs = tf.concat([tf.zeros([b, 1]), tf.fill([b, beam - 1], -1e9)], axis=1)
        tokens = tf.tile(start[:, None], [1, beam])
        history = tf.zeros([b, beam, 0], tf.int32)
        for _ in range(steps):
            logits = tf.gather(trans, tokens)                      # [b, beam, vocab]
            scores = tf.nn.log_softmax(logits) + log_probs[:, :, None]
            flat = tf.reshape(scores, [b, beam * vocab])
            top_scores, top_idx = tf.nn.top_k(flat, k=beam)
            beam_idx, tokens = top_idx // vocab, top_idx % vocab
            history = tf.batch_gather(history, beam_idx)
            history = tf.concat([history, tokens[:, :, None]], axis=2)
            log_probs = top_scores
        length_penalty = tf.pow((5.0 + steps) / 6.0, 0.6)
        final = log_probs / length_penalty
        best = tf.argmax(final, axis=1, output_type=tf.int32)
        best_seq = tf.gather_nd(history, tf.stack([tf.range(b), best], axis=1))
        by_dims = tf.gather(history, beam_idx, batch_dims=1)
        with tf.Session() as sess:
            return sess.run({"history": history, "final": final, "best_seq": best_seq, "by_dims": by_dims},
                            {start: [1, 4]})
