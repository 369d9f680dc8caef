"""switch_case, finiteness checks, morphology, pooling with indices, special functions and
bounding boxes, against numpy references (no TensorFlow)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ortflow.errors import InvalidArgumentError

RNG = np.random.default_rng(5)


def _run(build, feed_values=()):
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        fetches, feeds = build(tf)
        with tf.Session(graph=g) as sess:
            values = sess.run(fetches, dict(zip(feeds, feed_values)))
            return values, sess.last_run_backend


# -- switch_case --------------------------------------------------------------------------------

@pytest.mark.parametrize("index, expected, with_default", [
    (0, [2.0, 4.0], [2.0, 4.0]), (1, [2.0, 3.0], [2.0, 3.0]), (2, [-1.0, -2.0], [0.0, 0.0]),
    (7, [-1.0, -2.0], [0.0, 0.0]), (-1, [-1.0, -2.0], [0.0, 0.0])])
def test_switch_case_picks_the_branch_and_clamps_to_the_last(index, expected, with_default):
    def build(tf):
        i = tf.placeholder(tf.int32, [], name="i")
        x = tf.constant([1.0, 2.0])
        branches = [lambda: x * 2.0, lambda: x + 1.0, lambda: -x]
        by_key = {0: lambda: x * 2.0, 1: lambda: x + 1.0}
        return [tf.switch_case(i, branches), tf.switch_case(i, by_key, default=lambda: x * 0.0)], [i]

    (plain, defaulted), _ = _run(build, [index])
    assert plain.tolist() == expected
    assert defaulted.tolist() == with_default


def test_switch_case_rejects_bad_keys():
    import ortflow as tf

    with tf.Graph().as_default(), pytest.raises(ValueError, match="keys"):
        tf.switch_case(tf.constant(0), [(0, lambda: tf.constant(1)), (2, lambda: tf.constant(2))])


# -- finiteness checks ------------------------------------------------------------------------

def test_verify_tensor_all_finite_builds_tensorflows_nodes_and_raises():
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None], name="x")
        y = tf.verify_tensor_all_finite(x, "bad x")
        assert y.op.name == "VerifyFinite/control_dependency"
        assert [(n.name, n.op) for n in g.as_graph_def().node][1:] == [
            ("VerifyFinite/CheckNumerics", "CheckNumerics"), ("VerifyFinite/control_dependency", "Identity")]
        with tf.Session(graph=g) as sess:
            assert sess.run(y, {x: [1.0, 2.0]}).tolist() == [1.0, 2.0]
            with pytest.raises(InvalidArgumentError, match="bad x : Tensor had NaN values"):
                sess.run(y, {x: [1.0, np.nan]})
            with pytest.raises(InvalidArgumentError, match="bad x : Tensor had Inf values"):
                sess.run(y, {x: [np.inf]})
            with pytest.raises(InvalidArgumentError, match="bad x : Tensor had Inf and NaN values"):
                sess.run(y, {x: [np.nan, -np.inf]})


def test_check_numerics_raises_inside_a_larger_model():
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.constant(RNG.normal(size=(3, 2)).astype(np.float32))
        y = tf.nn.softmax(tf.check_numerics(tf.log(tf.matmul(x, w) ** 2), "logits"))
        with tf.Session(graph=g) as sess:
            assert sess.run(y, {x: np.ones((2, 3), np.float32)}).shape == (2, 2)
            with pytest.raises(InvalidArgumentError, match="logits : Tensor had Inf values"):
                sess.run(y, {x: np.zeros((2, 3), np.float32)})  # log(0) = -inf


def test_add_check_numerics_ops_chains_a_check_per_float_output():
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None], name="x")
        n = tf.placeholder(tf.int32, [None], name="n")
        y = tf.sqrt(x, name="root")
        tf.identity(n, name="ints")
        check = tf.add_check_numerics_ops()
        nodes = {nd.name: nd for nd in g.as_graph_def().node}
        assert check.name == "group_deps"
        assert [nodes[k].attr["message"].s for k in ("CheckNumerics", "CheckNumerics_1")] == [b"x:0", b"root:0"]
        assert list(nodes["CheckNumerics_1"].input) == ["root", "^CheckNumerics"]
        assert "CheckNumerics_2" not in nodes  # int outputs are not checked
        with tf.Session(graph=g) as sess:
            sess.run([y, check], {x: [4.0]})
            with pytest.raises(InvalidArgumentError, match="root:0 : Tensor had NaN values"):
                sess.run([y, check], {x: [-4.0]})


def test_add_check_numerics_ops_refuses_control_flow():
    import ortflow as tf

    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [], name="x")
        tf.cond(x > 0, lambda: x * 2.0, lambda: x)
        with pytest.raises(ValueError, match="not compatible with TensorFlow control flow"):
            tf.add_check_numerics_ops()


# -- morphology and pooling -------------------------------------------------------------------

def _window_geometry(size, window, stride, rate, padding):
    effective = (window - 1) * rate + 1
    if padding == "VALID":
        return max(-(-(size - effective + 1) // stride), 0), 0
    out = -(-size // stride)
    return out, max((out - 1) * stride + effective - size, 0) // 2


def _dilation_reference(x, f, strides, rates, padding):
    n, h, w, c = x.shape
    kh, kw, _ = f.shape
    oh, top = _window_geometry(h, kh, strides[0], rates[0], padding)
    ow, left = _window_geometry(w, kw, strides[1], rates[1], padding)
    out = np.full((n, oh, ow, c), -np.inf, np.float32)
    for i in range(oh):
        for j in range(ow):
            for dy in range(kh):
                for dx in range(kw):
                    y, xx = i * strides[0] + dy * rates[0] - top, j * strides[1] + dx * rates[1] - left
                    if 0 <= y < h and 0 <= xx < w:
                        out[:, i, j] = np.maximum(out[:, i, j], x[:, y, xx] + f[dy, dx])
    return out


@pytest.mark.parametrize("strides, rates, padding", [
    ([1, 1], [1, 1], "SAME"), ([2, 1], [1, 2], "SAME"), ([1, 1], [2, 2], "VALID"), ([3, 2], [1, 1], "VALID")])
def test_dilation2d_equals_a_direct_loop(strides, rates, padding):
    x = RNG.normal(size=(2, 7, 8, 3)).astype(np.float32)
    f = RNG.normal(size=(3, 2, 3)).astype(np.float32)

    def build(tf):
        img = tf.placeholder(tf.float32, [None, 7, 8, 3], name="img")
        out = tf.nn.dilation2d(img, f, [1, *strides, 1], [1, *rates, 1], padding) \
            if hasattr(tf.nn, "dilation2d") else _inference_ops().dilation2d(img, f, [1, *strides, 1],
                                                                             [1, *rates, 1], padding)
        return out, [img]

    got, _ = _run(build, [x])
    np.testing.assert_allclose(got, _dilation_reference(x, f, strides, rates, padding), rtol=1e-6)


def _inference_ops():
    from ortflow.api import inference_ops

    return inference_ops


def _argmax_reference(x, k, s, padding, with_batch):
    n, h, w, c = x.shape
    oh, top = _window_geometry(h, k[0], s[0], 1, padding)
    ow, left = _window_geometry(w, k[1], s[1], 1, padding)
    best = np.full((n, oh, ow, c), -np.inf, np.float32)
    index = np.zeros((n, oh, ow, c), np.int64)
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                for ch in range(c):
                    for dy in range(k[0]):
                        for dx in range(k[1]):
                            y, xx = i * s[0] + dy - top, j * s[1] + dx - left
                            if 0 <= y < h and 0 <= xx < w and x[b, y, xx, ch] > best[b, i, j, ch]:
                                best[b, i, j, ch] = x[b, y, xx, ch]
                                index[b, i, j, ch] = ((b * h + y) * w + xx) * c + ch if with_batch \
                                    else (y * w + xx) * c + ch
    return best, index


@pytest.mark.parametrize("k, s, padding, with_batch", [
    ([2, 2], [2, 2], "SAME", False), ([3, 2], [2, 3], "VALID", True), ([3, 3], [1, 1], "SAME", True)])
def test_max_pool_with_argmax_equals_a_direct_loop_after_a_convolution(k, s, padding, with_batch):
    # The pool converts (ONNX MaxPool's Indices, renumbered), so the whole run is onnxruntime's.
    x = RNG.normal(size=(2, 6, 7, 2)).astype(np.float32)
    w = RNG.normal(size=(1, 1, 2, 2)).astype(np.float32)
    conv = np.einsum("nhwc,cd->nhwd", x, w[0, 0])

    def build(tf):
        img = tf.placeholder(tf.float32, [None, 6, 7, 2], name="img")
        y = tf.nn.conv2d(img, w, [1, 1, 1, 1], "SAME")
        return list(_inference_ops().max_pool_with_argmax(y, [1, *k, 1], [1, *s, 1], padding,
                                                           include_batch_in_index=with_batch)), [img]

    (pooled, argmax), backend = _run(build, [x])
    want_pooled, want_index = _argmax_reference(conv, k, s, padding, with_batch)
    np.testing.assert_allclose(pooled, want_pooled, rtol=1e-5, atol=1e-6)
    assert argmax.dtype == np.int64 and argmax.tolist() == want_index.tolist()
    assert backend == "onnxruntime"


def test_dilation2d_converts_and_a_special_function_runs_on_the_host():
    # Dilation2D converts (strided slices and Max), so conv + dilation is onnxruntime's; Igamma
    # has no ONNX form, so adding it makes the session split the run (numpy kernel on the host).
    x = RNG.normal(size=(1, 6, 6, 2)).astype(np.float32)
    w = RNG.normal(size=(1, 1, 2, 2)).astype(np.float32)
    f = RNG.normal(size=(2, 2, 2)).astype(np.float32)
    conv = np.einsum("nhwc,cd->nhwd", x, w[0, 0])
    want = _dilation_reference(conv, f, [1, 1], [1, 1], "VALID")

    def build(tf, special=False):
        img = tf.placeholder(tf.float32, [None, 6, 6, 2], name="img")
        y = _inference_ops().dilation2d(tf.nn.conv2d(img, w, [1, 1, 1, 1], "SAME"), f, [1, 1, 1, 1], [1, 1, 1, 1],
                                        "VALID")
        return (tf.igamma(tf.abs(y) + 1.0, tf.ones_like(y)) if special else y), [img]

    got, backend = _run(build, [x])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert backend == "onnxruntime"
    got, backend = _run(lambda tf: build(tf, special=True), [x])
    lower_at_one = [_igamma_reference(a, 1.0) for a in (np.abs(want) + 1.0).reshape(-1)]
    np.testing.assert_allclose(got.reshape(-1), lower_at_one, rtol=1e-5)
    assert backend == "onnxruntime+numpy"


def _igamma_reference(a: float, x: float) -> float:
    # P(a, x) by its power series (converges for any x; a > 0).
    term = total = 1.0 / a
    for n in range(1, 200):
        term *= x / (a + n)
        total += term
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


# -- special functions ------------------------------------------------------------------------

def _series_i1(x: float) -> float:
    return sum((x / 2) ** (2 * k + 1) / (math.factorial(k) * math.factorial(k + 1)) for k in range(60))


def test_special_functions_match_identities_and_series():
    x = np.array([-7.5, -1.0, 0.0, 0.3, 2.0, 12.0, 80.0], np.float64)
    a = np.array([1.0, 1.0, 2.0, 3.5, 0.5], np.float64)
    t = np.array([0.2, 3.0, 1.5, 9.0, 0.7], np.float64)
    u = np.array([0.0, 0.1, 0.5, 0.75, 1.0], np.float64)

    def build(tf):
        m = _inference_ops()
        return [m.bessel_i0e(x), m.bessel_i1e(x), tf.igamma(a, t), tf.igammac(a, t), tf.betainc(np.float64(1.0), np.float64(1.0), u),
                tf.betainc(np.float64(2.5), np.float64(1.0), u), tf.zeta(np.array([2.0, 4.0]), np.array([1.0, 1.0])),
                tf.polygamma(np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 1.0])), tf.digamma(np.array([1.0, 0.5]))], []

    values, _ = _run(build)
    i0e, i1e, lower, upper, beta_uniform, beta_power, zeta, poly, digamma = values
    np.testing.assert_allclose(i0e, np.i0(x) * np.exp(-np.abs(x)), rtol=1e-12)
    small = np.abs(x) < 20
    want_i1e = np.array([math.copysign(_series_i1(abs(v)), v) * math.exp(-abs(v)) for v in x[small]])
    np.testing.assert_allclose(i1e[small], want_i1e, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(i1e[-1], 1 / math.sqrt(2 * math.pi * 80) * (1 - 3 / 640 - 15 / (2 * 6400 ** 1 * 64)),
                               rtol=1e-5)
    # P(1, t) = 1 - e^-t, P(2, t) = 1 - e^-t (1 + t), P(1/2, t) = erf(sqrt t); a = 3.5 through P + Q = 1.
    want_lower = [1 - math.exp(-0.2), 1 - math.exp(-3.0), 1 - math.exp(-1.5) * 2.5, math.erf(math.sqrt(0.7))]
    np.testing.assert_allclose(lower[[0, 1, 2, 4]], want_lower, rtol=1e-12)
    np.testing.assert_allclose(lower + upper, np.ones(5), rtol=1e-14)
    np.testing.assert_allclose(beta_uniform, u, atol=1e-15)
    np.testing.assert_allclose(beta_power, u ** 2.5, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(zeta, [math.pi ** 2 / 6, math.pi ** 4 / 90], rtol=1e-13)
    euler_gamma = 0.5772156649015329
    np.testing.assert_allclose(poly, [-euler_gamma, math.pi ** 2 / 6, -2 * 1.2020569031595942], rtol=1e-12)
    np.testing.assert_allclose(digamma, [-euler_gamma, -euler_gamma - 2 * math.log(2)], rtol=1e-12)


def test_special_functions_outside_their_domain_give_nan():
    def build(tf):
        return [tf.igamma([-1.0, 1.0], [1.0, -1.0]), tf.betainc([1.0], [1.0], [1.5]), tf.zeta([0.5], [1.0]),
                tf.polygamma([1.5], [1.0])], []

    values, _ = _run(build)
    assert all(np.isnan(v).all() for v in values)


# -- bounding boxes ---------------------------------------------------------------------------

def test_draw_bounding_boxes_outlines_in_tensorflows_colors():
    image = np.zeros((1, 5, 6, 3), np.float32)
    boxes = np.array([[[0.0, 0.0, 1.0, 1.0], [0.25, 0.2, 0.5, 0.6], [0.9, 0.9, 0.1, 0.1]]], np.float32)

    def build(tf):
        images = tf.placeholder(tf.float32, [None, 5, 6, 3], name="images")
        return [tf.image.draw_bounding_boxes(images, boxes),
                tf.image.draw_bounding_boxes(images, boxes, colors=[[0.5, 0.25, 1.0, 1.0]])], [images]

    (plain, colored), backend = _run(build, [image])
    border = np.zeros((5, 6), bool)
    border[[0, -1], :] = border[:, [0, -1]] = True
    inner = np.zeros((5, 6), bool)
    inner[1, 1:4] = inner[2, 1:4] = True  # rows 1..2 (0.25 * 4, 0.5 * 4), cols 1..3 (0.2 * 5, 0.6 * 5)
    inner[1:3, 1] = inner[1:3, 3] = True
    assert plain[0][border].tolist() == [[1.0, 1.0, 0.0]] * int(border.sum())  # yellow
    assert plain[0][inner & ~border].tolist() == [[0.0, 0.0, 1.0]] * int((inner & ~border).sum())  # blue
    assert not plain[0][~(border | inner)].any()  # the inverted third box is skipped
    assert colored[0][border | inner].tolist() == [[0.5, 0.25, 1.0]] * int((border | inner).sum())
    assert backend == "numpy"


def test_sample_distorted_bounding_box_respects_its_constraints_and_seed():
    import ortflow as tf

    g = tf.Graph()
    with g.as_default():
        boxes = tf.constant([[[0.1, 0.2, 0.5, 0.6]]])
        begin, size, box = tf.image.sample_distorted_bounding_box([40, 60, 3], boxes, seed=3,
                                                                  min_object_covered=0.5,
                                                                  area_range=[0.1, 0.5])
        assert begin.op.name == "sample_distorted_bounding_box/SampleDistortedBoundingBoxV2"
        assert [begin.shape.as_list(), size.shape.as_list(), box.shape.as_list()] == [[3], [3], [1, 1, 4]]
        with tf.Session(graph=g) as sess:
            first = sess.run([begin, size, box])
            assert all(np.array_equal(a, b) for a, b in zip(first, sess.run([begin, size, box])))
    (y, x, _), (h, w, depth), crop = first
    assert depth == -1 and 0 <= y <= 40 - h and 0 <= x <= 60 - w
    assert 0.1 * 2400 - 60 <= h * w <= 0.5 * 2400 + 60
    np.testing.assert_allclose(crop[0, 0], [y / 40, x / 60, (y + h) / 40, (x + w) / 60], rtol=1e-6)
    top, left, bottom, right = 0.1, 0.2, 0.5, 0.6
    inter = max(0.0, min(bottom, (y + h) / 40) - max(top, y / 40)) * max(0.0, min(right, (x + w) / 60) - max(left, x / 60))
    assert inter / ((bottom - top) * (right - left)) >= 0.5 - 1e-6
