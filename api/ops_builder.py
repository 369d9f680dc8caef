"""Graph building through the op registry: `apply_op`, `convert_to_tensor`, `constant`, `placeholder`.

`apply_op(op_type, args, attrs, name)` does what TensorFlow's op-definition library does for
every generated op wrapper: it opens a name scope for the op, converts Python values to Const
nodes named after their input arg (`Reshape/shape`), sets the type attrs (`T`, `Tidx`, `N`, ...)
from the inputs' dtypes, and creates the node with the scope's name, so that the NodeDefs equal
the ones TensorFlow writes. Attr defaults are filled by `Graph.create_op` from the registry.
"""

from __future__ import annotations

import numbers
import struct

import numpy as np
from ortflow.formats import dtypes as _dtypes
from ortflow.formats.tensors import make_tensor_proto
from ortflow.graph import Graph, Operation, Tensor, get_default_graph
from ortflow.graph.ops import get_op_def
from ortflow.graph.tensor_shape import TensorShape, as_shape
from ortflow.proto import TensorProto

__all__ = [
    "apply_op",
    "apply_op_output",
    "constant",
    "convert_n_to_tensor",
    "convert_to_tensor",
    "graph_of",
    "is_tensor_like",
    "mark_control_inputs",
    "placeholder",
    "placeholder_with_default",
    "register_tensor_conversion_function",
    "set_internal_attr",
]

_CONVERSIONS: list[tuple[type, object]] = []
# The registered base types as one tuple, for a single isinstance call (speed).
_TENSOR_LIKE_TYPES: tuple[type, ...] = (Tensor,)


def register_tensor_conversion_function(base_type, conversion_func, priority: int = 100) -> None:
    """Lets `convert_to_tensor` accept instances of `base_type` (as TensorFlow's function).

    `conversion_func(value, dtype=None, name=None, as_ref=False)` returns a Tensor.
    """
    global _TENSOR_LIKE_TYPES
    _CONVERSIONS.append((base_type, conversion_func))
    _TENSOR_LIKE_TYPES = (Tensor, *(t for t, _ in _CONVERSIONS))


def is_tensor_like(value) -> bool:
    """True for a Tensor or an object a conversion function is registered for (a Variable)."""
    return isinstance(value, _TENSOR_LIKE_TYPES)


def graph_of(*values) -> Graph:
    """The graph of the first Tensor (or tensor-like) among `values` (lists are searched); else the default."""
    for v in values:
        if isinstance(v, Tensor):
            return v.graph
        if isinstance(v, Operation):
            return v.graph
        if isinstance(v, (list, tuple)):
            for item in v:
                if isinstance(item, (Tensor, Operation)):
                    return item.graph
                g = getattr(item, "graph", None)
                if isinstance(g, Graph):
                    return g
        else:
            g = getattr(v, "graph", None)
            if isinstance(g, Graph) and is_tensor_like(v):
                return g
    return get_default_graph()


def constant(value, dtype=None, shape=None, name: str = "Const", verify_shape: bool = False) -> Tensor:
    """A Const node holding `value` (`tf.constant`, TF 1.x semantics for `shape`).

    Args:
        value: a Python scalar, nested list or numpy array.
        dtype: the element type; inferred (int32, float32, ...) when None.
        shape: the result's shape; a scalar (or fewer values) is repeated to fill it.
        name: the op name.
        verify_shape: require `value`'s shape to equal `shape`.
    """
    if shape is None:
        proto = _fast_proto(value, dtype)
    elif type(value) in (int, float) and isinstance(shape, (list, tuple)) and len(shape) <= 8:
        proto = _fast_proto(value, dtype)  # a splat: the one value fills `shape`, as TF 1.x writes it
        if proto is not None:
            for d in shape:
                proto.tensor_shape.dim.add().size = int(d)
            if 0 in shape:
                proto = None  # an empty tensor holds no value: the general path handles it
    else:
        proto = None
    if proto is None:
        proto = make_tensor_proto(value, dtype=dtype, shape=shape, verify_shape=verify_shape)
    g = get_default_graph()
    op = g.create_op("Const", [], attrs={"value": proto, "dtype": _dtypes.as_dtype(proto.dtype)}, name=name)
    return op.outputs[0]


