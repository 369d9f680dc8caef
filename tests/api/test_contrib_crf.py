"""tf.contrib.crf against brute force: every tag sequence of a small CRF enumerated in numpy.

TF 2.21 has no tf.contrib (and tensorflow-addons is not installed), so the oracle is the
definition: a sequence's score is the sum of its unary scores and of the transitions between
consecutive tags; Viterbi finds the best one; the log partition function is the logsumexp of
all scores.
"""

from __future__ import annotations

import itertools

import numpy as np
import ortflow as tf
import pytest

K = 3


def _brute(unary, transitions, length):
    scores = {seq: sum(unary[t, seq[t]] for t in range(length))
              + sum(transitions[seq[t], seq[t + 1]] for t in range(length - 1))
              for seq in itertools.product(range(K), repeat=length)}
    best = max(scores, key=scores.get)
    return list(best), scores[best], np.logaddexp.reduce(list(scores.values())), scores


@pytest.mark.parametrize("static_time", [True, False])
def test_crf_decode_likelihood_and_scores_match_brute_force(static_time):
    rng = np.random.RandomState(0)
    unary = rng.randn(4, 5, K).astype(np.float32)
    transitions = rng.randn(K, K).astype(np.float32)
    lengths = np.array([5, 3, 1, 2], np.int32)
    tags = rng.randint(0, K, size=(4, 5)).astype(np.int32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 5 if static_time else None, K], name="x")
        n = tf.placeholder(tf.int32, [None], name="n")
        y = tf.placeholder(tf.int32, [None, None], name="y")
        with tf.variable_scope("crf"):
            log_likelihood, made = tf.contrib.crf.crf_log_likelihood(x, y, n)
        assert made.op.name == "crf/transitions"
        decoded, best = tf.contrib.crf.crf_decode(x, transitions, n)
        scores = tf.contrib.crf.crf_sequence_score(x, y, n, transitions)
        with tf.Session() as sess:
            sess.run(made.assign(transitions))
            d, b, ll, s = sess.run([decoded, best, log_likelihood, scores], {x: unary, n: lengths, y: tags})
    assert d.dtype == np.int32 and d.shape == (4, 5)
    for i, length in enumerate(lengths):
        path, top, log_norm, all_scores = _brute(unary[i], transitions, length)
        own = all_scores[tuple(tags[i, :length])]
        assert d[i, :length].tolist() == path
        np.testing.assert_allclose([b[i], s[i], ll[i]], [top, own, own - log_norm], rtol=1e-5, atol=1e-5)
        numpy_path, numpy_score = tf.contrib.crf.viterbi_decode(unary[i, :length], transitions)
        assert numpy_path == path and np.isclose(numpy_score, top)


@pytest.mark.parametrize("time", [1, None])
def test_crf_single_step_sequences(time):
    # A time axis of 1: statically (no recurrence built) or known only at run time (a cond).
    unary = np.array([[[0.5, 2.0, -1.0]], [[3.0, 0.0, 1.0]]], np.float32)
    transitions = np.eye(K, dtype=np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, time, K])
        n = tf.constant([1, 1])
        decoded, best = tf.contrib.crf.crf_decode(x, transitions, n)
        norm = tf.contrib.crf.crf_log_norm(x, n, transitions)
        with tf.Session() as sess:
            d, b, z = sess.run([decoded, best, norm], {x: unary})
    assert d.tolist() == [[1], [0]] and b.tolist() == [2.0, 3.0]
    np.testing.assert_allclose(z, np.logaddexp.reduce(unary[:, 0, :], axis=1), rtol=1e-6)
