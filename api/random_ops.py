"""`tf.random` and the TF 1.x random functions, seeded the way TensorFlow seeds them.

`get_seed(op_seed)` follows TensorFlow's rule: with a graph-level seed (`set_random_seed`), an
op without its own seed takes the graph's op counter as its seed; with only an op seed, the
graph seed defaults to 87654321; with neither, both attrs are 0 (nondeterministic).
"""

from __future__ import annotations

import weakref

import numpy as np
from ortflow.api.ops_builder import apply_op_output, convert_to_tensor
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import get_default_graph

__all__ = [
    "categorical",
    "get_seed",
    "multinomial",
    "normal",
    "random_normal",
    "random_shuffle",
    "random_uniform",
    "set_random_seed",
    "set_seed",
    "truncated_normal",
    "uniform",
]

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2 ** 31 - 1


def set_random_seed(seed) -> None:
    """Sets the default graph's seed (`tf.set_random_seed`)."""
    get_default_graph().seed = None if seed is None else int(seed)


set_seed = set_random_seed


_SEED_COUNTERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def get_seed(op_seed):
    """The (seed, seed2) attrs TensorFlow gives a random op created now.

    With a graph seed and no op seed, TF 2.x numbers the ops that asked (0, 1, 2, ...) per
    graph; setting the graph seed again does not restart that count.
    """
    graph = get_default_graph()
    global_seed = graph.seed
    if global_seed is not None:
        if op_seed is None:
            op_seed = _SEED_COUNTERS.get(graph, 0)
            _SEED_COUNTERS[graph] = op_seed + 1
        seeds = (int(global_seed) % 2 ** 31, int(op_seed) % 2 ** 31)
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, int(op_seed) % 2 ** 31)
    else:
        seeds = (None, None)
    if seeds == (0, 0):
        return 0, _MAXINT32
    return seeds


def _seed_attrs(seed) -> dict:
    seed1, seed2 = get_seed(seed)
    return {"seed": seed1 or 0, "seed2": seed2 or 0}


def _shape_tensor(shape):
    return convert_to_tensor(shape, dtype=None if hasattr(shape, "dtype") else _dtypes.int32, name="shape")


def _scaled_draw(op_type: str, default_name: str, shape, mean, stddev, dtype, seed, name):
    """`op_type(shape) * stddev + mean`, with TensorFlow's node names."""
    dtype = _dtypes.as_dtype(dtype)
    g = get_default_graph()
    with g.name_scope(name or default_name) as scope:
        shape_t = _shape_tensor(shape)
        mean_t = convert_to_tensor(mean, dtype=dtype, name="mean")
        stddev_t = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        rnd = apply_op_output(op_type, [shape_t], {"dtype": dtype, **_seed_attrs(seed)}, name=op_type)
        mul = apply_op_output("Mul", [rnd, stddev_t], name="mul")
        return apply_op_output("AddV2", [mul, mean_t], name=scope)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=_dtypes.float32, seed=None, name=None):
    """Normal samples: RandomStandardNormal * stddev + mean."""
    return _scaled_draw("RandomStandardNormal", "random_normal", shape, mean, stddev, dtype, seed, name)


normal = random_normal


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=_dtypes.float32, seed=None, name=None):
    """Normal samples re-drawn beyond two standard deviations: TruncatedNormal * stddev + mean."""
    return _scaled_draw("TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype, seed, name)


def random_uniform(shape, minval=0, maxval=None, dtype=_dtypes.float32, seed=None, name=None):
    """Uniform samples in [minval, maxval) (integers need maxval).

    As TF does, Python `int` bounds 0 and 1 add no ops: the RandomUniform output is the result.
    """
    dtype = _dtypes.as_dtype(dtype)
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype.name}")
        maxval = 1
    g = get_default_graph()
    with g.name_scope(name or "random_uniform") as scope:
        shape_t = _shape_tensor(shape)
        min_is_zero = type(minval) is int and minval == 0
        max_is_one = type(maxval) is int and maxval == 1
        if not min_is_zero or not max_is_one or dtype.is_integer:
            minval = convert_to_tensor(minval, dtype=dtype, name="min")
            maxval = convert_to_tensor(maxval, dtype=dtype, name="max")
        if dtype.is_integer:
            return apply_op_output("RandomUniformInt", [shape_t, minval, maxval], _seed_attrs(seed), name=scope)
        rnd = apply_op_output("RandomUniform", [shape_t], {"dtype": dtype, **_seed_attrs(seed)},
                              name="RandomUniform")
        if min_is_zero:
            return rnd if max_is_one else apply_op_output("Mul", [rnd, maxval], name="Mul")
        span = apply_op_output("Sub", [maxval, minval], name="sub")
        mul = apply_op_output("Mul", [rnd, span], name="mul")
        return apply_op_output("AddV2", [mul, minval], name=scope)


