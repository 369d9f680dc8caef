"""Builds one TF 1.x snippet with TensorFlow and with ortflow, and prints how the GraphDefs differ.

Usage: .venv-tf/bin/python tools/compare_graphs.py SNIPPET_FILE  (or the snippet on stdin).
The snippet uses `tf.`; it runs once with `tf = tensorflow.compat.v1` and once with
`import ortflow as tf`, each in a fresh graph. Used while writing ortflow.api and by
tests/api/test_builder_interop.py.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def node_summary(graph_def) -> list[tuple]:
    """(name, op, inputs, device, sorted attrs as text) per node; ignores nothing else."""
    out = []
    for n in graph_def.node:
        attrs = tuple(sorted((k, v.SerializeToString(deterministic=True)) for k, v in n.attr.items()))
        out.append((n.name, n.op, tuple(n.input), n.device, attrs))
    return out


def build_with_tensorflow(code: str):
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    g = tf.Graph()
    with g.as_default():
        exec(code, {"tf": tf, "np": __import__("numpy")})
    return g.as_graph_def()


def build_with_ortflow(code: str):
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        exec(code, {"tf": tf, "np": __import__("numpy")})
    return g.as_graph_def()


def diff(code: str) -> list[str]:
    """Human-readable differences between the two GraphDefs (empty when equal)."""

    ours, theirs = node_summary(build_with_ortflow(code)), node_summary(build_with_tensorflow(code))
    problems = []
    for i in range(max(len(ours), len(theirs))):
        a = ours[i] if i < len(ours) else None
        b = theirs[i] if i < len(theirs) else None
        if a != b:
            problems.append(f"node {i}:\n  ours:   {_show(a)}\n  theirs: {_show(b)}")
    return problems


def _show(entry) -> str:
    if entry is None:
        return "-"
    from ortflow.proto import AttrValue

    attrs = {k: str(AttrValue.FromString(v)).replace("\n", " ")[:90] for k, v in entry[4]}
    return f"{entry[0]} {entry[1]} {list(entry[2])} {entry[3]!r} {attrs}"


if __name__ == "__main__":
    source = open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()
    problems = diff(source)
    print("\n".join(problems) if problems else "identical")
