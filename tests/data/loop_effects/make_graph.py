"""Writes graph.pb (a TensorFlow-built GraphDef with prints and asserts in while loops) and
expected.json (what TensorFlow printed and raised running it).

Run with TensorFlow installed (the repository's oracle environment):
    /work/venv-tf/bin/python tests/data/loop_effects/make_graph.py
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

from ortflow.formats.files import write_bytes_atomic, write_text_atomic

HERE = pathlib.Path(__file__).resolve().parent

BUILD = '''
import sys
import tensorflow as tf
tf.compat.v1.disable_v2_behavior()
tf = tf.compat.v1
n = tf.placeholder(tf.int32, [], name="n")
p = tf.placeholder(tf.bool, [], name="p")
def body(i, x):
    x = tf.Print(x, [i, x], message="outer: ")
    def inner(j, y):
        check = tf.debugging.assert_less(j, 3, message="j bound")
        with tf.control_dependencies([check, tf.print("inner", j, y, output_stream=sys.stderr)]):
            return j + 1, y * 2.0
    _, y = tf.while_loop(lambda j, y: j < i, inner, [tf.constant(0), x])
    return i + 1, y + 1.0
_, out = tf.while_loop(lambda i, x: i < n, body, [tf.constant(0), tf.constant([1.0, 2.0])])
out = tf.identity(out, name="out")
def in_cond():
    def b(k):
        check = tf.Assert(k < 2, ["k small", k], name="k_check")
        with tf.control_dependencies([check]):
            return tf.Print(k, [k], message="cond loop: ") + 1
    return tf.while_loop(lambda k: k < n, b, [tf.constant(0)])
r = tf.identity(tf.cond(p, in_cond, lambda: n * 10), name="r")
sys.stdout.buffer.write(tf.get_default_graph().as_graph_def().SerializeToString())
'''

RUN = '''
import sys
import tensorflow as tf
tf.compat.v1.disable_v2_behavior()
tf = tf.compat.v1
g = tf.GraphDef.FromString(open(sys.argv[1], "rb").read())
tf.import_graph_def(g, name="")
fetch, feeds = sys.argv[2], eval(sys.argv[3])
with tf.Session() as sess:
    try:
        print(repr(sess.run(fetch, feeds).tolist()))
    except tf.errors.InvalidArgumentError as e:
        print("ERROR " + e.message.split("\\n")[-2 if "Graph execution error" in e.message else 0])
'''

# (fetch, feeds) cases; each one's printed lines and result are recorded.
CASES = [("out:0", "{'n:0': 3}"), ("out:0", "{'n:0': 5}"), ("r:0", "{'n:0': 2, 'p:0': True}"),
         ("r:0", "{'n:0': 4, 'p:0': True}"), ("r:0", "{'n:0': 4, 'p:0': False}")]


def _printed(stderr: str) -> list[str]:
    keep = ("outer: ", "inner ", "cond loop: ")
    return [line for line in stderr.splitlines() if line.startswith(keep)]


def main() -> None:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    graph = subprocess.run([sys.executable, "-c", BUILD], capture_output=True, check=True, env=env).stdout
    write_bytes_atomic(HERE / "graph.pb", graph)
    expected = []
    for fetch, feeds in CASES:
        done = subprocess.run([sys.executable, "-c", RUN, str(HERE / "graph.pb"), fetch, feeds],
                              capture_output=True, text=True, check=True, env=env)
        expected.append({"fetch": fetch, "feeds": feeds, "stdout": done.stdout.strip(),
                         "printed": _printed(done.stderr)})
    write_text_atomic(HERE / "expected.json", json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main()
