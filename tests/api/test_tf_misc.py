"""`make_template`, `tables_initializer`, `Variable.load`, `py_func`, `tf.test.TestCase`, version strings."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import numpy as np
import ortflow as tf
import pytest
from ortflow.errors import InvalidArgumentError

TEMPLATE_SNIPPET = """
def f(x, scale):
    w = tf.get_variable("w", [2], initializer=tf.ones_initializer())
    return x * w * scale
t = tf.make_template("lin", f, scale=2.0)
a = t(tf.constant([1.0, 2.0]))
b = t(tf.constant([3.0, 4.0]))
t2 = tf.make_template("lin", f, scale=3.0)
c = t2(tf.constant([1.0, 1.0]))
with tf.variable_scope("outer"):
    t3 = tf.make_template("inner", f, scale=1.0, create_scope_now_=True)
d = t3(tf.constant([1.0, 1.0]))
names = ([v.name for v in tf.global_variables()], a.name, b.name, c.name, d.name, t.variable_scope_name,
         t2.variable_scope_name, [v.name for v in t.trainable_variables], tf.tables_initializer().name,
         tf.tables_initializer().type)
init = tf.global_variables_initializer()
"""


def _template_names(module):
    env = {"tf": module}
    with module.Graph().as_default():
        exec(TEMPLATE_SNIPPET, env)
        with module.Session() as sess:
            sess.run(env["init"])
            values = sess.run([env["a"], env["b"], env["c"]])
    return env["names"], values


def test_make_template_shares_variables_after_the_first_call():
    names, (a, b, c) = _template_names(tf)
    assert names == (["lin/w:0", "lin_1/w:0", "outer/inner/w:0"], "lin/mul_1:0", "lin_1/mul_1:0",
                     "lin_2/mul_1:0", "inner/mul_1:0", "lin/", "lin_1/", ["lin/w:0"], "init_all_tables",
                     "NoOp")
    np.testing.assert_allclose([a, b, c], [[2, 4], [6, 8], [3, 3]])


def test_make_template_refuses_new_trainable_variables_on_reuse():
    with tf.Graph().as_default():
        t = tf.make_template("grow", lambda x: x * tf.Variable(1.0, name="v"))
        t(1.0)
        with pytest.raises(ValueError, match="Trainable variable created when calling a template after"):
            t(2.0)
        with pytest.raises(NotImplementedError, match="custom_getter_"):
            tf.make_template("g", lambda: None, custom_getter_=lambda *a, **k: None)


def test_variable_load_writes_the_value_into_the_session():
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        r = tf.get_variable("r", [2], use_resource=True)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            v.load([5.0, 6.0], sess)
            with sess.as_default():
                r.load(np.array([7, 8]))
            np.testing.assert_allclose(sess.run([v, r]), [[5, 6], [7, 8]])
            with pytest.raises(InvalidArgumentError, match="shape"):
                v.load([1.0, 2.0, 3.0], sess)
        with pytest.raises(ValueError, match="Either session argument should be provided"):
            v.load([0.0, 0.0])


def test_py_func_runs_on_the_interpreter_and_next_to_onnxruntime():
    calls = []

    def double_plus(a, b):
        calls.append(a.shape)
        return (a * 2 + b).astype(np.float32)

    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        y = tf.py_func(double_plus, [x, tf.constant(1.0)], tf.float32, name="myfunc")
        z = tf.matmul(y, tf.ones([2, 2]))
        pair = tf.numpy_function(lambda a: (a, np.int64(a.size)), [x], [tf.float32, tf.int64])
        img = tf.placeholder(tf.float32, [1, 4, 4, 1], name="img")
        conv = tf.nn.conv2d(img, tf.ones([2, 2, 1, 1]), [1, 1, 1, 1], "VALID")
        flipped = tf.py_func(lambda a: a[:, ::-1].copy(), [conv], tf.float32)
        wrong = tf.py_func(lambda a: a.astype(np.float64), [x], tf.float32)
        assert y.op.type == "PyFunc" and y.op.node_def.attr["token"].s.startswith(b"pyfunc_")
        assert tf.py_func(np.negative, [x], tf.float32, stateful=False).op.type == "PyFuncStateless"
        feed = {x: np.ones((1, 2), np.float32)}
        with tf.Session() as sess:
            out_y, out_z = sess.run([y, z], feed)
            np.testing.assert_allclose(out_y, [[3, 3]]) and np.testing.assert_allclose(out_z, [[6, 6]])
            assert sess.run(pair, feed)[1] == 2 and calls == [(1, 2)]
            image = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
            expected = sess.run(conv, {img: image})[:, ::-1]
            np.testing.assert_allclose(sess.run(flipped, {img: image}), expected)
            assert sess.last_run_backend == "onnxruntime+numpy"
            with pytest.raises(InvalidArgumentError, match="0-th value returned by pyfunc_\\d+ is float64, "
                                                           "but expects float32"):
                sess.run(wrong, feed)


def test_py_function_hands_eager_style_values_and_converts_results_as_tf():
    # Facts from TF 2.21 (tf.compat.v1 graph): the node is EagerPyFunc with token/is_async/Tin/Tout;
    # the function gets values with .numpy() (bytes for a scalar string); a float64 result
    # converts to a float32 Tout, an int result to float; a float result for an int Tout fails.
    seen = []

    def describe(x, s):
        seen.append((type(x.numpy()), x.numpy().dtype, s.numpy()))
        return x * 2, np.float64(3.5)

    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None], name="x")
        pair = tf.py_function(describe, [x, tf.constant(b"hi")], [tf.float32, tf.float32])
        plus = tf.py_function(lambda a: a.numpy() + 1, [x], tf.float32, name="plus")
        ints = tf.py_function(lambda a: np.array([1, 2]), [x], tf.float32)
        bad = tf.py_function(lambda a: np.array([1.5]), [x], tf.int32)
        node = plus.op.node_def
        assert node.op == "EagerPyFunc" and node.attr["token"].s.startswith(b"pyfunc_")
        assert not node.attr["is_async"].b and list(node.attr["Tin"].list.type) == [tf.float32.as_datatype_enum]
        assert pair[0].op.name == "EagerPyFunc"
        with tf.Session() as sess:
            (doubled, scalar), plus_one, as_float = sess.run([pair, plus, ints], {x: [1, 2]})
            np.testing.assert_array_equal(doubled, np.array([2, 4], np.float32))
            assert scalar.dtype == np.float32 and scalar == 3.5 and plus_one.tolist() == [2.0, 3.0]
            assert as_float.dtype == np.float32 and as_float.tolist() == [1.0, 2.0]
            assert seen == [(np.ndarray, np.float32, b"hi")]
            with pytest.raises(InvalidArgumentError, match="does not convert to int32"):
                sess.run(bad, {x: [1, 2]})


def test_py_func_in_another_process_says_the_function_is_missing(tmp_path):
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [2], name="x")
        tf.py_func(np.negative, [x], tf.float32, name="neg")
        tf.io.write_graph(g.as_graph_def(), str(tmp_path), "g.pb", as_text=False)
    code = textwrap.dedent(f"""
        import numpy as np, ortflow as tf
        import ortflow.api.script_ops  # the kernel is there; the function is not
        with tf.Graph().as_default():
            tf.import_graph_def(tf.io.read_graph({str(tmp_path / 'g.pb')!r}), name="")
            with tf.Session() as sess:
                sess.run("neg:0", {{"x:0": np.ones(2, np.float32)}})
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode != 0
    assert re.search(r"no Python function is registered as 'pyfunc_\d+' in this process", proc.stderr)


