"""Convolution variants in mobile/segmentation models: depthwise, separable, atrous, dilated, 3-D."""

import numpy as np


def _w(shape, k):
    return (np.sin(np.arange(int(np.prod(shape))) * k) * 0.5).reshape(shape).astype(np.float32)


def build_and_run(tf):
    rng = np.random.RandomState(15)
    img = rng.rand(2, 9, 9, 3).astype(np.float32)
    vol = rng.rand(1, 4, 5, 5, 2).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 9, 9, 3])
        v = tf.placeholder(tf.float32, [None, 4, 5, 5, 2])
        dw = tf.nn.depthwise_conv2d(x, _w([3, 3, 3, 2], 0.3), [1, 1, 1, 1], "SAME")
        dw_stride = tf.nn.depthwise_conv2d(x, _w([3, 3, 3, 1], 0.5), [1, 2, 2, 1], "VALID")
        sep = tf.nn.separable_conv2d(x, _w([3, 3, 3, 2], 0.7), _w([1, 1, 6, 4], 0.9), [1, 1, 1, 1], "SAME")
        atrous = tf.nn.atrous_conv2d(x, _w([3, 3, 3, 2], 1.1), rate=2, padding="SAME")
        dilated = tf.nn.conv2d(x, _w([2, 2, 3, 2], 1.3), [1, 1, 1, 1], "VALID", dilations=[1, 2, 2, 1])
        conv3 = tf.nn.conv3d(v, _w([2, 3, 3, 2, 3], 0.2), [1, 1, 2, 2, 1], "SAME")
        pool3 = tf.nn.max_pool3d(v, [1, 2, 2, 2, 1], [1, 2, 2, 2, 1], "VALID")
        avg3 = tf.nn.avg_pool3d(v, [1, 1, 2, 2, 1], [1, 1, 1, 1, 1], "SAME")
        pooled, argmax = tf.nn.max_pool_with_argmax(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
        generic = tf.nn.pool(x, [3, 3], "AVG", "SAME", strides=[2, 2])
        conv1 = tf.nn.conv1d(tf.reshape(x, [-1, 81, 3]), _w([5, 3, 2], 0.4), stride=2, padding="SAME")
        layer_sep = tf.layers.separable_conv2d(x, 4, 3, depth_multiplier=2, padding="same",
                                               depthwise_initializer=tf.constant_initializer(0.1),
                                               pointwise_initializer=tf.constant_initializer(-0.2))
        layer_dw = tf.layers.conv2d(x, 2, 3, dilation_rate=2, padding="same",
                                    kernel_initializer=tf.constant_initializer(0.05))
        transposed = tf.nn.conv2d_transpose(x, _w([3, 3, 2, 3], 0.6), [2, 18, 18, 2], [1, 2, 2, 1], "SAME")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            fetched = {"dw": dw, "dw_stride": dw_stride, "sep": sep, "atrous": atrous, "dilated": dilated,
                       "conv3": conv3, "pool3": pool3, "avg3": avg3, "pooled": pooled, "argmax": argmax,
                       "generic": generic, "conv1": conv1, "layer_sep": layer_sep, "layer_dw": layer_dw,
                       "transposed": transposed}
            out = sess.run(fetched, {x: img, v: vol})
            out["shapes"] = [str(fetched[k].get_shape().as_list()) for k in sorted(fetched)]
            return out
