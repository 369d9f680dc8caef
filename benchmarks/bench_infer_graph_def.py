"""Speed of `ortflow.graph.ops.infer_graph_def` on a ~3,500-node graph, against TensorFlow.

The graph is MobileNetV2 (tests/data/mobilenet_v2/frozen.pb) repeated under name prefixes until
it has at least 3,500 nodes. The anchor is TensorFlow's `import_graph_def` of the same GraphDef,
which runs TensorFlow's C++ shape inference over every node (measured in this run when
TensorFlow is installed). Also reports Kahn's topological order against networkx's.

Usage: python benchmarks/bench_infer_graph_def.py [--repeat N]
"""

from __future__ import annotations

import argparse
import pathlib
import time

from ortflow.graph import ops
from ortflow.proto import GraphDef

DATA = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data"


def big_graph(min_nodes: int = 3500) -> GraphDef:
    """MobileNetV2 copies under prefixes `c0/`, `c1/`... until the graph has `min_nodes` nodes."""
    base = GraphDef.FromString((DATA / "mobilenet_v2" / "frozen.pb").read_bytes())
    out = GraphDef()
    out.versions.CopyFrom(base.versions)
    copy = 0
    while len(out.node) < min_nodes:
        prefix = f"c{copy}/"
        for node in base.node:
            new = out.node.add()
            new.CopyFrom(node)
            new.name = prefix + node.name
            new.input[:] = [("^" + prefix + i[1:]) if i.startswith("^") else prefix + i for i in node.input]
        copy += 1
    return out


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    gd = big_graph()
    ops.get_op_def("Const")  # the one-off registry load is not what this measures
    ours = best_of(lambda: ops.infer_graph_def(gd), args.repeat)
    print(f"graph: {len(gd.node)} nodes")
    print(f"ortflow infer_graph_def: {ours * 1000:.1f} ms (best of {args.repeat})")
    kahn = best_of(lambda: ops.topological_order(gd.node), args.repeat)
    print(f"  of which could be topological order (Kahn): {kahn * 1000:.1f} ms")
    try:
        import networkx as nx

        def nx_order():
            g = nx.DiGraph()
            g.add_nodes_from(n.name for n in gd.node)
            g.add_edges_from((ops.tensor_key(i).rpartition(":")[0] if not i.startswith("^") else i[1:], n.name)
                             for n in gd.node for i in n.input)
            return list(nx.topological_sort(g))

        print(f"  networkx topological_sort instead: {best_of(nx_order, args.repeat) * 1000:.1f} ms")
    except ImportError:
        print("  networkx not installed: not compared")
    try:
        import tensorflow as tf
    except ImportError:
        print("TensorFlow not installed: no anchor measured in this run")
        return 0
    tf_gd = tf.compat.v1.GraphDef.FromString(gd.SerializeToString())

    def tf_import():
        with tf.Graph().as_default():
            tf.compat.v1.import_graph_def(tf_gd, name="")

    theirs = best_of(tf_import, args.repeat)
    print(f"TensorFlow import_graph_def (C++ shape inference): {theirs * 1000:.1f} ms")
    print(f"ratio ortflow / TensorFlow: {ours / theirs:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
