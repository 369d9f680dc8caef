"""`tf.nn.ctc_greedy_decoder`, `tf.nn.ctc_beam_search_decoder` and `tf.edit_distance`.

The decoders build TensorFlow's `CTCGreedyDecoder` / `CTCBeamSearchDecoder` ops (the blank is
the last class, inputs are time-major logits [max_time, batch, num_classes]) and return the
decoded label sequences as SparseTensors, as TF 1.x does. The beam search runs on ortflow's
numpy interpreter (ONNX has no such op).
"""

from __future__ import annotations

from ortflow.api.ops_builder import apply_op, convert_to_tensor
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import get_default_graph
from ortflow.graph.sparse_tensor import SparseTensor, SparseTensorValue

__all__ = ["ctc_beam_search_decoder", "ctc_greedy_decoder", "edit_distance"]


def ctc_greedy_decoder(inputs, sequence_length, merge_repeated=True, blank_index=None):
    """Best-path CTC decoding: the top class per step, blanks dropped (and repeats merged).

    Args:
        inputs: float logits [max_time, batch, num_classes].
        sequence_length: int32 [batch], steps to decode per entry.
        merge_repeated: merge consecutive equal labels.
        blank_index: the blank class (default: the last one).

    Returns:
        ([decoded SparseTensor of int64 labels], neg_sum_logits [batch, 1]).
    """
    g = get_default_graph()
    with g.name_scope("CTCGreedyDecoder"):
        inputs = convert_to_tensor(inputs, name="inputs")
        sequence_length = convert_to_tensor(sequence_length, dtype=_dtypes.int32, name="sequence_length")
    op = apply_op("CTCGreedyDecoder", [inputs, sequence_length],
                  {"merge_repeated": bool(merge_repeated), "blank_index": -1 if blank_index is None else int(blank_index)},
                  name="CTCGreedyDecoder")
    indices, values, shape, log_probability = op.outputs
    return [SparseTensor(indices, values, shape)], log_probability


def ctc_beam_search_decoder(inputs, sequence_length, beam_width=100, top_paths=1, merge_repeated=True):
    """Prefix beam search CTC decoding (TF 1.x signature, merge_repeated defaults to True).

    Returns:
        (list of `top_paths` SparseTensors of int64 labels, log_probabilities [batch, top_paths]).
    """
    g = get_default_graph()
    with g.name_scope("CTCBeamSearchDecoder"):
        inputs = convert_to_tensor(inputs, name="inputs")
        sequence_length = convert_to_tensor(sequence_length, dtype=_dtypes.int32, name="sequence_length")
    op = apply_op("CTCBeamSearchDecoder", [inputs, sequence_length],
                  {"beam_width": int(beam_width), "top_paths": int(top_paths),
                   "merge_repeated": bool(merge_repeated)}, name="CTCBeamSearchDecoder")
    n = int(top_paths)
    outs = op.outputs
    decoded = [SparseTensor(outs[i], outs[n + i], outs[2 * n + i]) for i in range(n)]
    return decoded, outs[3 * n]


def _sparse(value, name: str) -> SparseTensor:
    if isinstance(value, SparseTensorValue):
        return SparseTensor.from_value(value)
    if not isinstance(value, SparseTensor):
        raise TypeError(f"edit_distance: {name} must be a SparseTensor; got {type(value).__name__}.")
    return value


def edit_distance(hypothesis, truth, normalize=True, name="edit_distance"):
    """Levenshtein distances between the sequences of two SparseTensors (`EditDistance`).

    Sequences are grouped by all but the last index; with `normalize` each distance is divided
    by the truth's length (inf where the truth is empty and the hypothesis is not).

    Returns:
        float32 tensor of the outer dims (the larger of the two shapes').
    """
    hypothesis, truth = _sparse(hypothesis, "hypothesis"), _sparse(truth, "truth")
    return apply_op("EditDistance", [hypothesis.indices, hypothesis.values, hypothesis.dense_shape,
                                     truth.indices, truth.values, truth.dense_shape],
                    {"normalize": bool(normalize)}, name=name).outputs[0]
