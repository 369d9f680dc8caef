"""The one table of TensorFlow op -> ONNX handlers, with the opsets each handler supports.

A handler is a small function `(ctx, node) -> None` registered for one or more TF op types:

    @handler("Relu")
    def convert_relu(ctx, node):
        # TF:   activations = Relu(features)
        # ONNX: Y = Relu(X)
        ctx.make_node("Relu", [node.input(0)], outputs=[node.output(0)])

Opset variants of one op are separate functions: `@handler("Squeeze", since=13)` and
`@handler("Squeeze", since=1)`; the driver picks the newest `since` at or below the target
opset. Family modules (`math.py`, `nn.py`, `array.py`, `control_flow.py`, ...) are imported
by `ortflow.converters` so that every registration is visible from one place.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ortflow.errors import ConversionError

__all__ = ["Handler", "handler", "lookup", "registered_ops", "require", "ConversionError"]


@dataclasses.dataclass(frozen=True)
class Handler:
    """One registered conversion function and the opset range it covers."""

    op_type: str
    func: Callable
    since: int  # lowest ONNX opset the function's output is valid for
    until: int | None  # highest opset (inclusive), None = no known upper bound


_HANDLERS: dict[str, list[Handler]] = {}


def handler(*op_types: str, since: int = 1, until: int | None = None) -> Callable:
    """Registers the decorated function as the converter of `op_types` from opset `since` on."""

    def register(func: Callable) -> Callable:
        for op_type in op_types:
            variants = _HANDLERS.setdefault(op_type, [])
            if any(h.since == since for h in variants):
                raise ValueError(f"a handler for {op_type!r} since opset {since} is already registered")
            variants.append(Handler(op_type, func, since, until))
            variants.sort(key=lambda h: h.since)
        return func

    return register


def lookup(op_type: str, opset: int) -> Handler | None:
    """The newest handler of `op_type` valid at `opset`, or None when there is none."""
    best = None
    for h in _HANDLERS.get(op_type, ()):
        if h.since <= opset and (h.until is None or opset <= h.until):
            best = h
    return best


def registered_ops() -> dict[str, list[Handler]]:
    """Every registered TF op type and its handler variants (a copy)."""
    return {k: list(v) for k, v in _HANDLERS.items()}


def require(cond: object, node, message: str) -> None:
    """Raises ConversionError naming the node's op type, name and the reason when `cond` is false."""
    if not cond:
        raise ConversionError(f"{node.op} node {node.name!r}: {message}")
