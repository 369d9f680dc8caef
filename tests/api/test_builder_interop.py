"""The builder API against TensorFlow itself: identical GraphDefs, and TF runs what ortflow builds.

Each snippet is built twice, by `tensorflow.compat.v1` (with `disable_v2_behavior`, i.e. TF 1.x
semantics) and by `import ortflow as tf`; every node's name, op, inputs, device and attrs must
be equal (tools/compare_graphs.py does the comparison).
"""

from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pytest

pytestmark = pytest.mark.interop

_TOOL = pathlib.Path(__file__).resolve().parents[2] / "tools" / "compare_graphs.py"


def _compare_module():
    spec = importlib.util.spec_from_file_location("compare_graphs", _TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SNIPPETS = {
    "operators": """
x = tf.placeholder(tf.float32, [None, 3], name="x")
y = x + 1; z = 2 * x; w = x / 2; w2 = 2 / x; v = x // 2; m = x % 2; p = x ** 2; q = -x
r = x[:, 1]; s = x[0, 1:2, tf.newaxis]; c = x < 2; i = tf.constant([1, 2]) / 2
mm = tf.matmul(x, [[1.], [2.], [3.]])
""",
    "seed_basics": """
w1 = tf.Variable(tf.random_normal([2, 3], stddev=1, seed=1), name="w1")
x = tf.placeholder(tf.float32, [4, None], name="input")
y = tf.matmul(w1, tf.ones([3, 2]))
c = tf.constant(1)
v = tf.get_variable("v", [3], initializer=tf.random_normal_initializer())
t = tf.convert_to_tensor(np.arange(4.0))
r = tf.reduce_mean(tf.log(tf.clip_by_value(t, 1e-3, 1.0)))
s = tf.nn.sigmoid(y) + tf.nn.relu(y) + tf.nn.softmax(y)
sl = tf.slice(tf.ones([4, 4]), [1, 1], [2, 2])
init = tf.global_variables_initializer()
""",
    "seed_scopes": """
with tf.variable_scope("foo"):
    a = tf.get_variable("bar", [1])
with tf.variable_scope("bar"):
    b = tf.get_variable("bar", [1])
with tf.name_scope("a"):
    a2 = tf.Variable([1])
    a3 = tf.Variable("b", [1])
with tf.variable_scope("foo", reuse=True):
    a4 = tf.get_variable("bar", [1])
with tf.variable_scope("s", reuse=tf.AUTO_REUSE):
    for _ in range(2):
        k = tf.get_variable("k", [2, 2], initializer=tf.glorot_normal_initializer())
with tf.variable_scope(None, default_name="dense"):
    d = tf.get_variable("kernel", [3, 3], initializer=tf.variance_scaling_initializer())
with tf.variable_scope(None, default_name="dense"):
    d = tf.get_variable("kernel", [3, 3], initializer=tf.orthogonal_initializer())
r = tf.Variable(2.0, use_resource=True, name="r")
init = tf.global_variables_initializer()
""",
    "seed_devices": """
with tf.device('/gpu:0'):
    a = tf.constant([1.0, 2.0, 3.0])
    b = tf.constant([1.0, 2.0, 3.0])
with tf.device('/gpu:1'):
    c = a + b
with tf.control_dependencies([c]):
    d = tf.identity(c)
""",
    "seed_summaries": """
x = tf.placeholder(tf.float32, [None, 3], name="x")
def variable_summaries(var):
    with tf.name_scope('summaries'):
        mean = tf.reduce_mean(var)
        tf.summary.scalar('mean', mean)
        with tf.name_scope('stddev'):
            stddev = tf.sqrt(tf.reduce_mean(tf.square(var - mean)))
        tf.summary.scalar('stddev', stddev)
        tf.summary.scalar('max', tf.reduce_max(var))
        tf.summary.scalar('min', tf.reduce_min(var))
        tf.summary.histogram('histogram', var)
variable_summaries(x)
tf.summary.image("input", tf.reshape(x, [-1, 1, 3, 1]), max_outputs=2)
tf.summary.audio("sound", tf.zeros([2, 100]), 8000)
tf.summary.text("note", tf.constant("hello"))
merged = tf.summary.merge_all()
""",
    "nn_and_losses": """
x = tf.placeholder(tf.float32, [None, 3], name="x")
img = tf.placeholder(tf.float32, [None, 8, 8, 3], name="img")
c1 = tf.nn.conv2d(img, tf.ones([3, 3, 3, 4]), strides=[1, 1, 1, 1], padding="SAME")
p1 = tf.nn.max_pool(c1, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")
p2 = tf.nn.avg_pool(c1, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")
z = tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=x)
z2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=x, logits=x)
z3 = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([1, 2]), logits=x)
t = tf.transpose(x); a = tf.argmax(x, 1); e = tf.equal(a, 1); st = tf.stack([x, x]); cc = tf.concat([x, x], 1)
tf.set_random_seed(5)
u1 = tf.random_uniform([2, 3], -1, 1); u2 = tf.truncated_normal([2], seed=4)
""",
    "array_and_nn": """
x = tf.placeholder(tf.float32, [None, 3], name="x")
oh = tf.one_hot(tf.constant([0, 2]), 3); wh = tf.where(x > 0, x, tf.zeros_like(x)); ga = tf.gather(x, [0, 1])
ba = tf.nn.bias_add(x, tf.ones([3])); l2 = tf.nn.l2_loss(x); am = tf.argmax(x, axis=1)
sq = tf.squeeze(tf.expand_dims(x, 0), [0]); sp = tf.split(x, 3, axis=1); til = tf.tile(x, [2, 1])
pd = tf.pad(x, [[1, 1], [0, 0]]); cs = tf.cast(x, tf.int64); ad = tf.add_n([x, x, x]); rg = tf.range(10)
mx = tf.maximum(x, 0.5); eq = tf.equal(x, x); sh = tf.shape(x); ls = tf.nn.log_softmax(x)
t6 = tf.nn.relu6(x) + tf.nn.elu(x) + tf.nn.leaky_relu(x) + tf.nn.softplus(x) + tf.tanh(x)
mm, vv = tf.nn.moments(x, [0]); dv = tf.div(x, 2.0); di = tf.div(tf.constant(7), 2)
ei = tf.linalg.matmul(x, tf.ones([3, 1]))
""",
    "partitioned_variables": """
with tf.variable_scope("emb", partitioner=tf.fixed_size_partitioner(3)):
    v = tf.get_variable("w", [10, 4], initializer=tf.zeros_initializer())
x = tf.convert_to_tensor(v)
with tf.variable_scope("big", partitioner=tf.variable_axis_size_partitioner(64)):
    b = tf.get_variable("b", [7, 5], initializer=tf.random_normal_initializer(seed=1))
with tf.variable_scope("mm", partitioner=tf.min_max_variable_partitioner(4, min_slice_size=32)):
    c = tf.get_variable("c", [9, 2])
y = tf.matmul(x, tf.ones([4, 2]))
init = tf.global_variables_initializer()
""",
    "nn_layers": """
x = tf.placeholder(tf.float32, [None, 4], name="x")
p = tf.placeholder_with_default(tf.constant([[1.0, 2.0, 3.0, 4.0]]), [None, 4], name="pwd")
d = tf.nn.dropout(x, keep_prob=0.5); d2 = tf.nn.dropout(x, rate=0.3, seed=2)
img = tf.placeholder(tf.float32, [None, 8, 8, 3], name="img")
mean, var = tf.nn.moments(img, [0, 1, 2])
bn = tf.nn.batch_normalization(img, mean, var, tf.zeros([3]), tf.ones([3]), 1e-3)
fb = tf.nn.fused_batch_norm(img, tf.ones([3]), tf.zeros([3]), is_training=True)
dw = tf.nn.depthwise_conv2d(img, tf.ones([3, 3, 3, 2]), [1, 1, 1, 1], "SAME")
ct = tf.nn.conv2d_transpose(img, tf.ones([3, 3, 5, 3]), [2, 16, 16, 5], [1, 2, 2, 1])
emb = tf.nn.embedding_lookup(tf.ones([10, 3]), [1, 2]); xw = tf.nn.xw_plus_b(x, tf.ones([4, 2]), tf.zeros([2]))
lrn = tf.nn.lrn(img); tk = tf.nn.top_k(x, 2); itk = tf.nn.in_top_k(x, tf.constant([1, 2]), 1)
u0 = tf.random_uniform([3]); u1 = tf.random_uniform([3], maxval=2); u2 = tf.random_uniform([3], 0.0, 1.0)
""",
    "more_ops": """
x = tf.placeholder(tf.float32, [None, 4], name="x")
a = tf.math.erfc(x); b = tf.math.expm1(x); c = tf.truncatemod(x, 2.0); d = tf.complex(x, x); e = tf.abs(d)
f = tf.math.reduce_euclidean_norm(x, 1); g1 = tf.math.unsorted_segment_max(x, [0, 1, 0], 2)
img = tf.placeholder(tf.float32, [1, 4, 4, 8], name="img")
h = tf.nn.depth_to_space(img, 2); i = tf.space_to_depth(img, 2)
j = tf.space_to_batch_nd(img, [2, 2], [[0, 0], [0, 0]]); k = tf.batch_to_space_nd(j, [2, 2], [[0, 0], [0, 0]])
l = tf.scatter_nd([[0], [2]], [1.0, 2.0], [4]); m = tf.invert_permutation([2, 0, 1])
n = tf.reverse_sequence(x, [1, 2], seq_axis=1, batch_axis=0); o = tf.shape_n([x, img])
p = tf.dynamic_partition(x, [0, 1], 2); q = tf.dynamic_stitch([[0], [1]], [[1.0], [2.0]])
v = tf.placeholder(tf.float32, [1, 4, 4, 4, 2], name="v")
r = tf.nn.conv3d(v, tf.ones([2, 2, 2, 2, 3]), [1, 1, 1, 1, 1], "SAME")
s = tf.nn.max_pool3d(v, [1, 2, 2, 2, 1], [1, 2, 2, 2, 1], "VALID")
t = tf.tensor_scatter_nd_update(tf.zeros([4]), [[1]], [5.0])
""",
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_graph_def_identical_to_tensorflow(tf, name):
    problems = _compare_module().diff(SNIPPETS[name])
    assert not problems, "\n".join(problems[:5])


def test_tensorflow_runs_an_ortflow_graph(tf):
    import ortflow as otf

    g = otf.Graph()
    with g.as_default():
        x = otf.placeholder(otf.float32, [None, 3], name="x")
        with otf.variable_scope("layer"):
            w = otf.get_variable("w", [3, 2], initializer=otf.constant_initializer([[1, 2], [3, 4], [5, 6]]))
            b = otf.get_variable("b", [2], initializer=otf.ones_initializer())
        y = otf.identity(otf.nn.relu(otf.matmul(x, w) + b) * 2 - 1, name="y")
        s = otf.summary.scalar("mean", otf.reduce_mean(y))
        otf.global_variables_initializer()
    graph_def = g.as_graph_def().SerializeToString()
    feed = np.arange(6, dtype=np.float32).reshape(2, 3)
    tg = tf.Graph()
    with tg.as_default():
        tf.import_graph_def(tf.GraphDef.FromString(graph_def), name="")
        with tf.Session(graph=tg) as sess:
            sess.run("init")
            got, summary = sess.run(["y:0", s.name], {"x:0": feed})
    expected = np.maximum(feed @ np.array([[1, 2], [3, 4], [5, 6]], np.float32) + 1, 0) * 2 - 1
    np.testing.assert_allclose(got, expected)
    from ortflow.proto import Summary

    # "mean" collides with the "Mean" op made first (TF's names are unique ignoring case).
    assert Summary.FromString(summary).value[0].tag == "mean_1"
