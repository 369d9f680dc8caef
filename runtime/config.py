"""Session options in the shape of TensorFlow's ConfigProto, mapped onto onnxruntime's options.

Only the fields onnxruntime has a meaning for act (thread counts, graph optimisation level,
placement logging); `GPUOptions`, `RunOptions` and `RunMetadata` are accepted so that TF 1.x
code constructing them keeps working, and otherwise do nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "ConfigProto",
    "GPUOptions",
    "GraphOptions",
    "OptimizerOptions",
    "RunMetadata",
    "RunOptions",
    "make_session_options",
]


class _Options:
    """A bag of keyword fields with TF's defaults; unknown names raise a TypeError like protobuf's."""

    _FIELDS: ClassVar[dict[str, Any]] = {}

    def __init__(self, **kwargs: Any) -> None:
        for name, default in self._FIELDS.items():
            setattr(self, name, default() if callable(default) else default)
        for name, value in kwargs.items():
            if name not in self._FIELDS:
                raise TypeError(f"{type(self).__name__} has no field {name!r}; "
                                f"known fields: {', '.join(sorted(self._FIELDS))}")
            setattr(self, name, value)

    def __repr__(self) -> str:
        set_fields = ", ".join(f"{k}={getattr(self, k)!r}" for k, d in self._FIELDS.items()
                               if not callable(d) and getattr(self, k) != d)
        return f"{type(self).__name__}({set_fields})"


class GPUOptions(_Options):
    """TensorFlow's GPUOptions; accepted and ignored (onnxruntime manages its own arena)."""

    _FIELDS: ClassVar[dict[str, Any]] = {"per_process_gpu_memory_fraction": 0.0, "allow_growth": False,
               "visible_device_list": "", "allocator_type": ""}


class OptimizerOptions(_Options):
    """TensorFlow's OptimizerOptions: `opt_level` L0 (-1) turns onnxruntime's optimiser down."""

    L1 = 0
    L0 = -1
    _FIELDS: ClassVar[dict[str, Any]] = {"opt_level": 0, "do_common_subexpression_elimination": False,
               "do_constant_folding": False, "do_function_inlining": False,
               "global_jit_level": 0}


class GraphOptions(_Options):
    """TensorFlow's GraphOptions; only `optimizer_options.opt_level` has an effect."""

    _FIELDS: ClassVar[dict[str, Any]] = {"optimizer_options": OptimizerOptions, "infer_shapes": False,
               "place_pruned_graph": False, "enable_bfloat16_sendrecv": False,
               "build_cost_model": 0, "timeline_step": 0}


class ConfigProto(_Options):
    """Session configuration in the shape of `tf.compat.v1.ConfigProto`.

    `intra_op_parallelism_threads` and `inter_op_parallelism_threads` (0 = let onnxruntime
    choose), `graph_options.optimizer_options.opt_level` (L0 disables onnxruntime's graph
    optimisations) and `log_device_placement` (prints the execution providers of each compiled
    subgraph) act; `allow_soft_placement`, `device_count` and `gpu_options` are accepted.

    Example:
        >>> config = ConfigProto(intra_op_parallelism_threads=1, log_device_placement=False)
        >>> config.intra_op_parallelism_threads
        1
    """

    _FIELDS: ClassVar[dict[str, Any]] = {"intra_op_parallelism_threads": 0, "inter_op_parallelism_threads": 0,
               "use_per_session_threads": False, "allow_soft_placement": False,
               "log_device_placement": False, "device_count": dict, "gpu_options": GPUOptions,
               "graph_options": GraphOptions, "operation_timeout_in_ms": 0,
               "isolate_session_state": False, "device_filters": list}


class RunOptions(_Options):
    """`tf.compat.v1.RunOptions`; accepted by `Session.run` and ignored (no tracing)."""

    NO_TRACE = 0
    SOFTWARE_TRACE = 1
    HARDWARE_TRACE = 2
    FULL_TRACE = 3
    _FIELDS: ClassVar[dict[str, Any]] = {"trace_level": 0, "timeout_in_ms": 0, "inter_op_thread_pool": 0,
               "output_partition_graphs": False, "report_tensor_allocations_upon_oom": False}


class RunMetadata(_Options):
    """`tf.compat.v1.RunMetadata`; accepted by `Session.run` and left empty."""

    _FIELDS: ClassVar[dict[str, Any]] = {"step_stats": None, "cost_graph": None, "partition_graphs": list}


def make_session_options(config: ConfigProto | None):
    """Builds `onnxruntime.SessionOptions` from `config` (None: onnxruntime's defaults)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    # Warnings from ORT's optimiser are noise for a TF user, and its error lines repeat what
    # the Session raises (as a TF error naming the node): only fatal messages are logged.
    options.log_severity_level = 4
    if config is None:
        return options
    if config.intra_op_parallelism_threads:
        options.intra_op_num_threads = int(config.intra_op_parallelism_threads)
    if config.inter_op_parallelism_threads:
        options.inter_op_num_threads = int(config.inter_op_parallelism_threads)
        options.execution_mode = ort.ExecutionMode.ORT_PARALLEL
    opt_level = getattr(getattr(config.graph_options, "optimizer_options", None), "opt_level", 0)
    if opt_level == OptimizerOptions.L0:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    return options
