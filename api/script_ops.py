"""`tf.py_func` / `tf.numpy_function` / `tf.py_function`: Python functions as graph ops, run by the
Session's numpy interpreter.

As in TensorFlow, the graph holds a `PyFunc` (or `PyFuncStateless`) node whose `token` attr
names the function in a registry of this process; the function itself never enters the
GraphDef, so a graph written to a file and loaded elsewhere cannot run the node (the error
says so). onnxruntime cannot call Python, so a Session runs a signature holding such a node
on its numpy interpreter, or splits it: onnxruntime for the rest, numpy for the PyFunc
(`runtime/session.py`). A stateless function may be called while the graph is built, when
its inputs are constants (ortflow folds stateless ops to learn static shapes).

`tf.py_function` makes TensorFlow's `EagerPyFunc` node. TensorFlow hands that function eager
tensors; ortflow has no eager mode, so it hands `EagerValue`s instead: numpy arrays with the
eager tensor's `.numpy()`, which is what such functions call. TensorFlow ops called inside the
function are not supported (they would build graph nodes, not compute).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

import numpy as np
from ortflow.errors import InvalidArgumentError, NotFoundError
from ortflow.formats.dtypes import as_dtype
from ortflow.graph.ops.registry import kernel

__all__ = ["EagerValue", "numpy_function", "py_func", "py_function"]

_FUNCTIONS: dict[str, Callable] = {}
_TOKENS = itertools.count()
_LOCK = threading.Lock()


def _register(func: Callable) -> str:
    with _LOCK:
        token = f"pyfunc_{next(_TOKENS)}"  # TensorFlow's token scheme
        _FUNCTIONS[token] = func
    return token


def py_func(func: Callable, inp, Tout, stateful: bool = True, name: str | None = None):
    """Wraps a Python function taking and returning numpy arrays as an op (`tf.py_func`).

    Args:
        func: called with one numpy array per input; returns one array per `Tout` entry.
        inp: the input tensors (or values convertible to tensors).
        Tout: one dtype, or a list/tuple of dtypes (then a list of tensors is returned).
        stateful: False makes a `PyFuncStateless` node (which may be folded, see the module).
        name: the op's name.

    Returns:
        One tensor when `Tout` is a single dtype, else a list of tensors.
    """
    return _py_op("PyFunc" if stateful else "PyFuncStateless", func, inp, Tout, name)


def numpy_function(func: Callable, inp, Tout, stateful: bool = True, name: str | None = None):
    """`tf.numpy_function`: in TF 1.x graphs the same op as `py_func`."""
    return py_func(func, inp, Tout, stateful=stateful, name=name)


def py_function(func: Callable, inp, Tout, name: str | None = None):
    """Wraps a Python function taking eager-style tensors as an `EagerPyFunc` op (`tf.py_function`).

    Args:
        func: called with one `EagerValue` per input; returns one value (array, `EagerValue`,
            Python number or list) per `Tout` entry, converted to that dtype as TF converts.
        inp: the input tensors (or values convertible to tensors).
        Tout: one dtype, or a list/tuple of dtypes (then a list of tensors is returned).
        name: the op's name.

    Returns:
        One tensor when `Tout` is a single dtype, else a list of tensors.
    """
    return _py_op("EagerPyFunc", func, inp, Tout, name, is_async=False)


def _py_op(op_type: str, func: Callable, inp, Tout, name: str | None, **attrs):
    # The op of py_func / py_function: `func` registered under the node's `token`; one tensor
    # back for a single `Tout` dtype (the op itself when it has no outputs), else a list.
    # apply_op converts Python values inside the op's name scope and derives `Tin`, as TF's wrapper.
    from ortflow.api.ops_builder import apply_op

    single = not isinstance(Tout, (list, tuple))
    touts = [as_dtype(t) for t in ([Tout] if single else Tout)]
    attrs = {"token": _register(func), **attrs, "Tout": touts}
    op = apply_op(op_type, [list(inp)], attrs, name=name or op_type)
    outputs = list(op.outputs)
    if single:
        return outputs[0] if outputs else op
    return outputs


class EagerValue(np.ndarray):
    """A numpy array standing for the eager tensor that `tf.py_function` passes its function."""

    def numpy(self):
        """The value as TF's `EagerTensor.numpy()`: a numpy scalar for rank 0, else an array."""
        array = self.view(np.ndarray)
        return array[()] if array.ndim == 0 else array


def _function(node_def) -> tuple[str, Callable]:
    token = node_def.attr["token"].s.decode()
    func = _FUNCTIONS.get(token)
    if func is None:
        raise NotFoundError(node_def, None, f"{node_def.op} node {node_def.name!r}: no Python function is "
                            f"registered as {token!r} in this process (py_func functions live in the process "
                            "that built the graph, not in the graph).")
    return token, func


def _returned(node_def, token: str, result) -> list:
    expected = [as_dtype(t) for t in node_def.attr["Tout"].list.type]
    if not expected:
        return [], []
    values = list(result) if isinstance(result, (list, tuple)) else [result]
    if len(values) != len(expected):
        raise InvalidArgumentError(node_def, None, f"{token} returned {len(values)} values; the node expects "
                                   f"{len(expected)}")
    return values, expected


@kernel("EagerPyFunc")
def _run_py_function(node_def, inputs):
    token, func = _function(node_def)
    result = func(*[np.asarray(value).view(EagerValue) for value in inputs])
    values, expected = _returned(node_def, token, result)
    return [_converted(node_def, token, i, v, dtype) for i, (v, dtype) in enumerate(zip(values, expected))]


def _converted(node_def, token: str, index: int, value, dtype) -> np.ndarray:
    # TF converts each result with convert_to_tensor(value, dtype): numbers and arrays of a kind
    # that casts safely (float64 -> float32, int -> float) convert; float -> int is an error.
    if dtype.name == "string":
        return np.asarray(value, dtype=object)
    array = np.asarray(value.view(np.ndarray) if isinstance(value, EagerValue) else value)
    target = np.dtype(dtype.as_numpy_dtype)
    if array.dtype != target and not np.can_cast(array.dtype, target, casting="same_kind"):
        raise InvalidArgumentError(node_def, None, f"{index}-th value returned by {token} is "
                                   f"{array.dtype}, which does not convert to {dtype.name}")
    return array.astype(target, copy=False)


@kernel("PyFunc", "PyFuncStateless")
def _run_py_func(node_def, inputs):
    token, func = _function(node_def)
    values, expected = _returned(node_def, token, func(*inputs))
    return [_checked(node_def, token, i, v, dtype) for i, (v, dtype) in enumerate(zip(values, expected))]


def _checked(node_def, token: str, index: int, value, dtype) -> np.ndarray:
    # As TensorFlow: a returned array of another dtype is an error, a Python scalar or list converts.
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if dtype.name == "string" and array.dtype.kind in "SUO":
            return array.astype(object)
        if array.dtype != dtype.as_numpy_dtype:
            raise InvalidArgumentError(node_def, None, f"{index}-th value returned by {token} is "
                                       f"{array.dtype}, but expects {dtype.name}")
        return array
    if dtype.name == "string":
        return np.asarray(value, dtype=object)
    return np.asarray(value, dtype=dtype.as_numpy_dtype)
