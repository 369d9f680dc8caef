"""Less common spatial ops: dilation2d/erosion2d, 3-D pooling, conv3d_transpose, fractional pools, atrous depthwise."""

import numpy as np


def build_and_run(tf):
    out = {}
    rng = np.random.RandomState(21)
    img = rng.rand(1, 6, 6, 2).astype(np.float32)
    vol = rng.rand(1, 4, 6, 6, 2).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 6, 6, 2])
        se = tf.constant(rng.rand(3, 3, 2).astype(np.float32) * 0.1)
        dil = tf.nn.dilation2d(x, se, strides=[1, 1, 1, 1], rates=[1, 1, 1, 1], padding="SAME")
        ero = tf.nn.erosion2d(x, se, strides=[1, 1, 1, 1], rates=[1, 1, 1, 1], padding="VALID")
        dil_rate = tf.nn.dilation2d(x, se, strides=[1, 2, 2, 1], rates=[1, 2, 2, 1], padding="VALID")
        v = tf.placeholder(tf.float32, [None, 4, 6, 6, 2])
        ap = tf.nn.avg_pool3d(v, ksize=[1, 2, 2, 2, 1], strides=[1, 2, 2, 2, 1], padding="VALID")
        mp = tf.nn.max_pool3d(v, ksize=[1, 2, 3, 3, 1], strides=[1, 1, 2, 2, 1], padding="SAME")
        k3 = tf.constant(rng.randn(2, 2, 2, 3, 2).astype(np.float32) * 0.2)
        deconv = tf.nn.conv3d_transpose(v, k3, output_shape=[1, 8, 12, 12, 3], strides=[1, 2, 2, 2, 1],
                                        padding="SAME")
        fmp, rows, cols = tf.nn.fractional_max_pool(x, [1.0, 1.44, 1.73, 1.0], pseudo_random=True,
                                                    overlapping=False, deterministic=True,
                                                    seed=5, seed2=6)
        fap, arows, _ = tf.nn.fractional_avg_pool(x, [1.0, 1.5, 1.5, 1.0], deterministic=True,
                                                     seed=3, seed2=4)
        dw_k = tf.constant(rng.randn(3, 3, 2, 2).astype(np.float32) * 0.3)
        dw = tf.nn.depthwise_conv2d(x, dw_k, strides=[1, 1, 1, 1], padding="SAME", rate=[2, 2])
        dw_native = tf.nn.depthwise_conv2d_native(x, dw_k, strides=[1, 2, 2, 1], padding="VALID")
        with tf.Session() as sess:
            feed = {x: img, v: vol}
            res = sess.run({"dil": dil, "ero": ero, "dil_rate": dil_rate, "ap": ap, "mp": mp,
                            "deconv": deconv, "dw": dw, "dw_native": dw_native}, feed)
            out.update(res)
            f, r, c = sess.run([fmp, rows, cols], feed)
            out["fmp_shape"] = f.shape
            out["fmp_seq_ends"] = [int(r[0]), int(r[-1]), int(c[0]), int(c[-1])]
            # every pooled value is one of the inputs and within its channel's range
            out["fmp_from_input"] = bool(np.isin(f, img).all())
            a, _ = sess.run([fap, arows], feed)
            out["fap_shape"] = a.shape
            out["fap_bounded"] = bool(a.min() >= img.min() and a.max() <= img.max())
        out["static"] = [str(t.get_shape()) for t in (dil, ero, dil_rate, ap, mp, deconv, dw, dw_native)]
    return out
