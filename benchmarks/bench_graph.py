"""Graph model speed on a DenseNet-sized GraphDef: ortflow vs TensorFlow, measured in one run.

    .venv-tf/bin/python benchmarks/bench_graph.py [--blocks 6] [--layers 58] [--repeat 5]

Builds a synthetic DenseNet-like inference GraphDef (dense blocks of BN -> ReLU -> Conv2D ->
ConcatV2 layers, each layer concatenating every earlier output of its block; ~3,500 nodes with
the defaults) and measures, best of `--repeat`:

* `import_graph_def` into a fresh Graph (ortflow) against `tf.import_graph_def` (TensorFlow);
* `extract_sub_graph` to the final node, both sides;
* ortflow's `topological_order` and `Graph.as_graph_def()` (no TensorFlow counterpart timed).

Prints each time and the ratio TensorFlow / ortflow (> 1 means ortflow is faster). Without
TensorFlow only ortflow's numbers are printed.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from ortflow.formats import dtypes
from ortflow.formats.tensors import make_tensor_proto
from ortflow.graph import Graph
from ortflow.graph.graph_util import extract_sub_graph, topological_order
from ortflow.graph.importer import import_graph_def
from ortflow.proto import GraphDef, NodeDef


def _node(gd: GraphDef, name: str, op: str, inputs=(), **attrs) -> NodeDef:
    node = gd.node.add(name=name, op=op, input=list(inputs))
    for key, value in attrs.items():
        node.attr[key].CopyFrom(value)
    return node


def build_densenet_like(blocks: int, layers: int) -> GraphDef:
    """A DenseNet-shaped GraphDef: per layer 4 small consts + FusedBatchNormV3, Relu, Conv2D, ConcatV2."""
    from ortflow.proto import AttrValue
    f32 = AttrValue(type=dtypes.float32.as_datatype_enum)
    i32 = AttrValue(type=dtypes.int32.as_datatype_enum)
    gd = GraphDef()
    gd.versions.producer = 2474
    shape = AttrValue()
    for d in (-1, 8, 8, 4):
        shape.shape.dim.add().size = d
    _node(gd, "input", "Placeholder", dtype=f32, shape=shape)
    # Every layer adds 4 channels, so layer i of a block sees 4 * (i + 1) channels.
    vecs = {c: AttrValue(tensor=make_tensor_proto(np.ones(c, np.float32))) for c in range(4, 4 * layers + 5, 4)}
    kernels = {c: AttrValue(tensor=make_tensor_proto(np.ones((1, 1, c, 4), np.float32))) for c in vecs}
    axis = AttrValue(tensor=make_tensor_proto(np.int32(3)))
    strides = AttrValue()
    strides.list.i.extend([1, 1, 1, 1])
    prev = "input"
    for b in range(blocks):
        features = [prev]
        for i in range(layers):
            s = f"block{b}/layer{i}"
            consts = []
            channels = 4 * len(features)
            for c in ("gamma", "beta", "mean", "var"):
                _node(gd, f"{s}/bn/{c}", "Const", dtype=f32, value=vecs[channels])
                consts.append(f"{s}/bn/{c}")
            _node(gd, f"{s}/axis", "Const", dtype=i32, value=axis)
            if len(features) == 1:  # ConcatV2 needs N >= 2
                concat = _node(gd, f"{s}/concat", "Identity", features, T=f32)
            else:
                concat = _node(gd, f"{s}/concat", "ConcatV2", [*features, f"{s}/axis"], T=f32, Tidx=i32,
                               N=AttrValue(i=len(features)))
            _node(gd, f"{s}/bn", "FusedBatchNormV3", [concat.name, *consts], T=f32, U=f32)
            _node(gd, f"{s}/relu", "Relu", [f"{s}/bn"], T=f32)
            _node(gd, f"{s}/kernel", "Const", dtype=f32, value=kernels[channels])
            _node(gd, f"{s}/conv", "Conv2D", [f"{s}/relu", f"{s}/kernel"], T=f32, strides=strides,
                  padding=AttrValue(s=b"SAME"))
            features.append(f"{s}/conv")
        _node(gd, f"block{b}/out", "Identity", [features[-1]], T=f32)
        prev = f"block{b}/out"
    _node(gd, "output", "Identity", [prev], T=f32)
    return gd


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _ours(gd: GraphDef, repeat: int) -> dict[str, float]:
    def do_import():
        with Graph().as_default():
            import_graph_def(gd, name="")

    g = Graph()
    with g.as_default():
        import_graph_def(gd, name="")
    return {
        "import_graph_def": _best(do_import, repeat),
        "extract_sub_graph": _best(lambda: extract_sub_graph(gd, ["output"]), repeat),
        "topological_order": _best(lambda: topological_order(gd.node), repeat),
        "as_graph_def": _best(g.as_graph_def, repeat),
    }


def _tensorflow(gd: GraphDef, repeat: int) -> dict[str, float] | None:
    try:
        import tensorflow.compat.v1 as tf
    except ImportError:
        return None
    tf_gd = tf.GraphDef.FromString(gd.SerializeToString())

    def do_import():
        with tf.Graph().as_default():
            tf.import_graph_def(tf_gd, name="")

    return {
        "import_graph_def": _best(do_import, repeat),
        "extract_sub_graph": _best(lambda: tf.graph_util.extract_sub_graph(tf_gd, ["output"]), repeat),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=6)
    parser.add_argument("--layers", type=int, default=58)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    gd = build_densenet_like(args.blocks, args.layers)
    edges = sum(len(n.input) for n in gd.node)
    print(f"graph: {len(gd.node)} nodes, {edges} edges")
    ours = _ours(gd, args.repeat)
    theirs = _tensorflow(gd, args.repeat)
    for key, seconds in ours.items():
        line = f"{key:20s} ortflow {seconds * 1e3:8.1f} ms"
        if theirs and key in theirs:
            line += f"   tensorflow {theirs[key] * 1e3:8.1f} ms   ratio tf/ortflow {theirs[key] / seconds:5.2f}"
        print(line)
    if theirs is None:
        print("TensorFlow is not installed here: no anchor measured")


if __name__ == "__main__":
    main()
