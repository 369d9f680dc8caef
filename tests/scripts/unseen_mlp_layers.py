"""MNIST-style MLP with tf.layers: dense + dropout behind an is_training placeholder, accuracy."""

import numpy as np


def build_and_run(tf):
    rng = np.random.RandomState(0)
    images = rng.rand(8, 784).astype(np.float32)
    labels = rng.randint(0, 10, size=8).astype(np.int64)
    w1 = (rng.randn(784, 64) * 0.05).astype(np.float32)
    w2 = (rng.randn(64, 10) * 0.1).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 784], name="x")
        y_ = tf.placeholder(tf.int64, [None], name="labels")
        is_training = tf.placeholder_with_default(False, shape=(), name="is_training")
        with tf.variable_scope("mlp"):
            h = tf.layers.dense(x, 64, activation=tf.nn.relu,
                                kernel_initializer=tf.constant_initializer(w1),
                                bias_initializer=tf.constant_initializer(0.01), name="hidden")
            h = tf.layers.dropout(h, rate=0.5, training=is_training)
            logits = tf.layers.dense(h, 10, kernel_initializer=tf.constant_initializer(w2),
                                     name="logits")
        probs = tf.nn.softmax(logits, name="probs")
        pred = tf.argmax(logits, 1)
        correct = tf.equal(pred, y_)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y_, logits=logits))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            feed = {x: images, y_: labels}
            p, a, l, pr = sess.run([probs, accuracy, loss, pred], feed_dict=feed)
            return {
                "probs": p, "accuracy": a, "loss": l, "pred": pr,
                "var_names": [v.name for v in tf.trainable_variables()],
                "var_shapes": [str(v.get_shape().as_list()) for v in tf.global_variables()],
                "logits_shape": str(logits.get_shape().as_list()),
                "probs_name": probs.name,
                "batch1": sess.run(probs, {x: images[:1]}),
            }
