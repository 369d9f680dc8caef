"""Set-like ops in recsys/eval code: unique_with_counts, setdiff1d, tf.sets on dense and sparse."""



def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        items = tf.placeholder(tf.int64, [None])
        y, idx, count = tf.unique_with_counts(items)
        y32, idx64 = tf.unique(tf.cast(items, tf.int32), out_idx=tf.int64)
        seen = tf.constant([4, 9], tf.int64)
        new_items, new_idx = tf.setdiff1d(items, seen)
        diff2, _ = tf.setdiff1d(items, tf.constant([2], tf.int64), index_dtype=tf.int64)
        a = tf.constant([[1, 2, 3, 0], [4, 5, 6, 7]], tf.int32)
        b = tf.constant([[3, 1, 8, 8], [7, 4, 4, 9]], tf.int32)
        inter = tf.sets.set_intersection(a, b)
        union = tf.sets.union(a, b)
        diff = tf.sets.difference(a, b)
        rdiff = tf.sets.set_difference(a, b, aminusb=False)
        size = tf.sets.size(inter)
        sp = tf.SparseTensor(indices=[[0, 0], [0, 1], [1, 0]], values=tf.constant([3, 8, 5], tf.int32),
                             dense_shape=[2, 3])
        inter_sp = tf.sets.intersection(b, sp)
        words = tf.constant(["the", "cat", "the", "hat", "cat", "the"])
        uw, uidx, ucount = tf.unique_with_counts(words)
        unique_2d, _ = tf.unique(tf.constant([3.0, 1.0, 3.0, 2.0]))
        with tf.Session() as sess:
            feed = {items: [4, 2, 9, 2, 7, 4, 4, 1]}
            res = sess.run({"y": y, "idx": idx, "count": count, "y32": y32, "idx64": idx64,
                            "new_items": new_items, "new_idx": new_idx, "diff2": diff2}, feed)
            out.update(res)
            for name, st in [("inter", inter), ("union", union), ("diff", diff), ("rdiff", rdiff),
                             ("inter_sp", inter_sp)]:
                v = sess.run(st)
                out[name + "_indices"], out[name + "_values"], out[name + "_shape"] = v.indices, v.values, v.dense_shape
            out["size"] = sess.run(size)
            out["dense_inter"] = sess.run(tf.sparse_tensor_to_dense(inter, default_value=-1))
            w, wi, wc = sess.run([uw, uidx, ucount])
            out["uw"], out["uidx"], out["ucount"] = w, wi, wc
            out["unique_f"] = sess.run(unique_2d)
        out["dtypes"] = [t.dtype.name for t in (y, idx, count, idx64, new_idx, size)]
    return out
