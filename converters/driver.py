"""The convert pipeline: load, TF-side passes, lowering through handlers, ONNX-side passes, checks.

    model = convert("frozen.pb", inputs=["input:0"], outputs=["Identity:0"])

Every unsupported op and every handler failure of a graph is collected, and one
`UnsupportedOpsError` (a ConversionError) lists them all at the end, with counts and node names.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from ortflow.converters.context import (
    ConversionContext,
    NodeView,
    split_tensor_name,
    tensor_name,
)
from ortflow.converters.emit import release_arena
from ortflow.converters.registry import lookup, registered_ops
from ortflow.errors import ConversionError

__all__ = [
    "MIN_OPSET",
    "ConversionResult",
    "UnsupportedOpsError",
    "convert",
    "convert_graph_def",
    "convert_with_report",
    "RANDOM_MAX_OPSET",
    "default_opset",
    "default_opset_for",
    "likely_inputs",
    "likely_outputs",
    "lower_node",
]

MIN_OPSET = 13

# onnxruntime release -> newest default-domain opset it implements.
_ORT_MAX_OPSET = {(1, 14): 18, (1, 15): 19, (1, 16): 19, (1, 17): 20, (1, 18): 21, (1, 19): 21,
                  (1, 20): 21, (1, 21): 22, (1, 22): 22, (1, 23): 23}

#: onnxruntime (1.32 included) has RandomNormal/RandomUniform(/Like) kernels only up to their
#: opset-21 versions; a graph that draws random numbers is converted at this opset by default.
RANDOM_MAX_OPSET = 21
_RANDOM_OPS = {"RandomStandardNormal", "RandomUniform", "RandomUniformInt", "TruncatedNormal", "RandomShuffle",
               "Multinomial"}

# TF ops the driver lowers itself (graph structure rather than computation).
_GRAPH_INPUT_OPS = {"Placeholder", "PlaceholderV2", "PlaceholderWithDefault"}
_PASS_THROUGH_OPS = {"Identity", "Snapshot", "StopGradient", "PreventGradient", "IdentityN",
                     "CheckNumerics", "EnsureShape"}


class UnsupportedOpsError(ConversionError):
    """Raised once per conversion with every op that has no handler and every handler failure.

    Attributes:
        unsupported: op type -> names of the nodes of that type without a handler.
        failures: (op type, node name, message) of each handler that raised.
        opset: the target opset.
    """

    def __init__(self, unsupported: dict[str, list[str]], failures: list[tuple[str, str, str]],
                 opset: int):
        self.unsupported = unsupported
        self.failures = failures
        self.opset = opset
        super().__init__(self._message())

    def _message(self) -> str:
        parts = []
        if self.unsupported:
            n = sum(len(v) for v in self.unsupported.values())
            ops = ", ".join(f"{op} x{len(names)} ({_names_preview(names)})"
                            for op, names in sorted(self.unsupported.items()))
            parts.append(f"{n} node(s) of {len(self.unsupported)} op type(s) have no ONNX "
                         f"handler at opset {self.opset}: {ops}")
        if self.failures:
            lines = "; ".join(msg for _, _, msg in self.failures[:20])
            more = f" (and {len(self.failures) - 20} more)" if len(self.failures) > 20 else ""
            parts.append(f"{len(self.failures)} node(s) failed to convert: {lines}{more}")
        return ". ".join(parts)


def _names_preview(names: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f", ... {len(names) - limit} more" if len(names) > limit else "")


@dataclasses.dataclass
class ConversionResult:
    """What `convert_graph_def` made, with the counts the CLI prints."""

    model: Any  # onnx.ModelProto
    tf_nodes: int
    tf_nodes_after_passes: int
    onnx_nodes: int
    transposes: int
    opset: int
    inputs: list[str]
    outputs: list[str]
    seconds: dict[str, float]
    #: the numpy initializers when converted with weights=False (else None: they are in model)
    initializers: dict[str, np.ndarray] | None = None
    #: with check=False and weights=False, the serialized weight-less ModelProto, encoded
    #: without the onnx package (`converters.onnx_wire`); `model` is then None
    model_bytes: bytes | None = None


#: onnx release -> newest default-domain opset it implements (onnx.helper.VERSION_TABLE).
_ONNX_MAX_OPSET = {(1, 14): 19, (1, 15): 20, (1, 16): 21, (1, 17): 22, (1, 18): 23, (1, 19): 24,
                   (1, 20): 25, (1, 21): 26, (1, 22): 27, (1, 23): 28}


def default_opset() -> int:
    """The newest opset both the installed onnx and onnxruntime implement (at least 13).

    The versions come from the installed packages' metadata directories: importing onnx to ask
    it, or importlib.metadata, would cost more than converting a small model.
    """
    onnx_version = _installed_version("onnx")
    if onnx_version is not None and onnx_version >= min(_ONNX_MAX_OPSET):
        known = [v for k, v in _ONNX_MAX_OPSET.items() if k <= onnx_version]
        onnx_max = max(known)
    else:
        import onnx

        onnx_max = onnx.defs.onnx_opset_version()
    ort_version = _installed_version("onnxruntime") or _installed_version("onnxruntime_gpu") or (1, 18)
    known = [v for k, v in _ORT_MAX_OPSET.items() if k <= ort_version]
    ort_max = max(known) if known else MIN_OPSET
    if ort_version > max(_ORT_MAX_OPSET):
        ort_max = max(_ORT_MAX_OPSET.values())  # newer than the table: what we have tested
    return max(MIN_OPSET, min(onnx_max, ort_max))


def _installed_version(dist: str) -> tuple[int, int] | None:
    """(major, minor) of an installed distribution, None when it is not installed."""
    return _installed_versions().get(dist) or _metadata_version(dist)


_VERSIONS: dict[str, tuple[int, int]] = {}


def _installed_versions() -> dict[str, tuple[int, int]]:
    """{normalized name: (major, minor)} from the `<name>-<version>.dist-info` directories on
    sys.path, the first of each name winning (the one `import` finds); read once."""
    import sys

    if not _VERSIONS:
        for entry in sys.path:
            try:
                names = os.listdir(entry or ".")
            except OSError:
                continue
            for name in names:
                if not name.endswith(".dist-info"):
                    continue
                dist, _, version = name[: -len(".dist-info")].partition("-")
                key = dist.lower().replace("-", "_").replace(".", "_")
                parsed = _major_minor(version)
                if parsed is not None and key not in _VERSIONS:
                    _VERSIONS[key] = parsed
        _VERSIONS.setdefault("", (0, 0))  # scanned (an empty scan is not redone)
    return _VERSIONS


def _major_minor(version: str) -> tuple[int, int] | None:
    try:
        major, minor = (int(x) for x in version.split(".")[:2])
    except ValueError:
        return None
    return major, minor


def _metadata_version(dist: str) -> tuple[int, int] | None:
    """importlib.metadata's answer, for installs without a dist-info directory (eggs)."""
    from importlib import metadata

    try:
        return _major_minor(metadata.version(dist))
    except metadata.PackageNotFoundError:
        return None


