"""Numpy kernels and shape functions of TensorFlow's stateless random ops (`tf.random.stateless_*`).

A stateless op's values depend only on its seed: the same seed gives the same numbers on every
run, different seeds different numbers. ortflow keeps that contract but not TF's numbers: the
seed goes through numpy's `SeedSequence` into a key and counter, and the draws come from numpy's
Philox generator started there (TF runs its own Philox variant, whose stream ortflow does not
reproduce). Shapes and dtypes are TF's.
"""

from __future__ import annotations

import numpy as np
from ortflow.errors import GraphError
from ortflow.graph.ops.registry import kernel, shape_fn
from ortflow.graph.ops.schema import get_attr
from ortflow.graph.ops.shapes_common import shape_from_value

__all__: list[str] = []

_MASK64 = (1 << 64) - 1
# Past this many draws a truncated normal keeps re-drawing only the rejected entries; the
# chance an entry is rejected 64 times in a row (about 0.0455 ** 64) is nil.
_MAX_REDRAWS = 64


def _seed_words(seed, what: str = "seed") -> list[int]:
    seed = np.asarray(seed)
    if seed.shape != (2,):
        raise GraphError(f"{what} must have shape [2], got {list(seed.shape)}")
    return [int(s) & _MASK64 for s in seed.reshape(-1)]


def _generator(key, counter) -> np.random.Generator:
    key = np.asarray(key, dtype=np.uint64).reshape(-1)
    counter = np.asarray(counter, dtype=np.uint64).reshape(-1)
    if key.size < 1 or counter.size < 2:
        raise GraphError(f"key must hold 1 value and counter 2, got {key.size} and {counter.size}")
    bits = np.random.Philox(key=np.array([key[0], 0], np.uint64),
                            counter=np.array([counter[0], counter[1], 0, 0], np.uint64))
    return np.random.Generator(bits)


def _draw_shape(value) -> tuple[int, ...]:
    shape = np.asarray(value).reshape(-1).astype(np.int64)
    if (shape < 0).any():
        raise GraphError(f"shape must be non-negative, got {shape.tolist()}")
    return tuple(int(d) for d in shape)


def _out_dtype(node_def, attr: str = "dtype") -> np.dtype:
    return np.dtype(get_attr(node_def, attr).as_numpy_dtype)


@kernel("StatelessRandomGetKeyCounter")
def _get_key_counter(node_def, inputs):
    state = np.random.SeedSequence(_seed_words(inputs[0])).generate_state(3, np.uint64)
    return [state[:1].copy(), state[1:].copy()]


@kernel("StatelessRandomUniformV2")
def _uniform_v2(node_def, inputs):
    shape, key, counter = _draw_shape(inputs[0]), inputs[1], inputs[2]
    dtype = _out_dtype(node_def)
    draws = _generator(key, counter).random(shape).astype(dtype)
    # Rounding to a narrower float may reach 1.0; the range is [0, 1).
    return [np.minimum(draws, np.nextafter(dtype.type(1), dtype.type(0)))]


@kernel("StatelessRandomNormalV2")
def _normal_v2(node_def, inputs):
    shape, key, counter = _draw_shape(inputs[0]), inputs[1], inputs[2]
    return [_generator(key, counter).standard_normal(shape).astype(_out_dtype(node_def))]


@kernel("StatelessTruncatedNormalV2")
def _truncated_normal_v2(node_def, inputs):
    shape, key, counter = _draw_shape(inputs[0]), inputs[1], inputs[2]
    gen = _generator(key, counter)
    draws = gen.standard_normal(shape)
    for _ in range(_MAX_REDRAWS):
        outside = np.abs(draws) > 2.0
        if not outside.any():
            break
        draws[outside] = gen.standard_normal(int(outside.sum()))
    return [np.clip(draws, -2.0, 2.0).astype(_out_dtype(node_def))]


@kernel("StatelessRandomUniformIntV2")
def _uniform_int_v2(node_def, inputs):
    shape, key, counter = _draw_shape(inputs[0]), inputs[1], inputs[2]
    minval, maxval = np.asarray(inputs[4]), np.asarray(inputs[5])
    if minval.ndim or maxval.ndim:
        raise GraphError(f"minval and maxval must be scalars, got shapes {list(minval.shape)} and "
                         f"{list(maxval.shape)}")
    if int(minval) >= int(maxval) and np.prod(shape, dtype=np.int64) > 0:
        raise GraphError(f"Need minval < maxval: {int(minval)} >= {int(maxval)}")
    dtype = _out_dtype(node_def)
    if np.prod(shape, dtype=np.int64) == 0:
        return [np.zeros(shape, dtype)]
    return [_generator(key, counter).integers(int(minval), int(maxval), size=shape, dtype=dtype)]


@kernel("StatelessRandomUniformFullIntV2")
def _uniform_full_int_v2(node_def, inputs):
    shape, key, counter = _draw_shape(inputs[0]), inputs[1], inputs[2]
    dtype = _out_dtype(node_def)
    info = np.iinfo(dtype)
    return [_generator(key, counter).integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)]


