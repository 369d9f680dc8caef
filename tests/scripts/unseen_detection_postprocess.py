"""SSD-style detection post-processing: decode boxes, score threshold, NMS, crop_and_resize."""

import numpy as np


def build_and_run(tf):
    rng = np.random.RandomState(18)
    anchors = np.array([[0.1, 0.1, 0.4, 0.4], [0.12, 0.1, 0.42, 0.4], [0.5, 0.5, 0.9, 0.9],
                        [0.52, 0.5, 0.9, 0.92], [0.0, 0.6, 0.3, 1.0]], np.float32)
    deltas = (rng.randn(5, 4) * 0.05).astype(np.float32)
    scores_np = np.array([0.9, 0.85, 0.3, 0.75, 0.05], np.float32)
    image = rng.rand(1, 8, 8, 3).astype(np.float32)
    with tf.Graph().as_default():
        anc = tf.constant(anchors)
        d = tf.placeholder(tf.float32, [None, 4])
        scores = tf.placeholder(tf.float32, [None])
        ya, xa, yb, xb = tf.unstack(anc, axis=1)
        h, w = yb - ya, xb - xa
        cy, cx = ya + 0.5 * h, xa + 0.5 * w
        dy, dx, dh, dw = tf.unstack(d, axis=1)
        cy, cx = cy + dy * h, cx + dx * w
        h, w = h * tf.exp(dh), w * tf.exp(dw)
        boxes = tf.clip_by_value(tf.stack([cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2], axis=1), 0.0, 1.0)
        keep = tf.image.non_max_suppression(boxes, scores, max_output_size=3, iou_threshold=0.5,
                                            score_threshold=0.1)
        picked = tf.gather(boxes, keep)
        picked_scores = tf.gather(scores, keep)
        crops = tf.image.crop_and_resize(tf.constant(image), picked, tf.zeros_like(keep), [4, 4])
        drawn = tf.image.draw_bounding_boxes(tf.constant(image), tf.expand_dims(picked, 0))
        padded_keep, valid = tf.image.non_max_suppression_padded(boxes, scores, 4, iou_threshold=0.5,
                                                                 pad_to_max_output_size=True)
        with tf.Session() as sess:
            return sess.run({"boxes": boxes, "keep": keep, "picked": picked, "picked_scores": picked_scores,
                             "crops": crops, "drawn": drawn, "padded_keep": padded_keep, "valid": valid},
                            {d: deltas, scores: scores_np})
