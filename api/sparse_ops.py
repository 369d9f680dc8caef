"""`tf.sparse` and the TF 1.x top-level sparse functions: SparseTensor, sparse_placeholder, to_dense, ...

Each function builds the nodes (op types, names and Const children) TensorFlow 1.x builds for
it. The ops run on the Session's numpy interpreter (kernels in `ortflow.graph.ops.kernels_sparse`)
or, where ONNX has a form, on onnxruntime (`ortflow.converters.sparse`).
"""

from __future__ import annotations

import numpy as np
from ortflow.api import array_ops
from ortflow.api.ops_builder import (
    apply_op,
    apply_op_output,
    constant,
    convert_to_tensor,
    graph_of,
    placeholder_with_default,
)
from ortflow.api.ops_builder import placeholder as _dense_placeholder
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import Tensor
from ortflow.graph.sparse_tensor import SparseTensor, SparseTensorValue, is_sparse
from ortflow.graph.tensor_shape import TensorShape, dimension_value

__all__ = [
    "SparseTensor",
    "SparseTensorValue",
    "add",
    "concat",
    "fill_empty_rows",
    "from_dense",
    "placeholder",
    "reduce_max",
    "reduce_sum",
    "reorder",
    "reshape",
    "retain",
    "segment_mean",
    "segment_sqrt_n",
    "segment_sum",
    "slice",
    "sparse_dense_matmul",
    "sparse_placeholder",
    "to_dense",
    "transpose",
]


def _as_sparse(sp_input) -> SparseTensor:
    if isinstance(sp_input, SparseTensorValue):
        return SparseTensor.from_value(sp_input)
    if not isinstance(sp_input, SparseTensor):
        raise TypeError("Input must be a SparseTensor.")
    return sp_input


def sparse_placeholder(dtype, shape=None, name=None) -> SparseTensor:
    """Three placeholders (values, indices, and a dense shape) fed together as a SparseTensor.

    With `shape` given, the dense shape is a PlaceholderWithDefault holding it (-1 or None for
    an unknown size), as TF 1.x builds it.
    """
    dtype = _dtypes.as_dtype(dtype)
    shape_name = None if name is None else f"{name}/shape"
    if shape is None:
        rank = None
        dense_shape = _dense_placeholder(_dtypes.int64, [None], name=shape_name)
        static = TensorShape(None)
    else:
        if hasattr(shape, "op"):  # a Tensor
            raise NotImplementedError("sparse_placeholder with a Tensor shape is not supported yet; "
                                      "give a list of ints (-1 or None for unknown sizes).")
        dims = [dimension_value(d) for d in shape]
        rank = len(dims)
        static = TensorShape([None if d is None or d == -1 else d for d in dims])
        default = convert_to_tensor([-1 if d is None else d for d in dims], dtype=_dtypes.int64,
                                    name=None if name is None else f"{name}/shape_default")
        dense_shape = placeholder_with_default(default, [rank], name=shape_name)
    values = _dense_placeholder(dtype, [None], name=None if name is None else f"{name}/values")
    indices = _dense_placeholder(_dtypes.int64, [None, rank], name=None if name is None else f"{name}/indices")
    result = SparseTensor(indices, values, dense_shape)
    result.set_shape(static)
    return result


def to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """The dense tensor of `sp_input`, `default_value` (0) where it holds no entry (`SparseToDense`)."""
    sp_input = _as_sparse(sp_input)
    if default_value is None:
        default_value = array_ops.zeros([], dtype=sp_input.dtype)
    return apply_op_output("SparseToDense", [sp_input.indices, sp_input.dense_shape, sp_input.values,
                                             default_value], {"validate_indices": bool(validate_indices)},
                           name=name or "SparseToDense")


sparse_tensor_to_dense = to_dense


def sparse_to_dense(sparse_indices, output_shape, sparse_values, default_value=0, validate_indices=True,
                    name=None):
    """A dense tensor of `output_shape` with `sparse_values` at `sparse_indices` (`SparseToDense`)."""
    return apply_op_output("SparseToDense", [sparse_indices, output_shape, sparse_values, default_value],
                           {"validate_indices": bool(validate_indices)}, name=name or "SparseToDense")


