"""The tf.compat.v1 graph-building namespace that `import ortflow as tf` exposes at the top level.

The lead's `ortflow/__init__.py` looks names up here last; sub-namespaces (`tf.nn`, `tf.math`,
`tf.image`, ...) are separate modules. Importing this module installs the Tensor operators.
"""

from __future__ import annotations

from ortflow.api import tensor_ops as _tensor_ops
from ortflow.api.array_ops import *  # noqa: F403 - this module is a namespace
from ortflow.api.array_ops import __all__ as _array_all
from ortflow.api.math_ops import *  # noqa: F403
from ortflow.api.math_ops import __all__ as _math_all
from ortflow.api.ops_builder import (
    constant,
    convert_n_to_tensor,
    convert_to_tensor,
    placeholder,
    placeholder_with_default,
    register_tensor_conversion_function,
)
from ortflow.graph import Tensor as _Tensor

_tensor_ops.install_operators(_Tensor)

__all__ = sorted({*_array_all, *_math_all, "constant", "convert_n_to_tensor", "convert_to_tensor",
                  "placeholder", "placeholder_with_default", "register_tensor_conversion_function"})

from ortflow.api.random_ops import (  # noqa: E402
    get_seed,
    multinomial,
    random_normal,
    random_shuffle,
    random_uniform,
    set_random_seed,
    truncated_normal,
)

__all__ += ["get_seed", "multinomial", "random_normal", "random_shuffle", "random_uniform",
            "set_random_seed", "truncated_normal"]
