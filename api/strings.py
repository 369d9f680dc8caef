"""`tf.strings` (and the TF 1.x top-level string functions): join, case, length, numbers, regexes.

String ops have no ONNX form; a Session runs graphs that hold them on its numpy interpreter.
"""

from __future__ import annotations

import numpy as np
from ortflow.api.ops_builder import apply_op_output, constant, convert_to_tensor, graph_of
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import Tensor

__all__ = [
    "as_string",
    "decode_base64",
    "decode_raw",
    "encode_base64",
    "join",
    "length",
    "lower",
    "reduce_join",
    "regex_full_match",
    "regex_replace",
    "string_join",
    "string_to_number",
    "strip",
    "substr",
    "to_number",
    "upper",
]


def join(inputs, separator="", name=None):
    """Element-wise concatenation of string tensors (broadcasting scalars) (`StringJoin`)."""
    return apply_op_output("StringJoin", [list(inputs)], {"separator": separator}, name=name or "StringJoin")


string_join = join


def length(input, name=None, unit="BYTE"):
    """Length of each string in bytes, or in UTF-8 characters with unit="UTF8_CHAR" (`StringLength`)."""
    return apply_op_output("StringLength", [input], {"unit": unit}, name=name or "StringLength")


def lower(input, encoding="", name=None):
    """Lower-cased strings (ASCII letters) (`StringLower`)."""
    return apply_op_output("StringLower", [input], {"encoding": encoding}, name=name or "StringLower")


def upper(input, encoding="", name=None):
    """Upper-cased strings (ASCII letters) (`StringUpper`)."""
    return apply_op_output("StringUpper", [input], {"encoding": encoding}, name=name or "StringUpper")


def strip(input, name=None):
    """Strings without leading and trailing whitespace (`StringStrip`)."""
    return apply_op_output("StringStrip", [input], name=name or "StringStrip")


def to_number(string_tensor, out_type=_dtypes.float32, name=None):
    """Parses each string as a number of `out_type` (`StringToNumber`)."""
    return apply_op_output("StringToNumber", [string_tensor], {"out_type": _dtypes.as_dtype(out_type)},
                           name=name or "StringToNumber")


string_to_number = to_number


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="", name=None):
    """Formats each number as a string (`AsString`)."""
    attrs = {"precision": int(precision), "scientific": bool(scientific), "shortest": bool(shortest),
             "width": int(width), "fill": fill}
    return apply_op_output("AsString", [input], attrs, name=name or "AsString")


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):
    """Replaces matches of `pattern` with `rewrite` (`StaticRegexReplace` for Python strings, else `RegexReplace`)."""
    if isinstance(pattern, (str, bytes)) and isinstance(rewrite, (str, bytes)):
        return apply_op_output("StaticRegexReplace", [input], {"pattern": pattern, "rewrite": rewrite,
                                                               "replace_global": bool(replace_global)},
                               name=name or "StaticRegexReplace")
    return apply_op_output("RegexReplace", [input, pattern, rewrite], {"replace_global": bool(replace_global)},
                           name=name or "RegexReplace")


def substr(input, pos, len, name=None, unit="BYTE"):
    """`len` bytes of each string from `pos` (`Substr`)."""
    return apply_op_output("Substr", [input, pos, len], {"unit": unit}, name=name or "Substr")


def decode_raw(input_bytes=None, out_type=None, little_endian=True, name=None, bytes=None):
    """Reinterprets each string's bytes as a vector of `out_type` (`DecodeRaw`).

    Raises:
        ValueError: both or neither of `input_bytes` and `bytes` are given, or no `out_type`.
    """
    if (input_bytes is None) == (bytes is None):
        raise ValueError("Exactly one of `input_bytes` and `bytes` must be given.")
    if out_type is None:
        raise ValueError("decode_raw needs an `out_type`.")
    value = input_bytes if bytes is None else bytes
    if not isinstance(value, Tensor):
        value = convert_to_tensor(value, dtype=_dtypes.string)
    return apply_op_output("DecodeRaw", [value], {"out_type": _dtypes.as_dtype(out_type),
                                                  "little_endian": bool(little_endian)}, name=name or "DecodeRaw")


