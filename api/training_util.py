"""Global step and learning-rate schedules (`tf.train.get_or_create_global_step`, `exponential_decay`, ...).

They build the same nodes, with the same names, as TensorFlow 2.x's `tf.compat.v1.train`
functions, so that graphs using them import and run in TensorFlow.
"""

from __future__ import annotations

import contextlib
import math

from ortflow.api import array_ops, math_ops
from ortflow.api.initializers import zeros_initializer
from ortflow.api.ops_builder import convert_to_tensor
from ortflow.api.variable_scope import get_variable, variable_scope
from ortflow.formats import dtypes
from ortflow.graph import GraphKeys, get_default_graph

__all__ = [
    "create_global_step", "get_global_step", "get_or_create_global_step", "global_step",
    "exponential_decay", "inverse_time_decay", "natural_exp_decay", "piecewise_constant",
    "polynomial_decay", "cosine_decay",
]


def get_global_step(graph=None):
    """The graph's global step variable (collection `global_step`, or a tensor named
    `global_step:0`), or None when it has none.

    Raises:
        TypeError: when what is there is not an integer scalar.
    """
    graph = graph or get_default_graph()
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) > 1:
        raise TypeError(f"There must be exactly one global step; found {len(found)}")
    if found:
        step = found[0]
    else:
        try:
            step = graph.get_tensor_by_name("global_step:0")
        except (KeyError, ValueError):
            return None
    if not step.dtype.base_dtype.is_integer:
        raise TypeError(f"Existing 'global_step' does not have integer type: {step.dtype}")
    return step


def create_global_step(graph=None):
    """Creates the int64 scalar `global_step` variable (trainable=False), as TensorFlow does.

    Raises:
        ValueError: when the graph already has one.
    """
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError("'global_step' already exists.")
    with graph.as_default(), graph.name_scope(None), variable_scope("", reuse=False):
        return get_variable(GraphKeys.GLOBAL_STEP, shape=[], dtype=dtypes.int64,
                            initializer=zeros_initializer(), trainable=False,
                            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph=None):
    """The global step variable, created first when the graph has none."""
    graph = graph or get_default_graph()
    return get_global_step(graph) or create_global_step(graph)


def global_step(sess, global_step_tensor) -> int:
    """The current value of the global step, as a Python int."""
    return int(sess.run(global_step_tensor))


@contextlib.contextmanager
def _schedule(name, default: str, learning_rate, step, *values):
    """Inside the schedule's name scope: (scope, lr tensor, step as lr's dtype, values as lr's dtype)."""
    if step is None:
        raise ValueError(f"global_step is required for {default}.")
    with get_default_graph().name_scope(name or default) as scope:
        lr = convert_to_tensor(learning_rate, name="initial_learning_rate")
        cast = [math_ops.cast(v, lr.dtype) for v in values]
        yield scope, lr, math_ops.cast(step, lr.dtype), cast


def _decay_steps(step, steps, staircase: bool):
    """global_step / decay_steps, floored when `staircase`."""
    p = math_ops.truediv(step, steps)
    return math_ops.floor(p) if staircase else p


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """learning_rate * decay_rate ^ (global_step / decay_steps), floored when `staircase`."""
    with _schedule(name, "ExponentialDecay", learning_rate, global_step, decay_steps,
                   decay_rate) as (scope, lr, step, (steps, rate)):
        return math_ops.multiply(lr, math_ops.pow(rate, _decay_steps(step, steps, staircase)), name=scope)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """learning_rate * exp(-decay_rate * global_step / decay_steps)."""
    with _schedule(name, "NaturalExpDecay", learning_rate, global_step, decay_steps,
                   decay_rate) as (scope, lr, step, (steps, rate)):
        p = _decay_steps(step, steps, staircase)
        return math_ops.multiply(lr, math_ops.exp(math_ops.multiply(math_ops.negative(rate), p)), name=scope)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """learning_rate / (1 + decay_rate * global_step / decay_steps)."""
    with _schedule(name, "InverseTimeDecay", learning_rate, global_step, decay_steps,
                   decay_rate) as (scope, lr, step, (steps, rate)):
        p = _decay_steps(step, steps, staircase)
        denom = math_ops.add(math_ops.cast(1, lr.dtype), math_ops.multiply(rate, p))
        return math_ops.truediv(lr, denom, name=scope)


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001, power=1.0,
                     cycle=False, name=None):
    """(lr - end) * (1 - min(step, decay_steps) / decay_steps) ^ power + end."""
    with _schedule(name, "PolynomialDecay", learning_rate, global_step, decay_steps, end_learning_rate,
                   power) as (scope, lr, step, (steps, end, pw)):
        one = math_ops.cast(1, lr.dtype)
        if cycle:
            steps = math_ops.multiply(steps, math_ops.maximum(math_ops.ceil(math_ops.truediv(step, steps)), one))
        else:
            step = math_ops.minimum(step, steps)
        frac = math_ops.subtract(one, math_ops.truediv(step, steps))
        return math_ops.add(math_ops.multiply(math_ops.subtract(lr, end), math_ops.pow(frac, pw)), end,
                            name=scope)


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None):
    """learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps)) + alpha)."""
    with _schedule(name, "CosineDecay", learning_rate, global_step, decay_steps,
                   alpha) as (scope, lr, step, (steps, a)):
        one = math_ops.cast(1.0, lr.dtype)
        done = math_ops.truediv(math_ops.minimum(step, steps), steps)
        angle = math_ops.multiply(math_ops.cast(math.pi, lr.dtype), done)
        cos = math_ops.multiply(math_ops.cast(0.5, lr.dtype), math_ops.add(one, math_ops.cos(angle)))
        decayed = math_ops.add(math_ops.multiply(math_ops.subtract(one, a), cos), a)
        return math_ops.multiply(lr, decayed, name=scope)


def piecewise_constant(x, boundaries, values, name=None):
    """values[i] where boundaries[i-1] < x <= boundaries[i] (values[0] below, values[-1] above).

    Built from Select ops rather than TensorFlow's `case` (a chain of conds): the same values,
    a different node structure.
    """
    if len(values) != len(boundaries) + 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with get_default_graph().name_scope(name or "PiecewiseConstant") as scope:
        x = convert_to_tensor(x)
        vals = [convert_to_tensor(v) for v in values]
        result = vals[-1]
        for b, v in zip(reversed(boundaries), reversed(vals[:-1])):
            result = array_ops.where(math_ops.less_equal(x, math_ops.cast(b, x.dtype)), v, result)
        return array_ops.identity(result, name=scope)