def _sparse_reduce(op_type: str, sp_input, axis, keepdims, reduction_axes, keep_dims):
    # SparseReduceSum / SparseReduceMax: no axis means all axes (a constant range when the rank
    # is known, else range(size(dense_shape))); the result is dense.
    sp_input = _as_sparse(sp_input)
    axis = reduction_axes if axis is None else axis
    keep = bool(keep_dims if keepdims is None else keepdims)
    if axis is None:
        rank = sp_input.shape.rank
        if rank:
            axis = constant(np.arange(rank, dtype=np.int32))
        else:
            axis = array_ops.range(0, array_ops.size(sp_input.dense_shape))
    return apply_op_output(op_type, [sp_input.indices, sp_input.values, sp_input.dense_shape, axis],
                           {"keep_dims": keep}, name=op_type)


def reduce_sum(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None):
    """Sum of the entries along `axis` (all axes when None), as a dense tensor (`SparseReduceSum`)."""
    return _sparse_reduce("SparseReduceSum", sp_input, axis, keepdims, reduction_axes, keep_dims)


def reduce_max(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None):
    """Max of the present entries along `axis` (all axes when None), dense (`SparseReduceMax`).

    Implicit zeros do not take part; an output position with no entries holds the dtype's lowest
    value, as in TensorFlow.
    """
    return _sparse_reduce("SparseReduceMax", sp_input, axis, keepdims, reduction_axes, keep_dims)


def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """`sp_a` @ `b` for a SparseTensor `sp_a` and a dense matrix `b` (`SparseTensorDenseMatMul`)."""
    if is_sparse(b):
        if adjoint_a != adjoint_b:
            return array_ops.transpose(sparse_dense_matmul(b, sp_a, adjoint_a, adjoint_b))
        return array_ops.transpose(sparse_dense_matmul(b, sp_a, not adjoint_a, not adjoint_b))
    sp_a = _as_sparse(sp_a)
    g = graph_of(sp_a.values, b)
    with g.as_default(), g.name_scope(name or "SparseTensorDenseMatMul"):
        b = convert_to_tensor(b, name="b")
        return apply_op_output("SparseTensorDenseMatMul", [sp_a.indices, sp_a.values, sp_a.dense_shape, b],
                               {"adjoint_a": bool(adjoint_a), "adjoint_b": bool(adjoint_b)},
                               name="SparseTensorDenseMatMul")


sparse_tensor_dense_matmul = sparse_dense_matmul
matmul = sparse_dense_matmul


def add(a, b, threshold=None, thresh=None):
    """`a + b` where at least one is sparse: a SparseTensor when both are (`SparseAdd`, sums with
    magnitude below `threshold` dropped), else a dense Tensor (`SparseTensorDenseAdd`)."""
    threshold = thresh if threshold is None else threshold
    threshold = 0 if threshold is None else threshold
    if not (is_sparse(a) or is_sparse(b)):
        raise TypeError("At least one input should be SparseTensor; do you mean to use tf.add()?")
    if is_sparse(a) and is_sparse(b):
        a, b = _as_sparse(a), _as_sparse(b)
        threshold = convert_to_tensor(threshold, dtype=a.values.dtype.real_dtype.base_dtype,
                                      name="threshold")
        op = apply_op("SparseAdd", [a.indices, a.values, a.dense_shape, b.indices, b.values, b.dense_shape,
                                    threshold], name="SparseAdd")
        a.get_shape().assert_is_compatible_with(b.get_shape())
        static = a.get_shape().merge_with(b.get_shape())
        dense_shape = static.as_list() if static.is_fully_defined() else op.outputs[2]
        return SparseTensor(op.outputs[0], op.outputs[1], dense_shape)
    if is_sparse(b):
        a, b = b, a
    a = _as_sparse(a)
    return apply_op_output("SparseTensorDenseAdd", [a.indices, a.values, a.dense_shape, b],
                           name="SparseTensorDenseAdd")


sparse_add = add


def reorder(sp_input, name=None) -> SparseTensor:
    """The same SparseTensor with its entries in row-major order (`SparseReorder`)."""
    sp_input = _as_sparse(sp_input)
    op = apply_op("SparseReorder", [sp_input.indices, sp_input.values, sp_input.dense_shape],
                  name=name or "SparseReorder")
    if sp_input.get_shape().is_fully_defined():
        return SparseTensor(op.outputs[0], op.outputs[1], sp_input.get_shape().as_list())
    result = SparseTensor(op.outputs[0], op.outputs[1], array_ops.identity(sp_input.dense_shape))
    result.set_shape(sp_input.shape)
    return result


sparse_reorder = reorder


