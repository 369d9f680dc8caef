"""Numpy kernels and shape functions of the CTC decoders and EditDistance.

`CTCGreedyDecoder` takes the best class per step (dropping blanks, and repeats when merging);
`CTCBeamSearchDecoder` follows TensorFlow's prefix beam search (a tree of label prefixes, each
with its log-probabilities of ending in a blank or in its label, the beam kept to `beam_width`
prefixes by total log-probability, on the log-softmax of each step's logits as TensorFlow);
`EditDistance` is the Levenshtein distance between the sequences of two sparse tensors, grouped
by all but their last index.
"""

from __future__ import annotations

import math

import numpy as np
from ortflow.errors import GraphError
from ortflow.graph.ops.registry import kernel, shape_fn
from ortflow.graph.ops.schema import get_attr

__all__: list[str] = []

_LOG_ZERO = -math.inf


def _check_inputs(op: str, logits, lengths) -> None:
    if logits.ndim != 3:
        raise GraphError(f"{op}: inputs must be 3-D [max_time, batch, num_classes]; got shape {list(logits.shape)}")
    if lengths.shape != (logits.shape[1],):
        raise GraphError(f"{op}: sequence_length must be [batch] = [{logits.shape[1]}]; "
                         f"got shape {list(lengths.shape)}")
    if np.any(lengths > logits.shape[0]) or np.any(lengths < 0):
        raise GraphError(f"{op}: sequence_length {lengths.tolist()} must lie in [0, {logits.shape[0]}]")


def _sparse(paths: list[list[int]]) -> list[np.ndarray]:
    """(indices [n, 2], values [n], dense_shape [2]) of one decoded path per batch entry."""
    indices = [[b, t] for b, path in enumerate(paths) for t in range(len(path))]
    values = [v for path in paths for v in path]
    longest = max((len(p) for p in paths), default=0)
    return [np.asarray(indices, np.int64).reshape(-1, 2), np.asarray(values, np.int64),
            np.asarray([len(paths), longest], np.int64)]


@kernel("CTCGreedyDecoder")
def _ctc_greedy_decoder(node_def, inputs):
    logits, lengths = np.asarray(inputs[0]), np.asarray(inputs[1]).astype(np.int64)
    _check_inputs("CTCGreedyDecoder", logits, lengths)
    classes = logits.shape[2]
    blank = int(get_attr(node_def, "blank_index", -1))
    blank = blank + classes if blank < 0 else blank
    merge = bool(get_attr(node_def, "merge_repeated", False))
    paths, scores = [], np.zeros((logits.shape[1], 1), logits.dtype)
    for b in range(logits.shape[1]):
        path, previous = [], -1
        for t in range(int(lengths[b])):
            step = logits[t, b]
            label = int(np.argmax(step))
            scores[b, 0] -= step[label]
            if label != blank and not (merge and label == previous):
                path.append(label)
            previous = label
        paths.append(path)
    return [*_sparse(paths), scores]


def _log_sum_exp(a: float, b: float) -> float:
    if a == _LOG_ZERO:
        return b
    if b == _LOG_ZERO:
        return a
    high, low = (a, b) if a > b else (b, a)
    return high + math.log1p(math.exp(low - high))


class _Prefix:
    """A node of the beam's prefix tree: its label and log-probabilities now (new) and one step
    ago (old): total, ending in a blank, ending in its label."""

    __slots__ = ("children", "label", "new", "old", "parent")

    def __init__(self, parent, label: int):
        self.parent, self.label = parent, label
        self.children: dict[int, _Prefix] = {}
        self.new = [_LOG_ZERO, _LOG_ZERO, _LOG_ZERO]  # total, blank, label
        self.old = [_LOG_ZERO, _LOG_ZERO, _LOG_ZERO]

    def active(self) -> bool:
        return self.new[0] != _LOG_ZERO

    def child(self, label: int) -> _Prefix:
        node = self.children.get(label)
        if node is None:
            node = self.children[label] = _Prefix(self, label)
        return node

    def labels(self, merge_repeated: bool) -> list[int]:
        out, previous, node = [], -1, self
        while node.parent is not None:
            if not merge_repeated or node.label != previous:
                out.append(node.label)
            previous = node.label
            node = node.parent
        return out[::-1]


def _beam_step(leaves: list, step: np.ndarray, width: int) -> list:
    classes = step.shape[0]
    blank = classes - 1
    shifted = [float(v) for v in step]
    branches = sorted(leaves, key=lambda n: -n.new[0])
    for node in branches:
        node.old = list(node.new)
    leaves = []
    for node in branches:
        if node.parent is not None:
            parent = node.parent
            if parent.active():
                previous = parent.old[1] if node.label == parent.label else parent.old[0]
                node.new[2] = _log_sum_exp(node.new[2], previous)
            node.new[2] += shifted[node.label]
        node.new[1] = node.old[0] + shifted[blank]
        node.new[0] = _log_sum_exp(node.new[1], node.new[2])
        leaves.append(node)

    def candidate(total: float) -> bool:
        return total > _LOG_ZERO and (len(leaves) < width or total > min(n.new[0] for n in leaves))

    for node in branches:
        if not candidate(node.old[0]):
            continue
        for label in range(classes - 1):
            grown = node.child(label)
            if grown.active():
                continue
            previous = node.old[1] if label == node.label else node.old[0]
            grown.new = [shifted[label] + previous, _LOG_ZERO, shifted[label] + previous]
            if candidate(grown.new[0]):
                if len(leaves) == width:
                    bottom = min(leaves, key=lambda n: n.new[0])
                    bottom.new = [_LOG_ZERO, _LOG_ZERO, _LOG_ZERO]
                    leaves.remove(bottom)
                leaves.append(grown)
            else:
                grown.old = [_LOG_ZERO, _LOG_ZERO, _LOG_ZERO]
                grown.new = [_LOG_ZERO, _LOG_ZERO, _LOG_ZERO]
    return leaves


