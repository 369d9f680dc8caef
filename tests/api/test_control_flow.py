"""tf.cond, tf.while_loop, tf.TensorArray, map_fn/scan/folds and Assert: graphs and values.

Values are checked against numpy through a real Session (onnxruntime); graph facts are the
node names, ops and control edges TF 1.x gives (the interop tests compare whole GraphDefs).
"""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest


def _run(fetches, feed=None, init=False):
    with tf.Session() as sess:
        if init:
            sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def _node(g, name):
    return g.get_operation_by_name(name).node_def


@pytest.fixture
def graph():
    g = tf.Graph()
    with g.as_default():
        yield g


# --------------------------------------------------------------------------- cond

def test_cond_routes_captured_tensors_through_switches(graph):
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.constant(3.0, name="y")
    p = tf.placeholder(tf.bool, [], name="p")
    r = tf.cond(p, lambda: x * y + tf.constant(1.0), lambda: x - 1.0)
    assert r.name == "cond/Merge:0"
    assert list(_node(graph, "cond/mul").input) == ["cond/mul/Switch:1", "cond/mul/Switch_1:1"]
    assert list(_node(graph, "cond/mul/Switch").input) == ["x", "cond/pred_id"]
    assert list(_node(graph, "cond/Const").input) == ["^cond/switch_t"]  # no inputs: pivot edge
    assert list(_node(graph, "cond/sub/y").input) == ["^cond/switch_f"]
    assert list(_node(graph, "cond/Merge").input) == ["cond/sub", "cond/add"]
    feed = {x: [1.0, 2.0]}
    np.testing.assert_allclose(_run(r, {**feed, p: True}), [4.0, 7.0])
    np.testing.assert_allclose(_run(r, {**feed, p: False}), [0.0, 1.0])


def test_nested_cond_and_structured_outputs(graph):
    a = tf.placeholder(tf.int32, [], name="a")
    x = tf.placeholder(tf.float32, [3], name="x")

    def outer_true():
        inner = tf.cond(a > 5, lambda: x * 10.0, lambda: x + 100.0)
        return {"v": inner, "n": a + 1}

    out = tf.cond(a > 0, outer_true, lambda: {"v": -x, "n": a - 1})
    assert sorted(out) == ["n", "v"]
    xs = np.array([1.0, 2.0, 3.0], np.float32)
    for av, expect_v, expect_n in [(7, xs * 10, 8), (2, xs + 100, 3), (-1, -xs, -2)]:
        got = _run(out, {a: av, x: xs})
        np.testing.assert_allclose(got["v"], expect_v)
        assert got["n"] == expect_n


def test_cond_refuses_python_bool_and_mismatched_branches(graph):
    with pytest.raises(TypeError, match="Python bool"):
        tf.cond(True, lambda: tf.constant(1), lambda: tf.constant(2))
    p = tf.placeholder(tf.bool, [])
    with pytest.raises(ValueError, match="same"):
        tf.cond(p, lambda: (tf.constant(1), tf.constant(2)), lambda: tf.constant(3))


def test_case_picks_the_first_true_predicate(graph):
    x = tf.placeholder(tf.int32, [])
    out = tf.case([(x < 0, lambda: tf.constant(-1)), (x < 10, lambda: tf.constant(1))],
                  default=lambda: tf.constant(100))
    assert [_run(out, {x: v}) for v in (-5, 5, 50)] == [-1, 1, 100]


# --------------------------------------------------------------------------- while_loop

def test_while_loop_frame_structure(graph):
    n = tf.placeholder(tf.int32, [], name="n")
    i, acc = tf.while_loop(lambda i, acc: i < n, lambda i, acc: (i + 1, acc + 2.0),
                           [tf.constant(0), tf.constant(0.0)])
    assert (i.name, acc.name) == ("while/Exit:0", "while/Exit_1:0")
    enter = _node(graph, "while/Enter")
    assert enter.attr["frame_name"].s == b"while/while_context"
    assert not enter.attr["is_constant"].b and enter.attr["parallel_iterations"].i == 10
    assert list(_node(graph, "while/Merge").input) == ["while/Enter", "while/NextIteration"]
    # n is read inside the frame through a constant Enter named after its consumer
    assert list(_node(graph, "while/Less").input) == ["while/Merge", "while/Less/Enter"]
    assert _node(graph, "while/Less/Enter").attr["is_constant"].b
    assert list(_node(graph, "while/add/y").input) == ["^while/Identity"]
    assert _run([i, acc], {n: 4}) == [4, 8.0]


