"""Per-op shape functions and numpy kernels, registered by decorators, and their dispatch."""

from __future__ import annotations

import re

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from ortflow.errors import GraphError
from ortflow.graph.ops.schema import Shape, get_op_def, num_outputs, output_dtypes

__all__ = [
    "KernelFn",
    "LazyInputValues",
    "ShapeFn",
    "evaluate",
    "has_kernel",
    "has_shape_fn",
    "infer_shapes",
    "kernel",
    "shape_fn",
]

ShapeFn = Callable[..., "list[Shape]"]
KernelFn = Callable[..., "list[np.ndarray]"]

_SHAPE_FNS: dict[str, ShapeFn] = {}
_KERNELS: dict[str, KernelFn] = {}


def _register(table: dict, what: str, op_types: tuple[str, ...]):
    def decorate(fn):
        for op_type in op_types:
            if op_type in table:
                raise ValueError(f"{what} for op type {op_type!r} is registered twice "
                                 f"({table[op_type].__name__} and {fn.__name__})")
            table[op_type] = fn
        return fn
    return decorate


def shape_fn(*op_types: str):
    """Registers `f(node_def, input_shapes, input_values) -> list[Shape]` for `op_types`.

    `input_values[i]` is the numpy value of input i when it is known (a constant, or folded),
    else None; shape functions use it for shape-carrying inputs (Reshape's `shape`, ...).
    """
    return _register(_SHAPE_FNS, "a shape function", op_types)


def kernel(*op_types: str):
    """Registers a numpy kernel `f(node_def, input_values) -> list[np.ndarray]` for `op_types`."""
    return _register(_KERNELS, "a kernel", op_types)


def has_kernel(op_type: str) -> bool:
    """True when a numpy kernel is registered for `op_type` (so it can be constant-folded)."""
    return op_type in _KERNELS


def has_shape_fn(op_type: str) -> bool:
    """True when a shape function is registered for `op_type`."""
    return op_type in _SHAPE_FNS


class LazyInputValues(Sequence):
    """`input_values` for `infer_shapes` that computes each value only when it is read.

    Most shape functions never read values, and decoding a Const's tensor costs more than the
    shape function itself, so graph building passes these (speed). Indexing and slicing work
    as on a list; each value is computed at most once.
    """

    __slots__ = ("_compute", "_count", "_done")

    def __init__(self, count: int, compute: Callable[[int], Any]):
        self._count = count
        self._compute = compute
        self._done: dict[int, Any] = {}

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("input value index out of range")
        if index not in self._done:
            self._done[index] = self._compute(index)
        return self._done[index]


def _naming_node(error: GraphError, node_def) -> GraphError:
    # Shape functions and kernels word errors about values; the node's name is added here once.
    prefix = f"node {node_def.name!r} (op {node_def.op!r})"
    if str(error).startswith(prefix):
        return error
    return GraphError(f"{prefix}: {error}")


# Op types whose every output is a scalar handle (a dataset variant, an iterator resource), whatever
# the dataset: TensorFlow's shape functions give them shape ().
_SCALAR_HANDLE_OP = re.compile(r"Dataset(V\d+)?$|^(OneShot|Anonymous)?Iterator(V\d+)?$|^MultiDeviceIterator$")


def infer_shapes(node_def, input_shapes: Sequence[Shape],
                 input_values: Sequence[np.ndarray | None] | None = None) -> list[Shape]:
    """Returns the static shape of each output of `node_def` given its inputs' shapes and values.

    Ops the registry knows but has no shape function for get unknown shapes (None).

    Raises:
        GraphError: if the op type is unknown, or the inputs contradict the op (for example
            MatMul inner dimensions that differ).
    """
    fn = _SHAPE_FNS.get(node_def.op)
    if input_values is None:
        input_values = [None] * len(input_shapes)
    if fn is None:
        if _SCALAR_HANDLE_OP.search(node_def.op):  # tf.data's datasets and iterators: scalar handles
            return [()] * num_outputs(node_def)
        return [None] * num_outputs(node_def)
    try:
        values = input_values if isinstance(input_values, LazyInputValues) else list(input_values)
        return fn(node_def, list(input_shapes), values)
    except GraphError as e:
        named = _naming_node(e, node_def)
        if named is e:
            raise
        raise named from e
    except (ValueError, IndexError, KeyError, TypeError) as e:
        raise GraphError(f"node {node_def.name!r} (op {node_def.op!r}): cannot infer output shapes "
                         f"from input shapes {list(input_shapes)}: {e}") from e


def evaluate(node_def, input_values: Sequence[np.ndarray]) -> list[np.ndarray] | None:
    """Runs `node_def` on numpy inputs with its registered kernel; None when it has none.

    Results carry the output dtypes TensorFlow gives the node (a kernel's numpy result is cast
    when numpy promoted it differently).

    Raises:
        GraphError: if the kernel rejects the inputs.
    """
    fn = _KERNELS.get(node_def.op)
    if fn is None:
        return None
    try:
        results = fn(node_def, list(input_values))
    except GraphError as e:
        named = _naming_node(e, node_def)
        if named is e:
            raise
        raise named from e
    except (ValueError, IndexError, KeyError, TypeError, ArithmeticError) as e:
        raise GraphError(f"node {node_def.name!r} (op {node_def.op!r}): cannot evaluate it on "
                         f"inputs of shapes {[np.shape(v) for v in input_values]}: {e}") from e
    if get_op_def(node_def.op) is None:
        return [np.asarray(r) for r in results]
    out = []
    for r, dtype in zip(results, output_dtypes(node_def)):
        r = np.asarray(r)
        base = dtype.base_dtype
        try:
            want = np.dtype(base.as_numpy_dtype)
        except TypeError:  # resource / variant: no numpy form
            want = r.dtype
        if r.dtype != want:
            r = r.astype(want)
        out.append(r)
    return out
