"""The tf.compat.v1 builder API without TensorFlow: node names, ops and attrs as TF 1.x makes them.

The expected names and attrs were read from GraphDefs TensorFlow 2.21 built for the same code
(with `disable_v2_behavior`); `test_builder_interop.py` re-checks them against TF itself.
"""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest
from ortflow.formats.tensors import make_ndarray


@pytest.fixture(autouse=True)
def fresh_graph():
    g = tf.Graph()
    with g.as_default():
        yield g


def _nodes(g):
    return [(n.name, n.op, list(n.input)) for n in g.as_graph_def().node]


def test_placeholder_constant_and_operators(fresh_graph):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = x + 1
    z = 2 * x
    assert y.name == "add:0" and z.name == "mul:0"
    assert _nodes(fresh_graph)[1:] == [("add/y", "Const", []), ("add", "AddV2", ["x", "add/y"]),
                                       ("mul/x", "Const", []), ("mul", "Mul", ["mul/x", "x"])]
    assert x.shape.as_list() == [None, 3] and y.dtype == tf.float32
    unknown = tf.placeholder(tf.float32)
    assert unknown.op.node_def.attr["shape"].shape.unknown_rank


@pytest.mark.parametrize("expr, op_type, name", [
    (lambda x: x - 1, "Sub", "sub"), (lambda x: x / 2, "RealDiv", "truediv"),
    (lambda x: x // 2, "FloorDiv", "floordiv"), (lambda x: x % 2, "FloorMod", "mod"),
    (lambda x: x ** 2, "Pow", "pow"), (lambda x: -x, "Neg", "Neg"), (lambda x: x < 2, "Less", "Less"),
    (lambda x: x >= 2, "GreaterEqual", "GreaterEqual"), (lambda x: abs(x), "Abs", "Abs"),
    (lambda x: 1 - x, "Sub", "sub"),
])
def test_operator_ops(expr, op_type, name):
    x = tf.placeholder(tf.float32, [2], name="x")
    out = expr(x)
    assert (out.op.type, out.op.name) == (op_type, name)


def test_integer_true_division_casts_to_double(fresh_graph):
    out = tf.constant([1, 2]) / 2
    assert out.dtype == tf.float64
    assert [n[:2] for n in _nodes(fresh_graph)] == [
        ("Const", "Const"), ("truediv/y", "Const"), ("truediv/Cast", "Cast"), ("truediv/Cast_1", "Cast"),
        ("truediv", "RealDiv")]


def test_slicing_builds_strided_slice_masks():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    r = x[:, 1]
    attrs = r.op.node_def.attr
    assert r.op.type == "StridedSlice" and r.op.name == "strided_slice"
    assert (attrs["begin_mask"].i, attrs["end_mask"].i, attrs["shrink_axis_mask"].i) == (1, 1, 2)
    assert r.shape.as_list() == [None]
    s = x[0, 1:2, tf.newaxis]
    attrs = s.op.node_def.attr
    assert (attrs["new_axis_mask"].i, attrs["shrink_axis_mask"].i) == (4, 1)
    begin = make_ndarray(s.op.inputs[1].op.node_def.attr["value"].tensor)
    assert begin.tolist() == [0, 1, 0]


def test_python_value_conversion_rules():
    assert tf.constant(1).dtype == tf.int32
    assert tf.constant(1.0).dtype == tf.float32
    assert tf.constant(np.float64(1.0)).dtype == tf.float64
    assert tf.constant(np.zeros(2)).dtype == tf.float64
    assert tf.convert_to_tensor([1.0, 2.0]).shape.as_list() == [2]
    with pytest.raises(TypeError, match="Expected int32"):
        tf.convert_to_tensor(1.5, dtype=tf.int32)
    x = tf.placeholder(tf.float32, [2])
    with pytest.raises(ValueError, match="requested dtype int32"):
        tf.convert_to_tensor(x, dtype=tf.int32)
    packed = tf.convert_to_tensor([x, x])
    assert packed.op.type == "Pack" and packed.shape.as_list() == [2, 2]


def test_matmul_reductions_and_nn_names(fresh_graph):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    mm = tf.matmul(x, [[1.0], [2.0], [3.0]])
    assert (mm.op.name, mm.op.inputs[1].op.name) == ("MatMul", "MatMul/b")
    assert mm.op.get_attr("transpose_a") is False
    mean = tf.reduce_mean(x)
    assert mean.op.type == "Mean" and mean.op.inputs[1].op.name == "Const"
    assert make_ndarray(mean.op.inputs[1].op.node_def.attr["value"].tensor).tolist() == [0, 1]
    total = tf.reduce_sum(x, axis=1, keepdims=True)
    assert total.op.inputs[1].op.name == "Sum/reduction_indices" and total.op.get_attr("keep_dims") is True
    clip = tf.clip_by_value(x, 0.1, 0.9)
    assert (clip.op.name, clip.op.type, clip.op.inputs[0].op.name) == (
        "clip_by_value", "Maximum", "clip_by_value/Minimum")
    for fn, op_type in ((tf.nn.relu, "Relu"), (tf.nn.sigmoid, "Sigmoid"), (tf.nn.softmax, "Softmax"),
                        (tf.log, "Log"), (tf.sqrt, "Sqrt"), (tf.square, "Square")):
        assert fn(x).op.type == op_type


def test_conv_pool_attrs():
    img = tf.placeholder(tf.float32, [None, 8, 8, 3])
    conv = tf.nn.conv2d(img, tf.ones([3, 3, 3, 4]), strides=[1, 1, 1, 1], padding="SAME")
    assert conv.op.get_attr("padding") == b"SAME" and conv.op.get_attr("data_format") == b"NHWC"
    assert conv.op.get_attr("dilations") == [1, 1, 1, 1] and conv.op.get_attr("use_cudnn_on_gpu") is True
    assert conv.shape.as_list() == [None, 8, 8, 4]
    pool = tf.nn.max_pool(conv, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")
    assert pool.shape.as_list() == [None, 4, 4, 4]


def test_random_ops_follow_tf_seed_rule():
    a = tf.random_normal([2, 3])
    rnd = a.op.inputs[0].op.inputs[0].op
    assert rnd.type == "RandomStandardNormal" and (rnd.get_attr("seed"), rnd.get_attr("seed2")) == (0, 0)
    b = tf.truncated_normal([2], seed=3)
    rnd = b.op.inputs[0].op.inputs[0].op
    assert rnd.type == "TruncatedNormal" and (rnd.get_attr("seed"), rnd.get_attr("seed2")) == (87654321, 3)
    tf.set_random_seed(5)
    seeds = []
    for _ in range(3):
        u = tf.random_uniform([2], -1, 1)
        op = u.op.inputs[0].op.inputs[0].op
        seeds.append((op.get_attr("seed"), op.get_attr("seed2")))
    assert seeds == [(5, 0), (5, 1), (5, 2)]


def test_variable_ops_and_collections(fresh_graph):
    w = tf.Variable(tf.zeros([3]), name="w")
    assert w.name == "w:0" and w.op.type == "VariableV2"
    assert isinstance(w, tf.Variable)
    assert [n[:2] for n in _nodes(fresh_graph)] == [("zeros", "Const"), ("w", "VariableV2"),
                                                    ("w/Assign", "Assign"), ("w/read", "Identity")]
    assert tf.global_variables() == [w] and tf.trainable_variables() == [w]
    assert tf.all_variables() == [w]
    local = tf.Variable(1.0, trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES])
    assert tf.local_variables() == [local] and local.name == "Variable:0"
    y = w + 1
    assert y.op.inputs[0].name == "w/read:0"
    init = tf.global_variables_initializer()
    assert init.name == "init" and [c.name for c in init.control_inputs] == ["w/Assign"]
    assert w.initializer.get_attr("_has_manual_control_dependencies") is True
    upd = tf.assign_add(w, [1.0, 2.0, 3.0])
    assert upd.op.type == "AssignAdd" and upd.op.get_attr("_class") == [b"loc:@w"]


def test_resource_variable():
    r = tf.Variable(2.0, use_resource=True, name="r")
    assert r.op.type == "VarHandleOp" and r.initializer.type == "AssignVariableOp"
    assert r.initializer.inputs[1].op.name == "r/Initializer/initial_value"
    assert r.op.get_attr("debug_name") == b"r/"


def test_get_variable_and_variable_scope():
    with tf.variable_scope("foo"):
        a = tf.get_variable("bar", [1])
    assert a.name == "foo/bar:0"
    init_op = a.initializer.inputs[1].op
    assert init_op.name == "foo/bar/Initializer/random_uniform"  # glorot uniform by default
    with tf.variable_scope("foo", reuse=True):
        assert tf.get_variable("bar", [1]) is a
    with tf.variable_scope("foo", reuse=tf.AUTO_REUSE):
        assert tf.get_variable("bar", [1]) is a
        c = tf.get_variable("new", [2], initializer=tf.zeros_initializer())
    assert c.name == "foo/new:0"
    with tf.name_scope("a"):
        v = tf.Variable([1], name="av")
        g = tf.get_variable("q", [3], dtype=tf.int32)
    assert v.name == "a/av:0" and g.name == "q:0"
    with tf.variable_scope(None, default_name="dense"):
        d1 = tf.get_variable("kernel", [3, 3])
    with tf.variable_scope(None, default_name="dense"):
        d2 = tf.get_variable("kernel", [3, 3])
    assert (d1.name, d2.name) == ("dense/kernel:0", "dense_1/kernel:0")
    with tf.variable_scope("outer", initializer=tf.ones_initializer()):
        with tf.variable_scope("inner") as scope:
            w = tf.get_variable("w", [2])
        assert scope.name == "outer/inner"
    assert w.initializer.inputs[1].op.name == "outer/inner/w/Initializer/ones"


def test_get_variable_errors_match_tensorflow():
    with tf.variable_scope("s"):
        tf.get_variable("v", [1])
        with pytest.raises(ValueError, match=r"Variable s/v already exists, disallowed. Did you mean to set "
                                             r"reuse=True or reuse=tf.AUTO_REUSE in VarScope\?"):
            tf.get_variable("v", [1])
    with tf.variable_scope("s", reuse=True):
        with pytest.raises(ValueError, match=r"Variable s/missing does not exist, or was not created with "
                                             r"tf.get_variable\(\)"):
            tf.get_variable("missing", [1])
        with pytest.raises(ValueError, match="Trying to share variable s/v, but specified shape"):
            tf.get_variable("v", [2])
    with pytest.raises(ValueError, match="must be fully defined"):
        tf.get_variable("nos")


def test_variable_scope_reopened_gets_unique_name_scope():
    with tf.variable_scope("foo"):
        x = tf.constant(1.0, name="c")
    with tf.variable_scope("foo", reuse=tf.AUTO_REUSE):
        y = tf.constant(1.0, name="c")
        v = tf.get_variable("v", [1])
    assert (x.op.name, y.op.name, v.name) == ("foo/c", "foo_1/c", "foo/v:0")


def test_regularizer_goes_to_collection():
    with tf.variable_scope("r", regularizer=lambda w: tf.reduce_sum(w)):
        tf.get_variable("w", [2])
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 1 and losses[0].op.name == "r/w/Regularizer/Sum"


@pytest.mark.parametrize("initializer, top_op", [
    (tf.zeros_initializer(), "zeros"), (tf.ones_initializer(), "ones"),
    (tf.constant_initializer(0.5), "Const"), (tf.random_normal_initializer(), "random_normal"),
    (tf.truncated_normal_initializer(stddev=0.1), "truncated_normal"),
    (tf.random_uniform_initializer(-1, 1), "random_uniform"),
    (tf.glorot_uniform_initializer(), "random_uniform"), (tf.glorot_normal_initializer(), "truncated_normal"),
    (tf.variance_scaling_initializer(), "truncated_normal"), (tf.orthogonal_initializer(), "mul_1"),
])
def test_initializers_build_under_initializer_scope(initializer, top_op):
    v = tf.get_variable("v", [4, 3], initializer=initializer)
    assert v.initializer.inputs[1].op.name == f"v/Initializer/{top_op}"
    assert v.initializer.inputs[1].shape.as_list() == [4, 3]


def test_device_scopes_are_canonical():
    with tf.device("/gpu:0"):
        a = tf.constant(1.0)
    with tf.device("/cpu:0"):
        b = a * 2
    assert a.device == "/device:GPU:0" and b.device == "/device:CPU:0"


def test_control_dependencies_marks_source():
    a = tf.constant(1.0)
    with tf.control_dependencies([a]):
        b = tf.identity(a)
    assert b.op.control_inputs == [] or b.op.control_inputs == [a.op]
    assert a.op.get_attr("_has_manual_control_dependencies") is True


def test_cross_entropies_build():
    x = tf.placeholder(tf.float32, [None, 3])
    sig = tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=x)
    assert sig.op.name == "logistic_loss"
    soft = tf.nn.softmax_cross_entropy_with_logits_v2(labels=x, logits=x)
    assert soft.op.type == "Reshape" and soft.shape.as_list() == [None]
    sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([1, 2]), logits=x)
    assert sparse.op.name == "SparseSoftmaxCrossEntropyWithLogits/SparseSoftmaxCrossEntropyWithLogits"


def test_partitioned_variable_slices_and_value():
    with tf.variable_scope("emb", partitioner=tf.fixed_size_partitioner(3)):
        v = tf.get_variable("w", [10, 4], initializer=tf.constant_initializer(1.5))
    assert isinstance(v, tf.PartitionedVariable) and len(v) == 3
    parts = list(v)
    assert [p.name for p in parts] == ["emb/w/part_0:0", "emb/w/part_1:0", "emb/w/part_2:0"]
    assert [p.shape.as_list() for p in parts] == [[4, 4], [3, 4], [3, 4]]  # the first slice takes the rest
    assert [p.save_slice_info.spec for p in parts] == ["10 4 0,4:0,4", "10 4 4,3:0,4", "10 4 7,3:0,4"]
    whole = tf.convert_to_tensor(v)
    assert whole.op.name == "emb/w" and whole.op.inputs[0].op.name == "emb/w/ConcatPartitions/concat"
    with tf.variable_scope("emb", reuse=True, partitioner=tf.fixed_size_partitioner(3)):
        assert tf.get_variable("w", [10, 4]) is v
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(whole), np.full((10, 4), 1.5, np.float32))
