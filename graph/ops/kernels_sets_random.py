"""Numpy kernels and shape functions: set operations, gamma / Poisson samplers, `Complex`,
fractional pooling, glimpses, Erfinv and Ndtri.

Set ops (`DenseToDenseSetOperation`, `DenseToSparseSetOperation`, `SparseToSparseSetOperation`,
`SetSize`) work on the last dimension: every position of the leading dimensions is one set, and
the result is a SparseTensor whose rows hold each result set in ascending order, its last
dimension as wide as the largest set.

`RandomGamma` and `RandomPoissonV2` draw from numpy's generator (seeded from seed/seed2 when
either is set), so the values follow the right distribution but are not TensorFlow's stream.
"""

from __future__ import annotations

import math

import numpy as np
from ortflow.errors import GraphError
from ortflow.graph.ops.registry import kernel, shape_fn
from ortflow.graph.ops.shapes_common import numpy_dtype_attr

__all__: list[str] = []

_SET_OPS = ("a-b", "b-a", "intersection", "union")


def _rng(node_def):
    seed, seed2 = node_def.attr["seed"].i, node_def.attr["seed2"].i
    return np.random.default_rng([seed, seed2] if seed or seed2 else None)


def _sample_shape(inputs) -> tuple[int, ...]:
    shape = np.asarray(inputs[0]).reshape(-1)
    if (shape < 0).any():
        raise GraphError(f"a sample shape must not be negative, got {shape.tolist()}")
    return tuple(int(d) for d in shape)


@kernel("RandomGamma")
def _random_gamma(node_def, inputs):
    alpha = np.asarray(inputs[1])
    shape = _sample_shape(inputs) + alpha.shape
    draws = _rng(node_def).standard_gamma(np.broadcast_to(alpha, shape).astype(np.float64))
    return [np.asarray(draws, alpha.dtype)]


@kernel("RandomPoissonV2", "RandomPoisson")
def _random_poisson(node_def, inputs):
    rate = np.asarray(inputs[1])
    shape = _sample_shape(inputs) + rate.shape
    draws = _rng(node_def).poisson(np.broadcast_to(rate, shape).astype(np.float64))
    out_dtype = numpy_dtype_attr(node_def, "dtype") if node_def.op == "RandomPoissonV2" else rate.dtype
    return [np.asarray(draws, out_dtype)]


@shape_fn("RandomGamma", "RandomPoissonV2", "RandomPoisson")
def _sampler_shape(node_def, shapes, values):
    rate = shapes[1]
    if values[0] is None or rate is None:
        return [None]
    return [tuple(int(d) for d in np.asarray(values[0]).reshape(-1)) + tuple(rate)]


# -- sets ------------------------------------------------------------------------------------

def _dense_groups(values) -> tuple[tuple[int, ...], list[list]]:
    v = np.asarray(values)
    if v.ndim < 2:
        raise GraphError(f"a set operand must have rank 2 or more, got shape {list(v.shape)}")
    groups = v.reshape(-1, v.shape[-1])
    return v.shape[:-1], [list(row) for row in groups]


def _sparse_groups(indices, values, dense_shape) -> tuple[tuple[int, ...], list[list]]:
    shape = tuple(int(d) for d in np.asarray(dense_shape).reshape(-1))
    if len(shape) < 2:
        raise GraphError(f"a sparse set operand must have rank 2 or more, got dense_shape {list(shape)}")
    lead = shape[:-1]
    count = int(np.prod(lead, dtype=np.int64))
    groups: list[list] = [[] for _ in range(count)]
    idx = np.asarray(indices).reshape(-1, len(shape))
    vals = np.asarray(values).reshape(-1)
    for row, value in zip(idx, vals):
        if any(i < 0 or i >= d for i, d in zip(row, shape)):
            raise GraphError(f"set index {row.tolist()} is out of bounds for dense_shape {list(shape)}")
        groups[int(np.ravel_multi_index(tuple(row[:-1]), lead))].append(value)
    return lead, groups


def _combine(lead, a_groups, b_groups, op: str, dtype) -> list[np.ndarray]:
    results = []
    for a, b in zip(a_groups, b_groups):
        sa, sb = set(a), set(b)
        chosen = {"a-b": sa - sb, "b-a": sb - sa, "intersection": sa & sb, "union": sa | sb}[op]
        results.append(sorted(chosen))
    width = max((len(r) for r in results), default=0)
    rows = [np.unravel_index(g, lead) if lead else () for g in range(len(results))]
    indices = [[*map(int, rows[g]), j] for g, r in enumerate(results) for j in range(len(r))]
    flat = [v for r in results for v in r]
    values = np.array(flat, dtype=dtype) if flat else np.zeros([0], dtype)
    return [np.array(indices, np.int64).reshape(-1, len(lead) + 1), values,
            np.array([*lead, width], np.int64)]


