"""Prints TensorFlow's outputs for the soft-NMS and run-time-size bicubic regression cases.

The numbers are pasted into tests/converters/test_image_gap_regressions.py (the normal suite
runs without TensorFlow). The inputs here must stay equal to the ones that test builds.
Run with `/work/venv-tf/bin/python tools/gen_image_gap_values.py`.
"""

from __future__ import annotations

import numpy as np

__all__: list[str] = []

#: 8 boxes as (y1, x1, y2, x2); box 3 has its corners swapped, box 6 has no area.
NMS_BOXES = np.array([[0.10, 0.10, 0.50, 0.50], [0.12, 0.15, 0.52, 0.55], [0.60, 0.60, 0.90, 0.95],
                      [0.55, 0.50, 0.15, 0.10], [0.62, 0.58, 0.88, 0.90], [0.00, 0.70, 0.30, 1.00],
                      [0.40, 0.40, 0.40, 0.80], [0.05, 0.65, 0.35, 0.98]], np.float32)
NMS_SCORES = np.array([0.90, 0.85, 0.70, 0.62, 0.66, 0.40, 0.95, 0.33], np.float32)
#: case -> (max_output_size, score_threshold, soft_nms_sigma, pad_to_max_output_size)
NMS_CASES = {"padded": (8, 0.3, 0.5, True), "unpadded": (5, float("-inf"), 0.3, False)}

#: case -> (output size, align_corners, half_pixel_centers); input: bicubic_image()
BICUBIC_CASES = {"legacy": ((6, 3), False, False), "align_corners": ((3, 7), True, False),
                 "half_pixel": ((7, 4), False, True)}


def bicubic_image() -> np.ndarray:
    """A [1, 4, 5, 2] float32 image (no random numbers: the test rebuilds it)."""
    return np.sin(np.arange(40, dtype=np.float32) * np.float32(0.7)).reshape(1, 4, 5, 2)


def _floats(values: np.ndarray) -> str:
    """float32 values in their shortest round-trip spelling, comma separated."""
    return ", ".join(np.format_float_positional(v, unique=True)
                     for v in np.asarray(values, np.float32).reshape(-1))


def main() -> None:
    import tensorflow as tf

    for name, (most, threshold, sigma, pad) in NMS_CASES.items():
        out = tf.raw_ops.NonMaxSuppressionV5(boxes=NMS_BOXES, scores=NMS_SCORES, max_output_size=most,
                                             iou_threshold=0.5, score_threshold=threshold,
                                             soft_nms_sigma=sigma, pad_to_max_output_size=pad)
        print(f"nms {name}: indices {out[0].numpy().tolist()} scores {_floats(out[1].numpy())} "
              f"valid {int(out[2].numpy())}")
    image = bicubic_image()
    for name, (size, corners, half) in BICUBIC_CASES.items():
        out = tf.raw_ops.ResizeBicubic(images=image, size=np.array(size, np.int32), align_corners=corners,
                                       half_pixel_centers=half).numpy()
        print(f"bicubic {name}: {_floats(out)}")


if __name__ == "__main__":
    main()
