"""Hand-written k-means: assignment by broadcast distances + argmin, centroid update via unsorted_segment_sum."""

import numpy as np


def build_and_run(tf):
    out = {}
    rng = np.random.RandomState(2)
    centers = np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 6.0]], np.float32)
    points_np = np.concatenate([c + rng.randn(10, 2).astype(np.float32) * 0.5 for c in centers])
    with tf.Graph().as_default():
        k = 3
        points = tf.constant(points_np)
        centroids = tf.Variable(tf.slice(tf.random_shuffle(points, seed=3), [0, 0], [k, -1]))
        set_start = centroids.assign(tf.gather(points, [0, 10, 20]))
        expanded_vectors = tf.expand_dims(points, 0)
        expanded_centroids = tf.expand_dims(centroids, 1)
        distances = tf.reduce_sum(tf.square(tf.subtract(expanded_vectors, expanded_centroids)), 2)
        assignments = tf.argmin(distances, 0)
        assignments32 = tf.to_int32(assignments)
        sums = tf.unsorted_segment_sum(points, assignments32, k)
        counts = tf.unsorted_segment_sum(tf.ones_like(points[:, :1]), assignments32, k)
        means = sums / counts
        update = tf.assign(centroids, means)
        # the older partition-based update
        parts = tf.dynamic_partition(points, assignments32, k)
        means2 = tf.concat([tf.expand_dims(tf.reduce_mean(p, 0), 0) for p in parts], 0)
        inertia = tf.reduce_sum(tf.reduce_min(distances, 0))
        seg_max = tf.unsorted_segment_max(points, assignments32, k)
        seg_mean = tf.math.unsorted_segment_mean(points, assignments32, k)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out["random_start_shape"] = sess.run(tf.shape(centroids))
            sess.run(set_start)
            history = []
            for _ in range(4):
                m2, a, inert = sess.run([means2, assignments, inertia])
                _, c = sess.run([update, centroids])
                history.append(inert)
            out["centroids"] = c
            out["assignments"] = a
            out["partition_means"] = m2
            out["inertia"] = np.array(history, np.float32)
            out["counts"] = sess.run(counts)
            out["seg_max"], out["seg_mean"] = sess.run([seg_max, seg_mean])
            out["assign_dtype"] = assignments.dtype.name
    return out