_FLOAT32 = _dtypes.float32
_INT32 = _dtypes.int32
_INT32_RANGE = range(-(2 ** 31), 2 ** 31)
_F32_EXACT = 2 ** 24  # ints up to this size are exact float32 values


def _fast_proto(value, dtype):
    # The common small constants (a Python float or int, a short list of ints) are built
    # directly; everything else goes through make_tensor_proto. Same bytes either way.
    if dtype is not None:
        dtype = _dtypes.as_dtype(dtype)
    kind = type(value)
    if kind is int and dtype == _FLOAT32 and -_F32_EXACT <= value <= _F32_EXACT:
        value, kind = float(value), float  # exactly representable: the same float_val
    if kind is float and (dtype is None or dtype == _FLOAT32):
        proto = TensorProto(dtype=_FLOAT32.as_datatype_enum)
        proto.tensor_shape.SetInParent()
        proto.float_val.append(value)
        return proto
    if kind is int and (dtype is None or dtype == _INT32) and value in _INT32_RANGE:
        proto = TensorProto(dtype=_INT32.as_datatype_enum)
        proto.tensor_shape.SetInParent()
        proto.int_val.append(value)
        return proto
    if (kind is list and 1 < len(value) <= 16 and (dtype is None or dtype == _INT32)
            and all(type(v) is int and v in _INT32_RANGE for v in value)):
        # A shape or axis list: TF writes multi-element int32 tensors as tensor_content.
        proto = TensorProto(dtype=_INT32.as_datatype_enum, tensor_content=_I32_PACK(len(value), *value))
        proto.tensor_shape.dim.add().size = len(value)
        return proto
    return None


def _I32_PACK(n, *values) -> bytes:
    return struct.pack(f"<{n}i", *values)


def convert_to_tensor(value, dtype=None, name: str | None = None, preferred_dtype=None,
                      dtype_hint=None, as_ref: bool = False) -> Tensor:
    """Turns a Tensor, Variable, numpy array or Python value into a Tensor (`tf.convert_to_tensor`).

    Raises:
        ValueError: a Tensor's dtype does not match `dtype`.
        TypeError: the value cannot be converted to `dtype`.
    """
    dtype = None if dtype is None else _dtypes.as_dtype(dtype)
    if isinstance(value, Tensor):
        if dtype is not None and not dtype.is_compatible_with(value.dtype.base_dtype) \
                and dtype.base_dtype != value.dtype.base_dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor with dtype "
                             f"{value.dtype.base_dtype.name}: {value!r}")
        return value
    for base_type, func in _CONVERSIONS:
        if isinstance(value, base_type):
            return func(value, dtype=dtype, name=name, as_ref=as_ref)
    if isinstance(value, Operation):
        raise TypeError(f"Can't convert Operation {value.name!r} to Tensor (target dtype={dtype}, "
                        f"name={name!r}, as_ref={as_ref})")
    if isinstance(value, (list, tuple)) and any(is_tensor_like(v) for v in _flat(value)):
        return _pack(value, dtype, name)
    hint = preferred_dtype if preferred_dtype is not None else dtype_hint
    if dtype is None and hint is not None:
        try:
            return constant(value, dtype=hint, name=name or "Const")
        except (TypeError, ValueError):
            pass
    if dtype is not None:
        _check_python_value_fits(value, dtype)
    return constant(value, dtype=dtype, name=name or "Const")


def _flat(value):
    for v in value:
        if isinstance(v, (list, tuple)):
            yield from _flat(v)
        else:
            yield v


def _pack(values, dtype, name):
    # A list mixing Tensors and numbers becomes a Pack node, as TF's list conversion does.
    g = get_default_graph()
    with g.name_scope(name or "packed") as scope:
        items = [_pack(v, dtype, None) if isinstance(v, (list, tuple)) else v for v in values]
        base = next((t.dtype.base_dtype for t in items if is_tensor_like(t)), dtype)
        tensors = [convert_to_tensor(v, dtype=dtype or base) for v in items]
        op = g.create_op("Pack", tensors, attrs={"T": tensors[0].dtype.base_dtype, "N": len(tensors),
                                                 "axis": 0}, name=scope)
    return op.outputs[0]


