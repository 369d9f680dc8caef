"""Unicode decoding and encoding (`tf.strings.unicode_decode` / `unicode_encode` / `unicode_split`).

TensorFlow returns the characters of a vector of strings as a RaggedTensor (one row per string).
`RaggedTensor` here is the small part of TF's class those results need: `values`,
`row_splits`, `row_lengths()`, `to_tensor()`, `to_sparse()`, `dtype` and `shape`, for one ragged
dimension. The ops run on ortflow's numpy kernels (`graph/ops/kernels_ragged_unicode.py`).
"""

from __future__ import annotations

from ortflow.api.ops_builder import apply_op, apply_op_output, constant, convert_to_tensor, graph_of
from ortflow.formats import dtypes as _dtypes
from ortflow.graph.sparse_tensor import SparseTensor
from ortflow.graph.tensor_shape import TensorShape

__all__ = ["RaggedTensor", "RaggedTensorValue", "unicode_decode", "unicode_encode", "unicode_split"]

_ENCODINGS = ("UTF-8", "UTF-16-BE", "UTF-32-BE")
_ERRORS = ("strict", "replace", "ignore")


class RaggedTensor:
    """Rows of different lengths: `values` cut into rows at `row_splits` (one ragged dimension).

    Example:
        >>> rt = tf.strings.unicode_decode(["ab", "c"], "UTF-8")   # doctest: +SKIP
        >>> rt.to_tensor(default_value=-1)                          # doctest: +SKIP
    """

    def __init__(self, values, row_splits):
        self._values = values
        self._row_splits = row_splits

    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True) -> RaggedTensor:
        """A RaggedTensor whose row i is values[row_splits[i]:row_splits[i + 1]]."""
        del name, validate  # no checking ops are built
        values = convert_to_tensor(values, name="values")
        return cls(values, convert_to_tensor(row_splits, dtype=_dtypes.int64, name="row_splits"))

    @property
    def values(self):
        return self._values

    @property
    def flat_values(self):
        return self._values

    @property
    def row_splits(self):
        return self._row_splits

    @property
    def nested_row_splits(self) -> tuple:
        return (self._row_splits,)

    @property
    def ragged_rank(self) -> int:
        return 1

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def graph(self):
        return self._values.graph

    @property
    def shape(self) -> TensorShape:
        splits = self._row_splits.shape
        rows = None if splits.rank is None or splits.dims[0] is None else splits.dims[0] - 1
        inner = [] if self._values.shape.rank is None else self._values.shape.as_list()[1:]
        return TensorShape([rows, None, *inner])

    def get_shape(self) -> TensorShape:
        return self.shape

    def with_flat_values(self, new_values) -> RaggedTensor:
        """The same rows holding `new_values` (as many as `values`)."""
        return RaggedTensor(convert_to_tensor(new_values), self._row_splits)

    def row_lengths(self, axis=1, name=None):
        """The length of each row (int64)."""
        if axis != 1:
            raise ValueError(f"ortflow's RaggedTensor has one ragged axis (1), got axis={axis}")
        g = self.graph
        with g.as_default(), g.name_scope(name or "RaggedRowLengths"):
            from ortflow.api import math_ops

            return math_ops.subtract(self._row_splits[1:], self._row_splits[:-1])

    def nrows(self, out_type=_dtypes.int64, name=None):
        """The number of rows."""
        from ortflow.api import array_ops, math_ops

        g = self.graph
        with g.as_default(), g.name_scope(name or "RaggedNRows"):
            count = array_ops.shape(self._row_splits, out_type=out_type)[0]
            return math_ops.subtract(count, 1)

    def to_tensor(self, default_value=None, name=None, shape=None):
        """A dense [rows, longest row, ...] tensor, short rows padded with `default_value`."""
        g = self.graph
        with g.as_default(), g.name_scope(name or "RaggedToTensor"):
            default = convert_to_tensor("" if self.dtype == _dtypes.string else 0
                                        if default_value is None else default_value,
                                        dtype=self.dtype, name="default_value")
            shape_t = constant(-1 if shape is None else [(-1 if d is None else d) for d in shape],
                               dtype=_dtypes.int64, name="shape")
            attrs = {"row_partition_types": ["ROW_SPLITS"]}
            return apply_op_output("RaggedTensorToTensor",
                                   [shape_t, self._values, default, [self._row_splits]], attrs,
                                   name="RaggedTensorToTensor")

    def to_sparse(self, name=None) -> SparseTensor:
        """The same values as a SparseTensor with indices [row, position, ...]."""
        g = self.graph
        with g.as_default():
            op = apply_op("RaggedTensorToSparse", [[self._row_splits], self._values],
                          name=name or "RaggedToSparse")
        return SparseTensor(op.outputs[0], op.outputs[1], op.outputs[2])

    def _ortflow_fetch(self):
        # Session.run fetches the two tensors and returns a RaggedTensorValue, as TF does
        return [self._values, self._row_splits], lambda got: RaggedTensorValue(got[0], got[1])

    def __repr__(self) -> str:
        return f"tf.RaggedTensor(values={self._values!r}, row_splits={self._row_splits!r})"


