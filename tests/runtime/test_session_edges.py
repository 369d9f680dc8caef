"""Session edge cases found by the differential battery against TensorFlow
(tests/runtime/test_session_differential_interop.py), kept here without TensorFlow.

Each test pins what TF 1.x's Session does (as TF 2.21's compat.v1 showed it) where ortflow used
to differ: lost updates from concurrent runs, Assign with validate_shape, feed conversion rules,
feed keys TF cannot interpret, tensors of another graph, int64 results' numpy type.
"""

from __future__ import annotations

import threading

import numpy as np
import ortflow as tf
import pytest
from ortflow.errors import InvalidArgumentError, NotFoundError


def test_concurrent_assign_adds_lose_no_update():
    with tf.Graph().as_default():
        counter = tf.Variable(0.0, name="counter")
        inc = tf.assign_add(counter, 1.0)
        with tf.Session() as sess:
            sess.run(counter.initializer)

            def work():
                for _ in range(25):
                    sess.run(inc)

            threads = [threading.Thread(target=work) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert sess.run(counter) == 200.0


def test_assign_with_validate_shape_rejects_another_shape():
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        p = tf.placeholder(tf.float32, None)
        checked = tf.assign(v, p)
        free = tf.assign(v, p, validate_shape=False)
        with tf.Session() as sess:
            sess.run(v.initializer)
            with pytest.raises(InvalidArgumentError, match=r"lhs shape= \[2\] rhs shape= \[3\]"):
                sess.run(checked, {p: [1.0, 2.0, 3.0]})
            np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])  # not written
            np.testing.assert_array_equal(sess.run(checked, {p: [5.0, 6.0]}), [5.0, 6.0])
            np.testing.assert_array_equal(sess.run(free, {p: [1.0, 2.0, 3.0]}), [1.0, 2.0, 3.0])
            np.testing.assert_array_equal(sess.run(v), [1.0, 2.0, 3.0])


def test_assign_validates_against_the_declared_shape_before_initialization():
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        p = tf.placeholder(tf.float32, None)
        with tf.Session() as sess, pytest.raises(InvalidArgumentError, match="'v'"):
            sess.run(tf.assign(v, p), {p: [1.0]})


def test_float_fed_to_an_int_scalar_truncates_as_tensorflow():
    with tf.Graph().as_default():
        p = tf.placeholder(tf.int32, [])
        with tf.Session() as sess:
            assert sess.run(p + 1, {p: 1.5}) == 2
            assert sess.run(p + 1, {p: np.float64(2.7)}) == 3


@pytest.mark.parametrize("dtype, value", [(tf.int8, 300), (tf.uint8, -1), (tf.int32, 2 ** 31)])
def test_python_int_out_of_range_is_a_type_error(dtype, value):
    with tf.Graph().as_default():
        p = tf.placeholder(dtype, [])
        with tf.Session() as sess, pytest.raises(TypeError, match="is not compatible with Tensor"):
            sess.run(tf.identity(p), {p: value})


def test_big_python_int_fed_to_float_is_rounded():
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, [])
        with tf.Session() as sess:
            assert sess.run(tf.identity(p), {p: 2 ** 30 + 1}) == np.float32(2 ** 30)


def test_a_graph_tensor_is_no_feed_value():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2])
        with tf.Session() as sess, pytest.raises(TypeError, match="cannot be a Tensor"):
            sess.run(x * 2.0, {x: tf.constant([1.0, 2.0])})


def test_unknown_feed_name_is_a_type_error_and_not_found():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2])
        with tf.Session() as sess:
            with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor.*'nope:0'"):
                sess.run(x * 2.0, {"nope:0": 1.0, x: [1.0, 2.0]})
            with pytest.raises(NotFoundError):
                sess.run(x * 2.0, {"nope:0": 1.0, x: [1.0, 2.0]})


def test_tensors_of_another_graph_are_refused():
    other = tf.Graph()
    with other.as_default():
        foreign = tf.constant(1.0, name="c")
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [], name="c")  # the same name, in the session's graph
        with tf.Session() as sess:
            with pytest.raises(ValueError, match="not an element of this session's graph"):
                sess.run(foreign, {x: 2.0})
            with pytest.raises(TypeError, match="not an element of this session's graph"):
                sess.run(x, {foreign: 2.0})
            # TF checks the feeds first: a foreign feed and a foreign fetch is the feed's TypeError
            with pytest.raises(TypeError, match="Cannot interpret feed_dict key 'c:0'"):
                sess.run(foreign, {foreign: 2.0})


