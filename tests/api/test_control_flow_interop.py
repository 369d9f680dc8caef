"""Control flow against TensorFlow itself: identical GraphDefs, and TF runs what ortflow builds.

Each snippet is built by `tensorflow.compat.v1` (with `disable_v2_behavior`, so v1 control
flow: Switch/Merge conds and Enter/Exit frames) and by `import ortflow as tf`; every node's
name, op, inputs, device and attrs must be equal, in the same order (tools/compare_graphs.py).
Then TensorFlow imports ortflow's GraphDef and runs it, and ortflow's Session runs the same
graph: the values must agree.
"""

from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pytest

pytestmark = pytest.mark.interop

_TOOL = pathlib.Path(__file__).resolve().parents[2] / "tools" / "compare_graphs.py"

X2 = np.array([1.0, 2.0], np.float32)
X42 = np.arange(8, dtype=np.float32).reshape(4, 2)

# name -> (snippet, feeds by tensor name, fetched tensor names, run the initializer first[,
# tensors fetched by a second run]). The loop in "assign_in_loop_and_cond" returns the assigned
# reference variable's value; TF reads that alias whenever its parallel iterations get to it,
# so only the iteration count and the variables after the run are compared.
SNIPPETS = {
    "cond_captured": ("""
x = tf.placeholder(tf.float32, [2], name="x")
y = tf.constant(3.0, name="y")
p = tf.placeholder(tf.bool, [], name="p")
r = tf.cond(p, lambda: x * y + tf.constant(1.0), lambda: x - 1.0)
""", {"x:0": X2, "p:0": True}, ["cond/Merge:0"], False),
    "cond_nested": ("""
a = tf.placeholder(tf.int32, [], name="a")
x = tf.placeholder(tf.float32, [2], name="x")
def outer():
    return tf.cond(a > 5, lambda: x * 10.0, lambda: x + 100.0), a + 1
r = tf.cond(a > 0, outer, lambda: (-x, a - 1))
""", {"a:0": 3, "x:0": X2}, ["cond/Merge:0", "cond/Merge_1:0"], False),
    "while_counter": ("""
n = tf.placeholder(tf.int32, [], name="n")
x = tf.placeholder(tf.float32, [2], name="x")
i, acc = tf.while_loop(lambda i, acc: i < n, lambda i, acc: (i + 1, acc * 2.0 + x), [tf.constant(0), tf.zeros([2])])
""", {"n:0": 4, "x:0": X2}, ["while/Exit:0", "while/Exit_1:0"], False),
    "while_max_iterations": ("""
x = tf.placeholder(tf.float32, [2], name="x")
out = tf.while_loop(lambda s: tf.reduce_sum(s) < 1000.0, lambda s: s * 2.0 + x, [x], maximum_iterations=3)
""", {"x:0": X2}, ["while/Exit_1:0"], False),
    "while_tensor_array": ("""
x = tf.placeholder(tf.float32, [3], name="x")
n = tf.placeholder(tf.int32, [], name="n")
ta = tf.TensorArray(tf.float32, size=n)
def b(i, acc, ta):
    ta = ta.write(i, x * tf.cast(i, tf.float32))
    return i + 1, acc + x, ta
out = tf.while_loop(lambda i, acc, ta: i < n, b, [tf.constant(0), tf.zeros([3]), ta])
s = out[2].stack()
""", {"x:0": np.array([1.0, 2.0, 3.0], np.float32), "n:0": 4}, ["TensorArrayStack/TensorArrayGatherV3:0"], False),
    "tensor_array_any_order": ("""
x = tf.placeholder(tf.float32, [2], name="x")
ta = tf.TensorArray(tf.float32, size=4)
ta = ta.write(2, x * 3.0).write(0, x).write(3, x + 1.0).write(1, x - 1.0)
s = ta.stack()
ta2 = tf.TensorArray(tf.float32, size=5)
_, t2 = tf.while_loop(lambda i, t: i < 5, lambda i, t: (i + 1, t.write(4 - i, x * tf.cast(i, tf.float32))), [0, ta2])
s2 = t2.stack()
""", {"x:0": X2}, ["TensorArrayStack/TensorArrayGatherV3:0", "TensorArrayStack_1/TensorArrayGatherV3:0"], False),
    "map_fn": ("""
x = tf.placeholder(tf.float32, [4, 2], name="x")
m = tf.map_fn(lambda e: e * 2.0, x)
""", {"x:0": X42}, ["map/TensorArrayStack/TensorArrayGatherV3:0"], False),
    "scan_folds": ("""
x = tf.placeholder(tf.float32, [4, 2], name="x")
s = tf.scan(lambda a, e: a + e, x)
fl = tf.foldl(lambda a, e: a + e, x)
fr = tf.foldr(lambda a, e: a * e, x, initializer=tf.ones([2]))
""", {"x:0": X42}, ["scan/TensorArrayStack/TensorArrayGatherV3:0", "foldl/while/Exit_2:0",
                    "foldr/while/Exit_2:0"], False),
    "cond_in_while_with_variables": ("""
x = tf.placeholder(tf.float32, [2], name="x")
v = tf.Variable(tf.ones([2]), name="v")
rv = tf.get_variable("rv", shape=[2], initializer=tf.constant_initializer(0.5), use_resource=True)
def body(i, acc):
    c = tf.cond(tf.equal(i % 2, 0), lambda: acc + x, lambda: tf.cond(i > 2, lambda: acc * 2.0, lambda: acc - v))
    return i + 1, c + rv
out = tf.while_loop(lambda i, acc: i < 5, body, (0, tf.zeros([2])), maximum_iterations=10)
init = tf.global_variables_initializer()
""", {"x:0": X2}, ["while/Exit_1:0", "while/Exit_2:0"], True),
    "assign_in_loop_and_cond": ("""
x = tf.placeholder(tf.float32, [2], name="x")
v = tf.Variable([1.0, 2.0], name="v")
w = tf.Variable([3.0, 4.0], name="w")
def body(i, acc):
    with tf.control_dependencies([tf.assign_add(v, x)]):
        i = tf.identity(i)
    up = tf.cond(tf.equal(i % 2, 0), lambda: tf.assign_add(w, x), lambda: tf.identity(x))
    return i + 1, acc + up
out = tf.while_loop(lambda i, acc: i < 4, body, [0, tf.zeros([2])])
init = tf.global_variables_initializer()
""", {"x:0": X2}, ["while/Exit:0"], True, ["v:0", "w:0"]),
    "variables_made_in_body": ("""
x = tf.placeholder(tf.float32, [3, 2], name="x")
def body(i, acc):
    with tf.variable_scope("cell", reuse=tf.AUTO_REUSE):
        w = tf.get_variable("w", [2], initializer=tf.ones_initializer())
    return i + 1, acc + x[i] * w
out = tf.while_loop(lambda i, acc: i < 3, body, [0, tf.zeros([2])])
init = tf.global_variables_initializer()
""", {"x:0": np.arange(6, dtype=np.float32).reshape(3, 2)}, ["while/Exit_1:0"], True),
    "case": ("""
x = tf.placeholder(tf.int32, [], name="x")
out = tf.case([(x < 0, lambda: tf.constant(-1)), (x < 10, lambda: tf.constant(1))], default=lambda: tf.constant(100))
out2 = tf.case([(x < 0, lambda: tf.constant(-1)), (x > 5, lambda: tf.constant(1))])
""", {"x:0": 7}, ["case/cond/Merge:0", "case_1/cond/Merge:0"], False),
    "nested_while_and_while_in_cond": ("""
x = tf.placeholder(tf.float32, [2], name="x")
p = tf.placeholder(tf.bool, [], name="p")
n = tf.placeholder(tf.int32, [], name="n")
def outer(i, acc):
    j, inner = tf.while_loop(lambda j, a: j < i, lambda j, a: (j + 1, a + x), [0, acc])
    return i + 1, inner
out = tf.while_loop(lambda i, acc: i < n, outer, [0, tf.zeros([2])])
c = tf.cond(p, lambda: tf.while_loop(lambda k, a: k < 3, lambda k, a: (k + 1, a * 2.0), [0, x])[1], lambda: x - 1.0)
""", {"x:0": X2, "p:0": True, "n:0": 4}, ["while/Exit_1:0", "cond/Merge:0"], False),
    "shape_invariants": ("""
out = tf.while_loop(lambda s: tf.size(s) < 5, lambda s: tf.concat([s, [1.0]], 0), [tf.zeros([0])],
                    shape_invariants=[tf.TensorShape([None])])
""", {}, ["while/Exit:0"], False),
    "assert_family": ("""
x = tf.placeholder(tf.float32, [3], name="x")
checks = [tf.assert_equal(x, x), tf.assert_equal(x, tf.ones([3])), tf.assert_greater(x, 0.0, message="pos"),
          tf.assert_less_equal(x, 10.0), tf.assert_positive(x, message="must be positive"),
          tf.assert_non_positive(-x), tf.assert_none_equal(x, 5.0), tf.debugging.assert_less(x, 9.0)]
with tf.control_dependencies([tf.group(*checks[2:])]):
    y = tf.identity(x, name="y")
""", {"x:0": np.array([1.0, 2.0, 3.0], np.float32)}, ["y:0"], False),
    "assert_print": ("""
x = tf.placeholder(tf.float32, [3], name="x")
a = tf.Assert(tf.reduce_all(x > 0), [x, "msg"])
a2 = tf.Assert(x[0] > 0, ["only strings", tf.constant(1)])
with tf.control_dependencies([a, a2]):
    y = tf.identity(x)
p = tf.Print(y, [y, x], message="hi: ")
pr = tf.print("x:", x, [1, 2], {"a": x})
""", {"x:0": np.array([1.0, 2.0, 3.0], np.float32)}, ["Print:0"], False),
}


