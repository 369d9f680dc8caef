"""`ortflow inspect PATH [--json] [--tensor NAME]`: describe a graph, meta graph, SavedModel or checkpoint.

For a graph file (.pb, .pbtxt, .meta, a SavedModel directory) it reports the kind, producer
version, node count and op histogram, the likely inputs and outputs, variables, collections and
signatures (as `saved_model_cli show --all` lists them). Checkpoints go to `ortflow.commands.ckpt`.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys

from ortflow.formats import dtypes
from ortflow.formats.graphs import read_graph
from ortflow.formats.tensors import make_ndarray, shape_from_proto
from ortflow.graph.graph_util import MACHINERY_SCOPE, PLACEHOLDER_OPS, likely_inputs, likely_outputs
from ortflow.graph import saved_model
from ortflow.proto import GraphDef, MetaGraphDef, SavedModel, VariableDef

__all__ = ["add_arguments", "describe", "likely_inputs", "likely_outputs", "run"]

_DTYPE_ATTRS = ("T", "dtype", "out_type", "DstT", "Tout", "output_type")


# --------------------------------------------------------------------------- CLI wiring

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", metavar="PATH", nargs="+",
                        help="a .pb/.pbtxt/.meta file, a SavedModel directory, or a checkpoint "
                             "(prefix, .index file or directory with a 'checkpoint' file); with several "
                             "PATHs, each is described in turn (--json: a JSON array)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--tensor", metavar="NAME",
                        help="print one tensor's value: a checkpoint tensor, or a Const node of a graph")


def run(args: argparse.Namespace) -> int:
    if len(args.paths) == 1:
        return _inspect_one(args.paths[0], args.json, args.tensor)
    if args.tensor is not None:
        raise ValueError("--tensor takes a single PATH")
    if not args.json:
        for path in args.paths:
            _inspect_one(path, False, None)
            print()
        return 0
    docs = []
    for path in args.paths:
        if not _is_saved_model_dir(path) and _is_checkpoint(_checkpoint_in_dir(path)):
            raise ValueError(f"{path}: --json with several PATHs takes graph files only; inspect "
                             "checkpoints one at a time")
        docs.append(describe(_read(path), path))
    print(json.dumps(docs, indent=1))
    return 0


def _read(path: str):
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file or directory")
    return read_graph(path)


def _inspect_one(path: str, as_json: bool, tensor: str | None) -> int:
    path = _checkpoint_in_dir(path)
    if not _is_saved_model_dir(path) and _is_checkpoint(path):
        from ortflow.commands import ckpt
        return ckpt.inspect_checkpoint(path, as_json=as_json, tensor=tensor)
    message = _read(path)
    if tensor is not None:
        return _print_const(message, tensor, path, as_json)
    info = describe(message, path)
    if as_json:
        print(json.dumps(info, indent=1))
    else:
        _print_text(info)
    return 0


def _is_saved_model_dir(path: str) -> bool:
    return os.path.isdir(path) and any(
        os.path.isfile(os.path.join(path, f)) for f in ("saved_model.pb", "saved_model.pbtxt"))


def _checkpoint_in_dir(path: str) -> str:
    """A directory with no SavedModel and no `checkpoint` state file but one `*.index` -> its prefix."""
    if not os.path.isdir(path) or _is_saved_model_dir(path) or os.path.isfile(os.path.join(path, "checkpoint")):
        return path
    indexes = sorted(f for f in os.listdir(path) if f.endswith(".index"))
    return os.path.join(path, indexes[0][: -len(".index")]) if len(indexes) == 1 else path


def _is_checkpoint(path: str) -> bool:
    """Checkpoint detection lives with the checkpoint command; imported only when needed."""
    try:
        from ortflow.commands.ckpt import is_checkpoint
    except ImportError:  # the checkpoint command is not there: fall back to the file layout
        return os.path.isfile(path + ".index") or path.endswith(".index") or (
            os.path.isdir(path) and os.path.isfile(os.path.join(path, "checkpoint")))
    return is_checkpoint(path)


# --------------------------------------------------------------------------- analysis

def _node_name(tensor_or_input: str) -> str:
    name = tensor_or_input.removeprefix("^")
    head, sep, tail = name.rpartition(":")
    return head if sep and tail.isdigit() else name


def _dtype_name(enum: int) -> str | None:
    try:
        return dtypes.as_dtype(enum).name if enum else None
    except TypeError:
        return None


def _shape_list(shape_proto) -> list | None:
    return shape_from_proto(shape_proto)


def _output_count_and_dtypes(node) -> list[str | None]:
    """Dtype names of the node's outputs, from the op registry when it is there, else from attrs."""
    try:
        from ortflow.graph.ops import output_dtypes
        return [d.base_dtype.name for d in output_dtypes(node)]
    except Exception:
        pass
    for attr in _DTYPE_ATTRS:
        if attr in node.attr and node.attr[attr].WhichOneof("value") == "type":
            return [_dtype_name(node.attr[attr].type)]
    return [None]


