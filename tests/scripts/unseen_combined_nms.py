"""Multi-class detection outputs: combined_non_max_suppression, NMS with scores, padded NMS, IoU by hand."""

import numpy as np


def build_and_run(tf):
    out = {}
    boxes_np = np.array([[[0.0, 0.0, 0.5, 0.5], [0.05, 0.05, 0.55, 0.5], [0.5, 0.5, 1.0, 1.0],
                          [0.0, 0.6, 0.3, 1.0], [0.52, 0.5, 1.0, 0.98]]], np.float32)
    scores_np = np.array([[[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.05, 0.6], [0.25, 0.65]]], np.float32)
    with tf.Graph().as_default():
        boxes = tf.placeholder(tf.float32, [None, None, 4], name="boxes")
        scores = tf.placeholder(tf.float32, [None, None, 2], name="scores")
        nmsed_boxes, nmsed_scores, nmsed_classes, valid = tf.image.combined_non_max_suppression(
            tf.expand_dims(boxes, 2), scores, max_output_size_per_class=3, max_total_size=4,
            iou_threshold=0.5, score_threshold=0.2)
        single_boxes, single_scores = boxes[0], scores[0, :, 0]
        sel, sel_scores = tf.image.non_max_suppression_with_scores(single_boxes, single_scores, 3,
                                                                   iou_threshold=0.5, score_threshold=0.1)
        padded, num_valid = tf.image.non_max_suppression_padded(single_boxes, single_scores, 4,
                                                                 iou_threshold=0.5, pad_to_max_output_size=True)
        # IoU matrix by hand (as in many anchor-matching snippets)
        b1 = tf.expand_dims(single_boxes, 1)
        b2 = tf.expand_dims(single_boxes, 0)
        inter_hw = tf.maximum(tf.minimum(b1[..., 2:], b2[..., 2:]) - tf.maximum(b1[..., :2], b2[..., :2]), 0.0)
        inter = inter_hw[..., 0] * inter_hw[..., 1]
        area = (single_boxes[:, 2] - single_boxes[:, 0]) * (single_boxes[:, 3] - single_boxes[:, 1])
        iou = inter / (area[:, None] + area[None, :] - inter)
        with tf.Session() as sess:
            res = sess.run({"nmsed_boxes": nmsed_boxes, "nmsed_scores": nmsed_scores,
                            "nmsed_classes": nmsed_classes, "valid": valid, "sel": sel, "sel_scores": sel_scores,
                            "padded": padded, "num_valid": num_valid, "iou": iou},
                           {boxes: boxes_np, scores: scores_np})
            out.update(res)
        out["classes_dtype"] = nmsed_classes.dtype.name
        out["valid_dtype"] = valid.dtype.name
    return out
