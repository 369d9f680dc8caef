"""`tf.io.parse_single_sequence_example` / `parse_sequence_example` (ParseSequenceExampleV2)."""

from __future__ import annotations

import numpy as np
from ortflow.api.ops_builder import apply_op, constant, convert_to_tensor, graph_of
from ortflow.api.parsing_ops import FixedLenFeature, FixedLenSequenceFeature, VarLenFeature, _ParseParams
from ortflow.formats import dtypes as _dtypes
from ortflow.graph.sparse_tensor import SparseTensor
from ortflow.graph.tensor_shape import as_shape

__all__ = ["parse_sequence_example", "parse_single_sequence_example"]


def _strings(values: list[str], name: str):
    array = np.array([v.encode() for v in values], dtype=object).reshape(len(values))
    return constant(array, dtype=_dtypes.string, name=name)


class _SequenceParams:
    """The feature-list keys, types and shapes of `sequence_features` (keys sorted, as TF)."""

    def __init__(self, features: dict):
        self.sparse_keys, self.sparse_types = [], []
        self.dense_keys, self.dense_types, self.dense_shapes, self.missing_ok = [], [], [], []
        for key in sorted(features):
            feature = features[key]
            if isinstance(feature, VarLenFeature):
                self.sparse_keys.append(key)
                self.sparse_types.append(_dtypes.as_dtype(feature.dtype))
            elif isinstance(feature, (FixedLenSequenceFeature, FixedLenFeature)):
                if feature.default_value is not None:
                    raise ValueError(f"Feature list {key!r}: a default_value is not supported for "
                                     "sequence features (ortflow builds ParseSequenceExampleV2)")
                self.dense_keys.append(key)
                self.dense_types.append(_dtypes.as_dtype(feature.dtype))
                self.dense_shapes.append(as_shape(feature.shape))
                if getattr(feature, "allow_missing", False):
                    self.missing_ok.append(key)
            else:  # ValueError, as TensorFlow raises it
                raise ValueError(f"Unsupported {type(feature).__name__} {feature} for key '{key}'")  # noqa: TRY004


def parse_single_sequence_example(serialized, context_features=None, sequence_features=None,
                                  example_name=None, name=None):
    """Parses one serialized `tf.train.SequenceExample` (a string scalar).

    Args:
        serialized: the serialized proto, a scalar string tensor.
        context_features: key -> FixedLenFeature / VarLenFeature, parsed from the context.
        sequence_features: key -> FixedLenSequenceFeature / FixedLenFeature (dense, [steps, *shape])
            or VarLenFeature (a [steps, values] SparseTensor), parsed from the feature lists.
        example_name: a name for error messages (unused by the kernel).
        name: the scope name (default "ParseSingleSequenceExample").

    Returns:
        (context dict, feature-list dict) of Tensors and SparseTensors.

    Raises:
        ValueError: both feature dicts are empty, or a feature kind the parser does not take.
    """
    context, lists, _ = _parse(serialized, context_features, sequence_features, example_name,
                               name or "ParseSingleSequenceExample", single=True)
    return context, lists


def parse_sequence_example(serialized, context_features=None, sequence_features=None, example_names=None,
                           name=None):
    """Parses a vector of serialized `tf.train.SequenceExample`s.

    Dense feature lists come back as [batch, longest, *shape], shorter ones padded (zeros, or empty
    strings), with their lengths in the third dict.

    Returns:
        (context dict, feature-list dict, feature-list lengths dict).

    Raises:
        ValueError: both feature dicts are empty, or a feature kind the parser does not take.
    """
    return _parse(serialized, context_features, sequence_features, example_names,
                  name or "ParseSequenceExample", single=False)


def _parse(serialized, context_features, sequence_features, names, scope_name: str, single: bool):
    context_features = dict(context_features or {})
    sequence_features = dict(sequence_features or {})
    if not context_features and not sequence_features:
        raise ValueError("Both context_features and sequence_features are None, but at least one "
                         "should have values.")
    context = _ParseParams(context_features) if context_features else None
    seq = _SequenceParams(sequence_features)
    g = graph_of(serialized)
    with g.as_default(), g.name_scope(scope_name):
        serialized = convert_to_tensor(serialized, dtype=_dtypes.string, name="serialized")
        want = 0 if single else 1
        if serialized.shape.rank not in (None, want):
            raise ValueError(f"Input serialized must be a {'scalar' if single else 'vector'}, got shape "
                             f"{serialized.shape}")
        if single:
            debug = convert_to_tensor(names or "", dtype=_dtypes.string, name="debug_name")
        else:
            debug = convert_to_tensor(np.array(list(names or []), dtype=object).reshape(-1),
                                      dtype=_dtypes.string, name="debug_name")
        with g.name_scope("ParseSequenceExample"):
            defaults = context.default_tensors() if context else []
            with g.name_scope("ParseSequenceExampleV2") as scope:
                args = [serialized, debug,
                        _strings(context.sparse_keys if context else [], "context_sparse_keys"),
                        _strings(context.dense_keys if context else [], "context_dense_keys"),
                        _strings([], "context_ragged_keys"),
                        _strings(seq.sparse_keys, "feature_list_sparse_keys"),
                        _strings(seq.dense_keys, "feature_list_dense_keys"),
                        _strings([], "feature_list_ragged_keys"),
                        constant(np.array([k in seq.missing_ok for k in seq.dense_keys], dtype=bool),
                                 dtype=_dtypes.bool, name="feature_list_dense_missing_assumed_empty"),
                        defaults]
                attrs = {
                    "context_sparse_types": context.sparse_types if context else [],
                    "Tcontext_dense": context.dense_types if context else [],
                    "context_dense_shapes": context.dense_shapes if context else [],
                    "context_ragged_value_types": [], "context_ragged_split_types": [],
                    "Ncontext_sparse": len(context.sparse_keys) if context else 0,
                    "feature_list_sparse_types": seq.sparse_types,
                    "feature_list_dense_types": seq.dense_types,
                    "feature_list_dense_shapes": seq.dense_shapes,
                    "feature_list_ragged_value_types": [], "feature_list_ragged_split_types": [],
                    "Nfeature_list_sparse": len(seq.sparse_keys), "Nfeature_list_dense": len(seq.dense_keys),
                }
                op = apply_op("ParseSequenceExampleV2", args, attrs, name=scope)
    return _results(list(op.outputs), context, seq)


def _results(outs: list, context, seq) -> tuple[dict, dict, dict]:
    n_cs = len(context.sparse_keys) if context else 0
    n_cd = len(context.dense_keys) if context else 0
    ctx = {}
    for i in range(n_cs):
        ctx[context.sparse_keys[i]] = SparseTensor(outs[i], outs[n_cs + i], outs[2 * n_cs + i])
    for i in range(n_cd):
        ctx[context.dense_keys[i]] = outs[3 * n_cs + i]
    base = 3 * n_cs + n_cd
    n_fs, n_fd = len(seq.sparse_keys), len(seq.dense_keys)
    lists = {}
    for i in range(n_fs):
        lists[seq.sparse_keys[i]] = SparseTensor(outs[base + i], outs[base + n_fs + i], outs[base + 2 * n_fs + i])
    dense_base = base + 3 * n_fs
    lengths = {}
    for i in range(n_fd):
        lists[seq.dense_keys[i]] = outs[dense_base + i]
        lengths[seq.dense_keys[i]] = outs[dense_base + n_fd + i]
    return ctx, lists, lengths