def default_opset_for(graph_def) -> int:
    """The opset a conversion of `graph_def` uses when the caller names none.

    `default_opset()`, except that a graph with TF random ops (after pruning to the outputs)
    gets at most RANDOM_MAX_OPSET, the newest opset at which onnxruntime runs ONNX's random ops.
    """
    opset = default_opset()
    if any(n.op in _RANDOM_OPS for n in graph_def.node):
        opset = max(MIN_OPSET, min(opset, RANDOM_MAX_OPSET))
    return opset


# --------------------------------------------------------------------------------------------
# loading


def _load(source, checkpoint, tag, signature):
    """Returns (GraphDef, default inputs or None, default outputs or None, Const values read
    apart from the GraphDef or None) from any source.

    A MetaGraphDef (.meta file, SavedModel) is frozen on the way with the checkpoint's values;
    a big binary GraphDef file is read by `converters.loader` (weights mapped, not copied).
    """
    from ortflow.proto import GraphDef, MetaGraphDef

    if isinstance(source, GraphDef):
        return source, None, None, None
    if isinstance(source, MetaGraphDef):
        return (*_freeze_meta(source, checkpoint, None, signature, "the meta graph"), None)
    if hasattr(source, "as_graph_def"):
        return source.as_graph_def(), None, None, None
    path = os.fspath(source)
    if not os.path.exists(path):
        raise ConversionError(f"{path}: no such file or directory")
    if os.path.isdir(path):
        return (*_load_saved_model(path, tag, signature, checkpoint), None)
    from ortflow.converters.loader import read_frozen_graph

    fast = read_frozen_graph(path)
    if fast is not None:
        return fast[0], None, None, fast[1]
    from ortflow.formats.graphs import read_graph

    message = read_graph(path)
    if isinstance(message, GraphDef):
        return message, None, None, None
    if isinstance(message, MetaGraphDef):
        if checkpoint is None:
            prefix = path[: -len(".meta")] if path.endswith(".meta") else ""
            checkpoint = prefix if prefix and os.path.exists(prefix + ".index") else \
                os.path.dirname(os.path.abspath(path))
        return (*_freeze_meta(message, checkpoint, None, signature if message.signature_def else None,
                              path), None)
    if type(message).__name__ == "SavedModel":
        return (*_load_saved_model(os.path.dirname(os.path.abspath(path)), tag, signature, checkpoint),
                None)
    raise ConversionError(f"{path}: a {type(message).__name__} cannot be converted; expected a "
                          "GraphDef, a MetaGraphDef or a SavedModel")