def _check_python_value_fits(value, dtype: _dtypes.DType) -> None:
    # TF refuses to turn 1.5 into an int32 constant; numpy would truncate silently.
    if not dtype.is_integer:  # asked once, not per value (speed)
        return
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            raise TypeError(f"Expected {dtype.name}, got an array of {value.dtype} instead.")
        return
    for v in (_flat(value) if isinstance(value, (list, tuple)) else (value,)):
        if isinstance(v, (bool, str, bytes)):
            continue
        if isinstance(v, numbers.Real) and not isinstance(v, numbers.Integral) \
                and not float(v).is_integer():
            raise TypeError(f"Expected {dtype.name}, got {v!r} of type {type(v).__name__!r} instead.")


def convert_n_to_tensor(values, dtype=None, name: str | None = None) -> list[Tensor]:
    """Converts each of `values` (`tf.convert_n_to_tensor`)."""
    return [convert_to_tensor(v, dtype=dtype, name=None if name is None else f"{name}_{i}")
            for i, v in enumerate(values)]


def placeholder(dtype, shape=None, name: str | None = None) -> Tensor:
    """A Placeholder to feed; `shape=None` means unknown rank, `None` dims are unknown sizes."""
    dtype = _dtypes.as_dtype(dtype)
    op = get_default_graph().create_op("Placeholder", [], attrs={"dtype": dtype, "shape": as_shape(shape)},
                                       name=name or "Placeholder")
    return op.outputs[0]


def placeholder_with_default(input, shape, name: str | None = None) -> Tensor:
    """A PlaceholderWithDefault: `input` unless fed."""
    return apply_op_output("PlaceholderWithDefault", [input], {"shape": as_shape(shape)},
                           name or "PlaceholderWithDefault")


def _default_dtype_of(arg, attrs: dict, op_def) -> _dtypes.DType | None:
    # A fixed arg type, or a type attr already set; an attr's *default* type is not used for
    # Python values (TF infers [1, 2] as int32 even where the attr defaults to int64).
    if arg.type:
        return _dtypes.as_dtype(arg.type)
    if arg.type_attr in attrs:
        return _dtypes.as_dtype(attrs[arg.type_attr])
    return None


def apply_op(op_type: str, args, attrs: dict | None = None, name: str | None = None,
             control_inputs=None) -> Operation:
    """Creates a node the way TensorFlow's generated wrappers do.

    Args:
        op_type: the registered op type.
        args: one entry per input arg of the OpDef, in order; list args take a list.
        attrs: attrs not derived from the inputs (type attrs given here win).
        name: the op's name (default: the op type); a name scope of that name is opened, so
            converted Python values become `<name>/<arg name>` Const nodes.
        control_inputs: extra control dependencies.

    Raises:
        ValueError: the number of args does not match the OpDef.
    """
    op_def, type_attrs = _input_arg_facts(op_type)
    if len(args) != len(op_def.input_arg):
        raise ValueError(f"{op_type} takes {len(op_def.input_arg)} inputs "
                         f"({', '.join(a.name for a in op_def.input_arg)}), got {len(args)}.")
    attrs = dict(attrs or {})
    g = graph_of(*args)
    if type_attrs is not None and all(type(v) is Tensor for v in args):
        # Fast path: nothing to convert, so no scope is needed for Const children; creating the
        # op under `name` gives the same unique name the scope would have.
        for type_attr, tensor in zip(type_attrs, args):
            if type_attr and type_attr not in attrs:
                attrs[type_attr] = tensor.dtype.base_dtype
        return g.create_op(op_type, args, attrs=attrs, name=name or op_type, control_inputs=control_inputs)
    with g.as_default(), g.name_scope(name or op_type) as scope:
        _infer_type_attrs(op_def, args, attrs)
        flat: list[Tensor] = []
        for arg, value in zip(op_def.input_arg, args):
            if arg.number_attr or arg.type_list_attr:
                tensors = _convert_list(arg, value, attrs, op_def)
                flat.extend(tensors)
            else:
                dtype = _default_dtype_of(arg, attrs, op_def)
                if arg.is_ref:
                    tensor = convert_to_tensor(value, as_ref=True, name=arg.name)
                else:
                    tensor = convert_to_tensor(value, dtype=dtype, name=arg.name)
                if arg.type_attr and arg.type_attr not in attrs:
                    attrs[arg.type_attr] = tensor.dtype.base_dtype
                flat.append(tensor)
        ref = next((t for t, arg in zip(flat, op_def.input_arg) if arg.is_ref and t.dtype._is_ref_dtype), None)
        if ref is None:
            return g.create_op(op_type, flat, attrs=attrs, name=scope, control_inputs=control_inputs)
        with g.colocate_with(ref.op):  # TF colocates an op that updates a reference with its variable
            return g.create_op(op_type, flat, attrs=attrs, name=scope, control_inputs=control_inputs)