def _static_reshape(in_shape: TensorShape, shape_tensor) -> list | None:
    # The new dense shape when the input's is fully known and the target is a constant with at
    # most one -1 (TF then writes it as a Const); None to use the op's output.
    from ortflow.graph.core import _const_value

    target = _const_value(shape_tensor)
    if target is None and shape_tensor.op.type == "Cast":
        target = _const_value(shape_tensor.op.inputs[0])
    if target is None or not in_shape.is_fully_defined():
        return None
    target = [int(d) for d in np.asarray(target).reshape(-1)]
    if sum(d == -1 for d in target) > 1:
        raise ValueError(f"At most one dimension can be inferred (-1). Found: {target}")
    size = int(np.prod(in_shape.as_list(), dtype=np.int64))
    if -1 in target and 0 not in target:
        rest = int(np.prod([d for d in target if d != -1], dtype=np.int64))
        target[target.index(-1)] = size // rest if rest else 0
    elif -1 in target:
        return None
    if int(np.prod(target, dtype=np.int64)) != size:
        raise ValueError(f"Cannot reshape a tensor with {size} elements to shape {target} "
                         f"({int(np.prod(target))} elements).")
    return target


def reshape(sp_input, shape, name=None) -> SparseTensor:
    """The SparseTensor with a new dense shape (one size may be -1) (`SparseReshape`).

    Raises:
        ValueError: the static sizes do not match.
    """
    sp_input = _as_sparse(sp_input)
    from ortflow.api.math_ops import cast

    shape = cast(shape, _dtypes.int64)
    g = graph_of(sp_input.values)
    with g.as_default(), g.name_scope(name or "SparseReshape") as scope:
        op = apply_op("SparseReshape", [sp_input.indices, sp_input.dense_shape, shape], name=scope)
        dense_shape = op.outputs[1]
        static = _static_reshape(sp_input.get_shape(), shape)
        if static is not None:
            dense_shape = constant(static, dtype=_dtypes.int64)
        return SparseTensor(op.outputs[0], array_ops.identity(sp_input.values), dense_shape)


sparse_reshape = reshape


def retain(sp_input, to_retain) -> SparseTensor:
    """The entries of `sp_input` where the bool vector `to_retain` is true (Where + GatherV2)."""
    sp_input = _as_sparse(sp_input)
    to_retain = convert_to_tensor(to_retain)
    to_retain.get_shape().assert_has_rank(1)
    where_true = array_ops.reshape(array_ops.where_v2(to_retain), [-1])
    new_indices = array_ops.gather(sp_input.indices, where_true)
    new_values = array_ops.gather(sp_input.values, where_true)
    return SparseTensor(new_indices, new_values, array_ops.identity(sp_input.dense_shape))


sparse_retain = retain


def fill_empty_rows(sp_input, default_value, name=None):
    """`(sparse, empty_row_indicator)`: an entry `default_value` at [row, 0, ...] for each empty row
    (`SparseFillEmptyRows`)."""
    sp_input = _as_sparse(sp_input)
    g = graph_of(sp_input.values)
    with g.as_default(), g.name_scope(name or "SparseFillEmptyRows"):
        default_value = convert_to_tensor(default_value, dtype=sp_input.values.dtype.base_dtype)
        op = apply_op("SparseFillEmptyRows", [sp_input.indices, sp_input.values, sp_input.dense_shape,
                                              default_value], name="SparseFillEmptyRows")
        return SparseTensor(op.outputs[0], op.outputs[1], sp_input.dense_shape), op.outputs[2]


sparse_fill_empty_rows = fill_empty_rows


def slice(sp_input, start, size, name=None) -> SparseTensor:
    """The entries within `[start, start + size)`, shifted to start at 0 (`SparseSlice`)."""
    sp_input = _as_sparse(sp_input)
    start = convert_to_tensor(start, _dtypes.int64)
    size = convert_to_tensor(size, _dtypes.int64)
    g = graph_of(sp_input.values)
    with g.as_default(), g.name_scope(name or "SparseSlice") as scope:
        op = apply_op("SparseSlice", [sp_input.indices, sp_input.values, sp_input.dense_shape, start, size],
                      name=scope)
        return SparseTensor(*op.outputs)


sparse_slice = slice


