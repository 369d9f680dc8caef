"""`SparseTensor`: a sparse value in a graph as three dense tensors (indices, values, dense_shape).

As in TensorFlow, a SparseTensor is not a node of the graph: it is a Python object holding the
three tensors that ops such as SparseToDense or SparseReduceSum read. `Session.run` fetches it
as a `SparseTensorValue` and accepts it as a feed_dict key (see `ortflow.runtime.session`).
"""

from __future__ import annotations

import collections

import numpy as np
from ortflow.formats import dtypes as _dtypes
from ortflow.graph.core import Tensor, _const_value, _session_or_default
from ortflow.graph.tensor_shape import TensorShape, as_shape, dimension_at_index, dimension_value

__all__ = ["SparseTensor", "SparseTensorValue", "is_sparse", "sparse_feed_parts", "sparse_from_tensor_info",
           "sparse_tensor_info"]


SparseTensorValue = collections.namedtuple("SparseTensorValue", ["indices", "values", "dense_shape"])
SparseTensorValue.__doc__ = "The value of a SparseTensor as numpy arrays (what `Session.run` returns)."


def _to_tensor(value, dtype, name: str) -> Tensor:
    # Python values become Const nodes named as TF names them (`SparseTensor/indices`); the
    # builder that does so lives in the API layer above, imported here only when needed.
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype.base_dtype != dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor with dtype "
                             f"{value.dtype.base_dtype.name}: {value!r}")
        return value
    from ortflow.api.ops_builder import convert_to_tensor

    return convert_to_tensor(value, dtype=dtype, name=name)


def _shape_from_dense_shape(dense_shape: Tensor) -> TensorShape:
    """The static dense shape a `dense_shape` tensor tells (TF's `constant_value_as_shape`)."""
    value = _const_value(dense_shape)
    if value is not None:
        return TensorShape([None if d < 0 else int(d) for d in np.asarray(value).reshape(-1)])
    op = dense_shape.op
    if op.type == "PlaceholderWithDefault":
        default = _const_value(op.inputs[0])
        if default is not None:
            return TensorShape([None if d < 0 else int(d) for d in np.asarray(default).reshape(-1)])
    rank = dimension_value(dimension_at_index(dense_shape.shape.with_rank(1), 0))
    return TensorShape(None) if rank is None else TensorShape([None] * int(rank))


class SparseTensor:
    """A sparse tensor of a graph: `indices` (int64 [N, rank]), `values` ([N]), `dense_shape`.

    Example:
        >>> st = SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[3, 4])
        >>> st.indices.name, st.dense_shape.name               # doctest: +SKIP
        ('SparseTensor/indices:0', 'SparseTensor/dense_shape:0')

    Raises:
        ValueError: the three parts have incompatible static shapes.
    """

    __slots__ = ("_dense_shape", "_dense_shape_default", "_indices", "_values")

    def __init__(self, indices, values, dense_shape):
        graph = next((t.graph for t in (indices, values, dense_shape) if isinstance(t, Tensor)), None)
        if graph is None:
            from ortflow.graph.core import get_default_graph

            graph = get_default_graph()
        with graph.as_default(), graph.name_scope("SparseTensor"):
            indices = _to_tensor(indices, _dtypes.int64, "indices")
            values = _to_tensor(values, None, "values")
            dense_shape = _to_tensor(dense_shape, _dtypes.int64, "dense_shape")
        self._indices, self._values, self._dense_shape = indices, values, dense_shape
        self._dense_shape_default = _shape_from_dense_shape(dense_shape)
        indices_shape = indices.shape.with_rank(2)
        values_shape = values.shape.with_rank(1)
        shape_shape = dense_shape.shape.with_rank(1)
        dimension_at_index(indices_shape, 0).assert_is_compatible_with(dimension_at_index(values_shape, 0))
        dimension_at_index(indices_shape, 1).assert_is_compatible_with(dimension_at_index(shape_shape, 0))

    @classmethod
    def from_value(cls, value) -> SparseTensor:
        """A SparseTensor from a SparseTensorValue (Const nodes) or a SparseTensor (itself)."""
        if isinstance(value, SparseTensor):
            return value
        if not isinstance(value, SparseTensorValue):
            raise TypeError(f"Argument sparse_tensor_value={value!r} is neither a SparseTensor nor "
                            "SparseTensorValue.")
        return cls(value.indices, value.values, value.dense_shape)

    @property
    def indices(self) -> Tensor:
        return self._indices

    @property
    def values(self) -> Tensor:
        return self._values

    @property
    def dense_shape(self) -> Tensor:
        return self._dense_shape

    @property
    def dtype(self) -> _dtypes.DType:
        return self._values.dtype

    @property
    def graph(self):
        return self._values.graph

    @property
    def op(self):
        return self._values.op

    @property
    def shape(self) -> TensorShape:
        """The static dense shape (what the `dense_shape` tensor is known to hold)."""
        return self._dense_shape_default

    def get_shape(self) -> TensorShape:
        return self._dense_shape_default

    def set_shape(self, shape) -> None:
        """Refines the static dense shape.

        Raises:
            ValueError: `shape` is not compatible with what is known.
        """
        self._dense_shape_default = self._dense_shape_default.merge_with(as_shape(shape))

    def consumers(self) -> list:
        ops = []
        for t in (self._indices, self._values, self._dense_shape):
            ops += [op for op in t.consumers() if op not in ops]
        return ops

    def eval(self, feed_dict=None, session=None) -> SparseTensorValue:
        """The value in the default (or given) session, as a SparseTensorValue."""
        return _session_or_default(session, self._values).run(self, feed_dict=feed_dict)

    def __mul__(self, other) -> SparseTensor:
        """Element-wise product with a dense tensor broadcast to this shape (SparseDenseCwiseMul)."""
        from ortflow.api.sparse_ops import sparse_dense_binary  # the op builder lives in the API layer

        return sparse_dense_binary("mul", self, other)

    def __truediv__(self, other) -> SparseTensor:
        """Element-wise quotient by a dense tensor broadcast to this shape (SparseDenseCwiseDiv)."""
        from ortflow.api.sparse_ops import sparse_dense_binary

        return sparse_dense_binary("truediv", self, other)

    def _ortflow_fetch(self):
        # Session.run fetches the three tensors and returns a SparseTensorValue, as TF does
        return [self.indices, self.values, self.dense_shape], lambda got: SparseTensorValue(*got)

    def __repr__(self) -> str:
        return (f"SparseTensor(indices={self._indices!r}, values={self._values!r}, "
                f"dense_shape={self._dense_shape!r})")


