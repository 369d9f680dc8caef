"""Writes golden.json: TensorProtos made by TensorFlow's make_tensor_proto, for tests/formats.

Run with the TensorFlow virtual environment:
    .venv-tf/bin/python tests/data/tensors/make_golden.py
Each case is (Python literal of the values, dtype name or None, shape or None); the file keeps
the literal, the arguments and TensorFlow's serialized TensorProto as hex.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import tensorflow as tf

CASES = [
    ("1.5", None, None), ("[1.5, -2.25, 3.0]", None, None), ("[[1, 2], [3, 4]]", None, None),
    ("7", None, None), ("2**40", None, None), ("[1, 2**40]", None, None), ("True", None, None),
    ("[True, False, True]", None, None), ("[1+2j, 3j]", None, None), ("(1-1j)", "complex64", None),
    ("['a', 'bc']", None, None), ("[b'x\\x00', b'\\xff']", None, None), ("'scalar'", None, None),
    ("[[b'a', b'b'], [b'c', b'd']]", None, None),
    ("[1.5, 2.5]", "float16", None), ("1.5", "float16", None), ("[1.5, -2.5]", "bfloat16", None),
    ("0.1", "bfloat16", None), ("[0.1, 0.2]", "float64", None), ("0.1", "float64", None),
    ("[1, -2]", "int8", None), ("-3", "int8", None), ("[1, 2]", "uint8", None), ("[1, -2]", "int16", None),
    ("[1, 2]", "uint16", None), ("65535", "uint16", None), ("[1, 2]", "uint32", None),
    ("4000000000", "uint32", None), ("[1, 2]", "uint64", None), ("2**63", "uint64", None),
    ("[1, -2]", "int64", None), ("-5", "int64", None), ("[1, 2, 3]", "int32", None),
    ("0.0", "float32", [1000]), ("[1.0, 2.0]", "float32", [2, 3]), ("7", "int32", [2, 2]),
    ("[]", "float32", None), ("[]", "float32", [0, 3]), ("[[]]", "int32", None),
    ("1.0", "float32", [1]), ("[1.0]", "float32", [1]), ("True", "bool", [4]),
    ("'s'", "string", [3]), ("[1, 2]", "float32", None), ("[0.1, 1e-7, 3.0, inf]", "float32", None),
    ("[nan]", "float32", None), ("1", "float16", [3]), ("2", "complex128", [2]),
]


def evaluate(literal: str):
    """Evaluates one of the literals above (ours, not user input); `inf`/`nan` are names."""
    return eval(literal, {"__builtins__": {}, "inf": float("inf"), "nan": float("nan")})


def describe(proto) -> dict:
    """TensorFlow's make_ndarray of `proto`: numpy dtype name, shape, and the bytes (or strings) as hex."""
    array = tf.make_ndarray(proto)
    data = ([x.hex() for x in array.ravel().tolist()] if array.dtype == object else array.tobytes().hex())
    return {"array_dtype": str(array.dtype), "array_shape": list(array.shape), "array": data}


def main() -> None:
    out = []
    for literal, dtype, shape in CASES:
        proto = tf.make_tensor_proto(evaluate(literal), dtype=dtype, shape=shape)
        out.append({"values": literal, "dtype": dtype, "shape": shape,
                    "proto": proto.SerializeToString(deterministic=True).hex(), **describe(proto)})
    for name, array in [("f16_vec", np.array([0.5, -1, 65504], np.float16)),
                        ("f64_mat", np.arange(6, dtype=np.float64).reshape(2, 3)),
                        ("u_str", np.array(["é", "ab"])), ("obj_bytes", np.array([b"a\x00", b"b"], object)),
                        ("bool_arr", np.array([[True], [False]])), ("c64_arr", np.array([1 + 1j, 2], np.complex64))]:
        proto = tf.make_tensor_proto(array)
        out.append({"numpy": name, "proto": proto.SerializeToString(deterministic=True).hex(), **describe(proto)})
    path = pathlib.Path(__file__).with_name("golden.json")
    path.write_text(json.dumps({"tensorflow": tf.__version__, "cases": out}, indent=1) + "\n")
    print(f"wrote {len(out)} cases to {path}")


if __name__ == "__main__":
    main()