def _load_saved_model(path: str, tag, signature, checkpoint):
    from ortflow.graph import saved_model

    saved = saved_model.read_saved_model(path)
    tags = [tag] if isinstance(tag, str) else (tag or ["serve"])
    meta = saved_model.meta_graph_by_tags(saved, tags, path)
    return _freeze_meta(meta, checkpoint or saved_model.variables_prefix(path), None,
                        signature or "serving_default", path)


def _freeze_meta(meta, checkpoint, outputs, signature, where: str):
    """Freezes a MetaGraphDef; inputs/outputs default to the signature's, when it has one."""
    from ortflow.graph.freeze import freeze_graph
    from ortflow.graph.graph_util import likely_outputs as graph_outputs

    inputs = None
    if signature is not None and meta.signature_def:
        if signature not in meta.signature_def:
            raise ConversionError(f"{where}: no signature {signature!r}; signatures are "
                                  f"{sorted(meta.signature_def)!r}")
        sig = meta.signature_def[signature]
        inputs = [tensor_name(info.name) for _, info in sorted(sig.inputs.items())]
        outputs = [tensor_name(info.name) for _, info in sorted(sig.outputs.items())]
    if outputs is None:
        outputs = [f"{n}:0" for n in graph_outputs(meta.graph_def)]
    if checkpoint is None:
        raise ConversionError(f"{where}: a meta graph needs a checkpoint to freeze; pass "
                              "checkpoint=PREFIX (--checkpoint)")
    frozen = freeze_graph(meta, checkpoint, [split_tensor_name(o)[0] for o in outputs]).graph_def
    return frozen, inputs, outputs


# --------------------------------------------------------------------------------------------
# inputs and outputs


def likely_inputs(graph_def) -> list[str]:
    """Placeholders something consumes, as tensor names ('x:0'), in graph order; and every
    output of an input pipeline's batch source ('IteratorGetNext:0', ':1', ...)."""
    from ortflow.graph.graph_util import PIPELINE_SOURCE_OPS

    consumed = _consumed_nodes(graph_def)
    out = []
    for n in graph_def.node:
        if n.name not in consumed:
            continue
        if n.op in ("Placeholder", "PlaceholderV2"):
            out.append(f"{n.name}:0")
        elif n.op in PIPELINE_SOURCE_OPS:
            from ortflow.graph import ops

            out.extend(f"{n.name}:{k}" for k in range(len(ops.output_dtypes(n))))
    return out