def from_dense(tensor, name=None) -> SparseTensor:
    """The non-zero entries of a dense tensor as a SparseTensor."""
    g = graph_of(tensor)
    with g.as_default(), g.name_scope(name or "dense_to_sparse"):
        tensor = convert_to_tensor(tensor)
        from ortflow.api.math_ops import not_equal

        indices = array_ops.where_v2(not_equal(tensor, array_ops.zeros_like(tensor)))
        values = array_ops.gather_nd(tensor, indices)
        shape = array_ops.shape(tensor, out_type=_dtypes.int64)
        return SparseTensor(indices, values, shape)


# -- sparse segment reductions (what embedding_lookup_sparse builds on) -----------------------

def _segment(op_type: str, data, indices, segment_ids, name, num_segments, sparse_gradient=False):
    attrs = {"sparse_gradient": bool(sparse_gradient)}
    if num_segments is None:
        return apply_op_output(op_type, [data, indices, segment_ids], attrs, name=name or op_type)
    op_type += "WithNumSegments"
    return apply_op_output(op_type, [data, indices, segment_ids, num_segments], attrs, name=name or op_type)


def segment_sum(data, indices, segment_ids, name=None, num_segments=None, sparse_gradient=False):
    """Sums of `data[indices]` per segment (`SparseSegmentSum`)."""
    return _segment("SparseSegmentSum", data, indices, segment_ids, name, num_segments, sparse_gradient)


def segment_mean(data, indices, segment_ids, name=None, num_segments=None, sparse_gradient=False):
    """Means of `data[indices]` per segment (`SparseSegmentMean`)."""
    return _segment("SparseSegmentMean", data, indices, segment_ids, name, num_segments, sparse_gradient)


def segment_sqrt_n(data, indices, segment_ids, name=None, num_segments=None, sparse_gradient=False):
    """Sums of `data[indices]` per segment divided by sqrt(segment size) (`SparseSegmentSqrtN`)."""
    return _segment("SparseSegmentSqrtN", data, indices, segment_ids, name, num_segments, sparse_gradient)


sparse_segment_sum = segment_sum
sparse_segment_mean = segment_mean
sparse_segment_sqrt_n = segment_sqrt_n
placeholder = sparse_placeholder  # tf.sparse.placeholder
sparse_reduce_sum = reduce_sum
sparse_reduce_max = reduce_max


def concat(axis, sp_inputs, name=None, expand_nonconcat_dim=False, concat_dim=None, expand_nonconcat_dims=None):
    """The SparseTensors of `sp_inputs` joined along `axis` (`SparseConcat`).

    Raises:
        NotImplementedError: `expand_nonconcat_dims` (not supported yet).
    """
    axis = concat_dim if axis is None else axis
    if expand_nonconcat_dims or expand_nonconcat_dim:
        raise NotImplementedError("sparse.concat with expand_nonconcat_dims is not supported yet")
    sp_inputs = [_as_sparse(s) for s in sp_inputs]
    if len(sp_inputs) == 1:
        return sp_inputs[0]
    op = apply_op("SparseConcat", [[s.indices for s in sp_inputs], [s.values for s in sp_inputs],
                                   [s.dense_shape for s in sp_inputs]], {"concat_dim": int(axis)},
                  name=name or "SparseConcat")
    shapes = [s.get_shape() for s in sp_inputs]
    static = TensorShape(None)
    if all(sh.rank is not None for sh in shapes):
        dims = shapes[0].as_list()
        sizes = [sh.as_list()[axis] for sh in shapes]
        dims[axis] = None if None in sizes else sum(sizes)
        static = TensorShape(dims)
    if all(sh.is_fully_defined() for sh in shapes):
        return SparseTensor(op.outputs[0], op.outputs[1], convert_to_tensor(static.as_list(), dtype=_dtypes.int64))
    result = SparseTensor(*op.outputs)
    result.set_shape(static)
    return result


sparse_concat = concat


def transpose(sp_input, perm=None, name=None) -> SparseTensor:
    """The SparseTensor with its dimensions permuted (reversed when `perm` is None), reordered."""
    sp_input = _as_sparse(sp_input)
    g = graph_of(sp_input.values)
    with g.as_default(), g.name_scope(name or "SparseTranspose"):
        if perm is None:
            rank = sp_input.shape.rank
            if rank is not None:
                perm = (rank - 1) - np.arange(0, rank, 1)
            else:  # TF's rank of a SparseTensor: the size of its dense shape
                with g.name_scope("Rank") as rank_scope:
                    rank = apply_op_output("Size", [sp_input.dense_shape], {"out_type": _dtypes.int32},
                                           name=rank_scope)
                perm = (rank - 1) - array_ops.range(0, rank, 1)
        transposed = array_ops.transpose(array_ops.gather(array_ops.transpose(sp_input.indices), perm))
        from ortflow.graph.core import _const_value

        perm_value = _const_value(convert_to_tensor(perm))
        if perm_value is not None and sp_input.get_shape().is_fully_defined():
            old = sp_input.get_shape().as_list()
            dense_shape = [old[int(p)] for p in perm_value]
        else:
            dense_shape = array_ops.gather(sp_input.dense_shape, perm)
        return reorder(SparseTensor(transposed, sp_input.values, dense_shape))


