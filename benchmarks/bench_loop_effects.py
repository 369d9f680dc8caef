"""While loops with and without a Print in the body: ortflow's Session.run against TensorFlow's.

A loop without Print/Assert runs on onnxruntime as before (goal: no slower than before this
change, and the same ratio to TF as other small graphs); a loop with a Print runs on the numpy
interpreter, one pass at a time (reported for information: TF's executor is the anchor). The
Print uses first_n=1 so that the measured runs print nothing.

Run: `/work/venv-tf/bin/python benchmarks/bench_loop_effects.py` (TensorFlow is imported only
here; without it only ortflow's figures are printed).
"""

from __future__ import annotations

import statistics
import time

import numpy as np

SNIPPET = """
n = tf.placeholder(tf.int32, [], name="n")
x0 = tf.placeholder(tf.float32, [64], name="x0")
def body(i, x):
    if PRINT:
        x = tf.Print(x, [i], message="pass ", first_n=1)
    return i + 1, tf.tanh(x) * 1.01 + 0.1
loop = tf.while_loop(lambda i, x: i < n, body, [tf.constant(0), x0])
"""


def _median_time(fn, repeat: int = 7, inner: int = 20) -> float:
    fn()
    rounds = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        rounds.append((time.perf_counter() - t) / inner)
    return statistics.median(rounds)


def _measure(mod, with_print: bool, passes: int) -> tuple[float, np.ndarray]:
    graph = mod.Graph()
    with graph.as_default():
        scope = {"tf": mod, "PRINT": with_print}
        exec(SNIPPET, scope)  # noqa: S102 (this file's own constant)
        feeds = {scope["n"]: passes, scope["x0"]: np.linspace(-1, 1, 64, dtype=np.float32)}
        with mod.Session(graph=graph) as sess:
            value = sess.run(scope["loop"], feeds)[1]
            seconds = _median_time(lambda: sess.run(scope["loop"], feeds))
    return seconds, value


def main() -> None:
    import ortflow

    try:
        import tensorflow

        tensorflow.compat.v1.disable_v2_behavior()
        tf_v1 = tensorflow.compat.v1
    except ImportError:
        tf_v1 = None
    for with_print in (False, True):
        for passes in (10, 100):
            ours, value = _measure(ortflow, with_print, passes)
            line = f"print={with_print!s:5} passes={passes:4}: ortflow {ours * 1e3:7.3f} ms"
            if tf_v1 is not None:
                theirs, expected = _measure(tf_v1, with_print, passes)
                np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-6)
                line += f"  TF {theirs * 1e3:7.3f} ms  ortflow/TF {ours / theirs:5.2f}"
            print(line)


if __name__ == "__main__":
    main()
