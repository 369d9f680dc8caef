"""Grouped statistics as in recommender / graph-net code: segment ops, sparse_segment means, bincount, unique."""

import numpy as np


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        data = tf.placeholder(tf.float32, [None, 2], name="data")
        seg = tf.placeholder(tf.int32, [None], name="seg")
        values = np.array([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]], np.float32)
        ids = [0, 0, 1, 2, 2]
        res = {
            "seg_sum": tf.segment_sum(data, seg), "seg_mean": tf.segment_mean(data, seg),
            "seg_max": tf.segment_max(data, seg), "seg_min": tf.segment_min(data, seg),
            "seg_prod": tf.segment_prod(data, seg),
            "uns_sum": tf.unsorted_segment_sum(data, tf.constant([2, 0, 2, 1, 0]), num_segments=4),
            "uns_mean": tf.unsorted_segment_mean(data, tf.constant([2, 0, 2, 1, 0]), num_segments=3),
            "uns_min": tf.unsorted_segment_min(data, tf.constant([2, 0, 2, 1, 0]), num_segments=3),
            "sp_sum": tf.sparse_segment_sum(data, tf.constant([0, 1, 4]), tf.constant([0, 0, 1])),
            "sp_mean": tf.sparse_segment_mean(data, tf.constant([0, 1, 4, 4]), tf.constant([0, 0, 1, 1])),
            "sp_sqrtn": tf.sparse_segment_sqrt_n(data, tf.constant([0, 1, 3]), tf.constant([0, 0, 1])),
        }
        words = tf.constant(["b", "a", "b", "c", "a", "b"])
        uniq, idx = tf.unique(words)
        counts = tf.bincount(idx)
        ints = tf.constant([3, 1, 3, 0, 7, 3], tf.int32)
        res["bincount_min"] = tf.bincount(ints, minlength=10)
        res["bincount_w"] = tf.bincount(ints, weights=tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
        res["hist"] = tf.histogram_fixed_width(tf.constant([-1.0, 0.0, 1.5, 2.0, 5.0, 12.0]), [0.0, 10.0], nbins=5)
        res["add_n"] = tf.add_n([data, data * 2.0, tf.ones_like(data)])
        res["accumulate_n"] = tf.accumulate_n([tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])])
        res["cummax_like"] = tf.scan(lambda a, x: tf.maximum(a, x), tf.constant([1, 3, 2, 5, 4]))
        res["group_count"] = tf.math.unsorted_segment_sum(tf.ones_like(seg), seg, num_segments=3)
        uc_y, uc_idx, uc_count = tf.unique_with_counts(tf.constant([4, 4, 1, 9, 1, 4]))
        with tf.Session() as sess:
            got = sess.run(res, {data: values, seg: ids})
            out.update(got)
            u, i, c = sess.run([uniq, idx, counts])
            out["uniq"], out["idx"], out["counts"] = u, i, c
            out["uc"] = np.concatenate(sess.run([uc_y, uc_idx, uc_count]))
            try:
                sess.run(res["seg_sum"], {data: values, seg: [1, 0, 0, 2, 2]})
                out["unsorted_ids"] = "no error"
            except tf.errors.InvalidArgumentError:
                out["unsorted_ids"] = "InvalidArgumentError"
        out["seg_static"] = str(res["seg_sum"].get_shape())
        out["uns_static"] = res["uns_sum"].get_shape().as_list()
    return out