def _set_op(node_def) -> str:
    op = node_def.attr["set_operation"].s.decode()
    if op not in _SET_OPS:
        raise GraphError(f"Invalid set_operation {op!r}: expected one of {', '.join(_SET_OPS)}")
    return op


def _check_lead(a_lead, b_lead):
    if tuple(a_lead) != tuple(b_lead):
        raise GraphError(f"Shapes {list(a_lead)} and {list(b_lead)} of the set operands' leading "
                         "dimensions do not match")


@kernel("DenseToDenseSetOperation")
def _dense_to_dense(node_def, inputs):
    a_lead, a_groups = _dense_groups(inputs[0])
    b_lead, b_groups = _dense_groups(inputs[1])
    _check_lead(a_lead, b_lead)
    return _combine(a_lead, a_groups, b_groups, _set_op(node_def), np.asarray(inputs[0]).dtype)


@kernel("DenseToSparseSetOperation")
def _dense_to_sparse(node_def, inputs):
    a_lead, a_groups = _dense_groups(inputs[0])
    b_lead, b_groups = _sparse_groups(*inputs[1:4])
    _check_lead(a_lead, b_lead)
    return _combine(a_lead, a_groups, b_groups, _set_op(node_def), np.asarray(inputs[0]).dtype)


@kernel("SparseToSparseSetOperation")
def _sparse_to_sparse(node_def, inputs):
    a_lead, a_groups = _sparse_groups(*inputs[0:3])
    b_lead, b_groups = _sparse_groups(*inputs[3:6])
    _check_lead(a_lead, b_lead)
    return _combine(a_lead, a_groups, b_groups, _set_op(node_def), np.asarray(inputs[1]).dtype)


@kernel("SetSize")
def _set_size(node_def, inputs):
    lead, groups = _sparse_groups(*inputs[0:3])
    return [np.array([len(set(g)) for g in groups], np.int32).reshape(lead)]


def _set_result_shape(rank):
    return [(None, rank), (None,), (rank,)]


@shape_fn("DenseToDenseSetOperation", "DenseToSparseSetOperation")
def _dense_set_shape(node_def, shapes, values):
    return _set_result_shape(None if shapes[0] is None else len(shapes[0]))


@shape_fn("SparseToSparseSetOperation")
def _sparse_set_shape(node_def, shapes, values):
    rank = shapes[0][1] if shapes[0] is not None and len(shapes[0]) == 2 else None
    return _set_result_shape(rank)


@shape_fn("SetSize")
def _set_size_shape(node_def, shapes, values):
    return [None]


@kernel("Complex")
def _complex(node_def, inputs):
    # real + i * imag, broadcast, in the node's complex type (complex64 from float32 parts)
    out = numpy_dtype_attr(node_def, "Tout")
    real, imag = np.asarray(inputs[0]), np.asarray(inputs[1])
    return [(real.astype(out) + imag.astype(out) * np.asarray(1j, out)).astype(out)]


# -- fractional pooling -----------------------------------------------------------------------

