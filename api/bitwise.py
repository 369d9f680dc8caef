"""`tf.bitwise`: element-wise bit operations on integer tensors (BitwiseAnd/Or/Xor, Invert, shifts)."""

from __future__ import annotations

from ortflow.api import math_ops
from ortflow.api.ops_builder import apply_op_output

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift"]


def _binary(op_type: str, fn_name: str):
    return math_ops._binary(op_type, fn_name,
                            f"Element-wise `{op_type}` of two integer tensors of one dtype (with broadcasting).")


bitwise_and = _binary("BitwiseAnd", "bitwise_and")
bitwise_or = _binary("BitwiseOr", "bitwise_or")
bitwise_xor = _binary("BitwiseXor", "bitwise_xor")
left_shift = _binary("LeftShift", "left_shift")
right_shift = _binary("RightShift", "right_shift")


def invert(x, name=None):
    """Flips every bit of an integer tensor (`Invert`: ~x)."""
    return apply_op_output("Invert", [x], name=name or "Invert")
