"""make_tensor_proto / make_ndarray against TensorFlow-made golden TensorProtos and TensorFlow itself."""

from __future__ import annotations

import json

import ml_dtypes
import numpy as np
import pytest
from ortflow.errors import FormatError
from ortflow.formats.tensors import make_ndarray, make_tensor_proto, shape_from_proto, shape_to_proto
from ortflow.proto import TensorProto, TensorShapeProto

NUMPY_CASES = {
    "f16_vec": lambda: np.array([0.5, -1, 65504], np.float16),
    "f64_mat": lambda: np.arange(6, dtype=np.float64).reshape(2, 3),
    "u_str": lambda: np.array(["é", "ab"]),
    "obj_bytes": lambda: np.array([b"a\x00", b"b"], object),
    "bool_arr": lambda: np.array([[True], [False]]),
    "c64_arr": lambda: np.array([1 + 1j, 2], np.complex64),
}


def _evaluate(literal: str):
    return eval(literal, {"__builtins__": {}, "inf": float("inf"), "nan": float("nan")})


def _case_id(case) -> str:
    return case.get("numpy") or f"{case['values']}-{case['dtype']}-{case['shape']}"


def _golden_cases():
    import pathlib
    path = pathlib.Path(__file__).resolve().parent.parent / "data" / "tensors" / "golden.json"
    return json.loads(path.read_text())["cases"]


@pytest.mark.parametrize("case", _golden_cases(), ids=_case_id)
def test_make_tensor_proto_matches_tensorflow_bytes(case):
    values = NUMPY_CASES[case["numpy"]]() if "numpy" in case else _evaluate(case["values"])
    ours = make_tensor_proto(values, dtype=case.get("dtype"), shape=case.get("shape"))
    assert ours.SerializeToString(deterministic=True).hex() == case["proto"]


@pytest.mark.parametrize("case", _golden_cases(), ids=_case_id)
def test_make_ndarray_of_tensorflow_proto(case):
    got = make_ndarray(TensorProto.FromString(bytes.fromhex(case["proto"])))
    assert str(got.dtype) == case["array_dtype"]
    assert list(got.shape) == case["array_shape"]
    if got.dtype == object:
        assert [x.hex() for x in got.ravel().tolist()] == case["array"]
    else:
        assert got.tobytes().hex() == case["array"]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "bfloat16", "int8", "int16", "int32",
                                   "int64", "uint8", "uint16", "uint32", "uint64", "bool", "complex64",
                                   "complex128", "float8_e4m3fn", "float8_e5m2"])
@pytest.mark.parametrize("shape", [(), (1,), (3,), (2, 3), (0, 2)])
def test_round_trip_every_dtype(dtype, shape):
    rng = np.random.default_rng(0)
    array = (rng.standard_normal(shape) * 3).astype(np.float64)
    if dtype == "bool":
        array = array > 0
    elif dtype.startswith("complex"):
        array = array + 1j * (array - 1)
    elif "int" in dtype:
        array = np.abs(array) if dtype.startswith("u") else array
    np_dtype = np.dtype(getattr(ml_dtypes, dtype, None) or dtype)
    array = array.astype(np_dtype)
    back = make_ndarray(make_tensor_proto(array))
    assert back.dtype == np_dtype and back.shape == shape
    assert back.tobytes() == array.tobytes()


def test_compact_forms_pad_with_the_last_value():
    proto = TensorProto(dtype=1, float_val=[1.0, 2.0])
    proto.tensor_shape.dim.add().size = 4
    np.testing.assert_array_equal(make_ndarray(proto), [1, 2, 2, 2])
    proto = TensorProto(dtype=19, half_val=[15872])  # half 1.5
    proto.tensor_shape.dim.add().size = 2
    np.testing.assert_array_equal(make_ndarray(proto), np.array([1.5, 1.5], np.float16))
    proto = TensorProto(dtype=3)
    proto.tensor_shape.dim.add().size = 3
    np.testing.assert_array_equal(make_ndarray(proto), [0, 0, 0])
    proto = TensorProto(dtype=7)
    proto.tensor_shape.dim.add().size = 2
    assert make_ndarray(proto).tolist() == [b"", b""]
    proto = TensorProto(dtype=8, scomplex_val=[1, 2])
    proto.tensor_shape.dim.add().size = 2
    np.testing.assert_array_equal(make_ndarray(proto), [1 + 2j, 1 + 2j])


def test_strings_are_bytes_objects():
    got = make_ndarray(make_tensor_proto([["a", b"\x00b"]]))
    assert got.dtype == object and got.tolist() == [[b"a", b"\x00b"]]


def test_tf_errors():
    with pytest.raises(TypeError, match="Expected int32"):
        make_tensor_proto([1.5], "int32")
    with pytest.raises(ValueError, match="Too many elements"):
        make_tensor_proto([1, 2, 3], "int32", shape=[2])
    with pytest.raises(TypeError, match="Expected Tensor's shape"):
        make_tensor_proto([1, 2], "int32", shape=[3], verify_shape=True)
    with pytest.raises(TypeError, match="Expected Tensor's shape"):
        make_tensor_proto([1, 2], "int32", shape=[2, 2], allow_broadcast=True)
    with pytest.raises(ValueError):
        make_tensor_proto([[1], [2, 3]])
    with pytest.raises(ValueError):
        make_tensor_proto(None)


def test_bad_protos_raise_format_error():
    proto = TensorProto(dtype=1, tensor_content=b"\0" * 7)
    proto.tensor_shape.dim.add().size = 2
    with pytest.raises(FormatError, match="7 bytes, expected 8"):
        make_ndarray(proto)
    proto = TensorProto(dtype=1, float_val=[0.0])
    proto.tensor_shape.dim.add().size = 1 << 40
    with pytest.raises(FormatError, match="refusing"):
        make_ndarray(proto)
    proto = TensorProto(dtype=1)
    proto.tensor_shape.dim.add().size = -1
    with pytest.raises(FormatError, match="negative"):
        make_ndarray(proto)


def test_shapes():
    assert shape_from_proto(shape_to_proto([None, 3])) == [None, 3]
    assert shape_to_proto([None, 3]).dim[0].size == -1
    assert shape_from_proto(shape_to_proto(None)) is None
    assert shape_to_proto(None).unknown_rank
    assert shape_from_proto(shape_to_proto([])) == []
    assert shape_from_proto(TensorShapeProto()) == []


@pytest.mark.interop
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "bfloat16", "int8", "int16", "int32",
                                   "int64", "uint8", "uint16", "uint32", "uint64", "bool", "complex64",
                                   "complex128", "string"])
@pytest.mark.parametrize("shape", [(), (1,), (2, 3)])
def test_interop_with_tensorflow(tf, dtype, shape):
    rng = np.random.default_rng(1)
    array = (rng.standard_normal(shape) * 5)
    if dtype == "string":
        array = np.array([str(x).encode() for x in array.ravel()], object).reshape(shape)
    elif dtype == "bool":
        array = array > 0
    else:
        array = array.astype(tf.as_dtype(dtype).as_numpy_dtype)
    ours = make_tensor_proto(array)
    theirs = tf.make_tensor_proto(array)
    assert ours.SerializeToString(deterministic=True) == theirs.SerializeToString(deterministic=True)
    back = tf.make_ndarray(type(theirs).FromString(ours.SerializeToString()))
    assert back.tobytes() == make_ndarray(ours).tobytes() if dtype != "string" else \
        back.tolist() == make_ndarray(ours).tolist()