def test_while_loop_accumulates_with_maximum_iterations(graph):
    x = tf.placeholder(tf.float32, [2], name="x")
    out = tf.while_loop(lambda s: tf.reduce_sum(s) < 1000.0, lambda s: s * 2.0 + x, [x],
                        maximum_iterations=3)
    assert out.name == "while/Exit_1:0"
    np.testing.assert_allclose(_run(out, {x: [1.0, 2.0]}), [15.0, 30.0])


def test_while_loop_nested_loop_vars(graph):
    def body(state, pair):
        return {"i": state["i"] + 1}, (pair[1], pair[0] + pair[1])

    state, pair = tf.while_loop(lambda s, p: s["i"] < 10, body,
                                ({"i": tf.constant(0)}, (tf.constant(0), tf.constant(1))))
    got = _run([state, pair])
    assert got[0]["i"] == 10 and tuple(got[1]) == (55, 89)


def test_while_loop_with_tensor_array_write_and_stack(graph):
    x = tf.placeholder(tf.float32, [3], name="x")
    n = tf.placeholder(tf.int32, [], name="n")
    ta = tf.TensorArray(tf.float32, size=n)

    def body(i, ta):
        return i + 1, ta.write(i, x * tf.cast(i, tf.float32))

    _, ta_out = tf.while_loop(lambda i, ta: i < n, body, [tf.constant(0), ta])
    stacked = ta_out.stack()
    assert isinstance(ta_out, tf.TensorArray)
    assert stacked.name == "TensorArrayStack/TensorArrayGatherV3:0"
    assert stacked.shape.as_list() == [None, 3]
    write = _node(graph, "while/TensorArrayWrite/TensorArrayWriteV3")
    assert list(write.input) == ["while/TensorArrayWrite/TensorArrayWriteV3/Enter", "while/Identity",
                                 "while/mul", "while/Identity_1"]
    got = _run(stacked, {x: [1.0, 2.0, 3.0], n: 4})
    np.testing.assert_allclose(got, np.arange(4)[:, None] * np.array([1.0, 2.0, 3.0]))


def test_cond_inside_while(graph):
    def body(i, acc):
        acc = tf.cond(tf.equal(i % 2, 0), lambda: acc + i, lambda: acc - 1)
        return i + 1, acc

    i, acc = tf.while_loop(lambda i, acc: i < 6, body, [tf.constant(0), tf.constant(0)])
    assert _node(graph, "while/cond/Switch").op == "Switch"
    assert _run([i, acc]) == [6, (0 + 2 + 4) - 3]


def test_nested_while_and_while_inside_cond(graph):
    x = tf.placeholder(tf.float32, [2], name="x")
    p = tf.placeholder(tf.bool, [])
    n = tf.placeholder(tf.int32, [])

    def outer(i, acc):
        _, inner = tf.while_loop(lambda j, a: j < i, lambda j, a: (j + 1, a + x), [0, acc])
        return i + 1, inner

    _, total = tf.while_loop(lambda i, acc: i < n, outer, [0, tf.zeros([2])])
    # the inner loop's result leaves through its Exit straight into the outer body
    assert list(_node(graph, "while/NextIteration_1").input) == ["while/while/Exit_1"]
    doubled = tf.cond(p, lambda: tf.while_loop(lambda k, a: k < 3, lambda k, a: (k + 1, a * 2.0), [0, x])[1],
                      lambda: x - 1.0)
    xs = np.array([1.0, 2.0], np.float32)
    got = _run([total, doubled], {x: xs, p: True, n: 4})
    np.testing.assert_allclose(got[0], (0 + 1 + 2 + 3) * xs)
    np.testing.assert_allclose(got[1], xs * 8)
    np.testing.assert_allclose(_run(doubled, {x: xs, p: False}), xs - 1)


