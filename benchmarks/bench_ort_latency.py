"""onnxruntime latency of ortflow's model vs tf2onnx's model (same session options), and vs a
TensorFlow Session on the frozen graph, at batch 1 and 8.

    .venv-tf/bin/python benchmarks/bench_ort_latency.py [--models mobilenet_v2,resnet50] [--runs 20]

Goal: ortflow/tf2onnx latency ratio <= 1.0. Models come from `bench_convert.py` (generated
Keras graphs in ~/.cache/ortflow-bench/, or the repository's mobilenet_v2 fixture). Without
tf2onnx / TensorFlow only ortflow's latency is printed.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import numpy as np
from bench_convert import have, models

GOAL = 1.0


def session(model_bytes: bytes, threads: int):
    """An onnxruntime CPU session with the options both converters' models get."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(model_bytes, opts, providers=["CPUExecutionProvider"])


def median_ms(fns: dict, runs: int, warmup: int = 3) -> dict:
    """Median milliseconds of each function, run round-robin so load drift hits all alike."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times = {k: [] for k in fns}
    for _ in range(runs):
        for key, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t)
    return {k: 1000 * statistics.median(v) for k, v in times.items()}


def ortflow_model(pb, io) -> bytes:
    from ortflow.converters import convert

    return convert(str(pb), inputs=io["inputs"], outputs=io["outputs"], opset=17).SerializeToString()


def tf2onnx_model(pb, io, tmp: str) -> bytes | None:
    if not have("tf2onnx"):
        return None
    out = pathlib.Path(tmp) / "tf2onnx.onnx"
    subprocess.run([sys.executable, "-m", "tf2onnx.convert", "--graphdef", str(pb), "--output", str(out),
                    "--opset", "17", "--inputs", ",".join(io["inputs"]), "--outputs", ",".join(io["outputs"])],
                   check=True, capture_output=True)
    return out.read_bytes()


def tf_runner(pb, io, threads: int):
    """A function running the frozen graph in a TensorFlow Session, or None without TensorFlow."""
    try:
        import tensorflow as tf
    except ImportError:
        return None
    graph_def = tf.compat.v1.GraphDef.FromString(pathlib.Path(pb).read_bytes())
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    config = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=threads, inter_op_parallelism_threads=1)
    sess = tf.compat.v1.Session(graph=graph, config=config)
    return lambda feeds: sess.run(io["outputs"], feeds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="mobilenet_v2,resnet50")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    print(f"median latency over {args.runs} runs, {args.threads} threads")
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, pb, io in models(args.models.split(",")):
            ours = session(ortflow_model(pb, io), args.threads)
            theirs_bytes = tf2onnx_model(pb, io, tmp)
            theirs = session(theirs_bytes, args.threads) if theirs_bytes is not None else None
            tf_run = tf_runner(pb, io, args.threads)
            shape = [d if isinstance(d, int) else 1 for d in ours.get_inputs()[0].shape]
            for batch in (1, 8):
                x = np.random.default_rng(0).random([batch] + shape[1:], dtype=np.float32)
                feeds = {io["inputs"][0]: x}
                fns = {"ortflow": lambda s=ours, f=feeds: s.run(None, f)}
                if theirs is not None:
                    their_feeds = {theirs.get_inputs()[0].name: x}
                    fns["tf2onnx"] = lambda s=theirs, f=their_feeds: s.run(None, f)
                if tf_run is not None:
                    fns["tf"] = lambda r=tf_run, f=feeds: r(f)
                ms = median_ms(fns, args.runs)
                line = f"{name:22s} batch {batch}: ortflow {ms['ortflow']:8.2f} ms"
                if "tf2onnx" in ms:
                    ratio = ms["ortflow"] / ms["tf2onnx"]
                    ratios.append(ratio)
                    line += f" | tf2onnx {ms['tf2onnx']:8.2f} ms, ratio {ratio:5.2f} (goal <= {GOAL})"
                if "tf" in ms:
                    line += f" | TF Session {ms['tf']:8.2f} ms, ortflow/TF {ms['ortflow'] / ms['tf']:5.2f}"
                print(line, flush=True)
    if ratios:
        print(f"worst ortflow/tf2onnx ratio {max(ratios):.2f}: "
              f"{'meets' if max(ratios) <= GOAL else 'MISSES'} the goal")


if __name__ == "__main__":
    main()
