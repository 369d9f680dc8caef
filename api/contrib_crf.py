"""`tf.contrib.crf` (TF 1.x): the linear-chain CRF that BiLSTM-CRF taggers decode with.

Scores of tag sequences, the log partition function, the log-likelihood, and Viterbi decoding
both in the graph (`crf_decode`, two `dynamic_rnn` passes over the sequence, as TF 1.15 builds
it) and in numpy (`viterbi_decode`). Shapes follow contrib's: `inputs` / `potentials` are
[batch, max_seq_len, num_tags] unary scores, `transition_params` is [num_tags, num_tags] with
entry [i, j] the score of tag i followed by tag j, `sequence_lengths` is [batch].

As TF 1.15, a sequence of length 0 scores 0 and decodes to zeros; where the time axis is
statically 1 the single-step form is built without the recurrences.
"""

from __future__ import annotations

import numpy as np
from ortflow.api import array_ops, control_flow_ops, math_ops
from ortflow.api import variable_scope as vs
from ortflow.api.ops_builder import convert_to_tensor
from ortflow.api.rnn import dynamic_rnn
from ortflow.api.rnn_cell import RNNCell
from ortflow.formats import dtypes as _dtypes

__all__ = [
    "CrfDecodeBackwardRnnCell",
    "CrfDecodeForwardRnnCell",
    "CrfForwardRnnCell",
    "crf_binary_score",
    "crf_decode",
    "crf_log_likelihood",
    "crf_log_norm",
    "crf_sequence_score",
    "crf_unary_score",
    "viterbi_decode",
]


def _static_time(x) -> int | None:
    return x.shape.as_list()[1] if x.shape.rank is not None else None


def _one_or_many(x, single, multi):
    """`single()` when the time axis is statically 1, `multi()` when it is statically longer, else
    a cond on the run-time length (contrib's smart_cond)."""
    steps = _static_time(x)
    if steps is not None:
        return single() if steps == 1 else multi()
    return control_flow_ops.cond(math_ops.equal(array_ops.shape(x)[1], 1), single, multi)


def _masks(lengths, max_length, dtype):
    # [batch, max_length]: 1 where the step is inside the sequence, 0 on padding.
    return math_ops.cast(array_ops.sequence_mask(lengths, max_length), dtype)


def crf_unary_score(tag_indices, sequence_lengths, inputs):
    """[batch] sums of the unary scores of `tag_indices` over each sequence's steps."""
    inputs = convert_to_tensor(inputs)
    tag_indices = convert_to_tensor(tag_indices)
    picked = array_ops.gather(inputs, tag_indices, axis=2, batch_dims=2)  # [batch, time]
    masks = _masks(sequence_lengths, array_ops.shape(tag_indices)[1], picked.dtype)
    return math_ops.reduce_sum(picked * masks, 1)


def crf_binary_score(tag_indices, sequence_lengths, transition_params):
    """[batch] sums of the transition scores between consecutive tags of each sequence."""
    tag_indices = convert_to_tensor(tag_indices)
    transition_params = convert_to_tensor(transition_params)
    num_tags = array_ops.shape(transition_params, out_type=tag_indices.dtype)[0]
    starts, ends = tag_indices[:, :-1], tag_indices[:, 1:]
    scores = array_ops.gather(array_ops.reshape(transition_params, [-1]), starts * num_tags + ends)
    masks = _masks(sequence_lengths, array_ops.shape(tag_indices)[1], scores.dtype)[:, 1:]
    return math_ops.reduce_sum(scores * masks, 1)


def crf_sequence_score(inputs, tag_indices, sequence_lengths, transition_params):
    """[batch] unnormalized scores of the tag sequences `tag_indices` (unary + transitions)."""
    inputs = convert_to_tensor(inputs)
    tag_indices = convert_to_tensor(tag_indices)

    def single():
        scores = array_ops.gather(inputs[:, 0, :], tag_indices[:, :1], axis=1, batch_dims=1)[:, 0]
        return array_ops.where(math_ops.less_equal(sequence_lengths, 0), array_ops.zeros_like(scores), scores)

    def multi():
        return (crf_unary_score(tag_indices, sequence_lengths, inputs)
                + crf_binary_score(tag_indices, sequence_lengths, transition_params))

    return _one_or_many(inputs, single, multi)


class _TransitionCell(RNNCell):
    """A cell carrying one score per tag, combined with the [1, num_tags, num_tags] transitions."""

    def __init__(self, transition_params):
        super().__init__()
        transition_params = convert_to_tensor(transition_params)
        self._transition_params = array_ops.expand_dims(transition_params, 0)
        self._num_tags = transition_params.shape.as_list()[0]

    @property
    def state_size(self):
        return self._num_tags

    @property
    def output_size(self):
        return self._num_tags

    def _scores(self, state):
        return array_ops.expand_dims(state, 2) + self._transition_params  # [batch, from, to]


class CrfForwardRnnCell(_TransitionCell):
    """One step of the forward algorithm: alphas' = inputs + logsumexp(alphas + transitions)."""

    def __call__(self, inputs, state, scope=None):
        alphas = inputs + math_ops.reduce_logsumexp(self._scores(state), [1])
        return alphas, alphas


