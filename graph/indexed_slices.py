"""`IndexedSlices`: some rows of a dense tensor, as a pair of tensors (values, indices).

As in TensorFlow, an IndexedSlices is not a node of the graph: it holds `values` (the rows),
`indices` (which rows of the first dimension they are) and optionally `dense_shape`. Variables'
`scatter_*` methods take one as their `sparse_delta`; `Session.run` fetches it as an
`IndexedSlicesValue` (through `_ortflow_fetch`, the session's hook for composite values).
"""

from __future__ import annotations

import collections

from ortflow.graph.core import Tensor

__all__ = ["IndexedSlices", "IndexedSlicesValue"]


IndexedSlicesValue = collections.namedtuple("IndexedSlicesValue", ["values", "indices", "dense_shape"])
IndexedSlicesValue.__doc__ = "The value of an IndexedSlices as numpy arrays (what `Session.run` returns)."


class IndexedSlices:
    """Rows `indices` of a dense tensor whose values are `values` (TF's `tf.IndexedSlices`).

    Args:
        values: a tensor of the rows, shape `[len(indices)] + dense_shape[1:]`.
        indices: a 1-D integer tensor: which rows of the dense tensor `values` holds.
        dense_shape: the dense tensor's shape as a 1-D integer tensor, or None when unknown.
    """

    def __init__(self, values, indices, dense_shape=None):
        from ortflow.api.ops_builder import convert_to_tensor

        self._values = values if isinstance(values, Tensor) else convert_to_tensor(values)
        self._indices = indices if isinstance(indices, Tensor) else convert_to_tensor(indices)
        if dense_shape is not None and not isinstance(dense_shape, Tensor):
            dense_shape = convert_to_tensor(dense_shape)
        self._dense_shape = dense_shape

    @property
    def values(self) -> Tensor:
        return self._values

    @property
    def indices(self) -> Tensor:
        return self._indices

    @property
    def dense_shape(self) -> Tensor | None:
        return self._dense_shape

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def name(self) -> str:
        return self._values.name

    @property
    def op(self):
        return self._values.op

    @property
    def graph(self):
        return self._values.graph

    @property
    def device(self) -> str:
        return self._values.device

    def _ortflow_fetch(self):
        # Session.run fetches the parts and returns an IndexedSlicesValue, as TF does
        parts = [self._values, self._indices] + ([] if self._dense_shape is None else [self._dense_shape])
        return parts, lambda got: IndexedSlicesValue(got[0], got[1], got[2] if len(got) > 2 else None)

    def __repr__(self) -> str:
        shape = "" if self._dense_shape is None else f", dense_shape={self._dense_shape!r}"
        return f"IndexedSlices(indices={self._indices!r}, values={self._values!r}{shape})"
