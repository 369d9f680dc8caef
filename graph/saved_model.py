"""TensorFlow 1.x SavedModels: pick a MetaGraphDef by tags, restore variables, list signatures."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable

from ortflow.errors import GraphError, NotFoundError
from ortflow.graph.tensor_shape import TensorShape
from ortflow.proto import MetaGraphDef, SavedModel

__all__ = [
    "tag_constants",
    "signature_constants",
    "SignatureTensor",
    "read_saved_model",
    "meta_graph_by_tags",
    "variables_prefix",
    "signatures",
    "load",
]


class tag_constants:
    """Standard MetaGraphDef tags."""

    SERVING = "serve"
    TRAINING = "train"
    GPU = "gpu"
    TPU = "tpu"


class signature_constants:
    """Standard SignatureDef keys and method names."""

    DEFAULT_SERVING_SIGNATURE_DEF_KEY = "serving_default"
    PREDICT_METHOD_NAME = "tensorflow/serving/predict"
    CLASSIFY_METHOD_NAME = "tensorflow/serving/classify"
    REGRESS_METHOD_NAME = "tensorflow/serving/regress"
    PREDICT_INPUTS = "inputs"
    PREDICT_OUTPUTS = "outputs"


@dataclasses.dataclass(frozen=True)
class SignatureTensor:
    """One input or output of a signature: its key, tensor name, dtype and static shape."""

    key: str
    name: str
    dtype: object
    shape: TensorShape


def read_saved_model(export_dir: str | os.PathLike) -> SavedModel:
    """Reads `saved_model.pb` (or `.pbtxt`) from `export_dir`.

    Raises:
        NotFoundError: neither file exists.
        FormatError: the file is malformed.
    """
    from ortflow.formats.graphs import read_graph
    export_dir = os.fspath(export_dir)
    if not any(os.path.exists(os.path.join(export_dir, f)) for f in ("saved_model.pb", "saved_model.pbtxt")):
        raise NotFoundError(None, None, f"SavedModel file does not exist at: {export_dir}/"
                                        "{saved_model.pbtxt|saved_model.pb}")
    return read_graph(export_dir, expected="SavedModel")


def meta_graph_by_tags(saved_model: SavedModel, tags: Iterable[str] | str | None, where: str = "") -> MetaGraphDef:
    """The MetaGraphDef whose tag set equals `tags` (a single meta graph is taken when tags is None).

    Raises:
        GraphError: no meta graph has those tags; the message lists the tag sets there are.
    """
    available = [sorted(m.meta_info_def.tags) for m in saved_model.meta_graphs]
    if tags is None:
        if len(saved_model.meta_graphs) == 1:
            return saved_model.meta_graphs[0]
        tags = [tag_constants.SERVING]
    wanted = {tags} if isinstance(tags, str) else set(tags)
    for meta in saved_model.meta_graphs:
        if set(meta.meta_info_def.tags) == wanted:
            return meta
    place = f" in {where}" if where else ""
    raise GraphError(f"MetaGraphDef associated with tags {sorted(wanted)!r} could not be found{place}. "
                     f"Available tag sets: {available!r}")


def variables_prefix(export_dir: str | os.PathLike) -> str:
    """The checkpoint prefix of a SavedModel's variables: `export_dir/variables/variables`."""
    return os.path.join(os.fspath(export_dir), "variables", "variables")


def signatures(meta: MetaGraphDef) -> dict[str, dict[str, list[SignatureTensor]]]:
    """Signature key -> {"inputs": [...], "outputs": [...]} with tensor names, dtypes, shapes."""
    from ortflow.formats import dtypes
    out = {}
    for key, sig in meta.signature_def.items():
        entry = {}
        for side in ("inputs", "outputs"):
            entry[side] = [
                SignatureTensor(k, info.name, dtypes.as_dtype(info.dtype) if info.dtype else None,
                                TensorShape(info.tensor_shape) if info.HasField("tensor_shape") else TensorShape(None))
                for k, info in sorted(getattr(sig, side).items())]
        out[key] = entry
    return out


def load(sess, tags, export_dir: str | os.PathLike, import_scope: str | None = None, **saver_kwargs) -> MetaGraphDef:
    """Loads a SavedModel's graph into the default graph and, with a session, its variables.

    Args:
        sess: a session exposing `assign_variables({op_name: value})`, or None to only import
            the graph (variables are then left to the caller).
        tags: the tag set of the MetaGraphDef to load (e.g. `[tag_constants.SERVING]`).
        export_dir: the SavedModel directory.
        import_scope: a name prefix for the imported nodes.

    Returns:
        The MetaGraphDef that was loaded.

    Raises:
        NotFoundError: no SavedModel in `export_dir`.
        GraphError: no MetaGraphDef with those tags (the message lists the tag sets there are).
    """
    from ortflow.graph.meta_graph import import_meta_graph
    saved = read_saved_model(export_dir)
    meta = meta_graph_by_tags(saved, tags, os.fspath(export_dir))
    saver = import_meta_graph(meta, import_scope=import_scope, **saver_kwargs)
    prefix = variables_prefix(export_dir)
    if sess is not None and os.path.exists(prefix + ".index"):
        if saver is None:
            raise GraphError(f"{export_dir}: the SavedModel has a variables checkpoint but its graph has "
                             "no saver and no variables to restore")
        saver.restore(sess, prefix)
    return meta
