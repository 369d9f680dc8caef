"""Static vs dynamic shapes: get_shape().as_list(), set_shape, tf.shape, reshape with -1, TensorShape ops."""


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        images = tf.placeholder(tf.float32, [None, 28, 28, 1], name="images")
        flat = tf.reshape(images, [-1, 28 * 28])
        batch = tf.shape(images)[0]
        dyn_flat = tf.reshape(images, tf.stack([batch, -1]))
        out["flat_static"] = str(flat.get_shape().as_list())
        out["dyn_flat_static"] = str(dyn_flat.get_shape().as_list())
        out["rank"] = images.get_shape().ndims
        out["shape_str"] = str(images.shape)
        out["dim1"] = images.get_shape()[1].value
        out["num_elements"] = str(images.get_shape()[1:].num_elements())
        out["fully_defined"] = [images.get_shape().is_fully_defined(), flat.get_shape()[1:].is_fully_defined()]
        # a tensor of unknown shape, then set_shape narrows it
        unknown = tf.placeholder(tf.float32, name="unknown")
        out["unknown_rank"] = str(unknown.get_shape())
        unknown.set_shape([None, 3])
        out["after_set_shape"] = str(unknown.get_shape().as_list())
        try:
            unknown.set_shape([2, 4])
            out["bad_set_shape"] = "no error"
        except ValueError:
            out["bad_set_shape"] = "ValueError"
        merged = tf.TensorShape([None, 3]).merge_with(tf.TensorShape([5, None]))
        out["merged"] = str(merged.as_list())
        out["compatible"] = [tf.TensorShape([None, 3]).is_compatible_with([4, 3]),
                             tf.TensorShape([2, 3]).is_compatible_with([4, 3])]
        out["concat_shape"] = str(tf.TensorShape([1, 2]).concatenate([None]).as_list())
        pooled = tf.reduce_mean(images, axis=[1, 2], keepdims=True)
        squeezed = tf.squeeze(pooled, axis=[1, 2])
        expanded = tf.expand_dims(squeezed, -1)
        tiled = tf.tile(expanded, [1, 1, 4])
        out["static_chain"] = [str(t.get_shape().as_list()) for t in (pooled, squeezed, expanded, tiled)]
        shapes = tf.shape_n([images, flat])
        dyn_rank = tf.rank(images)
        size = tf.size(images)
        bshape = tf.broadcast_dynamic_shape(tf.shape(squeezed), tf.constant([1, 1], tf.int32))
        static_b = tf.broadcast_static_shape(tf.TensorShape([None, 1]), tf.TensorShape([1, 5]))
        out["static_broadcast"] = str(static_b.as_list())
        ensured = tf.ensure_shape(unknown, [None, 3])
        with tf.Session() as sess:
            import numpy as np
            feed = {images: np.ones([2, 28, 28, 1], np.float32), unknown: np.zeros([4, 3], np.float32)}
            s0, s1, r, n, b, e, df = sess.run([shapes[0], shapes[1], dyn_rank, size, bshape, ensured, dyn_flat], feed)
            out.update({"shape_n0": s0, "shape_n1": s1, "dyn_rank": r, "size": n, "bshape": b,
                        "ensured": e, "dyn_flat_shape": np.array(df.shape)})
            try:
                sess.run(tf.reshape(images, [3, -1]), feed)
                out["bad_reshape"] = "no error"
            except tf.errors.InvalidArgumentError:
                out["bad_reshape"] = "InvalidArgumentError"
            try:
                sess.run(ensured, {unknown: np.zeros([4, 2], np.float32)})
                out["bad_feed"] = "no error"
            except ValueError:
                out["bad_feed"] = "ValueError"
        out["int_dims"] = [int(d) for d in tiled.get_shape()[1:]]
        out["shape_dtype"] = tf.shape(images, out_type=tf.int64).dtype.name
    return out