sparse_transpose = transpose

# Division of integer values converts both sides first, as TF's SparseTensor.__truediv__ does.
_TRUEDIV_TYPES = {_dtypes.uint8: _dtypes.float32, _dtypes.int8: _dtypes.float32, _dtypes.uint16: _dtypes.float32,
                  _dtypes.int16: _dtypes.float32, _dtypes.int32: _dtypes.float64, _dtypes.int64: _dtypes.float64}


def sparse_dense_binary(op_name: str, sp_x, y) -> SparseTensor:
    """`sp_x * y` ("mul") or `sp_x / y` ("truediv"): the dense `y` broadcast to the sparse shape,
    applied at the entries (`SparseDenseCwiseMul` / `SparseDenseCwiseDiv`)."""
    from ortflow.api.math_ops import cast

    g = graph_of(sp_x.values, y)
    with g.as_default(), g.name_scope(op_name) as scope:
        y = convert_to_tensor(y, dtype=sp_x.dtype.base_dtype, name="y")
        values = sp_x.values
        op_type = "SparseDenseCwiseMul"
        if op_name == "truediv":
            op_type = "SparseDenseCwiseDiv"
            wider = _TRUEDIV_TYPES.get(sp_x.dtype.base_dtype)
            if wider is not None:
                values, y = cast(values, wider), cast(y, wider)
        result = apply_op_output(op_type, [sp_x.indices, values, sp_x.dense_shape, y], name=scope)
        return SparseTensor(sp_x.indices, result, sp_x.dense_shape)


# --------------------------------------------------------------------------- softmax, max/min, split, expand_dims, eye

def softmax(sp_input, name=None) -> SparseTensor:
    """The softmax of the entries along the last dimension, absent entries left out (`SparseSoftmax`)."""
    sp_input = _as_sparse(sp_input)
    g = graph_of(sp_input.values)
    with g.as_default(), g.name_scope(name or "SparseSoftmax"):
        values = apply_op_output("SparseSoftmax", [sp_input.indices, sp_input.values, sp_input.dense_shape],
                                 name="SparseSoftmax")
        return SparseTensor(sp_input.indices, values, sp_input.dense_shape)


def _sparse_sparse(op_type: str, sp_a, sp_b, name) -> SparseTensor:
    sp_a, sp_b = _as_sparse(sp_a), _as_sparse(sp_b)
    g = graph_of(sp_a.values, sp_b.values)
    with g.as_default(), g.name_scope(name or op_type) as scope:
        op = apply_op(op_type, [sp_a.indices, sp_a.values, sp_a.dense_shape, sp_b.indices, sp_b.values,
                                sp_b.dense_shape], name=scope)
    with g.as_default():  # outside the op's scope, as TF (its SparseTensor scope is a top-level name)
        return SparseTensor(op.outputs[0], op.outputs[1], sp_a.dense_shape)


def maximum(sp_a, sp_b, name=None) -> SparseTensor:
    """The element-wise max of two SparseTensors of one shape, absent entries as 0 (`SparseSparseMaximum`)."""
    return _sparse_sparse("SparseSparseMaximum", sp_a, sp_b, name)


def minimum(sp_a, sp_b, name=None) -> SparseTensor:
    """The element-wise min of two SparseTensors of one shape, absent entries as 0 (`SparseSparseMinimum`)."""
    return _sparse_sparse("SparseSparseMinimum", sp_a, sp_b, name)


