"""`tf.test`: a `unittest.TestCase` with TensorFlow's helpers, running on ortflow Sessions.

`TestCase.setUp` gives every test a fresh default graph (as TensorFlow's does);
`session()` / `cached_session()` / `test_session()` open an ortflow Session on it and make
both the default. `assertAllClose` / `assertAllEqual` compare arrays and nested structures
(dicts, lists, tuples) with TensorFlow's default tolerances.
"""

from __future__ import annotations

import contextlib
import tempfile
import unittest
from unittest import mock

import numpy as np

__all__ = ["TestCase", "get_temp_dir", "gpu_device_name", "is_built_with_cuda", "is_gpu_available", "main",
           "mock"]

_temp_dir: str | None = None


def get_temp_dir() -> str:
    """A directory for this process's test files (removed by the OS's temp cleanup, not by ortflow)."""
    global _temp_dir
    if _temp_dir is None:
        _temp_dir = tempfile.mkdtemp(prefix="ortflow_test_")
    return _temp_dir


def main(argv=None):
    """Runs the tests of the `__main__` module (`tf.test.main`)."""
    return unittest.main(module="__main__", argv=argv)


def is_gpu_available(cuda_only: bool = False, min_cuda_compute_capability=None) -> bool:
    """False: ortflow's test sessions run on the CPU."""
    return False


def gpu_device_name() -> str:
    return ""


def is_built_with_cuda() -> bool:
    return False


def _as_array(value):
    from ortflow.graph import Tensor
    if isinstance(value, Tensor) or hasattr(value, "_as_graph_element"):
        return np.asarray(value.eval())
    return np.asarray(value)


