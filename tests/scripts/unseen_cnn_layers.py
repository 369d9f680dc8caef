"""A small CNN classifier with tf.layers (conv2d, pooling, flatten, dense) and name lookups."""

import numpy as np


def build_and_run(tf):
    rng = np.random.RandomState(2)
    images = rng.rand(2, 12, 12, 3).astype(np.float32)
    with tf.Graph().as_default() as g:
        inputs = tf.placeholder(tf.float32, [None, 12, 12, 3], name="inputs")
        net = tf.layers.conv2d(inputs, filters=4, kernel_size=[3, 3], padding="same",
                               activation=tf.nn.relu, name="conv1")
        net = tf.layers.max_pooling2d(net, pool_size=[2, 2], strides=2, name="pool1")
        net = tf.layers.conv2d(net, 6, 3, strides=(1, 1), padding="valid", activation=tf.nn.elu,
                               name="conv2")
        net = tf.layers.average_pooling2d(net, 2, 2)
        net = tf.layers.flatten(net)
        logits = tf.layers.dense(net, 5, name="fc")
        classes = tf.argmax(logits, axis=1, name="classes")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i, v in enumerate(tf.trainable_variables()):
                n = int(np.prod(v.get_shape().as_list()))
                v.load((np.cos(np.arange(n) * 0.31 + i) * 0.3).reshape(v.get_shape().as_list()), sess)
            logits_v, classes_v = sess.run([logits, classes], {inputs: images})
            conv1 = g.get_tensor_by_name("conv1/Relu:0")
            return {
                "logits": logits_v, "classes": classes_v,
                "conv1": sess.run(conv1, {inputs: images}),
                "kernel": sess.run(g.get_tensor_by_name("conv2/kernel:0"))[0, 0],
                "names": [v.name for v in tf.global_variables()],
                "shapes": [str(t.get_shape().as_list()) for t in (net, logits, classes)],
            }
