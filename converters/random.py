"""Handlers for TensorFlow's random ops: normal, uniform, uniform int, truncated normal, shuffle.

Seeds. TensorFlow draws the same sequence in every session when either of the op's `seed` /
`seed2` attrs is set (the graph-level seed sets `seed`, the op seed `seed2`), and a fresh one
when both are 0. ONNX random ops take one float `seed`; when either TF seed is set, it is
derived deterministically from the pair (`onnx_seed`), so a seeded graph gives the same
sequence on every run of a new session. The numbers themselves differ from TensorFlow's
(Philox), as any two random generators' do: only the distribution and determinism carry over.
"""

from __future__ import annotations

import numpy as np
from ortflow.converters.emit import squeeze
from ortflow.converters.registry import handler, require
from ortflow.formats import dtypes

__all__ = ["TRUNCATION_ROUNDS", "onnx_seed"]

#: Redraws of out-of-range samples for TruncatedNormal; P(still outside) = 0.0455**(n+1).
TRUNCATION_ROUNDS = 4
_SEED_MODULUS = 16777213  # a prime below 2**24: every seed is exact as a float32 attribute


def onnx_seed(seed: int, seed2: int) -> float | None:
    """The ONNX `seed` attr for a TF (seed, seed2) pair; None when both are 0 (unseeded)."""
    if not seed and not seed2:
        return None
    # onnxruntime's generator is linear in its seed, so nearby seeds (op seeds 0, 1, 2, ...
    # under one graph seed) would give nearly equal first draws: mix the pair first
    return float(_mix64((int(seed) & _MASK64) * 0x9E3779B97F4A7C15 ^ (int(seed2) & _MASK64))
                 % _SEED_MODULUS + 1)


_MASK64 = (1 << 64) - 1


def _mix64(x: int) -> int:
    """A 64-bit finalizer (xor-shift-multiply rounds): nearby inputs give unrelated outputs."""
    x &= _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _seed_attrs(node, salt: int = 0) -> dict:
    seed = onnx_seed(node.attr("seed", 0), node.attr("seed2", 0))
    return {} if seed is None else {"seed": float((int(seed) + salt) % _SEED_MODULUS)}


def _shape_source(ctx, node, dtype_code: int) -> tuple[str | None, list[int] | None]:
    """Either a static shape list (constant shape input) or a tensor to use with *Like ops."""
    value = node.input_value(0)
    if value is not None:
        return None, [int(d) for d in np.asarray(value).reshape(-1)]
    shape = ctx.cast(node.input(0), dtypes.int64)
    zeros = ctx.make_node("ConstantOfShape", [shape],
                          {"value": np.zeros(1, dtype=np.float32)})[0]
    return zeros, None


def _random(ctx, node, kind: str, dtype, outputs=None, salt: int = 0, **params) -> str:
    """Emits RandomNormal/RandomUniform (static shape) or their *Like form (dynamic shape)."""
    code = ctx.onnx_type(dtype)
    like, shape = _shape_source(ctx, node, code)
    attrs = {"dtype": code, **params, **_seed_attrs(node, salt)}
    if like is None and not shape:
        # an empty `shape` attr is not a valid ONNX shape: draw one value and drop the axis
        one = ctx.make_node(kind, [], {**attrs, "shape": [1]})[0]
        return squeeze(ctx, one, [0], output=outputs[0] if outputs else None)
    if like is None:
        return ctx.make_node(kind, [], {**attrs, "shape": shape}, outputs=outputs or 1)[0]
    return ctx.make_node(f"{kind}Like", [like], attrs, outputs=outputs or 1)[0]


@handler("RandomStandardNormal")
def convert_random_standard_normal(ctx, node):
    # TF:   output = RandomStandardNormal(shape: int32|int64, dtype, seed, seed2)
    # ONNX: output = RandomNormal(shape attr) | RandomNormalLike(input)  (mean 0, scale 1)
    _random(ctx, node, "RandomNormal", node.attr("dtype"), outputs=[node.output(0)],
            mean=0.0, scale=1.0)


@handler("RandomUniform")
def convert_random_uniform(ctx, node):
    # TF:   output = RandomUniform(shape, dtype, seed, seed2)   values in [0, 1)
    # ONNX: output = RandomUniform(shape attr) | RandomUniformLike(input)  (low 0, high 1)
    _random(ctx, node, "RandomUniform", node.attr("dtype"), outputs=[node.output(0)],
            low=0.0, high=1.0)