def _inferred_shapes(graph_def: GraphDef) -> dict:
    """Static shapes from ortflow's shape inference, when it is available and succeeds."""
    try:
        from ortflow.graph.ops import infer_graph_def
        return infer_graph_def(graph_def, fold_limit=1 << 12)
    except Exception:
        return {}


def _tensor_entry(node, index: int, dtype: str | None, inferred: dict) -> dict:
    shape = None
    if "_output_shapes" in node.attr and len(node.attr["_output_shapes"].list.shape) > index:
        shape = _shape_list(node.attr["_output_shapes"].list.shape[index])
    elif node.op in PLACEHOLDER_OPS and "shape" in node.attr:
        shape = _shape_list(node.attr["shape"].shape)
    else:
        meta = inferred.get(f"{node.name}:{index}")
        known = getattr(meta, "shape", None)
        shape = list(known) if known is not None else None
        if dtype is None and getattr(meta, "dtype", None) is not None:
            dtype = meta.dtype.base_dtype.name
    return {"name": f"{node.name}:{index}", "dtype": dtype, "shape": shape}


def _describe_nodes(graph_def, names: list[str], inferred: dict) -> list[dict]:
    by_name = {n.name: n for n in graph_def.node}
    out = []
    for name in names:
        node = by_name[name]
        if node.op in PLACEHOLDER_OPS:
            types = [_dtype_name(node.attr["dtype"].type)]
        else:
            types = _output_count_and_dtypes(node)
        for index, dtype in enumerate(types or [None]):
            out.append(_tensor_entry(node, index, dtype, inferred))
    return out


def _tensor_info(info) -> dict:
    shape = None if not info.HasField("tensor_shape") else _shape_list(info.tensor_shape)
    base = info.dtype - 100 if info.dtype > 100 else info.dtype
    entry = {"name": info.name, "dtype": _dtype_name(base), "shape": shape}
    if info.WhichOneof("encoding") == "coo_sparse":
        entry["coo_sparse"] = {"values": info.coo_sparse.values_tensor_name,
                               "indices": info.coo_sparse.indices_tensor_name,
                               "dense_shape": info.coo_sparse.dense_shape_tensor_name}
    return entry


def _signatures(metas: list[MetaGraphDef]) -> list[dict]:
    out = []
    for meta in metas:
        for key in sorted(meta.signature_def):
            sig = meta.signature_def[key]
            out.append({
                "tags": list(meta.meta_info_def.tags), "key": key, "method_name": sig.method_name,
                "inputs": {k: _tensor_info(v) for k, v in sorted(sig.inputs.items())},
                "outputs": {k: _tensor_info(v) for k, v in sorted(sig.outputs.items())},
            })
    return out