def split(*args, sp_input=None, num_split=None, axis=None, name=None, split_dim=None) -> list:
    """`num_split` SparseTensors cut from `sp_input` along `axis` (`SparseSplit`); keyword arguments only.

    Raises:
        ValueError: positional arguments, a missing `sp_input`, `num_split` or `axis`, or `split_dim`
            given with it (TF's checks).
    """
    if args:
        raise ValueError("Keyword arguments are required for this function.")
    # As TF 2.21's compat.v1 sparse_split: `axis` is required even though `split_dim` names it too.
    for arg, value in (("sp_input", sp_input), ("num_split", num_split), ("axis", axis)):
        if value is None:
            raise ValueError(f"{arg} is required")
    if split_dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'split_dim'")
    sp_input = _as_sparse(sp_input)
    num_split = int(num_split)
    op = apply_op("SparseSplit", [convert_to_tensor(axis, dtype=_dtypes.int64) if hasattr(axis, "op") else axis,
                                  sp_input.indices, sp_input.values, sp_input.dense_shape],
                  {"num_split": num_split}, name=name or "SparseSplit")
    outs = op.outputs
    return [SparseTensor(outs[i], outs[num_split + i], outs[2 * num_split + i]) for i in range(num_split)]


def expand_dims(sp_input, axis=None, name=None) -> SparseTensor:
    """`sp_input` with a dimension of size 1 inserted at `axis` (-1: at the end), as TF builds it."""
    from ortflow.api import math_ops

    sp_input = _as_sparse(sp_input)
    g = graph_of(sp_input.values)
    with g.as_default(), g.name_scope(name or "expand_dims"):
        axis = convert_to_tensor(-1 if axis is None else axis, name="axis")
        rank = dimension_value(sp_input.dense_shape.shape[0])
        if rank is None:
            rank = array_ops.shape(sp_input.dense_shape)[0]
        axis = array_ops.where_v2(math_ops.greater_equal(axis, 0), axis, axis + rank + 1)
        column = array_ops.zeros([array_ops.shape(sp_input.indices)[0], 1], dtype=_dtypes.int64)
        before = array_ops.slice(sp_input.indices, [0, 0], [-1, axis])
        after = array_ops.slice(sp_input.indices, [0, axis], [-1, -1])
        indices = array_ops.concat([before, column, after], axis=1)
        head = array_ops.slice(sp_input.dense_shape, [0], [axis])
        tail = array_ops.slice(sp_input.dense_shape, [axis], [-1])
        one = constant([1], dtype=_dtypes.int64, name="new_shape")
        dense_shape = array_ops.concat([head, one, tail], axis=0)
        result = SparseTensor(indices, sp_input.values, dense_shape)
        _expanded_static_shapes(result, sp_input, axis)
        return result


def _expanded_static_shapes(result: SparseTensor, sp_input: SparseTensor, axis) -> None:
    # What TF's shape inference knows of expand_dims' result: indices [n, rank + 1], a shape
    # vector [rank + 1] and, for a constant axis, a dense shape of unknown sizes around the new 1.
    from ortflow.graph.core import _const_value

    rank = dimension_value(sp_input.dense_shape.shape[0])
    if rank is None:
        return
    result.indices.set_shape([dimension_value(sp_input.indices.shape[0]), rank + 1])
    result.dense_shape.set_shape([rank + 1])
    select = axis.op.inputs if axis.op.type == "SelectV2" else None
    value = _const_value(select[1]) if select is not None else None
    if value is not None:
        where = int(value) if int(value) >= 0 else int(value) + rank + 1
        if 0 <= where <= rank:
            result.set_shape([None] * where + [1] + [None] * (rank - where))


def eye(num_rows, num_columns=None, dtype=_dtypes.float32, name=None) -> SparseTensor:
    """A SparseTensor with ones on the diagonal of a [num_rows, num_columns] matrix."""
    from ortflow.api import math_ops

    g = graph_of(num_rows, num_columns)
    with g.as_default(), g.name_scope(name or "eye"):
        num_rows = convert_to_tensor(num_rows, dtype=_dtypes.int64, name="num_rows")
        num_columns = num_rows if num_columns is None else convert_to_tensor(
            num_columns, dtype=_dtypes.int64, name="num_columns")
        size = math_ops.minimum(num_rows, num_columns)
        diag = array_ops.range(size, dtype=_dtypes.int64)
        indices = array_ops.stack([diag, diag], axis=1)
        with g.name_scope("ones") as ones_scope:
            flat = array_ops.reshape(size, constant([-1], dtype=_dtypes.int32, name="Reshape/shape"))
            ones = array_ops.fill(flat, constant(1, dtype=dtype, name="Const"), name=ones_scope)
        result = SparseTensor(indices, ones, [num_rows, num_columns])
        # TF's shape inference folds the constant sizes: [min, 2] indices, a [rows, columns] shape.
        from ortflow.graph.core import _const_value

        rows, columns = _const_value(num_rows), _const_value(num_columns)
        if rows is not None and columns is not None:
            diag = int(min(rows, columns))
            indices.set_shape([diag, 2])
            ones.set_shape([diag])
            result.set_shape([int(rows), int(columns)])
        return result


