"""Numpy kernel and shape function of ParseSequenceExampleV2 (`tf.parse_single_sequence_example`).

A `tf.train.SequenceExample` has `context` features (parsed as a `tf.train.Example`'s) and
`feature_lists`: per key, one Feature per time step. Dense feature lists give [steps, *shape]
values (batches padded to the longest, with their lengths), sparse ones [steps, values]
SparseTensors. Ragged features are not supported.
"""

from __future__ import annotations

import numpy as np
from ortflow.errors import GraphError
from ortflow.formats import dtypes as _dtypes
from ortflow.graph.ops.kernels_extra import _as_bytes, _strings
from ortflow.graph.ops.kernels_parsing import (
    _dense_feature,
    _feature_values,
    _keys,
    _shape_list,
    _sparse_feature,
)
from ortflow.graph.ops.registry import kernel, shape_fn
from ortflow.graph.ops.schema import get_attr

__all__: list[str] = []


def _parse_sequence_examples(serialized: np.ndarray) -> list:
    from ortflow.proto import SequenceExample

    out = []
    for i, blob in enumerate(serialized.reshape(-1)):
        try:
            out.append(SequenceExample.FromString(_as_bytes(blob)))
        except Exception as e:  # protobuf's DecodeError: a corrupt record
            raise GraphError(f"Could not parse example input, value {i}: the bytes are not a "
                             f"serialized tf.train.SequenceExample ({e})") from e
    return out


def _steps(example, key: str, dtype, index: int, required: bool) -> list[np.ndarray] | None:
    lists = example.feature_lists.feature_list
    if key not in lists:
        if required:
            raise GraphError(f"Name: <unknown>, Feature list '{key}' is required but could not be found.  "
                             "Did you mean to include it in feature_list_dense_missing_assumed_empty or "
                             "feature_list_dense_defaults?")
        return []
    return [_feature_values(f, dtype, key, index) for f in lists[key].feature]


def _np_type(dtype):
    return object if dtype == _dtypes.string else dtype.as_numpy_dtype


def _dense_list(examples, key: str, dtype, shape: list[int], assumed_empty: bool,
                scalar: bool) -> tuple[np.ndarray, np.ndarray]:
    row_size = int(np.prod(shape, dtype=np.int64))
    per = []
    for i, ex in enumerate(examples):
        steps = _steps(ex, key, dtype, i, not assumed_empty)
        for t, v in enumerate(steps):
            if len(v) != row_size:
                raise GraphError(f"Name: <unknown>, Key: {key}, Index: {t}.  Number of {dtype.name} values "
                                 f"!= expected.  values size: {len(v)} but output shape: {shape}")
        per.append(steps)
    longest = max((len(s) for s in per), default=0)
    out = np.zeros((len(per), longest, *shape), dtype=_np_type(dtype))
    if dtype == _dtypes.string:
        out[...] = b""
    for b, steps in enumerate(per):
        for t, v in enumerate(steps):
            out[b, t] = np.asarray(v, dtype=out.dtype).reshape(shape)
    lengths = np.array([len(s) for s in per], np.int64)
    return (out[0], lengths[0]) if scalar else (out, lengths)


def _sparse_list(examples, key: str, dtype, scalar: bool) -> list[np.ndarray]:
    per = [_steps(ex, key, dtype, i, False) for i, ex in enumerate(examples)]
    longest = max((len(s) for s in per), default=0)
    width = max((len(v) for steps in per for v in steps), default=0)
    indices, values = [], []
    for b, steps in enumerate(per):
        for t, v in enumerate(steps):
            indices.extend(([t, j] if scalar else [b, t, j]) for j in range(len(v)))
            values.extend(v)
    rank = 2 if scalar else 3
    shape = [longest, width] if scalar else [len(per), longest, width]
    return [np.array(indices, np.int64).reshape(-1, rank), np.array(values, dtype=_np_type(dtype)),
            np.array(shape, np.int64)]


