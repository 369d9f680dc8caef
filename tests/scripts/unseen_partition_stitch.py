"""Index plumbing from multi-task / mixture-of-experts code: dynamic_partition, dynamic_stitch, scatter/gather."""



def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        expert = tf.placeholder(tf.int32, [None], name="expert")
        parts = tf.dynamic_partition(x, expert, num_partitions=3)
        idx_parts = tf.dynamic_partition(tf.range(tf.shape(x)[0]), expert, 3)
        # each "expert" scales its rows differently, then rows go back in place
        processed = [p * float(i + 1) for i, p in enumerate(parts)]
        merged = tf.dynamic_stitch(idx_parts, processed)
        stitched_const = tf.dynamic_stitch([[0, 2], [1, 3]], [[10.0, 30.0], [20.0, 40.0]])
        updates = tf.scatter_nd(tf.constant([[1], [3], [1]]), tf.constant([5.0, 6.0, 7.0]), tf.constant([5]))
        tensor = tf.reshape(tf.range(12, dtype=tf.float32), [3, 4])
        upd = tf.tensor_scatter_nd_update(tensor, [[0, 0], [2, 3]], [-1.0, -2.0])
        add = tf.tensor_scatter_nd_add(tensor, [[1]], [[1.0, 1.0, 1.0, 1.0]])
        sub = tf.tensor_scatter_nd_sub(tensor, [[2, 0]], [100.0])
        mx = tf.tensor_scatter_nd_max(tensor, [[0, 1]], [50.0])
        g_nd = tf.gather_nd(tensor, [[0, 1], [2, 2]])
        g_rows = tf.gather_nd(tensor, [[2], [0]])
        g_batch = tf.gather(tensor, [[0, 2], [1, 1]])
        g_axis = tf.gather(tensor, [3, 0], axis=1)
        mask = tf.boolean_mask(tensor, tf.constant([True, False, True]))
        mask_axis = tf.boolean_mask(tensor, tf.constant([False, True, True, False]), axis=1)
        where3 = tf.where(tensor > 5.0, tensor, tf.zeros_like(tensor))
        where_v2 = tf.where_v2(tensor > 5.0, tensor, -1.0)
        coords = tf.where(tensor > 8.0)
        sorted_vals, order = tf.nn.top_k(tf.reshape(tensor, [-1]), k=3)
        unravel = tf.unravel_index(order, [3, 4])
        inv = tf.invert_permutation([2, 0, 1])
        rev = tf.reverse_sequence(tf.reshape(tf.range(8), [2, 4]), [3, 1], seq_axis=1, batch_axis=0)
        with tf.Session() as sess:
            feed = {x: [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]], expert: [0, 2, 0, 1, 2]}
            p0, p1, p2 = sess.run(parts, feed)
            out["p0"], out["p1"], out["p2"] = p0, p1, p2
            res = sess.run({"merged": merged, "stitched_const": stitched_const, "updates": updates,
                            "upd": upd, "add": add, "sub": sub, "mx": mx, "g_nd": g_nd, "g_rows": g_rows,
                            "g_batch": g_batch, "g_axis": g_axis, "mask": mask, "mask_axis": mask_axis,
                            "where3": where3, "where_v2": where_v2, "coords": coords, "sorted_vals": sorted_vals,
                            "unravel": unravel, "inv": inv, "rev": rev}, feed)
            out.update(res)
            try:
                sess.run(parts[0], {x: [[1, 1]], expert: [3]})
                out["bad_partition"] = "no error"
            except tf.errors.InvalidArgumentError:
                out["bad_partition"] = "InvalidArgumentError"
        out["static"] = [str(t.get_shape()) for t in (parts[0], merged, g_batch, mask_axis, coords)]
        out["coords_dtype"] = coords.dtype.name
    return out
