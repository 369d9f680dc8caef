"""Shape functions of TF 1.x control-flow ops whose shape is not simply their input's."""

from __future__ import annotations

from ortflow.graph.ops.registry import shape_fn
from ortflow.graph.ops.shapes_common import attr


@shape_fn("Enter", "RefEnter")
def _enter(node_def, shapes, values):
    # As TensorFlow: a loop constant keeps its shape; a loop variable's Enter has an unknown
    # shape (what the loop carries is bounded by its shape invariant, set on the Merge).
    if attr(node_def, "is_constant", False):
        return [shapes[0]]
    return [None]
