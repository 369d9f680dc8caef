"""Scatter updates of the `tf.` namespace: scatter_* into variables (ref or resource), tensor_scatter_*."""

from __future__ import annotations

from ortflow.api.ops_builder import apply_op, apply_op_output, convert_to_tensor
from ortflow.graph import Tensor

__all__ = [
    "scatter_add",
    "scatter_max",
    "scatter_div",
    "scatter_min",
    "scatter_mul",
    "scatter_nd_add",
    "scatter_nd_sub",
    "scatter_nd_update",
    "scatter_sub",
    "scatter_update",
    "tensor_scatter_add",
    "tensor_scatter_nd_add",
    "tensor_scatter_nd_max",
    "tensor_scatter_nd_min",
    "tensor_scatter_nd_sub",
    "tensor_scatter_sub",
]


def _scatter(op_type: str):
    def fn(ref, indices, updates, use_locking=None, name=None):
        from ortflow.api.variable_scope import _GraphVariable

        if isinstance(ref, _GraphVariable) and ref.is_resource:
            return _resource_scatter("Resource" + op_type, ref, indices, updates, name)
        attrs = {} if use_locking is None else {"use_locking": bool(use_locking)}
        return apply_op_output(op_type, [ref, indices, updates], attrs, name=name or op_type)
    fn.__name__ = "scatter_" + "".join("_" + c.lower() if c.isupper() else c for c in op_type[7:]).lstrip("_")
    fn.__doc__ = (f"Writes `updates` into the variable `ref` at `indices` (`{op_type}`, or its resource form); "
                  "returns the variable's new value.")
    return fn


def _resource_scatter(op_type: str, var, indices, updates, name):
    # As TF's resource variables: the update op, then a read that waits for it.
    g = var.graph
    with g.as_default():
        dtype = var.dtype.base_dtype
        updates = convert_to_tensor(updates, dtype=dtype) if not isinstance(updates, Tensor) else updates
        from ortflow.graph.ops import get_op_def

        # ResourceScatterAdd & co. name the value type `dtype`; the Nd forms take `T` from the updates.
        attrs = {"dtype": dtype} if any(a.name == "dtype" for a in get_op_def(op_type).attr) else {}
        op = apply_op(op_type, [var.handle, indices, updates], attrs, name=name or op_type)
        with g.control_dependencies([op]):
            return apply_op_output("ReadVariableOp", [var.handle], {"dtype": dtype}, name="ReadVariableOp")


scatter_update = _scatter("ScatterUpdate")


scatter_add = _scatter("ScatterAdd")


scatter_sub = _scatter("ScatterSub")


scatter_nd_update = _scatter("ScatterNdUpdate")


scatter_nd_add = _scatter("ScatterNdAdd")


scatter_nd_sub = _scatter("ScatterNdSub")


scatter_mul = _scatter("ScatterMul")


scatter_div = _scatter("ScatterDiv")


scatter_max = _scatter("ScatterMax")


scatter_min = _scatter("ScatterMin")


def _tensor_scatter(op_type: str):
    def fn(tensor, indices, updates, name=None):
        return apply_op_output(op_type, [tensor, indices, updates], name=name or op_type)
    fn.__name__ = op_type
    fn.__doc__ = f"A copy of `tensor` with `updates` combined in at `indices` (`{op_type}`)."
    return fn


tensor_scatter_nd_add = tensor_scatter_add = _tensor_scatter("TensorScatterAdd")


tensor_scatter_nd_sub = tensor_scatter_sub = _tensor_scatter("TensorScatterSub")


tensor_scatter_nd_max = _tensor_scatter("TensorScatterMax")


tensor_scatter_nd_min = _tensor_scatter("TensorScatterMin")