def test_empty_graph_is_a_runtime_error():
    with pytest.raises(RuntimeError, match="graph is empty"):
        tf.Session(graph=tf.Graph()).run([])


def test_int64_results_have_numpy_int64_type():
    with tf.Graph().as_default():
        p = tf.placeholder(tf.int64, [None])
        with tf.Session() as sess:
            vector, scalar = sess.run([p * 2, tf.reduce_sum(p)], {p: [1, 2]})
    assert vector.dtype.type is np.int64
    assert isinstance(scalar, np.int64) and scalar == 3


def test_changing_a_fetched_value_leaves_the_variable_alone():
    with tf.Graph().as_default():
        ref = tf.Variable([1.0, 2.0], name="ref")
        res = tf.Variable([1.0, 2.0], name="res", use_resource=True)
        assigned = tf.assign(ref, [3.0, 4.0])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got_ref, got_res = sess.run([ref, res])
            got_ref[0] = got_res[0] = 100.0
            got_assigned = sess.run(assigned)
            got_assigned[1] = -1.0
            np.testing.assert_array_equal(sess.run(ref), [3.0, 4.0])
            np.testing.assert_array_equal(sess.run(res), [1.0, 2.0])


def test_strings_that_are_not_utf8_pass_through_as_bytes():
    # onnxruntime carries strings as UTF-8 text; TF strings are bytes. Such a run moves to the
    # numpy interpreter instead of failing with a codec error.
    with tf.Graph().as_default():
        fed = tf.placeholder(tf.string, [None])
        const = tf.constant([b"\xff\xfe", b"ok"])
        with tf.Session() as sess:
            same, eq = sess.run([tf.identity(fed), tf.equal(fed, const)], {fed: [b"\xff\xfe", b"no"]})
            assert list(same) == [b"\xff\xfe", b"no"] and list(eq) == [True, False]
            assert list(sess.run(tf.identity(const))) == [b"\xff\xfe", b"ok"]
            assert list(sess.run(tf.identity(fed), {fed: ["text"]})) == [b"text"]


def test_values_from_the_numpy_interpreter_do_not_alias_variables():
    # StringUpper has no ONNX form: the run goes to the numpy interpreter, whose Identity
    # returns its input (here a variable's value).
    with tf.Graph().as_default():
        ref = tf.Variable([1.0, 2.0], name="ref")
        res = tf.Variable([1.0, 2.0], name="res", use_resource=True)
        words = tf.placeholder(tf.string, [None])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            a, b, _ = sess.run([tf.identity(ref), res.read_value(), tf.strings.upper(words)], {words: ["a"]})
            assert sess.last_run_backend == "numpy"
            a[0] = b[0] = 100.0
            np.testing.assert_array_equal(sess.run(ref), [1.0, 2.0])
            np.testing.assert_array_equal(sess.run(res), [1.0, 2.0])


def test_assign_on_the_reference_an_assign_returns():
    with tf.Graph().as_default():
        v = tf.Variable(1.0, name="v")
        chained = tf.assign_add(tf.assign(v, 5.0), 2.0)
        with tf.Session() as sess:
            sess.run(v.initializer)
            assert sess.run(chained) == 7.0
            assert sess.run(v) == 7.0


def test_integer_division_by_a_zero_constant_is_an_invalid_argument():
    # onnxruntime refuses such a model when it builds its kernels; TF fails the op at run time
    with tf.Graph().as_default():
        a = tf.placeholder(tf.int32, [None])
        with tf.Session() as sess, pytest.raises(InvalidArgumentError, match="Integer division by zero"):
            sess.run(tf.floordiv(a, tf.constant([0, 1])), {a: [4, 4]})


def test_onnxruntime_failures_log_nothing(capfd):
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, [None, None])
        b = tf.placeholder(tf.float32, [None, None])
        with tf.Session() as sess, pytest.raises(InvalidArgumentError, match="'mm'"):
            sess.run(tf.matmul(a, b, name="mm"), {a: np.ones((2, 3)), b: np.ones((4, 5))})
    assert "onnxruntime" not in capfd.readouterr().err  # the error says it once, as TF's


@pytest.mark.parametrize("fed", [[1, 2], np.array([1.5])])
def test_numbers_fed_to_a_string_tensor_are_refused_as_tensorflow(fed):
    from ortflow.errors import InternalError

    with tf.Graph().as_default():
        words = tf.placeholder(tf.string, [None], name="words")
        with tf.Session() as sess, pytest.raises(InternalError, match="Unsupported object type .* 'words:0'"):
            sess.run(tf.identity(words), {words: fed})