@kernel("ParseSequenceExampleV2")
def _parse_sequence_example_v2(node_def, inputs):
    serialized = _strings(inputs[0])
    if serialized.ndim > 1:
        raise GraphError(f"serialized must be a scalar or a vector, got shape {list(serialized.shape)}")
    if _keys(inputs[4]) or _keys(inputs[7]):
        raise GraphError("ragged features (tf.io.RaggedFeature) are not supported by ortflow's "
                         "ParseSequenceExampleV2 kernel")
    scalar = serialized.ndim == 0
    examples = _parse_sequence_examples(serialized)
    contexts = [ex.context for ex in examples]
    # the context is an Example's `features`: parse it with the Example helpers
    holders = [_ContextHolder(c) for c in contexts]
    c_sparse = [_sparse_feature(holders, k, t, scalar)
                for k, t in zip(_keys(inputs[2]), get_attr(node_def, "context_sparse_types"))]
    c_dense = [_dense_feature(holders, k, t, _shape_list(s), np.asarray(d), scalar)
               for k, t, s, d in zip(_keys(inputs[3]), get_attr(node_def, "Tcontext_dense"),
                                     get_attr(node_def, "context_dense_shapes"), inputs[9:])]
    f_sparse = [_sparse_list(examples, k, t, scalar)
                for k, t in zip(_keys(inputs[5]), get_attr(node_def, "feature_list_sparse_types"))]
    dense_keys = _keys(inputs[6])
    empty_ok = np.asarray(inputs[8], bool).reshape(-1)  # one flag per dense feature list
    if empty_ok.size != len(dense_keys):
        raise GraphError(f"feature_list_dense_missing_assumed_empty has {empty_ok.size} flags for "
                         f"{len(dense_keys)} dense feature lists")
    f_dense = [_dense_list(examples, k, t, _shape_list(s), bool(ok), scalar)
               for k, t, s, ok in zip(dense_keys, get_attr(node_def, "feature_list_dense_types"),
                                      get_attr(node_def, "feature_list_dense_shapes"), empty_ok)]
    return ([s[0] for s in c_sparse] + [s[1] for s in c_sparse] + [s[2] for s in c_sparse] + c_dense
            + [s[0] for s in f_sparse] + [s[1] for s in f_sparse] + [s[2] for s in f_sparse]
            + [d[0] for d in f_dense] + [d[1] for d in f_dense])


class _ContextHolder:
    """Gives a SequenceExample's context the `.features` an Example has."""

    __slots__ = ("features",)

    def __init__(self, context):
        self.features = context


@shape_fn("ParseSequenceExampleV2")
def _parse_sequence_example_shape(node_def, shapes, values):
    batch = None if shapes[0] is None else tuple(shapes[0])
    if batch is not None and len(batch) > 1:
        raise GraphError(f"serialized must be a scalar or a vector, got shape {list(batch)}")

    def lead(*dims):
        return None if batch is None else batch + dims

    n_cs = len(get_attr(node_def, "context_sparse_types"))
    n_fs = len(get_attr(node_def, "feature_list_sparse_types"))
    c_rank = None if batch is None else len(batch) + 1
    f_rank = None if batch is None else len(batch) + 2
    out = [(None, c_rank)] * n_cs + [(None,)] * n_cs + [(c_rank,)] * n_cs
    for shape in get_attr(node_def, "context_dense_shapes"):
        out.append(lead(*(None if d < 0 else d for d in _shape_list(shape))))
    out += [(None, f_rank)] * n_fs + [(None,)] * n_fs + [(f_rank,)] * n_fs
    dense_shapes = get_attr(node_def, "feature_list_dense_shapes")
    for shape in dense_shapes:
        out.append(lead(None, *(None if d < 0 else d for d in _shape_list(shape))))
    out += [lead()] * len(dense_shapes)
    return out
