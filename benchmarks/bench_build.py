"""Graph-building speed: a 200-layer dense net through the tf.compat.v1 API, ortflow vs TensorFlow.

Each layer is `get_variable` (glorot-uniform kernel, zero bias) + matmul + add + relu inside a
variable scope: 17 ops a layer, 3,401 ops in all (the issue's anchor: TF 2.21 took 1.7 s).
Prints both times and the ratio; TensorFlow is measured in the same run when it is installed.

It also times the first use of that graph: a fresh Session, `sess.run(global_variables_initializer())`
then one forward run of a batch of 8 (ortflow compiles the graph there; the issue's anchor: TF's
initialise + first run took 0.6 s). ortflow's very first Session in a process also imports its
converter and onnxruntime (TF pays its imports at `import tensorflow`, which is not timed): that
"cold" time is printed beside the best of the repeats.

Usage: python benchmarks/bench_build.py [--layers 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import time

import numpy as np


def build(tf, layers: int) -> int:
    """Builds the net in a fresh graph with module `tf`; returns the number of ops."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 64], name="x")
        for i in range(layers):
            with tf.variable_scope(f"layer{i}"):
                w = tf.get_variable("w", [64, 64], initializer=tf.glorot_uniform_initializer())
                b = tf.get_variable("b", [64], initializer=tf.zeros_initializer())
                x = tf.nn.relu(tf.matmul(x, w) + b)
        return len(g.get_operations())


def build_for_run(tf, layers: int):
    """The same net, plus its initializer op: (graph, input, output, init op)."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 64], name="x")
        y = x
        for i in range(layers):
            with tf.variable_scope(f"layer{i}"):
                w = tf.get_variable("w", [64, 64], initializer=tf.glorot_uniform_initializer())
                b = tf.get_variable("b", [64], initializer=tf.zeros_initializer())
                y = tf.nn.relu(tf.matmul(y, w) + b)
        init = tf.global_variables_initializer()
    return g, x, y, init


def first_run_times(tf, layers: int, repeat: int) -> tuple[float, float]:
    """(first, best) seconds of Session + initializer run + one forward run, each on a new graph."""
    feed = np.ones((8, 64), np.float32)
    times = []
    for _ in range(repeat):
        g, x, y, init = build_for_run(tf, layers)
        gc.collect()
        start = time.perf_counter()
        with tf.Session(graph=g) as sess:
            sess.run(init)
            out = sess.run(y, {x: feed})
        times.append(time.perf_counter() - start)
        assert out.shape == (8, 64)
    return times[0], min(times)


def best_time(tf, layers: int, repeat: int) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(repeat):
        gc.collect()  # the previous graph's cycles are freed here, outside the timing (both sides)
        start = time.perf_counter()
        count = build(tf, layers)
        best = min(best, time.perf_counter() - start)
    return best, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import ortflow as otf

    ours, n_ours = best_time(otf, args.layers, args.repeat)
    print(f"build      ortflow:    {ours:.3f} s for {n_ours} ops ({ours / n_ours * 1e6:.1f} us/op)")
    run_cold, run_ours = first_run_times(otf, args.layers, args.repeat)
    print(f"first run  ortflow:    {run_ours:.3f} s (cold, first Session in the process: {run_cold:.3f} s)")
    try:
        import tensorflow.compat.v1 as tf
    except ImportError:
        print("TensorFlow is not installed here: no ratio (the issue's anchors: 1.7 s for 3,401 ops; "
              "0.6 s to initialise and run once)")
        return
    tf.disable_v2_behavior()
    theirs, n_theirs = best_time(tf, args.layers, args.repeat)
    print(f"build      tensorflow: {theirs:.3f} s for {n_theirs} ops ({theirs / n_theirs * 1e6:.1f} us/op)")
    run_tf_first, run_theirs = first_run_times(tf, args.layers, args.repeat)
    print(f"first run  tensorflow: {run_theirs:.3f} s (first Session in the process: {run_tf_first:.3f} s)")
    print(f"speed-up:   build {theirs / ours:.1f}x (goal: >= 10x); first run {run_theirs / run_ours:.1f}x, "
          f"cold {run_tf_first / run_cold:.1f}x (goal: > 1x)")


if __name__ == "__main__":
    main()
