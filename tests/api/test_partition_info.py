"""The partition_info that get_variable hands to a custom initializer of a partitioned variable."""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest


def test_custom_initializer_sees_each_slice_offset():
    seen = []

    def init(shape, dtype=None, partition_info=None):
        offset = partition_info.single_offset(shape)
        seen.append((list(shape), partition_info.single_slice_dim(shape), offset,
                     partition_info.full_shape, partition_info.var_offset))
        return np.full(shape, offset, np.float32)

    with tf.Graph().as_default():
        v = tf.get_variable("emb", [10, 4], initializer=init, partitioner=tf.fixed_size_partitioner(3))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            full = sess.run(tf.convert_to_tensor(v))
    # TF cuts 10 rows into 4, 3, 3 (the first slices take the remainder).
    assert seen == [([4, 4], 0, 0, [10, 4], [0, 0]), ([3, 4], 0, 4, [10, 4], [4, 0]),
                    ([3, 4], 0, 7, [10, 4], [7, 0])]
    np.testing.assert_array_equal(full[:, 0], [0] * 4 + [4] * 3 + [7] * 3)


def test_partition_info_rejects_bad_slices():
    from ortflow.api.variable_scope import _PartitionInfo

    whole = _PartitionInfo([10, 4], [0, 0])
    assert whole.single_slice_dim([10, 4]) is None and whole.single_offset([10, 4]) == 0
    info = _PartitionInfo([10, 4], [4, 0])
    with pytest.raises(ValueError, match="length"):
        info.single_slice_dim([3])
    with pytest.raises(ValueError, match="exceed"):
        info.single_slice_dim([7, 4])
    with pytest.raises(ValueError, match="more than one"):
        _PartitionInfo([10, 4], [0, 0]).single_slice_dim([3, 2])