class TestCase(unittest.TestCase):
    """`tf.test.TestCase` for TF 1.x-style tests, on ortflow."""

    def setUp(self):
        from ortflow.graph import reset_default_graph
        super().setUp()
        reset_default_graph()
        self._cached = None

    def tearDown(self):
        if getattr(self, "_cached", None) is not None:
            self._cached[1].close()
            self._cached = None
        super().tearDown()

    # -- sessions -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def session(self, graph=None, config=None, use_gpu: bool = True, force_gpu: bool = False):
        """A new Session on `graph` (default: the default graph), with both made the default."""
        from ortflow.graph import get_default_graph
        from ortflow.runtime import Session
        graph = graph or get_default_graph()
        with Session(graph=graph, config=config) as sess, graph.as_default(), sess.as_default():
            yield sess

    @contextlib.contextmanager
    def cached_session(self, graph=None, config=None, use_gpu: bool = True, force_gpu: bool = False):
        """One Session per test and graph, reused by later calls and closed at tearDown."""
        from ortflow.graph import get_default_graph
        from ortflow.runtime import Session
        graph = graph or get_default_graph()
        if self._cached is None or self._cached[0] is not graph:
            if self._cached is not None:
                self._cached[1].close()
            self._cached = (graph, Session(graph=graph, config=config))
        sess = self._cached[1]
        with graph.as_default(), sess.as_default():
            yield sess

    def test_session(self, graph=None, config=None, use_gpu: bool = True, force_gpu: bool = False):
        """The deprecated name of `cached_session`."""
        if self.id().endswith(".test_session"):
            # unittest collects this method as a test by its name; TensorFlow skips it the same way.
            self.skipTest("Not a test.")
        return self.cached_session(graph, config, use_gpu, force_gpu)

    def evaluate(self, tensors):
        """Runs `tensors` (any nested structure) in the default session."""
        from ortflow.graph import get_default_session
        sess = get_default_session()
        if sess is None:
            with self.cached_session() as sess:
                return sess.run(tensors)
        return sess.run(tensors)

    def get_temp_dir(self) -> str:
        """A fresh directory for this test's files."""
        return tempfile.mkdtemp(dir=get_temp_dir())

    # -- assertions -----------------------------------------------------------------------------
    def assertAllClose(self, a, b, rtol: float = 1e-6, atol: float = 1e-6, msg=None):
        """Elementwise |a - b| <= atol + rtol * |b|, through dicts, lists and tuples."""
        self._assert_nested(a, b, lambda x, y, path: self._close(x, y, rtol, atol, msg, path), "")

    def assertAllEqual(self, a, b, msg=None):
        """Same shape and equal elements."""
        def equal(x, y, path):
            x, y = _as_array(x), _as_array(y)
            self.assertEqual(x.shape, y.shape, f"{path}shape {x.shape} != {y.shape}. {msg or ''}")
            np.testing.assert_array_equal(x, y, err_msg=f"{path}{msg or ''}")
        self._assert_nested(a, b, equal, "")

    def assertAllCloseAccordingToType(self, a, b, rtol: float = 1e-6, atol: float = 1e-6,
                                      float_rtol: float = 1e-6, float_atol: float = 1e-6,
                                      half_rtol: float = 1e-3, half_atol: float = 1e-3,
                                      bfloat16_rtol: float = 1e-2, bfloat16_atol: float = 1e-2, msg=None):
        """`assertAllClose` with the tolerance loosened to the least precise dtype of `a` and `b`."""
        names = {_as_array(a).dtype.name, _as_array(b).dtype.name}
        if "float32" in names or "complex64" in names:
            rtol, atol = max(rtol, float_rtol), max(atol, float_atol)
        if "float16" in names:
            rtol, atol = max(rtol, half_rtol), max(atol, half_atol)
        if "bfloat16" in names:
            rtol, atol = max(rtol, bfloat16_rtol), max(atol, bfloat16_atol)
        self.assertAllClose(a, b, rtol=rtol, atol=atol, msg=msg)

    def assertNotAllClose(self, a, b, rtol: float = 1e-6, atol: float = 1e-6, msg=None):
        try:
            self.assertAllClose(a, b, rtol=rtol, atol=atol)
        except AssertionError:
            return
        self.fail(msg or "The two values are close at all elements.")

    def assertAllInRange(self, target, lower_bound, upper_bound, open_lower_bound: bool = False,
                         open_upper_bound: bool = False):
        values = _as_array(target)
        low = values > lower_bound if open_lower_bound else values >= lower_bound
        high = values < upper_bound if open_upper_bound else values <= upper_bound
        self.assertTrue(np.all(low & high), f"{values!r} is not all in [{lower_bound}, {upper_bound}]")

    def assertAllInSet(self, target, expected_set):
        values = set(_as_array(target).ravel().tolist())
        self.assertTrue(values <= set(expected_set), f"{sorted(values - set(expected_set))!r} not in the set")

    def assertDTypeEqual(self, target, expected_dtype):
        from ortflow.formats.dtypes import as_dtype
        self.assertEqual(_as_array(target).dtype, as_dtype(expected_dtype).as_numpy_dtype)

    def assertStartsWith(self, actual: str, expected_start: str, msg=None):
        self.assertTrue(actual.startswith(expected_start), msg or f"{actual!r} does not start with "
                        f"{expected_start!r}")

    def assertItemsEqual(self, first, second, msg=None):
        self.assertCountEqual(first, second, msg)

    def assertProtoEquals(self, expected, message, msg=None):
        """`message` equals `expected` (a message of the same type, or its text format)."""
        if isinstance(expected, str):
            from google.protobuf import text_format
            expected = text_format.Parse(expected, type(message)())
        self.assertEqual(expected, message, msg)

    def assertNear(self, f1, f2, err, msg=None):
        self.assertTrue(abs(f1 - f2) <= err, f"{f1!r} != {f2!r} +/- {err!r}{': ' + msg if msg else ''}")

    def assertArrayNear(self, farray1, farray2, err, msg=None):
        self.assertEqual(len(farray1), len(farray2), msg)
        for f1, f2 in zip(farray1, farray2):
            self.assertNear(float(f1), float(f2), err, msg)

    def assertNDArrayNear(self, ndarray1, ndarray2, err, msg=None):
        self.assertTrue(np.linalg.norm(np.asarray(ndarray1) - np.asarray(ndarray2)) <= err, msg)

    def assertAllLess(self, a, comparison_target):
        self.assertLess(np.max(_as_array(a)), comparison_target)

    def assertAllGreater(self, a, comparison_target):
        self.assertGreater(np.min(_as_array(a)), comparison_target)

    def assertShapeEqual(self, np_array, tf_tensor, msg=None):
        """The numpy array's shape equals the tensor's static shape."""
        self.assertEqual(list(np.shape(np_array)), tf_tensor.shape.as_list(), msg)

    def assertRaisesOpError(self, expected_err_re_or_predicate):
        from ortflow.errors import OpError
        return self.assertRaisesRegex(OpError, expected_err_re_or_predicate)

    def _close(self, x, y, rtol, atol, msg, path):
        x, y = _as_array(x), _as_array(y)
        self.assertEqual(x.shape, y.shape, f"{path}shape {x.shape} != {y.shape}. {msg or ''}")
        np.testing.assert_allclose(x, y, rtol=rtol, atol=atol, err_msg=f"{path}{msg or ''}", equal_nan=True)

    def _assert_nested(self, a, b, check, path: str):
        if isinstance(a, dict) or isinstance(b, dict):
            self.assertIsInstance(a, dict, f"{path}: {a!r} is no dict")
            self.assertIsInstance(b, dict, f"{path}: {b!r} is no dict")
            self.assertEqual(sorted(a), sorted(b), f"{path}: keys differ")
            for key in a:
                self._assert_nested(a[key], b[key], check, f"{path}[{key!r}]")
        elif _is_sequence(a) and _is_sequence(b) and not (_is_numeric(a) and _is_numeric(b)):
            self.assertEqual(len(a), len(b), f"{path}: lengths {len(a)} != {len(b)}")
            for i, (x, y) in enumerate(zip(a, b)):
                self._assert_nested(x, y, check, f"{path}[{i}]")
        else:
            check(a, b, f"{path}: " if path else "")


def _is_sequence(value) -> bool:
    return isinstance(value, (list, tuple))


def _is_numeric(value) -> bool:
    # A list of numbers is one array; a list holding arrays or dicts is a structure.
    try:
        return np.asarray(value).dtype != object
    except ValueError:  # ragged
        return False
