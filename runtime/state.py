"""Variable values owned by one Session: read before a run, written back after it.

Values are keyed by the variable op's name (the VariableV2 or VarHandleOp node). A value is a
numpy array, or an onnxruntime OrtValue when it lives on a CUDA device between runs.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from ortflow.errors import FailedPreconditionError

__all__ = ["VariableState", "uninitialized_error"]


def uninitialized_error(name: str) -> FailedPreconditionError:
    """TensorFlow's error for reading a variable nobody initialised, naming it.

    A lookup table's state (see `runtime/tables.py`) gets TensorFlow's table message instead.
    """
    from ortflow.runtime.tables import is_table_state

    table = is_table_state(name)
    if table is not None:
        return FailedPreconditionError(
            None, None, f"Table not initialized.\n\t [[{{{{node {table}}}}}]] (run the table's "
            "initializer first, e.g. `tables_initializer()`)")
    return FailedPreconditionError(
        None, None, f"Attempting to use uninitialized value {name}\n\t [[{{{{node {name}}}}}]]"
        f" (run its initializer, e.g. `global_variables_initializer()`, or restore a checkpoint)")


class VariableState:
    """The values of a Session's variables; one lock orders every write.

    Reads do not take the lock: a dict lookup is atomic, and a run sees either the old or the
    new value of a variable another thread writes, as in TensorFlow.
    """

    __slots__ = ("_values", "lock")

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self.lock = threading.RLock()

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def __len__(self) -> int:
        return len(self._values)

    def names(self) -> list[str]:
        """Names of the variables that hold a value."""
        return list(self._values)

    def get(self, name: str) -> Any:
        """The value of `name` (array or OrtValue).

        Raises:
            FailedPreconditionError: if the variable has no value yet.
        """
        try:
            return self._values[name]
        except KeyError:
            raise uninitialized_error(name) from None

    def get_numpy(self, name: str) -> np.ndarray:
        """The value of `name` as a numpy array (copied from the device when it lives there)."""
        value = self.get(name)
        if isinstance(value, np.ndarray):
            return value
        return value.numpy()

    def set(self, name: str, value: Any) -> None:
        """Stores `value` for `name`."""
        with self.lock:
            self._values[name] = value

    def update(self, values: dict[str, Any]) -> None:
        """Stores several values at once, under the lock, so readers never see half an update."""
        with self.lock:
            self._values.update(values)

    def discard(self, name: str) -> None:
        """Forgets the value of `name` (it reads as uninitialised again)."""
        with self.lock:
            self._values.pop(name, None)

    def clear(self) -> None:
        """Forgets every value."""
        with self.lock:
            self._values.clear()