class RaggedTensorValue:
    """A fetched RaggedTensor: numpy `values` cut into rows at `row_splits`."""

    def __init__(self, values, row_splits):
        self.values = values
        self.row_splits = row_splits

    @property
    def flat_values(self):
        return self.values

    @property
    def nested_row_splits(self) -> tuple:
        return (self.row_splits,)

    @property
    def ragged_rank(self) -> int:
        return 1

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def shape(self) -> tuple:
        return (len(self.row_splits) - 1, None, *self.values.shape[1:])

    def to_list(self) -> list:
        """The rows as Python lists."""
        rows = self.values.tolist()
        return [rows[a:b] for a, b in zip(self.row_splits[:-1].tolist(), self.row_splits[1:].tolist())]

    def __repr__(self) -> str:
        return f"tf.RaggedTensorValue(values={self.values!r}, row_splits={self.row_splits!r})"


def _check(encoding: str, errors: str, what: str) -> None:
    if encoding not in _ENCODINGS:
        raise ValueError(f"{what} must be one of {', '.join(_ENCODINGS)} here, got {encoding!r}")
    if errors not in _ERRORS:
        raise ValueError(f"errors must be one of {', '.join(_ERRORS)}, got {errors!r}")


def unicode_decode(input, input_encoding, errors="replace", replacement_char=65533,
                   replace_control_characters=False, name=None):
    """The code points of each string: a RaggedTensor [strings, (characters)] of int32.

    A scalar string gives a vector. Inputs of rank 2 or more are not supported (TensorFlow gives
    a RaggedTensor with more ragged dimensions there).
    """
    _check(input_encoding, errors, "input_encoding")
    g = graph_of(input)
    with g.as_default(), g.name_scope(name or "UnicodeDecode"):
        text = convert_to_tensor(input, dtype=_dtypes.string, name="input")
        rank = text.shape.rank
        if rank is None or rank > 1:
            raise NotImplementedError(f"unicode_decode of a string tensor of shape {text.shape}: ortflow "
                                      "decodes scalars and vectors only")
        attrs = {"input_encoding": input_encoding, "errors": errors, "replacement_char": int(replacement_char),
                 "replace_control_characters": bool(replace_control_characters), "Tsplits": _dtypes.int64}
        op = apply_op("UnicodeDecode", [text], attrs, name="UnicodeDecode")
        splits, codes = op.outputs
        return codes if rank == 0 else RaggedTensor(codes, splits)


def unicode_split(input, input_encoding, errors="replace", replacement_char=65533, name=None):
    """Each string's characters as one-character strings: a RaggedTensor [strings, (characters)]."""
    from ortflow.api import array_ops, math_ops

    g = graph_of(input)
    with g.as_default(), g.name_scope(name or "UnicodeSplit"):
        codes = unicode_decode(input, input_encoding, errors, replacement_char)
        values = codes.values if isinstance(codes, RaggedTensor) else codes
        count = array_ops.size(values, out_type=_dtypes.int64)
        each = array_ops.range(math_ops.add(count, 1), dtype=_dtypes.int64)
        chars = apply_op_output("UnicodeEncode", [values, each],
                                {"output_encoding": input_encoding, "errors": errors,
                                 "replacement_char": int(replacement_char)}, name="UnicodeEncode")
        return codes.with_flat_values(chars) if isinstance(codes, RaggedTensor) else chars


def unicode_encode(input, output_encoding, errors="replace", replacement_char=65533, name=None):
    """Strings from int32 code points: one per row of a RaggedTensor, or per innermost vector."""
    from ortflow.api import array_ops, math_ops

    _check(output_encoding, errors, "output_encoding")
    attrs = {"output_encoding": output_encoding, "errors": errors, "replacement_char": int(replacement_char)}
    g = graph_of(input.values if isinstance(input, RaggedTensor) else input)
    with g.as_default(), g.name_scope(name or "UnicodeEncode"):
        if isinstance(input, RaggedTensor):
            if input.values.shape.rank != 1:
                raise NotImplementedError("unicode_encode of a RaggedTensor with multi-dimensional "
                                          "values is not supported by ortflow")
            return apply_op_output("UnicodeEncode", [input.values, input.row_splits], attrs,
                                   name="UnicodeEncode")
        codes = convert_to_tensor(input, dtype=_dtypes.int32, name="input")
        rank = codes.shape.rank
        if rank is None or rank == 0:
            raise ValueError(f"unicode_encode needs code points of known rank 1 or more, got {codes.shape}")
        shape = array_ops.shape(codes, out_type=_dtypes.int64)
        width = shape[-1]
        flat = array_ops.reshape(codes, [-1])
        total = array_ops.size(flat, out_type=_dtypes.int64)
        splits = array_ops.range(0, math_ops.add(total, 1), math_ops.maximum(width, 1), dtype=_dtypes.int64)
        if rank == 1:
            splits = array_ops.stack([constant(0, dtype=_dtypes.int64), total])
        text = apply_op_output("UnicodeEncode", [flat, splits], attrs, name="UnicodeEncode")
        return array_ops.reshape(text, shape[:-1])
