"""Graph-building speed: a 200-layer dense net through the tf.compat.v1 API, ortflow vs TensorFlow.

Each layer is `get_variable` (glorot-uniform kernel, zero bias) + matmul + add + relu inside a
variable scope: 17 ops a layer, 3,401 ops in all (the issue's anchor: TF 2.21 took 1.7 s).
Prints both times and the ratio; TensorFlow is measured in the same run when it is installed.

Usage: python benchmarks/bench_build.py [--layers 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time


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


def best_time(tf, layers: int, repeat: int) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = build(tf, layers)
        best = min(best, time.perf_counter() - start)
    return best, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import ortflow as otf

    ours, n_ours = best_time(otf, args.layers, args.repeat)
    print(f"ortflow:    {ours:.3f} s for {n_ours} ops ({ours / n_ours * 1e6:.1f} us/op)")
    try:
        import tensorflow.compat.v1 as tf
    except ImportError:
        print("TensorFlow is not installed here: no ratio (the issue's anchor is 1.7 s for 3,401 ops)")
        return
    tf.disable_v2_behavior()
    theirs, n_theirs = best_time(tf, args.layers, args.repeat)
    print(f"tensorflow: {theirs:.3f} s for {n_theirs} ops ({theirs / n_theirs * 1e6:.1f} us/op)")
    print(f"speed-up:   {theirs / ours:.1f}x (goal: >= 10x)")


if __name__ == "__main__":
    main()
