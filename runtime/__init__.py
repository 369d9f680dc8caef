"""Running graphs on onnxruntime with TensorFlow 1.x Session semantics."""

from __future__ import annotations

from ortflow.runtime.config import (
    ConfigProto,
    GPUOptions,
    GraphOptions,
    OptimizerOptions,
    RunMetadata,
    RunOptions,
)
from ortflow.runtime.loading import OnnxSession, load, restore_variables
from ortflow.runtime.session import (
    InteractiveSession,
    Session,
    report_uninitialized_variables,
    resolve_providers,
)

__all__ = [
    "ConfigProto",
    "GPUOptions",
    "GraphOptions",
    "InteractiveSession",
    "OnnxSession",
    "OptimizerOptions",
    "RunMetadata",
    "RunOptions",
    "Session",
    "load",
    "report_uninitialized_variables",
    "resolve_providers",
    "restore_variables",
]
