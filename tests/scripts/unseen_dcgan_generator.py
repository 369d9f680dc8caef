"""DCGAN generator inference: dense -> reshape -> conv2d_transpose stack, batch norm, leaky relu."""

import numpy as np


def build_and_run(tf):
    rng = np.random.RandomState(9)
    z_in = rng.randn(2, 6).astype(np.float32)
    with tf.Graph().as_default():
        z = tf.placeholder(tf.float32, [None, 6], name="z")
        training = tf.placeholder_with_default(False, [], name="training")
        with tf.variable_scope("generator"):
            h = tf.layers.dense(z, 4 * 4 * 8, name="project")
            h = tf.reshape(h, [-1, 4, 4, 8])
            h = tf.layers.batch_normalization(h, training=training, name="bn0")
            h = tf.nn.leaky_relu(h, alpha=0.2)
            h = tf.layers.conv2d_transpose(h, 4, 5, strides=2, padding="same", name="deconv1")
            h = tf.maximum(0.1 * h, h)
            w = tf.get_variable("w2", [3, 3, 2, 4])
            out_shape = tf.stack([tf.shape(h)[0], 16, 16, 2])
            h = tf.nn.conv2d_transpose(h, w, out_shape, strides=[1, 2, 2, 1], padding="SAME")
            h = tf.reshape(h, [-1, 16, 16, 2])
            v = tf.layers.conv2d_transpose(h, 1, 3, strides=1, padding="valid", name="deconv3")
            img = tf.nn.tanh(v)
            up = tf.image.resize_nearest_neighbor(img, [36, 36])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i, var in enumerate(tf.global_variables()):
                shape = var.get_shape().as_list()
                vals = np.cos(np.arange(int(np.prod(shape))) * 0.19 + i) * 0.3
                if "moving_variance" in var.name:
                    vals = np.abs(vals) + 0.5
                var.load(vals.reshape(shape).astype(np.float32), sess)
            img_v, up_v = sess.run([img, up], {z: z_in})
            return {"img": img_v, "up_corner": up_v[:, :4, :4, 0],
                    "shapes": [str(t.get_shape().as_list()) for t in (h, v, img, up)],
                    "vars": [x.name for x in tf.global_variables()]}
