"""The weight-less ONNX ModelProto of a converted graph, encoded as protobuf bytes by hand.

`ortflow convert` writes a model without ever importing the onnx package (its import alone
costs more than converting MobileNetV2's graph): the nodes, graph inputs and outputs and the
opset imports are encoded here, and `commands.convert` appends the initializers from the
numpy buffers. The bytes are the ones `OGraph.to_model(weights=False).SerializeToString()`
gives (onnx.helper's construction, serialized in field-number order); the converter tests
check that on every model they build.

Only what plain CNN-like graphs need is encoded: attributes that are numbers, strings, lists
of those, or numeric tensors. `encode_model` returns None for anything else (subgraphs of
control flow, string or bfloat16 tensor attributes, an empty list), and the caller takes
the onnx path.

Field numbers are those of onnx.proto (proto2: repeated scalars are not packed).
"""

from __future__ import annotations

import numbers
import struct

import numpy as np

__all__ = ["IR_VERSION_BY_OPSET", "encode_model"]

#: The lowest ONNX IR version that carries each default-domain opset (onnx's VERSION_TABLE).
IR_VERSION_BY_OPSET = {13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10, 22: 10,
                       23: 11, 24: 12, 25: 13, 26: 13, 27: 13, 28: 14}

# AttributeProto.AttributeType
_FLOAT, _INT, _STRING, _TENSOR, _FLOATS, _INTS, _STRINGS = 1, 2, 3, 4, 6, 7, 8


class _NotEncodable(Exception):
    """A value this encoder does not handle: the caller builds the model with onnx."""


def encode_model(graph, opset: int, extra_opsets: dict | None, producer_version: str) -> bytes | None:
    """The serialized weight-less ModelProto of `graph` (a `passes_onnx.OGraph`), or None when
    it holds something only the onnx path encodes (see the module doc).

    Raises:
        ConversionError: an output of unknown type, as `OGraph.to_model`.
    """
    from ortflow.converters.context import onnx_type
    from ortflow.errors import ConversionError

    ir_version = IR_VERSION_BY_OPSET.get(opset)
    if ir_version is None:
        return None
    inputs = [_value_info(name, onnx_type(dtype), dims) for name, dtype, dims in graph.inputs]
    outputs = []
    for name, dtype, shape in graph.outputs:
        if dtype is None:
            raise ConversionError(f"the type of output {name!r} is unknown")
        dims = None if shape is None else [d if d is not None and d >= 0 else None for d in shape]
        outputs.append(_value_info(name, onnx_type(dtype), dims))
    try:
        nodes = [_node(n) for n in graph.sorted_nodes()]
    except _NotEncodable:
        return None
    body = b"".join([*(_bytes_field(1, n) for n in nodes), _bytes_field(2, b"ortflow"),
                     *(_bytes_field(11, v) for v in inputs), *(_bytes_field(12, v) for v in outputs)])
    imports = [("", opset), *sorted((extra_opsets or {}).items())]
    return b"".join([_varint_field(1, ir_version), _bytes_field(2, b"ortflow"),
                     _bytes_field(3, producer_version.encode()), _bytes_field(7, body),
                     *(_bytes_field(8, _bytes_field(1, d.encode()) + _varint_field(2, v))
                       for d, v in imports)])


# --------------------------------------------------------------------------------------------
# messages


def _value_info(name: str, elem_type: int, dims) -> bytes:
    """ValueInfoProto {name, type {tensor_type {elem_type, shape}}}; dims None = no shape."""
    tensor_type = _varint_field(1, elem_type)
    if dims is not None:
        shape = b"".join(_bytes_field(1, _dim(d)) for d in dims)
        tensor_type += _bytes_field(2, shape)
    return _bytes_field(1, name.encode()) + _bytes_field(2, _bytes_field(1, tensor_type))


def _dim(d) -> bytes:
    if d is None:
        return b""
    if isinstance(d, str):
        return _bytes_field(2, d.encode())
    return _varint_field(1, int(d))


def _node(node) -> bytes:
    """NodeProto as onnx.helper.make_node builds it (attributes sorted by name)."""
    parts = [_bytes_field(1, i.encode()) for i in node.inputs]
    parts += [_bytes_field(2, o.encode()) for o in node.outputs]
    if node.name:
        parts.append(_bytes_field(3, node.name.encode()))
    parts.append(_bytes_field(4, node.op_type.encode()))
    parts += [_bytes_field(5, _attribute(k, v)) for k, v in sorted(node.attrs.items()) if v is not None]
    if node.domain:
        parts.append(_bytes_field(7, node.domain.encode()))
    return b"".join(parts)


def _attribute(key: str, value) -> bytes:
    """AttributeProto with make_attribute's type inference, for the values encoded here."""
    name = _bytes_field(1, key.encode())
    if isinstance(value, numbers.Integral):
        return name + _varint_field(3, _int64(value)) + _varint_field(20, _INT)
    if isinstance(value, numbers.Real):
        return name + _float_field(2, value) + _varint_field(20, _FLOAT)
    if isinstance(value, (str, bytes)):
        return name + _bytes_field(4, _to_bytes(value)) + _varint_field(20, _STRING)
    if isinstance(value, np.ndarray):
        return name + _bytes_field(5, _tensor(value)) + _varint_field(20, _TENSOR)
    if isinstance(value, (list, tuple)) and value:
        types = {type(v) for v in value}
        if all(issubclass(t, numbers.Integral) for t in types):
            return name + b"".join(_varint_field(8, _int64(v)) for v in value) + _varint_field(20, _INTS)
        if all(issubclass(t, numbers.Real) for t in types):
            return name + b"".join(_float_field(7, v) for v in value) + _varint_field(20, _FLOATS)
        if all(issubclass(t, (str, bytes)) for t in types):
            return name + b"".join(_bytes_field(9, _to_bytes(v)) for v in value) + \
                _varint_field(20, _STRINGS)
    raise _NotEncodable


def _tensor(array: np.ndarray) -> bytes:
    """TensorProto of a numeric array as numpy_helper.from_array makes it (raw_data, no name)."""
    from ortflow.converters.passes_onnx import raw_tensor_code

    code = raw_tensor_code(array)
    if code is None:
        raise _NotEncodable
    dims = b"".join(_varint_field(1, int(d)) for d in array.shape)
    return dims + _varint_field(2, code) + _bytes_field(9, np.ascontiguousarray(array).tobytes())


def _int64(value) -> int:
    value = int(value)
    if not -(1 << 63) <= value < 1 << 63:
        raise _NotEncodable  # protobuf refuses it: the onnx path reports it
    return value


def _to_bytes(value) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


# --------------------------------------------------------------------------------------------
# wire format


_SMALL = [bytes((v,)) for v in range(0x80)]  # one-byte varints, by value


def _varint(value: int) -> bytes:
    if 0 <= value < 0x80:
        return _SMALL[value]
    if value < 0:
        value += 1 << 64  # int64 fields: two's complement, ten bytes
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _varint_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _bytes_field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _float_field(number: int, value) -> bytes:
    try:
        packed = struct.pack("<f", float(value))
    except OverflowError:
        raise _NotEncodable from None  # past float32: left to protobuf's own rounding
    return _varint(number << 3 | 5) + packed
