"""`ortflow freeze`: fold checkpoint values into a graph and keep only what the outputs need."""

from __future__ import annotations

import argparse
import glob
import os
import sys

from ortflow.errors import GraphError

__all__ = ["add_arguments", "run", "resolve_input"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="INPUT",
                        help="a .meta file, a .pb/.pbtxt graph (with --checkpoint), a checkpoint "
                             "directory holding a .meta, or a SavedModel directory")
    parser.add_argument("--checkpoint", metavar="PREFIX_OR_DIR",
                        help="checkpoint prefix or directory (default: the one next to INPUT)")
    parser.add_argument("--outputs", metavar="A,B",
                        help="output op names (default: the signature's outputs, else the likely outputs)")
    parser.add_argument("-o", "--output", required=True, metavar="FROZEN", help="where to write the frozen graph")
    parser.add_argument("--text", action="store_true", help="write text format (pbtxt)")
    parser.add_argument("--tag", action="append", metavar="TAG",
                        help="SavedModel MetaGraphDef tag (repeatable; default: serve)")
    parser.add_argument("--signature", default="serving_default", metavar="KEY",
                        help="SavedModel signature whose outputs are frozen (default: serving_default)")


def _latest_meta(directory: str) -> str:
    from ortflow.formats.checkpoint_management import latest_checkpoint
    try:  # strict: a broken state file is reported once, by the checkpoint lookup that follows
        prefix = latest_checkpoint(directory, strict=True)
    except Exception:
        prefix = None
    if prefix and os.path.exists(prefix + ".meta"):
        return prefix + ".meta"
    metas = sorted(glob.glob(os.path.join(directory, "*.meta")), key=os.path.getmtime)
    if not metas:
        raise GraphError(f"{directory}: no SavedModel, .meta file or checkpoint with a .meta in this directory")
    return metas[-1]


def resolve_input(path: str, checkpoint: str | None, tags, signature: str):
    """(MetaGraphDef or GraphDef, checkpoint prefix-or-dir or None, default outputs) for INPUT."""
    from ortflow.formats.graphs import read_graph
    from ortflow.graph import saved_model
    if not os.path.exists(path):
        raise GraphError(f"{path}: no such file or directory")
    if os.path.isdir(path) and any(os.path.exists(os.path.join(path, f))
                                   for f in ("saved_model.pb", "saved_model.pbtxt")):
        saved = saved_model.read_saved_model(path)
        meta = saved_model.meta_graph_by_tags(saved, tags or [saved_model.tag_constants.SERVING], path)
        outputs = _signature_outputs(meta, signature, path)
        return meta, checkpoint or saved_model.variables_prefix(path), outputs
    if os.path.isdir(path):
        meta_path = _latest_meta(path)
        return read_graph(meta_path, expected="MetaGraphDef"), checkpoint or path, None
    message = read_graph(path)
    kind = type(message).__name__
    if kind == "SavedModel":
        return resolve_input(os.path.dirname(os.path.abspath(path)), checkpoint, tags, signature)
    if kind == "MetaGraphDef":
        if checkpoint is None:
            prefix = path[:-len(".meta")] if path.endswith(".meta") else None
            checkpoint = prefix if prefix and os.path.exists(prefix + ".index") else os.path.dirname(
                os.path.abspath(path))
        outputs = _signature_outputs(message, signature, path) if message.signature_def else None
        return message, checkpoint, outputs
    return message, checkpoint, None


def _signature_outputs(meta, signature: str, where: str) -> list[str] | None:
    if not meta.signature_def:
        return None
    if signature not in meta.signature_def:
        raise GraphError(f"{where}: no signature {signature!r}; signatures are {sorted(meta.signature_def)}")
    return [info.name.split(":")[0] for _, info in sorted(meta.signature_def[signature].outputs.items())]


def _graph_def_of(message):
    return message.graph_def if type(message).__name__ == "MetaGraphDef" else message


def _has_variables(graph_def) -> bool:
    from ortflow.graph.freeze import VARIABLE_OPS
    return any(n.op in VARIABLE_OPS for n in graph_def.node)


def _write(graph_def, path: str, text: bool) -> int:
    from ortflow.formats.graphs import write_message
    return write_message(path, graph_def, as_text=text)


def _scope_summary(names: list[str], top: int = 6) -> str:
    """ "gradients/ 120, save/ 40, Adam/ 30, 3 more scopes 12": where the pruned nodes were."""
    counts: dict[str, int] = {}
    for name in names:
        scope = name.split("/", 1)[0] + ("/" if "/" in name else "")
        counts[scope] = counts.get(scope, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    parts = [f"{scope} {n}" for scope, n in ranked[:top]]
    rest = ranked[top:]
    if rest:
        parts.append(f"{len(rest)} more scopes {sum(n for _, n in rest)}")
    return ", ".join(parts)


def run(args: argparse.Namespace) -> int:
    from ortflow.graph.freeze import freeze_graph
    from ortflow.graph.graph_util import likely_outputs
    message, checkpoint, outputs = resolve_input(args.input, args.checkpoint, args.tag, args.signature)
    graph_def = _graph_def_of(message)
    if args.outputs:
        outputs = [o.strip().split(":")[0] for o in args.outputs.split(",") if o.strip()]
    if not outputs:
        outputs = likely_outputs(graph_def)
        if not outputs:
            raise GraphError(f"{args.input}: could not tell the graph's outputs; pass --outputs a,b")
    if checkpoint is None and _has_variables(graph_def):
        raise GraphError(f"{args.input}: the graph has variables; pass --checkpoint PREFIX_OR_DIR")
    result = freeze_graph(message, checkpoint or "", outputs)
    size = _write(result.graph_def, args.output, args.text)
    out = sys.stdout
    print(f"outputs: {', '.join(result.outputs)}", file=out)
    print(f"froze {len(result.variables)} variables ({result.constant_bytes} bytes of values)"
          + (f" from {checkpoint}" if result.variables else ""), file=out)
    for name in result.variables:
        print(f"  {name}", file=out)
    print(f"kept {len(result.graph_def.node)} nodes, pruned {len(result.pruned)}"
          + (f" ({_scope_summary(result.pruned)})" if result.pruned else ""), file=out)
    print(f"wrote {args.output} ({size} bytes)", file=out)
    return 0