def likely_outputs(graph_def) -> list[str]:
    """Outputs of nodes nobody consumes, minus constants, no-ops and saving/training machinery
    (`ortflow.graph.graph_util.likely_outputs`, as tensor names)."""
    from ortflow.graph.graph_util import likely_outputs as output_ops

    return [f"{name}:0" for name in output_ops(graph_def)]


def _consumed_nodes(graph_def) -> set[str]:
    consumed = set()
    for n in graph_def.node:
        for i in n.input:
            consumed.add(i[1:] if i.startswith("^") else split_tensor_name(i)[0])
    return consumed


def _normalize_names(names) -> list[str] | None:
    if names is None:
        return None
    if isinstance(names, str):
        names = [n for n in names.split(",") if n]
    return [tensor_name(n) for n in names]


# --------------------------------------------------------------------------------------------
# the pipeline


def convert(graph_def_or_path, inputs: Sequence[str] | None = None,
            outputs: Sequence[str] | None = None, opset: int | None = None,
            inputs_as_nchw: Iterable[str] = (), checkpoint: str | None = None,
            tag: str | None = None, signature: str | None = None):
    """Converts a TensorFlow graph to an ONNX model, without TensorFlow.

    Args:
        graph_def_or_path: a GraphDef, a Graph, or a path: frozen .pb/.pbtxt, a .meta (with
            `checkpoint`), or a SavedModel directory (with `tag` / `signature`).
        inputs: graph input tensor names ('input:0'); default: Placeholders something reads.
        outputs: output tensor names; default: tensors of nodes nobody reads.
        opset: target ONNX opset; default `default_opset()`.
        inputs_as_nchw: inputs the ONNX model should take in NCHW instead of NHWC.
        checkpoint: checkpoint prefix for a .meta graph.
        tag, signature: SavedModel tag set and signature key.

    Returns:
        onnx.ModelProto whose graph inputs and outputs carry the TF tensor names.

    Raises:
        UnsupportedOpsError: listing every op without a handler and every failed node.
        ConversionError, GraphError, FormatError: for unusable inputs.
    """
    return convert_with_report(graph_def_or_path, inputs, outputs, opset, inputs_as_nchw,
                               checkpoint, tag, signature).model


def convert_with_report(graph_def_or_path, inputs=None, outputs=None, opset=None,
                        inputs_as_nchw=(), checkpoint=None, tag=None, signature=None,
                        weights: bool = True, check: bool = True) -> ConversionResult:
    """`convert`, returning the model together with counts and timings (for the CLI);
    `weights` and `check` as in `convert_graph_def`."""
    graph_def, default_in, default_out, const_values = _load(graph_def_or_path, checkpoint, tag, signature)
    inputs = _normalize_names(inputs)
    outputs = _normalize_names(outputs)
    if inputs is None:
        inputs = default_in if default_in is not None else likely_inputs(graph_def)
    if outputs is None:
        outputs = default_out if default_out is not None else likely_outputs(graph_def)
    return convert_graph_def(graph_def, inputs, outputs, opset, inputs_as_nchw, weights=weights,
                             const_values=const_values, check=check)