def crf_log_norm(inputs, sequence_lengths, transition_params):
    """[batch] log partition functions: logsumexp over every tag sequence's score."""
    inputs = convert_to_tensor(inputs)
    sequence_lengths = convert_to_tensor(sequence_lengths)
    first = inputs[:, 0, :]

    def single():
        norm = math_ops.reduce_logsumexp(first, [1])
        return array_ops.where(math_ops.less_equal(sequence_lengths, 0), array_ops.zeros_like(norm), norm)

    def multi():
        steps = math_ops.maximum(sequence_lengths - 1, array_ops.zeros_like(sequence_lengths))
        _, alphas = dynamic_rnn(CrfForwardRnnCell(transition_params), inputs[:, 1:, :], sequence_length=steps,
                                initial_state=first, dtype=inputs.dtype)
        norm = math_ops.reduce_logsumexp(alphas, [1])
        return array_ops.where(math_ops.less_equal(sequence_lengths, 0), array_ops.zeros_like(norm), norm)

    return _one_or_many(inputs, single, multi)


def crf_log_likelihood(inputs, tag_indices, sequence_lengths, transition_params=None):
    """(log-likelihood [batch] of `tag_indices`, the transition matrix).

    Without `transition_params`, a [num_tags, num_tags] variable named "transitions" is made in
    the current variable scope, as contrib does.
    """
    inputs = convert_to_tensor(inputs)
    if transition_params is None:
        num_tags = inputs.shape.as_list()[2]
        transition_params = vs.get_variable("transitions", [num_tags, num_tags])
    scores = crf_sequence_score(inputs, tag_indices, sequence_lengths, transition_params)
    return scores - crf_log_norm(inputs, sequence_lengths, transition_params), transition_params


def viterbi_decode(score, transition_params):
    """The best tag sequence of one sequence in numpy: (list of tag ids, its score).

    Args:
        score: [seq_len, num_tags] unary scores (padding removed).
        transition_params: [num_tags, num_tags] transition scores.
    """
    score = np.asarray(score)
    transition_params = np.asarray(transition_params)
    best = score[0].copy()
    back = []
    for step in score[1:]:
        candidates = best[:, None] + transition_params  # [from, to]
        back.append(np.argmax(candidates, axis=0))
        best = step + np.max(candidates, axis=0)
    path = [int(np.argmax(best))]
    for pointers in reversed(back):
        path.append(int(pointers[path[-1]]))
    path.reverse()
    return path, np.max(best)


class CrfDecodeForwardRnnCell(_TransitionCell):
    """One Viterbi step: the best score per tag and the previous tag it came from."""

    def __call__(self, inputs, state, scope=None):
        scores = self._scores(state)
        best = inputs + math_ops.reduce_max(scores, [1])
        pointers = math_ops.cast(math_ops.argmax(scores, 1), _dtypes.int32)
        return pointers, best


class CrfDecodeBackwardRnnCell(RNNCell):
    """One step of the Viterbi back-trace: the previous tag from this step's back pointers."""

    def __init__(self, num_tags):
        super().__init__()
        self._num_tags = num_tags

    @property
    def state_size(self):
        return 1

    @property
    def output_size(self):
        return 1

    def __call__(self, inputs, state, scope=None):
        tags = array_ops.gather(inputs, state, axis=1, batch_dims=1)  # [batch, 1]
        return tags, tags


def crf_decode(potentials, transition_params, sequence_length):
    """The best tag sequences in the graph: (decode_tags int32 [batch, max_seq_len], best_score [batch])."""
    potentials = convert_to_tensor(potentials)
    sequence_length = convert_to_tensor(sequence_length)

    def single():
        first = potentials[:, 0, :]
        tags = array_ops.expand_dims(math_ops.cast(math_ops.argmax(first, axis=1), _dtypes.int32), 1)
        return tags, math_ops.reduce_max(first, axis=1)

    def multi():
        num_tags = potentials.shape.as_list()[2]
        steps = math_ops.maximum(sequence_length - 1, array_ops.zeros_like(sequence_length))
        pointers, last = dynamic_rnn(CrfDecodeForwardRnnCell(transition_params), potentials[:, 1:, :],
                                     sequence_length=steps, initial_state=potentials[:, 0, :],
                                     dtype=_dtypes.int32)
        pointers = array_ops.reverse_sequence(pointers, steps, seq_axis=1)
        last_tag = array_ops.expand_dims(math_ops.cast(math_ops.argmax(last, axis=1), _dtypes.int32), -1)
        tags, _ = dynamic_rnn(CrfDecodeBackwardRnnCell(num_tags), pointers, sequence_length=steps,
                              initial_state=last_tag, dtype=_dtypes.int32)
        tags = array_ops.concat([last_tag, array_ops.squeeze(tags, axis=[2])], axis=1)
        tags = array_ops.reverse_sequence(tags, sequence_length, seq_axis=1)
        return tags, math_ops.reduce_max(last, axis=1)

    return _one_or_many(potentials, single, multi)
