"""The rest of TF 1.x's tf.nn (generic convolution and pooling, activations, statistics, losses), run
in a Session against numpy references."""

from __future__ import annotations

import math

import numpy as np
import ortflow as tf
import pytest

RNG = np.random.default_rng(11)


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default() as g:
        yield g


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def _conv_nhwc(x, w, stride=(1, 1), dilation=(1, 1)):
    kh, kw, _, f = w.shape
    ekh, ekw = (kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1
    oh = (x.shape[1] - ekh) // stride[0] + 1
    ow = (x.shape[2] - ekw) // stride[1] + 1
    out = np.zeros((x.shape[0], oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            rows = slice(i * stride[0], i * stride[0] + ekh, dilation[0])
            cols = slice(j * stride[1], j * stride[1] + ekw, dilation[1])
            patch = x[:, rows, cols]
            out[:, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [0, 1, 2]))
    return out


def test_conv1d_builds_tf_nodes_and_values():
    x = RNG.normal(size=(2, 9, 3)).astype(np.float32)
    w = RNG.normal(size=(3, 3, 4)).astype(np.float32)
    y = tf.nn.conv1d(x, w, stride=2, padding="VALID")
    g = tf.get_default_graph()
    assert y.op.type == "Squeeze" and y.op.name == "conv1d/Squeeze"
    conv = g.get_operation_by_name("conv1d")
    assert conv.type == "Conv2D" and conv.get_attr("strides") == [1, 1, 2, 1]
    ref = _conv_nhwc(x[:, None], w[None], stride=(1, 2))[:, 0]
    np.testing.assert_allclose(_run(y), ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_convolution_dispatches_on_rank(rank):
    spatial = [5] * rank
    x = RNG.normal(size=(1, *spatial, 2)).astype(np.float32)
    w = np.ones([2] * rank + [2, 1], np.float32)
    y = tf.nn.convolution(x, w, padding="VALID")
    out = _run(y)
    assert out.shape == (1, *[4] * rank, 1)
    # An all-ones 2x..x2 filter sums each window: check one corner window.
    np.testing.assert_allclose(out[(0, *[0] * rank, 0)], x[(0, *[slice(0, 2)] * rank)].sum(), rtol=1e-5)


def test_atrous_conv2d_is_a_dilated_convolution():
    x = RNG.normal(size=(1, 7, 7, 2)).astype(np.float32)
    w = RNG.normal(size=(3, 3, 2, 2)).astype(np.float32)
    y = tf.nn.atrous_conv2d(x, w, rate=2, padding="VALID")
    np.testing.assert_allclose(_run(y), _conv_nhwc(x, w, dilation=(2, 2)), rtol=1e-4, atol=1e-5)


def test_separable_conv2d_graph():
    x = tf.placeholder(tf.float32, [None, 5, 5, 3])
    dw = tf.constant(RNG.normal(size=(3, 3, 3, 2)).astype(np.float32))
    pw = tf.constant(RNG.normal(size=(1, 1, 6, 4)).astype(np.float32))
    y = tf.nn.separable_conv2d(x, dw, pw, strides=[1, 1, 1, 1], padding="VALID")
    assert y.op.type == "Conv2D" and y.op.name == "separable_conv2d"
    assert y.op.inputs[0].op.type == "DepthwiseConv2dNative"
    assert y.shape.as_list() == [None, 3, 3, 4]


def test_separable_conv2d_values():
    x = RNG.normal(size=(1, 5, 5, 2)).astype(np.float32)
    dw = RNG.normal(size=(3, 3, 2, 1)).astype(np.float32)
    pw = RNG.normal(size=(1, 1, 2, 3)).astype(np.float32)
    y = tf.nn.separable_conv2d(x, dw, pw, strides=[1, 1, 1, 1], padding="VALID")
    depthwise = np.stack([_conv_nhwc(x[..., c:c + 1], dw[:, :, c:c + 1, :])[..., 0] for c in range(2)], -1)
    ref = depthwise @ pw[0, 0]
    np.testing.assert_allclose(_run(y), ref, rtol=1e-4, atol=1e-5)


def test_pools():
    x1 = RNG.normal(size=(2, 6, 3)).astype(np.float32)
    x2 = RNG.normal(size=(2, 4, 4, 3)).astype(np.float32)
    fetches = [tf.nn.max_pool1d(x1, 2, 2, "VALID"), tf.nn.avg_pool1d(x1, 3, 3, "VALID"),
               tf.nn.max_pool2d(x2, 2, 2, "VALID"), tf.nn.avg_pool2d(x2, [2, 2], [2, 2], "VALID"),
               tf.nn.max_pool_v2(x2, 2, 2, "VALID"), tf.nn.avg_pool_v2(x1, 2, 2, "VALID"),
               tf.nn.pool(x2, [2, 2], "MAX", "VALID", strides=[2, 2]),
               tf.nn.pool(x1, [3], "AVG", "VALID", strides=[3])]
    out = _run(fetches)
    max2 = x2.reshape(2, 2, 2, 2, 2, 3).max((2, 4))
    np.testing.assert_allclose(out[0], x1.reshape(2, 3, 2, 3).max(2), rtol=1e-6)
    np.testing.assert_allclose(out[1], x1.reshape(2, 2, 3, 3).mean(2), rtol=1e-5)
    np.testing.assert_allclose(out[2], max2, rtol=1e-6)
    np.testing.assert_allclose(out[3], x2.reshape(2, 2, 2, 2, 2, 3).mean((2, 4)), rtol=1e-5)
    np.testing.assert_allclose(out[4], max2, rtol=1e-6)
    np.testing.assert_allclose(out[5], x1.reshape(2, 3, 2, 3).mean(2), rtol=1e-5)
    np.testing.assert_allclose(out[6], max2, rtol=1e-6)
    np.testing.assert_allclose(out[7], x1.reshape(2, 2, 3, 3).mean(2), rtol=1e-5)
    with pytest.raises(ValueError, match="pooling_type"):
        tf.nn.pool(x2, [2, 2], "MIN", "VALID")


def test_activations():
    x = np.linspace(-3, 3, 13).astype(np.float32)
    erf = np.vectorize(math.erf)
    fetches = [tf.nn.swish(x), tf.nn.silu(x, beta=2.0), tf.nn.gelu(x), tf.nn.gelu(x, approximate=True),
               tf.nn.crelu(x.reshape(1, -1))]
    out = _run(fetches)
    def sig(v):
        return 1 / (1 + np.exp(-v))

    np.testing.assert_allclose(out[0], x * sig(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[1], x * sig(2 * x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[2], 0.5 * x * (1 + erf(x / np.sqrt(2))), rtol=1e-5, atol=1e-6)
    tanh_form = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    np.testing.assert_allclose(out[3], tanh_form, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[4], np.maximum(np.concatenate([x, -x])[None], 0))
    with pytest.raises(ValueError, match="floating point"):
        tf.nn.gelu(tf.constant([1, 2]))


def test_relu_layer():
    x = RNG.normal(size=(3, 4)).astype(np.float32)
    w = RNG.normal(size=(4, 2)).astype(np.float32)
    b = np.array([0.5, -0.5], np.float32)
    y = tf.nn.relu_layer(x, w, b)
    assert y.op.type == "Relu" and y.op.name == "relu_layer"
    np.testing.assert_allclose(_run(y), np.maximum(x @ w + b, 0), rtol=1e-5)


@pytest.mark.parametrize("shift", [None, 1.5])
def test_sufficient_statistics_and_normalize_moments(shift):
    x = RNG.normal(2.0, 3.0, size=(4, 5)).astype(np.float32)
    counts, m_ss, v_ss, s = tf.nn.sufficient_statistics(x, [0], shift=shift)
    mean, var = tf.nn.normalize_moments(counts, m_ss, v_ss, s)
    out = _run([counts, mean, var])
    assert out[0] == 4
    np.testing.assert_allclose(out[1], x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(out[2], x.var(0), rtol=1e-4)


def test_sufficient_statistics_dynamic_count():
    x = tf.placeholder(tf.float32, [None, 3])
    counts, *_ = tf.nn.sufficient_statistics(x, [0, 1])
    assert _run(counts, {x: np.zeros((5, 3), np.float32)}) == 15


def test_weighted_moments():
    x = RNG.normal(size=(6, 3)).astype(np.float32)
    w = RNG.uniform(0.5, 2.0, size=(6, 1)).astype(np.float32)
    mean, var = tf.nn.weighted_moments(x, [0], w)
    m, v = _run([mean, var])
    ref_m = (w * x).sum(0) / w.sum()
    np.testing.assert_allclose(m, ref_m, rtol=1e-5)
    np.testing.assert_allclose(v, (w * (x - ref_m) ** 2).sum(0) / w.sum(), rtol=1e-5)
    keep = tf.nn.weighted_moments(x, [0], w, keep_dims=True)[0]
    assert keep.shape.as_list() == [1, 3]


def test_zero_fraction():
    x = np.array([[0.0, 1.0], [0.0, 0.0]], np.float32)
    assert _run(tf.nn.zero_fraction(x)) == pytest.approx(0.75)
    assert _run(tf.nn.zero_fraction(tf.constant([1, 0, 3, 4]))) == pytest.approx(0.25)


def test_log_poisson_loss():
    targets = np.array([0.0, 0.5, 1.0, 2.0, 5.0], np.float32)
    log_input = np.array([0.1, -0.3, 0.7, 1.2, 1.5], np.float32)
    plain, full = _run([tf.nn.log_poisson_loss(targets, log_input),
                        tf.nn.log_poisson_loss(targets, log_input, compute_full_loss=True)])
    base = np.exp(log_input) - log_input * targets
    np.testing.assert_allclose(plain, base, rtol=1e-6)
    with np.errstate(divide="ignore", invalid="ignore"):
        stirling = targets * np.log(targets) - targets + 0.5 * np.log(2 * np.pi * targets)
    np.testing.assert_allclose(full, base + np.where(targets <= 1, 0, stirling), rtol=1e-5)
    with pytest.raises(ValueError, match="same shape"):
        tf.nn.log_poisson_loss(np.zeros(3, np.float32), np.zeros(4, np.float32))


def test_conv3d_transpose_graph():
    x = tf.placeholder(tf.float32, [1, 2, 2, 2, 3])
    w = tf.constant(np.ones((2, 2, 2, 4, 3), np.float32))
    y = tf.nn.conv3d_transpose(x, w, [1, 4, 4, 4, 4], strides=[1, 2, 2, 2, 1])
    assert y.op.type == "Conv3DBackpropInputV2" and y.op.name == "conv3d_transpose"
    assert y.op.get_attr("strides") == [1, 2, 2, 2, 1]


def _transposed_ref(x, w, stride, out_spatial):
    # x [N, *S, Cin], w [*K, Cout, Cin]: scatter each input position's contribution, then crop
    # the "SAME" padding (TF puts the odd extra row at the end).
    n, *spatial, _ = x.shape
    kernel = w.shape[:-2]
    full = [(s - 1) * stride + k for s, k in zip(spatial, kernel)]
    out = np.zeros((n, *full, w.shape[-2]))
    for pos in np.ndindex(*spatial):
        window = tuple(slice(p * stride, p * stride + k) for p, k in zip(pos, kernel))
        out[(slice(None), *window)] += np.einsum("nc,...oc->n...o", x[(slice(None), *pos)], w)
    crop = tuple(slice((f - o) // 2, (f - o) // 2 + o) for f, o in zip(full, out_spatial))
    return out[(slice(None), *crop)]


@pytest.mark.parametrize("rank", [2, 3])
def test_transposed_convolutions_values(rank):
    x = RNG.normal(size=(1, *[3] * rank, 2)).astype(np.float32)
    w = RNG.normal(size=(*[3] * rank, 4, 2)).astype(np.float32)
    out_shape = [1, *[6] * rank, 4]
    fn = tf.nn.conv2d_transpose if rank == 2 else tf.nn.conv3d_transpose
    y = fn(x, w, out_shape, strides=[1, *[2] * rank, 1], padding="SAME")
    np.testing.assert_allclose(_run(y), _transposed_ref(x, w, 2, [6] * rank), rtol=1e-4, atol=1e-4)


def test_conv1d_transpose_and_backprop_input():
    x = RNG.normal(size=(2, 4, 3)).astype(np.float32)
    w = RNG.normal(size=(3, 2, 3)).astype(np.float32)
    y = tf.nn.conv1d_transpose(x, w, [2, 8, 2], 2)
    assert y.op.type == "Squeeze" and y.op.inputs[0].op.type == "Conv2DBackpropInput"
    np.testing.assert_allclose(_run(y), _transposed_ref(x, w, 2, [8]), rtol=1e-4, atol=1e-4)
    x2 = RNG.normal(size=(1, 3, 3, 2)).astype(np.float32)
    w2 = RNG.normal(size=(3, 3, 4, 2)).astype(np.float32)
    z = tf.nn.conv2d_backprop_input([1, 6, 6, 4], w2, x2, [1, 2, 2, 1], "SAME")
    np.testing.assert_allclose(_run(z), _transposed_ref(x2, w2, 2, [6, 6]), rtol=1e-4, atol=1e-4)


def test_atrous_conv2d_transpose_is_the_adjoint_of_atrous_conv2d():
    # <atrous_conv2d(a, w), b> == <a, atrous_conv2d_transpose(b, w)> for VALID padding.
    a = RNG.normal(size=(1, 7, 7, 2)).astype(np.float32)
    b = RNG.normal(size=(1, 3, 3, 3)).astype(np.float32)
    w = RNG.normal(size=(3, 3, 2, 3)).astype(np.float32)
    forward = tf.nn.atrous_conv2d(a, w, 2, "VALID")
    backward = tf.nn.atrous_conv2d_transpose(b, w, [1, 7, 7, 2], 2, "VALID")
    f, bk = _run([forward, backward])
    assert float((f * b).sum()) == pytest.approx(float((a * bk).sum()), rel=1e-4)
    with pytest.raises(ValueError, match="rate"):
        tf.nn.atrous_conv2d_transpose(b, w, [1, 7, 7, 2], 0, "VALID")


def test_depthwise_conv2d_native_and_global_batch_norm():
    x = RNG.normal(size=(1, 4, 4, 2)).astype(np.float32)
    w = RNG.normal(size=(2, 2, 2, 1)).astype(np.float32)
    y = tf.nn.depthwise_conv2d_native(x, w, [1, 1, 1, 1], "VALID")
    assert y.op.type == "DepthwiseConv2dNative"
    ref = np.stack([_conv_nhwc(x[..., c:c + 1], w[:, :, c:c + 1])[..., 0] for c in range(2)], -1)
    mean, var = np.array([0.5, -0.5], np.float32), np.array([2.0, 0.5], np.float32)
    beta, gamma = np.array([1.0, 0.0], np.float32), np.array([3.0, 3.0], np.float32)
    bn_scaled = tf.nn.batch_norm_with_global_normalization(x, mean, var, beta, gamma, 0.1, True)
    bn_plain = tf.nn.batch_norm_with_global_normalization(x, mean, var, beta, gamma, 0.1, False)
    out = _run([y, bn_scaled, bn_plain])
    np.testing.assert_allclose(out[0], ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out[1], (x - mean) / np.sqrt(var + 0.1) * gamma + beta, rtol=1e-5)
    np.testing.assert_allclose(out[2], (x - mean) / np.sqrt(var + 0.1) + beta, rtol=1e-5)


def test_average_and_regularization_losses():
    losses = np.array([1.0, 2.0, 4.0], np.float32)
    out = _run([tf.nn.compute_average_loss(losses), tf.nn.compute_average_loss(losses, global_batch_size=4),
                tf.nn.compute_average_loss(losses, sample_weight=np.array([1.0, 0.0, 0.5], np.float32)),
                tf.nn.scale_regularization_loss([tf.constant(1.5), tf.constant(2.0)])])
    assert out == pytest.approx([7 / 3, 7 / 4, 3 / 3, 3.5])
