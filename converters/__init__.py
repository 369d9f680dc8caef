"""TensorFlow GraphDef -> ONNX: `convert`, the handler registry and the handler families.

Importing this package imports every handler family module, so all registrations are visible
from here (`registry.registered_ops()`).
"""

from __future__ import annotations

import importlib

from ortflow.converters.driver import (
    ConversionResult,
    UnsupportedOpsError,
    convert,
    convert_graph_def,
    convert_with_report,
    default_opset,
)
from ortflow.converters.registry import handler, lookup, registered_ops, require

__all__ = [
    "convert",
    "convert_graph_def",
    "convert_with_report",
    "default_opset",
    "ConversionResult",
    "UnsupportedOpsError",
    "handler",
    "lookup",
    "registered_ops",
    "require",
]

# The handler families. Each registers its handlers when imported. A family another engineer
# has not written yet is skipped (only its own absence; an import error inside it propagates).
_FAMILIES = ("nn", "math", "array", "reduce", "slicing", "loss", "control_flow", "random", "signal", "linalg",
             "sparse", "string_ops", "image", "quantize", "misc")
for _family in _FAMILIES:
    try:
        importlib.import_module(f"ortflow.converters.{_family}")
    except ModuleNotFoundError as _e:
        if _e.name != f"ortflow.converters.{_family}":
            raise
del _family
