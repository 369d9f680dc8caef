"""`tf.raw_ops`: every registered op type as a keyword-only function, made from its OpDef.

`tf.raw_ops.AddV2(x=a, y=b, name="sum")` builds the node as TensorFlow's generated wrappers do:
inputs by their OpDef argument names, the other attrs by theirs (type attrs follow from the
inputs), Python values converted to tensors. The result is what TensorFlow's raw op returns:
the Operation for an op without outputs, the tensor (or list of tensors) for one output
argument, and a namedtuple named after the op, one field per output argument, for several.
"""

from __future__ import annotations

import collections
import functools
import re

__all__: list[str] = []  # the functions are made on attribute access; see __getattr__

_AXIS = {"reduction_indices": "axis"}
# Where TensorFlow's Python API names an argument otherwise than the OpDef (its api_defs; read
# from TF 2.21's tf.raw_ops signatures: these 14 ops are all of them): OpDef name -> keyword.
_KEYWORDS: dict[str, dict[str, str]] = {
    **dict.fromkeys(["All", "Any", "EuclideanNorm", "Max", "Mean", "Min", "Prod", "Sum"], _AXIS),
    "ExpandDims": {"dim": "axis"},
    "Select": {"t": "x", "e": "y"},
    "Split": {"split_dim": "axis"},
    "SplitV": {"split_dim": "axis"},
    "Where": {"input": "condition"},
    "Squeeze": {"squeeze_dims": "axis"},  # an attr
}


def __getattr__(op_type: str):
    from ortflow.graph.ops.schema import get_op_def

    op_def = get_op_def(op_type) if re.fullmatch(r"[A-Z][A-Za-z0-9_]*", op_type) else None
    if op_def is None:
        raise AttributeError(f"module 'ortflow.raw_ops' has no attribute {op_type!r}")
    return _raw_op(op_type)


@functools.lru_cache(maxsize=None)
def _raw_op(op_type: str):
    from ortflow.graph.ops.schema import get_op_def

    op_def = get_op_def(op_type)
    keyword = _KEYWORDS.get(op_type, {})
    inputs = [keyword.get(arg.name, arg.name) for arg in op_def.input_arg]
    attr_keywords = {keyword.get(a.name, a.name): a.name for a in op_def.attr}
    attr_types = {a.name: a.type for a in op_def.attr}
    outputs = [arg.name for arg in op_def.output_arg]
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", op_type).lower()
    result_type = collections.namedtuple(op_type, outputs) if len(outputs) > 1 else None

    def raw_op(*args, **kwargs):
        if args:
            raise TypeError(f"{snake} only takes keyword args (possible keys: {inputs + ['name']}). "
                            "Please pass these args as kwargs instead.")
        name = kwargs.pop("name", None)
        missing = [n for n in inputs if n not in kwargs]
        if missing:
            raise TypeError(f"{snake}() missing {len(missing)} required argument(s): "
                            f"{', '.join(repr(n) for n in missing)}")
        values = [kwargs.pop(n) for n in inputs]
        unknown = sorted(set(kwargs) - set(attr_keywords))
        if unknown:
            raise TypeError(f"{snake}() got unexpected keyword argument(s) {unknown}; its attrs are "
                            f"{sorted(attr_keywords)}")
        from ortflow.api.ops_builder import apply_op

        attrs = {attr_keywords[k]: _attr_value(attr_types[attr_keywords[k]], v) for k, v in kwargs.items()}
        op = apply_op(op_type, values, attrs, name=name)
        return _structured(op, op_def, result_type)

    raw_op.__name__ = op_type
    raw_op.__doc__ = (f"TensorFlow's raw `{op_type}` op: inputs {inputs}, attrs "
                      f"{[a.name for a in op_def.attr]}, outputs {outputs}.")
    return raw_op


def _attr_value(kind: str, value):
    # Python values as the attr's declared kind wants them (a shape from a list with None dims).
    from ortflow.formats.dtypes import as_dtype
    from ortflow.graph.tensor_shape import as_shape

    if kind == "shape":
        return as_shape(value)
    if kind == "list(shape)":
        return [as_shape(v) for v in value]
    if kind == "type":
        return as_dtype(value)
    if kind == "list(type)":
        return [as_dtype(v) for v in value]
    return value


def _structured(op, op_def, result_type):
    if not op_def.output_arg:
        return op
    groups, position = [], 0
    for arg in op_def.output_arg:
        if arg.number_attr:
            count = op.get_attr(arg.number_attr)
        elif arg.type_list_attr:
            count = len(op.get_attr(arg.type_list_attr))
        else:
            groups.append(op.outputs[position])
            position += 1
            continue
        groups.append(list(op.outputs[position:position + count]))
        position += count
    return groups[0] if result_type is None else result_type(*groups)