def test_tf_test_case_in_a_subprocess(tmp_path):
    script = tmp_path / "my_test.py"
    script.write_text(textwrap.dedent("""
        import os
        import numpy as np
        import ortflow as tf

        class MyTest(tf.test.TestCase):
            def test_session_and_asserts(self):
                x = tf.constant([1.0, 2.0])
                with self.session() as sess:
                    self.assertAllClose(sess.run(x * 2), [2.0, 4.0])
                    self.assertAllClose({"a": (x * 2).eval(), "b": [1, np.ones(2)]},
                                        {"a": [2, 4], "b": [1, [1, 1]]})
                with self.cached_session() as s1, self.test_session() as s2:
                    assert s1 is s2
                self.assertAllEqual(self.evaluate(x), [1.0, 2.0])
                with self.assertRaises(AssertionError):
                    self.assertAllEqual([1, 2], [[1, 2]])
                with self.assertRaises(AssertionError):
                    self.assertAllClose([1.0], [1.001])
                self.assertTrue(os.path.isdir(self.get_temp_dir()))
                half = np.array([1.0, 2.0], np.float16)
                self.assertAllCloseAccordingToType(half, half + np.float16(0.0009))
                self.assertNotAllClose([1.0], [1.1])
                self.assertAllInRange([0.0, 0.5, 1.0], 0.0, 1.0)
                self.assertProtoEquals("dim { size: 3 }", tf.TensorShape([3]).as_proto())
                self.assertDTypeEqual(np.ones(2, np.int32), tf.int32)

            def test_each_test_gets_a_fresh_graph(self):
                self.assertEqual(tf.get_default_graph().get_operations(), [])

            def test_failure_is_reported(self):
                self.assertAllClose([1.0, 2.0], [1.0, 2.5])

        if __name__ == "__main__":
            tf.test.main()
    """))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 1  # one test fails on purpose
    assert "Ran 4 tests" in proc.stderr and "FAILED (failures=1, skipped=1)" in proc.stderr, proc.stderr
    assert "test_failure_is_reported" in proc.stderr and "Mismatched elements: 1 / 2" in proc.stderr


