"""An input pipeline on encoded images of any size: decode PNG/JPEG, central crop, pad, crop-or-pad."""

import numpy as np


def build_and_run(tf):
    rng = np.random.RandomState(11)
    raw = (rng.rand(6, 8, 3) * 255).astype(np.uint8)
    with tf.Graph().as_default():
        image = tf.placeholder(tf.uint8, [None, None, 3], name="image")
        png = tf.image.encode_png(image)
        contents = tf.placeholder(tf.string, [], name="contents")
        decoded = tf.image.decode_png(contents, channels=3)
        as_float = tf.image.convert_image_dtype(decoded, tf.float32)
        central = tf.image.central_crop(as_float, 0.5)
        padded = tf.image.pad_to_bounding_box(as_float, 1, 1, 8, 10)
        crop_or_pad = tf.image.resize_image_with_crop_or_pad(as_float, 5, 10)
        gray = tf.image.decode_image(contents, channels=1)
        with tf.Session() as sess:
            encoded = sess.run(png, {image: raw})
            out = sess.run({"decoded": decoded, "central": central, "padded": padded,
                            "crop_or_pad": crop_or_pad, "gray_shape": tf.shape(gray)}, {contents: encoded})
            out["shapes"] = [str(t.get_shape().as_list()) for t in (decoded, central, padded, crop_or_pad)]
            return out
