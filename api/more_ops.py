"""TF 1.x functions not elsewhere: angle, Bessel I0/I1, cumulative logsumexp, erosion2d, glimpses,
fractional pooling, random_gamma, random_poisson."""

from __future__ import annotations

import numpy as np
from ortflow.api.ops_builder import apply_op_output, convert_to_tensor
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import get_default_graph

__all__ = [
    "angle",
    "bessel_i0",
    "bessel_i1",
    "cumulative_logsumexp",
    "erfinv",
    "erosion2d",
    "extract_glimpse",
    "fractional_avg_pool",
    "fractional_max_pool",
    "ndtri",
    "random_gamma",
    "random_poisson",
    "sobel_edges",
    "ssim",
]


def angle(input, name=None):
    """The argument of each complex element (`Angle`); for real input, pi where negative, else 0."""
    from ortflow.api import array_ops, math_ops

    g = get_default_graph()
    with g.name_scope(name or "Angle") as scope:
        x = convert_to_tensor(input, name="input")
        if x.dtype.is_complex:
            return apply_op_output("Angle", [x], {"Tout": x.dtype.real_dtype}, name=scope)
        pi = math_ops.multiply(np.pi, array_ops.ones_like(x))
        return array_ops.where(math_ops.less(x, 0), pi, array_ops.zeros_like(x), name=scope)


def erosion2d(value, kernel, strides, rates, padding, name=None):
    """Grayscale erosion (`tf.nn.erosion2d`): min over the window of value - kernel.

    Built as TensorFlow builds it: -dilation2d(-value, kernel flipped in both spatial axes).
    """
    from ortflow.api import array_ops, math_ops
    from ortflow.api.inference_ops import dilation2d

    g = get_default_graph()
    with g.name_scope(name or "erosion2d") as scope:
        flipped = array_ops.reverse_v2(kernel, [0, 1])
        dilated = dilation2d(math_ops.negative(value), flipped, strides, rates, padding)
        return math_ops.negative(dilated, name=scope)


def _seed_attrs(seed) -> dict:
    from ortflow.api.random_ops import get_seed

    seed1, seed2 = get_seed(seed)
    return {"seed": seed1 or 0, "seed2": seed2 or 0}


def random_gamma(shape, alpha, beta=None, dtype=_dtypes.float32, seed=None, name=None):
    """Gamma(alpha, beta) draws of shape `shape + broadcast(alpha, beta).shape` (`RandomGamma`).

    Values come from numpy's generator: the right distribution, not TensorFlow's stream.
    """
    from ortflow.api import array_ops, math_ops

    dtype = _dtypes.as_dtype(dtype)
    g = get_default_graph()
    with g.name_scope(name or "random_gamma") as scope:
        shape_t = convert_to_tensor(shape, dtype=None if hasattr(shape, "dtype") else _dtypes.int32,
                                    name="shape")
        alpha = convert_to_tensor(alpha, dtype=dtype, name="alpha")
        beta = convert_to_tensor(1.0 if beta is None else beta, dtype=dtype, name="beta")
        alpha_b = math_ops.add(alpha, array_ops.zeros_like(beta))
        draws = apply_op_output("RandomGamma", [shape_t, alpha_b], _seed_attrs(seed), name="RandomGamma")
        tiny = np.finfo(dtype.as_numpy_dtype).tiny
        return math_ops.maximum(tiny, math_ops.divide(draws, beta), name=scope)


def random_poisson(lam, shape, dtype=_dtypes.float32, seed=None, name=None):
    """Poisson(lam) draws of shape `shape + lam.shape` (`RandomPoissonV2`), TF 1.x argument order."""
    g = get_default_graph()
    with g.name_scope(name or "random_poisson") as scope:
        shape_t = convert_to_tensor(shape, dtype=None if hasattr(shape, "dtype") else _dtypes.int32,
                                    name="shape")
        lam = convert_to_tensor(lam, name="lam")
        if not lam.dtype.is_floating and lam.dtype not in (_dtypes.int32, _dtypes.int64):
            raise TypeError(f"random_poisson: lam must be a float or integer tensor, got {lam.dtype!r}")
        return apply_op_output("RandomPoissonV2", [shape_t, lam],
                               {"dtype": _dtypes.as_dtype(dtype), **_seed_attrs(seed)}, name=scope)


