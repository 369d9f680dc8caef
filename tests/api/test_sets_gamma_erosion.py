"""tf.sets, random_gamma / random_poisson, erosion2d, angle, Complex and remove_training_nodes.

Checked against numpy (no TensorFlow here); the unseen scripts compare the same functions with
TensorFlow's recorded results.
"""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest
from ortflow.graph import graph_util


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def test_sparse_to_sparse_set_operations_are_sorted_per_row():
    with tf.Graph().as_default():
        a = tf.SparseTensor([[0, 0], [0, 1], [1, 0], [1, 2]], tf.constant([5, 2, 7, 7], tf.int64), [2, 3])
        b = tf.SparseTensor([[0, 0], [1, 1]], tf.constant([2, 9], tf.int64), [2, 2])
        union = _run(tf.sets.union(a, b))
        diff = _run(tf.sets.difference(a, b))
        inter = _run(tf.sets.intersection(a, b))
        size = _run(tf.sets.size(a))
    assert union.indices.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert union.values.tolist() == [2, 5, 7, 9] and union.dense_shape.tolist() == [2, 2]
    assert diff.values.tolist() == [5, 7] and diff.indices.tolist() == [[0, 0], [1, 0]]
    assert inter.values.tolist() == [2] and inter.dense_shape.tolist() == [2, 1]
    assert size.tolist() == [2, 1] and size.dtype == np.int32


def test_sparse_then_dense_set_difference_flips_the_operands():
    with tf.Graph().as_default():
        sp = tf.SparseTensor([[0, 0], [0, 1]], tf.constant([b"x", b"y"]), [1, 2])
        dense = tf.constant([[b"y", b"z"]])
        st = tf.sets.difference(sp, dense)  # x: in the sparse operand, not the dense one
        assert st.indices.op.type == "DenseToSparseSetOperation"
        got = _run(st)
    assert got.values.tolist() == [b"x"]
    with tf.Graph().as_default(), pytest.raises(TypeError, match="don't match"):
        tf.sets.union(tf.constant([[1]]), tf.constant([[1]], tf.int64))


def test_gamma_and_poisson_shapes_and_moments():
    with tf.Graph().as_default():
        g = tf.random_gamma([20000], [2.0, 0.5], beta=[1.0, 4.0], seed=3)
        p = tf.random.poisson([[4.0]], [20000], dtype=tf.int64, seed=4)
        assert g.get_shape().as_list() == [20000, 2] and p.get_shape().as_list() == [20000, 1, 1]
        gv, pv = _run([g, p])
    assert gv.dtype == np.float32 and pv.dtype == np.int64
    np.testing.assert_allclose(gv.mean(0), [2.0, 0.125], rtol=0.05)
    assert abs(pv.mean() - 4.0) < 0.1 and abs(pv.var() - 4.0) < 0.3


def test_erosion2d_is_the_windowed_min_of_value_minus_the_flipped_kernel():
    rng = np.random.RandomState(0)
    x = rng.rand(1, 5, 5, 1).astype(np.float32)
    k = rng.rand(2, 2, 1).astype(np.float32)
    with tf.Graph().as_default():
        got = _run(tf.nn.erosion2d(tf.constant(x), tf.constant(k), [1, 1, 1, 1], [1, 1, 1, 1], "VALID"))
    want = np.full((1, 4, 4, 1), np.inf, np.float32)
    for dy in range(2):
        for dx in range(2):
            want = np.minimum(want, x[:, dy:dy + 4, dx:dx + 4] - k[1 - dy, 1 - dx])
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_angle_of_complex_and_real_inputs():
    with tf.Graph().as_default():
        z = tf.complex(tf.constant([1.0, -1.0, 0.0]), tf.constant([1.0, 0.0, -2.0]))
        a_c, a_r = _run([tf.angle(z), tf.angle(tf.constant([-2.0, 3.0]))])
    np.testing.assert_allclose(a_c, np.angle(np.array([1 + 1j, -1, -2j])), rtol=1e-6)
    np.testing.assert_allclose(a_r, [np.pi, 0.0], rtol=1e-6)


