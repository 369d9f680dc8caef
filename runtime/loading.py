"""Open a model file as a runnable Session: frozen graphs, .meta + checkpoint, SavedModel, .onnx.

`load(path)` returns `(session, inputs, outputs)`: a Session (or, for an .onnx file, an
`OnnxSession` with the same `run`), the default input tensor names and the default output
tensor names (placeholders and unconsumed tensors, or the SavedModel signature's).
"""

from __future__ import annotations

import os
import pathlib
from typing import Any

import numpy as np
from ortflow.errors import FormatError, NotFoundError

__all__ = ["OnnxSession", "default_inputs", "default_outputs", "load", "restore_variables"]


class OnnxSession:
    """A Session-like runner for an .onnx model (as written by `ortflow convert`).

    Feeds and fetches are the ONNX graph's input and output names, which `ortflow convert`
    keeps equal to the TensorFlow tensor names.
    """

    def __init__(self, path: str | os.PathLike, providers: Any = "auto", config=None):
        import onnxruntime as ort
        from ortflow.runtime.config import make_session_options
        from ortflow.runtime.session import resolve_providers

        self.path = str(path)
        try:
            self._session = ort.InferenceSession(self.path, make_session_options(config),
                                                 providers=resolve_providers(providers))
        except Exception as e:
            raise FormatError(f"{self.path}: onnxruntime cannot load it: {e}") from e
        self.inputs = {i.name: i for i in self._session.get_inputs()}
        self.outputs = [o.name for o in self._session.get_outputs()]
        self.graph = None
        self.last_run_backend = "onnxruntime"

    def run(self, fetches, feed_dict=None):
        """Runs the model; `fetches` is an output name or a list of them."""
        single = isinstance(fetches, str)
        names = [fetches] if single else list(fetches)
        for name in names:
            if name not in self.outputs:
                raise NotFoundError(None, None, f"{self.path}: the model has no output {name!r}; it "
                                    f"has {self.outputs}")
        feeds = {}
        for key, value in (feed_dict or {}).items():
            name = key if key in self.inputs else f"{key}:0"
            if name not in self.inputs:
                raise NotFoundError(None, None, f"{self.path}: the model has no input {key!r}; it "
                                    f"has {list(self.inputs)}")
            feeds[name] = np.asarray(value, dtype=_onnx_numpy_type(self.inputs[name].type))
        results = self._session.run(names, feeds)
        return results[0] if single else results

    def close(self) -> None:
        self._session = None


_ONNX_NUMPY = {"tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(int32)": np.int32,
               "tensor(int64)": np.int64, "tensor(bool)": np.bool_, "tensor(uint8)": np.uint8,
               "tensor(int8)": np.int8, "tensor(float16)": np.float16, "tensor(string)": object,
               "tensor(int16)": np.int16, "tensor(uint16)": np.uint16}


def _onnx_numpy_type(onnx_type: str):
    return _ONNX_NUMPY.get(onnx_type)


def default_inputs(graph_def) -> list[str]:
    """The graph's likely inputs as tensor names: consumed Placeholders and the outputs of an
    input pipeline's batch source (`ortflow.converters.driver.likely_inputs`)."""
    from ortflow.converters.driver import likely_inputs

    return likely_inputs(graph_def)


def default_outputs(graph_def) -> list[str]:
    """The graph's likely outputs as tensor names: nodes nobody consumes, minus constants,
    variables and saving, training, summary and input-pipeline machinery
    (`ortflow.converters.driver.likely_outputs`)."""
    from ortflow.converters.driver import likely_outputs

    return likely_outputs(graph_def)


def _graph_from_def(graph_def):
    """A Graph holding `graph_def` (names unchanged)."""
    from ortflow.graph import Graph
    from ortflow.graph.importer import import_graph_def

    graph = Graph()
    with graph.as_default():
        import_graph_def(graph_def, name="")
    return graph


def restore_variables(session, meta_graph, checkpoint: str) -> list[str]:
    """Assigns the variables of `meta_graph` from the TensorBundle `checkpoint` (a prefix).

    Each variable is looked up under its op name (how `tf.compat.v1.train.Saver` keys them);
    a partitioned variable's part is cut from the full tensor by its SaveSliceInfoDef.

    Returns:
        the names of the variables restored.

    Raises:
        NotFoundError: when a variable is not in the checkpoint.
    """
    from ortflow.formats.checkpoint_v1 import open_checkpoint
    from ortflow.proto import VariableDef

    values = {}
    with open_checkpoint(checkpoint) as reader:
        seen = set()
        for key in ("variables", "trainable_variables", "local_variables", "model_variables"):
            if key not in meta_graph.collection_def:
                continue
            for raw in meta_graph.collection_def[key].bytes_list.value:
                var = VariableDef.FromString(raw)
                op_name = var.variable_name.split(":")[0]
                if op_name in seen:
                    continue
                seen.add(op_name)
                values[op_name] = _checkpoint_value(reader, var, op_name, checkpoint)
    session.assign_variables(values)
    return sorted(values)


def _checkpoint_value(reader, var, op_name: str, checkpoint: str) -> np.ndarray:
    info = var.save_slice_info_def
    if info.full_name:
        spec = [(int(o), int(n)) for o, n in zip(info.var_offset, info.var_shape)]
        return reader.get_tensor_slice(info.full_name, spec)
    if not reader.has_tensor(op_name):
        raise NotFoundError(None, None, f"{checkpoint}: Key {op_name} not found in checkpoint "
                            f"(variable {var.variable_name!r})")
    return reader.get_tensor(op_name)