def reduce_join(inputs, axis=None, keep_dims=None, separator="", name=None, reduction_indices=None,
                keepdims=None):
    """Joins the strings along `axis` (all axes when None; the first listed axis varies fastest) (`ReduceJoin`)."""
    axis = reduction_indices if axis is None else axis
    keep = bool(keepdims if keepdims is not None else keep_dims)
    g = graph_of(inputs)
    with g.as_default(), g.name_scope(name or "ReduceJoin"):
        inputs = convert_to_tensor(inputs, dtype=_dtypes.string, name="inputs")
        if axis is None:
            rank = inputs.shape.rank
            if rank is None:
                raise NotImplementedError("reduce_join over all axes needs inputs of known rank")
            axis = constant(np.arange(rank - 1, -1, -1, dtype=np.int32))
        return apply_op_output("ReduceJoin", [inputs, axis], {"keep_dims": keep, "separator": separator},
                               name="ReduceJoin")


def regex_full_match(input, pattern, name=None):
    """Whether each string matches `pattern` entirely (`StaticRegexFullMatch` for a Python pattern,
    else `RegexFullMatch`)."""
    if isinstance(pattern, (str, bytes)):
        return apply_op_output("StaticRegexFullMatch", [input], {"pattern": pattern},
                               name=name or "StaticRegexFullMatch")
    return apply_op_output("RegexFullMatch", [input, pattern], name=name or "RegexFullMatch")


def encode_base64(input, pad=False, name=None):
    """Web-safe base64 (- and _ for + and /) of each string, '='-padded when `pad` (`EncodeBase64`)."""
    return apply_op_output("EncodeBase64", [input], {"pad": bool(pad)}, name=name or "EncodeBase64")


def decode_base64(input, name=None):
    """Decodes web-safe base64 strings, padded or not (`DecodeBase64`)."""
    return apply_op_output("DecodeBase64", [input], name=name or "DecodeBase64")


from ortflow.api.parsing_ops import strings_split as split  # noqa: E402  (tf.strings.split)

__all__ += ["split"]


def to_hash_bucket_fast(input, num_buckets, name=None):
    """FarmHash Fingerprint64 of each string modulo `num_buckets` (`StringToHashBucketFast`)."""
    return apply_op_output("StringToHashBucketFast", [input], {"num_buckets": int(num_buckets)},
                           name=name or "StringToHashBucketFast")


def to_hash_bucket(string_tensor=None, num_buckets=None, name=None, input=None):
    """TF's legacy Hash64 of each string modulo `num_buckets` (`StringToHashBucket`)."""
    string_tensor = input if string_tensor is None else string_tensor
    return apply_op_output("StringToHashBucket", [string_tensor], {"num_buckets": int(num_buckets)},
                           name=name or "StringToHashBucket")


def to_hash_bucket_strong(input, num_buckets, key, name=None):
    """SipHash-2-4 of each string under the two-integer `key`, modulo `num_buckets`
    (`StringToHashBucketStrong`)."""
    return apply_op_output("StringToHashBucketStrong", [input],
                           {"num_buckets": int(num_buckets), "key": [int(k) for k in key]},
                           name=name or "StringToHashBucketStrong")


__all__ += ["to_hash_bucket", "to_hash_bucket_fast", "to_hash_bucket_strong"]


def format(template, inputs, placeholder="{}", summarize=3, name=None):  # noqa: A001 - TF's name
    """A scalar string: `template` with each `placeholder` replaced by one input's text (`StringFormat`).

    Tensors print as `tf.print` prints them (at most `summarize` entries from each end of a dimension).
    """
    from ortflow.api.ops_builder import apply_op, convert_to_tensor

    tensors = [convert_to_tensor(t) for t in (inputs if isinstance(inputs, (list, tuple)) else [inputs])]
    if template.count(placeholder) != len(tensors):
        raise ValueError(f"{len(tensors)} tensors to format into template {template!r}, which has "
                         f"{template.count(placeholder)} placeholders {placeholder!r}")
    op = apply_op("StringFormat", [tensors], {"template": template, "placeholder": placeholder,
                                              "summarize": int(summarize)}, name=name or "StringFormat")
    return op.outputs[0]


__all__ += ["format"]

from ortflow.api.ragged_unicode import unicode_decode, unicode_encode, unicode_split  # noqa: E402

__all__ += ["unicode_decode", "unicode_encode", "unicode_split"]