def _fractional_pool(op_type, value, pooling_ratio, pseudo_random, overlapping, deterministic, seed,
                     seed2, name):
    from ortflow.api.ops_builder import apply_op

    attrs = {"pooling_ratio": [float(r) for r in pooling_ratio], "pseudo_random": bool(pseudo_random),
             "overlapping": bool(overlapping), "deterministic": bool(deterministic),
             "seed": int(seed), "seed2": int(seed2)}
    op = apply_op(op_type, [value], attrs, name=name or op_type)
    return tuple(op.outputs)


def fractional_max_pool(value, pooling_ratio, pseudo_random=False, overlapping=False, deterministic=False,
                        seed=0, seed2=0, name=None):
    """Max pooling over regions of fractional average size (`tf.compat.v1.nn.fractional_max_pool`).

    Args:
        value: a 4-D [batch, height, width, channels] tensor.
        pooling_ratio: [1.0, r_h, r_w, 1.0]; the output has floor(size / r) rows and columns.
        pseudo_random: regions from the pseudo-random sequence rather than a shuffled one.
        overlapping: regions share their boundary row/column.
        deterministic, seed, seed2: fixed regions on every run (numpy's generator, seeded).

    Returns:
        (output, row_pooling_sequence, col_pooling_sequence).
    """
    return _fractional_pool("FractionalMaxPool", value, pooling_ratio, pseudo_random, overlapping,
                            deterministic, seed, seed2, name)


def fractional_avg_pool(value, pooling_ratio, pseudo_random=False, overlapping=False, deterministic=False,
                        seed=0, seed2=0, name=None):
    """Average pooling over regions of fractional size (`tf.compat.v1.nn.fractional_avg_pool`)."""
    return _fractional_pool("FractionalAvgPool", value, pooling_ratio, pseudo_random, overlapping,
                            deterministic, seed, seed2, name)


def extract_glimpse(input, size, offsets, centered=True, normalized=True, uniform_noise=True, name=None):
    """Crops a [height, width] window per image at `offsets` (`tf.compat.v1.image.extract_glimpse`).

    Args:
        input: [batch, height, width, channels] float32 images.
        size: [glimpse_height, glimpse_width].
        offsets: [batch, 2] (y, x) centres; in [-1, 1] from the image centre when `centered` and
            `normalized`, in [0, 1] when only normalized, else in pixels.
        uniform_noise: fill the part outside the image with uniform noise (else gaussian).
    """
    from ortflow.api.ops_builder import apply_op_output

    attrs = {"centered": bool(centered), "normalized": bool(normalized), "uniform_noise": bool(uniform_noise),
             "noise": "uniform" if uniform_noise else ""}
    return apply_op_output("ExtractGlimpse", [input, size, offsets], attrs, name=name or "ExtractGlimpse")


def bessel_i0(x, name=None):
    """The modified Bessel function I0: exp(|x|) * bessel_i0e(x) (i0e keeps large |x| finite)."""
    from ortflow.api import math_ops

    g = get_default_graph()
    with g.name_scope(name or "bessel_i0"):
        x = convert_to_tensor(x, name="x")
        return math_ops.multiply(math_ops.exp(math_ops.abs(x)), math_ops.bessel_i0e(x))


def bessel_i1(x, name=None):
    """The modified Bessel function I1: exp(|x|) * bessel_i1e(x)."""
    from ortflow.api import math_ops

    g = get_default_graph()
    with g.name_scope(name or "bessel_i1"):
        x = convert_to_tensor(x, name="x")
        return math_ops.multiply(math_ops.exp(math_ops.abs(x)), math_ops.bessel_i1e(x))


def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None):
    """log(cumsum(exp(x))) along `axis`, computed stably (`CumulativeLogsumexp`)."""
    g = get_default_graph()
    with g.name_scope(name or "cumulative_logsumexp") as scope:
        x = convert_to_tensor(x, name="x")
        axis = convert_to_tensor(axis, dtype=_dtypes.int32, name="axis")
        return apply_op_output("CumulativeLogsumexp", [x, axis],
                               {"exclusive": bool(exclusive), "reverse": bool(reverse)}, name=scope)


_SOBEL = np.array([[[-1, -2, -1], [0, 0, 0], [1, 2, 1]],      # d/dy
                   [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]])     # d/dx


