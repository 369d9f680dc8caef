"""Session.run against TensorFlow's tf.compat.v1.Session.run, measured in the same run.

Goals (printed as ratios):
  * per-call overhead on a 4x4 MatMul: ortflow / TF <= 0.5;
  * model latency on the fixtures' frozen CNNs (cnn, mobilenet_v2) at batch 1 and 8 on CPU:
    TF / ortflow >= 1.3 (ortflow faster);
  * first-run (compile) time, reported separately.

Run: `.venv-tf/bin/python benchmarks/bench_session.py` (TensorFlow is imported only here;
without it only ortflow's figures are printed).
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import time

import numpy as np

DATA = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data"
MODELS = {"cnn": ("images:0", "probs:0"), "mobilenet_v2": ("input:0", "Identity:0")}
BATCHES = [1, 8]


def _median_time(fn, repeat: int, inner: int) -> float:
    """Median over `repeat` rounds of the mean time of `inner` calls, in seconds."""
    for _ in range(min(inner, 20)):
        fn()
    rounds = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        rounds.append((time.perf_counter() - t) / inner)
    return statistics.median(rounds)


def _matmul_graph_def():
    """x[4,4] placeholder times a constant 4x4: the smallest useful graph, as a GraphDef."""
    from ortflow.api import ops_builder as b
    from ortflow.formats import dtypes
    from ortflow.graph import Graph

    g = Graph()
    with g.as_default():
        x = b.placeholder(dtypes.float32, b.shape_attr([4, 4]), name="x")
        w = b.constant(np.arange(16, dtype=np.float32).reshape(4, 4), name="w")
        b.apply_op_output("MatMul", [x, w], name="y")
    return g


PROVIDER = "cpu"


def _ortflow_session(graph):
    from ortflow.runtime import Session

    return Session(graph=graph, providers=PROVIDER)


def _tf_session(graph_def_bytes):
    import tensorflow as tf

    tf1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        gd = tf1.GraphDef.FromString(graph_def_bytes)
        tf1.import_graph_def(gd, name="")
    return tf1.Session(graph=graph)


def _import_tf():
    try:
        import os

        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow  # noqa: F401
    except ImportError:
        return False
    return True


def bench_overhead(have_tf: bool, inner: int) -> None:
    graph = _matmul_graph_def()
    x = np.ones((4, 4), np.float32)
    sess = _ortflow_session(graph)
    t0 = time.perf_counter()
    sess.run("y:0", {"x:0": x})
    compile_s = time.perf_counter() - t0
    ours = _median_time(lambda: sess.run("y:0", {"x:0": x}), 7, inner)
    y = graph.get_tensor_by_name("y:0")
    xt = graph.get_tensor_by_name("x:0")
    ours_obj = _median_time(lambda: sess.run(y, {xt: x}), 7, inner)
    print(f"[overhead] 4x4 MatMul: ortflow {ours * 1e6:.1f} us/call (names), "
          f"{ours_obj * 1e6:.1f} us/call (Tensor objects); first run {compile_s * 1e3:.1f} ms")
    if have_tf:
        tf_sess = _tf_session(graph.as_graph_def().SerializeToString())
        theirs = _median_time(lambda: tf_sess.run("y:0", {"x:0": x}), 7, inner)
        print(f"[overhead] TF Session.run {theirs * 1e6:.1f} us/call; "
              f"ratio ortflow/TF = {ours / theirs:.2f} (goal <= 0.5)")


def bench_models(have_tf: bool, repeat: int) -> None:
    from ortflow.formats.graphs import read_graph
    from ortflow.graph import Graph
    from ortflow.graph.importer import import_graph_def

    for name, (inp, out) in MODELS.items():
        path = DATA / name / "frozen.pb"
        if not path.exists():
            print(f"[model] {name}: {path} missing, skipped")
            continue
        graph_def = read_graph(path)
        graph = Graph()
        with graph.as_default():
            import_graph_def(graph_def, name="")
        shape = [d if d is not None else 1 for d in graph.get_tensor_by_name(inp).shape.as_list()] \
            if graph.get_tensor_by_name(inp).shape.rank is not None else None
        if shape is None:
            shape = list(np.load(DATA / name / "inputs.npz")[inp].shape[1:])
            shape = [1] + shape
        tf_sess = _tf_session(graph_def.SerializeToString()) if have_tf else None
        for batch in BATCHES:
            x = np.random.default_rng(0).standard_normal([batch] + list(shape[1:])).astype(np.float32)
            sess = _ortflow_session(graph)
            t0 = time.perf_counter()
            sess.run(out, {inp: x})
            compile_s = time.perf_counter() - t0
            ours = _median_time(lambda: sess.run(out, {inp: x}), repeat, 10)
            line = (f"[model] {name} batch {batch}: ortflow {ours * 1e3:.3f} ms "
                    f"(first run {compile_s * 1e3:.0f} ms)")
            if tf_sess is not None:
                tf_sess.run(out, {inp: x})
                theirs = _median_time(lambda: tf_sess.run(out, {inp: x}), repeat, 10)
                line += f"; TF {theirs * 1e3:.3f} ms; speed-up TF/ortflow = {theirs / ours:.2f}x (goal >= 1.3)"
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inner", type=int, default=2000, help="calls per overhead round")
    parser.add_argument("--repeat", type=int, default=7, help="rounds per model measurement")
    parser.add_argument("--provider", choices=["cpu", "cuda"], default="cpu",
                        help="ortflow's execution provider (TF always runs on the CPU here)")
    parser.add_argument("--batches", default="1,8", help="model batch sizes, comma-separated")
    args = parser.parse_args()
    global PROVIDER, BATCHES
    PROVIDER = args.provider
    BATCHES = [int(b) for b in args.batches.split(",")]
    print(f"ortflow provider: {PROVIDER}")
    have_tf = _import_tf()
    if not have_tf:
        print("TensorFlow is not installed: ortflow figures only, no ratios")
    bench_overhead(have_tf, args.inner)
    bench_models(have_tf, args.repeat)


if __name__ == "__main__":
    main()