def is_sparse(x) -> bool:
    """True for a SparseTensor or a SparseTensorValue."""
    return isinstance(x, (SparseTensor, SparseTensorValue))


def sparse_feed_parts(key: SparseTensor, value) -> list[tuple]:
    """The three (tensor, array) feeds that feeding `value` to the SparseTensor `key` means.

    `value` is a SparseTensorValue or an (indices, values, dense_shape) tuple, as TF takes (a
    pair feeds indices and values only, leaving the dense shape to the graph).

    Raises:
        TypeError: `value` is neither.
    """
    if isinstance(value, SparseTensor):
        raise TypeError(f"The value of a feed cannot be a tf.SparseTensor object: {value!r}. "
                        "Feed a SparseTensorValue or an (indices, values, dense_shape) tuple.")
    if not isinstance(value, (tuple, list)) or len(value) not in (2, 3):
        raise TypeError(f"The feed for SparseTensor {key.values.name!r} must be a SparseTensorValue "
                        f"or a tuple (indices, values, dense_shape), got {value!r}.")
    return list(zip((key.indices, key.values, key.dense_shape), value))


def sparse_tensor_info(sparse: SparseTensor):
    """The TensorInfo a SavedModel signature holds for a SparseTensor (its `coo_sparse` encoding).

    What `tf.saved_model.build_tensor_info` writes for a SparseTensor: the three tensor names,
    the values' dtype and the static dense shape.
    """
    from ortflow.proto import TensorInfo

    info = TensorInfo(dtype=sparse.dtype.base_dtype.as_datatype_enum)
    info.tensor_shape.CopyFrom(sparse.get_shape().as_proto())
    info.coo_sparse.values_tensor_name = sparse.values.name
    info.coo_sparse.indices_tensor_name = sparse.indices.name
    info.coo_sparse.dense_shape_tensor_name = sparse.dense_shape.name
    return info


def sparse_from_tensor_info(info, graph, import_scope: str | None = None) -> SparseTensor:
    """The SparseTensor a `coo_sparse` TensorInfo names in `graph` (`get_tensor_from_tensor_info`).

    Raises:
        ValueError: `info` does not hold the coo_sparse encoding.
        KeyError: the graph lacks one of the three tensors.
    """
    if info.WhichOneof("encoding") != "coo_sparse":
        raise ValueError(f"TensorInfo {info.name!r} is not a coo_sparse TensorInfo.")

    def tensor(name: str) -> Tensor:
        return graph.get_tensor_by_name(f"{import_scope}/{name}" if import_scope else name)

    coo = info.coo_sparse
    return SparseTensor(tensor(coo.indices_tensor_name), tensor(coo.values_tensor_name),
                        tensor(coo.dense_shape_tensor_name))
