"""`tf.manip`: TF 1.x's namespace of tensor rearranging ops, aliases of the array ops."""

from __future__ import annotations

from ortflow.api.array_ops import (
    batch_to_space_nd,
    gather_nd,
    reshape,
    roll,
    scatter_nd,
    space_to_batch_nd,
    tile,
)
from ortflow.api.array_ops import reverse_v2 as reverse

__all__ = ["batch_to_space_nd", "gather_nd", "reshape", "reverse", "roll", "scatter_nd", "space_to_batch_nd",
           "tile"]
