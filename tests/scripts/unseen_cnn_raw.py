"""A LeNet-style CNN from raw tf.nn ops and get_variable, as in the classic deep MNIST tutorial."""

import numpy as np


def _weight(tf, name, shape, seed):
    values = (np.sin(np.arange(int(np.prod(shape))) * 0.7 + seed) * 0.2).reshape(shape)
    return tf.get_variable(name, shape, initializer=tf.constant_initializer(values.astype(np.float32)))


def build_and_run(tf):
    rng = np.random.RandomState(1)
    batch = rng.rand(3, 784).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, shape=[None, 784])
        keep_prob = tf.placeholder(tf.float32)
        x_image = tf.reshape(x, [-1, 28, 28, 1])
        with tf.variable_scope("conv1"):
            W = _weight(tf, "weights", [5, 5, 1, 8], 1)
            b = tf.get_variable("biases", [8], initializer=tf.constant_initializer(0.1))
            h = tf.nn.relu(tf.nn.conv2d(x_image, W, strides=[1, 1, 1, 1], padding="SAME") + b)
            h = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
        with tf.variable_scope("conv2"):
            W = _weight(tf, "weights", [5, 5, 8, 16], 2)
            b = tf.get_variable("biases", [16], initializer=tf.zeros_initializer())
            h = tf.nn.bias_add(tf.nn.conv2d(h, W, [1, 2, 2, 1], "VALID"), b)
            h = tf.nn.lrn(tf.nn.relu(h), 2, bias=1.0, alpha=0.001 / 9.0, beta=0.75)
            h = tf.nn.avg_pool(h, [1, 3, 3, 1], [1, 1, 1, 1], "SAME")
        shape = h.get_shape().as_list()
        flat = tf.reshape(h, [-1, shape[1] * shape[2] * shape[3]])
        with tf.variable_scope("fc"):
            W = _weight(tf, "weights", [shape[1] * shape[2] * shape[3], 10], 3)
            logits = tf.matmul(tf.nn.dropout(flat, keep_prob), W)
        y_conv = tf.nn.softmax(logits)
        with tf.Session() as sess:
            tf.global_variables_initializer().run()
            out = sess.run({"probs": y_conv, "pooled": h}, feed_dict={x: batch, keep_prob: 1.0})
            out["flat_shape"] = str(flat.get_shape().as_list())
            out["h_shape"] = str(shape)
            out["names"] = sorted(v.op.name for v in tf.global_variables())
            return out