def test_remove_training_nodes_drops_check_numerics_with_its_edges():
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [2], name="x")
        c = tf.check_numerics(x, "bad", name="c")
        tf.add(tf.identity(x, name="i"), c, name="out")
        gd = g.as_graph_def()
    out = graph_util.remove_training_nodes(gd)
    nodes = {n.name: list(n.input) for n in out.node}
    assert "c" not in nodes and "i" not in nodes and nodes["out"] == ["x"]
    kept = {n.name: list(n.input) for n in graph_util.remove_training_nodes(gd, protected_nodes=["c"]).node}
    assert kept["out"] == ["x", "c"]


def test_bincount_has_a_vector_of_unknown_length_statically():
    with tf.Graph().as_default():
        counts = tf.bincount(tf.placeholder(tf.int32, [None]))
        assert counts.get_shape().as_list() == [None]


@pytest.mark.parametrize("pseudo_random", [False, True])
@pytest.mark.parametrize("overlapping", [False, True])
def test_fractional_max_pool_regions_cover_the_input(pseudo_random, overlapping):
    x = np.random.RandomState(1).rand(2, 11, 7, 3).astype(np.float32)
    with tf.Graph().as_default():
        out, rows, cols = tf.nn.fractional_max_pool(tf.constant(x), [1.0, 1.6, 1.3, 1.0], pseudo_random,
                                                    overlapping, deterministic=True, seed=1, seed2=2)
        assert out.get_shape().as_list() == [2, 6, 5, 3] and rows.get_shape().as_list() == [7]
        o, r, c = _run([out, rows, cols])
        o2 = _run(out)
    np.testing.assert_array_equal(o, o2)  # deterministic: the same regions on every run
    assert r[0] == 0 and r[-1] == 11 and c[0] == 0 and c[-1] == 7
    assert set(np.diff(r)) <= {1, 2} and set(np.diff(c)) <= {1, 2}
    extra = 1 if overlapping else 0
    want = np.stack([np.stack([x[:, r[i]:r[i + 1] + extra, c[j]:c[j + 1] + extra].max(axis=(1, 2))
                               for j in range(5)], 1) for i in range(6)], 1)
    np.testing.assert_array_equal(o, want)


def test_fractional_avg_pool_with_an_exact_ratio_is_avg_pool():
    x = np.arange(32, dtype=np.float32).reshape(1, 4, 8, 1)
    with tf.Graph().as_default():
        out, _, cols = tf.nn.fractional_avg_pool(tf.constant(x), [1.0, 2.0, 2.0, 1.0])
        o, c = _run([out, cols])
    np.testing.assert_allclose(o, x.reshape(1, 2, 2, 4, 2, 1).mean(axis=(2, 4)))
    assert c.tolist() == [0, 2, 4, 6, 8] and c.dtype == np.int64


def test_extract_glimpse_inside_the_image_copies_the_window():
    x = np.arange(2 * 6 * 7 * 2, dtype=np.float32).reshape(2, 6, 7, 2)
    with tf.Graph().as_default():
        images = tf.placeholder(tf.float32, [None, 6, 7, 2])
        offsets = tf.placeholder(tf.float32, [None, 2])
        centred = tf.image.extract_glimpse(images, [2, 3], offsets)
        pixels = tf.image.extract_glimpse(images, [2, 3], offsets, centered=False, normalized=False)
        assert centred.get_shape().as_list() == [None, 2, 3, 2]
        c = _run(centred, {images: x, offsets: [[0.0, 0.0], [-0.5, 0.5]]})
        p = _run(pixels, {images: x, offsets: [[1.0, 1.5], [4.0, 5.0]]})
    # centred (0, 0): top-left (6/2 - 1, 7/2 - 1.5) = (2, 2); (-0.5, 0.5): (1.5 - 1, 5.25 - 1.5) -> (0, 3)
    np.testing.assert_array_equal(c[0], x[0, 2:4, 2:5])
    np.testing.assert_array_equal(c[1], x[1, 0:2, 3:6])
    np.testing.assert_array_equal(p[0], x[0, 0:2, 0:3])
    np.testing.assert_array_equal(p[1], x[1, 3:5, 3:6])