@kernel("CTCBeamSearchDecoder")
def _ctc_beam_search_decoder(node_def, inputs):
    logits, lengths = np.asarray(inputs[0]), np.asarray(inputs[1]).astype(np.int64)
    _check_inputs("CTCBeamSearchDecoder", logits, lengths)
    width = int(get_attr(node_def, "beam_width"))
    top_paths = int(get_attr(node_def, "top_paths"))
    merge = bool(get_attr(node_def, "merge_repeated", True))
    if top_paths > width:
        raise GraphError("CTCBeamSearchDecoder: requested more paths than the beam width.")
    batch = logits.shape[1]
    paths = [[None] * batch for _ in range(top_paths)]
    scores = np.zeros((batch, top_paths), logits.dtype)
    for b in range(batch):
        root = _Prefix(None, -1)
        root.new = [0.0, 0.0, _LOG_ZERO]
        leaves = [root]
        for t in range(int(lengths[b])):
            # TensorFlow scores with the log-softmax of each step's logits, so log_probability
            # is the log-probability of the path (prefix)
            step = logits[t, b].astype(np.float64)
            top = step.max()
            leaves = _beam_step(leaves, step - (top + np.log(np.exp(step - top).sum())), width)
        if top_paths > len(leaves):
            raise GraphError("CTCBeamSearchDecoder: Less leaves in the beam search than requested.")
        best = sorted(leaves, key=lambda n: -n.new[0])[:top_paths]
        for i, node in enumerate(best):
            paths[i][b] = node.labels(merge)
            scores[b, i] = node.new[0]
    parts = [_sparse(p) for p in paths]
    return [*(p[0] for p in parts), *(p[1] for p in parts), *(p[2] for p in parts), scores]


def _sequences(indices, values, shape, what: str) -> dict[tuple, list]:
    indices = np.asarray(indices).reshape(-1, len(shape)) if len(shape) else np.zeros((0, 0), np.int64)
    if len(indices) != len(values):
        raise GraphError(f"EditDistance: {what} has {len(indices)} indices but {len(values)} values")
    groups: dict[tuple, list] = {}
    for row, value in zip(indices.tolist(), list(values)):
        groups.setdefault(tuple(row[:-1]), []).append(value)
    return groups


def _levenshtein(a: list, b: list) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


@kernel("EditDistance")
def _edit_distance(node_def, inputs):
    h_idx, h_val, h_shape, t_idx, t_val, t_shape = (np.asarray(v) for v in inputs)
    h_shape, t_shape = h_shape.astype(np.int64).tolist(), t_shape.astype(np.int64).tolist()
    if len(h_shape) != len(t_shape) or len(h_shape) < 1:
        raise GraphError(f"EditDistance: hypothesis and truth need one rank >= 1; got shapes {h_shape} and "
                         f"{t_shape}")
    out_shape = [max(a, b) for a, b in zip(h_shape[:-1], t_shape[:-1])]
    normalize = bool(get_attr(node_def, "normalize", True))
    hyp = _sequences(h_idx, list(h_val.reshape(-1)), h_shape, "hypothesis")
    truth = _sequences(t_idx, list(t_val.reshape(-1)), t_shape, "truth")
    out = np.zeros(out_shape, np.float32)
    for key in set(hyp) | set(truth):
        h, t = hyp.get(key, []), truth.get(key, [])
        distance = float(_levenshtein(h, t))
        if normalize:
            distance = distance / len(t) if t else (math.inf if h else 0.0)
        out[key] = distance
    return [out]


@shape_fn("CTCGreedyDecoder")
def _ctc_greedy_shape(node_def, shapes, values):
    batch = None if shapes[0] is None or len(shapes[0]) != 3 else shapes[0][1]
    return [(None, 2), (None,), (2,), (batch, 1)]


@shape_fn("CTCBeamSearchDecoder")
def _ctc_beam_shape(node_def, shapes, values):
    batch = None if shapes[0] is None or len(shapes[0]) != 3 else shapes[0][1]
    n = int(get_attr(node_def, "top_paths"))
    return [(None, 2)] * n + [(None,)] * n + [(2,)] * n + [(batch, n)]


@shape_fn("EditDistance")
def _edit_distance_shape(node_def, shapes, values):
    h, t = values[2], values[5]
    if h is None or t is None:
        rank = None if shapes[2] is None or shapes[2][0] is None else shapes[2][0] - 1
        return [None if rank is None else (None,) * rank]
    return [tuple(max(int(a), int(b)) for a, b in zip(np.asarray(h)[:-1], np.asarray(t)[:-1]))]