@handler("RandomUniformInt")
def convert_random_uniform_int(ctx, node):
    # TF:   output = RandomUniformInt(shape, minval: Tout, maxval: Tout, seed, seed2)  in [min, max)
    # ONNX: Floor(RandomUniform(float64) * (max - min)) + min, clipped to max - 1, Cast to Tout
    out_type = node.attr("Tout")
    u = _random(ctx, node, "RandomUniform", dtypes.float64, low=0.0, high=1.0)
    lo = ctx.cast(node.input(1), dtypes.float64)
    hi = ctx.cast(node.input(2), dtypes.float64)
    span = ctx.make_node("Sub", [hi, lo])[0]
    scaled = ctx.make_node("Floor", [ctx.make_node("Mul", [u, span])[0]])[0]
    value = ctx.make_node("Add", [scaled, lo])[0]
    top = ctx.make_node("Sub", [hi, ctx.make_const(np.float64(1.0))])[0]
    value = ctx.make_node("Min", [value, top])[0]
    ctx.make_node("Cast", [value], {"to": ctx.onnx_type(out_type)}, outputs=[node.output(0)])


@handler("TruncatedNormal")
def convert_truncated_normal(ctx, node):
    # TF:   output = TruncatedNormal(shape, dtype, seed, seed2)  normal, redrawn outside 2 stddev
    # ONNX: RandomNormal, then TRUNCATION_ROUNDS x Where(|x| > 2, fresh draw, x), then Clip(-2, 2)
    dtype = node.attr("dtype")
    np_type = dtypes.as_dtype(dtype).as_numpy_dtype
    value = _random(ctx, node, "RandomNormal", dtype, mean=0.0, scale=1.0)
    two = ctx.make_const(np.asarray(2.0, dtype=np_type))
    for round_ in range(1, TRUNCATION_ROUNDS + 1):
        redraw = ctx.make_node("RandomNormalLike", [value],
                               {"mean": 0.0, "scale": 1.0, **_seed_attrs(node, salt=round_)})[0]
        outside = ctx.make_node("Greater", [ctx.make_node("Abs", [value])[0], two])[0]
        value = ctx.make_node("Where", [outside, redraw, value])[0]
    neg_two = ctx.make_const(np.asarray(-2.0, dtype=np_type))
    ctx.make_node("Clip", [value, neg_two, two], outputs=[node.output(0)])


@handler("RandomShuffle")
def convert_random_shuffle(ctx, node):
    # TF:   output = RandomShuffle(value, seed, seed2)  a random permutation of dim 0
    # ONNX: indices = TopK(RandomUniformLike([n]), k=n).indices, then Gather(value, indices, 0)
    shape = ctx.make_node("Shape", [node.input(0)])[0]
    n = ctx.make_node("Slice", [shape, ctx.make_const(np.array([0], np.int64)),
                                ctx.make_const(np.array([1], np.int64))])[0]
    zeros = ctx.make_node("ConstantOfShape", [n], {"value": np.zeros(1, dtype=np.float32)})[0]
    keys = ctx.make_node("RandomUniformLike", [zeros], {"low": 0.0, "high": 1.0, **_seed_attrs(node)})[0]
    order = ctx.make_node("TopK", [keys, n], {"axis": 0}, outputs=2)[1]
    ctx.make_node("Gather", [node.input(0), order], {"axis": 0}, outputs=[node.output(0)])


@handler("Multinomial")
def convert_multinomial(ctx, node):
    # TF:   output = Multinomial(logits [batch, classes], num_samples: int32, seed, seed2, output_dtype)
    # ONNX: output = Multinomial(input [batch, classes], sample_size attr, dtype)  (logits unnormalized)
    samples = node.input_value(1)
    require(samples is not None, node, "Multinomial needs a constant num_samples")
    out_type = node.attr("output_dtype", dtypes.int64)
    logits = node.input(0)
    if node.attr("T") not in (dtypes.float32, dtypes.float32.as_datatype_enum):
        logits = ctx.cast(logits, dtypes.float32)
    ctx.make_node("Multinomial", [logits], {"sample_size": int(np.asarray(samples).reshape(-1)[0]),
                                            "dtype": ctx.onnx_type(out_type), **_seed_attrs(node)},
                  outputs=[node.output(0)])
