"""TensorFlow GraphDef -> ONNX: `convert`, the handler registry and the handler families.

Importing this package imports every handler family module, so all registrations are visible
from here (`registry.registered_ops()`).
"""

from __future__ import annotations

from ortflow.converters.driver import (
    ConversionResult,
    UnsupportedOpsError,
    convert,
    convert_graph_def,
    convert_with_report,
    default_opset,
    default_opset_for,
)
from ortflow.converters.registry import handler, lookup, registered_ops, require

__all__ = [
    "ConversionResult",
    "UnsupportedOpsError",
    "convert",
    "convert_graph_def",
    "convert_with_report",
    "default_opset",
    "default_opset_for",
    "handler",
    "lookup",
    "registered_ops",
    "require",
]

# The handler families: importing each registers its handlers. Add a new family module here.
from ortflow.converters import (  # noqa: F401  (imported for their registrations)
    array,
    array_extra,
    control_flow,
    image,
    legacy,
    linalg,
    loss,
    math,
    math_extra,
    nn,
    nn_more,
    random,
    reduce,
    sequences,
    signal,
    signal_more,
    slicing,
    sparse,
    strings,
    tables,
)
