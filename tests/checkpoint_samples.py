"""Sample tensors shared by the checkpoint tests: one per dtype TensorFlow saves."""

from __future__ import annotations

import ml_dtypes
import numpy as np

# One value per dtype TensorFlow saves, with awkward shapes (scalars, zero-size).
ALL_DTYPES = {
    "f16": np.array([[1.5, -2.25, 65504.0]], np.float16),
    "f32": np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
    "f64": np.array([np.pi, -0.0, np.inf, 1e-300], np.float64),
    "bf16": np.array([1.0, -3.5, 0.0078125], ml_dtypes.bfloat16),
    "i8": np.array([-128, 0, 127], np.int8),
    "i16": np.array([-32768, 32767], np.int16),
    "i32": np.array([[-(2**31), 2**31 - 1]], np.int32),
    "i64": np.array(-(2**63), np.int64),
    "u8": np.array([0, 255], np.uint8),
    "u16": np.array([65535], np.uint16),
    "u32": np.array([2**32 - 1, 7], np.uint32),
    "u64": np.array([2**64 - 1], np.uint64),
    "bool": np.array([[True, False], [False, True]]),
    "c64": np.array([1 + 2j, -3.5j], np.complex64),
    "c128": np.array([[1e300 - 1j]], np.complex128),
    "scalar": np.float32(3.25),
    "zero_size": np.zeros((0, 5), np.float32),
    "s_scalar": b"\x00\xff arbitrary \x80 bytes",
    "s_vec": np.array([b"", b"a", b"\x00", b"x" * 300, "unicod\u00e9".encode()], dtype=object),
    "s_empty": np.empty((0,), dtype=object),
    "s_matrix": np.array([[b"", b""], [b"q", b""]], dtype=object),
    "nested/scope/var": np.ones((2, 2), np.float32),
}