def _variables(meta: MetaGraphDef | None, graph_def: GraphDef) -> list[dict]:
    by_name = {n.name: n for n in graph_def.node}
    found: dict[str, dict] = {}
    trainable: set[str] = set()
    if meta is not None:
        for coll in ("variables", "trainable_variables", "local_variables", "model_variables"):
            if coll not in meta.collection_def:
                continue
            for raw in meta.collection_def[coll].bytes_list.value:
                try:
                    var = VariableDef.FromString(raw)
                except Exception:
                    continue
                name = _node_name(var.variable_name)
                found.setdefault(name, {"name": name})
                if coll == "trainable_variables" or var.trainable:
                    trainable.add(name)
    for node in graph_def.node:
        if node.op in ("VariableV2", "Variable", "VarHandleOp") and not MACHINERY_SCOPE.search(node.name):
            found.setdefault(node.name, {"name": node.name})
    tf2 = saved_model.tf2_variables(meta) if meta is not None and saved_model.is_tf2(meta) else {}
    if tf2:  # only the variables the signatures capture; `trainable` is in the object graph
        found = {handle: {"name": var.name or handle, "node": handle} for handle, var in tf2.items()}
        trainable.update(handle for handle, var in tf2.items() if var.trainable)
    out = []
    for name, entry in found.items():
        node = by_name.get(entry.get("node", name))
        if node is not None:
            entry["op"] = node.op
            entry["dtype"] = _dtype_name(node.attr["dtype"].type) if "dtype" in node.attr else None
            entry["shape"] = _shape_list(node.attr["shape"].shape) if "shape" in node.attr else None
        if meta is not None and (meta.collection_def or tf2):
            entry["trainable"] = name in trainable
        out.append(entry)
    return out


def _collections(meta: MetaGraphDef | None) -> dict:
    if meta is None:
        return {}
    out = {}
    for key in sorted(meta.collection_def):
        coll = meta.collection_def[key]
        kind = coll.WhichOneof("kind")
        out[key] = {"kind": kind, "size": len(getattr(coll, kind).value) if kind else 0}
    return out


def _serving_signature(meta: MetaGraphDef | None):
    """The `serving_default` signature, or the only one; None when there is no clear choice."""
    if meta is None or not meta.signature_def:
        return None
    if "serving_default" in meta.signature_def:
        return meta.signature_def["serving_default"]
    return next(iter(meta.signature_def.values())) if len(meta.signature_def) == 1 else None


def _pick_meta(saved: SavedModel) -> MetaGraphDef | None:
    for meta in saved.meta_graphs:
        if "serve" in meta.meta_info_def.tags:
            return meta
    return saved.meta_graphs[0] if saved.meta_graphs else None


def describe(message, path: str = "") -> dict:
    """Everything `ortflow inspect --json` prints about a GraphDef, MetaGraphDef or SavedModel."""
    metas: list[MetaGraphDef] = []
    meta = None
    if isinstance(message, SavedModel):
        metas = list(message.meta_graphs)
        meta = _pick_meta(message)
        kind = "SavedModel"
    elif isinstance(message, MetaGraphDef):
        meta = message
        metas = [message]
        kind = "MetaGraphDef"
    else:
        kind = "GraphDef"
    graph_def = meta.graph_def if meta is not None else message
    out_names = likely_outputs(graph_def)
    in_names, optional_names = likely_inputs(graph_def, out_names)
    inferred = _inferred_shapes(graph_def) if graph_def.node else {}
    ops = collections.Counter(n.op for n in graph_def.node)
    inputs = _describe_nodes(graph_def, in_names, inferred)
    outputs = _describe_nodes(graph_def, out_names, inferred)
    signature = _serving_signature(meta)
    if signature is not None:  # a signature says what the inputs and outputs are; no guessing
        inputs = [_tensor_info(v) for _, v in sorted(signature.inputs.items())]
        outputs = [_tensor_info(v) for _, v in sorted(signature.outputs.items())]
    info = {
        "path": path,
        "kind": kind,
        "producer": graph_def.versions.producer if graph_def.HasField("versions") else graph_def.version,
        "min_consumer": graph_def.versions.min_consumer,
        "node_count": len(graph_def.node),
        "function_count": len(graph_def.library.function),
        "inputs": inputs,
        "optional_inputs": _describe_nodes(graph_def, optional_names, inferred),
        "outputs": outputs,
        "io_source": "signature" if signature is not None else "graph",
        "ops": dict(sorted(ops.items(), key=lambda kv: (-kv[1], kv[0]))),
        "variables": _variables(meta, graph_def),
        "collections": _collections(meta),
        "signatures": _signatures(metas),
    }
    if meta is not None:
        info["tensorflow_version"] = meta.meta_info_def.tensorflow_version
        info["tags"] = [list(m.meta_info_def.tags) for m in metas] if kind == "SavedModel" else \
            list(meta.meta_info_def.tags)
    return info


