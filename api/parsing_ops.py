"""`tf.io.parse_example` and friends, `tf.decode_csv`, `tf.string_split` / `tf.strings.split` (TF 1.x).

The graphs are TensorFlow 2.21's under `disable_v2_behavior`: `parse_example` and
`parse_single_example` write a ParseExampleV2 node, `tf.string_split` the v1 StringSplit op and
`tf.strings.split` StringSplitV2, each with TF's scopes and Const names. The ops run on the
Session's numpy interpreter (`ortflow.graph.ops.kernels_parsing`).
"""

from __future__ import annotations

import collections
import itertools
import re

import numpy as np
from ortflow.api import array_ops
from ortflow.api.ops_builder import apply_op, apply_op_output, constant, convert_to_tensor, graph_of
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import Tensor
from ortflow.graph.sparse_tensor import SparseTensor
from ortflow.graph.tensor_shape import as_shape

__all__ = [
    "FixedLenFeature",
    "FixedLenSequenceFeature",
    "VarLenFeature",
    "decode_csv",
    "parse_example",
    "parse_single_example",
    "string_split",
    "strings_split",
]


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature of any length, parsed into a SparseTensor."""

    __slots__ = ()


class FixedLenFeature(collections.namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"])):
    """A feature of a fixed `shape`, parsed into a dense Tensor; `default_value` fills a missing one."""

    __slots__ = ()

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):
    """A feature holding any number of items of `shape`, padded per batch with `default_value`."""

    __slots__ = ()

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, shape, dtype, allow_missing, default_value)


def _key_name(prefix: str, key: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9_.\-/]", "_", key)


class _ParseParams:
    """The ParseExampleV2 inputs and attrs for a features dict (keys sorted, as TF orders them)."""

    def __init__(self, features: dict):
        if not features:
            raise ValueError(f"Argument `features` cannot be None or falsy. Got {features}")
        self.sparse_keys, self.sparse_types = [], []
        self.dense_keys, self.dense_types, self.dense_shapes, self.defaults = [], [], [], {}
        for key in sorted(features):
            self._add(key, features[key])

    def _add(self, key: str, feature) -> None:
        if isinstance(feature, VarLenFeature):
            self.sparse_keys.append(key)
            self.sparse_types.append(_dtypes.as_dtype(feature.dtype))
            return
        if isinstance(feature, FixedLenSequenceFeature):
            if not feature.allow_missing:
                raise ValueError("Unsupported: FixedLenSequenceFeature requires allow_missing to be True.")
            shape = as_shape([None, *feature.shape])
        elif isinstance(feature, FixedLenFeature):
            if feature.shape is None:
                raise ValueError(f"Missing shape for feature {key}. Received feature={feature}.")
            shape = as_shape(feature.shape)
            if not shape.is_fully_defined():
                raise ValueError(f"All dimensions of shape for feature {key} need to be known but "
                                 f"received {feature.shape!s}.")
        else:  # ValueError, as TensorFlow raises it
            raise ValueError(f"Unsupported {type(feature).__name__} {feature} for key '{key}'")  # noqa: TRY004
        self.dense_keys.append(key)
        self.dense_types.append(_dtypes.as_dtype(feature.dtype))
        self.dense_shapes.append(shape)
        if feature.default_value is not None:
            self.defaults[key] = feature.default_value

    def default_tensors(self) -> list[Tensor]:
        out = []
        for key, shape, dtype in zip(self.dense_keys, self.dense_shapes, self.dense_types):
            value = self.defaults.get(key)
            if shape.rank and shape.dims[0] is None:  # a sequence feature: a scalar padding value
                if value is None:
                    value = convert_to_tensor("" if dtype == _dtypes.string else 0, dtype=dtype)
                else:
                    value = convert_to_tensor(value, dtype=dtype, name=_key_name("padding_", key))
                    value = _reshape_to_scalar(value)
            elif value is None:
                value = constant([], dtype=dtype)
            elif not isinstance(value, Tensor):
                value = convert_to_tensor(value, dtype=dtype, name=_key_name("key_", key))
                value = array_ops.reshape(value, shape.as_list())
            out.append(value)
        return out


def _reshape_to_scalar(value: Tensor) -> Tensor:
    # TF's reshape(x, []) first converts the empty list as a float32 Const named "shape", finds
    # the type wrong and converts it again as int32 ("shape_1"); the first Const stays in the
    # graph unused. Built the same way so that the node names match.
    g = value.graph
    with g.as_default(), g.name_scope("Reshape") as scope:
        constant([], dtype=_dtypes.float32, name="shape")
        shape = constant([], dtype=_dtypes.int32, name="shape")
        return apply_op_output("Reshape", [value, shape], name=scope)


def _strings_const(values: list[str]) -> np.ndarray:
    return np.array([v.encode() for v in values], dtype=object).reshape(len(values))


def _parse_raw(serialized, example_names, params: _ParseParams, name) -> dict:
    g = graph_of(serialized)
    with g.as_default(), g.name_scope(name or "ParseExample"):
        serialized = convert_to_tensor(serialized, name="serialized")
        names = [] if example_names is None else example_names
        defaults = params.default_tensors()
        with g.name_scope(name or "ParseExampleV2") as scope:  # TF names the op as the scope
            args = [serialized,
                    convert_to_tensor(np.array(names, dtype=object).reshape(-1), dtype=_dtypes.string,
                                      name="names"),
                    constant(_strings_const(params.sparse_keys), dtype=_dtypes.string, name="sparse_keys"),
                    constant(_strings_const(params.dense_keys), dtype=_dtypes.string, name="dense_keys"),
                    constant(_strings_const([]), dtype=_dtypes.string, name="ragged_keys"),
                    defaults]
            attrs = {"num_sparse": len(params.sparse_keys), "sparse_types": params.sparse_types,
                     "ragged_value_types": [], "ragged_split_types": [], "dense_shapes": params.dense_shapes,
                     "Tdense": params.dense_types}
            op = apply_op("ParseExampleV2", args, attrs, name=scope)
    n = len(params.sparse_keys)
    outputs = op.outputs
    sparse = [SparseTensor(outputs[i], outputs[n + i], outputs[2 * n + i]) for i in range(n)]
    dense = outputs[3 * n:3 * n + len(params.dense_keys)]
    return dict(zip(params.sparse_keys + params.dense_keys, sparse + list(dense)))


def parse_example(serialized, features, name=None, example_names=None) -> dict:
    """Parses a vector of serialized `tf.train.Example`s into a dict of Tensors and SparseTensors.

    Args:
        serialized: a string vector (or scalar) of serialized Examples.
        features: key -> FixedLenFeature / VarLenFeature / FixedLenSequenceFeature.
        name: the scope name (default "ParseExample").
        example_names: names of the examples for error messages.

    Raises:
        ValueError: an empty `features`, or a feature this parser does not take.
    """
    params = _ParseParams(features)
    return _parse_raw(serialized, example_names, params, name)


def parse_single_example(serialized, features, name=None, example_names=None) -> dict:
    """`parse_example` for one serialized Example (a scalar): no batch dimension in the results.

    Raises:
        ValueError: `features` is empty, or `serialized` is not a scalar.
    """
    if not features:
        raise ValueError("Invalid argument: features cannot be None." if features is None else
                         "Invalid argument: features cannot be empty.")
    g = graph_of(serialized)
    with g.as_default(), g.name_scope(name or "ParseSingleExample"):
        serialized = convert_to_tensor(serialized, name="serialized")
        if serialized.shape.rank not in (None, 0):
            raise ValueError(f"Input serialized must be a scalar, got shape {serialized.shape}")
        return parse_example(serialized, features, None, example_names)


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, name=None, na_value="",
               select_cols=None) -> list[Tensor]:
    """One tensor per column of the CSV `records`; `record_defaults[i]` ([] = required) gives column
    i's type and the value of an empty (or `na_value`) field (`DecodeCSV`).

    Raises:
        ValueError: `select_cols` not strictly increasing, negative, or of the wrong length.
    """
    if select_cols is not None:
        if any(a >= b for a, b in itertools.pairwise(select_cols)):
            raise ValueError("select_cols is not strictly increasing.")
        if select_cols and select_cols[0] < 0:
            raise ValueError("select_cols contains negative values.")
        if len(select_cols) != len(record_defaults):
            raise ValueError("Length of select_cols and record_defaults do not match.")
    attrs = {"field_delim": field_delim, "use_quote_delim": bool(use_quote_delim), "na_value": na_value,
             "select_cols": list(select_cols or [])}
    g = graph_of(records, list(record_defaults))
    with g.as_default(), g.name_scope(name or "DecodeCSV") as scope:
        records = convert_to_tensor(records, dtype=_dtypes.string, name="records")
        defaults = [d if isinstance(d, Tensor) else convert_to_tensor(d, name=f"record_defaults_{i}")
                    for i, d in enumerate(record_defaults)]
        attrs["OUT_TYPE"] = [d.dtype.base_dtype for d in defaults]
        return list(apply_op("DecodeCSV", [records, defaults], attrs, name=scope).outputs)


def _split_result(op) -> SparseTensor:
    indices, values, shape = op.outputs
    return SparseTensor(indices, values, shape)


def string_split(source, sep=None, skip_empty=True, delimiter=None, result_type="SparseTensor",
                 name=None) -> SparseTensor:
    """TF 1.x `tf.string_split`: splits each string of a vector on any byte of `delimiter` (" " by
    default; "" splits into bytes) into a SparseTensor [batch, max tokens] (`StringSplit`).

    Raises:
        NotImplementedError: `result_type="RaggedTensor"` (ortflow has no ragged tensors).
    """
    if result_type != "SparseTensor":
        raise NotImplementedError("string_split with result_type='RaggedTensor' is not supported: "
                                  "ortflow has no ragged tensors.")
    delimiter = sep if delimiter is None else delimiter
    delimiter = " " if delimiter is None else delimiter
    g = graph_of(source)
    with g.as_default(), g.name_scope(name or "StringSplit"):
        delimiter = convert_to_tensor(delimiter, dtype=_dtypes.string)
        source = convert_to_tensor(source, dtype=_dtypes.string)
        return _split_result(apply_op("StringSplit", [source, delimiter], {"skip_empty": bool(skip_empty)},
                                      name="StringSplit"))


def strings_split(input=None, sep=None, maxsplit=-1, result_type="SparseTensor", source=None, name=None):
    """TF 1.x `tf.strings.split`: Python-style `str.split(sep, maxsplit)` of each string of a vector
    (or scalar) into a SparseTensor; no `sep` splits on runs of whitespace (`StringSplitV2`).

    Raises:
        NotImplementedError: inputs of rank > 1 or `result_type="RaggedTensor"` (ortflow has no
            ragged tensors).
    """
    if result_type != "SparseTensor":
        raise NotImplementedError("strings.split with result_type='RaggedTensor' is not supported: "
                                  "ortflow has no ragged tensors.")
    value = source if input is None else input
    g = graph_of(value)
    with g.as_default(), g.name_scope(name or "StringSplit"):
        value = convert_to_tensor(value, dtype=_dtypes.string, name="input")
        if value.shape.rank == 0:
            value = array_ops.expand_dims(value, 0)
        if value.shape.rank not in (1, None):
            raise NotImplementedError("strings.split of a tensor of rank > 1 builds a RaggedTensor, which "
                                      "ortflow does not have.")
        sep = convert_to_tensor("" if sep is None else sep, dtype=_dtypes.string)
        return _split_result(apply_op("StringSplitV2", [value, sep], {"maxsplit": int(maxsplit)},
                                      name="StringSplitV2"))
