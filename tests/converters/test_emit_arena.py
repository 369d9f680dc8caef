"""emit.new_array: converted weights carved from shared chunks, each its own bytes."""

from __future__ import annotations

import numpy as np
from ortflow.converters import emit


def test_carved_arrays_are_disjoint_aligned_and_writable():
    shapes = [(3, 3, 64, 64), (256, 64), (1, 1, 512, 1024), (7,)]
    arrays = [emit.new_array(s, np.float32) for s in shapes]
    assert sum(emit.is_arena_array(a) for a in arrays) == 3  # all but the 28-byte one
    try:
        for k, a in enumerate(arrays):
            assert a.shape == shapes[k] and a.flags.c_contiguous and a.flags.writeable
            if emit.is_arena_array(a):
                assert a.ctypes.data % 64 == 0
            a[...] = k
        for k, a in enumerate(arrays):
            assert (a == k).all()  # no array wrote into another's bytes
    finally:
        emit.release_arena()


def test_only_the_carved_array_itself_counts_as_private():
    a = emit.new_array((64, 64), np.float32)
    emit.release_arena()
    assert emit.is_arena_array(a)
    assert not emit.is_arena_array(a.reshape(-1))  # a view shares a's bytes
    assert not emit.is_arena_array(a[:3])
    assert not emit.is_arena_array(np.zeros((64, 64), np.float32))
    small = emit.new_array((4,), np.float32)  # below the arena's range: numpy's own array
    assert small.flags.owndata and not emit.is_arena_array(small)