def _reduce_sparse(op_type: str, sp_input, axis, keepdims, reduction_axes, keep_dims) -> SparseTensor:
    # Like _sparse_reduce, but the result is a SparseTensor of the groups that have entries.
    sp_input = _as_sparse(sp_input)
    axis = reduction_axes if axis is None else axis
    keep = bool(keep_dims if keepdims is None else keepdims)
    if axis is None:
        rank = sp_input.shape.rank
        if rank is not None:
            axis = constant(np.arange(rank, dtype=np.int32))
        else:
            axis = array_ops.range(0, array_ops.size(sp_input.dense_shape))
    op = apply_op(op_type, [sp_input.indices, sp_input.values, sp_input.dense_shape, axis], {"keep_dims": keep},
                  name=op_type)
    return SparseTensor(*op.outputs)


def reduce_sum_sparse(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None) -> SparseTensor:
    """The sum over `axis` (all axes when None) as a SparseTensor (`SparseReduceSumSparse`)."""
    return _reduce_sparse("SparseReduceSumSparse", sp_input, axis, keepdims, reduction_axes, keep_dims)


def reduce_max_sparse(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None) -> SparseTensor:
    """The max of the present entries over `axis` as a SparseTensor (`SparseReduceMaxSparse`)."""
    return _reduce_sparse("SparseReduceMaxSparse", sp_input, axis, keepdims, reduction_axes, keep_dims)


def reset_shape(sp_input, new_shape=None) -> SparseTensor:
    """`sp_input` with a new dense shape: the tightest one holding its indices when `new_shape`
    is None, else `new_shape` (which must not be smaller), as TF builds it.

    Raises:
        ValueError: `new_shape` is not a vector of the input's rank, or is smaller than its shape.
        NotImplementedError: a `new_shape` or input shape known only at run time (TF's run-time
            asserts are not built).
    """
    from ortflow.api import math_ops
    from ortflow.graph.core import _const_value

    sp_input = _as_sparse(sp_input)
    in_indices = array_ops.identity(sp_input.indices)
    in_values = array_ops.identity(sp_input.values)
    in_shape = array_ops.identity(sp_input.dense_shape)
    if new_shape is None:
        low_bound = math_ops.reduce_max(in_indices, axis=0)
        zero = constant(0, dtype=_dtypes.int64)
        return SparseTensor(in_indices, in_values,
                            math_ops.maximum(zero, math_ops.add(low_bound, array_ops.ones_like(in_shape))))
    shape_t = convert_to_tensor(new_shape)
    if shape_t.shape.rank != 1:
        raise ValueError(f"new_shape must be a vector, got shape {shape_t.shape}")
    value = _const_value(shape_t)  # TF's constant_value sees through the Cast below
    shape_t = math_ops.cast(shape_t, _dtypes.int64)
    rank = dimension_value(in_shape.shape[0])
    size = dimension_value(shape_t.shape[0])
    if rank is not None and size is not None and rank != size:
        raise ValueError(f"new_shape has {size} entries but the input has rank {rank}")
    if value is None or not sp_input.get_shape().is_fully_defined():
        raise NotImplementedError("sparse.reset_shape with a shape known only at run time is not supported yet.")
    old = np.array(sp_input.get_shape().as_list())
    if not np.all(old <= value):
        raise ValueError(f"Requested new_shape should have dimension sizes >= sp_input.shape.  Found new_shape "
                         f"({old}), sp_input.shape ({value}).")
    return SparseTensor(in_indices, in_values, np.asarray(value, dtype=np.int64))


def mask(a, mask_indices, name=None):
    """The IndexedSlices `a` without the slices whose index is in `mask_indices` (`ListDiff` + gather)."""
    from ortflow.graph.indexed_slices import IndexedSlices

    g = graph_of(a.values, mask_indices)
    with g.as_default(), g.name_scope(name or "sparse_mask") as scope:
        diff = apply_op("ListDiff", [a.indices, mask_indices], name="ListDiff")
        out_indices, to_gather = diff.outputs
        out_values = array_ops.gather(a.values, to_gather, name=scope)
        return IndexedSlices(out_values, out_indices, a.dense_shape)


