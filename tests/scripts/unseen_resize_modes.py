"""Resizing as segmentation/pose code does it: align_corners, half_pixel_centers, area/bicubic/nearest."""

import numpy as np


def build_and_run(tf):
    out = {}
    img = np.arange(2 * 5 * 7 * 2, dtype=np.float32).reshape(2, 5, 7, 2) / 10.0
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, None, None, 2], name="x")
        size = tf.placeholder(tf.int32, [2], name="size")
        fixed = tf.placeholder(tf.float32, [None, 5, 7, 2], name="fixed")  # area/bicubic: a known size
        res = {
            "bilinear": tf.image.resize_bilinear(x, size),
            "bilinear_ac": tf.image.resize_bilinear(x, size, align_corners=True),
            "bilinear_hp": tf.image.resize_bilinear(x, size, half_pixel_centers=True),
            "nearest": tf.image.resize_nearest_neighbor(x, size),
            "nearest_ac": tf.image.resize_nearest_neighbor(x, size, align_corners=True),
            "nearest_hp": tf.image.resize_nearest_neighbor(x, size, half_pixel_centers=True),
            "bicubic": tf.image.resize_bicubic(fixed, [8, 11]),
            "area_dyn": tf.image.resize_area(x, size),
            "bicubic_hp": tf.image.resize_bicubic(fixed, [3, 4], half_pixel_centers=True),
            "area": tf.image.resize_area(fixed, [3, 4]),
            "area_up": tf.image.resize_area(fixed, [8, 11]),
            "images_default": tf.image.resize_images(x, size),
            "images_nn": tf.image.resize_images(x, size, method=tf.image.ResizeMethod.NEAREST_NEIGHBOR),
            "images_ac": tf.image.resize_images(x, [4, 4], align_corners=True),
            "padded": tf.image.resize_image_with_pad(x, 6, 6),
        }
        # upsample logits to the label size, then argmax (the usual FCN eval step)
        logits = tf.layers.conv2d(x, 3, 1, kernel_initializer=tf.constant_initializer(0.1), name="head")
        up = tf.image.resize_bilinear(logits, tf.shape(x)[1:3] * 2, align_corners=True)
        res["pred"] = tf.argmax(up, axis=-1)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for name, s in (("up", [8, 11]), ("down", [3, 4])):
                got = sess.run(res, {x: img, fixed: img, size: s})
                out.update({f"{name}_{k}": v for k, v in got.items()})
        out["static"] = [str(res[k].get_shape()) for k in ("bilinear", "images_ac", "padded")]
        out["int_input"] = str(tf.image.resize_images(tf.zeros([1, 4, 4, 1], tf.uint8), [2, 2]).dtype.name)
    return out
