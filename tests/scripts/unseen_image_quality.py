"""Image comparison and patch utilities from super-resolution / denoising evals: PSNR, gradients, patches."""

import numpy as np


def build_and_run(tf):
    out = {}
    rng = np.random.RandomState(11)
    clean = rng.uniform(0, 1, size=(2, 8, 8, 3)).astype(np.float32)
    noisy = np.clip(clean + rng.normal(0, 0.05, size=clean.shape), 0, 1).astype(np.float32)
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, [None, 8, 8, 3], name="a")
        b = tf.placeholder(tf.float32, [None, 8, 8, 3], name="b")
        psnr = tf.image.psnr(a, b, max_val=1.0)
        mse = tf.reduce_mean(tf.squared_difference(a, b), axis=[1, 2, 3])
        manual_psnr = 10.0 * tf.log(1.0 / mse) / tf.log(10.0)
        tv = tf.image.total_variation(a)
        dy, dx = tf.image.image_gradients(a)
        patches = tf.extract_image_patches(a, ksizes=[1, 4, 4, 1], strides=[1, 4, 4, 1],
                                           rates=[1, 1, 1, 1], padding="VALID")
        patches_same = tf.image.extract_patches(a[:, :5, :5, :1], sizes=[1, 3, 3, 1], strides=[1, 2, 2, 1],
                                                rates=[1, 1, 1, 1], padding="SAME")
        s2b = tf.space_to_batch_nd(a[:, :4, :4, :1], block_shape=[2, 2], paddings=[[0, 0], [0, 0]])
        b2s = tf.batch_to_space_nd(s2b, block_shape=[2, 2], crops=[[0, 0], [0, 0]])
        gray = tf.image.rgb_to_grayscale(a)
        rgb_again = tf.image.grayscale_to_rgb(gray)
        rot = tf.image.rot90(a, k=1)
        transposed = tf.image.transpose_image(a)
        yuv = tf.image.rgb_to_yuv(a)
        back_rgb = tf.image.yuv_to_rgb(yuv)
        with tf.Session() as sess:
            res = sess.run({"psnr": psnr, "manual_psnr": manual_psnr, "tv": tv, "dy": dy, "dx": dx,
                            "patches": patches, "patches_same": patches_same, "s2b": s2b, "b2s": b2s,
                            "gray": gray, "rgb_again": rgb_again, "rot": rot, "transposed": transposed,
                            "yuv": yuv, "back_rgb": back_rgb}, {a: clean, b: noisy})
            out.update(res)
            out["same_psnr"] = sess.run(psnr, {a: clean, b: clean})
        out["patches_static"] = str(patches.get_shape().as_list())
        out["s2b_static"] = str(s2b.get_shape())
    return out