def sobel_edges(image):
    """Sobel gradients of [batch, height, width, channels] images: [..., channels, 2] (dy, dx).

    The image is reflect-padded by one pixel, then each channel is filtered by both 3x3 Sobel
    kernels (a depthwise convolution), as TensorFlow computes it.
    """
    from ortflow.api import array_ops, nn

    image = convert_to_tensor(image, name="image")
    dims = array_ops.shape(image)
    kernel = np.transpose(_SOBEL, (1, 2, 0))[:, :, None, :]          # [3, 3, 1, 2]
    filters = array_ops.tile(convert_to_tensor(kernel, dtype=image.dtype),
                             array_ops.stack([1, 1, dims[-1], 1]), name="sobel_filters")
    padded = array_ops.pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
    out = nn.depthwise_conv2d(padded, filters, [1, 1, 1, 1], "VALID")
    out = array_ops.reshape(out, array_ops.concat([dims, [2]], 0))
    out.set_shape(image.shape.concatenate([2]))
    return out


def _gaussian_window(size: int, sigma: float) -> np.ndarray:
    # the normalized 2-D gaussian, [size, size, 1, 1]
    coords = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = -0.5 * np.square(coords) / sigma ** 2
    g = g[None, :] + g[:, None]
    g = np.exp(g - g.max())
    return (g / g.sum()).astype(np.float32).reshape(size, size, 1, 1)


def _ssim_parts(x, y, max_val, size: int, sigma: float, k1: float, k2: float):
    # per-channel luminance and contrast-structure maps over gaussian windows (VALID)
    from ortflow.api import array_ops, math_ops, nn

    window = array_ops.tile(convert_to_tensor(_gaussian_window(size, sigma)),
                            array_ops.stack([1, 1, array_ops.shape(x)[-1], 1]))

    def blur(t):
        return nn.depthwise_conv2d(t, window, [1, 1, 1, 1], "VALID")

    c1 = math_ops.square(k1 * max_val)
    c2 = math_ops.square(k2 * max_val)
    mean_x, mean_y = blur(x), blur(y)
    num0 = mean_x * mean_y * 2.0
    den0 = math_ops.square(mean_x) + math_ops.square(mean_y)
    luminance = (num0 + c1) / (den0 + c1)
    num1 = blur(x * y) * 2.0
    den1 = blur(math_ops.square(x) + math_ops.square(y))
    cs = (num1 - num0 + c2) / (den1 - den0 + c2)
    return luminance, cs


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03):
    """Structural similarity of two batches of images ([..., height, width, channels]).

    Mean over gaussian-weighted 11x11 windows (VALID) of luminance x contrast-structure, then
    over channels, as `tf.image.ssim`; images smaller than the window are not supported.
    """
    from ortflow.api import array_ops, math_ops
    from ortflow.api.image import convert_image_dtype

    g = get_default_graph()
    with g.name_scope("SSIM"):
        img1 = convert_to_tensor(img1, name="img1")
        img2 = convert_to_tensor(img2, name="img2")
        max_val = convert_image_dtype(math_ops.cast(max_val, img1.dtype), _dtypes.float32)
        x = convert_image_dtype(img1, _dtypes.float32)
        y = convert_image_dtype(img2, _dtypes.float32)
        dims = x.shape.as_list() if x.shape.rank is not None else None
        if dims is not None and any(d is not None and d < filter_size for d in dims[-3:-1]):
            raise ValueError(f"ssim: images of shape {x.shape} are smaller than the {filter_size}x{filter_size} "
                             "filter")
        shape = array_ops.shape(x)
        flat_x = array_ops.reshape(x, array_ops.concat([[-1], shape[-3:]], 0))
        flat_y = array_ops.reshape(y, array_ops.concat([[-1], shape[-3:]], 0))
        luminance, cs = _ssim_parts(flat_x, flat_y, max_val, filter_size, filter_sigma, k1, k2)
        per_channel = math_ops.reduce_mean(luminance * cs, [-3, -2])
        per_image = math_ops.reduce_mean(per_channel, [-1])
        return array_ops.reshape(per_image, shape[:-3])


def erfinv(x, name=None):
    """The inverse error function, elementwise (`Erfinv`): erf(erfinv(x)) = x on (-1, 1)."""
    return apply_op_output("Erfinv", [convert_to_tensor(x, name="x")], name=name or "Erfinv")


def ndtri(x, name=None):
    """The standard normal quantile (inverse CDF), elementwise (`Ndtri`)."""
    return apply_op_output("Ndtri", [convert_to_tensor(x, name="x")], name=name or "Ndtri")
