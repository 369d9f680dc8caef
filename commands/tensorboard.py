"""`ortflow tensorboard GRAPH --logdir DIR`: write a graph into an event file for TensorBoard.

GRAPH may be a frozen or plain GraphDef (.pb / .pbtxt), a MetaGraphDef (.meta) or a
SavedModel; TensorBoard's graph tab then shows it after `tensorboard --logdir DIR`.
"""

from __future__ import annotations

import argparse
import os

__all__ = ["add_arguments", "run", "write_graph_event"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("graph", metavar="GRAPH",
                        help="a GraphDef (.pb, .pbtxt), a MetaGraphDef (.meta) or a SavedModel directory")
    parser.add_argument("--logdir", required=True, metavar="DIR",
                        help="directory for the event file (created if missing)")
    parser.add_argument("--filename-suffix", default="", metavar="SUFFIX",
                        help="appended to the event file's name")


def _load(path: str):
    """Returns (graph_def, meta_graph_def or None) for any graph file `read_graph` knows."""
    from ortflow.formats.graphs import read_graph
    from ortflow.proto import GraphDef, MetaGraphDef, SavedModel

    message = read_graph(path)
    if isinstance(message, SavedModel):
        if not message.meta_graphs:
            raise ValueError(f"{path}: the SavedModel holds no meta graph")
        message = message.meta_graphs[0]
    if isinstance(message, MetaGraphDef):
        return message.graph_def, message
    if isinstance(message, GraphDef):
        return message, None
    raise TypeError(f"{path}: read_graph returned a {type(message).__name__}, not a graph")


def write_graph_event(path: str, logdir: str, filename_suffix: str = "") -> str:
    """Writes the graph in `path` into a new event file in `logdir`; returns the file's path."""
    from ortflow.api.summary_writer import FileWriter

    graph_def, meta = _load(path)
    writer = FileWriter(logdir, filename_suffix=filename_suffix)
    try:
        event_path = writer.event_file_path
        writer.add_graph(graph_def=graph_def)
        if meta is not None:
            writer.add_meta_graph(meta)
    finally:
        writer.close()
    return event_path


def run(args: argparse.Namespace) -> int:
    if not os.path.exists(args.graph):
        raise FileNotFoundError(f"{args.graph}: no such file or directory")
    event_path = write_graph_event(args.graph, args.logdir, args.filename_suffix)
    print(event_path)
    return 0