uniform = random_uniform


def random_shuffle(value, seed=None, name=None):
    """Shuffles along the first axis (`RandomShuffle`)."""
    return apply_op_output("RandomShuffle", [value], _seed_attrs(seed), name=name or "RandomShuffle")


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None):
    """Samples class indices from `logits` (`Multinomial`)."""
    attrs = {"output_dtype": _dtypes.as_dtype(output_dtype or _dtypes.int64), **_seed_attrs(seed)}
    g = get_default_graph()
    with g.name_scope(name or "multinomial") as scope:
        logits = convert_to_tensor(logits, name="logits")
        return apply_op_output("Multinomial", [logits, num_samples], attrs, name=scope)


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    return multinomial(logits, num_samples, seed=seed, name=name or "categorical", output_dtype=dtype)





from ortflow.api.more_ops import random_gamma, random_poisson  # noqa: E402

gamma = random_gamma
poisson = random_poisson
shuffle = random_shuffle
__all__ += ["gamma", "poisson", "random_gamma", "random_poisson", "shuffle"]


# --------------------------------------------------------------------------- stateless draws
# TF's `alg` names for the V2 stateless ops (RNG_ALG_PHILOX, RNG_ALG_THREEFRY, auto-select).
_ALGS = {"philox": 1, "threefry": 2, "auto_select": 3}


def _alg_value(alg) -> int:
    if isinstance(alg, str):
        if alg.lower() not in _ALGS:
            raise ValueError(f"Unsupported random algorithm {alg!r}; expected one of {sorted(_ALGS)}.")
        return _ALGS[alg.lower()]
    return int(getattr(alg, "value", alg))


def _key_counter(seed):
    from ortflow.api.ops_builder import apply_op

    op = apply_op("StatelessRandomGetKeyCounter", [seed], name="StatelessRandomGetKeyCounter")
    return op.outputs[0], op.outputs[1]


def _stateless_scaled(op_type: str, default_name: str, shape, seed, mean, stddev, dtype, name, alg):
    dtype = _dtypes.as_dtype(dtype)
    g = get_default_graph()
    with g.name_scope(name or default_name) as scope:
        shape_t = _shape_tensor(shape)
        mean_t = convert_to_tensor(mean, dtype=dtype, name="mean")
        stddev_t = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        key, counter = _key_counter(seed)
        rnd = apply_op_output(op_type, [shape_t, key, counter, _alg_value(alg)], {"dtype": dtype}, name=op_type)
        mul = apply_op_output("Mul", [rnd, stddev_t], name="mul")
        return apply_op_output("AddV2", [mul, mean_t], name=scope)


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=_dtypes.float32, name=None, alg="auto_select"):
    """Normal samples fixed by `seed` (a shape [2] integer tensor): StatelessRandomNormalV2 * stddev + mean.

    The same seed gives the same values on every run; the values are not TensorFlow's (see
    `ortflow.graph.ops.kernels_stateless`).
    """
    return _stateless_scaled("StatelessRandomNormalV2", "stateless_random_normal", shape, seed, mean, stddev,
                             dtype, name, alg)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=_dtypes.float32, name=None,
                               alg="auto_select"):
    """Normal samples within two standard deviations, fixed by `seed` (StatelessTruncatedNormalV2)."""
    return _stateless_scaled("StatelessTruncatedNormalV2", "stateless_truncated_normal", shape, seed, mean,
                             stddev, dtype, name, alg)


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=_dtypes.float32, name=None, alg="auto_select"):
    """Uniform samples in [minval, maxval) fixed by `seed`; integers with neither bound cover their range.

    Raises:
        ValueError: an integer dtype with only one of `minval` and `maxval`.
    """
    dtype = _dtypes.as_dtype(dtype)
    if dtype.is_integer and (minval is None) != (maxval is None):
        raise ValueError(f"For integer `dtype` argument {dtype!r}, argument `minval` and `maxval` must be both "
                         f"None or not None. Got `minval`={minval} and `maxval`={maxval}.")
    if maxval is None and not dtype.is_integer:
        maxval = 1
    g = get_default_graph()
    with g.name_scope(name or "stateless_random_uniform") as scope:
        shape_t = _shape_tensor(shape)
        if minval is None:  # integers over their whole range
            key, counter = _key_counter(seed)
            return apply_op_output("StatelessRandomUniformFullIntV2", [shape_t, key, counter, _alg_value(alg)],
                                   {"dtype": dtype}, name=scope)
        minval = convert_to_tensor(minval, dtype=dtype, name="min")
        maxval = convert_to_tensor(maxval, dtype=dtype, name="max")
        key, counter = _key_counter(seed)
        if dtype.is_integer:
            return apply_op_output("StatelessRandomUniformIntV2",
                                   [shape_t, key, counter, _alg_value(alg), minval, maxval], name=scope)
        rnd = apply_op_output("StatelessRandomUniformV2", [shape_t, key, counter, _alg_value(alg)],
                              {"dtype": dtype}, name="StatelessRandomUniformV2")
        span = apply_op_output("Sub", [maxval, minval], name="sub")
        mul = apply_op_output("Mul", [rnd, span], name="mul")
        return apply_op_output("AddV2", [mul, minval], name=scope)