def convert_graph_def(graph_def, inputs: Sequence[str], outputs: Sequence[str],
                      opset: int | None = None, inputs_as_nchw: Iterable[str] = (),
                      optimize: bool = True, weights: bool = True,
                      const_values: dict[str, np.ndarray] | None = None,
                      check: bool = True) -> ConversionResult:
    """Converts a GraphDef given explicit input and output tensor names; see `convert`.

    `optimize=False` skips the ONNX-side rewrites (folding, transpose pushing, fusion): the
    handlers' output as emitted, for comparisons and debugging. `weights=False` leaves the
    initializers out of `result.model` and hands them over as numpy arrays in
    `result.initializers` (for a writer that streams them to a file without building protos).
    `const_values`: values of Const nodes whose `tensor_content` is left out of `graph_def`
    (by name; see `converters.loader`). `check=False` skips onnx shape inference and
    `onnx.checker` (so the model carries no value_info); with `weights=False` too, a model
    that `converters.onnx_wire` can encode comes as `result.model_bytes`, without importing onnx.
    """
    from ortflow.converters import passes_onnx, passes_tf

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if opset is not None and int(opset) < MIN_OPSET:
        raise ConversionError(f"opset {opset} is not supported; ortflow emits opset {MIN_OPSET} or newer")
    inputs = [tensor_name(n) for n in inputs]
    outputs = [tensor_name(n) for n in outputs]
    nchw = {tensor_name(n) for n in inputs_as_nchw}
    if not outputs:
        raise ConversionError("no outputs to convert: pass outputs=[...] (--outputs)")
    unknown = nchw - set(inputs)
    if unknown:
        raise ConversionError(f"inputs_as_nchw names {sorted(unknown)!r}, which are not graph inputs "
                              f"{inputs!r}")
    n_tf = len(graph_def.node)
    graph_def, facts = passes_tf.run_tf_passes(graph_def, inputs, outputs, const_values)
    opset = default_opset_for(graph_def) if opset is None else int(opset)
    timings["tf_passes"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    try:
        ctx = _lower_graph(graph_def, inputs, outputs, opset, nchw, facts)
    finally:
        release_arena()  # the weights made so far keep their chunks; no later conversion adds to them
    timings["lowering"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    output_infos = [_boundary_info(o, facts.dtypes.get(o), facts.shapes.get(o)) for o in outputs]
    graph = passes_onnx.OGraph.from_context(ctx, ctx.graph_inputs_info, output_infos)
    if optimize:
        passes_onnx.run_onnx_passes(graph)
    else:
        passes_onnx.remove_dead_nodes(graph)
    model = model_bytes = None
    if not check and not weights:
        from ortflow.converters import onnx_wire

        model_bytes = onnx_wire.encode_model(graph, opset, ctx.opset_imports, passes_onnx._version())
    if model_bytes is None:
        model = graph.to_model(opset, ctx.opset_imports, weights=False)
    timings["onnx_passes"] = time.perf_counter() - t2
    if check:
        t3 = time.perf_counter()
        # shape inference + full check, on the weight-less skeleton
        passes_onnx.infer_value_info(model, graph.initializers)
        timings["check"] = time.perf_counter() - t3
    result = ConversionResult(model, n_tf, len(graph_def.node), len(graph.nodes),
                              sum(1 for n in graph.nodes if n.op_type == "Transpose"),
                              opset, inputs, outputs, timings, model_bytes=model_bytes)
    if weights:
        t4 = time.perf_counter()
        passes_onnx.add_initializers(model.graph, graph.initializers)
        timings["weights"] = time.perf_counter() - t4
    else:
        result.initializers = graph.initializers
    return result


def _lower_graph(graph_def, inputs, outputs, opset, nchw, facts) -> ConversionContext:
    nodes_by_name = {n.name: n for n in graph_def.node}
    ctx = ConversionContext(opset, nodes_by_name, facts.dtypes, facts.shapes, facts.values,
                            facts.num_outputs)
    for name in nodes_by_name:
        for i in range(max(1, ctx.num_outputs(name))):
            ctx.namespace.reserve(f"{name}:{i}")
    ctx.graph_inputs_info = _declare_inputs(ctx, inputs, nchw, facts)
    fed = set(inputs)
    fed_sources = {split_tensor_name(t)[0] for t in inputs}
    unsupported: dict[str, list[str]] = {}
    failures: list[tuple[str, str, str]] = []
    for node_def in facts.order:
        name = node_def.name
        if name in ctx.converted or (f"{name}:0" in fed and node_def.op in _GRAPH_INPUT_OPS):
            continue
        if name in fed_sources and not node_def.input:  # a fed multi-output node (see prune)
            continue
        if node_def.op in _GRAPH_INPUT_OPS and node_def.op != "PlaceholderWithDefault":
            failures.append((node_def.op, name, (f"Placeholder {name!r} is read by the outputs but "
                                                 "is not among the inputs; add it to inputs")))
            continue
        try:
            if not lower_node(ctx, node_def):
                unsupported.setdefault(node_def.op, []).append(name)
        except ConversionError as e:
            failures.append((node_def.op, name, str(e)))
        except Exception as e:
            failures.append((node_def.op, name, f"{node_def.op} node {name!r}: {type(e).__name__}: {e}"))
    if unsupported or failures:
        raise UnsupportedOpsError(unsupported, failures, opset)
    return ctx


def _declare_inputs(ctx: ConversionContext, inputs, nchw, facts) -> list:
    """Graph inputs' (name, DType, dims) with symbolic names for unknown dims."""
    infos = []
    for k, name in enumerate(inputs):
        dtype = facts.dtypes.get(name)
        if dtype is None:
            raise ConversionError(f"input {name!r} is not a tensor of the graph")
        shape = facts.shapes.get(name)
        dims = None
        if shape is not None:
            # one name per unknown dim of each input: a shared name would assert equal sizes
            dims = [d if d is not None else f"{name.split(':')[0]}_d{i}"
                    for i, d in enumerate(shape)]
        if name in nchw:
            if dims is None or len(dims) < 3:
                raise ConversionError(f"input {name!r} cannot be taken as NCHW: its rank is not known "
                                      "or below 3")
            perm = [0, len(dims) - 1] + list(range(1, len(dims) - 1))
            dims = [dims[p] for p in perm]
            back = [0] + list(range(2, len(dims))) + [1]
            nhwc = ctx.make_node("Transpose", [name], {"perm": back},
                                 name=f"{name.split(':')[0]}/to_nhwc", dtypes_=[dtype])[0]
            ctx.alias(nhwc, name)
        _, dtype, dims = _boundary_info(name, dtype, dims)
        ctx.value_dtypes[name] = dtype
        infos.append((name, dtype, dims))
    return infos


def _boundary_info(name: str, dtype, shape):
    """(name, dtype, shape) of a graph input or output as the ONNX graph declares it: a complex
    tensor is its real pairs, with a trailing dim of 2 (see converters/signal.py)."""
    if dtype is not None and dtype.base_dtype.is_complex:
        from ortflow.converters.signal import real_dtype_of

        return name, real_dtype_of(dtype.base_dtype), None if shape is None else list(shape) + [2]
    return name, dtype, shape


def lower_node(ctx: ConversionContext, node_def) -> bool:
    """Lowers one TF node into `ctx`; returns False when no handler exists for its op type.

    Raises:
        ConversionError: from the handler.
    """
    op = node_def.op
    if op == "Const":
        _lower_const(ctx, node_def)
        return True
    if op == "NoOp":
        return True
    h = lookup(op, ctx.opset)
    node = NodeView(ctx, node_def)
    if h is None:
        if op in _PASS_THROUGH_OPS or op == "PlaceholderWithDefault":
            for i in range(node.num_inputs if op == "IdentityN" else 1):
                ctx.alias(node.input(i), node.output(i))
            return True
        later = [v.since for v in registered_ops().get(op, ()) if v.since > ctx.opset]
        if later:  # say so instead of "no handler": a higher opset converts it
            raise ConversionError(f"{op} node {node_def.name!r}: converted from opset {min(later)} on, "
                                  f"not at opset {ctx.opset}")
        return False
    prev = ctx.current
    ctx.current = node
    try:
        h.func(ctx, node)
    finally:
        ctx.current = prev
    return True


def _lower_const(ctx: ConversionContext, node_def) -> None:
    name = f"{node_def.name}:0"
    value = ctx.tensor_value(name)
    if value is None:
        from ortflow.formats.tensors import make_ndarray

        value = make_ndarray(node_def.attr["value"].tensor)
    dtype = ctx.tensor_dtype(name)
    if dtype is not None and dtype.base_dtype.is_complex:
        # complex values are (real, imaginary) pairs in a trailing dim (converters/signal.py)
        from ortflow.converters.signal import complex_pairs, real_dtype_of

        ctx.initializers[name] = complex_pairs(value, dtype)
        ctx.value_dtypes[name] = real_dtype_of(dtype)
        return
    if dtype is not None and value.dtype != np.dtype(dtype.base_dtype.as_numpy_dtype):
        value = value.astype(dtype.base_dtype.as_numpy_dtype)
    ctx.initializers[name] = value
    if dtype is not None:
        ctx.value_dtypes[name] = dtype
