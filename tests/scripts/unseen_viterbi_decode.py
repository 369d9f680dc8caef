"""NER-style Viterbi decoding without tf.contrib.crf: scan for scores and backpointers, reverse scan back."""

import numpy as np


def _viterbi_graph(tf, unary, transitions):
    # unary: [batch, time, tags]; transitions: [tags, tags]
    first = unary[:, 0]
    rest = tf.transpose(unary[:, 1:], [1, 0, 2])  # time-major for scan

    def forward(state, emit):
        score, _ = state
        cand = tf.expand_dims(score, 2) + tf.expand_dims(transitions, 0)  # [b, from, to]
        best = tf.reduce_max(cand, axis=1) + emit
        back = tf.argmax(cand, axis=1, output_type=tf.int32)
        return best, back

    init_back = tf.zeros_like(first, dtype=tf.int32)
    scores, backs = tf.scan(forward, rest, initializer=(first, init_back))
    final = scores[-1]
    last_tag = tf.argmax(final, axis=1, output_type=tf.int32)

    def backward(tag, back):
        # back[b, tag[b]] for each example, the one-hot way older code picks per-row entries
        return tf.reduce_sum(back * tf.one_hot(tag, tf.shape(back)[1], dtype=tf.int32), axis=1)

    prev = tf.scan(backward, tf.reverse(backs, [0]), initializer=last_tag)
    path = tf.concat([tf.reverse(prev, [0]), tf.expand_dims(last_tag, 0)], axis=0)
    return tf.transpose(path), tf.reduce_max(final, axis=1)


def build_and_run(tf):
    out = {}
    rng = np.random.RandomState(5)
    unary_np = rng.randn(2, 5, 4).astype(np.float32)
    trans_np = rng.randn(4, 4).astype(np.float32)
    with tf.Graph().as_default():
        unary = tf.placeholder(tf.float32, [None, None, 4], name="unary")
        transitions = tf.get_variable("transitions", initializer=trans_np)
        path, best = _viterbi_graph(tf, unary, transitions)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            p, b = sess.run([path, best], {unary: unary_np})
            out["path"], out["best"] = p, b
            p3 = sess.run(path, {unary: unary_np[:, :3]})
            out["path_short"] = p3
        out["path_dtype"] = path.dtype.name
        out["path_static"] = str(path.get_shape())
    # brute-force check over all tag sequences of the first example (4**5 = 1024 paths)
    import itertools
    seqs = np.array(list(itertools.product(range(4), repeat=5)))
    totals = unary_np[0][np.arange(5), seqs].sum(1) + trans_np[seqs[:, :-1], seqs[:, 1:]].sum(1)
    out["brute_path_matches"] = bool(np.array_equal(seqs[totals.argmax()], out["path"][0]))
    return out