def _stateless_multinomial(logits, num_samples, seed, dtype, name, default_name):
    g = get_default_graph()
    with g.name_scope(name or default_name):
        logits = convert_to_tensor(logits, name="logits")
        attrs = {"output_dtype": _dtypes.as_dtype(dtype or _dtypes.int64)}
        return apply_op_output("StatelessMultinomial", [logits, num_samples, seed], attrs,
                               name="StatelessMultinomial")


def stateless_categorical(logits, num_samples, seed, dtype=_dtypes.int64, name=None):
    """`num_samples` class indices per row of `logits`, fixed by `seed` (StatelessMultinomial)."""
    return _stateless_multinomial(logits, num_samples, seed, dtype, name, "stateless_categorical")


def stateless_multinomial(logits, num_samples, seed, output_dtype=_dtypes.int64, name=None):
    """TF 1.x's name of `stateless_categorical` (StatelessMultinomial)."""
    return _stateless_multinomial(logits, num_samples, seed, output_dtype, name, "stateless_multinomial")


def stateless_poisson(shape, seed, lam, dtype=_dtypes.int32, name=None):
    """Poisson samples of rate `lam` fixed by `seed` (`StatelessRandomPoisson`)."""
    g = get_default_graph()
    with g.name_scope(name or "stateless_random_poisson"):
        shape_t = _shape_tensor(shape)
        return apply_op_output("StatelessRandomPoisson", [shape_t, seed, lam], {"dtype": _dtypes.as_dtype(dtype)},
                               name="StatelessRandomPoisson")


def stateless_binomial(shape, seed, counts, probs, output_dtype=_dtypes.int32, name=None):
    """Binomial samples of `counts` trials at `probs` fixed by `seed` (`StatelessRandomBinomial`)."""
    g = get_default_graph()
    with g.name_scope(name or "stateless_random_binomial"):
        shape_t = _shape_tensor(shape)
        probs = convert_to_tensor(probs, dtype_hint=_dtypes.float32, name="probs")
        counts = convert_to_tensor(counts, dtype_hint=probs.dtype, name="counts")
        return apply_op_output("StatelessRandomBinomial", [shape_t, seed, counts, probs],
                               {"dtype": _dtypes.as_dtype(output_dtype)}, name="StatelessRandomBinomial")


def stateless_gamma(shape, seed, alpha, beta=None, dtype=_dtypes.float32, name=None):
    """Gamma samples of shape `alpha` and rate `beta` (1) fixed by `seed` (`StatelessRandomGammaV3` / beta)."""
    from ortflow.api import array_ops, math_ops

    dtype = _dtypes.as_dtype(dtype)
    g = get_default_graph()
    with g.name_scope(name or "stateless_random_gamma"):
        shape_t = _shape_tensor(shape)
        alpha = convert_to_tensor(alpha, dtype=dtype, name="alpha")
        beta = convert_to_tensor(1 if beta is None else beta, dtype=dtype, name="beta")
        both = array_ops.broadcast_dynamic_shape(array_ops.shape(alpha), array_ops.shape(beta))
        alpha_wide = array_ops.broadcast_to(alpha, both)
        key, counter = _key_counter(seed)
        op_type = "StatelessRandomGammaV3"
        rnd = apply_op_output(op_type, [shape_t, key, counter, _alg_value("auto_select"), alpha_wide],
                              name=op_type)
        tiny = float(np.finfo(dtype.as_numpy_dtype).tiny)
        return math_ops.maximum(tiny, rnd / beta)


def stateless_parameterized_truncated_normal(shape, seed, means=0.0, stddevs=1.0, minvals=-2.0, maxvals=2.0,
                                             name=None):
    """Normal samples of `means` and `stddevs` within [minvals, maxvals], fixed by `seed`."""
    g = get_default_graph()
    with g.name_scope(name or "stateless_parameterized_truncated_normal"):
        args = [_shape_tensor(shape), seed]
        for arg_name, value in (("means", means), ("stddevs", stddevs), ("minvals", minvals), ("maxvals", maxvals)):
            args.append(convert_to_tensor(value, name=arg_name))
        op_type = "StatelessParameterizedTruncatedNormal"
        return apply_op_output(op_type, args, name=op_type)


__all__ += ["stateless_binomial", "stateless_gamma", "stateless_parameterized_truncated_normal",
            "stateless_poisson"]
__all__ += ["stateless_categorical", "stateless_multinomial", "stateless_normal", "stateless_truncated_normal",
            "stateless_uniform"]
