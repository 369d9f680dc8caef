"""Handlers of the TF string ops ONNX has a form for: StringToNumber, StringJoin, StaticRegexFullMatch.

The others (case changes, lengths, substrings, AsString, DecodeRaw, regex replacement) have no
ONNX operator, or none that formats as TensorFlow does; a Session runs graphs holding them on its
numpy interpreter.
"""

from __future__ import annotations

import numpy as np
from ortflow.converters.emit import first
from ortflow.converters.registry import handler, require
from ortflow.formats import dtypes

__all__: list[str] = []


@handler("StringToNumber", since=13)
def convert_string_to_number(ctx, node):
    # TF:   output = StringToNumber(string_tensor, out_type)      (surrounding whitespace allowed)
    # ONNX: Output = Cast(Input, to=out_type)                     (Cast parses strings)
    out_type = node.attr("out_type", dtypes.float32)
    require(out_type in (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64), node,
            f"StringToNumber to {out_type} is not supported")
    first(ctx, "Cast", [node.input(0)], {"to": ctx.onnx_type(out_type)}, output=node.output(0))


def _string_const(ctx, text: bytes) -> str:
    return ctx.make_const(np.array(text.decode("utf-8", "surrogateescape"), dtype=object))


@handler("StringJoin", since=20)
def convert_string_join(ctx, node):
    # TF:   output = StringJoin(inputs: list(string), separator)   (scalars broadcast)
    # ONNX: Output = StringConcat(StringConcat(StringConcat(A, sep), B), ...)   (opset >= 20)
    separator = node.attr("separator", b"")
    separator = separator if isinstance(separator, bytes) else separator.encode()
    inputs = node.inputs()
    if len(inputs) == 1:
        first(ctx, "Identity", inputs, output=node.output(0))
        return
    out = inputs[0]
    for i, x in enumerate(inputs[1:]):
        if separator:
            out = first(ctx, "StringConcat", [out, _string_const(ctx, separator)])
        last = i == len(inputs) - 2
        out = first(ctx, "StringConcat", [out, x], output=node.output(0) if last else None)


@handler("StaticRegexFullMatch", since=20)
def convert_static_regex_full_match(ctx, node):
    # TF:   output = StaticRegexFullMatch(input, pattern)        (RE2 syntax)
    # ONNX: Y = RegexFullMatch(X, pattern)                       (RE2 too; opset >= 20)
    pattern = node.attr("pattern")
    pattern = pattern.decode() if isinstance(pattern, bytes) else pattern
    first(ctx, "RegexFullMatch", [node.input(0)], {"pattern": pattern}, output=node.output(0))