def _latest_checkpoint(path: pathlib.Path) -> str | None:
    """The checkpoint prefix beside a .meta file: same stem, else the dir's latest."""
    stem = str(path)[: -len(".meta")]
    from ortflow.formats.checkpoint_management import checkpoint_exists, latest_checkpoint

    if checkpoint_exists(stem):  # V2 `stem.index`, or a V1 file named `stem`
        return stem
    return latest_checkpoint(str(path.parent))


def _load_meta(path: pathlib.Path, meta, checkpoint, providers, config):
    from ortflow.graph import Graph
    from ortflow.graph.meta_graph import import_meta_graph
    from ortflow.runtime.session import Session

    graph = Graph()
    with graph.as_default():
        saver = import_meta_graph(meta)
    session = Session(graph=graph, config=config, providers=providers)
    prefix = checkpoint or _latest_checkpoint(path)
    if prefix is not None:
        if saver is not None:
            saver.restore(session, prefix)
        else:
            restore_variables(session, meta, prefix)
    _initialize_tables(session, meta)
    return session, default_inputs(meta.graph_def), _meta_outputs(meta)


_TRAINING_PREFIXES = ("gradients/", "save/", "report_uninitialized", "init", "train", "Merge/")


def _meta_outputs(meta) -> list[str]:
    """Default fetches of a training MetaGraphDef: unconsumed tensors that depend on a placeholder,
    leaving out gradients, optimizer slots, summaries and saver nodes."""
    if meta.signature_def:
        sig = meta.signature_def.get("serving_default") or next(iter(meta.signature_def.values()))
        return [sig.outputs[k].name for k in sorted(sig.outputs)]
    fed = _placeholder_dependents(meta.graph_def)
    return [t for t in default_outputs(meta.graph_def)
            if t.split(":")[0] in fed and not t.startswith(_TRAINING_PREFIXES)
            and "/Adam" not in t and "Summary" not in t]


def _placeholder_dependents(graph_def) -> set[str]:
    """Names of the nodes that (transitively) read a placeholder."""
    consumers: dict[str, list[str]] = {}
    for node in graph_def.node:
        for inp in node.input:
            if not inp.startswith("^"):
                consumers.setdefault(inp.split(":")[0], []).append(node.name)
    stack = [n.name for n in graph_def.node if n.op in ("Placeholder", "PlaceholderV2")]
    seen: set[str] = set()
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(consumers.get(name, ()))
    return seen


def _load_saved_model(path: pathlib.Path, tag, signature, providers, config):
    from ortflow.graph import Graph, saved_model
    from ortflow.runtime.session import Session

    graph = Graph()
    session = Session(graph=graph, config=config, providers=providers)
    tags = (tag or saved_model.tag_constants.SERVING).split(",")
    with graph.as_default():
        meta = saved_model.load(session, tags, path)
    _initialize_tables(session, meta, export_dir=path)
    key = signature or saved_model.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY
    if key not in meta.signature_def:
        if signature is not None or not meta.signature_def:
            raise NotFoundError(None, None, f"{path}: no signature {key!r}; it has "
                                f"{sorted(meta.signature_def)}")
        key = min(meta.signature_def)
    sig = meta.signature_def[key]
    inputs = [sig.inputs[k].name for k in sorted(sig.inputs)]
    outputs = [sig.outputs[k].name for k in sorted(sig.outputs)]
    # The signature's own keys ("x", "probabilities") name tensors too, for `ortflow run`.
    session.signature_keys = {**{k: v.name for k, v in sig.outputs.items()},
                              **{k: v.name for k, v in sig.inputs.items()}}
    return session, inputs, outputs


def _initialize_tables(session, meta=None, graph_def=None, export_dir=None) -> None:
    # A model with lookup tables is usable only once they are filled: run what fills them, as
    # TensorFlow's loaders do (see runtime/tables.py).
    from ortflow.runtime.tables import initialize_tables

    initialize_tables(session, meta, graph_def, export_dir)


def load(path: str | os.PathLike, checkpoint: str | None = None, tag: str | None = None,
         signature: str | None = None, providers: Any = "auto", config=None):
    """Opens a model for running.

    Args:
        path: a frozen GraphDef (.pb / .pbtxt), a MetaGraphDef (.meta, restored from
            `checkpoint` or the checkpoint beside it), a SavedModel directory, or an .onnx file.
        checkpoint: checkpoint prefix for a .meta graph.
        tag: SavedModel tag set, comma-separated (default 'serve').
        signature: SavedModel signature key (default 'serving_default').
        providers: 'auto', 'cpu', 'cuda' (see `Session`).
        config: a ConfigProto.

    Returns:
        (session, input tensor names, output tensor names).

    Raises:
        FormatError: for a file that is none of these.
        NotFoundError: for a missing tag set, signature or checkpoint key.
    """
    from ortflow.formats.graphs import read_graph

    p = pathlib.Path(path)
    if p.suffix == ".onnx":
        session = OnnxSession(p, providers=providers, config=config)
        return session, list(session.inputs), list(session.outputs)
    message = read_graph(p)
    kind = type(message).__name__
    if kind == "SavedModel":
        root = p if p.is_dir() else p.parent
        return _load_saved_model(root, tag, signature, providers, config)
    if kind == "MetaGraphDef":
        return _load_meta(p, message, checkpoint, providers, config)
    from ortflow.runtime.session import Session

    session = Session(graph=_graph_from_def(message), config=config, providers=providers)
    _initialize_tables(session, graph_def=message)
    return session, default_inputs(message), default_outputs(message)