def _merge(sp_ids, sp_values, vocab_size, name=None, already_sorted=False) -> SparseTensor:
    # TF's sparse_merge_impl: ids (one SparseTensor or a list) become the last index columns.
    from ortflow.api import math_ops

    if isinstance(sp_ids, (SparseTensor, SparseTensorValue)):
        if not isinstance(vocab_size, (Tensor, int, np.integer)):
            raise TypeError(f"vocab_size has to be a Tensor or Python int. Found {type(vocab_size)}")
        sp_ids, vocab_size = [sp_ids], [vocab_size]
    else:
        sp_ids, vocab_size = list(sp_ids), list(vocab_size)
        for dim in vocab_size:
            if not isinstance(dim, (Tensor, int, np.integer)):
                raise TypeError(f"vocab_size has to be a list of Tensors or Python ints. Found {type(dim)}")
    if len(sp_ids) != len(vocab_size):
        raise ValueError("sp_ids and vocab_size have to have equal lengths.")
    g = graph_of(*[s.values for s in sp_ids if isinstance(s, SparseTensor)])
    with g.as_default(), g.name_scope(name or "SparseMerge"):
        sp_ids = [_as_sparse(s) for s in sp_ids]
        sp_values = _as_sparse(sp_values)
        ids = []
        for sp in sp_ids:
            column = sp.values if sp.dtype == _dtypes.int64 else math_ops.cast(sp.values, _dtypes.int64)
            ids.append(array_ops.expand_dims(column, axis=1))
        static_shape = _merged_static_shape(sp_ids[0], vocab_size)  # before the casts hide the values
        vocab_size = [math_ops.cast(x, _dtypes.int64) for x in vocab_size]
        preserved = sp_ids[0].indices[:, :-1]
        new_indices = array_ops.concat([preserved] + ids, 1)
        new_shape = array_ops.concat([sp_ids[0].dense_shape[:-1], vocab_size], 0)
        result = SparseTensor(new_indices, sp_values.values, new_shape)
        result.set_shape(static_shape)
        if already_sorted:
            return result
        ordered = reorder(result)
        merged = SparseTensor(ordered.indices, ordered.values, new_shape)
        merged.set_shape(static_shape)
        return merged


def _merged_static_shape(sp_ids: SparseTensor, vocab_size) -> TensorShape:
    # What TF's constant_value_as_shape reads from concat([dense_shape[:-1], vocab sizes]).
    from ortflow.graph.core import _const_value

    head = sp_ids.get_shape()
    if head.rank is None:
        return TensorShape(None)
    sizes = [v if isinstance(v, (int, np.integer)) else _const_value(v) for v in vocab_size]
    return TensorShape(head.as_list()[:-1] + [None if v is None else int(v) for v in sizes])


def merge(sp_ids, sp_values, vocab_size, name=None, already_sorted=False) -> SparseTensor:
    """Ids and values SparseTensors combined: the ids become the last index column(s) (TF 1 sparse_merge)."""
    return _merge(sp_ids, sp_values, vocab_size, name, already_sorted)


def to_indicator(sp_input, vocab_size, name=None):
    """A dense bool tensor, True at [..., id] for each id of `sp_input`'s last dimension."""
    sp_input = _as_sparse(sp_input)
    g = graph_of(sp_input.values)
    with g.as_default(), g.name_scope(name or "SparseToIndicator") as scope:
        num_entries = array_ops.shape(sp_input.indices)[0]
        new_values = array_ops.fill(array_ops.expand_dims(num_entries, 0), True)
        sp_values = SparseTensor(sp_input.indices, new_values, sp_input.dense_shape)
        sp_new = _merge(sp_input, sp_values, vocab_size, scope)
        return to_dense(sp_new, default_value=False, validate_indices=False, name=scope)


sparse_mask = mask
sparse_merge = merge
sparse_to_indicator = to_indicator
sparse_reset_shape = reset_shape
sparse_reduce_sum_sparse = reduce_sum_sparse
sparse_reduce_max_sparse = reduce_max_sparse
sparse_softmax = softmax
sparse_maximum = maximum
sparse_minimum = minimum
sparse_split = split

__all__ += ["expand_dims", "eye", "mask", "maximum", "merge", "minimum", "reduce_max_sparse",
            "reduce_sum_sparse", "reset_shape", "softmax", "split", "to_indicator"]
