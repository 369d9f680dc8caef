"""CIFAR-10 tutorial style eval: conv + LRN + pooling, logits, in_top_k precision@1/@3 over batches."""

import numpy as np


def _var(tf, name, shape, stddev, seed):
    rng = np.random.RandomState(seed)
    return tf.get_variable(name, shape, initializer=tf.constant_initializer(
        (rng.randn(*shape) * stddev).astype(np.float32)))


def inference(tf, images):
    with tf.variable_scope("conv1") as scope:
        kernel = _var(tf, "weights", [5, 5, 3, 8], 0.1, 1)
        conv = tf.nn.conv2d(images, kernel, [1, 1, 1, 1], padding="SAME")
        biases = tf.get_variable("biases", [8], initializer=tf.constant_initializer(0.0))
        conv1 = tf.nn.relu(tf.nn.bias_add(conv, biases), name=scope.name)
    pool1 = tf.nn.max_pool(conv1, ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME", name="pool1")
    norm1 = tf.nn.lrn(pool1, 4, bias=1.0, alpha=0.001 / 9.0, beta=0.75, name="norm1")
    with tf.variable_scope("conv2") as scope:
        kernel = _var(tf, "weights", [5, 5, 8, 8], 0.1, 2)
        conv = tf.nn.conv2d(norm1, kernel, [1, 1, 1, 1], padding="SAME")
        biases = tf.get_variable("biases", [8], initializer=tf.constant_initializer(0.1))
        conv2 = tf.nn.relu(tf.nn.bias_add(conv, biases), name=scope.name)
    norm2 = tf.nn.local_response_normalization(conv2, depth_radius=2, bias=2.0, alpha=1e-3, beta=0.5, name="norm2")
    pool2 = tf.nn.avg_pool(norm2, ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="VALID", name="pool2")
    with tf.variable_scope("local3") as scope:
        dim = np.prod(pool2.get_shape().as_list()[1:])
        reshape = tf.reshape(pool2, [-1, int(dim)])
        weights = _var(tf, "weights", [int(dim), 10], 0.05, 3)
        biases = tf.get_variable("biases", [10], initializer=tf.constant_initializer(0.1))
        logits = tf.add(tf.matmul(reshape, weights), biases, name=scope.name)
    return logits


def build_and_run(tf):
    out = {}
    rng = np.random.RandomState(7)
    data = rng.rand(3, 4, 12, 12, 3).astype(np.float32)
    labels = rng.randint(0, 10, size=(3, 4)).astype(np.int32)
    with tf.Graph().as_default():
        images = tf.placeholder(tf.float32, [None, 12, 12, 3])
        label_ph = tf.placeholder(tf.int32, [None])
        logits = inference(tf, images)
        top1 = tf.nn.in_top_k(logits, label_ph, 1)
        top3 = tf.nn.in_top_k(predictions=logits, targets=label_ph, k=3)
        values, indices = tf.nn.top_k(tf.nn.softmax(logits), k=3)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            true_count1 = true_count3 = 0
            for step in range(3):
                p1, p3 = sess.run([top1, top3], feed_dict={images: data[step], label_ph: labels[step]})
                true_count1 += np.sum(p1)
                true_count3 += np.sum(p3)
            out["precision_at_1"] = true_count1 / 12.0
            out["precision_at_3"] = true_count3 / 12.0
            out["logits"] = sess.run(logits, {images: data[0]})
            v, i = sess.run([values, indices], {images: data[1]})
            out["top_values"], out["top_indices"] = v, i
            out["norm1_shape"] = sess.run(tf.shape(tf.get_default_graph().get_tensor_by_name("norm1:0")),
                                          {images: data[0]})
        out["trainable"] = [v.name for v in tf.trainable_variables()]
        out["in_top_k_dtype"] = top1.dtype.name
    return out