# op type -> (OpDef, each input arg's type attr, or None when some input arg is a reference or
# a list): read from the OpDef once per op type, as proto field access is slow (speed cache).
_ARG_FACTS: dict[str, tuple] = {}


def _input_arg_facts(op_type: str) -> tuple:
    facts = _ARG_FACTS.get(op_type)
    if facts is None:
        op_def = get_op_def(op_type)
        if op_def is None:
            raise ValueError(f"Op type {op_type!r} is not registered in ortflow's op registry.")
        plain = not any(a.is_ref or a.number_attr or a.type_list_attr for a in op_def.input_arg)
        facts = (op_def, tuple(a.type_attr for a in op_def.input_arg) if plain else None)
        _ARG_FACTS[op_type] = facts
    return facts


def _infer_type_attrs(op_def, args, attrs: dict) -> None:
    # First pass: type attrs taken from arguments that already are tensors.
    for arg, value in zip(op_def.input_arg, args):
        if arg.type_attr and arg.type_attr not in attrs:
            items = value if (arg.number_attr and isinstance(value, (list, tuple))) else [value]
            for item in items:
                if is_tensor_like(item):
                    attrs[arg.type_attr] = item.dtype.base_dtype
                    break


def _convert_list(arg, value, attrs: dict, op_def) -> list[Tensor]:
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"Expected list for {arg.name!r} argument to {op_def.name!r} Op, not {value!r}.")
    if arg.type_list_attr:
        given = attrs.get(arg.type_list_attr)
        tensors = [convert_to_tensor(v, dtype=None if given is None else given[i], name=f"{arg.name}_{i}")
                   for i, v in enumerate(value)]
        attrs.setdefault(arg.type_list_attr, [t.dtype.base_dtype for t in tensors])
        return tensors
    dtype = _default_dtype_of(arg, attrs, op_def)
    tensors = [convert_to_tensor(v, dtype=dtype, name=f"{arg.name}_{i}") for i, v in enumerate(value)]
    attrs[arg.number_attr] = len(tensors)
    if arg.type_attr and tensors:
        attrs.setdefault(arg.type_attr, tensors[0].dtype.base_dtype)
    return tensors


def set_internal_attr(op: Operation, name: str, value) -> None:
    """Sets an `_`-prefixed bookkeeping attr (`_class`, ...) that cannot change any shape.

    `Operation._set_attr` drops the graph's whole shape cache; for these attrs that would only
    make every later shape query start over (quadratic graph building), so the NodeDef is
    edited directly.
    """
    attr = op._node_def.attr[name]
    if isinstance(value, bool):
        attr.b = value
    elif isinstance(value, str):
        attr.s = value.encode()
    elif isinstance(value, list) and all(isinstance(v, bytes) for v in value):
        attr.list.s[:] = value
    else:
        from ortflow.graph.core import make_attr_value

        attr.CopyFrom(make_attr_value(value))


def mark_control_inputs(ops) -> None:
    """Marks ops used as control inputs, as TF 2.x's graph does (`_has_manual_control_dependencies`)."""
    for op in ops:
        if isinstance(op, Operation):
            set_internal_attr(op, "_has_manual_control_dependencies", True)


def apply_op_output(op_type: str, args, attrs: dict | None = None, name: str | None = None) -> Tensor:
    """`apply_op` for the common one-output case: returns the output Tensor."""
    return apply_op(op_type, args, attrs, name).outputs[0]


def shape_attr(shape) -> TensorShape:
    """A TensorShape from a list with None for unknown dims, or None for unknown rank."""
    return as_shape(shape)
