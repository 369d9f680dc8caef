"""`tf.random` and the TF 1.x random functions, seeded the way TensorFlow seeds them.

`get_seed(op_seed)` follows TensorFlow's rule: with a graph-level seed (`set_random_seed`), an
op without its own seed takes the graph's op counter as its seed; with only an op seed, the
graph seed defaults to 87654321; with neither, both attrs are 0 (nondeterministic).
"""

from __future__ import annotations

import weakref

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
