"""Sparse inputs for a wide model: sparse_placeholder fed a SparseTensorValue, sparse matmul, reductions."""

import numpy as np


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        # bag-of-words features fed as (indices, values, dense_shape), the usual wide-model input
        sp = tf.sparse_placeholder(tf.float32, name="bow")
        weights = tf.constant(np.arange(12, dtype=np.float32).reshape(6, 2) / 10.0)
        logits = tf.sparse_tensor_dense_matmul(sp, weights)
        row_sums = tf.sparse_reduce_sum(sp, axis=1)
        total = tf.sparse_reduce_sum(sp)
        dense = tf.sparse_tensor_to_dense(tf.sparse_reorder(sp))
        doubled = tf.SparseTensor(sp.indices, sp.values * 2.0, sp.dense_shape)
        summed = tf.sparse_add(sp, doubled)
        # the same input built from integer ids with sparse_to_dense
        ids = tf.placeholder(tf.int64, [None, 2], name="ids")
        hot = tf.sparse_to_dense(ids, [3, 6], 1.0, default_value=0.0, validate_indices=False)
        kept = tf.sparse_retain(sp, tf.greater(sp.values, 1.0))
        value = tf.SparseTensorValue(indices=[[0, 0], [0, 3], [1, 1], [2, 5], [2, 2]],
                                     values=[1.0, 2.0, 3.0, 0.5, 4.0], dense_shape=[3, 6])
        with tf.Session() as sess:
            res = sess.run({"logits": logits, "row_sums": row_sums, "total": total, "dense": dense,
                            "hot": hot}, feed_dict={sp: value, ids: [[0, 1], [1, 4], [2, 0]]})
            out.update(res)
            # a SparseTensor fetch comes back as a SparseTensorValue
            s = sess.run(summed, {sp: value})
            out["summed_indices"] = s.indices
            out["summed_values"] = s.values
            out["summed_shape"] = s.dense_shape
            k = sess.run(kept, {sp: value})
            out["kept_values"] = k.values
            out["kept_indices"] = k.indices
            # feeding the tuple form (indices, values, shape) works too
            t = sess.run(row_sums, {sp: (np.array([[0, 1], [1, 2]], np.int64),
                                         np.array([5.0, 7.0], np.float32), np.array([2, 6], np.int64))})
            out["tuple_feed"] = t
        out["sp_dtype"] = sp.dtype.name
        out["indices_dtype"] = sp.indices.dtype.name
        out["dense_shape_static"] = str(dense.get_shape())
    with tf.Graph().as_default():
        # a dense tensor turned sparse by hand, as in many StackOverflow answers
        x = tf.constant([[0, 3, 0], [5, 0, 0], [0, 0, 7]], dtype=tf.int32)
        idx = tf.where(tf.not_equal(x, 0))
        sparse_x = tf.SparseTensor(idx, tf.gather_nd(x, idx), tf.shape(x, out_type=tf.int64))
        back = tf.sparse.to_dense(sparse_x)
        maxes = tf.sparse_reduce_max(sparse_x, axis=0)
        concat = tf.sparse_concat(axis=1, sp_inputs=[sparse_x, sparse_x])
        with tf.Session() as sess:
            out["where_idx"], out["back"], out["maxes"] = sess.run([idx, back, maxes])
            c = sess.run(concat)
            out["concat_indices"], out["concat_values"], out["concat_shape"] = c.indices, c.values, c.dense_shape
    return out