# --------------------------------------------------------------------------- printing

def _shape_text(shape) -> str:
    if shape is None:
        return "unknown rank"
    return "(" + ", ".join("-1" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _tensor_line(t: dict) -> str:
    return f"  {t['name']:<40} {t['dtype'] or '?':<10} {_shape_text(t['shape'])}"


def _print_text(info: dict) -> None:
    w = sys.stdout.write
    w(f"{info['path']}: {info['kind']}")
    if info.get("tensorflow_version"):
        w(f" (TensorFlow {info['tensorflow_version']})")
    w(f"\nproducer: {info['producer']}  nodes: {info['node_count']}  op types: {len(info['ops'])}"
      f"  functions: {info['function_count']}\n")
    for title, key in (("inputs", "inputs"), ("optional inputs (PlaceholderWithDefault)", "optional_inputs"),
                       ("outputs", "outputs")):
        if info[key] or key != "optional_inputs":
            w(f"{title}:\n")
            for t in info[key]:
                w(_tensor_line(t) + "\n")
    w("ops:\n")
    for op, count in info["ops"].items():
        w(f"  {op:<32} {count}\n")
    if info["variables"]:
        w("variables:\n")
        for v in info["variables"]:
            extra = "" if v.get("trainable", True) else "  (not trainable)"
            w(f"  {v['name']:<40} {v.get('dtype') or '?':<10} {_shape_text(v.get('shape'))}{extra}\n")
    if info["collections"]:
        w("collections:\n")
        for key, c in info["collections"].items():
            w(f"  {key:<40} {c['kind']} [{c['size']}]\n")
    _print_signatures(info["signatures"])


def _print_signatures(signatures: list[dict]) -> None:
    w = sys.stdout.write
    last_tags = None
    for sig in signatures:
        tags = ", ".join(sig["tags"])
        if tags != last_tags:
            w(f"\nMetaGraphDef with tag-set: '{tags}' contains the following SignatureDefs:\n")
            last_tags = tags
        w(f"\nsignature_def['{sig['key']}']:\n")
        for side, title in (("inputs", "input(s)"), ("outputs", "output(s)")):
            w(f"  The given SavedModel SignatureDef contains the following {title}:\n")
            for key, t in sig[side].items():
                dtype = "DT_" + (t["dtype"] or "INVALID").upper().replace("FLOAT32", "FLOAT").replace(
                    "FLOAT64", "DOUBLE").replace("FLOAT16", "HALF")
                w(f"    {side}['{key}'] tensor_info:\n        dtype: {dtype}\n"
                  f"        shape: {_shape_text(t['shape'])}\n        name: {t['name']}\n")
        w(f"  Method name is: {sig['method_name']}\n")


def _print_const(message, name: str, path: str, as_json: bool) -> int:
    if isinstance(message, SavedModel):
        meta = _pick_meta(message)
        graph_def = meta.graph_def if meta is not None else GraphDef()
    elif isinstance(message, MetaGraphDef):
        graph_def = message.graph_def
    else:
        graph_def = message
    node = next((n for n in graph_def.node if n.name == _node_name(name)), None)
    if node is None:
        raise KeyError(f"{path}: no node named {_node_name(name)!r} in the graph")
    if node.op != "Const":
        raise ValueError(f"{path}: node {node.name!r} is a {node.op}, not a Const; only constants have "
                         "a value in a graph file")
    value = make_ndarray(node.attr["value"].tensor)
    dtype = _dtype_name(node.attr["value"].tensor.dtype)
    if as_json:
        plain = value.astype(float) if value.dtype.type.__module__.startswith("ml_dtypes") else value
        values = [v.decode("utf-8", "backslashreplace") for v in plain.ravel()] if plain.dtype == object \
            else (plain.tolist() if plain.dtype.kind != "c" else [[z.real, z.imag] for z in plain.ravel()])
        print(json.dumps({"name": node.name, "dtype": dtype, "shape": list(value.shape), "values": values}))
    else:
        print(f"tensor_name:  {node.name}\ndtype: {dtype}  shape: {list(value.shape)}")
        print(value)
    return 0
