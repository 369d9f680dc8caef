"""A pre-tf.data input pipeline: FIFOQueue fed by enqueue_many, dequeue_many, QueueRunner threads."""

import numpy as np


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        queue = tf.FIFOQueue(capacity=10, dtypes=[tf.float32, tf.int32], shapes=[[2], []])
        xs = tf.placeholder(tf.float32, [None, 2])
        ys = tf.placeholder(tf.int32, [None])
        enqueue = queue.enqueue_many([xs, ys])
        x_batch, y_batch = queue.dequeue_many(3)
        size = queue.size()
        produced = tf.train.limit_epochs(tf.constant([1, 2, 3]), num_epochs=2)
        batch = tf.train.batch([tf.train.range_input_producer(6, shuffle=False).dequeue()], batch_size=4)
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            sess.run(enqueue, {xs: np.arange(10, dtype=np.float32).reshape(5, 2), ys: np.arange(5)})
            out["size"] = sess.run(size)
            out["x"], out["y"] = sess.run([x_batch, y_batch])
            out["size_after"] = sess.run(size)
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=sess, coord=coord)
            out["batch"] = sess.run(batch)
            seen = []
            try:
                while True:
                    seen.append(sess.run(produced))
            except tf.errors.OutOfRangeError:
                out["epochs"] = np.stack(seen)
            coord.request_stop()
            coord.join(threads)
    return out
