"""The device feed cache behind CUDA runs, exercised with real OrtValues on the CPU device.

On CUDA the Session binds numpy feeds through `DeviceFeedCache` so that a feed repeated
unchanged is not copied to the GPU again (tests/runtime/test_gpu.py checks that end to end
where a GPU exists). The cache's decisions do not depend on the device, so they are checked
here on onnxruntime's CPU device, which every install has.
"""

from __future__ import annotations

import numpy as np
from ortflow.runtime.session import DeviceFeedCache


def test_an_equal_feed_reuses_the_device_value():
    cache = DeviceFeedCache("cpu")
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    first = cache.device_value("x:0", x)
    again = cache.device_value("x:0", x.copy())  # a different array with the same contents
    assert again is first and cache.copies == 1
    np.testing.assert_array_equal(first.numpy(), x)


def test_a_changed_feed_is_copied_again():
    cache = DeviceFeedCache("cpu")
    x = np.zeros((2, 2), np.float32)
    first = cache.device_value("x:0", x)
    x[0, 0] = 5.0  # mutated in place: the cache kept its own copy, so it sees the change
    second = cache.device_value("x:0", x)
    assert second is not first and cache.copies == 2
    np.testing.assert_array_equal(second.numpy(), x)


def test_shape_and_dtype_are_part_of_equality():
    cache = DeviceFeedCache("cpu")
    cache.device_value("x:0", np.zeros(4, np.float32))
    assert cache.device_value("x:0", np.zeros((2, 2), np.float32)).shape() == [2, 2]
    assert cache.device_value("x:0", np.zeros((2, 2), np.float64)).data_type() == "tensor(double)"
    assert cache.copies == 3


def test_inputs_are_cached_separately_and_non_contiguous_feeds_are_copied_right():
    cache = DeviceFeedCache("cpu")
    x = np.arange(16, dtype=np.int64).reshape(4, 4)
    a = cache.device_value("a:0", x.T)  # a transposed view, not C-contiguous
    b = cache.device_value("b:0", x)
    np.testing.assert_array_equal(a.numpy(), x.T)
    np.testing.assert_array_equal(b.numpy(), x)
    assert cache.device_value("a:0", np.ascontiguousarray(x.T)) is a and cache.copies == 2
