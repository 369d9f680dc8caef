"""`tf.summary` (TF 1.x): ops that build serialized `Summary` protos, `merge`/`merge_all`, FileWriter.

Each op opens a name scope named after the summary (inside `family/` when given) and uses the
scope's full name as the tag, so `tf.summary.scalar("mean", x)` inside `name_scope("summaries")`
is tagged `summaries/mean`, and a second `scalar("loss", ...)` gets `loss_1`, as in TensorFlow.
The ops are added to the SUMMARIES collection (or `collections`); their numpy kernels live in
`ortflow.graph.ops.kernels_summary`.
"""

from __future__ import annotations

import re

from ortflow.api.ops_builder import apply_op_output, convert_to_tensor, graph_of
from ortflow.api.summary_writer import FileWriter, FileWriterCache, summary_iterator
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import GraphKeys, get_default_graph
from ortflow.proto import Event, SessionLog, Summary, SummaryMetadata, TaggedRunMetadata
from ortflow.proto.event_pb2 import SummaryDescription

__all__ = [
    "Event",
    "FileWriter",
    "FileWriterCache",
    "SessionLog",
    "Summary",
    "SummaryDescription",
    "SummaryMetadata",
    "TaggedRunMetadata",
    "audio",
    "get_summary_description",
    "histogram",
    "image",
    "merge",
    "merge_all",
    "scalar",
    "summary_iterator",
    "tensor_summary",
    "text",
]

_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w\.]")


def _clean_tag(name):
    # TF replaces characters a name scope cannot hold and drops leading slashes (with a log line).
    if name is None:
        return None
    new_name = _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")
    return new_name


class _SummaryScope:
    """Opens the summary's name scope; gives (tag, scope)."""

    def __init__(self, name, family, values):
        self._name = _clean_tag(name)
        self._family = _clean_tag(family)
        self._graph = graph_of(*(values or []))
        self._ctx = None

    def __enter__(self):
        base = self._name if self._family is None else f"{self._family}/{self._name}"
        self._default = self._graph.as_default()
        self._default.__enter__()
        self._ctx = self._graph.name_scope(base)
        scope = self._ctx.__enter__()
        tag = scope.rstrip("/") if self._family is None else f"{self._family}/{scope.rstrip('/')}"
        return tag, scope

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)
        self._default.__exit__(*exc)


def _collect(op_output, collections, default):
    g = op_output.graph
    for key in (collections if collections is not None else default):
        g.add_to_collection(key, op_output)


def scalar(name, tensor, collections=None, family=None):
    """A `ScalarSummary` of a real scalar, tagged with the summary's scope name.

    Raises:
        ValueError: the tensor is not a scalar.
    """
    with _SummaryScope(name, family, [tensor]) as (tag, scope):
        tensor = convert_to_tensor(tensor)
        if tensor.shape.rank not in (None, 0):
            raise ValueError(f"Shape {tensor.shape} must have rank 0")
        out = apply_op_output("ScalarSummary", [tag, tensor], name=scope)
    _collect(out, collections, [GraphKeys.SUMMARIES])
    return out


def histogram(name, values, collections=None, family=None):
    """A `HistogramSummary` of any real tensor."""
    with _SummaryScope(name, family, [values]) as (tag, scope):
        out = apply_op_output("HistogramSummary", [tag, values], name=scope)
    _collect(out, collections, [GraphKeys.SUMMARIES])
    return out


def image(name, tensor, max_outputs=3, collections=None, family=None):
    """An `ImageSummary` of [batch, height, width, channels] images (PNG-encoded when run)."""
    with _SummaryScope(name, family, [tensor]) as (tag, scope):
        out = apply_op_output("ImageSummary", [tag, tensor], {"max_images": int(max_outputs)}, name=scope)
    _collect(out, collections, [GraphKeys.SUMMARIES])
    return out


def audio(name, tensor, sample_rate, max_outputs=3, collections=None, family=None):
    """An `AudioSummaryV2` of [batch, frames(, channels)] samples in [-1, 1] (WAV when run)."""
    with _SummaryScope(name, family, [tensor]) as (tag, scope):
        rate = convert_to_tensor(sample_rate, dtype=_dtypes.float32, name="sample_rate")
        out = apply_op_output("AudioSummaryV2", [tag, tensor, rate], {"max_outputs": int(max_outputs)},
                              name=scope)
    _collect(out, collections, [GraphKeys.SUMMARIES])
    return out


def tensor_summary(name, tensor, summary_description=None, collections=None, summary_metadata=None,
                   family=None, display_name=None):
    """A `TensorSummaryV2` carrying `summary_metadata`, named after its scope."""
    if summary_metadata is None:
        summary_metadata = SummaryMetadata()
    if summary_description is not None:
        summary_metadata.summary_description = summary_description
    if display_name is not None:
        summary_metadata.display_name = display_name
    serialized = summary_metadata.SerializeToString()
    with _SummaryScope(name, family, [tensor]) as (tag, scope):
        out = apply_op_output("TensorSummaryV2", [tag, tensor, serialized], name=scope)
    _collect(out, collections, [GraphKeys.SUMMARIES])
    return out


def text(name, tensor, collections=None):
    """A text summary: a string tensor in a TensorSummaryV2 for TensorBoard's "text" plugin.

    Raises:
        ValueError: the tensor is not of type string.
    """
    tensor = convert_to_tensor(tensor)
    if tensor.dtype.base_dtype != _dtypes.string:
        raise ValueError(f"Expected tensor {tensor.name} to have dtype string, got {tensor.dtype.name}")
    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="text"))
    return tensor_summary(name, tensor, summary_metadata=metadata, collections=collections)


def merge(inputs, collections=None, name=None):
    """Concatenates serialized summaries (`MergeSummary`, named `Merge/MergeSummary` by default)."""
    inputs = list(inputs)
    g = graph_of(inputs)
    with g.as_default(), g.name_scope(name or "Merge"):
        out = apply_op_output("MergeSummary", [inputs], name=name or "MergeSummary")
    if collections:
        _collect(out, collections, [])
    return out


def merge_all(key=GraphKeys.SUMMARIES, scope=None, name=None):
    """Merges every summary in collection `key` (None when there are none)."""
    ops = get_default_graph().get_collection(key, scope)
    if not ops:
        return None
    return merge(ops, name=name)


def get_summary_description(node_def) -> SummaryDescription:
    """The SummaryDescription of a TensorSummary node's `description` attr."""
    if node_def.op != "TensorSummary":
        raise ValueError(f"Can't get_summary_description on {node_def.op}")
    description = SummaryDescription()
    description.ParseFromString(node_def.attr["description"].s)
    return description
