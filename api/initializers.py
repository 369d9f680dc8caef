"""TF 1.x initializers (`tf.zeros_initializer()`, `tf.glorot_uniform_initializer()`, ...).

Each is a callable `(shape, dtype=None, partition_info=None) -> Tensor` that builds the ops
TensorFlow builds for it, so a variable's `Initializer/...` nodes match TF's.
"""

from __future__ import annotations

import math

import numpy as np
from ortflow.api import array_ops, math_ops, random_ops
from ortflow.api import ops_builder as _ob
from ortflow.api.ops_builder import apply_op
from ortflow.formats import dtypes as _dtypes

__all__ = [
    "EXACT_SHAPE_INITIALIZERS",
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "Initializer",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "compute_fans",
    "constant_initializer",
    "get",
    "glorot_normal_initializer",
    "glorot_uniform_initializer",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "ones_initializer",
    "orthogonal_initializer",
    "random_normal_initializer",
    "random_uniform_initializer",
    "truncated_normal_initializer",
    "variance_scaling_initializer",
    "zeros_initializer",
]


def compute_fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shape, as TF computes them for variance scaling."""
    shape = [int(d) for d in shape]
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: `__call__(shape, dtype=None, partition_info=None)` builds the initial value."""

    dtype = _dtypes.float32

    def _dtype(self, dtype):
        return _dtypes.as_dtype(dtype if dtype is not None else self.dtype)

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class Zeros(Initializer):
    def __init__(self, dtype=_dtypes.float32):
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return array_ops.zeros(shape, self._dtype(dtype))


class Ones(Initializer):
    def __init__(self, dtype=_dtypes.float32):
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return array_ops.ones(shape, self._dtype(dtype))


class Constant(Initializer):
    def __init__(self, value=0, dtype=_dtypes.float32, verify_shape=False):
        self.value = value
        self.dtype = _dtypes.as_dtype(dtype)
        self._verify_shape = verify_shape

    def __call__(self, shape, dtype=None, partition_info=None, verify_shape=None):
        verify = self._verify_shape if verify_shape is None else verify_shape
        return _ob.constant(self.value, dtype=self._dtype(dtype), shape=shape, verify_shape=verify)


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=_dtypes.float32):
        self.mean, self.stddev, self.seed, self.dtype = mean, stddev, seed, _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.random_normal(shape, self.mean, self.stddev, self._dtype(dtype), seed=self.seed)


class TruncatedNormal(Initializer):
    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=_dtypes.float32):
        self.mean, self.stddev, self.seed, self.dtype = mean, stddev, seed, _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.truncated_normal(shape, self.mean, self.stddev, self._dtype(dtype), seed=self.seed)


class RandomUniform(Initializer):
    def __init__(self, minval=0.0, maxval=None, seed=None, dtype=_dtypes.float32):
        self.minval, self.maxval, self.seed, self.dtype = minval, maxval, seed, _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.random_uniform(shape, self.minval, self.maxval, self._dtype(dtype), seed=self.seed)


class VarianceScaling(Initializer):
    """Samples scaled by the fan: truncated normal, untruncated normal, or uniform."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 dtype=_dtypes.float32):
        if scale <= 0.0:
            raise ValueError("`scale` must be positive float.")
        if mode not in {"fan_in", "fan_out", "fan_avg"}:
            raise ValueError(f"Invalid `mode` argument: {mode}")
        distribution = distribution.lower()
        if distribution not in {"normal", "uniform", "truncated_normal", "untruncated_normal"}:
            raise ValueError(f"Invalid `distribution` argument: {distribution}")
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.seed, self.dtype = seed, _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self._dtype(dtype)
        # A partition is scaled by the fans of the whole variable.
        fan_in, fan_out = compute_fans(shape if partition_info is None else partition_info.full_shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(scale) / 0.87962566103423978  # the std of a unit normal cut at 2 sigma
            return random_ops.truncated_normal(shape, 0.0, stddev, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.random_normal(shape, 0.0, math.sqrt(scale), dtype, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_ops.random_uniform(shape, -limit, limit, dtype, seed=self.seed)


class GlorotUniform(VarianceScaling):
    def __init__(self, seed=None, dtype=_dtypes.float32):
        super().__init__(1.0, "fan_avg", "uniform", seed, dtype)


class GlorotNormal(VarianceScaling):
    def __init__(self, seed=None, dtype=_dtypes.float32):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, dtype)


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix from the QR decomposition of normal samples."""

    def __init__(self, gain=1.0, seed=None, dtype=_dtypes.float32):
        self.gain, self.seed, self.dtype = gain, seed, _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self._dtype(dtype)
        shape = [int(d) for d in shape]
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional")
        num_rows = int(np.prod(shape[:-1]))
        num_cols = shape[-1]
        flat = (num_cols, num_rows) if num_rows < num_cols else (num_rows, num_cols)
        a = random_ops.random_normal(flat, dtype=dtype, seed=self.seed)
        qr = apply_op("Qr", [a], {"full_matrices": False}, name="Qr")
        q, r = qr.outputs[0], qr.outputs[1]
        d = apply_op("DiagPart", [r], name="DiagPart").outputs[0]
        q = q * math_ops.sign(d)
        if num_rows < num_cols:
            from ortflow.graph import get_default_graph

            with get_default_graph().name_scope("matrix_transpose"):
                q = array_ops.transpose(q, [1, 0])
        return self.gain * array_ops.reshape(q, shape)


zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
random_uniform_initializer = RandomUniform
variance_scaling_initializer = VarianceScaling
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal
orthogonal_initializer = Orthogonal

#: Initializer classes whose result always has exactly the shape asked for. `get_variable`
#: gives such a variable that shape directly instead of inferring it through the initializer's
#: ops (a speed-up only: the inferred shape is the same). Matched by exact type, so a subclass
#: that overrides `__call__` is still inferred.
EXACT_SHAPE_INITIALIZERS = frozenset({Zeros, Ones, RandomNormal, TruncatedNormal, RandomUniform,
                                      VarianceScaling, GlorotUniform, GlorotNormal})


def he_normal(seed=None):
    return VarianceScaling(2.0, "fan_in", "truncated_normal", seed)


def he_uniform(seed=None):
    return VarianceScaling(2.0, "fan_in", "uniform", seed)


def lecun_normal(seed=None):
    return VarianceScaling(1.0, "fan_in", "truncated_normal", seed)


def lecun_uniform(seed=None):
    return VarianceScaling(1.0, "fan_in", "uniform", seed)


# tf.initializers.* spellings
zeros = Zeros
ones = Ones
constant = Constant
random_normal = RandomNormal
truncated_normal = TruncatedNormal
random_uniform = RandomUniform
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
orthogonal = Orthogonal


def get(identifier):
    """An initializer from an instance, a class, or a name ("zeros", "glorot_uniform", ...)."""
    if identifier is None or isinstance(identifier, Initializer) or callable(identifier) and not isinstance(
            identifier, (str, type)):
        return identifier
    if isinstance(identifier, type):
        return identifier()
    table = {"zeros": Zeros, "ones": Ones, "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
             "orthogonal": Orthogonal, "random_normal": RandomNormal, "random_uniform": RandomUniform,
             "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling}
    if identifier not in table:
        raise ValueError(f"Unknown initializer: {identifier!r}")
    return table[identifier]()


from ortflow.api.tf_misc import tables_initializer  # noqa: E402

__all__ += ["tables_initializer"]