def _pooling_sequence(rng, length: int, out: int, pseudo_random: bool) -> np.ndarray:
    # Region boundaries 0 = s[0] < ... < s[out] = length, steps of floor(length/out) or one more.
    if length % out == 0:
        return np.arange(out + 1, dtype=np.int64) * (length // out)
    alpha = length / out
    if pseudo_random:
        k = length // out
        # the largest offset keeping every step k or k + 1 long
        u = rng.uniform() * min((k + 2) / alpha - 1, (length + 1 - k) / alpha - (out - 1))
        seq = np.ceil(alpha * (np.arange(out + 1) + u)) - np.ceil(alpha * u)
        seq[-1] = length
        return seq.astype(np.int64)
    small = length // out
    steps = np.full(out, small, np.int64)
    steps[:length - small * out] += 1
    rng.shuffle(steps)
    return np.concatenate([[0], np.cumsum(steps)]).astype(np.int64)


def _fractional_pool(node_def, inputs, reduce):
    x = np.asarray(inputs[0])
    ratio = list(node_def.attr["pooling_ratio"].list.f)
    if len(ratio) != 4 or ratio[0] != 1.0 or ratio[3] != 1.0:
        raise GraphError(f"pooling_ratio must be [1.0, r_h, r_w, 1.0] (no pooling over batch or "
                         f"channels), got {ratio}")
    if x.ndim != 4:
        raise GraphError(f"fractional pooling needs a 4-D input, got shape {list(x.shape)}")
    attr = node_def.attr
    rng = _rng(node_def) if attr["deterministic"].b else np.random.default_rng()
    outs = [int(x.shape[i] / ratio[i]) for i in (1, 2)]
    if min(outs) <= 0:
        raise GraphError(f"pooling_ratio {ratio} leaves no output rows or columns for input shape "
                         f"{list(x.shape)}")
    seqs = [_pooling_sequence(rng, x.shape[i], outs[i - 1], attr["pseudo_random"].b) for i in (1, 2)]
    extra = 1 if attr["overlapping"].b else 0
    result = np.empty((x.shape[0], outs[0], outs[1], x.shape[3]), x.dtype)
    for i in range(outs[0]):
        r0, r1 = seqs[0][i], min(seqs[0][i + 1] + extra, x.shape[1])
        for j in range(outs[1]):
            c0, c1 = seqs[1][j], min(seqs[1][j + 1] + extra, x.shape[2])
            result[:, i, j, :] = reduce(x[:, r0:r1, c0:c1, :], axis=(1, 2))
    return [result, seqs[0], seqs[1]]


@kernel("FractionalMaxPool")
def _fractional_max_pool(node_def, inputs):
    return _fractional_pool(node_def, inputs, np.max)


@kernel("FractionalAvgPool")
def _fractional_avg_pool(node_def, inputs):
    return _fractional_pool(node_def, inputs, np.mean)


@shape_fn("FractionalMaxPool", "FractionalAvgPool")
def _fractional_pool_shape(node_def, shapes, values):
    ratio = list(node_def.attr["pooling_ratio"].list.f)
    shape = shapes[0]
    if shape is None or len(shape) != 4 or len(ratio) != 4:
        return [None, (None,), (None,)]
    dims = [None if d is None else int(d / r) for d, r in zip(shape, ratio)]
    return [tuple(dims), (None if dims[1] is None else dims[1] + 1,),
            (None if dims[2] is None else dims[2] + 1,)]


# -- glimpses ----------------------------------------------------------------------------------

def _glimpse_origin(offset_y: float, offset_x: float, height: int, width: int, size: tuple[int, int],
                    centered: bool, normalized: bool) -> tuple[int, int]:
    # The glimpse's top-left pixel: offsets scaled to pixels, moved from the image centre when
    # centered, then half the glimpse back; truncated toward zero as TensorFlow's kernel does.
    y, x = offset_y, offset_x
    if normalized:
        y, x = y * height, x * width
    if centered:
        y, x = y / 2.0 + height / 2.0, x / 2.0 + width / 2.0
    return int(np.float32(y - size[0] / 2.0)), int(np.float32(x - size[1] / 2.0))


def _noise(rng, image: np.ndarray, shape, kind: str) -> np.ndarray:
    # What fills the glimpse outside the image, per channel: uniform between the channel's min and
    # max, gaussian with its mean and standard deviation, or zeros.
    flat = image.reshape(-1, image.shape[-1])
    if kind == "zero" or flat.size == 0:
        return np.zeros(shape, image.dtype)
    if kind == "gaussian":
        return rng.normal(flat.mean(0), flat.std(0), size=shape).astype(image.dtype)
    return rng.uniform(flat.min(0), flat.max(0), size=shape).astype(image.dtype)


@kernel("ExtractGlimpse")
def _extract_glimpse(node_def, inputs):
    images = np.asarray(inputs[0])
    size = tuple(int(d) for d in np.asarray(inputs[1]).reshape(-1))
    offsets = np.asarray(inputs[2], np.float32)
    if images.ndim != 4:
        raise GraphError(f"input must be a 4-D [batch, height, width, channels] tensor, got shape "
                         f"{list(images.shape)}")
    if len(size) != 2 or min(size) < 0:
        raise GraphError(f"size must be [height, width] with non-negative entries, got {list(size)}")
    if offsets.shape != (images.shape[0], 2):
        raise GraphError(f"offsets must be [{images.shape[0]}, 2], got shape {list(offsets.shape)}")
    attr = node_def.attr
    kind = attr["noise"].s.decode() or ("uniform" if attr["uniform_noise"].b else "gaussian")
    if attr["uniform_noise"].b and kind != "uniform":
        raise GraphError(f"The uniform_noise and noise should not be specified at the same time "
                         f"(noise is {kind!r})")
    if kind not in ("uniform", "gaussian", "zero"):
        raise GraphError(f"noise must be 'uniform', 'gaussian' or 'zero', got {kind!r}")
    rng = np.random.default_rng()
    n, height, width, channels = images.shape
    out = np.empty((n, size[0], size[1], channels), images.dtype)
    for b in range(n):
        top, left = _glimpse_origin(float(offsets[b, 0]), float(offsets[b, 1]), height, width, size,
                                    attr["centered"].b, attr["normalized"].b)
        out[b] = _noise(rng, images[b], out.shape[1:], kind)
        y0, y1 = max(top, 0), min(top + size[0], height)
        x0, x1 = max(left, 0), min(left + size[1], width)
        if y0 < y1 and x0 < x1:
            out[b, y0 - top:y1 - top, x0 - left:x1 - left] = images[b, y0:y1, x0:x1]
    return [out]


@shape_fn("ExtractGlimpse")
def _extract_glimpse_shape(node_def, shapes, values):
    batch = None if shapes[0] is None else shapes[0][0]
    channels = None if shapes[0] is None else shapes[0][-1]
    size = [None, None]
    if values[1] is not None and np.asarray(values[1]).size == 2:
        size = [int(d) for d in np.asarray(values[1]).reshape(-1)]
    return [(batch, size[0], size[1], channels)]


# -- inverse error function and the normal quantile -----------------------------------------

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _erfinv_scalar(x: float) -> float:
    # Newton's method on erf(y) = x from a logarithmic first guess; erfc near the ends, where
    # 1 - |x| keeps the digits erf loses
    if math.isnan(x) or abs(x) > 1.0:
        return math.nan
    if abs(x) == 1.0:
        return math.copysign(math.inf, x)
    w = -math.log((1.0 - x) * (1.0 + x))
    y = math.copysign(math.sqrt(max(w - math.log(w + 1e-300) * 0.5, 0.0)) if w > 1e-12 else 0.0, x)
    y = y if abs(x) > 0.5 else x * math.sqrt(math.pi) / 2.0
    for _ in range(60):
        if abs(x) < 0.5:
            step = (math.erf(y) - x) / (_TWO_OVER_SQRT_PI * math.exp(-y * y))
        else:
            q = 1.0 - abs(x)
            ay = abs(y)
            step = math.copysign(1.0, x) * (q - math.erfc(ay)) / (_TWO_OVER_SQRT_PI * math.exp(-ay * ay))
        y -= step
        if abs(step) <= 1e-15 * max(abs(y), 1e-300):
            break
    return y


def _ndtri_scalar(p: float) -> float:
    # the standard normal quantile: -sqrt(2) erfcinv(2p), solved on erfc for the lower tail
    if math.isnan(p) or p < 0.0 or p > 1.0:
        return math.nan
    if p in (0.0, 1.0):
        return -math.inf if p == 0.0 else math.inf
    if p > 0.5:
        return -_ndtri_scalar(1.0 - p) if 1.0 - p > 0.0 else math.inf
    target = 2.0 * p                      # erfc(-z / sqrt(2)) = 2p, z <= 0: solve erfc(t) = 2p, t >= 0
    t = math.sqrt(-math.log(target)) if target < 0.5 else _erfinv_scalar(1.0 - target)
    for _ in range(60):
        f = math.log(math.erfc(t)) - math.log(target)
        slope = -_TWO_OVER_SQRT_PI * math.exp(-t * t) / math.erfc(t)
        step = f / slope
        t -= step
        if abs(step) <= 1e-15 * max(abs(t), 1e-300):
            break
    return -math.sqrt(2.0) * t + 0.0  # + 0.0: the median is 0, not -0


def _float_map(fn, x) -> np.ndarray:
    x = np.asarray(x)
    out = np.vectorize(fn, otypes=[np.float64])(x.astype(np.float64))
    return out.astype(x.dtype)


@kernel("Erfinv")
def _erfinv(node_def, inputs):
    # TensorFlow computes erfinv(x) as ndtri((x + 1) / 2) / sqrt(2) in the input's own type, so
    # (x + 1) / 2 rounds there first (erfinv(1e-6) in float32 is 8.45e-7, not 8.86e-7); done
    # the same way to give TF's values
    x = np.asarray(inputs[0])
    dtype = x.dtype.type
    p = (x + dtype(1)) / dtype(2)
    return [(_float_map(_ndtri_scalar, p) * dtype(1.0 / math.sqrt(2.0))).astype(x.dtype)]


@kernel("Ndtri")
def _ndtri(node_def, inputs):
    return [_float_map(_ndtri_scalar, inputs[0])]
