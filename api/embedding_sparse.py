"""`tf.nn.embedding_lookup_sparse` and `tf.nn.safe_embedding_lookup_sparse`, as TF 1.x builds them.

Without weights, one table and no max_norm, TensorFlow (2.13 on, what `import tensorflow` 2.21
writes under `disable_v2_behavior`) reads the table directly with a SparseSegmentSum / Mean /
SqrtN node named after the scope; with weights it looks the unique ids up, scales the rows
and sums segments. Both forms are built here node for node.
"""

from __future__ import annotations

from ortflow.api import array_ops, math_ops, sparse_ops
from ortflow.api.ops_builder import apply_op_output, constant, convert_to_tensor, graph_of
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import Tensor
from ortflow.graph.sparse_tensor import SparseTensor
from ortflow.graph.tensor_shape import TensorShape, dimension_value

__all__ = ["embedding_lookup_sparse", "safe_embedding_lookup_sparse"]

_COMBINERS = ("mean", "sqrtn", "sum")


def _one_table(params):
    if isinstance(params, (list, tuple)):
        if len(params) != 1:
            raise NotImplementedError("embedding lookups over several partitions are not supported yet")
        params = params[0]
    return params


def embedding_lookup_sparse(params, sp_ids, sp_weights, partition_strategy="mod", name=None, combiner=None,
                            max_norm=None, allow_fast_lookup=False):
    """One row per row of `sp_ids`: the `combiner` ("mean", "sqrtn" or "sum") of the embeddings of
    its ids, weighted by `sp_weights` when given.

    Raises:
        ValueError: an unknown combiner.
        TypeError: `sp_ids` (or `sp_weights`) is not a SparseTensor.
        NotImplementedError: several partitions, or `max_norm`.
    """
    combiner = "mean" if combiner is None else combiner
    if combiner not in _COMBINERS:
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner}")
    if not isinstance(sp_ids, SparseTensor):
        raise TypeError(f"sp_ids must be SparseTensor, got {type(sp_ids)}")
    if sp_weights is not None and not isinstance(sp_weights, SparseTensor):
        raise TypeError(f"sp_weights must be either None or SparseTensor,got {type(sp_weights)}")
    if max_norm is not None:
        raise NotImplementedError("embedding_lookup_sparse with max_norm is not supported yet")
    params = _one_table(params)
    g = graph_of(params, sp_ids.values)
    with g.as_default(), g.name_scope(name or "embedding_lookup_sparse") as scope:
        segment_ids = sp_ids.indices[:, 0]
        if not isinstance(params, Tensor):
            params = convert_to_tensor(params, name="params")
        if sp_weights is None:
            return _unweighted(params, sp_ids.values, segment_ids, combiner, scope)
        return _weighted(params, sp_ids.values, segment_ids, sp_weights, combiner, scope)


def _unweighted(params, ids, segment_ids, combiner, scope):
    if segment_ids.dtype.base_dtype not in (_dtypes.int32, _dtypes.int64):
        segment_ids = math_ops.cast(segment_ids, _dtypes.int32)
    reduce = {"sum": sparse_ops.segment_sum, "mean": sparse_ops.segment_mean,
              "sqrtn": sparse_ops.segment_sqrt_n}[combiner]
    return reduce(params, ids, segment_ids, name=scope, sparse_gradient=True)


def _weighted(params, ids, segment_ids, sp_weights, combiner, scope):
    from ortflow.api.nn import embedding_lookup
    from ortflow.api.sort_ops import unique

    ids, idx = unique(ids)
    embeddings = embedding_lookup(params, ids, partition_strategy="mod")
    if segment_ids.dtype.base_dtype != _dtypes.int32:
        segment_ids = math_ops.cast(segment_ids, _dtypes.int32)
    weights = sp_weights.values
    embeddings = array_ops.gather(embeddings, idx)
    original_dtype = embeddings.dtype.base_dtype
    if original_dtype in (_dtypes.float16, _dtypes.bfloat16):
        embeddings = math_ops.cast(embeddings, _dtypes.float32)
    if weights.dtype.base_dtype != embeddings.dtype.base_dtype:
        weights = math_ops.cast(weights, embeddings.dtype.base_dtype)
    ones_shape = array_ops.expand_dims(array_ops.rank(embeddings) - 1, 0)
    weights_shape = array_ops.shape(weights)
    ones = array_ops.ones(ones_shape, dtype=weights_shape.dtype)
    bcast_weights_shape = array_ops.concat([weights_shape, ones], 0)
    orig_weights_shape = weights.get_shape()
    weights = array_ops.reshape(weights, bcast_weights_shape)
    if embeddings.get_shape().rank is not None:
        weights.set_shape(orig_weights_shape.concatenate([1] * (embeddings.get_shape().rank - 1)))
    embeddings = embeddings * weights
    if combiner == "sum":
        embeddings = math_ops.segment_sum(embeddings, segment_ids, name=scope)
    else:
        embeddings = math_ops.segment_sum(embeddings, segment_ids)
        if combiner == "mean":
            weight_sum = math_ops.segment_sum(weights, segment_ids)
        else:
            weight_sum = math_ops.sqrt(math_ops.segment_sum(math_ops.pow(weights, 2), segment_ids))
        embeddings = math_ops.div_no_nan(embeddings, weight_sum, name=scope)
    if embeddings.dtype.base_dtype != original_dtype:
        embeddings = math_ops.cast(embeddings, original_dtype)
    return embeddings


