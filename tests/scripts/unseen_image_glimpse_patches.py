"""Attention/patch image ops: extract_glimpse, extract_image_patches, sample_distorted_bounding_box (shapes)."""

import numpy as np


def build_and_run(tf):
    out = {}
    img_np = np.arange(2 * 8 * 8 * 1, dtype=np.float32).reshape(2, 8, 8, 1)
    with tf.Graph().as_default():
        images = tf.placeholder(tf.float32, [None, 8, 8, 1])
        offsets = tf.placeholder(tf.float32, [None, 2])
        g_centered = tf.image.extract_glimpse(images, [3, 3], offsets, centered=True, normalized=True)
        g_pixels = tf.image.extract_glimpse(images, [2, 4], offsets, centered=False, normalized=False)
        patches = tf.extract_image_patches(images, ksizes=[1, 3, 3, 1], strides=[1, 2, 2, 1],
                                           rates=[1, 1, 1, 1], padding="VALID")
        patches_same = tf.image.extract_patches(images, sizes=[1, 2, 2, 1], strides=[1, 3, 3, 1],
                                                rates=[1, 2, 2, 1], padding="SAME")
        boxes = tf.constant([[[0.1, 0.2, 0.6, 0.9]]])
        begin, size, bbox = tf.image.sample_distorted_bounding_box(
            tf.constant([8, 8, 1]), bounding_boxes=boxes, min_object_covered=0.1,
            aspect_ratio_range=[0.75, 1.33], area_range=[0.2, 1.0], seed=1, seed2=2)
        crop = tf.slice(images[0], begin, size)
        drawn = tf.image.draw_bounding_boxes(images, tf.tile(boxes, [2, 1, 1]))
        with tf.Session() as sess:
            feed = {images: img_np, offsets: [[0.0, 0.0], [0.5, -0.5]]}
            out["glimpse_centered"] = sess.run(g_centered, feed)[..., 0]
            out["glimpse_pixels"] = sess.run(g_pixels, {images: img_np, offsets: [[1.0, 2.0], [4.0, 3.0]]})[..., 0]
            out["patches"] = sess.run(patches, feed)
            out["patches_same"] = sess.run(patches_same, feed)
            b, s, bb = sess.run([begin, size, bbox])
            out["bbox_ok"] = bool(b[2] == 0 and s[2] == 1 and (b[:2] + s[:2] <= 8).all() and (s[:2] > 0).all())
            out["bbox_shape"] = bb.shape
            c = sess.run(crop, feed)
            out["crop_rank"] = c.ndim
            out["drawn"] = sess.run(drawn, feed)[1, :, :, 0]
        out["static"] = [str(t.get_shape()) for t in (g_centered, patches, patches_same, begin, size, bbox)]
    return out
