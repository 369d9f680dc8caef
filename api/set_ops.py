"""`tf.sets`: set operations along the last dimension of dense or sparse tensors.

Each position of the leading dimensions is one set; the results are SparseTensors whose rows
hold the result sets in ascending order (`graph/ops/kernels_sets_random.py` runs them).
"""

from __future__ import annotations

from ortflow.api.ops_builder import apply_op, apply_op_output, convert_to_tensor
from ortflow.formats import dtypes as _dtypes
from ortflow.graph.sparse_tensor import SparseTensor, SparseTensorValue

__all__ = [
    "difference",
    "intersection",
    "set_difference",
    "set_intersection",
    "set_size",
    "set_union",
    "size",
    "union",
]

_SET_DTYPES = (_dtypes.int8, _dtypes.int16, _dtypes.int32, _dtypes.int64, _dtypes.uint8, _dtypes.uint16,
               _dtypes.string)


def _operand(x, name: str):
    if isinstance(x, SparseTensorValue):
        return SparseTensor.from_value(x)
    if isinstance(x, SparseTensor):
        return x
    return convert_to_tensor(x, name=name)


def _operands(a, b):
    # A (sparse, dense) pair is flipped to (dense, sparse), as TensorFlow does; `flipped` says so.
    a, b = _operand(a, "a"), _operand(b, "b")
    if a.dtype.base_dtype not in _SET_DTYPES:
        raise TypeError(f"Unexpected dtype {a.dtype!r} for a set operation.")
    if a.dtype.base_dtype != b.dtype.base_dtype:
        raise TypeError(f"Types don't match, {a.dtype!r} vs {b.dtype!r}.")
    if isinstance(a, SparseTensor) and not isinstance(b, SparseTensor):
        return b, a, True
    return a, b, False


def _set_operation(a, b, operation: str, validate_indices: bool) -> SparseTensor:
    attrs = {"set_operation": operation, "validate_indices": bool(validate_indices)}
    if isinstance(a, SparseTensor):
        op = apply_op("SparseToSparseSetOperation",
                      [a.indices, a.values, a.dense_shape, b.indices, b.values, b.dense_shape], attrs)
    elif isinstance(b, SparseTensor):
        op = apply_op("DenseToSparseSetOperation", [a, b.indices, b.values, b.dense_shape], attrs)
    else:
        op = apply_op("DenseToDenseSetOperation", [a, b], attrs)
    return SparseTensor(op.outputs[0], op.outputs[1], op.outputs[2])


def set_intersection(a, b, validate_indices=True) -> SparseTensor:
    """The values in both `a` and `b`, per set (last dimension), as a SparseTensor.

    Args:
        a: a Tensor or SparseTensor of integers or strings, rank 2 or more.
        b: the same kind of operand, with the same leading dimensions.
        validate_indices: whether sparse indices are checked (kept as the op's attr).
    """
    a, b, _ = _operands(a, b)
    return _set_operation(a, b, "intersection", validate_indices)


def set_union(a, b, validate_indices=True) -> SparseTensor:
    """The values in `a` or `b`, per set (last dimension), as a SparseTensor."""
    a, b, _ = _operands(a, b)
    return _set_operation(a, b, "union", validate_indices)


def set_difference(a, b, aminusb=True, validate_indices=True) -> SparseTensor:
    """The values of `a` not in `b` (or of `b` not in `a` when `aminusb` is False), per set."""
    a, b, flipped = _operands(a, b)
    if flipped:
        aminusb = not aminusb
    return _set_operation(a, b, "a-b" if aminusb else "b-a", validate_indices)


def set_size(a, validate_indices=True):
    """The number of distinct values of each set of the SparseTensor `a` (int32, leading dims' shape)."""
    if isinstance(a, SparseTensorValue):
        a = SparseTensor.from_value(a)
    if not isinstance(a, SparseTensor):
        raise TypeError(f"Expected `SparseTensor`, got {a!r}.")
    if a.values.dtype.base_dtype not in _SET_DTYPES:
        raise TypeError(f"Invalid dtype {a.values.dtype!r}.")
    return apply_op_output("SetSize", [a.indices, a.values, a.dense_shape],
                           {"validate_indices": bool(validate_indices)})


intersection = set_intersection
union = set_union
difference = set_difference
size = set_size