def test_variables_in_loop_and_cond_bodies(graph):
    x = tf.placeholder(tf.float32, [2], name="x")
    v = tf.Variable([1.0, 2.0], name="v")
    rv = tf.get_variable("rv", initializer=tf.constant([3.0, 4.0]), use_resource=True)
    p = tf.placeholder(tf.bool, [])
    _, acc = tf.while_loop(lambda i, acc: i < 3, lambda i, acc: (i + 1, acc + v * x + rv), [0, tf.zeros([2])])
    c = tf.cond(p, lambda: v + rv, lambda: v - rv)
    # the resource variable is read afresh inside the loop, as TF does
    assert _node(graph, "while/add_2/ReadVariableOp").input[0] == "while/add_2/ReadVariableOp/Enter"
    got = _run([acc, c], {x: [1.0, 2.0], p: False}, init=True)
    np.testing.assert_allclose(got[0], 3 * (np.array([1.0, 4.0]) + [3.0, 4.0]))
    np.testing.assert_allclose(got[1], [-2.0, -2.0])


@pytest.mark.parametrize("taken", [True, False])
def test_assign_inside_cond_branch(graph, taken):
    x = tf.placeholder(tf.float32, [2], name="x")
    p = tf.placeholder(tf.bool, [])
    v = tf.Variable([1.0, 2.0], name="v")
    rv = tf.get_variable("rv", initializer=tf.constant([3.0, 4.0]), use_resource=True)
    c = tf.cond(p, lambda: tf.assign(v, x * 2.0), lambda: tf.identity(x))
    c2 = tf.cond(p, lambda: tf.assign_add(rv, x), lambda: tf.identity(x))
    xs = np.array([1.0, 2.0], np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(2):
            sess.run([c, c2], {x: xs, p: taken})
        got_v, got_rv = sess.run([v, rv])
    np.testing.assert_allclose(got_v, xs * 2 if taken else [1.0, 2.0])
    np.testing.assert_allclose(got_rv, [3.0, 4.0] + 2 * xs if taken else [3.0, 4.0])


def test_assign_inside_while_body_is_carried_through_the_loop(graph):
    x = tf.placeholder(tf.float32, [2], name="x")
    v = tf.Variable([1.0, 2.0], name="v")
    rv = tf.get_variable("rv", initializer=tf.constant([3.0, 4.0]), use_resource=True)

    def body(i, acc):
        with tf.control_dependencies([tf.assign_add(v, x), tf.assign_add(rv, x)]):
            return i + 1, acc + 1.0

    def body2(i, acc):
        up = tf.cond(tf.equal(i % 2, 0), lambda: tf.assign_add(rv, x), lambda: tf.identity(x))
        return i + 1, acc + up

    out = tf.while_loop(lambda i, acc: i < 3, body, [0, tf.zeros([2])])
    out2 = tf.while_loop(lambda i, acc: i < 4, body2, [0, tf.zeros([2])])
    xs = np.array([1.0, 2.0], np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(out[1], {x: xs}), [3.0, 3.0])
        got_v, got_rv = sess.run([v, rv])
        np.testing.assert_allclose(got_v, [1.0, 2.0] + 3 * xs)
        np.testing.assert_allclose(got_rv, [3.0, 4.0] + 3 * xs)
        # iterations 0 and 2 add x to rv and return the new value; 1 and 3 return x
        start = got_rv
        expect = (start + xs) + xs + (start + 2 * xs) + xs
        np.testing.assert_allclose(sess.run(out2[1], {x: xs}), expect)
        np.testing.assert_allclose(sess.run(rv), start + 2 * xs)


def test_variable_created_in_a_loop_body_is_outside_the_frame(graph):
    def body(i, acc):
        with tf.variable_scope("cell", reuse=tf.AUTO_REUSE):
            w = tf.get_variable("w", [2], initializer=tf.ones_initializer())
        return i + 1, acc + w

    _, acc = tf.while_loop(lambda i, acc: i < 3, body, [0, tf.zeros([2])])
    assert not _node(graph, "cell/w").input  # no control edge from the loop's pivot
    np.testing.assert_allclose(_run(acc, init=True), [3.0, 3.0])


def test_while_loop_shape_invariants(graph):
    grow = lambda s: tf.concat([s, [1.0]], 0)
    with pytest.raises(ValueError, match="shape_invariants"):
        tf.while_loop(lambda s: tf.size(s) < 5, grow, [tf.zeros([0])])
    out = tf.while_loop(lambda s: tf.size(s) < 5, grow, [tf.zeros([0])], shape_invariants=[tf.TensorShape([None])])
    # the loop variable's shape inside the loop is the invariant, so tf.size is computed, not folded
    assert _node(graph, "while_1/Size").op == "Size"
    assert out.shape.as_list() == [None]
    np.testing.assert_allclose(_run(out), np.ones(5))


def test_while_loop_rejects_bad_arguments(graph):
    with pytest.raises(TypeError):
        tf.while_loop(1, lambda i: i, [0])
    with pytest.raises(ValueError, match="match"):
        tf.while_loop(lambda i: i < 3, lambda i: (i, i), [tf.constant(0)])
    with pytest.raises(ValueError, match="shape invariant"):
        tf.while_loop(lambda x: True, lambda x: x, [tf.zeros([2])], shape_invariants=[tf.TensorShape([3])])


# --------------------------------------------------------------------------- TensorArray

def test_tensor_array_writes_in_any_order(graph):
    x = tf.placeholder(tf.float32, [2], name="x")
    ta = tf.TensorArray(tf.float32, size=4)
    ta = ta.write(2, x * 3.0).write(0, x).write(3, x + 1.0).write(1, x - 1.0)
    reverse = tf.TensorArray(tf.float32, size=5)
    _, reverse = tf.while_loop(lambda i, t: i < 5, lambda i, t: (i + 1, t.write(4 - i, x * tf.cast(i, tf.float32))),
                               [0, reverse])
    xs = np.array([1.0, 2.0], np.float32)
    got, rev = _run([ta.stack(), reverse.stack()], {x: xs})
    np.testing.assert_allclose(got, [xs, xs - 1, xs * 3, xs + 1])
    np.testing.assert_allclose(rev, [xs * 4, xs * 3, xs * 2, xs * 1, xs * 0])


def test_tensor_array_read_gather_concat_split_size(graph):
    value = np.arange(12, dtype=np.float32).reshape(4, 3)
    ta = tf.TensorArray(tf.float32, size=4, clear_after_read=False).unstack(value)
    read, gathered = ta.read(2), ta.gather([3, 0])
    dyn = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
    dyn = dyn.write(0, [1.0, 2.0]).write(1, [3.0, 4.0])
    size = dyn.size()
    concat = dyn.concat()
    assert size.op.type == "TensorArraySizeV3" and ta.size().op.type == "Const"
    assert dyn.dynamic_size and ta.element_shape.as_list() == [3]
    got = _run([read, gathered, size, concat])
    np.testing.assert_allclose(got[0], value[2])
    np.testing.assert_allclose(got[1], value[[3, 0]])
    assert got[2] == 2
    np.testing.assert_allclose(got[3], [1.0, 2.0, 3.0, 4.0])


def test_tensor_array_checks_dtype_and_shape(graph):
    ta = tf.TensorArray(tf.float32, size=2, element_shape=[2])
    with pytest.raises(ValueError, match="dtype"):
        ta.write(0, tf.constant([1, 2]))
    with pytest.raises(ValueError, match="Inconsistent shapes"):
        ta.write(0, tf.constant([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="size"):
        tf.TensorArray(tf.float32)


# --------------------------------------------------------------------------- map_fn, scan, folds

def test_map_fn_scan_foldl_foldr_values(graph):
    x = tf.placeholder(tf.float32, [4, 2], name="x")
    xs = np.arange(8, dtype=np.float32).reshape(4, 2)
    mapped = tf.map_fn(lambda e: e * 2.0, x)
    pairs = tf.map_fn(lambda e: (e[0], tf.reduce_sum(e[1])), (x, x), dtype=(tf.float32, tf.float32))
    scanned = tf.scan(lambda a, e: a + e, x)
    scanned_init = tf.scan(lambda a, e: a * e, x, initializer=tf.ones([2]), reverse=True)
    left = tf.foldl(lambda a, e: a + e, x)
    right = tf.foldr(lambda a, e: a * 10.0 + e, x, initializer=tf.zeros([2]))
    assert mapped.shape.as_list() == [4, 2] and scanned.shape.as_list() == [4, 2]
    got = _run([mapped, pairs, scanned, scanned_init, left, right], {x: xs})
    np.testing.assert_allclose(got[0], xs * 2)
    np.testing.assert_allclose(got[1][0], xs)
    np.testing.assert_allclose(got[1][1], xs.sum(axis=1))
    np.testing.assert_allclose(got[2], np.cumsum(xs, axis=0))
    np.testing.assert_allclose(got[3], np.cumprod(xs[::-1], axis=0)[::-1])
    np.testing.assert_allclose(got[4], xs.sum(axis=0))
    expect = np.zeros(2, np.float32)
    for row in xs[::-1]:
        expect = expect * 10 + row
    np.testing.assert_allclose(got[5], expect)


def test_map_fn_with_unknown_length(graph):
    x = tf.placeholder(tf.float32, [None, 3])
    out = tf.map_fn(lambda e: tf.reduce_max(e), x)
    xs = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    np.testing.assert_allclose(_run(out, {x: xs}), xs.max(axis=1), rtol=1e-6)


# --------------------------------------------------------------------------- Assert, Print

def test_assert_structure(graph):
    x = tf.placeholder(tf.float32, [3], name="x")
    guarded = tf.Assert(tf.reduce_all(x > 0), [x, "msg"])
    plain = tf.Assert(x[0] > 0, ["only strings", tf.constant(1)])
    assert guarded.name == "Assert/AssertGuard/Merge" and guarded.type == "Merge"
    assert _node(graph, "Assert/AssertGuard/Assert").op == "Assert"
    assert plain.name == "Assert_1/Assert" and plain.type == "Assert"


@pytest.mark.parametrize("guarded", [True, False], ids=["float_data", "string_data"])
def test_failing_assert_raises_invalid_argument(graph, guarded):
    x = tf.placeholder(tf.float32, [3], name="x")
    data = [x, "x must be positive"] if guarded else ["x must be positive"]
    check = tf.Assert(tf.reduce_all(x > 0), data)
    with tf.control_dependencies([check]):
        y = tf.identity(x * 2.0)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y, {x: [1.0, 2.0, 3.0]}), [2.0, 4.0, 6.0])
        with pytest.raises(tf.errors.InvalidArgumentError, match="Assert"):
            sess.run(y, {x: [1.0, -2.0, 3.0]})
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(check, {x: [-1.0, 2.0, 3.0]})


def test_print_passes_its_input_through(graph):
    x = tf.placeholder(tf.float32, [2])
    p = tf.Print(x, [x], message="x: ")
    op = tf.print("x:", x, {"k": x})
    fmt = op.inputs[0].op
    assert fmt.type == "StringFormat" and fmt.get_attr("template") == b"x: {} {'k': {}}"
    np.testing.assert_allclose(_run(p, {x: [1.0, 2.0]}), [1.0, 2.0])


def test_assert_family_passes_and_fails_at_run_time(graph):
    x = tf.placeholder(tf.float32, [3], name="x")
    checks = [tf.assert_positive(x), tf.assert_less(x, 10.0), tf.debugging.assert_greater_equal(x, 1.0),
              tf.assert_none_equal(x, 5.0), tf.assert_non_positive(-x), tf.assert_equal(x, x)]
    assert checks[-1].type == "NoOp"  # x is y: nothing to check, as TF
    with tf.control_dependencies(checks):
        y = tf.identity(x)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y, {x: [1.0, 2.0, 3.0]}), [1.0, 2.0, 3.0])
        for bad in ([0.5, 2.0, 3.0], [1.0, 5.0, 3.0], [1.0, 2.0, 30.0]):
            with pytest.raises(tf.errors.InvalidArgumentError):
                sess.run(y, {x: bad})


def test_assert_between_constants_is_checked_while_building(graph):
    with pytest.raises(tf.errors.InvalidArgumentError, match="x == y"):
        tf.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]))
    assert tf.assert_equal(tf.constant([1, 2]), tf.constant([1, 2])).type in ("Assert", "Merge")