def test_extract_glimpse_fills_outside_with_values_in_the_channel_range():
    x = np.random.RandomState(2).rand(1, 4, 4, 1).astype(np.float32) + 5.0
    with tf.Graph().as_default():
        g = _run(tf.image.extract_glimpse(tf.constant(x), [3, 3], [[0.0, 0.0]], centered=False, normalized=False))
    # top-left (-1.5, -1.5) truncates to (-1, -1): the first row and column lie outside
    np.testing.assert_array_equal(g[0, 1:, 1:], x[0, :2, :2])
    assert x.min() <= g.min() and g.max() <= x.max()


def test_same_image_patches_with_rates_pad_as_tensorflow():
    x = np.arange(1 * 7 * 6 * 2, dtype=np.float32).reshape(1, 7, 6, 2)
    k, s, r = 3, 2, 2
    with tf.Graph().as_default():
        got = _run(tf.extract_image_patches(tf.constant(x), [1, k, k, 1], [1, s, s, 1], [1, r, r, 1], "SAME"))
    span = (k - 1) * r + 1
    outs = [-(-n // s) for n in (7, 6)]
    pads = [max((o - 1) * s + span - n, 0) for o, n in zip(outs, (7, 6))]
    padded = np.pad(x, [(0, 0), (pads[0] // 2, pads[0] - pads[0] // 2), (pads[1] // 2, pads[1] - pads[1] // 2),
                        (0, 0)])
    want = np.stack([np.stack([np.concatenate([padded[0, i * s + di * r, j * s + dj * r]
                                               for di in range(k) for dj in range(k)])
                               for j in range(outs[1])]) for i in range(outs[0])])[None]
    np.testing.assert_array_equal(got, want)


def test_substr_in_utf8_characters():
    # values recorded from TensorFlow 2.21
    with tf.Graph().as_default():
        t = tf.constant(["héllo", "日本", "abc"])
        first, last, raw = _run([tf.strings.substr(t, 0, 2, unit="UTF8_CHAR"),
                                 tf.strings.substr(t, -2, 5, unit="UTF8_CHAR"), tf.strings.substr(t, 1, 2)])
    assert [v.decode() for v in first] == ["hé", "日本", "ab"]
    assert [v.decode() for v in last] == ["lo", "日本", "bc"]
    assert raw.tolist() == [b"\xc3\xa9", b"\x97\xa5", b"bc"]


def test_bessel_i0_i1_and_cumulative_logsumexp_in_tf_math():
    # values recorded from TensorFlow 2.21
    with tf.Graph().as_default():
        x = tf.constant([[0.5, -1.0, 3.0], [1.0, 2.0, -20.0]])
        i0, i1, cum, rev = _run([tf.math.bessel_i0(x), tf.math.bessel_i1(x), tf.math.cumulative_logsumexp(x, axis=1),
                                 tf.math.cumulative_logsumexp(x, axis=1, exclusive=True, reverse=True)])
        shuffled = _run(tf.random.shuffle(tf.range(6), seed=1))
    np.testing.assert_allclose(i0, [[1.0634835, 1.266066, 4.880793], [1.266066, 2.2795854, 4.3558276e7]], rtol=1e-5)
    np.testing.assert_allclose(i1, [[0.25789434, -0.56515908, 3.953371], [0.56515908, 1.5906372, -4.2454972e7]],
                               rtol=1e-5)
    np.testing.assert_allclose(cum, [[0.5, 0.7014133, 3.0956743], [1.0, 2.3132617, 2.3132617]], rtol=1e-6)
    np.testing.assert_allclose(rev, [[3.0181499, 3.0, -np.inf], [2.0, -20.0, -np.inf]], rtol=1e-6)
    assert sorted(shuffled.tolist()) == list(range(6))


def test_sobel_edges_filter_the_reflect_padded_image():
    x = np.random.RandomState(0).rand(1, 4, 5, 2).astype(np.float32)
    with tf.Graph().as_default():
        edges = tf.image.sobel_edges(tf.constant(x))
        assert edges.get_shape().as_list() == [1, 4, 5, 2, 2]
        got = _run(edges)
    padded = np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)], mode="reflect")
    dy = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], np.float32)
    want = np.zeros((1, 4, 5, 2, 2), np.float32)
    for k, kern in enumerate([dy, dy.T]):
        for i in range(3):
            for j in range(3):
                want[..., k] += kern[i, j] * padded[:, i:i + 4, j:j + 5, :]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_ssim_equals_tensorflow_on_float_and_uint8_images():
    rng = np.random.RandomState(0)
    a = rng.rand(2, 16, 14, 3).astype(np.float32)
    b = np.clip(a + rng.randn(2, 16, 14, 3).astype(np.float32) * 0.1, 0, 1)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 16, 14, 3])
        y = tf.placeholder(tf.float32, [None, 16, 14, 3])
        fetches = [tf.image.ssim(x, y, max_val=1.0),
                   tf.image.ssim(tf.constant((a * 255).astype(np.uint8)), tf.constant((b * 255).astype(np.uint8)), 255),
                   tf.image.ssim(x[0], y[0], 1.0, filter_size=7, filter_sigma=1.0)]
        got = _run(fetches, {x: a, y: b})
    # TensorFlow 2.21's values for the same images
    np.testing.assert_allclose(got[0], [0.954092, 0.9500134], rtol=1e-5)
    np.testing.assert_allclose(got[1], [0.9540069, 0.94993526], rtol=1e-5)
    np.testing.assert_allclose(got[2], 0.9479637, rtol=1e-5)
    with tf.Graph().as_default(), pytest.raises(ValueError, match="smaller"):
        tf.image.ssim(tf.zeros([1, 8, 8, 1]), tf.zeros([1, 8, 8, 1]), 1.0)


