"""CTC decoders and edit distance: hand-checked cases, and TensorFlow on random logits (interop)."""

from __future__ import annotations

import numpy as np
import pytest


def _decode(tf, logits, lengths, beam_width, top_paths, merge, greedy_merge):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, None, logits.shape[2]])
        n = tf.placeholder(tf.int32, [None])
        beams, log_probs = tf.nn.ctc_beam_search_decoder(x, n, beam_width=beam_width, top_paths=top_paths,
                                                         merge_repeated=merge)
        greedy, greedy_score = tf.nn.ctc_greedy_decoder(x, n, merge_repeated=greedy_merge)
        distance = tf.edit_distance(beams[0], greedy[0], normalize=merge)
        with tf.Session() as sess:
            return sess.run([beams, log_probs, greedy, greedy_score, distance], {x: logits, n: lengths})


def test_greedy_decoder_drops_blanks_and_merges_repeats():
    import ortflow as tf

    # classes 0, 1 and the blank 2; steps pick 0 0 2 0 1 1
    picks = [0, 0, 2, 0, 1, 1]
    logits = np.full((6, 1, 3), -1.0, np.float32)
    for t, c in enumerate(picks):
        logits[t, 0, c] = 2.0
    _, _, greedy, score, _ = _decode(tf, logits, [6], 4, 1, True, True)
    assert greedy[0].values.tolist() == [0, 0, 1]
    assert greedy[0].dense_shape.tolist() == [1, 3]
    np.testing.assert_allclose(score, [[-12.0]])
    with tf.Graph().as_default():
        unmerged, _ = tf.nn.ctc_greedy_decoder(tf.constant(logits), [6], merge_repeated=False)
        with tf.Session() as sess:
            assert sess.run(unmerged[0]).values.tolist() == [0, 0, 0, 1, 1]


def test_edit_distance_normalized_and_empty_truth():
    import ortflow as tf

    with tf.Graph().as_default():
        hyp = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], ["a", "b", "z"], [3, 2])
        truth = tf.SparseTensor([[0, 0], [0, 1], [0, 2], [2, 0]], ["a", "x", "b", "q"], [3, 3])
        with tf.Session() as sess:
            norm, raw = sess.run([tf.edit_distance(hyp, truth), tf.edit_distance(hyp, truth, normalize=False)])
    np.testing.assert_allclose(raw, [1.0, 1.0, 1.0])
    assert norm[0] == pytest.approx(1 / 3) and np.isinf(norm[1]) and norm[2] == 1.0


def test_beam_search_refuses_more_paths_than_beams():
    import ortflow as tf

    with tf.Graph().as_default(), pytest.raises(Exception, match="more paths than the beam width"):
        decoded, _ = tf.nn.ctc_beam_search_decoder(tf.zeros([2, 1, 3]), [2], beam_width=2, top_paths=3)
        with tf.Session() as sess:
            sess.run(decoded[0].values)


@pytest.mark.interop
def test_decoders_match_tensorflow_on_random_logits(tf):
    import ortflow

    tf.disable_v2_behavior()
    rng = np.random.RandomState(0)
    for _ in range(25):
        steps, batch, classes = rng.randint(1, 9), rng.randint(1, 4), rng.randint(2, 6)
        logits = (rng.randn(steps, batch, classes) * rng.choice([0.5, 2, 5])).astype(np.float32)
        lengths = rng.randint(1, steps + 1, size=batch).astype(np.int32)
        width = rng.randint(1, 8)
        args = (logits, lengths, width, rng.randint(1, width + 1), bool(rng.randint(2)), bool(rng.randint(2)))
        try:
            want = _decode(tf, *args)
        except tf.errors.InvalidArgumentError:  # fewer prefixes than top_paths: both refuse
            with pytest.raises(ortflow.errors.InvalidArgumentError):
                _decode(ortflow, *args)
            continue
        got = _decode(ortflow, *args)
        for a, b in zip(want[0] + [want[2][0]], got[0] + [got[2][0]]):
            for part in ("indices", "values", "dense_shape"):
                np.testing.assert_array_equal(getattr(b, part), getattr(a, part))
        for i in (1, 3, 4):
            np.testing.assert_allclose(got[i], want[i], rtol=1e-5, atol=1e-5)