@kernel("StatelessMultinomial")
def _multinomial(node_def, inputs):
    logits, num_samples = np.asarray(inputs[0]), int(np.asarray(inputs[1]).reshape(-1)[0])
    if logits.ndim != 2:
        raise GraphError(f"logits should be a matrix, got shape {list(logits.shape)}")
    if num_samples < 0:
        raise GraphError(f"num_samples should be non-negative, got {num_samples}")
    batch, classes = logits.shape
    out = np.zeros((batch, num_samples), dtype=_out_dtype(node_def, "output_dtype"))
    if not batch or not num_samples:
        return [out]
    if classes == 0:
        raise GraphError("logits should have at least one class, got 0")
    gen = np.random.Generator(np.random.Philox(key=np.array(_seed_words(inputs[2]), np.uint64)))
    wide = logits.astype(np.float64)
    for row in range(batch):
        finite = wide[row] - np.max(wide[row])
        p = np.exp(finite)
        out[row] = gen.choice(classes, size=num_samples, p=p / p.sum())
    return [out]


def _seeded(seed) -> np.random.Generator:
    # The V1 stateless ops take the seed itself (no key/counter op).
    return np.random.Generator(np.random.Philox(key=np.array(_seed_words(seed), np.uint64)))


def _params(shape: tuple[int, ...], *params) -> list[np.ndarray]:
    try:
        return [np.broadcast_to(np.asarray(p), shape) for p in params]
    except ValueError as e:
        raise GraphError(f"parameters of shapes {[list(np.shape(p)) for p in params]} do not broadcast to "
                         f"the output shape {list(shape)}") from e


@kernel("StatelessRandomPoisson")
def _poisson(node_def, inputs):
    shape = _draw_shape(inputs[0])
    (lam,) = _params(shape, inputs[2])
    if (lam < 0).any():
        raise GraphError("lam must be non-negative")
    return [_seeded(inputs[1]).poisson(lam.astype(np.float64)).astype(_out_dtype(node_def))]


@kernel("StatelessRandomBinomial")
def _binomial(node_def, inputs):
    shape = _draw_shape(inputs[0])
    counts, probs = _params(shape, inputs[2], inputs[3])
    if (counts < 0).any() or ((probs < 0) | (probs > 1)).any():
        raise GraphError("counts must be non-negative and probs within [0, 1]")
    draws = _seeded(inputs[1]).binomial(counts.astype(np.int64), probs.astype(np.float64))
    return [draws.astype(_out_dtype(node_def))]


@kernel("StatelessRandomGammaV3")
def _gamma_v3(node_def, inputs):
    shape = _draw_shape(inputs[0])
    alpha_shape = np.shape(inputs[4])
    if alpha_shape and tuple(shape[len(shape) - len(alpha_shape):]) != alpha_shape:
        raise GraphError(f"Shape passed in must end with broadcasted shape: {list(shape)} does not end with "
                         f"{list(alpha_shape)}")
    (alpha,) = _params(shape, inputs[4])
    if (alpha <= 0).any():
        raise GraphError("alpha must be positive")
    dtype = _out_dtype(node_def)
    return [_generator(inputs[1], inputs[2]).standard_gamma(alpha.astype(np.float64)).astype(dtype)]


@kernel("StatelessParameterizedTruncatedNormal")
def _parameterized_truncated_normal(node_def, inputs):
    shape = _draw_shape(inputs[0])
    means, stddevs, minvals, maxvals = (p.astype(np.float64) for p in _params(shape, *inputs[2:6]))
    gen = _seeded(inputs[1])
    draws = means + stddevs * gen.standard_normal(shape)
    for _ in range(_MAX_REDRAWS):
        outside = (draws < minvals) | (draws > maxvals)
        if not outside.any():
            break
        draws[outside] = means[outside] + stddevs[outside] * gen.standard_normal(int(outside.sum()))
    # An interval far in a tail rejects nearly every normal draw; what is left after the redraws
    # is drawn uniformly within its interval (TF samples such tails exactly).
    outside = (draws < minvals) | (draws > maxvals)
    if outside.any():
        draws[outside] = gen.uniform(minvals[outside], maxvals[outside])
    return [draws.astype(_out_dtype(node_def))]


@shape_fn("StatelessRandomGetKeyCounter")
def _get_key_counter_shape(node_def, shapes, values):
    return [(1,), (2,)]


@shape_fn("StatelessTruncatedNormalV2", "StatelessRandomUniformIntV2", "StatelessRandomUniformFullIntV2",
          "StatelessRandomPoisson", "StatelessRandomBinomial", "StatelessRandomGammaV3",
          "StatelessParameterizedTruncatedNormal")
def _stateless_draw_shape(node_def, shapes, values):
    return [shape_from_value(values[0], shapes[0])]


@shape_fn("StatelessMultinomial")
def _multinomial_shape(node_def, shapes, values):
    batch = None if shapes[0] is None else shapes[0][0]
    samples = values[1]
    n = int(np.asarray(samples).reshape(-1)[0]) if samples is not None else None
    return [(batch, n)]
