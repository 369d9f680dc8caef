"""Benchmark: ortflow's text-format codec against google.protobuf.text_format on a big frozen graph.

Builds a ResNet50-shaped frozen GraphDef with random float32 weights (Conv2D / FusedBatchNorm /
Relu blocks whose Const nodes hold `tensor_content`), writes it as text once, then times, in the
same run, parsing and printing with text_format and with ortflow, checks the messages are equal,
and prints the speed ratios. The goals (from the issue): parse >= 10x, write >= 3x.

    python benchmarks/bench_pbtxt.py [--params 25000000] [--repeat 1]

`--params` sets the number of float32 weights (ResNet50 has about 25.6 million, whose text is
about 290 MB). The generated text is kept in memory only.
"""

from __future__ import annotations

import argparse
import gc
import pathlib
import tempfile
import time

import numpy as np
from ortflow.formats.graphs import write_graph
from ortflow.formats.pbtxt import format_pbtxt, parse_pbtxt
from ortflow.formats.tensors import make_tensor_proto
from ortflow.proto import GraphDef

# (out channels, blocks) per ResNet50 stage; bottleneck blocks of 1x1, 3x3, 1x1 convolutions.
_STAGES = [(256, 3), (512, 4), (1024, 6), (2048, 3)]


def _const(graph: GraphDef, name: str, array: np.ndarray) -> str:
    node = graph.node.add(name=name, op="Const")
    node.attr["dtype"].type = 1
    node.attr["value"].tensor.CopyFrom(make_tensor_proto(array))
    return name


def _conv_bn_relu(graph, rng, name, x, cin, cout, k, scale, relu=True) -> str:
    w = _const(graph, f"{name}/kernel", (rng.standard_normal((k, k, cin, cout)) * scale).astype(np.float32))
    conv = graph.node.add(name=f"{name}/Conv2D", op="Conv2D", input=[x, w])
    conv.attr["T"].type = 1
    conv.attr["strides"].list.i.extend([1, 1, 1, 1])
    conv.attr["padding"].s = b"SAME"
    conv.attr["data_format"].s = b"NHWC"
    conv.attr["dilations"].list.i.extend([1, 1, 1, 1])
    params = [_const(graph, f"{name}/bn/{p}", (rng.standard_normal(cout) * scale).astype(np.float32))
              for p in ("gamma", "beta", "mean", "variance")]
    bn = graph.node.add(name=f"{name}/bn/FusedBatchNormV3", op="FusedBatchNormV3", input=[conv.name, *params])
    bn.attr["T"].type = 1
    bn.attr["U"].type = 1
    bn.attr["epsilon"].f = 1.001e-5
    bn.attr["is_training"].b = False
    if not relu:
        return bn.name
    r = graph.node.add(name=f"{name}/Relu", op="Relu", input=[bn.name])
    r.attr["T"].type = 1
    return r.name


def build_graph(params: int, seed: int = 0) -> GraphDef:
    """A ResNet50-shaped frozen GraphDef whose weights total about `params` float32 values."""
    rng = np.random.default_rng(seed)
    full = 25_600_000
    width = max(0.05, (params / full) ** 0.5)  # weights grow with the square of the width
    g = GraphDef()
    x = g.node.add(name="input", op="Placeholder")
    x.attr["dtype"].type = 1
    for d in (-1, 224, 224, 3):
        x.attr["shape"].shape.dim.add().size = d
    cur, cin = "input", 3
    cur = _conv_bn_relu(g, rng, "conv1", cur, cin, max(1, int(64 * width)), 7, 0.05)
    cin = max(1, int(64 * width))
    for s, (cout_full, blocks) in enumerate(_STAGES):
        cout, mid = max(1, int(cout_full * width)), max(1, int(cout_full * width) // 4)
        for b in range(blocks):
            name = f"stage{s}/block{b}"
            y = _conv_bn_relu(g, rng, f"{name}/a", cur, cin, mid, 1, 0.05)
            y = _conv_bn_relu(g, rng, f"{name}/b", y, mid, mid, 3, 0.05)
            y = _conv_bn_relu(g, rng, f"{name}/c", y, mid, cout, 1, 0.05, relu=False)
            short = _conv_bn_relu(g, rng, f"{name}/short", cur, cin, cout, 1, 0.05, relu=False) if b == 0 else cur
            add = g.node.add(name=f"{name}/add", op="AddV2", input=[y, short])
            add.attr["T"].type = 1
            relu = g.node.add(name=f"{name}/out", op="Relu", input=[add.name])
            relu.attr["T"].type = 1
            cur, cin = relu.name, cout
    w = _const(g, "fc/kernel", (rng.standard_normal((cin, 1000)) * 0.01).astype(np.float32))
    mm = g.node.add(name="fc/MatMul", op="MatMul", input=[cur, w])
    mm.attr["T"].type = 1
    out = g.node.add(name="output", op="Softmax", input=[mm.name])
    out.attr["T"].type = 1
    g.versions.producer = 1994
    return g


def _time(fn, repeat: int):
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", type=int, default=25_600_000, help="float32 weights in the graph")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (best is kept)")
    args = parser.parse_args()
    from google.protobuf import text_format  # the anchor, imported only here

    graph = build_graph(args.params)
    n_weights = sum(len(n.attr["value"].tensor.tensor_content) // 4 for n in graph.node if n.op == "Const")
    text = text_format.MessageToString(graph)
    print(f"graph: {len(graph.node)} nodes, {n_weights / 1e6:.1f} M float32 weights, "
          f"text {len(text) / 1e6:.1f} MB")

    t_write_ref, ref_text = _time(lambda: text_format.MessageToString(graph), args.repeat)
    t_write, our_text = _time(lambda: format_pbtxt(graph), args.repeat)
    assert our_text == ref_text, "format_pbtxt differs from text_format.MessageToString"
    del our_text, ref_text
    with tempfile.TemporaryDirectory() as tmp:
        ref_file = pathlib.Path(tmp, "ref.pbtxt")
        t_file_ref, _ = _time(lambda: ref_file.write_text(text_format.MessageToString(graph)), args.repeat)
        t_file, _ = _time(lambda: write_graph(graph, tmp, "ours.pbtxt"), args.repeat)
        assert pathlib.Path(tmp, "ours.pbtxt").read_bytes() == ref_file.read_bytes()
    t_parse_ref, ref_msg = _time(lambda: text_format.Parse(text, GraphDef()), args.repeat)
    data = text.encode()
    t_parse, our_msg = _time(lambda: parse_pbtxt(data, GraphDef), args.repeat)
    assert our_msg == ref_msg == graph, "parse_pbtxt gives another message than text_format.Parse"

    print(f"parse:        text_format {t_parse_ref:8.2f} s   ortflow {t_parse:6.2f} s   "
          f"{t_parse_ref / t_parse:5.1f}x faster (goal 10x)")
    print(f"write (str):  text_format {t_write_ref:8.2f} s   ortflow {t_write:6.2f} s   "
          f"{t_write_ref / t_write:5.1f}x faster (goal 3x)")
    print(f"write (file): text_format {t_file_ref:8.2f} s   ortflow {t_file:6.2f} s   "
          f"{t_file_ref / t_file:5.1f}x faster  (write_text vs write_graph, which also fsyncs)")

if __name__ == "__main__":
    main()