def test_erfinv_and_ndtri_give_tensorflows_values():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None])
        d = tf.placeholder(tf.float64, [None])
        got = _run([tf.math.erfinv(x), tf.math.ndtri(x), tf.math.erfinv(d), tf.math.ndtri(d)],
                   {x: [-1.0, -0.99, -0.3, 0.0, 1e-6, 0.5, 0.999, 1.0, 1.5],
                    d: [1e-200, 0.025, 0.5, 0.975, 1 - 1e-12]})
    inf, nan = np.inf, np.nan
    # TensorFlow 2.21's values: erfinv is ndtri((x + 1) / 2) / sqrt(2) in the input type, so
    # erfinv(1e-6) in float32 is 8.45e-7 and erfinv(1e-200) in float64 is 0
    want = [[-inf, -1.8213865, -0.27246273, 0.0, 8.4517183e-07, 0.47693631, 2.3267682, inf, nan],
            [nan, nan, nan, -inf, -4.753424, 0.0, 3.0902362, inf, nan],
            [0.0, 0.0221593, 0.47693628, 1.58491107, 5.04202109],
            [-30.20559418, -1.95996398, 0.0, 1.95996398, 7.03448691]]
    for g, w, dtype in zip(got, want, [np.float32, np.float32, np.float64, np.float64]):
        assert g.dtype == dtype
        np.testing.assert_allclose(g, w, rtol=1e-6)
    assert not np.signbit(got[1][5]) and not np.signbit(got[0][3])
