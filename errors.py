"""Errors raised by ortflow: format, graph and conversion errors, and TensorFlow's error classes."""

from __future__ import annotations

__all__ = [
    "OrtflowError",
    "FormatError",
    "GraphError",
    "ConversionError",
    "OpError",
    "CancelledError",
    "UnknownError",
    "InvalidArgumentError",
    "DeadlineExceededError",
    "NotFoundError",
    "AlreadyExistsError",
    "PermissionDeniedError",
    "ResourceExhaustedError",
    "FailedPreconditionError",
    "AbortedError",
    "OutOfRangeError",
    "UnimplementedError",
    "InternalError",
    "UnavailableError",
    "DataLossError",
]


class OrtflowError(Exception):
    """Base of every error ortflow raises on purpose."""


class FormatError(OrtflowError, ValueError):
    """A file or message is not what it should be: truncated, corrupted, wrong kind."""


class GraphError(OrtflowError, ValueError):
    """A graph is inconsistent: a missing input, a bad name, an unknown op asked for its shape."""


class ConversionError(OrtflowError, NotImplementedError):
    """A TensorFlow node could not be lowered to ONNX."""


class OpError(OrtflowError):
    """TensorFlow's OpError: a failure tied to an operation, with TensorFlow's error code.

    Args:
        node_def: the NodeDef involved, or None.
        op: the Operation involved, or None.
        message: the sentence to show.
    """

    error_code = 2  # UNKNOWN

    def __init__(self, node_def=None, op=None, message: str = "", *args):
        super().__init__(message)
        self.node_def = node_def
        self.op = op
        self.message = message

    def __str__(self) -> str:
        return self.message


def _op_error(name: str, code: int, *bases: type) -> type:
    return type(name, (OpError, *bases), {"error_code": code, "__module__": __name__})


CancelledError = _op_error("CancelledError", 1)
UnknownError = _op_error("UnknownError", 2)
InvalidArgumentError = _op_error("InvalidArgumentError", 3, ValueError)
DeadlineExceededError = _op_error("DeadlineExceededError", 4)
NotFoundError = _op_error("NotFoundError", 5, LookupError)
AlreadyExistsError = _op_error("AlreadyExistsError", 6)
PermissionDeniedError = _op_error("PermissionDeniedError", 7)
ResourceExhaustedError = _op_error("ResourceExhaustedError", 8)
FailedPreconditionError = _op_error("FailedPreconditionError", 9)
AbortedError = _op_error("AbortedError", 10)
OutOfRangeError = _op_error("OutOfRangeError", 11)
UnimplementedError = _op_error("UnimplementedError", 12, NotImplementedError)
InternalError = _op_error("InternalError", 13)
UnavailableError = _op_error("UnavailableError", 14)
DataLossError = _op_error("DataLossError", 15)
