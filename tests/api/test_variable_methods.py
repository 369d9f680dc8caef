"""Variable.sparse_read / scatter_* / assign_*(read_value=False), IndexedSlices fetches and the
Graph's feed/fetch guards; values from TF 2.21 (tf.compat.v1, disable_v2_behavior)."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest


def test_variable_sparse_read_scatter_methods_and_read_value_false():
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0, 3.0, 4.0], name="v")
        r = tf.Variable([1.0, 2.0, 3.0, 4.0], name="r", use_resource=True)
        rows = r.sparse_read([1, 3])
        assert rows.op.type == "ResourceGather" and rows.op.name == "Gather"
        v_update = v.scatter_update(tf.IndexedSlices(tf.constant([10.0]), tf.constant([1])))
        r_add = r.scatter_add(tf.IndexedSlices(tf.constant([10.0, 20.0]), tf.constant([0, 1])))
        r_sub = r.assign_sub([1.0, 1.0, 1.0, 1.0], read_value=False)
        v_add = v.assign_add([1.0, 1.0, 1.0, 1.0], read_value=False)
        r_nd = r.scatter_nd_update([[2]], [7.0])
        assert isinstance(r_sub, tf.Operation) and r_sub.type == "AssignSubVariableOp"
        assert isinstance(v_add, tf.Operation) and v_add.type == "AssignAdd"
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(rows).tolist() == [2.0, 4.0]
            assert sess.run(v_update).tolist() == [1.0, 10.0, 3.0, 4.0]
            assert sess.run(r_add).tolist() == [11.0, 22.0, 3.0, 4.0]
            assert sess.run(r_sub) is None and sess.run(v_add) is None
            assert sess.run(r_nd).tolist() == [10.0, 21.0, 7.0, 3.0]
            assert [a.tolist() for a in sess.run([v, r])] == [[2.0, 11.0, 4.0, 5.0], [10.0, 21.0, 7.0, 3.0]]


def test_indexed_slices_fetch_as_a_value():
    with tf.Graph().as_default():
        slices = tf.IndexedSlices(tf.constant([[1.0, 2.0]]), tf.constant([3]), tf.constant([5, 2]))
        assert slices.dtype == tf.float32 and slices.name == slices.values.name
        with tf.Session() as sess:
            got = sess.run(slices)
        assert isinstance(got, tf.IndexedSlicesValue)
        assert got.values.tolist() == [[1.0, 2.0]] and got.indices.tolist() == [3]
        assert got.dense_shape.tolist() == [5, 2]


def test_graph_prevent_feeding_and_fetching():
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [2], name="x")
        y = tf.multiply(x, 2.0, name="y")
        c = tf.constant(3.0, name="c")
        z = tf.add(c, 1.0, name="z")
        g.prevent_feeding(c)
        g.prevent_fetching(y.op)
        assert not g.is_feedable(c) and g.is_feedable(x)
        assert not g.is_fetchable(y) and not g.is_fetchable(y.op) and g.is_fetchable(z)
        with tf.Session() as sess:
            with pytest.raises(ValueError, match="Tensor c:0 may not be fed."):
                sess.run(z, {c: 1.0})
            for fetch in (y, "y:0", y.op):
                with pytest.raises(ValueError, match="Operation 'y' has been marked as not fetchable."):
                    sess.run(fetch, {x: np.ones(2, np.float32)})
            assert sess.run(z) == 4.0


def test_scatter_mul_and_div_as_tf():
    # Values from TF 2.21 for the same graph: repeated rows multiply / divide in turn, resource
    # variables take the Variable method, integers divide truncating.
    with tf.Graph().as_default():
        v = tf.Variable(np.arange(1, 9, dtype=np.float32).reshape(4, 2), name="v")
        r = tf.Variable(np.arange(1, 9, dtype=np.float32).reshape(4, 2), name="r", use_resource=True)
        iv = tf.Variable(np.array([100, -100, 7, 9], np.int32), name="iv")
        mul = tf.scatter_mul(v, [0, 2, 0], [[2.0, 3.0], [4.0, 5.0], [10.0, 10.0]])
        div = tf.scatter_div(v, [1], [[2.0, 4.0]])
        r_mul = r.scatter_mul(tf.IndexedSlices(tf.constant([[3.0, 3.0]]), tf.constant([3])))
        r_div = tf.scatter_div(r, [0, 0], [[2.0, 2.0], [5.0, 5.0]])
        i_div = tf.scatter_div(iv, [0, 1, 1], [3, 3, 2])
        assert mul.op.type == "ScatterMul" and r_div.op.control_inputs[0].type == "ResourceScatterDiv"
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(mul).tolist() == [[20, 60], [3, 4], [20, 30], [7, 8]]
            assert sess.run(div).tolist() == [[20, 60], [1.5, 1], [20, 30], [7, 8]]
            assert sess.run(r_mul).tolist() == [[1, 2], [3, 4], [5, 6], [21, 24]]
            np.testing.assert_allclose(sess.run(r_div), [[0.1, 0.2], [3, 4], [5, 6], [21, 24]], rtol=1e-7)
            assert sess.run(i_div).tolist() == [33, -16, 7, 9]
