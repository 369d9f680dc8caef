"""Image preprocessing on a placeholder of any size: convert dtype, resize, crop, flip, colour, standardize."""

import numpy as np


def build_and_run(tf):
    rng = np.random.RandomState(8)
    raw = (rng.rand(6, 8, 3) * 255).astype(np.uint8)
    with tf.Graph().as_default():
        image = tf.placeholder(tf.uint8, [None, None, 3], name="image")
        decoded = tf.identity(image)
        as_float = tf.image.convert_image_dtype(decoded, tf.float32)
        batch = tf.expand_dims(as_float, 0)
        resized = tf.image.resize_images(batch, [4, 4])
        nearest = tf.image.resize_images(batch, [12, 16], method=tf.image.ResizeMethod.NEAREST_NEIGHBOR)
        bilinear = tf.image.resize_bilinear(batch, [3, 5], align_corners=True)
        cropped = tf.image.crop_to_bounding_box(as_float, 1, 2, 4, 4)
        flipped = tf.image.flip_left_right(as_float)
        upside = tf.image.flip_up_down(as_float)
        gray = tf.image.rgb_to_grayscale(as_float)
        bright = tf.image.adjust_brightness(as_float, 0.1)
        contrast = tf.image.adjust_contrast(as_float, 1.5)
        standard = tf.image.per_image_standardization(as_float)
        hsv = tf.image.rgb_to_hsv(as_float)
        back = tf.image.convert_image_dtype(tf.clip_by_value(bright, 0.0, 1.0), tf.uint8, saturate=True)
        mean_sub = as_float - tf.constant([0.485, 0.456, 0.406])
        with tf.Session() as sess:
            fetches = {"decoded": decoded, "resized": resized, "nearest": nearest, "bilinear": bilinear,
                       "cropped": cropped, "flipped": flipped, "upside": upside,
                       "gray": gray, "bright": bright, "contrast": contrast, "standard": standard,
                       "hsv": hsv, "back": back, "mean_sub": mean_sub}
            out = sess.run(fetches, {image: raw})
            out["shapes"] = [str(t.get_shape().as_list()) for t in (resized, cropped, gray)]
            return out