def _compare_module():
    spec = importlib.util.spec_from_file_location("compare_graphs", _TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ortflow_graph(code: str):
    import ortflow as otf

    g = otf.Graph()
    with g.as_default():
        exec(code, {"tf": otf, "np": np})
    return g


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_graph_def_identical_to_tensorflow(tf, name):
    problems = _compare_module().diff(SNIPPETS[name][0])
    assert not problems, "\n".join(problems[:5])


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_tensorflow_runs_ortflow_graph_with_the_same_values(tf, name):
    import ortflow as otf

    code, feeds, fetches, init, *after = SNIPPETS[name]
    after = after[0] if after else []
    g = _ortflow_graph(code)
    with otf.Session(graph=g) as sess:
        if init:
            sess.run("init")
        ours = sess.run(fetches, feeds) + (sess.run(after) if after else [])
    tg = tf.Graph()
    with tg.as_default():
        tf.import_graph_def(tf.GraphDef.FromString(g.as_graph_def().SerializeToString()), name="")
        with tf.Session(graph=tg) as sess:
            if init:
                sess.run("init")
            theirs = sess.run(fetches, feeds) + (sess.run(after) if after else [])
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_failing_assert_raises_in_both(tf):
    import ortflow as otf

    code = """
x = tf.placeholder(tf.float32, [3], name="x")
check = tf.Assert(tf.reduce_all(x > 0), [x, "x must be positive"])
with tf.control_dependencies([check]):
    y = tf.identity(x * 2.0, name="y")
"""
    bad = {"x:0": np.array([1.0, -2.0, 3.0], np.float32)}
    g = _ortflow_graph(code)
    with otf.Session(graph=g) as sess, pytest.raises(otf.errors.InvalidArgumentError, match="Assert"):
        sess.run("y:0", bad)
    tg = tf.Graph()
    with tg.as_default():
        tf.import_graph_def(tf.GraphDef.FromString(g.as_graph_def().SerializeToString()), name="")
        with tf.Session(graph=tg) as sess, pytest.raises(tf.errors.InvalidArgumentError, match="x must be positive"):
            sess.run("y:0", bad)