def _ones_like_bool(tensor):
    # TF's ones_like(x, dtype=bool): a Fill named "ones_like" whose shape is a Const when x's
    # shape is fully known (api.array_ops.ones_like names it "ones": reported to its owner).
    g = tensor.graph
    with g.as_default(), g.name_scope("ones_like") as scope:
        if tensor.shape.is_fully_defined():
            with g.name_scope("Shape"):
                dims = constant(tensor.shape.as_list(), dtype=_dtypes.int32, name="shape_as_tensor")
        else:
            dims = array_ops.shape(tensor)
        return array_ops.fill(dims, constant(True), name=scope)


def _stack_pair(first: int, second):
    # [first, second] packed as TF's stack() packs a list mixing ints and tensors ("stack/0").
    g = second.graph
    with g.as_default(), g.name_scope("stack") as scope:
        head = constant(first, name="0")
        return apply_op_output("Pack", [[head, second]], {"axis": 0}, name=scope)


def _prune_invalid_ids(sparse_ids, sparse_weights):
    is_id_valid = math_ops.greater_equal(sparse_ids.values, 0)
    if sparse_weights is not None:
        is_id_valid = math_ops.logical_and(
            is_id_valid, _ones_like_bool(sparse_weights.values))
    sparse_ids = sparse_ops.retain(sparse_ids, is_id_valid)
    if sparse_weights is not None:
        sparse_weights = sparse_ops.retain(sparse_weights, is_id_valid)
    return sparse_ids, sparse_weights


def _prune_invalid_weights(sparse_ids, sparse_weights):
    if sparse_weights is not None:
        is_weights_valid = math_ops.greater(sparse_weights.values, 0)
        sparse_ids = sparse_ops.retain(sparse_ids, is_weights_valid)
        sparse_weights = sparse_ops.retain(sparse_weights, is_weights_valid)
    return sparse_ids, sparse_weights


def safe_embedding_lookup_sparse(embedding_weights, sparse_ids, sparse_weights=None, combiner="mean",
                                 default_id=None, name=None, partition_strategy="div", max_norm=None,
                                 allow_fast_lookup=False):
    """`embedding_lookup_sparse` that drops ids < 0 (and weights <= 0 unless summing), gives empty
    rows zeros (or the `default_id` row), and takes ids of any rank >= 2 (the result has the ids'
    leading dimensions).

    Raises:
        ValueError: `embedding_weights` is missing.
    """
    if embedding_weights is None:
        raise ValueError(f"Missing embedding_weights {embedding_weights}.")
    table = _one_table(embedding_weights)
    dtype = sparse_weights.dtype if sparse_weights is not None else None
    if not isinstance(table, Tensor) or (dtype is not None and table.dtype.base_dtype != dtype):
        table = convert_to_tensor(table, dtype=dtype)
    g = graph_of(table, sparse_ids.values)
    with g.as_default(), g.name_scope(name or "embedding_lookup") as scope:
        original_shape = sparse_ids.dense_shape
        rank_dim = dimension_value(sparse_ids.dense_shape.get_shape()[0])
        rank = array_ops.size(original_shape) if rank_dim is None else rank_dim
        sparse_ids = sparse_ops.reshape(sparse_ids, [
            math_ops.reduce_prod(array_ops.slice(original_shape, [0], [rank - 1])),
            array_ops.gather(original_shape, rank - 1)])
        if sparse_weights is not None:
            sparse_weights = SparseTensor(sparse_ids.indices, sparse_weights.values, sparse_ids.dense_shape)
        sparse_ids, sparse_weights = _prune_invalid_ids(sparse_ids, sparse_weights)
        if combiner != "sum":
            sparse_ids, sparse_weights = _prune_invalid_weights(sparse_ids, sparse_weights)
        sparse_ids, is_row_empty = sparse_ops.fill_empty_rows(sparse_ids, default_id or 0)
        if sparse_weights is not None:
            sparse_weights, _ = sparse_ops.fill_empty_rows(sparse_weights, 1.0)
        result = embedding_lookup_sparse(table, sparse_ids, sparse_weights, combiner=combiner,
                                         partition_strategy=partition_strategy,
                                         name=None if default_id is None else scope)
        if default_id is None:
            is_row_empty = array_ops.tile(array_ops.reshape(is_row_empty, [-1, 1]),
                                          _stack_pair(1, array_ops.shape(result)[1]))
            result = array_ops.where(is_row_empty, array_ops.zeros_like(result), result, name=scope)
        final = array_ops.reshape(result, array_ops.concat([
            array_ops.slice(math_ops.cast(original_shape, _dtypes.int32), [0], [rank - 1]),
            array_ops.slice(array_ops.shape(result), [1], [-1])], 0))
        leading = TensorShape(None) if rank_dim is None else TensorShape([None] * (rank_dim - 1))
        final.set_shape(leading.concatenate(result.get_shape()[1:]))
        return final