def test_version_strings():
    assert tf.VERSION == "2.21.0" and isinstance(tf.GIT_VERSION, str) and isinstance(tf.COMPILER_VERSION, str)
    assert tf.__version__ != tf.VERSION  # ortflow's own version stays tf.__version__


@pytest.mark.interop
def test_make_template_and_tables_initializer_names_match_tensorflow(tf):
    import ortflow
    tf.disable_v2_behavior()
    theirs, their_values = _template_names(tf)
    ours, our_values = _template_names(ortflow)
    assert ours == theirs
    np.testing.assert_allclose(our_values, their_values)


@pytest.mark.interop
def test_py_func_node_matches_tensorflow(tf):
    import ortflow
    tf.disable_v2_behavior()

    def node(module):
        with module.Graph().as_default():
            x = module.placeholder(module.float32, [2], name="x")
            out = module.py_func(np.negative, [x, 3], [module.float32, module.int32], name="f")
            return out[0].op.node_def
    theirs, ours = node(tf), node(ortflow)
    assert ours.op == theirs.op and list(ours.input) == list(theirs.input)
    for key in ("Tin", "Tout"):
        assert list(ours.attr[key].list.type) == list(theirs.attr[key].list.type)
    assert ours.attr["token"].s.startswith(b"pyfunc_") and theirs.attr["token"].s.startswith(b"pyfunc_")


def test_printed_graph_objects_read_as_tf_1x():
    # Strings from TF 2.21 under disable_v2_behavior(): print(tensor), print(variable), shapes.
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        v = tf.Variable([1.0, 2.0], name="v")
        r = tf.get_variable("r", [2], use_resource=True)
        assert str(x) == 'Tensor("x:0", shape=(?, 3), dtype=float32)'
        assert repr(x) == "<tf.Tensor 'x:0' shape=(?, 3) dtype=float32>"
        assert repr(x.shape) == "TensorShape([Dimension(None), Dimension(3)])" and str(x.shape) == "(?, 3)"
        assert str(v) == repr(v) == "<tf.Variable 'v:0' shape=(2,) dtype=float32_ref>"
        assert str(r) == "<tf.Variable 'r:0' shape=(2,) dtype=float32>"
        assert str(tf.get_default_graph().get_tensor_by_name("v:0")) == 'Tensor("v:0", shape=(2,), dtype=float32_ref)'
        assert str(x.op).startswith('name: "x"\nop: "Placeholder"\n')
        assert repr(tf.TensorShape(None)) == "TensorShape(None)" and str(tf.TensorShape(None)) == "<unknown>"
